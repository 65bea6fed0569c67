"""Score changes split by component, and "freeze one component" counterfactual ranks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cchc_analysis.methodology import METHODOLOGY_PREFIX
from cchc_analysis.ranking._breaks import prepare, tag
from cchc_analysis.ranking._transition import transition
from cchc_analysis.ranking.ranks import canonical_sum, rank_last_axis


def score_change_decomposition(
    prev: pd.DataFrame,
    curr: pd.DataFrame,
    weights=None,
    *,
    prev_weights=None,
    maxima=None,
    prev_maxima=None,
    split: str = "midpoint",
    breaks: str | None = None,
) -> pd.DataFrame:
    """Each unit's composite change split exactly by component, also relative to the field.

    One row per (unit ranked in both years, component):

    ``contribution``
        ``w_t·x_t - w_{t-1}·x_{t-1}``; a unit's contributions add up to its composite change.
    ``relative_contribution``
        the contribution minus the mean contribution of all units ranked in both years; a unit's
        relative contributions add up to its change minus the field's mean change, which is what
        moves ranks.
    ``performance`` + ``methodology`` = ``contribution``
        When weights or maxima differ between the years (``prev_weights``, ``prev_maxima``),
        performance is the change in the share of the maximum, ``a = x / max``, valued at the
        recipe ``β = w · max``: with ``split="midpoint"`` at the mean of both years' recipes,
        ``(β_{t-1}+β_t)/2 · Δa`` (symmetric in time), with ``split="prev"`` at last year's,
        ``β_{t-1} · Δa``. Methodology is the rest, ``Δβ · (a_{t-1}+a_t)/2`` or ``Δβ · a_t``. With
        an unchanged recipe, performance is the contribution and methodology is 0.
    ``relative_performance``, ``relative_methodology``
        the same, minus the field's mean.

    Only units ranked in both years appear (a change needs both years); the field means are over
    them. The sums are exact in real arithmetic; in floating point they agree with the change of the
    composites to a few units in the last place (far below ``1e-12`` for scores of order 100).

    ``breaks`` handles components whose composition changed, as in
    :func:`~cchc_analysis.ranking.shapley_rank_attribution`: a relabelled component is the row
    ``methodology:<code>``, its whole contribution under ``methodology`` and none under
    ``performance``; the choice is recorded in ``result.attrs["cchc_breaks"]``.

    >>> import cchc_analysis as cc
    >>> d = cc.score_change_decomposition(cc.papi_wide(2023), cc.papi_wide(2024))
    >>> sorted(d["component"].unique())[:2]
    ['D1', 'D2']
    """
    if split not in ("midpoint", "prev"):
        raise ValueError(f"split must be 'midpoint' or 'prev', got {split!r}")
    pr = prepare(prev, curr, breaks, weights, prev_weights, maxima=maxima, prev_maxima=prev_maxima)
    tr = transition(pr.prev, pr.curr, pr.weights, pr.prev_weights, **pr.keyed)
    xp = tr.prev.loc[tr.common].to_numpy()
    xc = tr.curr.loc[tr.common].to_numpy()
    contribution = tr.parts[1][1] - tr.parts[0][0]
    r = tr.recipe
    if r.changed:
        beta_p, beta_c = r.w_prev * r.m_prev, r.w_curr * r.m_curr
        share_change = xc / r.m_curr - xp / r.m_prev
        at = (beta_p + beta_c) / 2 if split == "midpoint" else beta_p
        performance = at * share_change
        methodology = contribution - performance
    else:
        performance = contribution
        methodology = np.zeros_like(contribution)
    relabelled = np.array([str(c).startswith(METHODOLOGY_PREFIX) for c in tr.components])
    if relabelled.any():  # a re-composed component's whole change is methodology
        methodology = np.where(relabelled, contribution, methodology)
        performance = np.where(relabelled, 0.0, performance)
    n, k = contribution.shape
    out = pd.DataFrame(
        {
            "unit": np.repeat(tr.common.to_numpy(), k),
            "component": np.tile(tr.components.to_numpy(), n),
            "value_prev": xp.ravel(),
            "value_curr": xc.ravel(),
            "contribution": contribution.ravel(),
            "performance": performance.ravel(),
            "methodology": methodology.ravel(),
        }
    )
    for name, arr in (
        ("contribution", contribution),
        ("performance", performance),
        ("methodology", methodology),
    ):
        out[f"relative_{name}"] = (arr - arr.mean(axis=0)).ravel()
    return tag(out, pr)


def freeze_component_ranks(
    prev: pd.DataFrame, curr: pd.DataFrame, weights=None, *, breaks: str | None = None
) -> pd.DataFrame:
    """Year-t ranks had one component stayed at its year-(t-1) value, one row per (unit, component).

    ``rank_frozen_field``: that component frozen for every unit ranked in both years at once (units
    not ranked in year t-1 have nothing to freeze and keep their year-t values);
    ``rank_frozen_own``: frozen for the unit alone, everyone else as published in year t.
    ``effect_field``/``effect_own`` = ``rank_curr - rank_frozen``: the places the component's change
    was worth (negative = it moved the unit up). These are one-at-a-time effects: unlike Shapley
    values they need not add up to the rank change. ``weights`` (a Series by component) apply to
    both years; rows cover the units ranked in both years. ``breaks``: as in
    :func:`~cchc_analysis.ranking.shapley_rank_attribution`, recorded in ``attrs["cchc_breaks"]``.
    """
    pr = prepare(prev, curr, breaks, weights)
    tr = transition(pr.prev, pr.curr, pr.weights, pr.prev_weights)
    p, c = tr.prev, tr.curr
    w = tr.recipe.w_curr
    ranked = tr.rank_curr.index[tr.rank_curr.notna()]
    parts = c.loc[ranked].to_numpy() * w
    scores = canonical_sum(parts)
    rows = ranked.get_indexer(tr.common)
    k = len(tr.components)
    frozen = np.broadcast_to(parts, (k, *parts.shape)).copy()  # (component, unit, component)
    old = p.loc[tr.common].to_numpy() * w
    for j in range(k):
        frozen[j, rows, j] = old[:, j]
    frozen_scores = canonical_sum(frozen)  # (component, unit)
    field = rank_last_axis(frozen_scores)[:, rows]
    mine = frozen_scores[:, rows]
    ahead = len(ranked) - np.searchsorted(np.sort(scores), mine, side="right")
    ahead -= scores[rows][None, :] > mine
    own = 1 + ahead
    rank_prev = tr.rank_prev.loc[tr.common].to_numpy().astype(np.int64)
    rank_curr = tr.rank_curr.loc[tr.common].to_numpy().astype(np.int64)
    n = len(tr.common)
    out = pd.DataFrame(
        {
            "unit": np.repeat(tr.common.to_numpy(), k),
            "component": np.tile(tr.components.to_numpy(), n),
            "rank_prev": np.repeat(rank_prev, k),
            "rank_curr": np.repeat(rank_curr, k),
            "rank_frozen_field": field.T.ravel(),
            "rank_frozen_own": own.T.ravel(),
        }
    )
    out["effect_field"] = out["rank_curr"] - out["rank_frozen_field"]
    out["effect_own"] = out["rank_curr"] - out["rank_frozen_own"]
    return tag(out, pr)
