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
    first = {p.name: p.read_bytes() for p in plotting.save_figure(fig, "t", directory=tmp_path)}
    second = {p.name: p.read_bytes() for p in plotting.save_figure(fig, "t", directory=tmp_path)}
    plt.close(fig)
    assert set(first) == {"t.png", "t.svg"}
    assert first == second
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], (
        "temporary file left behind"
    )


def test_separately_drawn_identical_figures_match(tmp_path):
    a = plotting.save_figure(_figure(), "a", directory=tmp_path)
    b = plotting.save_figure(_figure(), "b", directory=tmp_path)
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


@pytest.mark.parametrize("bad", ["", "a/b", "x.png"])
def test_bad_names_rejected(bad, tmp_path):
    with pytest.raises(ValueError, match="bare file stem"):
        plotting.save_figure(plt.figure(), bad, directory=tmp_path)
