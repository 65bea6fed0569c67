"""One page per province: the 63 former provinces (2008 – June 2025) and the 34 from 1 July 2025.

A former province's page carries its PAPI profile (:func:`cchc_analysis.province_profile`: score
and rank over time with the methodology breaks, what moved it in the latest change, how sure,
points to climb) and the PAR Index and SIPAS figures published for it; a 2025 province's page its
QĐ 766 components, PAPI 2024 re-expressed on it (:func:`cchc_analysis.to_2025`) and the former
provinces it joined. Each page links to its counterpart in the other era.

URLs use the registry's ASCII names (``provinces/dong-thap.html``,
``provinces-2025/dong-thap.html``); titles keep the Vietnamese names. The ASCII name is also in
each page's text, so the site's search finds "Dong Thap" as well as "Đồng Tháp".
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cchc_analysis.site._markdown import slugify, table, write_atomic

FORMER_DIR = "provinces"
NEW_DIR = "provinces-2025"
PROFILE_DRAWS = 2000
"""Random re-weightings per profile: enough for a 5–95% rank band, quick for 63 pages."""


@dataclass(frozen=True)
class Former:
    code: str
    name: str
    ascii: str
    region: str
    slug: str
    successor: str
    successor_slug: str


@dataclass(frozen=True)
class New:
    key: str
    code: str
    name: str
    ascii: str
    slug: str
    former_codes: tuple[str, ...]


def registry() -> tuple[list[Former], list[New]]:
    """The two eras' provinces with their page slugs (unique within each era, checked)."""
    import cchc_analysis as cc

    old = cc.provinces("2008-2025")
    cross = cc.crosswalk_2025().set_index("code")
    former = [
        Former(
            r.code,
            r.name_vi,
            r.name_ascii,
            r.region,
            slugify(r.name_ascii),
            cross.at[r.code, "successor"],
            cross.at[r.code, "successor_slug"],
        )
        for r in old.itertuples()
    ]
    new_t = cc.provinces("2025-")
    new = [
        New(
            r.province_code_2025,
            cc.official_code_2025(r.province_code_2025),
            r.name_vi,
            r.name_ascii,
            r.slug,
            tuple(str(r.former_codes).split(";")),
        )
        for r in new_t.itertuples()
    ]
    for era, units in (("former", former), ("2025", new)):
        slugs = [u.slug for u in units]
        if len(set(slugs)) != len(slugs):
            raise ValueError(f"{era} provinces: page slugs are not unique: {sorted(slugs)}")
    return former, new


def _search_line(name: str, ascii_name: str) -> str:
    # Sphinx's search index keeps diacritics ("đồng"), so the ASCII spelling is written out too.
    return f"Also written without diacritics: **{ascii_name}**."


def _index_entries(name: str, ascii_name: str, suffix: str = "") -> str:
    # Index entries rank first in the theme's search when the query is most of the entry; the
    # search lower-cases the query but not the entries, so they are written in lower case.
    entries = dict.fromkeys(f"{n.lower()}{suffix}" for n in (ascii_name, name))
    # "!" marks them main entries, which the search ranks with the title matches
    return "```{index} !" + ", ".join(entries) + "\n```\n\n"


def _meta(name: str, ascii_name: str, era: str) -> str:
    return (
        "---\n"
        "myst:\n"
        "  html_meta:\n"
        f'    "description": "{name} ({ascii_name}): {era} — administrative-reform scores"\n'
        f'    "keywords": "{name}, {ascii_name}, {era}"\n'
        "---\n\n"
    )


# --- the 63 former provinces --------------------------------------------------------------------


def _history_figure(profile, path: Path) -> None:
    """Score and rank by year, one line per methodology era (no line across a break)."""
    import matplotlib.pyplot as plt

    from cchc_analysis.figures import palette
    from cchc_analysis.indices import get_index
    from cchc_analysis.plotting import add_source, save_figure

    h = profile.history
    spec = get_index(profile.index)
    # a fixed layout: constrained layout would cost several extra draws for each of 63 figures
    fig, (ax_s, ax_r) = plt.subplots(1, 2, figsize=(8.4, 2.9), layout="none")
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.17, top=0.82, wspace=0.25)
    colour = palette.INDEX_COLORS.get(profile.index, palette.NEUTRAL)
    for first, last, _era in spec.eras:
        part = h.loc[(h.index >= first) & (h.index <= last)]
        ax_s.plot(part.index, part["score"], marker="o", ms=3.5, color=colour)
        ax_r.plot(part.index, part["rank"], marker="o", ms=3.5, color=colour)
    for first, _last, _era in spec.eras[1:]:
        for ax in (ax_s, ax_r):
            ax.axvline(first - 0.5, color=palette.METHODOLOGY, lw=0.8, ls="--")
    for r in profile.changes.itertuples():
        for ax in (ax_s, ax_r):
            ax.axvspan(r.year_prev + 0.1, r.year_curr - 0.1, color="0.9", zorder=0)
    ax_s.set_title("score", fontsize=10)
    ax_s.set_ylabel(f"{profile.index} total (points)")
    ax_r.set_title("rank (1 = best)", fontsize=10)
    ax_r.set_ylabel("rank")
    ax_r.set_ylim(int(h["n_ranked"].max()) + 1, 0)
    for ax in (ax_s, ax_r):
        ax.set_xlabel("year")
        ax.tick_params(labelsize=8)
    fig.suptitle(f"{profile.name}: {profile.index} over time", fontsize=11)
    add_source(
        fig,
        f"{spec.source}. Dashed: methodology era break; shaded: a component re-composed.",
    )
    # small files for 63 pages: the house style, at a screen resolution
    with plt.rc_context({"savefig.dpi": 110}):
        save_figure(fig, path.stem, formats=("png",), directory=path.parent)
    plt.close(fig)


