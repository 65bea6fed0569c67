"""When one unit passes another, which component closed the gap: :func:`overtake_drivers`.

Every pair of units whose order flipped between consecutive years of an era
(:func:`cchc_analysis.overtakes`) has a component that closed the largest share of the gap (column
``decisive``: it accounts for the overtake under the index's arithmetic, not a cause) and
*necessary* components (without whose change the order would not have flipped). The shares of
overtakes each component accounts for in this sense (column ``decided``) carry the same descriptive
whiskers as
:func:`cchc_analysis.rank_drivers` (5–95% of a bootstrap over transitions).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

from cchc_analysis.answers._common import (
    ENTRIES_EXITS,
    bootstrap_shares,
    era_label,
    kind,
    label,
)
from cchc_analysis.indices import get_index
from cchc_analysis.methodology import MethodologyWarning
from cchc_analysis.ranking import overtakes
from cchc_analysis.ranking._breaks import prepare

__all__ = ["OvertakeDrivers", "overtake_drivers"]


@dataclass(frozen=True)
class OvertakeDrivers:
    """The answer of :func:`overtake_drivers`.

    ``pairs``: every overtake (:func:`cchc_analysis.overtakes` columns) with ``era``,
    ``year_prev``, ``year_curr``. ``shares``: one row per (era, term) with ``decided`` (share of
    the era's overtakes in which the term closed the largest share of the gap), ``p05``/``p95`` (bootstrap over transitions),
    ``necessary`` (share of overtakes in which it was necessary) and ``overtakes`` (count).
    ``no_single_necessary``: per era, the share of overtakes with no necessary component (several
    components together flipped the order).
    """

    index: str
    pairs: pd.DataFrame
    shares: pd.DataFrame
    no_single_necessary: pd.Series

    def plot(self, fig=None):
        """Share of overtakes in which each term closed the largest share of the gap, per era, with
        bootstrap whiskers."""
        import matplotlib.pyplot as plt

        from cchc_analysis.figures import palette
        from cchc_analysis.plotting import add_source

        eras = list(dict.fromkeys(self.shares["era"]))
        fig = fig or plt.figure(figsize=(6.2 * len(eras), 5), layout="constrained")
        axes = np.atleast_1d(fig.subplots(1, len(eras), sharex=True))
        for ax, era in zip(axes, eras, strict=True):
            s = self.shares[(self.shares["era"] == era) & (self.shares["decided"] > 0)]
            s = s.iloc[sorted(range(len(s)), key=lambda i: _order(s["term"].iat[i]))]
            y = np.arange(len(s))[::-1]
            v = s["decided"].to_numpy() * 100
            colours = [palette.component_color(self.index, t) for t in s["term"]]
            # a re-measured component is methodology: hatched, as in the per-transition figure
            hatches = ["///" if kind(t) == "methodology" else None for t in s["term"]]
            ax.barh(y, v, color=colours, hatch=hatches, edgecolor="white", lw=0.3, height=0.7)
            ax.errorbar(
                v,
                y,
                xerr=[v - s["p05"] * 100, s["p95"] * 100 - v],
                fmt="none",
                ecolor="0.15",
                capsize=2.5,
                lw=1,
            )
            ax.set_yticks(y, [label(self.index, t) for t in s["term"]], fontsize=8.5)
            n = int((self.pairs["era"] == era).sum())
            ax.set_title(f"{era_label(self.index, era)}: {n:,} overtakes", fontsize=10.5)
            ax.set_xlabel("share of overtakes in which it closed the largest share of the gap (%)")
        fig.suptitle(
            f"Which {self.index} component closed the largest share of the gap when one province "
            "overtook another\n(whiskers: 5–95% of a bootstrap over transitions, descriptive)",
            fontweight="bold",
        )
        add_source(
            fig,
            f"{get_index(self.index).source}. cchc_analysis.overtake_drivers: all pairs ranked in "
            "both years whose order flipped; each overtake counted for the component with the "
            "largest share of the gap change (accounts for, not causes); hatched = a re-composed component reported as methodology.",
        )
        return fig


def _order(term: str):
    return (term == ENTRIES_EXITS, kind(term) != "performance", term)


def overtake_drivers(
    index: str = "papi",
    era: str | None = None,
    level: str = "dimension",
    breaks: str = "documented",
    *,
    n_boot: int = 4000,
    seed: int = 2024,
) -> OvertakeDrivers:
    """Share of overtakes in which each component closed the largest share of the gap (and in
    which it was needed), per era.

    >>> import cchc_analysis as cc
    >>> od = cc.overtake_drivers("papi", era="2018-")
    >>> bool(np.isclose(od.shares["decided"].sum(), 1.0))
    True
    """
    spec = get_index(index)
    spec.check_level(level)
    eras = [e[2] for e in spec.eras] if era is None else [era]
    frames = []
    for name in eras:
        for y0, y1 in pairwise(spec.era_years(name)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", MethodologyWarning)
                pr = prepare(spec.wide(y0, level), spec.wide(y1, level), breaks)
                ot = overtakes(pr.prev, pr.curr, pr.weights)
            frames.append(ot.assign(era=name, year_prev=y0, year_curr=y1))
    pairs = pd.concat(frames, ignore_index=True)
    rows = []
    for name, g in pairs.groupby("era", sort=False):
        counts = pd.crosstab(g["year_prev"], g["decisive"])
        boot = bootstrap_shares(counts, n_boot, seed)
        needed = g["necessary"].explode().value_counts()
        for term in counts.columns:
            rows.append(
                {
                    "era": name,
                    "term": term,
                    "decided": boot.at[term, "share"],
                    "p05": boot.at[term, "p05"],
                    "p95": boot.at[term, "p95"],
                    "necessary": needed.get(term, 0) / len(g),
                    "overtakes": int(counts[term].sum()),
                }
            )
    none = pairs.groupby("era", sort=False)["necessary"].apply(lambda s: (s.str.len() == 0).mean())
    return OvertakeDrivers(spec.name, pairs, pd.DataFrame(rows), none.rename("no_single_necessary"))
