"""Read one compiled facts CSV from ``data/raw/facts/`` strictly, keeping each row's file line.

Every file has a fixed set of columns (``FILES``) and a list of known measures
(``data/facts_measures.csv``). :func:`read_fact_file` checks the header, the cells as written
(dot-decimal values, whole ranks, URLs), agreement between ``value`` and
``value_as_published`` (read with :func:`cchc_analysis.text.parse_vn_number`, so ``"92,54"``
must equal ``92.54``), ranges, and that every unit resolves; it returns typed rows with
``source_file`` and ``source_row`` (the 1-based line in the file, the header being line 1).
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from cchc_analysis import paths
from cchc_analysis.errors import CchcDataError, DataValidationError
from cchc_analysis.schemas import validate
from cchc_analysis.schemas.facts import (
    RAW_RULES,
    check_table,
    key_rule,
    raw_format_schema,
    raw_typed_schema,
    row_rules,
)
from cchc_analysis.sources.units import resolve_units
from cchc_analysis.text import normalize_text, parse_vn_number

__all__ = ["FILES", "FactFile", "fact_path", "measures", "read_fact_file", "table_inputs"]

_SCORE_COLUMNS = (
    "year",
    "unit",
    "unit_std",
    "unit_type",
    "index",
    "measure",
    "value",
    "value_as_published",
    "rank",
    "source_url",
    "source_type",
    "note",
    "table_status",
)
_PROVINCE_FACT_COLUMNS = ("year", "province", "measure", "value", "source_url")


@dataclass(frozen=True)
class FactFile:
    """What one facts file must look like."""

    name: str
    columns: tuple[str, ...]
    unit_columns: tuple[str, ...] = ()
    """Columns naming the unit; all must resolve, to the same unit."""
    index: tuple[str, ...] = ()
    """Allowed values of the ``index`` column."""
    unit_types: tuple[str, ...] = ()
    """Allowed values of ``unit_type`` (files without the column hold provinces only)."""
    key: tuple[str, ...] = ()
    """One report per key (after unit resolution): a repeat is a duplicated row."""


_SCORE_KEY = ("year", "unit_type", "unit_code", "canonical", "source_url")
_UNITS = ("unit", "unit_std")
FILES = {
    f.name: f
    for f in (
        FactFile(
            "par_index_provinces.csv", _SCORE_COLUMNS, _UNITS, ("PAR",), ("province",), _SCORE_KEY
        ),
        FactFile(
            "par_index_ministries.csv", _SCORE_COLUMNS, _UNITS, ("PAR",), ("ministry",), _SCORE_KEY
        ),
        FactFile(
            "sipas_provinces.csv", _SCORE_COLUMNS, _UNITS, ("SIPAS",), ("province",), _SCORE_KEY
        ),
        FactFile(
            name="par_components.csv",
            columns=(*_SCORE_COLUMNS[:5], "component", "max_points", *_SCORE_COLUMNS[5:]),
            unit_columns=_UNITS,
            index=("PAR",),
            unit_types=("province", "ministry"),
            key=("year", "unit_type", "unit_code", "component", "measure", "source_url"),
        ),
        FactFile(
            name="national_aggregates.csv",
            columns=(
                "year",
                "scope",
                "index",
                "measure",
                "value",
                "value_as_published",
                "source_url",
                "source_type",
                "note",
            ),
            index=("PAR", "SIPAS"),
            key=("year", "scope", "index", "measure", "source_url"),
        ),
        FactFile(
            name="online_services_facts.csv",
            columns=_PROVINCE_FACT_COLUMNS,
            unit_columns=("province",),
            key=("year", "unit_key", "canonical", "source_url"),
        ),
        FactFile(
            name="dti_egov_facts.csv",
            columns=_PROVINCE_FACT_COLUMNS,
            unit_columns=("province",),
            key=("year", "unit_key", "canonical", "source_url"),
        ),
    )
}

# A published number: optional sign, digits with . , or space separators, optional unit.
_NUMBER_TEXT = re.compile(r"^[+\-\u2212]?[0-9][0-9., \u00a0]*\s*(%|điểm)?$", re.IGNORECASE)
_MEASURE_COLUMNS = {
    "min": "measure_min",
    "max": "measure_max",
    "unit": "unit_of_measure",
    "scope": "measure_scope",
}


@cache
def measures() -> pd.DataFrame:
    """The measure table: per file and measure, its canonical name, kind, range and unit."""
    table = pd.read_csv(paths.PACKAGE_DATA / "facts_measures.csv", dtype=str, keep_default_na=False)
    for col in ("file", "measure", "canonical"):
        table[col] = table[col].map(normalize_text)
    for col in ("min", "max"):
        table[col] = pd.to_numeric(table[col].replace("", None)).astype("float64")
    table["band_size"] = pd.to_numeric(table["band_size"].replace("", None)).astype("Int64")
    # A band row's canonical name is "band"; the band itself is the measure minus "_member".
    table["band"] = table["measure"].str.removesuffix("_member").where(table["kind"] == "band")
    return table.rename(columns=_MEASURE_COLUMNS)


def fact_path(name: str, facts_dir: Path | None = None) -> Path:
    """Where facts file ``name`` is read from: ``facts_dir`` or ``paths.FACTS``."""
    return Path(facts_dir if facts_dir is not None else paths.FACTS) / name


def _require(path: Path) -> Path:
    if not path.is_file():
        raise CchcDataError(
            f"{path}: facts file not found; it is committed with the repository "
            "(restore it with git, or point CCHC_DATA_DIR at a folder holding raw/facts/)"
        )
    return path


def table_inputs(fact_files: tuple[str, ...], package_files: tuple[str, ...]):
    """``TableSpec.inputs`` for a table made from facts files and package reference tables;
    a missing facts file is reported as such before the build hashes its inputs."""

    def inputs() -> list[Path]:
        facts = [_require(fact_path(name)) for name in fact_files]
        return [*facts, *(paths.PACKAGE_DATA / name for name in package_files)]

    return inputs


_SAVE_AS_UTF8 = "save it as UTF-8 (in Excel: Save As > 'CSV UTF-8 (Comma delimited)')"


def _require_utf8(path: Path) -> None:
    """Refuse text in another encoding with the line it breaks on and how to save it right."""
    data = path.read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4096]:
        raise DataValidationError(
            str(path), "UTF-8 text", [1], f"the file is saved as UTF-16; {_SAVE_AS_UTF8}"
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        begin = max(data.rfind(b"\n", 0, err.start) + 1, err.start - 30)
        context = data[begin : err.start + 10].split(b"\n")[0].decode("utf-8", "replace")
        raise DataValidationError(
            str(path),
            "UTF-8 text",
            [line],
            f"byte 0x{data[err.start]:02x} on line {line} (near {context.strip()!r}) is not "
            f"UTF-8, as in a file saved as Windows-1258 or Windows-1252; {_SAVE_AS_UTF8}",
        ) from None


def read_rows(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """All cells of a facts CSV as str, plus ``source_row`` (the file line, header = 1).

    The header must hold exactly ``columns`` (in any order; returned in ``columns`` order) and
    every row as many fields as the header; a blank line holds no fact and is skipped.
    """
    dataset = str(path)
    _require(path)
    _require_utf8(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            rows, lines = [], []
            start = reader.line_num + 1
            for record in reader:
                if record:  # a blank line holds no fact
                    rows.append(record)
                    lines.append(start)
                start = reader.line_num + 1
    except UnicodeDecodeError as err:
        raise DataValidationError(dataset, "UTF-8 text", (), str(err)) from None
    except csv.Error as err:
        raise DataValidationError(dataset, "well-formed CSV", (), str(err)) from None
    if header is None:
        raise DataValidationError(dataset, "has a header line", [1])
    header = [h.strip() for h in header]
    missing = [c for c in columns if c not in header]
    extra = [c for c in header if c not in columns]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if missing or extra or repeated:
        parts = [f"missing {missing}" if missing else "", f"extra {extra}" if extra else ""]
        parts.append(f"repeated {repeated}" if repeated else "")
        raise DataValidationError(
            dataset,
            f"columns are exactly {list(columns)}",
            [1],
            "; ".join(p for p in parts if p),
        )
    if not rows:
        raise DataValidationError(
            dataset,
            "has data rows",
            [],
            "the file has a header and no data rows (restore it with git if it was emptied)",
        )
    wrong = [(line, len(r)) for line, r in zip(lines, rows, strict=True) if len(r) != len(header)]
    if wrong:
        raise DataValidationError(
            dataset,
            f"every row has {len(header)} fields like the header",
            [line for line, _ in wrong],
            ", ".join(f"line {line} has {n}" for line, n in wrong[:5]),
        )
    frame = pd.DataFrame(rows, columns=header, dtype=str)[list(columns)]
    frame.insert(len(frame.columns), "source_row", pd.Series(lines, dtype="int64"))
    return frame


def normalize_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """NFC, single spaces, new-style tone marks; URLs are only trimmed."""
    out = frame.copy()
    for col in out.columns:
        if col == "source_row":
            continue
        clean = str.strip if col == "source_url" else normalize_text
        out[col] = out[col].map(clean)
    return out


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["year"] = out["year"].astype("int64")
    for col in ("value", "max_points"):
        if col in out.columns:
            out[col] = pd.to_numeric(out[col].replace("", None)).astype("float64")
    if "rank" in out.columns:
        out["rank"] = pd.to_numeric(out["rank"].replace("", None)).astype("Int64")
    for col in out.columns:
        if out[col].dtype == "str" and col not in ("source_url",):
            out[col] = out[col].replace("", None)
    return out


def check_published(frame: pd.DataFrame, dataset: str) -> None:
    """``value_as_published`` read as the source writes numbers must equal ``value``."""
    if "value_as_published" not in frame.columns:
        return
    bad: list[int] = []
    details: list[str] = []
    for value, text, line in zip(
        frame["value"], frame["value_as_published"], frame["source_row"], strict=True
    ):
        # Nothing to compare when only one side was recorded: a published number left
        # untranscribed (value empty) keeps its text, and a value may lack its printed form.
        if math.isnan(value) or not isinstance(text, str) or not text:
            continue
        if not _NUMBER_TEXT.match(text):
            bad.append(line)
            details.append(f"line {line}: value {value!r} but value_as_published {text!r}")
            continue
        try:
            published = parse_vn_number(text)
        except ValueError as err:
            bad.append(line)
            details.append(f"line {line}: {err}")
            continue
        if not math.isclose(published, value, rel_tol=0, abs_tol=1e-9):
            bad.append(line)
            details.append(f"line {line}: value {value!r} but {text!r} reads {published!r}")
    if bad:
        raise DataValidationError(
            dataset,
            "value equals value_as_published read with parse_vn_number",
            bad,
            "; ".join(details[:5]),
        )


def _check_whole_counts(frame: pd.DataFrame, known: pd.DataFrame, dataset: str) -> None:
    """A count is written with digits only: "26.000" with a Vietnamese thousands dot would be
    read as 26 (and "56.039" as a fraction), so any mark in a count's ``value`` is refused."""
    kinds = frame["measure"].map(dict(zip(known["measure"], known["kind"], strict=True)))
    bad = kinds.isin(["count", "rank"]) & frame["value"].str.contains(r"[.,]", regex=True)
    if bad.any():
        lines = frame.loc[bad, "source_row"].tolist()
        shown = ", ".join(
            f"line {line}: {v!r}" for line, v in zip(lines, frame.loc[bad, "value"], strict=True)
        )
        raise DataValidationError(
            dataset,
            "a count or rank is written with digits only, e.g. 26000 (a thousands dot, as in "
            "'26.000', would be read as 26)",
            lines,
            shown,
        )


