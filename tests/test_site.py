"""The browsable compendium (``make site``): every page generated from the package, no broken
internal link or missing image, provinces found by name with or without diacritics, and the
pages as a reader sees them in headless Chromium (screenshots in ``reports/site-screenshots/``).

The ``site`` tests build the site when it is missing or older than what it is made from (the
executed notebooks of ``make reproduce``, the generator, ``docs/conf.py``); CI builds it with
``make site`` before ``make test``.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import shutil
import struct
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pandas as pd
import pytest

from cchc_analysis import paths
from cchc_analysis.site import SiteError, prepare_sources
from cchc_analysis.site._markdown import sections, slugify, table, unlink_relative, write_atomic
from cchc_analysis.site.province_pages import registry

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = paths.REPORTS / "site-screenshots"


# --- the generator's helpers (fast, no build) ---------------------------------------------------


def test_sections_split_at_headings_but_not_inside_code():
    text = "# T\nintro\n## A\n```bash\n## not a heading\n```\n## B\nb\n"
    parts = sections(text)
    assert list(parts) == ["", "A", "B"]
    assert "## not a heading" in parts["A"]
    assert parts["B"].strip() == "b"


def test_relative_links_become_code_spans_and_web_links_stay():
    text = "see [`data/raw/README.md`](data/raw/README.md), [x](https://a.org) and [y](#z)"
    out = unlink_relative(text)
    assert "(data/raw/README.md)" not in out and "`data/raw/README.md`" in out
    assert "[x](https://a.org)" in out and "[y](#z)" in out


def test_table_rounds_and_marks_missing_values():
    t = pd.DataFrame({"year": [2024.0, 2023.0], "v": [1.234, float("nan")], "n": ["a|b", None]})
    out = table(t, {"year": 0})
    assert "| 2024 | 1.23 | a\\|b |" in out
    assert "| 2023 | – | – |" in out


def test_write_atomic_leaves_no_temporary_file(tmp_path):
    write_atomic(tmp_path / "a" / "p.md", "Đồng Tháp")
    assert (tmp_path / "a" / "p.md").read_text(encoding="utf-8") == "Đồng Tháp"
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["p.md"]


def test_slugs_are_ascii_and_unique_in_each_era():
    former, new = registry()
    assert len(former) == 63 and len(new) == 34
    for units in (former, new):
        slugs = [u.slug for u in units]
        assert len(set(slugs)) == len(slugs)
        assert all(re.fullmatch(r"[a-z0-9-]+", s) for s in slugs)
    assert slugify("Ba Ria - Vung Tau") == "ba-ria-vung-tau"
    # every former province's successor exists among the 34, and the 34 cover all 63
    assert {f.successor_slug for f in former} == {n.slug for n in new}
    assert sorted(c for n in new for c in n.former_codes) == sorted(f.code for f in former)


def test_missing_executed_notebooks_name_the_command(tmp_path):
    with pytest.raises(SiteError, match=r"make reproduce"):
        prepare_sources(tmp_path / "src", executed=tmp_path / "nothing-here")


# --- the built site -----------------------------------------------------------------------------


def _inputs_newer_than(stamp: Path) -> bool:
    made = stamp.stat().st_mtime
    inputs = [
        *(paths.REPORTS / "executed").glob("*.ipynb"),
        *(ROOT / "cchc_analysis" / "site").glob("*.py"),
        ROOT / "docs" / "conf.py",
    ]
    return any(p.stat().st_mtime > made for p in inputs if p.exists())


@pytest.fixture(scope="session")
def site(reports_lock) -> Path:
    out = paths.REPORTS / "site"
    index = out / "index.html"
    with reports_lock():  # another worker may be executing the notebooks or building the site
        if not index.is_file() or _inputs_newer_than(index):
            from cchc_analysis import notebooks
            from cchc_analysis.site import build_site

            stale = [
                p.name for p in notebooks.notebook_paths() if notebooks.current_copy(p) is None
            ]
            if stale:
                # `make test` without `make reproduce` first (or after a change): execute them
                # here, as `make reproduce` would, so the README's test command is self-sufficient.
                notebooks.run_notebooks(stale)
            build_site(out)
    return out


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.images: list[str] = []
        self.ids: set[str] = set()
        self.problematic = 0  # docutils marks markup it could not resolve (e.g. |x| in a docstring)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "problematic" in (a.get("class") or "").split():
            self.problematic += 1
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "img" and a.get("src"):
            self.images.append(a["src"])
        elif tag == "link" and a.get("href") and a.get("rel") in ("stylesheet", "icon"):
            self.links.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.images.append(a["src"])


def _parse(page: Path) -> _Refs:
    parser = _Refs()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def _internal(ref: str) -> bool:
    parts = urlsplit(ref)
    return not parts.scheme and not parts.netloc and not ref.startswith(("mailto:", "javascript:"))


@pytest.fixture(scope="module")
def parsed_pages(site) -> dict[Path, _Refs]:
    """The links, images and anchors of every page, parsed once for the tests below."""
    # _static/ holds the theme's template macros, not pages
    pages = sorted(p for p in site.rglob("*.html") if "_static" not in p.parts)
    return {page: _parse(page) for page in pages}


@pytest.mark.site
@pytest.mark.slow
def test_no_broken_internal_link_or_missing_image(site, parsed_pages):
    assert len(parsed_pages) > 100
    exists: dict[Path, bool] = {}  # every page links the whole navigation: look each file up once
    broken = []
    for page, refs in parsed_pages.items():
        for ref in refs.links + refs.images:
            if not _internal(ref):
                continue
            parts = urlsplit(ref)
            where = os.path.normpath(page.parent / unquote(parts.path)) if parts.path else page
            target = Path(where)
            if target not in exists:
                exists[target] = target.exists()
            if not exists[target]:
                broken.append(f"{page.relative_to(site)} -> {ref}")
                continue
            if parts.fragment and target.suffix == ".html":
                anchors = (parsed_pages.get(target) or _parse(target)).ids
                if unquote(parts.fragment) not in anchors:
                    broken.append(f"{page.relative_to(site)} -> {ref} (no such anchor)")
    assert not broken, f"{len(broken)} broken: " + "; ".join(broken[:20])


@pytest.mark.site
@pytest.mark.slow
def test_no_page_shows_markup_sphinx_could_not_resolve(site, parsed_pages):
    bad = {p.relative_to(site): r.problematic for p, r in parsed_pages.items() if r.problematic}
    assert not bad, f"unresolved reStructuredText (a docstring's |x| or `x`_?): {bad}"


@pytest.mark.site
@pytest.mark.slow
def test_build_leaves_nothing_outside_its_folders(site):
    """Only reports/site/ and reports/site-build/ are written (myst-nb's scratch folder included)."""
    assert not (site.parent / "jupyter_execute").exists()
    assert not list(site.parent.glob("site.*"))


@pytest.mark.site
@pytest.mark.slow
def test_pages_load_no_script_style_or_image_from_the_network(site, parsed_pages):
    """Offline reading: every script, stylesheet and image ships with the site."""
    remote = []
    for page, refs in parsed_pages.items():
        resources = refs.images + [h for h in refs.links if h.endswith((".css", ".ico", ".svg"))]
        remote += [f"{page.relative_to(site)}: {r}" for r in resources if not _internal(r)]
    assert not remote, "; ".join(remote[:10])


@pytest.mark.site
@pytest.mark.slow
def test_every_page_the_issue_asks_for_is_there(site):
    for page in ("index", "quickstart", "data", "data-dictionary", "api", "gallery"):
        assert (site / f"{page}.html").is_file(), page
    for nb in (paths.REPORTS / "executed").glob("[0-9][0-9]_*.ipynb"):
        assert (site / "notebooks" / f"{nb.stem}.html").is_file(), nb.name
    api = (site / "api.html").read_text(encoding="utf-8")
    import cchc_analysis as cc

    undocumented = [
        n for n in cc.__all__ if n != "__version__" and f'id="cchc_analysis.{n}"' not in api
    ]
    assert not undocumented, f"not in the API reference: {undocumented}"
    gallery = (site / "gallery.html").read_text(encoding="utf-8")
    assert gallery.count("<img") >= len(list(paths.FIGURES.glob("*.png")))
    assert 'href="notebooks/' in gallery


@pytest.mark.site
@pytest.mark.slow
def test_former_and_new_provinces_link_both_ways(site):
    former, new = registry()
    for f in former:
        page = site / "provinces" / f"{f.slug}.html"
        text = page.read_text(encoding="utf-8")
        assert f"<h1>{f.name}" in text, f.slug
        assert f'href="../provinces-2025/{f.successor_slug}.html"' in text, f.slug
        # each former province's PAPI profile, all 63 of them (tests/test_answers.py profiles one
        # province per pattern of ranked years)
        for section in ("What moved it in the latest change", "How sure", "Points to climb"):
            assert section in text, (f.slug, section)
    for n in new:
        text = (site / "provinces-2025" / f"{n.slug}.html").read_text(encoding="utf-8")
        for f in former:
            if f.code in n.former_codes:
                assert f'href="../provinces/{f.slug}.html"' in text, (n.slug, f.slug)
    index = (site / "provinces" / "index.html").read_text(encoding="utf-8")
    assert index.count('href="../provinces-2025/') >= 34 + 63


@pytest.mark.site
@pytest.mark.slow
def test_province_page_says_how_sure_once_in_the_profile_figures_words(site):
    import cchc_analysis as cc

    text = re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", (site / "provinces/dong-thap.html").read_text())
    )
    profile = cc.province_profile("Đồng Tháp", n_draws=200)
    noise = [x for x in profile.how_sure_lines() if "survey sampling noise" in x]
    assert len(noise) == 2 and "P(really moved up) = 0.47" in noise[0]
    for line in noise:  # the same sentence as the profile figure, once, under "How sure"
        assert text.count(html.escape(line, quote=False)) == 1, line
    assert text.count("P(really moved up)") == 1


