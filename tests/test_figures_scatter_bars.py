"""binned_scatter_plot and bar_panels draw what they say (SIMULATION data only)."""

from __future__ import annotations

import doctest

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from cchc_analysis.figures import bar_panels, bars, binned_scatter_plot, scatter


def test_doctests_run():
    assert doctest.testmod(scatter).failed == 0
    assert doctest.testmod(bars).failed == 0


def _panel(n_prov=12, seed=0):
    rng = np.random.default_rng(seed)  # SIMULATION
    p = pd.DataFrame(
        [(f"{i:02d}", y) for i in range(n_prov) for y in range(2019, 2025)],
        columns=["province_code", "year"],
    )
    p["x"] = rng.normal(size=len(p))
    p["y"] = 2 * p["x"] + rng.normal(size=len(p))
    return p


def test_binned_scatter_plot_draws_every_point_bins_and_a_curve():
    p = _panel()
    p.loc[0, "y"] = np.nan
    fig, ax = plt.subplots()
    bins = binned_scatter_plot(ax, p, "x", "y", bins=6)
    assert bins.attrs["n_obs"] == len(p) - 1
    assert len(bins) == 6
    offsets = ax.collections[0].get_offsets()
    assert len(offsets) == len(p) - 1
    labels = ax.get_legend_handles_labels()[1]
    assert "province-year" in labels
    assert "mean in each of 6 quantile bins ± 1 SE" in labels
    assert "LOWESS (frac 0.5)" in labels
    plt.close(fig)


def test_binned_scatter_plot_within_keeps_the_mean():
    p = _panel(seed=1)
    fig, ax = plt.subplots()
    binned_scatter_plot(ax, p, "x", "y", absorb="both", bins=4)
    pts = ax.collections[0].get_offsets()
    assert np.asarray(pts)[:, 0].mean() == pytest.approx(p["x"].mean())
    plt.close(fig)


def test_bar_panels_one_panel_per_denominator_sorted():
    t = pd.DataFrame(
        {
            "kind": ["d", "d", "d", "c"],
            "what": ["A", "B", "C", "VN"],
            "pct": [50.0, 90.0, 10.0, 4.85],
        }
    )
    fig, axes = plt.subplots(2, 1)
    bar_panels(
        axes,
        t,
        panel="kind",
        label="what",
        value="pct",
        xlabels={"d": "% of dossiers", "c": "% of citizens"},
        titles={"d": "Dossiers"},
    )
    assert [tick.get_text() for tick in axes[0].get_yticklabels()] == ["C", "A", "B"]
    assert [p.get_width() for p in axes[0].patches] == [10.0, 50.0, 90.0]
    assert axes[0].get_title(loc="left") == "Dossiers"
    assert axes[1].get_title(loc="left") == "c (n = 1)"
    assert "4.85%" in [x.get_text() for x in axes[1].texts]
    plt.close(fig)


def test_bar_panels_bad_input():
    t = pd.DataFrame({"kind": ["d", "x"], "what": ["A", "B"], "pct": [1.0, 2.0]})
    fig, axes = plt.subplots(2, 1)
    with pytest.raises(ValueError, match="no axis label"):
        bar_panels(axes, t, panel="kind", label="what", value="pct", xlabels={"d": "%"})
    with pytest.raises(ValueError, match="lacks"):
        bar_panels(axes, t, panel="kind", label="nope", value="pct", xlabels={"d": "%", "x": "%"})
    with pytest.raises(ValueError, match="need 1 axes"):
        bar_panels(axes, t[:1], panel="kind", label="what", value="pct", xlabels={"d": "%"})
    plt.close(fig)
