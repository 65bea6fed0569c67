"""Keys that say their era: the official codes of the 34 provinces, and joins across eras that
fail (or cannot pair anything) instead of matching new Lào Cai (15) with former Yên Bái (15)."""

from __future__ import annotations

import pandas as pd
import pytest

import cchc_analysis as cc
from cchc_analysis.errors import CchcDataError
from cchc_analysis.provinces import (
    KEY_2025_PREFIX,
    EraMismatchError,
    UnknownProvinceError,
    check_codes_2025,
    check_same_era,
    key_2025,
    key_era,
    merge_provinces,
    normalize_province_2025,
    official_code_2025,
    province_key_2025,
    province_keys_2025,
    provinces,
    to_2025,
)

OLD = provinces("2008-2025")
NEW = provinces("2025-")


def old_table() -> pd.DataFrame:
    return pd.DataFrame({"province_code": OLD["code"], "old_score": range(63)})


def new_table() -> pd.DataFrame:
    return pd.DataFrame({"province_code_2025": NEW["province_code_2025"], "new_score": range(34)})


# --- the official codes --------------------------------------------------------------------


def test_shipped_codes_match_both_downloaded_sources():
    compared = check_codes_2025()
    assert compared.groupby("file").size().to_dict() == {
        "donvi_tinhthanh.json": 34,
        "provinces_seed.sql": 34,
    }


@pytest.mark.parametrize(
    ("name", "code", "host"),
    [
        ("Lào Cai", "15", "Yên Bái"),
        ("Bắc Ninh", "24", "Bắc Giang"),
        ("Quảng Trị", "44", "Quảng Bình"),
        ("Gia Lai", "52", "Bình Định"),
        ("Tây Ninh", "80", "Long An"),
        ("Đồng Tháp", "82", "Tiền Giang"),
        ("An Giang", "91", "Kiên Giang"),
        ("TP. Hồ Chí Minh", "79", "TP. Hồ Chí Minh"),
    ],
)
def test_a_new_province_keeps_the_code_of_its_capital_host(name, code, host):
    p = normalize_province_2025(name)
    assert p.key == f"2025:{code}" and official_code_2025(p.key) == code
    assert cc.province_by_code(code).name_vi == host  # the same bare code, another unit
    assert code in p.former_codes


def test_spellings_of_the_new_provinces():
    assert province_key_2025("Thành phố Hồ Chí Minh") == "2025:79"
    assert province_key_2025("Thủ đô Hà Nội") == "2025:01"
    assert province_keys_2025(["Huế", "tinh gia lai", "Dak Lak"]) == [
        "2025:46",
        "2025:52",
        "2025:66",
    ]
    assert key_2025("15") == "2025:15"
    with pytest.raises(UnknownProvinceError, match="closest known names: 'Lào Cai'"):
        normalize_province_2025("Lào Cay")
    with pytest.raises(UnknownProvinceError, match="not one of the 34"):
        normalize_province_2025("Yên Bái")  # merged away on 1 July 2025
    with pytest.raises(UnknownProvinceError, match="'Bình Định'"):
        province_keys_2025(["Gia Lai", "Bình Định"], where="test.csv")
    with pytest.raises(UnknownProvinceError):
        key_2025("10")  # former Lào Cai's code: not a code of the 34


# --- keys of the two eras never meet -------------------------------------------------------


def test_no_2025_key_equals_any_former_code():
    assert not set(NEW["province_code_2025"]) & set(OLD["code"])
    assert NEW["province_code_2025"].str.startswith(KEY_2025_PREFIX).all()
    assert key_era(old_table()) == "2008-2025" and key_era(new_table()) == "2025-"


def test_merge_on_the_key_column_cannot_cross_eras():
    with pytest.raises(KeyError, match="province_code"):
        old_table().merge(new_table(), on="province_code")


def test_era_checked_merge_names_both_eras():
    with pytest.raises(EraMismatchError) as err:
        merge_provinces(old_table(), new_table())
    message = str(err.value)
    assert "left is keyed by the 63-province era 2008-2025" in message
    assert "right by the 34-province era 2025-" in message
    with pytest.raises(EraMismatchError, match="left is keyed by the 34-province era"):
        merge_provinces(
            new_table(), old_table(), left_on="province_code_2025", right_on="province_code"
        )
    same = merge_provinces(new_table(), new_table().rename(columns={"new_score": "again"}))
    assert len(same) == 34 and (same["new_score"] == same["again"]).all()


def test_deliberate_bare_code_joins_pair_nothing():
    # Even forced joins on the values cannot pair a former and a new province.
    forced = old_table().merge(new_table(), left_on="province_code", right_on="province_code_2025")
    assert forced.empty
    old_wide = old_table().set_index("province_code")
    new_wide = new_table().set_index("province_code_2025")
    assert old_wide.join(new_wide, how="inner").empty
    both = pd.concat([old_wide, new_wide], axis=1)
    assert len(both) == 63 + 34 and not both.notna().all(axis=1).any()
    with pytest.raises(EraMismatchError, match="34-province era"):
        check_same_era(old_wide, new_wide)


def test_a_table_with_both_eras_is_refused():
    mixed = pd.Series([1.0, 2.0], index=pd.Index(["15", "2025:15"], name="code"))
    with pytest.raises(EraMismatchError, match="mixes keys of both eras"):
        key_era(mixed)
    assert key_era(pd.Series([1.0], index=["2025:15"])) == "2025-"
    assert key_era(pd.Series([1.0], index=["15"])) == "2008-2025"
    with pytest.raises(CchcDataError, match="no province key"):
        key_era(pd.DataFrame({"x": [1]}))


def test_to_2025_output_is_keyed_by_the_new_era_and_refuses_it_as_input():
    out = to_2025(old_table().assign(year=2024), "old_score", by=["year"])
    assert "province_code" not in out.columns and key_era(out) == "2025-"
    assert set(out["province_code_2025"]) == set(NEW["province_code_2025"])
    lao_cai = out.set_index("province_code_2025").loc["2025:15"]
    assert lao_cai["province_2025"] == "Lào Cai" and lao_cai["n_former"] == 2
    with pytest.raises(EraMismatchError, match="to_2025 input is keyed by the 34-province era"):
        to_2025(new_table().rename(columns={"new_score": "x"}), "x")
    with pytest.raises(EraMismatchError):
        merge_provinces(out, old_table())
    joined = merge_provinces(out, new_table())
    assert len(joined) == 34


def test_population_weights_are_named_in_the_output():
    population = pd.Series(1.0, index=OLD["code"], name="population (made up for the test)")
    population[["10", "15"]] = [3.0, 1.0]  # former Lào Cai and Yên Bái
    data = old_table().assign(old_score=lambda d: d["province_code"].astype(float))
    out = to_2025(data, "old_score", how="weighted", weights=population).set_index(
        "province_code_2025"
    )
    assert out.loc["2025:15", "old_score"] == pytest.approx((3 * 10 + 15) / 4)
    assert (out["weighting"] == "weighted by population (made up for the test)").all()
