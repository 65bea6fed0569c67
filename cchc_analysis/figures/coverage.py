"""Coverage grids: one cell per unit and year, coloured by its state (present, partial, absent …).

One drawing function for every "which unit-years have data" figure: PAPI's release gaps, the
published PAR Index and SIPAS figures, every published rank. The caller decides the states; a cell
may also carry a text (a rank, the numbers of missing dimensions) and a colour of its own (e.g. a
rank on a colour scale). :func:`published_coverage` derives the states of published facts (value,
rank only, named only, nothing) on the full unit × year grid.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import to_rgba
from matplotlib.patches import Patch

from cchc_analysis.figures import palette

__all__ = ["FACT_STATES", "coverage_grid", "published_coverage"]

FACT_STATES = {
    "value published": palette.COVERAGE["value"],
    "rank only": palette.COVERAGE["rank"],
    "named only (e.g. bottom group)": palette.COVERAGE["named"],
    "nothing published": palette.COVERAGE["nothing"],
}
"""States of :func:`published_coverage`, in order, with their colours."""


def _text_colour(rgba) -> str:
    # black or white, whichever contrasts more with the cell (WCAG relative luminance)
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgba[:3]]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "black" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "white"


def coverage_grid(
    ax: plt.Axes,
    cells: pd.DataFrame,
    colors: Mapping[str, str],
    *,
    units: Sequence | None = None,
    years: Sequence[int] | None = None,
    unit: str = "province_code",
    year: str = "year",
    state: str = "state",
    label: str | None = None,
    color: str | None = None,
    unit_names: Mapping | None = None,
    legend_labels: Mapping[str, str] | None = None,
    label_colors: Mapping[str, str] | None = None,
    breaks: Iterable[int] = (),
    empty: str = "white",
    label_size: float = 6.0,
    unit_size: float = 7.5,
    year_size: float = 8.0,
    years_on_top: bool = True,
) -> list[Patch]:
    """Draw one cell per unit (rows, first at the top) and year (columns); return legend handles.

    ``cells`` is long: one row per unit-year with columns ``unit``, ``year`` and ``state``; a cell
    with no row is drawn in ``empty``. ``colors`` maps each state to its colour and fixes the
    legend's order (take them from :data:`cchc_analysis.figures.palette.COVERAGE`). Optional
    columns: ``label`` (text in the cell, black or white for contrast unless ``label_colors`` maps
    the state to a colour) and ``color`` (a colour for that cell, overriding its state's). Rows
    follow ``units`` (default: order of appearance), shown through ``unit_names``; columns follow
    ``years`` (default: every year from the first to the last, so a year without data shows).
    ``breaks`` are years before which a thick line marks a methodology break.

        >>> import matplotlib.pyplot as plt, pandas as pd
        >>> cells = pd.DataFrame({"province_code": ["01", "01", "79"], "year": [2021, 2022, 2021],
        ...                       "state": ["complete", "partial", "complete"],
        ...                       "label": ["", "−2", ""]})
        >>> fig, ax = plt.subplots()
        >>> handles = coverage_grid(ax, cells, {"complete": "#c6dbef", "partial": "#e6550d"},
        ...                         label="label", unit_names={"01": "Hà Nội", "79": "TP. Hồ Chí Minh"})
        >>> [h.get_label() for h in handles], [t.get_text() for t in ax.get_yticklabels()]
        (['complete', 'partial'], ['Hà Nội', 'TP. Hồ Chí Minh'])
        >>> plt.close(fig)
    """
    needed = [unit, year, state] + [c for c in (label, color) if c is not None]
    missing = [c for c in needed if c not in cells.columns]
    if missing:
        raise ValueError(
            f"coverage_grid: cells lack column(s) {missing}; columns present: "
            f"{', '.join(map(str, cells.columns))}"
        )
    dup = cells.duplicated([unit, year], keep=False)
    if dup.any():
        raise ValueError(
            "coverage_grid: more than one cell for "
            f"{cells.loc[dup, [unit, year]].head(5).to_dict('records')}"
        )
    unknown = sorted(set(cells[state].dropna()) - set(colors))
    if unknown:
        raise ValueError(
            f"coverage_grid: states {unknown} have no colour; colours for {list(colors)}"
        )
    units = list(dict.fromkeys(cells[unit])) if units is None else list(units)
    if years is None:
        years = list(range(int(cells[year].min()), int(cells[year].max()) + 1))
    years = list(years)
    outside = cells[~cells[unit].isin(units) | ~cells[year].isin(years)]
    if not outside.empty:
        raise ValueError(
            "coverage_grid: cells outside the units or years asked for: "
            f"{outside[[unit, year]].head(5).to_dict('records')}"
        )
    row_of = {u: i for i, u in enumerate(units)}
    col_of = {y: j for j, y in enumerate(years)}
    records = cells.to_dict("records")
    rgba = np.tile(to_rgba(empty), (len(units), len(years), 1))
    for d in records:
        own = d[color] if color is not None else None
        fill = own if isinstance(own, (str, tuple)) else colors.get(d[state])
        if fill is not None:
            rgba[row_of[d[unit]], col_of[d[year]]] = to_rgba(fill)
    ax.pcolormesh(
        np.arange(len(years) + 1),
        np.arange(len(units) + 1),
        rgba,
        edgecolors="white",
        linewidth=0.5,
    )
    for d in records if label is not None else []:
        text = d[label]
        if not isinstance(text, str) or not text:
            continue
        i, j = row_of[d[unit]], col_of[d[year]]
        fixed = None if label_colors is None else label_colors.get(d[state])
        ax.text(
            j + 0.5,
            i + 0.5,
            text,
            ha="center",
            va="center",
            fontsize=label_size,
            color=fixed or _text_colour(rgba[i, j]),
        )
    for start in breaks:
        if start not in col_of:
            raise ValueError(f"coverage_grid: break year {start} is not among the years {years}")
        ax.axvline(col_of[start], color="black", lw=2)
    names = {} if unit_names is None else unit_names  # a dict or a Series
    ax.set_xlim(0, len(years))
    ax.set_ylim(len(units), 0)
    ax.set_xticks(np.arange(len(years)) + 0.5, [str(y) for y in years])
    ax.set_yticks(np.arange(len(units)) + 0.5, [str(names.get(u, u)) for u in units])
    ax.tick_params(axis="y", length=0, labelsize=unit_size)
    ax.tick_params(
        axis="x", labelsize=year_size, top=years_on_top, labeltop=years_on_top, bottom=True
    )
    ax.grid(False)
    texts = {} if legend_labels is None else legend_labels
    return [Patch(facecolor=c, edgecolor="0.6", label=texts.get(s, s)) for s, c in colors.items()]


def published_coverage(
    facts: pd.DataFrame,
    units: Sequence,
    years: Sequence[int],
    *,
    unit: str = "unit_code",
) -> pd.DataFrame:
    """The state of every unit-year in a table of published facts, on the full grid.

    A cell is ``"value published"`` (a value), ``"rank only"`` (a rank, no value),
    ``"named only (e.g. bottom group)"`` (a row with neither, e.g. a bottom group) or
    ``"nothing published"`` (no row); ``label`` holds the rank, ``"low"`` for a bottom group, or
    ``"?"`` for a unit named without a rank or a group (e.g. "runners-up", "kept its position").
    ``facts`` needs ``year``, ``unit``, ``value``, ``rank`` and ``band`` (as the PAR Index and SIPAS
    loaders give them). Returns columns ``year``, ``province_code``, ``value``, ``rank``,
    ``band``, ``state``, ``label``::

        >>> f = pd.DataFrame({"year": [2020, 2021], "unit_code": ["01", "01"], "value": [90.1, None],
        ...                   "rank": [1.0, 2.0], "band": [None, None]})
        >>> published_coverage(f, ["01", "79"], [2020, 2021])["state"].tolist()
        ['value published', 'nothing published', 'rank only', 'nothing published']
    """
    needed = ["year", unit, "value", "rank", "band"]
    missing = [c for c in needed if c not in facts.columns]
    if missing:
        raise ValueError(f"published_coverage: facts lack column(s) {missing}")
    states = list(FACT_STATES)
    full = pd.MultiIndex.from_product(
        [list(years), list(units)], names=["year", "province_code"]
    ).to_frame(index=False)
    got = facts.rename(columns={unit: "province_code"})[
        ["year", "province_code", "value", "rank", "band"]
    ]
    try:
        out = full.merge(
            got, on=["year", "province_code"], how="left", validate="one_to_one", indicator=True
        )
    except pd.errors.MergeError as err:
        dup = got[got.duplicated(["year", "province_code"], keep=False)]
        raise ValueError(
            f"published_coverage: more than one fact per unit and year: "
            f"{dup[['year', 'province_code']].head(5).to_dict('records')}"
        ) from err
    out["state"] = np.select(
        [out["value"].notna(), out["rank"].notna(), out["_merge"].eq("both")],
        states[:3],
        default=states[3],
    )
    out = out.drop(columns="_merge")
    out["label"] = [
        str(int(r)) if pd.notna(r) else "low" if isinstance(b, str) else "?" if named else ""
        for r, b, named in zip(out["rank"], out["band"], out["state"] == states[2], strict=True)
    ]
    return out
