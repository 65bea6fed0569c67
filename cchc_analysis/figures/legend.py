"""Legends that the layout engine makes room for."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.artist import Artist

__all__ = ["legend_panel"]


def legend_panel(
    ax: plt.Axes, handles: Sequence[Artist], ncol: int = 1, fontsize: float = 8, **kwargs
) -> plt.Legend:
    """Put a legend alone in ``ax`` (its frame and ticks hidden), centred.

    Why: a legend inside an axes of its own (e.g. a ``subplot_mosaic`` row) gets room from the
    constrained layout, whereas a figure legend placed below the plots can run over the source
    line. ``kwargs`` go to :meth:`matplotlib.axes.Axes.legend`::

        >>> import matplotlib.pyplot as plt
        >>> from matplotlib.patches import Patch
        >>> fig, axd = plt.subplot_mosaic([["legend"], ["plot"]], height_ratios=[1, 6])
        >>> legend_panel(axd["legend"], [Patch(color="C0", label="published")]).get_texts()[0].get_text()
        'published'
        >>> plt.close(fig)
    """
    ax.axis("off")
    options = {"loc": "center", "frameon": False} | kwargs
    return ax.legend(handles=list(handles), ncol=ncol, fontsize=fontsize, **options)
