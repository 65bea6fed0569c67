"""Signal or noise: the whole analysis for one PAPI era, its parts against per-draw baselines, and
how the cost grows with units, years and draws.

"One era" = for each PAPI 2018- dimension and the total, on its break-free window: the noise
model with 500 bootstrap replications, 4,000 posterior draws for every province and transition
(rank intervals per year, P(up) and change intervals per transition), and the Mogstad et al. rank
confidence sets (1,000 bootstrap draws) for every year and every transition. The scaling cases use
SIMULATED panels (seeded simulation, not data), 63 units x 7 years unless stated.
"""

from __future__ import annotations

import numpy as np

import cchc_analysis as cc
from cchc_analysis.noise.confidence_sets import _max_stats
from cchc_analysis.noise.estimate import moments, solve_moments


def analyse(model) -> None:
    """Everything the noise package reports for one component's window."""
    draws = cc.posterior_draws(model, 4000)
    cc.posterior_ranks(draws)
    cc.posterior_rank_changes(draws)
    cc.rank_confidence_sets(model, n_boot=1000)
    cc.rank_change_confidence(model, n_boot=1000)


def whole_era(frame, windows: dict[str, range], index: str = "papi") -> None:
    for comp, years in windows.items():
        analyse(cc.estimate_noise(frame, comp, years, index=index, n_boot=500))


# --- baselines: the straightforward loops -----------------------------------------------------


def loop_bootstrap(values: np.ndarray, n_boot: int, seed: int = 0) -> np.ndarray:
    """One moments() call per bootstrap replication."""
    rng = np.random.default_rng(seed)
    n = values.shape[0]
    out = []
    for _ in range(n_boot):
        m, _ = moments(values[rng.integers(0, n, n)])
        out.append(solve_moments(*m)["noise_var"])
    return np.asarray(out)


