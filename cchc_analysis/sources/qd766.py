"""The QĐ 766 service index: the National Public Service Portal's real-time scores, as one tidy table.

Quyết định 766/QĐ-TTg (23/6/2022) set up an index of how every province, agency and commune serves
citizens and firms in administrative procedures; the portal (dichvucong.gov.vn) computes it from
dossier records and citizens' ratings (administrative data, not a survey). The registered files
(dataset ``qd766``) are the portal's JSON answers committed by the public crawler
``duynghiaqn/Crawler-766``: the 34 provinces on eight dates, Gia Lai's 14 agencies on 11 dates and
its 135 communes and wards on 5 dates, every one **2026 year to date** (cumulative values that move
every day: one measurement seen at several moments, not a panel).

What the files mean is data, not code, in ``cchc_analysis/data/``:

``qd766_layout.csv``  which files hold which level, where the records, dates, crawl times, expected
counts, ranks and unit catalogues are; ``qd766_components.csv``  the six groups and the total (codes,
Vietnamese and English names, maxima, the field in province and sub-unit rows); ``qd766_names.csv``
the name cleaning (prefixes "UBND tỉnh/thành phố", "Xã"/"xã", suffix " - tỉnh Gia Lai");
``qd766_rules.csv``  every check, whether a failure raises or is reported, and why.

Provinces are keyed by ``province_code_2025`` (``"2025:52"``, the official code of Quyết định
19/2025/QĐ-TTg marked with its era; see :mod:`cchc_analysis.provinces`), found from the portal's
H-codes by name through the province registry. Agencies and communes are keyed by their portal code
(``H21.17``). Checks that fail raise :class:`~cchc_analysis.errors.DataValidationError` naming the
file, the unit and the rule; checks marked ``report`` go to :func:`qd766_checks` and a warning::

    from cchc_analysis import load_qd766, qd766_wide, qd766_checks
    prov = load_qd766("province")          # 8 snapshots x 34 provinces x 7 components
    qd766_wide("province")                 # last snapshot, provinces x components
    qd766_checks()                         # what was reported (17/09 national score, sub-unit sums)
"""

from __future__ import annotations

import difflib
import fnmatch
import functools
import json
import re
import warnings
from datetime import datetime
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from cchc_analysis import paths, registry
from cchc_analysis.errors import CchcDataError, DataValidationError
from cchc_analysis.methodology import ComponentSignature, Part, ScoreMeta, attach_methodology
from cchc_analysis.provinces import normalize_province_2025
from cchc_analysis.schemas import validate
from cchc_analysis.schemas.qd766 import qd766_schema
from cchc_analysis.tables import TableSpec
from cchc_analysis.text import fold, normalize_text

__all__ = [
    "COLUMNS",
    "LEVELS",
    "TABLES",
    "Qd766Warning",
    "load_qd766",
    "qd766_checks",
    "qd766_components",
    "qd766_methodology",
    "qd766_national",
    "qd766_wide",
    "tidy_qd766",
]

DATASET = "qd766"
INDEX = "QĐ 766"
PERIOD = "2026 year to date"
ERA = "2025-"
LEVELS = ("province", "agency", "commune")
COLUMNS = (
    "index",
    "snapshot_date",
    "period",
    "level",
    "unit_key",
    "unit",
    "province_code_2025",
    "portal_code",
    "unit_id",
    "unit_name_raw",
    "component",
    "component_level",
    "component_name_vi",
    "component_name",
    "value",
    "max_value",
    "rank",
    "rank_all_subunits",
    "era",
    "source_file",
    "source_commit",
    "source_row",
    "crawled_at",
)
NATIONAL_COLUMNS = (
    "snapshot_date",
    "national_score",
    "mean_of_provinces",
    "difference",
    "n_provinces",
    "consistent",
    "source_file",
)
CHECK_COLUMNS = (
    "source_file",
    "snapshot_date",
    "level",
    "unit",
    "rule",
    "component",
    "action",
    "detail",
    "difference",
)


