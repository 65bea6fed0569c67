"""One call per question on the real PAPI panel: explain_rank_change, rank_drivers (notebook 02's
headline numbers), province_profile for each pattern of ranked years, map_recipe, and bad input."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import cchc_analysis as cc
from cchc_analysis.errors import CchcDataError
from cchc_analysis.figures.history import rank_history
from cchc_analysis.methodology import MethodologyWarning
from cchc_analysis.provinces import UnknownProvinceError


@pytest.fixture(scope="module")
def papi():
    return cc.load_papi()


def published_rank(papi, code, year):
    row = papi[
        (papi["level"] == "total") & (papi["year"] == year) & (papi["province_code"] == code)
    ]
    return float(row["rank"].iat[0])


def test_dong_thap_question_and_waterfall_in_three_lines(papi):
    change = cc.explain_rank_change("Đồng Tháp", 2023, 2024)
    fig = change.plot()
    assert change.unit == "87" and change.status == "ranked in both years"
    assert change.rank_prev == published_rank(papi, "87", 2023)
    assert change.rank_curr == published_rank(papi, "87", 2024)
    t = change.table
    assert np.isclose(t["places"].sum(), change.rank_curr - change.rank_prev, atol=1e-12)
    assert set(t["kind"]) == {"performance", "entries/exits"}
    assert t.loc[t["kind"] == "entries/exits", "score_vs_field"].isna().all()
    assert sorted(change.climb["places"].unique()) == [1, 3, 5]
    assert 0 <= change.how_sure()["weights"] <= 1 and change.how_sure()["noise"]["p_up"] >= 0
    s = change.summary()
    assert s.startswith("Đồng Tháp in PAPI 2023→2024: rose from 42nd of 61 to 26th of 61")
    assert (
        len(fig.axes) == 2 and fig.axes[0].get_ylim()[0] > fig.axes[0].get_ylim()[1]
    )  # up = better
    plt.close(fig)


@pytest.mark.parametrize(("years", "remeasured"), [((2019, 2020), "D8"), ((2020, 2021), "D5")])
def test_remeasured_dimension_is_never_performance(years, remeasured):
    for unit in ("Hà Nội", "Đồng Tháp", "TP.HCM", "Quảng Nam"):
        with pytest.warns(MethodologyWarning, match=f"methodology:{remeasured}"):
            change = cc.explain_rank_change(unit, *years)
        t = change.table
        assert remeasured not in set(t.loc[t["kind"] == "performance", "term"])
        assert t.loc[t["term"] == f"methodology:{remeasured}", "kind"].tolist() == ["methodology"]
        assert remeasured in change.relabelled and change.breaks == "documented"
    assert "methodology, not performance" in change.summary()


def test_breaks_ignore_is_the_users_choice():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        change = cc.explain_rank_change("Hà Nội", 2019, 2020, breaks="ignore")
    assert "D8" in set(change.table["term"]) and change.breaks == "ignore"


def test_unranked_province_is_reported_not_attributed():
    change = cc.explain_rank_change("Vĩnh Phúc", 2023, 2024)
    assert change.status.startswith("not ranked in 2024")
    assert change.table.empty and "only be attributed" in change.summary()
    with pytest.raises(CchcDataError, match="no rank change to draw"):
        change.plot()


def test_bad_input_names_what_there_is():
    with pytest.raises(UnknownProvinceError, match="closest known names: 'Đồng Tháp'"):
        cc.explain_rank_change("Dong Thapp", 2023, 2024)
    with pytest.raises(CchcDataError, match="the years there are 2011-2024"):
        cc.explain_rank_change("Hà Nội", 2023, 2030)
    with pytest.raises(
        CchcDataError, match="2017 belongs to the era 2011-2017 and 2018 to the era"
    ):
        cc.explain_rank_change("Hà Nội", 2017, 2018)
    with pytest.raises(CchcDataError, match="unknown index 'pxi'"):
        cc.explain_rank_change("Hà Nội", 2023, 2024, index="pxi")
    with pytest.raises(CchcDataError, match="the years there are"):
        cc.papi_wide(2030)


@pytest.mark.slow
def test_rank_drivers_reproduces_notebook_02():
    """Pinned against notebook 02's cells 5-22 run on the same data (main specification, pooled
    shares, raw composition and clean transitions computed with the notebook's own functions)."""
    d = cc.rank_drivers("papi")
    p = d.pooled.set_index(["era", "view", "term"]).sort_index()

    def share(era, view, term, column="move_share"):
        return round(100 * p.loc[(era, view, term), column], 1)

    assert share("2011-2017", "methodology", "D4") == 21.7
    assert share("2018-", "methodology", "D4") == 16.3
    assert share("2018-", "methodology", "D8") == 5.7
    assert share("2018-", "methodology", "D5") == 6.4
    assert share("2018-", "methodology", "D8", "move_share_measured") == 9.5
    assert share("2018-", "methodology", "D5", "move_share_measured") == 8.2
    clean = {
        t: share("2018-", "clean", t, "move_share_ex_entries") for t in ("D4", "D6", "D2", "D1")
    }
    assert clean == {"D4": 18.4, "D6": 15.3, "D2": 14.8, "D1": 14.1}
    assert share("2018-", "raw", "D8", "move_share_ex_entries") == 18.5
    assert share("2018-", "raw", "D4", "move_share_ex_entries") == 17.2
    # per dimension, not lumped; clean = the three transitions with no re-composition
    assert {"methodology:D5", "methodology:D8"} <= set(p.loc[("2018-", "methodology")].index)
    per = d.per_transition
    assert sorted(
        per.loc[(per["view"] == "clean") & (per["era"] == "2018-"), "year_prev"].unique()
    ) == [2021, 2022, 2023]
    assert "descriptive" in d.interval_note
    sums = per.groupby(["era", "view", "year_prev"])["move_share"].sum()
    assert np.allclose(sums, 1.0)
    assert set(d.relabelled["component"]) == {"D3", "D5", "D8"}
    side = d.side_by_side()
    assert list(side.columns) == ["methodology", "clean", "raw"]
    assert np.isnan(side.loc[("2018-", "methodology:D8"), "raw"])
    fig = d.plot()
    assert len(fig.axes) == 2
    plt.close(fig)
    with pytest.raises(ValueError, match="dimension level"):
        cc.rank_drivers("papi", level="subdimension")
    with pytest.raises(CchcDataError, match="its eras are"):
        cc.rank_drivers("papi", era="2018–2024")


