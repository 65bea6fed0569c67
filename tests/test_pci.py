"""PCI: the tidy panel from the real VCCI workbooks and the Stata panel, its weights, the published
facts, the wide views for the ranking tools, and clear errors for bad workbooks (small synthetic
workbooks written in tmp_path from the real layout table)."""

from __future__ import annotations

import re

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cchc_analysis as cc
from cchc_analysis import registry
from cchc_analysis.download import fetch, sha256
from cchc_analysis.errors import CchcDataError, DataValidationError
from cchc_analysis.sources import pci, pci_workbook
from cchc_analysis.sources.pci_facts import compare_pci_facts

KEY = ["year", "province_code", "component"]
HA_TAY = "former:ha-tay"


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return cc.load_pci()


@pytest.fixture(scope="module", autouse=True)
def raw_untouched():
    """No test may change a raw file: checksums before and after the whole module."""
    before = {p: sha256(p) for p in fetch("pci_workbooks") + fetch("pci_panel")}
    yield
    assert {p: sha256(p) for p in before} == before


# ---------------------------------------------------------------------------------------------
# Registry and shape
# ---------------------------------------------------------------------------------------------


def test_sources_are_registered_pinned_and_licensed():
    books = registry.files("pci_workbooks")
    assert [f.file for f in books] == list(pci_workbook.years()["file"])
    for entry in [*books, *registry.files("pci_panel")]:
        assert re.search(r"/[0-9a-f]{40}/", entry.url), entry.url  # pinned to a commit
        assert entry.licence and entry.citation
    assert all("VCCI" in f.licence for f in books)
    assert registry.files("pci_panel")[0].licence.startswith("MIT")


def test_provinces_and_subindices_per_year(frame):
    book = frame[frame["source"] == "vcci_workbook"]
    n_prov = book[book["level"] == "total"].groupby("year").size()
    assert n_prov[2005] == 42
    assert (n_prov.loc[2006:2008] == 64).all()
    assert (n_prov.loc[2009:2016] == 63).all()
    n_subs = book[book["level"] == "subindex"].groupby("year")["component"].nunique()
    assert n_subs[2005] == 9
    assert (n_subs.loc[2006:2008] == 10).all()
    assert (n_subs.loc[2009:2012] == 9).all()  # no SOE/policy-bias sub-index in 2009-2012
    assert (n_subs.loc[2013:2016] == 10).all()
    assert not frame.duplicated(KEY).any()
    panel = frame[frame["source"] == "stata_panel"]
    assert sorted(set(panel["year"])) == list(range(2017, 2023))
    assert (panel.groupby("year").size() == 63).all()
    assert set(panel["level"]) == {"total"}  # the gap after 2016 is explicit: totals only


def test_ha_tay_is_a_marked_former_province(frame):
    ha_tay = frame[frame["province_code"] == HA_TAY]
    assert sorted(set(ha_tay["year"])) == [2005, 2006, 2007, 2008]
    assert ha_tay["former_province"].all() and set(ha_tay["province"]) == {"Hà Tây"}
    assert not frame.loc[frame["province_code"] != HA_TAY, "former_province"].any()
    gso = set(cc.provinces()["code"])
    assert set(frame["province_code"]) - gso == {HA_TAY}


@pytest.mark.parametrize(
    ("spelling", "key"),
    [
        ("TT- Huế", "46"),
        ("TT-Hue", "46"),
        ("BRVT", "77"),
        ("Tp.HCM", "79"),
        ("HCMC", "79"),
        ("Đăk Nông", "67"),
        ("Quảng Ngãi ", "51"),
        ("Hà Tây", HA_TAY),
        ("Ha Tay", HA_TAY),
    ],
)
def test_workbook_spellings(spelling, key):
    assert pci_workbook.province_key(spelling)[0] == key


