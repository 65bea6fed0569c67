"""Notebook 06's analyses and figures: PCI's rank movement by era, firms (PCI) against citizens
(PAPI). Numbers are checked against sums computed here from the Shapley attributions and the
tidy tables, not from the functions under test."""

from __future__ import annotations

import doctest
import importlib
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

import cchc_analysis as cc
from cchc_analysis.answers import pci_papi
from cchc_analysis.answers.pci_papi import MovementComparison, RankAgreement
from cchc_analysis.errors import CchcDataError

COMMON = [(2011, 2012), (2013, 2014), (2014, 2015), (2015, 2016)]


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", ["cchc_analysis.answers.pci_papi", "cchc_analysis.figures.pci_papi"]
)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    plt.close("all")
    assert result.failed == 0
    assert result.attempted > 0


@pytest.fixture(scope="module")
def pci():
    return cc.load_pci()


@pytest.fixture(scope="module")
def papi():
    return cc.load_papi()


@pytest.fixture(scope="module")
def drivers():
    return cc.rank_drivers(index="pci", n_boot=50)


@pytest.fixture(scope="module")
def shares(drivers):
    return cc.pci_era_shares(drivers)


def _abs_shares(pairs, wide):
    """Σ|φ| per term over the transitions / Σ over all terms, from the raw attributions."""
    move = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cc.MethodologyWarning)
        for a, b in pairs:
            fit = cc.shapley_rank_attribution(wide(a), wide(b))
            m = fit.contributions.abs().sum()
            move = m if move is None else move.add(m, fill_value=0.0)
    move = move.rename({"composition": "entries/exits"})
    return move / move.sum()


# --- weights ---------------------------------------------------------------------------------


def test_weight_table_is_the_multipliers_in_percent():
    table = cc.pci_weight_table()
    for year, era in ((2007, "2006–2008"), (2010, "2009–2012"), (2015, "2013–2016")):
        expected = cc.pci_weights(year) * 10  # multipliers of the 10-point sub-indices
        got = table[era].dropna()
        assert set(got.index) == set(expected.index)
        assert np.allclose(got[expected.index], expected)
        assert got.sum() == pytest.approx(100.0)
    assert table["2005"].isna().all()  # the pilot's weights are unknown
    assert list(table.index[:3]) == ["EC", "LA", "TR"]
    labelled = cc.pci_weight_table(labels=True)
    assert labelled.index[2] == "TR Transparency"
    assert labelled.index.name is None


# --- shares within eras and at the breaks ----------------------------------------------------


@pytest.mark.slow
def test_within_era_shares_match_the_raw_attribution(shares):
    wide = lambda y: cc.pci_wide(y)  # noqa: E731
    expected = _abs_shares([(2013, 2014), (2014, 2015), (2015, 2016)], wide)
    got = shares.within["2013–2016"].dropna()
    performance = expected.drop("entries/exits")
    assert expected["entries/exits"] == 0.0  # the same 63 provinces every year
    assert np.allclose(got.sort_index(), performance.sort_index())
    assert list(shares.within.columns) == ["2006–2008", "2009–2012", "2013–2016"]
    assert np.isnan(shares.within.at["PB", "2009–2012"])  # no policy bias 2009-2012
    assert np.allclose(shares.within.sum(), 1.0)  # no methodology term inside an era


@pytest.mark.slow
def test_break_shares_match_the_raw_attribution(shares):
    expected = _abs_shares([(2012, 2013)], lambda y: cc.pci_wide(y))
    got = shares.across["2012→2013"].dropna()
    assert np.allclose(got.sort_index(), expected.sort_index())
    assert round(100 * got["methodology"], 1) == 14.1
    method = expected[expected.index.str.startswith("methodology")].sum()
    assert shares.methodology_share["2012→2013"] == pytest.approx(method)
    assert list(shares.methodology.index) == ["methodology", "methodology:BS", "methodology:PB"]


@pytest.mark.slow
def test_by_weight_and_side_by_side(shares):
    w = cc.pci_weight_table()
    bw = shares.by_weight
    assert len(bw) == shares.within.notna().sum().sum() == 29
    assert bw.loc[("2013–2016", "TC"), "weight"] == 5
    assert bw.loc[("2013–2016", "TC"), "share"] == shares.within.at["TC", "2013–2016"]
    ranges = shares.weight_ranges()
    fives = [shares.within.at[c, e] for e in shares.within for c in w.index if w.at[c, e] == 5]
    fives = [v for v in fives if not np.isnan(v)]
    assert ranges.loc[5.0, "n"] == len(fives) == 13
    assert ranges.loc[5.0, "min"] == min(fives) and ranges.loc[5.0, "max"] == max(fives)
    side = shares.side_by_side()
    assert side.loc["TR Transparency", ("2009–2012", "weight %")] == 20
    assert side.loc["TR Transparency", ("2009–2012", "share %")] == pytest.approx(
        100 * shares.within.at["TR", "2009–2012"]
    )
    assert "CP Central policies" not in side.index


