"""QĐ 766: values against an independent reading of the raw JSON, every check on real and on
synthetic bad files, cleaned NFC names, and the processed tables."""

from __future__ import annotations

import json
import shutil
import unicodedata
import warnings
from pathlib import Path

import pandas as pd
import pytest

import cchc_analysis as cc
from cchc_analysis import paths, registry
from cchc_analysis.download import fetch
from cchc_analysis.errors import DataValidationError
from cchc_analysis.provinces import UnknownProvinceError
from cchc_analysis.sources import qd766

PROVINCE_FILE = "data/raw/2026/provinces/raw_Provinces_year_2026_10102026.json"
FIRST_FILE = "data/discovery/api-20260917-104019/response.json"
AGENCY_FILE = "data/gia_lai/agencies_GiaLai_03102026.json"
COMMUNE_FILE = "data/gia_lai/communes_GiaLai_23092026.json"
CATALOGUES = ("data/config/provinces.json", "data/raw/2026/provinces/H21.json")
GROUPS = ["CKMB", "TDGQ", "CLGQ", "TTTT", "MDHL", "MDSH"]
GROUPS_AND_TOTAL = ["TOTAL", *GROUPS]


@pytest.fixture(scope="module")
def raw() -> Path:
    fetch("qd766")
    return paths.RAW / "qd766"


@pytest.fixture(scope="module")
def parsed(raw):
    return qd766._read_all(raw)


@pytest.fixture(scope="module")
def tidy(parsed) -> pd.DataFrame:
    return parsed[0]


@pytest.fixture(scope="module")
def findings(parsed) -> pd.DataFrame:
    return parsed[1]


def _json(raw: Path, file: str) -> dict:
    return json.loads((raw / file).read_text(encoding="utf-8"))


def _value(tidy, level, date, code, component):
    row = tidy[
        (tidy["level"] == level)
        & (tidy["snapshot_date"] == pd.Timestamp(date))
        & (tidy["portal_code"] == code)
        & (tidy["component"] == component)
    ]
    assert len(row) == 1
    return row.iloc[0]


# --- values against the raw files, read here with json -------------------------------------


def test_province_values_match_the_raw_file(raw, tidy):
    records = _json(raw, PROVINCE_FILE)["data"]["evaluation"]
    assert len(records) == 34
    for position, rec in enumerate(records, start=1):
        total = _value(tidy, "province", "2026-10-10", rec["departmentCode"], "TOTAL")
        assert total["value"] == rec["totalScore"]
        assert total["rank"] == position  # the portal lists provinces by rank
        assert total["unit_id"] == rec["departmentId"]
        for group, score in rec["groupScores"].items():
            assert (
                _value(tidy, "province", "2026-10-10", rec["departmentCode"], group)["value"]
                == score
            )


def test_named_provinces_get_their_official_codes(raw, tidy):
    records = {r["departmentName"]: r for r in _json(raw, PROVINCE_FILE)["data"]["evaluation"]}
    gia_lai = _value(
        tidy, "province", "2026-10-10", records["UBND tỉnh Gia Lai"]["departmentCode"], "MDHL"
    )
    assert (gia_lai["unit_key"], gia_lai["unit"]) == ("2025:52", "Gia Lai")
    assert gia_lai["value"] == records["UBND tỉnh Gia Lai"]["groupScores"]["MDHL"]
    lao_cai = _value(
        tidy, "province", "2026-10-10", records["UBND tỉnh Lào Cai"]["departmentCode"], "TOTAL"
    )
    assert lao_cai["unit_key"] == "2025:15"  # former Yên Bái's code, now the new Lào Cai
    hcm = _value(tidy, "province", "2026-10-10", "H29", "TOTAL")
    assert (hcm["unit_key"], hcm["unit"]) == ("2025:79", "TP. Hồ Chí Minh")


