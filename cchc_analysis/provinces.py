"""The province registry: 63 provinces (2008 – June 2025), the 34 from July 2025, and the merger.

Reference tables shipped in ``cchc_analysis/data/``:

``provinces.csv``
    the 63 provinces keyed by GSO two-digit code (a string: ``"01"`` … ``"96"``), with
    Vietnamese, English and ASCII names, unit type, socio-economic region and ``successor``
    (the post-merger province it became part of).
``province_aliases.csv``
    other spellings seen in real sources ("TP.HCM", "BR-VT", "TT-Huế", "Daklak", …).
``provinces_2025.csv`` / ``province_crosswalk_2025.csv``
    the 34 provinces in force from 1 July 2025 (the National Assembly resolution of 12/6/2025,
    whose number, 202/2025/QH15, comes only from secondary sources) and the old → new map,
    written from ``data/raw/facts/province_merger_2025.csv`` with its sources.
    ``code_2025`` is the official two-digit code of Quyết định 19/2025/QĐ-TTg; a test checks
    it against the downloaded dataset ``provinces_2025_codes`` (:func:`check_codes_2025`).

Keys that say their era
-----------------------
A new province keeps the code of the former province that hosts its capital: new Lào Cai is
``15``, which was Yên Bái's code; new Bắc Ninh is ``24`` (Bắc Giang's), Gia Lai ``52`` (Bình
Định's). A table of the 63 provinces and a table of the 34 joined on a bare two-digit code would
pair the wrong units without any error. So the two eras never share a key:

* **column names differ**: ``province_code`` (63 provinces, 2008–2025, values ``"01"`` … ``"96"``,
  unchanged so that every existing table, test and notebook keeps working) against
  ``province_code_2025`` (34 provinces, 2025–). ``merge(on="province_code")`` across eras is a
  ``KeyError``;
* **values differ**: a 2025– key carries its era in the value, ``"2025:15"`` for new Lào Cai
  (:data:`KEY_2025_PREFIX` + the official code). No 2025– key equals any 2008–2025 code, so a
  join on the index, ``merge(left_on=…, right_on=…)`` or ``pd.concat(axis=1)`` of wide frames
  cannot pair a former province with a new one: there is nothing to match. The bare official
  code is never exposed as a key (:func:`official_code_2025` gives it for display);
* **joins that should fail loudly do**: :func:`merge_provinces` (an era-checked
  ``pandas.merge``) and :func:`check_same_era` raise :class:`EraMismatchError` naming the era
  of each side, and :func:`to_2025` refuses input keyed by 2025– codes.

Name matching folds case, diacritics (including ``đ``), tone-mark placement, Unicode form,
punctuation and spacing, and drops administrative prefixes and suffixes ("Tỉnh", "Thành phố",
"TP.", "province", "City"); what is left must be a registered name or alias, otherwise
:class:`UnknownProvinceError` names the input and the closest registered names. The 34 new
provinces are matched the same way by :func:`normalize_province_2025`.
"""

from __future__ import annotations

import csv
import difflib
import re
import sys
import types
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from cchc_analysis import paths
from cchc_analysis.errors import CchcDataError, DataValidationError
from cchc_analysis.text import fold

__all__ = [
    "KEY_2025_PREFIX",
    "EraMismatchError",
    "Province",
    "Province2025",
    "UnknownProvinceError",
    "check_codes_2025",
    "check_same_era",
    "crosswalk_2025",
    "key_2025",
    "key_era",
    "merge_provinces",
    "non_province_unit",
    "normalize_province",
    "normalize_province_2025",
    "official_code_2025",
    "province_by_code",
    "province_code",
    "province_codes",
    "province_key_2025",
    "province_keys_2025",
    "provinces",
    "to_2025",
]

ERAS = ("2008-2025", "2025-")

KEY_2025_PREFIX = "2025:"
"""Marks a key of the 34-province era: ``"2025:15"`` is new Lào Cai, never former Yên Bái."""

KEY_COLUMNS = {"2008-2025": "province_code", "2025-": "province_code_2025"}
"""The key column of each era (see the module docstring)."""

_ERA_LABEL = {
    "2008-2025": "63-province era 2008-2025 (GSO codes '01' … '96' in province_code)",
    "2025-": "34-province era 2025- (keys '2025:01' … '2025:96' in province_code_2025)",
}


