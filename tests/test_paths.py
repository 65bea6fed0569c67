"""Locations come from the package, never from the working directory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cchc_analysis import paths

ROOT = Path(__file__).resolve().parents[1]


def test_checkout_layout():
    assert paths.REPO_ROOT == ROOT
    assert paths.RAW == ROOT / "data" / "raw"
    assert paths.PROCESSED == ROOT / "data" / "processed"
    assert paths.FIGURES == ROOT / "reports" / "figures"
    assert paths.NOTEBOOKS == ROOT / "notebooks"
    assert (paths.PACKAGE_DATA / "provinces.csv").is_file()


def test_same_answer_from_any_working_directory(tmp_path):
    code = "from cchc_analysis import paths; print(paths.RAW); print(paths.FIGURES)"
    outs = {
        subprocess.run(
            [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True
        ).stdout
        for cwd in (ROOT, ROOT / "notebooks", tmp_path)
    }
    assert outs == {f"{ROOT / 'data' / 'raw'}\n{ROOT / 'reports' / 'figures'}\n"}


def test_data_dir_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CCHC_DATA_DIR", str(tmp_path / "d"))
    assert paths.RAW == tmp_path / "d" / "raw"
    assert paths.PROCESSED == tmp_path / "d" / "processed"
    # Reports follow the data folder unless named separately.
    assert paths.FIGURES == tmp_path / "reports" / "figures"
    monkeypatch.setenv("CCHC_REPORTS_DIR", str(tmp_path / "r"))
    assert paths.TABLES == tmp_path / "r" / "tables"


def test_facts_fall_back_to_the_checkout(tmp_path, monkeypatch):
    monkeypatch.setenv("CCHC_DATA_DIR", str(tmp_path))
    assert paths.FACTS == ROOT / "data" / "raw" / "facts"
    (tmp_path / "raw" / "facts").mkdir(parents=True)
    assert paths.FACTS == tmp_path / "raw" / "facts"


def test_mirror_is_optional(monkeypatch, tmp_path):
    monkeypatch.delenv("CCHC_MIRROR", raising=False)
    assert paths.MIRROR is None
    monkeypatch.setenv("CCHC_MIRROR", str(tmp_path))
    assert paths.MIRROR == tmp_path


def test_unknown_attribute_is_an_attribute_error():
    try:
        paths.NOT_A_PATH  # noqa: B018
    except AttributeError as exc:
        assert "NOT_A_PATH" in str(exc)
    else:
        raise AssertionError("expected AttributeError")
