"""Tests of the figure helpers in cchc_analysis.figures (forest plot, coverage grid, labels).

The coefficient tables and coverage cells below are made up for the test (SIMULATION-free but
invented): they check drawing, not data.
"""

from __future__ import annotations

import doctest

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba

import cchc_analysis as cc
from cchc_analysis import figures
from cchc_analysis.figures import (
    FACT_STATES,
    broken_line,
    component_label,
    coverage,
    coverage_grid,
    estimator,
    forest,
    forest_plot,
    labels,
    legend,
    legend_panel,
    lines,
    palette,
    published_coverage,
    runs,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def ladder_table():
    # A made-up results table in the shape fit_ladder returns (only the columns the plot reads).
    return pd.DataFrame(
        {
            "outcome": ["D5", "D5", "D5", "D6", "D6"],
            "exposure": ["D8.1"] * 5,
            "model": ["twfe", "first_difference", "pooled_ols", "twfe", "pooled_ols"],
            "spec": ["", "", "y ~ x + C(year)", "", "y ~ x + C(year)"],
            "coef": [1.7, 1.2, 1.5, 0.9, -0.2],
            "ci_low": [1.1, 0.5, 0.9, 0.2, -0.9],
            "ci_high": [2.3, 1.9, 2.1, 1.6, 0.5],
            "q_value": [0.001, 0.01, 0.003, 0.2, 0.6],
        }
    )


def _markers(ax):
    # (x, y, filled) of every single-point line the forest plot drew
    out = []
    for line in ax.get_lines():
        x, y = line.get_xdata(), line.get_ydata()
        if len(x) == 1:
            filled = to_rgba(line.get_markerfacecolor()) != to_rgba("white")
            out.append((float(x[0]), float(y[0]), filled))
    return out


def test_forest_plot_uses_words_and_marks_significance():
    _fig, ax = plt.subplots()
    handles = forest_plot(ax, ladder_table(), xlabel="points per point")
    assert [h.get_label() for h in handles] == [
        "pooled OLS with year effects",
        "two-way fixed effects",
        "first differences",
        "hollow: q_value ≥ 0.05",
    ]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "D5 Public Administrative Procedures",
        "D6 Public Service Delivery",
    ]
    marks = sorted(_markers(ax))
    # D6's twfe (q 0.2) and pooled (q 0.6) are hollow; D5's three are filled
    assert [m[2] for m in marks] == [False, False, True, True, True]  # sorted by coefficient
    # rows top to bottom: D5 at y≈0 (three estimators spread by ±0.25), D6 at y≈1
    ys = {round(x, 1): y for x, y, _ in marks}
    assert ys[1.7] == pytest.approx(0.0) and ys[1.2] == pytest.approx(0.25)
    assert ys[1.5] == pytest.approx(-0.25) and ys[0.9] == pytest.approx(1.0)
    assert ax.get_xlabel() == "points per point"
    assert ax.get_ylim() == (1.5, -0.5)