@pytest.mark.slow
def test_unit_terms_add_up_to_the_rank_change(shares):
    hp = shares.unit_terms("Hải Phòng", "2012→2013")
    assert int(hp["rank_prev"].iat[0]) == 50 and int(hp["rank_curr"].iat[0]) == 15
    assert hp["value"].sum() == pytest.approx(-35)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cc.MethodologyWarning)
        fit = cc.shapley_rank_attribution(cc.pci_wide(2012), cc.pci_wide(2013))
    assert hp.at["methodology", "value"] == pytest.approx(fit.table.at["31", "methodology"])
    assert shares.unit_terms("31", "2012→2013").equals(hp)
    with pytest.raises(CchcDataError, match="no terms"):
        shares.unit_terms("Hải Phòng", "2008")


# --- PCI against PAPI ------------------------------------------------------------------------


def test_within_era_transitions():
    pci_t = cc.within_era_transitions("pci")
    assert (2008, 2009) not in pci_t and (2012, 2013) not in pci_t
    assert len(pci_t) == 8  # 2 + 3 + 3 inside the three weighting eras
    papi_t = cc.within_era_transitions("papi")
    assert (2017, 2018) not in papi_t and (2011, 2012) in papi_t and (2023, 2024) in papi_t
    assert sorted(set(pci_t) & set(papi_t)) == COMMON


@pytest.mark.slow
def test_movement_shares_papi_against_the_raw_attribution():
    got = cc.movement_shares("papi", [(2013, 2014), (2015, 2016)])
    expected = _abs_shares([(2013, 2014), (2015, 2016)], lambda y: cc.papi_wide(y))
    assert np.allclose(got.sort_index(), expected.sort_index())
    assert "methodology:D3" in got.index  # D3 re-composed in 2015→2016
    assert got.name == "PAPI"


@pytest.mark.slow
def test_movement_shares_read_from_drivers_equal_the_computed_ones(drivers):
    read = cc.movement_shares("pci", COMMON, drivers)
    computed = cc.movement_shares("pci", COMMON)
    assert np.allclose(read.sort_index(), computed.sort_index())
    with pytest.raises(CchcDataError, match="no transitions"):
        cc.movement_shares("pci", [(2016, 2017)], drivers)
    with pytest.raises(ValueError, match="drivers are of PCI"):
        cc.movement_shares("papi", COMMON, drivers)


@pytest.mark.slow
def test_compare_rank_drivers_defaults_to_the_common_transitions(drivers):
    both = cc.compare_rank_drivers("pci", "papi", drivers={"pci": drivers})
    assert both.transitions == tuple(COMMON)
    assert list(both.shares.columns) == ["PCI", "PAPI"]
    assert np.allclose(both.shares.sum(), 1.0)
    assert len(both.performance("pci")) == 10 and len(both.performance("PAPI")) == 6
    themes = both.themes()
    assert themes.loc["transparency", "PCI share"] == both.shares.at["TR", "PCI"]
    assert round(100 * themes.loc["transparency", "PAPI share"], 1) == 18.9
    # LT, TR, BS weigh 20 + 20 + 5 = 45% in 2011→2012 and 60% in 2013–2016: pooled by each
    # transition's movement 55.9%, so PCI's movement is less concentrated than its weights
    assert both.top_line("PCI") == (
        "PCI top 3 LT, TR, BS: 46.2% of the components' movement (weights imply 55.9%)"
    )
    # PAPI is equally weighted; 7.4% of its movement is no dimension's performance
    assert both.top_line("PAPI") == (
        "PAPI top 3 D4, D2, D1: 62.4% of the components' movement (weights imply 50.0%)"
    )
    assert both.non_performance("PCI") == "PCI 0.0%"
    assert both.non_performance("PAPI") == (
        "PAPI 7.4% (entries/exits 2.0%, D3 Accountability (method.) 5.4%)"
    )
    assert np.allclose(both.benchmark.sum(), 1.0)
    assert both.benchmark.at["PB", "PCI"] < 0.05  # PB only in 2013– (5%), not in 2011→2012
    assert both.component_count("PCI") == (9, 10) and both.component_count("papi") == (6, 6)


