"""The headless runner starts kernels with single-threaded BLAS (see notebooks.KERNEL_THREADS)."""

from __future__ import annotations

import os

import pytest

from cchc_analysis import notebooks


def _nbformat():
    # Imported by the tests that use it, not at collection, and as the runner imports it (without
    # the slow optional module: notebooks.import_nbformat).
    return notebooks.import_nbformat()


@pytest.mark.slow
def test_kernel_runs_headless_with_blas_single_threaded_and_the_parent_is_left_alone(tmp_path):
    before = {k: os.environ.get(k) for k in notebooks.KERNEL_THREADS}
    nb = _nbformat().v4.new_notebook()
    nb.cells = [
        _nbformat().v4.new_code_cell(
            "import os\nprint([os.environ.get(k) for k in "
            "['OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS']])"
        ),
        # the default backend is headless: a figure shown is not kept in the executed copy
        _nbformat().v4.new_code_cell(
            "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()"
        ),
    ]
    path = tmp_path / "96_threads.ipynb"
    _nbformat().write(nb, path)
    executed = notebooks.run_notebook(path, timeout=120)
    assert executed.cells[0].outputs[0]["text"].strip() == "['1', '1', '1']"
    assert not any("image/png" in o.get("data", {}) for o in executed.cells[1].outputs)
    assert {k: os.environ.get(k) for k in notebooks.KERNEL_THREADS} == before
