"""PCI, VCCI's Provincial Competitiveness Index (firms' view of provincial economic governance).

Two registered sources feed one tidy panel (:func:`load_pci`):

* the VCCI workbooks ``PCI_2005.xls`` … ``PCI_2016.xlsx`` (dataset ``pci_workbooks``): sub-index
  scores on their 10-point scales, the published total (0-100) and rank, 2005-2016, read through
  the per-year layout table (:mod:`cchc_analysis.sources.pci_workbook`);
* a Stata panel (dataset ``pci_panel``, ``Dataset.dta``): the official PCI total of 63 provinces
  for 2016-2022 and GSO average population. Its 2016 totals must equal the workbook's; its
  2017-2022 totals join the panel as totals only (``source = "stata_panel"``): no sub-indices
  exist after 2016 in the project's sources, so ``pci_wide(2018)`` raises while
  ``pci_wide(2018, level="total")`` works.

Methodology eras (``data/pci_years.csv``): 2005 (42 provinces, nine sub-indices), 2006-2008 (64
provinces with Hà Tây, ten), 2009-2012 (63, nine: no SOE-bias sub-index), 2013- (ten; policy bias
returns). Weights per era are ``data/pci_weights.csv``: the weights in use, recovered exactly
from the workbooks' totals by least squares (:func:`pci_weight_check` re-derives them), beside the
published ones where a source was found. Hà Tây (2005-2008) keeps the key ``former:ha-tay``, never
a GSO code.

Checks enforced on load, each naming file, sheet, row and rule: the weighted sum of the
sub-indices reproduces the published total (within the year's tolerance; 2011 is a documented
exception), published ranks equal competition ranks of the totals, sub-indices lie in [0, 10] and
totals in [0, 100], the workbook's unweighted sum equals the plain sum, and the Stata panel agrees
with the 2016 workbook.

    from cchc_analysis import load_pci, pci_wide, pci_weights
    pci = load_pci()              # tidy long table, 2005-2022
    pci_wide(2015)                # provinces x sub-indices
    pci_weights(2015)             # multipliers: total = sum(weight x sub-index)
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd

from cchc_analysis import paths, registry
from cchc_analysis.errors import CchcDataError, DataValidationError
from cchc_analysis.figures import palette
from cchc_analysis.methodology import ComponentSignature, Part, ScoreMeta, attach_methodology
from cchc_analysis.provinces import province_by_code
from cchc_analysis.schemas import validate
from cchc_analysis.schemas.pci import PCI_SCHEMA
from cchc_analysis.sources import pci_workbook
from cchc_analysis.tables import TableSpec

__all__ = [
    "COLUMNS",
    "TABLES",
    "load_pci",
    "load_pci_panel",
    "load_pci_workbooks",
    "load_population",
    "pci_methodology",
    "pci_transition",
    "pci_weight_check",
    "pci_weights",
    "pci_wide",
    "subindices",
    "tidy_pci",
]

INDEX = "PCI"
WORKBOOKS = "pci_workbooks"
PANEL = "pci_panel"
PANEL_FILE = "Dataset.dta"
SUBINDEX_MAX = 10.0
TOTAL_MAX = 100.0
RANK_FIELD, TOTAL_FIELD, UNWEIGHTED_FIELD = "RANK", "TOTAL", "UNWEIGHTED"
UNWEIGHTED_TOLERANCE = 1e-4
"""The workbooks store the unweighted sum with seven significant digits."""
PANEL_TOLERANCE = 0.006
"""Stata panel vs 2016 workbook: the panel stores totals rounded to 2 decimals as float32."""
_LEVELS = ("subindex", "total")
KEY = ["year", "province_code", "component"]

SHORT_LABELS = {
    "EC": "Entry costs",
    "LA": "Land access",
    "TR": "Transparency",
    "TC": "Time costs",
    "IC": "Informal charges",
    "PB": "Policy bias",
    "PR": "Proactivity",
    "BS": "Business support",
    "LT": "Labour training",
    "LI": "Legal institutions",
    "CP": "Central policies",
    "TOTAL": "PCI total",
}
"""Short English labels for figures (official names: ``data/pci_subindices.csv``). The order fixes
each sub-index's colour: the ten of 2006-2016 get the ten distinct colours; CP (2005 only) wraps."""
palette.register_labels(INDEX, SHORT_LABELS)

