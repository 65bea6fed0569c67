"""The province-year panel for the uptake/satisfaction models, built from the tidy PAPI long frame.

One row per (province, year) on the full grid of provinces seen in the frame × chosen years, so a
province missing from a release is a visible row with ``present == False`` (its values are
missing), never a silently absent one. Beside each chosen component ``C`` the panel carries
``max_C`` (its maximum that year, for rescaling) and the year-level availability flags below,
which encode PAPI's composition changes as data rather than as something to spot in a figure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from cchc_analysis import paths
from cchc_analysis.models._checks import (
    ModelInputError,
    as_codes,
    require_columns,
    require_numeric,
)

__all__ = [
    "AVAILABILITY_FLAGS",
    "COMPOSITION_BREAKS",
    "ERAS",
    "CompositionBreak",
    "YearFlag",
    "breaks_within",
    "build_panel",
    "mechanical_overlap",
    "to_share",
]

PAPI_COLUMNS = ("year", "province_code", "component", "value")
"""Columns :func:`build_panel` needs; ``max_value``, ``era``, ``province`` are used when present."""


@dataclass(frozen=True)
class YearFlag:
    """A boolean panel column, true for the years ``first_year``…``last_year`` (inclusive)."""

    name: str
    first_year: int
    last_year: int | None
    meaning: str

    def applies(self, years: pd.Series) -> pd.Series:
        upper = self.last_year if self.last_year is not None else np.iinfo(np.int64).max
        return (years >= self.first_year) & (years <= upper)


# Composition changes inside the 2018+ era, read off the values in papi_notes.md ("Composition
# changes inside the 2018+ era"); years before 2018 have no dimension 8 and a four-part dimension 5.
AVAILABILITY_FLAGS: tuple[YearFlag, ...] = (
    YearFlag(
        "d8_two_part",
        2018,
        2018,
        "dimension 8 has only 8.1 and 8.2, each on a two-part scale (up to 5)",
    ),
    YearFlag(
        "d8_has_83",
        2019,
        None,
        "sub-dimension 8.3 (e-responsiveness) exists; 8.1 and 8.2 are on a three-part scale",
    ),
    YearFlag(
        "d83_2019_scale",
        2019,
        2019,
        "8.3 is measured or scaled differently than from 2020 on (bimodal, 0.33-2.31)",
    ),
    YearFlag(
        "d5_three_part",
        2021,
        None,
        "dimension 5 without construction permits (5.2); 5.1, 5.3, 5.4 rescaled to three parts",
    ),
)


@dataclass(frozen=True)
class CompositionBreak:
    """A year from which ``components`` are measured on a different composition or scale."""

    year: int
    components: tuple[str, ...]
    flag: str
    what: str


# Same source as AVAILABILITY_FLAGS. TOTAL sums the dimensions, so it inherits every break. The
# dimension-5 break lists all its sub-dimension codes and upstream columns: every one of them
# changes scale at 2021 (and construction permits disappear).
COMPOSITION_BREAKS: tuple[CompositionBreak, ...] = (
    CompositionBreak(
        2019,
        ("D8", "D8.1", "D8.2", "SC81", "SC82", "TOTAL"),
        "d8_has_83",
        "8.3 added in 2019; 8.1 and 8.2 move from a two-part to a three-part scale",
    ),
    CompositionBreak(
        2020,
        ("D8", "D8.3", "SC83", "TOTAL"),
        "d83_2019_scale",
        "8.3 is measured differently in 2019 than from 2020",
    ),
    CompositionBreak(
        2021,
        ("D5", "D5.1", "D5.2", "D5.3", "D5.4", "SC51", "SC52", "SC53", "SC54", "TOTAL"),
        "d5_three_part",
        "construction permits (5.2) dropped in 2021; the other sub-dimensions rescaled",
    ),
)

# PAPI's methodology eras (papi_notes.md, "2018 is a break"): scores are not comparable across
# them, so one panel never spans two. Used when the frame has no ``era`` column.
ERAS: tuple[tuple[int, int | None, str], ...] = ((2011, 2017, "2011-2017"), (2018, None, "2018-"))

# Dimension scores run up to 10 and a dimension of n parts has sub-dimensions up to 10/n
# (papi_notes.md, "Scale and structure"); used only where the frame has no ``max_value``.
DIMENSION_MAX = 10.0

_CODE = re.compile(r"^D(?P<dim>\d+)(?:\.(?P<sub>\d+))?$")
# Upstream column names (``SC53`` = dimension 5, part 3 as the columns number them); they keep
# one meaning across PAPI's 2021 renumbering of dimension 5 within the 2018+ era.
_UPSTREAM = re.compile(r"^SC(?P<dim>\d)(?P<sub>\d)$")


def _parse(code: str) -> tuple[str, str | None] | None:
    """``"D5.1"`` → ``("D5", "D5.1")``, ``"SC53"`` → ``("D5", "SC53")``,
    ``"D5"`` → ``("D5", None)``, ``"TOTAL"`` → ``("TOTAL", None)``; anything else → None."""
    if code == "TOTAL":
        return ("TOTAL", None)
    upstream = _UPSTREAM.match(code)
    if upstream is not None:
        return (f"D{upstream['dim']}", code)
    match = _CODE.match(code)
    if match is None:
        return None
    dim = f"D{match['dim']}"
    return (dim, code if match["sub"] else None)


def mechanical_overlap(outcome: str, regressor: str) -> bool:
    """True when one PAPI component is built from the other (the same code, an index and its part).

    ``D8`` with ``D8.1`` or ``SC81``, ``TOTAL`` with anything from PAPI, either way round: the
    association is then partly an identity, not evidence. Names that are not PAPI codes never
    overlap.
    """
    a, b = _parse(outcome), _parse(regressor)
    if a is None or b is None:
        return False
    if outcome == regressor or "TOTAL" in (a[0], b[0]):
        return True
    (dim_a, sub_a), (dim_b, sub_b) = a, b
    return dim_a == dim_b and (sub_a is None or sub_b is None)


def breaks_within(components: Iterable[str], years: Iterable[int]) -> list[CompositionBreak]:
    """Composition breaks of ``components`` that fall inside ``years`` (years on both sides)."""
    years = sorted(set(int(y) for y in years))
    if not years:
        return []
    chosen = set(components)
    return [
        b
        for b in COMPOSITION_BREAKS
        if chosen.intersection(b.components) and years[0] < b.year <= years[-1]
    ]


@cache
def _province_table() -> pd.DataFrame:
    table = pd.read_csv(
        paths.PACKAGE_DATA / "provinces.csv", dtype=str, keep_default_na=False, encoding="utf-8"
    )
    return table.set_index("code")[["name_vi", "region"]]


def build_panel(
    papi: pd.DataFrame,
    exposures: str | Iterable[str],
    outcomes: str | Iterable[str],
    controls: str | Iterable[str] = (),
    years: Iterable[int] | None = None,
) -> pd.DataFrame:
    """Province-year frame of the chosen PAPI series, with region, maxima and availability flags.

    ``papi`` is the tidy long frame of :func:`cchc_analysis.load_papi` (``year, province_code,
    component, value`` and, when present, ``max_value``, ``era``, ``component_name``,
    ``source_column``). A series is named by its PAPI code (``"D5"``, ``"D5.1"``, ``"D8.1"``,
    ``"TOTAL"``) or, for a sub-dimension that PAPI renumbered, by its upstream column (``"SC53"``,
    land titles: ``D5.3`` to 2020, ``D5.2`` from 2021); a code that changes meaning within the
    chosen years is refused. Each series becomes a column, with ``max_<name>`` beside it.
    ``years`` defaults to the frame's latest methodology era (2018 on for PAPI); years given
    explicitly must stay inside one era. Columns: ``province_code, province, region, year, era,
    present`` (whether the province has any row that year), the series, their maxima, then one
    boolean column per :data:`AVAILABILITY_FLAGS` entry.
    """
    dataset = "PAPI frame"
    require_columns(papi, PAPI_COLUMNS, dataset)
    chosen = as_codes(exposures, "exposures") + as_codes(outcomes, "outcomes")
    chosen += as_codes(controls, "controls")
    chosen = tuple(dict.fromkeys(chosen))
    if not chosen:
        raise ModelInputError("build_panel: name at least one exposure or outcome component")
    require_numeric(papi, ["year", "value"], dataset)
    if "max_value" in papi.columns:
        require_numeric(papi, ["max_value"], dataset)
    if papi["year"].isna().any():
        rows = papi.index[papi["year"].isna()].tolist()[:10]
        raise ModelInputError(f"{dataset}: 'year' is missing in rows {rows}")

    frame = papi.assign(
        year=papi["year"].astype("int64"), province_code=papi["province_code"].astype(str)
    )
    available_years = sorted(frame["year"].unique().tolist())
    if years is None:
        # the latest methodology era: comparable years only, and the one dimension 8 exists in
        all_eras = _eras(frame, available_years)
        chosen_years = all_eras.index[all_eras == all_eras.iloc[-1]].tolist()
    else:
        chosen_years = sorted({int(y) for y in years})
        absent = [y for y in chosen_years if y not in available_years]
        if absent:
            raise ModelInputError(
                f"{dataset}: no rows for year(s) {absent}; years present: {available_years}"
            )
    if not chosen_years:
        raise ModelInputError(f"{dataset}: the frame has no rows")

    eras = _eras(frame, chosen_years)
    if eras.nunique() > 1:
        spans = ", ".join(
            f"{era}: {min(ys)}-{max(ys)}" for era, ys in eras.groupby(eras).groups.items()
        )
        raise ModelInputError(
            f"{dataset}: the years span more than one methodology era ({spans}); scores are not "
            "comparable across eras (PAPI re-composed its dimensions in 2018): pass years=... "
            "within one era"
        )

    known = _province_table()
    unknown = sorted(set(frame["province_code"]) - set(known.index))
    if unknown:
        raise ModelInputError(
            f"{dataset}: province_code(s) {unknown[:10]} are not GSO codes of the 63 provinces "
            "(provinces.csv; codes are two-digit strings such as '01')"
        )

    in_years = frame[frame["year"].isin(chosen_years)]
    in_years = in_years.assign(row_max=_row_maxima(in_years))
    rows = pd.concat([_series_rows(in_years, key) for key in chosen], ignore_index=True)
    dup = rows.duplicated(["province_code", "year", "key"], keep=False)
    if dup.any():
        shown = rows.loc[dup, ["province_code", "year", "key"]].head(6).to_dict("records")
        raise ModelInputError(
            f"{dataset}: more than one row per (province_code, year, component): {shown}"
        )

    provinces = sorted(frame["province_code"].unique().tolist())
    grid = pd.MultiIndex.from_product([provinces, chosen_years], names=["province_code", "year"])
    values = rows.pivot(index=["province_code", "year"], columns="key", values="value")
    values = values.reindex(index=grid, columns=list(chosen)).astype("float64")
    values.columns.name = None

    maxima = _maxima(rows, chosen).reindex(chosen_years)
    seen = set(zip(in_years["province_code"], in_years["year"], strict=True))

    panel = values.reset_index()
    panel.insert(1, "province", panel["province_code"].map(known["name_vi"]))
    panel.insert(2, "region", panel["province_code"].map(known["region"]))
    panel.insert(4, "era", panel["year"].map(eras))
    panel.insert(
        5,
        "present",
        [(p, y) in seen for p, y in zip(panel["province_code"], panel["year"], strict=True)],
    )
    for code in chosen:
        panel[f"max_{code}"] = panel["year"].map(maxima[code]).astype("float64")
    for flag in AVAILABILITY_FLAGS:
        panel[flag.name] = flag.applies(panel["year"])
    panel["province"] = panel["province"].astype(str)
    panel["region"] = panel["region"].astype(str)
    return panel


def _eras(frame: pd.DataFrame, years: list[int]) -> pd.Series:
    """Methodology era of each year, from the frame's ``era`` column or :data:`ERAS`."""
    if "era" in frame.columns:
        per_year = frame.loc[frame["year"].isin(years)].groupby("year")["era"].unique()
        mixed = per_year[per_year.map(len) > 1]
        if not mixed.empty:
            raise ModelInputError(
                f"PAPI frame: more than one era within year(s) {mixed.index.tolist()}"
            )
        return per_year.map(lambda v: str(v[0])).reindex(years)
    out = {}
    for year in years:
        for first, last, name in ERAS:
            if year >= first and (last is None or year <= last):
                out[year] = name
        if year not in out:
            raise ModelInputError(f"PAPI frame: year {year} is outside PAPI's eras {ERAS}")
    return pd.Series(out).reindex(years)


