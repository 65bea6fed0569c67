"""The tidy PAPI table: structure, sums, ranks, gaps, era labels, agreement with the official
workbook, and clear errors for damaged inputs (built in tmp from the real files)."""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from cchc_analysis import paths, registry
from cchc_analysis.build import build_table
from cchc_analysis.download import fetch, sha256
from cchc_analysis.errors import DataValidationError
from cchc_analysis.sources.papi import (
    components,
    load_papi,
    load_papi_workbook,
    papi_wide,
    tidy_papi,
)
from cchc_analysis.tables import TableSpec

KEY = ["year", "province_code", "component"]
# Gaps in the official releases (papi_notes.md): whole provinces, by GSO code.
MISSING_PROVINCES = {
    2014: {"24", "87"},  # Bắc Giang, Đồng Tháp
    2021: {"22", "24", "27"},  # Quảng Ninh, Bắc Giang, Bắc Ninh
    2023: {"22", "74"},  # Quảng Ninh, Bình Dương
    2024: {"26", "82"},  # Vĩnh Phúc, Tiền Giang
}
MISSING_DIMENSIONS = {
    (2018, "22"): {"D2", "D4"},  # Quảng Ninh
    (2018, "87"): {"D2", "D4"},  # Đồng Tháp
    (2022, "24"): {"D1", "D2", "D4", "D5"},  # Bắc Giang
    (2022, "27"): {"D2", "D3", "D4", "D8"},  # Bắc Ninh
}


@pytest.fixture(scope="module")
def papi() -> pd.DataFrame:
    return load_papi()


@pytest.fixture(scope="module")
def workbook() -> pd.DataFrame:
    return load_papi_workbook()


@pytest.fixture(scope="module", autouse=True)
def raw_untouched():
    """No test may change a raw file: checksums before and after the whole module."""
    before = {p: sha256(p) for p in fetch()}
    yield
    assert {p: sha256(p) for p in before} == before


# --- structure ---------------------------------------------------------------------------------


def test_columns_types_and_key(papi):
    assert list(papi.columns[:12]) == [
        "index", "year", "province_code", "province", "level", "component",
        "component_name", "component_name_vi", "parent", "value", "max_value", "rank",
    ]  # fmt: skip
    assert {"era", "source_file"} <= set(papi.columns)
    assert papi["year"].dtype == "int64" and papi["rank"].dtype == "Int64"
    assert sorted(papi["year"].unique()) == list(range(2011, 2025))
    assert set(papi["level"]) == {"subdimension", "dimension", "total"}
    assert set(papi["index"]) == {"PAPI"}
    assert not papi.duplicated(KEY).any()
    assert papi.equals(papi.sort_values(KEY, kind="mergesort").reset_index(drop=True))
    assert papi["value"].notna().all() and papi["province"].notna().all()


def test_components_per_year(papi):
    subs = papi[papi["level"] == "subdimension"].groupby("year")["component"].unique()
    counts = {y: len(c) for y, c in subs.items()}
    # 22 sub-dimensions before 2018; 28 in 2018 (8.3 not yet), 29 in 2019-2020, 28 from 2021.
    assert counts == {**dict.fromkeys(range(2011, 2018), 22), 2018: 28, 2019: 29, 2020: 29,
                      **dict.fromkeys(range(2021, 2025), 28)}  # fmt: skip
    dims = papi[papi["level"] == "dimension"].groupby("year")["component"].nunique()
    assert dims.to_dict() == {y: 6 if y < 2018 else 8 for y in range(2011, 2025)}
    assert set(papi.loc[papi["level"] == "total", "component"]) == {"TOTAL"}
    d5 = papi[(papi["year"] == 2021) & (papi["parent"] == "D5")]["component"].unique()
    assert sorted(d5) == ["D5.1", "D5.2", "D5.3"]
    d8 = papi[(papi["year"] == 2018) & (papi["parent"] == "D8")]["component"].unique()
    assert sorted(d8) == ["D8.1", "D8.2"]


