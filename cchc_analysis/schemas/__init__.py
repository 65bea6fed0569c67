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
        values = ", ".join(repr(v) for v in same["failure_case"].tolist()[:5])
        others = len(cases) - len(same)
        detail = f"failing values {values}" + (f"; {others} other failures" if others else "")
        raise DataValidationError(dataset, rule, rows, detail) from None
    except SchemaError as exc:  # raised for structural problems even in lazy mode
        raise DataValidationError(dataset, "schema", (), str(exc).splitlines()[0]) from None


def _row_label(frame: pd.DataFrame, index: object) -> object:
    if "source_row" in frame.columns and index in frame.index:
        value = frame.loc[index, "source_row"]
        return value.iloc[0] if isinstance(value, pd.Series) else value
    return index