def test_movement_comparison_parts():
    shares = pd.DataFrame(
        {
            "PCI": [0.5, 0.3, 0.15, 0.05, np.nan, 0.0],
            "PAPI": [np.nan, np.nan, np.nan, 0.6, 0.3, 0.1],
        },
        index=["TR", "TC", "IC", "D2", "methodology:D3", "entries/exits"],
    )
    both = MovementComparison(shares, ((2011, 2012), (2013, 2014), (2014, 2015)))
    assert both.performance("papi").to_dict() == {"D2": 0.6}
    assert both.other_terms("PAPI").to_dict() == {"methodology:D3": 0.3, "entries/exits": 0.1}
    assert both.other_terms("PCI").to_dict() == {"entries/exits": 0.0}
    # top 2 of PCI's four components: TR + TC = 80%; without a benchmark, equal weights (2 of 4)
    assert both.top_line("PCI", n=2) == (
        "PCI top 2 TR, TC: 80.0% of the components' movement (equal weights imply 50.0%)"
    )
    # PAPI's one component is 60% of all movement but 100% of the components' movement
    assert both.top_line("PAPI", n=1).startswith("PAPI top 1 D2: 100.0%")
    assert both.non_performance("PCI") == "PCI 0.0%"
    assert both.non_performance("PAPI").startswith("PAPI 40.0% (")
    weighted = MovementComparison(
        shares, both.transitions, pd.DataFrame({"PCI": {"TR": 0.6, "TC": 0.1, "IC": 0.3}})
    )
    assert weighted.top_line("PCI", n=2).endswith("(weights imply 70.0%)")
    themes = both.themes({"transparency": ("TR", "D2")})
    assert themes.loc["transparency"].tolist() == ["TR", "D2", 0.5, 0.6]
    assert both.period() == "2011→2012 and 2013→2015"
    with pytest.raises(KeyError, match="no index"):
        both.performance("PAR")


# --- do the two indices rank provinces alike -------------------------------------------------


def _long(index, values, ranks=None):
    """A tidy long table of totals: values[year] = {province: value}."""
    rows = []
    for year, v in values.items():
        for code, x in v.items():
            row = {"index": index, "year": year, "level": "total", "province_code": code}
            row["value"] = x
            if ranks is not None:
                row["rank"] = ranks[year][code]
            rows.append(row)
    return pd.DataFrame(rows)


def test_rank_agreement_on_a_small_panel():
    a = _long(
        "A",
        {2020: {"01": 10.0, "02": 20.0, "03": 30.0, "04": 40.0},
         2021: {"01": 40.0, "02": 20.0, "03": 30.0, "04": 10.0}},
    )  # fmt: skip
    b = _long(
        "B",
        {2020: {"01": 1.0, "02": 3.0, "03": 2.0, "05": 9.0},
         2021: {"01": 3.0, "02": 1.0, "03": 2.0, "05": 9.0}},
    )  # fmt: skip
    agree = cc.rank_agreement(a, b)
    assert isinstance(agree, RankAgreement) and agree.names == ("A", "B")
    # 2020, the three provinces scored by both: values (10, 20, 30) against (1, 3, 2)
    assert agree.levels.loc[2020, "provinces"] == 3
    assert agree.levels.loc[2020, "spearman"] == pytest.approx(0.5)
    # rank changes 2020→2021 over the three common provinces:
    # A's competition ranks among 4: 2020 (4, 3, 2), 2021 (1, 3, 2) → changes (-3, 0, 0)
    # B's among 4: 2020 (4, 2, 3), 2021 (2, 4, 3) → changes (-2, 2, 0)
    expected = spearmanr([-3, 0, 0], [-2, 2, 0])
    row = agree.changes.loc["2020→2021"]
    assert row["provinces"] == 3
    assert row["spearman"] == pytest.approx(expected.statistic)
    assert row["p_value"] == pytest.approx(expected.pvalue)
    assert agree.levels.index.name == "year" and agree.changes.index.name == "transition"
    assert agree.summary().startswith("Spearman of totals 0.50 to ")


def test_rank_agreement_uses_published_ranks_where_there_are_any():
    values = {2020: {"01": 1.0, "02": 2.0, "03": 3.0}, 2021: {"01": 1.0, "02": 2.0, "03": 3.0}}
    ranks = {2020: {"01": 3, "02": 2, "03": 1}, 2021: {"01": 1, "02": 2, "03": 3}}  # reversed
    a = _long("A", values, ranks)
    b = _long(
        "B", {2020: {"01": 1.0, "02": 2.0, "03": 3.0}, 2021: {"01": 3.0, "02": 2.0, "03": 1.0}}
    )
    agree = cc.rank_agreement(a, b, years=[2020], transitions=[(2020, 2021)])
    # published A: changes (-2, 0, 2); B from its totals: ranks (3, 2, 1) → (1, 2, 3): (-2, 0, 2)
    assert agree.changes.loc["2020→2021", "spearman"] == pytest.approx(1.0)
    assert list(agree.levels.index) == [2020]


