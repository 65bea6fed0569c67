"""PAPI, the Provincial Governance and Public Administration Performance Index, as one tidy table.

Source of the values: CECODES, VFF-CRT, RTA and UNDP (papi.org.vn); cite PAPI for every number.
Two upstream copies are registered (:mod:`cchc_analysis.registry`): one CSV per year 2011-2024 with
the 29 sub-dimension columns ``SC11``…``SC83`` for provinces ``P01``…``P63`` (dataset ``papi``), and
the official 2011-2016 workbook (dataset ``papi_workbook``). The build reads the CSVs, checks them
cell for cell against the workbook where both exist, and derives dimensions and totals.

What each upstream column means, per year, is data: ``data/papi_components.csv`` (the upstream
codebook's labels are right only from 2018, and the composition changes in 2018, 2019 and 2021).
Its columns: the years a row applies to, the component code as that year's report numbers it, its
level and parent, the upstream column, the maximum (10/n for a sub-dimension of an n-part
dimension), English and Vietnamese names with their sources (``workbook`` = header of the official
workbook, ``codebook`` = upstream codebook, ``PAPI report``/``papi.org.vn`` = published names,
``translation`` = no official Vietnamese label among the project's sources) and a note (labels
marked *assumed* are not checked against that year's report). The workbook's sheet layout is
``data/papi_workbook_layout.csv``.

    from cchc_analysis import load_papi, papi_wide
    papi = load_papi()                       # tidy long table, 2011-2024
    papi_wide(2021)                          # provinces x dimensions
"""

from __future__ import annotations

import functools
import re
from fractions import Fraction
from pathlib import Path

import pandas as pd

from cchc_analysis import paths, registry
from cchc_analysis.errors import CchcDataError, DataValidationError
from cchc_analysis.methodology import ComponentSignature, Part, ScoreMeta, attach_methodology
from cchc_analysis.schemas import validate
from cchc_analysis.schemas.papi import COLUMNS, ERAS, papi_schema
from cchc_analysis.tables import TableSpec

__all__ = [
    "TABLES",
    "YEARS",
    "components",
    "load_papi",
    "load_papi_workbook",
    "papi_methodology",
    "papi_wide",
    "tidy_papi",
]

INDEX = "PAPI"
YEARS = tuple(range(2011, 2025))
ERA_BREAK = 2018
"""First year of the eight-dimension PAPI; scores before and after are not comparable."""
WORKBOOK_SHEET = "{year}_PAPI"
WORKBOOK_SUMMARY_CODE = 999
"""``tinhid`` of the workbook's "Highest" row (column maxima, not a province)."""
WORKBOOK_DATASET = "papi_workbook"

# Tolerances for comparing the two upstream copies: the workbook stores 2015-2016 scores in
# single precision and its dimension scores with seven significant digits.
SUBDIMENSION_TOLERANCE = 1e-8
SUM_TOLERANCE = 1e-5

_CODE = re.compile(r"P(\d{2})")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_LEVEL_ORDER = {"subdimension": 0, "dimension": 1, "total": 2}


# ---------------------------------------------------------------------------------------------
# Reference tables shipped with the package
# ---------------------------------------------------------------------------------------------


@functools.cache
def _provinces() -> pd.DataFrame:
    return pd.read_csv(paths.PACKAGE_DATA / "provinces.csv", dtype=str, keep_default_na=False)


