"""Waterfalls of one unit's rank change: rank by Shapley term, score relative to the field.

:func:`rank_waterfall` steps from last year's rank to this year's, one bar per term, on an inverted
rank axis so that **up is better** (bar labels are places gained); :func:`score_waterfall` stacks
the unit's score change relative to the field's mean change, component by component.
:func:`cchc_analysis.explain_rank_change` draws both (``.plot()``)::

    import cchc_analysis as cc
    cc.explain_rank_change("Đồng Tháp", 2023, 2024).plot()
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from cchc_analysis.figures import palette

__all__ = ["legend_handles", "ordinal", "rank_waterfall", "score_waterfall"]


def ordinal(n: float) -> str:
    """``1`` → ``"1st"``, ``22`` → ``"22nd"``, ``13`` → ``"13th"``; NaN → ``"unranked"``."""
    if n is None or (isinstance(n, float) and np.isnan(n)):
        return "unranked"
    n = int(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def legend_handles() -> list[Patch]:
    """Legend entries for the waterfalls' colours."""
    return [
        Patch(color=palette.UP, label="moved up / gained on the field"),
        Patch(color=palette.DOWN, label="moved down / lost ground"),
        Patch(color=palette.NEUTRAL, label="rank / total"),
    ]


def rank_waterfall(
    ax: plt.Axes,
    terms: pd.Series,
    rank_prev: float,
    rank_curr: float,
    n_ranked: int,
    years: tuple[int, int],
    labels: Mapping[str, str] | None = None,
) -> plt.Axes:
    """Rank steps from ``rank_prev`` to ``rank_curr``, one per term (values in places, > 0 = down).

    ``terms`` are a unit's Shapley values plus its entries/exits term, which add up to the rank
    change; the rank axis runs from ``n_ranked`` (bottom) to 1 (top).
    """
    labels = dict(labels or {})
    level = float(rank_prev)
    bottom = n_ranked + 0.5
    ax.bar(0, bottom - level, bottom=level, color=palette.NEUTRAL, width=0.7)
    ax.annotate(
        f"{round(level)}",
        (0, level),
        xytext=(0, 3),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=8.5,
        fontweight="bold",
    )
    for i, step in enumerate(terms.astype(float).to_numpy(), start=1):
        ax.bar(
            i,
            step,
            bottom=level,
            width=0.7,
            edgecolor="none",
            color=palette.UP if step < 0 else palette.DOWN,
        )
        if abs(step) >= 0.05:
            # a step too short to hold its label gets it above the bar, clear of the connectors
            short = abs(step) < 0.045 * n_ranked
            ax.annotate(
                f"{-step:+.1f}",
                (i, min(level, level + step) if short else level + step / 2),
                xytext=(0, 2.5 if short else 0),
                textcoords="offset points",
                ha="center",
                va="bottom" if short else "center",
                fontsize=7.5,
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7},
            )
        ax.plot([i - 0.35, i + 1.35], [level + step] * 2, color="0.3", lw=0.6)
        level += step
    end = len(terms) + 1
    ax.bar(
        end, bottom - float(rank_curr), bottom=float(rank_curr), color=palette.NEUTRAL, width=0.7
    )
    ax.annotate(
        f"{round(rank_curr)}",
        (end, rank_curr),
        xytext=(0, 3),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=8.5,
        fontweight="bold",
    )
    ticks = [f"rank {years[0]}", *(labels.get(t, t) for t in terms.index), f"rank {years[1]}"]
    ax.set_xticks(range(end + 1), ticks, rotation=60, ha="right", fontsize=8)
    ax.set_ylim(bottom, min(-2, float(min(rank_prev, rank_curr)) - 2))
    ax.set_ylabel("rank (1 = best; up = moved up)")
    ax.set_title(f"rank {ordinal(rank_prev)} → {ordinal(rank_curr)}, by term", fontsize=10.5)
    return ax


def score_waterfall(
    ax: plt.Axes, contributions: pd.Series, labels: Mapping[str, str] | None = None
) -> plt.Axes:
    """A unit's score change relative to the field's mean change, stacked by component (points)."""
    labels = dict(labels or {})
    level = 0.0
    values = contributions.astype(float)
    for i, step in enumerate(values.to_numpy()):
        ax.bar(i, step, bottom=level, width=0.7, color=palette.UP if step > 0 else palette.DOWN)
        ax.plot([i - 0.35, i + 1.35], [level + step] * 2, color="0.3", lw=0.6)
        level += step
    ax.bar(len(values), level, width=0.7, color=palette.NEUTRAL)
    ax.axhline(0, color="0.2", lw=0.8)
    ticks = [*(labels.get(t, t) for t in values.index), "total vs field"]
    ax.set_xticks(range(len(values) + 1), ticks, rotation=60, ha="right", fontsize=8)
    ax.set_ylabel("points vs the field's mean change")
    ax.set_title("score change relative to the field", fontsize=10.5)
    return ax