def test_forest_plot_rows_estimators_labels_and_colours_are_chosen_by_the_caller():
    _fig, ax = plt.subplots()
    handles = forest_plot(
        ax,
        ladder_table().assign(key=["a", "a", "a", "b", "b"]),
        rows=["b", "a"],
        row="key",
        estimators=["twfe"],
        labels={"a": "main", "b": "placebo"},
        significance=None,
    )
    assert [h.get_label() for h in handles] == ["two-way fixed effects"]
    assert handles[0].get_color() == palette.MODEL_STYLES["twfe"][0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["placebo", "main"]
    assert sorted(_markers(ax)) == [(0.9, 0.0, True), (1.7, 1.0, True)]


def test_forest_plot_takes_styles_for_estimators_outside_the_palette():
    _fig, ax = plt.subplots()
    table = ladder_table().query("model == 'twfe'").assign(estimator="without 2021")
    handles = forest_plot(
        ax,
        table,
        estimators=["without 2021"],
        styles={"without 2021": ("#123456", "D")},
        significance=None,
    )
    assert [h.get_label() for h in handles] == ["without 2021"]
    assert handles[0].get_color() == "#123456" and handles[0].get_marker() == "D"
    assert {line.get_marker() for line in ax.lines if line.get_marker() not in ("None", "")} == {
        "D"
    }


def test_forest_plot_bad_input():
    _fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"lacks \['ci_low'\]"):
        forest_plot(ax, ladder_table().drop(columns="ci_low"))
    with pytest.raises(ValueError, match="no rows for estimator"):
        forest_plot(ax, ladder_table(), estimators=["lagged_twfe"])
    with pytest.raises(ValueError, match="filter the table to one variant"):
        forest_plot(ax, pd.concat([ladder_table(), ladder_table()]))
    with pytest.raises(ValueError, match="no column 'p_boot'"):
        forest_plot(ax, ladder_table(), significance="p_boot")
    with pytest.raises(TypeError, match="labels must be"):
        forest_plot(ax, ladder_table(), labels=3)


def test_estimator_splits_pooled_ols_by_year_effects():
    assert estimator(ladder_table()).tolist() == [
        "twfe",
        "first_difference",
        "pooled_ols + year effects",
        "twfe",
        "pooled_ols + year effects",
    ]
    with pytest.raises(ValueError, match="no 'model' column"):
        estimator(pd.DataFrame({"coef": [1.0]}))


def test_every_ladder_model_has_words_colour_and_marker():
    from cchc_analysis.models import MODELS

    for model in [*MODELS, "pooled_ols + year effects"]:
        assert palette.model_label(model) != model
        assert model in palette.MODEL_STYLES
    assert len({c for c, _ in palette.MODEL_STYLES.values()}) == len(palette.MODEL_STYLES)


@pytest.mark.parametrize(
    ("code", "with_code", "expected"),
    [
        ("D5", True, "D5 Public Administrative Procedures"),
        ("SC52", False, "Construction Permits"),
        ("D5-D1", False, "Public Administrative Procedures minus Participation at Local Levels"),
        ("D8.1:post2021", True, "D8.1 Access to E-Government Portals × (year ≥ 2021)"),
        ("X9", True, "X9"),
        ("D8.1:other", True, "D8.1:other"),
    ],
)
def test_component_label(code, with_code, expected):
    assert component_label(code, with_code=with_code) == expected


@pytest.mark.parametrize(
    ("term", "index", "expected"),
    [
        ("D4", "PAPI", "D4 Corruption control"),
        ("methodology:D8", "PAPI", "D8 E-governance (method.)"),
        ("methodology", "PCI", "methodology (weights)"),
        ("composition", "PCI", "entries/exits"),
        ("entries/exits", "PAPI", "entries/exits"),
        ("X9", "PAPI", "X9"),
    ],
)
def test_term_label_has_no_code_names(term, index, expected):
    assert figures.term_label(term, index) == expected
    assert cc.term_label is figures.term_label


def test_component_label_other_index_and_bad_input():
    assert component_label("D4", index="some index") == "D4"
    palette.register_labels("TESTINDEX", {"F1": "Field one"})
    assert component_label("F1", index="TESTINDEX") == "F1 Field one"
    with pytest.raises(ValueError, match="expected a component code"):
        component_label("")


def grid_cells():
    return pd.DataFrame(
        {
            "province_code": ["01", "01", "79", "79"],
            "year": [2020, 2022, 2020, 2022],
            "state": ["complete", "partial", "absent", "complete"],
            "label": ["", "−2,4", "×", ""],
        }
    )


COLOURS = {s: palette.COVERAGE[s] for s in ("complete", "partial", "absent")}