@functools.cache
def _component_rows() -> pd.DataFrame:
    source = paths.PACKAGE_DATA / "papi_components.csv"
    table = pd.read_csv(source, dtype=str, keep_default_na=False)
    rows = []
    for line, row in enumerate(table.to_dict("records"), start=2):
        try:
            maximum = float(Fraction(row["max_value"]))
        except (ValueError, ZeroDivisionError):
            raise CchcDataError(
                f"{source.name}, line {line}: max_value {row['max_value']!r} is not a number "
                "or fraction"
            ) from None
        for year in range(int(row["year_from"]), int(row["year_to"]) + 1):
            rows.append({**row, "year": year, "max_value": maximum, "table_line": line})
    expanded = pd.DataFrame(rows).drop(columns=["year_from", "year_to"])
    expanded["era"] = [ERAS[0] if y < ERA_BREAK else ERAS[1] for y in expanded["year"]]
    for column in ("parent", "source_column", "note"):
        expanded[column] = expanded[column].replace("", pd.NA)
    _check_components(expanded, source.name)
    return expanded.sort_values(["year", "component"], kind="mergesort").reset_index(drop=True)


def _check_components(table: pd.DataFrame, name: str) -> None:
    """The component table must describe a coherent index in every year it covers."""

    def fail(rule: str, bad: pd.DataFrame) -> None:
        raise DataValidationError(name, rule, sorted(set(bad["table_line"])))

    dup = table[table.duplicated(["year", "component"], keep=False)]
    if len(dup):
        fail("one row per (year, component)", dup)
    cols = table.dropna(subset=["source_column"])
    dup = cols[cols.duplicated(["year", "source_column"], keep=False)]
    if len(dup):
        fail("each upstream column used once a year", dup)
    subs = table[table["level"] == "subdimension"]
    dims = table[table["level"] == "dimension"]
    totals = table[table["level"] == "total"]
    if set(table["year"]) != set(totals["year"]) or totals["year"].duplicated().any():
        fail("exactly one total per year", totals)
    bad = subs[
        subs["source_column"].isna() | (subs["component"].str.split(".").str[0] != subs["parent"])
    ]
    if len(bad):
        fail("sub-dimension has an upstream column and a prefix equal to its parent", bad)
    known_dims = set(zip(dims["year"], dims["component"], strict=True))
    orphans = subs[
        [(y, p) not in known_dims for y, p in zip(subs["year"], subs["parent"], strict=True)]
    ]
    if len(orphans):
        fail("parent dimension exists that year", orphans)
    sums = subs.groupby(["year", "parent"])["max_value"].sum()
    off = sums[(sums - 10).abs() > 1e-9]
    if len(off):
        keys = set(off.index)
        fail(
            "sub-dimension maxima add up to 10 (10/n for n parts)",
            subs[[(y, p) in keys for y, p in zip(subs["year"], subs["parent"], strict=True)]],
        )
    n_dims = dims.groupby("year").size()
    wrong = totals[totals["max_value"].to_numpy() != 10 * n_dims.reindex(totals["year"]).to_numpy()]
    if len(wrong):
        fail("total maximum = 10 x number of dimensions", wrong)


def components(year: int | None = None) -> pd.DataFrame:
    """The PAPI components of ``year`` (all years when ``None``), one row per (year, component).

    Columns: ``year, component, level, parent, source_column, max_value, name_en, name_vi,
    name_en_source, name_vi_source, note, era``.
    """
    table = _component_rows().drop(columns="table_line")
    if year is None:
        return table.copy()
    chosen = table[table["year"] == year]
    if chosen.empty:
        raise CchcDataError(
            f"PAPI has no components for {year}; years covered: {YEARS[0]}-{YEARS[-1]}"
        )
    return chosen.reset_index(drop=True)


def _upstream_columns() -> list[str]:
    return sorted(_component_rows()["source_column"].dropna().unique())


# ---------------------------------------------------------------------------------------------
# The yearly CSV files
# ---------------------------------------------------------------------------------------------


