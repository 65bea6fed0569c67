"""The contract between dataset modules and the build: what a processed table is made from.

Each module in :mod:`cchc_analysis.sources` exposes ``TABLES``, a dict of :class:`TableSpec`;
:mod:`cchc_analysis.build` writes each to ``data/processed/<name>.parquet`` and rebuilds it when its
inputs or the code that makes it change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class TableSpec:
    name: str
    """File stem in ``data/processed/`` and key in the data dictionary."""
    description: str
    make: Callable[[], pd.DataFrame]
    """Builds the tidy frame from raw inputs (validated before it is returned)."""
    inputs: Callable[[], list[Path]]
    """Raw files the table is made from (their checksums decide whether it is current)."""
    key: tuple[str, ...] = ()
    """Columns that identify a row uniquely."""