def test_maxima_follow_the_composition(papi):
    def max_of(year, component):
        values = papi.loc[(papi["year"] == year) & (papi["component"] == component), "max_value"]
        return values.unique().tolist()

    assert max_of(2015, "D1.1") == [2.5]
    assert max_of(2015, "D2.1") == [pytest.approx(10 / 3)]
    assert max_of(2018, "D8.1") == [5.0]
    assert max_of(2019, "D8.1") == [pytest.approx(10 / 3)]
    assert max_of(2020, "D5.1") == [2.5]
    assert max_of(2021, "D5.1") == [pytest.approx(10 / 3)]
    assert max_of(2017, "TOTAL") == [60.0] and max_of(2018, "TOTAL") == [80.0]
    assert (papi["value"] <= papi["max_value"] + 1e-9).all() and (papi["value"] >= 0).all()


def test_province_names_come_from_the_registry(papi):
    registry_names = pd.read_csv(paths.PACKAGE_DATA / "provinces.csv", dtype=str).set_index("code")[
        "name_vi"
    ]
    assert (papi["province"] == papi["province_code"].map(registry_names)).all()
    assert all(unicodedata.is_normalized("NFC", n) for n in papi["province"].unique())
    assert papi.loc[papi["province_code"] == "46", "province"].iat[0] == "Thừa Thiên Huế"


# --- sums and ranks ----------------------------------------------------------------------------


def test_dimension_and_total_are_sums(papi):
    key = ["year", "province_code"]
    subs = papi[papi["level"] == "subdimension"].groupby([*key, "parent"])["value"].sum()
    dims = papi[papi["level"] == "dimension"].set_index([*key, "component"])["value"]
    assert len(dims) == len(subs)
    assert (dims - subs.reindex(dims.index)).abs().max() < 1e-12
    totals = papi[papi["level"] == "total"].set_index(key)["value"]
    dim_sums = papi[papi["level"] == "dimension"].groupby(key)["value"].sum()
    assert (totals - dim_sums.reindex(totals.index)).abs().max() < 1e-12


def test_ranks_are_competition_ranks_among_provinces_with_a_total(papi):
    ranked_counts = papi[papi["level"] == "total"].groupby("year").size()
    assert ranked_counts[2021] == 60 and ranked_counts[2018] == 61 and ranked_counts[2015] == 63
    for (_year, _component), group in papi.groupby(["year", "component"]):
        with_total = group["rank"].notna()
        expected = group.loc[with_total, "value"].rank(ascending=False, method="min")
        assert (group.loc[with_total, "rank"] == expected.astype("Int64")).all()
        if with_total.any():
            assert group.loc[group["value"][with_total].idxmax(), "rank"] == 1
    has_total = papi.groupby(["year", "province_code"])["component"].transform(
        lambda c: (c == "TOTAL").any()
    )
    assert papi.loc[~has_total, "rank"].isna().all()
    assert papi.loc[has_total, "rank"].notna().all()


def test_missing_provinces_have_no_rows(papi):
    present = papi.groupby("year")["province_code"].unique()
    for year in range(2011, 2025):
        absent = MISSING_PROVINCES.get(year, set())
        assert set(present[year]) == set(registry_codes()) - absent, year


def test_missing_dimensions_mean_no_total_and_no_rank(papi):
    for (year, code), missing in MISSING_DIMENSIONS.items():
        rows = papi[(papi["year"] == year) & (papi["province_code"] == code)]
        dims = set(rows.loc[rows["level"] == "dimension", "component"])
        n_dims = 6 if year < 2018 else 8
        assert dims == {f"D{i}" for i in range(1, n_dims + 1)} - missing
        assert not set(rows["parent"].dropna()) & missing, "no sub-dimensions of a missing one"
        assert "TOTAL" not in set(rows["component"])
        assert rows["rank"].isna().all()
    # Every other province-year with any row is complete.
    counts = papi[papi["level"] == "dimension"].groupby(["year", "province_code"]).size()
    incomplete = {k for k, n in counts.items() if n != (6 if k[0] < 2018 else 8)}
    assert incomplete == set(MISSING_DIMENSIONS)


def registry_codes() -> list[str]:
    return pd.read_csv(paths.PACKAGE_DATA / "provinces.csv", dtype=str)["code"].tolist()


# --- labels by era -----------------------------------------------------------------------------