def _read_year_csv(path: Path, label: str) -> pd.DataFrame:
    """One year's CSV as numbers: columns ``province_code, source_row`` and the upstream columns.

    Raises DataValidationError naming the file, its lines and the rule for anything unexpected.
    """
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataValidationError(
            label,
            "well-formed CSV (one field per header column; dot decimals, no decimal commas)",
            detail=str(exc).strip(),
        ) from None
    expected = ["Province", *_upstream_columns()]
    missing = [c for c in expected if c not in raw.columns]
    extra = [c for c in raw.columns if c not in expected]
    if missing or extra:
        detail = "; ".join(
            part
            for part in (
                f"missing {missing}" if missing else "",
                f"unexpected {extra}" if extra else "",
            )
            if part
        )
        raise DataValidationError(label, f"header is {expected}", detail=detail)
    raw.index = pd.RangeIndex(2, len(raw) + 2, name="line")  # line numbers as in the file

    codes = raw["Province"].str.strip()
    position = codes.str.fullmatch(_CODE.pattern)
    number = pd.to_numeric(codes.where(position).str[1:], errors="coerce")
    provinces = _provinces()
    unknown = ~position | ~number.between(1, len(provinces))
    if unknown.any():
        raise DataValidationError(
            label,
            f"province codes P01-P{len(provinces):02d}",
            raw.index[unknown],
            f"found {codes[unknown].tolist()[:5]}",
        )
    dup = codes.duplicated(keep=False)
    if dup.any():
        raise DataValidationError(
            label, "one row per province", raw.index[dup], f"repeated {sorted(set(codes[dup]))}"
        )
    absent = sorted(set(f"P{i:02d}" for i in range(1, len(provinces) + 1)) - set(codes))
    if absent:
        raise DataValidationError(
            label,
            "a row for every province (an unreleased province has an empty row)",
            detail=f"no rows for {absent}",
        )

    columns = _upstream_columns()
    # Every column at once (the steps are cell by cell, so this is the same as column by column);
    # only when a cell is not a number are the columns looked at one by one, for the message.
    stacked = pd.concat([raw[c] for c in columns], ignore_index=True).str.strip()
    empty = stacked == ""
    numbers = pd.to_numeric(stacked.where(~empty), errors="coerce")
    if not (~empty & numbers.isna()).any():
        cells = numbers.to_numpy(dtype="float64").reshape(len(columns), len(raw))
        values = {column: cells[i] for i, column in enumerate(columns)}
    else:
        values = _numbers_by_column(raw, columns, label)
    frame = pd.DataFrame(values, index=raw.index)
    # P01..P63 follow the GSO order of the province registry (checked against the codebook and,
    # for 2011-2016, against the workbook's GSO codes).
    frame.insert(0, "province_code", provinces["code"].to_numpy()[number.astype(int) - 1])
    frame.insert(1, "source_row", pd.array(raw.index, dtype="Int64"))
    return frame.reset_index(drop=True)


def _numbers_by_column(raw: pd.DataFrame, columns: list[str], label: str) -> dict:
    """The upstream columns as numbers, one by one; raises naming the first with a bad cell."""
    values = {}
    for column in columns:
        text = raw[column].str.strip()
        empty = text == ""
        numbers = pd.to_numeric(text.where(~empty), errors="coerce")
        bad = ~empty & numbers.isna()
        if bad.any():
            comma = text[bad].str.fullmatch(_DECIMAL_COMMA.pattern).any()
            rule = (
                f"{column}: dot-decimal number (found a decimal comma)"
                if comma
                else f"{column}: a number or an empty cell"
            )
            raise DataValidationError(
                label, rule, raw.index[bad], f"found {text[bad].tolist()[:5]}"
            )
        values[column] = numbers.astype("float64")
    return values


