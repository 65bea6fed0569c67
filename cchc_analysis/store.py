"""The processed-table store: Parquet files in ``data/processed/`` and the manifest that says which
are current.

``data/processed/<name>.parquet`` is written atomically (temporary file, then rename) and
byte-stably (fixed row order, no library-version metadata), and ``manifest.json`` beside it records
the sha256 of every raw input, a fingerprint of the package code and the output's own checksum.
A table is *current* when all three still match. This module knows nothing of the datasets: it
works on a :class:`~cchc_analysis.tables.TableSpec`, so the dataset modules can use it without
importing :mod:`cchc_analysis.build` (which imports them)::

    from cchc_analysis import store
    from cchc_analysis.sources.papi import TABLES
    frame = store.load(TABLES["papi"])     # read when current, else rebuild from raw files
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cchc_analysis import paths
from cchc_analysis.atomic import atomic_write, remove_stale_parts
from cchc_analysis.download import sha256
from cchc_analysis.errors import CchcDataError
from cchc_analysis.tables import TableSpec

__all__ = [
    "MANIFEST",
    "atomic_write",
    "build_table",
    "code_fingerprint",
    "is_current",
    "load",
    "read_manifest",
    "read_parquet",
]

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
_DTYPES_KEY = b"cchc_analysis.dtypes"


# ---------------------------------------------------------------------------------------------
# Fingerprints and the manifest
# ---------------------------------------------------------------------------------------------


# Analysis layers that never feed a processed table; everything else in the package counts.
_NOT_DATA_CODE = frozenset({"ranking", "models", "plotting.py", "notebooks.py", "__main__.py"})


def code_fingerprint() -> str:
    """sha256 over the package's data-layer modules and reference tables (a change means rebuild).

    Deliberately coarse (all of it, minus the analysis layers in ``_NOT_DATA_CODE``): an
    unnecessary rebuild costs seconds, a stale table costs a wrong result.
    """
    digest = hashlib.sha256()
    root = paths.PACKAGE_DIR
    files = sorted(
        p
        for p in root.rglob("*")
        if p.suffix in {".py", ".csv"}
        and "__pycache__" not in p.parts
        and p.relative_to(root).parts[0] not in _NOT_DATA_CODE
    )
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def _input_key(path: Path) -> str:
    # Keys relative to the raw folder (or the checkout) so a moved data folder stays current.
    path = Path(path).resolve()
    for base, prefix in ((paths.RAW, "raw"), (paths.REPO_ROOT, "repo")):
        if base is None:
            continue
        try:
            return f"{prefix}:{path.relative_to(Path(base).resolve()).as_posix()}"
        except ValueError:
            continue
    return str(path)


def _input_hashes(spec: TableSpec) -> dict[str, str] | None:
    """sha256 of each raw input by key, or ``None`` when one is missing (never fetches)."""
    hashes = {}
    for path in sorted(spec.inputs(), key=_input_key):
        if not Path(path).is_file():
            return None
        hashes[_input_key(path)] = sha256(path)
    return hashes


def read_manifest() -> dict:
    """``manifest.json`` as ``{"tables": {name: entry}}``; empty (all stale) when it is missing,
    unreadable or of the wrong shape, which is logged: the tables are then simply rebuilt."""
    path = paths.PROCESSED / MANIFEST
    if not path.is_file():
        return {"tables": {}}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        log.warning("%s is unreadable; every table will be rebuilt", path)
        return {"tables": {}}
    tables = manifest.get("tables") if isinstance(manifest, dict) else None
    if not isinstance(tables, dict) or not all(isinstance(e, dict) for e in tables.values()):
        log.warning("%s is not a manifest (wrong shape); every table will be rebuilt", path)
        return {"tables": {}}
    return manifest


def _record(name: str, entry: dict) -> None:
    # Re-read just before writing so concurrent builds of other tables are kept.
    manifest = read_manifest()
    manifest["tables"][name] = entry
    manifest["tables"] = dict(sorted(manifest["tables"].items()))
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    atomic_write(paths.PROCESSED / MANIFEST, text.encode("utf-8"))


def is_current(spec: TableSpec, *, fingerprint: str | None = None) -> bool:
    """Whether ``data/processed/<spec.name>.parquet`` matches its inputs, the code and the manifest."""
    entry = read_manifest()["tables"].get(spec.name)
    output = paths.PROCESSED / f"{spec.name}.parquet"
    if not entry or not output.is_file():
        return False
    if entry.get("code") != (fingerprint or code_fingerprint()):
        return False
    if entry.get("sha256") != sha256(output):
        return False
    inputs = _input_hashes(spec)
    return inputs is not None and entry.get("inputs") == inputs


# ---------------------------------------------------------------------------------------------
# Parquet, byte-stable
# ---------------------------------------------------------------------------------------------


def _to_parquet_bytes(frame: pd.DataFrame) -> bytes:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    # pandas' own metadata carries library versions; keep only the dtypes, needed to read back.
    dtypes = json.dumps({c: str(t) for c, t in frame.dtypes.items()}, sort_keys=True)
    table = table.replace_schema_metadata({_DTYPES_KEY: dtypes.encode()})
    buffer = io.BytesIO()
    pq.write_table(
        table,
        buffer,
        compression="zstd",
        compression_level=9,
        use_dictionary=True,
        write_statistics=True,
        row_group_size=1 << 20,
    )
    return buffer.getvalue()


def read_parquet(path: Path) -> pd.DataFrame:
    """Read a processed table with the dtypes it was written with."""
    table = pq.read_table(path)
    frame = table.to_pandas()
    meta = (table.schema.metadata or {}).get(_DTYPES_KEY)
    if meta:
        for column, dtype in json.loads(meta).items():
            if column in frame.columns and str(frame[column].dtype) != dtype:
                frame[column] = frame[column].astype(dtype)
    return frame


# How often a build is retried when an input changes while it runs (an editor saving twice).
_ATTEMPTS = 3


def _present_hashes(spec: TableSpec) -> dict[str, str]:
    return {
        _input_key(path): sha256(path)
        for path in sorted(spec.inputs(), key=_input_key)
        if Path(path).is_file()
    }


def _make_stable(spec: TableSpec) -> tuple[pd.DataFrame, dict[str, str]]:
    """Run ``spec.make`` with the inputs hashed before and after; a change in between means the
    frame may mix old and new inputs, so it is made again, and refused if they keep changing.

    Inputs absent before (downloads that ``make`` fetches) are checked by the fetch itself
    against their registered sha256.
    """
    changed: list[str] = []
    for _ in range(_ATTEMPTS):
        before = _present_hashes(spec)
        frame = spec.make()
        after = _input_hashes(spec)
        if after is None:
            missing = [str(p) for p in spec.inputs() if not Path(p).is_file()]
            raise CchcDataError(f"table {spec.name}: raw inputs missing after the build: {missing}")
        changed = sorted(k for k in before if after.get(k) != before[k])
        if not changed:
            return frame, after
        log.warning("table %s: %s changed during the build; building again", spec.name, changed)
    raise CchcDataError(
        f"table {spec.name}: its inputs {changed} kept changing while the table was built "
        f"({_ATTEMPTS} attempts); nothing was recorded. Save the files, then build again."
    )


def build_table(spec: TableSpec, *, fingerprint: str | None = None) -> pd.DataFrame:
    """Make ``spec``'s frame from raw files, write it atomically and record it in the manifest.

    ``spec.make`` fetches raw files it lacks. The inputs are hashed before and after it runs, and
    the table is recorded only with the checksums of the inputs it was actually made from.
    """
    remove_stale_parts(paths.PROCESSED)
    frame, inputs = _make_stable(spec)
    if spec.key:
        missing = [c for c in spec.key if c not in frame.columns]
        if missing:
            raise CchcDataError(f"table {spec.name}: key columns {missing} are not in the frame")
        frame = frame.sort_values(list(spec.key), kind="mergesort")
    frame = frame.reset_index(drop=True)
    data = _to_parquet_bytes(frame)
    output = paths.PROCESSED / f"{spec.name}.parquet"
    atomic_write(output, data)
    _record(
        spec.name,
        {
            "code": fingerprint or code_fingerprint(),
            "inputs": inputs,
            "rows": len(frame),
            "sha256": hashlib.sha256(data).hexdigest(),
        },
    )
    log.info("built %s (%d rows)", output, len(frame))
    return read_parquet(output)


def load(spec: TableSpec) -> pd.DataFrame:
    """The processed table of ``spec``: read when current, otherwise rebuilt from raw files."""
    if is_current(spec):
        return read_parquet(paths.PROCESSED / f"{spec.name}.parquet")
    return build_table(spec)
