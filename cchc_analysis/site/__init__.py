"""The browsable compendium: the notebooks, the API and a page per province, as one static site.

``python -m cchc_analysis site`` (``make site``) generates MyST pages into
``reports/site-build/src/`` and renders them with Sphinx, MyST-NB and the book theme into
``reports/site/`` (open ``reports/site/index.html``). The notebooks are shown as executed by
``make reproduce``; none is run again, and nothing is fetched from the network. The finished site
replaces the previous one in a single rename, so a failed build leaves the old site intact.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from cchc_analysis import paths
from cchc_analysis.errors import CchcDataError

__all__ = ["SiteError", "build_site", "prepare_sources"]


class SiteError(CchcDataError):
    """The site cannot be built: something it reads is missing, or Sphinx failed."""


def _confdir() -> Path:
    root = paths.REPO_ROOT
    conf = None if root is None else root / "docs" / "conf.py"
    if conf is None or not conf.is_file():
        raise SiteError(
            "docs/conf.py not found: the site is built from a source checkout of cchc-analysis"
        )
    return conf.parent


def _check_inputs(executed: Path) -> None:
    from cchc_analysis.notebooks import notebook_paths

    wanted = [p.name for p in notebook_paths()]
    have = {p.name for p in executed.glob("[0-9][0-9]_*.ipynb")} if executed.is_dir() else set()
    missing = [n for n in wanted if n not in have]
    if missing:
        raise SiteError(
            f"executed notebooks missing in {executed}: {', '.join(missing)}. The site shows the "
            "notebooks as executed, without running them: run `make reproduce` (or "
            "`python -m cchc_analysis notebooks`) first."
        )
    dictionary = paths.PROCESSED / "DATA_DICTIONARY.md"
    if not dictionary.is_file():
        raise SiteError(f"{dictionary} missing: run `make data` (python -m cchc_analysis build)")


def prepare_sources(src: Path, executed: Path | None = None, jobs: int = 2) -> dict[str, int]:
    """Write every page of the site (MyST Markdown, notebooks, figures) into ``src``.

    Returns counts: ``notebooks``, ``figures`` (gallery), ``provinces`` (pages).
    """
    from cchc_analysis.site import pages
    from cchc_analysis.site.province_pages import write_province_pages

    executed = executed or paths.REPORTS / "executed"
    _check_inputs(executed)
    notebooks = pages.executed_notebooks(executed)
    pages.copy_notebooks(notebooks, src)
    pages.write(src, "index.md", pages.overview_page(notebooks))
    pages.write(src, "quickstart.md", pages.quickstart_page())
    pages.write(src, "data.md", pages.data_page())
    pages.write(src, "data-dictionary.md", pages.data_dictionary_page())
    pages.write(src, "api.md", pages.api_page())
    gallery, n_figures = pages.gallery_page(notebooks, src)
    pages.write(src, "gallery.md", gallery)
    n_provinces = write_province_pages(src, jobs=jobs)
    return {"notebooks": len(notebooks), "figures": n_figures, "provinces": n_provinces}


def build_site(out: Path | None = None, *, jobs: int = 2, verbose: bool = False) -> Path:
    """Generate the pages and render them to ``out`` (default ``reports/site/``); return ``out``.

    Raises :class:`SiteError` naming the command to run when the executed notebooks or the data
    dictionary are missing, and with Sphinx's own message when rendering fails. Takes a few
    minutes (63 PAPI profiles, then Sphinx), after ``make reproduce``:

    >>> import cchc_analysis as cc
    >>> (cc.build_site() / "index.html").is_file()  # doctest: +SKIP
    True
    """
    out = Path(out) if out is not None else paths.REPORTS / "site"
    work = paths.REPORTS / "site-build"
    src = work / "src"
    confdir = _confdir()
    start = time.perf_counter()
    if src.exists():
        shutil.rmtree(src)  # stale pages of renamed notebooks must not survive
    src.mkdir(parents=True)
    counts = prepare_sources(src, jobs=jobs)
    generated = time.perf_counter() - start
    # Render inside the work folder (myst-nb writes its "jupyter_execute" scratch folder beside
    # the output), then move the finished site into place.
    staging = work / "html"
    if staging.exists():
        shutil.rmtree(staging)
    cmd = [
        sys.executable,
        "-m",
        "sphinx",
        "-b",
        "html",
        "-c",
        str(confdir),
        "-d",
        str(work / "doctrees"),
        "-j",
        str(jobs),
        "-q",
        str(src),
        str(staging),
    ]
    env = dict(os.environ, MPLBACKEND="Agg")
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    log = work / "sphinx-warnings.log"
    log.write_text(result.stderr, encoding="utf-8")
    if result.returncode != 0:
        raise SiteError(
            f"sphinx-build failed (exit {result.returncode}); its messages are in {log}:\n"
            + "\n".join(result.stderr.strip().splitlines()[-15:])
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        old = work / "previous-site"
        if old.exists():
            shutil.rmtree(old)
        out.rename(old)
        shutil.move(staging, out)
        shutil.rmtree(old)
    else:
        shutil.move(staging, out)
    # the theme's template macros under _static/ are not pages
    n_pages = sum(1 for p in out.rglob("*.html") if "_static" not in p.parts)
    n_warn = sum(1 for line in result.stderr.splitlines() if "WARNING" in line)
    print(
        f"site: {n_pages} pages ({counts['notebooks']} notebooks, {counts['provinces']} "
        f"provinces, {counts['figures']} gallery figures) in {time.perf_counter() - start:.0f} s "
        f"(pages generated in {generated:.0f} s); {n_warn} Sphinx warnings in {log}\n"
        f"open {out / 'index.html'}",
        flush=True,
    )
    if verbose and result.stderr:
        print(result.stderr, file=sys.stderr)
    return out
