"""save_table writes CSV atomically, byte-stable, and refuses bad names."""

from __future__ import annotations

import doctest

import pandas as pd
import pytest

from cchc_analysis import outputs
from cchc_analysis.outputs import save_table


def test_doctests_run():
    assert doctest.testmod(outputs).failed == 0


def test_writes_the_same_bytes_twice_and_leaves_no_temporary_file(tmp_path):
    frame = pd.DataFrame({"outcome": ["D5", "D6"], "coef": [1.5, 0.25], "note": ["a, b", "đ"]})
    first = save_table(frame, "t", tmp_path).read_bytes()
    second = save_table(frame, "t", tmp_path).read_bytes()
    assert first == second
    assert b"\r\n" not in first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]
    assert pd.read_csv(tmp_path / "t.csv").equals(frame)


def test_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    save_table(pd.DataFrame({"a": [1]}), "t", tmp_path)

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", boom)
    with pytest.raises(OSError, match="disk full"):
        save_table(pd.DataFrame({"a": [2]}), "t", tmp_path)
    assert (tmp_path / "t.csv").read_text() == "a\n1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]


@pytest.mark.parametrize("name", ["", "t.csv", "../t", "a/b"])
def test_bad_names(tmp_path, name):
    with pytest.raises(ValueError, match="bare file stem"):
        save_table(pd.DataFrame({"a": [1]}), name, tmp_path)


def test_not_a_frame(tmp_path):
    with pytest.raises(TypeError, match="DataFrame"):
        save_table([1, 2], "t", tmp_path)
