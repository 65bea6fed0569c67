"""Inside one component: which of its parts account for the rank movement it carries.

:func:`subcomponent_drivers` opens one component (e.g. PAPI's D4) into its parts, next to the other
components kept whole, and attributes every transition exactly (Shapley, field game, 2^K
re-rankings with K = the other components + the parts). Components re-composed in a transition are
methodology players, as in :func:`cchc_analysis.rank_drivers`; a transition in which the opened
component itself is re-composed is left out (its parts are not comparable).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

from cchc_analysis.answers._common import bootstrap_shares, era_label
from cchc_analysis.indices import get_index
from cchc_analysis.methodology import MethodologyWarning, methodology_of
from cchc_analysis.ranking import shapley_rank_attribution
from cchc_analysis.ranking._breaks import prepare

__all__ = ["SubcomponentDrivers", "subcomponent_drivers"]


@dataclass(frozen=True)
class SubcomponentDrivers:
    """The answer of :func:`subcomponent_drivers`.

    ``shares``: one row per (era, part) with ``name``, ``share_within`` (Σ|φ_part| / Σ|φ| over the
    component's parts), its descriptive bootstrap band over transitions ``p05``/``p95`` (the
    convention of :func:`cchc_analysis.rank_drivers`), ``share_of_all`` (over every term) and
    ``transitions``. ``per_transition``: Σ|φ| per (era, transition, term). ``skipped``:
    transitions left out because the component itself was re-composed.
    """

    index: str
    component: str
    shares: pd.DataFrame
    per_transition: pd.DataFrame
    skipped: tuple[tuple[int, int], ...]

    def plot(self, fig=None):
        """Share of the component's rank movement by part, per era, with bootstrap whiskers."""
        import matplotlib.pyplot as plt

        from cchc_analysis.figures import palette
        from cchc_analysis.plotting import add_source

        eras = list(dict.fromkeys(self.shares["era"]))
        fig = fig or plt.figure(figsize=(6 * len(eras), 4.4), layout="constrained")
        axes = np.atleast_1d(fig.subplots(1, len(eras), sharex=True))
        top = float(self.shares["p95"].max()) * 100
        for ax, era in zip(axes, eras, strict=True):
            s = self.shares[self.shares["era"] == era]
            y = np.arange(len(s))[::-1]
            share = s["share_within"].to_numpy() * 100
            ax.barh(y, share, color=palette.component_color(self.index, self.component), height=0.6)
            ax.errorbar(
                share,
                y,
                xerr=[share - s["p05"] * 100, s["p95"] * 100 - share],
                fmt="none",
                ecolor="0.15",
                capsize=2.5,
                lw=1,
            )
            labels = [f"{c} {n}" for c, n in zip(s["part"], s["name"], strict=True)]
            ax.set_yticks(y, labels, fontsize=8.5)
            ax.set_xlim(0, top * 1.1)
            ax.set_title(
                f"{era_label(self.index, era)}: {int(s['transitions'].max())} transitions",
                fontsize=10.5,
            )
            ax.set_xlabel(f"share of {self.component}'s absolute rank movement (%)")
        short = palette.short_label(self.index, self.component)
        fig.suptitle(
            f"Inside {self.component} ({short}): which parts account for its rank movement\n"
            "(whiskers: 5–95% of a bootstrap over transitions, descriptive)",
            fontweight="bold",
        )
        add_source(
            fig,
            f"{get_index(self.index).source}. cchc_analysis.subcomponent_drivers: exact Shapley "
            f"rank attribution with {self.component}'s parts next to the other components.",
        )
        return fig


def subcomponent_drivers(
    component: str = "D4",
    index: str = "papi",
    era: str | None = None,
    *,
    parts_level: str = "subdimension",
    level: str = "dimension",
    breaks: str = "documented",
    n_boot: int = 4000,
    seed: int = 2024,
) -> SubcomponentDrivers:
    """Shares of ``component``'s absolute rank movement by part, per era (exact nested game).

    >>> import cchc_analysis as cc
    >>> inside = cc.subcomponent_drivers("D4", era="2018-")
    >>> sorted(inside.shares["part"])
    ['D4.1', 'D4.2', 'D4.3', 'D4.4']
    """
    spec = get_index(index)
    spec.check_level(level)
    spec.check_level(parts_level)
    eras = [e[2] for e in spec.eras] if era is None else [era]
    rows, skipped, names = [], [], {}
    for name in eras:
        for y0, y1 in pairwise(spec.era_years(name)):
            p_dim, c_dim = spec.wide(y0, level), spec.wide(y1, level)
            if component not in p_dim.columns:
                raise ValueError(
                    f"{spec.name} has no component {component!r} in {y0}; components: "
                    f"{list(p_dim.columns)}"
                )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", MethodologyWarning)
                pr = prepare(p_dim, c_dim, breaks)
            if component in pr.relabelled:
                skipped.append((y0, y1))
                continue
            p_sub, c_sub = spec.wide(y0, parts_level), spec.wide(y1, parts_level)
            parts = [c for c in p_sub.columns if str(c).split(".")[0] == component]
            if parts != [c for c in c_sub.columns if str(c).split(".")[0] == component]:
                skipped.append((y0, y1))
                continue
            meta = methodology_of(c_sub)
            for c in parts:
                names.setdefault((name, c), meta.component(c).label if meta else "")
            prev = pd.concat([pr.prev.drop(columns=component), p_sub[parts]], axis=1)
            curr = pd.concat([pr.curr.drop(columns=component), c_sub[parts]], axis=1)
            prev.attrs, curr.attrs = {}, {}
            w = pw = None
            if pr.weights is not None:
                w = _expand(pr.weights, component, parts)
                pw = (
                    _expand(pr.prev_weights, component, parts)
                    if pr.prev_weights is not None
                    else None
                )
            fit = shapley_rank_attribution(prev, curr, w, prev_weights=pw, method="exact")
            move = fit.contributions.abs().sum()
            rows.append(
                pd.DataFrame({"term": move.index, "abs_movement": move.to_numpy()}).assign(
                    era=name, year_prev=y0, year_curr=y1
                )
            )
    per = pd.concat(rows, ignore_index=True)
    out = []
    for name, g in per.groupby("era", sort=False):
        wide = g.pivot_table(
            index="year_prev", columns="term", values="abs_movement", aggfunc="sum"
        )
        parts = [c for c in wide.columns if str(c).split(".")[0] == component]
        within = bootstrap_shares(wide[parts], n_boot, seed)
        total = wide.fillna(0.0).to_numpy().sum()
        for part in parts:
            out.append(
                {
                    "era": name,
                    "part": part,
                    "name": names.get((name, part), ""),
                    "share_within": within.at[part, "share"],
                    "p05": within.at[part, "p05"],
                    "p95": within.at[part, "p95"],
                    "share_of_all": wide[part].sum() / total,
                    "transitions": len(wide),
                }
            )
    return SubcomponentDrivers(spec.name, component, pd.DataFrame(out), per, tuple(skipped))


def _expand(weights: pd.Series, component: str, parts: list[str]) -> pd.Series:
    """A component's weight handed to each of its parts (the composite is unchanged)."""
    extra = pd.Series(float(weights[component]), index=parts)
    return pd.concat([weights.drop(component), extra])
