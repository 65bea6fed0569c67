"""The public-record tables (coverage, national means with sources, band counts) and their figures."""

from __future__ import annotations

import doctest

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cchc_analysis as cc
from cchc_analysis import records
from cchc_analysis.figures import national

DIMS_2020 = [f"D{i}" for i in range(1, 9)]


def _papi(rows):
    return pd.DataFrame(rows, columns=["year", "province_code", "level", "component", "value"])


def _published(rows=()):
    return pd.DataFrame(list(rows), columns=["year", "province", "measure", "value", "source_url"])


def _provinces():
    return pd.DataFrame(
        {"code": ["01", "79", "92"], "name_vi": ["Hà Nội", "Hồ Chí Minh", "Cần Thơ"]}
    )


def test_papi_coverage_states_labels_and_reasons():
    rows = [(2020, "01", "dimension", d, 5.0) for d in DIMS_2020] + [
        (2020, "01", "total", "TOTAL", 40.0)
    ]
    rows += [(2020, "79", "dimension", d, 5.0) for d in DIMS_2020 if d not in ("D2", "D4")]
    published = _published(
        [("2020", "Cần Thơ", "papi_not_ranked_insufficient_data", "", "https://www.example.vn/a")]
    )
    cov = records.papi_coverage(_papi(rows), published, _provinces()).set_index("province_code")
    assert cov["state"].tolist() == list(records.PAPI_STATES)
    assert cov.at["79", "missing"] == ["D2", "D4"] and cov.at["79", "label"] == "−2,4"
    assert cov.at["92", "label"] == "×"
    assert cov.at["92", "reason"] == "insufficient data (example.vn)"
    # Missing dimensions with no published reason are unsourced too: "no total" is their state.
    assert cov.at["79", "reason"] == records.NO_SOURCE


def test_papi_coverage_unsourced_gap_is_absent_from_the_compiled_sources():
    rows = [(2020, "01", "total", "TOTAL", 40.0)] + [
        (2020, "01", "dimension", d, 5.0) for d in DIMS_2020
    ]
    rows += [(2020, "79", "dimension", "D1", 5.0)]
    cov = records.papi_coverage(_papi(rows), _published(), _provinces())
    assert set(cov.loc[cov["state"] != "total available", "reason"]) == {records.NO_SOURCE}
    assert set(cov["state"]) == set(records.PAPI_STATES)


def test_papi_coverage_sources_a_province_year_with_missing_dimensions():
    rows = [(2020, "79", "dimension", d, 5.0) for d in DIMS_2020 if d != "D3"]
    published = _published(
        [("2020", "Hồ Chí Minh", "papi_not_ranked_technical_problems", "", "https://a.vn/x")]
    )
    cov = records.papi_coverage(_papi(rows), published, _provinces()).set_index("province_code")
    assert cov.at["79", "state"] == "dimensions missing"
    assert cov.at["79", "reason"] == "technical problems (a.vn)"


def test_papi_coverage_names_a_missing_column():
    with pytest.raises(ValueError, match="level"):
        records.papi_coverage(
            pd.DataFrame({"year": [2020], "province_code": ["01"], "component": ["D1"]}),
            _published(),
            _provinces(),
        )


def test_coverage_counts_and_unknown_state():
    cov = pd.DataFrame({"year": [2020, 2020, 2020, 2021], "state": ["a", "a", "b", "b"]})
    counts = records.coverage_counts(cov, ["a", "b"])
    assert counts.loc[2020, "a"] == 2 and counts.loc[2021, "a"] == 0
    assert counts.loc[2020, "share a (%)"] == pytest.approx(66.7)
    with pytest.raises(ValueError, match="'c'"):
        records.coverage_counts(cov.assign(state="c"), ["a", "b"])


def test_papi_national_means_differences_and_sources():
    papi = _papi([(2020, c, "total", "TOTAL", v) for c, v in (("01", 40.0), ("79", 44.0))])
    published = _published(
        [
            ("2020", "(national)", "papi_total_mean", "41.5", "https://www.susta.vn/x"),
            ("2020", "Hà Nội", "papi_total", "40", "https://a.vn"),
        ]
    )
    out = records.papi_national_means(papi, published).set_index("statistic")
    assert out.at["mean", "computed"] == 42.0
    assert out.at["mean", "difference"] == pytest.approx(0.5)
    assert out.at["mean", "source"] == "susta.vn"
    assert np.isnan(out.at["max", "published"]) and out.at["max", "computed"] == 44.0


