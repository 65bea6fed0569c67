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

from cchc_analysis.answers._common import set_noise_model
from cchc_analysis.answers.drivers import RankDrivers, rank_drivers
from cchc_analysis.answers.explain import RankChange, explain_rank_change
from cchc_analysis.answers.profile import ProvinceProfile, province_profile
from cchc_analysis.answers.recipe import RecipePair, map_recipe

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
