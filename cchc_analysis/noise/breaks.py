"""Where a component's composition changes: the one place the noise module asks about breaks.

A noise model assumes the same quantity is measured every year, so it is never estimated across a
change of composition or scale. The breaks come from
:func:`cchc_analysis.methodology.composition_changes`, the package's one source of truth (the
component table and ``data/methodology_records.csv``), which the ranking functions use too; a
methodology era is a break for every component, and TOTAL inherits the breaks of every dimension.
"""

from __future__ import annotations

import functools

from cchc_analysis.errors import CchcDataError


class WindowError(CchcDataError):
    """A window of years the noise model refuses, with the reason."""


@functools.cache
def _breaks(index: str) -> dict[str, dict[int, str]]:
    """``{component: {year: why}}`` for every consecutive pair of the index's years.

    Read from :func:`cchc_analysis.methodology.composition_changes`, the package's one source of
    truth on composition changes (component table plus ``methodology_records.csv``); a pair that
    crosses a methodology era is a break for every component, and TOTAL inherits the breaks of
    every dimension.
    """
    from cchc_analysis.errors import CchcDataError as _Err
    from cchc_analysis.indices import get_index
    from cchc_analysis.methodology import composition_changes

    spec = get_index(index)
    out: dict[str, dict[int, str]] = {}
    for before, year in zip(spec.years, spec.years[1:], strict=False):
        if spec.era_of(before) != spec.era_of(year):
            why = f"{spec.name} methodology era {spec.era_of(year)} starts in {year}"
            out.setdefault("*", {})[year] = why
            continue
        try:
            changes = composition_changes(index, before, year, level="dimension")
        except _Err as err:  # years without a release are not breaks; say so if asked
            out.setdefault("*", {})[year] = f"no comparison {before}->{year}: {err}"
            continue
        for row in changes.itertuples():
            why = f"{row.component} re-composed in {year}: {row.what} [{row.source}]"
            out.setdefault(row.component, {})[year] = why
            out.setdefault("TOTAL", {}).setdefault(year, f"TOTAL inherits: {why}")
    return out


def composition_breaks(component: str, index: str = "papi") -> dict[int, str]:
    """Years in which ``component`` starts a new composition, with why (``{year: reason}``).

    A break in year ``y`` means years ``< y`` and ``>= y`` must not share one noise model.

    >>> sorted(composition_breaks("D5"))
    [2018, 2021]
    """
    if index.lower() != "papi":
        raise WindowError(f"composition breaks are documented for PAPI only, not {index!r}")
    table = _breaks(index.lower())
    found = {**table.get("*", {}), **table.get(component, {})}
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
