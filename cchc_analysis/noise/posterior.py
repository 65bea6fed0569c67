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

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cchc_analysis.noise.estimate import NoiseModel
from cchc_analysis.ranking.ranks import rank_last_axis


@dataclass(frozen=True, eq=False)
class PosteriorDraws:
    """``draws`` (draws × units × years) of true scores (year effects added back), and the data.

    ``draws`` may be a strided view (the sampler works in draws × years × units).
    """

    model: NoiseModel
    draws: np.ndarray

    @property
    def units(self) -> tuple[str, ...]:
        return self.model.panel.units

    @property
    def years(self) -> tuple[int, ...]:
        return self.model.panel.years

    @functools.cached_property
    def _ranks(self) -> np.ndarray:
        """True ranks per draw, year and unit as int16, 0 where the unit is unscored that year.

        One argsort per ranking: drawn scores are continuous, so ties have probability zero and
        the position in the sort is the competition rank. Unscored units sort last (``-inf``) and
        so never displace a scored one.
        """
        seen = ~np.isnan(self.model.panel.values)  # units × years
        scores = np.ascontiguousarray(np.swapaxes(self.draws, 1, 2))  # draws × years × units
        scores = scores.copy() if np.shares_memory(scores, self.draws) else scores
        scores[:, ~seen.T] = -np.inf
        order = np.argsort(-scores, axis=2)
        ranks = np.empty(order.shape, dtype=np.int16)
        positions = np.arange(1, scores.shape[2] + 1, dtype=np.int16)
        np.put_along_axis(ranks, order, np.broadcast_to(positions, order.shape), axis=2)
        ranks[:, ~seen.T] = 0
        return ranks

    def true_ranks(self) -> np.ndarray:
        """Ranks of the drawn true scores per draw and year (draws × years × units; NaN unscored)."""
        ranks = self._ranks.astype(float)
        ranks[ranks == 0] = np.nan
        return ranks

    def observed_ranks(self) -> np.ndarray:
        """Ranks of the observed scores (years × units)."""
        return rank_last_axis(self.model.panel.values.T).astype(float)


def _pattern_posterior(prior: np.ndarray, noise: np.ndarray, obs: np.ndarray):
    """Gains and covariance roots for one missingness pattern, batched over parameter sets.

    ``prior``: (G, T, T) signal covariances; ``noise``: (G, B, |O|) noise variances of the observed
    years (B = 1 when every unit of the pattern shares them, else one row per unit). Returns
    ``gain`` (G, B, T, |O|) with posterior mean = gain @ y_obs, and ``root`` (G, B, T, T) with
    root @ root.T = posterior covariance (eigen-decomposition: safe when it is singular, as in
    the random-walk limit).
    """
    g, t, _ = prior.shape
    b = noise.shape[1]
    if obs.size == 0:
        gain = np.zeros((g, b, t, 0))
        cov = np.broadcast_to(prior[:, None], (g, b, t, t))
    else:
        s_oo = prior[:, obs][:, :, obs]  # G × |O| × |O|
        s_ao = prior[:, :, obs]  # G × T × |O|
        a = s_oo[:, None] + noise[..., None] * np.eye(obs.size)  # G × B × |O| × |O|
        rhs = np.broadcast_to(np.swapaxes(s_ao, 1, 2)[:, None], (g, b, obs.size, t))
        gain = np.swapaxes(np.linalg.solve(a, rhs), 2, 3)  # G × B × T × |O|
        cov = prior[:, None] - gain @ np.swapaxes(s_ao, 1, 2)[:, None]
    w, q = np.linalg.eigh((cov + np.swapaxes(cov, 2, 3)) / 2)
    return gain, q * np.sqrt(np.clip(w, 0, None))[..., None, :]


def _priors(s2: np.ndarray, rho: np.ndarray, t: int) -> np.ndarray:
    """AR(1) covariances ``s2 * rho**|t-s|`` per parameter set (G × T × T); no signal -> 0."""
    ok = np.isfinite(rho) & (s2 > 0)
    s2, rho = np.where(ok, s2, 0.0), np.where(ok, rho, 0.0)
    lags = np.abs(np.subtract.outer(np.arange(t), np.arange(t)))
    return s2[:, None, None] * rho[:, None, None] ** lags[None]


