"""Tests of slope_differences, within_sd and add_lag (cchc_analysis.models.contrasts) and of
ols_without_most_influential (cchc_analysis.models.influence).

Every panel here is a SIMULATION (seeded, made up to validate the estimators): none of these
numbers describe Viet Nam's provinces.
"""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from hypothesis import given, settings
from hypothesis import strategies as st

import cchc_analysis as cc
from cchc_analysis.models import (
    DIFFERENCE_COLUMNS,
    INFLUENCE_COLUMNS,
    ModelInputError,
    add_lag,
    contrasts,
    fit_ladder,
    influence,
    per_sd,
    slope_differences,
    within_sd,
)

# Simulated provinces take real GSO codes (the models accept nothing else); values are made up.
CODES = sorted(cc.provinces()["code"])
YEARS = list(range(2019, 2025))


def simulate(slope_y=1.0, slope_p=1.0, n_prov=50, seed=0, common=0.0):
    """SIMULATION. y and a placebo on x with province and year effects; ``common`` adds a shared
    province-year shock to both outcomes (a survey-wide mood)."""
    rng = np.random.default_rng(seed)
    p = pd.DataFrame(
        [(CODES[i], t) for i in range(n_prov) for t in YEARS], columns=["province_code", "year"]
    )
    a = np.repeat(rng.normal(size=n_prov), len(YEARS))
    lam = np.tile(rng.normal(size=len(YEARS)), n_prov)
    p["x"] = a + lam + rng.normal(size=len(p))
    shock = common * rng.normal(size=len(p))
    p["y"] = slope_y * p["x"] + a + lam + shock + 0.3 * rng.normal(size=len(p))
    p["placebo"] = slope_p * p["x"] - a + 2 * lam + shock + 0.3 * rng.normal(size=len(p))
    return p


def test_doctests_run():
    assert doctest.testmod(contrasts).failed == 0


def test_difference_equals_difference_of_slopes_and_recovers_it():
    p = simulate(slope_y=1.5, slope_p=0.5)
    d = slope_differences(p, "y", ["placebo"], "x", n_boot=0)
    assert list(d.columns) == DIFFERENCE_COLUMNS
    r = d.iloc[0]
    own = fit_ladder(p, "placebo", "x", models=["twfe"], n_boot=0)["coef"].iloc[0]
    assert r["coef_comparison"] == pytest.approx(own, abs=1e-10)
    assert r["ci_low"] < 1.0 < r["ci_high"]
    assert r["ci_low"] > 0  # a real difference of 1.0 is detected


def test_no_difference_when_slopes_are_equal_and_bootstrap_agrees():
    d = slope_differences(simulate(common=1.0, seed=4), "y", ["placebo"], "x", n_boot=199)
    r = d.iloc[0]
    assert r["ci_low"] < 0 < r["ci_high"]
    assert r["p_boot"] > 0.05


def test_se_matches_a_stacked_regression_up_to_the_small_sample_factor():
    p = simulate(slope_y=1.2, slope_p=0.7, seed=2, n_prov=25)
    r = slope_differences(p, "y", ["placebo"], "x", n_boot=0).iloc[0]
    # stacked: both outcomes, every regressor and effect interacted with the outcome
    stacked = []
    for k, col in enumerate(["y", "placebo"]):
        part = pd.concat(
            [
                pd.get_dummies(p["province_code"], prefix="p", drop_first=True, dtype=float),
                pd.get_dummies(p["year"], prefix="t", drop_first=True, dtype=float),
            ],
            axis=1,
        )
        part.insert(0, "const", 1.0)
        part.insert(1, "x", p["x"])
        block = part.add_suffix(f"_{k}")
        other = pd.DataFrame(0.0, index=p.index, columns=part.add_suffix(f"_{1 - k}").columns)
        stacked.append((pd.concat([block, other], axis=1), p[col], p["province_code"]))
    X = pd.concat([s[0] for s in stacked], ignore_index=True).fillna(0.0)
    X = X[sorted(X.columns)]
    y = pd.concat([s[1] for s in stacked], ignore_index=True)
    groups = pd.factorize(pd.concat([s[2] for s in stacked], ignore_index=True))[0]
    fit = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    c = np.zeros(len(X.columns))
    c[list(X.columns).index("x_0")], c[list(X.columns).index("x_1")] = 1, -1
    test = fit.t_test(c)
    assert float(test.effect[0]) == pytest.approx(r["difference"], abs=1e-9)
    n, k_one = len(p), X.shape[1] // 2
    # CR1 factors differ only through (N-1)/(N-K): the stacked fit has 2N rows and 2K columns
    ratio = ((n - 1) / (n - k_one)) / ((2 * n - 1) / (2 * n - 2 * k_one))
    assert float(test.sd[0, 0]) * np.sqrt(ratio) == pytest.approx(r["se"], rel=1e-6)


