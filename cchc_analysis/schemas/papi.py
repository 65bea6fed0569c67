"""pandera schema of the tidy PAPI table (one row per year, province and component).

Run it through :func:`cchc_analysis.schemas.validate` so a failure names the file, the rows
(``source_row`` = line in the upstream file) and the rule.
"""

from __future__ import annotations

import functools

import pandas as pd
import pandera.pandas as pa

from cchc_analysis import paths

__all__ = ["COLUMNS", "ERAS", "LEVELS", "papi_schema"]

LEVELS = ("subdimension", "dimension", "total")
ERAS = ("2011-2017", "2018-")
COLUMNS = (
    "index",
    "year",
    "province_code",
    "province",
    "level",
    "component",
    "component_name",
    "component_name_vi",
    "parent",
    "value",
    "max_value",
    "rank",
    "era",
    "source_column",
    "source_file",
    "source_row",
)

# Component codes per level: D1..D8, D1.1..D8.4, TOTAL.
_CODE_PATTERN = {"dimension": r"D[1-8]", "subdimension": r"D[1-8]\.[1-4]", "total": r"TOTAL"}
# Floating-point slack for sums that reach the maximum exactly.
_TOLERANCE = 1e-9


def _known_codes() -> list[str]:
    table = pd.read_csv(paths.PACKAGE_DATA / "provinces.csv", dtype=str, keep_default_na=False)
    return table["code"].tolist()


def _within_max(frame: pd.DataFrame) -> pd.Series:
    return frame["value"] <= frame["max_value"] + _TOLERANCE


def _code_matches_level(frame: pd.DataFrame) -> pd.Series:
    ok = pd.Series(False, index=frame.index)
    for level, pattern in _CODE_PATTERN.items():
        here = frame["level"] == level
        ok |= here & frame["component"].str.fullmatch(pattern).fillna(False).astype(bool)
    return ok


def _era_matches_year(frame: pd.DataFrame) -> pd.Series:
    expected = frame["year"].map(lambda y: ERAS[0] if y < 2018 else ERAS[1])
    return frame["era"] == expected


def _parent_matches_component(frame: pd.DataFrame) -> pd.Series:
    sub = frame["level"] == "subdimension"
    dim = frame["level"] == "dimension"
    prefix = frame["component"].str.split(".").str[0]
    return (
        (sub & (frame["parent"] == prefix))
        | (dim & (frame["parent"] == "TOTAL"))
        | ((frame["level"] == "total") & frame["parent"].isna())
    ).fillna(False)


@functools.cache
def papi_schema() -> pa.DataFrameSchema:
    """The schema (built on first use: it reads the province registry for the known codes)."""
    return pa.DataFrameSchema(
        {
            "index": pa.Column(str, pa.Check.isin(["PAPI"])),
            "year": pa.Column("int64", pa.Check.in_range(2011, 2100)),
            "province_code": pa.Column(str, pa.Check.isin(_known_codes())),
            "province": pa.Column(str, pa.Check.str_length(min_value=1)),
            "level": pa.Column(str, pa.Check.isin(list(LEVELS))),
            "component": pa.Column(str),
            "component_name": pa.Column(str, pa.Check.str_length(min_value=1)),
            "component_name_vi": pa.Column(str, pa.Check.str_length(min_value=1)),
            "parent": pa.Column(str, nullable=True),
            "value": pa.Column("float64", pa.Check.ge(0)),
            "max_value": pa.Column("float64", pa.Check.gt(0)),
            "rank": pa.Column("Int64", pa.Check.ge(1), nullable=True),
            "era": pa.Column(str, pa.Check.isin(list(ERAS))),
            "source_column": pa.Column(str, nullable=True),
            "source_file": pa.Column(str),
            "source_row": pa.Column("Int64", pa.Check.ge(1)),
        },
        checks=[
            pa.Check(_within_max, name="value within [0, max_value]"),
            pa.Check(_code_matches_level, name="component code matches level"),
            pa.Check(_parent_matches_component, name="parent matches component"),
            pa.Check(_era_matches_year, name="era matches year (break in 2018)"),
        ],
        unique=["year", "province_code", "component"],
        report_duplicates="all",
        strict=True,
        ordered=True,
        name="papi",
    )
