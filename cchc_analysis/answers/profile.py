"""One province on one page: :func:`province_profile`, one call."""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

from cchc_analysis.answers import _common
from cchc_analysis.answers.explain import RankChange, explain_rank_change
from cchc_analysis.figures import palette
from cchc_analysis.indices import get_index
from cchc_analysis.methodology import MethodologyWarning, compare_methodology, methodology_of
from cchc_analysis.ranking import competition_rank, composite, points_to_overtake, rank_uncertainty

__all__ = ["ProvinceProfile", "province_profile"]


@dataclass(frozen=True)
class ProvinceProfile:
    """The answer of :func:`province_profile`.

    ``table``: one row per component in the latest year the province is ranked: its ``value``,
    the national ``minimum``, ``median`` and ``maximum`` of that year, the component's ``top``
    score (its scale maximum), ``headroom``, ``component_rank``, the points it needs on that
    component alone to climb 1, 3 and 5 places (``points_for_1`` …, NaN where beyond headroom or
    no such rank) and ``places_within_reach`` (places gained by raising that component alone to
    its maximum: what differs between components when their weights are equal).
    ``history``: rank, score and number ranked per year. ``changes``: transitions with
    re-composed components. ``latest_change``: :class:`RankChange` of the latest transition it
    is ranked in both years (``None`` if none). ``how_sure``: its rank band under random weights,
    the latest change's robustness and what the survey-noise model says about it (``noise``), and
    for PAPI the latest rank under sampling noise: ``rank_noise_lo``/``rank_noise_hi`` (posterior
    90% interval) and ``rank_set_lo``/``rank_set_hi`` (90% marginal confidence set).
    """

    index: str
    unit: str
    name: str
    latest_year: int | None
    rank: float
    n_ranked: int
    score: float
    table: pd.DataFrame
    history: pd.DataFrame
    changes: pd.DataFrame
    latest_change: RankChange | None
    how_sure: dict

    def header(self) -> str:
        """``"Đồng Tháp — PAPI 2024: 44.12 points, rank 9 of 61"``."""
        if self.latest_year is None:
            return f"{self.name}: never ranked in {self.index}"
        return (
            f"{self.name} — {self.index} {self.latest_year}: {self.score:.2f} points, rank "
            f"{int(self.rank)} of {self.n_ranked}"
        )

    def how_sure_lines(self) -> list[str]:
        """``how_sure`` in sentences, as the profile figure and the site's province pages say it.

        >>> import cchc_analysis as cc
        >>> cc.province_profile("Đồng Tháp", n_draws=200).how_sure_lines()[0]
        'Rank under random re-weighting of the components: ... (5–95% of 200 draws; nominal 26).'
        """
        s = self.how_sure
        lines = []
        if not math.isnan(s.get("rank_p05", math.nan)):
            lines.append(
                "Rank under random re-weighting of the components: "
                f"{s['rank_p05']:.0f}–{s['rank_p95']:.0f} (5–95% of {s['n_draws']:,} draws; "
                f"nominal {self.rank:.0f})."
            )
        if s.get("change_robust") is not None:
            lines.append(
                f"The latest change keeps its sign in {s['change_weights']:.0%} of re-weightings: "
                + ("robust to the weights." if s["change_robust"] else "not robust to the weights.")
            )
        noise = s.get("noise")
        if noise is None:
            text = "switched off."
        elif str(noise).startswith("noise model not estimable") and self.latest_change is not None:
            lc = self.latest_change
            text = (
                f"not estimable for {lc.year_prev}→{lc.year_curr} (the noise model needs years "
                "without a composition change between them)."
            )
        else:
            text = f"{str(noise).rstrip('.')}."
        lines.append("Latest change under survey sampling noise: " + text)
        if "rank_noise_lo" in s:
            lines.append(
                f"{self.latest_year} rank under survey sampling noise: {s['rank_noise_lo']}–"
                f"{s['rank_noise_hi']} (posterior 90%, empirical Bayes); 90% confidence set "
                f"{s['rank_set_lo']}–{s['rank_set_hi']} (Mogstad, Romano, Shaikh & Wilhelm)."
            )
        return lines

    def plot(self, fig=None):
        """The one-page profile figure."""
        import matplotlib.pyplot as plt

        from cchc_analysis.figures.history import rank_history
        from cchc_analysis.plotting import add_source

        spec = get_index(self.index)
        fig = fig or plt.figure(figsize=(13, 13), layout="constrained")
        gs = fig.add_gridspec(3, 2, height_ratios=[1, 1, 1.1])
        ax = fig.add_subplot(gs[0, :])
        changes = [
            (r.year_prev, r.year_curr, ", ".join(r.components)) for r in self.changes.itertuples()
        ]
        rank_history(
            ax,
            self.history["rank"],
            spec.eras,
            changes,
            n_max=int(self.history["n_ranked"].max()),
        )
        ax.set_title(
            f"{self.index} rank; shaded: a component re-composed (methodology); "
            "dotted: not ranked that year"
        )

        ax = fig.add_subplot(gs[1, 0])
        t = self.table
        y = np.arange(len(t))[::-1]
        ax.hlines(y, t["minimum"], t["maximum"], color="0.75", lw=6, label="national min–max")
        ax.scatter(t["median"], y, marker="|", s=250, color="0.2", label="national median")
        ax.scatter(
            t["value"],
            y,
            color=palette.INDEX_COLORS.get(self.index, "C0"),
            s=40,
            zorder=5,
            label=self.name,
        )
        ax.set_yticks(y, [_common.label(self.index, c) for c in t.index], fontsize=8.5)
        ax.set_xlabel(f"score ({self.index} points)")
        ax.set_title(f"{self.latest_year}: scores against the field")
        ax.legend(
            fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, frameon=False
        )

        ax = fig.add_subplot(gs[1, 1])
        lc = self.latest_change
        if lc is not None:
            tt = lc.table
            yy = np.arange(len(tt))[::-1]
            ax.barh(
                yy,
                tt["places_gained"],
                # a re-measured component is methodology, not a gain or a loss: grey, as elsewhere
                color=[
                    palette.METHODOLOGY
                    if k == "methodology"
                    else palette.ENTRIES_EXITS
                    if k == "entries/exits"
                    else palette.UP
                    if v > 0
                    else palette.DOWN
                    for k, v in zip(tt["kind"], tt["places_gained"], strict=True)
                ],
            )
            ax.set_yticks(yy, tt["label"], fontsize=8.5)
            ax.axvline(0, color="0.2", lw=0.8)
            ax.set_title(
                f"what accounts for its change {lc.year_prev}→{lc.year_curr} "
                f"({lc.places_gained:+.0f} places)"
            )
        else:
            ax.text(
                0.5,
                0.5,
                "no transition in which it is ranked in both years",
                ha="center",
                va="center",
                transform=ax.transAxes,
            )
            ax.set_title("what accounts for its latest change")
        ax.set_xlabel("places gained (Shapley; > 0 = moved up)")

        ax = fig.add_subplot(gs[2, 0])
        if "runner_up" in t.columns:
            _defending(ax, self, y)
        else:
            _headroom(ax, self, y)

        ax = fig.add_subplot(gs[2, 1])
        ax.axis("off")
        ax.text(
            0,
            1,
            _sure_text(self),
            va="top",
            ha="left",
            fontsize=9,
            wrap=True,
            transform=ax.transAxes,
        )
        ax.set_title("how sure")
        fig.suptitle(self.header(), fontweight="bold", fontsize=14)
        add_source(
            fig,
            f"{spec.source}. cchc_analysis.province_profile: Shapley rank attribution "
            "(field game), points_to_overtake, rank_uncertainty (Dirichlet weights).",
        )
        return fig


