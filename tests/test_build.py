"""Processed tables: byte-identical rebuilds, a manifest that decides when to rebuild, dtypes that
survive the round trip, and a data dictionary generated from fields.csv."""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cchc_analysis import atomic, paths, registry
from cchc_analysis.__main__ import main
from cchc_analysis.build import (
    build,
    build_table,
    is_current,
    load_table,
    read_parquet,
    table_specs,
)
from cchc_analysis.download import fetch
from cchc_analysis.errors import CchcDataError, DataValidationError
from cchc_analysis.sources import papi as papi_module
from cchc_analysis.tables import TableSpec


@pytest.fixture(scope="module")
def raw_dir() -> Path:
    """The verified raw files (fetched once, from CCHC_MIRROR or the network)."""
    fetch()
    return paths.RAW


def _copy_raw(raw_dir: Path, target: Path) -> None:
    for name in ("papi", "papi_workbook"):
        shutil.copytree(raw_dir / name, target / "raw" / name)


def _processed_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _manifest_content(raw: bytes) -> dict:
    tables = json.loads(raw)["tables"]
    return {
        name: {
            **{k: v for k, v in entry.items() if k != "inputs"},
            "inputs": sorted(entry["inputs"].values()),
        }
        for name, entry in tables.items()
    }


# The fresh build runs in another process, under another hash seed, time zone and locale than
# `make data` and the tests: none of them may change a byte. It also keeps the papi frame as it
# was made, before it was written (argv[1], a pickle: every dtype as it was).
_UNUSUAL = {"PYTHONHASHSEED": "4242", "TZ": "America/Lima", "LC_ALL": "C"}
_BUILD_ALL = """
import dataclasses, json, sys
from cchc_analysis.build import build
from cchc_analysis.sources import papi

spec = papi.TABLES["papi"]

def make():
    frame = spec.make()
    frame.to_pickle(sys.argv[1])
    return frame

papi.TABLES["papi"] = dataclasses.replace(spec, make=make)
print(json.dumps(build(force=True)))
"""


