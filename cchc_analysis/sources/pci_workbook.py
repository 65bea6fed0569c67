"""Read one VCCI PCI workbook (2005-2016) into long rows, following its year's layout table.

The layouts change nearly every year, so where each value sits is data, not code:
``data/pci_workbook_layout.csv`` has one row per value column of a year (sheet, header row, first and
last data row, the field it holds, its column, the column holding that field's province names, and
the header text the column must carry). Years whose summary columns are each sorted on their own
(2008, 2010-2016) simply give each field its own province column. Fields are the sub-index codes of
``data/pci_subindices.csv``, ``TOTAL`` (the published PCI), ``UNWEIGHTED`` (the plain sum, where the
workbook carries one) and ``RANK``.

Every cell read is checked: header text, numbers where numbers belong, a known province in every
province cell (``Hà Tây`` is a former province with its own key, see ``pci_former_provinces.csv``),
the same provinces in every column, one row per province. A failure names the file, the sheet, the
Excel row and the rule.
"""

from __future__ import annotations

import functools
import re
import warnings
from pathlib import Path

import pandas as pd

from cchc_analysis import paths
from cchc_analysis.errors import DataValidationError
from cchc_analysis.provinces import UnknownProvinceError, normalize_province
from cchc_analysis.text import fold, normalize_text

__all__ = ["former_provinces", "layout", "province_key", "read_workbook", "years"]

_SPACES = re.compile(r"\s+")


@functools.cache
def layout() -> pd.DataFrame:
    """The per-year layout table (``data/pci_workbook_layout.csv``), line numbers kept.

    ``layout().query("year == 2013 and field == 'TOTAL'")`` says where 2013's totals are.
    """
    table = pd.read_csv(
        paths.PACKAGE_DATA / "pci_workbook_layout.csv", dtype=str, keep_default_na=False
    )
    for column in ("year", "header_row", "first_row", "last_row"):
        table[column] = table[column].astype(int)
    table["table_line"] = range(2, len(table) + 2)
    return table


@functools.cache
def years() -> pd.DataFrame:
    """One row per workbook year: file name, expected provinces, era, total tolerance, note.

    ``years().loc[2008, "n_provinces"] == 64`` (Hà Tây is still scored separately).
    """
    table = pd.read_csv(paths.PACKAGE_DATA / "pci_years.csv", dtype=str, keep_default_na=False)
    table["year"] = table["year"].astype(int)
    table["n_provinces"] = table["n_provinces"].astype(int)
    return table.set_index("year")


@functools.cache
def former_provinces() -> pd.DataFrame:
    """Provinces scored by PCI that are not among the 63 (Hà Tây), keyed ``former:<slug>``.

    ``former_provinces()["key"].tolist() == ["former:ha-tay"]``.
    """
    return pd.read_csv(
        paths.PACKAGE_DATA / "pci_former_provinces.csv", dtype=str, keep_default_na=False
    )


def province_key(name: str) -> tuple[str, str, bool]:
    """``(key, canonical name, former)`` for a province cell; GSO code for the 63, else ``former:…``.

    Raises :class:`UnknownProvinceError` for a spelling neither the registry nor the former-province
    table knows.
    """
    folded = fold(name) if isinstance(name, str) else ""
    hit = _former_aliases().get(folded)
    if hit is not None:
        return hit[0], hit[1], True
    return _registered(name)


@functools.cache
def _former_aliases() -> dict[str, tuple[str, str]]:
    # {folded alias: (key, name)}: province_key runs once per workbook row (thousands per build)
    former = former_provinces()
    aliases: dict[str, tuple[str, str]] = {}
    for alias, key, name in zip(former["alias"], former["key"], former["name_vi"], strict=True):
        aliases.setdefault(fold(alias), (key, name))
    return aliases


@functools.lru_cache(maxsize=4096)
def _registered(name: str) -> tuple[str, str, bool]:
    # Cached per spelling; an unknown one raises every time (exceptions are not cached).
    province = normalize_province(name)
    return province.code, province.name_vi, False


def _column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - ord("A") + 1
    return number - 1


def _clean(value: object) -> object:
    """Empty strings (xlrd's empty cell) become None; text is NFC and whitespace-collapsed."""
    if isinstance(value, str):
        text = _SPACES.sub(" ", normalize_text(value)).strip()
        return text or None
    return value


def _read_sheets(path: Path, names: list[str], label: str) -> dict[str, list[list[object]]]:
    """The named sheets as grids of cell values (grid[r][c], Excel row r+1), old or new format."""
    grids: dict[str, list[list[object]]] = {}
    try:
        if path.suffix.lower() == ".xls":
            import xlrd

            book = xlrd.open_workbook(str(path), on_demand=True)
            available = book.sheet_names()
            for name in names:
                if name in available:
                    sheet = book.sheet_by_name(name)
                    grids[name] = [
                        [_clean(v) for v in sheet.row_values(r)] for r in range(sheet.nrows)
                    ]
            book.release_resources()
        else:
            import openpyxl

            with warnings.catch_warnings():
                # VCCI's xlsx files carry Excel extensions openpyxl does not read (formatting only).
                warnings.filterwarnings("ignore", "Unknown extension", UserWarning)
                book = openpyxl.load_workbook(path, read_only=True, data_only=True)
                try:
                    available = book.sheetnames
                    for name in names:
                        if name in available:
                            grids[name] = [
                                [_clean(v) for v in row]
                                for row in book[name].iter_rows(values_only=True)
                            ]
                finally:
                    book.close()
    except Exception as exc:  # xlrd/openpyxl raise many types for damaged files
        raise DataValidationError(
            label,
            f"readable {path.suffix} workbook",
            detail=f"{type(exc).__name__}: {exc} (truncated or damaged file? fetch it again)",
        ) from None
    missing = [n for n in names if n not in grids]
    if missing:
        raise DataValidationError(
            label, f"sheets named {missing}", detail=f"sheets in the file: {available}"
        )
    return grids


