"""What a wide score frame measures, carried with the frame, and where that changed between years.

A wide score frame (units × components of one year, e.g. from :func:`cchc_analysis.papi_wide`)
carries its methodology in ``frame.attrs["cchc_methodology"]`` (:data:`ATTRS_KEY`): the index, the
year, the level, the methodology era, and for each component its **composition signature** — the
upstream parts it is built from (their codes, maxima and labels), its own maximum, its label and
its weight in the composite. The ranking functions read it to decide, for two years, which
components changed what they measure; such a component is reported as ``methodology:<code>``,
never as performance (:mod:`cchc_analysis.ranking`).

For loaders of new indices (PCI, QĐ 766): build one :class:`ScoreMeta` per (year, level) and attach
it to the wide frame::

    from cchc_analysis.methodology import ComponentSignature, Part, ScoreMeta, attach_methodology
    meta = ScoreMeta(index="PCI", year=2016, level="subindex", era="2006-",
                     components=(ComponentSignature("P1", "Entry costs", maximum=10.0, weight=0.05,
                                                    parts=(Part("P1", 10.0, "Entry costs"),)),))
    wide = attach_methodology(wide, meta)
    methodology_of(wide).year             # 2016

and register the index (:func:`cchc_analysis.indices.register_index`) so that the one-call answers
work for it. Changed weights between two years need nothing more: the ranking functions pass them on
as ``prev_weights`` and a ``methodology`` player takes the effect.

**Which pandas operations keep the metadata** (pandas 3; checked in ``tests/test_methodology.py``):
selecting rows or columns (``.loc``, ``frame[cols]``, ``.drop``, ``.dropna``, ``.reindex``),
``.rename``, ``.copy``, ``.assign``, ``.fillna``, ``.round``, ``.sort_index``, arithmetic, and
``pd.concat`` of frames that all carry the *same* metadata keep it. ``pd.concat`` of frames with
different (or no) metadata, ``.merge``/``.join`` and rebuilding a frame from ``.to_numpy()`` drop it;
re-attach it with :func:`attach_methodology` when that was intended. Because ``.T`` and ``.rename``
keep it too, the readers check it against the frame: only columns named as the metadata's
components are treated as those components (a renamed column such as ``M:D8`` is left alone), and a
frame none of whose columns are components of its metadata is treated as plain.

:func:`composition_changes` is the one place that says which components of an index changed
composition between two years. It combines (1) the signatures (parts added, dropped, rescaled or
relabelled — read off the component tables), (2) records the component tables cannot show, kept
with their source in ``data/methodology_records.csv`` (e.g. PAPI 8.3 measured differently in 2019
than from 2020, same column and maximum), and, on request, (3) the level-shift screen
(:func:`cchc_analysis.level_shifts`) for parts whose level or spread jumped with no record.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from cchc_analysis import paths
from cchc_analysis.errors import CchcDataError, DataValidationError

__all__ = [
    "ATTRS_KEY",
    "BREAKS_CHOICES",
    "ComponentSignature",
    "MethodologyWarning",
    "Part",
    "ScoreMeta",
    "attach_methodology",
    "compare_methodology",
    "methodology_of",
    "methodology_records",
]

ATTRS_KEY = "cchc_methodology"
"""The key in ``DataFrame.attrs`` under which a wide score frame carries its :class:`ScoreMeta`."""

BREAKS_CHOICES = ("documented", "screened", "ignore")
"""Values of the ``breaks`` keyword of the ranking functions (``None`` = "documented" when both
frames carry metadata, else the plain behaviour)."""

METHODOLOGY_PREFIX = "methodology:"
"""Prefix of a component whose composition changed: ``methodology:D8`` is D8's whole change."""

RECORDS_FILE = "methodology_records.csv"


class MethodologyWarning(UserWarning):
    """A comparison of two years re-labelled components as methodology (or could not check them)."""


@dataclass(frozen=True)
class Part:
    """One upstream part of a component: its code (e.g. the upstream column ``SC83``), its maximum
    and its label. A component's parts are what a change of composition is read from."""

    code: str
    maximum: float
    label: str = ""


