"""Compare every published PCI fact with the loaded panel, within the rounding of its source.

``data/raw/facts/pci_published_facts.csv`` holds 2,111 figures copied from pcivietnam.vn pages and
provincial news (year, province as the page spells it, measure as the page labels it, value,
source URL). The page labels map to sub-index codes through ``data/pci_fact_measures.csv``; the
province spellings through the province registry. A value is *reproduced* when it equals the panel's
value to within half a unit of its last printed decimal; a rank when it lies within the block of
provinces whose published (two-decimal) totals tie. Facts with no panel value (sub-indices after
2016) are reported as such, never silently dropped.

    from cchc_analysis.sources.pci_facts import compare_pci_facts
    compare_pci_facts()["status"].value_counts()
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cchc_analysis import paths
from cchc_analysis.errors import DataValidationError
from cchc_analysis.provinces import province_codes
from cchc_analysis.sources.factfile import read_rows

__all__ = ["FILE", "compare_pci_facts"]

FILE = "pci_published_facts.csv"
_COLUMNS = ("year", "province", "measure", "value", "source_url")


def _measures() -> pd.Series:
    table = pd.read_csv(
        paths.PACKAGE_DATA / "pci_fact_measures.csv", dtype=str, keep_default_na=False
    )
    return table.set_index("measure")["component"]


def compare_pci_facts(
    frame: pd.DataFrame | None = None, path: Path | str | None = None
) -> pd.DataFrame:
    """One row per fact: its line, key, published value, the panel's value and a ``status``.

    ``status`` is ``reproduced``, ``differs`` or ``not in panel`` (no value for that key, e.g.
    sub-indices after 2016). Unknown measures or province spellings raise, naming the lines.
    ``compare_pci_facts().query("status == 'differs'")`` lists the facts the panel contradicts.
    """
    from cchc_analysis.sources.pci import load_pci

    frame = load_pci() if frame is None else frame
    path = Path(path) if path is not None else paths.FACTS / FILE
    facts = read_rows(path, _COLUMNS)
    label = path.name
    measures = _measures()
    facts["component"] = facts["measure"].map(measures)
    unknown = facts["component"].isna()
    if unknown.any():
        raise DataValidationError(
            label,
            "measure listed in pci_fact_measures.csv",
            facts.loc[unknown, "source_row"].tolist(),
            f"unknown {sorted(set(facts.loc[unknown, 'measure']))}",
        )
    facts["province_code"] = province_codes(facts["province"], where=label)
    facts["year"] = facts["year"].astype(int)
    published = pd.to_numeric(facts["value"], errors="coerce")
    if published.isna().any():
        raise DataValidationError(
            label,
            "value is a dot-decimal number",
            facts.loc[published.isna(), "source_row"].tolist(),
        )
    facts["published"] = published
    decimals = facts["value"].str.partition(".")[2].str.len()
    facts["tolerance"] = 0.5 * 10.0 ** (-decimals) + 1e-9

    totals = frame[frame["level"] == "total"].copy()
    grouped = totals.groupby("year")["value"]
    totals["rank_best"] = grouped.rank(ascending=False, method="min")
    totals["rank_worst"] = grouped.rank(ascending=False, method="max")
    by_key = frame.set_index(["year", "province_code", "component"])["value"]
    by_total = totals.set_index(["year", "province_code"])

    ours, low, high = [], [], []
    for year, code, component in zip(
        facts["year"], facts["province_code"], facts["component"], strict=True
    ):
        if component == "RANK":
            key = (year, code)
            if key in by_total.index:
                row = by_total.loc[key]
                rank = row["rank"] if pd.notna(row["rank"]) else row["rank_best"]
                ours.append(float(rank))
                low.append(float(min(rank, row["rank_best"])))
                high.append(float(max(rank, row["rank_worst"])))
                continue
        else:
            key = (year, code, component)
            if key in by_key.index:
                value = float(by_key.loc[key])
                ours.append(value)
                low.append(value)
                high.append(value)
                continue
        ours.append(np.nan)
        low.append(np.nan)
        high.append(np.nan)
    facts["reproduced"] = ours
    low, high = np.array(low), np.array(high)
    ok = (facts["published"] >= low - facts["tolerance"]) & (
        facts["published"] <= high + facts["tolerance"]
    )
    facts["status"] = np.where(
        facts["reproduced"].isna(), "not in panel", np.where(ok, "reproduced", "differs")
    )
    return facts[
        [
            "source_row",
            "year",
            "province",
            "province_code",
            "measure",
            "component",
            "published",
            "reproduced",
            "tolerance",
            "status",
            "source_url",
        ]
    ].rename(columns={"source_row": "line"})