def _check_codebook(path: Path, label: str) -> None:
    """The codebook's P01..P63 names must match the registry's provinces in GSO order."""
    book = pd.read_csv(path, dtype=str, keep_default_na=False)
    provinces = _provinces()

    def fold(text: str) -> str:
        return re.sub(r"[^a-z]", "", text.lower())

    wrong = []
    for line, (code, name) in enumerate(
        zip(book.iloc[:, 0], book.iloc[:, 1], strict=True), start=2
    ):
        match = _CODE.fullmatch(code.strip())
        index = int(match.group(1)) - 1 if match else -1
        if not 0 <= index < len(provinces):
            wrong.append(line)
            continue
        ref = provinces.iloc[index]
        if fold(name) not in {fold(ref["name_en"]), fold(ref["name_ascii"])}:
            wrong.append(line)
    if wrong or len(book) != len(provinces):
        raise DataValidationError(
            label,
            "codebook provinces P01-P63 in the GSO order of provinces.csv",
            wrong,
            f"{len(book)} rows for {len(provinces)} provinces",
        )


def _tidy_year(wide: pd.DataFrame, year: int, label: str) -> pd.DataFrame:
    """Long rows for one year: sub-dimensions as released, dimensions and total as their sums."""
    comp = components(year)
    subs = comp[comp["level"] == "subdimension"]
    used = subs["source_column"].tolist()

    unused = [c for c in _upstream_columns() if c not in used]
    stray = wide[unused].notna()
    if stray.to_numpy().any():
        columns = [c for c in unused if stray[c].any()]
        raise DataValidationError(
            label,
            f"{columns} hold values but are not part of the {year} composition",
            wide.loc[stray.any(axis=1), "source_row"],
        )
    # Missing provinces (all cells empty) get no rows at all.
    wide = wide[wide[used].notna().any(axis=1)]
    for parent, group in subs.groupby("parent", sort=True):
        present = wide[group["source_column"]].notna()
        partial = present.any(axis=1) & ~present.all(axis=1)
        if partial.any():
            raise DataValidationError(
                label,
                f"dimension {parent} released whole or not at all",
                wide.loc[partial, "source_row"],
            )

    long = wide.melt(
        id_vars=["province_code", "source_row"],
        value_vars=used,
        var_name="source_column",
        value_name="value",
    ).dropna(subset=["value"])
    long = long.merge(subs[["source_column", "component"]], on="source_column", validate="m:1")
    long = long.sort_values(["province_code", "component"], kind="mergesort")
    long["component_parent"] = long["component"].str.split(".").str[0]

    dims = (
        long.groupby(["province_code", "source_row", "component_parent"], sort=True)["value"]
        .sum()
        .reset_index()
        .rename(columns={"component_parent": "component"})
    )
    dims["source_column"] = pd.NA
    n_dims = int((comp["level"] == "dimension").sum())
    complete = dims.groupby("province_code")["component"].transform("size") == n_dims
    totals = (
        dims[complete]
        .groupby(["province_code", "source_row"], sort=True)["value"]
        .sum()
        .reset_index()
    )
    totals["component"] = "TOTAL"
    totals["source_column"] = pd.NA

    frame = pd.concat([long.drop(columns="component_parent"), dims, totals], ignore_index=True)
    frame["year"] = year
    frame["source_file"] = label
    return _finish(frame, comp)


def _finish(frame: pd.DataFrame, comp: pd.DataFrame) -> pd.DataFrame:
    """Attach names, maxima and eras; rank provinces that have a total; fix column order and rows."""
    meta = comp[["component", "level", "parent", "max_value", "name_en", "name_vi", "era"]]
    frame = frame.merge(meta, on="component", how="left", validate="m:1")
    names = _provinces().set_index("code")["name_vi"]
    frame["province"] = frame["province_code"].map(names)
    frame["index"] = INDEX
    frame = frame.rename(columns={"name_en": "component_name", "name_vi": "component_name_vi"})

    # Competition rank (1 = best) among the provinces with a total that year, per component.
    ranked = frame["province_code"].isin(frame.loc[frame["level"] == "total", "province_code"])
    rank = frame.loc[ranked].groupby("component")["value"].rank(ascending=False, method="min")
    frame["rank"] = pd.array(rank.reindex(frame.index), dtype="Int64")

    frame["year"] = frame["year"].astype("int64")
    frame["source_row"] = frame["source_row"].astype("Int64")
    for column in ("parent", "source_column"):
        frame[column] = frame[column].astype("str")
    frame = frame.sort_values(["year", "province_code", "component"], kind="mergesort")
    return frame[list(COLUMNS)].reset_index(drop=True)


