"""The order in which ``make test`` hands test files to its workers (tests/conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

import conftest

TESTS = Path(__file__).resolve().parent


def test_every_test_file_has_its_expected_seconds():
    # A fresh clone has no timings of its own: without an entry a long new file would start last
    # and one worker would finish it alone.
    expected = json.loads(conftest.EXPECTED_SECONDS.read_text(encoding="utf-8"))
    files = {f"tests/{p.name}" for p in TESTS.glob("test_*.py")}
    assert set(expected) == files, (
        f"refresh {conftest.EXPECTED_SECONDS.name}: pytest --record-seconds"
    )
    assert all(isinstance(v, float | int) and v >= 0 for v in expected.values())


def test_the_longest_files_come_first(pytestconfig):
    class Item:
        def __init__(self, nodeid: str) -> None:
            self.nodeid = nodeid

    seconds = conftest._file_seconds(pytestconfig)
    items = [Item(f"{name}::t{i}") for name in sorted(seconds) for i in range(2)]
    items.append(Item("tests/test_not_yet_timed.py::t"))
    conftest.pytest_collection_modifyitems(pytestconfig, items)
    order = list(dict.fromkeys(item.nodeid.split("::")[0] for item in items))
    times = [seconds.get(name, 1.0) for name in order]
    assert times == sorted(times, reverse=True)
    assert [i.nodeid for i in items if i.nodeid.startswith(order[0])] == [
        f"{order[0]}::t0",
        f"{order[0]}::t1",
    ]  # each file keeps its own order
