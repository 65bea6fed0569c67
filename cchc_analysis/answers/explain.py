"""Why did one unit's rank change between two years? :func:`explain_rank_change`, one call."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cchc_analysis.answers import _common
from cchc_analysis.answers._common import ENTRIES_EXITS, kind, label
from cchc_analysis.errors import CchcDataError
from cchc_analysis.figures.waterfall import ordinal
from cchc_analysis.indices import get_index
from cchc_analysis.ranking import (
    RankAttribution,
    points_to_overtake,
    rank_uncertainty,
    score_change_decomposition,
    shapley_rank_attribution,
)
from cchc_analysis.ranking._breaks import prepare

__all__ = ["ROBUST_SHARE", "RankChange", "explain_rank_change", "plot_rank_changes"]

ROBUST_SHARE = 0.9
"""A rank change "survives re-weighting" when it keeps its sign in at least this share of draws."""


TABLE_COLUMNS = (
    "term",
    "label",
    "kind",
    "places",
    "places_gained",
    "score_vs_field",
    "score_change",
)
"""Columns of :attr:`RankChange.table`, in order."""


@dataclass(frozen=True)
class RankChange:
    """The answer of :func:`explain_rank_change` (see there); ``table`` and ``summary()`` first."""

    index: str
    unit: str
    name: str
    year_prev: int
    year_curr: int
    level: str
    breaks: str | None
    rank_prev: float
    rank_curr: float
    n_prev: int
    n_curr: int
    status: str
    attribution: RankAttribution
    terms: pd.Series
    score: pd.DataFrame
    climb: pd.DataFrame | None
    uncertainty: pd.Series | None
    relabelled: dict[str, str] = field(default_factory=dict)
    caveat: str = ""

    @property
    def places_gained(self) -> float:
        """``rank_prev - rank_curr`` (> 0 = moved up); NaN unless ranked in both years."""
        return float(self.rank_prev - self.rank_curr)

    @property
    def table(self) -> pd.DataFrame:
        """One row per term: ``kind`` (performance / methodology / entries/exits), ``places``
        (Shapley value, < 0 = moved up), ``places_gained``, ``score_vs_field`` (points relative
        to the field's mean change; none for entries/exits) and ``score_change`` (points)."""
        if self.terms.empty:
            return pd.DataFrame(columns=list(TABLE_COLUMNS))
        score = self.score.set_index("component")
        out = pd.DataFrame({"term": self.terms.index, "places": self.terms.to_numpy()})
        out["label"] = [label(self.index, t) for t in out["term"]]
        out["kind"] = [kind(t) for t in out["term"]]
        out["places_gained"] = -out["places"] + 0.0
        out["score_vs_field"] = out["term"].map(score["relative_contribution"])
        out["score_change"] = out["term"].map(score["contribution"])
        return out[list(TABLE_COLUMNS)]

    def how_sure(self) -> dict[str, object]:
        """``weights``: share of random re-weightings keeping the change's sign (NaN when not
        ranked in both years); ``robust``: that share >= :data:`ROBUST_SHARE`; ``noise``: what a
        survey-noise model says (by default :func:`cchc_analysis.noise.rank_change_evidence` on the
        index total; see :func:`cchc_analysis.answers.set_noise_model`)."""
        share = math.nan if self.uncertainty is None else float(self.uncertainty["p_same_sign"])
        return {
            "weights": share,
            "robust": bool(share >= ROBUST_SHARE) if not math.isnan(share) else None,
            "noise": _common.noise_verdict(self.index, self.unit, self.year_prev, self.year_curr),
        }

    def summary(self, how_sure: bool = True) -> str:
        """One paragraph in words, every number from the fields above; ``how_sure=False`` leaves
        out the robustness to the weights and the survey-noise verdict (for a page that states
        them on their own, as :meth:`ProvinceProfile.how_sure_lines` does)."""
        head = f"{self.name} in {self.index} {self.year_prev}→{self.year_curr}"
        if self.status != "ranked in both years":
            return (
                f"{head}: {self.status} ({ordinal(self.rank_prev)} of {self.n_prev} in "
                f"{self.year_prev}, {ordinal(self.rank_curr)} of {self.n_curr} in "
                f"{self.year_curr}); a rank change can only be attributed for units ranked in both "
                "years." + (f" {self.caveat}" if self.caveat else "")
            )
        gained = self.places_gained
        t = self.table
        perf = t[t["kind"] == "performance"].sort_values("places")
        if gained == 0:
            moved = f"stayed {ordinal(self.rank_curr)} (of {self.n_prev}, then {self.n_curr})"
        else:
            moved = (
                f"{'rose' if gained > 0 else 'fell'} from {ordinal(self.rank_prev)} of "
                f"{self.n_prev} to {ordinal(self.rank_curr)} of {self.n_curr} ({gained:+.0f} places)"
            )
        parts = [f"{head}: {moved}."]
        if gained != 0 and len(perf):
            # places gained, > 0 = moved up; the side of the move first, then the other side
            favour = perf[perf["places_gained"] > 0].sort_values("places_gained", ascending=False)
            against = perf[perf["places_gained"] < 0].sort_values("places_gained")
            sides = [("in its favour", favour), ("against it", against)]
            said = [
                f"{name}: "
                + ", ".join(
                    f"{r.label} ({r.places_gained:+.1f})" for r in rows.head(2).itertuples()
                )
                for name, rows in (sides if gained > 0 else sides[::-1])
                if len(rows)
            ]
            if said:
                parts.append(
                    "Largest contributions " + "; largest ".join(said) + " (places gained)."
                )
        meth = t[t["kind"] == "methodology"]
        if len(meth):
            parts.append(
                "Re-measured, reported as methodology, not performance: "
                + ", ".join(f"{r.label} ({r.places_gained:+.1f})" for r in meth.itertuples())
                + "."
            )
        ee = t.loc[t["kind"] == ENTRIES_EXITS, "places_gained"]
        if len(ee) and ee.iloc[0] != 0:
            unit = "place" if abs(round(ee.iloc[0])) == 1 else "places"
            parts.append(f"Units entering or leaving the ranking: {ee.iloc[0]:+.0f} {unit}.")
        rel = t["score_vs_field"].sum(min_count=1)
        if not pd.isna(rel):
            parts.append(f"Score change relative to the field's mean change: {rel:+.2f} points.")
        sure = self.how_sure() if how_sure else {"robust": None, "noise": None}
        if sure["robust"] is not None and gained != 0:
            parts.append(
                f"The change keeps its sign in {sure['weights']:.0%} of random re-weightings ("
                + ("robust" if sure["robust"] else "not robust")
                + " to the weights)."
            )
        if sure["noise"] is not None and gained != 0:
            parts.append(f"Survey noise: {sure['noise']}.")
        if self.climb is not None and len(self.climb):
            need = self.climb.groupby("places")["points_needed"].min()
            need = need[np.isfinite(need)]
            if len(need):
                parts.append(
                    "To climb "
                    + "/".join(str(int(p)) for p in need.index)
                    + (" more place" if list(need.index) == [1] else " more places")
                    + " it needs "
                    + "/".join(f"{v:.3g}" for v in need)
                    + " points on its cheapest single component."
                )
        if self.caveat:
            parts.append(self.caveat)
        return " ".join(parts)

    def plot(self, fig=None):
        """The two-panel waterfall: rank by Shapley term (up = better) and score vs the field."""
        import matplotlib.pyplot as plt

        from cchc_analysis.figures.waterfall import legend_handles, rank_waterfall, score_waterfall
        from cchc_analysis.plotting import add_source

        if self.status != "ranked in both years":
            raise CchcDataError(
                f"{self.name} is {self.status} in {self.index} {self.year_prev}→{self.year_curr}; "
                "there is no rank change to draw"
            )
        fig = fig or plt.figure(figsize=(11, 5.6), layout="constrained")
        ax_rank, ax_score = fig.subplots(1, 2)
        t = self.table
        labels = dict(zip(t["term"], t["label"], strict=True))
        n_ranked = int(max(self.n_prev, self.n_curr))
        rank_waterfall(
            ax_rank,
            self.terms,
            self.rank_prev,
            self.rank_curr,
            n_ranked,
            (self.year_prev, self.year_curr),
            labels,
        )
        score = t.dropna(subset=["score_vs_field"]).set_index("term")["score_vs_field"]
        score_waterfall(ax_score, score, labels)
        ax_score.set_ylabel(f"points vs the field's mean change ({self.index} points)")
        ax_score.legend(handles=legend_handles(), loc="best", fontsize=8)
        fig.suptitle(
            f"{self.name} in {self.index}, {self.year_prev}→{self.year_curr}: what accounts for its rank change",
            fontweight="bold",
        )
        note = (
            f"; relabelled as methodology: {', '.join(self.relabelled)}" if self.relabelled else ""
        )
        source = _common.years_source(self.index, f"{self.year_prev}–{self.year_curr}")
        add_source(
            fig,
            f"{source}. Shapley rank attribution over {self.level}s (field game), "
            f"cchc_analysis.explain_rank_change; bar labels = places gained{note}.",
        )
        return fig


def explain_rank_change(
    unit: str,
    year_prev: int,
    year_curr: int,
    index: str = "papi",
    level: str | None = None,
    breaks: str | None = None,
    *,
    n_draws: int = 10_000,
    seed: int = 0,
) -> RankChange:
    """Why ``unit``'s rank changed from ``year_prev`` to ``year_curr``: one call, one object.

    ``unit``: any spelling :func:`cchc_analysis.normalize_province` understands (for an index of
    the 34 provinces from July 2025, such as ``index="qd766"``, any spelling
    :func:`cchc_analysis.normalize_province_2025` understands or a key ``"2025:52"``; a 63-province
    code raises :class:`cchc_analysis.EraMismatchError`). ``year_prev``/``year_curr``: the index's
    periods — years, or for QĐ 766 snapshot dates (``"2026-09-17"``). ``level``: default the
    index's own (``dimension`` for PAPI, ``subindex`` for PCI, ``group`` for QĐ 766). For PCI the
    weights come with the frames: a change of weights (2008→2009, 2012→2013) is the
    ``methodology`` term, a sub-index added, dropped or renamed is ``methodology:<code>``. The result holds
    the two ranks, the unit's exact Shapley terms (components; re-composed components as
    ``methodology:<code>``; entries/exits of other units), its score change relative to the
    field, the points it needs on one component to climb 1, 3 and 5 places
    (:func:`~cchc_analysis.points_to_overtake`, capped by each component's maximum), and whether
    the change survives random re-weighting (:func:`~cchc_analysis.rank_uncertainty`, ``n_draws``
    Dirichlet draws). ``breaks`` as in :func:`~cchc_analysis.shapley_rank_attribution`
    (default: documented composition changes are methodology, with a warning).

    >>> import cchc_analysis as cc
    >>> change = cc.explain_rank_change("Dong Thap", 2023, 2024)
    >>> change.places_gained > 0
    True
    >>> fig = change.plot()
    >>> pci = cc.explain_rank_change("Hải Phòng", 2012, 2013, index="pci")
    >>> round(float(pci.terms["methodology"]))  # places from VCCI's new weights (< 0 = up)
    -26
    >>> qd = cc.explain_rank_change("Gia Lai", "2026-09-17", "2026-10-10", index="qd766")
    >>> "year to date" in qd.summary()
    True
    """
    spec = get_index(index)
    level = spec.check_level(level)
    y0, y1 = spec.check_years(year_prev, year_curr)
    code, name = _common.resolve_unit(unit, spec)
    prev_raw, curr_raw = spec.wide(y0, level), spec.wide(y1, level)
    pr = prepare(prev_raw, curr_raw, breaks)
    fit = shapley_rank_attribution(pr.prev, pr.curr, pr.weights, prev_weights=pr.prev_weights)
    ranks = fit.table
    n_prev = int(_ranked(prev_raw))
    n_curr = int(_ranked(curr_raw))
    if code in ranks.index:
        row = ranks.loc[code]
        rank_prev, rank_curr = float(row["rank_prev"]), float(row["rank_curr"])
        terms = (
            row[["composition", *fit.players]].astype(float).rename({"composition": ENTRIES_EXITS})
        )
        terms = pd.concat([terms.drop(ENTRIES_EXITS), terms[[ENTRIES_EXITS]]])
        dec = score_change_decomposition(pr.prev, pr.curr, pr.weights, prev_weights=pr.prev_weights)
        score = dec[dec["unit"] == code].reset_index(drop=True)
        unc = rank_uncertainty(pr.curr, pr.weights, n_draws=n_draws, seed=seed, prev=pr.prev)
        uncertainty = unc.loc[code]
        status = "ranked in both years"
    else:
        um = fit.unmatched
        rank_prev = float(um.at[code, "rank_prev"]) if code in um.index else math.nan
        rank_curr = float(um.at[code, "rank_curr"]) if code in um.index else math.nan
        status = {
            "entered": f"not ranked in {y0} (entered the ranking in {y1})",
            "exited": f"not ranked in {y1} (left the ranking after {y0})",
        }.get(um.at[code, "status"] if code in um.index else "", f"not ranked in {y0} or {y1}")
        terms, score, uncertainty = pd.Series(dtype=float), pd.DataFrame(), None
    climb = None
    if not math.isnan(rank_curr):
        climb = points_to_overtake(
            curr_raw,
            code,
            places=(1, 3, 5),
            maxima=_common.maxima(curr_raw),
            weights=_common.weights(curr_raw),
        )
    return RankChange(
        index=spec.name,
        unit=code,
        name=name,
        year_prev=y0,
        year_curr=y1,
        level=level,
        breaks=pr.breaks,
        rank_prev=rank_prev,
        rank_curr=rank_curr,
        n_prev=n_prev,
        n_curr=n_curr,
        status=status,
        attribution=fit,
        terms=terms,
        score=score,
        climb=climb,
        uncertainty=uncertainty,
        relabelled=pr.relabelled,
        caveat=spec.caveat,
    )


def _ranked(wide: pd.DataFrame) -> int:
    return int(wide.notna().all(axis=1).sum())


def plot_rank_changes(changes, fig=None):
    """Several :class:`RankChange` answers side by side: rank waterfalls on top, score relative to
    the field below (one column each, shared axes), for e.g. the biggest movers of a transition.

    >>> import cchc_analysis as cc
    >>> fig = plot_rank_changes([cc.explain_rank_change(u, 2023, 2024, n_draws=50)
    ...                          for u in ("Đồng Tháp", "Hà Nội")])
    """
    import matplotlib.pyplot as plt

    from cchc_analysis.figures.waterfall import legend_handles, rank_waterfall, score_waterfall
    from cchc_analysis.plotting import add_source

    changes = list(changes)
    ranked = [c for c in changes if c.status == "ranked in both years"]
    if not ranked or len(ranked) < len(changes):
        raise CchcDataError("every unit must be ranked in both years to draw its rank change")
    years = {(c.index, c.year_prev, c.year_curr) for c in changes}
    if len(years) > 1:
        raise CchcDataError(f"the changes must share one index and transition, got {sorted(years)}")
    index, y0, y1 = years.pop()
    fig = fig or plt.figure(figsize=(4.7 * len(changes), 9.5), layout="constrained")
    axes = fig.subplots(2, len(changes), sharey="row", squeeze=False)
    n_ranked = int(max(max(c.n_prev, c.n_curr) for c in changes))
    for j, c in enumerate(changes):
        t = c.table
        labels = dict(zip(t["term"], t["label"], strict=True))
        rank_waterfall(axes[0, j], c.terms, c.rank_prev, c.rank_curr, n_ranked, (y0, y1), labels)
        axes[0, j].set_title(
            f"{c.name}: {ordinal(c.rank_prev)} → {ordinal(c.rank_curr)}", fontsize=10.5
        )
        score = t.dropna(subset=["score_vs_field"]).set_index("term")["score_vs_field"]
        score_waterfall(axes[1, j], score, labels)
        if j:
            axes[0, j].set_ylabel("")
            axes[1, j].set_ylabel("")
    axes[1, 0].set_ylabel(f"points vs the field's mean change ({index} points)")
    axes[1, 0].legend(handles=legend_handles(), loc="best", fontsize=8)
    fig.suptitle(
        f"{index} {y0}→{y1}: Shapley rank attribution (top; labels = places gained) and score "
        "change relative to the field (bottom)",
        fontweight="bold",
    )
    add_source(
        fig,
        f"{_common.years_source(index, f'{y0}–{y1}')}. cchc_analysis.explain_rank_change "
        "(field game); entries/exits = provinces ranked in one year only.",
    )
    return fig
