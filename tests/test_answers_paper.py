"""The analyses notebook 02 reads as a paper: COVID sensitivity, per-unit terms, sub-component
drivers, overtakes, weight robustness, stability, the PAR 2024 field bounds and save_table."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cchc_analysis as cc
from cchc_analysis.answers._common import bootstrap_shares, era_label
from cchc_analysis.errors import CchcDataError


@pytest.fixture(scope="module")
def drivers():
    return cc.rank_drivers("papi", era="2018-", n_boot=500)


@pytest.mark.slow
def test_without_repools_and_by_unit_adds_up(drivers):
    no_covid = drivers.without((2020, 2021))
    p = no_covid.pooled.set_index(["view", "term"])
    assert int(p["transitions"].max()) == 5
    assert round(100 * p.loc[("methodology", "D4"), "move_share"], 1) == 15.8
    assert "methodology:D5" not in p.loc["methodology"].index  # its only transition is dropped
    assert no_covid.extra["dropped"] == [(2020, 2021)]
    assert (no_covid.by_unit["year_prev"] != 2020).all()
    # the stored per-unit terms add up to each province's rank change, and to the pooled sums
    units = drivers.by_unit
    sums = units.groupby(["year_prev", "unit"]).agg(v=("value", "sum"), r=("rank_change", "first"))
    assert np.allclose(sums["v"], sums["r"], atol=1e-9)
    per = drivers.per_transition.query("view == 'methodology'").set_index(["year_prev", "term"])
    mine = units.assign(a=units["value"].abs()).groupby(["year_prev", "term"])["a"].sum()
    assert np.allclose(mine, per.loc[mine.index, "abs_movement"])
    with pytest.raises(ValueError, match="unknown transitions"):
        drivers.without((2016, 2017))
    for fig in (drivers.plot_views("2018-"), drivers.plot_transitions()):
        assert fig.axes[0].get_xlabel().endswith("(%)")
        plt.close(fig)
    with pytest.raises(ValueError, match="no era"):
        drivers.plot_views("2011-2017")


def test_bootstrap_shares_band_and_sum():
    t = pd.DataFrame({"a": [1.0, 3.0, 2.0], "b": [1.0, 1.0, 0.0]}, index=[2021, 2022, 2023])
    out = bootstrap_shares(t, n_boot=500)
    assert np.isclose(out["share"].sum(), 1.0)
    assert out.at["a", "share"] == pytest.approx(6 / 8)
    assert (out["p05"] <= out["share"]).all() and (out["share"] <= out["p95"]).all()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.floats(0, 100), min_size=3, max_size=3), min_size=1, max_size=6))
def test_bootstrap_shares_are_shares(rows):
    t = pd.DataFrame(rows, columns=["x", "y", "z"])
    if t.to_numpy().sum(axis=1).min() <= 0:
        t.iloc[:, 0] += 1.0  # every resample needs some movement
    out = bootstrap_shares(t, n_boot=50)
    assert np.isclose(out["share"].sum(), 1.0)
    assert ((out[["p05", "p95"]] >= -1e-12) & (out[["p05", "p95"]] <= 1 + 1e-12)).all().all()


@pytest.mark.slow
def test_subcomponent_drivers_d4():
    inside = cc.subcomponent_drivers("D4", era="2018-", n_boot=200)
    s = inside.shares.set_index("part")
    assert np.isclose(s["share_within"].sum(), 1.0)
    assert s["share_within"].idxmax() == "D4.1"
    assert s.at["D4.1", "name"] == "Limits on Corruption in Local Governments"
    assert inside.skipped == ()
    # the opened component's parts carry what the whole component carried, near enough
    whole = cc.rank_drivers("papi", era="2018-", n_boot=50).pooled
    d4 = whole.query("view == 'methodology' and term == 'D4'")["move_share"].iat[0]
    assert abs(s["share_of_all"].sum() - d4) < 0.1
    plt.close(inside.plot())
    with pytest.raises(ValueError, match="no component"):
        cc.subcomponent_drivers("D9", era="2018-")


def test_subcomponent_drivers_skips_a_recomposed_component():
    inside = cc.subcomponent_drivers("D8", era="2018-", n_boot=50)
    assert inside.skipped == ((2018, 2019), (2019, 2020))
    assert set(inside.shares["transitions"]) == {4}


def test_overtake_drivers_shares_and_whiskers():
    od = cc.overtake_drivers("papi", era="2018-", n_boot=500)
    s = od.shares.set_index("term")
    assert np.isclose(s["decided"].sum(), 1.0)
    assert s["decided"].idxmax() == "D4"
    assert (s["p05"] <= s["decided"] + 1e-12).all() and (s["decided"] <= s["p95"] + 1e-12).all()
    assert s["overtakes"].sum() == len(od.pairs)
    assert 0 < od.no_single_necessary["2018-"] < 1
    fig = od.plot()
    assert "bootstrap over transitions" in fig._suptitle.get_text()  # same whiskers as 3.1
    # a re-measured component (D8 in 2018→19, 2019→20) is hatched as methodology, as in the
    # per-transition figure; performance bars are not
    ax = fig.axes[0]
    at = {
        round(y): t.get_text() for y, t in zip(ax.get_yticks(), ax.get_yticklabels(), strict=True)
    }
    hatched = {at[round(b.get_y() + b.get_height() / 2)] for b in ax.patches if b.get_hatch()}
    assert hatched == {lab for lab in at.values() if lab.endswith("(method.)")} != set()
    plt.close(fig)


@pytest.mark.slow
def test_weight_robustness_by_size_and_concentration():
    wr = cc.weight_robustness("papi", concentrations=(20, 200), n_draws=300)
    s = wr.summary.query("era == '2018-'").set_index(["concentration", "size"])["robust"]
    for c in (20.0, 200.0):
        assert s[(c, "> 10")] > s[(c, "1–2")]
    share = wr.robust_share()["2018-"]
    assert share[200.0] > share[20.0]  # draws closer to the nominal weights: more changes hold
    sd = wr.weight_sd
    assert (sd.loc[20.0] > sd.loc[200.0]).all()
    # the spread of one share uses each era's own number of dimensions: 6 before 2018, 8 after
    assert np.isclose(sd.at[20.0, "2018-"], np.sqrt((7 / 8) / ((1 / 8) * 21)))
    assert np.isclose(sd.at[20.0, "2011-2017"], np.sqrt((5 / 6) / ((1 / 6) * 21)))
    fig = wr.plot()  # one legend per panel, each with its era's spreads
    legends = [[t.get_text() for t in ax.get_legend().get_texts()] for ax in fig.axes]
    assert legends == [
        ["20 (weight share ±49%)", "200 (weight share ±16%)"],
        ["20 (weight share ±58%)", "200 (weight share ±19%)"],
    ]
    plt.close(fig)
    dropped = cc.weight_robustness(
        "papi", era="2018-", concentrations=(50,), n_draws=50, exclude=[(2020, 2021)]
    )
    assert 2020 not in set(dropped.units["year_prev"])
    with pytest.raises(ValueError, match="threshold"):
        cc.weight_robustness("papi", threshold=0.3)


def test_stability_table_marks_recompositions_and_covid_year():
    tab = cc.stability_table("papi")
    flagged = set(tab.loc[tab["recomposed"], ["year_prev", "series"]].itertuples(index=False))
    assert flagged == {(2015, "D3"), (2018, "D8"), (2019, "D8"), (2020, "D5")}
    total = tab.query("series == 'composite'").set_index("year_prev")
    assert total["kendall_tau_b"].idxmin() == 2020  # the COVID-era fieldwork transition
    assert total.at[2020, "unranked"] == 3
    plt.close(cc.plot_stability(tab))


def test_field_change_bounds_on_a_small_case():
    delta = pd.Series({"a": 2.0, "b": -1.0, "c": 4.0})
    maxima = pd.Series({"a": 10.0, "b": np.nan, "c": np.nan})
    bounds, vertices = cc.field_change_bounds(delta, maxima)
    assert bounds.at["a", "low"] == bounds.at["a", "high"] == pytest.approx(0.2)
    assert bounds.at["b", "low"] == pytest.approx(-0.9) and bounds.at["b", "high"] == 0.0
    assert bounds.at["c", "high"] == pytest.approx(3.6) and bounds.at["c", "low"] == 0.0
    assert list(vertices.columns) == [
        "unknown maxima = 0",
        "all 90 points on b",
        "all 90 points on c",
    ]
    with pytest.raises(ValueError, match="sum to"):
        cc.field_change_bounds(delta, pd.Series({"a": 60.0, "b": 50.0, "c": np.nan}))


def test_par_field_change_uses_the_published_rows():
    par = cc.par_field_change(2023, 2024)
    assert par.total_change == pytest.approx(par.mean_curr - par.mean_prev)
    assert par.bounds.at["impact", "low"] == pytest.approx(16.5 / 100 * 3.79)
    used = par.inputs.set_index("field")
    assert used.at["impact", "value_from"].startswith("value_as_published")
    assert par.other_low <= par.other_high
    plt.close(par.plot())
    with pytest.raises(ValueError, match="no published PAR field changes"):
        cc.par_field_change(2022, 2023)


def test_save_table_is_atomic_and_stable(tmp_path):
    frame = pd.DataFrame({"a": [1.0, 2.5], "b": ["x", "ý"]})
    path = cc.save_table(frame, "demo", tmp_path)
    first = path.read_bytes()
    cc.save_table(frame, "demo", tmp_path)
    assert path.read_bytes() == first and b"\r" not in first
    assert [p.name for p in tmp_path.iterdir()] == ["demo.csv"]  # no temporary left behind
    assert path.stat().st_mode & 0o044 == 0o044  # readable by others, like to_csv
    with pytest.raises(ValueError, match="bare file stem"):
        cc.save_table(frame, "demo.csv", tmp_path)
    with pytest.raises(TypeError):
        cc.save_table(frame["a"], "demo", tmp_path)


def test_leader_profile_shows_the_runner_ups_headroom_not_identical_bars():
    prof = cc.province_profile("Quảng Ninh", n_draws=200)
    assert prof.rank == 1
    fig = prof.plot()
    ax = next(a for a in fig.axes if a.get_title().startswith("defending first place"))
    widths = [round(p.get_width(), 6) for p in ax.patches]
    assert len(widths) == 8 and len(set(widths)) == 8
    # the bars have the one colour their legend entry shows
    assert len({p.get_facecolor() for p in ax.patches}) == 1
    plt.close(fig)


def test_plot_rank_changes_needs_ranked_units_of_one_transition():
    a = cc.explain_rank_change("Đồng Tháp", 2023, 2024, n_draws=50)
    b = cc.explain_rank_change("Hà Nội", 2023, 2024, n_draws=50)
    fig = cc.plot_rank_changes([a, b])
    assert len(fig.axes) == 4
    plt.close(fig)
    c = cc.explain_rank_change("Hà Nội", 2022, 2023, n_draws=50)
    with pytest.raises(CchcDataError, match="one index and transition"):
        cc.plot_rank_changes([a, c])


def test_era_label():
    assert era_label("papi", "2018-") == "2018–2024"
    assert era_label("papi", "2011-2017") == "2011–2017"
    assert era_label("papi", "other") == "other"