def test_first_snapshot_and_its_crawl_time(raw, tidy):
    rec = _json(raw, FIRST_FILE)["data"]["evaluation"][0]
    row = _value(tidy, "province", "2026-09-17", rec["departmentCode"], "TTTT")
    assert row["value"] == rec["groupScores"]["TTTT"]
    audit = _json(raw, "data/discovery/api-20260917-104019/audit.json")
    assert row["crawled_at"] == pd.Timestamp(audit["generatedAt"])
    assert row["source_commit"] == "a33d7060f017d3a37b3be08a62a279a05570442f"
    assert row["source_file"] == "qd766/" + FIRST_FILE


def test_sub_unit_values_ranks_and_online_field(raw, tidy):
    data = _json(raw, AGENCY_FILE)
    for rec in data["agencies"]:
        total = _value(tidy, "agency", "2026-10-03", rec["departmentCode"], "TOTAL")
        assert total["value"] == rec["totalScore"]
        assert total["rank"] == rec["groupRank"] and total["rank_all_subunits"] == rec["rank"]
        assert total["crawled_at"] == pd.Timestamp(data["metadata"]["extractedAt"])
        # the sub-unit field ONLINE is the province field CLGQ
        assert (
            _value(tidy, "agency", "2026-10-03", rec["departmentCode"], "CLGQ")["value"]
            == (rec["groupScores"]["ONLINE"])
        )
        assert (
            _value(tidy, "agency", "2026-10-03", rec["departmentCode"], "MDHL")["value"]
            == (rec["groupScores"]["MDHL"])
        )
    commune = _json(raw, COMMUNE_FILE)["communes"][0]
    row = _value(tidy, "commune", "2026-09-23", commune["departmentCode"], "MDSH")
    assert row["value"] == commune["groupScores"]["MDSH"]
    assert row["province_code_2025"] == "2025:52"


def test_shape_and_keys(tidy):
    counts = tidy.groupby("level").agg(
        units=("unit_key", "nunique"), dates=("snapshot_date", "nunique"), rows=("value", "size")
    )
    assert counts.loc["province"].tolist() == [34, 8, 34 * 8 * 7]
    assert counts.loc["agency"].tolist() == [14, 11, 14 * 11 * 7]
    assert counts.loc["commune"].tolist() == [135, 5, 135 * 5 * 7]
    assert not tidy.duplicated(["level", "snapshot_date", "unit_key", "component"]).any()
    assert list(tidy.columns) == list(qd766.COLUMNS)
    assert (tidy["period"] == "2026 year to date").all() and (tidy["era"] == "2025-").all()
    prov = tidy[tidy["level"] == "province"]
    assert prov["unit_key"].str.fullmatch(r"2025:\d\d").all()
    assert (prov["unit_key"] == prov["province_code_2025"]).all()
    assert set(prov["unit_key"]) == set(cc.provinces("2025-")["province_code_2025"])


def test_names_are_clean_and_nfc(tidy):
    for _level, group in tidy.groupby("level"):
        for name in group["unit"].unique():
            assert unicodedata.is_normalized("NFC", name), name
            assert not name.startswith("UBND") and "tỉnh Gia Lai" not in name, name
    communes = tidy.loc[tidy["level"] == "commune", "unit"].unique()
    assert all(n.split(" ", 1)[0] in ("xã", "phường") for n in communes)
    assert "xã Ayun" in communes  # "UBND Xã Ayun" in the file
    assert "Sở Y tế" in set(tidy.loc[tidy["level"] == "agency", "unit"])
    # Quảng Ninh is "UBND tỉnh" on 17/09 and "UBND thành phố" later: one unit, one name
    qn = tidy[(tidy["level"] == "province") & (tidy["portal_code"] == "H49")]
    assert qn["unit_name_raw"].nunique() == 2 and set(qn["unit"]) == {"Quảng Ninh"}


# --- checks on the real files --------------------------------------------------------------


