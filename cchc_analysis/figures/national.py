"""National series as published: computed means against quoted figures, published means, bands.

Three drawings behind notebooks 01 and 04, each onto an axes it is given:

* :func:`computed_vs_published` — a computed yearly statistic as a line, the figures a source
  quotes as hollow markers beside it, and every gap between the two written on the figure;
* :func:`published_series` — one published yearly series (e.g. the PAR Index mean of the
  provinces) with lines only inside a methodology era and open markers for approximate values;
* :func:`band_counts` — published counts of units by score band for the years of one band scheme,
  as stacked horizontal bars with whatever the release does not break down left hatched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import pairwise

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import to_hex, to_rgb

from cchc_analysis.figures import palette
from cchc_analysis.figures.lines import broken_line

__all__ = [
    "band_colors",
    "band_counts",
    "computed_vs_published",
    "published_series",
    "spread_labels",
    "threshold_colors",
]


def computed_vs_published(
    ax: plt.Axes,
    computed: pd.Series,
    published: pd.Series,
    *,
    breaks: Iterable[int] = (),
    dotted: Iterable[int] = (),
    tolerance: float = 0.01,
    color: str = palette.INDEX_COLORS["PAPI"],
    published_color: str = palette.DOWN,
) -> list[int]:
    """Draw ``computed`` (indexed by year) as a broken line and ``published`` beside it.

    Each published figure is a hollow diamond just right of its year; where it differs from the
    computed value by more than ``tolerance`` a bracket joins the two and the gap is written next
    under the published marker ("gap +0.67" = computed − published). Returns the years with such a gap, so a caption can name them::

        >>> fig, ax = plt.subplots()
        >>> computed_vs_published(ax, pd.Series([42.8, 42.4], index=[2020, 2021]),
        ...                       pd.Series([42.105, 42.407], index=[2020, 2021]))
        [2020]
        >>> plt.close(fig)
    """
    broken_line(
        ax,
        computed.index,
        computed.to_numpy(),
        breaks=breaks,
        dotted=dotted,
        color=color,
        linewidth=2,
        markersize=5,
    )
    gaps = []
    for year, value in published.dropna().items():
        x = year + 0.15
        ax.plot(x, value, marker="D", ms=6.5, mfc="none", mec=published_color, mew=1.6, ls="")
        if year not in computed.index or pd.isna(computed[year]):
            continue
        diff = float(computed[year] - value)
        if abs(diff) > tolerance:
            gaps.append(int(year))
            ax.plot([x, x], [value, computed[year]], color=published_color, lw=1, ls=":")
            ax.annotate(
                f"gap {diff:+.2f}",
                (x, value),
                xytext=(0, -9 if diff > 0 else 9),
                textcoords="offset points",
                ha="center",
                va="top" if diff > 0 else "bottom",
                fontsize=7.5,
                color=published_color,
            )
    return gaps


def published_series(
    ax: plt.Axes,
    frame: pd.DataFrame,
    *,
    era_starts: Iterable[int] = (),
    color: str,
    marker: str = "o",
    label: str | None = None,
) -> None:
    """Draw one published yearly series: ``frame`` has ``year``, ``value``, ``approximate``.

    Lines join consecutive published years inside one era only (a year with no figure or an era
    start leaves a gap); an approximate value ("about 78") is an open marker with no line::

        >>> fig, ax = plt.subplots()
        >>> f = pd.DataFrame({"year": [2013, 2014, 2015], "value": [78.0, 81.2, 85.1],
        ...                   "approximate": [True, False, False]})
        >>> published_series(ax, f, color="C0", label="provinces")
        >>> len(ax.lines)
        3
        >>> plt.close(fig)
    """
    exact = frame[~frame["approximate"]].sort_values("year")
    broken_line(
        ax,
        exact["year"],
        exact["value"],
        breaks=era_starts,
        color=color,
        marker=marker,
        markersize=6,
        linewidth=1.6,
        label=label,
    )
    approx = frame[frame["approximate"]]
    if len(approx):
        ax.plot(
            approx["year"],
            approx["value"],
            ls="none",
            marker=marker,
            mfc="white",
            color=color,
            label=None if label is None else f"{label} (approximate as published)",
        )


NARROW_SHARE = 0.04
"""A band segment narrower than this share of the units is labelled above its bar, not inside."""


def band_counts(
    ax: plt.Axes,
    counts: pd.DataFrame,
    n_units: int,
    colors: Mapping[str, str],
) -> None:
    """Stacked bars of published counts by band, one bar per year, highest band on the left.

    ``counts`` has ``year``, ``band``, ``lower`` and ``value`` for the years of ONE band scheme;
    units the release does not break down are drawn hatched and labelled, never assigned; a count
    too narrow to hold its label (under :data:`NARROW_SHARE` of the units) is written above its bar::

        >>> fig, ax = plt.subplots()
        >>> c = pd.DataFrame({"year": [2024], "band": ["A"], "lower": [90.0], "value": [13.0]})
        >>> band_counts(ax, c, 63, {"A": "C0"})
        >>> [t.get_text() for t in ax.texts]
        ['13', 'not broken down: 50']
        >>> plt.close(fig)
    """
    years = sorted(counts["year"].unique())
    for i, year in enumerate(years):
        left = 0.0
        for row in (
            counts[counts["year"] == year].sort_values("lower", ascending=False).itertuples()
        ):
            ax.barh(i, row.value, left=left, color=colors[row.band], edgecolor="white", height=0.6)
            # A segment too narrow for its count (e.g. 1 of 63) is labelled just above the bar.
            narrow = row.value < NARROW_SHARE * n_units
            ax.text(
                left + row.value / 2,
                i - 0.32 if narrow else i,
                f"{int(row.value)}",
                ha="center",
                va="bottom" if narrow else "center",
                fontsize=8,
                color="black",
            )
            left += row.value
        rest = n_units - left
        if rest > 0:
            ax.barh(
                i,
                rest,
                left=left,
                color="white",
                edgecolor=palette.NEUTRAL,
                hatch="///",
                height=0.6,
            )
            ax.text(
                left + rest / 2,
                i,
                f"not broken down: {int(rest)}",
                ha="center",
                va="center",
                fontsize=8,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
            )
    ax.set_yticks(np.arange(len(years)), [str(y) for y in years])
    ax.set_ylim(len(years) - 0.5, -0.5)
    ax.set_xlim(0, n_units)
    ax.grid(axis="y", visible=False)


def spread_labels(values, gap: float) -> np.ndarray:
    """Positions for end-of-line labels: ``values`` nudged upwards until neighbours are ``gap`` apart.

    Keeps labels of close lines readable without moving any label below its own line::

        >>> spread_labels([7.1, 7.15, 5.0], 0.14).round(2).tolist()
        [7.1, 7.24, 5.0]
    """
    values = np.asarray(values, dtype=float)
    out = values.copy()
    order = np.argsort(values, kind="stable")
    for prev, cur in pairwise(order):
        out[cur] = max(out[cur], out[prev] + gap)
    return out


def threshold_colors(counts: pd.DataFrame) -> dict[str, str]:
    """One colour per lower threshold (``lower``, % of the maximum) over every band scheme in
    ``counts`` (``band``, ``lower``), highest threshold first as in :func:`band_colors`: bands with
    the same threshold share a colour in every panel, bands with different ones never do (so
    "> 80%" and "A: ≥ 90%" cannot look alike).

        >>> c = pd.DataFrame({"band": ["> 80%", "A: ≥ 90%", "B: 80–<90%"], "lower": [80.0, 90, 80]})
        >>> colours = threshold_colors(c)
        >>> colours["> 80%"] == colours["B: 80–<90%"] != colours["A: ≥ 90%"]
        True
    """
    by_lower = band_colors(sorted(set(counts["lower"].astype(float)), reverse=True))
    pairs = counts[["band", "lower"]].drop_duplicates()
    if pairs["band"].duplicated().any():
        raise ValueError(f"a band with two thresholds: {pairs[pairs['band'].duplicated()]}")
    return {b: by_lower[float(lo)] for b, lo in pairs.itertuples(index=False)}


def band_colors(bands) -> dict[str, str]:
    """Colours for the bands of one scheme, highest first: the palette's gain colour to its loss
    colour through lighter shades, so that one scheme's bands are never confused with each other.

        >>> list(band_colors(["A", "B", "C"]).values())
        ['#1b9e77', '#c6e7dd', '#d95f02']
    """
    bands = list(bands)
    if len(bands) == 1:
        return {bands[0]: palette.UP}
    up, down = np.array(to_rgb(palette.UP)), np.array(to_rgb(palette.DOWN))
    white = np.ones(3)
    out = {}
    for i, band in enumerate(bands):
        t = i / (len(bands) - 1)  # 0 = highest band, 1 = lowest
        end, weight = (up, 1 - 2 * t) if t <= 0.5 else (down, 2 * t - 1)
        out[band] = to_hex(white + (end - white) * max(weight, 0.25) if 0 < t < 1 else end)
    return out
