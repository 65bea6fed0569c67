"""pandera schema of the tidy QĐ 766 table (one row per snapshot, unit and component).

The loader's own checks (sums, maxima, ranks, national score) run per file first, so that a failure
names the file and the unit; this schema then guards the shape of the whole table: types, allowed
codes, era-marked province keys and one row per key.
"""

from __future__ import annotations

import functools

import pandera.pandas as pa

__all__ = ["qd766_schema"]

_KEY_2025 = r"2025:\d\d"


def _unit_key_matches_level(frame):
    # Provinces are keyed by their era-marked code, sub-units by the portal's code.
    province = frame["level"] == "province"
    return (province & (frame["unit_key"] == frame["province_code_2025"])) | (
        ~province & (frame["unit_key"] == frame["portal_code"])
    )


def _rank_only_on_totals(frame):
    return (frame["component"] == "TOTAL") | frame["rank"].isna()


@functools.cache
def qd766_schema(components: tuple[str, ...], levels: tuple[str, ...]) -> pa.DataFrameSchema:
    """The schema for the given component codes and levels (from ``qd766_components.csv``)."""
    return pa.DataFrameSchema(
        {
            "index": pa.Column(str, pa.Check.isin(["QĐ 766"])),
            "snapshot_date": pa.Column("datetime64[us]"),
            "period": pa.Column(str),
            "level": pa.Column(str, pa.Check.isin(list(levels))),
            "unit_key": pa.Column(str, pa.Check.str_length(min_value=1)),
            "unit": pa.Column(str, pa.Check.str_length(min_value=1)),
            "province_code_2025": pa.Column(str, pa.Check.str_matches(_KEY_2025)),
            "portal_code": pa.Column(str, pa.Check.str_matches(r"H\d\d(\.\d+)?")),
            "unit_id": pa.Column(str, nullable=True),
            "unit_name_raw": pa.Column(str),
            "component": pa.Column(str, pa.Check.isin(list(components))),
            "component_level": pa.Column(str, pa.Check.isin(["total", "component"])),
            "component_name_vi": pa.Column(str),
            "component_name": pa.Column(str),
            "value": pa.Column("float64", pa.Check.ge(0)),
            "max_value": pa.Column("float64", pa.Check.gt(0)),
            "rank": pa.Column("Int64", pa.Check.ge(1), nullable=True),
            "rank_all_subunits": pa.Column("Int64", pa.Check.ge(1), nullable=True),
            "era": pa.Column(str, pa.Check.isin(["2025-"])),
            "source_file": pa.Column(str, pa.Check.str_startswith("qd766/")),
            "source_commit": pa.Column(str),
            "source_row": pa.Column("int64", pa.Check.ge(1)),
            "crawled_at": pa.Column("datetime64[us, UTC]", nullable=True),
        },
        checks=[
            pa.Check(_unit_key_matches_level, name="unit_key is the level's key"),
            pa.Check(_rank_only_on_totals, name="rank only on TOTAL rows"),
        ],
        unique=["level", "snapshot_date", "unit_key", "component"],
        report_duplicates="all",
        strict=True,
        ordered=True,
        name="qd766",
    )
