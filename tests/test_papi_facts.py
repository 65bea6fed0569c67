"""PAPI's national survey figures: the shipped file, its agreement with papi_notes.md, and clear
errors for damaged copies."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd
import pytest

import cchc_analysis as cc
from cchc_analysis import paths
from cchc_analysis.errors import CchcDataError, DataValidationError
from cchc_analysis.sources.papi_facts import COLUMNS, FILE, load_papi_national_facts

SHIPPED = paths.FACTS / FILE


@pytest.fixture(scope="module")
def facts() -> pd.DataFrame:
    return load_papi_national_facts()


def test_shape_and_types(facts):
    assert list(facts.columns) == [*COLUMNS, "source_row"]
    assert len(facts) == 6
    assert list(facts["source_row"]) == list(range(2, 8))
    assert facts["year"].dtype == "int64" and facts["value"].dtype == "float64"
    assert set(facts["scope"]) == {"national"}
    assert not facts.duplicated(["year", "scope", "measure"]).any()
    assert cc.load_papi_national_facts is load_papi_national_facts


def test_portal_use_as_compiled(facts):
    portal = facts[facts["measure"] == "national_portal_use_pct"].set_index("year")
    assert portal["value"].to_dict() == {2020: 4.05, 2021: 4.11, 2022: 4.85}
    assert (portal["value_as_published"] == ["4.05%", "4.11%", "4.85%"]).all()
    assert portal["source_url"].isna().all()
    assert portal["source"].str.contains("URL not recorded").all()
    assert portal["source"].str.startswith("PAPI annual reports 2020–2022").all()


def test_home_internet_has_its_page(facts):
    internet = facts[facts["measure"] == "home_internet_use_pct"].set_index("year")
    assert internet["value"].to_dict() == {2016: 31.0, 2022: 75.0, 2023: 80.0}
    assert internet["source_url"].str.startswith("https://www.quanlynhanuoc.vn/2024/04/30/").all()


def test_portal_figures_match_papi_notes(facts):
    notes = (paths.FACTS / "papi_notes.md").read_text(encoding="utf-8")
    line = re.search(
        r"National Public Service Portal \(PAPI survey\):(.*?)of respondents", notes, re.S
    )
    assert line is not None
    in_notes = {int(y): float(v) for v, y in re.findall(r"([\d.]+)% \((\d{4})\)", line.group(1))}
    portal = facts[facts["measure"] == "national_portal_use_pct"]
    assert dict(zip(portal["year"], portal["value"], strict=True)) == in_notes


def test_file_is_nfc_with_crlf_line_endings():
    raw = SHIPPED.read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n") == 7
    text = raw.decode("utf-8")
    assert unicodedata.normalize("NFC", text) == text


def test_deterministic(facts):
    pd.testing.assert_frame_equal(load_papi_national_facts(), facts)


# --- damaged copies ----------------------------------------------------------------------------


def _write(tmp_path, lines: list[str]):
    path = tmp_path / FILE
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def _rows() -> list[str]:
    return SHIPPED.read_text(encoding="utf-8").splitlines()


def test_missing_file_is_named(tmp_path):
    with pytest.raises(CchcDataError, match="not found"):
        load_papi_national_facts(tmp_path / FILE)


def test_wrong_header_names_line_1(tmp_path):
    lines = _rows()
    lines[0] = lines[0].replace("source_url", "url")
    with pytest.raises(
        DataValidationError,
        match=r"columns are exactly.*rows 1: missing \['source_url'\]; extra \['url'\]",
    ):
        load_papi_national_facts(_write(tmp_path, lines))


def test_value_must_match_its_published_text(tmp_path):
    lines = _rows()
    lines[2] = lines[2].replace(",4.11,", ",4.21,", 1)
    with pytest.raises(
        DataValidationError, match=r"value_as_published.*rows 3: line 3: value 4\.21"
    ):
        load_papi_national_facts(_write(tmp_path, lines))


def test_decimal_comma_in_value_is_named(tmp_path):
    lines = _rows()
    lines[1] = lines[1].replace(",4.05,", ',"4,05",', 1)
    with pytest.raises(DataValidationError, match=r"dot-decimal number.*rows 2: got \['4,05'\]"):
        load_papi_national_facts(_write(tmp_path, lines))


def test_unknown_measure_is_named(tmp_path):
    lines = _rows()
    lines[1] = lines[1].replace("national_portal_use_pct", "portal_pct", 1)
    with pytest.raises(
        DataValidationError, match=r"measure: isin.*rows 2: failing values 'portal_pct'"
    ):
        load_papi_national_facts(_write(tmp_path, lines))


def test_a_row_without_url_must_say_so(tmp_path):
    lines = _rows()
    lines[1] = lines[1].replace("; page URL not recorded", "", 1)
    with pytest.raises(DataValidationError, match=r"URL not recorded.*rows 2:"):
        load_papi_national_facts(_write(tmp_path, lines))


def test_repeated_fact_is_named(tmp_path):
    lines = _rows()
    with pytest.raises(DataValidationError, match=r"uniqueness. failed; rows 2, 8"):
        load_papi_national_facts(_write(tmp_path, [*lines, lines[1]]))


def test_short_row_is_named(tmp_path):
    lines = _rows()
    with pytest.raises(
        DataValidationError,
        match=r"every row has 8 fields like the header' failed; rows 8: line 8 has 3",
    ):
        load_papi_national_facts(_write(tmp_path, [*lines, "2024,national,home_internet_use_pct"]))
