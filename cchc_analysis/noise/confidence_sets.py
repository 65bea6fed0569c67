"""Frequentist confidence sets for ranks and rank changes (Mogstad, Romano, Shaikh & Wilhelm 2024).

Written from the paper's description ("Inference for Ranks with Applications to Mobility across
Neighbourhoods and Academic Achievement across Countries", Review of Economic Studies). With
estimates ``x_j`` of true scores ``theta_j`` (higher = better, rank 1 = best) and standard errors
``s_j``, consider every difference ``theta_k - theta_j`` with its standard error
``s_jk = sqrt(s_j**2 + s_k**2)`` (estimates independent across units, as for survey samples drawn
per province). A critical value ``c`` is the ``level`` quantile of a max-statistic
``max |(X*_k - X*_j) - (x_k - x_j)| / s_jk`` under the bootstrap (here the parametric Gaussian
bootstrap ``X* ~ N(x, diag(s**2))``): the max runs over ``k != j`` for a **marginal** set of unit
``j``, over all pairs for a **simultaneous** set of all units. Then with probability at least
``level`` every ``theta_k - theta_j`` lies in ``x_k - x_j ± c s_jk``, so::

    lower_j = 1 + #{k: x_k - x_j - c s_jk > 0}       (units surely better than j)
    upper_j = N - #{k: x_k - x_j + c s_jk < 0}       (units surely worse than j)

is a confidence set for ``j``'s rank. **Rank change** (this module's extension, built the same way):
for unit ``j`` and years ``t-1, t`` (noise independent across years) the max runs over ``j``'s pairs
in both years, giving a joint set ``[L_{t-1}, U_{t-1}] x [L_t, U_t]`` that holds with probability at
least ``level``; hence the change ``rank_t - rank_{t-1}`` lies in ``[L_t - U_{t-1}, U_t - L_{t-1}]``
and "moved up" is asserted when ``U_t < L_{t-1}``. This is the single-step method (the paper's
step-down refinement can only shrink the sets). With standard errors from a
:class:`~cchc_analysis.noise.estimate.NoiseModel` the noise variance is plugged in as if known.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cchc_analysis.noise.estimate import NoiseModel
from cchc_analysis.ranking.ranks import rank_last_axis


def _max_stats(z: np.ndarray, s: np.ndarray) -> np.ndarray:
    """``|Z_k - Z_j| / s_jk`` maxed over k != j: (draws × units) for bootstrap deviations ``z``."""
    if np.all(s == s[0]):
        # Equal standard errors: s_jk is one constant, and the largest |Z_k - Z_j| over k is
        # against the largest or the smallest Z, so O(units) per draw instead of O(units^2).
        top, bottom = z.max(axis=1, keepdims=True), z.min(axis=1, keepdims=True)
        return np.maximum(top - z, z - bottom) / (s[0] * np.sqrt(2.0))
    # Unequal standard errors: one unit at a time, vectorised over draws and rivals (a full
    # draws × units × units array is slower: it does not fit in cache).
    out = np.empty(z.shape)
    for j in range(z.shape[1]):
        stat = np.abs(z - z[:, j : j + 1]) / np.sqrt(s[j] ** 2 + s**2)
        out[:, j] = stat.max(axis=1)  # k = j contributes 0, never the max (N >= 2)
    return out


def _bounds(x: np.ndarray, s: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rank bounds for every unit from critical values ``c`` (scalar or one per unit)."""
    sjk = np.sqrt(s[:, None] ** 2 + s[None, :] ** 2)
    diff = x[None, :] - x[:, None]  # [j, k] = x_k - x_j
    c = np.broadcast_to(np.asarray(c, dtype=float), x.shape)[:, None]
    np.fill_diagonal(diff, 0.0)
    better = (diff - c * sjk > 0).sum(axis=1)
    worse = (diff + c * sjk < 0).sum(axis=1)
    return 1 + better, len(x) - worse


def _check(x, s, where: str) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float)
    s = np.broadcast_to(np.asarray(s, dtype=float), x.shape).copy()
    if np.isnan(x).any() or not np.isfinite(s).all() or (s <= 0).any():
        raise ValueError(f"{where}: scores must be finite and standard errors positive")
    if len(x) < 2:
        raise ValueError(f"{where}: ranks need at least two units")
    return x, s


