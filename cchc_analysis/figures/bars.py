"""Horizontal bars split into one panel per denominator, so shares of different things never share
an axis (a share of services, a share of dossiers and a share of citizens are not comparable)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import pandas as pd

from cchc_analysis.figures import palette

__all__ = ["bar_panels"]


def bar_panels(
    axes: Sequence[plt.Axes],
    table: pd.DataFrame,
    *,
    panel: str,
    label: str,
    value: str,
    xlabels: Mapping[str, str],
    titles: Mapping[str, str] | None = None,
    colors: Mapping[str, str] | None = None,
    xmax: float = 100.0,
) -> None:
    """One panel of horizontal bars per value of column ``panel``, in the order of ``xlabels``.

    ``xlabels`` maps each panel value to its axis label (which must say the denominator);
    ``titles`` to a panel title (default: the value and its count); bars are sorted by ``value``
    with labels from column ``label`` and the value printed at the bar's end::

        >>> import matplotlib.pyplot as plt, pandas as pd
        >>> t = pd.DataFrame({"kind": ["dossiers", "dossiers", "citizens"], "what": ["A", "B", "VN"],
        ...                   "pct": [80.0, 20.0, 4.1]})
        >>> fig, axes = plt.subplots(2, 1)
        >>> bar_panels(axes, t, panel="kind", label="what", value="pct",
        ...            xlabels={"dossiers": "% of dossiers", "citizens": "% of citizens"})
        >>> [a.get_xlabel() for a in axes]
        ['% of dossiers', '% of citizens']
        >>> plt.close(fig)
    """
    missing = [c for c in (panel, label, value) if c not in table.columns]
    if missing:
        raise ValueError(f"bar_panels: the table lacks {missing}; columns: {list(table.columns)}")
    kinds = list(xlabels)
    unknown = sorted(set(table[panel]) - set(kinds))
    if unknown:
        raise ValueError(f"bar_panels: no axis label for {panel} value(s) {unknown}")
    if len(axes) != len(kinds):
        raise ValueError(f"bar_panels: {len(kinds)} panels need {len(kinds)} axes, got {len(axes)}")
    for k, (ax, kind) in enumerate(zip(axes, kinds, strict=True)):
        rows = table[table[panel] == kind].sort_values(value)
        colour = (colors or {}).get(kind, palette._CYCLE[k % len(palette._CYCLE)])
        ax.barh(rows[label], rows[value], color=colour)
        for i, v in enumerate(rows[value]):
            ax.text(v + xmax / 100, i, f"{v:g}%", va="center", fontsize=8)
        ax.set_xlim(0, xmax)
        ax.set_xlabel(xlabels[kind])
        ax.grid(False, axis="y")
        title = (titles or {}).get(kind, f"{kind} (n = {len(rows)})")
        ax.set_title(title, fontsize=10, loc="left")
