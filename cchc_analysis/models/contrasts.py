"""Is an association specific? Slopes of one exposure on several outcomes, and their differences.

Why: if a survey's province-year mood moves every dimension together, an exposure "predicts"
outcomes it has no channel to (placebos) as well as the one of interest. The test that matters is
whether the slope on the outcome differs from the slope on each placebo, on the same sample.
Also here: the within-province spread of a variable, a results table restated per that spread (a
slope per standard deviation instead of per point), and a one-year lag that never reaches across a
missing year.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from cchc_analysis.models._checks import ModelInputError, as_codes, require_columns
from cchc_analysis.models.design import KEY
from cchc_analysis.models.figure_data import residualize
from cchc_analysis.models.ladder import fit_ladder

__all__ = [
    "DIFFERENCE_COLUMNS",
    "PER_SD_COLUMNS",
    "add_lag",
    "per_sd",
    "slope_differences",
    "within_sd",
]

DIFFERENCE_COLUMNS = [
    "outcome",
    "comparison",
    "exposure",
    "model",
    "coef_outcome",
    "coef_comparison",
    "difference",
    "se",
    "ci_low",
    "ci_high",
    "p_value",
    "p_boot",
    "n_obs",
    "n_provinces",
    "years",
    "se_type",
]
"""Columns of :func:`slope_differences`, one row per comparison outcome."""

PER_SD_COLUMNS = (
    "coef",
    "difference",
    "coef_outcome",
    "coef_comparison",
    "se",
    "ci_low",
    "ci_high",
)
"""Columns :func:`per_sd` rescales (those present): slopes, differences and their errors."""


def slope_differences(
    panel: pd.DataFrame,
    outcome: str,
    comparisons: str | Iterable[str],
    exposure: str,
    controls: str | Iterable[str] = (),
    *,
    model: str = "twfe",
    n_boot: int = 999,
    seed: int = 20240601,
) -> pd.DataFrame:
    """Slope of ``exposure`` on ``outcome`` minus its slope on each of ``comparisons``, with a test.

    For each comparison outcome the fits share one sample (province-years with the outcome,
    the comparison, the exposure and the controls all present). A linear model is linear in its
    outcome, so regressing ``outcome - comparison`` on the same design gives exactly the difference
    of the two slopes; its province-clustered errors equal those of a stacked regression with
    outcome-specific effects (which keeps the covariance between the two slopes), up to the CR1
    small-sample factor. ``p_boot`` is the wild cluster bootstrap p-value of the difference.
    Only meaningful for outcomes on one scale (PAPI dimensions all run 1-10). Linear models only.
    Columns: :data:`DIFFERENCE_COLUMNS`.

        >>> import numpy as np, pandas as pd
        >>> rng = np.random.default_rng(3)  # SIMULATION: the same slope 1.0 on y and on a placebo
        >>> import cchc_analysis as cc
        >>> codes = sorted(cc.provinces()["code"])[:40]  # real province codes, made-up values
        >>> p = pd.DataFrame([(c, t) for c in codes for t in range(2019, 2025)],
        ...                  columns=["province_code", "year"])
        >>> p["x"] = rng.normal(size=len(p))
        >>> p["y"] = p["x"] + 0.2 * rng.normal(size=len(p))
        >>> p["placebo"] = p["x"] + 0.2 * rng.normal(size=len(p))
        >>> d = slope_differences(p, "y", ["placebo"], "x", n_boot=0)
        >>> bool(d["ci_low"].iloc[0] < 0 < d["ci_high"].iloc[0])
        True
        >>> bool(np.isclose(d["difference"], d["coef_outcome"] - d["coef_comparison"]).all())
        True
    """
    comparisons = as_codes(comparisons, "comparisons")
    controls = as_codes(controls, "controls")
    if model == "fractional_logit":
        raise ModelInputError(
            "slope_differences: the fractional logit is not linear in its outcome; "
            "use pooled_ols, twfe, first_difference or lagged_twfe"
        )
    if not comparisons:
        raise ModelInputError("slope_differences: name at least one comparison outcome")
    if outcome in comparisons:
        raise ModelInputError(f"slope_differences: {outcome!r} is also a comparison outcome")
    require_columns(panel, [*KEY, outcome, *comparisons, exposure, *controls], "panel")
    rows, own_fits = [], {}
    for other in comparisons:
        needed = [outcome, other, exposure, *controls]
        sample = panel.loc[panel[needed].notna().all(axis=1), [*KEY, *needed]].copy()
        diff = f"{outcome}-{other}"
        sample[diff] = sample[outcome] - sample[other]
        d = fit_ladder(sample, diff, exposure, controls, models=[model], n_boot=n_boot, seed=seed)
        d = d.iloc[0]
        # the outcome's own slope, once per distinct sample; the comparison's slope then follows
        # exactly by linearity (outcome slope minus the difference), with no third fit
        key = tuple(sample.index)
        if key not in own_fits:
            own_fits[key] = fit_ladder(
                sample, outcome, exposure, controls, models=[model], n_boot=0
            )
        coef_outcome = float(own_fits[key]["coef"].iloc[0])
        rows.append(
            {
                "outcome": outcome,
                "comparison": other,
                "exposure": exposure,
                "model": model,
                "coef_outcome": coef_outcome,
                "coef_comparison": coef_outcome - d["coef"],
                "difference": d["coef"],
                **{k: d[k] for k in ["se", "ci_low", "ci_high", "p_value", "p_boot", "n_obs"]},
                "n_provinces": d["n_provinces"],
                "years": d["years"],
                "se_type": d["se_type"],
            }
        )
    return pd.DataFrame(rows, columns=DIFFERENCE_COLUMNS)


def within_sd(panel: pd.DataFrame, columns: str | Iterable[str]) -> pd.Series:
    """Standard deviation of each column after removing province and year means (the variation a
    two-way fixed-effects slope uses), on the province-years where all ``columns`` are present.

    Multiply a TWFE slope by the exposure's ``within_sd`` to read it per typical within-province
    movement. ``attrs["n_obs"]`` is the sample size::

        >>> p = pd.DataFrame({"province_code": ["a", "a", "b", "b"], "year": [1, 2, 1, 2],
        ...                   "x": [0.0, 1.0, 0.0, 3.0]})
        >>> float(within_sd(p, ["x"])["x"].round(3))
        0.577
    """
    columns = list(as_codes(columns, "columns"))
    require_columns(panel, [*KEY, *columns], "panel")
    sample = panel.loc[panel[columns].notna().all(axis=1)]
    if sample["province_code"].nunique() < 2 or sample["year"].nunique() < 2:
        raise ModelInputError("within_sd: needs at least two provinces and two years")
    out = residualize(sample, columns, "both").std(ddof=1)
    out.attrs["n_obs"] = len(sample)
    return out


def per_sd(results: pd.DataFrame, sd: float) -> pd.DataFrame:
    """Copy of a results table with every slope per ``sd`` of the exposure instead of per point.

    ``sd`` is the exposure's spread in its own points, typically its :func:`within_sd` on the
    estimation sample: a slope per point of an exposure that moves by a few hundredths of a point
    within provinces reads as far larger than anything the data contain. The columns of
    :data:`PER_SD_COLUMNS` present are multiplied by ``sd``; p-values, q-values, ``n_obs`` and the
    rest are unchanged (a unit change does not change a test). ``attrs["per_sd"]`` records ``sd``::

        >>> t = pd.DataFrame({"coef": [2.0], "ci_low": [1.0], "ci_high": [3.0], "p_value": [0.01]})
        >>> per_sd(t, 0.05).round(3).to_dict("records")
        [{'coef': 0.1, 'ci_low': 0.05, 'ci_high': 0.15, 'p_value': 0.01}]
    """
    if isinstance(sd, bool) or not isinstance(sd, (int, float)) or not sd > 0:
        raise ModelInputError(
            f"per_sd: sd must be a positive number of exposure points, got {sd!r}"
        )
    out = results.copy()
    for column in PER_SD_COLUMNS:
        if column in out.columns:
            out[column] = out[column] * float(sd)
    out.attrs["per_sd"] = float(sd)
    return out


def add_lag(panel: pd.DataFrame, column: str, name: str | None = None) -> pd.DataFrame:
    """Copy of ``panel`` with ``column`` of the previous year in ``name`` (default ``<column>_lag``).

    The lag is missing where the previous year is absent (a gap is never bridged)::

        >>> p = pd.DataFrame({"province_code": ["a"] * 3, "year": [2019, 2020, 2022],
        ...                   "x": [1.0, 2.0, 4.0]})
        >>> add_lag(p, "x")["x_lag"].tolist()
        [nan, 1.0, nan]
    """
    require_columns(panel, [*KEY, column], "panel")
    name = name or f"{column}_lag"
    if name in panel.columns:
        raise ModelInputError(f"add_lag: the panel already has a column {name!r}")
    if panel.duplicated(KEY).any():
        raise ModelInputError("add_lag: more than one row per (province_code, year)")
    previous = panel[[*KEY, column]].assign(year=panel["year"] + 1)
    previous = previous.rename(columns={column: name})
    out = panel.merge(previous, on=KEY, how="left", validate="one_to_one")
    out.index = panel.index
    return out
