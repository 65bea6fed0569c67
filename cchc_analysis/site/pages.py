"""The site's pages other than the provinces: overview and quickstart (from the README), the
executed notebooks, the data page, the API reference and the figure gallery.

Every page is generated from something the project already keeps (README, ``datasets.csv``,
the data dictionary, ``cchc_analysis.__all__`` and its docstrings, the executed notebooks and
``reports/figures/``), so the site cannot drift from the code.
"""

from __future__ import annotations

import inspect
import json
import re
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cchc_analysis import paths
from cchc_analysis.site._markdown import sections, table, unlink_relative, write_atomic


@dataclass(frozen=True)
class Notebook:
    """One executed notebook as the site shows it."""

    path: Path  # the executed copy under reports/executed/
    stem: str  # "02_ranking_drivers"
    number: str  # "02"
    title: str  # its first level-1 heading

    @property
    def page(self) -> str:
        """Document name in the site (no suffix), e.g. ``notebooks/02_ranking_drivers``."""
        return f"notebooks/{self.stem}"


def _title(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for c in nb.get("cells", []):
        if c.get("cell_type") != "markdown":
            continue
        src = "".join(c.get("source", []))
        for line in src.splitlines():
            if line.startswith("# "):
                return re.sub(r"[*_`]", "", line[2:]).strip()
    return path.stem.replace("_", " ")


def executed_notebooks(folder: Path) -> list[Notebook]:
    """The executed notebooks in their numbered order."""
    found = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    return [Notebook(p, p.stem, p.stem[:2], _title(p)) for p in found]


def readme() -> str:
    """The README of the checkout the package lives in."""
    return (paths.REPO_ROOT / "README.md").read_text(encoding="utf-8")


# --- overview and quickstart -----------------------------------------------------------------


def overview_page(notebooks: list[Notebook]) -> str:
    """Home page: the README's opening, then where to go next."""
    parts = sections(readme())
    intro = parts[""].split("\n", 1)[1] if parts[""].startswith("# ") else parts[""]
    nb_list = "\n".join(f"- [{nb.title}]({nb.page}.ipynb)" for nb in notebooks)
    return f"""# cchc-analysis: Viet Nam's administrative reform, in numbers

{unlink_relative(intro).strip()}

## Find your province

Every one of the 63 provinces of 2008 – June 2025 and the 34 provinces in force from 1 July 2025
has its own page: **[all provinces, A to Z](provinces/index.md)**, or type a name in the search
box, with or without diacritics (*Đồng Tháp* or *Dong Thap*).

## Read the analysis

{nb_list}

## Use the package

- [Quickstart](quickstart.md): the two commands, then the helpers in a new analysis.
- [Data](data.md): every dataset with its licence, citation and coverage;
  the [data dictionary](data-dictionary.md).
- [API reference](api.md): every public function, with an example.
- [Figure gallery](gallery.md): each figure and the notebook that makes it.

```{{toctree}}
:hidden:
:caption: Start

quickstart
provinces/index
gallery
```

```{{toctree}}
:hidden:
:caption: Notebooks

{chr(10).join(nb.page for nb in notebooks)}
```

```{{toctree}}
:hidden:
:caption: Reference

data
data-dictionary
api
```
"""


def quickstart_page() -> str:
    """The README's quickstart and its "using the helpers" section."""
    parts = sections(readme())
    body = ["# Quickstart\n"]
    for name in (
        "Quickstart",
        "Using the helpers in a new analysis",
        "Layout",
        "Working on the project",
    ):
        if name in parts:
            heading = "" if name == "Quickstart" else f"## {name}\n\n"
            body.append(heading + unlink_relative(parts[name]))
    body.append(
        "## This site\n\n`make site` builds these pages from the notebooks executed by "
        "`make reproduce` (it runs none of them again) into `reports/site/`; open "
        "`reports/site/index.html` in a browser. Everything here is generated from the package "
        "(`cchc_analysis.site`), the README and the executed notebooks.\n"
    )
    return "\n".join(body)


# --- notebooks --------------------------------------------------------------------------------


def copy_notebooks(notebooks: list[Notebook], src: Path) -> None:
    """Copy the executed notebooks into the site's sources (they are rendered, not re-run)."""
    target = src / "notebooks"
    target.mkdir(parents=True, exist_ok=True)
    for nb in notebooks:
        shutil.copyfile(nb.path, target / nb.path.name)


# --- data -------------------------------------------------------------------------------------


def _coverage() -> pd.DataFrame:
    """Units with a value per year, per index, from the package's loaders."""
    import cchc_analysis as cc

    rows: list[dict[str, object]] = []
    papi = cc.load_papi()
    total = papi[papi["level"] == "total"] if "level" in papi.columns else papi
    for year, n in (
        total.dropna(subset=["value"]).groupby("year")["province_code"].nunique().items()
    ):
        rows.append({"index": "PAPI (total)", "year": int(year), "units": int(n)})
    for name, frame in (
        ("PAR Index (provinces)", cc.load_par_index("province")),
        ("SIPAS", cc.load_sipas()),
    ):
        known = frame[frame["value"].notna() | frame["rank"].notna()]
        for year, n in known.groupby("year")["unit_code"].nunique().items():
            rows.append({"index": name, "year": int(year), "units": int(n)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        qd = cc.load_qd766("province")
    for when, n in qd.groupby("snapshot_date")["unit_key"].nunique().items():
        rows.append(
            {"index": "QĐ 766 (34 provinces)", "year": pd.Timestamp(when).year, "units": int(n)}
        )
    cov = pd.DataFrame(rows)
    return (
        cov.groupby(["index", "year"], sort=False)["units"]
        .max()
        .unstack("year")
        .reindex(columns=sorted(cov["year"].unique()))
    )


def data_page() -> str:
    """Datasets with licences and citations, coverage by year, and where the dictionary is."""
    from cchc_analysis import registry

    parts = sections(readme())
    files = pd.read_csv(paths.PACKAGE_DATA / "datasets.csv", dtype=str)
    rows = []
    for name in registry.datasets():
        mine = files[files["dataset"] == name]
        # one citation per file, differing only in the pinned commit or the year: show the first
        citations = list(dict.fromkeys(mine["citation"]))
        citation = citations[0] + (
            f" (and {len(citations) - 1} more, one per file: `python -m cchc_analysis datasets -v`)"
            if len(citations) > 1
            else ""
        )
        rows.append(
            {
                "dataset": name,
                "files": len(mine),
                "bytes": f"{mine['size'].astype(int).sum():,}",
                "licence": "; ".join(dict.fromkeys(mine["licence"])),
                "citation": citation,
            }
        )
    cov = _coverage()
    cov_table = cov.reset_index().rename(columns={"index": "index"})
    cov_table.columns = [str(c) for c in cov_table.columns]
    digits = {c: 0 for c in cov_table.columns}
    availability = unlink_relative(parts.get("Data availability", ""))
    return f"""# Data

{availability}

## Registered downloads

Each file is pinned to a commit and checked by sha256 when `python -m cchc_analysis fetch`
downloads it (`python -m cchc_analysis datasets -v` lists every file and URL).

{table(pd.DataFrame(rows))}

## Coverage

Units with a published value (or, for the PAR Index and SIPAS, a published rank) per year,
counted from the package's loaders (`load_papi`, `load_par_index`, `load_sipas`, `load_qd766`);
for QĐ 766 the year of its snapshots. An en dash: nothing published in reusable form.

{table(cov_table, digits)}

## Data dictionary

Every column of every processed table is described in the [data dictionary](data-dictionary.md),
generated from `cchc_analysis/data/fields.csv` by `python -m cchc_analysis build`.
"""


def data_dictionary_page() -> str:
    """The generated data dictionary, as built."""
    path = paths.PROCESSED / "DATA_DICTIONARY.md"
    text = path.read_text(encoding="utf-8")
    if not text.lstrip().startswith("# "):
        text = "# Data dictionary\n\n" + text
    return unlink_relative(text)


# --- API reference ----------------------------------------------------------------------------


def _module_line(module: str) -> str:
    import importlib

    doc = inspect.getdoc(importlib.import_module(f"cchc_analysis.{module}")) or ""
    first = doc.strip().split("\n\n")[0].replace("\n", " ")
    return first


def api_page() -> str:
    """Every public name of ``cchc_analysis.__all__``, grouped by the module that defines it."""
    import cchc_analysis as cc

    by_module: dict[str, list[str]] = {}
    for name in sorted(cc._EXPORTS, key=str.lower):
        by_module.setdefault(cc._EXPORTS[name], []).append(name)
    lines = [
        "# API reference",
        "",
        "Every public name of `cchc_analysis` (`import cchc_analysis as cc`), from its docstring,",
        "grouped by the module that defines it, each with the example its docstring gives",
        "(examples that read data need `make data` first).",
        "",
        "```{eval-rst}",
        ".. currentmodule:: cchc_analysis",
        "",
        ".. autosummary::",
        "   :nosignatures:",
        "",
        *[f"   {name}" for name in sorted(cc._EXPORTS, key=str.lower)],
        "```",
        "",
    ]
    for module in sorted(by_module):
        lines += [f"## `{module}`", "", _module_line(module), "", "```{eval-rst}"]
        lines += [".. currentmodule:: cchc_analysis", ""]
        for name in by_module[module]:
            obj = getattr(cc, name)
            if inspect.isclass(obj) and issubclass(obj, BaseException):
                lines += [f".. autoexception:: {name}", ""]
            elif inspect.isclass(obj):
                lines += [f".. autoclass:: {name}", "   :members:", ""]
            elif callable(obj):
                lines += [f".. autofunction:: {name}", ""]
            else:
                lines += [f".. autodata:: {name}", "   :annotation:", ""]
        lines += ["```", ""]
    return "\n".join(lines)


# --- figure gallery ---------------------------------------------------------------------------


def readme_figures() -> pd.DataFrame:
    """The README's figure table: ``name``, ``notebook`` (its two-digit number), ``caption``."""
    parts = sections(readme())
    rows = []
    for line in parts.get("Figures", "").splitlines():
        m = re.match(r"^\|\s*`([0-9]{2}_[^`]+)`\s*\|\s*([^|]*)\|\s*(.*)\|\s*$", line)
        if m:
            rows.append(
                {"name": m.group(1), "notebook": m.group(1)[:2], "caption": m.group(3).strip()}
            )
    return pd.DataFrame(rows, columns=["name", "notebook", "caption"])


def gallery_page(notebooks: list[Notebook], src: Path) -> tuple[str, int]:
    """Every figure in ``reports/figures/`` with its caption and a link to the notebook that makes
    it; figures of the README's table first, in its order. Returns the page and the count."""
    by_number = {nb.number: nb for nb in notebooks}
    listed = readme_figures()
    captions = dict(zip(listed["name"], listed["caption"], strict=True))
    made = {p.stem for p in paths.FIGURES.glob("*.png")}
    order = [n for n in listed["name"] if n in made] + sorted(made - set(listed["name"]))
    target = src / "gallery"
    target.mkdir(parents=True, exist_ok=True)
    blocks = []
    for name in order:
        shutil.copyfile(paths.FIGURES / f"{name}.png", target / f"{name}.png")
        nb = by_number.get(name[:2])
        where = f"[{nb.title}]({nb.page}.ipynb)" if nb else "a notebook not in this build"
        caption = captions.get(name, "not described in the README's figure table")
        caption = caption[:1].upper() + caption[1:]
        blocks.append(
            f"### {name}\n\n{{.gallery-figure}}\n![{caption}](gallery/{name}.png)\n\n"
            f"{caption}. Made by {where}; file `reports/figures/{name}.png`.\n"
        )
    missing = [n for n in listed["name"] if n not in made]
    note = ""
    if missing:
        note = (
            "\n## Listed in the README, not made by this run\n\n"
            + "\n".join(f"- `{n}`: {captions[n]}" for n in missing)
            + "\n"
        )
    head = (
        "# Figure gallery\n\nEvery figure written to `reports/figures/` by the executed notebooks "
        f"({len(order)} here), each linked to the notebook that makes it. Captions come from the "
        "README's figure table.\n\n"
    )
    return head + "\n".join(blocks) + note, len(order)


def write(src: Path, name: str, text: str) -> None:
    """Write one page (``name`` relative to ``src``) atomically."""
    write_atomic(src / name, text)