def vector_bootstrap(values: np.ndarray, n_boot: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = values.shape[0]
    m, _ = moments(values[rng.integers(0, n, (n_boot, n))])
    return solve_moments(m[:, 0], m[:, 1], m[:, 2])["noise_var"]


def loop_draws(model, n_draws: int, seed: int = 0) -> np.ndarray:
    """The textbook way: each unit's posterior by an explicit inverse, then one multivariate-normal
    call per draw and unit (fixed parameters)."""
    y = model.panel.values - model.year_means[None]
    t = y.shape[1]
    lags = np.abs(np.subtract.outer(np.arange(t), np.arange(t)))
    prior = model.signal_var * model.rho**lags
    rng = np.random.default_rng(seed)
    means, covs = [], []
    for i in range(y.shape[0]):
        obs = np.flatnonzero(~np.isnan(y[i]))
        gain = prior[:, obs] @ np.linalg.inv(
            prior[np.ix_(obs, obs)] + model.noise_var * np.eye(obs.size)
        )
        means.append(gain @ y[i, obs])
        covs.append(prior - gain @ prior[obs, :])
    out = np.empty((n_draws, *y.shape))
    for d in range(n_draws):
        for i in range(y.shape[0]):
            out[d, i] = rng.multivariate_normal(means[i], covs[i], method="eigh")
    return out


def broadcast_max_stats(z: np.ndarray, s: np.ndarray) -> np.ndarray:
    """The max-statistic from one draws × units × units array (no special cases)."""
    sjk = np.sqrt(s[:, None] ** 2 + s[None, :] ** 2)
    return (np.abs(z[:, None, :] - z[:, :, None]) / sjk[None]).max(axis=2)


def run(suite) -> None:
    _papi(suite)
    sim = cc.simulate_panel(seed=0)  # SIMULATION, 63 x 7 x 8
    suite.note(
        "simulated PAPI-shaped panel (seeded simulation, not data): 63 units, 7 years, 8 dims"
    )
    comps = [f"D{k}" for k in range(1, 9)] + ["TOTAL"]
    years = range(2001, 2008)
    suite.compare(
        "whole era, 8 dims + total, 63 x 7 (sim)",
        lambda: whole_era(sim, {c: years for c in comps}, index="simulation"),
        repeat=2,
    )
    model = cc.estimate_noise(sim, "D1", index="simulation", n_boot=500)
    values = model.panel.values
    suite.compare(
        "noise bootstrap, 500 replications (vectorised)",
        lambda: vector_bootstrap(values, 500),
        baseline=lambda: loop_bootstrap(values, 500),
        baseline_name="loop over replications",
    )
    suite.compare(
        "posterior draws, 400 draws x 63 units x 7 years",
        lambda: cc.posterior_draws(model, 400, parameter_uncertainty=False),
        baseline=lambda: loop_draws(model, 400),
        baseline_name="per-draw mvnormal loop",
        baseline_repeat=1,
    )
    z = np.random.default_rng(0).standard_normal((2000, 63)) * 0.2
    equal, unequal = np.full(63, 0.2), np.linspace(0.15, 0.25, 63)
    suite.compare(
        "max-statistic, 2000 draws x 63 units, equal SE",
        lambda: _max_stats(z, equal),
        baseline=lambda: broadcast_max_stats(z, equal),
        baseline_name="3-D broadcast",
    )
    suite.compare(
        "max-statistic, 2000 draws x 63 units, unequal SE",
        lambda: _max_stats(z, unequal),
        baseline=lambda: broadcast_max_stats(z, unequal),
        baseline_name="3-D broadcast",
    )
    _scaling(suite)


def _scaling(suite) -> None:
    def case(n_units, n_years, n_draws):
        sim = cc.simulate_panel(n_units=n_units, n_years=n_years, n_components=1, seed=1)
        se = sim[sim["component"] == "D1"][["unit", "year"]].assign(se=0.2)

        def go():
            m = cc.estimate_noise(sim, "D1", index="simulation", n_boot=500)
            d = cc.posterior_draws(m, n_draws)
            cc.posterior_ranks(d)
            cc.posterior_rank_changes(d)
            cc.rank_confidence_sets(m, n_boot=1000)
            cc.rank_change_confidence(m, n_boot=1000)

        def go_se():  # unequal-SE path: the O(units^2) max-statistic
            m = cc.estimate_noise(
                sim,
                "D1",
                se=se.assign(se=0.2 + 0.001 * np.arange(len(se))),
                index="simulation",
                n_boot=500,
            )
            cc.rank_confidence_sets(m, n_boot=1000)

        suite.compare(
            f"scaling: one component, {n_units} units x {n_years} years, {n_draws} draws",
            go,
            repeat=2,
        )
        return go_se

    for n in (63, 126, 252, 504):
        go_se = case(n, 7, 4000)
        suite.compare(f"scaling: rank sets with unequal SE, {n} units x 7 years", go_se, repeat=2)
    for t in (4, 7, 14, 28):
        case(63, t, 4000)
    for d in (1000, 4000, 16000):
        case(63, 7, d)


def _papi(suite) -> None:
    try:
        from cchc_analysis.noise.answers import _era_years, _window
        from cchc_analysis.noise.answers import _papi as papi_levels

        frame = papi_levels(None)
        era_years = _era_years(frame, "2018-")
        comps = sorted(
            frame.loc[
                (frame["era"] == "2018-") & (frame["level"] == "dimension"), "component"
            ].unique()
        )
        windows = {}
        for comp in [*comps, "TOTAL"]:
            first, last = _window(comp, era_years)
            windows[comp] = range(first, last + 1)
    except Exception as exc:  # no data here: the simulated cases still stand
        suite.note(f"PAPI panel not available ({type(exc).__name__}: {exc}); real case skipped")
        return
    suite.note("PAPI 2018-: " + ", ".join(f"{c} {w[0]}-{w[-1]}" for c, w in windows.items()))
    suite.compare(
        "whole era, PAPI 2018- (8 dims + total)", lambda: whole_era(frame, windows), repeat=2
    )
