"""Vietnamese text normalisation and the number notation of official releases."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc_analysis.text import (
    fold,
    format_vn_number,
    normalize_text,
    parse_vn_fraction,
    parse_vn_number,
)

# --- normalize_text ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # old-style tone placement on open oa / oe / uy -> mark on the first vowel
        ("hoà", "hòa"),
        ("Hoà Bình", "Hòa Bình"),
        ("HOÀ BÌNH", "HÒA BÌNH"),
        ("Khánh Hoà", "Khánh Hòa"),
        ("Thanh Hoá", "Thanh Hóa"),
        ("THANH HOÁ", "THANH HÓA"),
        ("thuỷ", "thủy"),
        ("Thuỵ", "Thụy"),
        ("tuỳ", "tùy"),
        ("luỹ", "lũy"),
        ("khoẻ", "khỏe"),
        ("KHOẺ", "KHỎE"),
        ("xoè", "xòe"),
        ("hoạ", "họa"),
        ("Uỷ ban nhân dân", "Ủy ban nhân dân"),
        ("UỶ BAN", "ỦY BAN"),
        ("toà án.", "tòa án."),
        ("hoà-bình", "hòa-bình"),
        # placements fixed by a following letter, or by "qu", stay as they are
        ("quý", "quý"),
        ("Quỳnh", "Quỳnh"),
        ("QUỶ", "QUỶ"),
        ("hoàng", "hoàng"),
        ("toán", "toán"),
        ("xoáy", "xoáy"),
        ("khuỷu", "khuỷu"),
        ("khuyến", "khuyến"),
        ("Huế", "Huế"),
        # already new style
        ("Hòa Bình", "Hòa Bình"),
        # spacing, invisible characters, look-alike eth
        ("  Khánh \u00a0 Hòa\t\n", "Khánh Hòa"),
        ("Đà\u200b Nẵng", "Đà Nẵng"),
        ("\ufeffCần Thơ", "Cần Thơ"),
        ("Ðà Nẵng", "Đà Nẵng"),
        ("ðà nẵng", "đà nẵng"),
        ("", ""),
    ],
)
def test_normalize_text_examples(raw, expected):
    assert normalize_text(raw) == expected
    assert unicodedata.is_normalized("NFC", normalize_text(raw))


def test_normalize_text_composes_nfd_and_tone_first_sequences():
    assert normalize_text(unicodedata.normalize("NFD", "Thừa Thiên Huế")) == "Thừa Thiên Huế"
    # e + acute + circumflex (tone typed before the shape mark) is still ế
    assert normalize_text("Hu" + "e\u0301\u0302") == "Huế"
    # old-style placement in decomposed form
    assert normalize_text(unicodedata.normalize("NFD", "Hoà Bình")) == "Hòa Bình"


def test_normalize_text_rejects_non_text():
    with pytest.raises(TypeError, match="None"):
        normalize_text(None)


# --- fold ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Đắk Lắk", "dak lak"),
        ("ĐÀ NẴNG", "da nang"),
        ("Ðà Nẵng", "da nang"),
        ("ðà nẵng", "da nang"),
        ("Thừa Thiên – Huế", "thua thien – hue"),
        ("Hoà Bình", "hoa binh"),
        ("Hòa Bình", "hoa binh"),
        ("  TP.  Hồ Chí Minh ", "tp. ho chi minh"),
        ("Bà Rịa - Vũng Tàu", "ba ria - vung tau"),
        ("Ương Ưởng", "uong uong"),
    ],
)
def test_fold_examples(raw, expected):
    assert fold(raw) == expected


# --- parse_vn_number -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("50,50", 50.5),
        ("1.234,5", 1234.5),
        ("96%", 96.0),
        ("92,86 %", 92.86),
        ("92,86\u00a0%", 92.86),
        ("87.14", 87.14),
        ("1234.567", 1234.567),
        ("9.19", 9.19),
        ("0,25", 0.25),
        ("0.123", 0.123),
        ("12,5 điểm", 12.5),
        ("97,31", 97.31),
        ("101,69 điểm", 101.69),
        ("1.234.567", 1234567.0),
        ("1,234,567", 1234567.0),
        ("1,234.5", 1234.5),
        ("1.234.567,891", 1234567.891),
        ("1 234 567", 1234567.0),
        ("1\u00a0234,5", 1234.5),
        ("1\u202f234,5", 1234.5),
        ("2016", 2016.0),
        ("02", 2.0),
        ("+3,5", 3.5),
        ("-0,25", -0.25),
        ("\u22120,25 điểm", -0.25),
        ("  66,66% ", 66.66),
        ("100%", 100.0),
    ],
)
def test_parse_vn_number_examples(raw, expected):
    assert parse_vn_number(raw) == pytest.approx(expected, rel=0, abs=1e-12)


@pytest.mark.parametrize(
    "raw", ["1.234", "6,499", "1,234", "-5.000", "15.983", "48.811", "100.000", "26.000", "123,456"]
)
def test_ambiguous_numbers_need_an_explicit_decimal_mark(raw):
    with pytest.raises(ValueError, match="ambiguous") as err:
        parse_vn_number(raw)
    assert repr(raw) in str(err.value)
    assert "decimal=" in str(err.value)


def test_decimal_argument_resolves_ambiguity_both_ways():
    assert parse_vn_number("1.234", decimal=",") == 1234.0
    assert parse_vn_number("1.234", decimal=".") == 1.234
    assert parse_vn_number("6,499", decimal=",") == 6.499
    assert parse_vn_number("6,499", decimal=".") == 6499.0
    # an English-language source printing three decimals (PAPI totals)
    assert parse_vn_number("48.811", decimal=".") == 48.811
    assert parse_vn_number("15.983", decimal=",") == 15983.0
    assert parse_vn_number("100.000", decimal=",") == 100000.0
    assert parse_vn_number("1.234,5", decimal=",") == 1234.5


@pytest.mark.parametrize(
    ("raw", "decimal"),
    [
        ("87.14", ","),  # '.' would be a thousands separator but '14' is not a 3-digit group
        ("50,50", "."),
        ("1.234,5", "."),
        ("1,234.5", ","),
    ],
)
def test_decimal_argument_is_enforced(raw, decimal):
    with pytest.raises(ValueError, match="cannot read"):
        parse_vn_number(raw, decimal=decimal)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "abc",
        "n/a",
        "-",
        "5.",
        ",5",
        "1,2,3",
        "1.23.4",
        "12 13",
        "1.234,5,6",
        "1,234.5.6",
        "nan",
        "inf",
        "1e5",
        "12/12,5",
        "about 78",
        "75.03-90.61",
        "89000+",
        "5 km",
    ],
)
def test_garbage_is_refused_naming_the_input(raw):
    with pytest.raises(ValueError) as err:
        parse_vn_number(raw)
    assert repr(raw) in str(err.value)


@pytest.mark.parametrize("bad", [None, True, float("nan"), float("inf"), [1]])
def test_non_string_garbage_is_refused(bad):
    with pytest.raises(ValueError, match="cannot read"):
        parse_vn_number(bad)


def test_numbers_pass_through_and_bad_decimal_argument():
    assert parse_vn_number(3) == 3.0
    assert parse_vn_number(2.5) == 2.5
    with pytest.raises(ValueError, match="decimal must be"):
        parse_vn_number("1,5", decimal=";")


# --- parse_vn_fraction ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12/12,5 điểm", (12.0, 12.5)),
        ("02/02 điểm", (2.0, 2.0)),
        ("12 / 12,5", (12.0, 12.5)),
        ("3,5/4", (3.5, 4.0)),
    ],
)
def test_parse_vn_fraction(raw, expected):
    assert parse_vn_fraction(raw) == expected


@pytest.mark.parametrize("raw", ["12", "1/2/3", "a/b", "/5", None])
def test_parse_vn_fraction_refuses_garbage(raw):
    with pytest.raises(ValueError, match="fraction"):
        parse_vn_fraction(raw)


# --- format_vn_number ----------------------------------------------------------------------


def test_format_vn_number_examples():
    assert format_vn_number(1234.5, 2) == "1.234,50"
    assert format_vn_number(1234.5, 2, decimal=".") == "1,234.50"
    assert format_vn_number(-1234567.891, 1) == "-1.234.567,9"
    assert format_vn_number(50.5, 2, group=False) == "50,50"
    assert format_vn_number(15983, 0) == "15.983"
    with pytest.raises(ValueError, match="finite"):
        format_vn_number(float("nan"))


# --- properties ----------------------------------------------------------------------------

finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@given(
    x=finite, decimals=st.integers(0, 6), decimal=st.sampled_from([",", "."]), group=st.booleans()
)
def test_format_then_parse_round_trips_with_explicit_notation(x, decimals, decimal, group):
    text = format_vn_number(x, decimals, decimal=decimal, group=group)
    assert parse_vn_number(text, decimal=decimal) == float(f"{x:.{decimals}f}")


@given(x=finite, decimals=st.sampled_from([1, 2, 4]), decimal=st.sampled_from([",", "."]))
def test_format_then_parse_round_trips_with_inferred_notation(x, decimals, decimal):
    # With a decimal part that is not three digits long, the notation is never ambiguous.
    text = format_vn_number(x, decimals, decimal=decimal)
    assert parse_vn_number(text) == float(f"{x:.{decimals}f}")


@given(x=finite, decimals=st.integers(0, 4))
def test_round_trip_survives_percent_and_nbsp(x, decimals):
    text = format_vn_number(x, decimals).replace(".", "\u00a0") + " %"
    assert parse_vn_number(text, decimal=",") == float(f"{x:.{decimals}f}")


vietnamese = st.text(
    alphabet=st.sampled_from(
        [
            *"aăâeêioôơuưyAĂÂEÊIOÔƠUƯYđĐðÐqQhHkKtTnNgG -–.,",
            *"\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b",  # tones, shapes, horn
            *"\u00a0\u200b",
        ]
    ),
    max_size=30,
)
any_text = st.one_of(vietnamese, st.text(max_size=30))


@given(any_text)
def test_fold_is_idempotent(s):
    assert fold(fold(s)) == fold(s)


@given(any_text)
def test_normalize_text_is_idempotent(s):
    assert normalize_text(normalize_text(s)) == normalize_text(s)


@given(any_text)
def test_nfd_and_nfc_input_normalize_alike(s):
    expected = normalize_text(unicodedata.normalize("NFC", s))
    assert normalize_text(unicodedata.normalize("NFD", s)) == expected
    assert unicodedata.is_normalized("NFC", expected)


@given(vietnamese)
def test_fold_leaves_no_vietnamese_diacritics(s):
    folded = fold(s)
    assert not any(unicodedata.combining(ch) for ch in unicodedata.normalize("NFD", folded))
    assert not set(folded) & set("đĐðÐ")
    assert folded == folded.lower()
