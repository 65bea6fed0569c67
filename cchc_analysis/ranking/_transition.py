"""Two years of scores prepared once: checked, aligned, composites, ranks and the common units."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cchc_analysis.errors import DataValidationError
from cchc_analysis.ranking._inputs import Methodology, align_years, methodology
from cchc_analysis.ranking.ranks import canonical_sum, competition_rank


@dataclass(frozen=True)
class Transition:
    """Year t-1 → year t. ``parts[p][r]`` are the weighted parts of the units ranked in both years
    with performance of year ``p`` (0 = t-1, 1 = t) under the recipe (weights, maxima) of year ``r``.

    Performance is the share of the maximum, ``x / max``, and a recipe's part is
    ``weight · max · share``; with unchanged maxima this is simply ``weight · x``. The two
    "pure" mixes (``parts[0][0]`` and ``parts[1][1]``) are computed as ``weight · x`` so that they
    reproduce the published composites to the bit.
    """

    prev: pd.DataFrame
    curr: pd.DataFrame
    recipe: Methodology
    composite_prev: pd.Series
    composite_curr: pd.Series
    rank_prev: pd.Series
    rank_curr: pd.Series
    common: pd.Index
    parts: tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

    @property
    def components(self) -> pd.Index:
        return self.prev.columns

    def unmatched(self) -> pd.DataFrame:
        """Units ranked in at most one of the two years, with the rank they have and why."""
        units = self.rank_prev.index.union(self.rank_curr.index, sort=False)
        units = _sorted(units.difference(self.common, sort=False))
        rp = self.rank_prev.reindex(units)
        rc = self.rank_curr.reindex(units)
        status = np.select(
            [rp.notna() & rc.isna(), rp.isna() & rc.notna()], ["exited", "entered"], "unranked"
        )
        out = pd.DataFrame({"rank_prev": rp, "rank_curr": rc, "status": status}, index=units)
        out.index.name = "unit"
        return out


def transition(
    prev, curr, weights=None, prev_weights=None, maxima=None, prev_maxima=None
) -> Transition:
    """Check and prepare two years of wide scores (see :class:`Transition`)."""
    p, c = align_years(prev, curr)
    recipe = methodology(p.columns, weights, prev_weights, maxima, prev_maxima)
    comp_p = pd.Series(canonical_sum(p.to_numpy() * recipe.w_prev), index=p.index, name="composite")
    comp_c = pd.Series(canonical_sum(c.to_numpy() * recipe.w_curr), index=c.index, name="composite")
    rank_p = competition_rank(comp_p)
    rank_c = competition_rank(comp_c)
    common = _sorted(rank_p.index[rank_p.notna()].intersection(rank_c.index[rank_c.notna()]))
    common = common.rename("unit")
    if len(common) == 0:
        empty = [
            f"{col} ({year})"
            for year, w in (("t-1", p), ("t", c))
            for col in w.columns[w.isna().all()]
        ]
        hint = f"components with no values at all: {empty}" if empty else "check the unit codes"
        raise DataValidationError(
            "prev/curr",
            "at least one unit ranked in both years",
            detail=f"no unit has a complete set of components in both years; {hint}",
        )
    xp = p.loc[common].to_numpy()
    xc = c.loc[common].to_numpy()
    pure_prev = xp * recipe.w_prev
    pure_curr = xc * recipe.w_curr
    if recipe.changed:
        # a recipe's part of a performance: weight · max(recipe) · x / max(performance year)
        prev_recipe_curr_perf = xc / recipe.m_curr * (recipe.w_prev * recipe.m_prev)
        curr_recipe_prev_perf = xp / recipe.m_prev * (recipe.w_curr * recipe.m_curr)
    else:
        prev_recipe_curr_perf, curr_recipe_prev_perf = pure_curr, pure_prev
    return Transition(
        prev=p,
        curr=c,
        recipe=recipe,
        composite_prev=comp_p,
        composite_curr=comp_c,
        rank_prev=rank_p,
        rank_curr=rank_c,
        common=common,
        parts=((pure_prev, curr_recipe_prev_perf), (prev_recipe_curr_perf, pure_curr)),
    )


def _sorted(index: pd.Index) -> pd.Index:
    """Units in code order, so that results do not depend on the input's row order."""
    try:
        return index.sort_values()
    except TypeError:  # mixed, unorderable codes: fall back on their text
        return index[np.argsort(index.astype(str), kind="stable")]