def name(papi, year, component, column="component_name"):
    values = papi.loc[(papi["year"] == year) & (papi["component"] == component), column]
    assert values.nunique() == 1
    return values.iat[0]


def test_component_names_follow_the_era(papi):
    assert name(papi, 2015, "D2.1") == "Poverty Lists"
    assert name(papi, 2015, "D2.1", "component_name_vi") == "Danh sách hộ nghèo"
    assert name(papi, 2018, "D2.1") == "Access to Information"
    assert name(papi, 2018, "D2.2") == "Poverty List Transparency"
    assert name(papi, 2015, "D3.2") == "People's Inspection Boards"
    assert name(papi, 2015, "D3.3") == "Community Investment Boards"
    assert name(papi, 2016, "D3.2") == "Responsive to Citizen Actions"
    assert name(papi, 2016, "D3.3") == "People's Inspection Boards"
    assert name(papi, 2017, "D3.3") == name(papi, 2016, "D3.3")
    assert name(papi, 2021, "D5.2") == "Land Title Procedures"
    assert name(papi, 2020, "D5.2") == "Construction Permits"
    eras = papi.groupby("year")["era"].unique()
    assert all(list(e) == (["2011-2017"] if y < 2018 else ["2018-"]) for y, e in eras.items())
    assert all(unicodedata.is_normalized("NFC", n) for n in papi["component_name_vi"].unique())


def test_assumed_labels_are_marked():
    table = components()
    notes = table.loc[(table["year"] == 2017) & table["component"].isin(["D3.2", "D3.3"]), "note"]
    assert notes.str.contains("assumed").all()
    sources = set(table["name_vi_source"]) | set(table["name_en_source"])
    assert sources <= {
        "workbook",
        "codebook",
        "PAPI report",
        "papi.org.vn",
        "translation",
        "descriptive",
    }


def test_wide_view(papi):
    wide = papi_wide(2021, frame=papi)
    assert wide.index.name == "province_code" and list(wide.columns) == [
        f"D{i}" for i in range(1, 9)
    ]
    assert len(wide) == 60 and wide.notna().all().all()
    assert wide.loc["46"].sum() == pytest.approx(48.059, abs=5e-4)
    subs = papi_wide(2015, "subdimension", frame=papi)
    assert subs.shape == (63, 22) and subs.columns[0] == "D1.1"
    partial = papi_wide(2022, frame=papi)
    assert partial.loc["24"].isna().sum() == 4  # Bắc Giang 2022: four dimensions not released
    assert papi_wide(2019, "total", frame=papi).shape == (63, 1)
    with pytest.raises(ValueError, match="level must be one of"):
        papi_wide(2021, "province", frame=papi)


# --- the official workbook ---------------------------------------------------------------------


def test_workbook_agrees_with_the_csvs_cell_for_cell(papi, workbook):
    assert sorted(workbook["year"].unique()) == list(range(2011, 2017))
    csv = papi[papi["year"] <= 2016].set_index(KEY)
    book = workbook.set_index(KEY)
    assert csv.index.sort_values().equals(book.index.sort_values())
    joined = csv[["value", "level"]].join(book["value"].rename("value_book"))
    diff = (joined["value"] - joined["value_book"]).abs()
    assert diff[joined["level"] == "subdimension"].max() < 1e-8
    assert diff[joined["level"] != "subdimension"].max() < 1e-5
    assert (csv["rank"] == book.loc[csv.index, "rank"]).mean() > 0.99
    # GSO codes in the workbook (tinhid) are the codes the CSV rows P01..P63 were mapped to.
    row = workbook[(workbook["year"] == 2011) & (workbook["component"] == "D1.1")]
    assert row.set_index("province_code").loc["01", "value"] == 1.26411
    assert row["source_file"].iat[0] == "papi_workbook/PAPI_2011-2016.xlsx#2011_PAPI"


def test_workbook_gaps_and_labels(workbook):
    present = workbook[workbook["year"] == 2014]["province_code"].unique()
    assert {"24", "87"}.isdisjoint(present) and len(present) == 61
    assert "999" not in set(workbook["province_code"])
    assert name(workbook, 2016, "D3.2") == "Responsive to Citizen Actions"


