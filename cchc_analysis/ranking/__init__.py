"""Which components drive ranking changes: ranks, score and rank-change decompositions.

Inputs are wide frames, one per year: index = unit codes (str), columns = components, values =
points or scores; optional ``weights`` (a Series by component, default 1 = the plain sum) and
``maxima``. The composite is the weighted sum. Rank 1 is best, ties share the best rank, a unit with
a missing component is unranked; a rank change is ``rank_t - rank_{t-1}`` (negative = moved up).

========================================  =====================================================
:func:`competition_rank`                  ranks of a Series, a DataFrame or many rankings at once
:func:`composite`                         the weighted sum every rank is computed from
:func:`score_change_decomposition`        exact score change by component, relative to the field,
                                          performance vs methodology
:func:`freeze_component_ranks`            ranks had one component stayed at last year's value
:func:`shapley_rank_attribution`          rank change split across components (Shapley values)
:func:`overtakes`                         pairs whose order flipped and the components that did it
:func:`points_to_overtake`                points needed on one component to climb 1, 3, 5 places
:func:`rank_stability`                    Kendall τ-b and Spearman ρ between consecutive years
:func:`rank_uncertainty`                  ranks under random weights, and sign stability
========================================  =====================================================

Compare years within one methodology era only; where components or weights changed, pass the old
recipe (``prev_weights``, ``prev_maxima``) so that the change is reported as methodology.

Frames loaded by the package (e.g. :func:`cchc_analysis.papi_wide`) carry their methodology
(:mod:`cchc_analysis.methodology`). The functions that compare two years
(:func:`shapley_rank_attribution`, :func:`score_change_decomposition`, :func:`overtakes`,
:func:`freeze_component_ranks`) then refuse years of different eras, index or level, report a
component whose composition changed as ``methodology:<code>`` with a
:class:`~cchc_analysis.MethodologyWarning`, and pass changed weights on as ``prev_weights``. Their
``breaks`` keyword chooses: ``"documented"`` (default with metadata), ``"screened"``, ``"ignore"``;
plain frames behave as without it. The choice is recorded on the result
(``RankAttribution.breaks``/``.relabelled``, or ``result.attrs["cchc_breaks"]``).
"""

from __future__ import annotations

from cchc_analysis.ranking.decomposition import freeze_component_ranks, score_change_decomposition
from cchc_analysis.ranking.pairs import overtakes, points_to_overtake
from cchc_analysis.ranking.ranks import competition_rank, composite
from cchc_analysis.ranking.shapley import RankAttribution, shapley_rank_attribution
from cchc_analysis.ranking.stability import rank_stability, rank_uncertainty

__all__ = [
    "RankAttribution",
    "competition_rank",
    "composite",
    "freeze_component_ranks",
    "overtakes",
    "points_to_overtake",
    "rank_stability",
    "rank_uncertainty",
    "score_change_decomposition",
    "shapley_rank_attribution",
]