def _headroom(ax, p: ProvinceProfile, y) -> None:
    """Places within reach per component: what differs between components of equal weight."""
    t = p.table
    reach = t["places_within_reach"]
    ax.barh(y, reach, color=[palette.component_color(p.index, c) for c in t.index])
    for yi, c in zip(y, t.index, strict=True):
        ax.annotate(
            f"{int(reach[c])} (headroom {t.at[c, 'headroom']:.2f} pts)",
            (reach[c], yi),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=7.5,
        )
    ax.set_yticks(y, [_common.label(p.index, c) for c in t.index], fontsize=8.5)
    ax.set_xlim(0, max(float(reach.max()), 1.0) * 1.6)
    ax.set_xlabel("places gained by raising this component alone to its maximum")
    need = [
        f"{p}: {t[f'points_for_{p}'].min():.2f}"
        for p in (1, 3, 5)
        if t[f"points_for_{p}"].notna().any()
    ]
    ax.set_title(
        "headroom: places within reach\n(points needed for 1/3/5 places, cheapest: "
        + ("; ".join(need) or "none")
        + ")",
        fontsize=10,
    )


def _defending(ax, p: ProvinceProfile, y) -> None:
    """The leader: the runner-up's headroom on each component (what differs between components)
    against the points it needs on one component alone to pass (the same for equal weights)."""
    t = p.table
    runner = t["runner_up"].iat[0]
    names = get_index(p.index).unit_names
    runner_name = names().get(runner, runner) if names else runner
    need = t["runner_up_needs"]
    head = t["runner_up_headroom"]
    # one colour for every bar, as in its legend: the components are named on the axis
    ax.barh(y, head, color=palette.NEUTRAL, height=0.6)
    from matplotlib.patches import Patch

    ax.add_artist(
        ax.legend(
            handles=[Patch(color=palette.NEUTRAL, label=f"{runner_name}'s headroom (max − score)")],
            fontsize=7.5,
            loc="upper center",
            bbox_to_anchor=(0.27, -0.14),
            frameon=False,
        )
    )
    ax.scatter(
        need,
        y,
        marker="|",
        s=300,
        color="black",
        zorder=5,
        label=f"points {runner_name} needs to pass",
    )
    for yi, c in zip(y, t.index, strict=True):
        ax.annotate(
            f"{head[c] / need[c]:.1f}× the lead",
            (head[c], yi),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=7.5,
        )
    ax.set_yticks(y, [_common.label(p.index, c) for c in t.index], fontsize=8.5)
    ax.set_xlim(0, float(head.max()) * 1.3)
    ax.set_xlabel(f"{p.index} points on that component alone")
    ax.set_title(
        f"defending first place: {runner_name} (2nd) needs {need.min():.2f} points\n"
        "on one component; bars = its room to gain them",
        fontsize=10,
    )
    ax.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.75, -0.14), frameon=False)


