"""Shapley attribution of each unit's rank change to the components that moved it.

The players are the K components; a coalition ``S`` is the counterfactual in which the components in
``S`` take their year-t values and the others keep their year-(t-1) values. Two games:

``game="field"``
    ``v_i(S)`` = rank of unit ``i`` when *every* unit's components in ``S`` are at year t. This asks
    how each component's movement, across the whole field, moved ``i``'s rank.
``game="own"``
    ``v_i(S)`` = rank of unit ``i`` when only ``i``'s own components in ``S`` are at year t and the
    other units are at year t-1, except that one more player, ``"field"``, moves all the other units
    to year t together. So the component values say how ``i``'s own changes moved it, and
    ``"field"`` how the rest of the field's changes did.

In both games ``v_i(∅)`` is ``i``'s year-(t-1) rank and ``v_i(N)`` its year-t rank among the units
ranked in both years, so the Shapley values add up to that rank change (efficiency). When the
weights or maxima differ between the years, one more player, ``"methodology"``, switches every unit
from the old recipe to the new one, so that a methodology change is never reported as performance.

Units ranked in only one year cannot be attributed; they are listed in
:attr:`RankAttribution.unmatched`, and the effect of their entry or exit on the ranks of the others
is its own term, ``composition``: the number of entrants ahead of a unit in year t minus the number
of leavers that were ahead of it in year t-1. Hence, for every unit ranked in both years::

    rank_change = rank_curr - rank_prev = composition + sum(Shapley values)

**Exactness.** Ranks are integers, so every Shapley value is a rational number. The exact method
computes ``K! · φ`` in integer arithmetic and the sampler sums integer marginal contributions
(each permutation's contributions telescope to the rank change); both keep the integer numerators
(:meth:`RankAttribution.as_fractions`), so the identity above holds exactly in rationals and, for
the float values, to within a few units in the last place (``1e-12`` is ample).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd

from cchc_analysis.methodology import METHODOLOGY_PREFIX
from cchc_analysis.ranking._breaks import prepare
from cchc_analysis.ranking._transition import Transition, transition
from cchc_analysis.ranking.ranks import canonical_sum, rank_last_axis

EXACT_AUTO_MAX_K = 12
"""``method="auto"`` is exact up to this many components and samples permutations beyond."""
EXACT_MAX_PLAYERS = 16
"""Largest game (components plus "methodology"/"field") the exact method accepts: 2^16 rankings."""
_BLOCK_CELLS = 1 << 21  # coalitions × units × components per block: bounded memory (~16 MB)
_RESERVED = (
    "rank_prev",
    "rank_curr",
    "rank_change",
    "rank_prev_common",
    "rank_curr_common",
    "composition",
    "methodology",
    "field",
)


@dataclass(frozen=True)
class RankAttribution:
    """The result of :func:`shapley_rank_attribution`.

    ``table`` has one row per unit ranked in both years: published ranks (``rank_prev``,
    ``rank_curr``, ``rank_change``), the ranks among the units ranked in both years
    (``rank_prev_common``, ``rank_curr_common``), the ``composition`` term and one column per player
    (each component, then ``methodology`` and ``field`` when present). ``se`` holds the standard
    errors of the sampled values (``None`` when exact): Monte Carlo error of the estimate, not
    sampling error of the data. ``unmatched`` lists units ranked in only one year (``status``
    "entered"/"exited") or in neither ("unranked"). ``numerators / denominator`` are the exact
    values (``denominator`` = P! when exact, the number of permutations when sampled).
    ``breaks`` is the choice applied to composition changes (``None`` for plain frames) and
    ``relabelled`` maps each component reported as ``methodology:<code>`` to what changed.
    """

    table: pd.DataFrame
    se: pd.DataFrame | None
    unmatched: pd.DataFrame
    players: tuple[str, ...]
    game: str
    method: str
    n_permutations: int | None
    seed: int | None
    numerators: np.ndarray = field(repr=False)
    denominator: int = 1
    breaks: str | None = None
    relabelled: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        extra = f", n_permutations={self.n_permutations}" if self.method == "sample" else ""
        return (
            f"RankAttribution(game={self.game!r}, method={self.method!r}{extra}, "
            f"units={len(self.table)}, unmatched={len(self.unmatched)}, players={self.players})"
        )

    @property
    def contributions(self) -> pd.DataFrame:
        """The terms that add up to ``rank_change``: ``composition`` and one column per player."""
        return self.table[["composition", *self.players]]

    def as_fractions(self) -> pd.DataFrame:
        """The same terms as exact fractions (``numerators / denominator``)."""
        cols = {"composition": [Fraction(int(v)) for v in self.table["composition"]]}
        for k, name in enumerate(self.players):
            cols[name] = [Fraction(int(v), self.denominator) for v in self.numerators[:, k]]
        return pd.DataFrame(cols, index=self.table.index)

    def tidy(self) -> pd.DataFrame:
        """One row per (unit, term): ``value``, ``se`` (0 for exact terms) and the term's ``kind``."""
        terms = self.contributions
        long = terms.stack().rename("value").reset_index()
        long.columns = ["unit", "term", "value"]
        se = (
            self.se.reindex(columns=terms.columns, fill_value=0.0)
            if self.se is not None
            else pd.DataFrame(0.0, index=terms.index, columns=terms.columns)
        )
        long["se"] = se.to_numpy().ravel()
        kinds = {"composition": "composition", "methodology": "methodology", "field": "field"}
        long["kind"] = [
            "methodology" if str(t).startswith(METHODOLOGY_PREFIX) else kinds.get(t, "component")
            for t in long["term"]
        ]
        return long