def _check_sums(frame: pd.DataFrame, dataset: str, tolerance: float) -> None:
    """Dimension = sum of its sub-dimensions and total = sum of dimensions, within ``tolerance``."""
    key = ["year", "province_code"]
    for child, parent_level in (("subdimension", "dimension"), ("dimension", "total")):
        parts = frame[frame["level"] == child]
        sums = parts.groupby([*key, "parent"])["value"].sum()
        given = frame[frame["level"] == parent_level].set_index([*key, "component"])
        given.index = given.index.set_names([*key, "parent"])
        both = given[["value", "source_row"]].join(sums.rename("sum"), how="inner")
        off = both[(both["value"] - both["sum"]).abs() > tolerance]
        if len(off):
            raise DataValidationError(
                dataset,
                f"{parent_level} = sum of its {child}s (within {tolerance:g})",
                off["source_row"].tolist(),
                "; ".join(
                    f"{y} {p} {c}: {v:.6f} vs {s:.6f}"
                    for (y, p, c), v, s in zip(off.index, off["value"], off["sum"], strict=True)
                ),
            )


# ---------------------------------------------------------------------------------------------
# The official 2011-2016 workbook
# ---------------------------------------------------------------------------------------------


@functools.cache
def _workbook_layout() -> pd.DataFrame:
    return pd.read_csv(
        paths.PACKAGE_DATA / "papi_workbook_layout.csv", dtype=str, keep_default_na=False
    )


def _column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - ord("A") + 1
    return number - 1


def load_papi_workbook(path: Path | None = None) -> pd.DataFrame:
    """The official PAPI 2011-2016 workbook as a tidy frame with the columns of :func:`load_papi`.

    Dimension and total scores are the workbook's own (checked to equal the sums of their parts);
    ``source_column`` is the sheet column. Missing provinces (empty rows) get no rows.
    """
    if path is None:
        from cchc_analysis.download import fetch

        (path,) = fetch(WORKBOOK_DATASET)
    label = f"{WORKBOOK_DATASET}/{Path(path).name}"
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl")
    except Exception as exc:  # openpyxl raises zip, XML and key errors for damaged files
        raise DataValidationError(
            label,
            "readable .xlsx workbook",
            detail=f"{type(exc).__name__}: {exc} (truncated or damaged file? fetch it again)",
        ) from None
    layout = _workbook_layout()
    frames = []
    for year in range(int(layout["year_from"].min()), int(layout["year_to"].max()) + 1):
        sheet = WORKBOOK_SHEET.format(year=year)
        where = f"{label}, sheet {sheet}"
        if sheet not in sheets:
            raise DataValidationError(
                label, f"a sheet named {sheet}", detail=f"sheets: {list(sheets)}"
            )
        frames.append(_tidy_sheet(sheets[sheet], year, layout, where, f"{label}#{sheet}"))
    frame = pd.concat(frames, ignore_index=True)
    _check_sums(frame, label, SUM_TOLERANCE)
    return frame