def _one_province_per_coverage(papi) -> dict[tuple[int, ...], str]:
    """The first province (GSO order) of each pattern of ranked years: what the profile's code
    paths depend on (latest ranked year, latest transition ranked in both years, gaps)."""
    total = papi[(papi["level"] == "total") & papi["rank"].notna()]
    patterns = total.groupby("province_code")["year"].apply(lambda s: tuple(sorted(s)))
    return {pattern: code for code, pattern in patterns.sort_index(ascending=False).items()}


@pytest.mark.slow
def test_profile_for_each_pattern_of_ranked_years(papi):
    # Every province's profile is also made (2,000 draws each) and written by the site build,
    # which the site tests check page by page; here, one province per pattern of ranked years.
    chosen = _one_province_per_coverage(papi)
    assert len(chosen) >= 5  # 56 provinces ranked every year, 7 with gaps (2018, 2021–2024)
    for pattern, code in chosen.items():
        prof = cc.province_profile(code, n_draws=200)
        assert prof.latest_year == pattern[-1], code
        assert len(prof.table) == 8 and prof.table["value"].notna().all(), code
        assert (prof.table["minimum"] <= prof.table["value"]).all()
        assert (prof.table["value"] <= prof.table["maximum"]).all()
        assert prof.header().startswith(prof.name)
        ranked = set(prof.history["rank"].dropna().index)
        assert ranked == set(pattern), code
    for name, latest in (("Quảng Ninh", 2024), ("Vĩnh Phúc", 2023), ("Tiền Giang", 2023)):
        prof = cc.province_profile(name, n_draws=200)
        assert prof.latest_year == latest
        fig = prof.plot()
        assert fig._suptitle.get_text() == prof.header()
        plt.close(fig)
    qn = cc.province_profile("Quảng Ninh", n_draws=200)
    assert np.isnan(qn.history.at[2018, "rank"])  # unranked in 2018 (dimensions 2 and 4 missing)
    assert {2019, 2020, 2021} <= set(qn.changes["year_curr"])


def test_profile_headroom_differs_between_dimensions():
    prof = cc.province_profile("Đồng Tháp", n_draws=200)
    assert prof.rank > 1 and prof.table["places_within_reach"].nunique() > 1
    assert prof.table["points_for_1"].nunique() == 1  # equal weights: same points on each
    fig = prof.plot()
    plt.close(fig)


def test_map_recipe_holds_d5_fixed_2020_2021():
    pair = cc.map_recipe(2020, 2021, "D5")
    assert pair.dropped == ("SC52",) and set(pair.parts) == {"SC51", "SC52", "SC53", "SC54"}
    published = cc.composite(cc.papi_wide(2021))
    assert (cc.composite(pair.curr, pair.weights) - published).abs().max() < 1e-12
    assert pair.prev_maxima["SC51"] == 2.5 and np.isclose(pair.maxima["SC51"], 10 / 3)
    fit = cc.shapley_rank_attribution(pair.prev, pair.curr, **pair.kwargs)
    assert "methodology" in fit.players and "SC53" in fit.players
    assert (fit.contributions.sum(axis=1) - fit.table["rank_change"]).abs().max() < 1e-9
    with pytest.raises(CchcDataError, match="measured differently"):
        cc.map_recipe(2019, 2020, "D8")
    with pytest.raises(CchcDataError, match="nothing to map"):
        cc.map_recipe(2021, 2022, "D5")


