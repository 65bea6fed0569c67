"""Processed tables: build each tidy table once, store it as Parquet, rebuild it when it is stale.

``data/processed/<name>.parquet`` is written atomically (temporary file, then rename) and
byte-stably (fixed row order, no library-version metadata), and ``manifest.json`` beside it records
the sha256 of every raw input, a fingerprint of the package code and the output's own checksum.
A table is *current* when all three still match; :func:`load_table` reads current tables and
rebuilds the others from raw files (fetching any that are missing). ``DATA_DICTIONARY.md`` is
generated from ``data/fields.csv``, the one source of field metadata::

    from cchc_analysis import build
    build.build()                 # every table, skipping current ones
    build.load_table("papi")      # read (or rebuild) one table
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cchc_analysis import paths
from cchc_analysis.download import sha256
from cchc_analysis.errors import CchcDataError
from cchc_analysis.tables import TableSpec

__all__ = [
    "build",
    "build_table",
    "code_fingerprint",
    "is_current",
    "load_table",
    "read_parquet",
    "table_specs",
    "write_data_dictionary",
]

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
DICTIONARY = "DATA_DICTIONARY.md"
_DTYPES_KEY = b"cchc_analysis.dtypes"


def table_specs() -> dict[str, TableSpec]:
    """Every processed table, by name, collected from the dataset modules' ``TABLES``."""
    from cchc_analysis.sources import facts, papi, pci, qd766

    found: dict[str, TableSpec] = {}
    for module in (papi, facts, pci, qd766):
        for name, spec in module.TABLES.items():
            if name in found:
                raise CchcDataError(f"two dataset modules define a processed table named {name!r}")
            found[name] = spec
    return dict(sorted(found.items()))


def _spec(name: str) -> TableSpec:
    known = table_specs()
    if name not in known:
        raise CchcDataError(f"unknown table {name!r}; known tables: {', '.join(known)}")
    return known[name]


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


def _read_manifest() -> dict:
    path = paths.PROCESSED / MANIFEST
    if not path.is_file():
        return {"tables": {}}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        log.warning("%s is unreadable; every table will be rebuilt", path)
        return {"tables": {}}
    return manifest if isinstance(manifest.get("tables"), dict) else {"tables": {}}


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as fh:
            fh.write(data)
        os.chmod(name, 0o644)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def _record(name: str, entry: dict) -> None:
    # Re-read just before writing so concurrent builds of other tables are kept.
    manifest = _read_manifest()
    manifest["tables"][name] = entry
    manifest["tables"] = dict(sorted(manifest["tables"].items()))
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    _atomic_write(paths.PROCESSED / MANIFEST, text.encode("utf-8"))


def is_current(name: str, *, fingerprint: str | None = None) -> bool:
    """Whether ``data/processed/<name>.parquet`` matches its inputs, the code and the manifest."""
    spec = _spec(name)
    entry = _read_manifest()["tables"].get(name)
    output = paths.PROCESSED / f"{name}.parquet"
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


def build_table(spec: TableSpec, *, fingerprint: str | None = None) -> pd.DataFrame:
    """Make ``spec``'s frame from raw files, write it atomically and record it in the manifest.

    ``spec.make`` fetches raw files it lacks; their checksums are recorded once it has run.
    """
    frame = spec.make()
    inputs = _input_hashes(spec)
    if inputs is None:
        missing = [str(p) for p in spec.inputs() if not Path(p).is_file()]
        raise CchcDataError(f"table {spec.name}: raw inputs missing after the build: {missing}")
    if spec.key:
        missing = [c for c in spec.key if c not in frame.columns]
        if missing:
            raise CchcDataError(f"table {spec.name}: key columns {missing} are not in the frame")
        frame = frame.sort_values(list(spec.key), kind="mergesort")
    frame = frame.reset_index(drop=True)
    data = _to_parquet_bytes(frame)
    output = paths.PROCESSED / f"{spec.name}.parquet"
    _atomic_write(output, data)
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


def load_table(name: str) -> pd.DataFrame:
    """The processed table ``name``: read when current, otherwise rebuilt from raw files."""
    spec = _spec(name)
    output = paths.PROCESSED / f"{name}.parquet"
    if is_current(name):
        return read_parquet(output)
    return build_table(spec)


def build(tables: list[str] | None = None, force: bool = False) -> dict[str, str]:
    """Build the named tables (all when ``None``), skipping current ones unless ``force``.

    Returns ``{name: "built" | "current"}`` and (re)writes ``DATA_DICTIONARY.md``.
    """
    known = table_specs()
    chosen = list(known) if tables is None else list(tables)
    for name in chosen:
        _spec(name)
    fingerprint = code_fingerprint()
    status = {}
    for name in chosen:
        if not force and is_current(name, fingerprint=fingerprint):
            status[name] = "current"
            continue
        build_table(known[name], fingerprint=fingerprint)
        status[name] = "built"
    write_data_dictionary(known)
    return status


# ---------------------------------------------------------------------------------------------
# Data dictionary
# ---------------------------------------------------------------------------------------------


def _fields() -> list[dict[str, str]]:
    with (paths.PACKAGE_DATA / "fields.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _cell(text: str) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def write_data_dictionary(known: dict[str, TableSpec] | None = None) -> Path:
    """Write ``data/processed/DATA_DICTIONARY.md`` from ``fields.csv`` and the table descriptions."""
    known = table_specs() if known is None else known
    fields = _fields()
    lines = [
        "# Data dictionary",
        "",
        "Generated by `python -m cchc_analysis build` from `cchc_analysis/data/fields.csv`;",
        "do not edit by hand. One section per table in `data/processed/`.",
        "",
    ]
    for name in sorted(set(known) | {f["table"] for f in fields}):
        spec = known.get(name)
        lines += [f"## `{name}`", ""]
        if spec is not None:
            lines += [spec.description, ""]
            if spec.key:
                lines += [f"Key: {', '.join(f'`{k}`' for k in spec.key)}.", ""]
        lines += ["| column | dtype | unit | description |", "|---|---|---|---|"]
        lines += [
            f"| `{f['column']}` | {_cell(f['dtype'])} | {_cell(f['unit'])} | {_cell(f['description'])} |"
            for f in fields
            if f["table"] == name
        ]
        lines.append("")
    path = paths.PROCESSED / DICTIONARY
    text = "\n".join(lines).rstrip("\n") + "\n"
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        _atomic_write(path, text.encode("utf-8"))
    return path
