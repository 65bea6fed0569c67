"""Empirical-Bayes posterior of the true scores, and what it says about ranks and rank changes.

Given a :class:`~cchc_analysis.noise.estimate.NoiseModel`, each unit's de-meaned scores over the
window are Gaussian: prior ``theta_i ~ N(0, s2 * rho**|t-s|)`` (the AR(1) signal), observation
``y_it = theta_it + e_it`` with noise variance per cell (estimated, or the user's ``se**2``).
The posterior of ``theta_i`` over all years of the window is Gaussian too (a missing year is
simply not observed, and its neighbours still inform it), so each unit is shrunk toward its own
signal path using every year, not only the two years of a transition.

Draws are joint across years and units (units independent given the parameters). By default the
parameters themselves are drawn from the bootstrap (``parameter_uncertainty``): the posterior then
reflects that the noise variance is estimated, not known. True ranks in year ``t`` are ranks of
the true scores among the units scored that year (as the published ranks); a rank change is
``rank_t - rank_(t-1)`` (negative = moved up), for units scored in both years.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cchc_analysis.noise.estimate import NoiseModel
from cchc_analysis.ranking.ranks import rank_last_axis


@dataclass(frozen=True)
class PosteriorDraws:
    """``draws`` (draws × units × years) of true scores (year effects added back), and the data."""

    model: NoiseModel
    draws: np.ndarray

    @property
    def units(self) -> tuple[str, ...]:
        return self.model.panel.units

    @property
    def years(self) -> tuple[int, ...]:
        return self.model.panel.years

    def true_ranks(self) -> np.ndarray:
        """Ranks of the drawn true scores per draw and year (draws × years × units; NaN unscored)."""
        seen = ~np.isnan(self.model.panel.values)
        scores = np.where(seen.T[None], np.swapaxes(self.draws, 1, 2), np.nan)
        return rank_last_axis(scores).astype(float)

    def observed_ranks(self) -> np.ndarray:
        """Ranks of the observed scores (years × units)."""
        return rank_last_axis(self.model.panel.values.T).astype(float)


def _posterior_moments(y: np.ndarray, noise_var: np.ndarray, s2: float, rho: float):
    """Posterior means (units × T) and square roots of covariances (units × T × T), vectorised
    over units that share a missingness pattern."""
    n, t = y.shape
    if not np.isfinite(rho) or s2 <= 0:
        s2, rho = 0.0, 0.0
    lags = np.abs(np.subtract.outer(np.arange(t), np.arange(t)))
    prior = s2 * rho**lags
    mean = np.zeros((n, t))
    root = np.zeros((n, t, t))
    seen = ~np.isnan(y)
    patterns, which = np.unique(seen, axis=0, return_inverse=True)
    for p, pattern in enumerate(patterns):
        units = np.flatnonzero(which.ravel() == p)
        obs = np.flatnonzero(pattern)
        if obs.size == 0:
            cov = np.broadcast_to(prior, (units.size, t, t))
        else:
            s_oo = prior[np.ix_(obs, obs)]
            s_ao = prior[:, obs]
            a = s_oo[None] + np.einsum("ij,nj->nij", np.eye(obs.size), noise_var[np.ix_(units, obs)])
            gain = np.linalg.solve(a, np.broadcast_to(s_ao.T, (units.size, obs.size, t)))
            gain = np.swapaxes(gain, 1, 2)  # units × T × |O|: S_ao A^-1
            mean[units] = np.einsum("nij,nj->ni", gain, y[np.ix_(units, obs)])
            cov = prior[None] - gain @ s_ao.T[None]
        w, q = np.linalg.eigh((cov + np.swapaxes(cov, 1, 2)) / 2)
        root[units] = q * np.sqrt(np.clip(w, 0, None))[:, None, :]
    return mean, root


def posterior_draws(
    model: NoiseModel,
    n_draws: int = 4000,
    *,
    seed: int = 0,
    parameter_uncertainty: bool = True,
    n_parameter_draws: int = 25,
) -> PosteriorDraws:
    """Draw true scores for every unit and year of the window from the empirical-Bayes posterior.

    With ``parameter_uncertainty`` the draws are split among ``n_parameter_draws`` bootstrap
    replications of (signal variance, rho, noise variance), so the estimated noise's own
    uncertainty widens the posterior.

    >>> import cchc_analysis as cc
    >>> m = cc.estimate_noise(cc.simulate_panel(seed=2), "D1", index="simulation", n_boot=100)
    >>> cc.posterior_draws(m, 400).draws.shape
    (400, 63, 7)
    """
    y = model.panel.values
    yd = y - model.year_means[None]
    rng = np.random.default_rng(seed)
    if parameter_uncertainty and len(model.boot) > 0:
        k = min(int(n_parameter_draws), len(model.boot))
        rows = model.boot.iloc[rng.choice(len(model.boot), size=k, replace=False)]
        params = list(rows[["signal_var", "rho", "noise_var"]].itertuples(index=False, name=None))
    else:
        params = [(model.signal_var, model.rho, model.noise_var)]
    sizes = np.full(len(params), n_draws // len(params))
    sizes[: n_draws - sizes.sum()] += 1
    supplied = model.panel.se is not None
    out = np.empty((n_draws, *y.shape))
    start = 0
    for (s2, rho, n2), size in zip(params, sizes, strict=True):
        noise = model.cell_noise_var() if supplied else np.where(np.isnan(y), np.nan, n2)
        mean, root = _posterior_moments(yd, noise, float(s2), float(rho))
        z = rng.standard_normal((int(size), *y.shape))
        out[start : start + size] = mean[None] + np.einsum("nij,dnj->dni", root, z)
        start += size
    out += model.year_means[None, None]
    return PosteriorDraws(model=model, draws=out)


def _as_draws(source, n_draws: int, seed: int) -> PosteriorDraws:
    if isinstance(source, PosteriorDraws):
        return source
    if isinstance(source, NoiseModel):
        return posterior_draws(source, n_draws, seed=seed)
    raise TypeError("pass a NoiseModel or PosteriorDraws")


def posterior_ranks(source, *, level: float = 0.9, n_draws: int = 4000, seed: int = 0) -> pd.DataFrame:
    """Per year and unit: observed rank, posterior mean and median rank, and a ``level`` interval.

    >>> import cchc_analysis as cc
    >>> m = cc.estimate_noise(cc.simulate_panel(seed=2), "D1", index="simulation", n_boot=100)
    >>> list(cc.posterior_ranks(m, n_draws=400).columns)[:4]
    ['year', 'unit', 'rank', 'rank_mean']
    """
    pd_ = _as_draws(source, n_draws, seed)
    true = pd_.true_ranks()  # draws × years × units
    obs = pd_.observed_ranks()
    q = [(1 - level) / 2, 0.5, (1 + level) / 2]
    frames = []
    for t, year in enumerate(pd_.years):
        scored = ~np.isnan(obs[t])
        ranks = true[:, t, scored]
        lo, med, hi = np.quantile(ranks, q, axis=0, method="inverted_cdf")
        frames.append(
            pd.DataFrame(
                {
                    "year": year,
                    "unit": np.asarray(pd_.units)[scored],
                    "rank": obs[t, scored],
                    "rank_mean": ranks.mean(axis=0),
                    "rank_median": med,
                    "rank_lo": lo,
                    "rank_hi": hi,
                }
            )
        )
    table = pd.concat(frames, ignore_index=True)
    return table


def posterior_rank_changes(
    source, *, level: float = 0.9, n_draws: int = 4000, seed: int = 0
) -> pd.DataFrame:
    """Per unit and consecutive-year transition: how sure is the observed rank change?

    Columns: ``year_prev, year_curr, unit, rank_prev, rank_curr, rank_change`` (observed,
    negative = up), ``p_up`` = P(true rank improved), ``p_same_sign`` = P(true change has the
    observed sign; for an observed 0, P(true change 0)), ``change_lo, change_hi`` = ``level``
    interval of the true rank change, ``change_median``.

    >>> import cchc_analysis as cc
    >>> m = cc.estimate_noise(cc.simulate_panel(seed=2), "D1", index="simulation", n_boot=100)
    >>> t = cc.posterior_rank_changes(m, n_draws=400)
    >>> bool(t["p_up"].between(0, 1).all())
    True
    """
    pd_ = _as_draws(source, n_draws, seed)
    true = pd_.true_ranks()
    obs = pd_.observed_ranks()
    frames = []
    q = [(1 - level) / 2, 0.5, (1 + level) / 2]
    for t in range(1, len(pd_.years)):
        both = ~np.isnan(obs[t]) & ~np.isnan(obs[t - 1])
        d_true = true[:, t, both] - true[:, t - 1, both]
        d_obs = obs[t, both] - obs[t - 1, both]
        sign = np.sign(d_obs)
        lo, med, hi = np.quantile(d_true, q, axis=0, method="inverted_cdf")
        frames.append(
            pd.DataFrame(
                {
                    "year_prev": pd_.years[t - 1],
                    "year_curr": pd_.years[t],
                    "unit": np.asarray(pd_.units)[both],
                    "rank_prev": obs[t - 1, both],
                    "rank_curr": obs[t, both],
                    "rank_change": d_obs,
                    "p_up": (d_true < 0).mean(axis=0),
                    "p_same_sign": (np.sign(d_true) == sign[None]).mean(axis=0),
                    "change_lo": lo,
                    "change_median": med,
                    "change_hi": hi,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
