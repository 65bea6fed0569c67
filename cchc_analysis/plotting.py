"""One house style for every figure, and :func:`save_figure`, which writes byte-stable PNG (and SVG).

DejaVu Sans (shipped with matplotlib) carries the Vietnamese diacritics, so names such as
"Thừa Thiên Huế" or "Đắk Lắk" render without tofu. Figures are saved under ``paths.FIGURES``; the
same figure saved twice gives the same bytes (no timestamps, fixed SVG ids, a layout frozen before
the first save), so re-running a notebook does not churn the outputs. The source line of
:func:`add_source` wraps at the figure's width, so it never widens the saved image.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
from cycler import cycler
from matplotlib.layout_engine import PlaceHolderLayoutEngine

from cchc_analysis import paths

FONT_FAMILY = "DejaVu Sans"
PALETTE = "colorblind"
"""The seaborn palette of the house style (its colours are :data:`COLORBLIND`)."""

COLORBLIND = ["#0173b2", "#de8f05", "#029e73", "#d55e00", "#cc78bc",
              "#ca9161", "#fbafe4", "#949494", "#ece133", "#56b4e9"]  # fmt: skip
"""seaborn's "colorblind" palette: the colour cycle of every figure."""

# The house style is seaborn's "whitegrid" style in its "notebook" context with the colour-blind
# palette, i.e. what sns.set_theme(style="whitegrid", context="notebook", palette="colorblind")
# sets. Its values are written out here so that drawing a figure does not import seaborn, which
# imports scipy.stats: 1.1 s in every kernel of a notebook that needs neither (measured).
# tests/test_plotting.py checks them against seaborn itself. One value is left out: seaborn's
# default colour map "rocket" exists only once seaborn is imported; no figure uses a default map.
_SEABORN_WHITEGRID_NOTEBOOK = {
    "axes.axisbelow": True, "axes.edgecolor": ".8", "axes.facecolor": "white", "axes.grid": True,
    "axes.labelcolor": ".15", "axes.labelsize": 12, "axes.linewidth": 1.25,
    "axes.spines.bottom": True, "axes.spines.left": True, "axes.spines.right": True,
    "axes.spines.top": True, "axes.titlesize": 12, "figure.facecolor": "white",
    "font.family": ["sans-serif"],
    "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans",
                        "sans-serif"],
    "font.size": 12, "grid.color": ".8", "grid.linestyle": "-", "grid.linewidth": 1,
    "legend.fontsize": 11, "legend.title_fontsize": 12, "lines.linewidth": 1.5,
    "lines.markersize": 6, "lines.solid_capstyle": "round", "patch.edgecolor": "w",
    "patch.force_edgecolor": True, "patch.linewidth": 1, "text.color": ".15",
    "xtick.bottom": False, "xtick.color": ".15", "xtick.direction": "out",
    "xtick.labelsize": 11, "xtick.major.size": 6, "xtick.major.width": 1.25,
    "xtick.minor.size": 4, "xtick.minor.width": 1, "xtick.top": False,
    "ytick.color": ".15", "ytick.direction": "out", "ytick.labelsize": 11, "ytick.left": False,
    "ytick.major.size": 6, "ytick.major.width": 1.25, "ytick.minor.size": 4,
    "ytick.minor.width": 1, "ytick.right": False,
    "axes.prop_cycle": cycler(color=[mpl.colors.to_rgb(c) for c in COLORBLIND]),
}  # fmt: skip

# seaborn also re-points matplotlib's one-letter colours ("b", "g", ... "k") to its palette: the
# six colours of "colorblind6" (blue, green, red, purple, yellow, cyan) and a near-black.
_COLOR_CODES = {code: COLORBLIND[i] for code, i in zip("bgrmyc", (0, 2, 3, 4, 8, 9), strict=True)}
_COLOR_CODES["k"] = (0.1, 0.1, 0.1)

# A fixed DPI and size keep PNGs comparable between runs and readable on a laptop screen.
DPI = 150

_RC = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT_FAMILY],
    "axes.titleweight": "bold",
    "axes.titlesize": 12,
    "axes.labelsize": 10,
    "figure.dpi": 100,
    "savefig.dpi": DPI,
    "savefig.bbox": "tight",
    "svg.fonttype": "path",  # text as paths: identical rendering without the font installed
    "svg.hashsalt": "cchc-analysis",  # deterministic element ids
    "figure.constrained_layout.use": True,
}


def set_style() -> None:
    """Apply the house style: seaborn's whitegrid theme with its colour-blind palette (see
    :data:`COLORBLIND`), in DejaVu Sans for the Vietnamese diacritics, saved at :data:`DPI`.

    >>> set_style(); mpl.rcParams["axes.grid"], mpl.rcParams["font.sans-serif"][0]
    (True, 'DejaVu Sans')
    """
    mpl.rcParams.update({**_SEABORN_WHITEGRID_NOTEBOOK, **_RC})
    for code, color in _COLOR_CODES.items():
        mpl.colors.colorConverter.colors[code] = mpl.colors.to_rgb(color)


