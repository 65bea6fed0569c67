"""PAR Index and SIPAS by unit and year, as far as the public record gives them.

Only fragments of these tables are public in reusable form: the facts in ``data/raw/facts/``
hold the values and ranks quoted by official releases and the press, one report per row with
its source. Here every (index, unit, year) becomes one row:

* ``value`` (% of the maximum; NaN when only the rank was reported), ``rank`` (1 = best),
  ``band`` (named in a bottom group, e.g. ``bottom3``, when that is all that was reported);
* reports that agree are merged (``n_reports``, ``n_sources``, all URLs in ``sources``);
  reports that disagree set ``conflict`` and list every value with its sources in
  ``alternatives``; the headline follows :data:`~cchc_analysis.sources.reconcile.HEADLINE_RULE`
  and each row says which rule picked it (``headline_rule``);
* ``era`` marks the methodology period (``index_eras.csv``).
"""

from __future__ import annotations

import pandas as pd

from cchc_analysis.schemas.facts import SCORE_RULES, SCORE_TABLE, check_table
from cchc_analysis.sources.factfile import fact_path, read_fact_file, table_inputs
from cchc_analysis.sources.par_methodology import index_era, make_index_eras
from cchc_analysis.sources.reconcile import reconcile
from cchc_analysis.tables import TableSpec

__all__ = [
    "KEY",
    "SCORE_COLUMNS",
    "TABLES",
    "load_par_index",
    "load_sipas",
    "make_par_index",
    "make_sipas",
]

SCORE_COLUMNS = list(SCORE_TABLE.columns)
_FILES = {
    "PAR": ("par_index_provinces.csv", "par_index_ministries.csv"),
    "SIPAS": ("sipas_provinces.csv",),
}
KEY = ["index", "unit_type", "year", "unit_code"]
"""One row per index, unit and year (also the row order of the table)."""
_PACKAGE_INPUTS = ("facts_measures.csv", "ministries.csv", "provinces.csv", "index_eras.csv")


def _score_table(index: str, facts_dir=None) -> pd.DataFrame:
    reports = pd.concat(
        [read_fact_file(name, fact_path(name, facts_dir)) for name in _FILES[index]],
        ignore_index=True,
    )
    key = KEY
    out = reconcile(reports, key)

    # Bands and per-file details that reconcile() does not carry.
    def joined(col: str, sep: str) -> pd.Series:
        return reports.groupby(key, sort=False)[col].agg(
            lambda s: sep.join(dict.fromkeys(s.dropna())) or None
        )

    extra = pd.DataFrame(
        {
            "unit": reports.groupby(key, sort=False)["unit_name"].first(),
            "band": joined("band", ";"),
            "band_size": reports.groupby(key, sort=False)["band_size"].min(),
            "table_status": joined("table_status", " | "),
            "source_file": joined("source_file", ";"),
        }
    ).reset_index()
    out = out.merge(extra, on=key, how="left", validate="one_to_one")
    eras = make_index_eras()
    out["era"] = [index_era(index, int(y), eras) for y in out["year"]]
    out["band"] = out["band"].astype("str")
    out["band_size"] = out["band_size"].astype("Int64")
    out = out.sort_values(KEY, kind="mergesort").reset_index(drop=True)
    dataset = f"{index} facts ({', '.join(_FILES[index])})"
    return check_table(out[SCORE_COLUMNS], SCORE_TABLE, SCORE_RULES, dataset)


def make_par_index() -> pd.DataFrame:
    """PAR Index of provinces and ministries from the facts (see the module docstring)."""
    return _score_table("PAR")


def make_sipas() -> pd.DataFrame:
    """SIPAS of provinces from the facts (see the module docstring)."""
    return _score_table("SIPAS")


TABLES = {
    "par_index": TableSpec(
        name="par_index",
        description="PAR Index of provinces and ministries by year, one row per unit and year, "
        "reconciled from the compiled facts",
        make=make_par_index,
        inputs=table_inputs(_FILES["PAR"], _PACKAGE_INPUTS),
        key=tuple(KEY),
    ),
    "sipas": TableSpec(
        name="sipas",
        description="SIPAS of provinces by year, one row per province and year, reconciled from "
        "the compiled facts",
        make=make_sipas,
        inputs=table_inputs(_FILES["SIPAS"], _PACKAGE_INPUTS),
        key=tuple(KEY),
    ),
}


def _load(index: str, unit_type: str | None, facts_dir) -> pd.DataFrame:
    if facts_dir is None:
        from cchc_analysis import store

        frame = store.load(TABLES[{"PAR": "par_index", "SIPAS": "sipas"}[index]])
    else:
        frame = _score_table(index, facts_dir)
    if unit_type is not None:
        if unit_type not in ("province", "ministry"):
            raise ValueError(f"unit_type must be 'province', 'ministry' or None, got {unit_type!r}")
        frame = frame[frame["unit_type"] == unit_type].reset_index(drop=True)
    return frame


def load_par_index(unit_type: str | None = None, *, facts_dir=None) -> pd.DataFrame:
    """PAR Index by unit and year: ``year, unit_type, unit_code, unit, value, rank, band, ...``.

    ``unit_type`` keeps only ``"province"`` or ``"ministry"`` rows. By default the processed table
    is read (and rebuilt when stale, see :func:`cchc_analysis.store.load`); ``facts_dir``
    reads the facts afresh from another folder instead.
    """
    return _load("PAR", unit_type, facts_dir)


def load_sipas(*, facts_dir=None) -> pd.DataFrame:
    """SIPAS by province and year, in the same shape as :func:`load_par_index`."""
    return _load("SIPAS", None, facts_dir)
