"""PCI's rank movement by weighting era, and firms (PCI) against citizens (PAPI): notebook 06.

=========================================  ====================================================
:func:`pci_weight_table`                   PCI's weights (% of the total) by sub-index and era
:func:`pci_era_shares`                     shares of rank movement within each weighting era
                                           and at the two era breaks
:func:`movement_shares`                    one index's shares of rank movement pooled over
                                           chosen transitions
:func:`compare_rank_drivers`               two indices' shares over the same transitions
:func:`within_era_transitions`             the transitions inside one era of an index
:func:`weight_shares`                      an index's component weights in one year (sum 1)
:func:`rank_agreement`                     do two indices rank the provinces alike (Spearman
                                           of the totals by year, of the rank changes)
:func:`pci_total_check`                    published PCI totals against the weighted sums of the
                                           published sub-indices (2011)
=========================================  ====================================================

A *share of rank movement* is Σ|φ| over provinces and transitions of one term of the exact
Shapley rank attribution (:func:`cchc_analysis.rank_drivers`) divided by the same sum over all
terms: it says which components account for observed movement, not which cause it, and no
survey-noise model for PCI is applied.
"""

from __future__ import annotations

import functools
import itertools
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from cchc_analysis.answers._common import ENTRIES_EXITS, label
from cchc_analysis.errors import CchcDataError
from cchc_analysis.indices import get_index
from cchc_analysis.methodology import MethodologyWarning

__all__ = [
    "PCI_PAPI_THEMES",
    "EraShares",
    "MovementComparison",
    "RankAgreement",
    "TotalCheck",
    "compare_rank_drivers",
    "movement_shares",
    "pci_era_shares",
    "pci_total_check",
    "pci_weight_table",
    "rank_agreement",
    "weight_shares",
    "within_era_transitions",
]

PCI_PAPI_THEMES = {
    "transparency": ("TR", "D2"),
    "informal charges / corruption control": ("IC", "D4"),
    "time costs / administrative procedures": ("TC", "D5"),
}
"""Three themes both PCI (firms) and PAPI (citizens) measure, as (PCI sub-index, PAPI dimension).

This project's reading of the two indices' definitions (notebook 06), not an official crosswalk."""


def _pci_codes() -> list[str]:
    """PCI's sub-index codes in their published order (EC … LI, then CP of the 2005 pilot)."""
    from cchc_analysis.sources.pci import SHORT_LABELS

    return [c for c in SHORT_LABELS if c != "TOTAL"]


def _pci_era_names() -> dict[str, str]:
    """Weighting era → its years for tables: ``"2013-"`` → ``"2013–2016"``."""
    return {name: f"{first}–{last}" for first, last, name in get_index("pci").driver_eras}


def _pci_label(code: str) -> str:
    return label("PCI", code)


@functools.cache
def _weights_pivot() -> pd.DataFrame:
    from cchc_analysis.sources.pci import _weights_table

    table = _weights_table()
    wide = table.pivot(index="code", columns="era", values="weight_pct")
    return wide.rename(columns=_pci_era_names())


def pci_weight_table(labels: bool = False) -> pd.DataFrame:
    """PCI's weights in use (% of the 100-point total): one row per sub-index, one column per era.

    Read from ``pci_weights.csv`` (recovered exactly from VCCI's workbooks; published for 2013–);
    NaN where a sub-index is not in the era, or the era's weights are unknown (2005, the pilot).
    ``labels=True`` names the rows ``"TR Transparency"`` instead of ``"TR"``.

    >>> w = pci_weight_table()
    >>> w.loc["TC"].dropna().to_dict()
    {'2006–2008': 10.0, '2009–2012': 15.0, '2013–2016': 5.0}
    """
    table = _weights_pivot().reindex(_pci_codes())
    if labels:
        table.index = [_pci_label(c) for c in table.index]
    return table


