"""Forest plot of regression coefficients: one row per outcome (or any key), one marker per estimator.

Draws the table that :func:`cchc_analysis.models.fit_ladder`, ``fit_family`` or ``fit_pairs``
return: coefficient and 95% interval, estimators side by side within a row, a hollow marker where
the adjusted p-value is not below the threshold. Labels are words (component names, "two-way fixed
effects"), colours and markers come from :mod:`cchc_analysis.figures.palette`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from cchc_analysis.figures import palette
from cchc_analysis.figures.labels import component_label, estimator

__all__ = ["forest_plot"]

_NEEDED = ["coef", "ci_low", "ci_high", "model"]


def _row_labeller(labels, row: str, index: str) -> Callable[[object], str]:
    if labels is None:
        if row in ("outcome", "exposure"):
            return lambda key: component_label(str(key), index)
        return str
    if isinstance(labels, Mapping):
        return lambda key: labels.get(key, str(key))
    if callable(labels):
        return labels
    raise TypeError(f"labels must be a mapping, a function or None, got {type(labels).__name__}")


def forest_plot(
    ax: plt.Axes,
    results: pd.DataFrame,
    rows: Sequence | None = None,
    *,
    row: str = "outcome",
    estimators: Sequence[str] | None = None,
    labels: Mapping | Callable | None = None,
    index: str = "PAPI",
    xlabel: str = "",
    significance: str | None = "q_value",
    alpha: float = 0.05,
    significance_label: str | None = None,
    styles: Mapping[str, tuple[str, str]] | None = None,
) -> list[Line2D]:
    """Draw coefficients ± 95% CI on ``ax``, rows top to bottom; return legend handles.

    ``results`` is a results table of the regression ladder (``coef``, ``ci_low``, ``ci_high``,
    ``model``; ``spec`` tells pooled OLS with year effects apart, or give an ``estimator`` column).
    ``rows`` are the values of column ``row`` to show, in order (default: as they first appear);
    ``estimators`` the estimators to show, side by side within each row (default: those present).
    Row labels are component names in words for ``row="outcome"``/``"exposure"`` (see
    :func:`~cchc_analysis.figures.labels.component_label`), else ``labels`` (mapping or function).
    A marker is hollow where ``significance`` (a column, e.g. ``"q_value"``) is not below
    ``alpha``; the last handle explains that (``significance_label`` overrides its text).
    ``styles`` maps an estimator to its (colour, marker), for estimators that are not in
    :data:`~cchc_analysis.figures.palette.MODEL_STYLES` (such as sample variants drawn side by
    side); the legend names an estimator not in the palette's labels by its key.

        >>> import matplotlib.pyplot as plt, pandas as pd
        >>> t = pd.DataFrame({"outcome": ["D5", "D5", "D6"], "model": ["twfe", "first_difference", "twfe"],
        ...                   "coef": [1.7, 1.2, 0.9], "ci_low": [1.1, 0.5, 0.2],
        ...                   "ci_high": [2.3, 1.9, 1.6], "q_value": [0.001, 0.01, 0.2]})
        >>> fig, ax = plt.subplots()
        >>> [h.get_label() for h in forest_plot(ax, t, xlabel="D5 points per D8.1 point")]
        ['two-way fixed effects', 'first differences', 'hollow: q_value ≥ 0.05']
        >>> [t.get_text() for t in ax.get_yticklabels()]
        ['D5 Public Administrative Procedures', 'D6 Public Service Delivery']
        >>> plt.close(fig)
    """
    missing = [c for c in [*_NEEDED, row] if c not in results.columns]
    if missing:
        raise ValueError(
            f"forest_plot: the results table lacks {missing}; columns present: "
            f"{', '.join(map(str, results.columns))}"
        )
    if significance is not None and significance not in results.columns:
        raise ValueError(f"forest_plot: no column {significance!r} for significance (or pass None)")
    table = results.copy()
    if "estimator" not in table.columns:
        table["estimator"] = estimator(table)
    rows = list(dict.fromkeys(table[row])) if rows is None else list(rows)
    if estimators is None:
        present = set(table["estimator"])
        estimators = [m for m in palette.MODEL_STYLES if m in present]
        estimators += sorted(present - set(estimators))
    estimators = list(estimators)
    absent = [m for m in estimators if m not in set(table["estimator"])]
    if absent:
        raise ValueError(
            f"forest_plot: no rows for estimator(s) {absent}; the table has "
            f"{sorted(set(table['estimator']))}"
        )
    label = _row_labeller(labels, row, index)
    given = dict(styles or {})
    styles = {
        m: given.get(m)
        or palette.MODEL_STYLES.get(m, (palette._CYCLE[k % len(palette._CYCLE)], "o"))
        for k, m in enumerate(estimators)
    }

    # estimators side by side within a row, spread over half the row height
    offsets = np.linspace(-0.25, 0.25, len(estimators)) if len(estimators) > 1 else [0.0]
    for k, model in enumerate(estimators):
        colour, marker = styles[model]
        for i, key in enumerate(rows):
            hit = table[(table[row] == key) & (table["estimator"] == model)]
            if hit.empty:
                continue
            if len(hit) > 1:
                raise ValueError(
                    f"forest_plot: {len(hit)} rows for {row}={key!r}, estimator {model!r}; "
                    "filter the table to one variant first"
                )
            r = hit.iloc[0]
            y = i + offsets[k]
            ax.plot([r["ci_low"], r["ci_high"]], [y, y], color=colour, linewidth=1.3)
            filled = significance is None or (pd.notna(r[significance]) and r[significance] < alpha)
            ax.plot(
                r["coef"],
                y,
                marker=marker,
                color=colour,
                markersize=6,
                markerfacecolor=colour if filled else "white",
            )
    ax.axvline(0, color="0.3", linewidth=0.8)
    ax.grid(False, axis="y")
    for i in range(len(rows) - 1):
        ax.axhline(i + 0.5, color="0.9", linewidth=0.6)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([label(key) for key in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlabel(xlabel)
    handles = [
        Line2D([], [], color=styles[m][0], marker=styles[m][1], label=palette.model_label(m))
        for m in estimators
    ]
    if significance is not None:
        text = significance_label or f"hollow: {significance} ≥ {alpha:g}"
        handles.append(
            Line2D(
                [], [], color="0.3", marker="o", markerfacecolor="white", linestyle="", label=text
            )
        )
    return handles
