"""Input checks shared by the panel builder and the estimators: each failure names what is wrong."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from cchc_analysis.errors import CchcDataError

__all__ = ["ModelInputError", "as_codes", "require_columns", "require_numeric"]


class ModelInputError(CchcDataError):
    """A panel or model specification the estimators cannot use (the message says why)."""


def as_codes(value: str | Iterable[str] | None, what: str) -> tuple[str, ...]:
    """One code or several, as a tuple without repeats (order kept)."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = (value,)
    codes = tuple(dict.fromkeys(value))
    bad = [c for c in codes if not isinstance(c, str) or not c]
    if bad:
        raise ModelInputError(f"{what}: expected column or component names as strings, got {bad!r}")
    return codes


def require_columns(frame: pd.DataFrame, columns: Iterable[str], dataset: str) -> None:
    """Raise naming every missing column and the columns that are there."""
    if not isinstance(frame, pd.DataFrame):
        raise ModelInputError(f"{dataset}: expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        have = ", ".join(map(str, frame.columns))
        raise ModelInputError(f"{dataset}: missing column(s) {missing}; columns present: {have}")


def require_numeric(frame: pd.DataFrame, columns: Iterable[str], dataset: str) -> None:
    """Raise if a column is not numeric, quoting the first values that are not numbers."""
    for col in columns:
        series = frame[col]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            continue
        coerced = pd.to_numeric(series, errors="coerce")
        bad = series[coerced.isna() & series.notna()]
        if bad.empty and pd.api.types.is_bool_dtype(series):
            bad = series
        shown = ", ".join(f"row {i}: {v!r}" for i, v in bad.head(5).items())
        raise ModelInputError(
            f"{dataset}: column {col!r} must be numeric (dtype {series.dtype}); "
            f"values that are not numbers: {shown or 'none, but the dtype is not numeric'}. "
            "Parse it first (e.g. Vietnamese decimal commas) rather than relying on coercion."
        )


def as_float(series: pd.Series) -> np.ndarray:
    """A numeric column as float64 with NaN for missing (nullable dtypes included)."""
    return series.astype("float64").to_numpy()
