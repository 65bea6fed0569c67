"""Estimation samples and design matrices of the ladder's models, with the checks that refuse a
panel the models cannot use (too few clusters, no variation in the exposure, no consecutive years).

Every design is a plain numeric matrix with named columns (constant, exposure, controls, then
province and year dummies), so a result can be re-computed with any OLS routine from ``spec``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cchc_analysis.keys import require_province_codes
from cchc_analysis.models._checks import (
    ModelInputError,
    as_codes,
    as_float,
    require_columns,
    require_numeric,
)

__all__ = [
    "FEW_CLUSTERS",
    "MIN_CLUSTERS",
    "MODELS",
    "build_design",
    "check_design",
    "check_models",
    "prepare",
]

MODELS = ("pooled_ols", "twfe", "first_difference", "lagged_twfe", "fractional_logit")

# Fewer clusters than this and cluster-robust inference is not credible at all: refuse.
MIN_CLUSTERS = 10
# Below this, clustered t-tests are known to over-reject (Angrist and Pischke's rule of thumb of
# "42"; MacKinnon and Webb 2017): fit, but say so and lean on the bootstrap p-value.
FEW_CLUSTERS = 42

KEY = ["province_code", "year"]


@dataclass
class Design:
    """One model's estimation sample: outcome, named design columns, clusters, and notes."""

    y: np.ndarray
    X: pd.DataFrame
    groups: pd.Series
    years: pd.Series
    spec: str
    notes: list[str] = field(default_factory=list)
    frame: pd.DataFrame | None = None


def check_models(models: Sequence[str]) -> tuple[str, ...]:
    models = as_codes(models, "models")
    unknown = [m for m in models if m not in MODELS]
    if unknown or not models:
        raise ModelInputError(f"unknown model(s) {unknown}; choose from {MODELS}")
    return models


def prepare(panel: pd.DataFrame, outcome: str, exposure: str, controls: tuple[str, ...]):
    """Validated copy of the panel columns the models need, sorted by province and year."""
    if outcome == exposure:
        raise ModelInputError(f"outcome and exposure are the same column {outcome!r}")
    clash = [c for c in controls if c in (outcome, exposure)]
    if clash:
        raise ModelInputError(f"control(s) {clash} are also the outcome or the exposure")
    variables = [outcome, exposure, *controls]
    require_columns(panel, [*KEY, *variables], "panel")
    require_numeric(panel, ["year", *variables], "panel")
    if panel["year"].isna().any():
        rows = panel.index[panel["year"].isna()].tolist()[:10]
        raise ModelInputError(f"panel: 'year' is missing in rows {rows}; every row needs a year")
    if not np.all(np.mod(panel["year"].to_numpy(dtype="float64"), 1) == 0):
        raise ModelInputError("panel: 'year' must hold whole years")
    if panel["province_code"].isna().any():
        raise ModelInputError("panel: 'province_code' is missing in some rows")
    require_province_codes(panel["province_code"].tolist(), "panel")
    extra = [f"max_{outcome}"] if f"max_{outcome}" in panel.columns else []
    data = panel[[*KEY, *variables, *extra]].copy()
    data["year"] = data["year"].astype("int64")
    data["province_code"] = data["province_code"].astype(str)
    dup = data.duplicated(KEY, keep=False)
    if dup.any():
        shown = data.loc[dup, KEY].head(6).to_dict("records")
        raise ModelInputError(f"panel: more than one row per (province_code, year): {shown}")
    for col in variables:
        data[col] = as_float(data[col])
        if np.isinf(data[col]).any():
            raise ModelInputError(f"panel: column {col!r} has infinite values")
    complete = data[variables].notna().all(axis=1)
    sample = data[complete]
    if sample.empty:
        raise ModelInputError(
            f"panel: no province-year has {variables} all present; check the components' years"
        )
    for col in (exposure, outcome):
        values = sample[col].unique()
        if len(values) < 2:
            raise ModelInputError(
                f"panel: {col!r} is constant ({float(values[0])!r}) over the {len(sample)} "
                "complete province-years: there is no variation to estimate from"
            )
    return data.sort_values(KEY).reset_index(drop=True)


def _dummies(values: pd.Series, prefix: str) -> pd.DataFrame:
    return pd.get_dummies(values, prefix=prefix, drop_first=True, dtype="float64")


