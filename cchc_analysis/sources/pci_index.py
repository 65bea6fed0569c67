"""PCI as an index of the one-call answers (:func:`cchc_analysis.explain_rank_change`, …).

Registered as ``"pci"`` (:func:`cchc_analysis.indices.register_index`). What the answers see:

* **years** 2006-2016, the years with sub-indices, all one comparable series (era ``"2006-"``,
  :data:`cchc_analysis.sources.pci.COMPARABLE_ERAS`). 2005, the pilot with unpublished weights,
  is not compared (the year error says so); 2017-2022 have totals only.
* **level** ``"subindex"`` (default) or ``"total"``.
* **weights** travel with every frame (:func:`cchc_analysis.sources.pci.pci_methodology`): each
  year is ranked by its own recipe, and a change of weights is the ``methodology`` term.
* **sub-indices added or dropped** (policy bias leaves at 2008→2009 and returns at 2012→2013: 10 vs
  9 sub-indices) and **renamed** (BS 2008→2009) are handled as methodology: the absent sub-index
  scores 0 with weight 0 in the year it is not measured, and its whole effect is
  ``methodology:<code>``, never performance. ``breaks="ignore"`` keeps them under their own codes
  (what :func:`cchc_analysis.pci_transition` does by hand).
* **driver groups** of :func:`cchc_analysis.rank_drivers`: the weighting eras of ``pci_years.csv``
  (2006-2008, 2009-2012, 2013-) pooled within, and each break transition (``"2008→2009"``,
  ``"2012→2013"``) as a group of its own, so a re-weighting is never pooled with within-era moves.
* **ranks** are those of each year's weighted sum of the sub-indices, i.e. the published ranks in
  every year but 2011, whose published totals are not the weighted sums (``pci_years.csv``: a
  documented exception); answers involving 2011 explain the weighted-sum ranks.
* the ``raw`` view of :func:`cchc_analysis.rank_drivers` takes added, dropped and renamed
  sub-indices at face value; a change of weights is still the ``methodology`` term there (it is a
  recipe, not a score).
* **Hà Tây** (scored 2006-2008, key ``former:ha-tay``) is a unit like any other: it leaves the
  ranking at 2008→2009 (the entries/exits term) and ``explain_rank_change("Hà Tây", 2007, 2008,
  index="pci")`` works.

>>> from cchc_analysis.indices import get_index
>>> get_index("pci").driver_groups()[1][0]
'2008→2009'
"""

from __future__ import annotations

import functools

import pandas as pd

from cchc_analysis.indices import IndexSpec

__all__ = ["pci_index"]

YEARS = tuple(range(2006, 2017))
SOURCE = "Source: VCCI, Provincial Competitiveness Index (pcivietnam.vn), workbooks 2006–2016"


@functools.lru_cache(maxsize=1)
def _long() -> pd.DataFrame:
    from cchc_analysis.sources.pci import load_pci

    return load_pci()


@functools.lru_cache(maxsize=32)
def _wide_cached(year: int, level: str) -> pd.DataFrame:
    from cchc_analysis.sources.pci import pci_wide

    return pci_wide(year, level, frame=_long())


def _wide(year: int, level: str = "subindex") -> pd.DataFrame:
    return _wide_cached(int(year), level).copy()  # callers may change theirs


def _names() -> pd.Series:
    frame = _long()
    return frame.drop_duplicates("province_code").set_index("province_code")["province"]


def _weighting_eras() -> tuple[tuple[int, int, str], ...]:
    from cchc_analysis.sources import pci_workbook

    years = pci_workbook.years()
    years = years[years.index >= YEARS[0]]
    out = []
    for era, rows in years.groupby("era", sort=False):
        out.append((int(rows.index.min()), int(rows.index.max()), str(era)))
    return tuple(out)


def pci_index() -> IndexSpec:
    """The :class:`~cchc_analysis.indices.IndexSpec` of PCI (see the module docstring).

    >>> spec = pci_index()
    >>> spec.era_of(2012) == spec.era_of(2013)  # one comparable series; weights change inside
    True
    """
    from cchc_analysis.sources.pci import pci_methodology

    return IndexSpec(
        key="pci",
        name="PCI",
        years=YEARS,
        eras=((YEARS[0], YEARS[-1], "2006-"),),
        wide=_wide,
        methodology=pci_methodology,
        source=SOURCE,
        levels=("subindex", "total"),
        driver_levels=("subindex",),
        unit_names=_names,
        default_level="subindex",
        driver_eras=_weighting_eras(),
        year_note=(
            "PCI 2005 (pilot: 42 provinces, nine sub-indices, weights not published) is compared "
            "with no other year, and 2017-2022 have totals only (cc.pci_wide(year, level='total'))"
        ),
    )
