"""The bridge between the eras: a 63-province survey index re-expressed on the 34 provinces and
set beside a 2025– index, joined only through the era-safe keys.

:func:`era_bridge` answers issue 11's illustration: does PAPI's view of administrative procedures
(D5, citizens surveyed in 2024, 63 provinces) line up with the QĐ 766 portal's satisfaction score
(MDHL, 2026 year to date, 34 provinces)? PAPI is carried onto the 34 provinces with
:func:`cchc_analysis.to_2025` twice — unweighted, and weighted by GSO population of the latest year
available (:func:`cchc_analysis.load_population`: 2022) — and the join goes through
:func:`cchc_analysis.merge_provinces`, which refuses tables keyed by different eras.

What it cannot show: n = 34 merged units, each an average of one to three former provinces (fewer
where a former province has no score that year) scored two years earlier by a different instrument;
one cross-section, no panel; the former provinces' mean is not the score the merged province would
have had; and MDHL is administrative data the scored units
help produce (Goodhart). A rank correlation here is a description, not evidence of a link.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from cchc_analysis.errors import CchcDataError

__all__ = ["EraBridge", "era_bridge", "spearman_interval"]

WEIGHTINGS = ("unweighted", "population")


def spearman_interval(x, y, level: float = 0.95) -> dict[str, float]:
    """Spearman's ρ with an approximate interval (Fisher z, Bonett–Wright variance (1 + ρ²/2)/(n − 3)).

    Why: with n = 34 the interval, not ρ, is the finding.

    >>> r = spearman_interval([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5])
    >>> round(r["rho"], 3), r["n"]
    (0.829, 6)
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    n = len(x)
    if n < 4:
        raise ValueError(f"a rank correlation with an interval needs at least 4 pairs, got {n}")
    res = stats.spearmanr(x, y)
    rho, p = float(res.statistic), float(res.pvalue)
    z = stats.norm.ppf(0.5 + level / 2)
    half = z * math.sqrt((1 + rho**2 / 2) / (n - 3))
    centre = np.arctanh(np.clip(rho, -0.999999, 0.999999))
    return {
        "rho": rho,
        "low": float(np.tanh(centre - half)),
        "high": float(np.tanh(centre + half)),
        "p_value": p,
        "n": n,
    }


@dataclass(frozen=True)
class EraBridge:
    """The result of :func:`era_bridge`: ``table`` (one row per new province), ``correlations``
    (one row per weighting), the names of what was compared, and ``cannot_show``."""

    table: pd.DataFrame
    correlations: pd.DataFrame
    survey: str
    admin: str
    population: str
    snapshot: str
    cannot_show: tuple[str, ...]
    survey_max: float | None = None
    admin_max: float | None = None

    def missing_note(self) -> str:
        """The merged provinces averaged without a former province that has no survey score, e.g.
        ``"Phú Thọ without Vĩnh Phúc"``; empty when every former province has one."""
        rows = self.table[self.table["missing"].astype(bool)]
        return "; ".join(f"{r.province_2025} without {r.missing}" for r in rows.itertuples())

    def plot(self, fig=None):
        """Two scatters (unweighted, population-weighted PAPI) against the portal score, n on each."""
        import matplotlib.pyplot as plt

        from cchc_analysis.figures import palette
        from cchc_analysis.plotting import add_source

        fig = fig or plt.figure(figsize=(10, 4.6), layout="constrained")
        axes = fig.subplots(1, 2, sharey=True)
        colours = {"unweighted": palette.INDEX_COLORS["PAPI"], "population": palette.NEUTRAL}
        for ax, how in zip(axes, WEIGHTINGS, strict=True):
            col = f"survey_{how}"
            data = self.table.dropna(subset=[col, "admin"])
            c = self.correlations.set_index("weighting").loc[how]
            ax.scatter(data[col], data["admin"], s=22, color=colours[how], alpha=0.8)
            title = "unweighted mean" if how == "unweighted" else f"weighted by {self.population}"
            ax.set_title(
                f"{title}\nn = {int(c['n'])}, Spearman ρ = {c['rho']:.2f} "
                f"[{c['low']:.2f}, {c['high']:.2f}]",
                fontsize=9.5,
            )
        fig.supxlabel(
            f"{self.survey} ({_points(self.survey_max)}), mean of the former provinces", fontsize=10
        )
        axes[0].set_ylabel(f"{self.admin} ({_points(self.admin_max)})")
        fig.suptitle(
            "Bridge between the eras (illustration, n = 34, not a panel): citizens' survey vs the "
            "portal",
            fontweight="bold",
        )
        missing = self.missing_note()
        add_source(
            fig,
            f"Sources: PAPI (CECODES, VFF-CRT, RTA & UNDP; provincial values via the third-party "
            f"repository hnks-gh/ml-mcdm); National Public Service Portal, QĐ 766 "
            f"index, snapshot {self.snapshot}, 2026 year to date; {self.population}. "
            + (f"No survey score for a former province: {missing}. " if missing else "")
            + "PAPI carried onto the 34 provinces of 2025 and joined on era-marked keys; interval: "
            "Fisher z.",
        )
        return fig


