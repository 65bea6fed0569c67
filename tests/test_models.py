"""Tests of cchc_analysis.models.

Every panel below is a SIMULATION (seeded, made up to validate the estimators): none of these
numbers describe Viet Nam's provinces. Province codes come from the package's provinces.csv only
so that the panel builder accepts them.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats
from scipy.special import expit
from statsmodels.stats.multitest import multipletests

from cchc_analysis import paths
from cchc_analysis.models import (
    AVAILABILITY_FLAGS,
    RESULT_COLUMNS,
    MechanicalOverlapWarning,
    ModelInputError,
    binned_scatter,
    boot_weights,
    build_panel,
    fit_family,
    fit_ladder,
    lowess_curve,
    mechanical_overlap,
    to_share,
    wild_cluster_bootstrap,
)

CODES = pd.read_csv(paths.PACKAGE_DATA / "provinces.csv", dtype=str)["code"].tolist()
YEARS = list(range(2018, 2025))


# --- simulated data (SIMULATION: not PAPI values) ----------------------------------------------


def simulate_panel(
    beta=0.5, n_prov=63, years=YEARS, seed=1, confounded=True, lag_beta=0.0, noise=0.5
):
    """SIMULATION. y = beta·x + lag_beta·x(t-1) + 2·a_i + l_t + e; with ``confounded`` the
    exposure loads on the province and year effects, so pooled OLS is biased and TWFE is not."""
    rng = np.random.default_rng(seed)
    years = list(years)
    n_years = len(years) + 1  # one extra year to supply x(t-1) for the first year
    a = rng.normal(size=n_prov)
    lam = rng.normal(size=n_years)
    p = np.repeat(np.arange(n_prov), n_years)
    t = np.tile(np.arange(n_years), n_prov)
    x = rng.normal(size=p.size) + ((0.8 * a[p] + 0.6 * lam[t]) if confounded else 0.0)
    x_lag = np.roll(x, 1)
    y = beta * x + lag_beta * x_lag + 2 * a[p] + lam[t] + rng.normal(scale=noise, size=p.size)
    frame = pd.DataFrame(
        {
            "province_code": [CODES[i] for i in p],
            "year": [2017 + i for i in t],
            "x": x,
            "y": y,
            "z": rng.normal(size=p.size),
        }
    )
    return frame[frame["year"].isin(years)].reset_index(drop=True)


def simulate_fractional(seed=5, n_prov=63, n_years=7, b=0.6, null=False, scale=2.5):
    """SIMULATION. Shares from a correctly specified Mundlak fractional logit (binomial counts of
    300 per province-year), returned on a [0, scale] scale with ``max_y``; also the true AME."""
    rng = np.random.default_rng(seed)
    p = np.repeat(np.arange(n_prov), n_years)
    t = np.tile(np.arange(n_years), n_prov)
    a = rng.normal(size=n_prov)
    x = 0.8 * a[p] + rng.normal(size=p.size)
    xbar = pd.Series(x).groupby(p).transform("mean").to_numpy()
    lam = rng.normal(scale=0.3, size=n_years)
    if null:
        eta = 0.2 + 0.9 * a[p] + rng.normal(scale=0.3, size=p.size)
        b = 0.0
    else:
        eta = 0.2 + b * x + 0.9 * xbar + lam[t]
    mu = expit(eta)
    y = rng.binomial(300, mu) / 300 * scale
    frame = pd.DataFrame(
        {"province_code": [CODES[i] for i in p], "year": 2018 + t, "x": x, "y": y, "max_y": scale}
    )
    return frame, float(np.mean(scale * b * mu * (1 - mu)))


def _parts(year):
    """(code, upstream column, name) of each simulated sub-dimension in ``year``, numbered as the
    loader numbers them: dimension 5 loses construction permits and is renumbered from 2021,
    8.3 exists from 2019 (papi_notes.md)."""
    if year <= 2020:
        d5 = [
            ("D5.1", "SC51", "Certification"),
            ("D5.2", "SC52", "Construction permits"),
            ("D5.3", "SC53", "Land titles"),
            ("D5.4", "SC54", "Personal procedures"),
        ]
    else:
        d5 = [
            ("D5.1", "SC51", "Certification"),
            ("D5.2", "SC53", "Land titles"),
            ("D5.3", "SC54", "Personal procedures"),
        ]
    d6 = [(f"D6.{k}", f"SC6{k}", f"Service {k}") for k in (1, 2, 3, 4)]
    d8 = [("D8.1", "SC81", "Portals"), ("D8.2", "SC82", "Internet")]
    if year >= 2019:
        d8.append(("D8.3", "SC83", "E-responsiveness"))
    return {"D5": d5, "D6": d6, "D8": d8}


def simulate_papi_long(n_prov=12, seed=0, with_max=True, drop=()):
    """SIMULATION of the tidy PAPI long frame's shape (values random within the maxima).

    Sub-dimensions run up to 10/n for n parts that year; dimensions are their sums; ``drop`` lists
    (province_code, year) pairs missing from the release (no rows at all)."""
    rng = np.random.default_rng(seed)
    rows = []
    for year in YEARS:
        for code in CODES[:n_prov]:
            if (code, year) in drop:
                continue
            for dim, parts in _parts(year).items():
                top = 10 / len(parts)
                values = rng.uniform(0.3 * top, 0.95 * top, size=len(parts))
                for (sub, column, name), value in zip(parts, values, strict=True):
                    rows.append((year, code, "subdimension", sub, name, column, value, top))
                rows.append(
                    (year, code, "dimension", dim, f"Dimension {dim}", None, values.sum(), 10)
                )
    frame = pd.DataFrame(
        rows,
        columns=[
            "year",
            "province_code",
            "level",
            "component",
            "component_name",
            "source_column",
            "value",
            "max_value",
        ],
    )
    frame["era"] = "2018-"
    frame["province"] = "x"
    return frame if with_max else frame.drop(columns="max_value")


def formula_data(frame):
    return frame.rename(columns={"province_code": "province"})


# --- each estimator recovers a known coefficient -------------------------------------------------


def test_twfe_recovers_beta_where_pooled_ols_is_biased():
    panel = simulate_panel(beta=0.5, seed=11)
    table = fit_ladder(panel, "y", "x", models=("pooled_ols", "twfe"), n_boot=0)
    assert list(table.columns) == RESULT_COLUMNS
    res = table.set_index("model")
    assert abs(res.loc["twfe", "coef"] - 0.5) < 3 * res.loc["twfe", "se"]
    assert res.loc["twfe", "ci_low"] < 0.5 < res.loc["twfe", "ci_high"]
    # the province effects load on x, so pooled OLS is far off (by construction about +0.8)
    assert res.loc["pooled_ols", "coef"] - 0.5 > 0.5


def test_pooled_ols_recovers_beta_without_confounding():
    panel = simulate_panel(beta=-0.3, seed=12, confounded=False, noise=0.3)
    res = fit_ladder(panel, "y", "x", models=("pooled_ols",), n_boot=0).iloc[0]
    assert abs(res["coef"] + 0.3) < 3 * res["se"]


def test_first_difference_recovers_beta():
    panel = simulate_panel(beta=0.5, seed=13)
    res = fit_ladder(panel, "y", "x", models=("first_difference",), n_boot=0).iloc[0]
    assert abs(res["coef"] - 0.5) < 3 * res["se"]
    assert res["n_obs"] == 63 * 6 and res["years"] == "2019-2024"


def test_lagged_twfe_recovers_lag_effect():
    panel = simulate_panel(beta=0.0, lag_beta=0.4, seed=14, confounded=False)
    res = fit_ladder(panel, "y", "x", models=("lagged_twfe", "twfe"), n_boot=0)
    lagged, contemporaneous = res.iloc[0], res.iloc[1]
    assert abs(lagged["coef"] - 0.4) < 3 * lagged["se"]
    assert abs(contemporaneous["coef"]) < 3 * contemporaneous["se"]
    assert lagged["n_obs"] == 63 * 6
    assert "L.x" in lagged["spec"]


def test_fractional_logit_ame_recovers_known_marginal_effect():
    frame, true_ame = simulate_fractional(seed=5)
    res = fit_ladder(frame, "y", "x", models=("fractional_logit",), n_boot=99).iloc[0]
    assert abs(res["coef"] - true_ame) < 3 * res["se"]
    assert abs(res["coef"] - true_ame) / true_ame < 0.05
    assert res["p_boot"] < 0.05
    assert "logit coefficient" in res["note"] and "AME" in res["se_type"]


def test_fractional_logit_ame_se_matches_numerical_delta_method():
    frame, _ = simulate_fractional(seed=6, n_prov=30, n_years=5)
    res = fit_ladder(frame, "y", "x", models=("fractional_logit",), n_boot=0).iloc[0]
    # independent fit with statsmodels' formula interface and a numerical gradient of the AME
    data = formula_data(frame).assign(share=frame["y"] / frame["max_y"])
    data["mean_x"] = data.groupby("province")["x"].transform("mean")
    fit = smf.glm("share ~ x + mean_x + C(year)", data, family=sm.families.Binomial()).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(data["province"])[0]}
    )
    exog = fit.model.exog
    j = fit.model.exog_names.index("x")

    def ame(beta):
        mu = expit(exog @ beta)
        return np.mean(2.5 * beta[j] * mu * (1 - mu))

    beta = fit.params.to_numpy()
    grad = np.array([(ame(beta + h) - ame(beta - h)) / 2e-6 for h in np.eye(len(beta)) * 1e-6])
    assert res["coef"] == pytest.approx(ame(beta), rel=1e-6)
    assert res["se"] == pytest.approx(np.sqrt(grad @ fit.cov_params().to_numpy() @ grad), rel=1e-4)


# --- clustered standard errors equal statsmodels' own on the same design -------------------------


@pytest.mark.parametrize(
    ("model", "formula"),
    [
        ("pooled_ols", "y ~ x + z"),
        ("twfe", "y ~ x + z + C(province) + C(year)"),
    ],
)
def test_clustered_se_match_statsmodels_formula(model, formula):
    panel = simulate_panel(seed=21, n_prov=40, years=range(2018, 2023))
    res = fit_ladder(panel, "y", "x", controls=["z"], models=(model,), n_boot=0).iloc[0]
    data = formula_data(panel)
    ref = smf.ols(formula, data).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(data["province"])[0]}, use_t=True
    )
    assert res["coef"] == pytest.approx(ref.params["x"], rel=1e-9)
    assert res["se"] == pytest.approx(ref.bse["x"], rel=1e-9)
    assert res["p_value"] == pytest.approx(ref.pvalues["x"], rel=1e-7)
    assert (res["ci_low"], res["ci_high"]) == pytest.approx(tuple(ref.conf_int().loc["x"]))
    # the stated convention: CR1 = G/(G-1)·(N-1)/(N-K) with K counting the dummies
    n, k, g = ref.nobs, len(ref.params), 40
    bread = np.linalg.inv(ref.model.exog.T @ ref.model.exog)
    groups = pd.factorize(data["province"])[0]
    meat = np.zeros((g, k))
    np.add.at(meat, groups, ref.model.exog * ref.resid.to_numpy()[:, None])
    cov = bread @ meat.T @ meat @ bread * g / (g - 1) * (n - 1) / (n - k)
    j = ref.model.exog_names.index("x")
    assert res["se"] == pytest.approx(np.sqrt(cov[j, j]), rel=1e-9)
    assert "G/(G-1)*(N-1)/(N-K)" in res["se_type"]


def test_first_difference_matches_statsmodels_on_hand_made_differences():
    panel = simulate_panel(seed=22, n_prov=30, years=range(2018, 2023))
    res = fit_ladder(panel, "y", "x", models=("first_difference",), n_boot=0).iloc[0]
    wide = panel.sort_values(["province_code", "year"])
    diffs = (
        wide.groupby("province_code")[["x", "y"]]
        .diff()
        .assign(year=wide["year"], province=wide["province_code"])
    )
    diffs = diffs.dropna()
    ref = smf.ols("y ~ x + C(year)", diffs).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(diffs["province"])[0]}, use_t=True
    )
    assert res["coef"] == pytest.approx(ref.params["x"], rel=1e-9)
    assert res["se"] == pytest.approx(ref.bse["x"], rel=1e-9)


# --- gaps: a missing year gives no difference and no lag -----------------------------------------


def test_gap_year_breaks_differences_and_lags():
    panel = simulate_panel(seed=23, n_prov=15)
    # SIMULATION of a province missing from one release: province 0 has no 2021 row at all,
    # province 1 has a row with the outcome missing.
    gone = (panel["province_code"] == CODES[0]) & (panel["year"] == 2021)
    panel = panel[~gone].reset_index(drop=True)
    panel.loc[(panel["province_code"] == CODES[1]) & (panel["year"] == 2021), "y"] = np.nan
    res = fit_ladder(panel, "y", "x", models=("first_difference", "lagged_twfe"), n_boot=0)
    fd, lag = res.iloc[0], res.iloc[1]
    # 15 provinces × 6 consecutive pairs, minus 2020→2021 and 2021→2022 for provinces 0 and 1
    assert fd["n_obs"] == 15 * 6 - 4
    assert "2 province-years without the previous year (gap)" in fd["note"]
    # lag: province 0 loses 2021 (no outcome) and 2022 (no 2021 exposure); province 1 keeps 2022,
    # since its 2021 exposure is observed, but loses 2021 (outcome missing)
    assert lag["n_obs"] == 15 * 6 - 3
    assert "1 province-years without the previous year (gap)" in lag["note"]

    # the same count by hand: pairs (t-1, t) with both years complete
    complete = panel.dropna(subset=["y", "x"])
    keys = set(zip(complete["province_code"], complete["year"], strict=True))
    pairs = sum((p, y - 1) in keys for p, y in keys)
    assert fd["n_obs"] == pairs


def test_no_consecutive_years_raises():
    panel = simulate_panel(seed=24, n_prov=15, years=[2018, 2020, 2022])
    with pytest.raises(ModelInputError, match="no province has data in two consecutive years"):
        fit_ladder(panel, "y", "x", models=("first_difference",), n_boot=0)
    with pytest.raises(ModelInputError, match="consecutive"):
        fit_ladder(panel, "y", "x", models=("lagged_twfe",), n_boot=0)


# --- wild cluster bootstrap ----------------------------------------------------------------------


def _twfe_design(panel):
    X = pd.concat(
        [
            pd.Series(1.0, index=panel.index, name="const"),
            panel[["x"]],
            pd.get_dummies(panel["province_code"], drop_first=True, dtype=float),
            pd.get_dummies(panel["year"], drop_first=True, dtype=float),
        ],
        axis=1,
    ).to_numpy()
    groups = np.unique(panel["province_code"], return_inverse=True)[1]
    return panel["y"].to_numpy(), X, groups


def test_vectorised_wcr_equals_refitting_each_draw():
    panel = simulate_panel(beta=0.0, seed=31, n_prov=20)
    y, X, groups = _twfe_design(panel)
    fit = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    weights = boot_weights("webb", 25, 20, seed=3)
    p_boot, t_star = wild_cluster_bootstrap(y, X, 1, groups, fit.tvalues[1], weights)
    restricted = sm.OLS(y, np.delete(X, 1, axis=1)).fit()
    loop = []
    for w in weights:
        y_star = restricted.fittedvalues + w[groups] * restricted.resid
        refit = sm.OLS(y_star, X).fit(cov_type="cluster", cov_kwds={"groups": groups})
        loop.append(refit.tvalues[1])
    np.testing.assert_allclose(t_star, loop, rtol=1e-9, atol=1e-10)
    assert p_boot == (1 + np.sum(np.abs(loop) >= abs(fit.tvalues[1]))) / 26


def test_bootstrap_is_reproducible_with_a_seed():
    panel, _ = simulate_fractional(seed=32, n_prov=25, n_years=5, null=True)
    a = fit_ladder(panel, "y", "x", models=("twfe", "fractional_logit"), n_boot=199, seed=7)
    b = fit_ladder(panel, "y", "x", models=("twfe", "fractional_logit"), n_boot=199, seed=7)
    c = fit_ladder(panel, "y", "x", models=("twfe", "fractional_logit"), n_boot=199, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert (a["p_boot"] != c["p_boot"]).any()
    w1, w2 = boot_weights("webb", 50, 25, 7), boot_weights("webb", 50, 25, 8)
    assert np.array_equal(w1, boot_weights("webb", 50, 25, 7)) and not np.array_equal(w1, w2)
    assert set(np.unique(boot_weights("rademacher", 50, 25, 7))) == {-1.0, 1.0}
    assert len(np.unique(w1)) == 6 and abs(w1.mean()) < 0.1 and abs(w1.var() - 1) < 0.1


def test_p_boot_is_roughly_uniform_under_the_null():
    """60 null SIMULATIONS with 20 clusters: bootstrap p-values spread over (0, 1] like a uniform
    variable (a seeded, deterministic check, loose enough to be about the method not the seed)."""
    linear, fractional = [], []
    for run in range(60):
        panel = simulate_panel(beta=0.0, seed=1000 + run, n_prov=20, years=range(2018, 2023))
        linear.append(fit_ladder(panel, "y", "x", models=("twfe",), n_boot=199, seed=run))
        frame, _ = simulate_fractional(seed=2000 + run, n_prov=20, n_years=5, null=True)
        fractional.append(
            fit_ladder(frame, "y", "x", models=("fractional_logit",), n_boot=199, seed=run)
        )
    for results in (linear, fractional):
        p = pd.concat(results)["p_boot"].to_numpy()
        assert stats.kstest(p, "uniform").pvalue > 0.01
        assert np.mean(p < 0.10) <= 0.2
        assert p.min() >= 1 / 200


def test_p_boot_is_smallest_possible_under_a_strong_effect():
    linear = ("pooled_ols", "twfe", "first_difference")
    strong = fit_ladder(
        simulate_panel(beta=0.3, seed=41, n_prov=30), "y", "x", models=linear, n_boot=199
    )
    assert (strong["p_boot"] == 1 / 200).all()


# --- multiple testing -----------------------------------------------------------------------------


def test_q_values_are_benjamini_hochberg_within_model():
    panel = simulate_panel(beta=0.2, seed=51, n_prov=30)
    rng = np.random.default_rng(0)
    panel = panel.assign(
        y2=rng.normal(size=len(panel)), y3=panel["y"] + rng.normal(size=len(panel))
    )
    panel = panel.assign(x2=rng.normal(size=len(panel)))
    models = ("pooled_ols", "twfe")
    table = fit_family(panel, ["y", "y2", "y3"], ["x", "x2"], models=models, n_boot=99)
    assert len(table) == 3 * 2 * 2
    for model in models:
        rows = table[table["model"] == model]
        expected = multipletests(rows["p_boot"], method="fdr_bh")[1]
        np.testing.assert_allclose(rows["q_value"], expected)
        assert (rows["q_basis"] == "p_boot").all()
    analytic = fit_family(panel, ["y", "y2"], ["x"], models=("twfe",), n_boot=0)
    np.testing.assert_allclose(
        analytic["q_value"], multipletests(analytic["p_value"], method="fdr_bh")[1]
    )
    assert (analytic["q_basis"] == "p_value").all()


# --- mechanical overlap ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "regressor", "expected"),
    [
        ("D8", "D8.1", True),
        ("D8.1", "D8", True),
        ("TOTAL", "D8.1", True),
        ("TOTAL", "D5", True),
        ("D5", "D5", True),
        ("D5", "D8.1", False),
        ("D5.1", "D5.3", False),
        ("D8.1", "D8.2", False),
        ("satisfaction", "D8.1", False),
    ],
)
def test_mechanical_overlap_rules(outcome, regressor, expected):
    assert mechanical_overlap(outcome, regressor) is expected


@given(
    st.sampled_from(["TOTAL", "D5", "D5.1", "D6", "D8", "D8.1", "D8.3", "x"]),
    st.sampled_from(["TOTAL", "D5", "D5.1", "D6", "D8", "D8.1", "D8.3", "x"]),
)
def test_mechanical_overlap_is_symmetric(a, b):
    assert mechanical_overlap(a, b) == mechanical_overlap(b, a)


def test_overlap_is_flagged_and_warned():
    papi = simulate_papi_long(n_prov=12)
    panel = build_panel(papi, exposures="D8.1", outcomes=["D8", "D5"])
    with pytest.warns(MechanicalOverlapWarning, match="D8 and D8.1"):
        res = fit_ladder(panel, "D8", "D8.1", models=("twfe",), n_boot=0)
    assert res["overlap"].all() and "mechanical overlap" in res["note"].iloc[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error", MechanicalOverlapWarning)
        clean = fit_ladder(panel, "D5", "D8.1", models=("twfe",), n_boot=0)
    assert not clean["overlap"].any() and "overlap" not in clean["note"].iloc[0]


# --- the panel builder ----------------------------------------------------------------------------


def test_build_panel_grid_flags_maxima_and_region():
    drop = {(CODES[0], 2021), (CODES[3], 2023)}  # SIMULATION of provinces missing from a release
    papi = simulate_papi_long(n_prov=12, drop=drop)
    panel = build_panel(papi, exposures=["D8.1", "D8.3"], outcomes=["D5", "D5.1"], controls="D8.2")
    assert len(panel) == 12 * len(YEARS)
    assert not panel.duplicated(["province_code", "year"]).any()
    absent = panel[~panel["present"]]
    assert set(zip(absent["province_code"], absent["year"], strict=True)) == drop
    assert absent[["D5", "D8.1"]].isna().all().all()
    assert panel.loc[panel["present"], ["D5", "D5.1", "D8.1", "D8.2"]].notna().all().all()
    # D8.3 only from 2019 (papi_notes.md): missing in 2018, flagged by d8_has_83
    assert panel.loc[panel["year"] == 2018, "D8.3"].isna().all()
    by_year = panel.groupby("year")[[f.name for f in AVAILABILITY_FLAGS]].first()
    assert by_year["d5_three_part"].to_dict() == {y: y >= 2021 for y in YEARS}
    assert by_year["d8_has_83"].to_dict() == {y: y >= 2019 for y in YEARS}
    assert by_year["d83_2019_scale"].to_dict() == {y: y == 2019 for y in YEARS}
    assert by_year["d8_two_part"].to_dict() == {y: y == 2018 for y in YEARS}
    maxima = panel.groupby("year")[["max_D5.1", "max_D8.1", "max_D5"]].first()
    assert maxima.loc[2020, "max_D5.1"] == 2.5
    assert maxima.loc[2021, "max_D5.1"] == pytest.approx(10 / 3)
    assert maxima.loc[2018, "max_D8.1"] == 5.0 and maxima.loc[2019, "max_D8.1"] == pytest.approx(
        10 / 3
    )
    assert (maxima["max_D5"] == 10.0).all()
    regions = pd.read_csv(paths.PACKAGE_DATA / "provinces.csv", dtype=str).set_index("code")
    hanoi = panel[panel["province_code"] == "01"].iloc[0]
    assert hanoi["region"] == regions.loc["01", "region"]
    assert hanoi["province"] == "Hà Nội"
    assert (panel["era"] == "2018-").all()


def test_build_panel_maxima_from_structure_equal_the_given_ones():
    outcomes = ["D5.1", "SC53", "D6", "D5"]
    with_max = build_panel(simulate_papi_long(), exposures="D8.1", outcomes=outcomes)
    without = build_panel(
        simulate_papi_long(with_max=False).drop(columns="era"),
        exposures="D8.1",
        outcomes=outcomes,
    )
    pd.testing.assert_frame_equal(with_max, without)


def test_build_panel_then_family_notes_the_dimension_5_break():
    panel = build_panel(simulate_papi_long(n_prov=15), "D8.1", ["D5", "D5.1", "D6"], "D8.2")
    table = fit_family(panel, ["D5", "D6"], ["D8.1"], controls=["D8.2"], n_boot=49)
    assert len(table) == 2 * 5
    d5 = table[table["outcome"] == "D5"]
    assert d5["note"].str.contains("composition break 2021").all()
    # D8.1 (the exposure) changes scale in 2019: every model uses 2018 and 2019 values of it
    # (the differences and the lag through their t-1 values)
    assert table["note"].str.contains("composition break 2019").all()
    # D6 has no composition break of its own
    assert not table.loc[table["outcome"] == "D6", "note"].str.contains("break 2021").any()
    pooled = table.loc[table["model"] == "pooled_ols", "note"]
    assert pooled.str.contains("no year effects here").all()
    assert (table["n_provinces"] == 15).all() and table["note"].str.contains("few clusters").all()
    shares = to_share(panel, "D5.1")
    np.testing.assert_allclose(shares["D5.1_share"], panel["D5.1"] / panel["max_D5.1"])
    assert shares["D5.1_share"].between(0, 1).all()


def test_renumbered_code_is_refused_and_the_upstream_column_follows_the_series():
    papi = simulate_papi_long()
    # D5.3 is land titles to 2020 and personal procedures from 2021 (as the loader numbers them)
    with pytest.raises(ModelInputError, match=r"'D5.3' changes meaning.*'SC53' for land titles"):
        build_panel(papi, "D8.1", "D5.3")
    panel = build_panel(papi, "D8.1", ["SC53", "SC52"])
    land = papi[papi["source_column"] == "SC53"].set_index(["province_code", "year"])["value"]
    got = panel.set_index(["province_code", "year"])["SC53"]
    pd.testing.assert_series_equal(got, land.reindex(got.index), check_names=False)
    maxima = panel.groupby("year")["max_SC53"].first()
    assert maxima.loc[2020] == 2.5 and maxima.loc[2021] == pytest.approx(10 / 3)
    assert panel.loc[panel["year"] >= 2021, "SC52"].isna().all()  # construction permits dropped
    after = build_panel(papi, "D8.1", "D5.3", years=range(2021, 2025))  # one meaning: fine
    assert after["D5.3"].notna().all()
    assert mechanical_overlap("D5", "SC53") and not mechanical_overlap("D5.1", "SC53")
    res = fit_ladder(panel, "SC53", "D8.1", models=("twfe",), n_boot=0)
    assert "composition break 2021" in res["note"].iloc[0]


def test_build_panel_refuses_two_eras():
    papi = simulate_papi_long(n_prov=10)
    early = papi[papi["year"] == 2018].assign(year=2017, era="2011-2017")
    both = pd.concat([early, papi])
    with pytest.raises(ModelInputError, match="more than one methodology era"):
        build_panel(both, "D8.1", "D5", years=range(2017, 2025))
    assert build_panel(both, "D8.1", "D5")["year"].min() == 2018  # default: the latest era
    without_era = both.drop(columns="era")  # eras then come from ERAS (2018 is the break)
    with pytest.raises(ModelInputError, match=r"2011-2017: 2017-2017, 2018-: 2018-2024"):
        build_panel(without_era, "D8.1", "D5", years=range(2017, 2025))


# --- bad input --------------------------------------------------------------------------------


def test_constant_exposure_raises():
    panel = simulate_panel(seed=61, n_prov=15).assign(x=1.5)
    with pytest.raises(ModelInputError, match=r"'x' is constant \(1.5\).*no variation"):
        fit_ladder(panel, "y", "x", n_boot=0)


def test_exposure_constant_within_provinces_raises_for_fixed_effects():
    panel = simulate_panel(seed=62, n_prov=15)
    panel["x"] = panel.groupby("province_code")["x"].transform("mean")
    with pytest.raises(ModelInputError, match="twfe: the exposure 'x' has no variation left"):
        fit_ladder(panel, "y", "x", models=("twfe",), n_boot=0)
    fit_ladder(panel, "y", "x", models=("pooled_ols",), n_boot=0)  # between variation is fine
    panel = simulate_panel(seed=62, n_prov=15)
    panel["z"] = panel.groupby("province_code")["z"].transform("mean")
    with pytest.raises(ModelInputError, match=r"twfe: the design has .* columns but rank"):
        fit_ladder(panel, "y", "x", controls="z", models=("twfe",), n_boot=0)


def test_too_few_clusters_raise_and_few_clusters_are_noted():
    with pytest.raises(ModelInputError, match=r"only 8 provinces.*at least 10"):
        fit_ladder(simulate_panel(seed=63, n_prov=8), "y", "x", n_boot=0)
    res = fit_ladder(simulate_panel(seed=63, n_prov=20), "y", "x", models=("twfe",), n_boot=0)
    assert "few clusters (G=20 < 42)" in res["note"].iloc[0]
    full = fit_ladder(simulate_panel(seed=63), "y", "x", models=("twfe",), n_boot=0)
    assert "few clusters" not in full["note"].iloc[0]


def test_non_numeric_column_raises_with_the_values():
    panel = simulate_panel(seed=64, n_prov=15)
    panel["x"] = panel["x"].map(lambda v: f"{v:.2f}".replace(".", ","))
    with pytest.raises(ModelInputError, match=r"column 'x' must be numeric.*'-?\d+,\d\d'"):
        fit_ladder(panel, "y", "x", n_boot=0)
    papi = simulate_papi_long()
    papi["value"] = papi["value"].astype(object)
    papi.loc[5, "value"] = "1,62"
    with pytest.raises(ModelInputError, match=r"PAPI frame: column 'value'.*row 5: '1,62'"):
        build_panel(papi, "D8.1", "D5")


def test_missing_columns_and_components_raise():
    panel = simulate_panel(seed=65, n_prov=15)
    with pytest.raises(ModelInputError, match=r"missing column\(s\) \['w'\]"):
        fit_ladder(panel, "y", "w", n_boot=0)
    with pytest.raises(ModelInputError, match=r"missing column\(s\) \['province_code'\]"):
        fit_ladder(panel.drop(columns="province_code"), "y", "x", n_boot=0)
    with pytest.raises(ModelInputError, match="needs 'max_y'"):
        fit_ladder(panel, "y", "x", models=("fractional_logit",), n_boot=0)
    papi = simulate_papi_long()
    with pytest.raises(ModelInputError, match=r"component 'D9.1' has no values in years 2018-2024"):
        build_panel(papi, "D9.1", "D5")
    with pytest.raises(ModelInputError, match=r"missing column\(s\) \['component'\]"):
        build_panel(papi.drop(columns="component"), "D8.1", "D5")


def test_missing_years_raise():
    papi = simulate_papi_long()
    with pytest.raises(ModelInputError, match=r"no rows for year\(s\) \[2016, 2017\]"):
        build_panel(papi, "D8.1", "D5", years=range(2016, 2020))
    panel = simulate_panel(seed=66, n_prov=15)
    panel["year"] = panel["year"].astype("float64")
    panel.loc[3, "year"] = np.nan
    with pytest.raises(ModelInputError, match=r"'year' is missing in rows \[3\]"):
        fit_ladder(panel, "y", "x", n_boot=0)


def test_duplicates_and_other_bad_arguments_raise():
    panel = simulate_panel(seed=67, n_prov=15)
    with pytest.raises(ModelInputError, match=r"more than one row per \(province_code, year\)"):
        fit_ladder(pd.concat([panel, panel.head(1)]), "y", "x", n_boot=0)
    with pytest.raises(ModelInputError, match="unknown model"):
        fit_ladder(panel, "y", "x", models=("iv",))
    with pytest.raises(ModelInputError, match="boot_weights must be one of"):
        fit_ladder(panel, "y", "x", boot_weights="mammen")
    with pytest.raises(ModelInputError, match="same column"):
        fit_ladder(panel, "y", "y")
    papi = simulate_papi_long()
    with pytest.raises(ModelInputError, match=r"more than one row per \(province_code, year"):
        build_panel(pd.concat([papi, papi[papi["component"] == "D5"].head(1)]), "D8.1", "D5")
    with pytest.raises(ModelInputError, match=r"province_code\(s\) \['99'\]"):
        build_panel(papi.assign(province_code="99"), "D8.1", "D5")


def test_fractional_outcome_outside_its_range_raises():
    frame, _ = simulate_fractional(seed=7, n_prov=20, n_years=4)
    frame.loc[0, "y"] = 3.0  # above max_y = 2.5
    with pytest.raises(ModelInputError, match=r"y outside \[0, max_y\]"):
        fit_ladder(frame, "y", "x", models=("fractional_logit",), n_boot=0)


# --- figure helpers ---------------------------------------------------------------------------


def test_binned_scatter_with_fixed_effects_shows_the_within_slope():
    panel = simulate_panel(beta=0.5, seed=71)
    raw = binned_scatter(panel, "x", "y", bins=10)
    within = binned_scatter(panel, "x", "y", bins=10, absorb="both")
    slope = np.polyfit(within["x_mean"], within["y_mean"], 1)[0]
    raw_slope = np.polyfit(raw["x_mean"], raw["y_mean"], 1)[0]
    assert abs(slope - 0.5) < 0.1 and raw_slope > 1.0
    assert within["n"].sum() == len(panel) and len(within) == 10
    assert within["y_mean"].mean() == pytest.approx(panel["y"].mean(), abs=0.05)
    assert (within["x_low"] <= within["x_mean"]).all()
    assert within.attrs["absorb"] == "both"
    with pytest.raises(ModelInputError, match="absorb must be one of"):
        binned_scatter(panel, "x", "y", absorb="region")


def test_lowess_curve_follows_a_known_curve():
    rng = np.random.default_rng(72)
    x = rng.uniform(0, 6, 400)
    y = np.sin(x) + rng.normal(scale=0.1, size=400)
    y[:5] = np.nan
    curve = lowess_curve(x, y, frac=0.2)
    assert curve.attrs["n_dropped"] == 5 and len(curve) == 395
    assert curve["x"].is_monotonic_increasing
    assert np.max(np.abs(curve["fit"] - np.sin(curve["x"]))) < 0.15
    with pytest.raises(ModelInputError, match="x has 3 values, y has 2"):
        lowess_curve([1, 2, 3], [1, 2])