# --- damaged inputs ----------------------------------------------------------------------------


@pytest.fixture
def papi_copy(tmp_path) -> Path:
    """A writable copy of the fetched PAPI files, laid out like data/raw/papi."""
    target = tmp_path / "papi"
    shutil.copytree(paths.RAW / "papi", target, copy_function=shutil.copyfile)
    return target


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, start: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(start))


def test_csv_missing_column(papi_copy):
    path = papi_copy / "csv" / "2015.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns="SC33")
    frame.to_csv(path, index=False)
    with pytest.raises(DataValidationError, match=r"papi/csv/2015\.csv.*missing \['SC33'\]"):
        tidy_papi(papi_copy, check_workbook=False)


def test_csv_extra_column(papi_copy):
    path = papi_copy / "csv" / "2019.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["SC91"] = "1.0"
    frame.to_csv(path, index=False)
    with pytest.raises(DataValidationError, match=r"papi/csv/2019\.csv.*unexpected \['SC91'\]"):
        tidy_papi(papi_copy, check_workbook=False)


def test_duplicate_province_row(papi_copy):
    path = papi_copy / "csv" / "2020.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    p05 = next(line for line in lines if line.startswith("P05,"))
    path.write_text("".join([*lines, p05]), encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        tidy_papi(papi_copy, check_workbook=False)
    message = str(info.value)
    assert "papi/csv/2020.csv" in message and "one row per province" in message
    assert f"rows 6, {len(lines) + 1}" in message and "P05" in message


def test_value_out_of_range(papi_copy):
    path = papi_copy / "csv" / "2015.csv"
    original = pd.read_csv(path, dtype=str).loc[9, "SC11"]  # P10, line 11
    edit(path, f"P10,{original},", "P10,2.61,")  # above the 2.5 maximum of a four-part dimension
    with pytest.raises(DataValidationError) as info:
        tidy_papi(papi_copy, check_workbook=False)
    message = str(info.value)
    assert "papi/csv/2015.csv" in message and "value within [0, max_value]" in message
    assert "rows 11" in message


def test_negative_value(papi_copy):
    path = papi_copy / "csv" / "2022.csv"
    original = pd.read_csv(path, dtype=str).loc[0, "SC11"]
    edit(path, f"P01,{original},", f"P01,-{original},")
    with pytest.raises(DataValidationError, match=r"papi/csv/2022\.csv.*value.*rows 2"):
        tidy_papi(papi_copy, check_workbook=False)


def test_decimal_comma_quoted(papi_copy):
    path = papi_copy / "csv" / "2016.csv"
    original = pd.read_csv(path, dtype=str).loc[2, "SC11"]  # P03, line 4
    edit(path, f"P03,{original},", f'P03,"{original.replace(".", ",")}",')
    with pytest.raises(DataValidationError) as info:
        tidy_papi(papi_copy, check_workbook=False)
    message = str(info.value)
    assert "papi/csv/2016.csv" in message and "decimal comma" in message and "rows 4" in message


def test_decimal_comma_unquoted_breaks_the_row(papi_copy):
    path = papi_copy / "csv" / "2016.csv"
    original = pd.read_csv(path, dtype=str).loc[2, "SC11"]
    edit(path, f"P03,{original},", f"P03,{original.replace('.', ',')},")
    with pytest.raises(DataValidationError) as info:
        tidy_papi(papi_copy, check_workbook=False)
    message = str(info.value)
    assert "papi/csv/2016.csv" in message and "decimal commas" in message and "line 4" in message


def test_unknown_province_code(papi_copy):
    path = papi_copy / "csv" / "2012.csv"
    edit(path, "\nP63,", "\nP64,")
    with pytest.raises(DataValidationError, match=r"2012\.csv.*P01-P63' failed; rows 64.*P64"):
        tidy_papi(papi_copy, check_workbook=False)


def test_misspelt_province_in_codebook(papi_copy):
    path = papi_copy / "codebook" / "codebook_provinces.csv"
    edit(path, "P14,Quang Ninh", "P14,Quang Nimh")
    with pytest.raises(DataValidationError, match=r"codebook_provinces\.csv.*GSO order.*rows 15"):
        tidy_papi(papi_copy, check_workbook=False)


def test_value_in_a_column_outside_the_composition(papi_copy):
    path = papi_copy / "csv" / "2013.csv"
    line = line_of(path, "P07,")
    text = path.read_text(encoding="utf-8").splitlines()
    cells = text[line - 1].split(",")
    cells[8] = "1.5"  # SC24 did not exist before 2018
    text[line - 1] = ",".join(cells)
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(
        DataValidationError, match=r"2013\.csv.*\['SC24'\].*2013 composition.*rows 8"
    ):
        tidy_papi(papi_copy, check_workbook=False)


def test_partly_released_dimension(papi_copy):
    path = papi_copy / "csv" / "2017.csv"
    original = pd.read_csv(path, dtype=str).loc[4, "SC11"]
    edit(path, f"P05,{original},", "P05,,")
    with pytest.raises(
        DataValidationError, match=r"2017\.csv.*dimension D1 released whole.*rows 6"
    ):
        tidy_papi(papi_copy, check_workbook=False)


def test_truncated_excel(tmp_path):
    source = registry.files("papi_workbook")[0].path
    damaged = tmp_path / "PAPI_2011-2016.xlsx"
    damaged.write_bytes(source.read_bytes()[: source.stat().st_size // 2])
    with pytest.raises(DataValidationError) as info:
        load_papi_workbook(damaged)
    message = str(info.value)
    assert "PAPI_2011-2016.xlsx" in message and "readable .xlsx" in message


def test_workbook_with_a_different_header(tmp_path):
    import zipfile

    source = registry.files("papi_workbook")[0].path
    changed = tmp_path / "PAPI_2011-2016.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(changed, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/sharedStrings.xml":
                data = data.replace(b">Poverty Lists<", b">Access to Information<")
            zout.writestr(item, data)
    with pytest.raises(
        DataValidationError, match=r"sheet 2011_PAPI.*cell J1 reads 'Poverty Lists'"
    ):
        load_papi_workbook(changed)


def test_workbook_saved_without_formula_results(tmp_path):
    import openpyxl

    source = registry.files("papi_workbook")[0].path
    resaved = tmp_path / "PAPI_2011-2016.xlsx"
    openpyxl.load_workbook(source).save(resaved)  # drops the cached totals of 2011-2015
    with pytest.raises(
        DataValidationError, match=r"sheet 2011_PAPI.*rows 3, 4.*empty: \['TOTAL'\]"
    ):
        load_papi_workbook(resaved)


def test_failed_build_leaves_no_processed_file(papi_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("CCHC_DATA_DIR", str(tmp_path / "data"))
    edit(papi_copy / "csv" / "2024.csv", "\nP01,", "\nP01,9")  # 9 prefixed: out of range
    spec = TableSpec(
        name="papi",
        description="damaged copy",
        make=lambda: tidy_papi(papi_copy, check_workbook=False),
        inputs=lambda: sorted((papi_copy / "csv").glob("*.csv")),
        key=tuple(KEY),
    )
    with pytest.raises(DataValidationError, match=r"2024\.csv"):
        build_table(spec)
    processed = tmp_path / "data" / "processed"
    assert not processed.exists() or not any(processed.iterdir())


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        (lambda f: f.assign(province_code=f["province_code"].replace("01", "03")), "province_code"),
        (lambda f: pd.concat([f, f.iloc[[0]]], ignore_index=True), "uniqueness"),
        (lambda f: f.assign(era="2018-"), "era matches year"),
        (lambda f: f.assign(level="dimension"), "component code matches level"),
        (lambda f: f.assign(value=f["max_value"] + 0.01), "value within [0, max_value]"),
    ],
    ids=["unknown-province", "duplicate-key", "era", "level", "above-max"],
)
def test_schema_rules(papi, change, rule):
    from cchc_analysis.schemas import validate
    from cchc_analysis.schemas.papi import papi_schema

    sample = papi[(papi["year"] == 2011) & (papi["province_code"] == "01")].reset_index(drop=True)
    validate(sample, papi_schema(), "sample")
    with pytest.raises(DataValidationError, match=re.escape(rule)):
        validate(change(sample), papi_schema(), "sample")
