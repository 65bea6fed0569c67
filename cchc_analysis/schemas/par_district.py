"""pandera schema of the district-level PAR facts (:mod:`cchc_analysis.sources.par_district`)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from cchc_analysis.schemas.facts import SOURCE_TYPES

__all__ = ["MEASURES", "PAR_DISTRICT"]

MEASURES = {
    "points": "score in points as published (of the index, or of one content)",
    "rank": "rank among the units the province ranked; out_of = how many",
    "classification": "the grade the province gave (text only, in value_as_published)",
    "change_vs_prev_points": "change of a content's points against the previous year",
    "pct_of_max": "a content's points as a share of its maximum, %",
}
"""The measures the district facts may use, and what each means."""


def _value_present(d: pd.DataFrame) -> pd.Series:
    """Every measure has a number except the text-only classification."""
    text_only = d["measure"] == "classification"
    return d["value"].isna() == text_only


def _within_out_of(d: pd.DataFrame) -> pd.Series:
    """Points and ranks never exceed the stated maximum or number of units."""
    return d["out_of"].isna() | ~d["measure"].isin(["points", "rank"]) | (d["value"] <= d["out_of"])


def _pct_range(d: pd.DataFrame) -> pd.Series:
    return (d["measure"] != "pct_of_max") | d["value"].between(0, 100)


def _rank_whole(d: pd.DataFrame) -> pd.Series:
    is_rank = d["measure"] == "rank"
    return ~is_rank | ((d["value"] >= 1) & (d["value"] % 1 == 0) & d["out_of"].notna())


def _no_negative_points(d: pd.DataFrame) -> pd.Series:
    return (d["measure"] != "points") | (d["value"] >= 0)


PAR_DISTRICT = pa.DataFrameSchema(
    {
        "year": pa.Column("int64", pa.Check.in_range(2012, 2025)),
        "unit": pa.Column(str, pa.Check.str_length(min_value=1)),
        "unit_type": pa.Column(str, pa.Check.isin(["district"])),
        "province_code": pa.Column(str, pa.Check.str_matches(r"^[0-9]{2}$")),
        "province": pa.Column(str),
        "index": pa.Column(str, pa.Check.isin(["PAR"])),
        "component": pa.Column(str, pa.Check.str_length(min_value=1)),
        "field": pa.Column(str, nullable=True),
        "measure": pa.Column(str, pa.Check.isin(list(MEASURES))),
        "value": pa.Column("float64", nullable=True),
        "value_as_published": pa.Column(str, pa.Check.str_length(min_value=1)),
        "out_of": pa.Column("float64", pa.Check.gt(0), nullable=True),
        "source": pa.Column(str, pa.Check.str_length(min_value=1)),
        "source_type": pa.Column(str, pa.Check.isin(list(SOURCE_TYPES))),
        "decision": pa.Column(str, nullable=True),
        "note": pa.Column(str, nullable=True),
        "source_row": pa.Column("int64", pa.Check.ge(2)),
    },
    checks=[
        pa.Check(_value_present, error="value given for every measure except classification"),
        pa.Check(_within_out_of, error="points and ranks do not exceed out_of"),
        pa.Check(_pct_range, error="pct_of_max within 0-100"),
        pa.Check(_rank_whole, error="rank is a whole number >= 1 with out_of"),
        pa.Check(_no_negative_points, error="points are >= 0"),
    ],
    unique=["year", "unit", "component", "measure"],
    strict=True,
    ordered=True,
)
"""``load_par_district()``: one row per year, district, content and measure."""
