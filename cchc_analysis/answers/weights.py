"""Which rank changes survive uncertainty about the weights, and how much that depends on how
uncertain the weights are taken to be: :func:`weight_robustness`.

:func:`cchc_analysis.rank_uncertainty` redraws the weights from a Dirichlet distribution centred
on the nominal weights; its ``concentration`` sets how far a draw strays (a share's standard
deviation is ``sqrt(s(1-s)/(concentration+1))``). No published figure fixes that number, so the
answer is reported for several concentrations side by side.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

from cchc_analysis.answers._common import era_label
from cchc_analysis.answers._common import weights as nominal_weights
from cchc_analysis.indices import get_index
from cchc_analysis.methodology import MethodologyWarning
from cchc_analysis.ranking import rank_uncertainty
from cchc_analysis.ranking._breaks import prepare

__all__ = ["SIZE_BINS", "WeightRobustness", "weight_robustness"]

SIZE_BINS = ((1, 2), (3, 5), (6, 10), (11, 100))
"""Sizes of rank change (places, either direction) the summary groups by."""


@dataclass(frozen=True)
class WeightRobustness:
    """The answer of :func:`weight_robustness`.

    ``units``: one row per (concentration, era, transition, unit ranked in both years) with the
    nominal ``rank_change`` and ``p_same_sign`` (share of draws keeping its sign). ``summary``: per
    (concentration, era, size bin) the share of non-zero changes that are ``robust``
    (``p_same_sign >= threshold``) and their number. ``weight_sd``: per concentration (rows) and
    era (columns) the standard deviation of one weight share relative to the nominal share, for
    equal weights over that era's number of components (PAPI: 6 before 2018, 8 from 2018).
    """

    index: str
    threshold: float
    n_draws: int
    units: pd.DataFrame
    summary: pd.DataFrame
    weight_sd: pd.DataFrame

    def robust_share(self) -> pd.DataFrame:
        """Share of all non-zero rank changes that are robust, per concentration (rows) and era."""
        moved = self.units[self.units["rank_change"] != 0]
        return moved.groupby(["concentration", "era"])["robust"].mean().unstack("era")

    def plot(self, fig=None):
        """Share of robust rank changes by size of change, one line per concentration."""
        import matplotlib.pyplot as plt

        from cchc_analysis.figures import palette
        from cchc_analysis.plotting import add_source

        eras = list(dict.fromkeys(self.summary["era"]))
        fig = fig or plt.figure(figsize=(6 * len(eras), 4.6), layout="constrained")
        axes = np.atleast_1d(fig.subplots(1, len(eras), sharey=True))
        concs = sorted(self.summary["concentration"].unique())
        shades = plt.get_cmap("Blues")(np.linspace(0.45, 0.95, len(concs)))
        for ax, era in zip(axes, eras, strict=True):
            s = self.summary[self.summary["era"] == era]
            for c, colour in zip(concs, shades, strict=True):
                g = s[s["concentration"] == c]
                ax.plot(
                    g["size"],
                    g["robust"] * 100,
                    marker="o",
                    color=colour,
                    label=f"{c:g} (weight share ±{self.weight_sd.at[c, era]:.0%})",
                )
            ax.set_title(era_label(self.index, era), fontsize=10.5)
            ax.set_xlabel("size of the rank change (places, either direction)")
            ax.set_ylim(0, 104)
        axes[0].set_ylabel(
            f"rank changes keeping their sign in ≥ {self.threshold:.0%} of draws (%)"
        )
        for ax in axes:  # one legend per panel: the spread of a share depends on the era's K
            ax.legend(
                title="Dirichlet concentration", fontsize=8, title_fontsize=8.5, loc="lower right"
            )
        fig.suptitle(
            f"Which {self.index} rank changes survive random re-weighting of the components",
            fontweight="bold",
        )
        add_source(
            fig,
            f"{get_index(self.index).source}. cchc_analysis.weight_robustness: {self.n_draws:,} "
            "Dirichlet weight draws per transition centred on the nominal weights; both years "
            "ranked under the same draw. Survey sampling error not included.",
        )
        for ax in axes:
            ax.grid(True, axis="y", color=palette.NEUTRAL, alpha=0.3)
        return fig


def weight_robustness(
    index: str = "papi",
    era: str | None = None,
    concentrations=(20.0, 50.0, 100.0, 200.0),
    *,
    level: str = "dimension",
    n_draws: int = 2000,
    threshold: float = 0.9,
    seed: int = 0,
    exclude=(),
) -> WeightRobustness:
    """Share of rank changes keeping their sign under random weights, for several concentrations.

    Every consecutive pair of years in each era (except ``exclude``, pairs of years) is ranked
    under the same ``n_draws`` weight draws in both years (:func:`cchc_analysis.rank_uncertainty`,
    re-composed components included at their published values: re-weighting does not depend on
    what a component measures).

    >>> import cchc_analysis as cc
    >>> wr = cc.weight_robustness("papi", era="2018-", concentrations=(50,), n_draws=200)
    >>> bool(0 < wr.robust_share().iloc[0, 0] < 1)
    True
    """
    spec = get_index(index)
    spec.check_level(level)
    if not 0.5 < threshold <= 1:
        raise ValueError(f"threshold must be in (0.5, 1], got {threshold!r}")
    skip = {(int(a), int(b)) for a, b in exclude}
    eras = [e[2] for e in spec.eras] if era is None else [era]
    rows, n_components = [], {}
    for name in eras:
        for i, (y0, y1) in enumerate(pairwise(spec.era_years(name))):
            if (y0, y1) in skip:
                continue
            prev, curr = spec.wide(y0, level), spec.wide(y1, level)
            w = nominal_weights(curr)
            n_components[name] = len(curr.columns)  # the era's K (its last transition)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", MethodologyWarning)
                pr = prepare(prev, curr, "ignore")
            for c in concentrations:
                u = rank_uncertainty(
                    pr.curr, w, n_draws=n_draws, seed=seed + i, concentration=float(c), prev=pr.prev
                )
                u = u.dropna(subset=["rank_prev"]).reset_index()
                rows.append(
                    u[["unit", "rank_change", "p_same_sign"]].assign(
                        concentration=float(c), era=name, year_prev=y0, year_curr=y1
                    )
                )
    units = pd.concat(rows, ignore_index=True)
    units["robust"] = units["p_same_sign"] >= threshold
    size = units["rank_change"].abs()
    names = [f"{lo}–{hi}" if hi < 100 else f"> {lo - 1}" for lo, hi in SIZE_BINS]
    edges = [SIZE_BINS[0][0] - 0.5, *(hi + 0.5 for _, hi in SIZE_BINS)]
    units["size"] = pd.cut(size, edges, labels=names)
    moved = units[units["size"].notna()]
    summary = (
        moved.groupby(["concentration", "era", "size"], sort=True, observed=True)["robust"]
        .agg(robust="mean", n="size")
        .reset_index()
    )
    sd = pd.DataFrame(
        {
            name: {float(c): np.sqrt((k - 1) / (float(c) + 1)) for c in concentrations}
            for name, k in n_components.items()
        }
    ).rename_axis(index="concentration", columns="era")
    return WeightRobustness(spec.name, threshold, n_draws, units, summary, sd)
