"""How much of each component's rank movement is more than noise alone would produce.

Observed movement of component ``k`` = the sum over units and transitions of the absolute Shapley
values ``|phi_ik|`` (field game, :func:`cchc_analysis.ranking.shapley_rank_attribution`): the
places each component moved each unit, as in notebook 02. The noise-only benchmark simulates the
same transitions with **the signal held fixed** and fresh noise drawn in each year from each
component's estimated noise variance: the signal of every unit is its previous-year score pulled
toward the year mean so that its spread equals the estimated signal spread
(``mean + sqrt(reliability) * (y - mean)``), identical in both years. Every rank movement in that
simulation is noise. The excess share ``max(0, observed - noise) / observed`` is the part of the
observed movement that noise alone does not produce. Absolute movements do not add (noise can
cancel part of a signal move), so when both are present the excess share is a conservative,
lower-bound reading of the signal's part.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from cchc_analysis.noise.estimate import NoiseModel
from cchc_analysis.ranking.shapley import field_shapley_values


def _wide(frame: pd.DataFrame, year: int, comps: list[str]) -> pd.DataFrame:
    unit = "province_code" if "province_code" in frame.columns else "unit"
    rows = frame[(frame["year"] == year) & frame["component"].isin(comps)]
    wide = rows.pivot(index=unit, columns="component", values="value").reindex(columns=comps)
    return wide.dropna()


def _movement(prev: pd.DataFrame | np.ndarray, curr: pd.DataFrame | np.ndarray) -> np.ndarray:
    """Absolute places each component moved the units, summed over units (same units, complete)."""
    return np.abs(field_shapley_values(np.asarray(prev), np.asarray(curr))).sum(axis=0)


def signal_share_of_movement(
    frame: pd.DataFrame,
    years,
    models: dict[str, NoiseModel],
    *,
    n_sim: int = 50,
    level: float = 0.9,
    seed: int = 0,
) -> pd.DataFrame:
    """Per component (and ``ALL``): observed absolute rank movement, noise-only movement with a
    ``level`` interval, and the excess (signal) share, over the transitions within ``years``.

    ``models``: one :class:`NoiseModel` per component (the players of the Shapley game; their
    windows may be shorter than ``years`` when a component was re-composed — the column
    ``transitions_outside_window`` counts transitions the model's window does not cover).

    >>> import cchc_analysis as cc
    >>> sim = cc.simulate_panel(n_components=3, seed=4)       # SIMULATION
    >>> ms = {c: cc.estimate_noise(sim, c, index="simulation", n_boot=50) for c in ["D1", "D2", "D3"]}
    >>> t = cc.signal_share_of_movement(sim, range(2001, 2008), ms, n_sim=5)
    >>> list(t.index)
    ['D1', 'D2', 'D3', 'ALL']
    """
    comps = list(models)
    years = sorted({int(y) for y in years})
    rng = np.random.default_rng(seed)
    observed = pd.Series(0.0, index=comps)
    noise = np.zeros((int(n_sim), len(comps)))
    outside = pd.Series(0, index=comps)
    n_trans = 0
    for prev_year, curr_year in itertools.pairwise(years):
        prev, curr = _wide(frame, prev_year, comps), _wide(frame, curr_year, comps)
        common = prev.index.intersection(curr.index)
        if len(common) < 2:
            continue
        n_trans += 1
        observed += _movement(prev.loc[common], curr.loc[common])
        for comp, model in models.items():
            window = model.panel.years
            if not (window[0] <= prev_year and curr_year <= window[-1]):
                outside[comp] += 1
        mean = prev.loc[common].mean()
        rel = pd.Series({c: models[c].reliability for c in comps})
        signal = mean + np.sqrt(rel.clip(lower=0)) * (prev.loc[common] - mean)
        sd = np.sqrt([models[c].noise_var for c in comps])
        for r in range(int(n_sim)):
            e1 = rng.standard_normal(signal.shape) * sd
            e2 = rng.standard_normal(signal.shape) * sd
            noise[r] += _movement(signal + e1, signal + e2)
    if n_trans == 0:
        raise ValueError(f"no transition with units scored in both years within {years}")
    noise_all = noise.sum(axis=1, keepdims=True)
    obs_all = np.append(observed.to_numpy(), observed.sum())
    sims = np.hstack([noise, noise_all])
    lo, hi = np.quantile(sims, [(1 - level) / 2, (1 + level) / 2], axis=0)
    mean_noise = sims.mean(axis=0)

    def share(noise_value):
        return np.clip((obs_all - noise_value) / obs_all, 0, 1)

    return pd.DataFrame(
        {
            "transitions": n_trans,
            "observed_movement": obs_all,
            "noise_movement": mean_noise,
            "noise_movement_lo": lo,
            "noise_movement_hi": hi,
            "signal_share": share(mean_noise),
            "signal_share_lo": share(hi),
            "signal_share_hi": share(lo),
            "transitions_outside_window": [*outside.to_numpy(), int(outside.max())],
        },
        index=pd.Index([*comps, "ALL"], name="component"),
    )
