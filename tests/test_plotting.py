"""The house style renders Vietnamese and saves byte-identical files."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from matplotlib import font_manager

from cchc_analysis import plotting

NAMES = ["Thừa Thiên Huế", "Đắk Lắk", "Bà Rịa - Vũng Tàu", "Hòa Bình", "Quảng Ngãi"]


def _figure():
    plotting.set_style()
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.barh(NAMES, [1, 2, 3, 4, 5])
    ax.set_title("Chỉ số hài lòng (SIPAS), %")
    ax.set_xlabel("điểm")
    plotting.add_source(fig, "Source: test figure")
    return fig


def test_save_twice_gives_identical_bytes(tmp_path):
    fig = _figure()
    both = ("png", "svg")
    first = {p.name: p.read_bytes() for p in plotting.save_figure(fig, "t", both, tmp_path)}
    second = {p.name: p.read_bytes() for p in plotting.save_figure(fig, "t", both, tmp_path)}
    plt.close(fig)
    assert set(first) == {"t.png", "t.svg"}
    assert first == second
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], (
        "temporary file left behind"
    )


def test_separately_drawn_identical_figures_match(tmp_path):
    a = plotting.save_figure(_figure(), "a", ("png", "svg"), tmp_path)
    b = plotting.save_figure(_figure(), "b", ("png", "svg"), tmp_path)
    plt.close("all")
    for pa, pb in zip(a, b, strict=True):
        assert pa.read_bytes() == pb.read_bytes()


def test_font_covers_vietnamese_diacritics():
    plotting.set_style()
    font = font_manager.findfont(plotting.FONT_FAMILY, fallback_to_default=False)
    from matplotlib.ft2font import FT2Font

    face = FT2Font(font)
    charmap = face.get_charmap()
    missing = sorted(
        {
            ch
            for name in [*NAMES, "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹĐđƠơƯư"]
            for ch in name
            if ord(ch) not in charmap
        }
    )
    assert not missing, f"{font} lacks glyphs for {missing}"


def test_default_directory_is_reports_figures(tmp_path, monkeypatch):
    monkeypatch.setenv("CCHC_REPORTS_DIR", str(tmp_path))
    fig = _figure()
    out = plotting.save_figure(fig, "default", formats=("png",))
    plt.close(fig)
    assert out == [tmp_path / "figures" / "default.png"]


def test_default_formats_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv(plotting.FORMATS_VARIABLE, raising=False)
    fig = _figure()
    assert [p.name for p in plotting.save_figure(fig, "d", directory=tmp_path)] == ["d.png"]
    monkeypatch.setenv(plotting.FORMATS_VARIABLE, " PNG, .svg ,png")
    assert [p.name for p in plotting.save_figure(fig, "d", directory=tmp_path)] == [
        "d.png",
        "d.svg",
    ]
    monkeypatch.setenv(plotting.FORMATS_VARIABLE, "png,jpeg")
    with pytest.raises(ValueError, match=r"CCHC_FIGURE_FORMATS='png,jpeg'.*\['jpeg'\]"):
        plotting.save_figure(fig, "d", directory=tmp_path)
    plt.close(fig)


def test_shown_in_a_notebook_from_the_saved_file_and_closed(tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(plotting, "_show_saved", lambda fig, png, bbox: shown.append(png))
    fig = _figure()
    plotting.save_figure(fig, "s", ("png",), tmp_path, show=True)
    plotting.save_figure(fig, "t", ("svg",), tmp_path, show=True)  # nothing to show without a PNG
    plotting.save_figure(fig, "u", ("png",), tmp_path)  # Agg: not a notebook, not shown
    plt.close(fig)
    assert shown == [tmp_path / "s.png"]


@pytest.mark.parametrize("bad", ["", "a/b", "x.png"])
def test_bad_names_rejected(bad, tmp_path):
    with pytest.raises(ValueError, match="bare file stem"):
        plotting.save_figure(plt.figure(), bad, directory=tmp_path)


def _busy_figure(source="Source: test figure"):
    # The kinds of artist the notebooks use: colorbar, hatches, a legend, boxed text, log scale.
    import numpy as np
    from matplotlib.patches import Patch

    plotting.set_style()
    fig, (a, b) = plt.subplots(1, 2, figsize=(8, 4))
    a.barh(NAMES[:3], [1, 2, 3], hatch="///", edgecolor="0.5", color="white")
    a.fill_between([1, 2, 3], [0, 1, 0], [1, 2, 1], alpha=0.3)
    a.set_xscale("log")
    a.legend(handles=[Patch(facecolor="white", hatch="///", label="hatched")])
    mesh = b.pcolormesh(np.arange(4), np.arange(4), np.arange(9.0).reshape(3, 3))
    fig.colorbar(mesh, ax=b, label="rank")
    b.text(1, 1, "Đắk Lắk", bbox={"facecolor": "white"})
    b.set_title("Thừa Thiên Huế")
    plotting.add_source(fig, source)
    return fig


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_busy_figure_saved_twice_gives_identical_bytes(fmt, tmp_path):
    # Constrained layout used to move the axes a little at every draw, so each save differed
    # (coordinates, SVG clip-path ids, PNG pixels).
    fig = _busy_figure()
    saved = [
        plotting.save_figure(fig, "busy", formats=(fmt,), directory=tmp_path)[0].read_bytes()
        for _ in range(2)
    ]
    other = plotting.save_figure(_busy_figure(), "again", formats=(fmt,), directory=tmp_path)
    plt.close("all")
    assert saved[0] == saved[1]
    assert other[0].read_bytes() == saved[0]


def test_freeze_layout_keeps_positions_and_ignores_figures_without_engine():
    fig = _busy_figure()
    plotting.freeze_layout(fig)
    before = [ax.get_position().bounds for ax in fig.axes]
    fig.canvas.draw()
    assert [ax.get_position().bounds for ax in fig.axes] == before
    plain = plt.figure(layout="none")
    assert plotting.freeze_layout(plain) is plain
    plt.close("all")


def _png_size(path):
    height, width = plt.imread(path).shape[:2]
    return width, height


@pytest.mark.slow
def test_long_source_wraps_instead_of_widening_the_image(tmp_path):
    short = plotting.save_figure(_busy_figure("Source: short."), "short", ("png",), tmp_path)
    text = "Source: " + "; ".join(f"host{i}.gov.vn (report {2010 + i})" for i in range(40))
    long = plotting.save_figure(_busy_figure(text), "long", ("png",), tmp_path)
    plt.close("all")
    (w_short, h_short), (w_long, h_long) = _png_size(short[0]), _png_size(long[0])
    assert w_long == w_short, "a long source line widened the saved figure"
    assert h_long > h_short + 20, "the long source line should wrap onto several lines"


def test_add_source_wraps_long_lines_at_spaces_within_the_figure_width():
    fig = plt.figure(figsize=(4, 3))
    assert plotting.add_source(fig, "Source: x").get_text() == "Source: x"
    words = [f"word{i}" for i in range(60)]
    lines = plotting.add_source(fig, " ".join(words)).get_text().split("\n")
    assert len(lines) > 1 and " ".join(lines).split(" ") == words  # broken at spaces only
    fig.canvas.draw()
    widest = max(t.get_window_extent().width for t in fig.texts[1:])
    assert widest <= fig.bbox.width  # the drawn lines fit in the figure
    plt.close(fig)


def _style_state():
    rc = {k: str(v) for k, v in matplotlib.rcParams.items() if k != "image.cmap"}
    return [rc, {c: matplotlib.colors.to_hex(c) for c in "bgrmyck"}]


def test_house_style_imports_neither_seaborn_nor_scipy():
    import subprocess
    import sys

    code = (
        "import sys\nfrom cchc_analysis import plotting\nplotting.set_style()\n"
        "print(sorted({'seaborn', 'scipy.stats'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", f"set_style imported {done.stdout.strip()}"


def test_house_style_is_seaborns_whitegrid_theme():
    import seaborn as sns

    codes = matplotlib.colors.colorConverter.colors  # global, and rc_context does not restore it
    before = {c: codes[c] for c in "bgrmyck"}
    try:
        with matplotlib.rc_context():
            matplotlib.rcdefaults()
            plotting.set_style()
            ours = _style_state()
            matplotlib.rcdefaults()
            sns.set_theme(
                style="whitegrid", context="notebook", palette="colorblind", rc=plotting._RC
            )
            matplotlib.rcParams.update(plotting._RC)
            seaborn = _style_state()
    finally:
        codes.update(before)
    differ = {k: (ours[0][k], seaborn[0][k]) for k in seaborn[0] if ours[0][k] != seaborn[0][k]}
    assert not differ, f"plotting._SEABORN_WHITEGRID_NOTEBOOK differs from seaborn: {differ}"
    assert ours[1] == seaborn[1]