def test_national_score_is_checked_and_17_09_is_reported(raw, parsed, findings):
    national = parsed[2].set_index("snapshot_date")
    first = national.loc[pd.Timestamp("2026-09-17")]
    overview = _json(raw, FIRST_FILE)["data"]["overview"]["totalScore"]
    totals = [r["totalScore"] for r in _json(raw, FIRST_FILE)["data"]["evaluation"]]
    assert first["national_score"] == overview == 56.56
    assert (
        first["mean_of_provinces"]
        == pytest.approx(sum(totals) / 34)
        == pytest.approx(61.55, abs=0.005)
    )
    assert not first["consistent"]
    assert national.drop(pd.Timestamp("2026-09-17"))["consistent"].all()
    reported = findings[findings["rule"] == "national score equals the mean of the provinces"]
    assert reported["snapshot_date"].tolist() == [pd.Timestamp("2026-09-17")]
    assert "56.56" in reported["detail"].iat[0] and "61.55" in reported["detail"].iat[0]


def test_provinces_have_nothing_else_reported(findings):
    prov = findings[findings["level"] == "province"]
    assert set(prov["rule"]) == {"national score equals the mean of the provinces"}


def test_sub_unit_discrepancies_are_reported_not_fixed(raw, tidy, findings):
    sums = findings[(findings["rule"] == "components sum to the total")]
    assert set(sums["level"]) == {"agency", "commune"}
    # the MDHL outlier of 03/10: reported with its gap, and the value is kept as published
    rec = next(
        r
        for r in _json(raw, AGENCY_FILE)["agencies"]
        if abs(sum(r["groupScores"].values()) - r["totalScore"]) > 1
    )
    unit = f"{rec['departmentCode']} {rec['departmentName']}"
    row = sums[(sums["unit"] == unit) & (sums["snapshot_date"] == pd.Timestamp("2026-10-03"))]
    assert len(row) == 1
    assert row["difference"].iat[0] == pytest.approx(
        sum(rec["groupScores"].values()) - rec["totalScore"], abs=1e-6
    )
    kept = _value(tidy, "agency", "2026-10-03", rec["departmentCode"], "MDHL")["value"]
    assert kept == rec["groupScores"]["MDHL"]
    over = findings[findings["rule"] == "value within [0, max]"]
    assert set(over["snapshot_date"].dt.strftime("%d/%m")) == {"23/09", "24/09"}
    assert over["detail"].str.startswith("MDHL").all()
    # the checks table names the component, so a summary can say which group is over its maximum
    assert (over["component"] == "MDHL").all()
    assert (sums["component"] == "TOTAL").all()
    runs = findings[findings["rule"] == "agency and commune files come from one crawl run"]
    assert (runs["component"] == "").all()


def test_crawl_runs_are_reported(findings):
    runs = findings[findings["rule"] == "agency and commune files come from one crawl run"]
    assert runs["snapshot_date"].dt.strftime("%d/%m").tolist() == ["02/10", "08/10", "10/10"]
    assert runs["detail"].str.contains("agencies_GiaLai_02102026").any()


