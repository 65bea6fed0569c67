"""Figure helpers shared by every notebook: one palette, one way to draw each kind of chart.

Each module draws one kind of figure onto matplotlib axes it is given, using the colours of
:mod:`cchc_analysis.figures.palette`, so that the same dimension has the same colour in every
notebook. Saving is :func:`cchc_analysis.plotting.save_figure`.

Modules: ``palette`` (colours, short labels, estimator names), ``labels`` (codes in words),
``forest`` (coefficients of the regression ladder), ``coverage`` (unit × year grids of which data
exist), ``legend`` (a legend in an axes of its own), ``lines`` (yearly series broken at methodology
breaks).
"""

from __future__ import annotations

from cchc_analysis.figures.coverage import FACT_STATES, coverage_grid, published_coverage
from cchc_analysis.figures.forest import forest_plot
from cchc_analysis.figures.labels import component_label, estimator, model_label
from cchc_analysis.figures.legend import legend_panel
from cchc_analysis.figures.lines import broken_line, runs

__all__ = [
    "FACT_STATES",
    "broken_line",
    "component_label",
    "coverage_grid",
    "estimator",
    "forest_plot",
    "legend_panel",
    "model_label",
    "published_coverage",
    "runs",
]