def add_source(fig: plt.Figure, text: str) -> plt.Text:
    """Write a source line under the figure's bottom-left corner, wrapped to the figure's width.

    It sits just below the axes area (``bbox_inches="tight"`` keeps it in the saved file), so it never
    collides with tick labels. A long source breaks into several lines at the figure's right edge
    instead of widening the saved image (which would leave empty canvas beside the plot)::

        >>> import matplotlib.pyplot as plt
        >>> fig, ax = plt.subplots(figsize=(4, 3))
        >>> add_source(fig, "Source: PAPI 2018–2024 (CECODES, VFF-CRT, RTA & UNDP); " * 3).get_text().count("\\n")
        2
        >>> plt.close(fig)

    A figure legend placed ``"outside lower …"`` can reach below the figure and cover it: put such a
    legend above the axes (``"outside upper …"``) or in an axes of its own.
    """
    label = fig.text(0.0, -0.01, text, ha="left", va="top", fontsize=7.5, color="0.35")
    # Wrapped once, here, by measuring each word: matplotlib's wrap=True measures every candidate
    # line again at every layout pass and draw (a tenth of a second per figure saved).
    # 2% short of the edge: hinted glyphs at 150 dpi run a little wider than their outlines.
    label.set_text(_wrapped(label, 0.98 * fig.get_figwidth() * 72.0))
    return label


def _wrapped(label: plt.Text, width_points: float) -> str:
    """``label``'s text broken at spaces into lines no wider than ``width_points``."""
    from matplotlib.textpath import TextToPath

    measure = TextToPath()  # font outlines in points: the same at every resolution
    prop = label.get_fontproperties()

    def width(words: str) -> float:
        return measure.get_text_width_height_descent(words, prop, ismath=False)[0]

    space = width("a a") - width("aa")
    lines = []
    for paragraph in label.get_text().split("\n"):
        line, used = [], 0.0
        for word in paragraph.split(" "):
            size = width(word) if word else 0.0
            if line and used + space + size > width_points:
                lines.append(" ".join(line))
                line, used = [], 0.0
            used += (space if line else 0.0) + size
            line.append(word)
        lines.append(" ".join(line))
    return "\n".join(lines)


def save_figure(
    fig: plt.Figure,
    name: str,
    formats: str | Iterable[str] | None = None,
    directory: Path | None = None,
    show: bool | None = None,
) -> list[Path]:
    """Save ``fig`` as ``<name>.png`` (and other ``formats``) under ``paths.FIGURES``; return the paths.

    ``formats`` defaults to :func:`figure_formats`: PNG, plus SVG when the environment variable
    ``CCHC_FIGURE_FORMATS`` says so (``png,svg``; ``make reproduce FORMATS=png,svg``).

    Output is byte-identical for identical input: metadata that would vary (creation date,
    software version) is dropped, and the layout is fixed before the first file is written (see
    :func:`freeze_layout`), so saving the same figure twice gives the same bytes. Each file is written
    to a temporary name, then moved into place, so a reader never sees a half-written figure.

    ``show``: display the saved PNG and close ``fig``, so what a notebook shows is the published
    file, drawn once. The default (``None``) does so in a notebook kernel with the inline backend,
    and nowhere else; ``show=False`` keeps the figure open there too::

        >>> import matplotlib.pyplot as plt, tempfile
        >>> fig, ax = plt.subplots(figsize=(3, 2))
        >>> [p.name for p in save_figure(fig, "demo", ("png", "svg"), tempfile.mkdtemp())]
        ['demo.png', 'demo.svg']
        >>> plt.close(fig)
    """
    if not name or Path(name).name != name or name.endswith((".png", ".svg")):
        raise ValueError(f"figure name must be a bare file stem such as '02_movers', got {name!r}")
    # One format may be given as a string: "png" means ("png",), not ("p", "n", "g").
    if formats is None:
        formats = figure_formats()
    formats = (formats,) if isinstance(formats, str) else tuple(formats)
    for fmt in formats:
        if fmt not in _METADATA:
            raise ValueError(f"unsupported figure format {fmt!r}; use one of {sorted(_METADATA)}")
    out_dir = Path(directory) if directory is not None else paths.FIGURES
    out_dir.mkdir(parents=True, exist_ok=True)
    freeze_layout(fig)
    # The tight box is measured once and shared by every format: "tight" would draw the figure
    # once more per file just to measure it.
    bbox = tight_bbox(fig)
    written = []
    for fmt in formats:
        target = out_dir / f"{name}.{fmt}"
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=f".{fmt}", dir=out_dir)
        try:
            with os.fdopen(fd, "wb") as fh:
                fig.savefig(
                    fh,
                    format=fmt,
                    metadata=_METADATA[fmt],
                    bbox_inches=bbox,
                    **_WRITER.get(fmt, {}),
                )
            os.chmod(tmp, 0o644)  # mkstemp makes files private; figures are for everyone to read
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written.append(target)
    if "png" in formats and (_inline_kernel() if show is None else show):
        _show_saved(fig, out_dir / f"{name}.png", bbox)
    return written