def _cell(grid: list[list[object]], row: int, column: int) -> object:
    """Cell at Excel row ``row`` (1-based) and 0-based ``column``; None outside the used range."""
    if row - 1 >= len(grid) or column >= len(grid[row - 1]):
        return None
    return grid[row - 1][column]


def read_workbook(path: Path, year: int, label: str | None = None) -> pd.DataFrame:
    """Long rows of one year's workbook: one per (field, province) with its cell's provenance.

    Columns: ``year, field, province_code, province, former_province, value, source_sheet,
    source_row, source_column, source_file``. ``label`` names the file in errors (default: its name):
    ``read_workbook(Path("PCI_2010.xls"), 2010)``.
    """
    path = Path(path)
    label = label or path.name
    spec = layout()[layout()["year"] == year]
    if spec.empty:
        raise DataValidationError(
            "pci_workbook_layout.csv", f"a layout for {year}", detail="no rows for that year"
        )
    grids = _read_sheets(path, list(dict.fromkeys(spec["sheet"])), label)
    records = []
    for item in spec.to_dict("records"):
        grid = grids[item["sheet"]]
        where = f"{label}, sheet {item['sheet']!r}"
        value_col = _column_number(item["value_column"])
        province_col = _column_number(item["province_column"])
        found = _cell(grid, item["header_row"], value_col)
        expected = item["header"] or None
        if (str(found) if found is not None else None) != expected:
            raise DataValidationError(
                where,
                f"layout: cell {item['value_column']}{item['header_row']} reads {expected!r} "
                f"(the {year} map, pci_workbook_layout.csv line {item['table_line']})",
                [item["header_row"]],
                f"found {found!r}",
            )
        for row in range(item["first_row"], item["last_row"] + 1):
            name = _cell(grid, row, province_col)
            raw = _cell(grid, row, value_col)
            cell = f"{item['province_column']}{row}"
            if not isinstance(name, str):
                raise DataValidationError(
                    where,
                    f"a province name in {cell} (rows {item['first_row']}-{item['last_row']} of "
                    f"the {year} map)",
                    [row],
                    f"found {name!r}",
                )
            try:
                code, canonical, former = province_key(name)
            except UnknownProvinceError as exc:
                raise DataValidationError(
                    where,
                    f"province in {cell} is in the registry (provinces.csv, province_aliases.csv "
                    "or pci_former_provinces.csv)",
                    [row],
                    f"unknown spelling {name!r}; closest: {exc.closest}",
                ) from None
            if isinstance(raw, bool) or not isinstance(raw, int | float):
                raise DataValidationError(
                    where,
                    f"{item['field']}: a number in {item['value_column']}{row}",
                    [row],
                    f"found {raw!r} for {canonical}",
                )
            records.append(
                {
                    "year": year,
                    "field": item["field"],
                    "province_code": code,
                    "province": canonical,
                    "former_province": former,
                    "value": float(raw),
                    "source_sheet": item["sheet"],
                    "source_row": row,
                    "source_column": item["value_column"],
                    "source_file": label,
                }
            )
    frame = pd.DataFrame.from_records(records)
    _check_shape(frame, year, label)
    return frame


def _check_shape(frame: pd.DataFrame, year: int, label: str) -> None:
    """One row per (field, province); the same provinces in every field; the expected count."""
    dup = frame[frame.duplicated(["field", "province_code"], keep=False)]
    if len(dup):
        first = dup.iloc[0]
        raise DataValidationError(
            f"{label}, sheet {first['source_sheet']!r}",
            f"one row per province in column {first['source_column']} ({first['field']})",
            dup["source_row"].tolist(),
            f"repeated: {sorted(set(dup['province']))}",
        )
    expected = int(years().loc[year, "n_provinces"])
    sets = frame.groupby("field")["province_code"].apply(frozenset)
    reference = sets.iloc[0]
    for field, members in sets.items():
        if members != reference or len(members) != expected:
            rows = frame[frame["field"] == field]
            raise DataValidationError(
                f"{label}, sheet {rows['source_sheet'].iat[0]!r}",
                f"{expected} provinces in every column of {year} (pci_years.csv)",
                rows["source_row"].tolist()[:1],
                f"column {rows['source_column'].iat[0]} ({field}) has {len(members)}; "
                f"differs from {sets.index[0]} by {sorted(members ^ reference)}",
            )
