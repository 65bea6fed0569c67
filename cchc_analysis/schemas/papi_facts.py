"""pandera schema of PAPI's national survey figures (:mod:`cchc_analysis.sources.papi_facts`)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

__all__ = ["MEASURES", "PAPI_NATIONAL_FACTS", "SCOPES"]

MEASURES = {
    "national_portal_use_pct": "% of PAPI respondents who used the National Public Service Portal",
    "home_internet_use_pct": "% of PAPI respondents who use the internet at home",
}
"""The measures the file may hold, and what each means (all are percentages of respondents)."""
SCOPES = ("national",)
"""All respondents of the year's PAPI survey, nationwide."""


def _url_or_said_missing(d: pd.DataFrame) -> pd.Series:
    """A row without a page URL must say so in its source."""
    return d["source_url"].notna() | d["source"].str.contains("URL not recorded", regex=False)


PAPI_NATIONAL_FACTS = pa.DataFrameSchema(
    {
        "year": pa.Column("int64", pa.Check.in_range(2009, 2025)),
        "scope": pa.Column(str, pa.Check.isin(list(SCOPES))),
        "measure": pa.Column(str, pa.Check.isin(list(MEASURES))),
        "value": pa.Column("float64", pa.Check.in_range(0, 100)),
        "value_as_published": pa.Column(str, pa.Check.str_length(min_value=1)),
        "source": pa.Column(str, pa.Check.str_length(min_value=1)),
        "source_url": pa.Column(
            str,
            pa.Check.str_matches(r"^https?://\S+$", error="an http(s) URL without spaces"),
            nullable=True,
        ),
        "note": pa.Column(str, nullable=True),
        "source_row": pa.Column("int64", pa.Check.ge(2)),
    },
    checks=[
        pa.Check(
            _url_or_said_missing,
            name="source_url given, or the source says 'URL not recorded'",
        )
    ],
    unique=["year", "scope", "measure"],
    strict=True,
    ordered=True,
)
"""``load_papi_national_facts()``: one row per year, scope and measure."""