def _tidy_sheet(
    sheet: pd.DataFrame, year: int, layout: pd.DataFrame, where: str, source: str
) -> pd.DataFrame:
    cols = layout[
        (layout["year_from"].astype(int) <= year) & (layout["year_to"].astype(int) >= year)
    ]
    by_field = {}
    for letter, header, field in zip(cols["column"], cols["header"], cols["field"], strict=True):
        number = _column_number(letter)
        found = sheet.iat[0, number] if number < sheet.shape[1] and len(sheet) else None
        if str(found).strip() != header:
            raise DataValidationError(
                where, f"cell {letter}1 reads {header!r}", [1], f"found {found!r}"
            )
        by_field[field] = (letter, number)
    # Two header rows (English, Vietnamese); data rows follow.
    body = sheet.iloc[2:]
    body = body[body.iloc[:, by_field["tinhid"][1]].notna()]
    codes = pd.to_numeric(body.iloc[:, by_field["tinhid"][1]], errors="coerce")
    body, codes = body[codes != WORKBOOK_SUMMARY_CODE], codes[codes != WORKBOOK_SUMMARY_CODE]
    known = _provinces()["code"]
    gso = codes.map(lambda c: f"{int(c):02d}" if pd.notna(c) and c == int(c) else None)
    rows = body.index + 1  # Excel row numbers
    unknown = ~gso.isin(known)
    if unknown.any():
        raise DataValidationError(
            where, "tinhid is a GSO province code", rows[unknown.to_numpy()].tolist()
        )
    if gso.duplicated().any() or set(gso) != set(known):
        raise DataValidationError(
            where,
            "one row per province",
            rows[gso.duplicated(keep=False).to_numpy()].tolist(),
            f"{len(gso)} rows, missing {sorted(set(known) - set(gso))}",
        )

    comp = components(year)
    component_fields = [f for f in by_field if f in set(comp["component"])]
    if set(component_fields) != set(comp["component"]):
        raise DataValidationError(
            where,
            f"columns for every {year} component",
            detail=f"missing {sorted(set(comp['component']) - set(component_fields))}",
        )
    values = {}
    for field in component_fields:
        column = body.iloc[:, by_field[field][1]]
        numbers = pd.to_numeric(column, errors="coerce")
        bad = column.notna() & numbers.isna()
        if bad.any():
            raise DataValidationError(
                where,
                f"column {by_field[field][0]} ({field}) holds numbers",
                rows[bad.to_numpy()].tolist(),
                f"found {column[bad].tolist()[:5]}",
            )
        values[field] = numbers.astype("float64").to_numpy()
    wide = pd.DataFrame(values)
    wide["province_code"] = gso.to_numpy()
    wide["source_row"] = pd.array(rows, dtype="Int64")
    parts = [f for f in component_fields if f != "TOTAL"]
    # A province not released has empty cells (its total formula then reads 0): no rows for it.
    wide = wide[wide[parts].notna().any(axis=1)]
    long = wide.melt(
        id_vars=["province_code", "source_row"], var_name="component", value_name="value"
    )
    if long["value"].isna().any():
        missing = long[long["value"].isna()]
        raise DataValidationError(
            where,
            "every component present for a released province",
            missing["source_row"].tolist(),
            f"empty: {sorted(set(missing['component']))}",
        )
    letters = {field: letter for field, (letter, _) in by_field.items()}
    long["source_column"] = long["component"].map(letters)
    long["year"] = year
    long["source_file"] = source
    return _finish(long, comp)


def _compare_sources(tidy: pd.DataFrame, book: pd.DataFrame) -> None:
    """The CSVs and the official workbook must agree cell for cell where both exist."""
    years = set(book["year"])
    key = ["year", "province_code", "component"]
    left = tidy[tidy["year"].isin(years)].set_index(key)
    right = book.set_index(key)
    only = left.index.symmetric_difference(right.index)
    if len(only):
        raise DataValidationError(
            "PAPI: yearly CSVs vs official workbook",
            "the same provinces and components in both",
            detail=f"{len(only)} keys in one source only, e.g. {list(only[:5])}",
        )
    both = left[["value", "level", "source_file", "source_row"]].join(
        right["value"].rename("value_workbook")
    )
    tolerance = both["level"].map({"subdimension": SUBDIMENSION_TOLERANCE}).fillna(SUM_TOLERANCE)
    off = both[(both["value"] - both["value_workbook"]).abs() > tolerance]
    if len(off):
        raise DataValidationError(
            "PAPI: yearly CSVs vs official workbook",
            "values agree (sub-dimensions to 1e-8, dimensions and totals to 1e-5)",
            [f"{f} line {r}" for f, r in zip(off["source_file"], off["source_row"], strict=True)],
            "; ".join(
                f"{y} {p} {c}: {a:.7f} vs {b:.7f}"
                for (y, p, c), a, b in zip(
                    off.index[:5], off["value"][:5], off["value_workbook"][:5], strict=True
                )
            ),
        )