def posterior_draws(
    model: NoiseModel,
    n_draws: int = 4000,
    *,
    seed: int = 0,
    parameter_uncertainty: bool = True,
    n_parameter_draws: int | None = None,
) -> PosteriorDraws:
    """Draw true scores for every unit and year of the window from the empirical-Bayes posterior.

    With ``parameter_uncertainty`` the draws are split evenly among ``n_parameter_draws`` bootstrap
    replications of (signal variance, rho, noise variance) (default: all of them), so the
    estimated noise's own uncertainty widens the posterior.

    >>> import cchc_analysis as cc
    >>> m = cc.estimate_noise(cc.simulate_panel(seed=2), "D1", index="simulation", n_boot=100)
    >>> cc.posterior_draws(m, 400).draws.shape
    (400, 63, 7)
    """
    y = model.panel.values
    yd = y - model.year_means[None]
    n_units, t = y.shape
    rng = np.random.default_rng(seed)
    if parameter_uncertainty and len(model.boot) > 0:
        k = len(model.boot) if n_parameter_draws is None else int(n_parameter_draws)
        k = min(k, len(model.boot), n_draws)
        rows = model.boot.iloc[np.sort(rng.choice(len(model.boot), size=k, replace=False))]
        s2, rho, n2 = (rows[c].to_numpy(dtype=float) for c in ("signal_var", "rho", "noise_var"))
    else:
        s2, rho, n2 = (
            np.array([v], dtype=float) for v in (model.signal_var, model.rho, model.noise_var)
        )
    # Draw d uses parameter set group[d]: the draws are split evenly among the sets.
    bounds = np.linspace(0, n_draws, len(s2) + 1).round().astype(int)
    group = np.repeat(np.arange(len(s2)), np.diff(bounds))
    prior = _priors(s2, rho, t)
    supplied = model.panel.se is not None
    cell = model.cell_noise_var()
    seen = ~np.isnan(y)
    patterns, which = np.unique(seen, axis=0, return_inverse=True)
    # Drawn as draws × years × units (the layout ranking wants); ``draws`` is a view of it.
    z = rng.standard_normal((n_draws, t, n_units))
    out = np.empty((n_draws, t, n_units))
    counts = np.bincount(group, minlength=len(s2))
    for p, pattern in enumerate(patterns):
        units = np.flatnonzero(which.ravel() == p)
        cols = slice(None) if units.size == n_units else units
        obs = np.flatnonzero(pattern)
        y_obs = yd[np.ix_(units, obs)]
        if supplied:  # one noise row per unit, the same for every parameter set
            noise = np.broadcast_to(cell[np.ix_(units, obs)][None], (len(s2), units.size, obs.size))
        else:  # homoscedastic: every unit of the pattern shares one gain and one covariance
            noise = np.broadcast_to(n2[:, None, None], (len(s2), 1, obs.size))
        gain, root = _pattern_posterior(prior, noise, obs)
        if not supplied:
            block = np.matmul(root[group, 0], z[:, :, cols])  # per draw: root @ standard normals
            block += np.repeat(np.einsum("gtk,nk->gtn", gain[:, 0], y_obs), counts, axis=0)
            out[:, :, cols] = block
        else:
            for b, unit in enumerate(units):
                means = np.repeat(gain[:, b] @ y_obs[b], counts, axis=0)  # draws × T
                out[:, :, unit] = means + np.einsum("dij,dj->di", root[group, b], z[:, :, unit])
    out += model.year_means[None, :, None]
    return PosteriorDraws(model=model, draws=np.swapaxes(out, 1, 2))


def _int_quantiles(values: np.ndarray, q) -> np.ndarray:
    """Quantiles ("inverted_cdf": the smallest value whose empirical CDF reaches q) of integer
    ``values`` (draws × columns) per column, by counting instead of sorting: ranks and rank changes
    take few distinct values, so one bincount replaces a partition of every column."""
    lo = int(values.min())
    width = int(values.max()) - lo + 1
    n_draws, n_cols = values.shape
    keys = (values.astype(np.int64) - lo) + width * np.arange(n_cols)[None, :]
    counts = np.bincount(keys.ravel(), minlength=width * n_cols).reshape(n_cols, width)
    cum = np.cumsum(counts, axis=1)
    need = np.ceil(np.asarray(q, dtype=float) * n_draws - 1e-9)[:, None, None]
    return (cum[None] < np.maximum(need, 1)).sum(axis=2) + lo


def _as_draws(source, n_draws: int, seed: int) -> PosteriorDraws:
    if isinstance(source, PosteriorDraws):
        return source
    if isinstance(source, NoiseModel):
        return posterior_draws(source, n_draws, seed=seed)
    raise TypeError("pass a NoiseModel or PosteriorDraws")


def posterior_ranks(
    source, *, level: float = 0.9, n_draws: int = 4000, seed: int = 0
) -> pd.DataFrame:
    """Per year and unit: observed rank, posterior mean and median rank, and a ``level`` interval.

    >>> import cchc_analysis as cc
    >>> m = cc.estimate_noise(cc.simulate_panel(seed=2), "D1", index="simulation", n_boot=100)
    >>> list(cc.posterior_ranks(m, n_draws=400).columns)[:4]
    ['year', 'unit', 'rank', 'rank_mean']
    """
    pd_ = _as_draws(source, n_draws, seed)
    true = pd_._ranks  # draws × years × units, int16
    obs = pd_.observed_ranks()
    q = [(1 - level) / 2, 0.5, (1 + level) / 2]
    frames = []
    for t, year in enumerate(pd_.years):
        scored = ~np.isnan(obs[t])
        ranks = true[:, t, scored]
        lo, med, hi = _int_quantiles(ranks, q)
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
    true = pd_._ranks
    obs = pd_.observed_ranks()
    frames = []
    q = [(1 - level) / 2, 0.5, (1 + level) / 2]
    for t in range(1, len(pd_.years)):
        both = ~np.isnan(obs[t]) & ~np.isnan(obs[t - 1])
        d_true = true[:, t, both] - true[:, t - 1, both]  # int16: |change| < units
        d_obs = obs[t, both] - obs[t - 1, both]
        sign = np.sign(d_obs)
        lo, med, hi = _int_quantiles(d_true, q)
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