def test_values_in_range_and_provenance(frame):
    subs = frame[frame["level"] == "subindex"]
    assert subs["value"].between(0, 10).all() and (subs["max_value"] == 10).all()
    totals = frame[frame["level"] == "total"]
    assert totals["value"].between(0, 100).all() and (totals["max_value"] == 100).all()
    book = frame[frame["source"] == "vcci_workbook"]
    assert book["source_sheet"].notna().all() and book["source_row"].notna().all()
    assert book["source_file"].str.fullmatch(r"pci_workbooks/PCI_\d{4}\.xlsx?").all()
    # Hà Nội's 2015 total sits in Summary_VN, column W; that column is sorted by total, so its
    # Excel row gives the published rank (row 2 = rank 1).
    row = book[
        (book["year"] == 2015) & (book["province_code"] == "01") & (book["level"] == "total")
    ]
    assert row[["source_sheet", "source_column"]].iloc[0].tolist() == ["Summary_VN", "W"]
    assert row["rank"].iat[0] == 1 + (row["source_row"].iat[0] - 2)


def test_vietnamese_names_are_nfc(frame):
    import unicodedata

    for column in ("province", "component_name_vi"):
        text = frame[column].drop_duplicates()
        assert all(unicodedata.is_normalized("NFC", t) for t in text)


# ---------------------------------------------------------------------------------------------
# Weights: recovered from the workbooks vs in use vs published
# ---------------------------------------------------------------------------------------------


def test_weights_recovered_from_every_workbook(frame):
    check = pci.pci_weight_check(frame)
    exact = check[~check["year"].isin([2005, 2011])]
    # Least squares over the provinces of each year returns the era weights to 1e-6 ...
    assert (exact["recovered"] - exact["weight"]).abs().max() < 1e-6
    assert (exact["max_abs_residual_era"] < 1e-5).all()
    # ... and the weights in use sum to 1 in every era with known weights.
    sums = check.dropna(subset=["weight"]).groupby("year")["weight"].sum()
    assert np.allclose(sums, 1.0)
    # 2011: documented exception; published totals exceed the era's weighted sum everywhere.
    y2011 = check[check["year"] == 2011]
    assert y2011["max_abs_residual_era"].iat[0] == pytest.approx(0.5519, abs=1e-3)
    assert y2011["max_abs_residual_lstsq"].iat[0] > 0.2  # no linear recipe fits 2011 either
    # 2005: no published weights; a non-round least-squares recipe fits within 0.004.
    y2005 = check[check["year"] == 2005]
    assert y2005["weight"].isna().all() and y2005["max_abs_residual_lstsq"].iat[0] < 0.004


def test_recovered_weights_equal_published_where_published(frame):
    check = pci.pci_weight_check(frame)
    compared = check.dropna(subset=["published"])
    # Every 2013-2016 workbook, nine sub-indices each (LI's published weight was not found).
    assert sorted(compared["year"].unique()) == [2013, 2014, 2015, 2016]
    assert (compared.groupby("year").size() == 9).all()
    assert compared["recovered_minus_published"].abs().max() < 1e-6
    # Nothing is compared where nothing is published.
    assert check.loc[check["published"].isna(), "recovered_minus_published"].isna().all()


def test_2011_totals_exceed_weighted_sum(frame):
    wide = cc.pci_wide(2011, frame=frame)
    total = cc.pci_wide(2011, level="total", frame=frame)["TOTAL"]
    gap = total - wide @ cc.pci_weights(2011)
    # Every province's published total is at least its weighted sum (two-decimal rounding) and
    # 62 of 63 exceed it by 0.047-0.552 points; only Đồng Tháp fits within rounding.
    assert (gap > -0.005).all() and gap.max() < 0.56
    assert set(gap.index[gap <= 0.04]) == {"87"} and (gap > 0.04).sum() == 62


# Published weights found in stored copies of VCCI's reports: nine of the ten 2013- weights. The
# rest were searched for and not found; each such row says so in its published_source cell.
PUBLISHED_ERAS = {"2013-": 9}
# (era, code) where the published weight differs from the one recovered from the workbooks.
WEIGHT_DISAGREEMENTS: dict[tuple[str, str], str] = {}