def shapley_rank_attribution(
    prev: pd.DataFrame,
    curr: pd.DataFrame,
    weights=None,
    game: str = "field",
    *,
    prev_weights=None,
    maxima=None,
    prev_maxima=None,
    method: str = "auto",
    n_permutations: int = 1000,
    seed: int = 0,
    antithetic: bool = True,
    breaks: str | None = None,
) -> RankAttribution:
    """Split each unit's rank change ``rank_t - rank_{t-1}`` across the components (module docs).

    ``prev``/``curr``: wide scores (index = unit codes, columns = the same components);
    ``weights``: Series by component (default 1, the plain sum); ``prev_weights``, ``maxima``,
    ``prev_maxima``: a changed recipe, attributed to a ``methodology`` player.
    ``breaks``: what to do with components whose composition changed, read from the frames'
    methodology (:mod:`cchc_analysis.methodology`): ``"documented"`` (the default when both frames
    carry it) reports each such component as ``methodology:<code>`` with a
    :class:`~cchc_analysis.MethodologyWarning`; ``"screened"`` also those whose parts the
    level-shift screen flags; ``"ignore"`` compares the columns as they are. Plain frames behave
    as without the keyword; an explicit "documented"/"screened" on them raises.
    ``method``: "exact" (all 2^P coalitions), "sample" (random permutations, ``n_permutations``
    of them, in antithetic pairs by default, with ``seed``), or "auto" (exact up to
    ``EXACT_AUTO_MAX_K`` components). Negative values mean the component moved the unit up.
    """
    if game not in ("field", "own"):
        raise ValueError(f"game must be 'field' or 'own', got {game!r}")
    if method not in ("auto", "exact", "sample"):
        raise ValueError(f"method must be 'auto', 'exact' or 'sample', got {method!r}")
    pr = prepare(prev, curr, breaks, weights, prev_weights, maxima=maxima, prev_maxima=prev_maxima)
    tr = transition(pr.prev, pr.curr, pr.weights, pr.prev_weights, **pr.keyed)
    g = _Game(tr, own=(game == "own"))
    clash = [p for p in map(str, tr.components) if p in _RESERVED]
    if clash:
        raise ValueError(f"components named {clash} clash with result columns; rename them")
    k = len(tr.components)
    if method == "auto":
        method = "exact" if k <= EXACT_AUTO_MAX_K else "sample"
    if method == "exact":
        if g.n_players > EXACT_MAX_PLAYERS:
            raise ValueError(
                f"exact Shapley values need 2^{g.n_players} re-rankings ({k} components"
                f"{' plus methodology/field players' if g.n_players > k else ''}); the exact method "
                f"stops at {EXACT_MAX_PLAYERS} players. Use method='sample' (permutation sampling "
                "with standard errors), or attribute at a coarser level (dimensions, not "
                "sub-dimensions)"
            )
        numer, denom, se, n_perm, used_seed = *_exact(g), None, None, None
    else:
        if int(n_permutations) != n_permutations or n_permutations < (4 if antithetic else 2):
            raise ValueError(
                "n_permutations must be at least 2 (4 with antithetic pairs) to estimate "
                f"standard errors, got {n_permutations}"
            )
        numer, se_arr, n_perm = _sampled(g, int(n_permutations), seed, antithetic)
        denom, used_seed = n_perm, seed
        se = pd.DataFrame(se_arr, index=tr.common, columns=g.players)
    table = _summary(tr, dict(zip(g.players, (numer / denom).T, strict=True)))
    return RankAttribution(
        table=table,
        se=se,
        unmatched=tr.unmatched(),
        players=g.players,
        game=game,
        method=method,
        n_permutations=n_perm,
        seed=used_seed,
        numerators=numer,
        denominator=int(denom),
        breaks=pr.breaks,
        relabelled=pr.relabelled,
    )


