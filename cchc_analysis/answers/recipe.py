"""Hold a re-composed component's parts fixed: year a's parts expressed on year b's recipe.

When a component keeps the same survey items but its maxima change (PAPI D5 in 2020→2021: four
parts of up to 2.5 become three of up to 10/3, construction permits dropped), its change need not be
labelled methodology wholesale (the default of the ranking functions). :func:`map_recipe` opens the
component into its parts and passes the change of recipe as weights and maxima, so that the ranking
functions report each part's performance (its share of the maximum) and one ``methodology`` player
for the switch of recipe. A dropped part keeps its year-a value in year b with weight 0 there: no
performance change by construction, and the year-b composite is exactly the published one.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import pandas as pd

from cchc_analysis.errors import CchcDataError
from cchc_analysis.indices import get_index
from cchc_analysis.methodology import METHODOLOGY_PREFIX, MethodologyWarning, methodology_of
from cchc_analysis.ranking._breaks import prepare

__all__ = ["RecipePair", "map_recipe"]


@dataclass(frozen=True)
class RecipePair:
    """Two plain frames and the recipes to pass on: ``shapley_rank_attribution(pair.prev,
    pair.curr, **pair.kwargs)`` (also ``score_change_decomposition``). ``parts``: the opened
    component's parts; ``dropped``: parts held at year a; ``relabelled``: other components
    reported as ``methodology:<code>`` in the same transition."""

    prev: pd.DataFrame
    curr: pd.DataFrame
    weights: pd.Series
    prev_weights: pd.Series
    maxima: pd.Series
    prev_maxima: pd.Series
    component: str
    parts: tuple[str, ...]
    dropped: tuple[str, ...]
    relabelled: dict[str, str] = field(default_factory=dict)

    @property
    def kwargs(self) -> dict[str, pd.Series]:
        return {
            "weights": self.weights,
            "prev_weights": self.prev_weights,
            "maxima": self.maxima,
            "prev_maxima": self.prev_maxima,
        }


def map_recipe(
    year_prev: int,
    year_curr: int,
    component: str = "D5",
    index: str = "papi",
    *,
    parts_level: str = "subdimension",
    level: str = "dimension",
) -> RecipePair:
    """``component``'s parts of ``year_prev`` expressed on the recipe of ``year_curr``.

    Only for a change of maxima or dropped parts on the same survey items (the parts of
    ``year_curr`` must all exist in ``year_prev``); a part measured differently (a record in
    ``data/methodology_records.csv``) or added cannot be mapped and raises.

    >>> import cchc_analysis as cc
    >>> pair = cc.map_recipe(2020, 2021, "D5")
    >>> fit = cc.shapley_rank_attribution(pair.prev, pair.curr, **pair.kwargs)
    >>> "methodology" in fit.players and "SC51" in fit.players
    True
    """
    spec = get_index(index)
    y0, y1 = spec.check_years(year_prev, year_curr)
    p_dim, c_dim = spec.wide(y0, level), spec.wide(y1, level)
    p_sub, c_sub = spec.wide(y0, parts_level), spec.wide(y1, parts_level)
    mp, mc = methodology_of(p_dim), methodology_of(c_dim)
    old, new = mp.component(component), mc.component(component)
    if old is None or new is None:
        raise CchcDataError(
            f"{spec.name} has no component {component!r} in both {y0} and {y1}; components: "
            f"{list(mp.codes)}"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MethodologyWarning)
        pr = prepare(p_dim, c_dim, "documented")
    if component not in pr.relabelled:
        raise CchcDataError(
            f"{spec.name} {component} has the same composition in {y0} and {y1}; nothing to map"
        )
    from cchc_analysis.methodology import methodology_records

    rec = methodology_records(spec.name)
    rec = rec[(rec["year_prev"] >= y0) & (rec["year_curr"] <= y1)]
    measured = sorted(set(rec["part"]) & {p.code for p in (*old.parts, *new.parts)})
    added = sorted({p.code for p in new.parts} - {p.code for p in old.parts})
    if measured or added:
        why = f"parts measured differently ({', '.join(measured)})" if measured else ""
        why += ("; " if why else "") + (f"parts added ({', '.join(added)})" if added else "")
        raise CchcDataError(
            f"{spec.name} {component} {y0}→{y1} cannot be mapped onto one recipe: {why}. Keep the "
            "default (the component reported as methodology)"
        )
    old_parts = {p.code: p for p in old.parts}
    new_parts = {p.code: p for p in new.parts}
    dropped = tuple(c for c in old_parts if c not in new_parts)

    def part_columns(sub: pd.DataFrame, codes) -> pd.DataFrame:
        meta = methodology_of(sub)
        by_part = {c.parts[0].code: c.code for c in meta.components if len(c.parts) == 1}
        cols = {by_part[c]: c for c in codes}
        return sub[list(cols)].rename(columns=cols)

    others = [c for c in pr.prev.columns if c != f"{METHODOLOGY_PREFIX}{component}"]
    prev = pd.concat([pr.prev[others], part_columns(p_sub, old_parts)], axis=1)
    curr = pd.concat([pr.curr[others], part_columns(c_sub, new_parts)], axis=1)
    for code in dropped:  # no year-b value: held at year a, weight 0 in year b
        curr[code] = prev[code].reindex(curr.index)
    curr = curr[prev.columns]
    prev.attrs, curr.attrs = {}, {}

    def maximum(meta, col, parts):
        if col in parts:
            return parts[col].maximum
        return meta.component(col.removeprefix(METHODOLOGY_PREFIX)).maximum

    cols = list(prev.columns)
    prev_max = pd.Series({c: maximum(mp, c, old_parts) for c in cols})
    curr_max = pd.Series({c: maximum(mc, c, {**old_parts, **new_parts}) for c in cols})
    w_prev = pd.Series({c: old.weight if c in old_parts else _weight(mp, c) for c in cols})
    w_curr = pd.Series(
        {
            c: (0.0 if c in dropped else new.weight) if c in old_parts else _weight(mc, c)
            for c in cols
        }
    )
    relabelled = {k: v for k, v in pr.relabelled.items() if k != component}
    return RecipePair(
        prev=prev,
        curr=curr,
        weights=w_curr,
        prev_weights=w_prev,
        maxima=curr_max,
        prev_maxima=prev_max,
        component=component,
        parts=tuple(old_parts),
        dropped=dropped,
        relabelled=relabelled,
    )


def _weight(meta, col: str) -> float:
    return float(meta.component(col.removeprefix(METHODOLOGY_PREFIX)).weight)
