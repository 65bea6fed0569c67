"""Unit against unit: who overtook whom and why, and what it would take to climb."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cchc_analysis.errors import DataValidationError
from cchc_analysis.ranking._breaks import prepare, tag
from cchc_analysis.ranking._inputs import as_component_vector, as_wide
from cchc_analysis.ranking._transition import _sorted, transition
from cchc_analysis.ranking.ranks import canonical_sum, rank_last_axis


def overtakes(
    prev: pd.DataFrame, curr: pd.DataFrame, weights=None, *, breaks: str | None = None
) -> pd.DataFrame:
    """Every pair of units ranked in both years whose order flipped, with its gap split by component.

    A flip means the ``overtaken`` unit scored strictly higher in year t-1 and the ``overtaker``
    strictly higher in year t (moving into or out of a tie is not a flip). The gap is overtaker
    minus overtaken (negative before, positive after); ``gap_change_<component>`` splits its change
    exactly by component. ``decisive`` is the component that closed the largest share of the gap;
    ``necessary`` are the components without whose change the order would not have flipped;
    ``sufficient`` those whose change alone would have flipped it (both tested on the actual
    counterfactual composites, not on rounded differences). ``weights`` apply to both years.
    ``breaks``: as in :func:`~cchc_analysis.ranking.shapley_rank_attribution` (a relabelled
    component counts as ``methodology:<code>``), recorded in ``attrs["cchc_breaks"]``.
    """
    pr = prepare(prev, curr, breaks, weights)
    tr = transition(pr.prev, pr.curr, pr.weights, pr.prev_weights)
    names = [str(c) for c in tr.components]
    sp = tr.composite_prev.loc[tr.common].to_numpy()
    sc = tr.composite_curr.loc[tr.common].to_numpy()
    before, after = tr.parts[0][0], tr.parts[1][1]
    lost, won = np.nonzero((sp[:, None] > sp[None, :]) & (sc[:, None] < sc[None, :]))
    k = len(names)
    # composites with component j alone kept at t-1 (``kept``) or alone moved to t (``moved``)
    kept = np.broadcast_to(after, (k, *after.shape)).copy()
    moved = np.broadcast_to(before, (k, *before.shape)).copy()
    for j in range(k):
        kept[j, :, j] = before[:, j]
        moved[j, :, j] = after[:, j]
    kept_s, moved_s = canonical_sum(kept), canonical_sum(moved)  # (component, unit)
    necessary = ~(kept_s[:, won] > kept_s[:, lost])  # (component, pair)
    sufficient = moved_s[:, won] > moved_s[:, lost]
    delta = after - before
    gap_parts = delta[won] - delta[lost]  # (pair, component)
    rp = tr.rank_prev.loc[tr.common].to_numpy().astype(np.int64)
    rc = tr.rank_curr.loc[tr.common].to_numpy().astype(np.int64)
    units = tr.common.to_numpy()
    comp = np.array(names, dtype=object)
    out = pd.DataFrame(
        {
            "overtaker": units[won],
            "overtaken": units[lost],
            "rank_prev_overtaker": rp[won],
            "rank_prev_overtaken": rp[lost],
            "rank_curr_overtaker": rc[won],
            "rank_curr_overtaken": rc[lost],
            "gap_prev": sp[won] - sp[lost],
            "gap_curr": sc[won] - sc[lost],
            "decisive": comp[np.argmax(gap_parts, axis=1)],
            "necessary": [tuple(comp[necessary[:, i]]) for i in range(len(won))],
            "sufficient": [tuple(comp[sufficient[:, i]]) for i in range(len(won))],
        }
    )
    for j, name in enumerate(names):
        out[f"gap_change_{name}"] = gap_parts[:, j]
    order = np.lexsort((out["overtaken"], out["overtaker"], rc[lost], rc[won]))
    return tag(out.iloc[order].reset_index(drop=True), pr)


def points_to_overtake(
    curr: pd.DataFrame, unit, places=(1, 3, 5), maxima=None, weights=None
) -> pd.DataFrame:
    """Points ``unit`` needs on one component alone to gain each number of ``places``.

    To gain ``p`` places from rank ``r`` the unit must score strictly more than the unit at the
    ``(r-p)``-th place among the others (``target_unit``; with ties, the first by code). Ties are
    not enough: ``points_needed`` is the amount to *exceed* on the component, ``gap / weight``.
    ``headroom`` is the component's maximum minus the unit's value (unbounded without ``maxima``).
    ``status``: "feasible" (``points_needed < headroom``), "beyond headroom", "zero weight", or
    "no such rank" when fewer than ``p`` units are ahead. When units ahead are tied, passing the
    target can gain more than ``p`` places.
    """
    wide = as_wide(curr, "curr")
    comps = wide.columns
    w = as_component_vector(weights, comps, "weights", default=1.0, positive=False)
    top = as_component_vector(maxima, comps, "maxima", default=np.inf, positive=True)
    if unit not in wide.index:
        raise KeyError(f"unit {unit!r} is not in the scores; units are e.g. {list(wide.index[:5])}")
    scores = pd.Series(canonical_sum(wide.to_numpy() * w), index=wide.index)
    if np.isnan(scores[unit]):
        missing = list(comps[wide.loc[unit].isna().to_numpy()])
        raise DataValidationError(
            "curr", "the unit is ranked", [unit], f"it has no value for {missing}"
        )
    x = wide.loc[unit].to_numpy()
    over = x > top
    if over.any():
        raise DataValidationError(
            "curr", "values within the maxima", [unit], f"above the maximum on {list(comps[over])}"
        )
    others = _sorted(scores.index[scores.notna() & (scores.index != unit)])
    other_scores = scores.loc[others].to_numpy()
    order = np.lexsort((np.arange(len(others)), -other_scores))  # best first, then by code
    rank = int(rank_last_axis(np.append(other_scores, scores[unit]))[-1])
    rows = []
    for p in places:
        if int(p) != p or p < 1:
            raise ValueError(f"places must be positive integers, got {p!r}")
        target = rank - int(p)
        if target >= 1:
            pos = order[target - 1]
            target_unit, target_score = others[pos], other_scores[pos]
            gap = target_score - scores[unit]
        else:
            target_unit, target_score, gap = None, np.nan, np.nan
        for j, comp in enumerate(comps):
            headroom = top[j] - x[j]
            if target < 1:
                needed, status = np.nan, "no such rank"
            elif w[j] == 0:
                needed, status = np.inf, "zero weight"
            else:
                needed = gap / w[j]
                status = "feasible" if needed < headroom else "beyond headroom"
            head = (int(p), target if target >= 1 else np.nan, target_unit, target_score, gap)
            rows.append((*head, comp, x[j], top[j], headroom, needed, status == "feasible", status))
    cols = ["places", "target_rank", "target_unit", "target_score", "gap", "component"]
    cols += ["value", "maximum", "headroom", "points_needed", "feasible", "status"]
    out = pd.DataFrame(rows, columns=cols)
    out.insert(0, "rank", rank)
    out.insert(0, "unit", unit)
    return out