def test_load_warns_and_processed_tables_agree(tidy, findings):
    with pytest.warns(cc.Qd766Warning, match="components sum to the total"):
        communes = cc.load_qd766("commune")
    key = ["snapshot_date", "unit_key", "component"]
    expected = tidy[tidy["level"] == "commune"].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(
        communes.sort_values(key).reset_index(drop=True), expected, check_dtype=False
    )
    key = ["snapshot_date", "level", "rule", "unit", "source_file", "detail"]
    pd.testing.assert_frame_equal(
        cc.qd766_checks().sort_values(key).reset_index(drop=True),
        findings.sort_values(key).reset_index(drop=True),
        check_dtype=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wide = cc.qd766_wide("province", "2026-09-27")
    assert wide.index.name == "province_code_2025" and list(wide.columns) == GROUPS
    assert wide.shape == (34, 6)
    with pytest.raises(ValueError, match="level must be one of"):
        cc.load_qd766("district")


def test_components_table():
    comp = cc.qd766_components().set_index("component")
    assert comp.loc[GROUPS, "max_value"].sum() == comp.loc["TOTAL", "max_value"] == 100
    assert comp.loc["CLGQ", "subunit_field"] == "groupScores.ONLINE"


def test_registry_covers_every_mirrored_file():
    files = registry.files("qd766")
    assert len(files) == 33 and len({f.file for f in files}) == 33
    assert all(f.licence.startswith("none stated") for f in files)
    assert {f.file for f in files} >= {PROVINCE_FILE, FIRST_FILE, AGENCY_FILE, COMMUNE_FILE}


# --- synthetic bad files -------------------------------------------------------------------


def _copy(raw: Path, tmp_path: Path, *files: str) -> Path:
    target = tmp_path / "qd766"
    for file in (*CATALOGUES, *files):
        (target / file).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(raw / file, target / file)
        (target / file).chmod(0o644)
    return target


def _edit(folder: Path, file: str, change) -> None:
    path = folder / file
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _records(data: dict) -> list:
    return (
        data["data"]["evaluation"] if "data" in data else data.get("agencies") or data["communes"]
    )


def test_a_good_copy_loads(raw, tmp_path):
    folder = _copy(raw, tmp_path, PROVINCE_FILE)
    assert len(qd766.tidy_qd766(folder)) == 34 * 7


def _drop_gia_lai(d):
    d["data"]["evaluation"] = [r for r in _records(d) if r["departmentCode"] != "H21"]


def _duplicate_first(d):
    _records(d).append(dict(_records(d)[0]))


def _above_max(d):
    r = _records(d)[0]
    r["groupScores"]["CKMB"] += 19
    r["groupScores"]["TDGQ"] -= 19 if r["groupScores"]["TDGQ"] >= 19 else 0


def _sums_off(d):
    _records(d)[3]["groupScores"]["TDGQ"] += 1.0


def _unknown_code(d):
    _records(d)[5]["departmentCode"] = "H99"


def _swap_ranks(d):
    rec = _records(d)
    rec[0], rec[10] = rec[10], rec[0]


def _empty(d):
    d["data"]["evaluation"] = []


def _national_off(d):
    d["data"]["overview"]["totalScore"] += 1.0


@pytest.mark.parametrize(
    ("change", "rule", "unit"),
    [
        (_drop_gia_lai, "every unit present", "H21 UBND tỉnh Gia Lai"),
        (_empty, "every unit present", "lists no units"),
        (_duplicate_first, "one row per unit", "H20 UBND tỉnh Đồng Tháp"),
        (_sums_off, "components sum to the total", "UBND"),
        (_unknown_code, "units are known", "H99"),
        (_swap_ranks, "ranks follow the totals", "UBND"),
        (_national_off, "national score equals the mean of the provinces", "63.59"),
    ],
)
def test_bad_province_file_raises_naming_file_unit_and_rule(raw, tmp_path, change, rule, unit):
    folder = _copy(raw, tmp_path, PROVINCE_FILE)
    _edit(folder, PROVINCE_FILE, change)
    with pytest.raises(DataValidationError, match=rule) as err:
        qd766.tidy_qd766(folder)
    message = str(err.value)
    assert f"qd766/{PROVINCE_FILE}" in message and unit in message


def test_value_above_its_maximum_raises(raw, tmp_path):
    folder = _copy(raw, tmp_path, PROVINCE_FILE)
    first = _json(raw, PROVINCE_FILE)["data"]["evaluation"][0]

    def change(d):
        r = _records(d)[0]
        r["groupScores"]["CKMB"] = 18.5
        r["totalScore"] = r["ratio"] = round(sum(r["groupScores"].values()), 2)

    _edit(folder, PROVINCE_FILE, change)
    with pytest.raises(DataValidationError, match=r"value within \[0, max\]") as err:
        qd766.tidy_qd766(folder)
    assert first["departmentName"] in str(err.value) and "CKMB = 18.5" in str(err.value)


def test_unknown_province_name_names_the_closest(raw, tmp_path):
    folder = _copy(raw, tmp_path, PROVINCE_FILE)
    _edit(
        folder, PROVINCE_FILE, lambda d: _records(d)[2].update(departmentName="UBND tỉnh Yên Bái")
    )
    with pytest.raises(UnknownProvinceError, match="Yên Bái") as err:
        qd766.tidy_qd766(folder)
    assert f"qd766/{PROVINCE_FILE}" in str(err.value) and "closest" in str(err.value)


def test_the_first_snapshot_national_score_is_reported_not_raised(raw, tmp_path):
    folder = _copy(raw, tmp_path, FIRST_FILE, "data/discovery/api-20260917-104019/audit.json")
    tidy, found, national = qd766._read_all(folder)
    assert len(tidy) == 34 * 7 and not national["consistent"].item()
    assert found["rule"].tolist() == ["national score equals the mean of the provinces"]


def test_sub_unit_problems_are_reported_or_raised_by_rule(raw, tmp_path):
    folder = _copy(
        raw,
        tmp_path,
        "data/gia_lai/agencies_GiaLai_05102026.json",
        "data/gia_lai/communes_GiaLai_05102026.json",
    )
    agencies = "data/gia_lai/agencies_GiaLai_05102026.json"
    communes = "data/gia_lai/communes_GiaLai_05102026.json"
    assert qd766._read_all(folder)[1].empty  # the same crawl run, all sums hold that day

    def stamp(d):
        d["metadata"]["extractedAt"] = "2026-10-05T09:00:00Z"
        d["communes"][0]["groupScores"]["MDSH"] += 0.5

    _edit(folder, communes, stamp)
    found = qd766._read_all(folder)[1]
    assert set(found["rule"]) == {
        "components sum to the total",
        "agency and commune files come from one crawl run",
    }
    _edit(folder, agencies, lambda d: d["agencies"][0]["groupScores"].update(TTTT=-1.0))
    with pytest.raises(DataValidationError, match="values are not negative") as err:
        qd766._read_all(folder)
    assert agencies in str(err.value)


def test_missing_commune_raises(raw, tmp_path):
    file = "data/gia_lai/communes_GiaLai_05102026.json"
    folder = _copy(raw, tmp_path, file)
    gone = _json(raw, file)["communes"][7]
    _edit(folder, file, lambda d: d["communes"].pop(7))
    with pytest.raises(DataValidationError, match="every unit present") as err:
        qd766.tidy_qd766(folder)
    assert gone["departmentName"] in str(err.value) and "134 commune units, expected 135" in str(
        err.value
    )


def test_sub_unit_with_a_name_not_in_the_catalogue_raises(raw, tmp_path):
    file = "data/gia_lai/agencies_GiaLai_05102026.json"
    folder = _copy(raw, tmp_path, file)
    code = _json(raw, file)["agencies"][2]["departmentCode"]
    _edit(
        folder, file, lambda d: d["agencies"][2].update(departmentName="Sở Không Có - tỉnh Gia Lai")
    )
    with pytest.raises(DataValidationError, match="units are known") as err:
        qd766.tidy_qd766(folder)
    message = str(err.value)
    assert file in message and code in message and "in the catalogue" in message
    _edit(folder, file, lambda d: d["agencies"][2].update(departmentCode="H21.99"))
    with pytest.raises(DataValidationError, match="closest catalogue entries"):
        qd766.tidy_qd766(folder)


def test_schema_guards_the_whole_table(tidy):
    bad = tidy.copy()
    row = bad.index[bad["level"] == "agency"][0]
    bad.loc[row, "province_code_2025"] = "52"  # a bare code: the era is lost
    with pytest.raises(DataValidationError, match="province_code_2025"):
        qd766.validate(bad, qd766.qd766_schema(tuple(GROUPS_AND_TOTAL), qd766.LEVELS), "qd766")
    dup = pd.concat([tidy, tidy.head(1)], ignore_index=True)
    with pytest.raises(DataValidationError):
        qd766.validate(dup, qd766.qd766_schema(tuple(GROUPS_AND_TOTAL), qd766.LEVELS), "qd766")


def test_qd766_online_payment_slope_rests_on_ha_noi():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cc.Qd766Warning)
        wide = cc.qd766_wide("province", "2026-10-10")
    out = cc.ols_without_most_influential(wide, "MDHL ~ CLGQ + TTTT", "TTTT").round(2)
    assert out["dropped"].tolist() == ["", "2025:01"]  # Hà Nội, the lowest TTTT (4.69)
    assert out[["coef", "low", "high"]].to_numpy().tolist() == [
        [1.30, 0.26, 2.33],
        [0.92, -0.52, 2.37],
    ]
    assert out["r2"].tolist() == [0.15, 0.09]
