"""Suite-wide fixtures. ``make test`` runs the suite on two workers (pytest-xdist)."""

from __future__ import annotations

import contextlib
import fcntl

import pytest

from cchc_analysis import paths


def pytest_collection_modifyitems(config, items):
    """Files holding slow tests run first. pytest-xdist (``--dist loadfile``) hands out files in
    this order, so the quick files fill the end of the run on both workers instead of one worker
    finishing a slow file alone while the other waits."""
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow_files)  # stable: each file stays in order


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
