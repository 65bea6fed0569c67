"""Registry and fetch: real HTTP downloads through pooch from a local server, mirror copies, and
every way a transfer can go wrong (corrupted, missing, unreachable) leaving nothing behind."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
import shutil
import socket
import stat
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from cchc_analysis import paths, registry
from cchc_analysis.__main__ import main
from cchc_analysis.download import DownloadError, fetch, fetch_file, sha256
from cchc_analysis.errors import CchcDataError, ChecksumError

PINNED = {
    "papi": "https://raw.githubusercontent.com/hnks-gh/ml-mcdm/035ed0137ea6768bf25920e0f5184a403f369fd5/",
    "papi_workbook": "https://raw.githubusercontent.com/mdtrinh/vietnamdata/be581b8d5b1f0c6a747199fe23d8a77e55396e17/",
    "pci_workbooks": "https://raw.githubusercontent.com/mdtrinh/vietnamdata/be581b8d5b1f0c6a747199fe23d8a77e55396e17/data-raw/PCI/",
    "pci_panel": "https://raw.githubusercontent.com/tnguyentranphuoc-commits/ENTREPRENEURSHIP-INVESTMENT-AND-REGIONAL-ECONOMIC-DEVELOPMENT-IN-VIETNAM-A-PANEL-APPROACH/7ed8cec06e43317ff4916526f61895c40d3f1a2b/",
    # one commit per crawl: each URL is pinned to its own commit (checked below)
    "qd766": "https://raw.githubusercontent.com/duynghiaqn/Crawler-766/",
    "provinces_2025_codes": "https://raw.githubusercontent.com/thanglequoc/vietnamese-provinces-database/cd58063299585146ded3981f2272946ef19ced54/",
}


@pytest.fixture(scope="module")
def raw_files() -> list[Path]:
    """Every registered file, verified, in the configured raw folder (copied from CCHC_MIRROR)."""
    return fetch()


@pytest.fixture(scope="module")
def local_mirror(raw_files, tmp_path_factory) -> Path:
    """A mirror laid out as <host>/<path>, rebuilt in tmp from the verified raw files."""
    root = tmp_path_factory.mktemp("mirror")
    for entry in registry.files():
        target = entry.mirror_path(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(entry.path, target)
    return root


class _Server:
    def __init__(self, root: Path):
        self.requests: list[str] = []
        log = self.requests

        class Handler(SimpleHTTPRequestHandler):
            def log_message(self, format, *args):  # keep test output clean; record the path
                log.append(self.path)

        handler = functools.partial(Handler, directory=str(root))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url_for(self, entry: registry.RawFile) -> str:
        parts = urlsplit(entry.url)
        return f"{self.base}/{parts.netloc}{parts.path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def server(local_mirror):
    srv = _Server(local_mirror)
    yield srv
    srv.close()


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """An empty data folder, and no mirror: fetches must go over HTTP unless told otherwise."""
    monkeypatch.setenv("CCHC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CCHC_MIRROR", raising=False)
    return tmp_path / "data"


def _left_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# --- registry ----------------------------------------------------------------------------------


def test_registry_lists_pinned_files_with_provenance():
    assert registry.datasets() == [
        "papi",
        "papi_workbook",
        "pci_workbooks",
        "pci_panel",
        "qd766",
        "provinces_2025_codes",
    ]
    papi = registry.files("papi")
    assert {f.file for f in papi} >= {f"csv/{y}.csv" for y in range(2011, 2025)} | {"LICENSE"}
    for entry in registry.files():
        assert entry.url.startswith(PINNED[entry.dataset])
        assert re.search(r"/[0-9a-f]{40}/", entry.url), f"{entry.label} is not pinned to a commit"
        assert len(entry.sha256) == 64 and int(entry.sha256, 16) >= 0
        assert entry.size > 0 and entry.licence and entry.citation and entry.description
        assert entry.path == paths.RAW / entry.dataset / entry.file
    info = registry.provenance("papi_workbook")
    assert info["licence"] == "CC0-1.0"
    assert "PAPI" in info["citation"] and "mdtrinh/vietnamdata" in info["citation"]


def test_registry_rejects_unknown_dataset():
    with pytest.raises(CchcDataError, match=r"unknown dataset 'pci'.*papi, papi_workbook"):
        registry.files("pci")


def test_fetched_files_match_registered_size_and_checksum(raw_files):
    for entry, path in zip(registry.files(), raw_files, strict=True):
        assert path == entry.path
        assert path.stat().st_size == entry.size
        assert sha256(path) == entry.sha256
        assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


# --- the real HTTP path --------------------------------------------------------------------------


@pytest.mark.network
def test_http_download_through_pooch(server, data_dir):
    entries = [registry.files("papi_workbook")[0], registry.files("papi")[4]]
    for entry in entries:
        local = dataclasses.replace(entry, url=server.url_for(entry))
        path = fetch_file(local)
        assert path == data_dir / "raw" / entry.dataset / entry.file
        assert sha256(path) == entry.sha256
        assert not path.stat().st_mode & stat.S_IWUSR, "raw files land read-only"
    assert [urlsplit(server.url_for(e)).path for e in entries] == server.requests
    # Already present with the right checksum: not fetched again.
    fetch_file(dataclasses.replace(entries[0], url=server.url_for(entries[0])))
    assert len(server.requests) == 2
    assert not [p for p in _left_in(data_dir) if p.name.endswith(".part")]


@pytest.mark.network
def test_corrupted_download_is_rejected_and_leaves_nothing(local_mirror, data_dir, tmp_path):
    entry = registry.files("papi")[3]
    corrupt_root = tmp_path / "served"
    served = entry.mirror_path(corrupt_root)
    served.parent.mkdir(parents=True)
    data = bytearray(entry.mirror_path(local_mirror).read_bytes())
    data[100] = ord("9") if data[100] != ord("9") else ord("8")  # one changed digit
    served.write_bytes(bytes(data))
    actual = hashlib.sha256(data).hexdigest()
    srv = _Server(corrupt_root)
    try:
        with pytest.raises(ChecksumError) as info:
            fetch_file(dataclasses.replace(entry, url=srv.url_for(entry)))
    finally:
        srv.close()
    message = str(info.value)
    assert entry.sha256 in message and actual in message
    assert entry.label in message and srv.base in message
    assert _left_in(data_dir) == []


@pytest.mark.network
def test_http_error_names_file_and_url(server, data_dir):
    entry = registry.files("papi")[0]
    bad = dataclasses.replace(entry, url=f"{server.base}/no/such/file.csv")
    with pytest.raises(DownloadError, match=r"papi/csv/2011\.csv.*/no/such/file\.csv.*404"):
        fetch_file(bad)
    assert _left_in(data_dir) == []


def test_unreachable_server_says_what_to_do(data_dir):
    with socket.socket() as sock:  # a port that was free a moment ago: connection refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    entry = registry.files("papi")[0]
    url = f"http://127.0.0.1:{port}/2011.csv"
    with pytest.raises(DownloadError) as info:
        fetch_file(dataclasses.replace(entry, url=url))
    assert url in str(info.value) and "CCHC_MIRROR" in str(info.value)
    assert _left_in(data_dir) == []


# --- the mirror path ----------------------------------------------------------------------------


def test_mirror_copy(local_mirror, data_dir, monkeypatch):
    monkeypatch.setenv("CCHC_MIRROR", str(local_mirror))
    got = fetch("papi")
    assert [p.relative_to(data_dir / "raw" / "papi").as_posix() for p in got] == [
        f.file for f in registry.files("papi")
    ]
    assert all(sha256(p) == f.sha256 for p, f in zip(got, registry.files("papi"), strict=True))


def test_file_missing_in_mirror(data_dir, tmp_path, monkeypatch):
    empty = tmp_path / "empty-mirror"
    empty.mkdir()
    monkeypatch.setenv("CCHC_MIRROR", str(empty))
    entry = registry.files("papi_workbook")[0]
    with pytest.raises(DownloadError) as info:
        fetch("papi_workbook")
    message = str(info.value)
    assert entry.label in message and str(entry.mirror_path(empty)) in message
    assert entry.url in message and "unset CCHC_MIRROR" in message
    assert _left_in(data_dir) == []


def test_wrong_mirror_file_is_rejected(local_mirror, data_dir, tmp_path, monkeypatch):
    mirror = tmp_path / "other-mirror"
    entry = registry.files("papi")[0]
    wrong = registry.files("papi")[1]  # the 2012 file where 2011 is expected
    target = entry.mirror_path(mirror)
    target.parent.mkdir(parents=True)
    shutil.copyfile(wrong.mirror_path(local_mirror), target)
    monkeypatch.setenv("CCHC_MIRROR", str(mirror))
    with pytest.raises(ChecksumError) as info:
        fetch_file(entry)
    assert entry.sha256 in str(info.value) and wrong.sha256 in str(info.value)
    assert _left_in(data_dir) == []


def test_present_file_with_wrong_checksum_is_never_overwritten(local_mirror, data_dir, monkeypatch):
    monkeypatch.setenv("CCHC_MIRROR", str(local_mirror))
    entry = registry.files("papi")[0]
    entry.path.parent.mkdir(parents=True)
    entry.path.write_bytes(b"Province,SC11\n")
    with pytest.raises(ChecksumError, match="never overwritten: delete it"):
        fetch_file(entry)
    assert entry.path.read_bytes() == b"Province,SC11\n"


# --- command line -------------------------------------------------------------------------------


def test_cli_fetch_and_datasets(local_mirror, data_dir, monkeypatch, capsys):
    monkeypatch.setenv("CCHC_MIRROR", str(local_mirror))
    assert main(["fetch", "papi_workbook"]) == 0
    assert "papi_workbook: 1 files verified" in capsys.readouterr().out
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert "licence:  MIT" in out and "licence:  CC0-1.0" in out and "citation:" in out


def test_cli_reports_errors_without_traceback(data_dir, tmp_path, monkeypatch, capsys):
    assert main(["fetch", "nope"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: unknown dataset 'nope'") and "Traceback" not in err
    monkeypatch.setenv("CCHC_MIRROR", str(tmp_path / "nowhere"))
    assert main(["fetch", "papi"]) == 1
    assert "not found in the mirror" in capsys.readouterr().err


def test_cli_notebooks_reports_an_unknown_name(capsys):
    assert main(["notebooks", "no-such-notebook"]) == 1
    assert "error: no notebook matches ['no-such-notebook']" in capsys.readouterr().err
