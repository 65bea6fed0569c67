"""Lazy exports for the package and its sub-packages: names resolve to submodules on first use.

``import cchc_analysis`` stays cheap (see ``benchmarks/``), and a submodule importing a sibling
never runs the other siblings' imports, so there is no import cycle through an ``__init__``::

    __getattr__, __dir__ = lazy_exports(__name__, {"load_papi": "sources.papi"})
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping


def lazy_exports(
    package: str, exports: Mapping[str, str]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """Module-level ``__getattr__`` and ``__dir__`` resolving ``exports`` (name -> submodule)."""

    def __getattr__(name: str) -> object:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    def __dir__() -> list[str]:
        namespace = vars(sys.modules[package])
        return sorted(set(namespace) | set(namespace.get("__all__", ())))

    return __getattr__, __dir__