def field_shapley_values(prev: np.ndarray, curr: np.ndarray) -> np.ndarray:
    """Exact field-game Shapley values (units × components) of plain sums, for two years of the
    same units given as complete arrays (rows = units, columns = components, in the same order).

    The inner loop of simulations that re-rank thousands of synthetic panels: it skips the checks,
    alignment and bookkeeping of :func:`shapley_rank_attribution`, which gives the same values for
    the same input (tested).

    >>> import numpy as np
    >>> field_shapley_values(np.array([[1.0, 0.0], [0.0, 2.0]]), np.array([[3.0, 0.0], [0.0, 2.0]]))
    array([[-1.,  0.],
           [ 1.,  0.]])
    """
    prev, curr = np.asarray(prev, dtype=float), np.asarray(curr, dtype=float)
    if prev.shape != curr.shape or prev.ndim != 2:
        raise ValueError(
            f"prev and curr must be units × components of one shape: {prev.shape}, {curr.shape}"
        )
    numer, denom = _exact(_Game.of_sums(prev, curr))
    return numer / denom


def _summary(tr: Transition, players: dict[str, np.ndarray]) -> pd.DataFrame:
    rp = tr.rank_prev.loc[tr.common].to_numpy().astype(np.int64)
    rc = tr.rank_curr.loc[tr.common].to_numpy().astype(np.int64)
    rpc = rank_last_axis(tr.composite_prev.loc[tr.common].to_numpy())
    rcc = rank_last_axis(tr.composite_curr.loc[tr.common].to_numpy())
    out = pd.DataFrame(
        {
            "rank_prev": rp,
            "rank_curr": rc,
            "rank_change": rc - rp,
            "rank_prev_common": rpc,
            "rank_curr_common": rcc,
            # entrants ahead now minus leavers ahead before (ranks count the units strictly ahead)
            "composition": (rc - rcc) - (rp - rpc),
            **players,
        },
        index=tr.common,
    )
    out.index.name = "unit"
    return out