@dataclass(frozen=True)
class Province:
    """One of the 63 provinces in force from 2008 to 30 June 2025."""

    code: str
    """GSO two-digit code, a string (``"01"`` Hà Nội, ``"79"`` TP. Hồ Chí Minh)."""
    name_vi: str
    name_en: str
    name_ascii: str
    region: str
    """One of the six socio-economic regions."""
    unit_type: str
    """``tỉnh`` (province) or ``thành phố`` (centrally run city)."""
    successor: str
    """Vietnamese name of the post-1 July 2025 province this one became part of."""
    successor_slug: str
    """ASCII key of the successor (``"ho-chi-minh"``), the key of ``provinces("2025-")``."""


class UnknownProvinceError(CchcDataError, LookupError):
    """A name that is not one of the registered provinces or their aliases.

    ``name`` is the input, ``closest`` the three nearest registered Vietnamese names and
    ``where`` the file or dataset it came from, when the caller knows it.
    """

    def __init__(
        self, name: object, closest: Sequence[str] = (), where: str = "", detail: str = ""
    ):
        self.name = name
        self.closest = tuple(closest)
        self.where = where
        message = f"{where}: " if where else ""
        message += f"unknown province {name!r}"
        if detail:
            message += f" ({detail})"
        if self.closest:
            message += "; closest known names: " + ", ".join(repr(c) for c in self.closest)
        super().__init__(message)


# --- matching keys --------------------------------------------------------------------------

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# Administrative titles around a name, as folded tokens. "TP" abbreviates "thành phố";
# "thủ đô" (capital) precedes Hà Nội in the press.
_PREFIXES = (
    ("thanh", "pho"),
    ("tinh",),
    ("tp",),
    ("t", "p"),
    ("thu", "do"),
    ("city", "of"),
    ("province", "of"),
)
_SUFFIXES = (("province",), ("city",), ("municipality",))
# The Central Highlands names come from Ê Đê words and are written with -k or -c
# (Đắk Lắk / Đắc Lắc, Đắk Nông / Đắc Nông); no other province name has these syllables.
_TOKEN_VARIANTS = {"dac": "dak", "lac": "lak"}


def _key(name: str) -> str:
    """Folded name without punctuation, spaces or administrative titles: the lookup key."""
    tokens = _NON_ALNUM.sub(" ", fold(name)).split()
    stripped = True
    while stripped:
        stripped = False
        for affix in _PREFIXES:
            n = len(affix)
            if len(tokens) > n and tuple(tokens[:n]) == affix:
                tokens, stripped = tokens[n:], True
        for affix in _SUFFIXES:
            n = len(affix)
            if len(tokens) > n and tuple(tokens[-n:]) == affix:
                tokens, stripped = tokens[:-n], True
    return "".join(_TOKEN_VARIANTS.get(t, t) for t in tokens)


# --- reference tables -----------------------------------------------------------------------


def _read(name: str) -> pd.DataFrame:
    # Everything as str: codes keep their leading zero, names stay exactly as written.
    return pd.read_csv(paths.PACKAGE_DATA / name, dtype=str, keep_default_na=False)


@cache
def _tables() -> dict[str, pd.DataFrame]:
    new = _read("provinces_2025.csv")
    new["n_former"] = new["n_former"].astype("int64")
    # The bare official code stays internal: the public key carries its era (module docstring).
    new.insert(1, "province_code_2025", KEY_2025_PREFIX + new.pop("code_2025"))
    cross = _read("province_crosswalk_2025.csv")
    cross["n_former"] = cross["n_former"].astype("int64")
    return {
        "2008-2025": _read("provinces.csv"),
        "2025-": new,
        "crosswalk": cross,
        "aliases": _read("province_aliases.csv"),
    }


