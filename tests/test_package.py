"""The package root exposes its helpers lazily and every exported name resolves."""

from __future__ import annotations

import subprocess
import sys

import pytest

import cchc_analysis as cc


@pytest.mark.parametrize("name", [n for n in cc.__all__ if n != "__version__"])
def test_every_export_resolves(name):
    assert getattr(cc, name) is not None


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_helper"):
        cc.no_such_helper  # noqa: B018


def test_import_is_lazy():
    """Importing the package must not pull in the heavy modules (pandas, matplotlib, statsmodels)."""
    code = (
        "import sys, cchc_analysis; "
        "print(sorted(m for m in ('pandas', 'matplotlib', 'statsmodels', 'pandera') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_provinces_is_both_module_and_function():
    import cchc_analysis.provinces  # noqa: F401  (binds the submodule on the package)

    assert len(cc.provinces()) == 63
    assert len(cc.provinces(era="2025-")) == 34
    assert cc.provinces.normalize_province("Hà Nội").code == "01"
