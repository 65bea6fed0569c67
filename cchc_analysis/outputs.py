"""Result tables the notebooks write to ``reports/tables/``: atomically and byte-stable.

A reader (or a concurrent run) never sees a half-written CSV: the table goes to a temporary file
in the same folder, then is moved into place. Line endings are ``\\n`` on every platform, so the
same frame always gives the same bytes.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from cchc_analysis import paths

__all__ = ["save_table"]


def save_table(frame: pd.DataFrame, name: str, directory: Path | None = None) -> Path:
    """Write ``frame`` (without its index) to ``<directory>/<name>.csv`` atomically; return the path.

    ``directory`` defaults to ``paths.TABLES``; ``name`` is a bare file stem::

        >>> import tempfile, pandas as pd
        >>> out = save_table(pd.DataFrame({"a": [1, 2]}), "demo", tempfile.mkdtemp())
        >>> out.read_text()
        'a\\n1\\n2\\n'
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"save_table: expected a DataFrame, got {type(frame).__name__}")
    if not name or Path(name).name != name or name.endswith(".csv"):
        raise ValueError(
            f"table name must be a bare file stem such as 'uptake_models', got {name!r}"
        )
    out_dir = Path(directory) if directory is not None else paths.TABLES
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{name}.csv"
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".csv.part", dir=out_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            frame.to_csv(fh, index=False, lineterminator="\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