COLUMNS = (
    "index",
    "year",
    "province_code",
    "province",
    "former_province",
    "level",
    "component",
    "component_name",
    "component_name_vi",
    "value",
    "max_value",
    "weight",
    "rank",
    "era",
    "source",
    "source_file",
    "source_sheet",
    "source_row",
    "source_column",
)


# ---------------------------------------------------------------------------------------------
# Reference tables
# ---------------------------------------------------------------------------------------------


@functools.cache
def _subindex_rows() -> pd.DataFrame:
    table = pd.read_csv(paths.PACKAGE_DATA / "pci_subindices.csv", dtype=str, keep_default_na=False)
    rows = []
    for record in table.to_dict("records"):
        for year in range(int(record["year_from"]), int(record["year_to"]) + 1):
            rows.append({**record, "year": year})
    expanded = pd.DataFrame(rows).drop(columns=["year_from", "year_to"])
    if expanded.duplicated(["year", "code"]).any():
        raise CchcDataError("pci_subindices.csv: a sub-index code appears twice in one year")
    expanded["order"] = expanded["order"].astype(int)
    return expanded.sort_values(["year", "order"]).reset_index(drop=True)


def subindices(year: int) -> pd.DataFrame:
    """The PCI sub-indices of ``year`` with their names and weights (share of the total, 0-1).

    ``subindices(2015)["code"].tolist()[:3] == ["EC", "LA", "TR"]``.
    """
    subs = _subindex_rows()
    chosen = subs[subs["year"] == year]
    if chosen.empty:
        raise CchcDataError(f"PCI has no sub-indices for {year} (workbooks cover 2005-2016)")
    era = _era(year)
    weights = _weights_table()
    weights = weights[weights["era"] == era].set_index("code")
    out = chosen[["code", "name_en", "name_vi", "order"]].copy()
    out["era"] = era
    out["weight"] = out["code"].map(weights["weight_pct"]) / 100
    out["published_weight"] = out["code"].map(weights["published_pct"]) / 100
    return out.reset_index(drop=True)


@functools.cache
def _weights_table() -> pd.DataFrame:
    table = pd.read_csv(paths.PACKAGE_DATA / "pci_weights.csv", dtype={"era": str, "code": str})
    return table


def _era(year: int) -> str:
    known = pci_workbook.years()
    if year in known.index:
        return str(known.loc[year, "era"])
    if year > known.index.max():
        return str(known["era"].iat[-1])  # the 2013 methodology, per VCCI, until a later break
    raise CchcDataError(f"PCI has no methodology era for {year}")


def pci_weights(year: int) -> pd.Series:
    """Multipliers by sub-index such that the PCI total = sum(multiplier x sub-index score).

    Shares of the total times 10 (the sub-indices are on 10-point scales, the total on 100), for
    :func:`cchc_analysis.shapley_rank_attribution`. ``pci_weights(2015)["TR"] == 2.0``. Raises
    for 2005, whose weights are not published in the project's sources.
    """
    subs = subindices(year)
    if subs["weight"].isna().any():
        raise CchcDataError(
            f"PCI {year}: weights of era {subs['era'].iat[0]} are not known "
            "(pci_weights.csv); see pci_weight_check() for a least-squares estimate"
        )
    return pd.Series(
        (subs["weight"] * 10).to_numpy(),
        index=pd.Index(subs["code"], name="component"),
        name="weight",
    )


# ---------------------------------------------------------------------------------------------
# Workbooks
# ---------------------------------------------------------------------------------------------


