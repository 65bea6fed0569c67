"""PCI and QĐ 766 as indices of the one-call answers, and the bridge between the eras (issue 9,
11, 15): weights travel with the frames, sub-indices added or dropped are methodology, snapshot
periods, era-checked keys."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cchc_analysis as cc
from cchc_analysis.answers._common import resolve_unit
from cchc_analysis.errors import CchcDataError, DataValidationError
from cchc_analysis.indices import IndexSpec, get_index
from cchc_analysis.methodology import (
    ComponentSignature,
    MethodologyWarning,
    Part,
    ScoreMeta,
    attach_methodology,
)
from cchc_analysis.provinces import EraMismatchError

# --- synthetic: a weighted index that adds a component ----------------------------------------


def _meta(year, weights):
    comps = tuple(
        ComponentSignature(c, c, 10.0, w, (Part(c, 10.0, c),)) for c, w in weights.items()
    )
    return ScoreMeta("DEMO", year, "subindex", "all", comps)


def _pair():
    rng = np.random.default_rng(3)
    units = [f"u{i}" for i in range(8)]
    prev = pd.DataFrame(rng.uniform(2, 8, (8, 2)), index=units, columns=["A", "B"])
    curr = pd.DataFrame(rng.uniform(2, 8, (8, 3)), index=units, columns=["A", "B", "C"])
    attach_methodology(prev, _meta(2020, {"A": 6.0, "B": 4.0}))
    attach_methodology(curr, _meta(2021, {"A": 5.0, "B": 3.0, "C": 2.0}))
    return prev, curr


def test_added_component_is_methodology_and_weights_come_from_metadata():
    prev, curr = _pair()
    with pytest.warns(MethodologyWarning, match="added to the index"):
        fit = cc.shapley_rank_attribution(prev, curr)
    assert set(fit.players) == {"A", "B", "methodology:C", "methodology"}
    # exact: the parts add up to each unit's rank change, ranked by each year's own recipe
    gap = fit.contributions.sum(axis=1) - fit.table["rank_change"]
    assert np.allclose(gap, 0)
    own = cc.competition_rank(curr @ pd.Series({"A": 5.0, "B": 3.0, "C": 2.0}))
    assert (fit.table["rank_curr"] == own.loc[fit.table.index]).all()


def test_added_component_under_ignore_keeps_its_code_with_equal_values():
    prev, curr = _pair()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MethodologyWarning)
        documented = cc.shapley_rank_attribution(prev, curr)
    ignored = cc.shapley_rank_attribution(prev, curr, breaks="ignore")
    assert "C" in ignored.players and "methodology:C" not in ignored.players
    assert np.allclose(ignored.contributions["C"], documented.contributions["methodology:C"])


def test_added_component_with_own_weights_gets_a_clear_message():
    prev, curr = _pair()
    with pytest.raises(DataValidationError, match="only in 2021: \\['C'\\]"):
        cc.shapley_rank_attribution(prev, curr, weights={"A": 1, "B": 1, "C": 1})


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(3, 7),
    cells=st.lists(st.integers(0, 20), min_size=7 * 5, max_size=7 * 5),
    w_prev=st.lists(st.integers(1, 4), min_size=2, max_size=2),
    w_curr=st.lists(st.integers(1, 4), min_size=3, max_size=3),
)
def test_added_component_property_exact_and_composite_is_each_years_recipe(
    n, cells, w_prev, w_curr
):
    """For any scores and weights: the terms add up to each rank change, each year is ranked by
    its own recipe, and the added component never appears as performance."""
    units = [f"u{i}" for i in range(n)]
    grid = np.reshape(np.asarray(cells, dtype=float)[: n * 5] / 2, (n, 5))
    prev = pd.DataFrame(grid[:, :2], index=units, columns=["A", "B"])
    curr = pd.DataFrame(grid[:, 2:], index=units, columns=["A", "B", "C"])
    wp = dict(zip(["A", "B"], map(float, w_prev), strict=True))
    wc = dict(zip(["A", "B", "C"], map(float, w_curr), strict=True))
    attach_methodology(prev, _meta(2020, wp))
    attach_methodology(curr, _meta(2021, wc))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MethodologyWarning)
        fit = cc.shapley_rank_attribution(prev, curr)
    assert "C" not in fit.players and "methodology:C" in fit.players
    assert np.allclose(fit.contributions.sum(axis=1), fit.table["rank_change"])
    assert (fit.table["rank_prev"] == cc.competition_rank(prev @ pd.Series(wp))).all()
    assert (fit.table["rank_curr"] == cc.competition_rank(curr @ pd.Series(wc))).all()


def _spec(**kw):
    base = dict(
        key="demo",
        name="DEMO",
        years=tuple(range(2010, 2016)),
        eras=((2010, 2015, "all"),),
        wide=lambda y, lv: None,
        methodology=lambda y, lv: None,
    )
    return IndexSpec(**(base | kw))


def test_driver_groups_split_weighting_eras_and_breaks():
    spec = _spec(driver_eras=((2010, 2012, "w1"), (2013, 2015, "w2")))
    groups = dict(spec.driver_groups())
    assert groups == {
        "w1": [(2010, 2011), (2011, 2012)],
        "2012→2013": [(2012, 2013)],
        "w2": [(2013, 2014), (2014, 2015)],
    }
    assert dict(_spec().driver_groups()) == {"all": [(y, y + 1) for y in range(2010, 2015)]}


def test_period_keys_and_their_error():
    spec = _spec(
        years=("2026-09-17", "2026-10-10"),
        eras=(("2026-09-17", "2026-10-10", "2025-"),),
        period=lambda v: pd.Timestamp(v).strftime("%Y-%m-%d"),
        year_note="snapshot dates",
    )
    assert spec.check_years("17 Sep 2026", pd.Timestamp("2026-10-10")) == (
        "2026-09-17",
        "2026-10-10",
    )
    with pytest.raises(CchcDataError, match=r"no period .2026-09-18.*snapshot dates"):
        spec.check_year("2026-09-18")
    assert spec.previous("2026-10-10") == "2026-09-17" and spec.previous("2026-09-17") is None


def test_unit_keys_of_the_wrong_era_fail_with_both_eras():
    spec34 = _spec(key_era="2025-")
    assert resolve_unit("Gia Lai", spec34) == ("2025:52", "Gia Lai")
    assert resolve_unit("2025:15", spec34)[1] == "Lào Cai"
    with pytest.raises(EraMismatchError, match=r"63-province era.*34-province era"):
        resolve_unit("52", spec34)
    with pytest.raises(EraMismatchError, match=r"34-province era.*63-province era"):
        resolve_unit("2025:52", _spec())
    with pytest.raises(cc.UnknownProvinceError, match="34 provinces"):
        resolve_unit("Yên Bái", spec34)  # merged away in 2025


def test_registry_key_ignores_case_diacritics_and_spaces():
    assert get_index("QĐ 766") is get_index("qd766")
    assert get_index("PCI").name == "PCI"


def test_spearman_interval_on_a_known_case():
    r = cc.spearman_interval([1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6])
    assert r["rho"] == pytest.approx(1.0) and r["high"] <= 1.0 and r["n"] == 6
    r = cc.spearman_interval(range(20), [(-1) ** i * i for i in range(20)])
    assert r["low"] < r["rho"] < r["high"]
    with pytest.raises(ValueError, match="at least 4"):
        cc.spearman_interval([1, 2, np.nan], [1, 2, 3])


# --- real data ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_pci_reweighting_2013_is_methodology_without_passing_weights():
    with pytest.warns(MethodologyWarning, match="PB"):
        fit = cc.shapley_rank_attribution(cc.pci_wide(2012), cc.pci_wide(2013))
    assert {"methodology", "methodology:PB"} <= set(fit.players)
    meta = cc.methodology_of(cc.pci_wide(2013))
    assert (meta.index, meta.year, meta.level, meta.era) == ("PCI", 2013, "subindex", "2006-")
    assert (meta.component("TR").weight, meta.component("TR").maximum) == (2.0, 10.0)
    assert meta.weights().sum() == pytest.approx(10.0)  # 100 points over 10-point sub-indices
    assert "former:ha-tay" in cc.pci_wide(2008).index and len(cc.pci_wide(2008)) == 64
    hai_phong = fit.table.loc["31"]
    assert (hai_phong["rank_prev"], hai_phong["rank_curr"]) == (50, 15)
    assert hai_phong["methodology"] == pytest.approx(-25.95, abs=0.01)  # notebook 06: "about 26"
    # the by-hand route (pci_transition, explicit weights) gives the same values
    t = cc.pci_transition(2012, 2013)
    hand = cc.shapley_rank_attribution(
        t["prev"], t["curr"], weights=t["weights"], prev_weights=t["prev_weights"]
    )
    assert np.allclose(hand.contributions["PB"], fit.contributions["methodology:PB"])
    assert np.allclose(hand.contributions["methodology"], fit.contributions["methodology"])


@pytest.mark.slow
def test_pci_explain_profile_and_ha_tay():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MethodologyWarning)
        hp = cc.explain_rank_change("Hải Phòng", 2012, 2013, index="pci", n_draws=500)
    assert hp.places_gained == 35
    assert hp.table.set_index("term").loc["methodology", "kind"] == "methodology"
    assert "methodology (weights) (+26.0)" in hp.summary()
    ht = cc.explain_rank_change("Hà Tây", 2007, 2008, index="pci", n_draws=200)
    assert (ht.rank_prev, ht.rank_curr, ht.n_curr) == (41, 55, 64)
    gone = cc.explain_rank_change("Ha Tay", 2008, 2009, index="pci", n_draws=200)
    assert gone.status.startswith("not ranked in 2009")
    profile = cc.province_profile("Hà Nội", index="pci", n_draws=200)
    assert profile.header() == "Hà Nội — PCI 2016: 60.74 points, rank 14 of 63"
    assert [tuple(c) for c in profile.changes["components"]] == [
        ("PB", "BS", "weights"),
        ("PB", "weights"),
    ]
    with pytest.raises(CchcDataError, match="pilot"):
        cc.explain_rank_change("Hà Nội", 2005, 2006, index="pci")


@pytest.mark.slow
def test_pci_rank_drivers_reproduce_notebook_06():
    d = cc.rank_drivers(index="pci", n_boot=200)
    pooled = d.pooled.set_index(["era", "view", "term"])["move_share"]
    # within-era shares (notebook 06 §2) and the break transitions (§3)
    assert pooled[("2013-", "methodology", "TR")] == pytest.approx(0.159, abs=5e-4)
    assert pooled[("2009-2012", "methodology", "TC")] == pytest.approx(0.191, abs=5e-4)
    assert pooled[("2008→2009", "methodology", "methodology")] == pytest.approx(0.110, abs=5e-4)
    assert pooled[("2012→2013", "methodology", "methodology")] == pytest.approx(0.141, abs=5e-4)
    kinds = d.pooled.set_index(["era", "view", "term"])["kind"]
    assert kinds[("2012→2013", "methodology", "methodology")] == "methodology"
    # no re-weighting inside a weighting era; break transitions are never "clean"
    within = d.pooled[d.pooled["era"].isin(["2006-2008", "2009-2012", "2013-"])]
    assert not within["term"].str.startswith("methodology").any()
    assert not ((d.pooled["era"] == "2012→2013") & (d.pooled["view"] == "clean")).any()


@pytest.mark.slow
def test_qd766_explain_on_snapshots_with_the_caveat():
    change = cc.explain_rank_change("Gia Lai", "2026-09-17", "2026-10-10", index="qd766")
    assert change.unit == "2025:52" and change.n_prev == change.n_curr == 34
    assert (change.rank_prev, change.rank_curr) == (12, 4)
    assert "cumulative 2026 year to date" in change.summary()
    drivers = cc.rank_drivers(index="qd766", n_boot=100)
    assert "year to date" in drivers.extra["caveat"]
    assert set(drivers.per_transition["year_prev"]) == set(get_index("qd766").years[:-1])
    # the same Shapley fit as notebook 05 computes by hand
    prov = cc.load_qd766("province")
    dates = sorted(prov["snapshot_date"].unique())
    hand = cc.shapley_rank_attribution(
        cc.qd766_wide("province", dates[0], frame=prov),
        cc.qd766_wide("province", dates[-1], frame=prov),
    )
    assert np.allclose(
        hand.table.loc["2025:52", list(hand.players)], change.terms.drop("entries/exits")
    )
    with pytest.raises(EraMismatchError, match="63-province era"):
        cc.explain_rank_change("52", "2026-09-17", "2026-10-10", index="qd766")
    with pytest.raises(CchcDataError, match="no period"):
        cc.explain_rank_change("Gia Lai", 2025, 2026, index="qd766")


@pytest.mark.slow
def test_era_bridge_joins_only_through_era_safe_keys():
    bridge = cc.era_bridge()
    t = bridge.table
    assert len(t) == 34 and t["province_code_2025"].str.startswith("2025:").all()
    assert "province_code" not in t.columns
    assert bridge.population == "GSO average population 2022 (thousand persons)"
    assert int(t["n_former"].sum()) == 63
    c = bridge.correlations.set_index("weighting")
    assert list(c.index) == ["unweighted", "population"] and (c["n"] == 34).all()
    assert (c["low"] < c["rho"]).all() and (c["rho"] < c["high"]).all()
    # Gia Lai = former Gia Lai (64) + Bình Định (52): the unweighted mean of their PAPI D5
    d5 = cc.papi_wide(2024)["D5"]
    row = t.set_index("province_code_2025").loc["2025:52"]
    assert row["survey_unweighted"] == pytest.approx((d5["64"] + d5["52"]) / 2)
    # a 63-province table can never be joined to it
    with pytest.raises(EraMismatchError):
        cc.merge_provinces(t, d5.rename("D5").reset_index())
    fig = bridge.plot()
    assert "n = 34" in fig.axes[0].get_title()
    # the caveats follow the table: 1-3 former provinces (not 1-4), and the two without PAPI 2024
    assert int(t["n_former"].max()) == 3
    assert "a mean of 1–3 former provinces" in bridge.cannot_show[1]
    assert bridge.missing_note() == "Phú Thọ without Vĩnh Phúc; Đồng Tháp without Tiền Giang"
    source = fig.texts[-1].get_text()
    assert "Phú Thọ without Vĩnh Phúc" in source and "cchc_analysis" not in source
    # axis labels give each score's maximum
    assert (bridge.survey_max, bridge.admin_max) == (10.0, 18.0)
    assert "max 18" in fig.axes[0].get_ylabel() and "max 10" in fig.get_supxlabel()
