"""What the public record holds: coverage grids and national means with their sources.

Notebook 01 asks which province-years each index has and how the computed PAPI means compare
with the figures the publishers quote; notebook 04 asks what the published PAR Index and SIPAS
record supports. The tables behind those answers live here, one function each, so that every
figure and printed number is made once and tested:

* :func:`papi_coverage` — the state of every PAPI province-year (total, dimensions missing,
  absent) with the reason a published source gives, or "absent from the compiled sources";
* :func:`coverage_counts` — per year, how many units are in each state of a coverage grid;
* :func:`papi_national_means` — computed national statistics of the PAPI total next to the
  published ones, with the difference and the host that published each;
* :func:`par_sipas_national_means` — the published national means of the PAR Index and SIPAS,
  one row per series and year, with the host of each;
* :func:`par_band_counts` — the published counts of provinces by PAR Index score band, tagged with
  the band scheme they belong to (schemes are not comparable with one another);
* :func:`places_spanned` — bounds on how many places a gain of some points would lift each
  published rank of one year.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pandas as pd

from cchc_analysis import paths
from cchc_analysis.text import parse_vn_number

__all__ = [
    "NO_SOURCE",
    "PAPI_STATES",
    "coverage_counts",
    "host",
    "papi_coverage",
    "papi_national_means",
    "par_band_counts",
    "par_sipas_national_means",
    "places_spanned",
]

PAPI_STATES = ("total available", "dimensions missing", "province absent")
"""States of a PAPI province-year in :func:`papi_coverage`, in order."""

NO_SOURCE = "absent from the compiled sources"
"""Reason given to a gap that no compiled source explains."""


def host(url: object) -> str:
    """The web host of a source URL without ``www.`` (``""`` when there is none).

    >>> host("https://www.vietnamplus.vn/a/b.vnp")
    'vietnamplus.vn'
    """
    if not isinstance(url, str) or not url.strip():
        return ""
    return urlsplit(url.strip()).netloc.lower().removeprefix("www.")


def _published_papi() -> pd.DataFrame:
    return pd.read_csv(paths.FACTS / "papi_published_facts.csv", dtype=str, keep_default_na=False)


def papi_coverage(
    papi: pd.DataFrame | None = None,
    published: pd.DataFrame | None = None,
    provinces: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The state of every province-year of PAPI (63 provinces × survey years), with its reason.

    A province-year has a ``"total available"`` (ranked), ``"dimensions missing"`` (scores for
    some dimensions, no total, no rank) or is ``"province absent"`` from the release. ``missing``
    lists the missing dimension codes; ``label`` is ``"−2,4"`` for missing dimensions 2 and 4,
    ``"×"`` for an absent province. ``reason`` is the one a published source gives
    (``papi_not_ranked_*`` rows of ``papi_published_facts.csv``, with its host) and
    :data:`NO_SOURCE` otherwise, for missing dimensions as for an absent province — never a guess
    (that a province-year with missing dimensions has no total and no rank is its state, not a
    reason).

    >>> cov = papi_coverage()
    >>> cov.groupby("state").size().to_dict()
    {'dimensions missing': 4, 'province absent': 9, 'total available': 869}
    """
    from cchc_analysis.provinces import province_code
    from cchc_analysis.provinces import provinces as registry
    from cchc_analysis.sources.papi import components, load_papi

    papi = load_papi() if papi is None else papi
    published = _published_papi() if published is None else published
    provinces = registry() if provinces is None else provinces
    for column in ("year", "province_code", "level", "component"):
        if column not in papi.columns:
            raise ValueError(f"papi_coverage: the PAPI table lacks column {column!r}")
    comp = components()
    expected = comp[comp["level"] == "dimension"].groupby("year")["component"].agg(set)
    dims = papi[papi["level"] == "dimension"].groupby(["year", "province_code"])["component"]
    present = dims.agg(set)
    totals = set(
        zip(
            papi.loc[papi["level"] == "total", "year"],
            papi.loc[papi["level"] == "total", "province_code"],
            strict=True,
        )
    )
    not_ranked = published[published["measure"].str.startswith("papi_not_ranked_")]
    reasons = {
        (int(r.year), province_code(r.province)): r.measure.removeprefix(
            "papi_not_ranked_"
        ).replace("_", " ")
        + f" ({host(r.source_url)})"
        for r in not_ranked.itertuples()
    }
    names = provinces.set_index("code")["name_vi"]
    rows = []
    for year in sorted(papi["year"].unique()):
        for code in provinces["code"]:
            key = (year, code)
            if key in totals:
                state, missing = PAPI_STATES[0], []
            elif key in present.index:
                state = PAPI_STATES[1]
                missing = sorted(expected[year] - present[key], key=lambda d: int(d[1:]))
            else:
                state = PAPI_STATES[2]
                missing = sorted(expected[year], key=lambda d: int(d[1:]))
            if state == PAPI_STATES[0]:
                label, reason = "", ""
            else:
                label = (
                    "−" + ",".join(d.removeprefix("D") for d in missing)
                    if state == PAPI_STATES[1]
                    else "×"
                )
                reason = reasons.get(key, NO_SOURCE)
            rows.append((int(year), code, names[code], state, missing, label, reason))
    return pd.DataFrame(
        rows, columns=["year", "province_code", "province", "state", "missing", "label", "reason"]
    )


