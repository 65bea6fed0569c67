"""A screen for year-on-year level shifts in the PAPI sub-dimensions, and whether any record explains them.

PAPI changes what a sub-dimension measures from time to time. Some changes are recorded (the
component table ``data/papi_components.csv`` and ``cchc_analysis.models.COMPOSITION_BREAKS``, both
compiled from ``papi_notes.md``); others show only in the values, as a jump of the whole field in
one year. :func:`level_shifts` finds such jumps in every upstream series and says for each whether
a record already explains it, so that every analysis works from one list::

    from cchc_analysis import level_shifts
    shifts = level_shifts()                          # flagged transitions, 2011-2024
    suspected = shifts[~shifts["documented"]]        # what no record explains
"""

from __future__ import annotations

import functools
import math
from itertools import pairwise

import numpy as np
import pandas as pd

from cchc_analysis.errors import CchcDataError, DataValidationError

__all__ = [
    "MIN_SHARE",
    "SCALE_THRESHOLD",
    "SHIFT_COLUMNS",
    "SHIFT_THRESHOLD",
    "flag_rule",
    "level_shifts",
]

SHIFT_THRESHOLD = 1.5
"""Flag a location shift when the median change is at least this many pooled SDs (see below)."""
MIN_SHARE = 0.9
"""... and at least this share of provinces moved in the direction of the median change."""
SCALE_THRESHOLD = 2.0
"""Flag a scale shift when the spread across provinces grows or shrinks by this factor or more."""

SHIFT_COLUMNS = (
    "era",
    "year_prev",
    "year",
    "source_column",
    "dimension",
    "component_prev",
    "component",
    "n_provinces",
    "median_change",
    "pooled_sd",
    "shift_sd",
    "scale_ratio",
    "share_same_direction",
    "location_flag",
    "scale_flag",
    "documented",
    "documented_by",
)
"""Columns of :func:`level_shifts`, in order."""


def flag_rule(
    *,
    shift_threshold: float = SHIFT_THRESHOLD,
    min_share: float = MIN_SHARE,
    scale_threshold: float = SCALE_THRESHOLD,
) -> str:
    """The rule :func:`level_shifts` applies with these thresholds, in words, for printing.

    Both directions of the scale rule are named (the spread doubles *or halves*), as the screen
    flags both: ``flag_rule()`` gives ``"|shift| ≥ 1.5 SD with ≥ 90% of provinces moving that
    way, or spread ratio ≥ 2 or ≤ 1/2"``.
    """
    inverse = 1 / scale_threshold
    shrink = f"1/{scale_threshold:g}" if float(scale_threshold).is_integer() else f"{inverse:.3g}"
    return (
        f"|shift| ≥ {shift_threshold:g} SD with ≥ {min_share:.0%} of provinces moving that way, "
        f"or spread ratio ≥ {scale_threshold:g} or ≤ {shrink}"
    )


_NEEDED = ("year", "province_code", "level", "component", "parent", "source_column", "value")


