"""Every filesystem location the project uses, rooted at the repository, never the working directory.

Notebooks run from ``notebooks/`` under nbconvert, from the repository root under papermill, and the
package may be installed elsewhere altogether. So locations are derived from where this file lives
(a source checkout has ``pyproject.toml`` one level up) or from environment variables:

``CCHC_DATA_DIR``
    folder holding ``raw/`` and ``processed/`` (default: ``<repo>/data``).
``CCHC_REPORTS_DIR``
    folder holding ``figures/`` and ``tables/`` (default: ``<repo>/reports``, or ``reports/`` beside
    ``CCHC_DATA_DIR`` when the package is not in a checkout).
``CCHC_MIRROR``
    a local mirror of the upstream files laid out as ``<host>/<path>`` (see :mod:`cchc_analysis.fetch`).

Attributes are computed on every access, so a changed environment variable takes effect at once::

    from cchc_analysis import paths
    paths.RAW, paths.PROCESSED, paths.FIGURES
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
"""The installed package (its ``data/`` folder holds the reference tables shipped with the code)."""

PACKAGE_DATA = PACKAGE_DIR / "data"


def _repo_root() -> Path | None:
    candidate = PACKAGE_DIR.parent
    if (candidate / "pyproject.toml").is_file() and (candidate / "cchc_analysis").is_dir():
        return candidate
    return None


REPO_ROOT: Path | None = _repo_root()
"""The source checkout, or ``None`` when the package is installed outside one."""


def _data_dir() -> Path:
    env = os.environ.get("CCHC_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    if REPO_ROOT is not None:
        return REPO_ROOT / "data"
    raise RuntimeError(
        "cchc_analysis is installed outside a source checkout: set CCHC_DATA_DIR to the folder "
        "that should hold raw/ and processed/ data."
    )


def _reports_dir() -> Path:
    env = os.environ.get("CCHC_REPORTS_DIR")
    if env:
        return Path(env).expanduser().resolve()
    if REPO_ROOT is not None and not os.environ.get("CCHC_DATA_DIR"):
        return REPO_ROOT / "reports"
    return _data_dir().parent / "reports"


def _facts_dir() -> Path:
    # The curated facts are committed to the repository; a CCHC_DATA_DIR without them falls
    # back to the checkout's copy so that pointing downloads elsewhere does not hide them.
    own = _data_dir() / "raw" / "facts"
    if own.is_dir() or REPO_ROOT is None:
        return own
    return REPO_ROOT / "data" / "raw" / "facts"


def _mirror() -> Path | None:
    env = os.environ.get("CCHC_MIRROR")
    return Path(env).expanduser().resolve() if env else None


_COMPUTED = {
    "DATA": _data_dir,
    "RAW": lambda: _data_dir() / "raw",
    "PROCESSED": lambda: _data_dir() / "processed",
    "FACTS": _facts_dir,
    "REPORTS": _reports_dir,
    "FIGURES": lambda: _reports_dir() / "figures",
    "TABLES": lambda: _reports_dir() / "tables",
    "NOTEBOOKS": lambda: (REPO_ROOT / "notebooks") if REPO_ROOT else None,
    "MIRROR": _mirror,
}

__all__ = ["PACKAGE_DATA", "PACKAGE_DIR", "REPO_ROOT", *_COMPUTED]


def __getattr__(name: str):
    try:
        return _COMPUTED[name]()
    except KeyError:
        raise AttributeError(f"module 'cchc_analysis.paths' has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted(__all__)