def read_fact_file(name: str, path: Path | str | None = None) -> pd.DataFrame:
    """Typed, validated rows of facts file ``name`` (read from ``path`` when given).

    Adds ``source_file`` (the file name), ``source_row`` (file line), the measure's
    ``canonical`` name, ``kind``, range, ``unit_of_measure``, ``measure_scope``, ``band``/``band_size``,
    and for files naming units ``unit_code`` and ``unit_name`` (canonical name), empty for rows
    whose measure is national (e.g. a national mean quoted on a province's page).
    """
    spec = FILES[name]
    path = Path(path) if path is not None else fact_path(name)
    dataset = str(path)
    frame = normalize_cells(read_rows(path, spec.columns))

    known = measures()[measures()["file"] == name]
    validate(
        frame,
        raw_format_schema(spec.columns, known["measure"], spec.index, spec.unit_types),
        dataset,
    )
    _check_whole_counts(frame, known, dataset)
    frame = _typed(frame)
    frame = frame.merge(
        known.drop(columns=["file", "description"]),
        on="measure",
        how="left",
        validate="many_to_one",
    )
    check_table(frame, raw_typed_schema(spec.columns), RAW_RULES, dataset)
    check_published(frame, dataset)

    if spec.unit_columns:
        unit_types = (
            frame["unit_type"]
            if "unit_type" in frame.columns
            else pd.Series("province", index=frame.index)
        )
        local = frame["measure_scope"].ne("national")
        resolved = resolve_units(
            frame[local], spec.unit_columns, unit_types[local], dataset
        ).reindex(frame.index)
        frame["unit_code"] = resolved["unit_code"].astype("str")
        frame["unit_name"] = resolved["unit"].astype("str")
        # National rows (e.g. a mean quoted on a province's page) keep their label as the key.
        frame["unit_key"] = frame["unit_code"].fillna(frame[spec.unit_columns[0]])
    validate(frame, row_rules(frame, [key_rule(spec.key)]), dataset)
    frame.insert(0, "source_file", name)
    return frame
