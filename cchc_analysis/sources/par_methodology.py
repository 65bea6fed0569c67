"""How the PAR Index is built, by period, and where the methodology breaks.

Two small reference tables in package data, compiled from ``data/raw/facts/methodology.md``
with their sources:

``par_methodology.csv``
    the fields (lĩnh vực) of the PAR Index per decision (QĐ 2948/QĐ-BNV; QĐ 876/QĐ-BNV from
    2022), with Vietnamese and English names, a field code shared across decisions
    (``procedures``, ``impact``, ...), maximum points where a source states them
    (``max_known``; unknown maxima stay NaN, never guessed) and whether the years a decision
    applied to are documented (``years_verified``).
``index_eras.csv``
    the eras of the PAR Index and SIPAS and whether each begins with a break (the 2016 scale
    change, whose cause is undocumented; QĐ 876 from 2022), for marking years in figures.
"""

from __future__ import annotations

import pandas as pd

from cchc_analysis import paths
from cchc_analysis.errors import DataValidationError
from cchc_analysis.schemas import validate
from cchc_analysis.schemas.facts import INDEX_ERAS, METHODOLOGY_RULES, PAR_METHODOLOGY, check_table
from cchc_analysis.tables import TableSpec
from cchc_analysis.text import normalize_text

__all__ = [
    "TABLES",
    "index_era",
    "load_index_eras",
    "load_par_methodology",
    "make_index_eras",
    "make_par_methodology",
]

_BOOL = {"true": True, "false": False}


def _read(name: str) -> pd.DataFrame:
    frame = pd.read_csv(paths.PACKAGE_DATA / name, dtype=str, keep_default_na=False)
    for col in frame.columns:
        frame[col] = frame[col].map(normalize_text)
    return frame


def _ints(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series.replace("", None)).astype("Int64")


def _bools(series: pd.Series, name: str, dataset: str) -> pd.Series:
    unknown = sorted(set(series) - set(_BOOL))
    if unknown:
        raise DataValidationError(dataset, f"{name} is true or false", detail=repr(unknown))
    return series.map(_BOOL).astype(bool)


def make_par_methodology() -> pd.DataFrame:
    """The PAR Index fields and maximum points per decision, typed and validated."""
    dataset = "par_methodology.csv"
    frame = _read(dataset)
    for col in ("first_year", "last_year", "n_criteria", "n_subcriteria"):
        frame[col] = _ints(frame[col])
    frame["field_no"] = frame["field_no"].astype("int64")
    frame["max_points"] = pd.to_numeric(frame["max_points"].replace("", None)).astype("float64")
    for col in ("years_verified", "max_known"):
        frame[col] = _bools(frame[col], col, dataset)
    for col in ("max_source", "note"):
        frame[col] = frame[col].replace("", None)
    frame = frame.sort_values(["decision", "unit_type", "field"], kind="mergesort")
    return check_table(frame.reset_index(drop=True), PAR_METHODOLOGY, METHODOLOGY_RULES, dataset)


def make_index_eras() -> pd.DataFrame:
    """The eras of the PAR Index and SIPAS, with the breaks that start them."""
    dataset = "index_eras.csv"
    frame = _read(dataset)
    frame["first_year"] = frame["first_year"].astype("int64")
    frame["last_year"] = _ints(frame["last_year"])
    for col in ("break_at_start", "verified"):
        frame[col] = _bools(frame[col], col, dataset)
    frame = frame.sort_values(["index", "unit_type", "era"], kind="mergesort")
    return validate(frame.reset_index(drop=True), INDEX_ERAS, dataset)


def index_era(index: str, year: int, eras: pd.DataFrame | None = None) -> str:
    """The era label of ``index`` (``"PAR"`` or ``"SIPAS"``) in ``year``.

    Raises ``ValueError`` for a year outside every documented era (e.g. SIPAS before 2015).
    """
    eras = make_index_eras() if eras is None else eras
    rows = eras[
        (eras["index"] == index)
        & (eras["first_year"] <= year)
        & (eras["last_year"].isna() | (eras["last_year"] >= year)).astype(bool)
    ]
    if len(rows) != 1:
        raise ValueError(f"no single documented era of {index} for {year} (found {len(rows)})")
    return str(rows["era"].iloc[0])


def _package_inputs(*names: str):
    return lambda: [paths.PACKAGE_DATA / n for n in names]


TABLES = {
    "par_methodology": TableSpec(
        name="par_methodology",
        description="PAR Index fields and maximum points per decision (QĐ 2948, QĐ 876)",
        make=make_par_methodology,
        inputs=_package_inputs("par_methodology.csv"),
        key=("decision", "unit_type", "field"),
    ),
    "index_eras": TableSpec(
        name="index_eras",
        description="Eras and methodology breaks of the PAR Index and SIPAS",
        make=make_index_eras,
        inputs=_package_inputs("index_eras.csv"),
        key=("index", "unit_type", "era"),
    ),
}


def load_par_methodology() -> pd.DataFrame:
    """PAR Index fields per decision: names (vi/en), field code, maximum points or NaN with
    ``max_known=False``, criteria counts and sources."""
    from cchc_analysis import store

    return store.load(TABLES["par_methodology"])


def load_index_eras() -> pd.DataFrame:
    """Eras of the PAR Index and SIPAS; ``break_at_start`` marks the first year of a break."""
    from cchc_analysis import store

    return store.load(TABLES["index_eras"])
