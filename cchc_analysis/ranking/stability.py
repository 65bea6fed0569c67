"""How stable ranks are: from one year to the next, and under uncertain weights."""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from cchc_analysis.errors import DataValidationError
from cchc_analysis.ranking._inputs import align_years, as_component_vector, as_wide
from cchc_analysis.ranking._transition import _sorted
from cchc_analysis.ranking.ranks import composite, rank_last_axis


def rank_stability(
    panel,
    weights=None,
    *,
    year: str = "year",
    unit: str = "unit",
    component: str = "component",
    value: str = "value",
) -> pd.DataFrame:
    """Kendall τ-b and Spearman ρ between consecutive years, for the composite and each component.

    ``panel`` is a dict ``{year: wide scores}`` or a long frame with columns ``year``, ``unit``,
    ``component``, ``value`` (names adjustable). Consecutive means consecutive among the years
    given, so pass one comparable era at a time. Each statistic uses the units with a value in both
    years (``n``); with fewer than two units, or a series constant in one year, it is undefined and
    reported as NaN. Both come from :mod:`scipy.stats` (τ-b corrects for ties).
    """
    years = _panel(panel, year, unit, component, value)
    keys = sorted(years)
    rows = []
    for y0, y1 in itertools.pairwise(keys):
        p, c = align_years(years[y0], years[y1])
        series = {"composite": (composite(p, weights), composite(c, weights), "composite")}
        for comp in p.columns:
            series[str(comp)] = (p[comp], c[comp], "component")
        for name, (a, b, level) in series.items():
            both = a.dropna().index.intersection(b.dropna().index)
            x, y = a.loc[both].to_numpy(), b.loc[both].to_numpy()
            tau = rho = (np.nan, np.nan)
            if len(both) >= 2:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # constant input: scipy returns NaN and warns
                    tau = stats.kendalltau(x, y, variant="b")
                    rho = stats.spearmanr(x, y)
            rows.append((y0, y1, name, level, len(both), *map(float, tau), *map(float, rho)))
    cols = ["year_prev", "year_curr", "series", "level", "n"]
    cols += ["kendall_tau_b", "kendall_pvalue", "spearman_rho", "spearman_pvalue"]
    return pd.DataFrame(rows, columns=cols)


def _panel(panel, year, unit, component, value) -> dict:
    if isinstance(panel, Mapping):
        years = dict(panel)
    elif isinstance(panel, pd.DataFrame):
        missing = [c for c in (year, unit, component, value) if c not in panel.columns]
        if missing:
            raise DataValidationError(
                "panel",
                "long format",
                detail=f"missing columns {missing}; pass a dict {{year: wide}} or name the columns",
            )
        dup = panel.duplicated([year, unit, component], keep=False)
        if dup.any():
            raise DataValidationError(
                "panel",
                "one row per (year, unit, component)",
                list(panel.index[dup]),
                "filter the panel to one level (e.g. dimensions) first",
            )
        years = {
            y: g.pivot(index=unit, columns=component, values=value)
            for y, g in panel.groupby(year, sort=True)
        }
    else:
        raise TypeError("panel must be a dict {year: wide scores} or a long DataFrame")
    if len(years) < 2:
        raise DataValidationError("panel", "at least two years", detail=f"got {list(years)}")
    return years


def rank_uncertainty(
    wide: pd.DataFrame,
    weights=None,
    n_draws: int = 10_000,
    seed: int = 0,
    concentration: float = 100.0,
    prev: pd.DataFrame | None = None,
    band: tuple[float, float] = (0.05, 0.95),
) -> pd.DataFrame:
    """Ranks under randomly perturbed weights: median and band per unit, and sign stability.

    Weight shares are drawn from a Dirichlet distribution with mean equal to the nominal shares
    ``s = w / Σw`` and parameters ``concentration · s`` (so a share's standard deviation is
    ``sqrt(s(1-s)/(concentration+1))``: about 26% of an eighth with the default 100), then scaled
    back to the nominal total, so the nominal weights are the mean draw. Components with weight 0
    stay at 0. All draws are ranked at once.

    Returns one row per ranked unit: ``rank`` (nominal), ``rank_median`` and the band (e.g.
    ``rank_p05``, ``rank_p95``), all attained ranks (inverted-CDF quantiles). With ``prev`` (year
    t-1, same components) the same weight draw ranks both years: ``rank_prev``, ``rank_change``
    (nominal) and ``p_same_sign``, the share of draws in which the rank change has the nominal
    change's sign (up, down, or none); NaN for units not ranked in year t-1.
    """
    if int(n_draws) != n_draws or n_draws < 1:
        raise ValueError(f"n_draws must be a positive integer, got {n_draws!r}")
    if not concentration > 0:
        raise ValueError(f"concentration must be positive, got {concentration!r}")
    lo, hi = band
    if not 0 < lo < 0.5 < hi < 1:
        raise ValueError(f"band must be two probabilities around 0.5, got {band!r}")
    if prev is None:
        curr_w = as_wide(wide, "wide scores")
    else:
        prev, curr_w = align_years(prev, wide)
    w = as_component_vector(weights, curr_w.columns, "weights", default=1.0, positive=False)
    if not w.sum() > 0:
        raise DataValidationError("weights", "some positive weight", detail="all weights are 0")
    rng = np.random.default_rng(seed)
    draws = np.zeros((int(n_draws), len(w)))
    live = w > 0
    draws[:, live] = rng.dirichlet(concentration * w[live] / w.sum(), size=int(n_draws)) * w.sum()

    nominal = composite(curr_w, weights)
    units = _sorted(nominal.index[nominal.notna()])
    ranks = _draw_ranks(curr_w.loc[units], draws)
    quant = np.quantile(ranks, [lo, 0.5, hi], axis=0, method="inverted_cdf").astype(np.int64)
    nominal_rank = rank_last_axis(nominal.loc[units].to_numpy())
    out = pd.DataFrame(
        {
            "rank": nominal_rank,
            "rank_median": quant[1],
            f"rank_p{round(lo * 100):02d}": quant[0],
            f"rank_p{round(hi * 100):02d}": quant[2],
        },
        index=units,
    )
    out.index.name = "unit"
    if prev is not None:
        nominal_prev = composite(prev, weights)
        prev_units = _sorted(nominal_prev.index[nominal_prev.notna()])
        prev_ranks = _draw_ranks(prev.loc[prev_units], draws)
        prev_rank = pd.Series(rank_last_axis(nominal_prev.loc[prev_units].to_numpy()), prev_units)
        both = units.intersection(prev_units)
        change = ranks[:, units.get_indexer(both)] - prev_ranks[:, prev_units.get_indexer(both)]
        nominal_change = out.loc[both, "rank"].to_numpy() - prev_rank.loc[both].to_numpy()
        same = (np.sign(change) == np.sign(nominal_change)).mean(axis=0)
        out["rank_prev"] = prev_rank.reindex(units).astype(float)
        out["rank_change"] = out["rank"] - out["rank_prev"]
        out["p_same_sign"] = pd.Series(same, index=both).reindex(units)
    return out


def _draw_ranks(wide: pd.DataFrame, draws: np.ndarray) -> np.ndarray:
    """Ranks (draws × units) of the composite under each weight draw."""
    return rank_last_axis(draws @ wide.to_numpy().T)