@dataclass(frozen=True)
class EraShares:
    """The answer of :func:`pci_era_shares`.

    ``within``: share of absolute rank movement (0–1) of each sub-index, pooled over the
    transitions inside each weighting era (columns ``"2006–2008"``, ``"2009–2012"``,
    ``"2013–2016"``; NaN where the sub-index is not in the era). ``across``: the same at each
    break transition (columns ``"2008→2009"``, ``"2012→2013"``), with the switch of weights
    (``methodology``), the sub-indices that left, returned or were renamed
    (``methodology:<code>``) and ``entries/exits``. ``weights``: :func:`pci_weight_table`.
    ``by_weight``: one row per (era, sub-index) with its ``share`` and its ``weight`` (%).
    ``drivers``: the :class:`~cchc_analysis.answers.drivers.RankDrivers` it was read from.
    """

    within: pd.DataFrame
    across: pd.DataFrame
    weights: pd.DataFrame
    by_weight: pd.DataFrame
    drivers: object = field(repr=False)

    @property
    def methodology(self) -> pd.DataFrame:
        """The rows of :attr:`across` that are changes of method, not performance."""
        return self.across[self.across.index.str.startswith("methodology")]

    @property
    def methodology_share(self) -> pd.Series:
        """Per break: the share of rank movement of all changes of method together."""
        return self.methodology.sum()

    def weight_ranges(self) -> pd.DataFrame:
        """Per weight (%): the smallest and largest within-era share and how many
        (sub-index, era) pairs carry that weight."""
        grouped = self.by_weight.groupby("weight")["share"]
        return pd.DataFrame({"min": grouped.min(), "max": grouped.max(), "n": grouped.size()})

    def side_by_side(self) -> pd.DataFrame:
        """Per era: each sub-index's share of rank movement and its weight, both in %, rows
        labelled (``"TR Transparency"``)."""
        weights = _weights_pivot()
        side = pd.concat(
            {
                e: pd.DataFrame({"share %": self.within[e] * 100, "weight %": weights[e]})
                for e in self.within
            },
            axis=1,
        )
        return side.reindex(_pci_codes()).dropna(how="all").rename(index=_pci_label)

    def unit_terms(self, unit: object, era: str) -> pd.DataFrame:
        """One province's Shapley terms (places, < 0 = moved up) in one group of transitions,
        indexed by term, with its ranks before and after (``rank_prev``, ``rank_curr``).

        ``unit``: a name in any spelling or a GSO code; ``era``: a weighting era or a break.
        """
        from cchc_analysis.answers._common import resolve_unit

        code, _ = resolve_unit(unit, get_index("pci"))
        units = self.drivers.by_unit
        rows = units[(units["era"] == era) & (units["unit"] == code)]
        if rows.empty:
            raise CchcDataError(f"PCI: no terms for {unit!r} in {era!r}")
        return rows.set_index("term")


def pci_era_shares(drivers=None) -> EraShares:
    """Which sub-indices account for PCI's rank movement within each weighting era, and how much
    of the movement at each era break is the change of method itself.

    ``drivers``: the result of ``cc.rank_drivers(index="pci")`` when already computed (else it is
    computed here: exact Shapley attribution of every transition 2006–2016, some seconds). Shares
    are of the methodology view (re-composed sub-indices as ``methodology:<code>``).

    >>> import cchc_analysis as cc
    >>> shares = cc.pci_era_shares(cc.rank_drivers("pci", n_boot=100))
    >>> shares.within.loc["TC"].round(3).tolist()  # time costs, weighted 10%, 15%, then 5%
    [0.114, 0.191, 0.052]
    >>> shares.across.loc["methodology"].round(3).tolist()  # the switch of weights at each break
    [0.11, 0.141]
    >>> int(shares.weight_ranges().loc[5.0, "n"])
    13
    """
    if drivers is None:
        from cchc_analysis.answers.drivers import rank_drivers

        drivers = rank_drivers(index="pci")
    era_names = _pci_era_names()
    pooled = drivers.pooled.query("view == 'methodology'")
    within = (
        pooled[pooled["era"].isin(list(era_names))]
        .pivot(index="term", columns="era", values="move_share")[list(era_names)]
        .rename(columns=era_names)
        .reindex(_pci_codes())
        .dropna(how="all")
    )
    if within.index.str.startswith("methodology").any():  # one recipe inside an era
        raise CchcDataError("PCI: a methodology term inside a weighting era")
    breaks = [g for g, _ in get_index("pci").driver_groups() if g not in era_names]
    across = pooled[pooled["era"].isin(breaks)].pivot(
        index="term", columns="era", values="move_share"
    )
    weights = _weights_pivot()
    by_weight = pd.concat(
        {e: pd.DataFrame({"share": within[e], "weight": weights[e]}) for e in within}
    ).dropna()
    return EraShares(within, across, pci_weight_table(), by_weight, drivers)


