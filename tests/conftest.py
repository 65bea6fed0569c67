"""Suite-wide fixtures. ``make test`` runs the suite on two workers (pytest-xdist)."""

from __future__ import annotations

import collections
import contextlib
import fcntl
import gc
import json
from pathlib import Path

import pytest

from cchc_analysis import paths
from cchc_analysis.atomic import atomic_write

# Each test file's seconds on the reference 2-core machine (committed), and the last run's (in
# pytest's cache): they decide the order in which the files are handed to the workers.
EXPECTED_SECONDS = Path(__file__).with_name("expected_seconds.json")
_CACHE_KEY = "cchc/file_seconds"


def pytest_addoption(parser):
    parser.addoption(
        "--record-seconds",
        action="store_true",
        help=f"write each test file's seconds in this run to {EXPECTED_SECONDS.name}",
    )


def _file_seconds(config) -> dict[str, float]:
    """Each file's seconds in the last run, else as committed in expected_seconds.json."""
    try:
        expected = json.loads(EXPECTED_SECONDS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        expected = {}
    cache = getattr(config, "cache", None)  # None under -p no:cacheprovider
    last = cache.get(_CACHE_KEY, {}) if cache is not None else {}
    return {**expected, **last}


def pytest_collection_modifyitems(config, items):
    """The longest files first. pytest-xdist (``--dist loadfile --no-loadscope-reorder``) hands
    out files in this order, so short files fill the end of the run on both workers instead of
    one worker finishing a long file alone while the other waits. A file with no recorded time
    counts as one second. Every worker computes the same order from the same files."""
    seconds = _file_seconds(config)
    items.sort(key=lambda item: -seconds.get(item.nodeid.split("::")[0], 1.0))  # stable


def pytest_collection_finish(session):
    # What collection imported (pandas, matplotlib, scipy, the package) lives until the end: keep
    # it out of the garbage collector's full passes (measured: 5.0 s -> 3.3 s of collection time
    # over both workers).
    gc.freeze()


_spent: dict[str, float] = collections.defaultdict(float)


def pytest_runtest_logreport(report):
    # On the controller this sees every worker's reports: setup, call and teardown of each test.
    _spent[report.nodeid.split("::")[0]] += report.duration


def _whole_files_ran(config) -> bool:
    """No ``-k``/``-m`` selection and no single tests named: each file's total is its whole time."""
    named = any("::" in str(arg) for arg in config.args)
    return not (config.option.keyword or config.option.markexpr or named)


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if hasattr(config, "workerinput") or not _spent or not _whole_files_ran(config):
        return  # a worker (the controller records the whole run), or only parts of files ran
    seconds = {name: round(total, 1) for name, total in _spent.items()}
    cache = getattr(config, "cache", None)
    if cache is not None:
        cache.set(_CACHE_KEY, {**cache.get(_CACHE_KEY, {}), **seconds})
    if config.getoption("record_seconds"):
        merged = _file_seconds(config) | seconds
        text = json.dumps(dict(sorted(merged.items())), indent=1) + "\n"
        atomic_write(EXPECTED_SECONDS, text.encode("utf-8"))


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
