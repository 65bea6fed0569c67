"""The province registry resolves real-world spellings and refuses everything else."""

from __future__ import annotations

import dataclasses
import re
import unicodedata

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc_analysis import paths
from cchc_analysis.errors import CchcDataError
from cchc_analysis.provinces import (
    Province,
    UnknownProvinceError,
    normalize_province,
    province_by_code,
    province_code,
    province_codes,
    provinces,
)

REGISTRY = provinces()
ALIASES = pd.read_csv(paths.PACKAGE_DATA / "province_aliases.csv", dtype=str, keep_default_na=False)

# --- the tables ----------------------------------------------------------------------------


def test_registry_has_the_63_provinces_with_string_codes():
    assert len(REGISTRY) == 63
    assert REGISTRY["code"].is_unique and REGISTRY["name_vi"].is_unique
    assert all(isinstance(c, str) and re.fullmatch(r"\d\d", c) for c in REGISTRY["code"])
    named = dict(zip(REGISTRY["code"], REGISTRY["name_vi"], strict=True))
    assert named["01"] == "Hà Nội" and named["79"] == "TP. Hồ Chí Minh" and named["96"] == "Cà Mau"
    assert REGISTRY["region"].nunique() == 6
    assert set(REGISTRY["unit_type"]) == {"tỉnh", "thành phố"}
    for col in ("name_vi", "region", "successor"):
        assert all(unicodedata.is_normalized("NFC", v) for v in REGISTRY[col])
    assert all(v.isascii() for v in REGISTRY["name_ascii"])


def test_provinces_returns_a_copy_and_rejects_unknown_eras():
    frame = provinces("2008-2025")
    frame.loc[0, "name_vi"] = "changed"
    assert provinces()["name_vi"].iloc[0] == "Hà Nội"
    with pytest.raises(ValueError, match="era"):
        provinces("2030")


def test_package_level_provinces_works_after_the_module_is_imported():
    import cchc_analysis as cc
    import cchc_analysis.provinces  # binds the module to cc.provinces

    assert len(cc.provinces()) == 63
    assert len(cc.provinces("2025-")) == 34


def test_alias_table_is_clean_and_every_alias_resolves_to_its_code():
    assert list(ALIASES.columns) == ["alias", "code", "note"]
    assert ALIASES["alias"].is_unique
    assert set(ALIASES["code"]) <= set(REGISTRY["code"])
    for alias, code in zip(ALIASES["alias"], ALIASES["code"], strict=True):
        assert unicodedata.is_normalized("NFC", alias), alias
        assert province_code(alias) == code, alias


def test_province_is_a_frozen_record():
    hcm = normalize_province("TP.HCM")
    assert isinstance(hcm, Province)
    assert (hcm.code, hcm.name_vi, hcm.name_en) == ("79", "TP. Hồ Chí Minh", "Ho Chi Minh City")
    assert hcm.region == "Đông Nam Bộ" and hcm.unit_type == "thành phố"
    assert (hcm.successor, hcm.successor_slug) == ("TP. Hồ Chí Minh", "ho-chi-minh")
    with pytest.raises(dataclasses.FrozenInstanceError):
        hcm.code = "01"  # type: ignore[misc]
    assert province_by_code("46").successor == "Huế"


# --- tricky spellings ----------------------------------------------------------------------

NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731