@cache
def _registry() -> tuple[dict[str, Province], dict[str, str], dict[str, str]]:
    """``(code -> Province, key -> code, folded display name -> canonical name)``, built once."""
    t = _tables()
    slug_of = dict(zip(t["2025-"]["name_vi"], t["2025-"]["slug"], strict=True))
    by_code: dict[str, Province] = {}
    for row in t["2008-2025"].itertuples(index=False):
        by_code[row.code] = Province(
            code=row.code,
            name_vi=row.name_vi,
            name_en=row.name_en,
            name_ascii=row.name_ascii,
            region=row.region,
            unit_type=row.unit_type,
            successor=row.successor,
            successor_slug=slug_of[row.successor],
        )
    keys: dict[str, str] = {}

    def add(spelling: str, code: str, origin: str) -> None:
        k = _key(spelling)
        if not k:
            raise CchcDataError(f"{origin}: spelling {spelling!r} has an empty matching key")
        if keys.setdefault(k, code) != code:
            raise CchcDataError(
                f"{origin}: spelling {spelling!r} (key {k!r}) maps to {code}, "
                f"but the key already belongs to {keys[k]}"
            )

    for p in by_code.values():
        for spelling in (p.name_vi, p.name_en, p.name_ascii):
            add(spelling, p.code, "provinces.csv")
    for row in t["aliases"].itertuples(index=False):
        if row.code not in by_code:
            raise CchcDataError(f"province_aliases.csv: alias {row.alias!r} has unknown code")
        add(row.alias, row.code, "province_aliases.csv")
    display = {fold(p.name_vi): p.name_vi for p in by_code.values()}
    return by_code, keys, display


def _closest(name: object, n: int = 3) -> list[str]:
    """The ``n`` registered Vietnamese names nearest to ``name`` (difflib on folded names)."""
    folded = fold(name) if isinstance(name, str) else ""
    if not folded:
        return []  # nothing to compare: any "closest" name would be noise
    display = _registry()[2]
    return [display[m] for m in difflib.get_close_matches(folded, list(display), n=n, cutoff=0)]


