"""pandera schemas for the compiled facts: the raw CSV files and the tidy tables made from them.

Raw files are checked in passes. :func:`raw_format_schema` looks at the text as written
(four-digit years, dot-decimal values, whole-number ranks, known measures, URLs), so that a
decimal comma in ``value`` is reported as such rather than turned into NaN.
:func:`raw_typed_schema` checks types and fixed ranges (years 2012-2025), and the row rules
:data:`RAW_RULES` check each row against its measure (``data/facts_measures.csv``: ranges,
which measures carry a value, a rank or neither) and the rank limits (1-63 for provinces, 1-19
for ministries); :func:`key_rule` finds a report repeated by the same source.

Rules that compare columns are written as :data:`Rule` triples and run by :func:`row_rules`
on the column they are about, so that a failure shows that column's values. Every failure
goes through :func:`cchc_analysis.schemas.validate` and names the file, the file lines
(``source_row``) and the rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd
import pandera.pandas as pa

from cchc_analysis.provinces import provinces
from cchc_analysis.schemas import validate

__all__ = [
    "COMPONENT_RULES",
    "DTI",
    "INDEX_ERAS",
    "MAX_RANK",
    "METHODOLOGY_RULES",
    "NATIONAL_AGGREGATES",
    "ONLINE_SERVICES",
    "PAR_COMPONENTS",
    "PAR_METHODOLOGY",
    "PROVINCE_FACT_RULES",
    "RAW_RULES",
    "SCORE_RULES",
    "SCORE_TABLE",
    "SOURCE_TYPES",
    "YEARS",
    "Rule",
    "check_table",
    "key_rule",
    "raw_format_schema",
    "raw_typed_schema",
    "row_rules",
]

YEARS = (2012, 2025)
"""First and last year any PAR Index, SIPAS or related fact can refer to."""
MAX_RANK = {"province": 63, "ministry": 19}
"""Most units ever ranked: 63 provinces; 19 ministry-level bodies (2012-2016)."""
SOURCE_TYPES = ("official_or_state_media", "news_media", "aggregator_or_repost")
KINDS = ("score", "count", "rank", "rank_only", "band", "text")
BANDS = ("bottom2", "bottom3", "bottom5", "bottom_group")

Rule = tuple[str, Callable[[pd.DataFrame], pd.Series], str]
"""A row rule: (column it is about, predicate on the frame giving True per valid row, rule text)."""

_DOT_DECIMAL = r"^$|^[+-]?[0-9]+(\.[0-9]+)?$"
_WHOLE = r"^$|^[0-9]+$"


def _province_codes() -> list[str]:
    return provinces()["code"].tolist()


# --- raw files: the text as written --------------------------------------------------------


def raw_format_schema(
    columns: Sequence[str],
    measures: Iterable[str],
    index_values: Iterable[str] = (),
    unit_types: Iterable[str] = (),
) -> pa.DataFrameSchema:
    """Checks on the cells of one facts CSV read as text (every cell a str, empty = missing)."""
    nonempty = pa.Check.str_length(min_value=1, error="is not empty")
    rules: dict[str, pa.Column] = {
        "year": pa.Column(str, pa.Check.str_matches(r"^[0-9]{4}$", error="a four-digit year")),
        "value": pa.Column(
            str,
            pa.Check.str_matches(
                _DOT_DECIMAL,
                error="a dot-decimal number such as 92.54, or empty (a decimal comma such as "
                "'92,54' belongs in value_as_published only)",
            ),
        ),
        "max_points": pa.Column(
            str, pa.Check.str_matches(_DOT_DECIMAL, error="a dot-decimal number, or empty")
        ),
        "rank": pa.Column(
            str, pa.Check.str_matches(_WHOLE, error="a whole number such as 12, or empty")
        ),
        "measure": pa.Column(
            str,
            pa.Check.isin(
                sorted(set(measures)),
                error="a measure listed for this file in cchc_analysis/data/facts_measures.csv",
            ),
        ),
        "source_url": pa.Column(
            str, pa.Check.str_matches(r"^https?://\S+$", error="an http(s) URL without spaces")
        ),
        "source_type": pa.Column(str, pa.Check.isin(SOURCE_TYPES, error=f"one of {SOURCE_TYPES}")),
    }
    if index_values:
        values = sorted(set(index_values))
        rules["index"] = pa.Column(str, pa.Check.isin(values, error=f"one of {values}"))
    if unit_types:
        values = sorted(set(unit_types))
        rules["unit_type"] = pa.Column(str, pa.Check.isin(values, error=f"one of {values}"))
    for name in ("unit", "unit_std", "province", "scope", "component", "index"):
        rules.setdefault(name, pa.Column(str, nonempty))
    schema = {c: rules.get(c, pa.Column(str)) for c in columns}
    schema["source_row"] = pa.Column(int)
    return pa.DataFrameSchema(schema, strict=True, coerce=False)


# --- raw files: typed rows against the measure table --------------------------------------


def _within_range(d: pd.DataFrame) -> pd.Series:
    ranged = d["kind"].isin(["score", "count", "rank"])
    inside = (d["value"] >= d["measure_min"]) & (d["value"] <= d["measure_max"])
    return ~ranged | d["value"].isna() | inside


def _whole(d: pd.DataFrame) -> pd.Series:
    counted = d["kind"].isin(["count", "rank"])
    return ~counted | d["value"].isna() | (np.floor(d["value"]) == d["value"])


def _no_value(d: pd.DataFrame) -> pd.Series:
    return ~d["kind"].isin(["rank_only", "band", "text"]) | d["value"].isna()


def _rank_limit(d: pd.DataFrame) -> pd.Series:
    if "rank" not in d.columns:
        return pd.Series(True, index=d.index)
    limit = d["unit_type"].map(MAX_RANK) if "unit_type" in d.columns else MAX_RANK["province"]
    rank = d["rank"].astype("float64")
    return rank.isna() | ((rank >= 1) & (rank <= limit))


def _no_rank_for_bands(d: pd.DataFrame) -> pd.Series:
    if "rank" not in d.columns:
        return pd.Series(True, index=d.index)
    return (d["kind"] != "band") | d["rank"].isna()


def _within_max_points(d: pd.DataFrame) -> pd.Series:
    if "max_points" not in d.columns:
        return pd.Series(True, index=d.index)
    scored = d["measure"].eq("component_score") & d["max_points"].notna() & d["value"].notna()
    return ~scored | (d["value"] <= d["max_points"])


def raw_typed_schema(columns: Sequence[str]) -> pa.DataFrameSchema:
    """Types and fixed ranges of one facts file after typing (joined with its measures)."""
    rules: dict[str, pa.Column] = {
        "year": pa.Column(
            "int64", pa.Check.in_range(*YEARS, error=f"a year from {YEARS[0]} to {YEARS[1]}")
        ),
        "value": pa.Column("float64", nullable=True),
        "max_points": pa.Column(
            "float64", pa.Check.in_range(0, 100, error="between 0 and 100"), nullable=True
        ),
        "rank": pa.Column("Int64", nullable=True),
    }
    schema = {c: rules[c] for c in columns if c in rules}
    schema["kind"] = pa.Column(str, pa.Check.isin(KINDS))
    return pa.DataFrameSchema(schema, strict=False)


RAW_RULES: list[Rule] = [
    ("value", _within_range, "value within the measure's range in facts_measures.csv"),
    ("value", _whole, "counts and ranks are whole numbers"),
    ("value", _no_value, "no value for rank-only, band-membership and text measures"),
    ("value", _within_max_points, "component_score at most max_points"),
    ("rank", _rank_limit, "rank from 1 to 63 (provinces) or 1 to 19 (ministries)"),
    ("rank", _no_rank_for_bands, "no rank on a band-membership row"),
]
"""Row rules of a typed facts file: each checked on the column it is about."""


def key_rule(key: Sequence[str]) -> Rule:
    """One report per key: the same source stating the same fact twice is a duplicated row.

    Several sources reporting the same fact are expected (they are reconciled later); the key
    therefore includes ``source_url``, on which the rule is reported.
    """
    key = list(key)

    def unique(d: pd.DataFrame) -> pd.Series:
        return ~d.duplicated(key, keep=False)

    names = {"canonical": "measure", "unit_code": "unit", "unit_key": "unit"}
    label = ", ".join(names.get(k, k) for k in key)
    return ("source_url", unique, f"one row per ({label}): this report is repeated")


def row_rules(frame: pd.DataFrame, rules: Iterable[Rule]) -> pa.DataFrameSchema:
    """A schema checking cross-column ``rules`` on ``frame``, each on its target column.

    The rule is evaluated on the whole frame first, so the failure report names the target
    column and shows its values (a frame-wide pandera check would report every column).
    Rules whose target column is absent are skipped.
    """
    by_column: dict[str, list[pa.Check]] = {}
    for column, predicate, error in rules:
        if column not in frame.columns:
            continue
        ok = predicate(frame).astype(bool)
        check = pa.Check(lambda s, ok=ok: ok.reindex(s.index), error=error, ignore_na=False)
        by_column.setdefault(column, []).append(check)
    return pa.DataFrameSchema(
        {c: pa.Column(checks=cs, nullable=True) for c, cs in by_column.items()}
    )


def check_table(
    frame: pd.DataFrame, schema: pa.DataFrameSchema, rules: Iterable[Rule], dataset: str
) -> pd.DataFrame:
    """Validate ``frame`` against ``schema`` and then its row ``rules``; return it validated."""
    frame = validate(frame, schema, dataset)
    validate(frame, row_rules(frame, rules), dataset)
    return frame


# --- tidy tables --------------------------------------------------------------------------


def _known_units(d: pd.DataFrame) -> pd.Series:
    from cchc_analysis.sources.units import ministries

    province = d["unit_type"].eq("province") & d["unit_code"].isin(_province_codes())
    ministry = d["unit_type"].eq("ministry") & d["unit_code"].isin(ministries()["code"])
    return province | ministry


def _ranks_follow_values(d: pd.DataFrame) -> pd.Series:
    """Within one index, unit type and year, a better rank never has a lower value."""
    ok = pd.Series(True, index=d.index)
    both = d[d["value"].notna() & d["rank"].notna()]
    for _, g in both.groupby(["index", "unit_type", "year"], sort=False):
        for i, row in g.iterrows():
            better = g[g["rank"] < row["rank"]]
            if (better["value"] < row["value"]).any():
                ok[i] = False
    return ok


def _band_rank(d: pd.DataFrame) -> pd.Series:
    """A province named in the bottom k has rank 64-k or worse, when its rank is known."""
    sized = d["unit_type"].eq("province") & d["band_size"].notna() & d["rank"].notna()
    limit = MAX_RANK["province"] + 1 - d["band_size"].astype("float64")
    return ~sized | (d["rank"].astype("float64") >= limit)


def _provenance(with_source_type: bool = True) -> dict[str, pa.Column]:
    """Columns added by :func:`cchc_analysis.sources.reconcile.reconcile`, in table order."""
    columns = {
        "conflict": pa.Column(bool),
        "alternatives": pa.Column(str, nullable=True),
        "headline_rule": pa.Column(str),
        "n_reports": pa.Column("int64", pa.Check.ge(1)),
        "n_sources": pa.Column("int64", pa.Check.ge(1)),
        "source_url": pa.Column(str, pa.Check.str_startswith("http")),
    }
    if with_source_type:
        columns["source_type"] = pa.Column(str, pa.Check.isin(SOURCE_TYPES))
    columns["sources"] = pa.Column(str)
    return columns


_SOURCE_ROWS = pa.Column(str, pa.Check.str_matches(r"^[0-9]+(;[0-9]+)*$"))
_YEAR = pa.Column("int64", pa.Check.in_range(*YEARS))
_PCT = pa.Column("float64", pa.Check.in_range(0, 100), nullable=True)

SCORE_TABLE = pa.DataFrameSchema(
    {
        "index": pa.Column(str, pa.Check.isin(["PAR", "SIPAS"])),
        "year": _YEAR,
        "era": pa.Column(str),
        "unit_type": pa.Column(str, pa.Check.isin(list(MAX_RANK))),
        "unit_code": pa.Column(str),
        "unit": pa.Column(str),
        "value": _PCT,
        "rank": pa.Column("Int64", pa.Check.in_range(1, 63), nullable=True),
        "band": pa.Column(
            str,
            pa.Check(
                lambda s: s.str.split(";").map(lambda parts: set(parts) <= set(BANDS)),
                error=f"';'-joined names from {BANDS}",
            ),
            nullable=True,
        ),
        "band_size": pa.Column("Int64", nullable=True),
        **_provenance(),
        "note": pa.Column(str, nullable=True),
        "table_status": pa.Column(str, nullable=True),
        "source_file": pa.Column(str),
        "source_rows": _SOURCE_ROWS,
    },
    unique=["index", "unit_type", "year", "unit_code"],
    strict=True,
    ordered=True,
)
"""``load_par_index()`` and ``load_sipas()``: one row per index, unit and year."""

_KNOWN_UNIT: Rule = (
    "unit_code",
    _known_units,
    "unit_code is a known province (GSO) or ministry code",
)
_RANK_LIMIT: Rule = ("rank", _rank_limit, "rank from 1 to 63 (provinces) or 1 to 19 (ministries)")
SCORE_RULES: list[Rule] = [
    _KNOWN_UNIT,
    _RANK_LIMIT,
    ("rank", _ranks_follow_values, "a better rank never has a lower value (same index, year)"),
    ("band", _band_rank, "a province named in the bottom k ranks 64-k or worse"),
]

NATIONAL_AGGREGATES = pa.DataFrameSchema(
    {
        "year": _YEAR,
        "scope": pa.Column(str),
        "scope_type": pa.Column(
            str,
            pa.Check.isin(
                ["provinces", "ministries", "citizens", "pilot", "survey", "methodology", "region"]
            ),
        ),
        "region": pa.Column(str, nullable=True),
        "index": pa.Column(str, pa.Check.isin(["PAR", "SIPAS"])),
        "measure": pa.Column(str),
        "field": pa.Column(str, nullable=True),
        "value": pa.Column("float64", nullable=True),
        "value_as_published": pa.Column(str, nullable=True),
        "unit_of_measure": pa.Column(str),
        **_provenance(),
        "note": pa.Column(str, nullable=True),
        "source_rows": _SOURCE_ROWS,
    },
    unique=["year", "scope", "index", "measure"],
    strict=True,
    ordered=True,
)

PAR_COMPONENTS = pa.DataFrameSchema(
    {
        "index": pa.Column(str, pa.Check.isin(["PAR"])),
        "year": _YEAR,
        "era": pa.Column(str),
        "unit_type": pa.Column(str, pa.Check.isin(list(MAX_RANK))),
        "unit_code": pa.Column(str),
        "unit": pa.Column(str),
        "component": pa.Column(str),
        "field": pa.Column(str, nullable=True),
        "measure": pa.Column(str),
        "value": pa.Column("float64", pa.Check.in_range(0, 100), nullable=True),
        "rank": pa.Column("Int64", pa.Check.in_range(1, 63), nullable=True),
        "max_points": pa.Column("float64", nullable=True),
        **_provenance(),
        "note": pa.Column(str, nullable=True),
        "source_rows": _SOURCE_ROWS,
    },
    unique=["year", "unit_type", "unit_code", "component", "measure"],
    strict=True,
    ordered=True,
)
COMPONENT_RULES: list[Rule] = [_KNOWN_UNIT, _RANK_LIMIT]


def _province_fact_schema(measure_values: bool) -> pa.DataFrameSchema:
    columns = {
        "year": _YEAR,
        "scope": pa.Column(str, pa.Check.isin(["unit", "national"])),
        "province_code": pa.Column(str, nullable=True),
        "province": pa.Column(str, nullable=True),
        "measure": pa.Column(str),
    }
    if measure_values:
        columns["measure_as_published"] = pa.Column(str)
    columns |= {
        "value": pa.Column("float64"),
        "unit_of_measure": pa.Column(str),
        **_provenance(with_source_type=False),
        "source_rows": _SOURCE_ROWS,
    }

    return pa.DataFrameSchema(
        columns,
        unique=["year", "scope", "province_code", "measure"],
        strict=True,
        ordered=True,
    )


def _located(d: pd.DataFrame) -> pd.Series:
    national = d["scope"].eq("national") & d["province_code"].isna()
    return national | d["province_code"].isin(_province_codes())


ONLINE_SERVICES = _province_fact_schema(measure_values=False)
DTI = _province_fact_schema(measure_values=True)
PROVINCE_FACT_RULES: list[Rule] = [
    ("province_code", _located, "province_code is a GSO code (empty only for national figures)")
]

PAR_METHODOLOGY = pa.DataFrameSchema(
    {
        "decision": pa.Column(str),
        "unit_type": pa.Column(str, pa.Check.isin(list(MAX_RANK))),
        "first_year": pa.Column("Int64", nullable=True),
        "last_year": pa.Column("Int64", nullable=True),
        "years_verified": pa.Column(bool),
        "field_no": pa.Column("int64", pa.Check.in_range(1, 8)),
        "field": pa.Column(str),
        "name_vi": pa.Column(str),
        "name_en": pa.Column(str),
        "max_points": pa.Column("float64", pa.Check.in_range(0, 100), nullable=True),
        "max_known": pa.Column(bool),
        "n_criteria": pa.Column("Int64", nullable=True),
        "n_subcriteria": pa.Column("Int64", nullable=True),
        "source": pa.Column(str),
        "max_source": pa.Column(str, nullable=True),
        "note": pa.Column(str, nullable=True),
    },
    unique=["decision", "unit_type", "field"],
    strict=True,
    ordered=True,
)

METHODOLOGY_RULES: list[Rule] = [
    (
        "max_known",
        lambda d: d["max_known"] == d["max_points"].notna(),
        "max_known is true exactly when max_points is given",
    ),
    (
        "max_source",
        lambda d: ~d["max_known"] | d["max_source"].notna(),
        "a known maximum names its source",
    ),
    (
        "max_points",
        lambda d: d.groupby(["decision", "unit_type"])["max_points"].transform("sum") <= 100,
        "the maxima of one decision sum to at most 100 points",
    ),
]

INDEX_ERAS = pa.DataFrameSchema(
    {
        "index": pa.Column(str, pa.Check.isin(["PAR", "SIPAS"])),
        "unit_type": pa.Column(str, pa.Check.isin(["all", "province", "ministry"])),
        "era": pa.Column(str),
        "first_year": pa.Column("int64"),
        "last_year": pa.Column("Int64", nullable=True),
        "break_at_start": pa.Column(bool),
        "verified": pa.Column(bool),
        "description": pa.Column(str),
        "source_url": pa.Column(str, pa.Check.str_startswith("http")),
    },
    unique=["index", "unit_type", "era"],
    strict=True,
    ordered=True,
)