@pytest.mark.slow
def test_rank_agreement_on_pci_and_papi(pci, papi):
    agree = cc.rank_agreement(pci, papi, [2015, 2022], [(2014, 2015)])
    t = lambda f, y: f.query("year == @y and level == 'total'").set_index("province_code")  # noqa: E731
    joint = pd.concat([t(pci, 2015)["value"], t(papi, 2015)["value"]], axis=1, join="inner")
    expected = spearmanr(joint.iloc[:, 0], joint.iloc[:, 1])
    assert agree.levels.loc[2015, "provinces"] == len(joint) == 63
    assert agree.levels.loc[2015, "spearman"] == pytest.approx(expected.statistic)
    assert agree.levels.loc[2022, "provinces"] == 61  # PAPI 2022 scores 61 provinces
    changes = pd.concat(
        [
            t(pci, 2015)["rank"] - t(pci, 2014)["rank"],
            t(papi, 2015)["rank"] - t(papi, 2014)["rank"],
        ],
        axis=1,
        join="inner",
    ).dropna()
    assert agree.changes.loc["2014→2015", "spearman"] == pytest.approx(
        spearmanr(changes.iloc[:, 0], changes.iloc[:, 1]).statistic
    )


# --- the 2011 check --------------------------------------------------------------------------


def test_total_check_2011(pci):
    check = cc.pci_total_check(2011, frame=pci)
    t = check.table
    assert len(t) == 63
    # the largest gap is the residual of the era weights that pci_weight_check reports
    residual = cc.pci_weight_check(pci).query("year == 2011")["max_abs_residual_era"].iat[0]
    assert t["gap"].abs().max() == pytest.approx(residual)
    # by hand: Σ weight × sub-index from the long table
    rows = pci.query("year == 2011 and level == 'subindex'")
    w = cc.pci_weights(2011)
    weighted = (rows["value"] * rows["component"].map(w)).groupby(rows["province_code"]).sum()
    assert np.allclose(t["weighted"], weighted.loc[t.index])
    assert (t["rank_difference"] == t["weighted_rank"] - t["published_rank"]).all()
    assert check.summary() == (
        "2011: published total − weighted sum 0.05 to 0.55 points in 62 of 63 provinces; "
        "ranks differ for 20 (max 3 places)"
    )


def test_total_check_agrees_outside_2011(pci):
    t = cc.pci_total_check(2015, frame=pci).table
    assert t["gap"].abs().max() < 1e-5
    assert (t["rank_difference"] == 0).all()


# --- figures ---------------------------------------------------------------------------------


def _drawn(fig):
    titles = [fig._suptitle.get_text()] if fig._suptitle is not None else []
    titles += [ax.get_title() for ax in fig.axes]
    assert any(titles), "no title"
    for ax in fig.axes:
        assert ax.get_xlabel().endswith(")"), "the x axis names its unit"
        assert ax.get_yticklabels(), "no y tick labels"
    assert any(t.get_text().startswith("Source:") for t in fig.texts), "no source line"
    number = fig.number
    plt.close(fig)
    assert not plt.fignum_exists(number)


def test_plot_pci_weights():
    fig = cc.plot_pci_weights()
    ax = fig.axes[0]
    assert ax.get_title().startswith("PCI weights")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["2006–2008", "2009–2012", "2013–2016"]
    assert len(ax.patches) == 10 + 9 + 10  # one segment per weighted sub-index and era
    assert len(ax.get_legend().get_texts()) == 10
    _drawn(fig)


def test_plot_era_shares():
    within = pd.DataFrame(
        {"2006–2008": [0.6, 0.4], "2009–2012": [0.5, np.nan], "2013–2016": [0.3, 0.7]},
        index=["TR", "PB"],
    )
    fig = cc.plot_era_shares(within)
    ax = fig.axes[0]
    assert "within each weighting era" in ax.get_title()
    assert ax.get_xlabel() == "share of absolute rank movement within the era (%)"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["TR Transparency", "PB Policy bias"]
    assert ax.get_legend().get_texts()[0].get_text() == "2013–2016"  # newest on top
    _drawn(fig)