def _papi_section(code: str, p: Former, figures: Path) -> str:
    import cchc_analysis as cc

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        profile = cc.province_profile(code, n_draws=PROFILE_DRAWS)
    if profile.latest_year is None:
        return "## PAPI\n\nNot ranked in any PAPI release held by the package.\n"
    fig_path = figures / f"{p.slug}-papi.png"
    _history_figure(profile, fig_path)
    hist = profile.history.reset_index()
    hist = hist[hist["score"].notna()]
    hist = hist.rename(columns={"n_ranked": "of"})
    changes = "; ".join(
        f"{r.year_prev}→{r.year_curr}: {', '.join(r.components)}"
        for r in profile.changes.itertuples()
    )
    lines = [
        "## PAPI",
        "",
        f"**{profile.header()}.**",
        "",
        f"![{p.name}: PAPI score and rank over time]({Path('..') / figures.name / fig_path.name})",
        "",
        "### Scores and ranks over time",
        "",
        table(hist[["year", "era", "score", "rank", "of"]], {"year": 0, "rank": 0, "of": 0}),
    ]
    if changes:
        lines += [
            "",
            f"Components re-composed between years (methodology, not performance): {changes}.",
        ]
    lines += ["", "### What moved it in the latest change", ""]
    lc = profile.latest_change
    if lc is None:
        lines += [
            "No transition within one methodology era in which it is ranked in both years.",
            "",
        ]
    else:
        t = lc.table[["label", "kind", "places_gained", "score_vs_field", "score_change"]]
        t = t.rename(
            columns={
                "label": "component",
                "places_gained": "places gained (Shapley)",
                "score_vs_field": "points vs field",
                "score_change": "points change",
            }
        )
        lines += [lc.summary(how_sure=False), "", table(t)]  # how sure: its own section below
    sure = "".join(f"- {line}\n" for line in profile.how_sure_lines())
    lines += ["### How sure", "", sure, "### Points to climb", ""]
    tt = profile.table.reset_index()
    tt["component"] = [_label(c) for c in tt["component"]]
    cols = {
        "component": "component",
        "value": "score",
        "median": "national median",
        "component_rank": "rank",
        "headroom": "headroom",
        "points_for_1": "points for +1 place",
        "points_for_3": "+3",
        "points_for_5": "+5",
        "places_within_reach": "places within reach",
    }
    tt = tt[[c for c in cols if c in tt.columns]].rename(columns=cols)
    lines += [
        f"Points needed on one component alone to climb 1, 3 or 5 places in {profile.latest_year} "
        "(– = beyond that component's headroom); places within reach = places gained by raising "
        "that component alone to its maximum.",
        "",
        table(tt, {"rank": 0, "places within reach": 0}),
    ]
    return "\n".join(lines)


def _label(component: str) -> str:
    from cchc_analysis.figures.palette import short_label

    try:
        return f"{component} {short_label('PAPI', component)}"
    except Exception:  # a component without a short label keeps its code
        return component


def _facts_section(code: str, par: pd.DataFrame, sipas: pd.DataFrame) -> str:
    lines = ["## PAR Index and SIPAS", ""]
    for name, frame, what in (
        ("PAR Index", par, "% of maximum points"),
        ("SIPAS", sipas, "% satisfied"),
    ):
        rows = frame[frame["unit_code"] == code].sort_values("year")
        if rows.empty:
            lines += [f"**{name}**: no figure for this province is published in reusable form.", ""]
            continue
        t = rows[["year", "value", "rank", "n_sources"]].rename(
            columns={"value": f"value ({what})", "n_sources": "sources"}
        )
        lines += [f"**{name}** (published figures, each traced to its sources in the facts):", ""]
        lines += [table(t, {"year": 0, "rank": 0, "sources": 0})]
    return "\n".join(lines)