@lru_cache(maxsize=4096)
def non_province_unit(name: str) -> dict[str, str] | None:
    """What a well-known name that is *not* a province of 2008-2025 is (``data/non_province_units.csv``):
    a former province (Hà Tây, part of Hà Nội since 2008) or a unit inside one (Thủ Đức).

    >>> non_province_unit("Ha Tay")["part_of"]
    'Hà Nội'
    """
    with (paths.PACKAGE_DATA / "non_province_units.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if _key(row["name"]) == _key(name):
                return row
    return None


def _lookup(name: str) -> Province:
    by_code, keys, _ = _registry()
    code = keys.get(_key(name))
    if code is None:
        detail = "" if name.strip() else "empty name"
        closest = _closest(name)
        unit = non_province_unit(name) if name.strip() else None
        if unit is not None:
            # Still refused: its scores, if any, belong to the province it is (now) part of.
            detail = (
                f"{unit['name']} is a {unit['kind']}, not one of the 63 provinces: {unit['note']}"
            )
            closest = (unit["part_of"], *[c for c in closest if c != unit["part_of"]])[:3]
        raise UnknownProvinceError(name, closest, detail=detail)
    return by_code[code]


# --- public API -----------------------------------------------------------------------------


def normalize_province(name: str) -> Province:
    """The province a name refers to, whatever its spelling.

    ``normalize_province("TP.HCM").code == "79"``; ``"Huế"`` and ``"TT-Huế"`` give Thừa Thiên
    Huế (``"46"``). Raises :class:`UnknownProvinceError` (a ``LookupError`` and a
    ``ValueError``) for anything else, including ministries, the country and empty strings.
    """
    if not isinstance(name, str):
        raise UnknownProvinceError(name, detail=f"expected a str, got {type(name).__name__}")
    return _lookup(name)


def province_code(name: str) -> str:
    """GSO code of the province a name refers to: ``province_code("BR-VT") == "77"``."""
    return normalize_province(name).code


def province_codes(names: Iterable[object], where: str = "") -> list[str]:
    """Codes for a column of names, or one error listing every unknown spelling with its rows.

    ``where`` names the file or dataset for the message; rows are 1-based positions in
    ``names`` (add the header offset when reporting file lines).
    """
    codes: list[str] = []
    unknown: dict[str, list[int]] = {}
    for i, name in enumerate(names, start=1):
        try:
            codes.append(normalize_province(name).code)  # type: ignore[arg-type]
        except UnknownProvinceError:
            unknown.setdefault(name if isinstance(name, str) else repr(name), []).append(i)
    if unknown:
        listed = "; ".join(
            f"{name!r} at rows {', '.join(map(str, rows[:10]))}{' …' if len(rows) > 10 else ''}"
            for name, rows in unknown.items()
        )
        first = next(iter(unknown))
        raise UnknownProvinceError(first, _closest(first), where, f"all unknown: {listed}")
    return codes


def province_by_code(code: str) -> Province:
    """The province with GSO code ``code`` (a two-digit string such as ``"01"``)."""
    by_code = _registry()[0]
    if isinstance(code, str) and code in by_code:
        return by_code[code]
    raise UnknownProvinceError(code, detail="expected a GSO code string of the 63 provinces")


def provinces(era: str = "2008-2025") -> pd.DataFrame:
    """The registry as a table: ``"2008-2025"`` (63 provinces, by GSO code ``code``) or
    ``"2025-"`` (the 34 provinces from 1 July 2025, keyed by ``province_code_2025`` such as
    ``"2025:15"``, with slug, ``n_former`` and ``former_codes``)."""
    if era not in ERAS:
        raise ValueError(f"era must be one of {ERAS}, got {era!r}")
    return _tables()[era].copy()


def crosswalk_2025() -> pd.DataFrame:
    """Old → new map: one row per former province (``code``) with its ``successor`` and the
    merger's sources, effective date and confidence as compiled in the facts."""
    return _tables()["crosswalk"].copy()


# --- the 34 provinces from 1 July 2025: era-marked keys -------------------------------------


class EraMismatchError(CchcDataError):
    """Two tables keyed by provinces of different eras (63 provinces 2008–2025 vs 34 from 2025)
    were about to be joined; the message names the era of each side."""


@dataclass(frozen=True)
class Province2025:
    """One of the 34 provinces in force from 1 July 2025."""

    key: str
    """Era-marked key, ``"2025:"`` + the official code (``"2025:52"`` Gia Lai)."""
    name_vi: str
    name_en: str
    slug: str
    unit_type: str
    former_codes: tuple[str, ...]
    """GSO codes (2008–2025 era) of the former provinces it combines."""


@cache
def _registry_2025() -> tuple[dict[str, Province2025], dict[str, str], dict[str, str]]:
    """``(key -> Province2025, matching key -> key, folded name -> canonical name)``."""
    by_key: dict[str, Province2025] = {}
    keys: dict[str, str] = {}
    for row in _tables()["2025-"].itertuples(index=False):
        p = Province2025(
            key=row.province_code_2025,
            name_vi=row.name_vi,
            name_en=row.name_en,
            slug=row.slug,
            unit_type=row.unit_type,
            former_codes=tuple(row.former_codes.split(";")),
        )
        by_key[p.key] = p
        for spelling in (p.name_vi, p.name_en, row.name_ascii, p.slug.replace("-", " ")):
            k = _key(spelling)
            if keys.setdefault(k, p.key) != p.key:
                raise CchcDataError(
                    f"provinces_2025.csv: spelling {spelling!r} matches {keys[k]} and {p.key}"
                )
    display = {fold(p.name_vi): p.name_vi for p in by_key.values()}
    return by_key, keys, display


def _closest_2025(name: object, n: int = 3) -> list[str]:
    folded = fold(name) if isinstance(name, str) else ""
    if not folded:
        return []
    display = _registry_2025()[2]
    return [display[m] for m in difflib.get_close_matches(folded, list(display), n=n, cutoff=0)]


def normalize_province_2025(name: str, where: str = "") -> Province2025:
    """The province of the 34-province era a name refers to, whatever its spelling.

    ``normalize_province_2025("Thành phố Hồ Chí Minh").key == "2025:79"``. Former provinces
    that were merged away ("Yên Bái") are not 2025– provinces and raise
    :class:`UnknownProvinceError` with the closest new names.
    """
    if not isinstance(name, str):
        raise UnknownProvinceError(name, where=where, detail="expected a str")
    by_key, keys, _ = _registry_2025()
    key = keys.get(_key(name))
    if key is None:
        raise UnknownProvinceError(
            name, _closest_2025(name), where, "not one of the 34 provinces from 1 July 2025"
        )
    return by_key[key]


def province_key_2025(name: str) -> str:
    """Era-marked key of a 2025– province name: ``province_key_2025("Lào Cai") == "2025:15"``."""
    return normalize_province_2025(name).key


def province_keys_2025(names: Iterable[object], where: str = "") -> list[str]:
    """Keys for a column of 2025– names, or one error listing every unknown spelling.

    ``province_keys_2025(["Gia Lai", "Huế"]) == ["2025:52", "2025:46"]``.
    """
    out: list[str] = []
    unknown: dict[str, list[int]] = {}
    for i, name in enumerate(names, start=1):
        try:
            out.append(normalize_province_2025(name).key)  # type: ignore[arg-type]
        except UnknownProvinceError:
            unknown.setdefault(repr(name) if not isinstance(name, str) else name, []).append(i)
    if unknown:
        listed = "; ".join(
            f"{n!r} at rows {', '.join(map(str, r[:10]))}" for n, r in unknown.items()
        )
        first = next(iter(unknown))
        raise UnknownProvinceError(first, _closest_2025(first), where, f"all unknown: {listed}")
    return out


def key_2025(code: str) -> str:
    """The era-marked key of an official 2025 code: ``key_2025("15") == "2025:15"``."""
    key = f"{KEY_2025_PREFIX}{code}"
    if not isinstance(code, str) or key not in _registry_2025()[0]:
        raise UnknownProvinceError(
            code, detail="expected an official 2025 code string such as '15'"
        )
    return key


def official_code_2025(key: str) -> str:
    """The bare official code of a 2025– key, for display only: ``official_code_2025("2025:15")
    == "15"``. Never join on it (module docstring)."""
    if not isinstance(key, str) or key not in _registry_2025()[0]:
        raise UnknownProvinceError(key, detail="expected a 2025– key such as '2025:15'")
    return key.removeprefix(KEY_2025_PREFIX)


def _values_era(values: Iterable[object]) -> set[str]:
    eras = set()
    codes_63 = _registry()[0]
    for v in values:
        if isinstance(v, str) and v.startswith(KEY_2025_PREFIX):
            eras.add("2025-")
        elif isinstance(v, str) and v in codes_63:
            eras.add("2008-2025")
    return eras


def key_era(frame: pd.DataFrame | pd.Series | pd.Index, where: str = "") -> str:
    """Which era a table is keyed by: ``"2008-2025"`` or ``"2025-"``.

    Looks at the key columns and index names (:data:`KEY_COLUMNS`), else at the index values
    (``"2025:15"`` or a GSO code such as ``"15"``); other columns are never guessed at. Raises :class:`EraMismatchError` when both eras are present and
    :class:`CchcDataError` when there is no province key at all.
    ``key_era(cc.provinces("2025-")) == "2025-"``.
    """
    label = where or "table"
    index = frame if isinstance(frame, pd.Index) else frame.index
    columns = list(frame.columns) if isinstance(frame, pd.DataFrame) else []
    found = {era for era, col in KEY_COLUMNS.items() if col in columns}
    found |= {era for era, col in KEY_COLUMNS.items() if col in [n for n in index.names if n]}
    if not found:  # a wide frame with an unnamed index: recognise the keys by their values
        found = _values_era(index.get_level_values(0) if index.nlevels > 1 else index)
    for era in list(found):
        col = KEY_COLUMNS[era]
        if col in columns:
            found |= _values_era(frame[col])  # type: ignore[index]
    if len(found) > 1:
        raise EraMismatchError(
            f"{label} mixes keys of both eras: {_ERA_LABEL['2008-2025']} and {_ERA_LABEL['2025-']}"
        )
    if not found:
        raise CchcDataError(
            f"{label} has no province key: expected a column or index named "
            f"{' or '.join(KEY_COLUMNS.values())}"
        )
    return found.pop()


def check_same_era(left: object, right: object, names: tuple[str, str] = ("left", "right")) -> str:
    """Raise :class:`EraMismatchError` unless both tables are keyed by the same era; return it.

    Use it before any join, concat or comparison of two province tables.
    """
    a = key_era(left, names[0])  # type: ignore[arg-type]
    b = key_era(right, names[1])  # type: ignore[arg-type]
    if a != b:
        raise EraMismatchError(
            f"cannot join province tables of different eras: {names[0]} is keyed by the "
            f"{_ERA_LABEL[a]}, {names[1]} by the {_ERA_LABEL[b]}. A new province keeps the "
            "code of the former province hosting its capital (new Lào Cai = 15 = former Yên "
            "Bái), so bare codes must never be matched across eras; carry the older table "
            "onto the 34 provinces with to_2025() first."
        )
    return a


def merge_provinces(left: pd.DataFrame, right: pd.DataFrame, **kwargs: object) -> pd.DataFrame:
    """``pandas.merge`` that first checks both sides are keyed by the same era.

    Without ``on``/``left_on``/``left_index`` it joins on the era's key column (plus any other
    ``on`` you pass). ``merge_provinces(qd766_wide, pop_2025)`` works;
    ``merge_provinces(papi_wide_63, qd766_wide)`` raises :class:`EraMismatchError`.
    """
    era = check_same_era(left, right)
    if not ({"on", "left_on", "right_on", "left_index", "right_index"} & set(kwargs)):
        kwargs["on"] = KEY_COLUMNS[era]
    return pd.merge(left, right, **kwargs)  # type: ignore[arg-type]


def check_codes_2025(seed_sql: Path | None = None, merger_json: Path | None = None) -> pd.DataFrame:
    """Check the shipped official codes against the downloaded dataset ``provinces_2025_codes``.

    Every code and name in ``provinces_seed.sql`` and ``donvi_tinhthanh.json`` must match
    ``provinces_2025.csv``, and every new province's code must be the GSO code of one of the
    provinces it combines (the capital-host rule). Returns the compared table; raises
    :class:`DataValidationError` naming the file and the province otherwise.
    """
    import json

    if seed_sql is None or merger_json is None:
        from cchc_analysis.download import fetch

        seed_sql, merger_json = fetch("provinces_2025_codes")
    shipped = _tables()["2025-"]
    rows = []
    for label, pairs in (
        (
            Path(seed_sql).name,
            re.findall(r"\('(\d{2})',\s*'([^']+)'\)", Path(seed_sql).read_text("utf-8")),
        ),
        (
            Path(merger_json).name,
            [
                (r["ma"], r["ten"])
                for r in json.loads(Path(merger_json).read_text("utf-8"))
                if str(r.get("magoc", "0")) == "0"
            ],
        ),
    ):
        if len(pairs) != 34:
            raise DataValidationError(label, "lists the 34 provinces", detail=f"found {len(pairs)}")
        for code, name in pairs:
            p = normalize_province_2025(name, where=label)
            if p.key != KEY_2025_PREFIX + code:
                raise DataValidationError(
                    label, "code matches provinces_2025.csv", detail=f"{name!r}: {code} vs {p.key}"
                )
            rows.append({"file": label, "code": code, "name": name, "province_code_2025": p.key})
    for row in shipped.itertuples(index=False):
        if row.province_code_2025.removeprefix(KEY_2025_PREFIX) not in row.former_codes.split(";"):
            raise DataValidationError(
                "provinces_2025.csv",
                "official code is the GSO code of a former province (capital-host rule)",
                detail=f"{row.name_vi}: {row.province_code_2025} not in {row.former_codes}",
            )
    return pd.DataFrame(rows)


# --- carrying series across the merger ------------------------------------------------------

_INPUT = "to_2025 input"
_WEIGHTS = "to_2025 weights"


def _check_input(frame: pd.DataFrame, cols: list[str], groups: list[str]) -> None:
    """Raise on anything that would make the merged table wrong without saying so."""
    if KEY_COLUMNS["2025-"] in frame.columns or KEY_COLUMNS["2025-"] in frame.index.names:
        raise EraMismatchError(
            f"{_INPUT} is keyed by the {_ERA_LABEL['2025-']}; to_2025 carries tables of the "
            f"{_ERA_LABEL['2008-2025']} onto the 34 provinces"
        )
    if "province_code" not in frame.columns:
        raise DataValidationError(
            _INPUT, "has a province_code column", detail=f"{list(frame.columns)}"
        )
    if absent := [c for c in [*cols, *groups] if c not in frame.columns]:
        raise DataValidationError(_INPUT, "named columns exist", detail=f"missing {absent}")
    if frame.empty:
        raise DataValidationError(_INPUT, "has at least one row")
    by_code = _registry()[0]
    bad = [
        i
        for i, c in enumerate(frame["province_code"], 1)
        if not (isinstance(c, str) and c in by_code)
    ]
    if bad:
        shown = ", ".join(
            f"{v!s} ({type(v).__name__})"
            for v in frame["province_code"].iloc[[i - 1 for i in bad[:5]]]
        )
        raise DataValidationError(
            _INPUT,
            "province_code is a GSO code string of the 63 provinces ('01' … '96')",
            bad,
            shown,
        )
    for c in cols:
        if pd.api.types.is_bool_dtype(frame[c]) or not pd.api.types.is_numeric_dtype(frame[c]):
            raise DataValidationError(
                _INPUT, f"{c} is numeric", detail=f"dtype is {frame[c].dtype}"
            )
        if nan_rows := list(np.flatnonzero(frame[c].isna().to_numpy()) + 1):
            raise DataValidationError(
                _INPUT,
                f"{c} has a value in every row",
                nan_rows,
                "drop rows without a value: absent provinces are reported in 'missing'",
            )
    dup = frame.duplicated([*groups, "province_code"], keep=False).to_numpy()
    if dup.any():
        raise DataValidationError(
            _INPUT, "one row per province_code within each group", list(np.flatnonzero(dup) + 1)
        )


def _codes_and_names(codes: Sequence[str], limit: int = 12) -> str:
    by_code = _registry()[0]
    shown = ", ".join(f"{c} {by_code[c].name_vi}" for c in codes[:limit])
    return shown + (f" (+{len(codes) - limit} more)" if len(codes) > limit else "")


def _row_weights(codes: pd.Series, weights: Mapping[str, float] | pd.Series) -> pd.Series:
    """The caller's weight for each row's province; every present province must have one."""
    w = pd.Series(dict(weights)) if isinstance(weights, Mapping) else weights
    if not isinstance(w, pd.Series):
        raise TypeError(
            f"weights must be a pandas Series or a dict keyed by province_code, got {type(weights).__name__}"
        )
    if w.index.has_duplicates:
        dup = sorted(set(w.index[w.index.duplicated()]))
        raise DataValidationError(
            _WEIGHTS, "one weight per province_code", detail=f"repeated: {dup}"
        )
    w = pd.to_numeric(w, errors="raise").astype("float64")
    present = sorted(set(codes))
    if uncovered := [c for c in present if c not in w.index or not np.isfinite(w[c])]:
        raise DataValidationError(
            _WEIGHTS,
            "a finite weight for every province_code in the input",
            detail=f"weights are never guessed; none given for {_codes_and_names(uncovered)}",
        )
    if negative := [c for c in present if w[c] < 0]:
        raise DataValidationError(
            _WEIGHTS, "weights are >= 0", detail=f"negative for {_codes_and_names(negative)}"
        )
    return codes.map(w)


def to_2025(
    frame: pd.DataFrame,
    value_cols: str | Sequence[str],
    how: str = "mean",
    weights: Mapping[str, float] | pd.Series | None = None,
    by: Sequence[str] | None = None,
    weights_name: str | None = None,
) -> pd.DataFrame:
    """Re-express a province table on the 34 provinces in force from 1 July 2025.

    ``frame`` is keyed by ``province_code`` (GSO code string of the 63 provinces) within the
    groups ``by`` (default: every column that is neither the code nor a value column, such as
    ``year``). For every group and each of the 34 new provinces the result has ``n_former``
    (how many former provinces the new one combines), ``n_present`` (how many of them have a
    row), ``missing`` (names of the absent ones, ``"; "``-joined, empty when none),
    ``complete``, and for each value column its mean over the present former provinces and
    their spread (``<col>_min``, ``<col>_max``). ``how="mean"`` is unweighted;
    ``how="weighted"`` needs ``weights`` supplied by the caller (e.g. population), a Series
    or dict keyed by ``province_code`` covering every province in ``frame``, and a name for
    them: ``weights_name`` or the Series' ``name`` (e.g. ``"population 2022, GSO (thousand)"``),
    written to the ``weighting`` column (``"unweighted mean"`` otherwise). A new province
    with none of its former provinces present keeps its row, with ``n_present == 0`` and NaN
    values, so the gap stays visible.

    The output is keyed by ``province_code_2025`` (era-marked, ``"2025:15"``) beside the name
    and slug, and has no ``province_code`` column: it cannot be joined back to a 63-province
    table by accident (see the module docstring). Input keyed by ``province_code_2025`` raises
    :class:`EraMismatchError`.

    Caveat: the mean of former provinces' scores describes the parts; it is not the score the
    merged province would have obtained had it been surveyed or assessed as one unit.

    >>> t = pd.DataFrame({"province_code": ["15", "10", "12"], "x": [1.0, 2.0, 3.0]})
    >>> out = to_2025(t, "x", how="weighted", weights={"15": 1, "10": 3, "12": 1},
    ...               weights_name="made-up weights")
    >>> row = out.set_index("province_code_2025").loc["2025:15"]  # Lào Cai (10) + Yên Bái (15)
    >>> float(row["x"]), row["weighting"]
    (1.75, 'weighted by made-up weights')
    """
    cols = [value_cols] if isinstance(value_cols, str) else list(value_cols)
    if not cols:
        raise ValueError("value_cols must name at least one column")
    if how not in ("mean", "weighted"):
        raise ValueError(f"how must be 'mean' or 'weighted', got {how!r}")
    if how == "weighted" and weights is None:
        raise ValueError("how='weighted' needs explicit weights (e.g. population by province_code)")
    if how == "mean" and weights is not None:
        raise ValueError("weights were given with how='mean'; pass how='weighted' to use them")
    if how == "weighted":
        weights_name = weights_name or (
            str(weights.name) if isinstance(weights, pd.Series) and weights.name else None
        )
        if not weights_name:
            raise ValueError(
                "name the weights (weights_name='population 2022, GSO', or a named Series): "
                "the output says which weighting was used"
            )
        weighting = f"weighted by {weights_name}"
    else:
        weighting = "unweighted mean"
    if by is None:
        groups = [c for c in frame.columns if c != "province_code" and c not in cols]
    else:
        groups = list(by)
    _check_input(frame, cols, groups)

    data = frame[[*groups, "province_code", *cols]].copy()
    data["_w"] = 1.0 if how == "mean" else _row_weights(data["province_code"], weights)  # type: ignore[arg-type]
    cross = _tables()["crosswalk"]
    data["slug_2025"] = data["province_code"].map(
        dict(zip(cross["code"], cross["successor_slug"], strict=True))
    )
    aggregations: dict[str, tuple[str, object]] = {
        "n_present": ("province_code", "size"),
        "_present": ("province_code", frozenset),
        "_wsum": ("_w", "sum"),
    }
    for c in cols:
        data[f"_wx_{c}"] = data[c] * data["_w"]
        aggregations |= {
            f"_wx_{c}": (f"_wx_{c}", "sum"),
            f"{c}_min": (c, "min"),
            f"{c}_max": (c, "max"),
        }
    keys = [*groups, "slug_2025"]
    summary = data.groupby(keys, sort=False, dropna=False).agg(**aggregations).reset_index()
    if (zero := summary["_wsum"] <= 0).any():
        raise DataValidationError(
            _WEIGHTS,
            "weights sum to more than 0 within each new province",
            detail=f"all-zero weights for {sorted(set(summary.loc[zero, 'slug_2025']))}",
        )

    # Every group gets all 34 new provinces, present or not.
    new = _tables()["2025-"].rename(columns={"slug": "slug_2025", "name_vi": "province_2025"})
    group_rows = data[groups].drop_duplicates() if groups else pd.DataFrame(index=[0])
    out = group_rows.merge(
        new[["province_code_2025", "province_2025", "slug_2025", "n_former", "former_codes"]],
        how="cross",
    )
    out = out.merge(summary, how="left", on=keys, validate="one_to_one")
    out["n_present"] = out["n_present"].fillna(0).astype("int64")
    name_of = {p.code: p.name_vi for p in _registry()[0].values()}
    out["missing"] = [
        "; ".join(
            name_of[c] for c in former.split(";") if not (isinstance(have, frozenset) and c in have)
        )
        for former, have in zip(out["former_codes"], out["_present"], strict=True)
    ]
    out["complete"] = out["n_present"] == out["n_former"]
    out["weighting"] = weighting
    result = [
        *groups,
        "province_code_2025",
        "province_2025",
        "slug_2025",
        "n_former",
        "n_present",
        "missing",
        "complete",
        "weighting",
    ]
    for c in cols:
        out[c] = out[f"_wx_{c}"] / out["_wsum"]
        result += [c, f"{c}_min", f"{c}_max"]
    return out[result].reset_index(drop=True)


class _CallableModule(types.ModuleType):
    """Keeps ``cchc_analysis.provinces(era)`` working once this module has been imported.

    Importing ``cchc_analysis.provinces`` binds the module to the package attribute of the same
    name, which shadows the function of that name exported from the package root; calling the
    module calls the function.
    """

    def __call__(self, era: str = "2008-2025") -> pd.DataFrame:
        return provinces(era)


sys.modules[__name__].__class__ = _CallableModule
