"""Answers on real PAPI: how reliable each dimension is, and whether one province really moved.

Each dimension (and the total) gets its noise model on the longest window of its era that crosses
no composition change (:func:`cchc_analysis.noise.breaks.break_free_windows`); the window is
always reported. The total's noise is estimated from the total's own autocovariances; the sum of
the dimensions' noise variances (which assumes noise independent across dimensions) is shown
beside it only as a comparison.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from cchc_analysis.noise.breaks import WindowError, break_free_windows
from cchc_analysis.noise.estimate import NoiseModel, estimate_noise
from cchc_analysis.noise.movement import signal_share_of_movement
from cchc_analysis.noise.panel import MIN_YEARS
from cchc_analysis.noise.posterior import posterior_draws


def _papi(frame: pd.DataFrame | None) -> pd.DataFrame:
    if frame is None:
        # the long table read once per session, as the ranking answers read it (indices.py)
        from cchc_analysis.indices import _papi_long

        frame = _papi_long()
    return frame[frame["level"].isin(["dimension", "total"])]


def _era_years(frame: pd.DataFrame, era: str) -> list[int]:
    years = sorted(frame.loc[frame["era"] == era, "year"].unique())
    if not years:
        raise WindowError(f"no PAPI years in era {era!r}; eras: {sorted(frame['era'].unique())}")
    return [int(y) for y in years]


def _window(component: str, years: list[int], contains=()) -> tuple[int, int]:
    """The longest break-free window (latest on ties) containing ``contains``; refused if < 3 years."""
    windows = [
        w for w in break_free_windows(component, years) if all(w[0] <= y <= w[1] for y in contains)
    ]
    if not windows:
        raise WindowError(
            f"{component}: years {sorted(contains)} are separated by a composition change "
            f"(break-free windows: {break_free_windows(component, years)})"
        )
    best = max(windows, key=lambda w: (w[1] - w[0], w[1]))
    if best[1] - best[0] + 1 < MIN_YEARS:
        raise WindowError(
            f"{component}: the break-free window {best[0]}-{best[1]} has fewer than {MIN_YEARS} "
            "years; the noise model cannot be estimated there"
        )
    return best


def noise_model_for(
    component: str,
    years,
    *,
    frame: pd.DataFrame | None = None,
    n_boot: int = 500,
    seed: int = 0,
) -> NoiseModel:
    """The PAPI noise model of ``component`` on the longest break-free window containing ``years``.

    >>> m = noise_model_for("TOTAL", [2023, 2024])      # doctest: +SKIP
    >>> m.panel.years
    (2021, 2022, 2023, 2024)
    """
    papi = _papi(frame)
    years = [int(y) for y in years]
    eras = set(papi.loc[papi["year"].isin(years), "era"])
    if len(eras) != 1:
        raise WindowError(f"years {years} are not inside one PAPI era (found {sorted(eras)})")
    first, last = _window(component, _era_years(papi, eras.pop()), years)
    if frame is None:  # the shipped PAPI table: one model per window and process
        return _shipped_model(component, first, last, n_boot, seed)
    return estimate_noise(
        papi, component, range(first, last + 1), index="papi", n_boot=n_boot, seed=seed
    )


@functools.lru_cache(maxsize=64)
def _shipped_model(component: str, first: int, last: int, n_boot: int, seed: int) -> NoiseModel:
    # Profiles and explanations ask for the same few windows over and over; the bootstrap is the
    # expensive part and is deterministic given the seed, so it is computed once.
    return estimate_noise(
        _papi(None), component, range(first, last + 1), index="papi", n_boot=n_boot, seed=seed
    )


# Every province of a window shares one set of posterior draws and one set of confidence
# statements; profiles of all 63 provinces would otherwise redraw them 63 times. Models of the
# shipped table are cached (see _shipped_model), so keying on the model object is safe.
_DRAWS: dict = {}
_SETS: dict = {}


def _ranks(model: NoiseModel, n_draws: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    key = (id(model), n_draws, seed)
    if key not in _DRAWS or _DRAWS[key][0] is not model:
        draws = posterior_draws(model, n_draws, seed=seed)
        _DRAWS[key] = (model, draws.observed_ranks(), draws.true_ranks())
        while len(_DRAWS) > 8:  # bounded memory: each entry is n_draws x years x units
            _DRAWS.pop(next(iter(_DRAWS)))
    return _DRAWS[key][1], _DRAWS[key][2]


def _change_sets(model: NoiseModel, level: float, seed: int, make) -> pd.DataFrame:
    key = (id(model), level, seed)
    if key not in _SETS or _SETS[key][0] is not model:
        _SETS[key] = (model, make(model, level=level, seed=seed))
        while len(_SETS) > 16:
            _SETS.pop(next(iter(_SETS)))
    return _SETS[key][1]


class Evidence(dict):
    """The numbers of :func:`rank_change_evidence`; printed, the one-line answer of :func:`how_sure`."""

    def _direction(self) -> str:
        # the probability of the observed direction: a fall is reported as P(really moved down)
        if self["places_gained"] < 0 and "p_down" in self:
            return f"P(really moved down) = {self['p_down']:.2f}"
        return f"P(really moved up) = {self['p_up']:.2f}"

    def __str__(self) -> str:
        gained = self["places_gained"]
        verb = "rose" if gained > 0 else "fell" if gained < 0 else "held its place"
        places = f" {abs(gained)} place{'s' if abs(gained) != 1 else ''}" if gained else ""
        what = "PAPI total" if self["component"] == "TOTAL" else f"PAPI {self['component']}"
        first, last = self["window"]
        return (
            f"{self['name']} {verb}{places} on the {what} in {self['year_curr']} "
            f"({_ordinal(self['rank_prev'])} → {_ordinal(self['rank_curr'])}): "
            f"{self._direction()}; {self['level']:.0%} interval for the true "
            f"change {self['gained_lo']:+d} to {self['gained_hi']:+d} places "
            f"(noise model {first}-{last}, reliability {self['reliability']:.2f})"
        )


def noise_table(
    frame: pd.DataFrame | None = None,
    eras=("2011-2017", "2018-"),
    *,
    n_boot: int = 500,
    n_sim: int = 30,
    level: float = 0.9,
    seed: int = 0,
) -> pd.DataFrame:
    """PAPI per era and dimension (and TOTAL): reliability, noise share, persistence, and the
    signal share of rank movement, each with a ``level`` interval, and the window used.

    >>> t = noise_table()                                 # doctest: +SKIP
    >>> t.loc[("2018-", "D1"), "reliability"]             # doctest: +SKIP
    """
    papi = _papi(frame)
    rows = []
    for era in eras:
        years = _era_years(papi, era)
        comps = sorted(
            papi.loc[(papi["era"] == era) & (papi["level"] == "dimension"), "component"].unique()
        )
        models = {}
        for comp in [*comps, "TOTAL"]:
            first, last = _window(comp, years)
            models[comp] = estimate_noise(
                papi,
                comp,
                range(first, last + 1),
                index="papi",
                n_boot=n_boot,
                level=level,
                seed=seed,
            )
        dims = {c: models[c] for c in comps}
        movement = signal_share_of_movement(papi, years, dims, n_sim=n_sim, level=level, seed=seed)
        for comp, model in models.items():
            s = model.summary()
            key = "ALL" if comp == "TOTAL" else comp
            row = {
                "era": era,
                "component": comp,
                "window": s["years"],
                "n_units": s["n_units"],
                "n_pairs_lag1": s["n_pairs_lag1"],
                "n_pairs_lag2": s["n_pairs_lag2"],
                "reliability": s["reliability"],
                "reliability_lo": s["reliability_lo"],
                "reliability_hi": s["reliability_hi"],
                "noise_share": 1 - s["reliability"],
                "noise_share_lo": 1 - s["reliability_hi"],
                "noise_share_hi": 1 - s["reliability_lo"],
                "rho": s["rho"],
                "noise_sd": np.sqrt(s["noise_var"]),
                "signal_sd": np.sqrt(s["signal_var"]),
            }
            for col in (
                "observed_movement",
                "noise_movement",
                "noise_movement_lo",
                "noise_movement_hi",
                "signal_share",
                "signal_share_lo",
                "signal_share_hi",
                "transitions",
                "transitions_outside_window",
            ):
                row[col] = movement.loc[key, col]
            row["noise_sd_if_independent"] = (
                np.sqrt(sum(m.noise_var for m in dims.values())) if comp == "TOTAL" else np.nan
            )
            row["clipped"] = s["clipped"]
            rows.append(row)
    return pd.DataFrame(rows).set_index(["era", "component"])


def _ordinal(n: int) -> str:
    n = int(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_change_evidence(
    unit: str,
    year_prev: int,
    year_curr: int,
    index: str = "papi",
    *,
    component: str = "TOTAL",
    level: float = 0.9,
    frame: pd.DataFrame | None = None,
    n_draws: int = 10_000,
    seed: int = 0,
) -> dict:
    """The numbers behind :func:`how_sure`, for tables and other reports (e.g. a rank-change
    explanation): observed ranks, P(really moved up) and P(really moved down) (``p_up``,
    ``p_down``; they need not sum to one, the true rank may be unchanged), a ``level`` interval
    for the true places gained (positive = up), the Mogstad et al. confidence set for the change, the noise window.

    >>> rank_change_evidence("Đồng Tháp", 2023, 2024)["rank_prev"]   # doctest: +SKIP
    42
    """
    if index.lower() != "papi":
        raise WindowError(f"rank-change evidence is available for PAPI only so far, not {index!r}")
    from cchc_analysis.noise.confidence_sets import rank_change_confidence
    from cchc_analysis.provinces import normalize_province, province_by_code

    text = str(unit).strip()  # a GSO code (as wide frames are indexed) or any spelling of a name
    province = province_by_code(text) if text.isdigit() else normalize_province(text)
    model = noise_model_for(component, [year_prev, year_curr], frame=frame, seed=seed)
    years, units = list(model.panel.years), list(model.panel.units)
    if province.code not in units:
        raise WindowError(
            f"{province.name_vi} has no PAPI {component} scores in {years[0]}-{years[-1]}"
        )
    i, a, b = units.index(province.code), years.index(year_prev), years.index(year_curr)
    obs, true = _ranks(model, n_draws, seed)
    if np.isnan(obs[a, i]) or np.isnan(obs[b, i]):
        missing = year_prev if np.isnan(obs[a, i]) else year_curr
        raise WindowError(f"{province.name_vi} has no PAPI {component} score in {missing}")
    gained_true = true[:, a, i] - true[:, b, i]
    lo, hi = np.quantile(gained_true, [(1 - level) / 2, (1 + level) / 2], method="inverted_cdf")
    out = Evidence(
        {
            "unit": province.code,
            "name": province.name_vi,
            "component": component,
            "year_prev": year_prev,
            "year_curr": year_curr,
            "rank_prev": int(obs[a, i]),
            "rank_curr": int(obs[b, i]),
            "places_gained": int(obs[a, i] - obs[b, i]),
            "p_up": float((gained_true > 0).mean()),
            "p_down": float((gained_true < 0).mean()),
            "level": level,
            "gained_lo": int(lo),
            "gained_hi": int(hi),
            "window": (years[0], years[-1]),
            "reliability": model.reliability,
            "noise_sd": float(np.sqrt(model.noise_var)),
        }
    )
    if b == a + 1:  # the frequentist statement is for consecutive years
        sets = _change_sets(model, level, seed, rank_change_confidence)
        row = sets[(sets["unit"] == province.code) & (sets["year_curr"] == year_curr)].iloc[0]
        out["confidence_set_gained"] = (-int(row["change_hi"]), -int(row["change_lo"]))
        out["confidence_verdict"] = row["verdict"]
    return out


def how_sure(
    unit: str,
    year_prev: int,
    year_curr: int,
    index: str = "papi",
    *,
    component: str = "TOTAL",
    level: float = 0.9,
    frame: pd.DataFrame | None = None,
    n_draws: int = 10_000,
    seed: int = 0,
) -> str:
    """One line: did ``unit`` really move between two years? Posterior P(up) and a ``level``
    interval for the true rank change (places gained, positive = up), from the noise model.

    >>> how_sure("Đồng Tháp", 2023, 2024)               # doctest: +SKIP
    'Đồng Tháp rose 16 places on the PAPI total in 2024 (42nd → 26th): P(really moved up) = ...'
    """
    return str(
        rank_change_evidence(
            unit,
            year_prev,
            year_curr,
            index,
            component=component,
            level=level,
            frame=frame,
            n_draws=n_draws,
            seed=seed,
        )
    )
