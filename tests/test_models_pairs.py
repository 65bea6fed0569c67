"""Tests of fit_pairs, result_row, describe and twfe_by_segment (cchc_analysis.models).

Every panel here is a SIMULATION (seeded, made up to validate the estimators): none of these
numbers describe Viet Nam's provinces.
"""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

from cchc_analysis.models import (
    SEGMENT_COLUMNS,
    SKIPPED_COLUMNS,
    ModelInputError,
    add_q_values,
    describe,
    fit_ladder,
    fit_pairs,
    format_ci,
    format_p,
    pairs,
    result_row,
    segments,
    twfe_by_segment,
)

YEARS = list(range(2018, 2025))
# Simulated provinces take real GSO codes (the models accept nothing else); the values are made up.
CODES = ["01", "02", "04", "06", "08", "10", "11", "12", "14", "15", "17", "19", "20", "22", "24",
         "25", "26", "27", "30", "31", "33", "34", "35", "36", "37", "38", "40", "42", "44", "45",
         "46", "48", "49", "51", "52", "54", "56", "58", "60", "62", "64", "66", "67", "68", "70",
         "72", "74", "75", "77", "79", "80", "82", "83", "84", "86", "87", "89", "91", "92", "93",
         "94", "95", "96"]  # fmt: skip


def simulate_segments(slopes=(0.8, 0.8), cut=2021, n_prov=63, seed=3, jump=1.5, noise=0.3, rho=0.0):
    """SIMULATION. y = slope(segment)·x + a_i(segment) + l_t + u_it, with a province-specific jump
    in level at ``cut`` that is correlated with a jump in x, so plain TWFE is biased; u_it is
    AR(1) within a province with coefficient ``rho`` (serially correlated, clustered errors)."""
    rng = np.random.default_rng(seed)
    n_years = len(YEARS)
    a = rng.normal(size=n_prov)
    shift = rng.normal(size=n_prov)  # each province's unexplained level shift at the cut
    lam = rng.normal(scale=0.5, size=n_years)
    p = np.repeat(np.arange(n_prov), n_years)
    t = np.tile(np.arange(n_years), n_prov)
    after = np.array(YEARS)[t] >= cut
    x = rng.normal(size=p.size) + 0.5 * a[p] + after * 0.8 * shift[p]
    u = np.zeros((n_prov, n_years))
    e = rng.normal(scale=noise, size=(n_prov, n_years))
    u[:, 0] = e[:, 0]
    for k in range(1, n_years):
        u[:, k] = rho * u[:, k - 1] + e[:, k]
    slope = np.where(after, slopes[1], slopes[0])
    y = slope * x + 2 * a[p] + after * jump * shift[p] + lam[t] + u.ravel()
    return pd.DataFrame(
        {"province_code": [CODES[i] for i in p], "year": np.array(YEARS)[t], "x": x, "y": y}
    )


# --- twfe_by_segment ---------------------------------------------------------------------------


def test_segment_effects_remove_the_bias_of_a_level_shift():
    panel = simulate_segments(slopes=(0.8, 0.8))
    plain = twfe_by_segment(panel, "y", "x", [])
    split = twfe_by_segment(panel, "y", "x", [2021])
    assert list(split.columns) == SEGMENT_COLUMNS and len(split) == 1
    assert abs(plain["coef"].iloc[0] - 0.8) > 0.3, "the simulated shift should bias plain TWFE"
    row = split.iloc[0]
    assert row["coef"] == pytest.approx(0.8, abs=0.06)
    assert row["ci_low"] < 0.8 < row["ci_high"]
    assert (row["n_obs"], row["n_provinces"], row["years"], row["cuts"]) == (
        63 * 7,
        63,
        "2018-2024",
        "2021",
    )


def test_per_segment_slopes_are_recovered():
    panel = simulate_segments(slopes=(0.4, 1.2), seed=11)
    out = twfe_by_segment(panel, "y", "x", [2021], per_segment=True)
    assert out["segment"].tolist() == ["2018-2020", "2021-2024"]
    assert out["term"].tolist() == ["x:2018-2020", "x:2021-2024"]
    assert out["coef"].to_numpy() == pytest.approx([0.4, 1.2], abs=0.08)
    assert out["n_obs"].tolist() == [63 * 3, 63 * 4]