def _workbook_paths() -> dict[int, tuple[Path, str]]:
    from cchc_analysis.download import fetch

    fetched = {p.name: p for p in fetch(WORKBOOKS)}
    out = {}
    for year, name in pci_workbook.years()["file"].items():
        if name not in fetched:
            raise CchcDataError(f"{name} for PCI {year} is not registered in datasets.csv")
        out[int(year)] = (fetched[name], f"{WORKBOOKS}/{name}")
    return out


def load_pci_workbooks(files: dict[int, Path] | None = None) -> pd.DataFrame:
    """The 2005-2016 workbooks as tidy rows, every publication check enforced.

    ``files`` maps year -> workbook path (default: the registered files, fetched as needed); a
    subset of years may be given (tests use small synthetic workbooks), e.g.
    ``load_pci_workbooks({2015: Path("PCI_2015.xlsx")})``.
    """
    if files is None:
        chosen = _workbook_paths()
    else:
        chosen = {int(y): (Path(p), Path(p).name) for y, p in files.items()}
    frames = [
        _tidy_year(pci_workbook.read_workbook(p, y, label), y)
        for y, (p, label) in sorted(chosen.items())
    ]
    return pd.concat(frames, ignore_index=True)


def _fail(rows: pd.DataFrame, rule: str, detail: str) -> None:
    first = rows.iloc[0]
    raise DataValidationError(
        f"{first['source_file']}, sheet {first['source_sheet']!r}",
        rule,
        rows["source_row"].tolist(),
        detail,
    )


def _tidy_year(long: pd.DataFrame, year: int) -> pd.DataFrame:
    subs = subindices(year)
    codes = subs["code"].tolist()
    fields = set(long["field"])
    missing = sorted((set(codes) | {TOTAL_FIELD, RANK_FIELD}) - fields)
    extra = sorted(fields - set(codes) - {TOTAL_FIELD, RANK_FIELD, UNWEIGHTED_FIELD})
    if missing or extra:
        raise DataValidationError(
            "pci_workbook_layout.csv",
            f"the {year} map names every sub-index of pci_subindices.csv, TOTAL and RANK",
            detail=f"missing {missing}, unexpected {extra}",
        )
    # Range checks before any arithmetic, so a bad cell is reported as itself.
    for field, low, high in [(c, 0.0, SUBINDEX_MAX) for c in codes] + [
        (TOTAL_FIELD, 0.0, TOTAL_MAX)
    ]:
        rows = long[long["field"] == field]
        bad = rows[(rows["value"] < low) | (rows["value"] > high)]
        if len(bad):
            _fail(
                bad,
                f"{field} within [{low:g}, {high:g}] (column {bad['source_column'].iat[0]})",
                "; ".join(
                    f"{p}: {v:g}" for p, v in zip(bad["province"], bad["value"], strict=True)
                ),
            )
    wide = long.pivot(index="province_code", columns="field", values="value")
    where = long.set_index(["field", "province_code"])
    _check_weighted_sum(wide, codes, year, where)
    _check_unweighted(wide, codes, where)
    _check_ranks(wide, where)

    sub_meta = subs.set_index("code")
    rows = long[long["field"].isin([*codes, TOTAL_FIELD])].copy()
    rows["level"] = np.where(rows["field"] == TOTAL_FIELD, "total", "subindex")
    rows["component"] = rows["field"]
    rows["component_name"] = (
        rows["field"].map(sub_meta["name_en"]).fillna("Provincial Competitiveness Index")
    )
    rows["component_name_vi"] = (
        rows["field"].map(sub_meta["name_vi"]).fillna("Chỉ số năng lực cạnh tranh cấp tỉnh")
    )
    rows["max_value"] = np.where(rows["level"] == "total", TOTAL_MAX, SUBINDEX_MAX)
    rows["weight"] = rows["field"].map(sub_meta["weight"]).astype("float64")
    # Published rank for the total; competition rank (1 = best) for each sub-index.
    published = wide[RANK_FIELD].round().astype("int64")
    computed = rows.groupby("component")["value"].rank(ascending=False, method="min")
    rows["rank"] = pd.array(computed.round().astype("int64"), dtype="Int64")
    total = rows["level"] == "total"
    rows.loc[total, "rank"] = rows.loc[total, "province_code"].map(published).to_numpy()
    rows["era"] = _era(year)
    rows["source"] = "vcci_workbook"
    rows["index"] = INDEX
    rows["source_row"] = pd.array(rows["source_row"], dtype="Int64")
    return rows[list(COLUMNS)].reset_index(drop=True)