def test_coverage_grid_colours_every_cell_and_leaves_gaps_empty():
    _fig, ax = plt.subplots()
    handles = coverage_grid(
        ax,
        grid_cells(),
        COLOURS,
        label="label",
        units=["01", "79", "92"],
        unit_names=pd.Series({"01": "Hà Nội", "79": "TP. Hồ Chí Minh", "92": "Cần Thơ"}),
        legend_labels={"partial": "dimensions missing"},
        breaks=[2022],
    )
    assert [h.get_label() for h in handles] == ["complete", "dimensions missing", "absent"]
    mesh = ax.collections[0]
    faces = np.asarray(mesh.get_array()).reshape(3, 3, 4)  # units × years (2020, 2021, 2022)
    assert np.allclose(faces[0, 0], to_rgba(COLOURS["complete"]))
    assert np.allclose(faces[0, 2], to_rgba(COLOURS["partial"]))
    assert np.allclose(faces[1, 0], to_rgba(COLOURS["absent"]))
    assert np.allclose(faces[0, 1], to_rgba("white"))  # 2021: no cell for anyone
    assert np.allclose(faces[2, :], to_rgba("white"))  # Cần Thơ: no cells at all
    assert [t.get_text() for t in ax.get_xticklabels()][:3] == ["2020", "2021", "2022"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Hà Nội", "TP. Hồ Chí Minh", "Cần Thơ"]
    texts = {t.get_text(): t.get_color() for t in ax.texts}
    # the higher WCAG contrast: black on orange, white on dark grey
    assert texts == {"−2,4": "black", "×": "white"}
    assert [line.get_xdata()[0] for line in ax.get_lines()] == [2]  # break before 2022


def test_coverage_grid_cell_colours_override_states_and_label_colours_can_be_fixed():
    cells = grid_cells().assign(colour=["#000000", None, None, None])
    _fig, ax = plt.subplots()
    coverage_grid(ax, cells, COLOURS, label="label", color="colour", label_colors={"absent": "red"})
    faces = np.asarray(ax.collections[0].get_array()).reshape(2, 3, 4)
    assert np.allclose(faces[0, 0], to_rgba("#000000"))
    assert np.allclose(faces[0, 2], to_rgba(COLOURS["partial"]))
    assert {t.get_text(): t.get_color() for t in ax.texts}["×"] == "red"


def test_coverage_grid_bad_input():
    _fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"lack column\(s\) \['state'\]"):
        coverage_grid(ax, grid_cells().drop(columns="state"), COLOURS)
    with pytest.raises(ValueError, match=r"states \['odd'\] have no colour"):
        coverage_grid(ax, grid_cells().replace({"absent": "odd"}), COLOURS)
    with pytest.raises(ValueError, match="more than one cell"):
        coverage_grid(ax, pd.concat([grid_cells(), grid_cells().head(1)]), COLOURS)
    with pytest.raises(ValueError, match="outside the units or years"):
        coverage_grid(ax, grid_cells(), COLOURS, years=[2020, 2021])
    with pytest.raises(ValueError, match="break year 2030"):
        coverage_grid(ax, grid_cells(), COLOURS, breaks=[2030])


def test_published_coverage_states_and_labels():
    facts = pd.DataFrame(
        {
            "year": [2020, 2020, 2021, 2021],
            "unit_code": ["01", "79", "79", "01"],
            "value": [91.2, np.nan, np.nan, np.nan],
            "rank": [1.0, np.nan, 5.0, np.nan],
            "band": [None, "bottom", None, None],
        }
    )
    out = published_coverage(facts, ["01", "79"], [2020, 2021])
    assert out[["year", "province_code", "state", "label"]].values.tolist() == [
        [2020, "01", "value published", "1"],
        [2020, "79", "named only (e.g. bottom group)", "low"],
        [2021, "01", "named only (e.g. bottom group)", "?"],  # named, e.g. "runners-up"
        [2021, "79", "rank only", "5"],
    ]
    assert published_coverage(facts.head(1), ["01"], [2021])["label"].tolist() == [""]
    assert set(out["state"]) <= set(FACT_STATES)
    with pytest.raises(ValueError, match="more than one fact per unit and year"):
        published_coverage(pd.concat([facts, facts.head(1)]), ["01", "79"], [2020, 2021])
    with pytest.raises(ValueError, match=r"lack column\(s\) \['band'\]"):
        published_coverage(facts.drop(columns="band"), ["01"], [2020])


