"""One call per research question, for any registered index (:mod:`cchc_analysis.indices`).

========================================  =====================================================
:func:`explain_rank_change`               why one unit's rank changed between two years
:func:`rank_drivers`                      which components account for rank movement in an era
:func:`province_profile`                  one province on one page: scores, ranks, drivers
:func:`map_recipe`                        express year a's parts on year b's recipe
:func:`set_noise_model`                   wire a survey-noise model into "how sure"
:func:`subcomponent_drivers`              inside one component: which parts move ranks
:func:`overtake_drivers`                  which component accounts for each overtake
:func:`weight_robustness`                 which rank changes survive random weights
:func:`stability_table`                   rank correlations between consecutive years
:func:`par_field_change`                  PAR national change by field, bounded where unknown
:func:`pci_era_shares`                    PCI: shares of rank movement by weighting era and break
:func:`compare_rank_drivers`              two indices' shares of rank movement, same transitions
:func:`rank_agreement`                    do two indices rank the provinces alike (Spearman)
:func:`pci_total_check`                   PCI published totals vs weighted sums of sub-indices
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
    "PCI_PAPI_THEMES": "pci_papi",
    "EraShares": "pci_papi",
    "MovementComparison": "pci_papi",
    "RankAgreement": "pci_papi",
    "TotalCheck": "pci_papi",
    "compare_rank_drivers": "pci_papi",
    "movement_shares": "pci_papi",
    "pci_era_shares": "pci_papi",
    "pci_total_check": "pci_papi",
    "pci_weight_table": "pci_papi",
    "rank_agreement": "pci_papi",
    "within_era_transitions": "pci_papi",
    "weight_shares": "pci_papi",
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
    "PCI_PAPI_THEMES",
    "EraShares",
    "MovementComparison",
    "OvertakeDrivers",
    "ParFieldChange",
    "ProvinceProfile",
    "RankAgreement",
    "RankChange",
    "RankDrivers",
    "RecipePair",
    "SubcomponentDrivers",
    "TotalCheck",
    "WeightRobustness",
    "compare_rank_drivers",
    "explain_rank_change",
    "field_change_bounds",
    "map_recipe",
    "movement_shares",
    "overtake_drivers",
    "par_field_change",
    "pci_era_shares",
    "pci_total_check",
    "pci_weight_table",
    "plot_rank_changes",
    "plot_stability",
    "province_profile",
    "rank_agreement",
    "rank_drivers",
    "set_noise_model",
    "stability_table",
    "subcomponent_drivers",
    "weight_robustness",
    "weight_shares",
    "within_era_transitions",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