def within_era_transitions(index: str) -> list[tuple[int, int]]:
    """Consecutive years inside one era of ``index`` (for PCI: inside one weighting era).

    >>> within_era_transitions("pci")[-3:]
    [(2013, 2014), (2014, 2015), (2015, 2016)]
    """
    spec = get_index(index)
    eras = {e[2] for e in (spec.driver_eras or spec.eras)}
    return [t for group, ts in spec.driver_groups() if group in eras for t in ts]


def _movement(index: str, transitions: Iterable[tuple[int, int]], drivers=None) -> pd.DataFrame:
    """Σ|φ| per term (rows) and transition (columns ``(year_prev, year_curr)``): the sums
    :func:`movement_shares` divides."""
    from cchc_analysis.ranking import shapley_rank_attribution

    spec = get_index(index)
    transitions = [(int(a), int(b)) for a, b in transitions]
    if drivers is not None:
        if drivers.index != spec.name:
            raise ValueError(f"drivers are of {drivers.index}, not {spec.name}")
        per = drivers.per_transition.query("view == 'methodology'")
        pairs = list(zip(per["year_prev"], per["year_curr"], strict=True))
        missing = sorted(set(transitions) - set(pairs))
        if missing:
            raise CchcDataError(f"{spec.name}: the drivers have no transitions {missing}")
        per = per[[p in transitions for p in pairs]]
        move = per.groupby(["term", "year_prev", "year_curr"])["abs_movement"].sum()
    else:
        level = spec.check_level(None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MethodologyWarning)
            fits = [
                shapley_rank_attribution(spec.wide(a, level), spec.wide(b, level))
                .tidy()
                .assign(year_prev=a, year_curr=b)
                for a, b in transitions
            ]
        long = pd.concat(fits).replace({"term": {"composition": ENTRIES_EXITS}})
        long["a"] = long["value"].abs()
        move = long.groupby(["term", "year_prev", "year_curr"])["a"].sum()
    table = move.unstack(["year_prev", "year_curr"], fill_value=0.0)
    return table.reindex(columns=pd.MultiIndex.from_tuples(transitions), fill_value=0.0)


def movement_shares(index: str, transitions: Iterable[tuple[int, int]], drivers=None) -> pd.Series:
    """Each term's share of absolute rank movement (0–1) pooled over ``transitions``.

    Σ|φ| of every term (components, ``methodology…`` terms, ``entries/exits``) of the exact
    Shapley rank attribution (field game) over the provinces and the transitions, divided by the
    same sum over all terms. ``drivers``: a :func:`cchc_analysis.rank_drivers` result of the same
    index to read the sums from (its methodology view) instead of computing them.

    >>> s = movement_shares("papi", [(2011, 2012)])
    >>> round(float(s.sum()), 6), s.idxmax()
    (1.0, 'D4')
    """
    move = _movement(index, transitions, drivers).sum(axis=1)
    return (move / move.sum()).rename(get_index(index).name)


def weight_shares(index: str, year: int) -> pd.Series:
    """Each component's weight in ``index``'s total in ``year`` (shares summing to 1).

    PCI: the era's weights (:func:`cchc_analysis.pci_weights`); any other index: equal weights
    over the components of the year (PAPI's total is the unweighted sum of its dimensions).

    >>> weight_shares("pci", 2012)[["LT", "TR", "BS"]].round(2).tolist()
    [0.2, 0.2, 0.05]
    >>> weight_shares("papi", 2014).round(4).unique().tolist()
    [0.1667]
    """
    spec = get_index(index)
    if spec.key == "pci":
        from cchc_analysis.sources.pci import pci_weights

        w = pci_weights(int(year))
    else:
        w = pd.Series(1.0, index=spec.wide(int(year), spec.check_level(None)).columns)
    return (w / w.sum()).rename(spec.name)


def _weight_benchmark(movement: pd.DataFrame, weights: Mapping[int, pd.Series]) -> pd.Series:
    """The share of the components' movement each component would have were every
    transition's movement split in proportion to its weights: each transition's weight shares
    (the mean of its two years' ``weights``, identical inside an era), pooled with the components'
    total movement of that transition as its weight."""
    perf = movement[
        ~(movement.index.str.startswith("methodology") | (movement.index == ENTRIES_EXITS))
    ].sum()
    parts = [
        pd.concat([weights[a], weights[b]], axis=1).fillna(0.0).mean(axis=1) * perf[(a, b)]
        for a, b in movement.columns
    ]
    total = pd.concat(parts, axis=1).fillna(0.0).sum(axis=1)
    return total / total.sum()


