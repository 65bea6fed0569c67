"""Competition ranks and the weighted-sum composite, for one ranking or thousands at once.

Two conventions hold everywhere in :mod:`cchc_analysis.ranking`:

* rank 1 is best; tied scores share the best of their places ("1, 2, 2, 4"); a missing score is
  unranked (NaN), as a province with a missing dimension has no published rank;
* a composite is summed in a canonical order (its weighted parts sorted ascending), so that it
  depends only on the set of parts and not on the column order. Two units, or two counterfactual
  mixes, built from the same parts then get bit-identical scores, and ties stay ties.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cchc_analysis.ranking._inputs import as_component_vector, as_wide


def competition_rank(scores, *, higher_is_better: bool = True, axis: int = -1):
    """Competition ranks ("min" method): 1 = best, ties share the best rank, missing = NaN.

    ``scores`` may be a Series (returns a Series), a DataFrame (each column ranked on its own, as
    pandas does) or an array (each 1-D slice along ``axis`` ranked on its own, vectorised: a
    ``(draws, units)`` array gives one ranking per draw). Ranks are returned as float64 so that
    unranked units can be NaN.
    """
    if isinstance(scores, pd.Series):
        _check_numeric(scores.dtype)
        values = scores.to_numpy(dtype=float, na_value=np.nan)
        ranks = rank_last_axis(values, higher_is_better=higher_is_better)
        return pd.Series(ranks.astype(float), index=scores.index, name="rank")
    if isinstance(scores, pd.DataFrame):
        checked = as_wide(scores, "scores")
        ranks = rank_last_axis(checked.to_numpy().T, higher_is_better=higher_is_better)
        return pd.DataFrame(ranks.T.astype(float), index=scores.index, columns=scores.columns)
    arr = np.asarray(scores)
    _check_numeric(arr.dtype)
    moved = np.moveaxis(arr.astype(float), axis, -1)
    ranks = rank_last_axis(moved, higher_is_better=higher_is_better).astype(float)
    return np.moveaxis(ranks, -1, axis)


def _check_numeric(dtype) -> None:
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        raise TypeError(f"scores must be numbers, got dtype {dtype}; parse them into numbers first")


def rank_last_axis(scores: np.ndarray, *, higher_is_better: bool = True) -> np.ndarray:
    """Competition ranks along the last axis; int64 when nothing is missing, else float with NaN.

    One sort per ranking: after sorting, a score's rank is one plus the position where its run of
    equal scores starts, i.e. one plus the number of strictly better scores.
    """
    a = np.asarray(scores, dtype=float)
    if a.size == 0:
        return np.zeros(a.shape, dtype=np.int64)
    n = a.shape[-1]
    flat = a.reshape(-1, n)
    key = -flat if higher_is_better else flat  # NaN sorts last either way
    order = np.argsort(key, axis=1)
    ordered = np.take_along_axis(flat, order, axis=1)
    starts = np.empty(ordered.shape, dtype=bool)
    starts[:, 0] = True
    np.not_equal(ordered[:, 1:], ordered[:, :-1], out=starts[:, 1:])
    first = np.where(starts, np.arange(n), 0)
    np.maximum.accumulate(first, axis=1, out=first)
    ranks = np.empty_like(first)
    np.put_along_axis(ranks, order, first + 1, axis=1)
    ranks = ranks.reshape(a.shape)
    missing = np.isnan(a)
    if missing.any():
        ranks = ranks.astype(float)
        ranks[missing] = np.nan
    return ranks


def canonical_sum(parts: np.ndarray) -> np.ndarray:
    """Sum along the last axis in ascending order of the parts (see the module docstring).

    NaN in any part gives NaN. Summation is sequential so the rounding is the same for every
    caller: the composite of a unit and the same unit inside a counterfactual mix agree to the bit.
    """
    ordered = np.sort(parts, axis=-1)
    total = ordered[..., 0].copy()
    for k in range(1, ordered.shape[-1]):
        total += ordered[..., k]
    return total


def composite(wide: pd.DataFrame, weights=None) -> pd.Series:
    """Weighted sum of the components for each unit (NaN when any component is missing).

    ``weights`` is a Series (or dict) indexed by component; the default 1 gives the plain sum, as in
    PAPI (total = sum of dimensions). This is the score every rank in this package is computed from.
    """
    checked = as_wide(wide, "wide scores")
    w = as_component_vector(weights, checked.columns, "weights", default=1.0, positive=False)
    total = canonical_sum(checked.to_numpy() * w)
    return pd.Series(total, index=checked.index, name="composite")