def level_shifts(
    papi: pd.DataFrame | None = None,
    *,
    shift_threshold: float = SHIFT_THRESHOLD,
    min_share: float = MIN_SHARE,
    scale_threshold: float = SCALE_THRESHOLD,
    all_transitions: bool = False,
) -> pd.DataFrame:
    """Year-on-year shifts of location or scale in each PAPI sub-dimension, one row per transition.

    ``papi`` is the tidy frame of :func:`cchc_analysis.load_papi` (read when ``None``); only its
    sub-dimension rows are used. A series is followed by its upstream column (``source_column``),
    so PAPI's renumbering (``D5.3`` became ``D5.2`` in 2021) does not break it, and only between
    consecutive years of one methodology era (never across 2017 -> 2018). Each transition compares
    the provinces released in both years, so a province entering or leaving a release moves nothing.

    The statistics, and why these thresholds:

    * ``shift_sd``: the median of the provinces' own changes, in units of the pooled spread across
      provinces (the root mean square of the two years' standard deviations). Differences between
      provinces are what rankings and cross-sections rest on, so a move is measured against them.
      A whole field moving by ``shift_threshold`` = 1.5 spreads in one year takes the median
      province past about 93% of last year's provinces; provincial governance does not change
      that fast, a change in a question or its scaling does. (In 2011-2024 the median move is
      about a quarter of a spread.)
    * ``share_same_direction``: the share of provinces whose change has the sign of the median
      change. A re-measurement moves every province; a real change, however widespread, leaves
      some behind. ``min_share`` = 0.9 is what a uniform shift of 1.5 spreads gives when provinces
      keep about half of their relative standing from one year to the next (year-on-year
      correlation 0.5: share = Phi(1.5 / sqrt(2 (1 - 0.5))) = 0.93), so the two thresholds agree
      for a pure shift and the share rule only drops moves of the median the field does not share.
      A location shift is flagged when both hold.
    * ``scale_ratio``: this year's standard deviation across provinces over last year's. In an
      additive index a part's weight in the rank order follows its spread, so a halved or doubled
      spread (``scale_threshold`` = 2) halves or doubles the part's weight. For about 60 provinces
      the sampling error of a log ratio of standard deviations is at most about 0.13, so a factor
      of 2 (log 0.69) is far beyond noise; the rescalings PAPI records when it changes the number
      of parts of a dimension are milder (x0.67 to x1.33) and are found by the location rule.

    ``documented`` is true when a record explains the transition: the component table shows the
    series renumbered, relabelled or rescaled, or its dimension re-composed that year (parts added,
    dropped, relabelled or rescaled), a record of ``data/methodology_records.csv`` names the
    series (:func:`cchc_analysis.methodology_records`), or a
    :data:`~cchc_analysis.models.COMPOSITION_BREAKS` entry names the series or its dimension from
    that year. ``documented_by`` says which (empty if none).

    Returns the flagged transitions (``location_flag`` or ``scale_flag``), or every transition
    with ``all_transitions=True``, sorted by year and column; columns :data:`SHIFT_COLUMNS`. A
    transition with fewer than two provinces in both years has missing statistics and is never
    flagged. The screen is a screen: a genuine nationwide change of that size would be flagged too.
    """
    if not shift_threshold > 0 or not scale_threshold > 1 or not 0 <= min_share <= 1:
        raise ValueError(
            "thresholds: shift_threshold > 0, scale_threshold > 1 and 0 <= min_share <= 1; got "
            f"{shift_threshold!r}, {scale_threshold!r}, {min_share!r}"
        )
    if papi is None:
        from cchc_analysis.sources.papi import load_papi

        papi = load_papi()
    subs = _subdimensions(papi)
    explained = _explanations()
    rows = []
    for (era, column), series in subs.groupby(["era", "source_column"], sort=True):
        values = series.pivot(index="province_code", columns="year", values="value")
        labels = series.drop_duplicates("year").set_index("year")
        for prev, year in pairwise(sorted(values.columns)):
            if year - prev != 1:
                continue
            stats = _transition(values[prev], values[year])
            explanation = explained.get((column, int(year)), "")
            rows.append(
                {
                    "era": era,
                    "year_prev": int(prev),
                    "year": int(year),
                    "source_column": column,
                    "dimension": labels.at[year, "parent"],
                    "component_prev": labels.at[prev, "component"],
                    "component": labels.at[year, "component"],
                    **stats,
                    "documented": bool(explanation),
                    "documented_by": explanation,
                }
            )
    flags = ("location_flag", "scale_flag")
    table = pd.DataFrame(rows, columns=[c for c in SHIFT_COLUMNS if c not in flags])
    table["location_flag"] = (table["shift_sd"].abs() >= shift_threshold) & (
        table["share_same_direction"] >= min_share
    )
    ratio = table["scale_ratio"]
    table["scale_flag"] = (ratio >= scale_threshold) | (ratio <= 1 / scale_threshold)
    table = _typed(table)
    if not all_transitions:
        table = table[table["location_flag"] | table["scale_flag"]]
    return table.sort_values(["year", "source_column"], kind="mergesort").reset_index(drop=True)


def _subdimensions(papi: pd.DataFrame) -> pd.DataFrame:
    """The sub-dimension rows, checked: numeric values, one per (year, province, column), eras."""
    missing = [c for c in _NEEDED if c not in papi.columns]
    if missing:
        raise CchcDataError(
            f"level_shifts needs the tidy PAPI frame of load_papi(); missing columns {missing}"
        )
    columns = [*_NEEDED, "era"] if "era" in papi.columns else list(_NEEDED)
    subs = papi.loc[papi["level"] == "subdimension", columns]
    if subs.empty:
        raise CchcDataError("level_shifts: the frame has no sub-dimension rows")
    bad = subs["value"].isna() | subs["source_column"].isna()
    if bad.any():
        raise DataValidationError(
            "PAPI frame given to level_shifts",
            "every sub-dimension row has a value and a source_column",
            subs.index[bad].tolist(),
        )
    key = ["year", "province_code", "source_column"]
    dup = subs.duplicated(key, keep=False)
    if dup.any():
        raise DataValidationError(
            "PAPI frame given to level_shifts",
            "one row per (year, province_code, source_column)",
            subs.index[dup].tolist(),
        )
    subs = subs.astype({"value": "float64", "year": "int64"})
    if "era" not in subs.columns:
        from cchc_analysis.schemas.papi import ERAS
        from cchc_analysis.sources.papi import ERA_BREAK

        subs["era"] = np.where(subs["year"] < ERA_BREAK, ERAS[0], ERAS[1])
    return subs


