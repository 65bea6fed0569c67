"""Every PAPI dimension value and total against an independent parse of the official workbooks."""

from __future__ import annotations

import pandas as pd
import pytest

from cchc_analysis.errors import DataValidationError
from cchc_analysis.sources.papi import load_papi
from cchc_analysis.sources.papi_check import TOLERANCE, load_papi_check, papi_crosscheck, papi_gaps


@pytest.fixture(scope="module")
def check() -> pd.DataFrame:
    return papi_crosscheck(load_papi())


def test_every_cell_of_the_grid_is_accounted_for(check):
    # 63 provinces x (7 years x 7 + 7 years x 9 components)
    assert len(check) == 63 * (7 * 7 + 7 * 9)
    assert not check.duplicated(["year", "province_code", "component"]).any()
    counts = check["status"].value_counts().to_dict()
    assert counts == {
        "agree": 6961,
        "gap in both": 65,
        "zero in the official workbook, gap in both copies": 28,
        "differ": 2,
    }
    # Nothing present in one copy and missing in the other.
    assert not check["status"].str.startswith("only").any()
    assert (check.loc[check["status"] != "agree", "reason"].str.len() > 20).all()


def test_agreeing_values_are_within_rounding(check):
    agree = check[check["status"] == "agree"]
    assert agree["difference"].abs().max() <= TOLERANCE
    assert set(agree["basis"]) == {"dimension", "official total", "sum of the parse's dimensions"}
    official = agree[agree["basis"] == "official total"]
    assert set(official["year"]) == set(range(2019, 2025))


def test_the_one_difference_is_explained_by_the_official_total(check):
    differ = check[check["status"] == "differ"]
    assert differ[["year", "province", "component"]].values.tolist() == [
        [2022, "Hà Nội", "D1"],
        [2022, "Hà Nội", "TOTAL"],
    ]
    assert differ["difference"].abs().max() < 1e-3
    d1 = differ.iloc[0]
    assert "official total minus" in d1["reason"] and "D1.3, D1.4" in d1["reason"]


def test_gaps_have_a_source(check):
    gaps = papi_gaps(check)
    as_list = {(r.year, r.province): r.official_workbook for r in gaps.itertuples()}
    assert as_list == {
        (2014, "Bắc Giang"): "absent",
        (2014, "Đồng Tháp"): "absent",
        (2018, "Quảng Ninh"): "absent",
        (2018, "Đồng Tháp"): "absent",
        (2021, "Quảng Ninh"): "absent",
        (2021, "Bắc Giang"): "absent",
        (2021, "Bắc Ninh"): "absent",
        (2022, "Bắc Giang"): "0",
        (2022, "Bắc Ninh"): "0",
        (2023, "Quảng Ninh"): "absent",
        (2023, "Bình Dương"): "absent",
        (2024, "Vĩnh Phúc"): "0",
        (2024, "Tiền Giang"): "0",
    }
    assert gaps.set_index(["year", "province"]).loc[(2018, "Quảng Ninh"), "missing"] == "D2, D4"
    assert "PAPI-2014-Dữ-liệu-1.xlsx" in gaps.iloc[0]["reason"]
    assert gaps["reason"].str.contains("2024PAPI").sum() == 2


def test_a_changed_value_is_reported(tmp_path):
    from cchc_analysis.sources.papi_check import _file

    source = _file("agg_province_year.csv")
    frame = pd.read_csv(source)
    frame.loc[(frame["year"] == 2020) & (frame["province_vi"] == "Quảng Ninh"), "D3"] += 0.01
    edited = tmp_path / "agg.csv"
    frame.to_csv(edited, index=False)
    check = papi_crosscheck(load_papi(), check=edited)
    differ = check[check["status"] == "differ"]
    assert ((differ["year"] == 2020) & (differ["component"] == "D3")).sum() == 1


def test_a_malformed_second_parse_names_the_file(tmp_path):
    bad = tmp_path / "agg.csv"
    bad.write_text("province_vi,year\nHà Nội,2011\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"agg\.csv.*missing"):
        load_papi_check(bad)
