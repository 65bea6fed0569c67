"""The noise model (cchc_analysis.noise): moments and clipping worked by hand, refusals with their
reason, posterior and confidence-set properties, a cross-check against multiple-inference, and
quick checks on SIMULATED panels (labelled so). Larger simulation studies: test_noise_simulation.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cchc_analysis as cc
from cchc_analysis.noise.breaks import WindowError, break_free_windows, composition_breaks
from cchc_analysis.noise.confidence_sets import rank_sets
from cchc_analysis.noise.estimate import moments, solve_moments
from cchc_analysis.noise.panel import score_panel


def _long(values: np.ndarray, component: str = "D1", first_year: int = 2001) -> pd.DataFrame:
    """A small hand-made long frame (not data): units U01…, years from ``first_year``."""
    n, t = values.shape
    rows = [
        {
            "unit": f"U{i + 1:02d}",
            "year": first_year + j,
            "component": component,
            "value": values[i, j],
        }
        for i in range(n)
        for j in range(t)
        if not np.isnan(values[i, j])
    ]
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# Moments and the solution, by hand
# ---------------------------------------------------------------------------------------------


def test_moments_by_hand_with_a_missing_cell():
    # Two units, three years; unit 2 misses year 3. Year means: 0, 0, 3 (only unit 1 in year 3).
    # De-meaned: unit 1 (1, 2, 0), unit 2 (-1, -2, NaN); the scale sqrt(n/(n-1)) is sqrt(2) for
    # years 1-2 and 1 (n = 1 is left unscaled) for year 3: (sqrt2, 2 sqrt2, 0), (-sqrt2, -2 sqrt2).
    y = np.array([[1.0, 2.0, 3.0], [-1.0, -2.0, np.nan]])
    m, n = moments(y)
    assert n.tolist() == [5, 3, 1]  # unit-years; lag-1 pairs (2 + 1); lag-2 pairs (unit 1 only)
    assert m[0] == pytest.approx((2 + 8 + 0 + 2 + 8) / 5)
    assert m[1] == pytest.approx((2 * 2 + 0 + 2 * 2) / 3)
    assert m[2] == pytest.approx(0.0)


def test_solution_of_consistent_moments():
    # s2 = 0.6, rho = 0.8, n2 = 0.4: v0 = 1, c1 = 0.48, c2 = 0.384.
    out = solve_moments(1.0, 0.48, 0.384)
    assert float(out["signal_var"]) == pytest.approx(0.6)
    assert float(out["rho"]) == pytest.approx(0.8)
    assert float(out["noise_var"]) == pytest.approx(0.4)
    assert float(out["reliability"]) == pytest.approx(0.6)
    assert not any(bool(out[k]) for k in out if k.startswith("clip_"))


@pytest.mark.parametrize(
    ("v0", "c1", "c2", "flag", "signal", "rho"),
    [
        (1.0, -0.1, 0.2, "clip_no_signal", 0.0, np.nan),
        (1.0, 0.5, -0.1, "clip_no_ratio", 1.0, 0.5),
        (1.0, 0.5, 0.6, "clip_rho_above_one", 0.5, 1.0),
        (1.0, 0.9, 0.5, "clip_negative_noise", 1.0, 0.9),
    ],
)
def test_inconsistent_moments_are_clipped_and_flagged(v0, c1, c2, flag, signal, rho):
    out = solve_moments(v0, c1, c2)
    assert bool(out[flag])
    assert float(out["signal_var"]) == pytest.approx(signal)
    assert float(out["noise_var"]) == pytest.approx(v0 - signal)
    if np.isnan(rho):
        assert np.isnan(out["rho"])
    else:
        assert float(out["rho"]) == pytest.approx(rho)


def test_clipping_is_reported_on_the_model():
    # Each unit's score dips in the middle year: lag-2 autocovariance exceeds lag-1 (rho > 1).
    a = np.linspace(-2, 2, 12)
    frame = _long(np.column_stack([a, 0.5 * a, a]))
    model = cc.estimate_noise(frame, "D1", index="simulation", n_boot=50)
    assert model.rho == pytest.approx(1.0)
    assert any("rho clipped to 1" in c for c in model.clipped)
    assert "rho clipped" in model.summary()["clipped"]


# ---------------------------------------------------------------------------------------------
# Refusals, with the reason
# ---------------------------------------------------------------------------------------------


def test_composition_breaks_from_the_documented_sources():
    assert sorted(composition_breaks("D5")) == [2018, 2021]
    assert "construction permits" in composition_breaks("D5")[2021].lower()
    assert sorted(composition_breaks("D3")) == [2016, 2018]  # sub-dimensions relabelled in 2016
    assert {2016, 2018, 2019, 2020, 2021} <= set(composition_breaks("TOTAL"))
    assert break_free_windows("D8", range(2018, 2025)) == [(2018, 2018), (2019, 2019), (2020, 2024)]
    assert break_free_windows("D1", range(2011, 2025)) == [(2011, 2017), (2018, 2024)]


def test_refuses_a_window_across_a_composition_change():
    frame = _long(np.random.default_rng(0).normal(size=(20, 7)), "D5", 2018)
    with pytest.raises(
        WindowError, match=r"(?i)D5: window 2018-2024 crosses .*2021.*construction permits"
    ):
        cc.estimate_noise(frame, "D5", range(2018, 2025))
    model = cc.estimate_noise(frame, "D5", range(2021, 2025), n_boot=20)  # one side is fine
    assert model.panel.years == (2021, 2022, 2023, 2024)


def test_refuses_too_few_years_or_units():
    frame = _long(np.random.default_rng(0).normal(size=(20, 3)))
    with pytest.raises(WindowError, match="needs at least 3"):
        cc.estimate_noise(frame, "D1", [2001, 2002], index="simulation")
    few = _long(np.random.default_rng(0).normal(size=(6, 4)))
    with pytest.raises(WindowError, match=r"only 6 unit\(s\).*at least 10"):
        cc.estimate_noise(few, "D1", index="simulation")
    with pytest.raises(WindowError, match="lags need consecutive years"):
        cc.estimate_noise(frame, "D1", [2001, 2003, 2004], index="simulation")


# ---------------------------------------------------------------------------------------------
# User standard errors
# ---------------------------------------------------------------------------------------------


def test_supplied_standard_errors_replace_the_noise_estimate():
    sim = cc.simulate_panel(n_components=1, seed=3)  # SIMULATION
    d1 = sim[sim["component"] == "D1"]
    se = d1[["unit", "year"]].assign(se=0.2, component="D1")
    model = cc.estimate_noise(sim, "D1", se=se, index="simulation", n_boot=50)
    assert model.noise_var == pytest.approx(0.04)
    assert model.summary()["noise_from"] == "supplied se"
    assert np.nanmax(model.cell_noise_var()) == pytest.approx(0.04)
    with pytest.raises(ValueError, match=r"se for D1: missing for unit SIM01 in 2001"):
        cc.estimate_noise(sim, "D1", se=se.iloc[1:], index="simulation")
    with pytest.raises(ValueError, match="must be positive"):
        cc.estimate_noise(sim, "D1", se=se.assign(se=0.0), index="simulation")


def test_negligible_noise_leaves_ranks_as_observed():
    sim = cc.simulate_panel(n_components=1, seed=4)  # SIMULATION
    d1 = sim[sim["component"] == "D1"]
    se = d1[["unit", "year"]].assign(se=1e-6)
    model = cc.estimate_noise(sim, "D1", se=se, index="simulation", n_boot=50)
    ranks = cc.posterior_ranks(model, n_draws=200)
    assert (ranks["rank_lo"] == ranks["rank"]).all() and (ranks["rank_hi"] == ranks["rank"]).all()
    changes = cc.posterior_rank_changes(model, n_draws=200)
    moved = changes["rank_change"] != 0
    assert (changes.loc[moved, "p_same_sign"] == 1).all()
    sets = cc.rank_change_confidence(model, n_boot=200)
    assert (sets["change_lo"] == sets["rank_change"]).all()


# ---------------------------------------------------------------------------------------------
# Posterior
# ---------------------------------------------------------------------------------------------


def test_posterior_handles_missing_years_and_is_consistent():
    sim = cc.simulate_panel(seed=5, missing=0.1)  # SIMULATION
    model = cc.estimate_noise(sim, "D2", index="simulation", n_boot=100)
    draws = cc.posterior_draws(model, 1000, seed=1)
    assert np.isfinite(draws.draws).all()  # missing years are predicted from their neighbours
    changes = cc.posterior_rank_changes(draws)
    assert changes["p_up"].between(0, 1).all()
    up = changes["rank_change"] < 0
    assert np.allclose(changes.loc[up, "p_same_sign"], changes.loc[up, "p_up"])
    assert (changes["change_lo"] <= changes["change_hi"]).all()
    ranks = cc.posterior_ranks(draws)
    assert len(ranks) == int((~np.isnan(model.panel.values)).sum())
    # Same seed, same answer.
    again = cc.posterior_rank_changes(cc.posterior_draws(model, 1000, seed=1))
    pd.testing.assert_frame_equal(changes, again)


# ---------------------------------------------------------------------------------------------
# Confidence sets
# ---------------------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.floats(-5, 5), min_size=2, max_size=12),
    st.floats(0.01, 3.0),
)
def test_rank_sets_contain_the_estimated_rank_and_nest(scores, sd):
    table = rank_sets(np.array(scores), sd, n_boot=200)
    n = len(scores)
    for kind in ("marginal", "simultaneous"):
        lo, hi = table[f"lo_{kind}"], table[f"hi_{kind}"]
        assert ((1 <= lo) & (lo <= table["rank"]) & (table["rank"] <= hi) & (hi <= n)).all()
    assert (table["lo_simultaneous"] <= table["lo_marginal"]).all()
    assert (table["hi_marginal"] <= table["hi_simultaneous"]).all()


def test_rank_sets_extremes():
    far = rank_sets([30.0, 20.0, 10.0, 0.0], 0.1)
    assert (far["lo_simultaneous"] == far["rank"]).all() and (
        far["hi_simultaneous"] == far["rank"]
    ).all()
    close = rank_sets([0.0, 0.001, 0.002], 10.0)
    assert (close["lo_marginal"] == 1).all() and (close["hi_marginal"] == 3).all()
    with pytest.raises(ValueError, match="standard errors positive"):
        rank_sets([1.0, 2.0], [0.1, 0.0])


@pytest.mark.slow
def test_rank_sets_agree_with_multiple_inference():
    # Independent implementation (MIT package multiple-inference): same inputs, same level. Ours is
    # single-step, theirs step-down, and both bootstrap critical values carry Monte Carlo error, so
    # bounds may differ by one place, rarely.
    from multiple_inference.confidence_set import MarginalRanking, SimultaneousRanking

    rng = np.random.default_rng(5)
    x, s = rng.normal(0, 1, 20), np.full(20, 0.3)
    ours = rank_sets(x, s, level=0.9, n_boot=10000)
    cov = np.diag(s**2)
    theirs_m = MarginalRanking(x, cov, random_state=0).fit(n_samples=5000).conf_int(alpha=0.1)
    theirs_s = SimultaneousRanking(x, cov, random_state=0).fit(n_samples=5000).conf_int(alpha=0.1)
    for kind, theirs in (("marginal", theirs_m), ("simultaneous", theirs_s)):
        mine = ours[[f"lo_{kind}", f"hi_{kind}"]].to_numpy()
        assert np.abs(mine - theirs).max() <= 1, kind
        assert (mine == theirs).mean() >= 0.85, kind


def test_rank_change_sets_bound_the_observed_change():
    sim = cc.simulate_panel(n_components=1, seed=6)  # SIMULATION
    model = cc.estimate_noise(sim, "D1", index="simulation", n_boot=50)
    sets = cc.rank_change_confidence(model, n_boot=300)
    assert (
        (sets["change_lo"] <= sets["rank_change"]) & (sets["rank_change"] <= sets["change_hi"])
    ).all()
    assert (sets.loc[sets["verdict"] == "up", "change_hi"] < 0).all()
    assert (sets.loc[sets["verdict"] == "unsure", "change_lo"] <= 0).all()


# ---------------------------------------------------------------------------------------------
# Signal share of movement, simulation labels, quick recovery
# ---------------------------------------------------------------------------------------------


def test_signal_share_of_movement_on_a_simulation():
    # SIMULATION: D1 is noise around a fixed signal (rho = 1, no innovation), D2 has a moving
    # signal and little noise. Absolute movements do not add up, so the excess share understates
    # the signal: assert the ordering and D1's near-zero share, not D2's true share.
    sim = cc.simulate_panel(
        n_components=2, signal_var=[0.3, 0.3], rho=[1.0, 0.7], noise_var=[0.1, 0.005], seed=7
    )
    models = {c: cc.estimate_noise(sim, c, index="simulation", n_boot=50) for c in ("D1", "D2")}
    table = cc.signal_share_of_movement(sim, range(2001, 2008), models, n_sim=8)
    assert table.loc["D2", "signal_share"] > table.loc["D1", "signal_share"] + 0.15
    assert table.loc["D1", "signal_share"] < 0.15
    assert table["signal_share"].between(0, 1).all()
    assert (table["noise_movement_lo"] <= table["noise_movement_hi"]).all()


def test_simulated_panels_are_labelled_as_simulation():
    sim = cc.simulate_panel(n_units=4, n_years=3, n_components=2, seed=0)
    assert set(sim["index"]) == {"SIMULATION"}
    assert sim["unit"].str.startswith("SIM").all()
    total = sim[sim["component"] == "TOTAL"].set_index(["unit", "year"])["value"]
    dims = sim[sim["component"] != "TOTAL"].groupby(["unit", "year"])["value"].sum()
    pd.testing.assert_series_equal(total.sort_index(), dims.sort_index(), check_names=False)


def test_noise_variance_recovered_on_a_few_simulations():
    # SIMULATION, 63 units x 7 years, noise variance 0.05: the estimator's SD is ~0.0125 per
    # panel (measured over 40 replications), so the mean of 8 lies within 0.015 of the truth
    # (> 3 Monte Carlo SE).
    est = [
        cc.estimate_noise(
            cc.simulate_panel(n_components=1, signal_var=0.15, rho=0.85, noise_var=0.05, seed=s),
            "D1",
            index="simulation",
            n_boot=20,
        ).noise_var
        for s in range(8)
    ]
    assert np.mean(est) == pytest.approx(0.05, abs=0.015)


def test_score_panel_rejects_duplicate_rows():
    frame = _long(np.ones((12, 3)))
    with pytest.raises(ValueError, match="more than one row for unit U01 in 2001"):
        score_panel(pd.concat([frame, frame.iloc[:1]]), "D1", index="simulation")


# ---------------------------------------------------------------------------------------------
# Fast paths agree with the general ones; docstring examples run
# ---------------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 60), st.integers(1, 6), st.integers(0, 10**6))
def test_counting_quantiles_match_numpy(n_draws, n_cols, seed):
    from cchc_analysis.noise.posterior import _int_quantiles

    values = np.random.default_rng(seed).integers(-40, 40, (n_draws, n_cols)).astype(np.int16)
    q = [0.0, 0.05, 0.5, 0.95, 1.0]
    expected = np.quantile(values, q, axis=0, method="inverted_cdf")
    assert np.array_equal(_int_quantiles(values, q), expected)


def test_equal_se_max_statistic_matches_the_pairwise_one():
    from cchc_analysis.noise.confidence_sets import _max_stats

    z = np.random.default_rng(1).standard_normal((300, 15))
    equal = np.full(15, 0.4)
    nudged = equal.copy()
    nudged[0] *= 1 + 1e-12  # forces the general O(n^2) path
    assert np.allclose(_max_stats(z, equal), _max_stats(z, nudged), rtol=1e-9)


def test_posterior_matches_the_closed_form_for_one_unit():
    # Gaussian algebra for unit 0 with fixed parameters: mean = S_ao (S_oo + n2 I)^-1 y_o.
    sim = cc.simulate_panel(n_components=1, seed=8, missing=0.1)  # SIMULATION
    model = cc.estimate_noise(sim, "D1", index="simulation", n_boot=20)
    draws = cc.posterior_draws(model, 20000, parameter_uncertainty=False, seed=2)
    y = model.panel.values - model.year_means
    t = y.shape[1]
    prior = model.signal_var * model.rho ** np.abs(np.subtract.outer(np.arange(t), np.arange(t)))
    for i in (0, int(np.flatnonzero(np.isnan(y).any(axis=1))[0])):
        obs = np.flatnonzero(~np.isnan(y[i]))
        gain = prior[:, obs] @ np.linalg.inv(
            prior[np.ix_(obs, obs)] + model.noise_var * np.eye(obs.size)
        )
        cov = prior - gain @ prior[obs, :]
        got = draws.draws[:, i] - model.year_means
        sd = np.sqrt(np.diag(cov))
        assert np.abs(got.mean(axis=0) - gain @ y[i, obs]).max() < 5 * sd.max() / np.sqrt(20000)
        assert np.allclose(np.cov(got.T), cov, atol=0.05 * cov.max())


def test_docstring_examples_run():
    import doctest

    from cchc_analysis.noise import (
        breaks,
        confidence_sets,
        estimate,
        movement,
        panel,
        posterior,
        simulate,
    )

    for module in (breaks, confidence_sets, estimate, movement, panel, posterior, simulate):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, module.__name__
        assert result.attempted > 0, module.__name__