TRICKY = [
    # Hồ Chí Minh City
    ("TP.HCM", "79"),
    ("TP. HCM", "79"),
    ("Tp.HCM", "79"),
    ("TPHCM", "79"),
    ("HCMC", "79"),
    ("TP. Hồ Chí Minh", "79"),
    ("TP Hồ Chí Minh", "79"),
    ("Thành phố Hồ Chí Minh", "79"),
    ("thành phố hồ chí minh", "79"),
    ("THÀNH PHỐ HỒ CHÍ MINH", "79"),
    ("Ho Chi Minh City", "79"),
    ("ho chi minh city", "79"),
    ("Hồ Chí Minh", "79"),
    ("Sài Gòn", "79"),
    (NFD("Thành phố Hồ Chí Minh"), "79"),
    # Bà Rịa - Vũng Tàu: hyphen, en dash, em dash, no space, abbreviations
    ("BR-VT", "77"),
    ("BRVT", "77"),
    ("Bà Rịa – Vũng Tàu", "77"),
    ("Bà Rịa—Vũng Tàu", "77"),
    ("Bà Rịa-Vũng Tàu", "77"),
    ("Ba Ria – Vung Tau", "77"),
    ("Tỉnh Bà Rịa - Vũng Tàu", "77"),
    # Thừa Thiên Huế
    ("Thừa Thiên - Huế", "46"),
    ("Thừa Thiên-Huế", "46"),
    ("TT-Huế", "46"),
    ("TT Huế", "46"),
    ("Huế", "46"),
    ("Thành phố Huế", "46"),
    ("THỪA THIÊN HUẾ", "46"),
    ("Thua Thien-Hue Province", "46"),
    # Đắk Lắk, Đắk Nông
    ("Đăk Lăk", "66"),
    ("Đắc Lắc", "66"),
    ("Daklak", "66"),
    ("Đắc Lắc", "66"),
    ("Đắc Lắk", "66"),
    ("Đắc Nông", "67"),
    ("DakLak", "66"),
    ("Dak Lak province", "66"),
    ("Dak Nong", "67"),
    ("Đăk Nông", "67"),
    ("ĐẮK NÔNG", "67"),
    # tone-mark placement and normal forms
    ("Hoà Bình", "17"),
    ("Hòa Bình", "17"),
    ("HOÀ BÌNH", "17"),
    (NFD("Hoà Bình"), "17"),
    ("Thanh Hoá", "38"),
    ("tỉnh Thanh Hoá", "38"),
    ("Khánh Hoà", "56"),
    ("Tỉnh Khánh Hòa", "56"),
    # Hà Nội, Hải Phòng, Đà Nẵng, Cần Thơ
    ("Hanoi", "01"),
    ("Ha Noi", "01"),
    ("HÀ NỘI", "01"),
    ("Thủ đô Hà Nội", "01"),
    ("TP.Hà Nội", "01"),
    ("Hai Phong City", "31"),
    ("thành phố Hải Phòng", "31"),
    ("Đà Nẵng", "48"),
    ("Ðà Nẵng", "48"),  # Icelandic eth look-alike
    ("ĐÀ NẴNG", "48"),
    ("Danang", "48"),
    ("da nang city", "48"),
    ("Thành phố Đà Nẵng", "48"),
    ("TP Cần Thơ", "92"),
    ("T.P. Cần Thơ", "92"),
    ("Can Tho City", "92"),
    # prefixes, suffixes and spacing
    ("Binh Duong province", "74"),
    ("Bình Dương Province", "74"),
    ("tỉnh Kiên Giang", "91"),
    ("  Quảng\u00a0Ngãi  ", "51"),
    ("Quảng  Nam", "49"),
    ("Bắc Cạn", "06"),
    ("Kontum", "62"),
]


@pytest.mark.parametrize(("spelling", "code"), TRICKY)
def test_tricky_spellings(spelling, code):
    assert normalize_province(spelling).code == code


NOT_PROVINCES = [
    "Bộ Tư pháp",
    "Ministry of Justice",
    "Ngân hàng Nhà nước Việt Nam",
    "Hà",
    "Việt Nam",
    "Vietnam",
    "(national)",
    "(national, provincial mean)",
    "",
    "   ",
    "tỉnh",
    "Thành phố",
    "TP",
    "TP Thủ Đức",
    "Phan Thiết",
    "Quận 11",
    "Hà Tây",  # merged into Hà Nội in 2008: not one of the 63
    "Hà Nội Hà Nam",
]


@pytest.mark.parametrize("name", NOT_PROVINCES)
def test_non_provinces_are_rejected_with_a_useful_error(name):
    with pytest.raises(UnknownProvinceError) as err:
        normalize_province(name)
    assert isinstance(err.value, LookupError)
    assert isinstance(err.value, CchcDataError)
    assert isinstance(err.value, ValueError)
    assert repr(name) in str(err.value)
    assert err.value.name == name
    if name.strip():
        assert len(err.value.closest) == 3
        assert all(c in set(REGISTRY["name_vi"]) for c in err.value.closest)


def test_closest_names_are_close():
    with pytest.raises(UnknownProvinceError) as err:
        normalize_province("Hà")
    assert {"Hà Nội", "Hà Nam"} <= set(err.value.closest)
    with pytest.raises(UnknownProvinceError, match="Quảng Nam"):
        normalize_province("Quang Nma")


@pytest.mark.parametrize("bad", [None, 79, 1.0, float("nan")])
def test_non_strings_are_rejected(bad):
    with pytest.raises(UnknownProvinceError, match="expected a str"):
        normalize_province(bad)


def test_province_by_code_requires_a_string_code():
    assert province_by_code("01").name_vi == "Hà Nội"
    for bad in ("1", 1, "00", "Hà Nội"):
        with pytest.raises(UnknownProvinceError):
            province_by_code(bad)


def test_province_codes_reports_every_unknown_spelling_with_rows():
    assert province_codes(["Hanoi", "TP.HCM", "Huế"]) == ["01", "79", "46"]
    with pytest.raises(UnknownProvinceError) as err:
        province_codes(["Hanoi", "Bộ Tư pháp", "Hà", "Bộ Tư pháp"], where="some_file.csv")
    message = str(err.value)
    assert message.startswith("some_file.csv: ")
    assert "'Bộ Tư pháp' at rows 2, 4" in message and "'Hà' at rows 3" in message
    assert err.value.where == "some_file.csv"


# --- every spelling in the curated facts ---------------------------------------------------