@dataclass(frozen=True)
class MovementComparison:
    """The answer of :func:`compare_rank_drivers`.

    ``shares``: one row per term, one column per index (e.g. ``PCI``, ``PAPI``): each term's share
    of the index's absolute rank movement over ``transitions`` (NaN where the index has no such
    term). ``benchmark``: per component (rows) and index (columns), the share of the components'
    movement it would have were each transition's movement split in proportion to the weights
    (:func:`weight_shares`); ``None``: equal weights. ``counts``: per index, the fewest and most
    weighted components of a transition (PCI: 9 in 2011→2012, 10 from 2013); ``None``: the
    components in :attr:`shares`.
    """

    shares: pd.DataFrame
    transitions: tuple[tuple[int, int], ...]
    benchmark: pd.DataFrame | None = field(default=None, repr=False)
    counts: Mapping[str, tuple[int, int]] | None = field(default=None, repr=False)

    def component_count(self, index: str) -> tuple[int, int]:
        """The fewest and most components of ``index`` in one transition."""
        name = self._name(index)
        if self.counts and name in self.counts:
            return tuple(self.counts[name])
        n = len(self.performance(name))
        return n, n

    def performance(self, index: str) -> pd.Series:
        """The components' own shares: no methodology term, no entries/exits."""
        s = self.shares[self._name(index)].dropna()
        return s[~(s.index.str.startswith("methodology") | (s.index == ENTRIES_EXITS))]

    def other_terms(self, index: str) -> pd.Series:
        """The shares that are not performance: methodology terms and entries/exits."""
        s = self.shares[self._name(index)].dropna()
        return s.drop(self.performance(index).index)

    def top_line(self, index: str, n: int = 3) -> str:
        """The ``n`` largest components' joint share of the components' movement (the movement
        not from changes of method or entries/exits) against the share their weights imply
        (:attr:`benchmark`; equal weights without one), in words."""
        name = self._name(index)
        s = self.performance(name).sort_values(ascending=False)
        top = s.index[:n]
        if self.benchmark is not None and name in self.benchmark:
            expected, basis = self.benchmark[name].reindex(top).fillna(0.0).sum(), "weights imply"
        else:
            expected, basis = n / len(s), "equal weights imply"
        return (
            f"{name} top {n} {', '.join(top)}: {s.iloc[:n].sum() / s.sum():.1%} of the "
            f"components' movement ({basis} {expected:.1%})"
        )

    def non_performance(self, index: str) -> str:
        """The share of movement that is no component's performance, with its terms, in words."""
        name = self._name(index)
        other = self.other_terms(name)
        terms = ", ".join(f"{label(name, k)} {v:.1%}" for k, v in other.items() if v > 0)
        return f"{name} {other.sum():.1%}" + (f" ({terms})" if terms else "")

    def themes(self, pairs: Mapping[str, tuple[str, str]] = PCI_PAPI_THEMES) -> pd.DataFrame:
        """Per theme: the two indices' components (``pairs``: theme → (code of the first
        index, code of the second)) and their shares."""
        a, b = self.shares.columns[:2]
        table = pd.DataFrame([list(v) for v in pairs.values()], index=list(pairs), columns=[a, b])
        table[f"{a} share"] = self.shares.loc[table[a], a].to_numpy()
        table[f"{b} share"] = self.shares.loc[table[b], b].to_numpy()
        return table

    def period(self) -> str:
        """The transitions as spans in words: ``"2011→2012 and 2013→2016"``.

        >>> MovementComparison(pd.DataFrame(), ((2011, 2012), (2013, 2014), (2014, 2015))).period()
        '2011→2012 and 2013→2015'
        """
        spans: list[list[int]] = []
        for a, b in self.transitions:
            if spans and spans[-1][1] == a:
                spans[-1][1] = b
            else:
                spans.append([a, b])
        words = [f"{a}→{b}" for a, b in spans]
        return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]

    def _name(self, index: str) -> str:
        for name in self.shares.columns:
            if name.lower() == str(index).lower():
                return name
        raise KeyError(f"no index {index!r}; have {list(self.shares.columns)}")


