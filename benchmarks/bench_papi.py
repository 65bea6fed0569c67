"""PAPI loading: the processed table against a full build from raw files, and the package import
against pandas', each import in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys

from cchc_analysis.build import is_current, load_table
from cchc_analysis.download import fetch
from cchc_analysis.sources.papi import load_papi, tidy_papi


def _fresh_import(module: str) -> None:
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True)


def run(suite) -> None:
    fetch("papi")
    fetch("papi_workbook")
    frame = load_table("papi")  # builds it once if needed, so the candidate reads a current table
    assert is_current("papi")
    suite.note(f"{len(frame):,} rows; raw = 14 yearly CSVs + the 2011-2016 workbook cross-check")
    suite.compare(
        "load_papi() from data/processed (checksums + Parquet)",
        load_papi,
        baseline=tidy_papi,
        baseline_name="raw -> tidy",
        repeat=10,
        baseline_repeat=3,
    )
    suite.compare(
        "raw -> tidy without the workbook cross-check",
        lambda: tidy_papi(check_workbook=False),
        repeat=3,
    )
    suite.compare(
        "import cchc_analysis (fresh interpreter)",
        lambda: _fresh_import("cchc_analysis"),
        baseline=lambda: _fresh_import("pandas"),
        baseline_name="import pandas",
        repeat=5,
    )
    suite.compare(
        "import cchc_analysis; load_papi() (fresh interpreter)",
        lambda: subprocess.run(
            [sys.executable, "-c", "import cchc_analysis as cc; cc.load_papi()"], check=True
        ),
        baseline=lambda: _fresh_import("pandas"),
        baseline_name="import pandas",
        repeat=3,
    )
