"""Fetch the registered upstream files into ``data/raw/<dataset>/``, checking every sha256.

Files come over HTTP through pooch, or, when ``CCHC_MIRROR`` is set, are copied from a local mirror
laid out as ``<host>/<path>`` of each URL. Either way a file is written to a temporary name beside
its destination, verified, made read-only and only then renamed into place, so an interrupted or
corrupted transfer never leaves a file behind. A file already present with the right checksum is
not fetched again; one with the wrong checksum is reported, never overwritten (raw data is
immutable)::

    from cchc_analysis import fetch
    fetch("papi")          # -> [Path('.../data/raw/papi/csv/2011.csv'), ...]
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import stat
from pathlib import Path

from cchc_analysis import paths, registry
from cchc_analysis.atomic import part_file, remove_stale_parts
from cchc_analysis.errors import CchcDataError, ChecksumError
from cchc_analysis.registry import RawFile

__all__ = ["DownloadError", "fetch", "fetch_file", "sha256"]

log = logging.getLogger(__name__)

TIMEOUT = 60
"""Seconds to wait for the server before giving up on a download."""


class DownloadError(CchcDataError):
    """A registered file could not be obtained (no network, HTTP error, missing in the mirror)."""


def sha256(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(name: str | None = None, *, mirror: Path | None = None) -> list[Path]:
    """Make every file of dataset ``name`` (all datasets when ``None``) present and verified.

    ``mirror`` overrides ``CCHC_MIRROR``. Returns the local paths in registry order.
    """
    entries = registry.files(name)
    return [fetch_file(entry, mirror=mirror) for entry in entries]


def fetch_file(entry: RawFile, *, mirror: Path | None = None) -> Path:
    """Fetch one registered file (see :func:`fetch`); returns its local path."""
    target = entry.path
    if target.exists():
        actual = sha256(target)
        if actual == entry.sha256:
            return target
        raise ChecksumError(
            f"{entry.label}: the file already in {target} has sha256 {actual}, but the registry "
            f"expects {entry.sha256} (from {entry.url}). Raw files are never overwritten: delete "
            f"it and run `python -m cchc_analysis fetch {entry.dataset}` again."
        )
    mirror = mirror if mirror is not None else paths.MIRROR
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_parts(target.parent)
    handle, partial = part_file(target)
    os.close(handle)
    try:
        source = _copy_from_mirror(entry, mirror, partial) if mirror else _download(entry, partial)
        actual = sha256(partial)
        if actual != entry.sha256:
            size = partial.stat().st_size
            raise ChecksumError(
                f"{entry.label}: sha256 mismatch for the file from {source}: expected "
                f"{entry.sha256} ({entry.size} bytes), got {actual} ({size} bytes). The file "
                f"was discarded and {target} was not written. Retry; if it persists, the "
                f"{'mirror holds a different file' if mirror else 'upstream file has changed'}"
                f": compare it with the registry (cchc_analysis/data/datasets.csv)."
            )
        # Read-only because raw files are never edited after they land.
        partial.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    log.info("fetched %s from %s", entry.label, source)
    return target


def _copy_from_mirror(entry: RawFile, mirror: Path, partial: Path) -> str:
    if not Path(mirror).is_dir():
        raise DownloadError(
            f"{entry.label}: the mirror root {mirror} (CCHC_MIRROR) does not exist or is not a "
            "folder. Point CCHC_MIRROR at a folder laid out as <host>/<path> of the URLs, or "
            "unset it to download from the network."
        )
    source = entry.mirror_path(mirror)
    if not source.is_file():
        raise DownloadError(
            f"{entry.label}: not found in the mirror at {source} (CCHC_MIRROR={mirror}; "
            f"upstream URL {entry.url}). Add the file to the mirror under <host>/<path> of the "
            f"URL, or unset CCHC_MIRROR to download it."
        )
    shutil.copyfile(source, partial)
    return str(source)


def _download(entry: RawFile, partial: Path) -> str:
    import pooch  # imported here: pooch and requests are only needed for a real download
    import requests

    downloader = pooch.HTTPDownloader(progressbar=False, timeout=TIMEOUT)
    try:
        downloader(entry.url, str(partial), None)
    except requests.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else None
        if status in (404, 410):
            raise DownloadError(
                f"{entry.label}: {entry.url} is gone (HTTP {status}): the pinned file was "
                "removed upstream, so retrying will not help. Use a local copy with the "
                "registered sha256 through CCHC_MIRROR (laid out as <host>/<path> of the URL), "
                "or report it so the registry can point at another copy."
            ) from None
        raise DownloadError(
            f"{entry.label}: the server refused {entry.url} (HTTP {status}): {exc}. Retry "
            "later, or set CCHC_MIRROR to a local mirror laid out as <host>/<path> of the URL."
        ) from None
    except requests.RequestException as exc:
        raise DownloadError(
            f"{entry.label}: could not download {entry.url}: {exc}. Check the network "
            f"connection and retry, or set CCHC_MIRROR to a local mirror laid out as "
            f"<host>/<path> of the URL."
        ) from None
    return entry.url