def test_legend_panel_hides_the_axes():
    _fig, ax = plt.subplots()
    leg = legend_panel(ax, [plt.Line2D([], [], label="a")], ncol=2, title="t")
    assert not ax.axison and leg.get_title().get_text() == "t"


def test_helpers_are_exported_at_the_package_root():
    for name in (
        "forest_plot",
        "coverage_grid",
        "published_coverage",
        "component_label",
        "legend_panel",
        "add_source",
        "freeze_layout",
    ):
        assert callable(getattr(cc, name))
    assert cc.forest_plot is figures.forest_plot


def test_docstring_examples_run():
    for module in (forest, coverage, labels, legend, lines):
        failed, tried = doctest.testmod(module)
        assert tried > 0 and failed == 0, module.__name__


def test_runs_split_at_breaks_gaps_and_missing_values():
    years = [2011, 2012, 2013, 2015, 2016, 2017]
    values = [1.0, 2.0, np.nan, 4.0, 5.0, 6.0]
    assert runs(years, values, breaks=[2016]) == [
        [(2011, 1.0), (2012, 2.0)],
        [(2015, 4.0)],
        [(2016, 5.0), (2017, 6.0)],
    ]
    # without splitting at gaps, only the break (falling inside the 2012 -> 2015 gap too) splits
    assert runs(years, values, breaks=[2014], split_gaps=False) == [
        [(2011, 1.0), (2012, 2.0)],
        [(2015, 4.0), (2016, 5.0), (2017, 6.0)],
    ]
    with pytest.raises(ValueError, match="strictly increasing"):
        runs([2012, 2011], [1, 2])
    with pytest.raises(ValueError, match="2 years but 1 values"):
        runs([2011, 2012], [1])


def test_broken_line_never_joins_across_a_break_and_dots_gaps_and_suspected_shifts():
    _fig, ax = plt.subplots()
    drawn = broken_line(
        ax,
        [2015, 2016, 2017, 2019, 2020],
        [1, 2, 3, 4, 5],
        breaks=[2016],
        gaps="dotted",
        dotted=[2020],
        color="C1",
        label="series",
    )
    markers, *joins = drawn
    assert markers.get_linestyle() == "None" and markers.get_label() == "series"
    assert [int(x) for x in markers.get_xdata()] == [2015, 2016, 2017, 2019, 2020]
    segs = [([int(x) for x in j.get_xdata()], j.get_linestyle()) for j in joins]
    assert segs == [([2016, 2017], "-"), ([2017, 2019], ":"), ([2019, 2020], ":")]
    assert joins[0].get_linewidth() > joins[1].get_linewidth()
    split = broken_line(ax, [2015, 2016, 2017, 2019], [1, 2, 3, 4])
    assert [[int(x) for x in j.get_xdata()] for j in split[1:]] == [[2015, 2016], [2016, 2017]]
    with pytest.raises(ValueError, match="gaps must be"):
        broken_line(ax, [2015], [1], gaps="bridge")


def test_rank_waterfall_puts_a_short_steps_label_above_its_bar():
    from cchc_analysis.figures.waterfall import rank_waterfall

    fig, ax = plt.subplots()
    terms = pd.Series({"a": -20.0, "b": -1.0})  # places (< 0 = moved up): a tall and a short step
    rank_waterfall(ax, terms, 40, 19, 60, (2023, 2024))
    notes = {t.get_text(): t for t in ax.texts}
    tall, short = notes["+20.0"], notes["+1.0"]
    assert tall.xy == (1, 30.0) and tall.get_va() == "center"  # inside the bar
    assert short.xy == (2, 19.0) and short.get_va() == "bottom"  # on the bar's top edge, above it
    plt.close(fig)