def _series_rows(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Rows of one series, checked to mean the same thing in every chosen year.

    A PAPI code selects by ``component``; an upstream column name (``SC53``) selects by
    ``source_column``, which follows a sub-dimension through PAPI's renumbering (the loader
    numbers components as each year's report does, so ``D5.3`` is land titles up to 2020 and
    personal procedures from 2021).
    """
    upstream = _UPSTREAM.match(key) is not None
    if upstream and "source_column" not in frame.columns:
        raise ModelInputError(
            f"PAPI frame: {key!r} names an upstream column but the frame has no 'source_column'"
        )
    column = "source_column" if upstream else "component"
    rows = frame[frame[column] == key].dropna(subset=["value"])
    if rows.empty:
        have = sorted(set(frame[column].dropna().astype(str)))
        years = sorted(frame["year"].unique().tolist())
        raise ModelInputError(
            f"PAPI frame: {column} {key!r} has no values in years {years[0]}-{years[-1]}; "
            f"{column} values present: {have}"
        )
    # what must stay fixed: the name, and for a PAPI code also the upstream column (an upstream
    # column's code may change: that is the renumbering it follows)
    checks = ("component_name",) if upstream else ("component_name", "source_column")
    for meaning in checks:
        if meaning not in rows.columns:
            continue
        spans = rows.dropna(subset=[meaning]).groupby(meaning)["year"].agg(["min", "max"])
        if len(spans) > 1:
            shown = "; ".join(
                f"{name!r} in {lo}-{hi}" for name, (lo, hi) in spans.sort_values("min").iterrows()
            )
            hint = (
                "name the series by its upstream column (e.g. 'SC53' for land titles) "
                "or choose years on one side of the change"
                if not upstream
                else "choose years on one side of the change"
            )
            raise ModelInputError(
                f"PAPI frame: {key!r} changes meaning within the chosen years ({meaning}: "
                f"{shown}); PAPI renumbered or redefined it, so one column cannot hold it: {hint}"
            )
    return rows.assign(key=key)


def _maxima(rows: pd.DataFrame, chosen: tuple[str, ...]) -> pd.DataFrame:
    """Year × series maxima from the rows' ``row_max``; one value per year, none missing."""
    out = {}
    for key in chosen:
        mine = rows[rows["key"] == key]
        lacking = sorted(mine.loc[mine["row_max"].isna(), "year"].unique().tolist())
        if lacking:
            raise ModelInputError(
                f"PAPI frame: no maximum for {key} in year(s) {lacking} (no max_value and the "
                "code is not a PAPI dimension, sub-dimension or TOTAL)"
            )
        varies = mine.groupby("year")["row_max"].nunique()
        if (varies > 1).any():
            raise ModelInputError(
                f"PAPI frame: max_value of {key} differs between provinces in year(s) "
                f"{varies[varies > 1].index.tolist()}"
            )
        out[key] = mine.groupby("year")["row_max"].first()
    return pd.DataFrame(out)


