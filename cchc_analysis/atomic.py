"""Write files so that no reader ever sees half of one, and clean up after writers that were killed.

Every output of the package (processed tables, the manifest, report tables, HTML, figures,
downloads) goes through a temporary file beside its destination, named
``.<name>.<pid>.<random>.part``, which is renamed into place once complete. A process killed
mid-write leaves only such a file; :func:`stale_parts` finds those whose writer is gone (or, for
files without a process id, older than an hour) and :func:`remove_stale_parts` deletes them, which
the next fetch or build does::

    from cchc_analysis.atomic import atomic_write
    atomic_write(path, b"bytes")
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import time
from pathlib import Path

__all__ = ["PART_AGE", "atomic_write", "part_file", "remove_stale_parts", "stale_parts"]

log = logging.getLogger(__name__)

PART_AGE = 3600
"""Seconds after which a temporary file without a process id counts as orphaned."""
_PART = re.compile(r"^\..+\.(\d+)\.[^.]+\.part$")


def part_file(path: Path) -> tuple[int, Path]:
    """A new temporary file beside ``path`` (open handle and its name), marked with this process."""
    path = Path(path)
    handle, name = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".part"
    )
    return handle, Path(name)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename: never half-written.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
    >>> atomic_write(target, b"ok"); target.read_bytes()
    b'ok'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = part_file(path)
    try:
        with os.fdopen(handle, "wb") as fh:
            fh.write(data)
        os.chmod(name, 0o644)
        os.replace(name, path)
    except BaseException:
        name.unlink(missing_ok=True)
        raise


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def stale_parts(folder: Path, *, age: float = PART_AGE) -> list[Path]:
    """Temporary ``.*.part`` files under ``folder`` whose writer is no longer running."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    now = time.time()
    found = []
    for part in folder.rglob(".*.part"):
        match = _PART.match(part.name)
        try:
            if not part.is_file():
                continue
            if match and _alive(int(match.group(1))):
                continue
            if match or now - part.stat().st_mtime > age:
                found.append(part)
        except OSError:  # removed meanwhile by the process that wrote it
            continue
    return sorted(found)


def remove_stale_parts(folder: Path, *, age: float = PART_AGE) -> list[Path]:
    """Delete the orphaned temporary files :func:`stale_parts` finds; returns what was removed."""
    removed = []
    for part in stale_parts(folder, age=age):
        try:
            part.unlink()
        except OSError as err:
            log.warning("could not remove the orphaned temporary file %s: %s", part, err)
            continue
        log.warning("removed %s, a temporary file left by an interrupted run", part)
        removed.append(part)
    return removed
