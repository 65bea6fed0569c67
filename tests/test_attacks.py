"""The attack suite: every promise of the project (a clear error naming file, row and rule; raw data
untouched; atomic, byte-identical outputs) attacked the way a tired researcher or a crashing machine
would. Numbered tests are the failures of issue #12 (now fixed); the rest are the attacks that held
and must keep holding. Slow ones (subprocesses, kill -9) are marked and still run in ``make test``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cchc_analysis import atomic, notebooks, paths, registry, store
from cchc_analysis.__main__ import main
from cchc_analysis.build import build, is_current, load_table
from cchc_analysis.download import ChecksumError, DownloadError, fetch, fetch_file, sha256
from cchc_analysis.errors import CchcDataError, DataConsistencyWarning, DataValidationError
from cchc_analysis.provinces import UnknownProvinceError, normalize_province
from cchc_analysis.schemas import validate
from cchc_analysis.sources import papi as papi_module
from cchc_analysis.sources.factfile import FILES, read_fact_file
from cchc_analysis.sources.papi_facts import load_papi_national_facts
from cchc_analysis.sources.papi_published import load_papi_published_facts
from cchc_analysis.tables import TableSpec
from cchc_analysis.text import parse_vn_number

REPO = paths.REPO_ROOT
SHIPPED_FACTS = REPO / "data" / "raw" / "facts"


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def raw_dir() -> Path:
    fetch("papi")
    fetch("papi_workbook")
    return paths.RAW


@pytest.fixture
def data_dir(raw_dir, tmp_path, monkeypatch) -> Path:
    """A data folder of copies: the downloads and the committed facts, nothing processed."""
    target = tmp_path / "data"
    for name in ("papi", "papi_workbook"):
        shutil.copytree(raw_dir / name, target / "raw" / name)
    shutil.copytree(SHIPPED_FACTS, target / "raw" / "facts")
    monkeypatch.setenv("CCHC_DATA_DIR", str(target))
    return target


@pytest.fixture
def facts_copy(tmp_path) -> Path:
    folder = tmp_path / "facts"
    shutil.copytree(SHIPPED_FACTS, folder)
    return folder


def _edit_line(path: Path, old: str, new: str) -> int:
    """Replace ``old`` by ``new`` on the first line holding it (as a hand edit would); return the
    1-based line number."""
    lines = path.read_text(encoding="utf-8").split("\n")
    line = next(i for i, text in enumerate(lines) if old in text)
    lines[line] = lines[line].replace(old, new, 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    return line + 1


def _small_spec(path: Path, make=None) -> TableSpec:
    def default() -> pd.DataFrame:
        return pd.DataFrame({"k": [1, 2], "v": path.read_text().split()[:2] or ["a", "b"]})

    return TableSpec(
        name="demo",
        description="a small table made from one file",
        make=make or default,
        inputs=lambda: [path],
        key=("k",),
    )


# --- 1. a facts file saved while a build runs --------------------------------------------------


def test_01_input_edited_during_the_build_is_never_recorded_as_current(data_dir):
    source = data_dir / "raw" / "demo.txt"
    source.write_text("old old\n")
    edits = []

    def make() -> pd.DataFrame:
        frame = pd.DataFrame({"k": [1, 2], "v": source.read_text().split()})
        if not edits:  # the researcher saves the file while the first build is running
            source.write_text("new new\n")
            edits.append(1)
        return frame

    spec = _small_spec(source, make)
    frame = store.build_table(spec)
    assert frame["v"].tolist() == ["new", "new"], "rebuilt from the saved file"
    assert store.is_current(spec)
    entry = store.read_manifest()["tables"]["demo"]
    assert entry["inputs"] == {"raw:demo.txt": sha256(source)}


def test_01_inputs_that_keep_changing_are_refused(data_dir):
    source = data_dir / "raw" / "demo.txt"
    source.write_text("a b\n")
    counter = iter(range(100))

    def make() -> pd.DataFrame:
        source.write_text(f"x{next(counter)} y\n")
        return pd.DataFrame({"k": [1, 2], "v": ["x", "y"]})

    with pytest.raises(CchcDataError, match=r"demo\.txt.*kept changing.*nothing was recorded"):
        store.build_table(_small_spec(source, make))
    assert "demo" not in store.read_manifest()["tables"]
    assert not (data_dir / "processed" / "demo.parquet").exists()


# --- 2. counts with a thousands dot; counts that contradict each other ---------------------------


def test_02_a_count_with_a_thousands_dot_is_refused(facts_copy):
    path = facts_copy / "online_services_facts.csv"
    line = _edit_line(path, ",56039,", ",26.000,")
    with pytest.raises(DataValidationError, match=rf"digits only.*line {line}: '26\.000'") as err:
        read_fact_file("online_services_facts.csv", path)
    assert str(path) in str(err.value) and err.value.rows == [line]


def test_02_more_dossiers_online_than_received_is_refused(facts_copy):
    from cchc_analysis.sources.facts import make_online_services

    path = facts_copy / "online_services_facts.csv"
    line = _edit_line(path, ",12516,", ",60000,")
    with pytest.raises(DataValidationError, match="online at most dossiers received") as err:
        make_online_services(facts_copy)
    assert err.value.rows == [line]


def test_02_a_share_that_contradicts_its_counts_is_reported():
    from cchc_analysis.sources.facts import make_online_services

    with pytest.warns(DataConsistencyWarning, match=r"rows 20: .*37\.76.*37\.20") as record:
        make_online_services(SHIPPED_FACTS)
    assert len(record) == 1, "only the one share the Kon Tum page prints differently"


# --- 3. the published PAPI figures ---------------------------------------------------------------


def test_03_an_impossible_published_papi_total_is_refused(facts_copy):
    path = facts_copy / "papi_published_facts.csv"
    line = _edit_line(path, ",48.811,", ",480.59,")
    with pytest.raises(
        DataValidationError, match=rf"within \[0, its maximum\].*line {line}"
    ) as err:
        load_papi_published_facts(path)
    assert str(path) in str(err.value)


def test_03_the_papi_build_refuses_an_impossible_published_figure(data_dir):
    _edit_line(data_dir / "raw" / "facts" / "papi_published_facts.csv", ",48.811,", ",480.59,")
    with pytest.raises(DataValidationError, match=r"papi_published_facts\.csv"):
        papi_module._make_papi()


@pytest.mark.parametrize(
    ("old", "new", "rule"),
    [
        ("papi_total", "papi_totl", "measure is listed"),
        ("Quang Ninh", "Quang Nimh", "province is one of the 63"),
        ("2020,", "2030,", "year from 2011 to 2024"),
        (",48.811,", ",48,811,", "columns are exactly|fields like the header"),
        ("http://", "news.gov.vn ", "http"),
    ],
)
def test_03_published_papi_facts_are_read_strictly(facts_copy, old, new, rule):
    path = facts_copy / "papi_published_facts.csv"
    _edit_line(path, old, new)
    with pytest.raises(DataValidationError, match=rule) as err:
        load_papi_published_facts(path)
    assert str(path) in str(err.value)


def test_03_shipped_published_facts_load():
    facts = load_papi_published_facts()
    assert len(facts) == 113 and (facts["value"] <= facts["max_value"]).all()


# --- 4. one form of province key -----------------------------------------------------------------


def _panel(codes: list[str]) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    years = [2019, 2020, 2021]
    rows = [(c, y) for c in codes for y in years]
    return pd.DataFrame(
        {
            "province_code": [r[0] for r in rows],
            "year": [r[1] for r in rows],
            "x": rng.normal(size=len(rows)),
            "y": rng.normal(size=len(rows)),
        }
    )


@pytest.mark.slow
def test_04_fit_ladder_refuses_mixed_province_codes():
    from cchc_analysis.models import fit_ladder

    panel = _panel(["01", "02", "04", "06", "08", "10"])
    panel.loc[panel["year"] == 2021, "province_code"] = panel["province_code"].str.lstrip("0")
    with pytest.raises(DataValidationError, match=r"panel.*GSO code string.*'1'.*zero-padded"):
        fit_ladder(panel, "y", "x", models=("pooled_ols",), n_boot=0)


def test_04_rankings_refuse_one_code_written_two_ways():
    from cchc_analysis.ranking import score_change_decomposition

    prev = pd.DataFrame({"D1": [5.0, 6.0]}, index=["01", "02"])
    curr = pd.DataFrame({"D1": [5.5, 6.5]}, index=["1", "02"])
    with pytest.raises(DataValidationError, match=r"written two ways: '01' and '1'"):
        score_change_decomposition(prev, curr)


# --- 5. the notebook kernel imports this checkout ------------------------------------------------


def _fake_clone(root: Path) -> Path:
    package = root / "cchc_analysis"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("# another clone\n")
    return package


def test_05_kernel_imports_this_checkout_even_with_another_first_on_the_path(tmp_path, monkeypatch):
    _fake_clone(tmp_path / "other")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "other"))
    assert notebooks.kernel_package() == paths.PACKAGE_DIR.resolve()
    notebooks.check_kernel_package()


def test_05_runner_refuses_when_the_kernel_would_load_another_package(tmp_path, monkeypatch):
    other = _fake_clone(tmp_path / "other")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "other"))
    # As if this process ran from a checkout whose package the kernel cannot see.
    monkeypatch.setattr(notebooks, "_checkout_root", lambda: tmp_path / "empty")
    with pytest.raises(notebooks.NotebookError, match="would import cchc_analysis from") as err:
        notebooks.check_kernel_package()
    assert str(other.resolve()) in str(err.value)
    assert str(paths.PACKAGE_DIR.resolve()) in str(err.value)


# --- 6. a manifest of the wrong shape ------------------------------------------------------------


@pytest.mark.parametrize("text", ["null", "[]", '{"tables": []}', '{"tables": {"demo": 3}}', "7"])
def test_06_a_manifest_of_the_wrong_shape_means_rebuild(data_dir, text, capsys):
    source = data_dir / "raw" / "demo.txt"
    source.write_text("a b\n")
    spec = _small_spec(source)
    store.build_table(spec)
    (data_dir / "processed" / "manifest.json").write_text(text)
    assert not store.is_current(spec)
    assert store.load(spec)["v"].tolist() == ["a", "b"]
    assert store.is_current(spec)
    (data_dir / "processed" / "manifest.json").write_text(text)
    assert main(["info"]) == 0
    assert "processed tables:" in capsys.readouterr().out


# --- 7. a facts file with a header and no rows ---------------------------------------------------


@pytest.mark.parametrize(
    "name", [*sorted(FILES), "papi_national_facts.csv", "papi_published_facts.csv"]
)
def test_07_header_without_rows_says_so(facts_copy, name):
    path = facts_copy / name
    header = path.read_text(encoding="utf-8").split("\n")[0]
    path.write_text(header + "\n", encoding="utf-8")
    loaders = {
        "papi_national_facts.csv": load_papi_national_facts,
        "papi_published_facts.csv": load_papi_published_facts,
    }
    load = loaders.get(name, lambda p: read_fact_file(name, p))
    with pytest.raises(DataValidationError, match=r"no data rows") as err:
        load(path)
    assert str(path) in str(err.value)


# --- 8. operating-system errors at the command line ----------------------------------------------


def test_08_processed_folder_that_is_a_file(data_dir, monkeypatch, capsys):
    source = data_dir / "raw" / "demo.txt"
    source.write_text("a b\n")
    monkeypatch.setitem(
        papi_module.TABLES, "papi", dataclasses.replace(_small_spec(source), name="papi")
    )
    (data_dir / "processed").write_text("not a folder")
    assert main(["build", "papi"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot write ") and str(data_dir / "processed") in err
    assert ".part" not in err and "Traceback" not in err
    assert (data_dir / "processed").read_text() == "not a folder"


def test_08_unwritable_folder_names_the_folder_not_the_temp_file(data_dir, monkeypatch, capsys):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device", str(data_dir / "processed" / ".x.1.ab.part"))

    source = data_dir / "raw" / "demo.txt"
    source.write_text("a b\n")
    monkeypatch.setitem(
        papi_module.TABLES, "papi", dataclasses.replace(_small_spec(source), name="papi")
    )
    monkeypatch.setattr(atomic.tempfile, "mkstemp", full)
    assert main(["build", "papi"]) == 1
    err = capsys.readouterr().err
    assert f"cannot write {data_dir / 'processed'}: No space left on device" in err


# --- 9. orphaned temporary files -----------------------------------------------------------------


def test_09_orphaned_parts_are_listed_and_cleaned(data_dir, capsys):
    processed = data_dir / "processed"
    processed.mkdir()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    orphan = processed / f".papi.parquet.{dead.stdout.strip()}.k3j2h1.part"
    live = processed / f".papi.parquet.{os.getpid()}.zz9x8y.part"
    old = processed / ".manifest.json.qwerty.part"  # written before parts carried a pid
    for p in (orphan, live, old):
        p.write_bytes(b"partial")
    os.utime(old, (time.time() - 2 * atomic.PART_AGE,) * 2)
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "interrupted run" in out and str(orphan) in out and str(old) in out
    assert str(live) not in out
    source = data_dir / "raw" / "demo.txt"
    source.write_text("a b\n")
    store.build_table(_small_spec(source))
    assert not orphan.exists() and not old.exists() and live.exists()


# --- 10. a facts file in another encoding --------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp1258", "cp1252", "utf-16"])
def test_10_wrong_encoding_gives_line_and_how_to_save(facts_copy, encoding):
    path = facts_copy / "sipas_provinces.csv"
    text = path.read_text(encoding="utf-8")

    # The first line whose bytes in that code page are not UTF-8 is where the error must point.
    def breaks(line: str) -> bool:
        try:
            line.encode(encoding, errors="replace").decode("utf-8")
        except UnicodeDecodeError:
            return True
        return False

    first = next((i for i, line in enumerate(text.split("\n"), 1) if breaks(line)), None)
    path.write_bytes(text.encode(encoding, errors="replace"))
    with pytest.raises(DataValidationError, match=r"save it as UTF-8 \(in Excel") as err:
        read_fact_file("sipas_provinces.csv", path)
    if encoding != "utf-16":
        assert err.value.rows == [first] and f"line {first}" in str(err.value)
    else:
        assert "UTF-16" in str(err.value)


# --- 11. former provinces and sub-provincial units -----------------------------------------------


@pytest.mark.parametrize(
    ("name", "closest", "says"),
    [("Hà Tây", "Hà Nội", "former province"), ("Thủ Đức", "TP. Hồ Chí Minh", "sub-provincial")],
)
def test_11_former_and_sub_provincial_units_are_explained(name, closest, says):
    with pytest.raises(UnknownProvinceError) as err:
        normalize_province(name)
    assert err.value.closest[0] == closest
    assert says in str(err.value) and "not one of the 63 provinces" in str(err.value)


# --- 12. errors name file lines of tidy rows -----------------------------------------------------


def test_12_rule_failures_on_tidy_rows_name_their_file_lines():
    import pandera.pandas as pa

    frame = pd.DataFrame({"rank": [1, 2, 0], "source_rows": ["2", "5", "3;17"]}, index=[40, 47, 48])
    schema = pa.DataFrameSchema({"rank": pa.Column(int, pa.Check.ge(1))})
    with pytest.raises(DataValidationError) as err:
        validate(frame, schema, "sipas_provinces.csv")
    assert err.value.rows == ["3+17"] and "48" not in str(err.value)


def test_12_a_rank_edit_is_reported_on_its_own_line(facts_copy):
    from cchc_analysis.sources import par_sipas

    line = _edit_line(facts_copy / "par_index_provinces.csv", ",86.14,86.14,2,", ",86.14,86.14,5,")
    with pytest.raises(DataValidationError, match="better rank never has a lower value") as err:
        par_sipas.load_par_index(facts_dir=facts_copy)
    assert err.value.rows == [line]


# --- 13. range errors show the value and its maximum ---------------------------------------------


def test_13_papi_range_error_shows_value_and_maximum():
    from cchc_analysis.schemas.papi import papi_schema

    frame = load_table("papi").head(30).copy()
    frame.loc[3, "value"] = 480.59
    with pytest.raises(DataValidationError) as err:
        validate(frame, papi_schema(), "papi/csv/2011.csv")
    message = str(err.value)
    assert "value=480.59" in message and "max_value=" in message and "'PAPI'" not in message


# --- 14. English three-decimal numbers -----------------------------------------------------------


@pytest.mark.parametrize("text", ["48.811", "15.983", "26.000"])
def test_14_one_mark_and_three_digits_needs_the_notation(text):
    with pytest.raises(ValueError, match=r"ambiguous.*decimal="):
        parse_vn_number(text)
    assert parse_vn_number(text, decimal=".") == float(text)


# --- 15. API misuse that used to mislead ---------------------------------------------------------


def test_15_year_as_string_and_format_as_string(tmp_path):
    import matplotlib.pyplot as plt

    from cchc_analysis.plotting import save_figure
    from cchc_analysis.sources.papi import papi_wide

    frame = load_table("papi")
    assert papi_wide("2020", frame=frame).equals(papi_wide(2020, frame=frame))
    with pytest.raises(
        CchcDataError, match="no dimension scores for 2030; the years there are 2011-2024"
    ):
        papi_wide(2030, frame=frame)
    with pytest.raises(TypeError, match="whole year"):
        papi_wide(2020.5, frame=frame)
    fig, _ax = plt.subplots()
    written = save_figure(fig, "demo", formats="png", directory=tmp_path)
    plt.close(fig)
    assert written == [tmp_path / "demo.png"]
    with pytest.raises(ValueError, match="unsupported figure format 'pdf'"):
        save_figure(fig, "demo", formats="pdf", directory=tmp_path)


# --- 16. atomic report outputs and download messages ---------------------------------------------


def test_16_report_tables_are_written_atomically(tmp_path, monkeypatch):
    from cchc_analysis.outputs import save_table

    frame = pd.DataFrame({"a": [1.0, 2.0]})
    first = save_table(frame, "t", tmp_path)
    before = first.read_bytes()

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_table(pd.DataFrame({"a": [9.0]}), "t", tmp_path)
    assert first.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]


def test_16_a_missing_mirror_root_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("CCHC_DATA_DIR", str(tmp_path / "data"))
    entry = registry.files("papi")[0]
    with pytest.raises(DownloadError, match=r"mirror root .*nope.* does not exist"):
        fetch_file(entry, mirror=tmp_path / "nope")


def test_16_a_gone_url_is_not_a_network_problem(tmp_path, monkeypatch):
    import pooch
    import requests

    def gone(self, url, output_file, pooch_obj, check_only=False):
        response = requests.Response()
        response.status_code = 404
        raise requests.HTTPError("404 Client Error: Not Found", response=response)

    monkeypatch.setenv("CCHC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CCHC_MIRROR", raising=False)
    monkeypatch.setattr(pooch.HTTPDownloader, "__call__", gone)
    entry = registry.files("papi")[0]
    with pytest.raises(DownloadError, match=r"is gone \(HTTP 404\)") as err:
        fetch_file(entry)
    assert "check the network" not in str(err.value).lower()
    assert not list((tmp_path / "data").rglob("*.part"))


# --- held: corrupted, truncated, empty and HTML downloads ----------------------------------------


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[:10] + b"X" + b[11:],
        lambda b: b[: len(b) // 2],
        lambda b: b"",
        lambda b: b"<!DOCTYPE html><html><body>404: Not Found</body></html>",
    ],
    ids=["corrupted", "truncated", "empty", "html"],
)
def test_held_damaged_downloads_are_refused_and_leave_nothing(
    raw_dir, tmp_path, monkeypatch, damage
):
    entry = registry.files("papi")[0]
    mirror = tmp_path / "mirror"
    target = entry.mirror_path(mirror)
    target.parent.mkdir(parents=True)
    target.write_bytes(damage((raw_dir / entry.dataset / entry.file).read_bytes()))
    monkeypatch.setenv("CCHC_DATA_DIR", str(tmp_path / "data"))
    with pytest.raises(ChecksumError, match=r"papi/csv/2011\.csv: sha256 mismatch"):
        fetch_file(entry, mirror=mirror)
    assert [p for p in (tmp_path / "data").rglob("*") if p.is_file()] == []


# --- held: hand-edited raw files -----------------------------------------------------------------


def test_held_a_hand_edited_download_is_reported_never_overwritten(data_dir, tmp_path):
    path = data_dir / "raw" / "papi" / "csv" / "2011.csv"
    path.chmod(0o644)
    edited = path.read_bytes().replace(b"P01,1.26411,", b"P01,1.36411,", 1)
    assert edited != path.read_bytes()
    path.write_bytes(edited)
    with pytest.raises(ChecksumError, match="never overwritten"):
        fetch("papi")
    assert path.read_bytes() == edited


@pytest.mark.slow
def test_held_an_edited_facts_file_makes_its_table_stale(data_dir):
    build(["par_index"])
    assert is_current("par_index")
    path = data_dir / "raw" / "facts" / "par_index_provinces.csv"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert not is_current("par_index")
    assert build(["par_index"]) == {"par_index": "built"}


# --- held: malformed facts files of every kind ---------------------------------------------------

_MUTATIONS = {
    "header renamed": lambda lines: [lines[0].replace("year", "yaer", 1), *lines[1:]],
    "short row": lambda lines: [lines[0], lines[1].rsplit(",", 1)[0], *lines[2:]],
    "bad year": lambda lines: [lines[0], "20x0" + lines[1][4:], *lines[2:]],
    "duplicated row": lambda lines: [lines[0], lines[1], lines[1], *lines[2:]],
    "unbalanced quote": lambda lines: [lines[0], lines[1] + ',"', *lines[2:]],
}


@pytest.mark.parametrize("mutation", sorted(_MUTATIONS))
@pytest.mark.parametrize(
    "name", [*sorted(FILES), "papi_national_facts.csv", "papi_published_facts.csv"]
)
def test_held_malformed_facts_files_name_the_file(facts_copy, name, mutation):
    path = facts_copy / name
    lines = [line for line in path.read_text(encoding="utf-8").split("\n") if line]
    path.write_text("\n".join(_MUTATIONS[mutation](lines)) + "\n", encoding="utf-8")
    loaders = {
        "papi_national_facts.csv": load_papi_national_facts,
        "papi_published_facts.csv": load_papi_published_facts,
    }
    load = loaders.get(name, lambda p: read_fact_file(name, p))
    with pytest.raises(DataValidationError) as err:
        load(path)
    assert str(path) in str(err.value)


# --- held: API misuse gives messages, not AttributeError or KeyError ------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: normalize_province(None),
        lambda: normalize_province(""),
        lambda: parse_vn_number(None),
        lambda: parse_vn_number("1,2,3"),
        lambda: load_table("nope"),
        lambda: registry.files("nope"),
        lambda: papi_module.papi_wide(2020, level="province", frame=pd.DataFrame()),
        lambda: papi_module.components(1999),
    ],
    ids=[
        "province None",
        "province empty",
        "number None",
        "number garbage",
        "table",
        "dataset",
        "level",
        "components year",
    ],
)
def test_held_api_misuse_raises_a_message(call):
    with pytest.raises((CchcDataError, ValueError, TypeError)) as err:
        call()
    assert len(str(err.value)) > 15


# --- held (slow): kill -9, concurrent builds, determinism ----------------------------------------

_BUILD = textwrap.dedent(
    """
    import sys
    from cchc_analysis.build import build
    build(sys.argv[1:] or None, force=True)
    """
)


def _run_build(data: Path, *tables: str, env: dict | None = None, wait: bool = True):
    environ = {**os.environ, "CCHC_DATA_DIR": str(data), **(env or {})}
    cmd = [sys.executable, "-c", _BUILD, *tables]
    if wait:
        return subprocess.run(cmd, env=environ, capture_output=True, text=True, timeout=600)
    return subprocess.Popen(cmd, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _processed(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# Three quick tables (about 2.5 s to import and build them all in a fresh process), each through
# the same atomic write as the large ones.
_KILLED = ("par_index", "sipas", "online_services")


def _elapsed(seconds: float):
    """A test of whether ``seconds`` have passed since it was made."""
    start = time.monotonic()
    return lambda: time.monotonic() - start > seconds


def _replaced(path: Path):
    """A test of whether ``path`` has been replaced (an atomic write gives it a new inode)."""
    inode = path.stat().st_ino
    return lambda: path.stat().st_ino != inode


@pytest.mark.slow
def test_held_kill_9_during_a_build_leaves_old_or_new_never_half(data_dir):
    folder = data_dir / "processed"
    # The reference is built here, in the test's own process: a forced rebuild writes the same
    # bytes, so after any kill each table must still be exactly this (old or new alike).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataConsistencyWarning)  # the one known Kon Tum share
        build(list(_KILLED), force=True)
    reference = _processed(folder)
    # One kill after a fixed delay, while the process imports or builds the first table; one
    # as soon as the first table has been replaced, while it records it and builds the next.
    for when, condition in (
        ("after 0.8 s", lambda: _elapsed(0.8)),
        ("after its first write", lambda: _replaced(folder / f"{_KILLED[0]}.parquet")),
    ):
        ready, started = condition(), time.monotonic()
        proc = _run_build(data_dir, *_KILLED, wait=False)
        while not ready() and proc.poll() is None and time.monotonic() - started < 120:
            time.sleep(0.002)
        assert proc.poll() is None, f"the build ended before the kill {when}"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for name in (f"{t}.parquet" for t in _KILLED):
            assert (folder / name).read_bytes() == reference[name], f"{name}, kill {when}"
        json.loads((folder / "manifest.json").read_text())  # never half-written
    # The next build (here too: the killed processes are gone either way) cleans their orphans.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataConsistencyWarning)
        assert build(list(_KILLED), force=True) == dict.fromkeys(_KILLED, "built")
    after = {k: v for k, v in _processed(folder).items() if not k.startswith(".")}
    assert after == reference
    assert not list(folder.glob(".*.part")), "orphans cleaned by the rebuild"


@pytest.mark.slow
def test_held_concurrent_builds_keep_each_others_tables(data_dir):
    # Two builds started together overlap for their whole length (about 2 s each): a manifest read
    # once and written at the end would lose the entry of whichever finished first.
    tables = ("sipas", "dti")
    procs = [_run_build(data_dir, t, wait=False) for t in tables]
    assert [p.wait(timeout=600) for p in procs] == [0, 0]
    manifest = json.loads((data_dir / "processed" / "manifest.json").read_text())
    assert set(tables) <= set(manifest["tables"])
    for name in tables:
        assert is_current(name)


def test_no_warning_leaks_from_the_shipped_papi_facts():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_papi_published_facts()
        load_papi_national_facts()
