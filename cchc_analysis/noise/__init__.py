"""Signal or noise: how much of a unit's score and rank movement is real (issue 10).

PAPI scores are survey estimates from a sample re-drawn every year, so part of every year-to-year
movement is sampling noise. This package estimates the noise from the panel itself and turns it
into statements about ranks and rank changes.

========================================  =====================================================
:func:`estimate_noise`                    signal variance, persistence, noise, reliability of one
                                          component in one break-free window (bootstrap CIs)
:func:`posterior_draws`                   empirical-Bayes draws of the true scores (all years)
:func:`posterior_ranks`                   per year: posterior rank intervals
:func:`posterior_rank_changes`            per unit and transition: P(moved up), P(sign), interval
:func:`rank_confidence_sets`              Mogstad-Romano-Shaikh-Wilhelm marginal/simultaneous sets
:func:`rank_change_confidence`            a confidence set for each unit's rank change
:func:`signal_share_of_movement`          share of Shapley rank movement beyond noise
:func:`noise_table`                       PAPI: per dimension and era, reliability and shares
:func:`how_sure`                          one-line answer: did this province really move?
:func:`rank_change_evidence`              the numbers behind it (for other reports)
:func:`simulate_panel`                    SIMULATED PAPI-shaped panels for validation
========================================  =====================================================

Breaks come from one function, :func:`cchc_analysis.noise.breaks.composition_breaks`.
"""

from __future__ import annotations

from cchc_analysis._lazy import lazy_exports

_LAZY = {
    "estimate_noise": "estimate",
    "NoiseModel": "estimate",
    "score_panel": "panel",
    "ScorePanel": "panel",
    "WindowError": "breaks",
    "composition_breaks": "breaks",
    "break_free_windows": "breaks",
    "posterior_draws": "posterior",
    "posterior_ranks": "posterior",
    "posterior_rank_changes": "posterior",
    "rank_confidence_sets": "confidence_sets",
    "rank_change_confidence": "confidence_sets",
    "signal_share_of_movement": "movement",
    "noise_table": "answers",
    "how_sure": "answers",
    "rank_change_evidence": "answers",
    "noise_model_for": "answers",
    "simulate_panel": "simulate",
}

__all__ = sorted(_LAZY)

__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
