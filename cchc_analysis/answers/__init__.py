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

from cchc_analysis._lazy import lazy_exports

_EXPORTS = {
    "set_noise_model": "_common",
    "RankDrivers": "drivers",
    "rank_drivers": "drivers",
    "RankChange": "explain",
    "explain_rank_change": "explain",
    "plot_rank_changes": "explain",
    "OvertakeDrivers": "overtakes",
    "overtake_drivers": "overtakes",
    "ParFieldChange": "par_fields",
    "field_change_bounds": "par_fields",
    "par_field_change": "par_fields",
    "ProvinceProfile": "profile",
    "province_profile": "profile",
    "RecipePair": "recipe",
    "map_recipe": "recipe",
    "plot_stability": "stability",
    "stability_table": "stability",
    "SubcomponentDrivers": "subdrivers",
    "subcomponent_drivers": "subdrivers",
    "WeightRobustness": "weights",
    "weight_robustness": "weights",
}

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

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