# ---------------------------------------------------------------------------------------------
# Public loaders
# ---------------------------------------------------------------------------------------------


def tidy_papi(
    papi_dir: Path | None = None, workbook: Path | None = None, *, check_workbook: bool = True
) -> pd.DataFrame:
    """Build the tidy PAPI table from raw files (what the build runs; prefer :func:`load_papi`).

    ``papi_dir`` is laid out like ``data/raw/papi`` (``csv/<year>.csv``, ``codebook/``);
    by default the registered files are fetched and used. With ``check_workbook`` the 2011-2016
    values, dimensions and totals are compared with the official workbook.
    """
    if papi_dir is None:
        from cchc_analysis.download import fetch

        fetch("papi")
        papi_dir = paths.RAW / "papi"
    papi_dir = Path(papi_dir)
    prefix = "papi"
    _check_codebook(
        papi_dir / "codebook" / "codebook_provinces.csv",
        f"{prefix}/codebook/codebook_provinces.csv",
    )
    frames = []
    for year in YEARS:
        label = f"{prefix}/csv/{year}.csv"
        wide = _read_year_csv(papi_dir / "csv" / f"{year}.csv", label)
        frames.append(_tidy_year(wide, year, label))
    tidy = _validate_by_file(frames)
    _check_sums(tidy, "papi", 1e-9)
    if check_workbook:
        _compare_sources(tidy, load_papi_workbook(workbook))
    return tidy