def _transition(before: pd.Series, after: pd.Series) -> dict[str, float | int]:
    """The statistics of one transition over the provinces present in both years."""
    x0 = before.to_numpy(dtype=float, na_value=np.nan)
    x1 = after.to_numpy(dtype=float, na_value=np.nan)
    both = ~(np.isnan(x0) | np.isnan(x1))
    x0, x1 = x0[both], x1[both]
    n = len(x0)
    if n < 2:
        return {
            "n_provinces": n,
            "median_change": math.nan,
            "pooled_sd": math.nan,
            "shift_sd": math.nan,
            "scale_ratio": math.nan,
            "share_same_direction": math.nan,
        }
    change = x1 - x0
    median = float(np.median(change))
    sd0, sd1 = float(np.std(x0, ddof=1)), float(np.std(x1, ddof=1))
    pooled = math.sqrt((sd0**2 + sd1**2) / 2)
    # A constant series has no spread to measure against: any move is then infinitely large.
    shift = (
        median / pooled if pooled > 0 else (0.0 if median == 0 else math.copysign(math.inf, median))
    )
    ratio = sd1 / sd0 if sd0 > 0 else (1.0 if sd1 == 0 else math.inf)
    share = float(np.mean(np.sign(change) == np.sign(median))) if median != 0 else 0.0
    return {
        "n_provinces": n,
        "median_change": median,
        "pooled_sd": pooled,
        "shift_sd": shift,
        "scale_ratio": ratio,
        "share_same_direction": share,
    }


def _typed(table: pd.DataFrame) -> pd.DataFrame:
    types = {
        "year_prev": "int64",
        "year": "int64",
        "n_provinces": "int64",
        "location_flag": "bool",
        "scale_flag": "bool",
        "documented": "bool",
    }
    types |= {
        c: "float64"
        for c in ("median_change", "pooled_sd", "shift_sd", "scale_ratio", "share_same_direction")
    }
    types |= {
        c: "str"
        for c in (
            "era",
            "source_column",
            "dimension",
            "component_prev",
            "component",
            "documented_by",
        )
    }
    return table.astype(types)[list(SHIFT_COLUMNS)]


# ---------------------------------------------------------------------------------------------
# What the records explain
# ---------------------------------------------------------------------------------------------


@functools.cache
def _explanations() -> dict[tuple[str, int], str]:
    """``{(source_column, year): why}`` for transitions year-1 -> year a record explains."""
    from cchc_analysis.models.panel import COMPOSITION_BREAKS
    from cchc_analysis.sources.papi import components

    # Plain records keyed by (year, column): this runs once per session over ~300 transitions,
    # and frame look-ups made it the slower half of level_shifts.
    subs = {
        (row["year"], row["source_column"]): row
        for row in components().to_dict("records")
        if row["level"] == "subdimension"
    }
    parts: dict[tuple[int, str], dict[str, dict]] = {}
    for (year, column), row in subs.items():
        parts.setdefault((year, row["parent"]), {})[column] = row
    found: dict[tuple[str, int], list[str]] = {}
    for year, column in subs:
        if (year - 1, column) not in subs:
            continue
        old, new = subs[(year - 1, column)], subs[(year, column)]
        if old["era"] != new["era"]:
            continue
        own = _differences(old, new)
        if own:
            found.setdefault((column, year), []).append("component table: " + "; ".join(own))
            continue
        recomposed = _recomposition(parts[(year - 1, old["parent"])], parts[(year, new["parent"])])
        if recomposed:
            found.setdefault((column, year), []).append(
                f"component table: {new['parent']} re-composed ({recomposed}); this part unchanged"
            )
    # records the component table cannot show (cchc_analysis.methodology, one list for every use)
    from cchc_analysis.methodology import RECORDS_FILE, methodology_records

    for rec in methodology_records("PAPI").itertuples(index=False):
        for year in range(rec.year_prev + 1, rec.year_curr + 1):
            if (year, rec.part) in subs and (year - 1, rec.part) in subs:
                found.setdefault((rec.part, year), []).append(f"{RECORDS_FILE}: {rec.what}")
    for brk in COMPOSITION_BREAKS:
        named = set(brk.components)
        for year, column in subs:
            if year != brk.year or (year - 1, column) not in subs:
                continue
            row = subs[(year, column)]
            if named & {column, row["component"], row["parent"]}:
                found.setdefault((column, year), []).append(
                    f"COMPOSITION_BREAKS {brk.year}: {brk.what}"
                )
    return {key: " | ".join(reasons) for key, reasons in found.items()}


def _differences(old: dict, new: dict) -> list[str]:
    """How one sub-dimension's record differs between two years."""
    out = []
    if old["component"] != new["component"]:
        out.append(f"numbered {old['component']} -> {new['component']}")
    if not math.isclose(old["max_value"], new["max_value"]):
        out.append(f"maximum {old['max_value']:.3g} -> {new['max_value']:.3g}")
    if old["name_en"] != new["name_en"]:
        out.append(f"label {old['name_en']!r} -> {new['name_en']!r}")
    return out


def _recomposition(old: dict[str, dict], new: dict[str, dict]) -> str:
    """The parts of a dimension (records by column) that were added, dropped, relabelled or
    rescaled."""
    dropped = sorted(set(old) - set(new))
    added = sorted(set(new) - set(old))
    kept = sorted(set(old) & set(new))
    changed = [c for c in kept if _differences(old[c], new[c])]
    what = [
        f"dropped {', '.join(dropped)}" if dropped else "",
        f"added {', '.join(added)}" if added else "",
        f"changed {', '.join(changed)}" if changed else "",
    ]
    return "; ".join(w for w in what if w)
