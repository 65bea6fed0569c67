"""The regression ladder: pooled OLS, two-way fixed effects, first differences, lagged exposure and
a fractional logit, each an association (never a causal estimate) between one PAPI outcome and one
exposure, with province-clustered errors and a wild cluster bootstrap p-value.

Standard errors (stated in every results row): CR1 as statsmodels computes it for
``cov_type="cluster"`` — factor G/(G-1)·(N-1)/(N-K), where K counts every column of the design
*including the province and year dummies* — and t(G-1) reference distribution for p-values and
95% intervals. (Stata's ``xtreg, fe`` / ``reghdfe`` leave absorbed province effects out of K,
which gives standard errors smaller by the factor sqrt((N-K)/(N-K+G-1)).)
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.multitest import multipletests

from cchc_analysis.models._checks import ModelInputError, as_codes, require_columns
from cchc_analysis.models.design import (
    KEY,
    MODELS,
    Design,
    build_design,
    check_design,
    check_models,
    prepare,
)
from cchc_analysis.models.inference import (
    BOOT_WEIGHTS,
    score_bootstrap,
    wild_cluster_bootstrap,
)
from cchc_analysis.models.inference import boot_weights as draw_weights
from cchc_analysis.models.panel import breaks_within, mechanical_overlap

__all__ = [
    "MODELS",
    "RESULT_COLUMNS",
    "MechanicalOverlapWarning",
    "add_q_values",
    "fit_family",
    "fit_ladder",
]

RESULT_COLUMNS = [
    "outcome",
    "exposure",
    "model",
    "coef",
    "se",
    "ci_low",
    "ci_high",
    "p_value",
    "p_boot",
    "q_value",
    "q_basis",
    "n_obs",
    "n_provinces",
    "years",
    "controls",
    "spec",
    "se_type",
    "overlap",
    "note",
]

SE_LINEAR = (
    "CR1 clustered by province (statsmodels OLS cov_type='cluster': G/(G-1)*(N-1)/(N-K), "
    "K incl. dummies); t(G-1) p-value and 95% CI"
)
SE_FRACTIONAL = (
    "AME on the outcome's original scale; delta method from CR1 clustered GLM covariance "
    "(statsmodels: G/(G-1)*(N-1)/(N-K)); t(G-1) p-value and 95% CI"
)


class MechanicalOverlapWarning(UserWarning):
    """The outcome is an index that contains a regressor (or the reverse)."""


def fit_ladder(
    panel: pd.DataFrame,
    outcome: str,
    exposure: str,
    controls: str | Iterable[str] = (),
    *,
    models: Sequence[str] = MODELS,
    n_boot: int = 999,
    boot_weights: str = "webb",
    seed: int = 20240601,
    pooled_year_effects: bool = False,
) -> pd.DataFrame:
    """Fit each model of the ladder for ``outcome`` on ``exposure`` and return one row per model.

    ``panel`` is a province-year frame (see :func:`cchc_analysis.models.build_panel`) with
    ``province_code``, ``year`` and numeric columns for the outcome, exposure and controls;
    ``fractional_logit`` also needs ``max_<outcome>``. Rows with any of these missing are left
    out (counted in ``note``). ``pooled_ols`` has a constant only, unless ``pooled_year_effects``;
    ``first_difference`` and ``lagged_twfe`` pair consecutive years only (a gap year gives no
    difference or lag); ``lagged_twfe`` lags the exposure and the controls by one year.
    ``p_boot`` is a wild cluster bootstrap p-value with ``n_boot`` seeded draws (0 skips it);
    ``q_value`` treats this one pair as its own family (use :func:`fit_family` for a family).
    Columns: :data:`RESULT_COLUMNS`.
    """
    controls = as_codes(controls, "controls")
    models = check_models(models)
    if boot_weights not in BOOT_WEIGHTS:
        raise ModelInputError(f"boot_weights must be one of {BOOT_WEIGHTS}, got {boot_weights!r}")
    if not isinstance(n_boot, (int, np.integer)) or n_boot < 0:
        raise ModelInputError(f"n_boot must be a non-negative integer, got {n_boot!r}")
    data = prepare(panel, outcome, exposure, controls)

    overlapping = [r for r in (exposure, *controls) if mechanical_overlap(outcome, r)]
    if overlapping:
        warnings.warn(
            f"{outcome} and {', '.join(overlapping)} overlap mechanically (one is part of the "
            "other): the association is partly an identity",
            MechanicalOverlapWarning,
            stacklevel=2,
        )

    rows = []
    for model in models:
        row = _fit_one(
            model,
            data,
            outcome,
            exposure,
            controls,
            n_boot,
            boot_weights,
            seed,
            pooled_year_effects,
        )
        notes = [row.pop("notes")]
        if overlapping:
            notes.append(f"mechanical overlap: {outcome} contains or is part of {overlapping}")
        row.update(
            outcome=outcome,
            exposure=exposure,
            model=model,
            controls=",".join(controls),
            overlap=bool(overlapping),
            note="; ".join(n for n in notes if n),
        )
        rows.append(row)
    return add_q_values(pd.DataFrame(rows))


def fit_family(
    panel: pd.DataFrame,
    outcomes: str | Iterable[str],
    exposures: str | Iterable[str],
    controls: str | Iterable[str] = (),
    *,
    models: Sequence[str] = MODELS,
    n_boot: int = 999,
    boot_weights: str = "webb",
    seed: int = 20240601,
    pooled_year_effects: bool = False,
    q_basis: str = "p_boot",
) -> pd.DataFrame:
    """The ladder for every outcome × exposure pair, with Benjamini-Hochberg q-values across the
    pairs within each model (controls that are the pair's own outcome or exposure are skipped).

    ``q_basis`` picks the p-values adjusted: ``"p_boot"`` (default; the analytic p-value stands
    in where no bootstrap was run) or ``"p_value"``. Every pair uses the same ``seed``.
    """
    outcomes = as_codes(outcomes, "outcomes")
    exposures = as_codes(exposures, "exposures")
    controls = as_codes(controls, "controls")
    if not outcomes or not exposures:
        raise ModelInputError("fit_family: name at least one outcome and one exposure")
    tables = []
    for outcome in outcomes:
        for exposure in exposures:
            if outcome == exposure:
                raise ModelInputError(f"fit_family: {outcome!r} is both an outcome and an exposure")
            own = [c for c in controls if c not in (outcome, exposure)]
            table = fit_ladder(
                panel,
                outcome,
                exposure,
                own,
                models=models,
                n_boot=n_boot,
                boot_weights=boot_weights,
                seed=seed,
                pooled_year_effects=pooled_year_effects,
            )
            tables.append(table)
    return add_q_values(pd.concat(tables, ignore_index=True), basis=q_basis)


def add_q_values(results: pd.DataFrame, basis: str = "p_boot") -> pd.DataFrame:
    """Fill ``q_value``: Benjamini-Hochberg (statsmodels ``fdr_bh``) within each model.

    ``basis="p_boot"`` adjusts the bootstrap p-values and falls back to ``p_value`` for rows
    without one; ``q_basis`` records which was used.
    """
    if basis not in ("p_boot", "p_value"):
        raise ModelInputError(f"q_basis must be 'p_boot' or 'p_value', got {basis!r}")
    require_columns(results, ["model", "p_value", "p_boot"], "results")
    out = results.copy()
    if basis == "p_boot":
        use_boot = out["p_boot"].notna()
        p = out["p_boot"].where(use_boot, out["p_value"])
        out["q_basis"] = np.where(use_boot, "p_boot", "p_value")
    else:
        p = out["p_value"]
        out["q_basis"] = "p_value"
    out["q_value"] = np.nan
    for _, idx in out.groupby("model", sort=False).groups.items():
        values = p.loc[idx]
        if values.isna().any():
            raise ModelInputError("results: missing p-values, cannot compute q-values")
        out.loc[idx, "q_value"] = multipletests(values.to_numpy(), method="fdr_bh")[1]
    return out.reindex(columns=[c for c in RESULT_COLUMNS if c in out.columns])


def _fit_one(
    model, data, outcome, exposure, controls, n_boot, weights_kind, seed, pooled_year_effects
) -> dict:
    design = build_design(model, data, outcome, exposure, controls, pooled_year_effects)
    groups, n_clusters = check_design(model, design, exposure)
    weights = draw_weights(weights_kind, n_boot, n_clusters, seed) if n_boot else None
    if model == "fractional_logit":
        row = _fit_fractional(design, outcome, exposure, groups, n_clusters, weights)
    else:
        row = _fit_linear(design, exposure, groups, weights)
    if weights is None:
        design.notes.append("no bootstrap (n_boot=0)")
    else:
        design.notes.append(f"p_boot: {row.pop('boot_kind')}, {weights_kind} weights, B={n_boot}")
    years = design.years.unique().tolist()
    has_year_effects = model != "pooled_ols" or pooled_year_effects
    absorbed = (
        "year effects absorb a common shift only"
        if has_year_effects
        else "no year effects here, so the break enters the slope"
    )
    for brk in _breaks_used(model, years, outcome, [exposure, *controls]):
        design.notes.append(f"composition break {brk.year} ({brk.flag}): {brk.what}; {absorbed}")
    row.update(
        n_obs=len(design.y),
        n_provinces=n_clusters,
        years=_year_span(years),
        spec=design.spec,
        notes="; ".join(design.notes),
    )
    return row


def _breaks_used(model: str, years: list[int], outcome: str, regressors: list[str]) -> list:
    """Composition breaks crossed by the values a model uses: differences reach back to t-1 for
    every variable, the lagged model for the regressors only."""
    before = [y - 1 for y in years]
    if model == "first_difference":
        spans = {v: years + before for v in [outcome, *regressors]}
    elif model == "lagged_twfe":
        spans = {outcome: years} | {v: before for v in regressors}
    else:
        spans = {v: years for v in [outcome, *regressors]}
    found = {b for v, span in spans.items() for b in breaks_within([v], span)}
    return sorted(found, key=lambda b: b.year)


def _fit_linear(design: Design, exposure: str, groups: np.ndarray, weights) -> dict:
    fit = sm.OLS(design.y, design.X).fit(
        cov_type="cluster", cov_kwds={"groups": groups}, use_t=True
    )
    low, high = fit.conf_int().loc[exposure]
    row = {
        "coef": float(fit.params[exposure]),
        "se": float(fit.bse[exposure]),
        "ci_low": float(low),
        "ci_high": float(high),
        "p_value": float(fit.pvalues[exposure]),
        "p_boot": np.nan,
        "se_type": SE_LINEAR,
    }
    if weights is not None:
        row["p_boot"], _ = wild_cluster_bootstrap(
            design.y,
            design.X.to_numpy(),
            design.X.columns.get_loc(exposure),
            groups,
            float(fit.tvalues[exposure]),
            weights,
        )
        row["boot_kind"] = "wild cluster bootstrap, null imposed (WCR), symmetric t"
    return row


def _fit_fractional(
    design: Design, outcome: str, exposure: str, groups: np.ndarray, n_clusters: int, weights
) -> dict:
    scale_col = f"max_{outcome}"
    if design.frame is None or scale_col not in design.frame.columns:
        raise ModelInputError(
            f"fractional_logit: the panel needs {scale_col!r} (the outcome's maximum each year; "
            "build_panel adds it) to rescale the outcome to [0, 1]"
        )
    scale = design.frame[scale_col].to_numpy(dtype="float64")
    if np.isnan(scale).any() or (scale <= 0).any():
        bad = design.frame.loc[~(scale > 0), KEY].head(5).to_dict("records")
        raise ModelInputError(f"fractional_logit: {scale_col} missing or not positive at {bad}")
    share = design.y / scale
    outside = (share < 0) | (share > 1)
    if outside.any():
        bad = design.frame.loc[outside, KEY].head(5).to_dict("records")
        raise ModelInputError(
            f"fractional_logit: {outcome} outside [0, {scale_col}] at {bad}; check the maxima"
        )
    X = design.X.to_numpy()
    col = design.X.columns.get_loc(exposure)
    fit = sm.GLM(share, design.X, family=sm.families.Binomial()).fit(
        cov_type="cluster", cov_kwds={"groups": groups}
    )
    beta = fit.params.to_numpy()
    mu = fit.fittedvalues.to_numpy()
    slope = mu * (1 - mu)
    # AME of the exposure on the original scale (holding the Mundlak province means fixed, i.e.
    # the within-province effect): mean of max * b * mu(1-mu); gradient for the delta method.
    ame = float(np.mean(scale * beta[col] * slope))
    grad = np.mean((scale * beta[col] * slope * (1 - 2 * mu))[:, None] * X, axis=0)
    grad[col] += np.mean(scale * slope)
    se = float(np.sqrt(grad @ fit.cov_params().to_numpy() @ grad))
    dof = n_clusters - 1
    crit = stats.t.ppf(0.975, dof)
    row = {
        "coef": ame,
        "se": se,
        "ci_low": ame - crit * se,
        "ci_high": ame + crit * se,
        "p_value": float(2 * stats.t.sf(abs(ame / se), dof)),
        "p_boot": np.nan,
        "se_type": SE_FRACTIONAL,
    }
    design.notes.append(
        f"logit coefficient {beta[col]:.4g} (clustered SE {fit.bse.iloc[col]:.4g}); AME holds "
        "the province means fixed"
    )
    if weights is not None:
        restricted = sm.GLM(share, np.delete(X, col, axis=1), family=sm.families.Binomial()).fit()
        mu0 = restricted.fittedvalues
        row["p_boot"], _ = score_bootstrap(X, col, groups, share - mu0, mu0 * (1 - mu0), weights)
        row["boot_kind"] = "wild restricted score bootstrap of the logit coefficient"
    return row


def _year_span(years: Iterable[int]) -> str:
    """``[2018, 2019, 2020, 2022]`` → ``"2018-2020,2022"``."""
    years = sorted(set(int(y) for y in years))
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ",".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)
