"""Errors that say what went wrong, where, and what was expected.

Every check on input data raises one of these with the file (or dataset), the rows and the rule,
so a researcher can go straight to the offending cell. Nothing is ever silently coerced to NaN.
"""

from __future__ import annotations

from collections.abc import Iterable


class CchcDataError(ValueError):
    """Base class for problems with input data."""


class DataValidationError(CchcDataError):
    """A table broke a rule: names the dataset/file, the rows (1-based as in the file where known)
    and the rule that failed."""

    def __init__(self, dataset: str, rule: str, rows: Iterable[object] = (), detail: str = ""):
        self.dataset = dataset
        self.rule = rule
        self.rows = list(rows)
        self.detail = detail
        shown = ", ".join(str(r) for r in self.rows[:10])
        more = f" (+{len(self.rows) - 10} more)" if len(self.rows) > 10 else ""
        where = f"; rows {shown}{more}" if self.rows else ""
        extra = f": {detail}" if detail else ""
        super().__init__(f"{dataset}: rule '{rule}' failed{where}{extra}")


class ChecksumError(CchcDataError):
    """A downloaded or mirrored file does not have the registered sha256."""


class DataConsistencyWarning(UserWarning):
    """Published figures that disagree with each other beyond rounding (kept as published, named
    with their file and lines so the source can be checked)."""