class Qd766Warning(UserWarning):
    """Something in the QĐ 766 files is reported rather than raised (see :func:`qd766_checks`)."""


# ---------------------------------------------------------------------------------------------
# Reference tables
# ---------------------------------------------------------------------------------------------


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(paths.PACKAGE_DATA / name, dtype=str, keep_default_na=False)


@functools.cache
def _components() -> pd.DataFrame:
    table = _read("qd766_components.csv")
    table["order"] = table["order"].astype("int64")
    table["max_value"] = table["max_value"].astype("float64")
    parts = table.loc[table["level"] == "component", "max_value"].sum()
    total = table.loc[table["component"] == "TOTAL", "max_value"].item()
    if parts != total:
        raise CchcDataError(
            f"qd766_components.csv: maxima of the groups sum to {parts}, not {total}"
        )
    return table.sort_values("order").reset_index(drop=True)


def _register_labels() -> None:
    # Figures label and colour the groups through the shared palette (same colour everywhere).
    from cchc_analysis.figures import palette

    comps = _components()
    palette.register_labels("QD766", dict(zip(comps["component"], comps["name_en"], strict=True)))


def qd766_components() -> pd.DataFrame:
    """The six groups and the total: code, names (Vietnamese, English), maximum, fields, note.

    ``qd766_components().set_index("component")["max_value"]["MDHL"] == 18``.
    """
    return _components().copy()


@functools.cache
def _layout() -> pd.DataFrame:
    return _read("qd766_layout.csv")


@functools.cache
def _name_rules() -> dict[str, list[tuple[re.Pattern[str], str]]]:
    table = _read("qd766_names.csv")
    table["order"] = table["order"].astype("int64")
    rules: dict[str, list[tuple[re.Pattern[str], str]]] = {}
    for row in table.sort_values(["level", "order"]).itertuples(index=False):
        rules.setdefault(row.level, []).append((re.compile(row.pattern), row.replacement))
    return rules


@functools.cache
def _rules() -> pd.DataFrame:
    return _read("qd766_rules.csv")


@functools.cache
def _rule(rule: str, level: str, date: pd.Timestamp | None = None) -> tuple[str, float]:
    """``(action, tolerance)`` of a check for a level (and snapshot date)."""
    table = _rules()
    rows = table[(table["rule"] == rule) & table["level"].isin([level, "all"])]
    if date is not None:
        start = pd.to_datetime(rows["from_date"].replace("", "1900-01-01"))
        end = pd.to_datetime(rows["to_date"].replace("", "2999-12-31"))
        rows = rows[(start <= date) & (date <= end)]
    if len(rows) != 1:
        raise CchcDataError(f"qd766_rules.csv: {len(rows)} rows for rule {rule!r}, level {level}")
    row = rows.iloc[0]
    return row["action"], float(row["tolerance"] or 0)


def _clean_name(raw: str, level: str) -> str:
    name = normalize_text(raw)
    for pattern, replacement in _name_rules().get(level, []):
        name = pattern.sub(replacement, name)
    return name


# ---------------------------------------------------------------------------------------------
# Reading files
# ---------------------------------------------------------------------------------------------


def _get(obj: object, dotted: str) -> object:
    for part in dotted.split("."):
        if not isinstance(obj, dict) or part not in obj:
            raise KeyError(dotted)
        obj = obj[part]
    return obj


def _load_json(path: Path, label: str) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CchcDataError(f"{label}: not a readable JSON file ({exc})") from None


@functools.cache
def _commits() -> dict[str, str]:
    """Registered file -> crawler commit (from the pinned URL)."""
    out = {}
    for f in registry.files(DATASET):
        parts = PurePosixPath(urlsplit(f.url).path).parts
        out[f.file] = parts[3]  # /<owner>/<repo>/<commit>/<path>
    return out


