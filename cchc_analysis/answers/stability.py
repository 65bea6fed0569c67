"""How much of last year's ranking survives into this year: :func:`stability_table`.

Kendall τ-b and Spearman ρ between consecutive years of each era, for the total and each component
(:func:`cchc_analysis.rank_stability`), with each component-transition marked when the component
was re-composed (its correlation then compares two different measures).
"""

from __future__ import annotations

import warnings
from itertools import pairwise

import numpy as np
import pandas as pd

from cchc_analysis.indices import get_index
from cchc_analysis.methodology import MethodologyWarning
from cchc_analysis.ranking import rank_stability
from cchc_analysis.ranking._breaks import prepare

__all__ = ["plot_stability", "stability_table"]


def stability_table(
    index: str = "papi", level: str = "dimension", breaks: str = "documented"
) -> pd.DataFrame:
    """Rank correlations between consecutive years, per era, total and each component.

    Columns of :func:`cchc_analysis.rank_stability` plus ``era``, ``recomposed`` (the component
    changed composition in that transition) and, for the total, ``unranked`` (units with a value
    in one of the two years only).

    >>> import cchc_analysis as cc
    >>> tab = cc.stability_table("papi")
    >>> bool(tab.query("series == 'composite'")["kendall_tau_b"].between(0, 1).all())
    True
    """
    from cchc_analysis.answers._common import weights as nominal_weights

    spec = get_index(index)
    spec.check_level(level)
    out = []
    for first, last, name in spec.eras:
        frames = {y: spec.wide(y, level) for y in range(first, last + 1) if y in spec.years}
        plain = {}
        for y, f in frames.items():
            g = f.copy(deep=False)
            g.attrs = {}
            plain[y] = g
        tab = rank_stability(plain, nominal_weights(frames[max(frames)]))
        recomposed = set()
        years = sorted(frames)
        for y0, y1 in pairwise(years):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", MethodologyWarning)
                pr = prepare(frames[y0], frames[y1], breaks)
            recomposed |= {(y0, y1, c) for c in pr.relabelled}
        tab["recomposed"] = [
            (a, b, s) in recomposed
            for a, b, s in tab[["year_prev", "year_curr", "series"]].itertuples(index=False)
        ]
        ranked = {y: set(f.index[f.notna().all(axis=1)]) for y, f in frames.items()}
        tab["unranked"] = [
            len(ranked[a] ^ ranked[b]) if s == "composite" else np.nan
            for a, b, s in tab[["year_prev", "year_curr", "series"]].itertuples(index=False)
        ]
        out.append(tab.assign(era=name))
    return pd.concat(out, ignore_index=True)


def plot_stability(table: pd.DataFrame, index: str = "papi", fig=None):
    """Kendall τ-b per transition: the total in black, each component in its colour; open markers
    where the component was re-composed."""
    import matplotlib.pyplot as plt

    from cchc_analysis.answers._common import era_label, label
    from cchc_analysis.figures import palette
    from cchc_analysis.plotting import add_source

    spec = get_index(index)
    eras = list(dict.fromkeys(table["era"]))
    fig = fig or plt.figure(figsize=(13, 5), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(eras), sharey=True))
    for ax, era in zip(axes, eras, strict=True):
        s = table[table["era"] == era]
        for series, g in s.groupby("series", sort=False):
            total = series == "composite"
            colour = "black" if total else palette.component_color(spec.name, series)
            ax.plot(
                g["year_curr"],
                g["kendall_tau_b"],
                color=colour,
                lw=2.6 if total else 1.2,
                zorder=5 if total else 2,
                label="total" if total else label(spec.name, series),
            )
            ok = ~g["recomposed"].to_numpy()
            ax.scatter(g["year_curr"][ok], g["kendall_tau_b"][ok], color=colour, s=16, zorder=6)
            ax.scatter(
                g["year_curr"][~ok],
                g["kendall_tau_b"][~ok],
                facecolor="white",
                edgecolor=colour,
                s=40,
                lw=1.4,
                zorder=6,
            )
        years = sorted(s["year_curr"].unique())
        ax.set_xticks(years, [f"{y - 1}→{str(y)[2:]}" for y in years], fontsize=8.5)
        ax.set_title(era_label(spec.name, era), fontsize=10.5)
        ax.set_xlabel("transition")
        ax.axhline(0, color="0.3", lw=0.8)
    axes[0].set_ylabel("Kendall τ-b between consecutive years")
    handles, labels = axes[-1].get_legend_handles_labels()
    axes[-1].legend(
        handles,
        labels,
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
        fontsize=8.5,
        frameon=False,
        title="open marker = re-composed",
        title_fontsize=8,
    )
    fig.suptitle(
        f"How much of last year's {spec.name} ranking survives into this year", fontweight="bold"
    )
    add_source(
        fig, f"{spec.source}. Kendall τ-b (scipy) over provinces with a value in both years."
    )
    return fig