def build_design(
    model: str,
    data: pd.DataFrame,
    outcome: str,
    exposure: str,
    controls: tuple[str, ...],
    pooled_year_effects: bool,
) -> Design:
    """Estimation sample and design matrix (constant, exposure, controls, effects) of ``model``."""
    variables = [outcome, exposure, *controls]
    complete = data[data[variables].notna().all(axis=1)]
    dropped = len(data) - len(complete)
    notes = [f"{dropped} province-years with missing values left out"] if dropped else []
    rhs = " + ".join([exposure, *controls])

    if model in ("first_difference", "lagged_twfe"):
        # Pair year t with year t-1 of the same province only: the lag comes from a merge on
        # (province, year + 1), so a gap year gives no difference and no lag.
        if model == "first_difference":
            current, lagged_vars = complete, variables
        else:
            current, lagged_vars = data[data[outcome].notna()], [exposure, *controls]
        source = data[data[lagged_vars].notna().all(axis=1)]
        previous = source[[*KEY, *lagged_vars]].assign(year=source["year"] + 1)
        merged = current.merge(previous, on=KEY, how="left", suffixes=("", "_lag"))
        has_lag = merged[[f"{v}_lag" for v in lagged_vars]].notna().all(axis=1)
        gaps = int((~has_lag & (merged["year"] > data["year"].min())).sum())
        sample = merged[has_lag].reset_index(drop=True)
        if model == "lagged_twfe":
            missing = int(data[outcome].isna().sum())
            notes = [f"{missing} province-years without the outcome left out"] if missing else []
        if sample.empty:
            raise ModelInputError(
                f"{model}: no province has data in two consecutive years (years present: "
                f"{sorted(complete['year'].unique().tolist())}); differences and lags pair "
                "year t with t-1 only"
            )
        if gaps:
            notes.append(f"{gaps} province-years without the previous year (gap) left out")
        if model == "first_difference":
            y = (sample[outcome] - sample[f"{outcome}_lag"]).to_numpy()
            regs = pd.DataFrame({v: sample[v] - sample[f"{v}_lag"] for v in [exposure, *controls]})
            X = pd.concat([regs, _dummies(sample["year"], "year")], axis=1)
            spec = f"d.{outcome} ~ 1 + " + " + ".join(f"d.{v}" for v in regs) + " + C(year)"
        else:
            y = sample[outcome].to_numpy()
            regs = pd.DataFrame({v: sample[f"{v}_lag"] for v in [exposure, *controls]})
            X = pd.concat(
                [
                    regs,
                    _dummies(sample["province_code"], "province"),
                    _dummies(sample["year"], "year"),
                ],
                axis=1,
            )
            spec = (
                f"{outcome} ~ 1 + "
                + " + ".join(f"L.{v}" for v in regs)
                + " + C(province) + C(year)"
            )
    else:
        sample = complete.reset_index(drop=True)
        y = sample[outcome].to_numpy()
        X = sample[[exposure, *controls]].copy()
        if model == "twfe":
            X = pd.concat(
                [
                    X,
                    _dummies(sample["province_code"], "province"),
                    _dummies(sample["year"], "year"),
                ],
                axis=1,
            )
            spec = f"{outcome} ~ 1 + {rhs} + C(province) + C(year)"
        elif model == "pooled_ols":
            if pooled_year_effects:
                X = pd.concat([X, _dummies(sample["year"], "year")], axis=1)
            spec = f"{outcome} ~ 1 + {rhs}" + (" + C(year)" if pooled_year_effects else "")
        else:  # fractional_logit
            means = sample.groupby("province_code")[[exposure, *controls]].transform("mean")
            means.columns = [f"mean_{c}" for c in means.columns]
            X = pd.concat([X, means, _dummies(sample["year"], "year")], axis=1)
            spec = (
                f"{outcome}/max_{outcome} ~ logit(1 + {rhs} + province means of ({rhs}) "
                "+ C(year)), GLM binomial"
            )
    X.insert(0, "const", 1.0)
    return Design(
        y=np.asarray(y, dtype="float64"),
        X=X.astype("float64"),
        groups=sample["province_code"],
        years=sample["year"],
        spec=spec,
        notes=notes,
        frame=sample,
    )


def check_design(model: str, design: Design, exposure: str) -> tuple[np.ndarray, int]:
    """Cluster indices and count, refusing too few clusters or an exposure the design absorbs."""
    codes, groups = np.unique(design.groups.to_numpy(), return_inverse=True)
    n_clusters = len(codes)
    if n_clusters < MIN_CLUSTERS:
        raise ModelInputError(
            f"{model}: only {n_clusters} provinces in the estimation sample; clustered inference "
            f"needs at least {MIN_CLUSTERS} (and is unreliable below {FEW_CLUSTERS})"
        )
    X = design.X.to_numpy()
    if X.shape[0] <= X.shape[1]:
        raise ModelInputError(
            f"{model}: {X.shape[0]} observations for {X.shape[1]} parameters; too few to fit"
        )
    col = design.X.columns.get_loc(exposure)
    x = X[:, col]
    coef, *_ = np.linalg.lstsq(np.delete(X, col, axis=1), x, rcond=None)
    resid = x - np.delete(X, col, axis=1) @ coef
    spread = np.sum((x - x.mean()) ** 2)
    if spread == 0 or np.sum(resid**2) <= 1e-10 * spread:
        raise ModelInputError(
            f"{model}: the exposure {exposure!r} has no variation left after the model's fixed "
            "effects and controls (e.g. constant within provinces, or collinear with a control)"
        )
    rank = np.linalg.matrix_rank(X)
    if rank < X.shape[1]:
        raise ModelInputError(
            f"{model}: the design has {X.shape[1]} columns but rank {rank}: a control is collinear "
            "with the others or with the fixed effects (e.g. constant within provinces)"
        )
    if n_clusters < FEW_CLUSTERS:
        design.notes.append(
            f"few clusters (G={n_clusters} < {FEW_CLUSTERS}): clustered SEs may be too small; "
            "prefer p_boot"
        )
    return groups, n_clusters