class _Findings:
    """Collects check results: raises the ``raise`` ones, keeps the ``report`` ones."""

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def check(
        self,
        ok: bool,
        rule: str,
        level: str,
        label: str,
        date: pd.Timestamp,
        units: list[str],
        detail: str,
        difference: float = np.nan,
        component: str = "",
    ) -> None:
        if ok:
            return
        action, _ = _rule(rule, level, date)
        if action == "raise":
            raise DataValidationError(label, rule, units, detail)
        for unit in units or [""]:
            self.rows.append(
                {
                    "source_file": label,
                    "snapshot_date": date,
                    "level": level,
                    "unit": unit,
                    "rule": rule,
                    "component": component,
                    "action": "reported",
                    "detail": detail,
                    "difference": difference,
                }
            )


def _catalogue(raw_dir: Path, spec: str, level: str) -> dict[str, str]:
    """Portal code -> raw name from the crawler's catalogue for this level."""
    file, key = spec.split(":")
    label = f"{DATASET}/{file}"
    records = _get(_load_json(raw_dir / file, label), key)
    group = {"agency": "AGENCY", "commune": "COMMUNE"}.get(level)
    return {
        r["departmentCode"]: r["departmentName"]
        for r in records  # type: ignore[union-attr]
        if group is None or r.get("childGroup") == group
    }


def _unknown_unit(
    label: str, code: object, name: object, known: dict[str, str], why: str = ""
) -> DataValidationError:
    text = f"{code} {name}"
    options = [f"{c} {n}" for c, n in known.items()]
    closest = difflib.get_close_matches(text, options, n=3, cutoff=0)
    problem = why or "is not in the crawler's catalogue"
    return DataValidationError(
        label,
        "units are known",
        [text],
        f"portal code {code!r} ({name!r}) {problem}; closest catalogue entries: "
        + ", ".join(repr(c) for c in closest),
    )


