"""District-level PAR facts (Phan Thiết 2016): the shipped values, and strict reading of bad input."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc_analysis import paths
from cchc_analysis.errors import CchcDataError, DataValidationError
from cchc_analysis.sources.par_district import COLUMNS, FILE, load_par_district, read_published
from cchc_analysis.text import format_vn_number

SHIPPED = paths.FACTS / FILE


@pytest.fixture(scope="module")
def facts():
    return load_par_district()


def _value(facts, field_or_component, measure):
    col = "component" if field_or_component == "TOTAL" else "field"
    rows = facts[(facts[col] == field_or_component) & (facts["measure"] == measure)]
    assert len(rows) == 1
    return rows.iloc[0]


# --- the shipped file --------------------------------------------------------------------------


def test_shape_and_keys(facts):
    assert list(facts.columns) == [
        "year", "unit", "unit_type", "province_code", "province", "index", "component", "field",
        "measure", "value", "value_as_published", "out_of", "source", "source_type", "decision",
        "note", "source_row",
    ]  # fmt: skip
    assert len(facts) == 22
    assert set(facts["year"]) == {2016}
    assert set(facts["unit"]) == {"Phan Thiết"}
    assert set(facts["unit_type"]) == {"district"}
    assert set(facts["province_code"]) == {"60"} and set(facts["province"]) == {"Bình Thuận"}
    assert not facts.duplicated(["year", "unit", "component", "measure"]).any()
    # eight contents plus the total
    assert facts["component"].nunique() == 9
    assert list(facts["source_row"]) == list(range(2, 24))


def test_headline_total_rank_and_grade(facts):
    total = _value(facts, "TOTAL", "points")
    assert total["value"] == 50.5 and total["value_as_published"] == "50,50 điểm"
    assert math.isnan(total["out_of"])  # the maximum of the district index is not stated
    rank = _value(facts, "TOTAL", "rank")
    assert (rank["value"], rank["out_of"]) == (4.0, 10.0)
    grade = _value(facts, "TOTAL", "classification")
    assert math.isnan(grade["value"]) and grade["value_as_published"] == "tốt"


@pytest.mark.parametrize(
    ("field", "change", "share"),
    [
        ("institutions", 0.25, 100.0),
        ("procedures", 1.5, 100.0),
        ("civil_service", 0.5, 92.86),
        ("direction", -0.25, 88.9),
        ("e_government", -0.25, 66.66),
        ("apparatus", 0.0, 100.0),
    ],
)
def test_component_changes_and_shares_as_published(facts, field, change, share):
    assert _value(facts, field, "change_vs_prev_points")["value"] == change
    assert _value(facts, field, "pct_of_max")["value"] == share


def test_reported_changes_add_to_one_and_three_quarters(facts):
    changes = facts[facts["measure"] == "change_vs_prev_points"]
    assert len(changes) == 8
    assert math.isclose(changes["value"].sum(), 1.75, abs_tol=1e-12)
    assert (changes["value"] > 0).sum() == 3 and (changes["value"] < 0).sum() == 2


def test_contents_without_a_field_are_explicit(facts):
    unmapped = facts.loc[facts["field"].isna() & (facts["component"] != "TOTAL"), "component"]
    assert set(unmapped.str.slice(0, 20)) == {"Tỷ lệ cơ quan hành c", "Thực hiện cơ chế một"}
    one_stop = facts[facts["component"].str.startswith("Thực hiện cơ chế một cửa")]
    points = one_stop[one_stop["measure"] == "points"].iloc[0]
    assert (points["value"], points["out_of"]) == (12.0, 12.5)


def test_sources_name_the_article_and_the_decision(facts):
    assert facts["source"].str.contains("Thành phố Phan Thiết ký cam kết trách nhiệm").all()
    assert facts["source"].str.contains("Nguyễn Quốc Duy – Phòng nội vụ Phan Thiết").all()
    assert (facts["decision"] == "QĐ 3883/QĐ-UBND ngày 29/12/2016 của UBND tỉnh Bình Thuận").all()


def test_file_keeps_crlf_line_endings():
    raw = SHIPPED.read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n") == 23


# --- reading values as published ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("measure", "text", "expected"),
    [
        ("change_vs_prev_points", "tăng 0,25 điểm", (0.25, math.nan)),
        ("change_vs_prev_points", "giảm 1,5 điểm", (-1.5, math.nan)),
        ("change_vs_prev_points", "duy trì điểm", (0.0, math.nan)),
        ("points", "12/12,5 điểm", (12.0, 12.5)),
        ("points", "50,50 điểm", (50.5, math.nan)),
        ("rank", "hạng 4/10", (4.0, 10.0)),
        ("pct_of_max", "92,86%", (92.86, math.nan)),
        ("classification", "tốt", (math.nan, math.nan)),
    ],
)
def test_read_published(measure, text, expected):
    got = read_published(measure, text)
    for g, e in zip(got, expected, strict=True):
        assert (math.isnan(g) and math.isnan(e)) or g == e


@pytest.mark.parametrize(
    ("measure", "text"),
    [
        ("change_vs_prev_points", "0,25 điểm"),  # direction word missing
        ("change_vs_prev_points", "tăng khoảng"),
        ("rank", "4/10"),
        ("pct_of_max", "gần 90%"),
    ],
)
def test_read_published_rejects_other_text(measure, text):
    with pytest.raises(ValueError, match="cannot read"):
        read_published(measure, text)


@given(
    st.decimals(min_value=0, max_value=99, places=2, allow_nan=False).map(float),
    st.sampled_from(["tăng", "giảm"]),
)
def test_change_round_trips_through_vietnamese_notation(x, word):
    text = f"{word} {format_vn_number(x, decimals=2)} điểm"
    value, out_of = read_published("change_vs_prev_points", text)
    assert value == (x if word == "tăng" else -x)
    assert math.isnan(out_of)


# --- bad input ---------------------------------------------------------------------------------


def _rows() -> list[list[str]]:
    with SHIPPED.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _write(tmp_path: Path, rows: list[list[str]]) -> Path:
    path = tmp_path / FILE
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(rows)
    return path


def _edit(tmp_path: Path, line: int, **cells: str) -> Path:
    """The shipped file with some cells of file line ``line`` (header = 1) replaced."""
    rows = _rows()
    for col, value in cells.items():
        rows[line - 1][COLUMNS.index(col)] = value
    return _write(tmp_path, rows)


def _fails(path: Path, rule: str, line: int | None = None) -> DataValidationError:
    with pytest.raises(DataValidationError) as info:
        load_par_district(path)
    err = info.value
    assert err.dataset == str(path)
    assert rule in err.rule, err
    if line is not None:
        assert line in err.rows, err
    return err


def test_a_copy_of_the_shipped_file_loads(tmp_path):
    assert load_par_district(_write(tmp_path, _rows())).equals(load_par_district())


def test_missing_file(tmp_path):
    with pytest.raises(CchcDataError, match="facts file not found"):
        load_par_district(tmp_path / FILE)


def test_wrong_header(tmp_path):
    rows = _rows()
    rows[0][COLUMNS.index("out_of")] = "max_points"
    _fails(_write(tmp_path, rows), "columns are exactly", 1)


def test_short_row(tmp_path):
    rows = _rows()
    rows[4] = rows[4][:-1]
    _fails(_write(tmp_path, rows), "every row has", 5)


def test_value_disagreeing_with_the_published_sign(tmp_path):
    # "giảm 0,25 điểm" is a fall: a positive value is a transcription error
    err = _fails(_edit(tmp_path, 11, value="0.25"), "value_as_published", 11)
    assert "giảm 0,25 điểm" in err.detail


def test_out_of_disagreeing_with_the_fraction(tmp_path):
    _fails(_edit(tmp_path, 22, out_of="13"), "value_as_published", 22)


def test_unreadable_published_text(tmp_path):
    err = _fails(_edit(tmp_path, 5, value_as_published="khoảng 0,25"), "value_as_published", 5)
    assert "cannot read" in err.detail


def test_comma_decimal_in_value_column(tmp_path):
    _fails(_edit(tmp_path, 2, value="50,5"), "dot-decimal", 2)


def test_unknown_measure(tmp_path):
    _fails(_edit(tmp_path, 6, measure="share"), "measure", 6)


def test_unknown_component(tmp_path):
    err = _fails(_edit(tmp_path, 7, component="Cải cách TTHC"), "par_district_components", 7)
    assert "Cải cách TTHC" in err.detail


def test_unknown_province(tmp_path):
    _fails(_edit(tmp_path, 2, province="Hà Tây"), "province is one of the 63", 2)


def test_share_above_100(tmp_path):
    _fails(_edit(tmp_path, 6, value="100.5", value_as_published="100,5%"), "pct_of_max", 6)


def test_rank_beyond_the_units_ranked(tmp_path):
    _fails(_edit(tmp_path, 3, value="11", value_as_published="hạng 11/10"), "out_of", 3)


def test_classification_with_a_number(tmp_path):
    _fails(_edit(tmp_path, 4, value="1"), "value given for every measure", 4)


def test_duplicated_fact(tmp_path):
    rows = _rows()
    err = _fails(_write(tmp_path, [*rows, rows[1]]), "uniqueness", 2)
    assert 24 in err.rows


def test_not_a_district(tmp_path):
    _fails(_edit(tmp_path, 2, unit_type="province"), "unit_type", 2)
