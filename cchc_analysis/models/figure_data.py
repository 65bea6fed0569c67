"""Data for the descriptive figures: binned scatters (optionally within provinces and years) and
LOWESS curves. Only frames come out of here; drawing lives in :mod:`cchc_analysis.plotting`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from statsmodels.nonparametric.smoothers_lowess import lowess

from cchc_analysis.models._checks import ModelInputError, require_columns, require_numeric

__all__ = ["binned_scatter", "lowess_curve", "residualize"]

_ABSORB = {None: [], "province": ["province_code"], "year": ["year"]}
_ABSORB["both"] = ["province_code", "year"]


def residualize(frame: pd.DataFrame, columns: Sequence[str], absorb: str | None) -> pd.DataFrame:
    """``columns`` with the ``absorb`` fixed effects removed by least squares on dummies, and the
    sample mean added back so the values stay on their original scale."""
    if absorb not in _ABSORB:
        raise ModelInputError(f"absorb must be one of {list(_ABSORB)}, got {absorb!r}")
    keys = _ABSORB[absorb]
    values = frame[list(columns)].astype("float64")
    if not keys:
        return values
    parts = [pd.get_dummies(frame[k].astype(str), drop_first=True, dtype="float64") for k in keys]
    design = np.column_stack([np.ones(len(frame)), *(p.to_numpy() for p in parts)])
    target = values.to_numpy()
    coef, *_ = np.linalg.lstsq(design, target, rcond=None)
    resid = target - design @ coef
    return pd.DataFrame(resid + target.mean(axis=0), index=frame.index, columns=values.columns)


def binned_scatter(
    panel: pd.DataFrame, x: str, y: str, bins: int = 20, absorb: str | None = None
) -> pd.DataFrame:
    """Means of ``y`` within quantile bins of ``x``, after removing province, year or both effects.

    Province-years missing ``x`` or ``y`` are left out. Returns one row per bin: ``bin`` (0-based),
    ``n``, ``x_mean``, ``y_mean``, ``y_se`` (standard error of the bin mean; NaN for a one-point
    bin), ``x_low``, ``x_high``; the frame's ``attrs`` record ``x``, ``y``, ``absorb``, ``n_obs``.
    Bins follow quantiles of the (residualised) ``x``; tied quantiles merge, so there may be fewer.
    """
    keys = [k for k in _ABSORB.get(absorb, []) if k]
    if absorb not in _ABSORB:
        raise ModelInputError(f"absorb must be one of {list(_ABSORB)}, got {absorb!r}")
    require_columns(panel, [x, y, *keys], "panel")
    require_numeric(panel, [x, y], "panel")
    if not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ModelInputError(f"bins must be a positive integer, got {bins!r}")
    data = panel.loc[panel[[x, y]].notna().all(axis=1), [x, y, *keys]]
    if len(data) < 2 or data[x].nunique() < 2:
        raise ModelInputError(f"binned_scatter: {x!r} needs at least two distinct values")
    values = residualize(data, [x, y], absorb)
    binned = pd.qcut(values[x], q=min(bins, len(values)), labels=False, duplicates="drop")
    grouped = values.groupby(binned.to_numpy())
    out = pd.DataFrame(
        {
            "n": grouped[y].size(),
            "x_mean": grouped[x].mean(),
            "y_mean": grouped[y].mean(),
            "y_se": grouped[y].std(ddof=1) / np.sqrt(grouped[y].size()),
            "x_low": grouped[x].min(),
            "x_high": grouped[x].max(),
        }
    )
    out.index.name = "bin"
    out = out.reset_index()
    out.attrs.update(x=x, y=y, absorb=absorb, n_obs=len(values))
    return out


def lowess_curve(x, y, frac: float = 2 / 3, it: int = 3) -> pd.DataFrame:
    """LOWESS fit of ``y`` on ``x`` (statsmodels), sorted by ``x``: columns ``x`` and ``fit``.

    Pairs with a missing value are left out (``attrs["n_dropped"]`` counts them).
    """
    xs = pd.Series(np.asarray(x)) if not isinstance(x, pd.Series) else x.reset_index(drop=True)
    ys = pd.Series(np.asarray(y)) if not isinstance(y, pd.Series) else y.reset_index(drop=True)
    if len(xs) != len(ys):
        raise ModelInputError(f"lowess_curve: x has {len(xs)} values, y has {len(ys)}")
    pair = pd.DataFrame({"x": xs, "y": ys})
    require_numeric(pair, ["x", "y"], "lowess_curve input")
    if not 0 < frac <= 1:
        raise ModelInputError(f"lowess_curve: frac must be in (0, 1], got {frac!r}")
    keep = pair.notna().all(axis=1)
    pair = pair[keep].astype("float64")
    if pair["x"].nunique() < 3:
        raise ModelInputError("lowess_curve: needs at least three distinct x values")
    fitted = lowess(
        pair["y"].to_numpy(), pair["x"].to_numpy(), frac=frac, it=it, return_sorted=True
    )
    out = pd.DataFrame({"x": fitted[:, 0], "fit": fitted[:, 1]})
    out.attrs["n_dropped"] = int((~keep).sum())
    return out
