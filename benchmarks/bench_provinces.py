"""Province-name lookup and number parsing on the spellings and values found in the facts."""

from __future__ import annotations

import pandas as pd

from cchc_analysis import paths, text
from cchc_analysis import provinces as pv


def _facts_spellings() -> list[str]:
    names: list[str] = []
    for path in sorted(paths.FACTS.glob("*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if "unit_type" in frame.columns:
            frame = frame[frame["unit_type"] == "province"]
        for col in ("province", "unit", "unit_std", "old_province_2024"):
            if col in frame.columns:
                names += [v for v in frame[col] if not v.startswith("(")]
    return names


def _linear_scan(name: str) -> str:
    """What a lookup without a prepared index does: re-key every registered spelling per call."""
    target = pv._key(name)
    table = pv._tables()
    for row in table["2008-2025"].itertuples(index=False):
        if target in (pv._key(row.name_vi), pv._key(row.name_en), pv._key(row.name_ascii)):
            return row.code
    for row in table["aliases"].itertuples(index=False):
        if target == pv._key(row.alias):
            return row.code
    raise LookupError(name)


def run(suite) -> None:
    names = _facts_spellings()  # every province cell of the facts, repeats included
    suite.note(f"{len(names)} province cells, {len(set(names))} distinct spellings")
    assert [pv.province_code(n) for n in names[:200]] == [_linear_scan(n) for n in names[:200]]

    def cold() -> None:
        pv._lookup.cache_clear()
        for n in names:
            pv.province_code(n)

    suite.compare(
        "province_code over the facts, key index (cold cache)",
        cold,
        baseline=lambda: [_linear_scan(n) for n in names],
        baseline_name="linear scan",
        repeat=3,
        baseline_repeat=1,
    )
    suite.compare(
        "province_code over the facts, key index (warm cache)",
        lambda: [pv.province_code(n) for n in names],
        baseline=cold,
        baseline_name="cold cache",
    )
    values = ["50,50", "15.983", "1.234,5", "96%", "92,86 %", "87.14", "−0,25 điểm"] * 1000
    suite.compare(
        "parse_vn_number, 7000 published values", lambda: [text.parse_vn_number(v) for v in values]
    )