def compare_rank_drivers(
    first: str = "pci",
    second: str = "papi",
    transitions: Iterable[tuple[int, int]] | None = None,
    drivers: Mapping[str, object] | None = None,
) -> MovementComparison:
    """Two indices' shares of rank movement over the same transitions (:func:`movement_shares`).

    ``transitions`` defaults to those inside one era of both indices
    (:func:`within_era_transitions`): for PCI and PAPI 2011→2012 and 2013→2014 to 2015→2016.
    ``drivers``: index → :func:`cchc_analysis.rank_drivers` result, read instead of recomputing.
    The components differ, so what compares is the structure (how concentrated the movement
    is) and the themes both indices measure (:meth:`MovementComparison.themes`).

    >>> import cchc_analysis as cc
    >>> both = cc.compare_rank_drivers("pci", "papi", [(2013, 2014)])
    >>> list(both.shares.columns), both.performance("papi").size
    (['PCI', 'PAPI'], 6)
    """
    if transitions is None:
        common = set(within_era_transitions(second))
        transitions = [t for t in within_era_transitions(first) if t in common]
    transitions = tuple((int(a), int(b)) for a, b in transitions)
    given = {get_index(k).name: v for k, v in (drivers or {}).items()}
    shares, benchmark, counts = {}, {}, {}
    for i in (first, second):
        name = get_index(i).name
        move = _movement(i, transitions, given.get(name))
        shares[name] = move.sum(axis=1) / move.to_numpy().sum()
        weights = {year: weight_shares(i, year) for year in {y for t in transitions for y in t}}
        benchmark[name] = _weight_benchmark(move, weights)
        n = [len(weights[a].index.union(weights[b].index)) for a, b in transitions]
        counts[name] = (min(n), max(n))
    return MovementComparison(pd.DataFrame(shares), transitions, pd.DataFrame(benchmark), counts)


@dataclass(frozen=True)
class RankAgreement:
    """The answer of :func:`rank_agreement`.

    ``levels``: per year, the number of ``provinces`` scored by both indices, the Spearman
    correlation of their totals (``spearman``) and its ``p_value``; ``changes``: the same for
    the provinces' rank changes per transition (``"2011→2012"``). ``names``: the two indices.
    """

    names: tuple[str, str]
    levels: pd.DataFrame
    changes: pd.DataFrame

    def summary(self, alpha: float = 0.05) -> str:
        """The ranges of the correlations and how many are distinguishable from zero."""
        lv, ch = self.levels, self.changes
        return (
            f"Spearman of totals {lv['spearman'].min():.2f} to {lv['spearman'].max():.2f} "
            f"(p < {alpha:g} in {(lv['p_value'] < alpha).sum()} of {len(lv)} years); of rank "
            f"changes {ch['spearman'].min():.2f} to {ch['spearman'].max():.2f} "
            f"(p < {alpha:g} in {(ch['p_value'] < alpha).sum()} of {len(ch)})"
        )


def _same_era(index: str, a: int, b: int) -> bool:
    """Whether a rank change of ``index`` from ``a`` to ``b`` compares like with like: a transition
    inside one of its (weighting) eras (:func:`within_era_transitions`), or both years outside the
    years it attributes (e.g. PCI's totals-only 2017–2022). An unregistered index is one era."""
    try:
        spec = get_index(index)
    except (KeyError, ValueError, CchcDataError):
        return True
    inside = (a in spec.years, b in spec.years)
    if not any(inside):
        return True
    return all(inside) and (a, b) in within_era_transitions(index)


def _totals(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    return frame[(frame["year"] == year) & (frame["level"] == "total")].set_index("province_code")


def _ranks(frame: pd.DataFrame, year: int) -> pd.Series:
    """The table's ranks of the totals where it has them for every province, else competition
    ranks of the totals."""
    from cchc_analysis.ranking import competition_rank

    rows = _totals(frame, year)
    if "rank" in rows and rows["rank"].notna().all():
        return rows["rank"]
    return competition_rank(rows["value"])


def _spearman(a: pd.Series, b: pd.Series) -> dict:
    from scipy.stats import spearmanr

    joint = pd.concat([a.rename("a"), b.rename("b")], axis=1, join="inner").dropna()
    r = spearmanr(joint["a"], joint["b"])
    return {"provinces": len(joint), "spearman": float(r.statistic), "p_value": float(r.pvalue)}


def _table(rows: dict, name: str) -> pd.DataFrame:
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["provinces", "spearman", "p_value"])
    return out.astype({"provinces": int}).rename_axis(name)