def rank_sets(x, s, *, level: float = 0.9, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Marginal and simultaneous rank confidence sets for one ranking (arrays or Series).

    >>> rank_sets([3.0, 2.0, 0.0], [0.1, 0.1, 0.1])[["lo_marginal", "hi_marginal"]].values.tolist()
    [[1, 1], [2, 2], [3, 3]]
    """
    index = x.index if isinstance(x, pd.Series) else None
    x, s = _check(x, s, "rank_sets")
    z = np.random.default_rng(seed).standard_normal((int(n_boot), len(x))) * s
    stats = _max_stats(z, s)
    c_marg = np.quantile(stats, level, axis=0)
    c_simul = np.quantile(stats.max(axis=1), level)
    lo_m, hi_m = _bounds(x, s, c_marg)
    lo_s, hi_s = _bounds(x, s, c_simul)
    return pd.DataFrame(
        {
            "rank": rank_last_axis(x).astype(int),
            "lo_marginal": lo_m,
            "hi_marginal": hi_m,
            "lo_simultaneous": lo_s,
            "hi_simultaneous": hi_s,
        },
        index=index,
    )


def rank_confidence_sets(
    source, se=None, *, level: float = 0.9, n_boot: int = 1000, seed: int = 0
) -> pd.DataFrame:
    """Rank confidence sets (marginal and simultaneous) for every year of a noise model, or for
    one ranking given ``scores`` (Series) and ``se`` (Series or scalar).

    >>> import cchc_analysis as cc
    >>> m = cc.estimate_noise(cc.simulate_panel(seed=3), "D2", index="simulation", n_boot=100)
    >>> t = cc.rank_confidence_sets(m)
    >>> bool(((t.lo_marginal <= t["rank"]) & (t["rank"] <= t.hi_marginal)).all())
    True
    """
    if not isinstance(source, NoiseModel):
        return rank_sets(source, se, level=level, n_boot=n_boot, seed=seed)
    y, sd = source.panel.values, np.sqrt(source.cell_noise_var())
    frames = []
    for t, year in enumerate(source.panel.years):
        scored = ~np.isnan(y[:, t])
        table = rank_sets(y[scored, t], sd[scored, t], level=level, n_boot=n_boot, seed=seed + t)
        table.insert(0, "unit", np.asarray(source.panel.units)[scored])
        table.insert(0, "year", year)
        frames.append(table)
    return pd.concat(frames, ignore_index=True)


def rank_change_confidence(
    source: NoiseModel, *, level: float = 0.9, n_boot: int = 1000, seed: int = 0
) -> pd.DataFrame:
    """Per unit and consecutive-year transition, a ``level`` confidence set for the true rank change.

    Columns: ``year_prev, year_curr, unit, rank_change`` (observed), ``change_lo, change_hi`` and
    ``verdict`` ("up", "down" or "unsure": whether the set excludes 0 and on which side).

    >>> import cchc_analysis as cc
    >>> m = cc.estimate_noise(cc.simulate_panel(seed=3), "D2", index="simulation", n_boot=100)
    >>> set(cc.rank_change_confidence(m)["verdict"]) <= {"up", "down", "unsure"}
    True
    """
    y, sd = source.panel.values, np.sqrt(source.cell_noise_var())
    units = np.asarray(source.panel.units)
    rng = np.random.default_rng(seed)
    stats, ranks = [], []
    for t in range(len(source.panel.years)):
        scored = ~np.isnan(y[:, t])
        z = rng.standard_normal((int(n_boot), int(scored.sum()))) * sd[scored, t]
        full = np.full((int(n_boot), len(units)), np.nan)
        full[:, scored] = _max_stats(z, sd[scored, t])
        stats.append(full)
        ranks.append(rank_last_axis(np.where(scored, y[:, t], np.nan)))
    frames = []
    for t in range(1, len(source.panel.years)):
        both = ~np.isnan(y[:, t]) & ~np.isnan(y[:, t - 1])
        joint = np.maximum(stats[t - 1], stats[t])  # NaN where either year unscored
        c = np.quantile(joint[:, both], level, axis=0)
        bounds = []
        for tt in (t - 1, t):
            scored = ~np.isnan(y[:, tt])
            c_full = np.full(len(units), np.inf)
            c_full[both] = c
            lo, hi = _bounds(y[scored, tt], sd[scored, tt], c_full[scored])
            lo_all = np.full(len(units), np.nan)
            hi_all = np.full(len(units), np.nan)
            lo_all[scored], hi_all[scored] = lo, hi
            bounds.append((lo_all[both], hi_all[both]))
        (lo_p, hi_p), (lo_c, hi_c) = bounds
        change_lo, change_hi = lo_c - hi_p, hi_c - lo_p
        frames.append(
            pd.DataFrame(
                {
                    "year_prev": source.panel.years[t - 1],
                    "year_curr": source.panel.years[t],
                    "unit": units[both],
                    "rank_change": ranks[t][both] - ranks[t - 1][both],
                    "change_lo": change_lo.astype(int),
                    "change_hi": change_hi.astype(int),
                    "verdict": np.where(
                        change_hi < 0, "up", np.where(change_lo > 0, "down", "unsure")
                    ),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