def _sure_text(p: ProvinceProfile) -> str:
    import textwrap

    return "\n".join(textwrap.fill(x, 60) for x in p.how_sure_lines())


def province_profile(
    unit: str, index: str = "papi", level: str | None = None, *, n_draws: int = 10_000
) -> ProvinceProfile:
    """A province's latest scores against the field, rank history, drivers and headroom.

    Works for every province, including years it is missing from a release: the profile uses the
    latest year it is ranked, and the latest transition in which it is ranked in both years.

    >>> import cchc_analysis as cc
    >>> profile = cc.province_profile("Quảng Ninh")
    >>> profile.header().startswith("Quảng Ninh")
    True
    >>> fig = profile.plot()
    >>> cc.province_profile("Hà Nội", index="pci").header()
    'Hà Nội — PCI 2016: 60.74 points, rank 14 of 63'
    """
    spec = get_index(index)
    level = spec.check_level(level)
    code, name = _common.resolve_unit(unit, spec)
    rows = []
    frames = {}
    for year in spec.years:
        wide = spec.wide(year, level)
        frames[year] = wide
        total = composite(wide, _common.weights(wide))
        ranks = competition_rank(total)
        rows.append(
            (
                year,
                spec.era_of(year),
                ranks.get(code, math.nan),
                int(ranks.notna().sum()),
                total.get(code, math.nan),
            )
        )
    history = pd.DataFrame(rows, columns=["year", "era", "rank", "n_ranked", "score"])
    history = history.set_index("year")
    changes = []
    for _first, _last, era in spec.eras:
        for y0, y1 in pairwise(spec.era_years(era)):
            if y0 in frames and y1 in frames:
                m0, m1 = methodology_of(frames[y0]), methodology_of(frames[y1])
                found = list(compare_methodology(m0, m1)["component"])
                w0, w1 = m0.weights(), m1.weights()
                common = w0.index.intersection(w1.index)
                if not w0[common].equals(w1[common]):
                    found.append("weights")  # a new recipe (PCI 2009, 2013)
                if found:
                    changes.append((y0, y1, tuple(found)))
    changes = pd.DataFrame(changes, columns=["year_prev", "year_curr", "components"])
    ranked = history.index[history["rank"].notna()]
    if len(ranked) == 0:
        return ProvinceProfile(
            spec.name,
            code,
            name,
            None,
            math.nan,
            0,
            math.nan,
            pd.DataFrame(),
            history,
            changes,
            None,
            {"noise": None},
        )
    latest = ranked.max()  # a year, or a snapshot date for QĐ 766
    latest = int(latest) if isinstance(latest, (int, np.integer)) else latest
    curr = frames[latest]
    table = _scores(curr, code)
    table = table.join(_climb(curr, code, _common.maxima(curr), _common.weights(curr)))
    latest_change = None
    for y1 in sorted(ranked, reverse=True):
        y0 = spec.previous(y1)
        if y0 is not None and y0 in ranked and spec.era_of(y0) == spec.era_of(y1):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", MethodologyWarning)
                latest_change = explain_rank_change(code, y0, y1, index, level, n_draws=n_draws)
            break
    unc = rank_uncertainty(curr, _common.weights(curr), n_draws=n_draws)
    how = {
        "rank_p05": float(unc.at[code, "rank_p05"]),
        "rank_p95": float(unc.at[code, "rank_p95"]),
        "n_draws": n_draws,
    }
    if latest_change is not None:
        sure = latest_change.how_sure()
        how |= {
            "change_weights": sure["weights"],
            "change_robust": sure["robust"],
            "noise": sure["noise"],
        }
    else:
        how["noise"] = None
    how |= _rank_under_noise(spec.name, code, latest)
    return ProvinceProfile(
        index=spec.name,
        unit=code,
        name=name,
        latest_year=latest,
        rank=float(history.at[latest, "rank"]),
        n_ranked=int(history.at[latest, "n_ranked"]),
        score=float(history.at[latest, "score"]),
        table=table,
        history=history,
        changes=changes,
        latest_change=latest_change,
        how_sure=how,
    )