def _row_maxima(frame: pd.DataFrame) -> pd.Series:
    """Each row's maximum: ``max_value`` where given, else the structure present that year —
    dimension 10, sub-dimension 10/n for n parts, TOTAL 10 × number of dimensions."""
    valued = frame.dropna(subset=["value"])
    parsed = valued["component"].astype(str).map(_parse)
    valued = valued[parsed.notna()]
    parts = valued.assign(
        dim=parsed.dropna().map(lambda p: p[0]), sub=parsed.dropna().map(lambda p: p[1])
    )
    n_parts = parts.dropna(subset=["sub"]).groupby(["year", "dim"])["sub"].nunique()
    n_dims = parts[parts["dim"] != "TOTAL"].groupby("year")["dim"].nunique()
    rule = []
    for year, code in zip(frame["year"], frame["component"].astype(str), strict=True):
        parsed_code = _parse(code)
        if parsed_code is None or code.startswith("SC"):
            rule.append(np.nan)
        elif code == "TOTAL":
            rule.append(DIMENSION_MAX * n_dims.get(year, np.nan))
        elif parsed_code[1] is None:
            rule.append(DIMENSION_MAX)
        else:
            rule.append(DIMENSION_MAX / n_parts.get((year, parsed_code[0]), np.nan))
    rule = pd.Series(rule, index=frame.index, dtype="float64")
    if "max_value" in frame.columns:
        return frame["max_value"].astype("float64").combine_first(rule)
    return rule


def to_share(panel: pd.DataFrame, codes: str | Iterable[str]) -> pd.DataFrame:
    """Copy of ``panel`` with ``<code>_share`` = value / ``max_<code>`` (0-1) for each code.

    Dividing by the year's maximum removes a pure rescaling such as dimension 5's in 2021; it does
    not remove a change in what is measured (5.2 dropped), which the flags still mark.
    """
    codes = as_codes(codes, "codes")
    require_columns(panel, [*codes, *(f"max_{c}" for c in codes)], "panel")
    out = panel.copy()
    for code in codes:
        out[f"{code}_share"] = out[code] / out[f"max_{code}"]
    return out
