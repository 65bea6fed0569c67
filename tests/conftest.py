"""Suite-wide fixtures. ``make test`` runs the suite on two workers (pytest-xdist)."""

from __future__ import annotations

import contextlib
import fcntl

import pytest

from cchc_analysis import paths


@pytest.fixture(scope="session")
def reports_lock():
    """A context manager holding an exclusive lock on ``reports/`` across the test workers.

    The notebook tests and the site tests may run on different workers: under the lock one worker
    executes a notebook (or builds the site) while the others wait, then find it current instead of
    executing it a second time or writing the same files at once.
    """

    @contextlib.contextmanager
    def hold():
        lock = paths.REPORTS / ".tests.lock"
        lock.parent.mkdir(parents=True, exist_ok=True)
        with open(lock, "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    return hold
