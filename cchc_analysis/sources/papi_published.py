"""PAPI figures as papi.org.vn and the press published them, read strictly.

``data/raw/facts/papi_published_facts.csv`` holds one published figure per row (a province's total,
dimension score or rank, a national mean, a "not ranked" notice) with its source URL; the tests
check :func:`~cchc_analysis.sources.papi.load_papi` against it and notebook 01 shows it. Each row's
measure is mapped to a PAPI component by ``data/papi_fact_measures.csv`` (names change in 2018), and
its value must be possible: a total at most 60 (2011-2017) or 80 (from 2018), a dimension at most
10, a sub-dimension at most 5 (the largest, that of a two-part dimension), a rank or a count of
provinces a whole number from 1 to 63, a "not ranked" notice 1::

    from cchc_analysis.sources.papi_published import load_papi_published_facts
    facts = load_papi_published_facts()
"""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd

from cchc_analysis import paths
from cchc_analysis.errors import DataValidationError
from cchc_analysis.provinces import UnknownProvinceError, normalize_province
from cchc_analysis.sources.factfile import normalize_cells, read_rows

__all__ = ["COLUMNS", "FILE", "load_papi_published_facts", "maximum"]

FILE = "papi_published_facts.csv"
COLUMNS = ("year", "province", "measure", "value", "source_url")
NATIONAL = "(national)"
"""The ``province`` of a nationwide figure."""
_SCORE_KINDS = ("score", "national_mean", "national_median", "national_max", "national_min")


@functools.cache
def _measures() -> pd.DataFrame:
    table = pd.read_csv(
        paths.PACKAGE_DATA / "papi_fact_measures.csv", dtype=str, keep_default_na=False
    )
    return table.astype({"year_from": "int64", "year_to": "int64"})


def maximum(component: str, year: int) -> float:
    """The largest value a published PAPI ``component`` can take in ``year`` (see module doc).

    >>> maximum("TOTAL", 2017), maximum("TOTAL", 2018), maximum("D4", 2020), maximum("D1.2", 2012)
    (60.0, 80.0, 10.0, 5.0)
    """
    if component == "TOTAL":
        return 60.0 if year < 2018 else 80.0
    return 5.0 if "." in component else 10.0


def _fail(dataset: str, rule: str, frame: pd.DataFrame, bad: pd.Series, column: str) -> None:
    if bad.any():
        rows = frame.loc[bad, "source_row"].tolist()
        shown = "; ".join(
            f"line {line}: {column} {value!r}"
            for line, value in zip(rows[:5], frame.loc[bad, column].tolist()[:5], strict=True)
        )
        raise DataValidationError(dataset, rule, rows, shown)


def load_papi_published_facts(path: Path | str | None = None) -> pd.DataFrame:
    """The published PAPI figures, checked: one row per figure, in the file's order.

    Columns: ``year, province, measure, value, source_url`` (as in the file), then ``kind`` and
    ``component`` (from ``papi_fact_measures.csv``), ``province_code`` (empty for nationwide
    figures), ``max_value`` and ``source_row`` (file line). Any impossible value, unknown measure
    or province raises :class:`~cchc_analysis.errors.DataValidationError` naming file and line.
    """
    path = Path(path) if path is not None else paths.FACTS / FILE
    dataset = str(path)
    frame = normalize_cells(read_rows(path, COLUMNS))
    _fail(
        dataset, "year is a four-digit year", frame, ~frame["year"].str.fullmatch(r"\d{4}"), "year"
    )
    _fail(
        dataset,
        "value is a dot-decimal number such as 48.811",
        frame,
        ~frame["value"].str.fullmatch(r"\d+(\.\d+)?"),
        "value",
    )
    _fail(
        dataset,
        "source_url is an http(s) URL without spaces",
        frame,
        ~frame["source_url"].str.fullmatch(r"https?://\S+"),
        "source_url",
    )
    frame = frame.astype({"year": "int64", "value": "float64"})
    _fail(dataset, "year from 2011 to 2024", frame, ~frame["year"].between(2011, 2024), "year")

    # The measure's meaning that year (one mapping per measure and year).
    table = _measures()
    kinds, components = [], []
    for measure, year in zip(frame["measure"], frame["year"], strict=True):
        hit = table[
            (table["measure"] == measure)
            & (table["year_from"] <= year)
            & (table["year_to"] >= year)
        ]
        kinds.append(hit["kind"].iat[0] if len(hit) == 1 else None)
        components.append(hit["component"].iat[0] if len(hit) == 1 else None)
    frame["kind"], frame["component"] = kinds, components
    _fail(
        dataset,
        "measure is listed for its year in cchc_analysis/data/papi_fact_measures.csv",
        frame,
        frame["kind"].isna(),
        "measure",
    )

    national = frame["kind"].str.startswith("national")
    _fail(
        dataset,
        f"nationwide figures have province {NATIONAL!r}",
        frame,
        national != frame["province"].eq(NATIONAL),
        "province",
    )
    codes = []
    for name, line in zip(frame["province"], frame["source_row"], strict=True):
        if name == NATIONAL:
            codes.append(None)
            continue
        try:
            codes.append(normalize_province(name).code)
        except UnknownProvinceError as err:
            raise DataValidationError(
                dataset, "province is one of the 63", [line], str(err)
            ) from None
    frame["province_code"] = pd.Series(codes, index=frame.index, dtype="str")

    frame["max_value"] = [
        maximum(c, y) for c, y in zip(frame["component"], frame["year"], strict=True)
    ]
    scored = frame["kind"].isin(_SCORE_KINDS)
    counted = frame["kind"].isin(["rank", "national_count"])
    whole = frame["value"] == frame["value"].round()
    _fail(
        dataset,
        "a score is within [0, its maximum] (total 60 to 2017, 80 from 2018; dimension 10; "
        "sub-dimension 5)",
        frame,
        scored & ~frame["value"].between(0, frame["max_value"]),
        "value",
    )
    _fail(
        dataset,
        "a rank or a count of provinces is a whole number from 1 to 63",
        frame,
        counted & ~(whole & frame["value"].between(1, 63)),
        "value",
    )
    _fail(
        dataset,
        "a 'not ranked' notice has value 1",
        frame,
        frame["kind"].eq("not_ranked") & frame["value"].ne(1),
        "value",
    )
    dup = frame.duplicated(["year", "province", "measure", "source_url"], keep=False)
    _fail(dataset, "one row per (year, province, measure, source_url)", frame, dup, "measure")
    order = [*COLUMNS, "kind", "component", "province_code", "max_value", "source_row"]
    return frame[order].reset_index(drop=True)
