"""Rank-attribution toolkit: exact Shapley attribution, weight-uncertainty draws, scaling in K and n.

The main cases use SIMULATED scores (a seeded simulation labelled as such: 63 units, K components
scored about 5 ± 1, year-to-year changes of ± 0.3 per component), so the benchmark runs without
data. When the PAPI panel can be loaded, the real 2018→2024 dimension transitions are timed too.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from cchc_analysis.ranking import rank_uncertainty, shapley_rank_attribution


def simulated_years(n_units: int, k: int, n_years: int, seed: int = 0) -> list[pd.DataFrame]:
    """A simulation (not data): wide scores for consecutive years, each a noisy copy of the last."""
    rng = np.random.default_rng(seed)
    units = [f"{i:04d}" for i in range(1, n_units + 1)]
    comps = [f"D{j}" for j in range(1, k + 1)]
    year = pd.DataFrame(rng.normal(5.0, 1.0, (n_units, k)), index=units, columns=comps)
    years = [year]
    for _ in range(n_years - 1):
        years.append(years[-1] + rng.normal(0.0, 0.3, (n_units, k)))
    return years


def reference_shapley(prev: pd.DataFrame, curr: pd.DataFrame) -> pd.DataFrame:
    """The straightforward method: re-rank with pandas for every coalition, then the Shapley sum."""
    comps = list(prev.columns)
    k = len(comps)
    ranks = {}
    for size in range(k + 1):
        for coalition in itertools.combinations(comps, size):
            mixed = prev.copy()
            for comp in coalition:
                mixed[comp] = curr[comp]
            ranks[frozenset(coalition)] = mixed.sum(axis=1).rank(method="min", ascending=False)
    phi = pd.DataFrame(0.0, index=prev.index, columns=comps)
    for comp in comps:
        for coalition, before in ranks.items():
            if comp in coalition:
                continue
            weight = math.factorial(len(coalition)) * math.factorial(k - len(coalition) - 1)
            phi[comp] += weight / math.factorial(k) * (ranks[coalition | {comp}] - before)
    return phi


def reference_uncertainty(wide: pd.DataFrame, draws: np.ndarray) -> pd.DataFrame:
    """The straightforward method: one pandas ranking per weight draw."""
    ranks = np.column_stack(
        [(wide * w).sum(axis=1).rank(method="min", ascending=False).to_numpy() for w in draws]
    )
    return pd.DataFrame(
        np.quantile(ranks, [0.05, 0.5, 0.95], axis=1, method="inverted_cdf").T, index=wide.index
    )


def run(suite) -> None:
    years = simulated_years(63, 8, 7)
    pairs = list(itertools.pairwise(years))
    suite.note("simulated scores (seeded simulation, not data): 63 units, K = 8, 6 transitions")

    got = [shapley_rank_attribution(p, c).table[list(p.columns)] for p, c in pairs[:2]]
    want = [reference_shapley(p, c) for p, c in pairs[:2]]
    diff = max(float((g - w).abs().to_numpy().max()) for g, w in zip(got, want, strict=True))
    suite.note(f"exact vs reference, max |difference| over 2 transitions: {diff:.1e}")
    suite.compare(
        "shapley exact field game, 6 transitions, 63 x K=8 (sim)",
        lambda: [shapley_rank_attribution(p, c) for p, c in pairs],
        baseline=lambda: [reference_shapley(p, c) for p, c in pairs],
        baseline_name="pandas coalition loop",
        baseline_repeat=1,
    )
    suite.compare(
        "shapley exact own game (+field player), 6 transitions (sim)",
        lambda: [shapley_rank_attribution(p, c, game="own") for p, c in pairs],
    )

    wide = years[-1]
    nominal = np.ones(8)
    draws = np.random.default_rng(0).dirichlet(100.0 * nominal / 8, size=10_000) * 8
    suite.compare(
        "rank_uncertainty 10,000 draws, 63 units, K=8 (sim)",
        lambda: rank_uncertainty(wide, n_draws=10_000, seed=0),
        baseline=lambda: reference_uncertainty(wide, draws),
        baseline_name="pandas loop over draws",
        baseline_repeat=1,
    )
    suite.compare(
        "rank_uncertainty 10,000 draws with prev (sign stability)",
        lambda: rank_uncertainty(wide, n_draws=10_000, seed=0, prev=years[-2]),
    )

    sub = simulated_years(63, 29, 2, seed=1)
    suite.compare(
        "shapley sampled, 63 x K=29, 1000 permutations (sim)",
        lambda: shapley_rank_attribution(*sub, method="sample", n_permutations=1000),
        repeat=3,
    )

    for k in (4, 6, 8, 10, 12, 14):
        prev, curr = simulated_years(63, k, 2, seed=k)
        suite.compare(
            f"scaling in K: exact field game, 63 units, K={k} (sim)",
            lambda prev=prev, curr=curr: shapley_rank_attribution(prev, curr, method="exact"),
            repeat=3,
        )
    for n in (30, 63, 100, 300, 1000):
        prev, curr = simulated_years(n, 8, 2, seed=n)
        suite.compare(
            f"scaling in n: exact field game, K=8, {n} units (sim)",
            lambda prev=prev, curr=curr: shapley_rank_attribution(prev, curr),
            repeat=3,
        )
        suite.compare(
            f"scaling in n: exact own game, K=8, {n} units (sim)",
            lambda prev=prev, curr=curr: shapley_rank_attribution(prev, curr, game="own"),
            repeat=3,
        )
    _papi(suite)


def _papi(suite) -> None:
    """The real PAPI 2018→2024 dimension transitions, when the panel can be loaded."""
    try:
        from cchc_analysis.sources.papi import load_papi, papi_wide

        frame = load_papi()
        years = [papi_wide(y, "dimension", frame=frame) for y in range(2018, 2025)]
    except Exception as exc:  # no data here: the simulated cases above still stand
        suite.note(f"PAPI panel not available ({type(exc).__name__}: {exc}); real cases skipped")
        return
    pairs = list(itertools.pairwise(years))
    suite.compare(
        "PAPI 2018-2024, 6 dimension transitions, exact field game",
        lambda: [shapley_rank_attribution(p, c) for p, c in pairs],
        baseline=lambda: [_reference_on_common(p, c) for p, c in pairs],
        baseline_name="pandas coalition loop",
        baseline_repeat=1,
    )
    suite.compare(
        "PAPI 2024, rank_uncertainty 10,000 draws with prev",
        lambda: rank_uncertainty(years[-1], n_draws=10_000, seed=0, prev=years[-2]),
    )


def _reference_on_common(prev: pd.DataFrame, curr: pd.DataFrame) -> pd.DataFrame:
    """The reference on the provinces ranked in both years (it has no entry/exit handling)."""
    both = prev.dropna().index.intersection(curr.dropna().index)
    return reference_shapley(prev.loc[both], curr.loc[both])
