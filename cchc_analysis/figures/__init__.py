"""Figure helpers shared by every notebook: one palette, one way to draw each kind of chart.

Each module draws one kind of figure onto matplotlib axes it is given, using the colours of
:mod:`cchc_analysis.figures.palette`, so that the same dimension has the same colour in every
notebook. Saving is :func:`cchc_analysis.plotting.save_figure`.

Modules: ``palette`` (colours, short labels, estimator names), ``labels`` (codes in words),
``forest`` (coefficients of the regression ladder), ``coverage`` (unit × year grids of which data
exist), ``legend`` (a legend in an axes of its own), ``lines`` (yearly series broken at methodology
breaks), ``scatter`` (binned scatter with LOWESS), ``bars`` (bars split by denominator),
``pci_papi`` (the figures of notebook 06: PCI's weights and shares of rank movement, PCI vs PAPI).
"""

from __future__ import annotations

from cchc_analysis._lazy import lazy_exports

_EXPORTS = {
    "FACT_STATES": "coverage",
    "coverage_grid": "coverage",
    "published_coverage": "coverage",
    "forest_plot": "forest",
    "component_label": "labels",
    "estimator": "labels",
    "model_label": "labels",
    "term_label": "labels",
    "legend_panel": "legend",
    "broken_line": "lines",
    "runs": "lines",
    "bar_panels": "bars",
    "binned_scatter_plot": "scatter",
    "plot_break_shares": "pci_papi",
    "plot_era_shares": "pci_papi",
    "plot_movement_comparison": "pci_papi",
    "plot_pci_weights": "pci_papi",
}

__all__ = [
    "FACT_STATES",
    "bar_panels",
    "binned_scatter_plot",
    "broken_line",
    "component_label",
    "coverage_grid",
    "estimator",
    "forest_plot",
    "legend_panel",
    "model_label",
    "plot_break_shares",
    "plot_era_shares",
    "plot_movement_comparison",
    "plot_pci_weights",
    "published_coverage",
    "runs",
    "term_label",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