def _residual_rows(
    where: pd.DataFrame, field: str, off: pd.Series, expected: pd.Series
) -> pd.DataFrame:
    rows = where.loc[field].loc[off.index].reset_index()
    rows["expected"] = expected.loc[off.index].to_numpy()
    return rows


def _least_squares(wide: pd.DataFrame, codes: list[str]) -> tuple[pd.Series, pd.Series]:
    """Weights (share of total) that best reproduce the totals, and the residuals."""
    x = wide[codes].to_numpy()
    y = wide[TOTAL_FIELD].to_numpy()
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    return pd.Series(beta / 10, index=codes), pd.Series(y - x @ beta, index=wide.index)


def _check_weighted_sum(wide: pd.DataFrame, codes: list[str], year: int, where) -> None:
    tolerance = pci_workbook.years().loc[year, "total_tolerance"]
    if tolerance == "":
        return  # documented exception (pci_years.csv says why); pci_weight_check reports it
    tolerance = float(tolerance)
    subs = subindices(year).set_index("code")
    if subs["weight"].notna().all():
        fitted = wide[codes].to_numpy() @ (subs.loc[codes, "weight"].to_numpy() * 10)
        basis = "the era's weights (pci_weights.csv)"
    else:
        _, residual = _least_squares(wide, codes)
        fitted = wide[TOTAL_FIELD].to_numpy() - residual.to_numpy()
        basis = "the year's least-squares weights (no published weights)"
    expected = pd.Series(fitted, index=wide.index)
    off = (wide[TOTAL_FIELD] - expected).abs() > tolerance
    if off.any():
        rows = _residual_rows(where, TOTAL_FIELD, off[off], expected)
        _fail(
            rows,
            f"TOTAL = weighted sum of the sub-indices within {tolerance:g}, using {basis}",
            "; ".join(
                f"{p}: published {v:.4f}, weighted sum {e:.4f}"
                for p, v, e in zip(rows["province"], rows["value"], rows["expected"], strict=True)
            ),
        )


def _check_unweighted(wide: pd.DataFrame, codes: list[str], where) -> None:
    if UNWEIGHTED_FIELD not in wide:
        return
    expected = wide[codes].sum(axis=1)
    off = (wide[UNWEIGHTED_FIELD] - expected).abs() > UNWEIGHTED_TOLERANCE
    if off.any():
        rows = _residual_rows(where, UNWEIGHTED_FIELD, off[off], expected)
        _fail(
            rows,
            f"unweighted PCI = plain sum of the sub-indices within {UNWEIGHTED_TOLERANCE:g}",
            "; ".join(
                f"{p}: {v:.5f} vs {e:.5f}"
                for p, v, e in zip(rows["province"], rows["value"], rows["expected"], strict=True)
            ),
        )


def _check_ranks(wide: pd.DataFrame, where) -> None:
    # Totals published with two decimals can tie where the unrounded scores did not (PCI 2011):
    # a tied province may hold any rank within its tie block.
    ranks = wide[RANK_FIELD]
    expected = wide[TOTAL_FIELD].rank(ascending=False, method="min")
    worst = wide[TOTAL_FIELD].rank(ascending=False, method="max")
    off = (ranks != ranks.round()) | (ranks < expected) | (ranks > worst)
    if off.any():
        rows = _residual_rows(where, RANK_FIELD, off[off], expected)
        _fail(
            rows,
            "published rank = competition rank of the published totals (1 = best; any rank "
            "within a block of tied totals)",
            "; ".join(
                f"{p}: published {v:g}, from totals {e:g}"
                for p, v, e in zip(rows["province"], rows["value"], rows["expected"], strict=True)
            ),
        )