def coverage_counts(coverage: pd.DataFrame, states: tuple[str, ...] | list[str]) -> pd.DataFrame:
    """Units per year in each state of a coverage grid, with the share of the grid in the first.

    ``coverage`` has ``year`` and ``state`` (as :func:`papi_coverage` or
    :func:`cchc_analysis.published_coverage` give them); a state not in ``states`` is an error.

    >>> cov = pd.DataFrame({"year": [2020, 2020, 2021], "state": ["a", "b", "a"]})
    >>> coverage_counts(cov, ["a", "b"]).to_dict("list")
    {'a': [1, 1], 'b': [1, 0], 'share a (%)': [50.0, 100.0]}
    """
    unknown = set(coverage["state"]) - set(states)
    if unknown:
        raise ValueError(f"coverage_counts: states {sorted(unknown)} not in {list(states)}")
    counts = (
        coverage.groupby(["year", "state"])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=list(states), fill_value=0)
        .astype(int)
    )
    counts.columns.name = None
    counts[f"share {states[0]} (%)"] = (
        100 * counts[states[0]] / counts[list(states)].sum(axis=1)
    ).round(1)
    return counts


_PAPI_STAT = {
    "papi_total_mean": "mean",
    "papi_total_average_as_reported": "mean",
    "papi_total_median": "median",
    "papi_total_max": "max",
    "papi_total_min": "min",
}