@dataclass(frozen=True)
class ComponentSignature:
    """What one component is made of in one year: label, maximum, weight and upstream parts."""

    code: str
    label: str = ""
    maximum: float = math.nan
    weight: float = 1.0
    parts: tuple[Part, ...] = ()

    def key(self) -> tuple:
        """What must be equal in two years for the component to measure the same thing."""
        parts = tuple(sorted((p.code, round(float(p.maximum), 9), p.label) for p in self.parts))
        top = None if math.isnan(self.maximum) else round(float(self.maximum), 9)
        return (parts, top)


@dataclass(frozen=True)
class ScoreMeta:
    """The methodology of one wide score frame (see the module docstring)."""

    index: str
    year: int
    level: str
    era: str
    components: tuple[ComponentSignature, ...]

    def component(self, code: str) -> ComponentSignature | None:
        """The signature of ``code``, or ``None`` when the frame has no such component."""
        for comp in self.components:
            if comp.code == code:
                return comp
        return None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.components)

    def weights(self) -> pd.Series:
        """The components' weights in the composite, as a Series by code."""
        return pd.Series({c.code: float(c.weight) for c in self.components}, dtype=float)

    def to_dict(self) -> dict:
        """A JSON-compatible dict (what is stored in ``attrs``, so frames still pickle and save)."""
        return {
            "index": self.index,
            "year": int(self.year),
            "level": self.level,
            "era": self.era,
            "components": [
                {
                    "code": c.code,
                    "label": c.label,
                    "maximum": float(c.maximum),
                    "weight": float(c.weight),
                    "parts": [[p.code, float(p.maximum), p.label] for p in c.parts],
                }
                for c in self.components
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> ScoreMeta:
        comps = tuple(
            ComponentSignature(
                code=str(c["code"]),
                label=str(c.get("label", "")),
                maximum=float(c.get("maximum", math.nan)),
                weight=float(c.get("weight", 1.0)),
                parts=tuple(Part(str(p[0]), float(p[1]), str(p[2])) for p in c.get("parts", ())),
            )
            for c in data["components"]
        )
        return cls(
            index=str(data["index"]),
            year=int(data["year"]),
            level=str(data["level"]),
            era=str(data["era"]),
            components=comps,
        )


def attach_methodology(frame: pd.DataFrame, meta: ScoreMeta) -> pd.DataFrame:
    """``frame`` with ``meta`` in ``frame.attrs`` (set in place, and returned for chaining).

    >>> import pandas as pd
    >>> meta = ScoreMeta("DEMO", 2020, "dimension", "all", (ComponentSignature("A"),))
    >>> wide = attach_methodology(pd.DataFrame({"A": [1.0]}, index=["01"]), meta)
    >>> methodology_of(wide).index
    'DEMO'
    """
    if not isinstance(meta, ScoreMeta):
        raise TypeError(f"meta must be a ScoreMeta, got {type(meta).__name__}")
    frame.attrs[ATTRS_KEY] = meta.to_dict()
    return frame


def methodology_of(frame: pd.DataFrame) -> ScoreMeta | None:
    """The :class:`ScoreMeta` a frame carries, or ``None`` for a plain frame.

    Stale metadata is ignored: when none of the frame's columns is a component of the metadata
    (e.g. after ``.T`` or renaming every column) the frame is treated as plain.

    >>> import cchc_analysis as cc
    >>> cc.methodology_of(cc.papi_wide(2020)).era
    '2018-'
    """
    if not isinstance(frame, pd.DataFrame):
        return None
    raw = frame.attrs.get(ATTRS_KEY)
    if raw is None:
        return None
    try:
        meta = raw if isinstance(raw, ScoreMeta) else ScoreMeta.from_dict(raw)
    except (KeyError, TypeError, ValueError, IndexError) as err:
        raise CchcDataError(
            f"frame.attrs[{ATTRS_KEY!r}] is not methodology metadata ({err}); drop the key or "
            "re-attach it with cchc_analysis.methodology.attach_methodology"
        ) from None
    if not set(map(str, frame.columns)) & set(meta.codes):
        return None
    return meta


# ---------------------------------------------------------------------------------------------
# Records the component tables cannot show
# ---------------------------------------------------------------------------------------------


@functools.cache
def _records() -> pd.DataFrame:
    source = paths.PACKAGE_DATA / RECORDS_FILE
    table = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8")
    needed = ["index", "year_prev", "year_curr", "part", "what", "source"]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise DataValidationError(source.name, "columns " + ", ".join(needed), detail=f"{missing}")
    empty = table[(table[needed] == "").any(axis=1)]
    if len(empty):
        raise DataValidationError(source.name, "every cell filled", [i + 2 for i in empty.index])
    years = table[["year_prev", "year_curr"]].astype(int)
    bad = table.index[years["year_prev"] >= years["year_curr"]]
    if len(bad):
        raise DataValidationError(source.name, "year_prev < year_curr", [i + 2 for i in bad])
    return table.assign(year_prev=years["year_prev"], year_curr=years["year_curr"])


def methodology_records(index: str | None = None) -> pd.DataFrame:
    """The composition changes no component table shows, with their source (one row per part).

    A record ``(year_prev, year_curr, part)`` says the part is measured differently in
    ``year_prev`` than in ``year_curr``; it applies to every comparison of a year ``<= year_prev``
    with a year ``>= year_curr``.

    >>> methodology_records("PAPI")[["year_prev", "year_curr", "part"]].values.tolist()
    [[2019, 2020, 'SC83']]
    """
    table = _records()
    if index is not None:
        table = table[table["index"].str.upper() == str(index).upper()]
    return table.reset_index(drop=True).copy()


# ---------------------------------------------------------------------------------------------
# The one source of truth: which components changed between two years
# ---------------------------------------------------------------------------------------------


_CHANGE_COLUMNS = ["component", "reason", "what", "source"]


def compare_methodology(
    prev: ScoreMeta, curr: ScoreMeta, breaks: str = "documented", *, screened: Iterable[str] = ()
) -> pd.DataFrame:
    """Components whose composition differs between two frames' metadata, one row per component.

    ``reason`` is ``signature`` (parts added, dropped, rescaled or relabelled), ``record`` (a row of
    ``data/methodology_records.csv``) or ``screen`` (an upstream part in ``screened``, the parts
    flagged by a level-shift screen, used only with ``breaks="screened"``). ``what`` says what
    changed and ``source`` where that is written down. A component scored in only one of the two
    years (added to or dropped from the index) is a ``signature`` change: the ranking functions give
    it score 0 and weight 0 in the year it is absent and report its whole effect as
    ``methodology:<code>``. Raises for different indices or levels, and for years of different
    methodology eras.
    """
    if breaks not in BREAKS_CHOICES:
        raise ValueError(f"breaks must be one of {BREAKS_CHOICES} or None, got {breaks!r}")
    check_comparable(prev, curr)
    if breaks == "ignore":
        return pd.DataFrame(columns=_CHANGE_COLUMNS)
    # Cached on the (immutable) metadata: the ranking functions ask the same question for every
    # transition of every call; callers get their own copy.
    return _compare(prev, curr, breaks, frozenset(screened)).copy()


@functools.lru_cache(maxsize=1024)
def _compare(prev: ScoreMeta, curr: ScoreMeta, breaks: str, flagged: frozenset) -> pd.DataFrame:
    rows: dict[str, list] = {}
    lo, hi = sorted((int(prev.year), int(curr.year)))
    records = methodology_records(prev.index)
    records = records[(records["year_prev"] >= lo) & (records["year_curr"] <= hi)]
    for code in dict.fromkeys([*prev.codes, *curr.codes]):
        old, new = prev.component(code), curr.component(code)
        if old is None or new is None:
            # a component scored in one year only (PCI's policy bias, absent 2009-2012): its
            # whole effect on the ranking is a change of method, never performance
            gone = new is None
            what = (
                f"scored in {prev.year} but not in {curr.year} (dropped from the index)"
                if gone
                else f"not scored in {prev.year}, scored in {curr.year} (added to the index)"
            )
            rows[code] = [code, "signature", what, f"component table of {prev.index}"]
            continue
        found = []
        diff = _signature_difference(old, new)
        if diff:
            found.append(("signature", diff, f"component table of {prev.index}"))
        parts = {p.code for p in (*old.parts, *new.parts)} | {code}
        hit = records[records["part"].isin(parts)]
        for rec in hit.itertuples(index=False):
            found.append(("record", rec.what, f"{RECORDS_FILE}: {rec.source}"))
        if breaks == "screened" and not found:
            jumped = sorted(parts & flagged)
            if jumped:
                found.append(
                    (
                        "screen",
                        f"level or spread of {', '.join(jumped)} jumped (level-shift screen)",
                        "cchc_analysis.level_shifts",
                    )
                )
        if found:
            rows[code] = [
                code,
                found[0][0],
                "; ".join(f[1] for f in found),
                "; ".join(dict.fromkeys(f[2] for f in found)),
            ]
    return pd.DataFrame(list(rows.values()), columns=_CHANGE_COLUMNS)


def check_comparable(prev: ScoreMeta, curr: ScoreMeta) -> None:
    """Raise unless the two frames are the same index and level within one methodology era."""
    if prev.index.upper() != curr.index.upper():
        raise DataValidationError(
            "prev/curr",
            "both years of the same index",
            detail=f"year t-1 is {prev.index} {prev.year}, year t is {curr.index} {curr.year}",
        )
    if prev.level != curr.level:
        raise DataValidationError(
            "prev/curr",
            "both years at the same level",
            detail=f"year t-1 ({prev.year}) is at level {prev.level!r}, year t ({curr.year}) at "
            f"{curr.level!r}; load both with the same level",
        )
    if prev.era != curr.era:
        raise DataValidationError(
            "prev/curr",
            "both years in one methodology era",
            detail=f"{prev.index} {prev.year} belongs to the era {prev.era} and {curr.year} to "
            f"the era {curr.era}; scores are not comparable across an era break. Compare years "
            "within one era",
        )


def _signature_difference(old: ComponentSignature, new: ComponentSignature) -> str:
    if old.key() == new.key():
        return ""
    a = {p.code: p for p in old.parts}
    b = {p.code: p for p in new.parts}
    out = []
    dropped, added = sorted(set(a) - set(b)), sorted(set(b) - set(a))
    if dropped:
        out.append(
            "dropped " + ", ".join(f"{c} ({a[c].label})" if a[c].label else c for c in dropped)
        )
    if added:
        out.append("added " + ", ".join(f"{c} ({b[c].label})" if b[c].label else c for c in added))
    rescaled = [c for c in sorted(set(a) & set(b)) if not math.isclose(a[c].maximum, b[c].maximum)]
    if rescaled:
        out.append(
            "rescaled "
            + ", ".join(f"{c} (max {a[c].maximum:.3g} -> {b[c].maximum:.3g})" for c in rescaled)
        )
    relabelled = [c for c in sorted(set(a) & set(b)) if a[c].label != b[c].label]
    if relabelled:
        out.append(
            "relabelled " + ", ".join(f"{c} ({a[c].label!r} -> {b[c].label!r})" for c in relabelled)
        )
    same_max = math.isnan(old.maximum) and math.isnan(new.maximum)
    if not same_max and not math.isclose(old.maximum, new.maximum):
        out.append(f"maximum {old.maximum:.3g} -> {new.maximum:.3g}")
    return "; ".join(out) or "composition differs"


def warn_relabelled(prev: ScoreMeta, curr: ScoreMeta, changes: pd.DataFrame, breaks: str) -> None:
    """The :class:`MethodologyWarning` of a comparison that relabelled components."""
    if changes.empty:
        return
    why = "; ".join(f"{r.component}: {r.what} [{r.source}]" for r in changes.itertuples())
    names = ", ".join(f"{METHODOLOGY_PREFIX}{c}" for c in changes["component"])
    warnings.warn(
        f"{prev.index} {prev.year}->{curr.year} ({prev.level}): the composition of "
        f"{', '.join(changes['component'])} changed between the years ({why}); their whole change "
        f"is reported as {names}, not as performance (breaks={breaks!r}). To choose otherwise pass "
        "breaks='ignore' (treat the change as performance), breaks='screened' (also relabel "
        "components whose parts the level-shift screen flags), or express the old parts on the new "
        "recipe with cchc_analysis.map_recipe where the parts are the same survey items.",
        MethodologyWarning,
        stacklevel=4,
    )