# Spellings in the facts that differ from a registered name by more than case, diacritics,
# punctuation or spacing, with the code they mean (checked by hand against each source).
FACTS_BY_HAND = {
    "Hanoi": "01",
    "TP Hà Nội": "01",
    "TP. Hà Nội": "01",
    "TP.Hà Nội": "01",
    "TP Hải Phòng": "31",
    "TP. Hải Phòng": "31",
    "TP.Hải Phòng": "31",
    "thành phố Hải Phòng": "31",
    "Hai Phong City": "31",
    "TT-Hue": "46",
    "TT-Huế": "46",
    "Huế": "46",
    "TP. Đà Nẵng": "48",
    "Thành phố Đà Nẵng": "48",
    "tỉnh Quảng Ngãi": "51",
    "Binh Duong province": "74",
    "BRVT": "77",
    "TP.HCM": "79",
    "Ho Chi Minh City": "79",
    "tỉnh Kiên Giang": "91",
    "TP. Cần Thơ": "92",
}


def _squash(s: str) -> str:
    """Independent of the package: letters only, no diacritics, lower case."""
    s = unicodedata.normalize("NFD", s.replace("Đ", "D").replace("đ", "d"))
    return re.sub(r"[^a-z]", "", "".join(c for c in s if not unicodedata.combining(c)).lower())


SQUASHED = {
    _squash(n): c
    for col in ("name_vi", "name_ascii")
    for n, c in zip(REGISTRY[col], REGISTRY["code"], strict=True)
}


def _facts_spellings() -> list[tuple[str, str, str]]:
    """``(file, column, spelling)`` for every province spelling in the facts CSVs."""
    files = sorted(paths.FACTS.glob("*.csv"))
    assert files, f"no facts CSVs in {paths.FACTS}"
    found = []
    for path in files:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if "unit_type" in frame.columns:
            frame = frame[frame["unit_type"] == "province"]
        for col in ("province", "unit", "unit_std", "old_province_2024", "new_province_2025"):
            if col in frame.columns:
                found += [(path.name, col, v) for v in frame[col].unique() if not v.startswith("(")]
        if "merged_with" in frame.columns:
            found += [
                (path.name, "merged_with", v)
                for cell in frame["merged_with"].unique()
                for v in cell.split("; ")
                if v
            ]
    return sorted(set(found))


def test_every_spelling_in_the_facts_resolves_to_the_right_code():
    spellings = _facts_spellings()
    assert len({s for _, _, s in spellings}) > 100  # the scan did find the files
    for file, col, spelling in spellings:
        expected = FACTS_BY_HAND.get(spelling) or SQUASHED.get(_squash(spelling))
        assert expected is not None, f"{file}:{col}: {spelling!r} needs a hand-checked code"
        assert province_code(spelling) == expected, f"{file}:{col}: {spelling!r}"


def test_raw_spelling_and_unit_std_agree_in_the_facts():
    files = [
        p
        for p in sorted(paths.FACTS.glob("*.csv"))
        if "unit_std" in pd.read_csv(p, nrows=0).columns
    ]
    assert files
    for path in files:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame = frame[frame["unit_type"] == "province"]
        for line, (raw, std) in enumerate(zip(frame["unit"], frame["unit_std"], strict=True)):
            assert province_code(raw) == province_code(std), (
                f"{path.name} row {line}: {raw!r} vs {std!r}"
            )
            assert province_by_code(province_code(std)).name_vi == std


# --- properties ----------------------------------------------------------------------------

SPELLINGS = sorted(
    {
        (s, c)
        for col in ("name_vi", "name_en", "name_ascii")
        for s, c in zip(REGISTRY[col], REGISTRY["code"], strict=True)
    }
    | set(zip(ALIASES["alias"], ALIASES["code"], strict=True))
)


@st.composite
def recased(draw):
    spelling, code = draw(st.sampled_from(SPELLINGS))
    flips = draw(st.lists(st.booleans(), min_size=len(spelling), max_size=len(spelling)))
    mixed = "".join(
        ch.upper() if up else ch.lower() for ch, up in zip(spelling, flips, strict=True)
    )
    form = draw(st.sampled_from(["NFC", "NFD"]))
    return unicodedata.normalize(form, mixed), code


@given(recased())
def test_resolution_is_invariant_under_case_and_normal_form(case):
    spelling, code = case
    assert normalize_province(spelling).code == code


@given(
    st.sampled_from(SPELLINGS),
    st.sampled_from(["", "Tỉnh ", "tỉnh ", "Thành phố ", "thành phố ", "TP. ", "TP ", "TP."]),
    st.sampled_from(["", " province", " Province", " city", " City"]),
    st.sampled_from(["", " ", "\u00a0", "\t"]),
)
def test_resolution_is_invariant_under_titles_and_padding(entry, prefix, suffix, pad):
    spelling, code = entry
    assert normalize_province(f"{pad}{prefix}{spelling}{suffix}{pad}").code == code
