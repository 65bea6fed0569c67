"""Small MyST writing helpers shared by the page generators: tables, escaping, atomic files."""

from __future__ import annotations

import math
import os
import re
import tempfile
from pathlib import Path

import pandas as pd


def write_atomic(path: Path, content: str | bytes) -> Path:
    """Write ``content`` to ``path`` through a temporary file and a rename (never half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def cell(value: object, digits: int = 2) -> str:
    """One table cell: numbers rounded, missing values as an en dash, pipes escaped."""
    if value is None:
        return "–"
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        if value.is_integer() and abs(value) < 1e6 and digits == 0:
            return f"{int(value)}"
        return f"{value:.{digits}f}"
    if pd.isna(value) if not isinstance(value, (list, tuple, dict)) else False:
        return "–"
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(frame: pd.DataFrame, digits: dict[str, int] | None = None) -> str:
    """A pipe table of ``frame`` (its columns as headers, index dropped)."""
    digits = digits or {}
    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = [
        "| "
        + " | ".join(cell(v, digits.get(c, 2)) for c, v in zip(frame.columns, row, strict=True))
        + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join([head, rule, *rows]) + "\n"


_LINK = re.compile(r"\[([^\]]+)\]\((?!https?://|#)([^)]+)\)")


def unlink_relative(markdown: str) -> str:
    """Turn links to repository files (which the site does not carry) into code spans."""

    def plain(m: re.Match[str]) -> str:
        text, target = m.group(1), m.group(2)
        return text if target in text else f"{text} (`{target}`)"

    return _LINK.sub(plain, markdown)


def sections(markdown: str, level: int = 2) -> dict[str, str]:
    """Split Markdown at headings of ``level``: ``{heading: body}``; text before the first is
    under ``""``. Fenced code is respected (a ``#`` comment in a code block is not a heading)."""
    out: dict[str, list[str]] = {"": []}
    current = ""
    fenced = False
    marker = "#" * level + " "
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith(marker):
            current = line[len(marker) :].strip()
            out[current] = []
            continue
        out[current].append(line)
    return {k: "\n".join(v).strip() + "\n" for k, v in out.items()}


def slugify(text: str) -> str:
    """``"Ba Ria - Vung Tau"`` -> ``"ba-ria-vung-tau"`` (ASCII input, as the registry's names)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