def test_rank_history_draws_breaks_and_gaps():
    fig, ax = plt.subplots()
    ranks = pd.Series({2016: 5.0, 2017: 7.0, 2018: np.nan, 2019: 3.0})
    rank_history(ax, ranks, [(2016, 2017, "A"), (2018, 2019, "B")], [(2018, 2019, "D8")])
    assert ax.get_ylim()[0] > ax.get_ylim()[1]
    texts = {t.get_text() for t in ax.texts}
    assert "not\nranked" in texts and "D8" in texts
    # the not-ranked year is dotted and unfilled, so it cannot be read as a re-composition's grey
    spans = [p for p in ax.patches if p.get_hatch()]
    assert len(spans) == 1 and spans[0].get_facecolor()[3] == 0
    plt.close(fig)


def test_summary_words_and_the_probability_of_the_observed_direction():
    """A fall is reported with P(really moved down), not P(up); terms are contributions, not
    drivers (issue 13)."""
    from cchc_analysis.noise.answers import Evidence

    base = {
        "name": "X",
        "component": "TOTAL",
        "year_curr": 2024,
        "rank_prev": 11,
        "rank_curr": 30,
        "level": 0.9,
        "gained_lo": -18,
        "gained_hi": 7,
        "window": (2021, 2024),
        "reliability": 0.71,
    }
    fall = Evidence(base | {"places_gained": -19, "p_up": 0.21, "p_down": 0.76})
    assert "P(really moved down) = 0.76" in str(fall) and "moved up" not in str(fall)
    rise = Evidence(base | {"places_gained": 19, "p_up": 0.7, "p_down": 0.2})
    assert "P(really moved up) = 0.70" in str(rise)
    change = cc.explain_rank_change("Đồng Tháp", 2023, 2024, n_draws=50)
    said = change.summary()
    assert "Largest contributions " in said and "driver" not in said
    # places gained, one sign throughout: in its favour > 0, against it < 0
    t = change.table[change.table["kind"] == "performance"]
    top = t.sort_values("places_gained").iloc[-1]
    low = t.sort_values("places_gained").iloc[0]
    if top["places_gained"] > 0:
        assert f"in its favour: {top['label']} ({top['places_gained']:+.1f})" in said
    if low["places_gained"] < 0:
        assert f"against it: {low['label']} ({low['places_gained']:+.1f})" in said
    one = cc.explain_rank_change("Tây Ninh", 2023, 2024, n_draws=50).summary()  # 60th -> 2nd
    assert "leaving the ranking: +1 place." in one and "To climb 1 more place it" in one


def test_noise_hook_reaches_how_sure():
    from cchc_analysis.answers import set_noise_model

    seen = {}

    def model(**kwargs):
        seen.update(kwargs)
        return 0.75

    set_noise_model(model)
    try:
        change = cc.explain_rank_change("Đồng Tháp", 2023, 2024, n_draws=200)
        assert change.how_sure()["noise"] == 0.75
    finally:
        set_noise_model()
    assert seen == {"index": "PAPI", "unit": "87", "year_prev": 2023, "year_curr": 2024}


def test_how_sure_reports_the_panel_noise_model_by_default():
    """Issue 10: the one-call answer says how sure the move is, from the survey-noise model."""
    change = cc.explain_rank_change("Đồng Tháp", 2023, 2024, n_draws=200)
    noise = change.how_sure()["noise"]
    assert noise["rank_prev"] == 42 and noise["rank_curr"] == 26
    assert 0.0 <= noise["p_up"] <= 1.0 and noise["gained_lo"] <= noise["gained_hi"]
    assert "P(really moved up)" in str(noise) and "P(really moved up)" in change.summary()


@pytest.mark.slow
def test_rank_drivers_screened_reproduces_notebook_02_sensitivity():
    """Notebook 02's sensitivity specification (screened re-scalings also methodology)."""
    d = cc.rank_drivers("papi", breaks="screened")
    p = d.pooled[d.pooled["view"] == "methodology"]
    later = p[p["era"] == "2018-"].set_index("term")["move_share"]
    assert round(100 * later["D1"], 1) == 8.3
    assert round(100 * later[later.index.str.startswith("methodology:")].sum(), 1) == 23.5
    first = p[p["era"] == "2011-2017"].set_index("term")["move_share"]
    assert round(100 * first[first.index.str.startswith("methodology:")].sum(), 1) == 6.4
    assert sorted(d.relabelled.query("year_prev == 2020")["component"]) == ["D3", "D5", "D6"]