def _points(maximum: float | None) -> str:
    return "points" if maximum is None else f"points, max {maximum:g}"


def era_bridge(
    papi_year: int = 2024,
    papi_component: str = "D5",
    qd766_component: str = "MDHL",
    snapshot: str | None = None,
    population_year: int | None = None,
) -> EraBridge:
    """PAPI ``papi_component`` of ``papi_year`` on the 34 provinces (unweighted and weighted by GSO
    population) beside QĐ 766 ``qd766_component`` at ``snapshot`` (default: the latest), joined
    through the era-safe key ``province_code_2025``; Spearman ρ with intervals for both weightings.

    ``population_year``: default the latest year of :func:`cchc_analysis.load_population` (2022),
    named in the table (``population``) and in the figure.

    >>> import cchc_analysis as cc
    >>> b = cc.era_bridge()
    >>> len(b.table), list(b.correlations["weighting"])
    (34, ['unweighted', 'population'])
    >>> b.population
    'GSO average population 2022 (thousand persons)'
    """
    from cchc_analysis.indices import get_index
    from cchc_analysis.methodology import methodology_of
    from cchc_analysis.provinces import merge_provinces, to_2025
    from cchc_analysis.sources.papi import papi_wide
    from cchc_analysis.sources.pci import load_population
    from cchc_analysis.sources.qd766 import Qd766Warning, qd766_components, qd766_wide

    survey = papi_wide(papi_year)
    if papi_component not in survey.columns:
        raise CchcDataError(
            f"PAPI {papi_year} has no dimension {papi_component!r}; it has {list(survey.columns)}"
        )
    meta = methodology_of(survey)  # the component's name and maximum, for the axis label
    sig = None if meta is None else meta.component(papi_component)
    survey_max = None if sig is None or math.isnan(sig.maximum) else float(sig.maximum)
    values = survey[[papi_component]].rename(columns={papi_component: "survey"})
    values = values.dropna().reset_index()  # province_code: the 63-province era
    pop = load_population()
    year = int(pop["year"].max()) if population_year is None else int(population_year)
    if year not in set(pop["year"]):
        raise CchcDataError(
            f"no GSO population for {year}; years there are {sorted(set(pop['year']))}"
        )
    name = f"GSO average population {year} (thousand persons)"
    weights = pop[pop["year"] == year].set_index("province_code")["population"]
    plain = to_2025(values, "survey", how="mean")
    weighted = to_2025(values, "survey", how="weighted", weights=weights, weights_name=name)
    table = plain[
        ["province_code_2025", "province_2025", "n_former", "n_present", "missing", "survey"]
    ].rename(columns={"survey": "survey_unweighted"})
    table["survey_population"] = weighted["survey"].to_numpy()
    if not table["province_code_2025"].equals(weighted["province_code_2025"]):
        raise CchcDataError("to_2025 returned the 34 provinces in different orders")  # never
    spec = get_index("qd766")
    when = spec.years[-1] if snapshot is None else spec.check_year(snapshot)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Qd766Warning)
        admin = qd766_wide("province", when)
    if qd766_component not in admin.columns:
        raise CchcDataError(
            f"QĐ 766 has no group {qd766_component!r}; it has {list(admin.columns)}"
        )
    admin = admin[[qd766_component]].rename(columns={qd766_component: "admin"}).reset_index()
    admin.attrs = {}
    # the join goes through the era check: a 63-province table here raises EraMismatchError
    joined = merge_provinces(table, admin, how="left", validate="one_to_one")
    joined["population"] = name
    joined["snapshot"] = when
    rows = []
    for how in WEIGHTINGS:
        r = spearman_interval(joined[f"survey_{how}"], joined["admin"])
        rows.append({"weighting": how, **r})
    survey_label = f"PAPI {papi_year} {papi_component}"
    formers = joined["n_present"]
    groups = qd766_components().set_index("component")
    admin_max = float(groups.loc[qd766_component, "max_value"])
    return EraBridge(
        table=joined,
        correlations=pd.DataFrame(rows),
        survey=f"{survey_label} {sig.label}".strip() if sig is not None else survey_label,
        admin=f"QĐ 766 {qd766_component} {groups.loc[qd766_component, 'name_en']}",
        population=name,
        snapshot=when,
        cannot_show=(
            "n = 34 merged provinces, one cross-section: no panel, no change over time",
            f"{survey_label} is a mean of {int(formers.min())}–{int(formers.max())} former "
            f"provinces surveyed in {papi_year}, not a survey of the merged province",
            f"different instruments and years ({papi_year} survey vs 2026 year-to-date records)",
            "administrative scores can be managed by the units they score (Goodhart)",
            "association only: nothing causal, and the interval is wide",
        ),
        survey_max=survey_max,
        admin_max=admin_max,
    )
