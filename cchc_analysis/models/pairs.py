"""Fitting many outcome × exposure pairs at once, finding one result, and saying it in a sentence.

:func:`fit_pairs` runs the ladder for every pair and model separately, so that a model a pair
cannot support (too few years, too few clusters) is listed with its reason instead of stopping the
run; :func:`result_row` picks one fitted row; :func:`describe` writes it as the sentence the
notebooks print (coefficient, interval, p-values, sample).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from cchc_analysis.models._checks import ModelInputError, as_codes, require_columns
from cchc_analysis.models.design import MODELS
from cchc_analysis.models.ladder import add_q_values, fit_ladder

__all__ = ["SKIPPED_COLUMNS", "describe", "fit_pairs", "format_ci", "format_p", "result_row"]

SKIPPED_COLUMNS = ["variant", "outcome", "exposure", "model", "reason"]
"""Columns of the table of pairs and models :func:`fit_pairs` did not fit."""


def fit_pairs(
    panel: pd.DataFrame,
    outcomes: str | Iterable[str],
    exposures: str | Iterable[str],
    variant: str,
    controls: str | Iterable[str] = (),
    *,
    models: Sequence[str] = MODELS,
    skip: Mapping[tuple[str, str], str] | None = None,
    **options,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every model for every outcome × exposure pair; models a pair cannot support are listed.

    Returns ``(results, skipped)``: ``results`` has the ladder's columns plus ``variant`` (a name
    for this sample or specification), with Benjamini-Hochberg q-values within each model across
    the pairs fitted here; ``skipped`` (columns :data:`SKIPPED_COLUMNS`) names each pair and model
    left out and why. ``skip`` maps ``(outcome, exposure)`` to a reason for pairs not to try at all
    (e.g. series that share a single year). Controls equal to the pair's own outcome or exposure
    are dropped for that pair. ``options`` go to :func:`~cchc_analysis.models.fit_ladder`
    (``n_boot``, ``seed``, ``boot_weights``, ``pooled_year_effects``).

        >>> import numpy as np, pandas as pd
        >>> rng = np.random.default_rng(1)  # SIMULATION: 20 provinces, 5 years
        >>> import cchc_analysis as cc
        >>> codes = sorted(cc.provinces()["code"])[:20]  # real province codes, made-up values
        >>> p = pd.DataFrame([(c, y) for c in codes for y in range(2019, 2024)],
        ...                  columns=["province_code", "year"])
        >>> p["x"], p["z"] = rng.normal(size=(2, len(p)))
        >>> p["y"] = 0.5 * p["x"] + rng.normal(size=len(p))
        >>> res, skipped = fit_pairs(p, ["y"], ["x", "z"], "demo", models=["twfe"], n_boot=0)
        >>> res[["outcome", "exposure", "model", "variant"]].values.tolist()
        [['y', 'x', 'twfe', 'demo'], ['y', 'z', 'twfe', 'demo']]
    """
    outcomes = as_codes(outcomes, "outcomes")
    exposures = as_codes(exposures, "exposures")
    controls = as_codes(controls, "controls")
    if not outcomes or not exposures:
        raise ModelInputError("fit_pairs: name at least one outcome and one exposure")
    if not isinstance(variant, str) or not variant:
        raise ModelInputError(f"fit_pairs: variant must be a non-empty name, got {variant!r}")
    skip = dict(skip or {})
    bad_keys = [k for k in skip if not (isinstance(k, tuple) and len(k) == 2)]
    if bad_keys:
        raise ModelInputError(f"fit_pairs: skip keys must be (outcome, exposure) pairs: {bad_keys}")
    tables, skipped = [], []
    for outcome in outcomes:
        for exposure in exposures:
            if (outcome, exposure) in skip:
                skipped.append((variant, outcome, exposure, "all", skip[(outcome, exposure)]))
                continue
            own = [c for c in controls if c not in (outcome, exposure)]
            for model in models:
                try:
                    tables.append(
                        fit_ladder(panel, outcome, exposure, own, models=[model], **options)
                    )
                except ModelInputError as err:
                    skipped.append((variant, outcome, exposure, model, str(err)))
    skipped = pd.DataFrame(skipped, columns=SKIPPED_COLUMNS)
    if not tables:
        reasons = "; ".join(
            f"{r.outcome} on {r.exposure} ({r.model}): {r.reason}" for r in skipped.itertuples()
        )
        raise ModelInputError(f"fit_pairs ({variant}): no model could be fitted. {reasons}")
    table = add_q_values(pd.concat(tables, ignore_index=True))  # BH within model, this variant
    table.insert(len(table.columns), "variant", variant)
    return table, skipped