def former_page(p: Former, par: pd.DataFrame, sipas: pd.DataFrame, figures: Path) -> str:
    """The page of one of the 63 former provinces."""
    head = (
        _meta(p.name, p.ascii, "former province 2008–2025")
        + f"(former-{p.slug})=\n# {p.name}\n\n"
        + _index_entries(p.name, p.ascii)
        + f"{{.province-meta}}\nFormer province (2008 – 30 June 2025) · GSO code {p.code} · "
        + f"{p.region}. {_search_line(p.name, p.ascii)}\n\n"
        + f"Since 1 July 2025 part of **[{p.successor}](../{NEW_DIR}/{p.successor_slug}.md)** "
        + "(a province of 2025). Scores below are the former province's own.\n\n"
    )
    return head + _papi_section(p.code, p, figures) + "\n" + _facts_section(p.code, par, sipas)


# --- the 34 provinces of 2025 ------------------------------------------------------------------


def _qd766_section(n: New, qd: pd.DataFrame, components: pd.DataFrame) -> str:
    rows = qd[qd["unit_key"] == n.key]
    if rows.empty:
        return "## QĐ 766 service index\n\nNo QĐ 766 snapshot for this province.\n"
    latest = qd["snapshot_date"].max()
    now = qd[qd["snapshot_date"] == latest]
    wide = now.pivot(index="unit_key", columns="component", values="value")
    comp = components.set_index("component")
    t = pd.DataFrame(
        {
            "component": [
                f"{c} {comp.at[c, 'name_en'] if 'name_en' in comp.columns else ''}".strip()
                for c in wide.columns
            ],
            "score": wide.loc[n.key].to_numpy(),
            "maximum": [comp.at[c, "max_value"] for c in wide.columns],
            "median of 34": wide.median().to_numpy(),
            "rank of 34": wide.rank(ascending=False, method="min").loc[n.key].to_numpy(),
        }
    )
    order = list(comp.index)
    t["_o"] = [order.index(c) if c in order else 99 for c in wide.columns]
    t = t.sort_values("_o").drop(columns="_o")
    tot = rows[rows["component"] == "TOTAL"].sort_values("snapshot_date")
    all_tot = qd[qd["component"] == "TOTAL"].copy()
    all_tot["rank"] = all_tot.groupby("snapshot_date")["value"].rank(ascending=False, method="min")
    tot = all_tot[all_tot["unit_key"] == n.key].sort_values("snapshot_date")
    trend = pd.DataFrame(
        {
            "snapshot": [d.strftime("%d/%m/%Y") for d in tot["snapshot_date"]],
            "total (of 100)": tot["value"].to_numpy(),
            "rank of 34": tot["rank"].to_numpy(),
        }
    )
    return "\n".join(
        [
            "## QĐ 766 service index",
            "",
            f"The National Public Service Portal's index (Quyết định 766/QĐ-TTg), snapshot of "
            f"{pd.Timestamp(latest):%d/%m/%Y} (year to date):",
            "",
            table(t, {"rank of 34": 0}),
            "Total over the snapshots the package holds:",
            "",
            table(trend, {"rank of 34": 0}),
        ]
    )


def _papi_2025_section(n: New, papi_2025: pd.DataFrame, dims: list[str]) -> str:
    row = papi_2025[papi_2025["province_code_2025"] == n.key]
    if row.empty:
        return ""
    r = row.iloc[0]
    lines = [
        "## PAPI 2024 re-expressed",
        "",
        "PAPI surveys the former provinces; here their 2024 scores are averaged (unweighted) over "
        "the former provinces this province joined, with their range. This describes the parts, "
        "not a score the merged province would have had.",
        "",
    ]
    if r["missing"]:
        lines += [f"Not in PAPI 2024: {r['missing']}.", ""]
    t = pd.DataFrame(
        {
            "component": [_label(c) for c in ["TOTAL", *dims]],
            "mean of former provinces": [r[c] for c in ["TOTAL", *dims]],
            "lowest": [r[f"{c}_min"] for c in ["TOTAL", *dims]],
            "highest": [r[f"{c}_max"] for c in ["TOTAL", *dims]],
        }
    )
    lines += [f"{int(r['n_present'])} of {int(r['n_former'])} former provinces in PAPI 2024.", ""]
    lines += [table(t)]
    return "\n".join(lines)


