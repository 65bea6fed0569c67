"""Which components drive rank movement over an era: :func:`rank_drivers`, one call."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from cchc_analysis.errors import CchcDataError
from cchc_analysis.indices import get_index
from cchc_analysis.methodology import METHODOLOGY_PREFIX, MethodologyWarning
from cchc_analysis.ranking import score_change_decomposition, shapley_rank_attribution
from cchc_analysis.ranking._breaks import prepare

__all__ = ["ENTRIES_EXITS", "INTERVAL_NOTE", "VIEWS", "RankDrivers", "rank_drivers"]

ENTRIES_EXITS = "entries/exits"
"""The term for units entering or leaving the ranking (the ``composition`` term of the ranking
functions)."""

VIEWS = ("methodology", "clean", "raw")
"""The three ways :func:`rank_drivers` reports the shares:

``methodology``
    every transition, each re-composed component reported as its own ``methodology:<code>`` term;
``clean``
    only the transitions in which no component was re-composed;
``raw``
    every transition with every component taken at face value (re-compositions count as
    performance), to show what a naive reading of the published scores gives.
"""

_VIEW_TITLES = {
    "methodology": "re-compositions as methodology",
    "clean": "clean transitions only",
    "raw": "raw composition",
}

_VIEW_LABELS = {
    "methodology": "all transitions ({n}), re-compositions as methodology",
    "clean": "clean transitions only ({n}): no re-composition",
    "raw": "all transitions ({n}), raw composition",
}

INTERVAL_NOTE = (
    "descriptive: 5-95% of a bootstrap over the era's transitions (resampled with replacement); "
    "with a handful of transitions this describes how much the answer depends on which years are "
    "in the sample, not a confidence interval"
)


@dataclass(frozen=True)
class RankDrivers:
    """The result of :func:`rank_drivers`.

    ``pooled``: one row per (era, view, term) with ``move_share`` (share of all absolute rank
    movement: Σ|φ_term| / Σ|every term|, entries/exits included), ``move_share_ex_entries`` (the
    same without entries/exits in the denominator: the share among components and methodology
    terms), ``move_p05``/``move_p95`` (bootstrap over transitions, see :data:`INTERVAL_NOTE`),
    ``move_min``/``move_max`` over the single transitions where the term is measured,
    ``var_share`` (exact covariance split of score changes relative to the field,
    Σ rel_term·rel_total / Σ rel_total²; none for entries/exits) with its interval and
    ``var_min``/``var_max``, ``transitions``
    (where the term is measured) and ``move_share_measured`` (its share over those transitions
    only). ``per_transition``: the same shares for each transition. ``relabelled``: the components
    reported as methodology, per transition, and why. ``by_unit``: every unit's Shapley term in
    every transition of the methodology view (``rank_prev``, ``rank_curr``, ``rank_change``,
    ``term``, ``kind``, ``value`` in places, < 0 = moved up).
    """

    index: str
    level: str
    breaks: str
    pooled: pd.DataFrame
    per_transition: pd.DataFrame
    relabelled: pd.DataFrame
    by_unit: pd.DataFrame | None = None
    interval_note: str = INTERVAL_NOTE
    n_boot: int = 4000
    seed: int = 2024
    extra: dict = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        eras = sorted(self.pooled["era"].unique())
        return (
            f"RankDrivers(index={self.index!r}, level={self.level!r}, breaks={self.breaks!r}, "
            f"eras={eras}, views={list(VIEWS)})"
        )

    def signal_share(self, **kwargs) -> pd.DataFrame:
        """How much of each component's rank movement exceeds what survey noise alone produces.

        Per era and component: reliability, observed absolute rank movement, the movement noise
        alone would produce with the signal held fixed (with an interval), and the excess as a
        share, from :func:`cchc_analysis.noise.noise_table` (PAPI; keyword arguments pass through).
        A share of movement is not a driver until this is accounted for.
        """
        if self.index.upper() != "PAPI":
            raise CchcDataError(f"the survey-noise model covers PAPI, not {self.index}")
        from cchc_analysis.noise.answers import noise_table

        eras = tuple(sorted(self.pooled["era"].unique()))
        return noise_table(eras=eras, **kwargs)

    def side_by_side(self, column: str = "move_share") -> pd.DataFrame:
        """``column`` per (era, term) with the three views as columns (NaN where a term is absent)."""
        table = self.pooled.pivot_table(
            index=["era", "term"], columns="view", values=column, aggfunc="first", dropna=False
        )
        return table.reindex(columns=list(VIEWS))

    def plot(self, view: str = "methodology", fig=None):
        """Shares of rank movement and of score-change variance per era, with descriptive
        bootstrap whiskers (the headline figure of notebook 02)."""
        import matplotlib.pyplot as plt

        from cchc_analysis.answers._common import era_label, label
        from cchc_analysis.figures import palette
        from cchc_analysis.plotting import add_source

        if view not in VIEWS:
            raise ValueError(f"view must be one of {VIEWS}, got {view!r}")
        data = self.pooled[self.pooled["view"] == view]
        eras = list(dict.fromkeys(data["era"]))
        ncols = min(3, len(eras))  # PCI's five groups wrap onto two rows
        nrows = -(-len(eras) // ncols)
        fig = fig or plt.figure(figsize=(6.5 * ncols, 5.8 * nrows), layout="constrained")
        axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True)).ravel()
        for ax in axes[len(eras) :]:
            ax.set_visible(False)
        axes = axes[: len(eras)]
        for ax, era in zip(axes, eras, strict=True):
            h = data[data["era"] == era].set_index("term")
            order = sorted(
                h.index, key=lambda t: (t == ENTRIES_EXITS, _kind(t) != "performance", t)
            )
            h = h.reindex(order)
            y = np.arange(len(h))[::-1]
            move = h["move_share"] * 100
            ax.barh(
                y + 0.2,
                move,
                height=0.38,
                color=palette.INDEX_COLORS.get(
                    palette._key(self.index), palette.INDEX_COLORS["PAPI"]
                ),
                label="share of absolute rank movement",
            )
            ax.errorbar(
                move,
                y + 0.2,
                xerr=[move - h["move_p05"] * 100, h["move_p95"] * 100 - move],
                fmt="none",
                ecolor="0.15",
                capsize=2.5,
                lw=1,
            )
            var = (h["var_share"] * 100).fillna(0.0)
            ax.barh(
                y - 0.2,
                var,
                height=0.38,
                color=palette.INDEX_COLORS["PAR"],
                label="share of score-change variance",
            )
            ax.set_yticks(y, [label(self.index, t) for t in h.index], fontsize=8.5)
            ax.axvline(0, color="0.3", lw=0.8)
            ax.set_title(
                f"{era_label(self.index, era)}: {int(h['transitions'].max())} transitions, "
                + _VIEW_TITLES[view]
            )
            ax.set_xlabel("share of the era's total (%)")
        axes[0].legend(loc="lower right", fontsize=8)
        fig.suptitle(
            f"Which {self.index} components account for rank movement (whiskers on rank "
            "movement: 5–95% of a bootstrap over transitions, descriptive)",
            fontweight="bold",
        )
        from cchc_analysis.indices import get_index

        add_source(
            fig,
            f"{get_index(self.index).source}. cchc_analysis.rank_drivers: Shapley rank "
            "attribution (field game) and exact covariance split of score changes relative "
            "to the field; no variance share for entries/exits."
            + (f" {self.extra['caveat']}" if self.extra.get("caveat") else ""),
        )
        return fig

    def without(self, *transitions: tuple[int, int]) -> RankDrivers:
        """The same shares pooled without some transitions (e.g. ``(2020, 2021)``, a sensitivity).

        Re-pools the stored per-transition sums: no attribution is recomputed.

        >>> import cchc_analysis as cc
        >>> d = cc.rank_drivers("papi", era="2018-").without((2020, 2021))
        >>> int(d.pooled["transitions"].max())
        5
        """
        drop = {(int(a), int(b)) for a, b in transitions}
        known = set(
            zip(self.per_transition["year_prev"], self.per_transition["year_curr"], strict=True)
        )
        if not drop <= known:
            raise ValueError(f"unknown transitions {sorted(drop - known)}; known: {sorted(known)}")
        keep = [
            (a, b) not in drop
            for a, b in zip(
                self.per_transition["year_prev"], self.per_transition["year_curr"], strict=True
            )
        ]
        per = self.per_transition[keep]
        pooled = [
            _pool(g, era, view, self.n_boot, self.seed)
            for (era, view), g in per.groupby(["era", "view"], sort=False)
        ]
        units = self.by_unit
        if units is not None:
            pairs = list(zip(units["year_prev"], units["year_curr"], strict=True))
            units = units[[p not in drop for p in pairs]]
        return replace(
            self,
            pooled=pd.concat(pooled, ignore_index=True),
            per_transition=per.reset_index(drop=True),
            by_unit=units,
            extra={**self.extra, "dropped": sorted(drop)},
        )

    def plot_views(self, era: str, fig=None):
        """One era's shares of absolute rank movement (entries/exits in the denominator) in the
        three :data:`VIEWS` side by side, with the descriptive bootstrap whiskers of :meth:`plot`."""
        import matplotlib.pyplot as plt

        from cchc_analysis.answers._common import era_label, era_source, label
        from cchc_analysis.figures import palette
        from cchc_analysis.plotting import add_source

        data = self.pooled[self.pooled["era"] == era]
        if data.empty:
            raise ValueError(f"no era {era!r}; eras: {sorted(self.pooled['era'].unique())}")
        terms = sorted(
            data["term"].unique(),
            key=lambda t: (t == ENTRIES_EXITS, _kind(t) != "performance", t),
        )
        fig = fig or plt.figure(figsize=(10, 6.5), layout="constrained")
        ax = fig.subplots()
        y = np.arange(len(terms))[::-1] * 1.0
        shades = {"methodology": palette.INDEX_COLORS["PAPI"], "clean": palette.UP, "raw": "0.6"}
        for k, view in enumerate(VIEWS):
            h = data[data["view"] == view].set_index("term").reindex(terms)
            n = int(h["transitions"].max())
            off = (1 - k) * 0.27
            move = h["move_share"].to_numpy() * 100
            ax.barh(
                y + off,
                np.nan_to_num(move),
                height=0.26,
                color=shades[view],
                label=_VIEW_LABELS[view].format(n=n),
            )
            ax.errorbar(
                move,
                y + off,
                xerr=[move - h["move_p05"] * 100, h["move_p95"] * 100 - move],
                fmt="none",
                ecolor="0.15",
                capsize=2,
                lw=0.9,
            )
        ax.set_yticks(y, [label(self.index, t) for t in terms], fontsize=8.5)
        ax.set_xlabel("share of all absolute rank movement, entries/exits included (%)")
        ax.legend(loc="lower right", fontsize=8.5)
        ax.set_title(
            f"{self.index} {era_label(self.index, era)}: the same shares three ways (whiskers: 5–95% of a bootstrap "
            "over transitions, descriptive)",
            fontsize=10.5,
        )
        add_source(
            fig,
            f"{era_source(self.index, era)}. cchc_analysis.rank_drivers; a re-composed "
            "component is 'methodology' in the first view, absent from the clean transitions, "
            "and performance in the raw view.",
        )
        return fig

    def plot_transitions(self, view: str = "methodology", fig=None):
        """Each transition's absolute rank movement split by term (one stacked bar per transition,
        eras separated by a dashed line)."""
        import matplotlib.pyplot as plt

        from cchc_analysis.answers._common import label
        from cchc_analysis.figures import palette
        from cchc_analysis.indices import get_index
        from cchc_analysis.plotting import add_source

        per = self.per_transition[self.per_transition["view"] == view]
        share = per.pivot_table(
            index=["era", "year_prev", "year_curr"],
            columns="term",
            values="move_share",
            aggfunc="sum",
        )
        order = sorted(
            share.columns, key=lambda t: (t == ENTRIES_EXITS, _kind(t) != "performance", t)
        )
        share = share[order] * 100
        fig = fig or plt.figure(figsize=(11, 6.2), layout="constrained")
        ax = fig.subplots()
        gap = share.index.get_level_values("era") != share.index.get_level_values("era")[-1]
        y = np.arange(len(share))[::-1] + gap.astype(int)
        left = np.zeros(len(share))
        for term in order:
            width = share[term].fillna(0.0).to_numpy()
            colour = palette.component_color(self.index, term)
            hatch = "///" if _kind(term) == "methodology" else None
            ax.barh(
                y,
                width,
                left=left,
                color=colour,
                hatch=hatch,
                edgecolor="white",
                lw=0.3,
                height=0.75,
                label=label(self.index, term),
            )
            left += width
        ax.set_yticks(y, [f"{a}→{b}" for _, a, b in share.index])
        if gap.any():
            cut = y[~gap].max() + 1
            ax.axhline(cut, color="0.2", lw=1, ls="--")
            ax.text(
                1,
                cut,
                "era break: not comparable",
                va="center",
                fontsize=8,
                bbox={"fc": "white", "ec": "none", "pad": 1},
            )
        ax.set_xlim(0, 100)
        ax.set_xlabel("share of the transition's absolute rank movement (%)")
        ax.set_ylabel("transition")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8.5, frameon=False)
        ax.set_title(f"How each year's {self.index} rank movement splits across terms ({view})")
        add_source(
            fig,
            f"{get_index(self.index).source}. Shapley rank attribution (field game); hatched = a "
            "re-composed component reported as methodology.",
        )
        return fig

    def top(self, era: str, view: str = "methodology", n: int = 3) -> pd.DataFrame:
        """The ``n`` performance terms with the largest share of movement in ``era`` and ``view``."""
        rows = self.pooled[
            (self.pooled["era"] == era)
            & (self.pooled["view"] == view)
            & (self.pooled["kind"] == "performance")
        ]
        return rows.nlargest(n, "move_share").reset_index(drop=True)


def rank_drivers(
    index: str = "papi",
    era: str | None = None,
    level: str | None = None,
    breaks: str = "documented",
    *,
    n_boot: int = 4000,
    seed: int = 2024,
) -> RankDrivers:
    """Shares of rank movement and of score-change variance by component, per transition and pooled.

    Every consecutive pair of years inside each methodology era (``era``: one era's name, or for an
    index with weighting eras such as PCI one group's name; default all) gets an exact Shapley rank attribution (field game) and the exact score-change
    decomposition relative to the field; the shares are then reported in the three
    :data:`VIEWS` side by side. ``breaks`` ("documented" or "screened") says which components
    count as re-composed (:func:`cchc_analysis.composition_changes`); "ignore" makes the
    methodology view equal to the raw one. Intervals are descriptive (:data:`INTERVAL_NOTE`).

    >>> import cchc_analysis as cc
    >>> drivers = cc.rank_drivers("papi", era="2018-")
    >>> drivers.top("2018-", n=1)["term"].tolist()
    ['D4']

    For PCI the groups are its weighting eras plus each break transition on its own (the new
    weights there are the ``methodology`` term); ``era`` takes a group's name:

    >>> pci = cc.rank_drivers("pci", era="2012→2013", n_boot=200)
    >>> pci.pooled.query("view == 'methodology'").nlargest(2, "move_share")["term"].tolist()
    ['TR', 'methodology']
    """
    spec = get_index(index)
    level = spec.check_level(level)
    if level not in spec.driver_levels:
        raise ValueError(
            f"rank_drivers works at the {' or '.join(spec.driver_levels)} level of {spec.name} "
            f"(exact Shapley values over every transition); for level {level!r} open one "
            "component into its parts with cc.shapley_rank_attribution(..., method='sample')"
        )
    if breaks not in ("documented", "screened", "ignore"):
        raise ValueError(f"breaks must be 'documented', 'screened' or 'ignore', got {breaks!r}")
    groups = spec.driver_groups()
    if era is not None:
        inside = {e[2]: set(spec.era_years(e[2])) for e in spec.eras}
        chosen = [
            (g, t) for g, t in groups if g == era or (era in inside and set(t[0]) <= inside[era])
        ]
        if not chosen:
            raise CchcDataError(
                f"{spec.name} has no era {era!r}; its eras are {[e[2] for e in spec.eras]}"
                + (
                    f" and its groups of transitions {[g for g, _ in groups]}"
                    if spec.driver_eras
                    else ""
                )
            )
        groups = chosen
    per, relabelled, pooled, units = [], [], [], []
    for name, transitions in groups:
        rows = []
        for y0, y1 in transitions:
            prev, curr = spec.wide(y0, level), spec.wide(y1, level)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", MethodologyWarning)
                main = prepare(prev, curr, breaks)
                raw = prepare(prev, curr, "ignore")
            for comp, what in main.relabelled.items():
                relabelled.append((name, y0, y1, comp, what))
            clean = not main.relabelled
            first = _transition_terms(main, name, "methodology", y0, y1, units)
            rows.append(first)
            if clean:
                rows.append(first.assign(view="clean"))
            if clean and _same_weights(main, raw):  # nothing relabelled: raw = methodology
                rows.append(first.assign(view="raw"))
            else:
                rows.append(_transition_terms(raw, name, "raw", y0, y1))
        terms = pd.concat(rows, ignore_index=True)
        per.append(terms)
        for view in VIEWS:
            sub = terms[terms["view"] == view]
            if len(sub):
                pooled.append(_pool(sub, name, view, n_boot, seed))
    per_t = pd.concat(per, ignore_index=True)
    totals = per_t.groupby(["era", "view", "year_prev"])["abs_movement"].transform("sum")
    per_t["move_share"] = per_t["abs_movement"] / totals
    per_t["var_share"] = per_t["var_num"] / per_t["var_den"]
    rel = pd.DataFrame(relabelled, columns=["era", "year_prev", "year_curr", "component", "what"])
    return RankDrivers(
        index=spec.name,
        level=level,
        breaks=breaks,
        pooled=pd.concat(pooled, ignore_index=True),
        per_transition=per_t,
        relabelled=rel,
        by_unit=pd.concat(units, ignore_index=True),
        n_boot=n_boot,
        seed=seed,
        extra={"caveat": spec.caveat} if spec.caveat else {},
    )


def _same_weights(a, b) -> bool:
    """Whether two prepared transitions carry the same weights (then their attributions agree)."""

    def same(x, y):
        if x is None or y is None:
            return x is None and y is None
        return bool(pd.Series(x).equals(pd.Series(y)))

    return same(a.weights, b.weights) and same(a.prev_weights, b.prev_weights)


def _kind(term: str) -> str:
    if term == ENTRIES_EXITS:
        return ENTRIES_EXITS
    # "methodology" alone is the switch of weights (weighted indices such as PCI)
    is_method = term == "methodology" or term.startswith(METHODOLOGY_PREFIX)
    return "methodology" if is_method else "performance"


def _transition_terms(pr, era: str, view: str, y0: int, y1: int, units=None) -> pd.DataFrame:
    """Σ|φ| and the covariance split of one transition, one row per term (and, for the
    methodology view, every unit's terms appended to ``units``)."""
    fit = shapley_rank_attribution(pr.prev, pr.curr, pr.weights, prev_weights=pr.prev_weights)
    if units is not None and view == "methodology":
        long = fit.tidy().drop(columns=["se", "kind"])
        long["term"] = long["term"].replace({"composition": ENTRIES_EXITS})
        long["kind"] = long["term"].map(_kind)
        ranks = fit.table[["rank_prev", "rank_curr", "rank_change"]]
        long = long.merge(ranks, left_on="unit", right_index=True)
        units.append(long.assign(era=era, year_prev=y0, year_curr=y1))
    contrib = fit.contributions.rename(columns={"composition": ENTRIES_EXITS})
    move = contrib.abs().sum()
    dec = score_change_decomposition(pr.prev, pr.curr, pr.weights, prev_weights=pr.prev_weights)
    wide = dec.pivot(index="unit", columns="component", values="relative_contribution")
    total = wide.sum(axis=1)
    num = wide.mul(total, axis=0).sum()
    den = float((total**2).sum())
    out = pd.DataFrame({"term": move.index, "abs_movement": move.to_numpy()})
    out["var_num"] = out["term"].map(num)  # entries/exits and the recipe player: no variance
    out["var_den"] = den
    out["kind"] = out["term"].map(_kind)
    return out.assign(era=era, view=view, year_prev=y0, year_curr=y1)


def _pool(terms: pd.DataFrame, era: str, view: str, n_boot: int, seed: int) -> pd.DataFrame:
    move = terms.pivot_table(
        index="year_prev", columns="term", values="abs_movement", aggfunc="sum", fill_value=0.0
    )
    num = terms.groupby(["year_prev", "term"])["var_num"].sum(min_count=1).unstack("term")
    num = num.reindex(index=move.index, columns=move.columns)
    den = terms.drop_duplicates("year_prev").set_index("year_prev")["var_den"].reindex(move.index)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(move), size=(n_boot, len(move)))
    boot_move = move.to_numpy()[idx].sum(axis=1)
    boot_move /= boot_move.sum(axis=1, keepdims=True)
    boot_var = (
        np.nan_to_num(num.to_numpy())[idx].sum(axis=1) / den.to_numpy()[idx].sum(axis=1)[:, None]
    )
    per_move = move.div(move.sum(axis=1), axis=0)
    per_var = num.div(den, axis=0)
    entries = move.columns == ENTRIES_EXITS
    total = move.to_numpy().sum()
    total_ex = move.loc[:, ~entries].to_numpy().sum()
    rows = []
    for j, term in enumerate(move.columns):
        measured = terms.loc[terms["term"] == term, "year_prev"].unique()
        has_var = bool(num[term].notna().any())
        rows.append(
            {
                "era": era,
                "view": view,
                "term": term,
                "kind": _kind(term),
                "move_share": move[term].sum() / total,
                "move_share_ex_entries": (
                    np.nan if term == ENTRIES_EXITS else move[term].sum() / total_ex
                ),
                "move_p05": np.quantile(boot_move[:, j], 0.05),
                "move_p95": np.quantile(boot_move[:, j], 0.95),
                "move_min": per_move.loc[measured, term].min(),
                "move_max": per_move.loc[measured, term].max(),
                "var_share": num[term].sum(min_count=1) / den.sum(),
                "var_p05": np.quantile(boot_var[:, j], 0.05) if has_var else np.nan,
                "var_p95": np.quantile(boot_var[:, j], 0.95) if has_var else np.nan,
                "var_min": per_var.loc[measured, term].min(),
                "var_max": per_var.loc[measured, term].max(),
                "transitions": len(measured),
                "move_share_measured": move.loc[measured, term].sum()
                / move.loc[measured].to_numpy().sum(),
            }
        )
    return pd.DataFrame(rows)