def result_row(
    table: pd.DataFrame, outcome: str, exposure: str, model: str, variant: str | None = None
) -> pd.Series:
    """The one fitted row for ``outcome`` on ``exposure`` by ``model`` (and ``variant``, if given).

    Raises ``LookupError`` naming the key when there is no such row or more than one (e.g. a table
    holding several variants without ``variant``)::

        >>> t = pd.DataFrame({"outcome": ["y"], "exposure": ["x"], "model": ["twfe"], "coef": [0.5]})
        >>> float(result_row(t, "y", "x", "twfe")["coef"])
        0.5
    """
    require_columns(table, ["outcome", "exposure", "model"], "results")
    hit = table[
        (table["outcome"] == outcome) & (table["exposure"] == exposure) & (table["model"] == model)
    ]
    if variant is not None:
        require_columns(table, ["variant"], "results")
        hit = hit[hit["variant"] == variant]
    if len(hit) != 1:
        where = f"{outcome} on {exposure}, model {model}" + (
            f", variant {variant}" if variant is not None else ""
        )
        have = sorted(set(zip(table["outcome"], table["exposure"], table["model"], strict=True)))
        raise LookupError(
            f"{len(hit)} rows for {where}; the table has (outcome, exposure, model) {have[:12]}"
            + (" …" if len(have) > 12 else "")
        )
    return hit.iloc[0]


def format_p(p: float, n_boot: int | None = 999) -> str:
    """A bootstrap p-value, written as ``≤ 0.001`` at the smallest value ``n_boot`` draws allow.

    >>> format_p(0.001), format_p(0.0412)
    ('≤ 0.001', '0.041')
    """
    if p is None or pd.isna(p):
        return "not computed"
    if n_boot:
        floor = 1 / (n_boot + 1)
        if p <= floor + 1e-12:
            return f"≤ {floor:.3f}"
    return f"{p:.3f}"


def format_ci(row: Mapping, scale: float = 1.0, digits: int = 2, key: str = "coef") -> str:
    """A slope and its 95% interval as signed numbers, ``"+1.91 [+1.37, +2.44]"``.

    ``key`` names the estimate (``"difference"`` for a row of ``slope_differences``); ``scale``
    multiplies estimate and bounds, e.g. by the exposure's within-province SD to read the slope per
    SD instead of per point::

        >>> row = {"coef": 1.908, "ci_low": 1.372, "ci_high": 2.444}
        >>> format_ci(row), format_ci(row, scale=0.038, digits=3)
        ('+1.91 [+1.37, +2.44]', '+0.073 [+0.052, +0.093]')
    """
    missing = [k for k in (key, "ci_low", "ci_high") if k not in row]
    if missing:
        raise ModelInputError(f"format_ci: the row lacks {missing}")
    return "{:+.{d}f} [{:+.{d}f}, {:+.{d}f}]".format(
        *(row[k] * scale for k in (key, "ci_low", "ci_high")), d=digits
    )


def describe(row: Mapping, unit: str = "", n_boot: int | None = 999) -> str:
    """One fitted row as a sentence: coefficient, 95% CI, analytic and bootstrap p, sample.

    ``unit`` is appended to the coefficient (e.g. ``" points per point"``); ``n_boot`` is the
    number of bootstrap draws behind ``p_boot`` (it sets the smallest p-value that can be shown)::

        >>> describe({"coef": 1.7284, "ci_low": 1.1, "ci_high": 2.3, "p_value": 3e-6,
        ...           "p_boot": 0.001, "n_obs": 432, "n_provinces": 63, "years": "2018-2024"})
        '1.728 (95% CI 1.100 to 2.300; p = 3e-06, p_boot ≤ 0.001; 432 province-years, 63 provinces, 2018-2024)'
    """
    missing = [
        k
        for k in ("coef", "ci_low", "ci_high", "p_value", "n_obs", "n_provinces", "years")
        if k not in row
    ]
    if missing:
        raise ModelInputError(
            f"describe: the row lacks {missing}; pass a row of fit_ladder's table"
        )
    p_boot = row["p_boot"] if "p_boot" in row else np.nan
    return (
        f"{row['coef']:.3f}{unit} (95% CI {row['ci_low']:.3f} to {row['ci_high']:.3f}; "
        f"p = {row['p_value']:.2g}, p_boot {format_p(p_boot, n_boot)}; "
        f"{row['n_obs']} province-years, {row['n_provinces']} provinces, {row['years']})"
    )
