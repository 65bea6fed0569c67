"""pandera schema of the tidy PCI table (:mod:`cchc_analysis.sources.pci`).

Run through :func:`cchc_analysis.schemas.validate` after the workbook checks, as a last guard on
the assembled panel: types, keys, ranges and the era/source rules of the whole table.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

__all__ = ["ERAS", "PCI_SCHEMA"]

ERAS = ("2005", "2006-2008", "2009-2012", "2013-")
_SUBINDEX = r"EC|LA|TR|TC|IC|CP|PB|PR|BS|LT|LI"
_KEY = r"[0-9]{2}|former:[a-z-]+"


def _within_max(d: pd.DataFrame) -> pd.Series:
    return d["value"] <= d["max_value"]


def _code_matches_level(d: pd.DataFrame) -> pd.Series:
    sub = (d["level"] == "subindex") & d["component"].str.fullmatch(_SUBINDEX).astype(bool)
    total = (d["level"] == "total") & (d["component"] == "TOTAL")
    return sub | total


def _former_key(d: pd.DataFrame) -> pd.Series:
    """A former province has a ``former:`` key and a GSO code is never marked former."""
    return d["province_code"].str.startswith("former:") == d["former_province"]


def _panel_totals_only(d: pd.DataFrame) -> pd.Series:
    """The Stata panel contributes totals only, after the workbook years."""
    return (d["source"] != "stata_panel") | ((d["level"] == "total") & (d["year"] > 2016))


def _weights_where_defined(d: pd.DataFrame) -> pd.Series:
    """Totals carry no weight; sub-indices carry one except in 2005 (not published)."""
    sub = d["level"] == "subindex"
    return (~sub & d["weight"].isna()) | (sub & (d["weight"].notna() | (d["era"] == "2005")))


PCI_SCHEMA = pa.DataFrameSchema(
    {
        "index": pa.Column(str, pa.Check.isin(["PCI"])),
        "year": pa.Column("int64", pa.Check.in_range(2005, 2100)),
        "province_code": pa.Column(str, pa.Check.str_matches(f"^(?:{_KEY})$")),
        "province": pa.Column(str, pa.Check.str_length(min_value=1)),
        "former_province": pa.Column(bool),
        "level": pa.Column(str, pa.Check.isin(["subindex", "total"])),
        "component": pa.Column(str),
        "component_name": pa.Column(str, pa.Check.str_length(min_value=1)),
        "component_name_vi": pa.Column(str, pa.Check.str_length(min_value=1)),
        "value": pa.Column("float64", pa.Check.ge(0)),
        "max_value": pa.Column("float64", pa.Check.isin([10.0, 100.0])),
        "weight": pa.Column("float64", pa.Check.in_range(0, 1), nullable=True),
        "rank": pa.Column("Int64", pa.Check.ge(1)),
        "era": pa.Column(str, pa.Check.isin(list(ERAS))),
        "source": pa.Column(str, pa.Check.isin(["vcci_workbook", "stata_panel"])),
        "source_file": pa.Column(str),
        "source_sheet": pa.Column(str, nullable=True),
        "source_row": pa.Column("Int64", pa.Check.ge(1)),
        "source_column": pa.Column(str),
    },
    checks=[
        pa.Check(_within_max, name="value within [0, max_value]"),
        pa.Check(_code_matches_level, name="component code matches level"),
        pa.Check(_former_key, name="former provinces, and only they, have a former: key"),
        pa.Check(_panel_totals_only, name="Stata panel rows are totals after 2016"),
        pa.Check(_weights_where_defined, name="sub-indices carry their era's weight"),
    ],
    unique=["year", "province_code", "component"],
    report_duplicates="all",
    strict=True,
    ordered=True,
    name="pci",
)