def test_published_weights_agree_with_recovered():
    weights = pd.read_csv(pci.paths.PACKAGE_DATA / "pci_weights.csv")
    published = weights.dropna(subset=["published_pct"])
    assert published["era"].value_counts().to_dict() == PUBLISHED_ERAS
    assert published["published_source"].str.startswith("https://").all()
    differs = published[published["published_pct"] != published["weight_pct"]]
    assert set(zip(differs["era"], differs["code"], strict=True)) == set(WEIGHT_DISAGREEMENTS)
    # Every weight without a published value records the search that did not find it.
    missing = weights[weights["published_pct"].isna()]
    assert len(missing) == len(weights) - sum(PUBLISHED_ERAS.values()) == 29
    assert missing["published_source"].str.contains("not found in stored copies").all()
    assert set(missing.loc[missing["era"] == "2013-", "code"]) == {"LI"}
    # The era weights change between eras: the methodology player has work to do.
    era = weights.pivot(index="code", columns="era", values="weight_pct")
    assert era.loc["BS", "2009-2012"] == 5 and era.loc["BS", "2013-"] == 20


@pytest.mark.slow  # about 3 s, most of it importing the ranking tools on first use
def test_weighted_sum_reproduces_published_totals_and_ranks(frame):
    for year in (2008, 2015, 2016):
        wide = cc.pci_wide(year, frame=frame)
        total = cc.pci_wide(year, level="total", frame=frame)["TOTAL"]
        assert np.abs(wide @ cc.pci_weights(year) - total).max() < 1e-4
        published = frame[(frame["year"] == year) & (frame["level"] == "total")].set_index(
            "province_code"
        )["rank"]
        assert (cc.competition_rank(wide @ cc.pci_weights(year)) == published.loc[wide.index]).all()


def test_no_weights_for_2005():
    with pytest.raises(CchcDataError, match="not known"):
        cc.pci_weights(2005)


# ---------------------------------------------------------------------------------------------
# The Stata panel: 2016 overlap, population
# ---------------------------------------------------------------------------------------------


def test_panel_2016_agrees_with_workbook(frame):
    panel = pci.load_pci_panel()
    p2016 = panel[panel["year"] == 2016].set_index("province_code")["pci"]
    book = cc.pci_wide(2016, level="total", frame=frame)["TOTAL"]
    assert set(p2016.index) == set(book.index) and len(book) == 63
    diff = (p2016 - book.loc[p2016.index]).abs()
    assert diff.max() <= 0.005  # the panel prints two decimals


def test_population_units_and_national_totals():
    pop = cc.load_population()
    assert len(pop) == 63 * 7 and not pop.duplicated(["province_code", "year"]).any()
    national = pop.groupby("year")["population"].sum()
    # GSO national average population, thousand persons (shared facts, qd766_notes.md).
    assert national[2019] == pytest.approx(96483.8, abs=0.05)
    assert national[2021] == pytest.approx(98506.2, abs=0.05)
    assert national[2022] == pytest.approx(99474.4, abs=0.05)
    hanoi = pop[(pop["province_code"] == "01") & (pop["year"] == 2019)]["population"].iat[0]
    assert hanoi == pytest.approx(8093.9)


# ---------------------------------------------------------------------------------------------
# Every published fact: reproduced, or listed here with its reason
# ---------------------------------------------------------------------------------------------

# Lines of data/raw/facts/pci_published_facts.csv whose value differs from the panel.
DIFFERS = {
    # pcivietnam.vn province pages: 2013 "Informal Charges" differs from the 2013 workbook for all
    # six provinces with a page; the workbook's totals are reproduced by its own sub-indices.
    **dict.fromkeys([870, 1070, 1270, 1470, 1670, 1865], "2013 IC on the province pages"),
    # Same pages, 2009 "Business Support Policy": differs for all six provinces.
    **dict.fromkeys([921, 1121, 1321, 1521, 1721, 1913], "2009 BS on the province pages"),
    # Lâm Đồng's page carries Lai Châu's 2010 row (its alphabetical neighbour): checked below.
    **dict.fromkeys(
        [1005, 1022, 1039, 1056, 1073, 1103, 1120, 1137, 1154, 1171, 1188],
        "Lâm Đồng 2010 = Lai Châu's row",
    ),
    # Press typo (qd766_notes.md): Đồng Tháp 2022 printed 69.98 in one article, 69.68 elsewhere.
    2090: "press typo",
}


@pytest.fixture(scope="module")
def facts(frame) -> pd.DataFrame:
    return compare_pci_facts(frame)


