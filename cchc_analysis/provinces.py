"""The province registry: 63 provinces (2008 – June 2025), their spellings, and the 2025 merger.

Reference tables shipped in ``cchc_analysis/data/``:

``provinces.csv``
    the 63 provinces keyed by GSO two-digit code (a string: ``"01"`` … ``"96"``), with
    Vietnamese, English and ASCII names, unit type, socio-economic region and ``successor``
    (the post-merger province it became part of).
``province_aliases.csv``
    other spellings seen in real sources ("TP.HCM", "BR-VT", "TT-Huế", "Daklak", …).
``provinces_2025.csv`` / ``province_crosswalk_2025.csv``
    the 34 provinces in force from 1 July 2025 (NA Resolution 202/2025/QH15) and the
    old → new map, written from ``data/raw/facts/province_merger_2025.csv`` with its sources.
    The new provinces are keyed by name and ASCII slug: their official codes are not shipped
    because no primary source for them could be read.

Name matching folds case, diacritics (including ``đ``), tone-mark placement, Unicode form,
punctuation and spacing, and drops administrative prefixes and suffixes ("Tỉnh", "Thành phố",
"TP.", "province", "City"); what is left must be a registered name or alias, otherwise
:class:`UnknownProvinceError` names the input and the closest registered names.
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

import numpy as np
import pandas as pd

from cchc_analysis import paths
from cchc_analysis.errors import CchcDataError, DataValidationError
from cchc_analysis.text import fold

__all__ = [
    "Province",
    "UnknownProvinceError",
    "crosswalk_2025",
    "non_province_unit",
    "normalize_province",
    "province_by_code",
    "province_code",
    "province_codes",
    "provinces",
    "to_2025",
]

ERAS = ("2008-2025", "2025-")


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
    """The registry as a table: ``"2008-2025"`` (63 provinces, by GSO code) or ``"2025-"``
    (the 34 provinces from 1 July 2025, by slug, with ``n_former`` and ``former_codes``)."""
    if era not in ERAS:
        raise ValueError(f"era must be one of {ERAS}, got {era!r}")
    return _tables()[era].copy()


def crosswalk_2025() -> pd.DataFrame:
    """Old → new map: one row per former province (``code``) with its ``successor`` and the
    merger's sources, effective date and confidence as compiled in the facts."""
    return _tables()["crosswalk"].copy()


# --- carrying series across the merger ------------------------------------------------------

_INPUT = "to_2025 input"
_WEIGHTS = "to_2025 weights"


def _check_input(frame: pd.DataFrame, cols: list[str], groups: list[str]) -> None:
    """Raise on anything that would make the merged table wrong without saying so."""
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
    or dict keyed by ``province_code`` covering every province in ``frame``. A new province
    with none of its former provinces present keeps its row, with ``n_present == 0`` and NaN
    values, so the gap stays visible.

    Caveat: the mean of former provinces' scores describes the parts; it is not the score the
    merged province would have obtained had it been surveyed or assessed as one unit.
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
        new[["province_2025", "slug_2025", "n_former", "former_codes"]], how="cross"
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
    result = [*groups, "province_2025", "slug_2025", "n_former", "n_present", "missing", "complete"]
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
