"""The QĐ 766 service index as an index of the one-call answers, on snapshots instead of years.

Registered as ``"qd766"`` (also found as ``"QĐ 766"``). What the answers see:

* **periods** are the portal's snapshot dates of the 34 provinces, as ISO strings
  (``"2026-09-17"`` … ``"2026-10-10"``): ``year_prev``/``year_curr`` of
  :func:`cchc_analysis.explain_rank_change` accept a date in any form ``pandas.Timestamp`` reads
  (``"2026-09-17"``, ``"17 Sep 2026"``, a ``Timestamp``). Every snapshot is **2026 year to date**:
  a cumulative value seen on another day, not a new measurement; every summary says so.
* **units** are the 34 provinces in force from 1 July 2025, keyed ``province_code_2025``
  (``"2025:52"`` Gia Lai); any spelling :func:`cchc_analysis.normalize_province_2025` reads is
  accepted. A 63-province code (``"52"``, former Bình Định) raises
  :class:`cchc_analysis.EraMismatchError` naming both eras.
* **level** ``"group"``: the six groups (CKMB, TDGQ, CLGQ, TTTT, MDHL, MDSH), summed into the total.

>>> import cchc_analysis as cc
>>> change = cc.explain_rank_change("Gia Lai", "2026-09-17", "2026-10-10", index="qd766")
>>> change.unit
'2025:52'
"""

from __future__ import annotations

import functools
import warnings

import pandas as pd

from cchc_analysis.indices import IndexSpec

__all__ = ["CAVEAT", "qd766_index", "snapshot"]

CAVEAT = (
    "QĐ 766 values are cumulative 2026 year to date: a change between snapshots is what the "
    "dossiers and ratings recorded in between (and any recalculation by the portal) did to the "
    "year's running score, not a change between two independent measurements."
)
SOURCE = (
    "Source: National Public Service Portal (dichvucong.gov.vn), QĐ 766 index, 2026 year to "
    "date; snapshots by duynghiaqn/Crawler-766"
)


def snapshot(value: object) -> str:
    """A snapshot date as the index's period key: ``snapshot("17/09/2026")`` is not ISO, so use
    ``snapshot("2026-09-17") == "2026-09-17"``; integers (years) are refused.

    >>> snapshot(pd.Timestamp("2026-10-10 08:00"))
    '2026-10-10'
    """
    if isinstance(value, (int, float)) or value is None:
        raise TypeError(f"a QĐ 766 period is a snapshot date such as '2026-09-17', not {value!r}")
    return pd.Timestamp(value).strftime("%Y-%m-%d")


@functools.lru_cache(maxsize=1)
def _long() -> pd.DataFrame:
    from cchc_analysis.sources.qd766 import Qd766Warning, load_qd766

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Qd766Warning)
        return load_qd766("province")


@functools.lru_cache(maxsize=16)
def _wide_cached(period: str, level: str) -> pd.DataFrame:
    from cchc_analysis.sources.qd766 import qd766_wide

    return qd766_wide("province", period, frame=_long())


def _wide(period: str, level: str = "group") -> pd.DataFrame:
    return _wide_cached(snapshot(period), level).copy()


def _methodology(period: str, level: str = "group"):
    from cchc_analysis.sources.qd766 import qd766_methodology

    return qd766_methodology(tuple(_wide_cached(snapshot(period), level).columns))


def _names() -> pd.Series:
    from cchc_analysis.provinces import provinces

    return provinces("2025-").set_index("province_code_2025")["name_vi"]


def qd766_index() -> IndexSpec:
    """The :class:`~cchc_analysis.indices.IndexSpec` of QĐ 766 (see the module docstring).

    >>> qd766_index().years[0]
    '2026-09-17'
    """
    dates = sorted({snapshot(d) for d in _long()["snapshot_date"]})
    return IndexSpec(
        key="qd766",
        name="QĐ 766",
        years=tuple(dates),
        eras=((dates[0], dates[-1], "2025-"),),
        wide=_wide,
        methodology=_methodology,
        source=SOURCE,
        levels=("group",),
        driver_levels=("group",),
        unit_names=_names,
        default_level="group",
        key_era="2025-",
        period=snapshot,
        caveat=CAVEAT,
        year_note="periods are snapshot dates of 2026 year to date (e.g. '2026-09-17')",
    )
