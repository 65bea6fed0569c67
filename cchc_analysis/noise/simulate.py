"""SIMULATED panels shaped like PAPI, to validate the noise model (never data; labelled so).

Every row carries ``index = "SIMULATION"`` and unit codes ``SIM01``…, so a simulated panel cannot be
mistaken for, or joined to, a real one. The true signal is kept in the ``signal`` column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SIMULATION = "SIMULATION"


def simulate_panel(
    n_units: int = 63,
    n_years: int = 7,
    n_components: int = 8,
    *,
    signal_var=0.25,
    rho=0.8,
    noise_var=0.1,
    first_year: int = 2001,
    missing: float = 0.0,
    seed: int = 0,
) -> pd.DataFrame:
    """A SIMULATED long panel: AR(1) signal + year effects + independent noise, per component.

    ``signal_var``, ``rho``, ``noise_var``: scalars or one value per component (``D1``…); a
    ``TOTAL`` row per unit-year is the sum of the components (as PAPI's total). ``missing``: share
    of unit-years dropped at random (all components of that unit-year, as when PAPI lacks a
    province). Columns: ``index, year, unit, level, component, value, signal``.

    >>> sim = simulate_panel(n_units=5, n_years=3, n_components=2, seed=0)
    >>> sorted(sim["component"].unique()), sim["index"].iloc[0]
    (['D1', 'D2', 'TOTAL'], 'SIMULATION')
    """
    rng = np.random.default_rng(seed)
    k = n_components
    s2, r, n2 = (
        np.broadcast_to(np.asarray(a, dtype=float), (k,)) for a in (signal_var, rho, noise_var)
    )
    if (s2 < 0).any() or (n2 < 0).any() or (np.abs(r) > 1).any():
        raise ValueError("variances must be >= 0 and |rho| <= 1")
    theta = np.empty((n_units, n_years, k))
    theta[:, 0] = rng.normal(0, np.sqrt(s2), (n_units, k))
    innov = np.sqrt(s2 * (1 - r**2))
    for t in range(1, n_years):
        theta[:, t] = r * theta[:, t - 1] + rng.normal(0, 1, (n_units, k)) * innov
    year_effect = rng.normal(0, 0.3, (1, n_years, k))
    base = 5.0 + rng.normal(0, 0.5, (1, 1, k))
    signal = base + year_effect + theta
    value = signal + rng.normal(0, 1, signal.shape) * np.sqrt(n2)
    keep = rng.random((n_units, n_years)) >= missing
    units = [f"SIM{i:02d}" for i in range(1, n_units + 1)]
    years = list(range(first_year, first_year + n_years))
    comps = [f"D{j}" for j in range(1, k + 1)]
    rows = []
    for c, comp in enumerate([*comps, "TOTAL"]):
        v = value.sum(axis=2) if comp == "TOTAL" else value[:, :, c]
        s = signal.sum(axis=2) if comp == "TOTAL" else signal[:, :, c]
        ii, tt = np.nonzero(keep)
        rows.append(
            pd.DataFrame(
                {
                    "index": SIMULATION,
                    "year": np.asarray(years)[tt],
                    "unit": np.asarray(units)[ii],
                    "level": "total" if comp == "TOTAL" else "dimension",
                    "component": comp,
                    "value": v[ii, tt],
                    "signal": s[ii, tt],
                }
            )
        )
    return pd.concat(rows, ignore_index=True)