def test_every_fact_reproduced_or_listed(facts):
    assert len(facts) == 2111
    differs = facts[facts["status"] == "differs"]
    assert set(differs["line"]) == set(DIFFERS)
    missing = facts[facts["status"] == "not in panel"]
    # Sub-indices after 2016: no source in the project (the Stata panel has totals only).
    assert (missing["year"] > 2016).all() and (missing["component"] != "TOTAL").all()
    assert set(missing["component"]) <= set(pci.subindices(2016)["code"])
    counts = facts["status"].value_counts().to_dict()
    assert counts == {"reproduced": 1307, "not in panel": 780, "differs": 24}


def test_lam_dong_2010_page_shows_lai_chau(facts, frame):
    rows = facts[facts["line"].map(DIFFERS).eq("Lâm Đồng 2010 = Lai Châu's row")]
    lai_chau = frame[(frame["year"] == 2010) & (frame["province_code"] == "12")]
    values = lai_chau.set_index("component")["value"]
    for component, published, tol in zip(
        rows["component"], rows["published"], rows["tolerance"], strict=True
    ):
        ours = (
            lai_chau.loc[lai_chau["level"] == "total", "rank"].iat[0]
            if component == "RANK"
            else values[component]
        )
        assert abs(published - ours) <= tol


def test_tied_ranks_are_reproduced(facts):
    # Quảng Trị 2019 (49) and 2021 (41): two-decimal totals tie, the published rank is in the block.
    rows = facts[(facts["province_code"] == "45") & (facts["component"] == "RANK")]
    tied = rows[rows["year"].isin([2019, 2021])]
    assert (tied["status"] == "reproduced").all()
    assert set(tied["published"] - tied["reproduced"]) == {1.0}


# ---------------------------------------------------------------------------------------------
# Wide views and the ranking tools
# ---------------------------------------------------------------------------------------------


def test_wide_views(frame):
    wide = cc.pci_wide(2015, frame=frame)
    assert wide.shape == (63, 10)
    assert list(wide.columns) == ["EC", "LA", "TR", "TC", "IC", "PB", "PR", "BS", "LT", "LI"]
    assert cc.pci_wide(2008, frame=frame).shape == (64, 10)
    assert cc.pci_wide(2020, level="total", frame=frame).shape == (63, 1)
    with pytest.raises(CchcDataError, match="no subindex scores for 2020"):
        cc.pci_wide(2020, frame=frame)
    with pytest.raises(ValueError, match="level"):
        cc.pci_wide(2015, level="dimension", frame=frame)


def test_weight_change_is_attributed_to_methodology(frame):
    t = cc.pci_transition(2012, 2013, frame=frame)
    assert t["prev_weights"]["PB"] == 0 and t["weights"]["PB"] == 0.5
    result = cc.shapley_rank_attribution(
        t["prev"], t["curr"], weights=t["weights"], prev_weights=t["prev_weights"]
    )
    table = result.table
    assert "methodology" in result.players
    assert table["methodology"].abs().sum() > 0
    players = list(result.players)
    assert np.allclose(table["rank_change"], table["composition"] + table[players].sum(axis=1))
    # Hà Nội: 51st -> 33rd, of which the 2013 re-weighting (BS 5% -> 20%) is worth about 18 places.
    assert table.loc["01", "rank_change"] == -18
    assert table.loc["01", "methodology"] < -15
    # Within an era the recipe is unchanged: no methodology player.
    same = cc.pci_transition(2014, 2015, frame=frame)
    within = cc.shapley_rank_attribution(
        same["prev"], same["curr"], weights=same["weights"], prev_weights=same["prev_weights"]
    )
    assert "methodology" not in within.players


# ---------------------------------------------------------------------------------------------
# Bad input: synthetic workbooks written from the real layout table
# ---------------------------------------------------------------------------------------------


def _letters(number: int) -> int:
    return pci_workbook._column_number(number) + 1


