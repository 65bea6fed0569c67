"""Every notebook runs headless from a clean kernel, and is stored without outputs; the runner
starts kernels with single-threaded BLAS (see notebooks.KERNEL_THREADS)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from cchc_analysis import notebooks


def _nbformat():
    # Imported by the tests that use it, not at collection, and as the runner imports it (without
    # the slow optional module: notebooks.import_nbformat).
    return notebooks.import_nbformat()


NOTEBOOKS = notebooks.notebook_paths()


def test_there_are_notebooks():
    assert any(p.name.startswith("00_") for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    dirty = [
        i
        for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; run `nbstripout {path}`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_takes_paths_from_the_package(path):
    """No notebook reads or writes through a path relative to the working directory."""
    nb = _nbformat().read(path, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for pattern in ('"../', "'../", '"data/', "'data/", '"reports/', "'reports/", "os.chdir"):
        assert pattern not in source, (
            f"{path.name} uses {pattern!r}; take paths from cchc_analysis.paths"
        )


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_executes_headless(path, reports_lock):
    # The copy `make reproduce` executed is checked when it was made from today's notebook, package
    # and data (its fingerprint); otherwise the notebook is executed here, the same way.
    with reports_lock():
        executed = notebooks.current_copy(path) or notebooks.execute_notebook(path, timeout=900)
    assert not notebooks.error_outputs(executed)
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), (
        f"{path.name}: not every cell ran, in order, from a fresh kernel"
    )
    assert executed.metadata[notebooks.METADATA_KEY]["inputs"]  # what the copy was made from


# A figure with what varies most between saves: Vietnamese text, hatching, a legend, a source line.
_FIGURE = """
import matplotlib.pyplot as plt
from cchc_analysis import plotting

plotting.set_style()
fig, ax = plt.subplots(figsize=(4, 3))
ax.barh(["Thừa Thiên Huế", "Đắk Lắk"], [1.5, 2.5], hatch="///", label="điểm")
ax.set_title("Bà Rịa - Vũng Tàu")
ax.set_xlabel("score (points)")
ax.legend()
plotting.add_source(fig, "Source: a test figure")
plotting.save_figure(fig, "same", formats=("png", "svg"), directory=OUT)
plt.close(fig)
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A small notebook executed once as ``make reproduce`` executes them, under another hash
    seed: ``(path, executed copy, reports folder, the parent's BLAS settings before the run)``.
    Its last cell saves :data:`_FIGURE` in ``<folder>/kernel``."""
    folder = tmp_path_factory.mktemp("tiny")
    path = folder / "95_tiny.ipynb"
    nb = _nbformat().v4.new_notebook()
    nb.cells = [
        _nbformat().v4.new_code_cell(
            "import os\nprint([os.environ.get(k) for k in "
            "['OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS']])"
        ),
        _nbformat().v4.new_code_cell(
            "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()"
        ),
        _nbformat().v4.new_code_cell(f"OUT = {str(folder / 'kernel')!r}\n{_FIGURE}"),
    ]
    _nbformat().write(nb, path)
    before = {k: os.environ.get(k) for k in notebooks.KERNEL_THREADS}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CCHC_REPORTS_DIR", str(folder / "reports"))
        mp.setenv("PYTHONHASHSEED", "4242")
        assert notebooks.current_copy(path) is None  # never executed
        executed = notebooks.execute_notebook(path, timeout=120)
    return path, executed, folder / "reports", before


@pytest.mark.slow
def test_kernel_runs_with_blas_single_threaded_and_the_parent_is_left_alone(tiny):
    _, executed, _, before = tiny
    assert executed.cells[0].outputs[0]["text"].strip() == "['1', '1', '1']"
    assert {k: os.environ.get(k) for k in notebooks.KERNEL_THREADS} == before


def test_reproduction_keeps_figures_in_the_executed_copy(tiny):
    _, executed, _, _ = tiny
    assert any("image/png" in o.get("data", {}) for o in executed.cells[1].outputs)


def test_a_figure_saved_in_a_kernel_has_the_bytes_of_the_same_figure_saved_here(tiny, tmp_path):
    # The kernel ran under another hash seed and the inline backend, in another process.
    path, _, _, _ = tiny
    exec(_FIGURE, {"OUT": str(tmp_path)})
    for name in ("same.png", "same.svg"):
        kernel = (path.parent / "kernel" / name).read_bytes()
        assert kernel == (tmp_path / name).read_bytes(), name


def test_an_executed_copy_is_stale_once_its_inputs_change(tiny, monkeypatch):
    path, _, reports, _ = tiny
    monkeypatch.setenv("CCHC_REPORTS_DIR", str(reports))
    assert notebooks.current_copy(path) is not None
    monkeypatch.setenv("CCHC_FIGURE_FORMATS", "png,svg")  # another input: stale
    assert notebooks.current_copy(path) is None
    monkeypatch.delenv("CCHC_FIGURE_FORMATS")
    nb = _nbformat().read(path, as_version=4)
    nb.cells[0].source = "print(6 * 9)"
    _nbformat().write(nb, path)  # the notebook changed: stale
    assert notebooks.current_copy(path) is None


def test_failing_cell_is_named_and_the_runner_is_headless_by_default(tmp_path):
    nb = _nbformat().v4.new_notebook()
    nb.cells = [
        # the tests' runs keep no image (the Agg backend); make reproduce keeps them (above)
        _nbformat().v4.new_code_cell("import os\nassert os.environ['MPLBACKEND'] == 'Agg'"),
        _nbformat().v4.new_code_cell("1 / 0"),
    ]
    path = tmp_path / "99_broken.ipynb"
    _nbformat().write(nb, path)
    with pytest.raises(
        notebooks.NotebookError, match=r"99_broken\.ipynb: cell 1 failed: ZeroDivisionError"
    ):
        notebooks.run_notebook(path, timeout=60)


def test_nbformat_is_imported_without_the_slow_module_and_the_process_is_left_as_it_was():
    code = textwrap.dedent(
        """
        import importlib.util, sys
        from cchc_analysis import notebooks
        nbformat = notebooks.import_nbformat()
        nbformat.validate(nbformat.v4.new_notebook())
        print("rfc3987_syntax" in sys.modules)
        # still importable afterwards (find_spec raises ValueError while it is hidden)
        print(importlib.util.find_spec("rfc3987_syntax") is not None)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True"]


def test_a_fresh_clone_starts_the_longest_notebook_first(tmp_path, monkeypatch):
    monkeypatch.setenv("CCHC_REPORTS_DIR", str(tmp_path / "reports"))  # no timings of its own yet
    committed = NOTEBOOKS[0].parent / notebooks.EXPECTED_SECONDS
    expected = json.loads(committed.read_text(encoding="utf-8"))
    assert set(expected) == {p.name for p in NOTEBOOKS}, f"{committed} lacks a notebook"
    order = sorted(NOTEBOOKS, key=notebooks._expected_seconds, reverse=True)
    assert [p.name for p in order] == sorted(expected, key=expected.get, reverse=True)


def test_malformed_notebook_is_named(tmp_path):
    path = tmp_path / "98_malformed.ipynb"
    path.write_text('{"cells": [ {"cell_type": "code"', encoding="utf-8")
    with pytest.raises(
        notebooks.NotebookError, match=r"98_malformed\.ipynb: not a valid Jupyter notebook"
    ):
        notebooks.read_notebook(path)


def test_unknown_notebook_name_lists_the_available_ones():
    with pytest.raises(notebooks.NotebookError, match=r"available: 00_getting_started\.ipynb"):
        notebooks.notebook_paths(["no-such-notebook"])
