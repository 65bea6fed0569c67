"""A unit's rank over the years, with methodology breaks marked (reusable for any index).

Lines join consecutive ranked years inside one era only; an era break is a dashed line (scores
are not comparable across it), a transition in which some component was re-composed is shaded and
labelled, and a year without a rank is dotted and marked "not ranked"::

    import matplotlib.pyplot as plt
    from cchc_analysis.figures.history import rank_history
    fig, ax = plt.subplots()
    rank_history(ax, pd.Series({2018: 12, 2019: 9, 2020: 4}), eras=[(2018, 2024, "2018-")])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from cchc_analysis.figures import palette

__all__ = ["rank_history"]


def rank_history(
    ax: plt.Axes,
    ranks: pd.Series,
    eras: Sequence[tuple[int, int, str]],
    changes: Iterable[tuple[int, int, str]] = (),
    *,
    n_max: int | None = None,
    color: str = palette.INDEX_COLORS["PAPI"],
    label_points: bool = True,
) -> plt.Axes:
    """Draw ``ranks`` (year → rank, NaN = not ranked) on ``ax``, rank 1 at the top.

    ``eras``: (first year, last year, name) of each methodology era; ``changes``: (year_prev,
    year_curr, what) of transitions with a re-composed component, shaded between the two years.
    """
    ranks = ranks.astype(float).sort_index()
    years = list(ranks.index)
    observed = int(np.nanmax(ranks.to_numpy())) if ranks.notna().any() else 1
    top = n_max or observed
    for first, last, _name in eras:
        r = ranks[(ranks.index >= first) & (ranks.index <= last)]
        ax.plot(r.index, r.to_numpy(), marker="o", color=color, lw=1.8)
    for y0, y1, what in changes:
        ax.axvspan(y0, y1, color=palette.METHODOLOGY, alpha=0.12, lw=0)
        ax.text(
            (y0 + y1) / 2,
            top * 0.97,
            what,
            ha="center",
            va="bottom",
            fontsize=7,
            rotation=90,
            color="0.25",
        )
    for first, _last, name in eras[1:]:
        ax.axvline(first - 0.5, color="0.2", ls="--", lw=1)
        ax.text(
            first - 0.42,
            top * 0.5,
            f"new era {name}: not comparable",
            rotation=90,
            fontsize=7.5,
            va="center",
        )
    for y in ranks.index[ranks.isna()]:
        # dotted, not filled: a fill would read as the grey of a re-composition
        ax.axvspan(y - 0.4, y + 0.4, facecolor="none", edgecolor="0.75", hatch="..", lw=0)
        ax.text(
            y,
            1,
            "not\nranked",
            ha="center",
            va="top",
            fontsize=7,
            color="0.3",
            bbox={"fc": "white", "ec": "none", "pad": 1},
        )
    if label_points:
        for y, v in ranks.dropna().items():
            ax.annotate(
                f"{int(v)}",
                (y, v),
                xytext=(0, 6),
                textcoords="offset points",
                ha="center",
                fontsize=7.5,
            )
    ax.set_ylim(top + 2, -2)
    if years:
        ax.set_xticks(years, [str(y) for y in years], fontsize=8)
    ax.set_xlabel("year")
    ax.set_ylabel("rank (1 = best)")
    return ax