def _synthetic(year: int, seed: int = 0, n: int | None = None) -> dict[str, dict]:
    """Cell values {sheet: {(row, col): value}} of a consistent workbook in ``year``'s layout."""
    spec = pci_workbook.layout()[pci_workbook.layout()["year"] == year]
    subs = pci.subindices(year)
    names = cc.provinces()["name_vi"].tolist()
    n = n or int(pci_workbook.years().loc[year, "n_provinces"])
    names = [*names, "Hà Tây"][:n] if n == 64 else names[:n]
    rng = np.random.default_rng(seed)
    values = pd.DataFrame(
        np.round(rng.uniform(1, 9, size=(n, len(subs))), 6), index=names, columns=subs["code"]
    )
    weights = subs.set_index("code")["weight"].fillna(1 / len(subs)) * 10
    values["TOTAL"] = values[subs["code"]] @ weights
    values["UNWEIGHTED"] = values[subs["code"]].sum(axis=1)
    values["RANK"] = values["TOTAL"].rank(ascending=False, method="min")
    sorted_layout = spec["province_column"].nunique() > 1
    cells: dict[str, dict] = {}
    for item in spec.to_dict("records"):
        sheet = cells.setdefault(item["sheet"], {})
        sheet[(item["header_row"], _letters(item["value_column"]))] = item["header"] or None
        key = "TOTAL" if item["field"] == "RANK" else item["field"]
        column = values.sort_values(key, ascending=False) if sorted_layout else values
        for offset, (name, row) in enumerate(column.iterrows()):
            excel_row = item["first_row"] + offset
            sheet[(excel_row, _letters(item["province_column"]))] = name
            sheet[(excel_row, _letters(item["value_column"]))] = float(row[item["field"]])
    return cells


def _save(cells: dict[str, dict], path) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, sheet_cells in cells.items():
        sheet = book.create_sheet(name)
        for (row, col), value in sheet_cells.items():
            sheet.cell(row=row, column=col, value=value)
    book.save(path)


def _find(cells: dict[str, dict], value) -> tuple[str, tuple[int, int]]:
    for sheet, sheet_cells in cells.items():
        for where, found in sheet_cells.items():
            if found == value:
                return sheet, where
    raise AssertionError(value)


@pytest.mark.parametrize("year", [2008, 2013])
def test_synthetic_workbook_loads(tmp_path, year):
    path = tmp_path / f"PCI_{year}.xlsx"
    _save(_synthetic(year), path)
    tidy = pci.load_pci_workbooks({year: path})
    n = 64 if year == 2008 else 63
    assert (tidy["level"] == "total").sum() == n
    assert (HA_TAY in set(tidy["province_code"])) == (year == 2008)


@pytest.mark.slow
@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10_000))
def test_sorted_columns_read_back_exactly(tmp_path, seed):
    """Property: whatever the values (and so each column's own sort order), a sorted-layout
    workbook reads back to the values written, province by province."""
    cells = _synthetic(2013, seed=seed)
    path = tmp_path / f"s{seed}.xlsx"
    _save(cells, path)
    tidy = pci.load_pci_workbooks({2013: path})
    wide = tidy[tidy["level"] == "subindex"].pivot(
        index="province", columns="component", values="value"
    )
    rng = np.random.default_rng(seed)
    names = cc.provinces()["name_vi"].tolist()[:63]
    expected = np.round(rng.uniform(1, 9, size=(63, 10)), 6)
    codes = pci.subindices(2013)["code"]
    assert np.allclose(wide.loc[names, codes].to_numpy(), expected)


def _expect_error(tmp_path, cells, year, *patterns):
    path = tmp_path / f"bad_{year}.xlsx"
    _save(cells, path)
    with pytest.raises(DataValidationError) as info:
        pci.load_pci_workbooks({year: path})
    message = str(info.value)
    assert path.name in message
    for pattern in patterns:
        assert re.search(pattern, message), message
    return message


def test_layout_mismatch_names_file_sheet_cell(tmp_path):
    cells = _synthetic(2013)
    cells["Summary_VN"][(1, 3)] = "Something else"
    _expect_error(
        tmp_path,
        cells,
        2013,
        "Summary_VN",
        r"cell C1 reads 'Gia nhập thị trường'",
        "rows 1",
        "Something else",
    )


def test_missing_sheet_is_reported(tmp_path):
    cells = _synthetic(2013)
    cells["Tổng hợp"] = cells.pop("Summary_VN")
    _expect_error(tmp_path, cells, 2013, r"sheets named \['Summary_VN'\]")


