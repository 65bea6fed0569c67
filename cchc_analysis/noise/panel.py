"""One component's scores as a units × years matrix, checked before any noise model sees it.

The noise model needs the same quantity measured in at least three consecutive-enough years (lag-2
autocovariances) for enough units to average over, inside one composition (no break in the
window). Missing unit-years stay NaN: the moments use every pair that is available.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cchc_analysis.noise.breaks import WindowError, check_window

MIN_YEARS = 3
"""Lag-2 autocovariances need three years."""
MIN_UNITS = 10
"""Cross-unit moments from fewer units are too unstable to split signal from noise."""
UNIT_COLUMNS = ("province_code", "unit")


@dataclass(frozen=True)
class ScorePanel:
    """``values`` (units × years, NaN = missing) of one ``component``, ``se`` likewise or None."""

    component: str
    index: str
    units: tuple[str, ...]
    years: tuple[int, ...]
    values: np.ndarray
    se: np.ndarray | None = None

    def frame(self) -> pd.DataFrame:
        """The values as a DataFrame (index = units, columns = years)."""
        return pd.DataFrame(self.values, index=list(self.units), columns=list(self.years))


def _unit_column(frame: pd.DataFrame) -> str:
    for col in UNIT_COLUMNS:
        if col in frame.columns:
            return col
    raise ValueError(f"the frame needs a unit column, one of {list(UNIT_COLUMNS)}")


def score_panel(
    frame: pd.DataFrame,
    component: str,
    years=None,
    *,
    se=None,
    index: str = "papi",
    check_breaks: bool = True,
) -> ScorePanel:
    """Units × years of ``component`` from a tidy long frame (``year``, unit, ``component``, ``value``).

    Refuses (:class:`~cchc_analysis.noise.breaks.WindowError`) a window that crosses a composition
    break of the component, has fewer than :data:`MIN_YEARS` years or fewer than :data:`MIN_UNITS`
    units. ``se``: optional standard errors, a long frame with the same keys and a column ``se``
    (or a Series indexed by (unit, year)); they replace the estimated noise for those cells.

    >>> import cchc_analysis as cc
    >>> p = score_panel(cc.simulate_panel(seed=1), "D1", range(2001, 2008), index="simulation")
    >>> p.values.shape
    (63, 7)
    """
    unit = _unit_column(frame)
    rows = frame[frame["component"] == component]
    if rows.empty:
        raise WindowError(f"{component}: no rows for this component in the frame")
    if years is None:
        years = sorted(rows["year"].unique())
    years = sorted({int(y) for y in years})
    if len(years) < MIN_YEARS:
        raise WindowError(
            f"{component}: {len(years)} year(s) {years}; the noise model needs at least {MIN_YEARS} "
            "(variance, lag-1 and lag-2 autocovariances)"
        )
    gaps = sorted(set(range(years[0], years[-1] + 1)) - set(years))
    if gaps:
        raise WindowError(
            f"{component}: years {gaps} missing from the window; lags need consecutive years"
        )
    if check_breaks and index.lower() != "simulation":
        check_window(component, years, index)
    rows = rows[rows["year"].isin(years)]
    dup = rows.duplicated(["year", unit])
    if dup.any():
        first = rows[dup].iloc[0]
        raise ValueError(
            f"{component}: more than one row for unit {first[unit]} in {first['year']} "
            "(one row per unit-year-component expected)"
        )
    wide = rows.pivot(index=unit, columns="year", values="value").reindex(columns=years)
    wide = wide.sort_index()
    empty = [y for y in years if wide[y].notna().sum() == 0]
    if empty:
        raise WindowError(f"{component}: no scores in {empty}")
    n_units = int(wide.notna().any(axis=1).sum())
    fewest = int(wide.notna().sum().min())
    if fewest < MIN_UNITS:
        raise WindowError(
            f"{component}: only {fewest} unit(s) scored in some year of {years[0]}-{years[-1]} "
            f"({n_units} in all); the noise model needs at least {MIN_UNITS} per year"
        )
    se_arr = None if se is None else _se_matrix(se, wide, component, unit)
    return ScorePanel(
        component=component,
        index=index,
        units=tuple(map(str, wide.index)),
        years=tuple(years),
        values=wide.to_numpy(dtype=float),
        se=se_arr,
    )


def _se_matrix(se, wide: pd.DataFrame, component: str, unit: str) -> np.ndarray:
    """User standard errors aligned to ``wide``; every scored cell needs one, positive."""
    if isinstance(se, pd.DataFrame):
        if "component" in se.columns:
            se = se[se["component"] == component]
        se_unit = _unit_column(se)
        series = se.set_index([se_unit, "year"])["se"]
    else:
        series = pd.Series(se)
    series.index = pd.MultiIndex.from_tuples(
        [(str(u), int(y)) for u, y in series.index], names=["unit", "year"]
    )
    if series.index.duplicated().any():
        raise ValueError(f"se for {component}: more than one value for some (unit, year)")
    out = series.unstack("year").reindex(index=wide.index.astype(str), columns=wide.columns)
    arr = out.to_numpy(dtype=float)
    scored = ~np.isnan(wide.to_numpy(dtype=float))
    lacking = scored & ~np.isfinite(arr)
    if lacking.any():
        i, t = np.argwhere(lacking)[0]
        raise ValueError(
            f"se for {component}: missing for unit {wide.index[i]} in {wide.columns[t]} "
            f"({int(lacking.sum())} scored cell(s) without a standard error)"
        )
    if (arr[scored] <= 0).any():
        raise ValueError(f"se for {component}: standard errors must be positive")
    return np.where(scored, arr, np.nan)
