"""The figures of notebook 06: PCI's weights and shares of rank movement, PCI against PAPI.

Each function draws one whole figure from an answer of :mod:`cchc_analysis.answers.pci_papi` and
returns it (title, axis labels with units, source line); saving is
:func:`cchc_analysis.plotting.save_figure`:

* :func:`plot_pci_weights` — the weights of each weighting era as one stacked bar;
* :func:`plot_era_shares` — each sub-index's share of rank movement within each weighting era;
* :func:`plot_break_shares` — the shares at each era break, the switch of weights among them;
* :func:`plot_movement_comparison` — two indices' shares over the same transitions side by side.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from cchc_analysis.figures import palette
from cchc_analysis.figures.labels import term_label
from cchc_analysis.plotting import add_source

__all__ = [
    "SOURCES",
    "plot_break_shares",
    "plot_era_shares",
    "plot_movement_comparison",
    "plot_pci_weights",
]

SOURCES = {
    "PCI": (
        "VCCI, Provincial Competitiveness Index (pcivietnam.vn), workbooks 2005–2016 and totals "
        "2016–2022"
    ),
    "PAPI": (
        "PAPI (CECODES, VFF-CRT, RTA & UNDP); provincial values via the third-party repository "
        "hnks-gh/ml-mcdm"
    ),
}
"""What each figure's source line names, per index."""

_PANEL = {
    "PCI": ("firms", "weighted sub-index", "weighted sub-indices"),
    "PAPI": ("citizens", "dimension", "dimensions"),
}
"""Whose view each index gives, and what one and several of its scored parts are called."""
ERA_SHADES = ("#c6dbef", "#6baed6", palette.INDEX_COLORS["PCI"])
"""Light to dark: older to newer weighting era."""


def _source(*indices: str) -> str:
    return "Source: " + "; ".join(SOURCES[i] for i in indices)


def _pci_labels() -> None:
    import cchc_analysis.sources.pci  # noqa: F401  (registers PCI's short labels)


def plot_pci_weights(weights: pd.DataFrame | None = None) -> plt.Figure:
    """PCI's weights by weighting era: one bar per era, one segment per sub-index (% of 100).

    ``weights``: :func:`cchc_analysis.pci_weight_table` (sub-index codes × eras; eras without
    weights are left out).

    >>> fig = plot_pci_weights()
    >>> fig.axes[0].get_xlabel()
    'weight in the PCI total (% of 100 points)'
    >>> plt.close(fig)
    """
    if weights is None:
        from cchc_analysis.answers.pci_papi import pci_weight_table

        weights = pci_weight_table()
    _pci_labels()
    eras = [e for e in weights.columns if weights[e].notna().any()]
    fig, ax = plt.subplots(figsize=(8, 3.2))
    for i, era in enumerate(eras):
        left = 0.0
        rows = weights[era].dropna()
        for code, w in rows.items():
            ax.barh(i, w, left=left, color=palette.component_color("PCI", code), edgecolor="white")
            if w >= 10:
                ax.text(
                    left + w / 2,
                    i,
                    f"{code}\n{w:.0f}%",
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color="white",
                )
            left += w
    ax.set_yticks(range(len(eras)), eras)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("weight in the PCI total (% of 100 points)")
    ax.set_title(
        "PCI weights by methodology era (recovered from VCCI's workbooks)", fontweight="bold"
    )
    codes = weights.dropna(how="all").index
    handles = [plt.Rectangle((0, 0), 1, 1, color=palette.component_color("PCI", c)) for c in codes]
    ax.legend(
        handles,
        [term_label(c, "PCI") for c in codes],
        ncol=5,
        fontsize=7,
        loc="upper left",
        bbox_to_anchor=(0, -0.28),
        frameon=False,
    )
    add_source(
        fig,
        _source("PCI") + "; weights: least squares over each year's provinces "
        "(pci_weight_check); 2013– also published (Sổ tay PCI 2016, as quoted)",
    )
    return fig


def plot_era_shares(within: pd.DataFrame) -> plt.Figure:
    """Each PCI sub-index's share of absolute rank movement within each weighting era.

    ``within``: :attr:`cchc_analysis.answers.pci_papi.EraShares.within` (sub-indices × eras,
    shares 0–1); one bar per era in each group, newest on top, groups sorted by the mean share.

    >>> t = pd.DataFrame({"2006–2008": [0.6, 0.4], "2009–2012": [0.5, 0.5], "2013–2016": [0.3, 0.7]},
    ...                  index=["TR", "TC"])
    >>> fig = plot_era_shares(t)
    >>> [float(b.get_width()) for b in fig.axes[0].patches][:2]  # 2006–2008: TR, then TC
    [60.0, 40.0]
    >>> plt.close(fig)
    """
    _pci_labels()
    fig, ax = plt.subplots(figsize=(8.5, 4.2))
    order = within.mean(axis=1).sort_values().index
    y = np.arange(len(order))
    height = 0.26
    for i, era in enumerate(within.columns):  # newest era on top within each group
        ax.barh(
            y + (i - 1) * height,
            within.loc[order, era] * 100,
            height=height,
            color=ERA_SHADES[i],
            label=era,
        )
    ax.set_yticks(y, [term_label(c, "PCI") for c in order])
    ax.set_ylabel("sub-index (no bar: not scored in that era)")
    ax.set_xlabel("share of absolute rank movement within the era (%)")
    ax.set_title(
        "PCI: sub-indices' shares of rank movement, within each weighting era", fontweight="bold"
    )
    handles, names = ax.get_legend_handles_labels()
    ax.legend(
        handles[::-1],
        names[::-1],
        title="era (within-era transitions)",
        fontsize=8,
        title_fontsize=8.5,
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
        frameon=False,
    )
    add_source(fig, _source("PCI") + "; exact Shapley rank attribution with each era's weights")
    return fig