def pci_weight_check(frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Weights recovered from each year's totals by least squares, beside those in use/published.

    One row per (year, component): ``recovered`` and ``weight`` (share of the total), ``published``
    (where a source was found), ``recovered_minus_published`` (NaN where nothing is published; any
    value beyond rounding is a disagreement to report), ``max_abs_residual`` of the year's fit and
    of the era weights. Why: the weights are the index's recipe; the workbooks must reproduce them.
    ``pci_weight_check().query("year == 2015")``.
    """
    frame = load_pci() if frame is None else frame
    frame = frame[frame["source"] == "vcci_workbook"]
    out = []
    for year, rows in frame.groupby("year"):
        wide = rows.pivot(index="province_code", columns="component", values="value")
        subs = subindices(int(year))
        codes = subs["code"].tolist()
        recovered, residual = _least_squares(wide.rename(columns={"TOTAL": TOTAL_FIELD}), codes)
        table = subs[["code", "weight", "published_weight"]].rename(
            columns={"code": "component", "published_weight": "published"}
        )
        table.insert(0, "year", int(year))
        table["recovered"] = recovered.reindex(codes).to_numpy()
        # Published weights are whole percents; a gap beyond rounding is a disagreement to report.
        table["recovered_minus_published"] = table["recovered"] - table["published"]
        table["max_abs_residual_lstsq"] = float(residual.abs().max())
        if subs["weight"].notna().all():
            era_fit = wide[codes].to_numpy() @ (subs["weight"].to_numpy() * 10)
            table["max_abs_residual_era"] = float(np.abs(wide["TOTAL"].to_numpy() - era_fit).max())
        else:
            table["max_abs_residual_era"] = np.nan
        out.append(table)
    return pd.concat(out, ignore_index=True)


# ---------------------------------------------------------------------------------------------
# The Stata panel: totals 2016-2022 and population
# ---------------------------------------------------------------------------------------------


@functools.cache
def _panel_names() -> dict[str, str]:
    table = pd.read_csv(
        paths.PACKAGE_DATA / "pci_panel_names.csv", dtype=str, keep_default_na=False
    )
    return dict(zip(table["name"], table["code"], strict=True))


def load_pci_panel(path: Path | None = None) -> pd.DataFrame:
    """The Stata panel as read and checked: one row per province and year, 2016-2022.

    Columns ``province_code, year, pci`` (official total, 2 decimals), ``population`` (GSO, thousand
    persons), ``source_row`` (Stata observation), ``source_file``. Names map to GSO codes through
    ``data/pci_panel_names.csv``; float32 storage is rounded back to the printed decimals.
    ``load_pci_panel().query("year == 2016")`` is what :func:`tidy_pci` compares with the workbook.
    """
    if path is None:
        from cchc_analysis.download import fetch

        path = next(p for p in fetch(PANEL) if p.name == PANEL_FILE)
        label = f"{PANEL}/{PANEL_FILE}"
    else:
        label = Path(path).name
    try:
        raw = pd.read_stata(path, columns=["name", "year", "pci", "population"])
    except (ValueError, KeyError, OSError) as exc:
        raise DataValidationError(
            label, "readable Stata file with name, year, pci, population", detail=str(exc)
        ) from None
    raw.index = pd.RangeIndex(1, len(raw) + 1)  # Stata observation numbers
    names = raw["name"].astype(str).str.strip()
    codes = names.map(_panel_names())
    unknown = codes.isna()
    if unknown.any():
        raise DataValidationError(
            label,
            "name is a province abbreviation of pci_panel_names.csv",
            raw.index[unknown].tolist(),
            f"unknown {sorted(set(names[unknown]))}",
        )
    frame = pd.DataFrame(
        {
            "province_code": codes,
            "year": raw["year"].astype("int64"),
            # float32 storage of 2-decimal scores and 1-decimal populations: round back.
            "pci": raw["pci"].astype("float64").round(2),
            "population": raw["population"].astype("float64").round(1),
            "source_row": pd.array(raw.index, dtype="Int64"),
        },
        index=raw.index,
    )
    for column, decimals in (("pci", 2), ("population", 1)):
        drift = (raw[column].astype("float64") - frame[column]).abs() > 10 ** -(decimals + 2)
        if drift.any():
            raise DataValidationError(
                label,
                f"{column} is a float32 copy of a {decimals}-decimal number",
                raw.index[drift].tolist(),
            )
    dup = frame.duplicated(["province_code", "year"], keep=False)
    if dup.any():
        raise DataValidationError(label, "one row per province and year", frame.index[dup].tolist())
    bad = ~frame["pci"].between(0, TOTAL_MAX) | ~(frame["population"] > 0)
    if bad.any():
        raise DataValidationError(
            label, "pci within [0, 100] and population > 0", frame.index[bad].tolist()
        )
    frame["source_file"] = label
    return frame.reset_index(drop=True)


def load_population(path: Path | None = None) -> pd.DataFrame:
    """GSO average population by province and year, 2016-2022, from the Stata panel.

    Columns ``province_code`` (GSO, 63-province era), ``year``, ``population`` in **thousand
    persons** (GSO "dân số trung bình", annual average), ``source``. For population-weighted
    aggregation, e.g. :func:`cchc_analysis.to_2025`. ``load_population().population.sum()``
    over 2019 is about 96,484 (thousand).
    """
    panel = load_pci_panel(path)
    out = panel[["province_code", "year", "population"]].copy()
    out["source"] = (
        "GSO average population (thousand persons) via Dataset.dta, "
        "tnguyentranphuoc-commits/ENTREPRENEURSHIP-INVESTMENT-AND-REGIONAL-ECONOMIC-DEVELOPMENT-"
        "IN-VIETNAM-A-PANEL-APPROACH (MIT)"
    )
    return out.sort_values(["year", "province_code"]).reset_index(drop=True)


def _panel_rows(panel: pd.DataFrame, workbook: pd.DataFrame) -> pd.DataFrame:
    """Panel totals for the years after the workbooks; the overlap must agree with them."""
    totals = workbook[workbook["level"] == "total"]
    overlap = sorted(set(panel["year"]) & set(totals["year"]))
    if overlap:
        left = panel[panel["year"].isin(overlap)].set_index(["year", "province_code"])
        right = totals[totals["year"].isin(overlap)].set_index(["year", "province_code"])["value"]
        joined = left.join(right, how="outer")
        off = (
            joined["pci"].isna()
            | joined["value"].isna()
            | ((joined["pci"] - joined["value"]).abs() > PANEL_TOLERANCE)
        )
        if off.any():
            bad = joined[off]
            raise DataValidationError(
                str(panel["source_file"].iat[0]),
                f"PCI totals of {overlap} equal the VCCI workbook's within {PANEL_TOLERANCE}",
                bad["source_row"].dropna().tolist(),
                "; ".join(
                    f"{k}: {a} vs {b}"
                    for k, a, b in zip(bad.index[:5], bad["pci"], bad["value"], strict=False)
                ),
            )
    later = panel[~panel["year"].isin(totals["year"])].copy()
    later["index"] = INDEX
    later["province"] = [province_by_code(c).name_vi for c in later["province_code"]]
    later["former_province"] = False
    later["level"] = "total"
    later["component"] = TOTAL_FIELD
    later["component_name"] = "Provincial Competitiveness Index"
    later["component_name_vi"] = "Chỉ số năng lực cạnh tranh cấp tỉnh"
    later["value"] = later["pci"]
    later["max_value"] = TOTAL_MAX
    later["weight"] = np.nan
    later["rank"] = pd.array(
        later.groupby("year")["value"].rank(ascending=False, method="min").astype("int64"),
        dtype="Int64",
    )
    later["era"] = [_era(int(y)) for y in later["year"]]
    later["source"] = "stata_panel"
    later["source_sheet"] = pd.NA
    later["source_column"] = "pci"
    return later[list(COLUMNS)]


# ---------------------------------------------------------------------------------------------
# The tidy table
# ---------------------------------------------------------------------------------------------


def tidy_pci(files: dict[int, Path] | None = None, panel: Path | None = None) -> pd.DataFrame:
    """Build the tidy PCI panel from raw files (what the build runs; prefer :func:`load_pci`).

    ``files`` (year -> workbook) and ``panel`` (a ``.dta``) default to the registered downloads:
    ``tidy_pci().groupby("source").size()``.
    """
    workbook = load_pci_workbooks(files)
    later = _panel_rows(load_pci_panel(panel), workbook)
    frame = pd.concat([workbook, later], ignore_index=True)
    for column in ("source_sheet", "source_column"):
        frame[column] = frame[column].astype("str").replace("<NA>", None).astype("str")
    frame["source_row"] = frame["source_row"].astype("Int64")
    frame["rank"] = frame["rank"].astype("Int64")
    frame["former_province"] = frame["former_province"].astype("bool")
    frame["year"] = frame["year"].astype("int64")
    dup = frame.duplicated(["year", "province_code", "component"], keep=False)
    if dup.any():
        raise DataValidationError(
            "pci", "one row per (year, province_code, component)", frame.index[dup].tolist()
        )
    frame = frame.sort_values(KEY, kind="mergesort").reset_index(drop=True)
    return validate(frame, PCI_SCHEMA, "pci")


def _inputs() -> list[Path]:
    return [f.path for f in registry.files(WORKBOOKS) + registry.files(PANEL)]


def load_pci() -> pd.DataFrame:
    """PCI 2005-2022 as one tidy long table (read from ``data/processed`` when current).

    One row per (year, province_code, component): sub-indices (``level = "subindex"``, 0-10) and
    the total (``"total"``, 0-100) for 2005-2016 from VCCI's workbooks, totals only for 2017-2022
    (``source = "stata_panel"``). ``province_code`` is the GSO code, or ``former:ha-tay``.
    """
    from cchc_analysis import store

    return store.load(TABLES["pci"])


def pci_wide(year: int, level: str = "subindex", frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Provinces x sub-indices (or the total) of one year, index ``province_code``.

    Columns in the year's sub-index order. The frame carries its methodology
    (:func:`pci_methodology`: index, year, level, comparable era, each sub-index's name, maximum
    and weight), so the ranking tools need no weights: ``cc.shapley_rank_attribution(pci_wide(2012),
    pci_wide(2013))`` ranks each year by its own recipe and reports the 2013 re-weighting as the
    ``methodology`` term and policy bias (absent 2009-2012) as ``methodology:PB``.
    ``pci_wide(2015).shape == (63, 10)``. Raises for years without sub-indices (2017-2022).
    """
    if level not in _LEVELS:
        raise ValueError(f"level must be one of {list(_LEVELS)}, not {level!r}")
    frame = load_pci() if frame is None else frame
    rows = frame[(frame["year"] == year) & (frame["level"] == level)]
    if rows.empty:
        have = sorted(set(frame.loc[frame["level"] == level, "year"]))
        raise CchcDataError(
            f"PCI has no {level} scores for {year}; years with them: {have[0]}-{have[-1]}"
            if have
            else f"PCI has no {level} scores"
        )
    wide = rows.pivot(index="province_code", columns="component", values="value")
    if level == "subindex":
        wide = wide[subindices(year)["code"].tolist()]
    wide.columns.name = "component"
    return attach_methodology(wide.sort_index(), pci_methodology(int(year), level))


COMPARABLE_ERAS = ((2005, 2005, "2005"), (2006, 2022, "2006-"))
"""Years whose PCI scores the ranking functions may compare (the ``era`` of :func:`pci_methodology`).

2006- is one series of 10-point sub-indices weighted into a 100-point total. Inside it the recipe
changes at 2008→2009 and 2012→2013 (the weighting eras of ``pci_years.csv``): new weights are the
``methodology`` term of a rank attribution, and a sub-index added, dropped or renamed (PB absent
2009-2012; PB and BS renamed) is ``methodology:<code>``, never performance. 2005, the pilot (42
provinces, nine sub-indices incl. central policies, weights not published), is compared with
nothing."""


def _comparable_era(year: int) -> str:
    for first, last, name in COMPARABLE_ERAS:
        if first <= year <= last:
            return name
    raise CchcDataError(f"PCI has no release for {year}; the years there are 2005-2022")


@functools.cache
def pci_methodology(year: int, level: str = "subindex") -> ScoreMeta:
    """What a PCI wide frame of ``year`` measures: each sub-index's name, maximum (10) and weight.

    The weight is the multiplier of :func:`pci_weights` (the total = sum of weight x sub-index;
    NaN for 2005, whose weights are not published), so the ranking functions rank by the published
    recipe and report a change of weights as methodology without being passed any weights. The
    ``era`` is the comparable series (:data:`COMPARABLE_ERAS`), not the weighting era.

    >>> pci_methodology(2013).component("TR").weight
    2.0
    >>> pci_methodology(2012).component("PB") is None  # no policy-bias sub-index 2009-2012
    True
    """
    if level == "total":
        comps = (
            ComponentSignature(
                TOTAL_FIELD,
                "Provincial Competitiveness Index",
                TOTAL_MAX,
                1.0,
                (Part(TOTAL_FIELD, TOTAL_MAX, "Provincial Competitiveness Index"),),
            ),
        )
    elif level == "subindex":
        subs = subindices(year)
        comps = tuple(
            ComponentSignature(
                r.code,
                r.name_en,
                SUBINDEX_MAX,
                float(r.weight) * 10,
                (Part(r.code, SUBINDEX_MAX, r.name_en),),
            )
            for r in subs.itertuples()
        )
    else:
        raise ValueError(f"level must be one of {list(_LEVELS)}, not {level!r}")
    return ScoreMeta(INDEX, int(year), level, _comparable_era(int(year)), comps)


def pci_transition(
    prev_year: int, curr_year: int, frame: pd.DataFrame | None = None
) -> dict[str, pd.DataFrame | pd.Series]:
    """Two years of sub-index scores and recipes, ready for the ranking tools.

    Returns ``prev``, ``curr`` (provinces x sub-indices over the union of both years' sub-indices),
    ``prev_weights`` and ``weights`` (:func:`pci_weights`). A sub-index absent from a year (PB in
    2009-2012, CP after 2005) gets weight 0 and score 0 in that year, so each composite is still the
    published total, a weight change is the ``methodology`` player's and the entry or exit of a
    sub-index is attributed to that sub-index's own code. The frames are plain (no methodology
    metadata): this is the by-hand route; :func:`pci_wide` frames carry the recipe and report an
    added sub-index as ``methodology:PB`` instead. Example::

        t = pci_transition(2012, 2013)
        cc.shapley_rank_attribution(t["prev"], t["curr"], weights=t["weights"],
                                    prev_weights=t["prev_weights"])
    """
    frame = load_pci() if frame is None else frame
    order = list(dict.fromkeys([*subindices(prev_year)["code"], *subindices(curr_year)["code"]]))
    out: dict[str, pd.DataFrame | pd.Series] = {}
    for name, year in (("prev", prev_year), ("curr", curr_year)):
        wide = pci_wide(year, frame=frame)
        absent = [c for c in order if c not in wide.columns]
        plain = wide.assign(**dict.fromkeys(absent, 0.0))[order]
        plain.attrs = {}  # the recipe is passed explicitly here (the by-hand route)
        out[name] = plain
        weights = pci_weights(year).reindex(order, fill_value=0.0)
        out["prev_weights" if name == "prev" else "weights"] = weights
    return out


TABLES = {
    "pci": TableSpec(
        name="pci",
        description=(
            "PCI (VCCI) 2005-2022: sub-index scores (0-10) and the published total (0-100) with "
            "its rank from the 2005-2016 workbooks; totals only for 2017-2022 from a Stata panel; "
            "one row per year, province and component."
        ),
        make=tidy_pci,
        inputs=_inputs,
        key=("year", "province_code", "component"),
    )
}