def _read_file(
    raw_dir: Path, file: str, layout: dict[str, str], findings: _Findings, national: list[dict]
) -> pd.DataFrame:
    """One file's rows in the tidy shape (before names and maxima are joined), checked."""
    level = layout["level"]
    label = f"{DATASET}/{file}"
    data = _load_json(raw_dir / file, label)
    match = re.search(layout["date_pattern"], file)
    if not match:
        raise DataValidationError(
            label, "snapshot date agrees with the file", detail="no date in the name"
        )
    date = pd.Timestamp(datetime.strptime(match.group(1), layout["date_format"]))
    crawled = pd.NaT
    if layout["crawl_time"].startswith("sibling:"):
        _, sibling, field = layout["crawl_time"].split(":")
        crawled = pd.Timestamp(
            _get(_load_json(raw_dir / Path(file).parent / sibling, label), field)
        )
    elif layout["crawl_time"]:
        crawled = pd.Timestamp(_get(data, layout["crawl_time"]))
    if level != "province":
        run = str(_get(data, "metadata.runDateStr"))
        findings.check(
            run == match.group(1),
            "snapshot date agrees with the file",
            level,
            label,
            date,
            [],
            f"file name says {match.group(1)}, metadata.runDateStr says {run}",
        )
    try:
        records = _get(data, layout["records"])
    except KeyError:
        raise DataValidationError(
            label, "has the unit records", detail=f"no {layout['records']}"
        ) from None
    known = _catalogue(raw_dir, layout["catalogue"], level)
    field = "province_field" if level == "province" else "subunit_field"
    fields = list(zip(_components()["component"], _components()[field], strict=True))
    if level != "province":  # the province a sub-unit file belongs to, by name
        parent = normalize_province_2025(
            _clean_name(str(_get(data, "metadata.province")), "province"), where=label
        ).key
    rows = []
    seen: dict[str, int] = {}
    for position, rec in enumerate(records, start=1):  # type: ignore[arg-type]
        code, raw_name = rec.get("departmentCode"), rec.get("departmentName")
        unit_label = f"{code} {raw_name}"
        if code not in known:
            raise _unknown_unit(label, code, raw_name, known)
        name = _clean_name(raw_name, level)
        if level == "province":
            province = normalize_province_2025(name, where=f"{label}, unit {unit_label}")
            expected = normalize_province_2025(_clean_name(known[code], level), where=label)
            if province.key != expected.key:
                raise DataValidationError(
                    label,
                    "units are known",
                    [unit_label],
                    f"{code} is {expected.name_vi} in the catalogue but {province.name_vi} here",
                )
            key, unit, province_key = province.key, province.name_vi, province.key
        else:
            if fold(name) != fold(_clean_name(known[code], level)):
                raise _unknown_unit(
                    label, code, raw_name, known, f"is named {known[code]!r} in the catalogue"
                )
            key, unit = code, name
            province_key = parent
        if code in seen:
            raise DataValidationError(
                label, "one row per unit", [unit_label], f"rows {seen[code]} and {position}"
            )
        seen[code] = position
        raw_clean = normalize_text(raw_name)
        for component, source in fields:
            try:
                value = _get(rec, source)
            except KeyError:
                raise DataValidationError(
                    label, "every component present", [unit_label], f"no {source}"
                ) from None
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise DataValidationError(
                    label, "values are numbers", [unit_label], f"{component} = {value!r}"
                )
            rows.append(
                {
                    "snapshot_date": date,
                    "level": level,
                    "unit_key": key,
                    "unit": unit,
                    "province_code_2025": province_key,
                    "portal_code": code,
                    "unit_id": rec.get("departmentId"),
                    "unit_name_raw": raw_clean,
                    "component": component,
                    "value": float(value),
                    "rank_portal": rec.get(layout["rank_field"])
                    if layout["rank_field"]
                    else position,
                    "rank_all_subunits": rec.get(layout["rank_all_field"])
                    if layout["rank_all_field"]
                    else None,
                    "source_file": label,
                    "source_commit": _commits().get(file, ""),
                    "source_row": position,
                    "crawled_at": crawled,
                }
            )
    if not rows:
        raise DataValidationError(label, "every unit present", detail="the file lists no units")
    frame = pd.DataFrame(rows)
    expected_count = layout["expected_count"]
    n_expected = (
        int(expected_count) if expected_count.isdigit() else int(_get(data, expected_count))
    )  # type: ignore[arg-type]
    _check_units(frame, known, n_expected, level, label, date, findings)
    _check_values(frame, level, label, date, findings)
    if level == "province":
        _check_national(frame, data, label, date, findings, national)
    return frame