def plot_break_shares(across: pd.DataFrame) -> plt.Figure:
    """PCI's shares of absolute rank movement at each era break, one panel per break.

    ``across``: :attr:`cchc_analysis.answers.pci_papi.EraShares.across` (terms × breaks, shares
    0–1). The switch of weights (``methodology``) is dark grey; a sub-index that left, returned
    or was renamed (``methodology:<code>``) is hatched: both are changes of method.

    >>> t = pd.DataFrame({"2008→2009": [0.7, 0.3], "2012→2013": [0.6, 0.4]},
    ...                  index=["TR", "methodology"])
    >>> fig = plot_break_shares(t)
    >>> [ax.get_title() for ax in fig.axes]
    ['2008→2009', '2012→2013']
    >>> plt.close(fig)
    """
    _pci_labels()
    fig, axes = plt.subplots(1, len(across.columns), figsize=(10, 4), sharex=True)
    for ax, col in zip(np.atleast_1d(axes), across.columns, strict=True):
        s = across[col].dropna().sort_values()
        s = s[s > 0]
        colours = [palette.component_color("PCI", k) for k in s.index]
        hatches = ["///" if k.startswith("methodology:") else None for k in s.index]
        ax.barh(
            [term_label(k, "PCI") for k in s.index],
            s * 100,
            color=colours,
            hatch=hatches,
            edgecolor="white",
            lw=0.3,
        )
        ax.set_title(col)
        ax.set_xlabel("share of absolute rank movement (%)")
    fig.suptitle(
        "PCI era breaks: the switch of weights (methodology) against the sub-indices",
        fontweight="bold",
    )
    add_source(
        fig,
        _source("PCI") + "; exact Shapley rank attribution. Dark grey = switch of weights; "
        "hatched = a sub-index that left, returned or was renamed (PB: SOE bias to 2008, policy "
        "bias from 2013; BS renamed in 2009); both methodology, not performance.",
    )
    return fig


def plot_movement_comparison(comparison) -> plt.Figure:
    """Two indices' shares of absolute rank movement over the same transitions, side by side.

    ``comparison``: :func:`cchc_analysis.compare_rank_drivers`. One colour per index (the bars of
    the two panels are different components; the themes both measure are named in the text), a
    re-composed component (``methodology:<code>``) hatched grey and entries/exits light grey, so
    each panel's bars sum to 100%.

    >>> from cchc_analysis.answers.pci_papi import MovementComparison
    >>> shares = pd.DataFrame({"PCI": [0.6, 0.4, None, None], "PAPI": [None, None, 0.7, 0.3]},
    ...                       index=["TR", "TC", "D4", "D2"])
    >>> fig = plot_movement_comparison(MovementComparison(shares, ((2013, 2014),)))
    >>> [ax.get_title() for ax in fig.axes]
    ['PCI: firms, 2 weighted sub-indices', 'PAPI: citizens, 2 dimensions']
    >>> plt.close(fig)
    """
    _pci_labels()
    names = list(comparison.shares.columns)
    fig, axes = plt.subplots(1, len(names), figsize=(10, 4), sharex=True)
    for ax, idx in zip(np.atleast_1d(axes), names, strict=True):
        s = comparison.shares[idx].dropna().sort_values()
        s = s[(s > 0) | ~s.index.isin(["entries/exits"])]
        colours = [
            palette.ENTRIES_EXITS
            if k == "entries/exits"
            else "white"
            if k.startswith("methodology")
            else palette.INDEX_COLORS.get(idx, palette.NEUTRAL)
            for k in s.index
        ]
        ax.barh(
            [term_label(k, idx) for k in s.index],
            s * 100,
            color=colours,
            hatch=["///" if k.startswith("methodology") else None for k in s.index],
            edgecolor=[
                palette.METHODOLOGY if k.startswith("methodology") else "white" for k in s.index
            ],
            lw=0.5,
        )
        ax.set_xlabel("share of absolute rank movement (%)")
        lo, hi = comparison.component_count(idx)
        who, one, several = _PANEL.get(idx, ("", "component", "components"))
        parts = f"{lo} {one if hi == 1 else several}" if lo == hi else f"{lo}–{hi} {several}"
        ax.set_title(f"{idx}: {who}, {parts}" if who else f"{idx}: {parts}")
    fig.suptitle(
        f"What accounts for rank movement, {comparison.period()} (transitions within-era for both)",
        fontweight="bold",
    )
    add_source(
        fig,
        _source(*names) + "; exact Shapley rank attribution. One colour per index (different "
        "components); hatched = a re-composed component (methodology); light grey = provinces "
        "scored in only one of the two years (entries/exits, drawn where above 0); bars sum to 100%.",
    )
    return fig
