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
as a sentence), ``segments`` (fixed effects split at level-shift years).
"""

from __future__ import annotations

from cchc_analysis.models._checks import ModelInputError
from cchc_analysis.models.design import FEW_CLUSTERS, MIN_CLUSTERS, MODELS
from cchc_analysis.models.figure_data import binned_scatter, lowess_curve, residualize
from cchc_analysis.models.inference import (
    BOOT_WEIGHTS,
    boot_weights,
    cr1_factor,
    score_bootstrap,
    wild_cluster_bootstrap,
)
from cchc_analysis.models.ladder import (
    RESULT_COLUMNS,
    MechanicalOverlapWarning,
    add_q_values,
    fit_family,
    fit_ladder,
)
from cchc_analysis.models.pairs import (
    SKIPPED_COLUMNS,
    describe,
    fit_pairs,
    format_p,
    result_row,
)
from cchc_analysis.models.panel import (
    AVAILABILITY_FLAGS,
    COMPOSITION_BREAKS,
    ERAS,
    CompositionBreak,
    YearFlag,
    breaks_within,
    build_panel,
    mechanical_overlap,
    to_share,
)
from cchc_analysis.models.segments import SEGMENT_COLUMNS, twfe_by_segment

__all__ = [
    "AVAILABILITY_FLAGS",
    "BOOT_WEIGHTS",
    "COMPOSITION_BREAKS",
    "ERAS",
    "FEW_CLUSTERS",
    "MIN_CLUSTERS",
    "MODELS",
    "RESULT_COLUMNS",
    "SEGMENT_COLUMNS",
    "SKIPPED_COLUMNS",
    "CompositionBreak",
    "MechanicalOverlapWarning",
    "ModelInputError",
    "YearFlag",
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
    "format_p",
    "lowess_curve",
    "mechanical_overlap",
    "residualize",
    "result_row",
    "score_bootstrap",
    "to_share",
    "twfe_by_segment",
    "wild_cluster_bootstrap",
]
