"""Checks on the inputs of the ranking tools: one year's wide table, weights, maxima, two years.

Every check raises :class:`~cchc_analysis.errors.DataValidationError` naming the table, the rows
or components at fault, and what to do; nothing is coerced silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Real

import numpy as np
import pandas as pd

from cchc_analysis.errors import DataValidationError
from cchc_analysis.keys import require_one_key_form


def as_wide(frame: object, name: str) -> pd.DataFrame:
    """One year's scores as a float frame (units × components) after checking its shape and values."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            f"{name}: expected a DataFrame with one row per unit and one column per component, "
            f"got {type(frame).__name__}"
        )
    if frame.shape[1] == 0:
        raise DataValidationError(name, "at least one component", detail="the table has no columns")
    if frame.index.hasnans:
        raise DataValidationError(
            name,
            "every row has a unit code",
            [i + 1 for i in np.flatnonzero(pd.isna(frame.index))],
            "set the index to the unit codes",
        )
    dup = frame.index[frame.index.duplicated()].unique()
    if len(dup):
        raise DataValidationError(
            name,
            "one row per unit",
            list(dup),
            "these unit codes appear more than once; drop or aggregate the duplicates first",
        )
    dupc = frame.columns[frame.columns.duplicated()].unique()
    if len(dupc):
        raise DataValidationError(
            name, "one column per component", detail=f"repeated columns {list(dupc)}"
        )
    if all(_plain_numeric(t) for t in frame.dtypes):
        arr = frame.to_numpy(dtype=float, na_value=np.nan)
    else:
        arr = np.column_stack([_numeric_column(frame[col], name) for col in frame.columns])
    out = pd.DataFrame(arr, index=frame.index, columns=frame.columns)
    inf = np.isinf(out.to_numpy())
    if inf.any():
        rows, cols = np.nonzero(inf)
        raise DataValidationError(
            name,
            "finite scores",
            list(out.index[np.unique(rows)]),
            f"infinite values in {sorted({str(out.columns[c]) for c in cols})}",
        )
    require_one_key_form(list(out.index), name)
    out.index.name = frame.index.name or "unit"
    return out


def _plain_numeric(dtype) -> bool:
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _numeric_column(col: pd.Series, name: str, what: str | None = None) -> np.ndarray:
    """A column as float; anything that is not a number is an error listing the rows."""
    what = what or f"numeric values in component {col.name!r}"
    dtype = col.dtype
    if pd.api.types.is_bool_dtype(dtype):
        raise DataValidationError(name, what, detail="got booleans")
    if pd.api.types.is_numeric_dtype(dtype):
        return col.to_numpy(dtype=float, na_value=np.nan)
    is_number = col.map(_is_number_or_missing).to_numpy(dtype=bool)
    if pd.api.types.is_object_dtype(dtype) and is_number.all():
        return col.to_numpy(dtype=float, na_value=np.nan)
    bad = col[~is_number]
    if bad.empty:  # a non-numeric dtype holding only missing values
        bad = col
    examples = ", ".join(repr(v) for v in bad.iloc[:3])
    raise DataValidationError(
        name,
        what,
        list(bad.index),
        f"got dtype {dtype} with values such as {examples}; parse the text into numbers first "
        "(cchc_analysis.parse_vn_number reads Vietnamese formats such as '50,50')",
    )


def _is_number_or_missing(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, bool | np.bool_):
        return False
    return isinstance(value, Real)


def as_component_vector(
    values: object, components: pd.Index, name: str, *, default: float | None, positive: bool
) -> np.ndarray | None:
    """Weights or maxima as an array aligned to ``components``; ``None`` gives ``default``."""
    if values is None:
        return None if default is None else np.full(len(components), default, dtype=float)
    if isinstance(values, Mapping):
        values = pd.Series(dict(values), dtype=object)
    if not isinstance(values, pd.Series):
        raise TypeError(
            f"{name}: expected a Series (or dict) indexed by component, got {type(values).__name__}"
        )
    dup = values.index[values.index.duplicated()].unique()
    if len(dup):
        raise DataValidationError(name, "one value per component", list(dup))
    missing = [c for c in components if c not in values.index]
    extra = [c for c in values.index if c not in components]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"no value for {missing}")
        if extra:
            parts.append(f"values for unknown components {extra}")
        raise DataValidationError(
            name,
            "one value for each component of the scores",
            detail="; ".join(parts) + f"; the components are {list(components)}",
        )
    aligned = values.reindex(components)
    arr = _numeric_column(aligned, name, f"numeric {name}")
    bad = ~np.isfinite(arr) | ((arr <= 0) if positive else (arr < 0))
    if bad.any():
        rule = "finite and positive" if positive else "finite and non-negative"
        raise DataValidationError(
            name,
            rule,
            list(components[bad]),
            f"got {[values[c] for c in components[bad]]}",
        )
    return arr


def align_years(prev: object, curr: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both years checked, with the components of ``curr`` put in the order of ``prev``."""
    p = as_wide(prev, "prev (year t-1)")
    c = as_wide(curr, "curr (year t)")
    # "01" in one year and "1" in the other would make one province leave and a new one enter.
    require_one_key_form([*p.index, *c.index.difference(p.index)], "prev/curr unit codes")
    only_prev = [x for x in p.columns if x not in c.columns]
    only_curr = [x for x in c.columns if x not in p.columns]
    if only_prev or only_curr:
        raise DataValidationError(
            "prev/curr",
            "the same components in both years",
            detail=(
                f"only in year t-1: {only_prev}; only in year t: {only_curr}. Compare years of one "
                "methodology era only; where the composition changed, select the common components "
                "or map the old composition onto the new one and pass the change as weights/maxima "
                "(prev_weights, prev_maxima) so that it is reported as methodology"
            ),
        )
    return p, c[p.columns]


@dataclass(frozen=True)
class Methodology:
    """Weights and maxima of two years; ``changed`` when the composite's recipe differs."""

    w_prev: np.ndarray
    w_curr: np.ndarray
    m_prev: np.ndarray
    m_curr: np.ndarray

    @property
    def changed(self) -> bool:
        return not (
            np.array_equal(self.w_prev, self.w_curr) and np.array_equal(self.m_prev, self.m_curr)
        )


def methodology(
    components: pd.Index,
    weights: object = None,
    prev_weights: object = None,
    maxima: object = None,
    prev_maxima: object = None,
) -> Methodology:
    """Weights (default 1) and maxima (default 1, i.e. no rescaling) for both years.

    ``prev_weights``/``prev_maxima`` default to the year-t values, i.e. an unchanged methodology.
    """
    w_curr = as_component_vector(weights, components, "weights", default=1.0, positive=False)
    w_prev = as_component_vector(
        prev_weights, components, "prev_weights", default=None, positive=False
    )
    m_curr = as_component_vector(maxima, components, "maxima", default=1.0, positive=True)
    m_prev = as_component_vector(
        prev_maxima, components, "prev_maxima", default=None, positive=True
    )
    if prev_maxima is not None and maxima is None:
        raise ValueError("prev_maxima needs maxima (the year-t maxima) as well")
    return Methodology(
        w_prev=w_curr if w_prev is None else w_prev,
        w_curr=w_curr,
        m_prev=m_curr if m_prev is None else m_prev,
        m_curr=m_curr,
    )
