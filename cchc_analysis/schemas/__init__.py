"""pandera schemas for every tidy table, and one way to run them.

:func:`validate` turns pandera's failure report into a :class:`~cchc_analysis.errors.DataValidationError`
that names the dataset, the rows and the rule, so every loader fails the same readable way.
Schemas live beside this module, one per dataset family (``papi``, ``facts``).
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError, SchemaErrors

from cchc_analysis.errors import DataValidationError

__all__ = ["validate"]


def validate(frame: pd.DataFrame, schema: pa.DataFrameSchema, dataset: str) -> pd.DataFrame:
    """Validate ``frame`` against ``schema``; raise DataValidationError naming ``dataset``.

    The error lists the first failing rule with the frame's index labels of the offending rows
    (loaders keep the source file's row number in the index or a ``source_row`` column where they can).
    """
    try:
        return schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
        first = cases.iloc[0]
        # Whole-frame checks carry their own names ("era matches year"); column checks are
        # reported as "<column>: <check>".
        frame_level = first["schema_context"] == "DataFrameSchema" or first["column"] is None
        rule = str(first["check"]) if frame_level else f"{first['column']}: {first['check']}"
        same = cases[(cases["check"] == first["check"]) & (cases["column"] == first["column"])]
        rows = [_row_label(frame, i) for i in same["index"].tolist() if i is not None]
        if frame_level:
            # A frame-wide check reports one cell per column (often 'PAPI', 'PAPI', ...): show
            # what identifies each failing row and its value instead.
            values = "; ".join(_describe(frame, i) for i in same["index"].drop_duplicates()[:5])
        else:
            values = ", ".join(repr(v) for v in same["failure_case"].tolist()[:5])
        others = len(cases) - len(same)
        if frame_level:  # one failure case per column and row: count rows, not cells
            others = cases.loc[cases["check"] != first["check"], "index"].nunique()
        detail = f"failing values {values}" + (f"; {others} other failures" if others else "")
        error = DataValidationError(dataset, rule, rows, detail)
        # The frame's index labels of every failing row (None when a failure names no row), so a
        # caller validating several files at once can tell which of them to look at.
        labels = cases["index"].tolist()
        error.frame_index = None if any(i is None for i in labels) else list(dict.fromkeys(labels))
        raise error from None
    except SchemaError as exc:  # raised for structural problems even in lazy mode
        raise DataValidationError(dataset, "schema", (), str(exc).splitlines()[0]) from None


def _row_label(frame: pd.DataFrame, index: object) -> object:
    """The file line(s) of a failing row: ``source_row`` (raw rows) or ``source_rows`` (tidy rows
    merged from several reports, e.g. ``"3;17"``); the frame's index only when neither exists."""
    for column in ("source_row", "source_rows"):
        if column in frame.columns and index in frame.index:
            value = frame.loc[index, column]
            value = value.iloc[0] if isinstance(value, pd.Series) else value
            if isinstance(value, str):
                return int(value) if value.isdigit() else value.replace(";", "+")
            return value
    return index


_DESCRIBE = ("year", "province_code", "unit", "component", "measure", "value", "max_value")


def _describe(frame: pd.DataFrame, index: object) -> str:
    """``year=2020, province_code='01', component='D1', value=12.5, max_value=10.0``."""
    if index is None or index not in frame.index:
        return repr(index)
    row = frame.loc[index]
    row = row.iloc[0] if isinstance(row, pd.DataFrame) else row
    plain = {c: row[c].item() if hasattr(row[c], "item") else row[c] for c in row.index}
    shown = [f"{c}={plain[c]!r}" for c in _DESCRIBE if c in frame.columns]
    return ", ".join(shown) or repr(index)
