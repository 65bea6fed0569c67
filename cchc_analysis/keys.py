"""One check for every place a province key enters: GSO code strings of the 63 provinces.

A key written ``"01"`` in one year and ``"1"`` (or the integer 1) in another joins nothing and
silently doubles the provinces; a 2025 slug (``"phu-tho"``) mixed with 2008-2025 codes joins across
eras. :func:`require_province_codes` refuses all of these with the rows and the rule, so the
models, rankings and merger tools accept a province key only in its one form::

    from cchc_analysis.keys import require_province_codes
    require_province_codes(["01", "79"], "panel")     # passes
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import pandas as pd

from cchc_analysis import paths
from cchc_analysis.errors import DataValidationError

__all__ = ["province_code_set", "require_one_key_form", "require_province_codes"]


@functools.cache
def province_code_set() -> frozenset[str]:
    """The 63 GSO codes of the provinces of 2008-June 2025, as two-digit strings."""
    table = pd.read_csv(paths.PACKAGE_DATA / "provinces.csv", dtype=str, keep_default_na=False)
    return frozenset(table["code"])


def require_province_codes(values: Iterable[object], where: str) -> None:
    """Raise unless every value is a GSO code string of the 63 provinces (``"01"`` … ``"96"``).

    Rows in the message are 1-based positions in ``values``; ``where`` names the table.

    >>> require_province_codes(["01", "79"], "panel")  # ["01", 1] or ["01", "1"] raise
    """
    known = province_code_set()
    bad = [(i, v) for i, v in enumerate(values, start=1) if not (isinstance(v, str) and v in known)]
    if bad:
        shown = ", ".join(f"{v!r}" for _, v in bad[:5])
        hint = ""
        if any(isinstance(v, str | int) and str(v).isdigit() and len(str(v)) < 2 for _, v in bad):
            hint = "; codes are zero-padded strings ('1' and 1 are '01')"
        raise DataValidationError(
            where,
            "province_code is a GSO code string of the 63 provinces of 2008-2025 ('01' … '96')",
            [i for i, _ in bad],
            f"got {shown}{hint}",
        )


def require_one_key_form(values: Iterable[object], where: str) -> None:
    """Raise when unit keys mix forms: numbers with strings, or codes that differ only in zero
    padding (``"01"`` and ``"1"``), which would count one unit twice.

    For tools that take any unit (provinces, ministries, districts); a province panel uses the
    stricter :func:`require_province_codes`.

    >>> require_one_key_form(["01", "79"], "scores")
    >>> require_one_key_form(["MOIT", "MOET"], "scores")
    """
    values = list(values)
    kinds = {type(v).__name__ for v in values if not isinstance(v, bool)}
    numeric = {"int", "int64", "int32", "float", "float64"}
    if kinds & numeric and "str" in kinds:
        shown = ", ".join(repr(v) for v in values[:5])
        raise DataValidationError(
            where, "unit codes are all strings or all numbers", detail=f"mixed: {shown}"
        )
    seen: dict[str, object] = {}
    clashes = []
    for v in values:
        if isinstance(v, str) and v.isdigit():
            other = seen.setdefault(v.lstrip("0") or "0", v)
            if other != v:
                clashes.append(f"{other!r} and {v!r}")
    if clashes:
        raise DataValidationError(
            where,
            "one form per unit code (province codes are zero-padded: '01', not '1')",
            detail=f"the same code written two ways: {', '.join(clashes[:5])}",
        )
