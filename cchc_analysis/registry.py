"""The registry of upstream files: where each one comes from, its checksum, licence and citation.

One row per file in package data ``datasets.csv``; :mod:`cchc_analysis.download` fetches from it and
the build fingerprints processed tables with its checksums. Reading it needs only the standard
library, so the command line stays quick::

    from cchc_analysis import registry
    registry.datasets()                 # ['papi', 'papi_workbook']
    registry.files("papi")[0].path      # data/raw/papi/csv/2011.csv
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from cchc_analysis import paths
from cchc_analysis.errors import CchcDataError

__all__ = ["RawFile", "datasets", "files", "provenance", "registry_rows"]

_FIELDS = ("dataset", "file", "url", "sha256", "size", "licence", "citation", "description")


@dataclass(frozen=True)
class RawFile:
    """One upstream file: where it lives upstream and locally, and how to recognise it."""

    dataset: str
    file: str
    """Path relative to ``data/raw/<dataset>/`` (POSIX separators)."""
    url: str
    sha256: str
    size: int
    licence: str
    citation: str
    description: str

    @property
    def path(self) -> Path:
        """Where the file lands: ``paths.RAW / dataset / file`` (follows ``CCHC_DATA_DIR``)."""
        return paths.RAW.joinpath(self.dataset, *PurePosixPath(self.file).parts)

    @property
    def label(self) -> str:
        """Short name used in messages, e.g. ``papi/csv/2015.csv``."""
        return f"{self.dataset}/{self.file}"

    def mirror_path(self, mirror: Path) -> Path:
        """The file's place in a local mirror laid out as ``<host>/<path>`` of its URL."""
        parts = urlsplit(self.url)
        return mirror.joinpath(parts.netloc, *PurePosixPath(parts.path).parts[1:])


@functools.cache
def _load() -> tuple[RawFile, ...]:
    source = paths.PACKAGE_DATA / "datasets.csv"
    with source.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != _FIELDS:
            raise CchcDataError(
                f"{source}: header {reader.fieldnames} differs from the expected {list(_FIELDS)}"
            )
        rows = []
        for line, row in enumerate(reader, start=2):
            try:
                size = int(row["size"])
            except ValueError:
                raise CchcDataError(
                    f"{source}, line {line}: size {row['size']!r} is not an integer"
                ) from None
            if len(row["sha256"]) != 64:
                raise CchcDataError(f"{source}, line {line}: sha256 must have 64 hex digits")
            rows.append(RawFile(**{**row, "size": size}))
    return tuple(rows)


def registry_rows() -> tuple[RawFile, ...]:
    """Every registered file, in registry order."""
    return _load()


def datasets() -> list[str]:
    """Names of the registered datasets, in registry order."""
    return list(dict.fromkeys(f.dataset for f in _load()))


def files(dataset: str | None = None) -> list[RawFile]:
    """The files of ``dataset`` (all files when ``None``); unknown names raise with the known ones."""
    if dataset is None:
        return list(_load())
    chosen = [f for f in _load() if f.dataset == dataset]
    if not chosen:
        raise CchcDataError(
            f"unknown dataset {dataset!r}; registered datasets: {', '.join(datasets())}"
        )
    return chosen


def provenance(dataset: str) -> dict[str, object]:
    """Licence, citation and the pinned URLs with checksums of ``dataset``, for notebooks and READMEs."""
    chosen = files(dataset)
    return {
        "dataset": dataset,
        "licence": "; ".join(sorted({f.licence for f in chosen})),
        "citation": "; ".join(sorted({f.citation for f in chosen})),
        "files": [
            {"file": f.file, "url": f.url, "sha256": f.sha256, "size": f.size} for f in chosen
        ],
    }
