"""PAPI's national survey figures that the provincial scores do not carry.

``data/raw/facts/papi_national_facts.csv`` holds a few nationwide figures from the PAPI reports,
one per row with its source: the share of respondents who used the National Public Service Portal
(2020-2022) and the share who use the internet at home. They put the provincial e-governance
scores in context (how many citizens the portal actually reaches). :func:`load_papi_national_facts`
reads the file strictly: the header, dot-decimal values equal to ``value_as_published`` as the
source prints it, known measures, and a URL or an explicit "URL not recorded" for every row.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cchc_analysis import paths
from cchc_analysis.errors import DataValidationError
from cchc_analysis.schemas import validate
from cchc_analysis.schemas.papi_facts import PAPI_NATIONAL_FACTS
from cchc_analysis.sources.factfile import check_published, normalize_cells, read_rows

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


def load_papi_national_facts(path: Path | str | None = None) -> pd.DataFrame:
    """PAPI's national survey figures, one row per (year, scope, measure), in the file's order.

    Columns: ``year, scope, measure, value, value_as_published, source, source_url, note,
    source_row``. ``value`` is a percentage of the year's PAPI respondents; ``source_url`` is
    missing where the page was not recorded (the ``source`` then says so). Reads
    ``data/raw/facts/papi_national_facts.csv`` unless ``path`` is given.
    """
    path = Path(path) if path is not None else paths.FACTS / FILE
    dataset = str(path)
    frame = _typed(normalize_cells(read_rows(path, COLUMNS)), dataset)
    frame = validate(frame, PAPI_NATIONAL_FACTS, dataset)
    check_published(frame, dataset)
    return frame.reset_index(drop=True)
