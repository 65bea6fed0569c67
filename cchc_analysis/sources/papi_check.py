"""Every PAPI dimension value and total checked against a second, independent parse.

The project's PAPI scores come from one third-party copy (``hnks-gh/ml-mcdm``, dataset ``papi``);
2011-2016 are also checked cell by cell against the official workbook when the table is built.
Dataset ``papi_check`` is an independent parse of the 14 official papi.org.vn workbooks
(``tunah72/papi-dashboard``): dimensions D1-D8 per province and year, the official total for
2019-2024, and the parse's log, which names each year's workbook and the cells the workbooks
carry as 0. It is used for validation only, never as a source of scores.

:func:`papi_crosscheck` compares every (year, province, dimension or total) of the 63 × 14 grid
and says, for each, whether the two agree within rounding, differ (with the reason), or are a gap
(with what the official workbook holds there: no cell, or a 0). :func:`papi_gaps` keeps the gaps,
one row per province-year, so every "missing" in the PAPI table has a source::

    from cchc_analysis.sources.papi_check import papi_crosscheck, papi_gaps
    check = papi_crosscheck()
    check["status"].value_counts()
    papi_gaps()                     # 13 province-years with the official workbook's file name
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from cchc_analysis.errors import DataValidationError
from cchc_analysis.text import normalize_text

__all__ = ["TOLERANCE", "load_papi_check", "papi_crosscheck", "papi_gaps"]

DATASET = "papi_check"
TOLERANCE = 1e-5
"""Agreement within rounding: the second parse stores single-precision values (about seven
significant digits, 4e-6 at a total of 45)."""
DIMENSIONS = tuple(f"D{i}" for i in range(1, 9))
_YEARS = range(2011, 2025)
_ZERO_CELL = re.compile(r"([^,:_]+?)-(\d{4})-(D[1-8])")
_WORKBOOK_ROW = re.compile(r"^\|\s*(\d{4})\s*\|\s*([^|]+?)\s*\|")


def _file(name: str) -> Path:
    from cchc_analysis.download import fetch

    chosen = [p for p in fetch(DATASET) if p.name == name]
    return chosen[0]


def load_papi_check(path: Path | str | None = None) -> pd.DataFrame:
    """The second parse as a long table: ``year, province_code, component, value_check, basis``.

    ``component`` is ``D1``…``D8`` or ``TOTAL``; the total is the official one where the workbook
    prints it (2019-2024, ``basis="official total"``), otherwise the parse's sum of dimensions.
    """
    path = Path(path) if path is not None else _file("agg_province_year.csv")
    wide = pd.read_csv(path)
    need = {"province_vi", "year", *DIMENSIONS, "total_papi", "total_official", "n_dims"}
    missing = sorted(need - set(wide.columns))
    if missing:
        raise DataValidationError(
            str(path), f"has the columns {sorted(need)}", [1], f"missing {missing}"
        )
    # The parse numbers provinces its own way (Hà Giang = 1); its Vietnamese names are the key.
    from cchc_analysis.provinces import province_codes

    wide["province_code"] = province_codes(wide["province_vi"].tolist(), f"{path}, province_vi")
    long = wide.melt(
        id_vars=["year", "province_code"], value_vars=list(DIMENSIONS), var_name="component"
    ).rename(columns={"value": "value_check"})
    long["basis"] = "dimension"
    official = wide["total_official"].notna()
    total = wide[["year", "province_code"]].assign(
        component="TOTAL",
        value_check=wide["total_official"].where(official, wide["total_papi"]),
        basis=np.where(official, "official total", "sum of the parse's dimensions"),
    )
    # A total over fewer dimensions than the year has is not a PAPI total.
    expected = np.where(wide["year"] >= 2018, 8, 6)
    total.loc[wide["n_dims"].to_numpy() < expected, "value_check"] = np.nan
    out = pd.concat([long, total], ignore_index=True)
    out["year"] = out["year"].astype("int64")
    return out


def _log(path: Path | str | None) -> tuple[dict[int, str], set[tuple[str, int, str]]]:
    """From the parse's log: the official workbook of each year, and the cells it holds as 0."""
    path = Path(path) if path is not None else _file("data_processing_log.md")
    lines = [normalize_text(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]
    workbooks = {
        int(m.group(1)): m.group(2) for line in lines if (m := _WORKBOOK_ROW.match(line.strip()))
    }
    zero_line = next((line for line in lines if "= 0" in line), "")
    zeros = {
        (normalize_text(m.group(1)), int(m.group(2)), m.group(3))
        for m in _ZERO_CELL.finditer(zero_line.split(":", 1)[-1])
    }
    if set(workbooks) != set(_YEARS):
        raise DataValidationError(str(path), "names the workbook of every year 2011-2024")
    return workbooks, zeros


def _provinces() -> pd.DataFrame:
    from cchc_analysis.provinces import provinces

    table = provinces()
    return pd.DataFrame({"province_code": table["code"], "province": table["name_vi"]})


def _grid(frame: pd.DataFrame) -> pd.DataFrame:
    """Every (year, province, component) the year defines: D1-D6 + TOTAL to 2017, D1-D8 + TOTAL."""
    rows = []
    for year in _YEARS:
        comps = (*DIMENSIONS[: 6 if year < 2018 else 8], "TOTAL")
        rows += [(year, code, comp) for code in frame["province_code"] for comp in comps]
    return pd.DataFrame(rows, columns=["year", "province_code", "component"])


def _difference_reason(row, project: pd.DataFrame, official_totals: pd.Series) -> str:
    """Why the project's value differs: test it against the official total where there is one."""
    key = (row.year, row.province_code)
    if row.component == "TOTAL":
        return (
            f"project total (sum of its dimensions) {row.value:.6f} against the official "
            f"{row.value_check:.6f}; see the dimension rows of this province-year"
        )
    if key not in official_totals.index:
        return "no official total to arbitrate; the two parses simply differ"
    dims = project[(project["year"] == row.year) & (project["province_code"] == row.province_code)]
    others = dims.loc[
        (dims["level"] == "dimension") & (dims["component"] != row.component), "value"
    ]
    implied = official_totals[key] - others.sum()
    subs = dims[dims["parent"] == row.component]
    rounded = subs.loc[(subs["value"] * 100 - (subs["value"] * 100).round()).abs() < 1e-9]
    where = (
        f"; the project's sub-dimensions {', '.join(rounded['component'])} are printed to two "
        "decimals upstream"
        if len(rounded)
        else ""
    )
    if abs(implied - row.value_check) < TOLERANCE * 10:
        return (
            f"the official total minus the project's other dimensions gives {implied:.6f}, as the "
            f"second parse has it: the project's value (a sum of upstream sub-dimensions) is off "
            f"by {row.value - row.value_check:+.6f}{where}"
        )
    return f"the official total minus the other dimensions gives {implied:.6f}{where}"


def papi_crosscheck(
    frame: pd.DataFrame | None = None,
    check: Path | str | None = None,
    log: Path | str | None = None,
) -> pd.DataFrame:
    """Every PAPI dimension value and total of 2011-2024 against the independent parse.

    One row per (year, province_code, component) of the full grid (63 provinces; D1-D6 to 2017,
    D1-D8 from 2018; TOTAL), with ``value`` (project), ``value_check`` (second parse),
    ``difference``, ``basis`` and ``status``: ``agree`` (within :data:`TOLERANCE`), ``differ``,
    ``gap in both``, ``zero in the official workbook, gap in both copies``, ``only in the
    project`` or ``only in the second parse``; ``reason`` explains every row that is not
    ``agree``. ``frame`` defaults to :func:`~cchc_analysis.sources.papi.load_papi`.
    """
    if frame is None:
        from cchc_analysis.sources.papi import load_papi

        frame = load_papi()
    workbooks, zeros = _log(log)
    second = load_papi_check(check)
    project = frame[frame["level"].isin(["dimension", "total"])]
    names = _provinces()
    out = (
        _grid(names)
        .merge(project[["year", "province_code", "component", "value"]], how="left")
        .merge(second, how="left")
        .merge(names, how="left")
    )
    out["difference"] = out["value"] - out["value_check"]
    official_totals = second[second["basis"] == "official total"].set_index(
        ["year", "province_code"]
    )["value_check"]

    has_p, has_c = out["value"].notna(), out["value_check"].notna()
    zero = [
        (p, y, c) in zeros or (c == "TOTAL" and any((p, y, d) in zeros for d in DIMENSIONS))
        for p, y, c in zip(out["province"], out["year"], out["component"], strict=True)
    ]
    out["status"] = np.select(
        [
            has_p & has_c & (out["difference"].abs() <= TOLERANCE),
            has_p & has_c,
            has_p,
            has_c,
            np.array(zero, dtype=bool),
        ],
        [
            "agree",
            "differ",
            "only in the project",
            "only in the second parse",
            "zero in the official workbook, gap in both copies",
        ],
        default="gap in both",
    )
    default_basis = pd.Series(
        np.where(out["component"] == "TOTAL", "total", "dimension"), out.index
    )
    out["basis"] = out["basis"].fillna(default_basis)
    reasons = []
    for row in out.itertuples(index=False):
        book = workbooks[row.year]
        if row.status == "agree":
            reasons.append("")
        elif row.status == "differ":
            reasons.append(_difference_reason(row, frame, official_totals))
        elif row.status.startswith("zero"):
            reasons.append(
                f"the official {row.year} workbook ({book}) carries 0 "
                + ("here" if row.component != "TOTAL" else "for some dimensions")
                + " (the parse's log calls such cells invalid and treats them as missing); "
                + ("both copies leave it empty" if row.component != "TOTAL" else "so no total")
            )
        elif row.status == "gap in both":
            reasons.append(
                f"no value in the official {row.year} workbook ({book}) as parsed, nor in the "
                "project's copy"
                + ("; no total without all dimensions" if row.component == "TOTAL" else "")
            )
        else:
            reasons.append("present in one copy only")
    out["reason"] = reasons
    columns = ["year", "province_code", "province", "component", "value", "value_check"]
    return out[[*columns, "difference", "basis", "status", "reason"]].reset_index(drop=True)


def papi_gaps(crosscheck: pd.DataFrame | None = None) -> pd.DataFrame:
    """Province-years with any PAPI dimension missing, with what the official workbook holds.

    One row per (year, province_code): ``missing`` (the dimensions), ``official_workbook``
    (``"absent"`` or ``"0"``, from the independent parse of that year's workbook) and ``reason``.
    """
    check = papi_crosscheck() if crosscheck is None else crosscheck
    gaps = check[(check["component"] != "TOTAL") & check["value"].isna()]
    rows = []
    for (year, code, name), part in gaps.groupby(["year", "province_code", "province"]):
        zero = part["status"].str.startswith("zero")
        rows.append(
            {
                "year": year,
                "province_code": code,
                "province": name,
                "missing": ", ".join(part["component"]),
                "official_workbook": "0"
                if zero.all()
                else ("absent" if not zero.any() else "0 / absent"),
                "reason": part["reason"].iat[0].split(";")[0],
            }
        )
    return pd.DataFrame(rows)
