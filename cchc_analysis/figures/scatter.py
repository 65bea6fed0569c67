"""Binned scatter with LOWESS: the picture behind a regression slope, raw or within provinces.

Draws the frames of :func:`cchc_analysis.models.binned_scatter` and
:func:`cchc_analysis.models.lowess_curve`: every province-year as a faint point, bin means with
one standard error, and a LOWESS curve through the points. With ``absorb="both"`` the values are
net of province and year means (sample means added back), the variation a two-way fixed-effects
slope uses.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from cchc_analysis.figures import palette
from cchc_analysis.models.figure_data import binned_scatter, lowess_curve, residualize

__all__ = ["binned_scatter_plot"]


def binned_scatter_plot(
    ax: plt.Axes,
    panel: pd.DataFrame,
    x: str,
    y: str,
    *,
    absorb: str | None = None,
    bins: int = 20,
    frac: float = 0.5,
    color: str = palette.INDEX_COLORS["PAPI"],
) -> pd.DataFrame:
    """Draw points, bin means ± 1 SE and a LOWESS curve of ``y`` on ``x``; return the bins.

    Province-years missing ``x`` or ``y`` are left out; the returned frame's ``attrs["n_obs"]`` is
    the number drawn (put it in the title). The legend labels say what each layer is::

        >>> import matplotlib.pyplot as plt, numpy as np, pandas as pd
        >>> rng = np.random.default_rng(0)  # SIMULATION
        >>> p = pd.DataFrame({"province_code": np.repeat(list("abcdefghij"), 4),
        ...                   "year": np.tile([2019, 2020, 2021, 2022], 10)})
        >>> p["x"] = rng.normal(size=40); p["y"] = p["x"] + rng.normal(size=40)
        >>> fig, ax = plt.subplots()
        >>> binned_scatter_plot(ax, p, "x", "y", absorb="both", bins=5).attrs["n_obs"]
        40
        >>> plt.close(fig)
    """
    table = binned_scatter(panel, x, y, bins=bins, absorb=absorb)
    points = panel.dropna(subset=[x, y])
    values = residualize(points, [x, y], absorb)
    curve = lowess_curve(values[x], values[y], frac=frac)
    ax.scatter(values[x], values[y], s=8, color=palette.NEUTRAL, alpha=0.5, label="province-year")
    ax.errorbar(
        table["x_mean"],
        table["y_mean"],
        yerr=table["y_se"],
        fmt="o",
        color=color,
        markersize=5,
        capsize=2,
        label=f"mean in each of {len(table)} quantile bins ± 1 SE",
    )
    ax.plot(
        curve["x"], curve["fit"], color=palette.DOWN, linewidth=2, label=f"LOWESS (frac {frac:g})"
    )
    return table
