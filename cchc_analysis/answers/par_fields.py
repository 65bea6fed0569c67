"""The national PAR Index change by field, from the published fragments: :func:`par_field_change`.

Only the change of three of the eight provincial fields (in % of each field's maximum) and the
national mean of both years are published for 2023→2024 (``national_aggregates.csv``); two of the
three fields have no published maximum. With unchanged maxima (QĐ 876/QĐ-BNV in both years) a
field's contribution is ``max_points / 100 × Δ(% of max)``; it is linear in the unknown maxima
(each ≥ 0, together ≤ the points the known maxima leave), so its bounds sit at the vertices: all
the remaining points on one unknown field, or none. Nothing is filled in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cchc_analysis.ranking import score_change_decomposition

__all__ = ["ParFieldChange", "field_change_bounds", "par_field_change"]


def field_change_bounds(delta: pd.Series, maxima: pd.Series, total_points: float = 100.0):
    """Bounds of each field's contribution ``maxima/total × delta`` when some maxima are unknown.

    ``delta``: change per field (% of the field's maximum); ``maxima``: points per field, NaN where
    unpublished. The unknown maxima share what the known ones leave of ``total_points``. Returns
    ``(bounds, vertices)``: per field ``low``/``high`` and the contribution at each vertex.

    >>> b, _ = field_change_bounds(pd.Series({"a": 2.0, "b": 1.0}), pd.Series({"a": 10.0, "b": np.nan}))
    >>> b[["low", "high"]].round(2).to_dict("list")
    {'low': [0.2, 0.0], 'high': [0.2, 0.9]}
    """
    maxima = maxima.reindex(delta.index).astype(float)
    known = maxima.dropna()
    remaining = total_points - known.sum()
    if remaining < 0:
        raise ValueError(f"the known maxima sum to {known.sum():g} > {total_points:g}")
    unknown = list(maxima.index[maxima.isna()])
    vertices = {"unknown maxima = 0": dict.fromkeys(unknown, 0.0)}
    vertices |= {
        f"all {remaining:g} points on {f}": {g: remaining if g == f else 0.0 for g in unknown}
        for f in unknown
    }
    prev = pd.DataFrame([np.zeros(len(delta))], index=["national"], columns=delta.index)
    curr = pd.DataFrame([delta.to_numpy(dtype=float)], index=["national"], columns=delta.index)
    runs = {}
    for name, fill in vertices.items():
        w = maxima.fillna(pd.Series(fill, dtype=float)) / total_points
        d = score_change_decomposition(prev, curr, weights=w)
        runs[name] = d.set_index("component")["contribution"]
    runs = pd.DataFrame(runs) + 0.0  # + 0.0 turns -0.0 (zero weight × a decline) into 0.0
    bounds = pd.DataFrame(
        {"delta": delta, "max_points": maxima, "low": runs.min(axis=1), "high": runs.max(axis=1)}
    )
    return bounds, runs


@dataclass(frozen=True)
class ParFieldChange:
    """The answer of :func:`par_field_change`: ``inputs`` (the published rows used, with where
    each value came from), ``bounds`` per published field, the national means, and the range left
    for the unpublished fields (``other_low``/``other_high``)."""

    year_prev: int
    year_curr: int
    inputs: pd.DataFrame
    bounds: pd.DataFrame
    vertices: pd.DataFrame
    mean_prev: float
    mean_curr: float
    names: dict

    @property
    def total_change(self) -> float:
        return self.mean_curr - self.mean_prev

    @property
    def other_low(self) -> float:
        return self.total_change - float(self.vertices.sum().max())

    @property
    def other_high(self) -> float:
        return self.total_change - float(self.vertices.sum().min())

    def plot(self, fig=None):
        """Each field's contribution: solid where computed, hatched where only bounded."""
        import textwrap

        import matplotlib.pyplot as plt

        from cchc_analysis.figures import palette
        from cchc_analysis.plotting import add_source

        fig = fig or plt.figure(figsize=(10, 4.6), layout="constrained")
        ax = fig.subplots()
        b = self.bounds
        rows = [*b.index, "other"]
        lo = [*b["low"], self.other_low]
        hi = [*b["high"], self.other_high]
        y = np.arange(len(rows))[::-1]
        for yi, f, a, c in zip(y, rows, lo, hi, strict=True):
            colour = palette.UP if a + c > 0 else palette.DOWN
            if abs(c - a) < 1e-9:
                ax.barh(yi, a, color=colour, height=0.55)
            else:
                ax.barh(yi, c - a, left=a, color="none", edgecolor=colour, hatch="///", height=0.55)
            if f in b.index:
                ax.annotate(
                    f"published: {b.at[f, 'delta']:+.2f} pp of the field's maximum",
                    (max(a, c, 0), yi),
                    xytext=(5, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=8,
                )
        labels = []
        for f in rows:
            if f == "other":
                labels.append(f"{8 - len(b)} other fields\n(changes not published)")
                continue
            mx = b.at[f, "max_points"]
            what = f"max {mx:g} points" if pd.notna(mx) else "max not published"
            labels.append(f"{textwrap.fill(self.names.get(f, f), 38)}\n({what})")
        ax.axvline(0, color="0.2", lw=0.8)
        ax.set_yticks(y, labels, fontsize=8.5)
        ax.set_xlim(min(lo) - 0.1, max(hi) + 0.8)
        ax.set_xlabel(
            f"contribution to the change of the national mean PAR Index, "
            f"{self.year_prev}→{self.year_curr} (points of 100)"
        )
        ax.set_title(
            f"PAR Index {self.year_curr}: national mean {self.total_change:+.2f} points, by field\n"
            "(solid = computed; hatched = range allowed by unpublished maxima)"
        )
        left = 100 - b["max_points"].sum()  # points the known maxima leave to the unknown ones
        add_source(
            fig,
            "Source: Ministry of Home Affairs, PAR Index 2023–2024, as reported in "
            "national_aggregates.csv (vietnam.vn/en, 2025); field maxima under QĐ 876/QĐ-BNV "
            "(Sơn La portal, 2024); cchc_analysis.par_field_change. Hatched bounds are joint, not "
            f"additive: the unpublished maxima share the {left:g} points the known ones leave, so "
            "at most one field reaches its bound (all of them on that field); the other fields' "
            "range is the total minus each such split.",
        )
        return fig


def par_field_change(year_prev: int = 2023, year_curr: int = 2024) -> ParFieldChange:
    """The change of the national mean PAR Index by field, computed or bounded (see module).

    >>> import cchc_analysis as cc
    >>> par = cc.par_field_change()
    >>> round(par.total_change, 2) == round(par.mean_curr - par.mean_prev, 2)
    True
    """
    import cchc_analysis as cc

    agg = cc.load_national_aggregates()
    par = agg[agg["index"] == "PAR"]
    chg = par[
        par["measure"].str.startswith("component_change:") & (par["year"] == year_curr)
    ].copy()
    if chg.empty:
        raise ValueError(f"no published PAR field changes for {year_curr}")
    chg["used_value"] = [
        v if pd.notna(v) else cc.parse_vn_number(p)
        for v, p in zip(chg["value"], chg["value_as_published"], strict=True)
    ]
    chg["value_from"] = np.where(
        chg["value"].notna(), "value", "value_as_published (value cell empty)"
    )
    meth = cc.load_par_methodology()
    m876 = meth[(meth["decision"] == "QĐ 876/QĐ-BNV") & (meth["unit_type"] == "province")]
    m876 = m876.sort_values("field_no").set_index("field")
    chg = chg.join(m876[["max_points"]], on="field")
    mean = par[(par["measure"] == "mean_pct") & (par["scope"] == "provinces")]
    mean = mean.set_index("year")["value"]
    for y in (year_prev, year_curr):
        if y not in mean.index:
            raise ValueError(f"no published national mean PAR Index for {y}")
    delta = chg.set_index("field")["used_value"]
    bounds, runs = field_change_bounds(delta, m876["max_points"].reindex(delta.index))
    return ParFieldChange(
        year_prev=year_prev,
        year_curr=year_curr,
        inputs=chg[
            [
                "year",
                "field",
                "value",
                "value_as_published",
                "used_value",
                "value_from",
                "unit_of_measure",
                "max_points",
                "source_url",
            ]
        ].reset_index(drop=True),
        bounds=bounds,
        vertices=runs,
        mean_prev=float(mean[year_prev]),
        mean_curr=float(mean[year_curr]),
        names=m876["name_en"].to_dict(),
    )