def test_papi_national_means_refuses_two_figures_for_one_statistic():
    papi = _papi([(2020, "01", "total", "TOTAL", 40.0)])
    published = _published(
        [
            ("2020", "(national)", "papi_total_mean", "41", "https://a.vn"),
            ("2020", "(national)", "papi_total_average_as_reported", "42", "https://b.vn"),
        ]
    )
    with pytest.raises(ValueError, match="two published figures"):
        records.papi_national_means(papi, published)


def _agg(rows):
    cols = [
        "index",
        "year",
        "scope",
        "measure",
        "value",
        "value_as_published",
        "conflict",
        "note",
        "source_url",
    ]
    return pd.DataFrame(rows, columns=cols)


def test_par_sipas_national_means_reads_approximate_values_from_text():
    agg = _agg(
        [
            (
                "PAR",
                2013,
                "provinces",
                "mean_pct_approx",
                np.nan,
                "about 78",
                False,
                None,
                "https://en.sggp.org.vn/a",
            ),
            ("PAR", 2014, "provinces", "mean_pct", 81.21, "81.21", False, None, "https://b.vn"),
            (
                "SIPAS",
                2022,
                "citizens",
                "national_mean_pct",
                80.08,
                "80,08",
                False,
                None,
                "https://c.vn",
            ),
            (
                "PAR",
                2014,
                "provinces",
                "regional_mean_pct",
                80.0,
                "80",
                False,
                None,
                "https://d.vn",
            ),
        ]
    )
    m = records.par_sipas_national_means(agg)
    assert len(m) == 3
    row = m[m["year"] == 2013].iloc[0]
    assert row["approximate"] and row["value"] == 78.0 and row["source"] == "en.sggp.org.vn"
    bad = agg.assign(value_as_published="about seventy")
    with pytest.raises(ValueError, match="no number"):
        records.par_sipas_national_means(bad)


def test_par_band_counts_text_counts_schemes_and_clashes():
    agg = _agg(
        [
            ("PAR", 2021, "provinces", "count_above_90pct", 3.0, "3", False, None, "https://a.vn"),
            (
                "PAR",
                2021,
                "provinces",
                "group_counts",
                np.nan,
                "A (≥90): 3; B (80-<90): 59; C: 1",
                False,
                None,
                "https://b.vn",
            ),
        ]
    )
    b = records.par_band_counts(agg).set_index("band")
    assert b.loc["A: ≥ 90%", "read_from"] == "value"  # the value cell wins over the text
    assert b.loc["B: 80–<90%", "value"] == 59 and set(b["scheme"]) == {"groups A/B/C"}
    clash = agg.assign(value=[4.0, np.nan])
    with pytest.raises(ValueError, match="different counts"):
        records.par_band_counts(clash)


def test_par_band_counts_names_the_bands_of_an_80pct_release():
    row = ("PAR", 2016, "ministries", "count_gt80pct", 9.0, "9", False)
    agg = _agg([(*row, "10 between 70-80 points", "https://a.vn")])
    b = records.par_band_counts(agg).set_index("band")
    assert b["value"].to_dict() == {"> 80%": 9.0, "70–80%": 10.0}
    assert set(b["scheme"]) == {"above 80% and 70–80% only"}
    alone = records.par_band_counts(_agg([(*row, None, "https://a.vn")]))
    assert alone["scheme"].tolist() == ["above 80% only"]


def test_computed_vs_published_marks_only_real_gaps():
    fig, ax = plt.subplots()
    gaps = national.computed_vs_published(
        ax,
        pd.Series([1.0, 2.0, 3.0], index=[2018, 2019, 2020]),
        pd.Series([1.005, 2.5], index=[2018, 2020]),
    )
    assert gaps == [2020]
    assert [t.get_text() for t in ax.texts] == ["gap +0.50"]
    plt.close(fig)