def test_no_cuts_is_the_ladders_twfe():
    panel = simulate_segments(seed=5)
    ours = twfe_by_segment(panel, "y", "x").iloc[0]
    ladder = fit_ladder(panel, "y", "x", models=["twfe"], n_boot=0).iloc[0]
    assert ours["coef"] == pytest.approx(ladder["coef"], rel=1e-9)
    assert ours["se"] == pytest.approx(ladder["se"], rel=1e-9)
    assert ours["p_value"] == pytest.approx(ladder["p_value"], rel=1e-6)


def test_single_year_segments_are_dropped():
    panel = simulate_segments(seed=2)
    out = twfe_by_segment(panel, "y", "x", [2019, 2021]).iloc[0]
    # 2018 alone is a one-year segment: it drops out, as in notebook 03's threat 7
    assert (out["years"], out["n_obs"]) == ("2019-2024", 63 * 6)


@pytest.mark.slow
def test_clustered_errors_match_the_spread_of_estimates():
    # SIMULATION, 80 replications with AR(1) errors inside provinces: the CR1 standard error
    # should track the sampling spread of the estimate and the 95% interval should cover the truth
    # (bounds allow for the Monte Carlo error of 80 draws).
    coefs, ses, covered = [], [], []
    for seed in range(80):
        panel = simulate_segments(seed=100 + seed, n_prov=30, rho=0.6, noise=0.5)
        row = twfe_by_segment(panel, "y", "x", [2021]).iloc[0]
        coefs.append(row["coef"])
        ses.append(row["se"])
        covered.append(row["ci_low"] <= 0.8 <= row["ci_high"])
    spread = np.std(coefs, ddof=1)
    assert np.mean(coefs) == pytest.approx(0.8, abs=0.01)
    assert 0.75 < np.mean(ses) / spread < 1.3
    assert 0.85 <= np.mean(covered) <= 1.0


@pytest.mark.parametrize(
    ("cuts", "kwargs", "message"),
    [
        ([2030], {}, "do not split the years 2018-2024"),
        ([2018], {}, "do not split"),
        ("2021", {}, "expected years"),
        ([2020.5], {}, "whole year"),
        ([2021], {"per_segment": "yes"}, "per_segment must be True or False"),
    ],
)
def test_bad_cuts_are_refused(cuts, kwargs, message):
    with pytest.raises(ModelInputError, match=message):
        twfe_by_segment(simulate_segments(), "y", "x", cuts, **kwargs)


def test_other_bad_input_is_refused():
    panel = simulate_segments()
    with pytest.raises(ModelInputError, match="missing column"):
        twfe_by_segment(panel, "y", "nope", [2021])
    two_years = panel[panel["year"].isin([2018, 2019])]
    with pytest.raises(ModelInputError, match="no segment with two or more years"):
        twfe_by_segment(two_years, "y", "x", [2019])
    few = panel[panel["province_code"].isin(CODES[:3])]
    with pytest.raises(ModelInputError, match="clustered errors need at least"):
        twfe_by_segment(few, "y", "x", [2021])
    flat = panel.assign(
        x=np.where(panel["year"] >= 2021, 1.0, 0.0) + panel["province_code"].astype(int)
    )
    with pytest.raises(ModelInputError, match="does not vary within any province and segment"):
        twfe_by_segment(flat, "y", "x", [2021])


# --- fit_pairs, result_row, describe -----------------------------------------------------------