def rank_agreement(
    first: pd.DataFrame,
    second: pd.DataFrame,
    years: Iterable[int] | None = None,
    transitions: Iterable[tuple[int, int]] | None = None,
) -> RankAgreement:
    """Do two indices rank the provinces alike? Spearman correlations by year and transition.

    ``first``, ``second``: tidy long tables (``cc.load_pci()``, ``cc.load_papi()``: columns
    ``year``, ``level``, ``province_code``, ``value`` and optionally ``rank``). For each year,
    the totals of the provinces scored by both; for each transition ``(a, b)``, their rank
    changes: the table's ``rank`` where it has one for every province of the year, else the
    competition ranks of the totals. (In the project's PCI and PAPI tables the two differ once:
    PCI 2011 ranks Hà Giang 41st, behind Bình Thuận, with the same published total, 57.62.)
    ``years`` defaults to the years both have totals, ``transitions`` to consecutive ones of those
    inside one era of each index (a rank change across a change of method is not a change of
    performance: for PCI and PAPI, 2011→2012, 2013→2014 to 2015→2016 and 2018→2019 to
    2021→2022). An association of levels or changes, not a test of why the two differ.

    >>> import cchc_analysis as cc
    >>> agree = cc.rank_agreement(cc.load_pci(), cc.load_papi(), [2015], [(2014, 2015)])
    >>> agree.levels.round(2).to_dict("index")
    {2015: {'provinces': 63, 'spearman': 0.36, 'p_value': 0.0}}
    """
    names = tuple(str(f["index"].iat[0]) if "index" in f else "" for f in (first, second))
    if years is None:
        have = [set(f.loc[f["level"] == "total", "year"]) for f in (first, second)]
        years = sorted(have[0] & have[1])
    years = [int(y) for y in years]
    if transitions is None:
        transitions = [
            (a, b)
            for a, b in itertools.pairwise(years)
            if b == a + 1 and all(_same_era(name, a, b) for name in names)
        ]
    levels = {y: _spearman(_totals(first, y)["value"], _totals(second, y)["value"]) for y in years}
    changes = {
        f"{a}→{b}": _spearman(
            _ranks(first, b) - _ranks(first, a), _ranks(second, b) - _ranks(second, a)
        )
        for a, b in transitions
    }
    return RankAgreement(names, _table(levels, "year"), _table(changes, "transition"))


@dataclass(frozen=True)
class TotalCheck:
    """The answer of :func:`pci_total_check`: one row per province (``province`` name,
    ``published`` total, ``weighted`` sum of the sub-indices, ``gap`` = published − weighted,
    ``published_rank``, ``weighted_rank``, ``rank_difference`` = weighted − published)."""

    year: int
    table: pd.DataFrame

    def summary(self, tolerance: float = 0.005) -> str:
        """The gaps beyond ``tolerance`` (points) and the ranks that differ, in words."""
        gap, off = self.table["gap"], self.table["rank_difference"]
        beyond = gap.abs() > tolerance
        return (
            f"{self.year}: published total − weighted sum {gap[beyond].min():.2f} to "
            f"{gap.max():.2f} points in {beyond.sum()} of {len(gap)} provinces; ranks differ for "
            f"{(off != 0).sum()} (max {int(off.abs().max())} places)"
        )


def pci_total_check(year: int = 2011, frame: pd.DataFrame | None = None) -> TotalCheck:
    """PCI's published totals against the weighted sums of its published sub-indices.

    In every year 2006–2016 but 2011 the two agree to 1e-5 (:func:`cchc_analysis.pci_weight_check`);
    in 2011 they do not (a documented exception of ``pci_years.csv``), so answers involving 2011
    explain the ranks of the weighted sums, which this table sets beside the published ranks.

    >>> check = pci_total_check(2011)
    >>> int((check.table["rank_difference"] != 0).sum())
    20
    """
    from cchc_analysis.ranking import competition_rank
    from cchc_analysis.sources.pci import load_pci, pci_weights, pci_wide

    frame = load_pci() if frame is None else frame
    weighted = pci_wide(year, frame=frame) @ pci_weights(year)
    published = pci_wide(year, level="total", frame=frame)["TOTAL"]
    rows = _totals(frame, year)
    published_rank = rows["rank"].loc[weighted.index]
    weighted_rank = competition_rank(weighted)
    table = pd.DataFrame(
        {
            "province": rows["province"].loc[weighted.index],
            "published": published.loc[weighted.index],
            "weighted": weighted,
            "gap": published - weighted,
            "published_rank": published_rank,
            "weighted_rank": weighted_rank,
            "rank_difference": weighted_rank - published_rank,
        }
    )
    return TotalCheck(int(year), table)
