"""Does a slope rest on one unit? The OLS fit with every unit and without the most influential one.

Why: with a few dozen units, one unit far from the others on an exposure can carry a slope on its
own (a province whose online-payment score sits several standard deviations below the rest). The
unit is chosen from the data, not by hand: the one whose removal moves the coefficient of ``term``
most (the largest absolute DFBETA of the ordinary least-squares fit), and the model is fitted
again without it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cchc_analysis.models._checks import ModelInputError

__all__ = ["INFLUENCE_COLUMNS", "ols_without_most_influential"]

INFLUENCE_COLUMNS = ["sample", "dropped", "n", "coef", "se", "low", "high", "r2"]
"""Columns of :func:`ols_without_most_influential`, one row per sample."""


def ols_without_most_influential(
    frame: pd.DataFrame, formula: str, term: str, cov_type: str = "HC3"
) -> pd.DataFrame:
    """The coefficient of ``term`` in ``formula`` fitted on every row of ``frame`` and again
    without the row whose removal moves it most (the largest absolute DFBETA).

    Returns two rows (``sample`` "all" and "without the most influential unit") with
    ``dropped`` (the index label of the unit left out; empty for "all"), ``n``, ``coef``, ``se``
    and its 95% interval ``low``/``high`` (standard errors of ``cov_type``, HC3 by default) and
    ``r2``. ``attrs["dfbeta"]`` keeps the DFBETA of ``term`` for every row.

    >>> x = pd.DataFrame({"y": [1.0, 2.1, 2.9, 4.2, 5.0, 0.0], "x": [1, 2, 3, 4, 5, -6]})
    >>> t = ols_without_most_influential(x, "y ~ x", "x")
    >>> t["dropped"].tolist(), t["n"].tolist()
    (['', '5'], [6, 5])
    """
    import statsmodels.formula.api as smf

    if len(frame) < 4:
        raise ModelInputError(
            f"ols_without_most_influential needs at least 4 rows, got {len(frame)}"
        )
    base = smf.ols(formula, data=frame)
    plain = base.fit()
    if term not in plain.params.index:
        raise ModelInputError(f"{term!r} is not a term of {formula!r}: {list(plain.params.index)}")
    position = list(plain.params.index).index(term)
    dfbeta = plain.get_influence().dfbeta[:, position]
    labels = plain.model.data.row_labels
    worst = labels[int(np.argmax(np.abs(dfbeta)))]
    rows = []
    for sample, data, dropped in [
        ("all", frame, ""),
        ("without the most influential unit", frame.drop(index=worst), str(worst)),
    ]:
        fit = smf.ols(formula, data=data).fit(cov_type=cov_type)
        ci = fit.conf_int().loc[term]
        rows.append(
            {
                "sample": sample,
                "dropped": dropped,
                "n": int(fit.nobs),
                "coef": float(fit.params[term]),
                "se": float(fit.bse[term]),
                "low": float(ci.iloc[0]),
                "high": float(ci.iloc[1]),
                "r2": float(fit.rsquared),
            }
        )
    out = pd.DataFrame(rows, columns=INFLUENCE_COLUMNS)
    out.attrs["dfbeta"] = pd.Series(dfbeta, index=labels, name=f"dfbeta_{term}")
    return out