def _units(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop_duplicates("portal_code")


def _check_units(
    frame: pd.DataFrame,
    known: dict[str, str],
    n_expected: int,
    level: str,
    label: str,
    date: pd.Timestamp,
    findings: _Findings,
) -> None:
    present = set(frame["portal_code"])
    missing = [f"{c} {known[c]}" for c in sorted(known) if c not in present]
    if level == "province":
        dup = frame.drop_duplicates(["portal_code", "unit_key"])
        dup = dup[dup.duplicated("unit_key", keep=False)]
        if len(dup):
            raise DataValidationError(
                label,
                "one row per unit",
                [f"{c} {n}" for c, n in zip(dup["portal_code"], dup["unit_name_raw"], strict=True)],
                f"two portal codes for {sorted(set(dup['unit']))}",
            )
    findings.check(
        len(present) == n_expected,
        "every unit present",
        level,
        label,
        date,
        missing[:20],
        f"{len(present)} {level} units, expected {n_expected}"
        + (f"; missing: {'; '.join(missing[:20])}" if missing else ""),
    )


def _check_values(
    frame: pd.DataFrame, level: str, label: str, date: pd.Timestamp, findings: _Findings
) -> None:
    maxima = _components().set_index("component")["max_value"]
    wide = frame.pivot(index="portal_code", columns="component", values="value")
    names = _units(frame).set_index("portal_code")["unit_name_raw"]

    def who(codes) -> list[str]:
        return [f"{c} {names[c]}" for c in codes]

    negative = wide.lt(0).any(axis=1)
    findings.check(
        not negative.any(), "values are not negative", level, label, date,
        who(wide.index[negative]), "a group score or total below 0",
    )  # fmt: skip
    for comp, maximum in maxima.items():
        over = wide[comp] > maximum
        for code in wide.index[over]:
            findings.check(
                False, "value within [0, max]", level, label, date, who([code]),
                f"{comp} = {wide.at[code, comp]:g} above its maximum {maximum:g}",
                float(wide.at[code, comp] - maximum), comp,
            )  # fmt: skip
    parts = _components().query("level == 'component'")["component"]
    _, tolerance = _rule("components sum to the total", level)
    sums = wide[list(parts)].sum(axis=1)
    gap = (sums - wide["TOTAL"]).round(6)
    for code in gap.index[gap.abs() > tolerance]:
        findings.check(
            False, "components sum to the total", level, label, date, who([code]),
            f"groups sum to {sums[code]:.2f}, total is {wide.at[code, 'TOTAL']:.2f} "
            f"(difference {gap[code]:+.2f})",
            float(gap[code]), "TOTAL",
        )  # fmt: skip
    # Ranks: 1..n once each, and a higher rank never has a lower total than a lower rank.
    units = _units(frame).set_index("portal_code")
    ranks = pd.to_numeric(units["rank_portal"], errors="coerce")
    totals = wide["TOTAL"].reindex(units.index)
    ordered = totals.iloc[np.argsort(ranks.to_numpy(), kind="stable")]
    bad = ordered.index[1:][ordered.to_numpy()[1:] > ordered.to_numpy()[:-1] + 1e-9]
    findings.check(
        sorted(ranks.dropna().astype(int)) == list(range(1, len(units) + 1)),
        "ranks follow the totals", level, label, date, [],
        f"portal ranks are not 1..{len(units)} once each",
    )  # fmt: skip
    findings.check(
        len(bad) == 0, "ranks follow the totals", level, label, date, who(bad),
        "ranked below a unit with a lower total",
    )  # fmt: skip
    if units["rank_all_subunits"].notna().any():
        overall = pd.to_numeric(units["rank_all_subunits"], errors="coerce")
        order = totals.iloc[np.argsort(overall.to_numpy(), kind="stable")]
        bad = order.index[1:][order.to_numpy()[1:] > order.to_numpy()[:-1] + 1e-9]
        findings.check(
            len(bad) == 0, "ranks follow the totals", level, label, date, who(bad),
            "rank among all sub-units below a unit with a lower total",
        )  # fmt: skip


def _check_national(
    frame: pd.DataFrame,
    data: dict,
    label: str,
    date: pd.Timestamp,
    findings: _Findings,
    national: list[dict],
) -> None:
    totals = frame.loc[frame["component"] == "TOTAL", "value"]
    portal = float(_get(data, "data.overview.totalScore"))  # type: ignore[arg-type]
    mean = float(totals.mean())
    _, tolerance = _rule("national score equals the mean of the provinces", "province", date)
    consistent = abs(portal - mean) <= tolerance
    national.append(
        {
            "snapshot_date": date,
            "national_score": portal,
            "mean_of_provinces": mean,
            "difference": portal - mean,
            "n_provinces": int(totals.size),
            "consistent": consistent,
            "source_file": label,
        }
    )
    findings.check(
        consistent,
        "national score equals the mean of the provinces",
        "province",
        label,
        date,
        [],
        f"portal's national score {portal:.2f}, mean of the {totals.size} province totals "
        f"{mean:.2f} (difference {portal - mean:+.2f}, tolerance {tolerance:g})",
        portal - mean,
        "TOTAL",
    )


def _check_crawl_runs(frame: pd.DataFrame, findings: _Findings) -> None:
    sub = frame[frame["level"].isin(["agency", "commune"])]
    runs = sub.drop_duplicates(["snapshot_date", "level"])[
        ["snapshot_date", "level", "crawled_at", "source_file"]
    ]
    for date, group in runs.groupby("snapshot_date"):
        if group["level"].nunique() == 2 and group["crawled_at"].nunique() > 1:
            times = "; ".join(
                f"{r.level}: {r.crawled_at:%Y-%m-%d %H:%M:%S} UTC ({r.source_file})"
                for r in group.itertuples()
            )
            findings.check(
                False, "agency and commune files come from one crawl run", "agency",
                " + ".join(group["source_file"]), date, [], f"different extraction times: {times}",
            )  # fmt: skip


def _files(raw_dir: Path) -> list[tuple[str, dict[str, str]]]:
    """(file relative to the dataset folder, its layout row), for every data file present."""
    found = sorted(p.relative_to(raw_dir).as_posix() for p in raw_dir.rglob("*.json"))
    out = []
    for row in _layout().itertuples(index=False):
        for file in found:
            if fnmatch.fnmatch(file, row.file_pattern):
                out.append((file, dict(row._asdict())))
    return out


def _read_all(raw_dir: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Parse and check every file: ``(tidy, reported findings, national comparison)``."""
    if raw_dir is None:
        from cchc_analysis.download import fetch

        fetch(DATASET)
        raw_dir = paths.RAW / DATASET
    raw_dir = Path(raw_dir).resolve()
    # The build asks for the table and the checks separately: parse once per state of the files.
    state = tuple(
        (p.as_posix(), p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(raw_dir.rglob("*"))
    )
    return tuple(x.copy() for x in _read_all_cached(raw_dir, state))  # type: ignore[return-value]


@functools.lru_cache(maxsize=4)
def _read_all_cached(
    raw_dir: Path, state: tuple
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    findings = _Findings()
    national: list[dict] = []
    frames = [_read_file(raw_dir, f, layout, findings, national) for f, layout in _files(raw_dir)]
    if not frames:
        raise CchcDataError(f"{raw_dir}: no QĐ 766 files found (see qd766_layout.csv)")
    frame = pd.concat(frames, ignore_index=True)
    national_frame = pd.DataFrame(national, columns=list(NATIONAL_COLUMNS))
    national_frame = national_frame.sort_values("snapshot_date").reset_index(drop=True)
    for level, group in frame.groupby("level"):
        dup = group.drop_duplicates(["snapshot_date", "source_file"])
        if dup["snapshot_date"].duplicated().any():
            dates = dup[dup["snapshot_date"].duplicated(keep=False)]
            raise DataValidationError(
                " + ".join(dates["source_file"]), "one file per level and snapshot date",
                detail=f"{level} on {sorted(set(dates['snapshot_date'].dt.strftime('%d/%m/%Y')))}",
            )  # fmt: skip
    _check_crawl_runs(frame, findings)
    return _finish(frame), _findings_frame(findings.rows), national_frame


def _findings_frame(rows: list[dict]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=list(CHECK_COLUMNS))
    out["snapshot_date"] = pd.to_datetime(out["snapshot_date"]).astype("datetime64[us]")
    out["difference"] = out["difference"].astype("float64")
    for c in ("source_file", "level", "unit", "rule", "component", "action", "detail"):
        out[c] = out[c].astype(str)
    return out.sort_values(
        ["snapshot_date", "level", "rule", "unit"], kind="mergesort"
    ).reset_index(drop=True)


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    comps = _components().set_index("component")
    out = frame.copy()
    out["index"] = INDEX
    out["period"] = PERIOD
    out["era"] = ERA
    out["component_level"] = out["component"].map(comps["level"])
    out["component_name_vi"] = out["component"].map(comps["name_vi"])
    out["component_name"] = out["component"].map(comps["name_en"])
    out["max_value"] = out["component"].map(comps["max_value"]).astype("float64")
    is_total = out["component"] == "TOTAL"
    out["rank"] = pd.array(np.where(is_total, out["rank_portal"], pd.NA), dtype="Int64")
    out["rank_all_subunits"] = pd.array(
        np.where(is_total, out["rank_all_subunits"], pd.NA), dtype="Int64"
    )
    out["source_row"] = out["source_row"].astype("int64")
    # Explicit units: the same dtypes (and Parquet bytes) whatever pandas' default resolution.
    out["snapshot_date"] = pd.to_datetime(out["snapshot_date"]).astype("datetime64[us]")
    out["crawled_at"] = pd.to_datetime(out["crawled_at"], utc=True).astype("datetime64[us, UTC]")
    out["order"] = out["component"].map(comps["order"])
    out["level_order"] = out["level"].map({lv: i for i, lv in enumerate(LEVELS)})
    out = out.sort_values(["level_order", "snapshot_date", "unit_key", "order"], kind="mergesort")
    out = out[list(COLUMNS)].reset_index(drop=True)
    schema = qd766_schema(tuple(comps.index), LEVELS)
    return validate(out, schema, DATASET)


def tidy_qd766(raw_dir: Path | None = None) -> pd.DataFrame:
    """Build the tidy QĐ 766 table from raw files (what the build runs; prefer :func:`load_qd766`).

    ``raw_dir`` is laid out like ``data/raw/qd766`` (the crawler's paths); by default the
    registered files are fetched. Raises on any check marked ``raise`` in ``qd766_rules.csv``.
    """
    return _read_all(raw_dir)[0]


def _tidy_checks(raw_dir: Path | None = None) -> pd.DataFrame:
    return _read_all(raw_dir)[1]


def qd766_national(raw_dir: Path | None = None) -> pd.DataFrame:
    """Per province snapshot: the portal's national score, the mean of the 34 province totals,
    their difference and whether they agree (they do not on 17/09/2026):
    ``qd766_national().query("not consistent")``."""
    return _read_all(raw_dir)[2]


def _inputs() -> list[Path]:
    return [f.path for f in registry.files(DATASET)]


def load_qd766(level: str = "province") -> pd.DataFrame:
    """The QĐ 766 index for one level, as the project's tidy long table.

    ``level``: ``"province"`` (34 provinces x 8 snapshots), ``"agency"`` (Gia Lai's 14 agencies x
    11) or ``"commune"`` (Gia Lai's 135 communes and wards x 5). One row per (snapshot, unit,
    component); components ``TOTAL``, ``CKMB``, ``TDGQ``, ``CLGQ``, ``TTTT``, ``MDHL``, ``MDSH``.
    Warns (:class:`Qd766Warning`) with a count of what :func:`qd766_checks` reports.
    ``load_qd766("province").groupby("snapshot_date")["unit_key"].nunique().eq(34).all()``
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    from cchc_analysis import store

    table = store.load(TABLES["qd766"])
    checks = store.load(TABLES["qd766_checks"])
    here = checks[checks["level"] == level]
    if len(here):
        counts = here.groupby("rule").size()
        warnings.warn(
            f"QĐ 766 {level} files: "
            + "; ".join(f"{n} reported under '{rule}'" for rule, n in counts.items())
            + " (see qd766_checks())",
            Qd766Warning,
            stacklevel=2,
        )
    return table[table["level"] == level].reset_index(drop=True)


def qd766_checks() -> pd.DataFrame:
    """What the QĐ 766 checks reported rather than raised: file, date, level, unit, rule,
    component, detail.

    The 17/09/2026 national score, sub-unit group scores that do not add up or exceed a maximum
    (``component`` names the group above its maximum; ``TOTAL`` for a sum or national score that
    does not match), and agency/commune files of one date from different crawl runs:
    ``qd766_checks().groupby(["level", "rule", "component"]).size()``.
    """
    from cchc_analysis import store

    return store.load(TABLES["qd766_checks"])


def qd766_wide(
    level: str = "province",
    date: str | pd.Timestamp | None = None,
    frame: pd.DataFrame | None = None,
    components: str = "groups",
) -> pd.DataFrame:
    """Units x components for one snapshot (the last when ``date`` is None).

    The index is the level's key: ``province_code_2025`` for provinces (era-marked keys, so the
    frame cannot be joined to a 63-province table by accident), ``portal_code`` otherwise.
    ``components="groups"`` gives the six groups, ``"all"`` adds ``TOTAL``.
    ``qd766_wide("commune", "2026-10-05").shape == (135, 6)``.
    """
    if frame is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Qd766Warning)
            frame = load_qd766(level)
    rows = frame[frame["level"] == level]
    if rows.empty:
        raise CchcDataError(f"QĐ 766 has no {level} rows")
    when = rows["snapshot_date"].max() if date is None else pd.Timestamp(date)
    rows = rows[rows["snapshot_date"] == when]
    if rows.empty:
        dates = ", ".join(sorted({d.strftime("%Y-%m-%d") for d in frame["snapshot_date"]}))
        raise CchcDataError(f"QĐ 766 {level}: no snapshot on {when:%Y-%m-%d}; dates: {dates}")
    if components == "groups":
        rows = rows[rows["component"] != "TOTAL"]
    order = list(_components()["component"])
    wide = rows.pivot(index="unit_key", columns="component", values="value")
    wide = wide[[c for c in order if c in wide.columns]]
    wide.index.name = "province_code_2025" if level == "province" else "portal_code"
    wide.columns.name = "component"
    return attach_methodology(wide.sort_index(), qd766_methodology(tuple(wide.columns)))


@functools.cache
def qd766_methodology(components: tuple[str, ...] | None = None) -> ScoreMeta:
    """What a QĐ 766 wide frame measures: the groups with their maxima, each weighing 1 (the
    total is their plain sum). One recipe for every 2026 snapshot (``year`` 2026, era ``2025-``).

    >>> qd766_methodology().component("MDHL").maximum
    18.0
    """
    comps = _components().set_index("component")
    codes = components or tuple(c for c in comps.index if c != "TOTAL")
    sigs = tuple(
        ComponentSignature(
            code,
            str(comps.at[code, "name_en"]),
            float(comps.at[code, "max_value"]),
            1.0,
            (Part(code, float(comps.at[code, "max_value"]), str(comps.at[code, "name_en"])),),
        )
        for code in codes
    )
    return ScoreMeta(INDEX, 2026, "group", ERA, sigs)


_register_labels()

TABLES = {
    "qd766": TableSpec(
        name="qd766",
        description=(
            "QĐ 766 service index (National Public Service Portal), 2026 year to date: the 34 "
            "provinces (8 snapshots), Gia Lai's 14 agencies (11) and 135 communes (5); one row per "
            "snapshot, unit and component, with the portal's rank and the file, commit and crawl "
            "time of each value."
        ),
        make=tidy_qd766,
        inputs=_inputs,
        key=("level", "snapshot_date", "unit_key", "component"),
    ),
    "qd766_checks": TableSpec(
        name="qd766_checks",
        description=(
            "What the QĐ 766 checks reported rather than raised (qd766_rules.csv): the 17/09/2026 "
            "national score, Gia Lai sub-unit group scores that do not add up or exceed a maximum, "
            "agency and commune files of one date from different crawl runs."
        ),
        make=_tidy_checks,
        inputs=_inputs,
        key=("snapshot_date", "level", "rule", "unit", "source_file", "detail"),
    ),
}
