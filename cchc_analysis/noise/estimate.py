"""Measurement noise estimated from the panel's own autocovariances (Kane & Staiger 2002 style).

Model, within one component and one window that crosses no composition change::

    y_it = mu_t + theta_it + e_it

``mu_t`` a year effect (removed by subtracting each year's cross-unit mean), ``theta_it`` the unit's
persistent signal, a stationary AR(1) across units with variance ``s2`` and persistence ``rho``
(``rho = 1`` is the random-walk limit, signal fixed over the window), ``e_it`` transitory noise
with variance ``n2``, independent across years, units and of the signal. Then the pooled variance
and the lag-1 and lag-2 autocovariances of the de-meaned scores are::

    v0 = s2 + n2,   c1 = rho * s2,   c2 = rho**2 * s2

so ``rho = c2 / c1``, ``s2 = c1**2 / c2``, ``n2 = v0 - s2`` and the reliability (share of the
cross-unit variance that is signal) is ``s2 / v0``. Assumptions worth saying: the noise is
homoscedastic across units (unless ``se`` is given) and uncorrelated across years (PAPI re-draws its
sample every year); the signal's cross-unit variance is stable over the window; units are
independent (the bootstrap resamples units).

**Inconsistent moments are clipped, never hidden** (listed in :attr:`NoiseModel.clipped`): the
signal variance is held in ``[c1, v0]`` (``rho <= 1`` and ``n2 >= 0``); ``c2 <= 0`` leaves ``rho``
unidentified from the ratio, so ``s2`` takes its upper bound ``v0``; ``c1 <= 0`` means no persistent
signal is detected (``s2 = 0``, reliability 0, ``rho`` undefined).

**Moments over missing unit-years** use every available pair: :attr:`NoiseModel.moments` says how
many unit-years (lag 0) and unit pairs (lags 1, 2) each moment averages. De-meaned values are scaled
by ``sqrt(n_t / (n_t - 1))`` so the variance is unbiased for a year with ``n_t`` units.

**User standard errors** (``se=``) replace the noise estimate cell by cell: ``n2`` is then their
mean square, ``s2`` and ``rho`` still come from the autocovariances (which noise does not touch).

Uncertainty: a bootstrap over units (year effects re-estimated in every replication), percentile
intervals.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cchc_analysis.noise.panel import ScorePanel, score_panel

PARAMETERS = ("signal_var", "rho", "noise_var", "reliability")


def moments(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pooled variance and lag-1, lag-2 autocovariances of year-de-meaned ``values`` (..., units, years).

    Returns ``(m, n)``: ``m[..., k]`` the lag-k moment, ``n[..., k]`` how many unit-years (k=0) or
    unit pairs (k>0) it averages. Vectorised over leading axes (bootstrap replications).
    """
    y = np.asarray(values, dtype=float)
    seen = ~np.isnan(y)
    n_t = seen.sum(axis=-2, keepdims=True)
    mean_t = np.where(seen, y, 0.0).sum(axis=-2, keepdims=True) / np.maximum(n_t, 1)
    scale = np.sqrt(n_t / np.maximum(n_t - 1, 1))
    z = np.where(seen, (y - mean_t) * scale, 0.0)
    out_m, out_n = [], []
    for lag in (0, 1, 2):
        if lag == 0:
            prod, pairs = z * z, seen
        else:
            prod = z[..., lag:] * z[..., :-lag]
            pairs = seen[..., lag:] & seen[..., :-lag]
        count = pairs.sum(axis=(-2, -1))
        out_m.append(prod.sum(axis=(-2, -1)) / np.maximum(count, 1))
        out_n.append(count)
    return np.stack(out_m, axis=-1), np.stack(out_n, axis=-1)


