"""Where a component's composition changes: the one place the noise module asks about breaks.

A noise model assumes the same quantity is measured every year, so it is never estimated across a
change of composition or scale. Today the breaks come from two documented sources:
``cchc_analysis.models.COMPOSITION_BREAKS`` and the PAPI component table
(``data/papi_components.csv`` via :func:`cchc_analysis.sources.papi.components`: a dimension whose
parts change source column, maximum or label between two years is re-composed that year, and
TOTAL inherits the breaks of every dimension). Redirect :func:`composition_breaks` when the
breaks are centralised elsewhere; nothing else in the package reads them.
"""

from __future__ import annotations

import functools

from cchc_analysis.errors import CchcDataError


class WindowError(CchcDataError):
    """A window of years the noise model refuses, with the reason."""


@functools.cache
def _table_breaks() -> dict[str, dict[int, str]]:
    """``{component: {year: why}}`` from the PAPI component table (first year of each recipe)."""
    from cchc_analysis.sources.papi import components

    comp = components()
    subs = comp[comp["level"] == "subdimension"]
    recipe = {
        (int(year), parent): tuple(
            sorted(
                zip(
                    g["source_column"],
                    g["max_value"].astype(float).round(6),
                    g["name_en"],
                    strict=True,
                )
            )
        )
        for (year, parent), g in subs.groupby(["year", "parent"])
    }
    dims_by_year = {
        int(y): tuple(sorted(g["component"]))
        for y, g in comp[comp["level"] == "dimension"].groupby("year")
    }
    out: dict[str, dict[int, str]] = {}
    for (year, parent), parts in recipe.items():
        before = recipe.get((year - 1, parent))
        if before is not None and before != parts:
            old = {p[0] for p in before}
            new = {p[0] for p in parts}
            what = []
            if old - new:
                what.append(f"dropped {sorted(old - new)}")
            if new - old:
                what.append(f"added {sorted(new - old)}")
            if not what:
                what.append("parts relabelled or rescaled")
            why = f"component table: {parent} re-composed in {year} ({'; '.join(what)})"
            out.setdefault(parent, {})[year] = why
            out.setdefault("TOTAL", {}).setdefault(year, f"TOTAL inherits: {why}")
    for year, dims in dims_by_year.items():
        before = dims_by_year.get(year - 1)
        if before is not None and before != dims:
            why = f"component table: dimensions {list(before)} -> {list(dims)} in {year}"
            out.setdefault("TOTAL", {})[year] = why
    return out


def composition_breaks(component: str, index: str = "papi") -> dict[int, str]:
    """Years in which ``component`` starts a new composition, with why (``{year: reason}``).

    A break in year ``y`` means years ``< y`` and ``>= y`` must not share one noise model.

    >>> sorted(composition_breaks("D5"))
    [2018, 2021]
    """
    if index.lower() != "papi":
        raise WindowError(f"composition breaks are documented for PAPI only, not {index!r}")
    from cchc_analysis.models import COMPOSITION_BREAKS

    found = dict(_table_breaks().get(component, {}))
    for brk in COMPOSITION_BREAKS:
        if component in brk.components:
            prior = found.get(brk.year)
            note = f"COMPOSITION_BREAKS {brk.year}: {brk.what}"
            found[brk.year] = f"{prior} | {note}" if prior else note
    # The 2018 methodology era is a break for every component (papi_notes.md).
    found.setdefault(2018, "PAPI methodology era 2018- (not comparable with 2011-2017)")
    return dict(sorted(found.items()))


def check_window(component: str, years, index: str = "papi") -> None:
    """Raise :class:`WindowError` if ``years`` straddle a composition break of ``component``.

    >>> check_window("D1", range(2018, 2025))
    """
    years = sorted({int(y) for y in years})
    if not years:
        raise WindowError(f"{component}: no years given")
    crossed = {
        y: why
        for y, why in composition_breaks(component, index).items()
        if years[0] < y <= years[-1]
    }
    if crossed:
        detail = "; ".join(f"{y}: {why}" for y, why in crossed.items())
        raise WindowError(
            f"{component}: window {years[0]}-{years[-1]} crosses a composition change ({detail}). "
            "Estimate each side separately (see break_free_windows)."
        )


def break_free_windows(component: str, years, index: str = "papi") -> list[tuple[int, int]]:
    """Maximal runs of ``years`` (first, last) that cross no break of ``component``.

    >>> break_free_windows("D8", range(2018, 2025))
    [(2018, 2018), (2019, 2019), (2020, 2024)]
    """
    years = sorted({int(y) for y in years})
    cuts = set(composition_breaks(component, index))
    runs: list[list[int]] = []
    for y in years:
        if runs and y not in cuts and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return [(r[0], r[-1]) for r in runs]