def _validate_by_file(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Validate all years at once (fast); on failure, find the file so the error can name it."""
    tidy = pd.concat(frames, ignore_index=True)
    schema = papi_schema()
    try:
        return validate(tidy, schema, "papi")
    except DataValidationError as error:
        # Validate again the files holding the failing rows (all of them if that is unknown, or
        # if none fails alone), in year order: the first to fail is named.
        failing = getattr(error, "frame_index", None)
        suspects = None if failing is None else set(tidy.loc[failing, "source_file"])
        for chosen in (suspects, None) if suspects else (None,):
            for frame in frames:
                if chosen is None or frame["source_file"].iat[0] in chosen:
                    validate(frame, schema, frame["source_file"].iat[0])
        raise


def _inputs() -> list[Path]:
    # Where the registered files belong; tidy_papi() fetches any that are missing. The published
    # figures are an input too: the build refuses an impossible one (notebook 01 plots them).
    from cchc_analysis.sources.factfile import table_inputs

    published = table_inputs(("papi_published_facts.csv",), ("papi_fact_measures.csv",))()
    return [f.path for f in registry.files("papi") + registry.files(WORKBOOK_DATASET)] + published


def _make_papi() -> pd.DataFrame:
    from cchc_analysis.sources.papi_published import load_papi_published_facts

    load_papi_published_facts()  # raises, naming file and line, on an impossible figure
    return tidy_papi()


def load_papi() -> pd.DataFrame:
    """PAPI 2011-2024 as one tidy long table (read from ``data/processed`` when current).

    One row per (year, province_code, component); ``level`` is ``subdimension``, ``dimension`` or
    ``total``; ``rank`` is the competition rank among provinces with a total that year; ``era``
    marks the 2018 re-composition. Provinces missing from a release have no rows: the gaps are
    those of the official workbooks (absent there, or carried as 0), listed with their source by
    :func:`cchc_analysis.sources.papi_check.papi_gaps`.
    """
    from cchc_analysis import store

    return store.load(TABLES["papi"])


def _as_year(year: object) -> int:
    """A year as an int: ``2020`` or ``"2020"``; anything else raises naming what was given."""
    if isinstance(year, str) and year.strip().isdigit():
        return int(year)
    if isinstance(year, bool) or not hasattr(year, "__index__"):
        raise TypeError(f"year must be a whole year such as 2020, got {year!r}")
    return int(year)


def papi_wide(
    year: int | str, level: str = "dimension", frame: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Provinces x components of one year and level (index ``province_code``), from :func:`load_papi`.

    Columns follow the component codes of that year (``D1``…, ``D1.1``…, or ``TOTAL``). The frame
    carries its methodology (index, year, level, era, each component's parts, maxima and labels)
    in ``attrs`` (:mod:`cchc_analysis.methodology`), so the ranking functions can tell a
    re-composed dimension from a change in performance:

    >>> from cchc_analysis import methodology_of, papi_wide
    >>> methodology_of(papi_wide(2021)).component("D5").maximum
    10.0
    """
    if level not in _LEVEL_ORDER:
        raise ValueError(f"level must be one of {list(_LEVEL_ORDER)}, not {level!r}")
    year = _as_year(year)
    frame = load_papi() if frame is None else frame
    rows = frame[(frame["year"] == year) & (frame["level"] == level)]
    if rows.empty:
        years = sorted(frame.loc[frame["level"] == level, "year"].unique().tolist())
        span = f"{years[0]}-{years[-1]}" if years else "none"
        raise CchcDataError(f"PAPI has no {level} scores for {year}; the years there are {span}")
    wide = rows.pivot(index="province_code", columns="component", values="value")
    wide.columns.name = "component"
    wide = wide.sort_index()
    return attach_methodology(wide, papi_methodology(int(year), level))


def papi_methodology(year: int, level: str = "dimension") -> ScoreMeta:
    """The methodology of PAPI ``year`` at ``level``, from ``data/papi_components.csv``.

    A component's parts are the upstream sub-dimension columns it sums (a sub-dimension is its
    own single part), each with its maximum and English label; every weight is 1 (PAPI sums).

    >>> papi_methodology(2019).component("D8").parts[2].code
    'SC83'
    """
    return _papi_methodology(int(year), level)


@functools.lru_cache(maxsize=128)
def _papi_methodology(year: int, level: str) -> ScoreMeta:
    # Cached: every wide frame the ranking functions take carries one, and ScoreMeta is immutable.
    # Plain records, not frame filters: this runs for every year and level a session touches.
    rows = components(year).to_dict("records")
    chosen = [r for r in rows if r["level"] == level]
    if not chosen:
        raise ValueError(f"PAPI has no level {level!r}; use subdimension, dimension or total")
    subs = sorted(
        (r for r in rows if r["level"] == "subdimension"), key=lambda r: r["source_column"]
    )

    def parts(row: dict) -> tuple[Part, ...]:
        if level == "subdimension":
            own = [r for r in subs if r["component"] == row["component"]]
        elif level == "dimension":
            own = [r for r in subs if r["parent"] == row["component"]]
        else:
            own = subs
        return tuple(
            Part(str(r["source_column"]), float(r["max_value"]), str(r["name_en"])) for r in own
        )

    sigs = tuple(
        ComponentSignature(
            code=str(row["component"]),
            label=str(row["name_en"]),
            maximum=float(row["max_value"]),
            weight=1.0,
            parts=parts(row),
        )
        for row in chosen
    )
    return ScoreMeta(
        index="PAPI", year=int(year), level=level, era=str(chosen[0]["era"]), components=sigs
    )


TABLES = {
    "papi": TableSpec(
        name="papi",
        description=(
            "PAPI 2011-2024: sub-dimension scores as released, dimension and total scores as "
            "their sums, competition ranks; one row per year, province and component."
        ),
        make=_make_papi,
        inputs=_inputs,
        key=("year", "province_code", "component"),
    )
}
