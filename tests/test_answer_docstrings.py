"""The runnable examples in the docstrings of the ranking core and the one-call answers run."""

from __future__ import annotations

import doctest
import importlib

import matplotlib.pyplot as plt
import pytest

MODULES = [
    "cchc_analysis.methodology",
    "cchc_analysis.indices",
    "cchc_analysis.answers._common",
    "cchc_analysis.answers.drivers",
    "cchc_analysis.answers.explain",
    "cchc_analysis.answers.profile",
    "cchc_analysis.answers.recipe",
    "cchc_analysis.answers.subdrivers",
    "cchc_analysis.answers.overtakes",
    "cchc_analysis.answers.weights",
    "cchc_analysis.answers.stability",
    "cchc_analysis.answers.par_fields",
    "cchc_analysis.outputs",
    "cchc_analysis.ranking.decomposition",
    "cchc_analysis.sources.papi",
    "cchc_analysis.sources.pci_index",
    "cchc_analysis.sources.qd766_index",
    "cchc_analysis.bridge",
]


@pytest.mark.slow
@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    plt.close("all")
    assert result.failed == 0
    assert result.attempted > 0