def solve_moments(v0, c1, c2) -> dict[str, np.ndarray]:
    """Signal variance, persistence, noise variance and reliability from the three moments, clipped.

    Vectorised; also returns boolean arrays saying which clip applied (module docstring).
    """
    v0, c1, c2 = (np.asarray(a, dtype=float) for a in (v0, c1, c2))
    no_signal = c1 <= 0
    no_ratio = ~no_signal & (c2 <= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(c2 > 0, c1**2 / np.where(c2 > 0, c2, 1.0), np.inf)
    above_one = ~no_signal & ~no_ratio & (ratio < c1)  # c2 > c1: rho > 1
    neg_noise = ~no_signal & (np.minimum(ratio, np.inf) > v0)
    s2 = np.where(no_signal, 0.0, np.clip(ratio, np.maximum(c1, 0), np.maximum(v0, c1)))
    s2 = np.minimum(s2, v0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = np.where(no_signal, np.nan, c1 / np.where(s2 > 0, s2, 1.0))
        rel = np.where(v0 > 0, s2 / v0, np.nan)
    return {
        "signal_var": s2,
        "rho": np.minimum(rho, 1.0),
        "noise_var": np.maximum(v0 - s2, 0.0),
        "reliability": rel,
        "clip_no_signal": no_signal,
        "clip_no_ratio": no_ratio,
        "clip_rho_above_one": above_one,
        "clip_negative_noise": neg_noise & ~no_ratio,
    }


_CLIP_TEXT = {
    "clip_no_signal": "lag-1 autocovariance <= 0: no persistent signal detected (signal variance "
    "set to 0, reliability 0, rho undefined)",
    "clip_no_ratio": "lag-2 autocovariance <= 0: rho not identified from lag-2/lag-1; signal "
    "variance set to its upper bound, the pooled variance (noise variance 0)",
    "clip_rho_above_one": "lag-2 > lag-1 autocovariance (rho > 1): rho clipped to 1 (random-walk "
    "limit), signal variance = lag-1 autocovariance",
    "clip_negative_noise": "implied noise variance < 0: clipped to 0 (signal variance = pooled "
    "variance)",
}


@dataclass(frozen=True)
class NoiseModel:
    """An estimated signal-plus-noise model of one component over one window (see module docs).

    ``signal_var``, ``rho``, ``noise_var``, ``reliability``: point estimates (after clipping);
    ``intervals``: bootstrap percentile intervals (rows = parameters); ``boot``: the replications
    (columns = parameters); ``moments``: lag, value, pairs used; ``clipped``: every clip applied to
    the point estimate; ``panel``: the data; ``year_means``: the removed year effects.
    """

    panel: ScorePanel
    signal_var: float
    rho: float
    noise_var: float
    reliability: float
    moments: pd.DataFrame
    intervals: pd.DataFrame
    boot: pd.DataFrame
    clipped: tuple[str, ...]
    year_means: np.ndarray
    level: float
    notes: tuple[str, ...] = field(default=())

    @property
    def component(self) -> str:
        return self.panel.component

    @property
    def noise_share(self) -> float:
        """Share of the cross-unit variance that is noise (1 - reliability)."""
        return 1.0 - self.reliability

    def cell_noise_var(self) -> np.ndarray:
        """Noise variance of every unit-year (units × years; NaN where unscored)."""
        seen = ~np.isnan(self.panel.values)
        if self.panel.se is not None:
            return np.where(seen, self.panel.se**2, np.nan)
        return np.where(seen, self.noise_var, np.nan)

    def summary(self) -> pd.Series:
        """One row: window, units, the four parameters with intervals, moments' pair counts."""
        out = {
            "component": self.component,
            "years": f"{self.panel.years[0]}-{self.panel.years[-1]}",
            "n_units": len(self.panel.units),
            "n_unit_years": int(self.moments.loc[0, "n"]),
            "n_pairs_lag1": int(self.moments.loc[1, "n"]),
            "n_pairs_lag2": int(self.moments.loc[2, "n"]),
        }
        for name in PARAMETERS:
            out[name] = getattr(self, name)
            out[f"{name}_lo"] = self.intervals.loc[name, "lower"]
            out[f"{name}_hi"] = self.intervals.loc[name, "upper"]
        out["noise_from"] = "supplied se" if self.panel.se is not None else "autocovariances"
        out["clipped"] = "; ".join(self.clipped)
        return pd.Series(out)


def estimate_noise(
    frame: pd.DataFrame | ScorePanel,
    component: str | None = None,
    years=None,
    *,
    se=None,
    index: str = "papi",
    n_boot: int = 500,
    level: float = 0.9,
    seed: int = 0,
) -> NoiseModel:
    """Estimate signal variance, persistence, noise variance and reliability of one component.

    ``frame``: tidy long scores (``year``, ``province_code`` or ``unit``, ``component``, ``value``)
    or a :class:`ScorePanel`; ``years``: the window, which must not cross a composition break
    (refused with the break named). ``se``: user standard errors per unit-year (long frame with
    ``se``), used instead of the estimated noise. Bootstrap over units, ``n_boot`` replications.

    >>> import cchc_analysis as cc
    >>> sim = cc.simulate_panel(seed=1)        # SIMULATION, not data
    >>> m = cc.estimate_noise(sim, "D1", index="simulation", n_boot=200)
    >>> 0 < m.reliability < 1
    True
    """
    if isinstance(frame, ScorePanel):
        panel = frame
    else:
        if component is None:
            raise ValueError("component is required with a long frame")
        panel = score_panel(frame, component, years, se=se, index=index)
    y = panel.values
    m, n = moments(y)
    point = solve_moments(*m)
    rng = np.random.default_rng(seed)
    n_units = y.shape[0]
    idx = rng.integers(0, n_units, size=(int(n_boot), n_units))
    bm, _ = moments(y[idx])
    boot = solve_moments(bm[:, 0], bm[:, 1], bm[:, 2])
    notes = []
    noise_var = float(point["noise_var"])
    reliability = float(point["reliability"])
    if panel.se is not None:
        se2 = panel.se**2
        supplied = float(np.nanmean(se2))
        notes.append(
            f"noise from supplied se (mean square {supplied:.4g}); the autocovariances alone "
            f"imply {noise_var:.4g}"
        )
        noise_var = supplied
        reliability = float(point["signal_var"]) / (float(point["signal_var"]) + supplied)
        boot["noise_var"] = np.full(int(n_boot), supplied)
        boot["reliability"] = boot["signal_var"] / (boot["signal_var"] + supplied)
    boot_frame = pd.DataFrame({k: boot[k] for k in PARAMETERS})
    alpha = (1 - level) / 2
    estimates = {
        "signal_var": float(point["signal_var"]),
        "rho": float(point["rho"]),
        "noise_var": noise_var,
        "reliability": reliability,
    }
    intervals = pd.DataFrame(
        {
            "estimate": pd.Series(estimates),
            "lower": boot_frame.quantile(alpha),
            "upper": boot_frame.quantile(1 - alpha),
            "boot_se": boot_frame.std(),
        },
        index=list(PARAMETERS),
    )
    clip_rates = {k: float(np.mean(boot[k])) for k in _CLIP_TEXT}
    clipped = tuple(_CLIP_TEXT[k] for k in _CLIP_TEXT if bool(point[k]))
    notes.extend(
        f"{rate:.0%} of bootstrap replications clipped: {_CLIP_TEXT[k].split(':')[0]}"
        for k, rate in clip_rates.items()
        if rate > 0
    )
    seen = ~np.isnan(y)
    year_means = np.where(seen, y, 0).sum(axis=0) / seen.sum(axis=0)
    return NoiseModel(
        panel=panel,
        signal_var=float(point["signal_var"]),
        rho=float(point["rho"]),
        noise_var=noise_var,
        reliability=reliability,
        moments=pd.DataFrame({"lag": [0, 1, 2], "value": m, "n": n}),
        intervals=intervals,
        boot=boot_frame,
        clipped=clipped,
        year_means=year_means,
        level=level,
        notes=tuple(notes),
    )