def _rank_under_noise(index: str, code: str, year: int) -> dict:
    """The latest rank under survey noise: posterior 90% interval and marginal 90% confidence set
    from the PAPI noise model of the total (empty where no model applies)."""
    if index.upper() != "PAPI" or _common.NOISE_MODEL is None:
        return {}
    post, sets = _noise_ranks(int(year))
    if post is None or code not in post.index:
        return {}
    return {
        "rank_noise_lo": int(post.at[code, "rank_lo"]),
        "rank_noise_hi": int(post.at[code, "rank_hi"]),
        "rank_set_lo": int(sets.at[code, "lo_marginal"]),
        "rank_set_hi": int(sets.at[code, "hi_marginal"]),
    }


@functools.lru_cache(maxsize=16)
def _noise_ranks(year: int):
    from cchc_analysis.noise import noise_model_for, posterior_ranks, rank_confidence_sets
    from cchc_analysis.noise.breaks import WindowError

    try:
        model = noise_model_for("TOTAL", [year])
    except WindowError:
        return None, None
    post = posterior_ranks(model, n_draws=2000)
    sets = rank_confidence_sets(model)
    return (
        post[post["year"] == year].set_index("unit"),
        sets[sets["year"] == year].set_index("unit"),
    )


def _scores(curr: pd.DataFrame, code: str) -> pd.DataFrame:
    complete = curr.dropna()
    out = pd.DataFrame(
        {
            "value": curr.loc[code],
            "minimum": complete.min(),
            "median": complete.median(),
            "maximum": complete.max(),
        }
    )
    out["component_rank"] = competition_rank(curr).loc[code]
    out.index.name = "component"
    return out


def _climb(curr, code, maxima, weights) -> pd.DataFrame:
    pts = points_to_overtake(curr, code, places=(1, 3, 5), maxima=maxima, weights=weights)
    need = pts.pivot_table(
        index="component", columns="places", values="points_needed", aggfunc="first", dropna=False
    )
    feasible = pts.pivot_table(
        index="component", columns="places", values="feasible", aggfunc="first"
    )
    need = need.where(feasible.astype(bool))
    out = pd.DataFrame(index=curr.columns)
    for p in (1, 3, 5):
        out[f"points_for_{p}"] = need[p].reindex(curr.columns) if p in need else np.nan
    first = pts.drop_duplicates("component").set_index("component")
    out["top"] = first["maximum"].reindex(curr.columns)
    out["headroom"] = first["headroom"].reindex(curr.columns)
    rank = int(pts["rank"].iat[0])
    if rank > 1:
        reach = points_to_overtake(
            curr, code, places=range(1, rank), maxima=maxima, weights=weights
        )
        within = reach[reach["feasible"]].groupby("component")["places"].max()
        out["places_within_reach"] = within.reindex(curr.columns, fill_value=0).astype(int)
    else:
        # the leader defends: what the runner-up needs on one component alone to pass it
        out["places_within_reach"] = 0
        total = composite(curr, weights)
        runner = competition_rank(total).drop(code).dropna().sort_values().index[0]
        defend = points_to_overtake(curr, runner, places=(1,), maxima=maxima, weights=weights)
        defend = defend.set_index("component")
        out["runner_up"] = runner
        out["runner_up_needs"] = defend["points_needed"].reindex(curr.columns)
        out["runner_up_headroom"] = defend["headroom"].reindex(curr.columns)
    return out
