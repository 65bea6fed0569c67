"""PAR Index facts below the province: district-level results a province published.

Provinces rank their districts with their own PAR Index; the results surface in local news only.
``data/raw/facts/par_district_phan_thiet_2016.csv`` holds one such case, Phan Thiết in 2016
(Bình Thuận, QĐ 3883/QĐ-UBND of 29/12/2016), one fact per row as the source prints it.
:func:`load_par_district` reads it strictly: each ``value`` must equal ``value_as_published``
read the way the source writes it (``"tăng 0,25 điểm"`` = +0.25, ``"giảm 0,25 điểm"`` = -0.25,
``"duy trì điểm"`` = 0, ``"12/12,5 điểm"`` = 12 of 12.5, ``"hạng 4/10"`` = 4th of 10), every
content maps to a PAR field code or explicitly to none (``data/par_district_components.csv``),
and the province resolves in the registry.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from cchc_analysis import paths
from cchc_analysis.errors import DataValidationError
from cchc_analysis.provinces import UnknownProvinceError, normalize_province
from cchc_analysis.schemas import validate
from cchc_analysis.schemas.par_district import PAR_DISTRICT
from cchc_analysis.sources.factfile import normalize_cells, read_rows
from cchc_analysis.text import normalize_text, parse_vn_fraction, parse_vn_number

__all__ = ["COLUMNS", "FILE", "load_par_district", "read_published"]

FILE = "par_district_phan_thiet_2016.csv"
COLUMNS = (
    "year",
    "unit",
    "unit_type",
    "province",
    "index",
    "component",
    "measure",
    "value",
    "value_as_published",
    "out_of",
    "source",
    "source_type",
    "decision",
    "note",
)
"""The columns of the facts file, in order."""

# Words Vietnamese releases use for the direction of a change.
_CHANGE_WORDS = {"tăng": 1.0, "giảm": -1.0}
_UNCHANGED = "duy trì điểm"
_RANK = re.compile(r"^hạng\s+(.+)$")


def read_published(measure: str, text: str) -> tuple[float, float]:
    """``(value, out_of)`` of a fact as the source writes it; ``out_of`` is NaN when not printed.

    ``"tăng 1,5 điểm"`` -> (1.5, nan); ``"duy trì điểm"`` -> (0.0, nan); ``"12/12,5 điểm"`` ->
    (12.0, 12.5); ``"hạng 4/10"`` -> (4.0, 10.0); ``"92,86%"`` -> (92.86, nan); a classification
    (text such as ``"tốt"``) -> (nan, nan). Raises ``ValueError`` for anything else.
    """
    text = normalize_text(text)
    if measure == "classification":
        return math.nan, math.nan
    if measure == "change_vs_prev_points":
        if text == _UNCHANGED:
            return 0.0, math.nan
        word, _, rest = text.partition(" ")
        if word not in _CHANGE_WORDS:
            raise ValueError(
                f"cannot read {text!r} as a change: expected 'tăng <number>', "
                f"'giảm <number>' or {_UNCHANGED!r}"
            )
        return _CHANGE_WORDS[word] * parse_vn_number(rest, decimal=","), math.nan
    if measure == "rank":
        match = _RANK.match(text)
        if not match:
            raise ValueError(f"cannot read {text!r} as a rank: expected 'hạng <rank>/<units>'")
        return parse_vn_fraction(match.group(1), decimal=",")
    if "/" in text:
        return parse_vn_fraction(text, decimal=",")
    return parse_vn_number(text, decimal=","), math.nan


def _numbers(frame: pd.DataFrame, column: str, dataset: str) -> pd.Series:
    """Dot-decimal text as float (empty = NaN); anything else names its line."""
    text = frame[column]
    ok = text.str.fullmatch(r"(|[+-]?[0-9]+(\.[0-9]+)?)")
    if not ok.all():
        bad = frame.loc[~ok, "source_row"].tolist()
        raise DataValidationError(
            dataset,
            f"{column} is a dot-decimal number or empty",
            bad,
            f"got {text[~ok].tolist()[:5]}",
        )
    return pd.to_numeric(text.replace("", None)).astype("float64")


def _check_published(frame: pd.DataFrame, dataset: str) -> None:
    """``value`` and ``out_of`` must be what ``value_as_published`` says."""
    bad: list[int] = []
    details: list[str] = []
    for row in frame.itertuples(index=False):
        try:
            value, out_of = read_published(row.measure, row.value_as_published)
        except ValueError as err:
            bad.append(row.source_row)
            details.append(f"line {row.source_row}: {err}")
            continue
        same_value = (math.isnan(value) and math.isnan(row.value)) or math.isclose(
            value, row.value, rel_tol=0, abs_tol=1e-9
        )
        same_out_of = (math.isnan(out_of) and math.isnan(row.out_of)) or math.isclose(
            out_of, row.out_of, rel_tol=0, abs_tol=1e-9
        )
        if not (same_value and same_out_of):
            bad.append(row.source_row)
            details.append(
                f"line {row.source_row}: value {row.value!r}, out_of {row.out_of!r} but "
                f"{row.value_as_published!r} reads ({value!r}, {out_of!r})"
            )
    if bad:
        raise DataValidationError(
            dataset,
            "value and out_of equal value_as_published as read",
            bad,
            "; ".join(details[:5]),
        )


def _fields(frame: pd.DataFrame, dataset: str) -> pd.Series:
    table = pd.read_csv(
        paths.PACKAGE_DATA / "par_district_components.csv", dtype=str, keep_default_na=False
    )
    known = {
        normalize_text(c): (f or None)
        for c, f in zip(table["component"], table["field"], strict=True)
    }
    unknown = ~frame["component"].isin(list(known))
    if unknown.any():
        raise DataValidationError(
            dataset,
            "components are listed in cchc_analysis/data/par_district_components.csv",
            frame.loc[unknown, "source_row"].tolist(),
            f"unknown {sorted(set(frame.loc[unknown, 'component']))}",
        )
    return frame["component"].map(known).astype("str")


def _provinces(frame: pd.DataFrame, dataset: str) -> tuple[pd.Series, pd.Series]:
    codes, names = [], []
    for name, line in zip(frame["province"], frame["source_row"], strict=True):
        try:
            p = normalize_province(name)
        except UnknownProvinceError as err:
            raise DataValidationError(
                dataset, "province is one of the 63", [line], str(err)
            ) from None
        codes.append(p.code)
        names.append(p.name_vi)
    return pd.Series(codes, dtype="str"), pd.Series(names, dtype="str")


def load_par_district(path: Path | str | None = None) -> pd.DataFrame:
    """District-level PAR facts, one row per (year, district, content, measure).

    Columns: ``year, unit, unit_type, province_code, province, index, component, field,
    measure, value, value_as_published, out_of, source, source_type, decision, note,
    source_row``. ``component`` is the content as named by the source (``"TOTAL"`` for the
    index), ``field`` the PAR field code it corresponds to or missing where the source does not
    say; ``out_of`` is the maximum (points) or the number of units ranked (rank) where printed.
    Reads ``data/raw/facts/par_district_phan_thiet_2016.csv`` unless ``path`` is given.
    """
    path = Path(path) if path is not None else paths.FACTS / FILE
    dataset = str(path)
    frame = normalize_cells(read_rows(path, COLUMNS))
    years = frame["year"].str.fullmatch(r"[0-9]{4}")
    if not years.all():
        raise DataValidationError(
            dataset, "year is a four-digit year", frame.loc[~years, "source_row"].tolist()
        )
    frame["year"] = frame["year"].astype("int64")
    frame["value"] = _numbers(frame, "value", dataset)
    frame["out_of"] = _numbers(frame, "out_of", dataset)
    for col in ("decision", "note"):
        frame[col] = frame[col].replace("", None).astype("str")
    frame["province_code"], frame["province"] = _provinces(frame, dataset)
    frame["field"] = _fields(frame, dataset)
    out = frame[list(PAR_DISTRICT.columns)]
    out = validate(out, PAR_DISTRICT, dataset)
    _check_published(out, dataset)
    return out.reset_index(drop=True)