def test_common_sample_across_the_three_fits():
    p = simulate()
    p.loc[:9, "placebo"] = np.nan
    r = slope_differences(p, "y", ["placebo"], "x", n_boot=0).iloc[0]
    assert r["n_obs"] == len(p) - 10
    alone = fit_ladder(p.dropna(subset=["placebo"]), "y", "x", models=["twfe"], n_boot=0)
    assert r["coef_outcome"] == pytest.approx(alone["coef"].iloc[0])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"comparisons": []}, "at least one comparison"),
        ({"comparisons": ["y"]}, "also a comparison"),
        ({"comparisons": ["nope"]}, "nope"),
        ({"comparisons": ["placebo"], "model": "fractional_logit"}, "not linear"),
    ],
)
def test_slope_differences_bad_input(kwargs, match):
    with pytest.raises((ModelInputError, Exception), match=match):
        slope_differences(simulate(n_prov=12), "y", exposure="x", n_boot=0, **kwargs)


def test_within_sd_is_the_spread_twfe_uses():
    p = simulate(seed=5)
    sd = within_sd(p, ["x", "y"])
    fe = pd.concat(
        [
            pd.get_dummies(p["province_code"], drop_first=True, dtype=float),
            pd.get_dummies(p["year"], drop_first=True, dtype=float),
        ],
        axis=1,
    )
    resid = sm.OLS(p["x"], sm.add_constant(fe)).fit().resid
    assert sd["x"] == pytest.approx(resid.std(ddof=1))
    assert sd.attrs["n_obs"] == len(p)
    p.loc[0, "y"] = np.nan
    assert within_sd(p, ["x", "y"]).attrs["n_obs"] == len(p) - 1


def test_within_sd_needs_two_provinces_and_two_years():
    p = simulate(n_prov=1)
    with pytest.raises(ModelInputError, match="two provinces"):
        within_sd(p, ["x"])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=2010, max_value=2030), min_size=1, max_size=10, unique=True))
def test_add_lag_never_bridges_a_gap(years):
    p = pd.DataFrame({"province_code": "01", "year": years, "x": [float(y) for y in years]})
    lagged = add_lag(p, "x")
    for year, lag in zip(lagged["year"], lagged["x_lag"], strict=True):
        if year - 1 in years:
            assert lag == year - 1
        else:
            assert np.isnan(lag)
    assert list(lagged.index) == list(p.index)


def test_add_lag_bad_input():
    p = pd.DataFrame({"province_code": ["01", "01"], "year": [2019, 2019], "x": [1.0, 2.0]})
    with pytest.raises(ModelInputError, match="more than one row"):
        add_lag(p, "x")
    with pytest.raises(ModelInputError, match="already has"):
        add_lag(p.assign(x_lag=1.0), "x")


# --- ols_without_most_influential ---------------------------------------------------------


def test_influence_doctests_run():
    assert doctest.testmod(influence).failed == 0


def test_one_outlier_is_found_and_the_refit_matches_a_fit_without_it():
    # SIMULATION: no slope, except one unit far out on x and low on y that makes one.
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=30), "z": rng.normal(size=30)})
    frame["y"] = frame["z"] + rng.normal(scale=0.5, size=30)
    frame.index = [f"u{i}" for i in range(30)]
    frame.loc["u7", ["x", "y"]] = [-6.0, -8.0]
    out = cc.ols_without_most_influential(frame, "y ~ x + z", "x")
    assert list(out.columns) == INFLUENCE_COLUMNS
    assert out["dropped"].tolist() == ["", "u7"]
    assert out["n"].tolist() == [30, 29]
    ref = smf.ols("y ~ x + z", data=frame.drop(index="u7")).fit(cov_type="HC3")
    assert out.loc[1, "coef"] == pytest.approx(ref.params["x"])
    assert out.loc[1, "se"] == pytest.approx(ref.bse["x"])
    assert out.loc[1, "r2"] == pytest.approx(ref.rsquared)
    assert out.loc[0, "coef"] > 0.5 > abs(out.loc[1, "coef"])
    assert out.attrs["dfbeta"].abs().idxmax() == "u7"


def test_influence_bad_input_is_refused():
    frame = pd.DataFrame({"y": [1.0, 2.0, 3.0, 5.0, 4.0], "x": [1.0, 2.0, 3.0, 4.0, 5.0]})
    with pytest.raises(ModelInputError, match="not a term"):
        cc.ols_without_most_influential(frame, "y ~ x", "w")
    with pytest.raises(ModelInputError, match="at least 4 rows"):
        cc.ols_without_most_influential(frame.head(3), "y ~ x", "x")


def test_per_sd_rescales_slopes_and_intervals_not_tests():
    d = slope_differences(simulate(slope_y=1.5, slope_p=0.5), "y", ["placebo"], "x", n_boot=0)
    sd = float(within_sd(simulate(slope_y=1.5, slope_p=0.5), ["x"])["x"])
    r = per_sd(d, sd)
    for column in ["difference", "coef_outcome", "coef_comparison", "se", "ci_low", "ci_high"]:
        assert r[column].iloc[0] == pytest.approx(d[column].iloc[0] * sd)
    pd.testing.assert_frame_equal(r[["p_value", "n_obs"]], d[["p_value", "n_obs"]])
    assert r.attrs["per_sd"] == pytest.approx(sd) and "per_sd" not in d.attrs


@pytest.mark.parametrize("sd", [0, -0.1, float("nan"), "0.1", True])
def test_per_sd_bad_input(sd):
    with pytest.raises(ModelInputError, match="per_sd"):
        per_sd(pd.DataFrame({"coef": [1.0]}), sd)