class _Game:
    """Value function of the rank game for all units at once, for any batch of coalitions.

    A coalition is a boolean row over the players: the components first, then "methodology" (when
    the recipe changed), then "field" (own game).
    """

    def __init__(self, tr: Transition, *, own: bool):
        self.k = len(tr.components)
        self.has_recipe = tr.recipe.changed
        self.own = own
        players = [str(c) for c in tr.components]
        if self.has_recipe:
            players.append("methodology")
        if own:
            players.append("field")
        self.players = tuple(players)
        self.n_players = len(players)
        # parts[p][r]: performance of year p under recipe r -> arrays indexed by recipe bit
        self.at_prev = np.stack([tr.parts[0][0], tr.parts[0][1]])
        self.at_curr = np.stack([tr.parts[1][0], tr.parts[1][1]])
        self.n = self.at_prev.shape[1]
        if own:
            # the other units' scores, for (field moved?, recipe switched?)
            self.others = {
                (f, r): canonical_sum((self.at_curr if f else self.at_prev)[r])
                for f in (0, 1)
                for r in (0, 1)
            }
            self.others_sorted = {key: np.sort(v) for key, v in self.others.items()}

    @classmethod
    def of_sums(cls, prev: np.ndarray, curr: np.ndarray) -> _Game:
        """The field game of plain sums over the same complete units (rows) and components."""
        game = cls.__new__(cls)
        game.k = game.n_players = prev.shape[1]
        game.has_recipe = game.own = False
        game.players = tuple(range(game.k))
        game.at_prev, game.at_curr = np.stack([prev, prev]), np.stack([curr, curr])
        game.n = prev.shape[0]
        return game

    def block_rows(self, per_item: int = 1) -> int:
        return max(1, _BLOCK_CELLS // (per_item * self.n * self.k))

    def values(self, masks: np.ndarray) -> np.ndarray:
        """Ranks (coalitions × units, int64) of every unit under each coalition."""
        comp = masks[:, : self.k]
        recipe = (
            masks[:, self.k].astype(np.intp) if self.has_recipe else np.zeros(len(masks), np.intp)
        )
        mixed = np.where(comp[:, None, :], self.at_curr[recipe], self.at_prev[recipe])
        scores = canonical_sum(mixed)
        if not self.own:
            return rank_last_axis(scores)
        moved = masks[:, -1]
        ranks = np.empty(scores.shape, dtype=np.int64)
        for (f, r), others in self.others.items():
            rows = np.flatnonzero((moved == bool(f)) & (recipe == r))
            if rows.size == 0:
                continue
            own = scores[rows]
            ahead = self.n - np.searchsorted(self.others_sorted[(f, r)], own, side="right")
            ahead -= others[None, :] > own  # a unit is not ahead of itself
            ranks[rows] = 1 + ahead
        return ranks


def _exact(g: _Game) -> tuple[np.ndarray, int]:
    """Integer numerators ``P! · φ`` (units × players) and the denominator ``P!``.

    ``φ_k = Σ_S v(S) · c_k(S)`` with ``c_k(S) = (|S|-1)!(P-|S|)!/P!`` when ``k ∈ S`` and
    ``-|S|!(P-|S|-1)!/P!`` otherwise, so blocks of coalitions can be added up without keeping all
    2^P rankings in memory.
    """
    p = g.n_players
    unit_weight = np.array([math.factorial(s) * math.factorial(p - 1 - s) for s in range(p)])
    numer = np.zeros((g.n, p), dtype=np.int64)
    step = g.block_rows()
    bits = np.arange(p)
    for start in range(0, 1 << p, step):
        codes = np.arange(start, min(start + step, 1 << p))
        masks = ((codes[:, None] >> bits) & 1).astype(bool)
        size = masks.sum(axis=1)
        coef = np.where(
            masks,
            unit_weight[np.maximum(size - 1, 0)][:, None],
            -unit_weight[np.minimum(size, p - 1)][:, None],
        )
        numer += g.values(masks).T @ coef
    return numer, math.factorial(p)


def _sampled(
    g: _Game, n_permutations: int, seed: int, antithetic: bool
) -> tuple[np.ndarray, np.ndarray, int]:
    """Permutation sampling: integer sums of marginal contributions, standard errors, count.

    Each permutation's marginal contributions add up exactly to the rank change, so their sum over
    permutations does too. With ``antithetic`` each permutation is paired with its reverse and the
    pair's mean is one independent sample for the standard error.
    """
    p = g.n_players
    rng = np.random.default_rng(seed)
    draws = -(-n_permutations // 2) if antithetic else n_permutations
    base = rng.permuted(np.tile(np.arange(p), (draws, 1)), axis=1)
    numer = np.zeros((g.n, p), dtype=np.int64)
    total = np.zeros((p, g.n))
    total_sq = np.zeros((p, g.n))
    step = max(1, g.block_rows(p + 1) // (2 if antithetic else 1))
    steps = np.arange(p + 1)
    for start in range(0, draws, step):
        perms = base[start : start + step]
        if antithetic:
            perms = np.concatenate([perms, perms[:, ::-1]])
        position = np.argsort(perms, axis=1)  # where each player enters the chain
        masks = position[:, None, :] < steps[None, :, None]  # (perm, step, player)
        v = g.values(masks.reshape(-1, p)).reshape(len(perms), p + 1, g.n)
        after = np.take_along_axis(v, (position + 1)[:, :, None], axis=1)
        before = np.take_along_axis(v, position[:, :, None], axis=1)
        marginal = after - before  # (perm, player, unit), integers
        numer += marginal.sum(axis=0).T
        if antithetic:
            half = len(perms) // 2
            sample = (marginal[:half] + marginal[half:]) / 2.0
        else:
            sample = marginal.astype(float)
        total += sample.sum(axis=0)
        total_sq += (sample**2).sum(axis=0)
    var = np.maximum(total_sq - total**2 / draws, 0.0) / (draws - 1)
    se = np.sqrt(var / draws).T
    return numer, se, draws * (2 if antithetic else 1)