def _search_hits(site: Path, word: str) -> set[str]:
    raw = (site / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(raw[raw.index("(") + 1 : raw.rindex(")")])
    docs = index["docnames"]
    hits: set[str] = set()
    for key in ("terms", "titleterms"):
        found = index[key].get(word)
        if found is None:
            continue
        for i in [found] if isinstance(found, int) else found:
            hits.add(docs[i])
    return hits


@pytest.mark.site
@pytest.mark.slow
def test_search_index_knows_names_with_and_without_diacritics(site):
    # the words as the theme's search looks them up (lower case; these are their own stems)
    assert "provinces/dong-thap" in _search_hits(site, "đồng") & _search_hits(site, "tháp")
    assert "provinces/dong-thap" in _search_hits(site, "dong") & _search_hits(site, "thap")
    assert "provinces-2025/dong-thap" in _search_hits(site, "dong")


# --- in headless Chromium ------------------------------------------------------------------------


def _notebook_page() -> tuple[str, str]:
    """The ranking-drivers notebook (02), or the first one if the notebooks were renumbered,
    with its title as the text to find."""
    from cchc_analysis.site.pages import executed_notebooks

    found = executed_notebooks(paths.REPORTS / "executed")
    if not found:
        return "notebooks/missing.html", "run make reproduce"
    nb = next((n for n in found if n.number == "02"), found[0])
    return f"{nb.page}.html", nb.title


BROWSER_PAGES = {
    "home": ("index.html", "cải cách hành chính"),
    "notebook": _notebook_page(),
    "api": ("api.html", "province_profile"),
    "province-former": ("provinces/dong-thap.html", "Đồng Tháp"),
    "province-2025": ("provinces-2025/tuyen-quang.html", "Tuyên Quang"),
}


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail(
            "the site tests need Debian's chromium: apt-get install -y chromium "
            "(.ci/run installs it when missing)"
        )
    return found


class _Chromium:
    """One headless Chromium driven over its DevTools pipe (``--remote-debugging-pipe``: JSON
    commands on its fd 3, replies and events on its fd 4, each message ended by a NUL byte).

    One browser for every page: a Chromium started per page cost about 2.4 s of CPU each, and
    the seven of them most of the site tests' time.
    """

    def __init__(self, profile: Path) -> None:
        to_browser, from_browser = os.pipe(), os.pipe()
        ends = (to_browser[0], from_browser[1])

        def as_fd_3_and_4() -> None:  # in the child, before it runs Chromium
            high = [os.dup2(fd, 100 + i) for i, fd in enumerate(ends)]
            for target, fd in zip((3, 4), high, strict=True):
                os.dup2(fd, target)

        cmd = [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        self.log = profile.with_suffix(".log")
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                cmd, preexec_fn=as_fd_3_and_4, close_fds=False, stdout=log, stderr=log
            )
        for fd in ends:
            os.close(fd)
        self._out = os.fdopen(to_browser[1], "wb", buffering=0)
        self._in = os.fdopen(from_browser[0], "rb", buffering=0)
        self._buffer, self._id = b"", 0
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        attached = self.call("Target.attachToTarget", targetId=target, flatten=True)
        self.session = attached["sessionId"]

    def call(self, method: str, session: str | None = None, **params) -> dict:
        self._id += 1
        message = {"id": self._id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self._out.write(json.dumps(message).encode("utf-8") + b"\0")
        while True:  # events arrive in between; only the reply to this command matters
            while b"\0" not in self._buffer:
                chunk = self._in.read(1 << 16)
                if not chunk:
                    raise RuntimeError(f"Chromium closed: {self.log.read_text()[-2000:]}")
                self._buffer += chunk
            raw, self._buffer = self._buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    def evaluate(self, expression: str):
        result = self.call(
            "Runtime.evaluate",
            self.session,
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        return result["result"].get("value")

    def load(self, url: str, ready: str = "true", timeout: float = 30.0) -> str:
        """Open ``url``, wait until it has loaded, the JavaScript expression ``ready`` holds and
        its fonts are ready; return the rendered DOM."""
        self.call("Page.navigate", self.session, url=url)
        deadline = time.monotonic() + timeout
        while not self.evaluate(f"document.readyState === 'complete' && ({ready})"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url}: not ready after {timeout} s ({ready})")
            time.sleep(0.05)
        self.evaluate("document.fonts.ready.then(() => true)")
        return self.evaluate("document.documentElement.outerHTML")

    def screenshot(self, path: Path) -> None:
        data = self.call("Page.captureScreenshot", self.session, format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (OSError, RuntimeError):
            self.process.kill()
        self.process.wait(timeout=30)
        self._out.close()
        self._in.close()


SEARCHES = {"ascii": "Dong Thap", "diacritics": "Đồng Tháp"}


@pytest.fixture(scope="module")
def browser(site, tmp_path_factory) -> dict[str, str]:
    """Every page and search of the tests below as headless Chromium renders them (the DOM, by
    name), with a 1280 × 1000 screenshot of each page in ``reports/site-screenshots/``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    chromium = _Chromium(tmp_path_factory.mktemp("chromium") / "profile")
    size = {"width": 1280, "height": 1000, "deviceScaleFactor": 1, "mobile": False}
    chromium.call("Emulation.setDeviceMetricsOverride", chromium.session, **size)
    rendered = {}
    try:
        for name, (page, _) in BROWSER_PAGES.items():
            shot = SCREENSHOTS / f"{name}.png"
            shot.unlink(missing_ok=True)
            rendered[name] = chromium.load((site / page).as_uri())
            chromium.screenshot(shot)
        # Sphinx's search runs once the page has loaded, and says so in its summary line
        searched = "(document.querySelector('p.search-summary') || {}).innerText > ''"
        for name, query in SEARCHES.items():
            url = (site / "search.html").as_uri() + "?q=" + query.replace(" ", "+")
            rendered[f"search-{name}"] = chromium.load(url, ready=searched)
    finally:
        chromium.close()
    return rendered


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


@pytest.mark.site
@pytest.mark.slow
@pytest.mark.parametrize("name", BROWSER_PAGES)
def test_page_renders_in_chromium_with_its_diacritics(browser, name):
    page, expected = BROWSER_PAGES[name]
    shot = SCREENSHOTS / f"{name}.png"
    assert shot.is_file()
    text = re.sub(r"<[^>]+>", " ", browser[name])
    assert expected in text, f"{page}: {expected!r} not in the rendered page"
    assert _png_size(shot) == (1280, 1000)
    assert shot.stat().st_size > 20_000, f"{shot} looks blank"


@pytest.mark.site
@pytest.mark.slow
@pytest.mark.parametrize("name", SEARCHES)
def test_offline_search_finds_a_province_with_or_without_diacritics(browser, name):
    query = SEARCHES[name]
    dom = browser[f"search-{name}"]
    # the results list, not the navigation (which links every page anyway)
    found = re.search(r'<ul[^>]*class="search"[^>]*>(.*?)</ul>', dom, re.S)
    assert found, f"search for {query!r} gave no results list"
    hits = re.findall(r'href="([^"#]+)', found.group(1))
    assert hits[:2] == ["provinces/dong-thap.html", "provinces-2025/dong-thap.html"], hits
