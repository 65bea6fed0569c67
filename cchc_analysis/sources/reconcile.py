"""Merge several reports of the same fact into one row, keeping every source and every conflict.

The same PAR Index value is often printed by a government portal, a newspaper and a repost.
Reports that agree merge into one row listing all their sources. Reports that disagree are
never averaged: the row carries ``conflict=True``, every reported value with its sources in
``alternatives`` (``"91.87 (url1 | url2); 91.81 (url3)"``) and a headline value chosen by
:data:`HEADLINE_RULE`, which is also written, per row, in ``headline_rule``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

__all__ = ["HEADLINE_RULE", "SOURCE_LEVEL", "reconcile"]

SOURCE_LEVEL = {"official_or_state_media": 2, "news_media": 1, "aggregator_or_repost": 0}
"""How much a source type is trusted when reports disagree (higher wins)."""

HEADLINE_RULE = (
    "When reports of one fact disagree, the headline value is the one reported by more "
    "official_or_state_media sources; then by more sources of any type; then by the better "
    "source type (news_media over aggregator_or_repost); then the report that comes first in "
    "the file. Value and rank are chosen separately."
)


def _level(source_type: object) -> int:
    return SOURCE_LEVEL.get(source_type, 0) if isinstance(source_type, str) else 0


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return format(value, ".10g")
    return str(value)


def _choose(candidates: dict[object, list[dict]], what: str) -> tuple[object, str, bool]:
    """Headline among ``{value: supporting reports}``: (value, rule text, conflict?)."""

    def score(item: tuple[object, list[dict]]) -> tuple[int, int, int, int]:
        reports = item[1]
        official = sum(_level(r["source_type"]) == 2 for r in reports)
        best = max(_level(r["source_type"]) for r in reports)
        return (official, len(reports), best, -min(r["source_row"] for r in reports))

    ranked = sorted(candidates.items(), key=score, reverse=True)
    value, reports = ranked[0]
    if len(ranked) == 1:
        n = len(reports)
        return value, f"{what}: " + ("single report" if n == 1 else f"{n} reports agree"), False
    top, runner = score(ranked[0]), score(ranked[1])
    if top[0] != runner[0]:
        why = "official_or_state_media preferred"
    elif top[1] != runner[1]:
        why = "majority of reports"
    elif top[2] != runner[2]:
        why = "better source type preferred"
    else:
        why = "tie: first report in the file"
    return value, f"{what}: conflict, {why}", True


def _ordered_urls(reports: list[dict]) -> list[str]:
    ordered = sorted(reports, key=lambda r: (-_level(r["source_type"]), r["source_row"]))
    return list(dict.fromkeys(r["source_url"] for r in ordered))


def _alternatives(candidates: dict[object, list[dict]], headline: object, prefix: str) -> str:
    order = [headline, *[v for v in candidates if v != headline]]
    return "; ".join(
        f"{prefix}{_fmt(v)} ({' | '.join(_ordered_urls(candidates[v]))})" for v in order
    )


def _join(values: Sequence[object], sep: str = " | ") -> object:
    distinct = list(dict.fromkeys(v for v in values if isinstance(v, str) and v))
    return sep.join(distinct) if distinct else None


def _merge(reports: list[dict], text_column: str | None) -> dict:
    reports = sorted(reports, key=lambda r: r["source_row"])
    out: dict[str, object] = {}
    rules: list[str] = []
    alternatives: list[str] = []
    conflict = False

    values: dict[object, list[dict]] = {}
    for r in reports:
        v = r.get("value")
        if isinstance(v, float) and not math.isnan(v):
            values.setdefault(v, []).append(r)
    by_text = not values and text_column is not None
    if by_text:
        for r in reports:
            t = r.get(text_column)
            if isinstance(t, str) and t:
                values.setdefault(t, []).append(r)
    headline_reports: list[dict] = []
    if values:
        value, rule, clash = _choose(values, "value")
        headline_reports = values[value]
        rules.append(rule)
        if clash:
            conflict = True
            alternatives.append(_alternatives(values, value, ""))
        if by_text:
            out["value"] = math.nan
            out[text_column] = value
        else:
            out["value"] = value
            if text_column is not None:
                out[text_column] = headline_reports[0].get(text_column)
    else:
        out["value"] = math.nan
        if text_column is not None:
            out[text_column] = None

    ranks: dict[object, list[dict]] = {}
    for r in reports:
        k = r.get("rank")
        if k is not None and not pd.isna(k):
            ranks.setdefault(int(k), []).append(r)
    if ranks:
        rank, rule, clash = _choose(ranks, "rank")
        out["rank"] = rank
        if not headline_reports:
            headline_reports = ranks[rank]
        rules.append(rule)
        if clash:
            conflict = True
            alternatives.append(_alternatives(ranks, rank, "rank "))
    else:
        out["rank"] = None
    if not headline_reports:
        headline_reports = reports[:1]

    lead = sorted(headline_reports, key=lambda r: (-_level(r["source_type"]), r["source_row"]))[0]
    urls = list(dict.fromkeys([*_ordered_urls(headline_reports), *_ordered_urls(reports)]))
    out |= {
        "conflict": conflict,
        "alternatives": "; ".join(alternatives) if alternatives else None,
        "headline_rule": "; ".join(rules) if rules else "no value or rank reported",
        "n_reports": len(reports),
        "n_sources": len(urls),
        "source_url": lead["source_url"],
        "source_type": lead["source_type"],
        "sources": " | ".join(urls),
        "note": _join([r.get("note") for r in reports]),
        "source_rows": ";".join(str(r["source_row"]) for r in reports),
    }
    return out


def reconcile(
    reports: pd.DataFrame, key: Sequence[str], text_column: str | None = None
) -> pd.DataFrame:
    """One row per ``key`` from reports with ``value``, optional ``rank``, ``source_url``,
    ``source_type``, ``note`` and ``source_row``.

    Values are compared exactly as transcribed (``91.81`` and ``91.87`` conflict); when no
    report of a fact has a numeric value, the published text in ``text_column`` is compared
    instead. The output holds the key, ``value``, ``rank``, ``text_column``, ``conflict``,
    ``alternatives``, ``headline_rule``, ``n_reports``, ``n_sources``, ``source_url`` and
    ``source_type`` (of the headline's best source), ``sources`` (all, headline first),
    ``note`` and ``source_rows`` (file lines merged).
    """
    key = list(key)
    frame = reports.copy()
    if "source_type" not in frame.columns:
        frame["source_type"] = None
    records = frame.to_dict("records")
    groups: dict[tuple, list[dict]] = {}
    for r in records:
        groups.setdefault(tuple(r[k] for k in key), []).append(r)
    rows = [dict(zip(key, k, strict=True)) | _merge(g, text_column) for k, g in groups.items()]
    out = pd.DataFrame(rows)
    out["rank"] = pd.array(out["rank"].tolist(), dtype="Int64")
    out["value"] = out["value"].astype("float64")
    out["conflict"] = out["conflict"].astype(bool)
    for col in ("n_reports", "n_sources"):
        out[col] = out[col].astype("int64")
    for col in ("alternatives", "note", *([text_column] if text_column else [])):
        out[col] = out[col].astype("str")
    return out