def small_panel(years=YEARS, seed=4):
    """SIMULATION: 15 provinces, outcomes y1, y2 on exposures x, z."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        [(CODES[i - 1], y) for i in range(1, 16) for y in years], columns=["province_code", "year"]
    )
    frame["x"], frame["z"], e1, e2 = rng.normal(size=(4, len(frame)))
    frame["y1"] = 0.7 * frame["x"] + e1
    frame["y2"] = -0.3 * frame["z"] + e2
    return frame


def test_fit_pairs_fits_every_pair_and_model_with_q_values_within_model():
    panel = small_panel()
    res, skipped = fit_pairs(
        panel, ["y1", "y2"], ["x", "z"], "main", models=["pooled_ols", "twfe"], n_boot=0
    )
    assert skipped.empty and list(skipped.columns) == SKIPPED_COLUMNS
    assert len(res) == 8 and set(res["variant"]) == {"main"}
    assert res.columns[-1] == "variant"
    expected = add_q_values(res.drop(columns="variant"))
    assert res["q_value"].to_numpy() == pytest.approx(expected["q_value"].to_numpy())
    direct = fit_ladder(panel, "y1", "x", models=["twfe"], n_boot=0).iloc[0]
    assert result_row(res, "y1", "x", "twfe")["coef"] == pytest.approx(direct["coef"])
    assert result_row(res, "y1", "x", "twfe")["coef"] == pytest.approx(0.7, abs=0.2)


def test_fit_pairs_lists_what_it_could_not_fit():
    panel = small_panel(years=[2018, 2020, 2022])  # no consecutive years: no first differences
    res, skipped = fit_pairs(
        panel,
        ["y1", "y2"],
        ["x"],
        "gaps",
        controls=["z", "y1"],
        models=["twfe", "first_difference"],
        skip={("y2", "x"): "not a pair this study asks about"},
        n_boot=0,
    )
    assert res[["outcome", "model", "controls"]].values.tolist() == [["y1", "twfe", "z"]]
    assert skipped[["outcome", "model"]].values.tolist() == [
        ["y1", "first_difference"],
        ["y2", "all"],
    ]
    assert "consecutive" in skipped["reason"].iloc[0]
    assert skipped["reason"].iloc[1] == "not a pair this study asks about"


def test_fit_pairs_bad_input():
    panel = small_panel()
    with pytest.raises(ModelInputError, match=r"no model could be fitted.*consecutive"):
        fit_pairs(panel[panel["year"] % 2 == 0], "y1", "x", "v", models=["first_difference"])
    with pytest.raises(ModelInputError, match="variant must be a non-empty name"):
        fit_pairs(panel, "y1", "x", "")
    with pytest.raises(ModelInputError, match="skip keys must be"):
        fit_pairs(panel, "y1", "x", "v", skip={"y1": "no"})
    with pytest.raises(ModelInputError, match="at least one outcome"):
        fit_pairs(panel, [], "x", "v")


def test_result_row_names_what_it_could_not_find():
    res, _ = fit_pairs(small_panel(), "y1", "x", "main", models=["twfe"], n_boot=0)
    both = pd.concat([res, res.assign(variant="other")])
    with pytest.raises(LookupError, match="0 rows for y1 on z, model twfe"):
        result_row(res, "y1", "z", "twfe")
    with pytest.raises(LookupError, match="2 rows"):
        result_row(both, "y1", "x", "twfe")
    assert result_row(both, "y1", "x", "twfe", variant="other")["variant"] == "other"


def test_describe_writes_the_notebook_sentence():
    row = {
        "coef": 1.72841,
        "ci_low": 1.0904,
        "ci_high": 2.3664,
        "p_value": 1.23e-6,
        "p_boot": 0.001,
        "n_obs": 432,
        "n_provinces": 63,
        "years": "2018-2024",
    }
    assert describe(row) == (
        "1.728 (95% CI 1.090 to 2.366; p = 1.2e-06, p_boot ≤ 0.001; "
        "432 province-years, 63 provinces, 2018-2024)"
    )
    assert describe(pd.Series(row), " points per point").startswith("1.728 points per point (")
    assert "p_boot 0.012" in describe({**row, "p_boot": 0.012})
    assert "p_boot not computed" in describe({**row, "p_boot": np.nan})
    assert "p_boot ≤ 0.010" in describe({**row, "p_boot": 0.01}, n_boot=99)
    with pytest.raises(ModelInputError, match=r"lacks \['ci_low'"):
        describe({"coef": 1.0})


def test_format_p():
    assert format_p(0.001) == "≤ 0.001"
    assert format_p(0.0011) == "0.001"
    assert format_p(0.5, n_boot=0) == "0.500"
    assert format_p(None) == "not computed"


def test_docstring_examples_run():
    for module in (pairs, segments):
        failed, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert tried > 0 and failed == 0, module.__name__


def test_format_ci_scales_and_names_the_estimate():
    row = {"difference": 0.732, "ci_low": 0.028, "ci_high": 1.436}
    assert format_ci(row, key="difference") == "+0.73 [+0.03, +1.44]"
    assert format_ci(row, 0.0383, 3, "difference") == "+0.028 [+0.001, +0.055]"
    with pytest.raises(ModelInputError, match="format_ci"):
        format_ci(row)