def test_unknown_province_names_row_and_rule(tmp_path):
    cells = _synthetic(2009)
    sheet, (row, col) = _find(cells, "Đà Nẵng")
    cells[sheet][(row, col)] = "Atlantis"
    _expect_error(tmp_path, cells, 2009, "Tong Hop", f"rows {row}", "in the registry", "Atlantis")


def test_subindex_out_of_range_names_row_and_rule(tmp_path):
    cells = _synthetic(2009)
    cells["Tong Hop"][(10, 4)] = 11.5  # column D = entry costs
    _expect_error(tmp_path, cells, 2009, "Tong Hop", "rows 10", r"EC within \[0, 10\]", "11.5")


def test_text_in_a_value_cell_is_reported(tmp_path):
    cells = _synthetic(2009)
    cells["Tong Hop"][(12, 6)] = "n/a"
    _expect_error(tmp_path, cells, 2009, "rows 12", "TR: a number in F12", "n/a")


def test_total_not_reproduced_names_row_and_rule(tmp_path):
    cells = _synthetic(2009)
    cells["Tong Hop"][(20, 13)] += 0.5  # column M = published total
    _expect_error(tmp_path, cells, 2009, "rows 20", "TOTAL = weighted sum", "era's weights")


def test_rank_not_reproducible(tmp_path):
    cells = _synthetic(2009)
    first = cells["Tong Hop"][(4, 2)]
    cells["Tong Hop"][(4, 2)] = cells["Tong Hop"][(5, 2)]
    cells["Tong Hop"][(5, 2)] = first
    _expect_error(tmp_path, cells, 2009, "rows 4, 5", "published rank = competition rank")


def test_repeated_province_is_reported(tmp_path):
    cells = _synthetic(2009)
    cells["Tong Hop"][(6, 3)] = cells["Tong Hop"][(4, 3)]
    _expect_error(tmp_path, cells, 2009, "one row per province")


# ---------------------------------------------------------------------------------------------
# Bad input: the Stata panel
# ---------------------------------------------------------------------------------------------


def _panel_file(tmp_path, frame: pd.DataFrame):
    path = tmp_path / "Dataset.dta"
    frame.to_stata(path, write_index=False, version=118)  # 118: UTF-8 strings (Đ)
    return path


def _panel_frame(year: int = 2016, pci_values=None) -> pd.DataFrame:
    names = pd.read_csv(pci.paths.PACKAGE_DATA / "pci_panel_names.csv", dtype=str)["name"]
    values = np.linspace(50, 70, len(names)) if pci_values is None else pci_values
    return pd.DataFrame(
        {
            "name": names,
            "year": np.int16(year),
            "pci": np.asarray(values, dtype="float32"),
            "population": np.float32(1000.5),
        }
    )


def test_panel_unknown_abbreviation(tmp_path):
    frame = _panel_frame()
    frame.loc[5, "name"] = "XYZ"
    with pytest.raises(DataValidationError, match=r"Dataset\.dta.*abbreviation.*rows 6.*XYZ"):
        pci.load_pci_panel(_panel_file(tmp_path, frame))


def test_panel_must_agree_with_the_2016_workbook(tmp_path):
    book_path = tmp_path / "PCI_2016.xlsx"
    _save(_synthetic(2016), book_path)
    workbook = pci.load_pci_workbooks({2016: book_path})
    totals = workbook[workbook["level"] == "total"].set_index("province_code")["value"]
    codes = pd.read_csv(pci.paths.PACKAGE_DATA / "pci_panel_names.csv", dtype=str)["code"]
    agreeing = totals.loc[codes].round(2).to_numpy()
    ok = pci.load_pci_panel(_panel_file(tmp_path, _panel_frame(pci_values=agreeing)))
    assert pci._panel_rows(ok, workbook).empty  # 2016 only: nothing after the workbooks
    off = agreeing.copy()
    off[10] += 0.5
    bad = pci.load_pci_panel(_panel_file(tmp_path, _panel_frame(pci_values=off)))
    with pytest.raises(
        DataValidationError, match=r"Dataset\.dta.*equal the VCCI workbook.*rows 11"
    ):
        pci._panel_rows(bad, workbook)