def new_page(
    n: New,
    former_by_code: dict[str, Former],
    qd: pd.DataFrame,
    components: pd.DataFrame,
    papi_2025: pd.DataFrame,
    dims: list[str],
) -> str:
    """The page of one of the 34 provinces in force from 1 July 2025."""
    parts = [former_by_code[c] for c in n.former_codes]
    joined = ", ".join(f"[{f.name}](../{FORMER_DIR}/{f.slug}.md)" for f in parts)
    formed = (
        f"Formed on 1 July 2025 from {len(parts)} former provinces: {joined}."
        if len(parts) > 1
        else f"Unchanged by the 2025 merger: the former province {joined}."
    )
    head = (
        _meta(n.name, n.ascii, "province from 1 July 2025")
        + f"(new-{n.slug})=\n# {n.name} (2025)\n\n"
        + _index_entries(n.name, n.ascii, " 2025")
        + f"{{.province-meta}}\nProvince from 1 July 2025 · official code {n.code} · "
        + f"{_search_line(n.name, n.ascii)}\n\n{formed}\n\n"
    )
    return head + _qd766_section(n, qd, components) + "\n" + _papi_2025_section(n, papi_2025, dims)


# --- the index and the driver -------------------------------------------------------------------


def index_page(former: list[Former], new: list[New]) -> str:
    """Every province of both eras, A to Z, in two tables."""
    from cchc_analysis.text import fold

    f_rows = sorted(former, key=lambda p: fold(p.name))
    n_rows = sorted(new, key=lambda p: fold(p.name))
    old = "\n".join(
        f"| [{p.name}]({p.slug}.md) | {p.ascii} | {p.code} | "
        f"[{p.successor}](../{NEW_DIR}/{p.successor_slug}.md) |"
        for p in f_rows
    )
    by_code = {p.code: p for p in former}
    now = "\n".join(
        f"| [{n.name}](../{NEW_DIR}/{n.slug}.md) | {n.ascii} | {n.code} | "
        + ", ".join(f"[{by_code[c].name}]({by_code[c].slug}.md)" for c in n.former_codes)
        + " |"
        for n in n_rows
    )
    # toctree entries from the site's root ("/..."): this page lives in provinces/
    toc_old = "\n".join(f"/{FORMER_DIR}/{p.slug}" for p in f_rows)
    toc_new = "\n".join(f"/{NEW_DIR}/{n.slug}" for n in n_rows)
    return f"""# Provinces

On 1 July 2025 Viet Nam's 63 provinces and centrally run cities became 34. The indices this
project studies (PAPI, the PAR Index, SIPAS) were measured on the 63; the QĐ 766 service index is
published for the 34. Each province has a page in its own era, linked to its counterpart.

## The 34 provinces from 1 July 2025

| province | without diacritics | code | formed from |
|---|---|---|---|
{now}

## The 63 former provinces (2008 – June 2025)

| province | without diacritics | GSO code | since July 2025 part of |
|---|---|---|---|
{old}

```{{toctree}}
:hidden:
:caption: 34 provinces from July 2025

{toc_new}
```

```{{toctree}}
:hidden:
:caption: 63 former provinces

{toc_old}
```
"""


def _former_job(job: tuple[Former, pd.DataFrame, pd.DataFrame, Path, Path]) -> None:
    p, par, sipas, figures, target = job
    write_atomic(target, former_page(p, par, sipas, figures))


def write_province_pages(src: Path, jobs: int = 2) -> int:
    """Write every province page, its figures and the A–Z index under ``src``; return the count.

    The 63 PAPI profiles (about a second each) are shared among ``jobs`` processes.
    """
    import cchc_analysis as cc

    former, new = registry()
    cc.set_style()  # the house style, and savefig.bbox="tight" that keeps the source line
    provinces_dir = src / "provinces"
    figures = src / "province-figures"
    figures.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        par = cc.load_par_index("province")
        sipas = cc.load_sipas()
        qd = cc.load_qd766("province")
        components = cc.qd766_components()
    # PAPI 2024 re-expressed on the 34: one computation for every 2025 page.
    wide = cc.papi_wide(2024, level="dimension")
    dims = list(wide.columns)
    frame = wide.assign(TOTAL=wide.sum(axis=1, min_count=len(dims))).dropna()
    frame = frame.rename_axis("province_code").reset_index()
    papi_2025 = cc.to_2025(frame, ["TOTAL", *dims])
    work = [(p, par, sipas, figures, provinces_dir / f"{p.slug}.md") for p in former]
    if jobs > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            list(pool.map(_former_job, work))
    else:
        for job in work:
            _former_job(job)
    by_code = {p.code: p for p in former}
    for n in new:
        write_atomic(
            src / NEW_DIR / f"{n.slug}.md", new_page(n, by_code, qd, components, papi_2025, dims)
        )
    write_atomic(provinces_dir / "index.md", index_page(former, new))
    return len(former) + len(new)
