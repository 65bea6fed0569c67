"""Two-way fixed effects with province levels free to jump at given years (segment effects).

Why: a level shift in a survey series that no record explains (see :func:`cchc_analysis.level_shifts`)
can move a province's level between two years for reasons that are not the province's. Splitting
each province's fixed effect at those years removes any comparison across the shift, so the slope
is estimated only from variation inside each segment of years. Errors are clustered by province
(CR1 as statsmodels computes it, t(G−1) reference); no bootstrap.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import statsmodels.api as sm

from cchc_analysis.models._checks import ModelInputError
from cchc_analysis.models.design import MIN_CLUSTERS, prepare

__all__ = ["SEGMENT_COLUMNS", "twfe_by_segment"]

SEGMENT_COLUMNS = [
    "outcome",
    "exposure",
    "term",
    "segment",
    "coef",
    "se",
    "ci_low",
    "ci_high",
    "p_value",
    "n_obs",
    "n_provinces",
    "years",
    "cuts",
    "se_type",
]
"""Columns of :func:`twfe_by_segment`'s result, one row per estimated slope."""


def _check_cuts(cuts: Iterable[int] | None) -> list[int]:
    if cuts is None:
        return []
    if isinstance(cuts, (str, bytes)):
        raise ModelInputError(f"cuts: expected years such as [2021], got the text {cuts!r}")
    out = []
    for year in cuts:
        if isinstance(year, bool) or not float(year).is_integer():
            raise ModelInputError(f"cuts: every cut must be a whole year, got {year!r}")
        out.append(int(year))
    return sorted(set(out))


def twfe_by_segment(
    panel: pd.DataFrame,
    outcome: str,
    exposure: str,
    cuts: Iterable[int] | None = (),
    *,
    per_segment: bool = False,
) -> pd.DataFrame:
    """Slope of ``outcome`` on ``exposure`` with province × segment and within-segment year effects.

    A cut year ``c`` starts a new segment: province effects differ on either side of it, and year
    effects are estimated within each segment (the first year of every segment is its reference).
    A segment with a single year carries no within-province variation and is dropped (its rows are
    not counted in ``n_obs``). With no cuts this is the ordinary two-way fixed-effects slope.
    ``per_segment=True`` lets the slope differ by segment (one row per segment); the default is one
    common slope. Columns: :data:`SEGMENT_COLUMNS`.

        >>> import numpy as np, pandas as pd
        >>> rng = np.random.default_rng(0)  # SIMULATION: 30 provinces, slope 0.5
        >>> import cchc_analysis as cc
        >>> codes = sorted(cc.provinces()["code"])[:30]  # real province codes, made-up values
        >>> p = pd.DataFrame([(c, y) for c in codes for y in range(2018, 2025)],
        ...                  columns=["province_code", "year"])
        >>> p["x"] = rng.normal(size=len(p))
        >>> p["y"] = 0.5 * p["x"] + rng.normal(scale=0.1, size=len(p))
        >>> round(float(twfe_by_segment(p, "y", "x", cuts=[2021])["coef"].iloc[0]), 1)
        0.5
    """
    if not isinstance(per_segment, bool):
        raise ModelInputError(f"per_segment must be True or False, got {per_segment!r}")
    cuts = _check_cuts(cuts)
    data = prepare(panel, outcome, exposure, ()).dropna(subset=[outcome, exposure])
    first_year, last_year = int(data["year"].min()), int(data["year"].max())
    outside = [c for c in cuts if not first_year < c <= last_year]
    if outside:
        raise ModelInputError(
            f"cuts {outside} do not split the years {first_year}-{last_year} of {outcome} and "
            f"{exposure}: a cut is the first year of a new segment, after {first_year}"
        )
    starts = [first_year, *cuts]
    data["segment"] = np.searchsorted(starts, data["year"], side="right") - 1
    data = data[data.groupby("segment")["year"].transform("nunique") > 1]
    if data.empty:
        raise ModelInputError(
            f"cuts {cuts} leave no segment with two or more years of {outcome} and {exposure}"
        )
    n_clusters = data["province_code"].nunique()
    if n_clusters < MIN_CLUSTERS:
        raise ModelInputError(
            f"{n_clusters} provinces left after the cuts; clustered errors need at least "
            f"{MIN_CLUSTERS}"
        )

    segments = sorted(data["segment"].unique())
    labels = {
        s: f"{data.loc[data['segment'] == s, 'year'].min()}-"
        f"{data.loc[data['segment'] == s, 'year'].max()}"
        for s in segments
    }
    if per_segment:
        slopes = pd.DataFrame(
            {
                f"{exposure}:{labels[s]}": data[exposure].where(data["segment"] == s, 0.0)
                for s in segments
            }
        )
    else:
        slopes = data[[exposure]]
    for term in slopes:
        within = slopes[term].groupby([data["province_code"], data["segment"]]).transform("mean")
        if np.allclose(slopes[term], within):
            raise ModelInputError(
                f"{term} does not vary within any province and segment: province × segment "
                "effects absorb it, there is nothing to estimate"
            )
    first = data.groupby("segment")["year"].transform("min")
    design = pd.concat(
        [
            slopes,
            pd.get_dummies(
                data["province_code"] + ":" + data["segment"].astype(str),
                drop_first=True,
                dtype=float,
            ),
            # year effects inside each segment; each segment's first year is its reference
            pd.get_dummies(data["year"].astype(str).where(data["year"] != first), dtype=float),
        ],
        axis=1,
    )
    groups = pd.factorize(data["province_code"])[0]
    fit = sm.OLS(data[outcome], _add_constant(design)).fit(
        cov_type="cluster", cov_kwds={"groups": groups}, use_t=True
    )
    interval = fit.conf_int()
    rows = []
    for term, segment in zip(slopes.columns, segments if per_segment else [None], strict=True):
        sub = data if segment is None else data[data["segment"] == segment]
        rows.append(
            {
                "outcome": outcome,
                "exposure": exposure,
                "term": term,
                "segment": "all" if segment is None else labels[segment],
                "coef": fit.params[term],
                "se": fit.bse[term],
                "ci_low": interval.loc[term, 0],
                "ci_high": interval.loc[term, 1],
                "p_value": fit.pvalues[term],
                "n_obs": len(sub),
                "n_provinces": sub["province_code"].nunique(),
                "years": f"{sub['year'].min()}-{sub['year'].max()}",
                "cuts": ",".join(map(str, cuts)),
                "se_type": f"CR1 clustered by province ({n_clusters} clusters), t(G-1)",
            }
        )
    return pd.DataFrame(rows, columns=SEGMENT_COLUMNS)


def _add_constant(design: pd.DataFrame) -> pd.DataFrame:
    """``sm.add_constant(design)`` (a ``const`` column first, none when a column is already a
    non-zero constant) with the test for constant columns done on the whole array at once."""
    values = design.to_numpy(dtype=float)
    constant = (np.ptp(values, axis=0) == 0) & np.any(values != 0, axis=0)
    if len(values) and constant.any():
        return design.copy()
    return pd.concat([pd.DataFrame({"const": 1.0}, index=design.index), design], axis=1)
