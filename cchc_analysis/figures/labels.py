"""Words for the codes that figures would otherwise show: components, derived series, estimators.

A reader of a figure should see "D5 Public Administrative Procedures", not ``D5``, and "two-way
fixed effects", not ``twfe``. Component names come from the index's component table (for PAPI, the
names of the most recent year a code or upstream column appears in), falling back to the short
labels of :mod:`cchc_analysis.figures.palette`, then to the code itself.
"""

from __future__ import annotations

import re
from functools import cache

import pandas as pd

from cchc_analysis.figures import palette

__all__ = ["component_label", "estimator", "model_label", "term_label"]

model_label = palette.model_label


@cache
def _papi_names() -> dict[str, str]:
    # Latest English name of every PAPI component code and upstream column (SC52 …).
    from cchc_analysis.sources.papi import components

    table = components().sort_values("year")
    names = dict(zip(table["component"], table["name_en"], strict=True))
    with_column = table.dropna(subset=["source_column"])
    names |= dict(zip(with_column["source_column"], with_column["name_en"], strict=True))
    return names


def _name(index: str, code: str) -> str | None:
    if palette._key(index) == "PAPI":
        name = _papi_names().get(code)
        if name:
            return name
    short = palette.short_label(index, code)
    return None if short == code else short


def component_label(code: str, index: str = "PAPI", with_code: bool = True) -> str:
    """A component code in words, e.g. ``"D8.1 Access to E-Government Portals"`` (``with_code``).

    Understands the derived series the models use: ``"D5-D7"`` (a difference of two components),
    ``"D8.1:post2021"`` (an interaction with the years from 2021), and PAPI's upstream columns
    (``"SC52"``). Unknown codes are returned as given::

        >>> component_label("D5")
        'D5 Public Administrative Procedures'
        >>> component_label("D5-D7", with_code=False)
        'Public Administrative Procedures minus Environmental Governance'
        >>> component_label("D8.1:post2021")
        'D8.1 Access to E-Government Portals × (year ≥ 2021)'
    """
    if not isinstance(code, str) or not code:
        raise ValueError(f"component_label: expected a component code such as 'D5', got {code!r}")
    base, _, suffix = code.partition(":")
    post = re.fullmatch(r"post(\d{4})", suffix)
    if suffix and post:
        return f"{component_label(base, index, with_code)} × (year ≥ {post.group(1)})"
    if "-" in base and not suffix:
        parts = base.split("-")
        names = [_name(index, p) for p in parts]
        if len(parts) == 2 and all(names):
            words = " minus ".join(names)
            return f"{base} ({words})" if with_code else words
    name = _name(index, base) if not suffix else None
    if name is None:
        return code
    return f"{code} {name}" if with_code else name


def term_label(term: str, index: str = "PAPI") -> str:
    """A term of a rank attribution as figures show it: the short component label, with
    re-measured components marked as methodology and the weights switch and entries/exits named.

    Shapley terms carry codes (``methodology:D3``, ``methodology``, ``composition``) that a
    reader should not have to decode::

        >>> term_label("D4")
        'D4 Corruption control'
        >>> term_label("methodology:D3")
        'D3 Accountability (method.)'
        >>> term_label("methodology", "PCI"), term_label("composition")
        ('methodology (weights)', 'entries/exits')
    """
    if term in ("composition", "entries/exits"):
        return "entries/exits"
    if term == "methodology":
        return "methodology (weights)"
    base = term.removeprefix("methodology:")
    short = palette.short_label(index, base)
    text = base if short == base else f"{base} {short}"
    return text + (" (method.)" if term.startswith("methodology:") else "")


def estimator(results: pd.DataFrame) -> pd.Series:
    """The estimator of each fitted row, with pooled OLS split by whether it has year effects.

    ``fit_ladder`` names both ``pooled_ols``; its ``spec`` says whether year effects were in::

        >>> t = pd.DataFrame({"model": ["pooled_ols", "pooled_ols", "twfe"],
        ...                   "spec": ["y ~ x", "y ~ x + C(year)", "y ~ x + C(province) + C(year)"]})
        >>> estimator(t).tolist()
        ['pooled_ols', 'pooled_ols + year effects', 'twfe']
    """
    if "model" not in results.columns:
        raise ValueError("estimator: the results table has no 'model' column (use fit_ladder's)")
    spec = results["spec"] if "spec" in results.columns else pd.Series("", index=results.index)
    with_years = (results["model"] == "pooled_ols") & spec.fillna("").str.contains(
        "C(year)", regex=False
    )
    return results["model"].where(~with_years, "pooled_ols + year effects")