def test_plot_break_shares():
    across = pd.DataFrame(
        {"2008→2009": [0.5, 0.3, 0.2], "2012→2013": [0.6, 0.4, np.nan]},
        index=["TR", "methodology", "methodology:BS"],
    )
    fig = cc.plot_break_shares(across)
    assert "era breaks" in fig._suptitle.get_text()
    left = fig.axes[0]
    assert [t.get_text() for t in left.get_yticklabels()] == [
        "BS Business support (method.)",
        "methodology (weights)",
        "TR Transparency",
    ]
    assert left.patches[0].get_hatch() == "///"
    _drawn(fig)


def test_weight_shares_and_the_weight_benchmark():
    from cchc_analysis.answers.pci_papi import _weight_benchmark

    pci12, pci13 = cc.weight_shares("pci", 2012), cc.weight_shares("pci", 2013)
    assert len(pci12) == 9 and len(pci13) == 10  # PB returns in 2013
    assert np.isclose(pci12.sum(), 1) and np.isclose(pci13[["LT", "TR", "BS"]].sum(), 0.6)
    assert np.isclose(pci12[["LT", "TR", "BS"]].sum(), 0.45)
    assert np.allclose(cc.weight_shares("papi", 2016), 1 / 6)
    # two transitions whose components moved 1 and 3 (entries/exits ignored): the 2013– weights
    # count three times as much as the 2009–2012 ones
    cols = pd.MultiIndex.from_tuples([(2011, 2012), (2013, 2014)])
    move = pd.DataFrame([[0.5, 1.0], [0.5, 2.0], [9.0, 9.0]], ["TR", "LT", "entries/exits"], cols)
    weights = {y: cc.weight_shares("pci", y) for y in (2011, 2012, 2013, 2014)}
    bench = _weight_benchmark(move, weights)
    assert np.isclose(bench.sum(), 1)
    assert np.isclose(bench[["LT", "TR", "BS"]].sum(), (0.45 * 1 + 0.6 * 3) / 4)


def test_plot_movement_comparison():
    shares = pd.DataFrame(
        {"PCI": [0.6, 0.4, np.nan, np.nan, 0.0], "PAPI": [np.nan, np.nan, 0.6, 0.3, 0.1]},
        index=["TR", "TC", "D4", "D2", "entries/exits"],
    )
    fig = cc.plot_movement_comparison(MovementComparison(shares, tuple(COMMON)))
    assert "2011→2012 and 2013→2016" in fig._suptitle.get_text()
    assert [ax.get_title() for ax in fig.axes] == [
        "PCI: firms, 2 weighted sub-indices",
        "PAPI: citizens, 2 dimensions",
    ]
    assert len(fig.axes[0].patches) == 2  # entries/exits of 0% left out
    assert len(fig.axes[1].patches) == 3  # entries/exits drawn: the bars sum to 100%
    colours = {p.get_facecolor() for p in fig.axes[0].patches}
    assert len(colours) == 1  # one colour per index: the two panels' colours mean nothing shared
    assert "entries/exits" in fig.texts[-1].get_text()
    assert "PAPI (CECODES" in fig.texts[-1].get_text()
    _drawn(fig)
    one = pd.DataFrame({"PCI": [1.0, np.nan], "PAPI": [np.nan, 1.0]}, index=["TR", "D4"])
    fig = cc.plot_movement_comparison(MovementComparison(one, tuple(COMMON)))
    assert [ax.get_title() for ax in fig.axes] == [
        "PCI: firms, 1 weighted sub-index",
        "PAPI: citizens, 1 dimension",
    ]
    plt.close(fig)
    nine_ten = MovementComparison(shares, tuple(COMMON), counts={"PCI": (9, 10), "PAPI": (6, 6)})
    fig = cc.plot_movement_comparison(nine_ten)
    assert [ax.get_title() for ax in fig.axes] == [
        "PCI: firms, 9–10 weighted sub-indices",
        "PAPI: citizens, 6 dimensions",
    ]
    plt.close(fig)


def test_module_exports_resolve():
    for name in pci_papi.__all__:
        assert getattr(pci_papi, name) is not None
    for name in ("pci_era_shares", "rank_agreement", "plot_movement_comparison"):
        assert name in cc.__all__


def test_rank_agreement_compares_rank_changes_only_inside_each_indexs_eras():
    agree = cc.rank_agreement(cc.load_pci(), cc.load_papi())
    # not 2012→2013 (PCI re-weighted), 2016→2017 (PCI totals only from 2017), 2017→2018 (PAPI's
    # new questionnaire): a rank change across a change of method is not performance
    assert list(agree.changes.index) == [
        "2011→2012", "2013→2014", "2014→2015", "2015→2016",
        "2018→2019", "2019→2020", "2020→2021", "2021→2022",
    ]  # fmt: skip
    assert 2017 in agree.levels.index  # levels compare within a year, whatever the era