FORMATS_VARIABLE = "CCHC_FIGURE_FORMATS"


def figure_formats() -> tuple[str, ...]:
    """The formats :func:`save_figure` writes by default: ``$CCHC_FIGURE_FORMATS`` (comma-separated,
    e.g. ``png,svg``), else PNG alone.

    Why PNG alone: the SVG copy (text as outlines, for journals and slides) takes as long to write as
    the PNG, and the notebooks, the HTML and the site show the PNG; ask for SVG when you need it.

        >>> figure_formats()  # doctest: +SKIP
        ('png',)
    """
    value = os.environ.get(FORMATS_VARIABLE, "").strip()
    if not value:
        return ("png",)
    chosen = tuple(
        dict.fromkeys(f.strip().lower().lstrip(".") for f in value.split(",") if f.strip())
    )
    unknown = [f for f in chosen if f not in _METADATA]
    if unknown:
        raise ValueError(
            f"{FORMATS_VARIABLE}={value!r}: unsupported figure format(s) {unknown}; "
            f"use a comma-separated list of {sorted(_METADATA)}"
        )
    return chosen


def tight_bbox(fig: plt.Figure):
    """The figure's tight bounding box in inches, padded as ``savefig`` pads it (measured on the
    figure as it stands: call after :func:`freeze_layout`)."""
    with _saving_resolution(fig):
        box = fig.get_tightbbox(fig.canvas.get_renderer())
    return box.padded(mpl.rcParams["savefig.pad_inches"])


@contextlib.contextmanager
def _saving_resolution(fig: plt.Figure) -> Iterator[None]:
    """Measure (and lay out) the figure at the resolution the PNG is saved at: hinted text is a
    little wider or narrower at other resolutions (a box measured at 100 dpi left a margin on one
    side at 150), and one resolution lets every measurement reuse the same renderer's text sizes."""
    screen, saved = fig.dpi, mpl.rcParams["savefig.dpi"]
    fig.set_dpi(screen if saved == "figure" else saved)
    try:
        yield
    finally:
        fig.set_dpi(screen)


def _inline_kernel() -> bool:
    """True in a notebook kernel whose figures are shown inline (as when executing a notebook)."""
    return "inline" in mpl.get_backend()


def _show_saved(fig: plt.Figure, png: Path, bbox) -> None:
    """Display the saved PNG at the size the inline backend would have drawn it, then close the
    figure so the backend does not render it a second time."""
    from IPython.display import Image, display

    display(Image(filename=str(png), width=round(bbox.width * mpl.rcParams["figure.dpi"])))
    plt.close(fig)


def freeze_layout(fig: plt.Figure) -> plt.Figure:
    """Run the figure's layout engine, then keep that layout for every later draw.

    Why: constrained layout is re-run at every draw and moves the axes a little each time (by up to
    0.03% of the figure on the second pass, then less), and each draw of ``savefig`` is one more
    pass, so without this two saves of one figure differed in their coordinates, SVG clip-path ids (hashes of the
    geometry) and PNG pixels. After this call the figure draws identically every time; a figure
    whose layout is already fixed is left alone. To let the layout adapt again (after adding artists),
    call ``fig.set_layout_engine("constrained")``.

        >>> import matplotlib.pyplot as plt
        >>> fig, ax = plt.subplots(layout="constrained")
        >>> freeze_layout(fig).get_layout_engine().__class__.__name__
        'PlaceHolderLayoutEngine'
        >>> plt.close(fig)
    """
    engine = fig.get_layout_engine()
    if engine is None or isinstance(engine, PlaceHolderLayoutEngine):
        return fig
    with _saving_resolution(fig):
        # One pass, as a plain savefig makes: a second moves the axes by at most ~3e-4 of the
        # figure (under a pixel) and costs as much again.
        engine.execute(fig)
        fig.set_layout_engine("none")  # a placeholder keeping the engine's colorbar compatibility
        # Measuring the figure places what is otherwise placed at draw time (a colorbar's axes by
        # its locator, the titles), so every later draw finds everything where this left it.
        fig.get_tightbbox(fig.canvas.get_renderer())
    return fig


# zlib level 3 instead of PIL's 6: a third less time encoding (0.18 s, not 0.27 s, for a 2138 x 1478
# figure) and, on these flat-coloured charts, files no larger.
_WRITER = {"png": {"pil_kwargs": {"compress_level": 3}}}

_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
}
