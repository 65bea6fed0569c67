"""Yearly series drawn so that no line joins two years that are not comparable.

A line between two points says "this changed from here to there". Across a methodology break the
two values are on different footings, so the line stops there; across a year with no published
figure it either stops or turns dotted; into a year with a suspected (undocumented) shift it is
dotted. The markers are always drawn.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import pairwise

import matplotlib.pyplot as plt
import pandas as pd

__all__ = ["broken_line", "runs"]


def runs(
    years: Sequence[int] | pd.Index,
    values: Sequence[float],
    breaks: Iterable[int] = (),
    split_gaps: bool = True,
) -> list[list[tuple[int, float]]]:
    """Split a yearly series into runs that a line may join.

    A run ends where a year in ``breaks`` (the first year of a new methodology) falls after the
    previous point, and, with ``split_gaps``, before a year that does not follow the previous one. Missing values are skipped
    (they are gaps too)::

        >>> runs([2016, 2017, 2018, 2020, 2021], [1, 2, 3, 4, 5], breaks=[2018])
        [[(2016, 1), (2017, 2)], [(2018, 3)], [(2020, 4), (2021, 5)]]
        >>> runs([2016, 2017, 2019], [1, 2, 3], split_gaps=False)
        [[(2016, 1), (2017, 2), (2019, 3)]]
        >>> runs([2015, 2017], [1, 2], breaks=[2016], split_gaps=False)  # a break in the gap
        [[(2015, 1)], [(2017, 2)]]
    """
    years = [int(y) for y in years]
    values = list(values)
    if len(years) != len(values):
        raise ValueError(f"runs: {len(years)} years but {len(values)} values")
    if any(b <= a for a, b in pairwise(years)):
        raise ValueError(f"runs: years must be strictly increasing, got {years}")
    starts = {int(b) for b in breaks}
    out: list[list[tuple[int, float]]] = []
    current: list[tuple[int, float]] = []
    for year, value in zip(years, values, strict=True):
        if value is None or pd.isna(value):
            continue
        previous = current[-1][0] if current else None
        crossed = previous is not None and any(previous < b <= year for b in starts)
        if current and (crossed or (split_gaps and year != previous + 1)):
            out.append(current)
            current = []
        current.append((year, value))
    if current:
        out.append(current)
    return out


def broken_line(
    ax: plt.Axes,
    years: Sequence[int] | pd.Index,
    values: Sequence[float],
    *,
    breaks: Iterable[int] = (),
    gaps: str = "split",
    dotted: Iterable[int] = (),
    color=None,
    marker: str = "o",
    markersize: float = 4,
    linewidth: float = 1.8,
    linestyle: str = "-",
    gap_linewidth: float | None = None,
    label: str | None = None,
    zorder: float = 2,
) -> list[plt.Line2D]:
    """Draw a yearly series: markers everywhere, lines only between comparable years.

    No line crosses a year in ``breaks``. A year missing from the series (or NaN) splits the line
    with ``gaps="split"``, or is bridged by a thin dotted line with ``gaps="dotted"``. The segment
    into a year in ``dotted`` (e.g. a suspected, undocumented level shift) is dotted and thinner.
    The markers carry ``label`` (one legend entry). Returns the lines drawn, markers first::

        >>> import matplotlib.pyplot as plt
        >>> fig, ax = plt.subplots()
        >>> lines = broken_line(ax, [2015, 2016, 2017, 2019], [80.1, 75.2, 76.0, 78.3], breaks=[2016],
        ...                     gaps="dotted", color="C0")
        >>> [([int(x) for x in l.get_xdata()], l.get_linestyle()) for l in lines[1:]]
        [([2016, 2017], '-'), ([2017, 2019], ':')]
        >>> plt.close(fig)
    """
    if gaps not in ("split", "dotted"):
        raise ValueError(f"broken_line: gaps must be 'split' or 'dotted', got {gaps!r}")
    pieces = runs(years, values, breaks, split_gaps=False)
    dotted = {int(y) for y in dotted}
    thin = linewidth * 0.7 if gap_linewidth is None else gap_linewidth
    points = [p for piece in pieces for p in piece]
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    drawn = ax.plot(
        xs, ys, color=color, marker=marker, ms=markersize, ls="", label=label, zorder=zorder + 1
    )
    colour = drawn[0].get_color()
    for piece in pieces:
        for (x0, y0), (x1, y1) in pairwise(piece):
            if x1 != x0 + 1 and gaps == "split":
                continue
            faint = x1 != x0 + 1 or x1 in dotted
            drawn += ax.plot(
                [x0, x1],
                [y0, y1],
                color=colour,
                lw=thin if faint else linewidth,
                ls=":" if faint else linestyle,
                zorder=zorder,
            )
    return drawn
