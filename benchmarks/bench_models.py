"""Timing of the regression ladder on a SIMULATED 63-province × 7-year panel (not PAPI values).

The wild cluster bootstrap is computed from G × G algebra for all draws at once; the baseline
refits statsmodels OLS with clustered errors once per draw, which is what the vectorised form
replaces (both give the same t-statistics; see tests/test_models.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm

from cchc_analysis import paths
from cchc_analysis.models import boot_weights, fit_family, fit_ladder, wild_cluster_bootstrap


def _simulated_panel(seed: int = 1) -> pd.DataFrame:
    codes = pd.read_csv(paths.PACKAGE_DATA / "provinces.csv", dtype=str)["code"].tolist()
    rng = np.random.default_rng(seed)
    p = np.repeat(np.arange(63), 7)
    t = np.tile(np.arange(7), 63)
    a, lam = rng.normal(size=63), rng.normal(size=7)
    x = 0.8 * a[p] + 0.6 * lam[t] + rng.normal(size=p.size)
    y = 0.5 * x + 2 * a[p] + lam[t] + rng.normal(scale=0.5, size=p.size)
    y = y - y.min()
    y2 = 0.2 * x + a[p] + rng.normal(size=p.size)
    y2 = y2 - y2.min()
    x2 = rng.normal(size=p.size) + 0.5 * a[p]
    return pd.DataFrame(
        {
            "province_code": [codes[i] for i in p],
            "year": 2018 + t,
            "x": x,
            "x2": x2,
            "y": y,
            "y2": y2,
            "max_y": y.max() + 1,
            "max_y2": y2.max() + 1,
        }
    )


def run(suite) -> None:
    panel = _simulated_panel()
    X = pd.concat(
        [
            pd.Series(1.0, index=panel.index, name="const"),
            panel[["x"]],
            pd.get_dummies(panel["province_code"], drop_first=True, dtype=float),
            pd.get_dummies(panel["year"], drop_first=True, dtype=float),
        ],
        axis=1,
    ).to_numpy()
    y = panel["y"].to_numpy()
    groups = np.unique(panel["province_code"], return_inverse=True)[1]
    weights = boot_weights("webb", 999, 63, seed=1)
    t_obs = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": groups}).tvalues[1]
    restricted = sm.OLS(y, np.delete(X, 1, axis=1)).fit()

    def refit_loop() -> None:
        for w in weights:
            y_star = restricted.fittedvalues + w[groups] * restricted.resid
            sm.OLS(y_star, X).fit(cov_type="cluster", cov_kwds={"groups": groups}).tvalues[1]

    suite.compare(
        "WCR p-value, TWFE 441 obs x 70 params, B=999",
        lambda: wild_cluster_bootstrap(y, X, 1, groups, t_obs, weights),
        baseline=refit_loop,
        baseline_name="statsmodels refit per draw",
        repeat=5,
        baseline_repeat=1,
    )
    suite.compare(
        "fit_ladder, 5 models, B=999",
        lambda: fit_ladder(panel, "y", "x"),
        repeat=3,
    )
    suite.compare(
        "fit_family, 2 outcomes x 2 exposures x 5 models, B=999",
        lambda: fit_family(panel, ["y", "y2"], ["x", "x2"]),
        repeat=1,
    )