def test_band_counts_hatches_what_is_not_broken_down():
    fig, ax = plt.subplots()
    counts = pd.DataFrame(
        {"year": [2024, 2024], "band": ["A", "B"], "lower": [90.0, 80.0], "value": [13.0, 50.0]}
    )
    national.band_counts(ax, counts, 63, national.band_colors(["A", "B"]))
    assert [t.get_text() for t in ax.texts] == ["13", "50"]
    assert ax.get_xlim() == (0, 63)
    plt.close(fig)


def test_band_counts_writes_a_narrow_count_above_its_bar():
    fig, ax = plt.subplots()
    counts = pd.DataFrame(
        {
            "year": [2021] * 3,
            "band": ["A", "B", "C"],
            "lower": [90.0, 80.0, 0.0],
            "value": [3.0, 59.0, 1.0],
        }
    )
    national.band_counts(ax, counts, 63, national.band_colors(["A", "B", "C"]))
    labels = {t.get_text(): t for t in ax.texts}
    assert set(labels) == {"3", "59", "1"}
    # 1 of 63 does not fit inside its segment: above the bar (the y axis runs downwards).
    assert labels["1"].get_position()[1] < -0.3 and labels["1"].get_va() == "bottom"
    assert labels["59"].get_position()[1] == 0 and labels["59"].get_va() == "center"
    plt.close(fig)


def test_band_colors_are_distinct_and_ordered():
    colours = national.band_colors(["a", "b", "c", "d"])
    assert len(set(colours.values())) == 4
    assert colours["a"] == "#1b9e77" and colours["d"] == "#d95f02"


def test_places_spanned_bounds_hold_for_every_filling_of_the_missing_ranks():
    # ranks 1..6, values of ranks 2, 4 and 5 unpublished; the bounds must hold whatever they are
    published = pd.Series([10.0, 8.0, 5.0], index=[1, 3, 6])
    span = records.places_spanned(published, 2.5).set_index("rank")
    # rank 6 + 2.5 = 7.5 stays below rank 3's 8: it passes 0–2 of the unpublished ranks 4 and 5
    assert span.loc[6, ["min_places", "max_places"]].tolist() == [0, 2]
    # rank 3 + 2.5 = 10.5 passes rank 1's 10, so rank 2 too: exactly 2 places
    assert span.loc[3, ["min_places", "max_places"]].tolist() == [2, 2]
    rng = np.random.default_rng(0)
    for _ in range(200):
        full = np.sort(np.r_[10.0, rng.uniform(8, 10), 8.0, rng.uniform(5, 8, 2), 5.0])[::-1]
        for rank in (3, 6):
            value = full[rank - 1]
            passed = int(((full > value) & (full < value + 2.5)).sum())
            assert span.at[rank, "min_places"] <= passed <= span.at[rank, "max_places"]


def test_threshold_colors_one_colour_per_threshold_across_schemes():
    counts = records.par_band_counts()
    counts = counts[counts["scope"] == "provinces"]
    colours = national.threshold_colors(counts)
    assert set(colours) == set(counts["band"])
    # 2018's "> 80%" and 2021's "A: ≥ 90%" differ; bands with one threshold share a colour
    assert colours["> 80%"] != colours["A: ≥ 90%"]
    assert colours["> 80%"] == colours["B: 80–<90%"]
    assert len(set(colours.values())) == counts["lower"].nunique()
    with pytest.raises(ValueError, match="two thresholds"):
        national.threshold_colors(pd.DataFrame({"band": ["x", "x"], "lower": [1.0, 2.0]}))


@given(st.lists(st.floats(-100, 100), min_size=1, max_size=12), st.floats(0.01, 5))
def test_spread_labels_never_lowers_a_label_and_keeps_the_gap(values, gap):
    out = national.spread_labels(values, gap)
    assert np.all(out >= np.asarray(values) - 1e-12)
    assert np.all(np.diff(np.sort(out)) >= gap - 1e-9)


def test_figure_docstring_examples_run():
    failed, tried = doctest.testmod(national)
    plt.close("all")
    assert tried > 0 and failed == 0


@pytest.mark.slow
def test_record_docstring_examples_run_on_the_shipped_data():
    failed, tried = doctest.testmod(records)
    assert tried > 0 and failed == 0


def test_exported_at_the_package_root():
    assert cc.papi_coverage is records.papi_coverage
    assert cc.par_band_counts is records.par_band_counts
