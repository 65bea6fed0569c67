"""One call per research question, for any registered index (:mod:`cchc_analysis.indices`).

========================================  =====================================================
:func:`explain_rank_change`               why one unit's rank changed between two years
:func:`rank_drivers`                      which components drive rank movement over an era
:func:`province_profile`                  one province on one page: scores, ranks, drivers
:func:`map_recipe`                        express year a's parts on year b's recipe
:func:`set_noise_model`                   wire a survey-noise model into "how sure"
========================================  =====================================================
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "set_noise_model": "_common",
    "RankDrivers": "drivers",
    "rank_drivers": "drivers",
    "RankChange": "explain",
    "explain_rank_change": "explain",
    "ProvinceProfile": "profile",
    "province_profile": "profile",
    "RecipePair": "recipe",
    "map_recipe": "recipe",
}

__all__ = [
    "ProvinceProfile",
    "RankChange",
    "RankDrivers",
    "RecipePair",
    "explain_rank_change",
    "map_recipe",
    "province_profile",
    "rank_drivers",
    "set_noise_model",
]


def __getattr__(name: str):
    # Lazy, like the package root: importing one submodule never imports its siblings, so the
    # submodules can use each other without an import cycle through this file.
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
