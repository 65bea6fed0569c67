"""One small lookup per index, so the one-call answers work for any index that plugs in.

:func:`cchc_analysis.explain_rank_change`, :func:`cchc_analysis.rank_drivers` and
:func:`cchc_analysis.province_profile` ask an :class:`IndexSpec` for what they need: the years and
eras, a wide frame of one year and level (with its methodology attached), the component maxima, the
published ranks, and a level-shift screen. PAPI is registered here; the PCI and QĐ 766 loaders
register theirs with :func:`register_index`::

    from cchc_analysis.indices import get_index
    papi = get_index("papi")
    papi.era_of(2019)                  # '2018-'
    papi.wide(2024).shape              # (61, 8): provinces with scores that year x dimensions
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from cchc_analysis.errors import CchcDataError
from cchc_analysis.methodology import ScoreMeta, compare_methodology

__all__ = ["IndexSpec", "composition_changes", "get_index", "register_index"]


@dataclass(frozen=True)
class IndexSpec:
    """What the one-call answers need to know about an index.

    ``wide(year, level)``: units × components with :class:`~cchc_analysis.methodology.ScoreMeta`
    attached; ``methodology(year, level)``: that metadata alone; ``screen(year_prev, year_curr)``:
    upstream parts a level-shift screen flags between the two years (may be empty);
    ``eras``: (first year, last year, name) per methodology era (years in one era can be compared);
    ``source``: the figure source line.

    Optional, for indices unlike PAPI: ``default_level`` (the level the answers use when none is
    given); ``driver_eras`` (groups :func:`cchc_analysis.rank_drivers` pools over, e.g. PCI's
    weighting eras inside one comparable series; a transition between two groups is reported as its
    own group ``"2012→2013"``; default: ``eras``); ``key_era`` (``"2008-2025"``: units are the 63
    provinces, ``"2025-"``: the 34 provinces from July 2025, keyed ``"2025:NN"``); ``period`` (turns
    what a user passes as a year into the value in ``years``, e.g. snapshot dates as
    ``"2026-09-17"``; default: an integer year); ``caveat`` (a sentence every summary ends with);
    ``year_note`` (added to the message naming the years there are).
    """

    key: str
    name: str
    years: tuple[int, ...]
    eras: tuple[tuple[int, int, str], ...]
    wide: Callable[[int, str], pd.DataFrame]
    methodology: Callable[[int, str], ScoreMeta]
    screen: Callable[[int, int], Sequence[str]] = lambda a, b: ()
    source: str = ""
    levels: tuple[str, ...] = ("dimension",)
    driver_levels: tuple[str, ...] = ("dimension",)
    unit_names: Callable[[], pd.Series] | None = None
    extra: dict = field(default_factory=dict)
    default_level: str = "dimension"
    driver_eras: tuple[tuple, ...] | None = None
    key_era: str = "2008-2025"
    period: Callable[[object], object] | None = None
    caveat: str = ""
    year_note: str = ""

    def era_of(self, year: int) -> str:
        for first, last, name in self.eras:
            if first <= year <= last:
                return name
        raise self._year_error(year)

    def _year_error(self, year) -> CchcDataError:
        span = f"{self.years[0]}-{self.years[-1]}"
        what, plural = ("release", "years") if self.period is None else ("period", "periods")
        return CchcDataError(
            f"{self.name} has no {what} {year!r}; the {plural} there are {span} "
            f"({', '.join(map(str, self.years))})"
            + (f". {self.year_note}" if self.year_note else "")
        )

    def check_year(self, year: int) -> int:
        if self.period is not None:
            try:
                y = self.period(year)
            except (TypeError, ValueError):
                raise self._year_error(year) from None
            if y not in self.years:
                raise self._year_error(year)
            return y
        try:
            y = int(year)
        except (TypeError, ValueError):
            raise self._year_error(year) from None
        if y != year or y not in self.years:
            raise self._year_error(year)
        return y

    def check_years(self, year_prev: int, year_curr: int) -> tuple[int, int]:
        """Both years exist and lie in one era (else the error says which era each belongs to)."""
        a, b = self.check_year(year_prev), self.check_year(year_curr)
        if a >= b:
            raise CchcDataError(
                f"{self.name}: year_prev ({a}) must be earlier than year_curr ({b})"
            )
        ea, eb = self.era_of(a), self.era_of(b)
        if ea != eb:
            raise CchcDataError(
                f"{self.name} {a}->{b} crosses a methodology break: {a} belongs to the era {ea} "
                f"and {b} to the era {eb}; scores are not comparable across eras. Compare years "
                "within one era"
            )
        return a, b

    def previous(self, year):
        """The period before ``year`` in ``years`` (``None`` for the first)."""
        i = list(self.years).index(year)
        return self.years[i - 1] if i > 0 else None

    def driver_groups(self) -> list[tuple[str, list[tuple]]]:
        """``(group, transitions)`` that :func:`cchc_analysis.rank_drivers` pools over.

        Consecutive periods inside one era; with ``driver_eras``, a transition inside one driver
        era belongs to it and one between two driver eras is a group of its own (``"2012→2013"``).
        """
        groups: dict[str, list[tuple]] = {}
        for _first, _last, name in self.eras:
            years = self.era_years(name)
            for y0, y1 in itertools.pairwise(years):
                if self.driver_eras is None:
                    group = name
                else:
                    g0 = [e[2] for e in self.driver_eras if e[0] <= y0 <= e[1]]
                    g1 = [e[2] for e in self.driver_eras if e[0] <= y1 <= e[1]]
                    group = g0[0] if g0 and g0 == g1 else f"{y0}→{y1}"
                groups.setdefault(group, []).append((y0, y1))
        return list(groups.items())

    def era_years(self, era: str) -> list[int]:
        for first, last, name in self.eras:
            if name == era:
                return [y for y in self.years if first <= y <= last]
        raise CchcDataError(
            f"{self.name} has no era {era!r}; its eras are {[e[2] for e in self.eras]}"
        )

    def check_level(self, level: str | None) -> str:
        """``level`` if the index has it (``None``: :attr:`default_level`)."""
        if level is None:
            return self.default_level
        if level not in self.levels:
            raise ValueError(
                f"{self.name}: level must be one of {list(self.levels)}, not {level!r}"
            )
        return level


_REGISTRY: dict[str, IndexSpec | Callable[[], IndexSpec]] = {}


def _registry_key(key: object) -> str:
    # case, diacritics and spaces do not matter: "QĐ 766", "qd766" and "QD 766" are one index
    from cchc_analysis.text import fold

    return fold(str(key)).replace(" ", "")


def register_index(key: str, spec: IndexSpec | Callable[[], IndexSpec]) -> None:
    """Make an index available to the one-call answers (``spec`` or a function that builds it)."""
    _REGISTRY[_registry_key(key)] = spec


def get_index(key: str) -> IndexSpec:
    """The :class:`IndexSpec` registered as ``key`` (case-, diacritic- and space-insensitive:
    ``"papi"``, ``"pci"``, ``"qd766"`` or ``"QĐ 766"``)."""
    found = _REGISTRY.get(_registry_key(key))
    if found is None:
        raise CchcDataError(f"unknown index {key!r}; registered indices: {sorted(_REGISTRY)}")
    if not isinstance(found, IndexSpec):
        found = found()
        _REGISTRY[_registry_key(key)] = found
    return found


# ---------------------------------------------------------------------------------------------
# PAPI
# ---------------------------------------------------------------------------------------------


@functools.cache
def composition_changes(
    index: str,
    year_prev: int,
    year_curr: int,
    level: str | None = None,
    breaks: str = "documented",
) -> pd.DataFrame:
    """Which components of ``index`` changed composition between ``year_prev`` and ``year_curr``.

    The one source of truth used by the ranking functions, :func:`cchc_analysis.rank_drivers` and
    :func:`cchc_analysis.explain_rank_change`: signatures from the index's component table, the
    records in ``data/methodology_records.csv`` and, with ``breaks="screened"``, the parts the
    index's level-shift screen flags. Columns: ``component, reason, what, source`` (see
    :func:`compare_methodology`).

    >>> import cchc_analysis as cc
    >>> cc.composition_changes("papi", 2019, 2020)["component"].tolist()
    ['D8']
    >>> cc.composition_changes("papi", 2020, 2021)["component"].tolist()
    ['D5']
    >>> cc.composition_changes("pci", 2008, 2009)["component"].tolist()  # PB dropped, BS renamed
    ['PB', 'BS']
    """
    spec = get_index(index)
    level = spec.check_level(level)  # None: the index's own level (PAPI dimension, PCI subindex)
    year_prev, year_curr = spec.check_years(year_prev, year_curr)
    prev, curr = spec.methodology(year_prev, level), spec.methodology(year_curr, level)
    screened = spec.screen(year_prev, year_curr) if breaks == "screened" else ()
    return compare_methodology(prev, curr, breaks, screened=screened)


@functools.cache
def _papi_flags() -> pd.DataFrame:
    from cchc_analysis.breaks import level_shifts

    return level_shifts(_papi_long())


def _papi_screen(year_prev: int, year_curr: int) -> list[str]:
    flags = _papi_flags()
    inside = flags[(flags["year_prev"] >= year_prev) & (flags["year"] <= year_curr)]
    return sorted(set(inside["source_column"]))


@functools.lru_cache(maxsize=1)
def _papi_long() -> pd.DataFrame:
    # read once per process: the one-call answers ask for many years
    from cchc_analysis.sources.papi import load_papi

    return load_papi()


@functools.lru_cache(maxsize=64)
def _papi_wide_cached(year: int, level: str) -> pd.DataFrame:
    from cchc_analysis.sources.papi import papi_wide

    return papi_wide(year, level, frame=_papi_long())


def _papi_wide(year: int, level: str = "dimension") -> pd.DataFrame:
    return _papi_wide_cached(int(year), level).copy()  # a copy: callers may change theirs


def _papi_names() -> pd.Series:
    from cchc_analysis.provinces import provinces

    table = provinces()
    return table.set_index("code")["name_vi"]


def _papi() -> IndexSpec:
    from cchc_analysis.schemas.papi import ERAS
    from cchc_analysis.sources.papi import ERA_BREAK, YEARS, papi_methodology

    return IndexSpec(
        key="papi",
        name="PAPI",
        years=tuple(YEARS),
        eras=((YEARS[0], ERA_BREAK - 1, ERAS[0]), (ERA_BREAK, YEARS[-1], ERAS[1])),
        wide=_papi_wide,
        methodology=papi_methodology,
        screen=_papi_screen,
        source=(
            "Source: PAPI 2011–2024 (CECODES, VFF-CRT, RTA & UNDP); provincial values via the "
            "third-party repository hnks-gh/ml-mcdm"
        ),
        levels=("subdimension", "dimension", "total"),
        unit_names=_papi_names,
    )


register_index("papi", _papi)


def _lazy(module: str, builder: str) -> Callable[[], IndexSpec]:
    """Build a spec from its loader module only when first asked for (no import at start-up)."""

    def build() -> IndexSpec:
        import importlib

        return getattr(importlib.import_module(module), builder)()

    return build


register_index("pci", _lazy("cchc_analysis.sources.pci_index", "pci_index"))
register_index("qd766", _lazy("cchc_analysis.sources.qd766_index", "qd766_index"))