def papi_national_means(
    papi: pd.DataFrame | None = None, published: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The PAPI total's national mean, median, maximum and minimum: computed and as published.

    One row per (year, statistic) over the provinces with a total (the ranked set):
    ``n_provinces``, ``computed``; and where a source quotes the figure, ``published``,
    ``difference`` (computed − published), ``measure`` (as the facts name it: a "mean" or an
    "average as reported") and ``source`` (the host). Differences are shown, not explained.

    >>> t = papi_national_means()
    >>> row = t[(t["year"] == 2021) & (t["statistic"] == "mean")].iloc[0]
    >>> print(f'{row["computed"]:.2f} {row["published"]:.2f} {row["source"]}')
    42.41 42.41 susta.vn
    """
    from cchc_analysis.sources.papi import load_papi

    papi = load_papi() if papi is None else papi
    published = _published_papi() if published is None else published
    totals = papi[papi["level"] == "total"].groupby("year")["value"]
    computed = pd.DataFrame(
        {
            "n_provinces": totals.size(),
            "mean": totals.mean(),
            "median": totals.median(),
            "max": totals.max(),
            "min": totals.min(),
        }
    )
    long = computed.melt(
        id_vars="n_provinces", ignore_index=False, var_name="statistic", value_name="computed"
    ).reset_index()
    pub = published[
        (published["province"] == "(national)") & published["measure"].isin(list(_PAPI_STAT))
    ].copy()
    pub = pd.DataFrame(
        {
            "year": pub["year"].astype(int),
            "statistic": pub["measure"].map(_PAPI_STAT),
            "published": pub["value"].astype(float),
            "measure": pub["measure"],
            "source": pub["source_url"].map(host),
        }
    )
    if pub.duplicated(["year", "statistic"]).any():
        raise ValueError("papi_national_means: two published figures for one year and statistic")
    out = long.merge(pub, on=["year", "statistic"], how="left", validate="one_to_one")
    out["difference"] = out["computed"] - out["published"]
    order = {s: i for i, s in enumerate(["mean", "median", "max", "min"])}
    out = out.sort_values(
        ["year", "statistic"], key=lambda s: s.map(order) if s.name == "statistic" else s
    ).reset_index(drop=True)
    return out[
        [
            "year",
            "statistic",
            "n_provinces",
            "computed",
            "published",
            "difference",
            "measure",
            "source",
        ]
    ]


_SERIES = {
    ("PAR", "provinces"): "PAR Index, provinces",
    ("PAR", "ministries"): "PAR Index, ministries",
    ("SIPAS", "citizens"): "SIPAS, national",
}


def par_sipas_national_means(agg: pd.DataFrame | None = None) -> pd.DataFrame:
    """The published national means of the PAR Index (provinces, ministries) and SIPAS by year.

    One row per series and year: ``value`` (PAR Index: % of maximum points; SIPAS: % of
    respondents satisfied, or the index % from 2022 as the facts name it), ``value_as_published``,
    ``approximate`` (a year published only as "about …", read from the text), ``measure`` and
    ``source`` (host). Conflicting reports stay as the facts keep them (``conflict``).

    >>> m = par_sipas_national_means()
    >>> sorted(m["series"].unique())
    ['PAR Index, ministries', 'PAR Index, provinces', 'SIPAS, national']
    """
    from cchc_analysis.sources.facts import load_national_aggregates

    agg = load_national_aggregates() if agg is None else agg
    keep = (
        agg["index"].eq("PAR")
        & agg["scope"].isin(["provinces", "ministries"])
        & agg["measure"].isin(["mean_pct", "mean_pct_approx"])
    ) | (
        agg["index"].eq("SIPAS")
        & agg["scope"].eq("citizens")
        & agg["measure"].isin(["national_satisfaction_pct", "national_mean_pct"])
    )
    m = agg[keep].copy()
    m["series"] = [_SERIES[(i, s)] for i, s in zip(m["index"], m["scope"], strict=True)]
    m["approximate"] = m["measure"].eq("mean_pct_approx")
    for i in m.index[m["approximate"] & m["value"].isna()]:
        text = str(m.at[i, "value_as_published"])
        number = re.search(r"[0-9][0-9.,]*", text)
        if number is None:
            raise ValueError(f"par_sipas_national_means: no number in {text!r} ({m.at[i, 'year']})")
        m.at[i, "value"] = parse_vn_number(number.group(0), decimal=".")
    m["source"] = m["source_url"].map(host)
    m = m.sort_values(["series", "year"]).reset_index(drop=True)
    return m[
        [
            "series",
            "index",
            "scope",
            "year",
            "value",
            "value_as_published",
            "approximate",
            "measure",
            "conflict",
            "source",
        ]
    ]


# Band schemes of the published counts: each measure belongs to one scheme with its bands.
_BANDS = {  # measure -> (scheme, band label, lower bound)
    "count_provinces_above_80pct": ("four bands (2012)", "> 80%", 80.0),
    "count_provinces_70_to_80pct": ("four bands (2012)", "70–80%", 70.0),
    "count_provinces_moderate_67.68_to_70pct": ("four bands (2012)", "67.68–70%", 67.68),
    "count_provinces_poor_62.58_to_67.68pct": ("four bands (2012)", "62.58–67.68%", 62.58),
    "count_group_A_ge90": ("groups A/B/C", "A: ≥ 90%", 90.0),
    "count_above_90pct": ("groups A/B/C", "A: ≥ 90%", 90.0),
    "count_gt80pct": ("above 80% only", "> 80%", 80.0),
    "count_ge80pct": ("above 80% only", "≥ 80%", 80.0),
}
_GROUPS = {"A": ("A: ≥ 90%", 90.0), "B": ("B: 80–<90%", 80.0), "C": ("C: < 80%", 0.0)}


def par_band_counts(agg: pd.DataFrame | None = None) -> pd.DataFrame:
    """Published counts of PAR Index units by score band, one row per (scope, year, band).

    Counts come from value cells or, where a release states them only in words, from the text of
    the fact row (``read_from`` names the column, ``text`` the sentence). ``scheme`` names the band
    scheme of the release: counts of different schemes cut the scale differently and must not be
    drawn on one axis. The same band stated twice must agree, else an error names the rows.

    >>> b = par_band_counts()
    >>> sorted(b["scheme"].unique())
    ['above 80% and 70–80% only', 'above 80% only', 'four bands (2012)', 'groups A/B/C']
    """
    from cchc_analysis.sources.facts import load_national_aggregates

    agg = load_national_aggregates() if agg is None else agg
    rows = []
    for r in agg.itertuples():
        if r.measure in _BANDS and pd.notna(r.value):
            scheme, band, lower = _BANDS[r.measure]
            rows.append(
                (r.year, r.scope, scheme, band, lower, float(r.value), "value", None, r.source_url)
            )
        texts = (("value_as_published", r.value_as_published), ("note", r.note))
        for column, text in texts:
            if not isinstance(text, str):
                continue
            found = []
            if r.measure == "group_counts" and column == "value_as_published":
                found += [
                    (_GROUPS[g], n) for g, n in re.findall(r"\b([ABC])\b[^:;]*:\s*([0-9]+)", text)
                ]
            if column == "note":
                found += [
                    (_GROUPS["B"], n) for n in re.findall(r"group B \(80-<90\) = ([0-9]+)", text)
                ]
                found += [
                    (("> 80%", 80.0), n)
                    for n in re.findall(r"^([0-9]+) localities >80 points", text)
                ]
                found += [
                    (("70–80%", 70.0), n) for n in re.findall(r"^([0-9]+) between 70-80", text)
                ]
            for (band, lower), n in found:
                scheme = (
                    "groups A/B/C"
                    if band[0] in "ABC"
                    else ("four bands (2012)" if r.year == 2012 else "above 80% only")
                )
                rows.append(
                    (r.year, r.scope, scheme, band, lower, float(n), column, text, r.source_url)
                )
    out = pd.DataFrame(
        rows,
        columns=[
            "year",
            "scope",
            "scheme",
            "band",
            "lower",
            "value",
            "read_from",
            "text",
            "source_url",
        ],
    )
    clash = out.groupby(["year", "scope", "band"])["value"].nunique()
    if (clash > 1).any():
        raise ValueError(
            f"par_band_counts: the same band published with different counts: "
            f"{clash[clash > 1].index.tolist()}"
        )
    # A count in a value cell wins over the same count read from text.
    out = out.sort_values("read_from", key=lambda s: s.ne("value")).drop_duplicates(
        ["year", "scope", "band"]
    )
    # A release of the 80% scheme that also counts another band (ministries 2016: 70–80%) is
    # not "above 80% only": its scheme names the bands it counts.
    partial = out["scheme"].eq("above 80% only")
    others = (
        out[partial & out["lower"].ne(80.0)]
        .sort_values("lower", ascending=False)
        .groupby(["year", "scope"])["band"]
        .agg(" and ".join)
    )
    for (year, scope), bands in others.items():
        release = partial & out["year"].eq(year) & out["scope"].eq(scope)
        out.loc[release, "scheme"] = f"above 80% and {bands} only"
    out["source"] = out.pop("source_url").map(host)
    return out.sort_values(["scope", "year", "lower"], ascending=[False, True, False]).reset_index(
        drop=True
    )


def places_spanned(values: pd.Series, points: float) -> pd.DataFrame:
    """How many places a gain of ``points`` would lift each published rank, as bounds.

    ``values``: published values indexed by published rank for ONE year (ranks not published are
    simply absent; rank 1 = best). A unit at rank ``r`` with value ``v`` that gained ``points``
    would pass every unit scoring in ``(v, v + points)``. Every rank between ``r`` and the best
    published rank scoring below ``v + points`` is passed (ranks order values), so that is a lower
    bound; every rank at or above the worst published rank scoring at least ``v + points`` is
    not, which gives the upper bound. Ties and the other units' own changes are ignored: bounds
    for one unit's move against a field held still.

    >>> v = pd.Series([96.17, 92.57, 90.69, 90.49], index=[1, 3, 8, 10])
    >>> places_spanned(v, 3.36)[["min_places", "max_places"]].to_dict("list")
    {'min_places': [0, 0, 5, 7], 'max_places': [0, 1, 6, 8]}
    """
    v = values.dropna().sort_index()
    rows = []
    for rank, value in v.items():
        above = v[v.index < rank]
        target = value + points
        passed = above[above < target]
        kept = above[above >= target]
        lo = int(rank - passed.index.min()) if len(passed) else 0
        hi = int(rank - kept.index.max() - 1) if len(kept) else int(rank - 1)
        rows.append((int(rank), float(value), lo, hi))
    return pd.DataFrame(rows, columns=["rank", "value", "min_places", "max_places"])
