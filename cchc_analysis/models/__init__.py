"""The regression ladder for the province-year panel of online-service uptake and satisfaction.

Always associational: binned scatters and LOWESS, pooled OLS, two-way fixed effects, first
differences, lagged exposure and a fractional logit, with province-clustered errors, wild
cluster bootstrap p-values and Benjamini-Hochberg q-values across a family of outcomes ×
exposures named by PAPI component codes::

    from cchc_analysis import load_papi
    from cchc_analysis.models import build_panel, fit_family

    panel = build_panel(load_papi(), exposures=["D8.1"], outcomes=["D5", "D6"], controls=["D8.2"],
                        years=range(2018, 2025))
    table = fit_family(panel, outcomes=["D5", "D6"], exposures=["D8.1"])

Modules: ``panel`` (the panel and PAPI's composition flags), ``design`` (each model's estimation
sample and design matrix), ``ladder`` (the estimators and the results table), ``inference``
(bootstrap), ``figure_data`` (binned scatter, LOWESS), ``pairs`` (many pairs at once, one result
as a sentence), ``segments`` (fixed effects split at level-shift years), ``contrasts`` (is a
slope specific to one outcome? differences of slopes, within-province spread, slopes per SD,
lags), ``influence`` (does a slope rest on one unit?).
"""

from __future__ import annotations

from cchc_analysis._lazy import lazy_exports

# public name -> submodule; loaded on first use, so that asking for COMPOSITION_BREAKS does not
# import statsmodels (the estimators' modules do).
_EXPORTS = {
    "ModelInputError": "_checks",
    "FEW_CLUSTERS": "design",
    "MIN_CLUSTERS": "design",
    "MODELS": "design",
    "binned_scatter": "figure_data",
    "lowess_curve": "figure_data",
    "residualize": "figure_data",
    "BOOT_WEIGHTS": "inference",
    "boot_weights": "inference",
    "cr1_factor": "inference",
    "score_bootstrap": "inference",
    "wild_cluster_bootstrap": "inference",
    "RESULT_COLUMNS": "ladder",
    "MechanicalOverlapWarning": "ladder",
    "add_q_values": "ladder",
    "fit_family": "ladder",
    "fit_ladder": "ladder",
    "SKIPPED_COLUMNS": "pairs",
    "describe": "pairs",
    "fit_pairs": "pairs",
    "format_ci": "pairs",
    "format_p": "pairs",
    "result_row": "pairs",
    "AVAILABILITY_FLAGS": "panel",
    "COMPOSITION_BREAKS": "panel",
    "ERAS": "panel",
    "CompositionBreak": "panel",
    "YearFlag": "panel",
    "breaks_within": "panel",
    "build_panel": "panel",
    "mechanical_overlap": "panel",
    "to_share": "panel",
    "SEGMENT_COLUMNS": "segments",
    "twfe_by_segment": "segments",
    "DIFFERENCE_COLUMNS": "contrasts",
    "PER_SD_COLUMNS": "contrasts",
    "add_lag": "contrasts",
    "per_sd": "contrasts",
    "slope_differences": "contrasts",
    "within_sd": "contrasts",
    "INFLUENCE_COLUMNS": "influence",
    "ols_without_most_influential": "influence",
}

__all__ = [
    "AVAILABILITY_FLAGS",
    "BOOT_WEIGHTS",
    "COMPOSITION_BREAKS",
    "DIFFERENCE_COLUMNS",
    "ERAS",
    "FEW_CLUSTERS",
    "INFLUENCE_COLUMNS",
    "MIN_CLUSTERS",
    "MODELS",
    "PER_SD_COLUMNS",
    "RESULT_COLUMNS",
    "SEGMENT_COLUMNS",
    "SKIPPED_COLUMNS",
    "CompositionBreak",
    "MechanicalOverlapWarning",
    "ModelInputError",
    "YearFlag",
    "add_lag",
    "add_q_values",
    "binned_scatter",
    "boot_weights",
    "breaks_within",
    "build_panel",
    "cr1_factor",
    "describe",
    "fit_family",
    "fit_ladder",
    "fit_pairs",
    "format_ci",
    "format_p",
    "lowess_curve",
    "mechanical_overlap",
    "ols_without_most_influential",
    "per_sd",
    "residualize",
    "result_row",
    "score_bootstrap",
    "slope_differences",
    "to_share",
    "twfe_by_segment",
    "wild_cluster_bootstrap",
    "within_sd",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
