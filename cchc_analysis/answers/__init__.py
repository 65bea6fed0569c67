"""One call per research question, for any registered index (:mod:`cchc_analysis.indices`).

========================================  =====================================================
:func:`explain_rank_change`               why one unit's rank changed between two years
:func:`rank_drivers`                      which components drive rank movement over an era
:func:`province_profile`                  one province on one page: scores, ranks, drivers
:func:`map_recipe`                        express year a's parts on year b's recipe
:func:`set_noise_model`                   wire a survey-noise model into "how sure"
:func:`subcomponent_drivers`              inside one component: which parts move ranks
:func:`overtake_drivers`                  which component decided each overtake
:func:`weight_robustness`                 which rank changes survive random weights
:func:`stability_table`                   rank correlations between consecutive years
:func:`par_field_change`                  PAR national change by field, bounded where unknown
========================================  =====================================================
"""

from __future__ import annotations

from cchc_analysis.answers._common import set_noise_model
from cchc_analysis.answers.drivers import RankDrivers, rank_drivers
from cchc_analysis.answers.explain import RankChange, explain_rank_change, plot_rank_changes
from cchc_analysis.answers.overtakes import OvertakeDrivers, overtake_drivers
from cchc_analysis.answers.par_fields import ParFieldChange, field_change_bounds, par_field_change
from cchc_analysis.answers.profile import ProvinceProfile, province_profile
from cchc_analysis.answers.recipe import RecipePair, map_recipe
from cchc_analysis.answers.stability import plot_stability, stability_table
from cchc_analysis.answers.subdrivers import SubcomponentDrivers, subcomponent_drivers
from cchc_analysis.answers.weights import WeightRobustness, weight_robustness

__all__ = [
    "OvertakeDrivers",
    "ParFieldChange",
    "ProvinceProfile",
    "RankChange",
    "RankDrivers",
    "RecipePair",
    "SubcomponentDrivers",
    "WeightRobustness",
    "explain_rank_change",
    "field_change_bounds",
    "map_recipe",
    "overtake_drivers",
    "par_field_change",
    "plot_rank_changes",
    "plot_stability",
    "province_profile",
    "rank_drivers",
    "set_noise_model",
    "stability_table",
    "subcomponent_drivers",
    "weight_robustness",
]