@pytest.fixture(scope="module")
def built_twice(raw_dir, tmp_path_factory):
    """Every table built from the same raw files into a fresh folder, in a fresh process under
    :data:`_UNUSUAL` settings, then built again.

    The second build is the project's own ``data/processed`` when ``make data`` left every table
    there current (made by another process, at another time: the stronger check, and one build
    fewer); otherwise the fresh folder is built a second time, here.
    """
    target = tmp_path_factory.mktemp("built") / "data"
    _copy_raw(raw_dir, target)
    project = paths.PROCESSED
    project_current = all(is_current(name) for name in table_specs())
    env = {**os.environ, "CCHC_DATA_DIR": str(target), **_UNUSUAL}
    made = target.parent / "papi-as-made.pickle"
    done = subprocess.run(
        [sys.executable, "-c", _BUILD_ALL, str(made)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    first = json.loads(done.stdout.splitlines()[-1])
    before = _processed_bytes(target / "processed")
    if project_current:
        second = dict.fromkeys(first, "current")  # made by `make data`
        after = {n: (project / n).read_bytes() for n in before if (project / n).is_file()}
        # The manifests name the raw inputs by where they were found (the fresh folder reads
        # the curated facts from the checkout); what was read, and what was written, must agree.
        before["manifest.json"], after["manifest.json"] = (
            _manifest_content(before["manifest.json"]),
            _manifest_content(after["manifest.json"]),
        )
    else:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("CCHC_DATA_DIR", str(target))
            second = build(force=True)
        after = _processed_bytes(target / "processed")
    return {
        "folder": target / "processed",
        "status": (first, second),
        "bytes": (before, after),
        "papi_made": pd.read_pickle(made),
    }


@pytest.fixture
def data_dir(raw_dir, tmp_path, monkeypatch) -> Path:
    """A fresh data folder holding copies of the raw downloads and no processed tables."""
    target = tmp_path / "data"
    _copy_raw(raw_dir, target)
    monkeypatch.setenv("CCHC_DATA_DIR", str(target))
    return target


@pytest.fixture(scope="module")
def papi_frame(built_twice):
    """The papi table as the fresh build made it from the raw files, before it was written."""
    return built_twice["papi_made"]


@pytest.fixture
def counted(monkeypatch, papi_frame):
    """Count how often the papi table is made (from a frame made once, to keep the tests quick)."""
    spec = papi_module.TABLES["papi"]
    calls = []

    def make():
        calls.append(1)
        return papi_frame.copy()

    monkeypatch.setitem(papi_module.TABLES, "papi", dataclasses.replace(spec, make=make))
    return calls


def _edit_manifest(folder: Path, change) -> None:
    path = folder / "processed" / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest["tables"]["papi"])
    path.write_text(json.dumps(manifest))


# --- byte stability ----------------------------------------------------------------------------


def test_two_builds_are_byte_identical(built_twice):
    first, second = built_twice["status"]
    assert set(first.values()) == {"built"} and set(second) == set(first)
    assert set(first) == set(table_specs())
    before, after = built_twice["bytes"]
    assert {"papi.parquet", "manifest.json", "DATA_DICTIONARY.md"} <= set(before)
    assert after == before
    assert not [n for n in before if n.endswith(".part")]


def test_round_trip_keeps_dtypes_without_version_metadata(built_twice, papi_frame):
    path = built_twice["folder"] / "papi.parquet"
    frame = read_parquet(path)
    assert list(frame.dtypes.astype(str)) == list(papi_frame.dtypes.astype(str))
    assert frame.equals(papi_frame)
    metadata = pq.read_metadata(path).metadata
    assert b"pandas" not in metadata
    assert b"pandas_version" not in metadata[b"ARROW:schema"]


# --- when to rebuild ---------------------------------------------------------------------------


def test_current_tables_are_not_rebuilt(data_dir, counted):
    build(["papi"])
    mtime = (data_dir / "processed" / "papi.parquet").stat().st_mtime_ns
    assert build(["papi"]) == {"papi": "current"}
    assert (data_dir / "processed" / "papi.parquet").stat().st_mtime_ns == mtime
    assert len(counted) == 1


def test_stale_manifest_triggers_rebuild(data_dir, counted):
    fresh = load_table("papi")
    assert len(counted) == 1 and is_current("papi")
    assert load_table("papi").equals(fresh) and len(counted) == 1

    # A different input checksum (as if a raw file had changed) makes the table stale.
    _edit_manifest(data_dir, lambda e: e["inputs"].update({next(iter(e["inputs"])): "0" * 64}))
    assert not is_current("papi")
    assert load_table("papi").equals(fresh) and len(counted) == 2
    assert is_current("papi")

    # So does a damaged processed file, a missing one, or a change in the code.
    (data_dir / "processed" / "papi.parquet").write_bytes(b"PAR1")
    assert not is_current("papi")
    load_table("papi")
    (data_dir / "processed" / "papi.parquet").unlink()
    load_table("papi")
    assert len(counted) == 4
    _edit_manifest(data_dir, lambda e: e.update(code="an older version of the code"))
    load_table("papi")
    assert len(counted) == 5 and is_current("papi")


def test_unreadable_manifest_means_rebuild(data_dir, counted):
    load_table("papi")
    (data_dir / "processed" / "manifest.json").write_text("{not json")
    assert not is_current("papi")
    load_table("papi")
    assert len(counted) == 2


def test_load_table_fetches_missing_raw_files(data_dir, raw_dir, tmp_path, monkeypatch):
    shutil.rmtree(data_dir / "raw" / "papi")
    mirror = tmp_path / "mirror"
    for entry in registry.files("papi"):
        target = entry.mirror_path(mirror)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(raw_dir / entry.dataset / entry.file, target)
    monkeypatch.setenv("CCHC_MIRROR", str(mirror))
    assert not is_current("papi")
    assert not (data_dir / "raw" / "papi").exists(), "checking currency never downloads"
    assert len(load_table("papi")) > 0
    assert (data_dir / "raw" / "papi" / "csv" / "2024.csv").is_file()
    assert is_current("papi")


def test_unknown_table(data_dir):
    with pytest.raises(CchcDataError, match="unknown table 'nope'"):
        load_table("nope")


# --- the data dictionary -----------------------------------------------------------------------


def _fields() -> list[dict[str, str]]:
    with (paths.PACKAGE_DATA / "fields.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_data_dictionary_documents_every_papi_column(built_twice):
    folder = built_twice["folder"]
    text = (folder / "DATA_DICTIONARY.md").read_text(encoding="utf-8")
    fields = {(f["table"], f["column"]): f for f in _fields()}
    assert len(fields) == len(_fields()), "one row per (table, column) in fields.csv"
    frame = read_parquet(folder / "papi.parquet")
    for column, dtype in frame.dtypes.astype(str).items():
        assert fields[("papi", column)]["dtype"] == dtype
        assert f"| `{column}` | {dtype} |" in text
    assert "## `papi`" in text and "Key: `year`, `province_code`, `component`." in text


def test_every_table_column_is_in_fields_csv(built_twice):
    folder = built_twice["folder"]
    documented = {(f["table"], f["column"]) for f in _fields()}
    missing = [
        (name, column)
        for name in table_specs()
        for column in read_parquet(folder / f"{name}.parquet").columns
        if (name, column) not in documented
    ]
    assert missing == []


# --- command line ------------------------------------------------------------------------------


def test_cli_build(data_dir, counted, capsys):
    assert main(["build", "papi"]) == 0
    out = capsys.readouterr().out
    assert "papi" in out and "built" in out and "DATA_DICTIONARY.md" in out
    assert main(["build", "papi"]) == 0
    assert "current" in capsys.readouterr().out
    assert main(["build", "nope"]) == 1
    assert "unknown table 'nope'" in capsys.readouterr().err


# --- failures leave nothing half-written ----------------------------------------------------


def _spec(make) -> TableSpec:
    return TableSpec(name="demo", description="a small table", make=make, inputs=list, key=("k",))


def test_failed_rebuild_keeps_the_previous_table(data_dir):
    build_table(_spec(lambda: pd.DataFrame({"k": [2, 1], "v": ["b", "a"]})))
    folder = data_dir / "processed"
    before = _processed_bytes(folder)
    assert read_parquet(folder / "demo.parquet")["k"].tolist() == [1, 2]

    def broken():
        raise DataValidationError("demo.csv", "value within [0, 10]", [7])

    with pytest.raises(DataValidationError, match=r"demo\.csv"):
        build_table(_spec(broken))
    unwritable = pd.DataFrame({"k": [1, 2], "v": [1, "a"]})  # mixed types: Parquet refuses
    with pytest.raises(pa.ArrowException):
        build_table(_spec(lambda: unwritable))
    assert _processed_bytes(folder) == before


def test_interrupted_write_leaves_no_partial_file(data_dir, monkeypatch):
    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_table(_spec(lambda: pd.DataFrame({"k": [1]})))
    folder = data_dir / "processed"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_cli_info_never_downloads(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CCHC_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("CCHC_MIRROR", str(tmp_path / "no-mirror"))
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "papi                     not built" in out and "licence:  CC0-1.0" in out
    assert not (tmp_path / "empty" / "raw").exists()
