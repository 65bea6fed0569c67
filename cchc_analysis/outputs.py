"""Result tables for ``reports/tables/``, written atomically and byte-stably like every output.

A notebook that writes ``frame.to_csv(path)`` straight to its final name leaves a half-written
table behind when it is interrupted; :func:`save_table` writes to a temporary file and renames it,
with fixed line endings and float format so a re-run gives identical bytes::

    from cchc_analysis.outputs import save_table
    save_table(frame, "02_headline_shares")        # reports/tables/02_headline_shares.csv
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from cchc_analysis import paths

__all__ = ["save_table"]


def save_table(
    frame: pd.DataFrame,
    name: str,
    directory: Path | None = None,
    *,
    float_format: str | None = "%.6f",
    index: bool = False,
) -> Path:
    """Write ``frame`` to ``<directory or paths.TABLES>/<name>.csv`` atomically; return the path.

    >>> import tempfile, pandas as pd
    >>> save_table(pd.DataFrame({"a": [1.5]}), "demo", tempfile.mkdtemp()).read_text()
    'a\\n1.500000\\n'
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"save_table expects a DataFrame, got {type(frame).__name__}")
    if not name or Path(name).name != name or name.endswith(".csv"):
        raise ValueError(f"table name must be a bare file stem such as '02_movers', got {name!r}")
    out_dir = Path(directory if directory is not None else paths.TABLES)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{name}.csv"
    text = frame.to_csv(index=index, float_format=float_format, lineterminator="\n")
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".csv", dir=out_dir)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a table is meant to be read by others
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
