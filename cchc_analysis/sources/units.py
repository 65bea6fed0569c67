"""Resolve the units named in the compiled facts: provinces, ministries and regions.

Provinces go through the province registry (:func:`cchc_analysis.provinces.normalize_province`),
ministries through ``data/ministries.csv`` (a stable code such as ``MOJ`` per ministry-level
body), regions through the six socio-economic regions of ``data/provinces.csv`` plus
``data/region_aliases.csv``. An unknown name raises a :class:`DataValidationError` that names
the file, the line, the spelling and the closest registered names: never a silent NaN.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import pandas as pd

from cchc_analysis import paths
from cchc_analysis.errors import DataValidationError
from cchc_analysis.provinces import UnknownProvinceError, normalize_province
from cchc_analysis.text import fold

__all__ = ["Unit", "ministries", "resolve_ministry", "resolve_region", "resolve_units"]

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Unit:
    """A resolved unit: its code (GSO code or ministry code) and canonical Vietnamese name."""

    code: str
    name: str


def _key(name: str) -> str:
    return "".join(_NON_ALNUM.sub(" ", fold(name)).split())


@cache
def ministries() -> pd.DataFrame:
    """The ministry-level bodies ranked by the PAR Index that appear in the facts."""
    return pd.read_csv(paths.PACKAGE_DATA / "ministries.csv", dtype=str, keep_default_na=False)


@cache
def _ministry_keys() -> dict[str, Unit]:
    keys: dict[str, Unit] = {}
    for row in ministries().itertuples(index=False):
        unit = Unit(row.code, row.name_vi)
        spellings = [row.name_vi, row.name_en, *filter(None, row.aliases.split("|"))]
        for spelling in spellings:
            if keys.setdefault(_key(spelling), unit) != unit:
                raise DataValidationError(
                    "ministries.csv", "one ministry per spelling", detail=repr(spelling)
                )
    return keys


def resolve_ministry(name: str) -> Unit:
    """The ministry a name refers to (Vietnamese or English name, or a registered alias)."""
    unit = _ministry_keys().get(_key(name))
    if unit is None:
        raise LookupError(name)
    return unit


def _closest_ministries(name: str) -> list[str]:
    names = {fold(n): n for n in ministries()["name_vi"]}
    return [names[m] for m in difflib.get_close_matches(fold(name), list(names), n=3, cutoff=0)]


@cache
def _region_keys() -> dict[str, str]:
    regions = pd.read_csv(paths.PACKAGE_DATA / "provinces.csv", dtype=str)["region"].unique()
    keys = {_key(r): r for r in regions}
    aliases = pd.read_csv(paths.PACKAGE_DATA / "region_aliases.csv", dtype=str)
    for alias, region in zip(aliases["alias"], aliases["region"], strict=True):
        if region not in regions:
            raise DataValidationError(
                "region_aliases.csv", "region is one of the six regions", detail=repr(region)
            )
        keys[_key(alias)] = region
    return keys


def resolve_region(name: str) -> str:
    """The socio-economic region a name refers to (case, diacritics and aliases folded)."""
    region = _region_keys().get(_key(name))
    if region is None:
        raise LookupError(name)
    return region


def _resolve_one(name: str, unit_type: str) -> Unit:
    if unit_type == "province":
        p = normalize_province(name)
        return Unit(p.code, p.name_vi)
    if unit_type == "ministry":
        return resolve_ministry(name)
    raise LookupError(name)


def resolve_units(
    frame: pd.DataFrame, columns: Sequence[str], unit_types: pd.Series, dataset: str
) -> pd.DataFrame:
    """Codes and canonical names for the units named in ``columns`` of ``frame``.

    Every named column must resolve, and to the same unit on each row (e.g. the spelling as
    published and the compiler's standard spelling). Returns ``unit_code`` and ``unit`` aligned
    with ``frame``; rows are reported by their ``source_row`` (the file line).
    """
    codes, names = [], []
    unknown: list[str] = []
    unknown_lines: list[int] = []
    disagree: list[str] = []
    disagree_lines: list[int] = []
    for i, unit_type in enumerate(unit_types):
        line = int(frame["source_row"].iloc[i])
        found: dict[str, Unit] = {}
        for col in columns:
            name = frame[col].iloc[i]
            try:
                found[col] = _resolve_one(name, unit_type)
            except UnknownProvinceError as err:
                closest = list(err.closest)
            except LookupError:
                closest = _closest_ministries(name)
            else:
                continue
            unknown_lines.append(line)
            unknown.append(
                f"line {line}, column {col!r}: unknown {unit_type} {name!r}; "
                f"closest known names: {', '.join(repr(c) for c in closest)}"
            )
        if len(found) < len(columns):
            codes.append(None)
            names.append(None)
            continue
        if len({u.code for u in found.values()}) > 1:
            disagree_lines.append(line)
            disagree.append(
                f"line {line}: "
                + ", ".join(f"{c}={frame[c].iloc[i]!r} is {u.code}" for c, u in found.items())
            )
        unit = found[columns[0]]
        codes.append(unit.code)
        names.append(unit.name)
    if unknown:
        raise DataValidationError(
            dataset,
            "unit names resolve through the province registry or data/ministries.csv",
            unknown_lines,
            "; ".join(unknown),
        )
    if disagree:
        raise DataValidationError(
            dataset,
            "the published and the standard spelling name the same unit",
            disagree_lines,
            "; ".join(disagree),
        )
    return pd.DataFrame({"unit_code": codes, "unit": names}, index=frame.index)
