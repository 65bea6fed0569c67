"""PAPI's national survey figures that the provincial scores do not carry.

``data/raw/facts/papi_national_facts.csv`` holds a few nationwide figures from the PAPI reports,
one per row with its source: the share of respondents who used the National Public Service Portal
(2020-2022) and the share who use the internet at home. They put the provincial e-governance
scores in context (how many citizens the portal actually reaches). :func:`load_papi_national_facts`
reads the file strictly: the header, dot-decimal values equal to ``value_as_published`` as the
source prints it, known measures, and a URL or an explicit "URL not recorded" for every row.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd

from cchc_analysis import paths
from cchc_analysis.errors import CchcDataError, DataValidationError
from cchc_analysis.schemas import validate
from cchc_analysis.schemas.papi_facts import PAPI_NATIONAL_FACTS
from cchc_analysis.text import normalize_text, parse_vn_number

__all__ = ["COLUMNS", "FILE", "load_papi_national_facts"]

FILE = "papi_national_facts.csv"
COLUMNS = (
    "year",
    "scope",
    "measure",
    "value",
    "value_as_published",
    "source",
    "source_url",
    "note",
)
"""The columns of the facts file, in order."""


def _read_rows(path: Path) -> pd.DataFrame:
    """All cells as NFC text with ``source_row`` (the file line); header and field counts checked."""
    dataset = str(path)
    if not path.is_file():
        raise CchcDataError(f"{path}: facts file not found; it is committed with the repository")
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = [h.strip() for h in next(reader, [])]
            rows, lines, start = [], [], reader.line_num + 1
            for record in reader:
                if record:  # a blank line holds no fact
                    rows.append(record)
                    lines.append(start)
                start = reader.line_num + 1
    except UnicodeDecodeError as err:
        raise DataValidationError(dataset, "UTF-8 text", (), str(err)) from None
    except csv.Error as err:
        raise DataValidationError(dataset, "well-formed CSV", (), str(err)) from None
    if tuple(header) != COLUMNS:
        raise DataValidationError(
            dataset, f"columns are exactly {list(COLUMNS)}", [1], f"got {header}"
        )
    wrong = [line for line, r in zip(lines, rows, strict=True) if len(r) != len(COLUMNS)]
    if wrong:
        raise DataValidationError(dataset, f"every row has {len(COLUMNS)} fields", wrong)
    frame = pd.DataFrame(rows, columns=list(COLUMNS), dtype="str")
    for column in COLUMNS:
        clean = str.strip if column == "source_url" else normalize_text
        frame[column] = frame[column].map(clean)
    frame["source_row"] = pd.Series(lines, dtype="int64")
    return frame


def _typed(frame: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """Year and value as numbers; anything that is not one names its line."""
    for column, pattern in (("year", r"[0-9]{4}"), ("value", r"[0-9]+(\.[0-9]+)?")):
        ok = frame[column].str.fullmatch(pattern)
        if not ok.all():
            raise DataValidationError(
                dataset,
                f"{column} is {'a four-digit year' if column == 'year' else 'a dot-decimal number'}",
                frame.loc[~ok, "source_row"].tolist(),
                f"got {frame.loc[~ok, column].tolist()[:5]}",
            )
    frame = frame.astype({"year": "int64", "value": "float64"})
    for column in ("source_url", "note"):
        frame[column] = frame[column].replace("", None).astype("str")
    return frame


def _check_published(frame: pd.DataFrame, dataset: str) -> None:
    """``value`` must be what ``value_as_published`` says, read the way the source writes it."""
    bad, details = [], []
    for value, text, line in zip(
        frame["value"], frame["value_as_published"], frame["source_row"], strict=True
    ):
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
            dataset, "value equals value_as_published as read", bad, "; ".join(details[:5])
        )


def load_papi_national_facts(path: Path | str | None = None) -> pd.DataFrame:
    """PAPI's national survey figures, one row per (year, scope, measure), in the file's order.

    Columns: ``year, scope, measure, value, value_as_published, source, source_url, note,
    source_row``. ``value`` is a percentage of the year's PAPI respondents; ``source_url`` is
    missing where the page was not recorded (the ``source`` then says so). Reads
    ``data/raw/facts/papi_national_facts.csv`` unless ``path`` is given.
    """
    path = Path(path) if path is not None else paths.FACTS / FILE
    dataset = str(path)
    frame = _typed(_read_rows(path), dataset)
    frame = validate(frame, PAPI_NATIONAL_FACTS, dataset)
    _check_published(frame, dataset)
    return frame.reset_index(drop=True)
