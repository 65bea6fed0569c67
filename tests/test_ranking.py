"""Ranking tools on small cases worked out by hand, the sampler's convergence, and bad input."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from cchc_analysis.errors import DataValidationError
from cchc_analysis.ranking import (
    competition_rank,
    composite,
    freeze_component_ranks,
    overtakes,
    points_to_overtake,
    rank_stability,
    rank_uncertainty,
    score_change_decomposition,
    shapley_rank_attribution,
)

# Three units, two components. Only C changes (x 1 -> 3, y 2 -> 3):
#   year t-1: A = 4+1 = 5, B = 2+2 = 4, C = 1+2 = 3    ranks A 1, B 2, C 3
#   year t:   A = 5,       B = 4,       C = 3+3 = 6    ranks C 1, A 2, B 3
# Field game, composites and ranks per coalition (A, B, C):
#   {}     5 4 3 -> 1 2 3        {x}  5 4 5 -> 1 3 1
#   {y}    5 4 4 -> 1 2 2        {x,y} 5 4 6 -> 2 3 1
# Shapley with two players: phi_x = ((v(x) - v()) + (v(xy) - v(y))) / 2, phi_y likewise:
#   A: phi_x = (0 + 1)/2 = 1/2,   phi_y = (0 + 1)/2 = 1/2    (sum 1 = 2 - 1)
#   B: phi_x = (1 + 1)/2 = 1,     phi_y = (0 + 0)/2 = 0      (sum 1 = 3 - 2)
#   C: phi_x = (-2 - 1)/2 = -3/2, phi_y = (-1 + 0)/2 = -1/2  (sum -2 = 1 - 3)
# Own game (players x, y, field): A and B do not change, so their x and y are null players and
# "field" takes the whole change; C's rivals do not change, so "field" is null for C and its x, y
# values equal the field game's.
PREV = pd.DataFrame({"x": [4.0, 2.0, 1.0], "y": [1.0, 2.0, 2.0]}, index=["A", "B", "C"])
CURR = pd.DataFrame({"x": [4.0, 2.0, 3.0], "y": [1.0, 2.0, 3.0]}, index=["A", "B", "C"])


def test_competition_rank_series_and_arrays():
    s = pd.Series([10.0, 20.0, 20.0, np.nan, 5.0], index=list("abcde"))
    assert competition_rank(s).tolist()[:3] == [3.0, 1.0, 1.0]
    assert np.isnan(competition_rank(s)["d"]) and competition_rank(s)["e"] == 4.0
    arr = np.array([[1.0, 3.0, 3.0, 2.0], [0.0, 0.0, 0.0, -1.0]])
    np.testing.assert_array_equal(competition_rank(arr), [[4, 1, 1, 3], [1, 1, 1, 4]])
    np.testing.assert_array_equal(competition_rank(arr.T, axis=0), [[4, 1], [1, 1], [1, 1], [3, 4]])
    np.testing.assert_array_equal(competition_rank(arr[0], higher_is_better=False), [1, 3, 3, 2])
    frame = pd.DataFrame({"p": [1.0, 2.0], "q": [2.0, 2.0]})
    assert competition_rank(frame).to_numpy().tolist() == [[2.0, 1.0], [1.0, 1.0]]


def test_composite_weights_and_missing():
    wide = pd.DataFrame({"x": [1.0, 2.0, np.nan], "y": [3.0, 0.5, 1.0]}, index=["a", "b", "c"])
    got = composite(wide, {"x": 2.0, "y": 1.0})
    assert got["a"] == 5.0 and got["b"] == 4.5 and np.isnan(got["c"])
    # the canonical order makes the composite independent of the column order, to the bit
    rng = np.random.default_rng(1)
    w = pd.DataFrame(rng.random((50, 7)))
    a = composite(w)
    b = composite(w[w.columns[::-1]])
    assert (a.to_numpy() == b.to_numpy()).all()


def test_field_game_by_hand():
    res = shapley_rank_attribution(PREV, CURR)
    frac = res.as_fractions()
    assert frac.loc["A", ["x", "y"]].tolist() == [Fraction(1, 2), Fraction(1, 2)]
    assert frac.loc["B", ["x", "y"]].tolist() == [Fraction(1), Fraction(0)]
    assert frac.loc["C", ["x", "y"]].tolist() == [Fraction(-3, 2), Fraction(-1, 2)]
    assert res.table["rank_change"].tolist() == [1, 1, -2]
    assert (res.table["composition"] == 0).all()
    assert res.method == "exact" and res.se is None and res.players == ("x", "y")
    assert res.unmatched.empty


def test_own_game_by_hand():
    res = shapley_rank_attribution(PREV, CURR, game="own")
    assert res.players == ("x", "y", "field")
    np.testing.assert_array_equal(res.table.loc["A", ["x", "y", "field"]], [0, 0, 1])
    np.testing.assert_array_equal(res.table.loc["B", ["x", "y", "field"]], [0, 0, 1])
    np.testing.assert_array_equal(res.table.loc["C", ["x", "y", "field"]], [-1.5, -0.5, 0])


def test_majority_game_gives_thirds():
    # C needs any two of its three improvements to pass A (8 -> 9.5 with one, 11 with two, 12.5
    # with three, against A's constant 10): a symmetric majority game, so each is worth 1/3 place.
    prev = pd.DataFrame({"a": [4.0, 3.0], "b": [3.0, 3.0], "c": [3.0, 2.0]}, index=["A", "C"])
    curr = prev + pd.DataFrame({"a": [0, 1.5], "b": [0, 1.5], "c": [0, 1.5]}, index=["A", "C"])
    frac = shapley_rank_attribution(prev, curr).as_fractions()
    assert frac.loc["C"].tolist() == [0, Fraction(-1, 3), Fraction(-1, 3), Fraction(-1, 3)]
    assert frac.loc["A"].tolist() == [0, Fraction(1, 3), Fraction(1, 3), Fraction(1, 3)]


def test_symmetry_survives_rounding():
    # Summed column by column, 0.9 + 0.5 + 0.8 and 0.8 + 0.5 + 0.9 differ in the last bit, which
    # would give "a" and its identical twin different values; composites are summed in a
    # canonical order so that identical components are always treated alike.
    prev = pd.DataFrame(
        {"a": [0.8, 0.6, 0.5], "b": [0.0, 0.5, 0.5], "twin": [0.8, 0.6, 0.5]}, index=list("ABC")
    )
    curr = pd.DataFrame(
        {"a": [0.9, 0.2, 0.3], "b": [0.5, 0.3, 0.7], "twin": [0.9, 0.2, 0.3]}, index=list("ABC")
    )
    for game in ("field", "own"):
        res = shapley_rank_attribution(prev, curr, game=game)
        np.testing.assert_array_equal(res.numerators[:, 0], res.numerators[:, 2])


def test_entries_and_exits_are_their_own_term():
    # D is ranked first in t-1 only, E enters first in t: every remaining unit gains a place from
    # D leaving and loses one to E, so the composition term is 0; then E enters ahead of B only.
    prev = pd.concat([PREV, pd.DataFrame({"x": [9.0], "y": [9.0]}, index=["D"])])
    prev.loc["E"] = [np.nan, 1.0]
    curr = pd.concat([CURR, pd.DataFrame({"x": [np.nan], "y": [9.0]}, index=["D"])])
    curr.loc["E"] = [9.0, 9.0]
    res = shapley_rank_attribution(prev, curr)
    t = res.table
    assert t["rank_prev"].tolist() == [2, 3, 4] and t["rank_curr"].tolist() == [3, 4, 2]
    assert t["composition"].tolist() == [0, 0, 0]
    assert res.unmatched["status"].to_dict() == {"D": "exited", "E": "entered"}
    prev.loc["E"] = [np.nan, 1.0]
    curr.loc["E"] = [4.5, 0.0]  # E enters at 4.5: behind C (6) and A (5), ahead of B (4)
    t = shapley_rank_attribution(prev, curr).table
    assert t["composition"].tolist() == [-1, 0, -1]  # A, C: D gone; B: D gone, E ahead
    assert (t["rank_change"] == t["composition"] + t[["x", "y"]].sum(axis=1)).all()


def test_methodology_player_takes_a_weight_change():
    # Same scores both years, but y's weight doubles: only "methodology" can move anyone.
    w_old = pd.Series({"x": 1.0, "y": 1.0})
    w_new = pd.Series({"x": 1.0, "y": 2.0})
    res = shapley_rank_attribution(PREV, PREV, w_new, prev_weights=w_old)
    assert res.players == ("x", "y", "methodology")
    t = res.table
    assert (t[["x", "y"]] == 0).all().all()
    assert (t["methodology"] == t["rank_change"]).all()
    assert t["rank_change"].tolist() == [0, -1, 0]  # A 5 -> 6, B 4 -> 6 (tied first), C 3 -> 5
    # own game: the rivals' values do not change either, so "field" is null too
    own = shapley_rank_attribution(PREV, PREV, w_new, game="own", prev_weights=w_old).table
    assert (own[["x", "y", "field"]] == 0).all().all()
    assert (own["methodology"] == own["rank_change"]).all()


def test_sampler_converges_to_exact():
    rng = np.random.default_rng(11)
    units = [f"{i:02d}" for i in range(12)]
    comps = ["a", "b", "c", "d", "e"]
    prev = pd.DataFrame(rng.normal(5, 1, (12, 5)), index=units, columns=comps)
    curr = prev + rng.normal(0, 0.6, (12, 5))
    exact = shapley_rank_attribution(prev, curr, method="exact").table[comps]
    errors = []
    for m in (50, 5000):
        est = shapley_rank_attribution(prev, curr, method="sample", n_permutations=m, seed=5)
        err = (est.table[comps] - exact).abs()
        errors.append(err.to_numpy().mean())
        within = (err <= 3 * est.se[comps] + 1e-12).to_numpy().mean()
        assert within >= 0.9
    assert errors[1] < errors[0] / 4


def test_auto_switches_to_sampling_beyond_twelve():
    rng = np.random.default_rng(2)
    prev = pd.DataFrame(rng.random((6, 13)), columns=[f"s{j}" for j in range(13)])
    curr = prev + rng.normal(0, 0.2, prev.shape)
    res = shapley_rank_attribution(prev, curr, n_permutations=100, seed=1)
    assert res.method == "sample" and res.n_permutations == 100 and res.se is not None
    tidy = res.tidy()
    assert len(tidy) == 6 * 14 and set(tidy["kind"]) == {"composition", "component"}
    again = shapley_rank_attribution(prev, curr, n_permutations=100, seed=1)
    pd.testing.assert_frame_equal(res.table, again.table)


def test_score_change_decomposition_by_hand():
    prev = pd.DataFrame({"p": [1.0, 3.0], "q": [2.0, 1.0]}, index=["A", "B"])
    curr = pd.DataFrame({"p": [2.0, 3.0], "q": [2.0, 3.0]}, index=["A", "B"])
    d = score_change_decomposition(prev, curr).set_index(["unit", "component"])
    assert d["contribution"].tolist() == [1.0, 0.0, 0.0, 2.0]
    # field means: p 0.5, q 1.0
    assert d["relative_contribution"].tolist() == [0.5, -1.0, -0.5, 1.0]
    assert (d["methodology"] == 0).all()
    # weight of p doubles: A's p contribution 2*2 - 1*1 = 3; midpoint: performance 1.5 * 1,
    # methodology 1 * 1.5; last year's recipe: performance 1 * 1, methodology 1 * 2
    w = pd.Series({"p": 2.0, "q": 1.0})
    w_old = pd.Series({"p": 1.0, "q": 1.0})
    mid = score_change_decomposition(prev, curr, w, prev_weights=w_old).set_index(
        ["unit", "component"]
    )
    assert mid.loc[("A", "p"), ["contribution", "performance", "methodology"]].tolist() == [
        3.0,
        1.5,
        1.5,
    ]
    old = score_change_decomposition(prev, curr, w, prev_weights=w_old, split="prev")
    row = old.set_index(["unit", "component"]).loc[("A", "p")]
    assert [row["performance"], row["methodology"]] == [1.0, 2.0]
    # maximum of p goes 5 -> 10 (points 2 -> 6, share 0.4 -> 0.6): performance 7.5 * 0.2,
    # methodology 5 * 0.5
    scaled = curr.assign(p=[6.0, 3.0])
    m = score_change_decomposition(
        prev.assign(p=[2.0, 3.0]),
        scaled,
        maxima=pd.Series({"p": 10.0, "q": 5.0}),
        prev_maxima=pd.Series({"p": 5.0, "q": 5.0}),
    ).set_index(["unit", "component"])
    assert m.loc[("A", "p"), "performance"] == pytest.approx(1.5, abs=1e-12)
    assert m.loc[("A", "p"), "methodology"] == pytest.approx(2.5, abs=1e-12)


def test_freeze_component_ranks_by_hand():
    f = freeze_component_ranks(PREV, CURR).set_index(["unit", "component"])
    # freeze x for everyone: C = 1+3 = 4 -> A 1, B 2, C 2; freeze y: C = 3+2 = 5 -> A 1, C 1, B 3
    assert f["rank_frozen_field"].to_dict() == {
        ("A", "x"): 1,
        ("A", "y"): 1,
        ("B", "x"): 2,
        ("B", "y"): 3,
        ("C", "x"): 2,
        ("C", "y"): 1,
    }
    assert f["effect_field"].tolist() == [1, 1, 1, 0, -1, 0]
    # freeze for C alone against the year-t field (A 5, B 4): x -> 4 (rank 2), y -> 5 (rank 1)
    assert f.loc["C", "rank_frozen_own"].tolist() == [2, 1]
    assert (f.loc[["A", "B"], "effect_own"] == 0).all()


def test_overtakes_by_hand():
    o = overtakes(PREV, CURR).set_index(["overtaker", "overtaken"])
    assert list(o.index) == [("C", "A"), ("C", "B")]
    ca, cb = o.loc[("C", "A")], o.loc[("C", "B")]
    assert (ca["gap_prev"], ca["gap_curr"]) == (-2.0, 1.0)
    assert (ca["gap_change_x"], ca["gap_change_y"]) == (2.0, 1.0)
    assert ca["decisive"] == "x"
    # without y's change C would only tie A (5 = 5): both are necessary, neither alone suffices
    assert ca["necessary"] == ("x", "y") and ca["sufficient"] == ()
    assert cb["necessary"] == ("x",) and cb["sufficient"] == ("x",)
    assert overtakes(PREV, PREV).empty


def test_points_to_overtake_by_hand():
    # year t: C 6, A 5, B 4; B = (2, 2) with maxima x 5, y 4 -> headroom 3 and 2
    pts = points_to_overtake(CURR, "B", places=(1, 2, 3), maxima={"x": 5.0, "y": 4.0})
    pts = pts.set_index(["places", "component"])
    assert pts.loc[(1, "x"), "target_unit"] == "A" and pts.loc[(1, "x"), "gap"] == 1.0
    assert pts.loc[(1, "y"), "status"] == "feasible"
    assert pts.loc[(2, "x"), ["points_needed", "headroom", "status"]].tolist() == [
        2.0,
        3.0,
        "feasible",
    ]
    # 2 more points on y only ties C (6 = 6): strictly passing needs more than the headroom
    assert pts.loc[(2, "y"), "status"] == "beyond headroom"
    assert pts.loc[(3, "x"), "status"] == "no such rank"
    # weights x 2, y 1: A 9, C 9 (tied first), B 6. To gain one place B must pass the second of
    # the others by (score, code), C; any score above 9 in fact puts B first.
    tied = points_to_overtake(CURR, "B", places=(1, 2), weights={"x": 2.0, "y": 1.0})
    tied = tied.set_index(["places", "component"])
    assert tied.loc[(1, "x"), ["target_unit", "gap", "points_needed"]].tolist() == ["C", 3.0, 1.5]
    assert tied.loc[(2, "y"), ["target_unit", "points_needed"]].tolist() == ["A", 3.0]
    # weights x 1, y 0: A 4, C 3, B 2; y cannot help
    inert = points_to_overtake(CURR, "B", places=(1,), weights={"x": 1.0, "y": 0.0})
    row = inert.set_index("component")
    assert row.loc["x", "points_needed"] == 1.0 and row.loc["y", "status"] == "zero weight"
    assert not row.loc["y", "feasible"] and np.isinf(row.loc["y", "points_needed"])


def test_rank_stability_by_hand():
    y1 = pd.DataFrame({"x": [1.0, 2.0, 3.0, 9.0]}, index=["a", "b", "c", "d"])
    y2 = pd.DataFrame({"x": [1.0, 3.0, 2.0]}, index=["a", "b", "c"])
    y3 = pd.DataFrame({"x": [3.0, 2.0, 1.0]}, index=["a", "b", "c"])
    s = rank_stability({2019: y2, 2018: y1, 2020: y3})
    first = s[(s["year_prev"] == 2018) & (s["series"] == "composite")].iloc[0]
    # pairs (a,b) and (a,c) concordant, (b,c) discordant: tau = 1/3; d = (0, 1, -1): rho = 1/2
    assert first["n"] == 3
    assert first["kendall_tau_b"] == pytest.approx(1 / 3)
    assert first["spearman_rho"] == pytest.approx(0.5)
    assert s["series"].tolist() == ["composite", "x", "composite", "x"]
    long = pd.concat(
        [y.assign(year=yr).rename_axis("unit").reset_index() for yr, y in [(1, y1), (2, y2)]]
    ).melt(id_vars=["year", "unit"], var_name="component", value_name="value")
    s2 = rank_stability(long)
    assert s2.loc[0, "kendall_tau_b"] == pytest.approx(1 / 3)


def test_rank_uncertainty_known_cases():
    units = ["a", "b", "c"]
    wide = pd.DataFrame({"x": [9.0, 5.0, 1.0], "y": [9.0, 1.0, 5.0]}, index=units)
    u = rank_uncertainty(wide, n_draws=2000, seed=4)
    assert u.loc["a"].tolist() == [1, 1, 1, 1]  # a dominates under any weights
    assert u.loc["b", "rank"] == 2 and set(u.loc[["b", "c"], "rank_p95"]) == {3}
    pd.testing.assert_frame_equal(u, rank_uncertainty(wide, n_draws=2000, seed=4))
    tight = rank_uncertainty(wide.assign(x=[9.0, 6.0, 1.0]), n_draws=500, concentration=1e9)
    assert (tight["rank_p05"] == tight["rank_p95"]).all()
    # a and b tie in t-1 under nominal weights and swap with equal chance under random ones; in t
    # a is first whatever the weights: a's nominal change 0 keeps its sign about half the time
    prev = pd.DataFrame({"x": [1.0, 0.0], "y": [0.0, 1.0]}, index=["a", "b"])
    curr = pd.DataFrame({"x": [1.0, 0.0], "y": [1.0, 0.0]}, index=["a", "b"])
    v = rank_uncertainty(curr, n_draws=10_000, seed=0, prev=prev)
    assert v.loc["a", "rank_change"] == 0 and v.loc["b", "rank_change"] == 1
    assert v.loc["a", "p_same_sign"] == pytest.approx(0.5, abs=0.03)
    assert v.loc["b", "p_same_sign"] == pytest.approx(0.5, abs=0.03)
    zero = rank_uncertainty(wide, {"x": 1.0, "y": 0.0}, n_draws=100)
    assert zero["rank"].tolist() == [1, 2, 3] and (zero["rank_p05"] == zero["rank_p95"]).all()


# --- bad input -----------------------------------------------------------------------------


def test_mismatched_components():
    with pytest.raises(DataValidationError, match=r"only in year t-1: \['y'\].*prev_weights"):
        shapley_rank_attribution(PREV, CURR.rename(columns={"y": "z"}))


def test_duplicate_units():
    dup = pd.concat([PREV, PREV.iloc[[0]]])
    with pytest.raises(DataValidationError, match=r"one row per unit.*rows A"):
        score_change_decomposition(dup, CURR)


def test_non_numeric_values():
    bad = CURR.astype(object)
    bad.loc["B", "y"] = "2,5"
    with pytest.raises(DataValidationError, match=r"numeric values in component 'y'.*rows B"):
        overtakes(PREV, bad)
    with pytest.raises(DataValidationError, match="numeric"):
        freeze_component_ranks(PREV.assign(x=["1", "2", "3"]), CURR)
    with pytest.raises(DataValidationError, match="finite"):
        shapley_rank_attribution(PREV.assign(x=[np.inf, 1.0, 1.0]), CURR)
    with pytest.raises(TypeError, match="numbers"):
        competition_rank(pd.Series(["a", "b"]))


def test_weights_must_match_components():
    with pytest.raises(DataValidationError, match=r"no value for \['y'\]"):
        shapley_rank_attribution(PREV, CURR, pd.Series({"x": 1.0}))
    with pytest.raises(DataValidationError, match="unknown components"):
        score_change_decomposition(PREV, CURR, {"x": 1.0, "y": 1.0, "z": 2.0})
    with pytest.raises(DataValidationError, match="non-negative"):
        rank_uncertainty(CURR, {"x": -1.0, "y": 1.0})
    with pytest.raises(DataValidationError, match="finite"):
        composite(CURR, {"x": np.nan, "y": 1.0})
    with pytest.raises(TypeError, match="indexed by component"):
        composite(CURR, [1.0, 2.0])
    with pytest.raises(DataValidationError, match="positive"):
        points_to_overtake(CURR, "A", maxima={"x": 0.0, "y": 5.0})


def test_too_many_components_for_exact():
    rng = np.random.default_rng(0)
    prev = pd.DataFrame(rng.random((4, 17)), columns=[f"s{j}" for j in range(17)])
    with pytest.raises(ValueError, match=r"2\^17.*method='sample'"):
        shapley_rank_attribution(prev, prev + 0.1, method="exact")


def test_bad_arguments():
    with pytest.raises(ValueError, match="game"):
        shapley_rank_attribution(PREV, CURR, game="everyone")
    with pytest.raises(ValueError, match="method"):
        shapley_rank_attribution(PREV, CURR, method="fast")
    with pytest.raises(ValueError, match="n_permutations"):
        shapley_rank_attribution(PREV, CURR, method="sample", n_permutations=2)
    with pytest.raises(ValueError, match="clash"):
        shapley_rank_attribution(
            PREV.rename(columns={"x": "field"}), CURR.rename(columns={"x": "field"})
        )
    with pytest.raises(ValueError, match="prev_maxima needs maxima"):
        score_change_decomposition(PREV, CURR, prev_maxima={"x": 5.0, "y": 5.0})
    with pytest.raises(DataValidationError, match="ranked in both years"):
        shapley_rank_attribution(PREV.rename(index=str.lower), CURR)
    with pytest.raises(KeyError, match="'Z'"):
        points_to_overtake(CURR, "Z")
    with pytest.raises(DataValidationError, match="within the maxima"):
        points_to_overtake(CURR, "C", maxima={"x": 2.0, "y": 5.0})
    with pytest.raises(DataValidationError, match="one row per"):
        rank_stability(
            pd.DataFrame({"year": [1, 1], "unit": ["a", "a"], "component": "x", "value": 1.0})
        )
    with pytest.raises(DataValidationError, match="at least two years"):
        rank_stability({2020: PREV})
    with pytest.raises(DataValidationError, match="same components"):
        rank_stability({2020: PREV, 2021: PREV[["x"]]})
