"""The level-shift screen: planted shifts in simulated panels (labelled SIMULATION below) are found and
a panel without shifts gives nothing; on the real PAPI panel the recorded composition changes are
marked documented and the result is deterministic."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cchc_analysis as cc
from cchc_analysis.breaks import SHIFT_COLUMNS, flag_rule, level_shifts
from cchc_analysis.errors import CchcDataError, DataValidationError
from cchc_analysis.sources.papi import load_papi

# --- SIMULATION: synthetic province panels, only to validate the screen ------------------------


def simulated_panel(
    seed: int = 7,
    years: range = range(2018, 2025),
    column: str = "SC41",
    codes: dict[int, str] | None = None,
    n: int = 60,
    shift_at: int | None = None,
    shift_sd: float = 0.0,
    scale_at: int | None = None,
    scale: float = 1.0,
) -> pd.DataFrame:
    """SIMULATED tidy sub-dimension rows: a lasting province effect plus yearly noise (year-on-year
    correlation about 0.6), optionally with the whole field shifted by ``shift_sd`` spreads from
    ``shift_at`` or its spread multiplied by ``scale`` from ``scale_at``."""
    rng = np.random.default_rng(seed)
    effect = rng.normal(0.0, 1.0, n)
    rows = []
    for year in years:
        values = 5.0 + 0.2 * effect + 0.16 * rng.normal(0.0, 1.0, n)
        if scale_at is not None and year >= scale_at:
            values = values.mean() + scale * (values - values.mean())
        if shift_at is not None and year >= shift_at:
            values = values + shift_sd * 0.26  # 0.26 = the simulated spread across provinces
        code = (codes or {}).get(year, f"D{column[2]}.{column[3]}")
        rows += [
            {
                "year": year,
                "province_code": f"{i:02d}",
                "level": "subdimension",
                "component": code,
                "parent": code.split(".")[0],
                "source_column": column,
                "value": float(v),
                "era": "2011-2017" if year < 2018 else "2018-",
            }
            for i, v in enumerate(values, start=1)
        ]
    return pd.DataFrame(rows)


def test_no_shift_gives_nothing():
    for seed in range(5):
        found = level_shifts(simulated_panel(seed))
        assert found.empty, found
        assert list(found.columns) == list(SHIFT_COLUMNS)


def test_every_transition_is_screened():
    table = level_shifts(simulated_panel(), all_transitions=True)
    assert list(table["year"]) == list(range(2019, 2025))
    assert (table["year"] - table["year_prev"] == 1).all()
    assert (table["n_provinces"] == 60).all()
    assert not (table["location_flag"] | table["scale_flag"]).any()
    assert table["shift_sd"].abs().max() < 1.0
    assert table["scale_ratio"].between(0.6, 1.6).all()


def test_planted_level_shift_is_found():
    found = level_shifts(simulated_panel(shift_at=2021, shift_sd=2.5))
    assert len(found) == 1
    row = found.iloc[0]
    assert (row["source_column"], row["year_prev"], row["year"]) == ("SC41", 2020, 2021)
    assert row["location_flag"] and not row["scale_flag"]
    assert row["shift_sd"] == pytest.approx(2.5, abs=0.4)
    assert row["share_same_direction"] == 1.0
    # SC41 has no recorded change in 2021
    assert not row["documented"] and row["documented_by"] == ""


def test_planted_downward_shift_keeps_its_sign():
    found = level_shifts(simulated_panel(shift_at=2023, shift_sd=-2.0))
    assert list(found["year"]) == [2023]
    assert found["shift_sd"].iloc[0] < -1.5


def test_planted_change_of_spread_is_found():
    found = level_shifts(simulated_panel(scale_at=2022, scale=0.3))
    assert list(found["year"]) == [2022]
    row = found.iloc[0]
    assert row["scale_flag"] and not row["location_flag"]
    assert row["scale_ratio"] == pytest.approx(0.3, rel=0.25)


def test_thresholds_are_parameters():
    panel = simulated_panel(shift_at=2021, shift_sd=2.5)
    assert level_shifts(panel, shift_threshold=5.0).empty
    assert len(level_shifts(panel, shift_threshold=1.0)) == 1
    widened = simulated_panel(scale_at=2022, scale=1.8)
    assert level_shifts(widened).empty  # below the default factor of 2
    assert list(level_shifts(widened, scale_threshold=1.5)["year"]) == [2022]


def test_the_printed_rule_names_both_directions_of_the_scale_rule():
    assert flag_rule() == (
        "|shift| ≥ 1.5 SD with ≥ 90% of provinces moving that way, or spread ratio ≥ 2 or ≤ 1/2"
    )
    assert flag_rule(shift_threshold=2, min_share=0.8, scale_threshold=1.5).endswith(
        "≥ 2 SD with ≥ 80% of provinces moving that way, or spread ratio ≥ 1.5 or ≤ 0.667"
    )
    # SIMULATION: a spread falling to about a third is flagged by the "<= 1/2" half of the rule.
    shrunk = level_shifts(simulated_panel(scale_at=2022, scale=0.3)).iloc[0]
    assert shrunk["scale_flag"] and shrunk["scale_ratio"] <= 1 / 2


def test_a_shift_not_shared_by_the_field_is_not_flagged():
    # SIMULATION: the median moves by about 2 spreads but a fifth of the provinces move down.
    panel = simulated_panel(seed=3)
    after = panel["year"] >= 2021
    movers = panel["province_code"].astype(int) > 12
    panel.loc[after & movers, "value"] += 3 * 0.26
    panel.loc[after & ~movers, "value"] -= 0.3
    table = level_shifts(panel, all_transitions=True).set_index("year")
    assert table.at[2021, "shift_sd"] >= 1.5
    assert table.at[2021, "share_same_direction"] < 0.9
    assert not table.at[2021, "location_flag"]
    assert level_shifts(panel, min_share=0.5)["year"].tolist() == [2021]


def test_series_followed_by_upstream_column_across_renumbering():
    # SIMULATION on SC53, which PAPI numbers D5.3 until 2020 and D5.2 from 2021.
    codes = {y: "D5.3" if y <= 2020 else "D5.2" for y in range(2018, 2025)}
    found = level_shifts(simulated_panel(column="SC53", codes=codes, shift_at=2021, shift_sd=3.0))
    assert len(found) == 1
    row = found.iloc[0]
    assert (row["component_prev"], row["component"], row["year"]) == ("D5.3", "D5.2", 2021)
    assert row["documented"]  # the component table records the 2021 renumbering and rescaling
    assert "numbered D5.3 -> D5.2" in row["documented_by"]
    assert "COMPOSITION_BREAKS 2021" in row["documented_by"]


def test_no_comparison_across_the_2018_break():
    panel = simulated_panel(years=range(2015, 2021), shift_at=2018, shift_sd=6.0)
    table = level_shifts(panel, all_transitions=True)
    assert (2017, 2018) not in set(zip(table["year_prev"], table["year"], strict=True))
    assert level_shifts(panel).empty


def test_provinces_missing_in_one_year_are_left_out_of_that_transition():
    panel = simulated_panel()
    panel = panel[~((panel["year"] == 2021) & panel["province_code"].isin(["01", "02", "03"]))]
    table = level_shifts(panel, all_transitions=True).set_index("year")
    assert table.at[2021, "n_provinces"] == 57 and table.at[2022, "n_provinces"] == 57
    assert table.at[2023, "n_provinces"] == 60


@settings(max_examples=25, deadline=None)
@given(
    factor=st.floats(min_value=0.05, max_value=20.0),
    offset=st.floats(min_value=-50.0, max_value=50.0),
)
def test_statistics_do_not_depend_on_the_units(factor, offset):
    # SIMULATION: rescaling every year of a series the same way changes no statistic.
    panel = simulated_panel(shift_at=2021, shift_sd=2.0)
    moved = panel.assign(value=panel["value"] * factor + offset)
    a = level_shifts(panel, all_transitions=True)
    b = level_shifts(moved, all_transitions=True)
    for column in ("shift_sd", "scale_ratio"):
        np.testing.assert_allclose(a[column], b[column], rtol=1e-7, atol=1e-9)
    assert (a["share_same_direction"] == b["share_same_direction"]).all()


def test_bad_input_is_named():
    panel = simulated_panel()
    with pytest.raises(CchcDataError, match="missing columns"):
        level_shifts(panel.drop(columns="source_column"))
    with pytest.raises(DataValidationError, match="one row per"):
        level_shifts(pd.concat([panel, panel.iloc[:1]]))
    holed = panel.copy()
    holed.loc[5, "value"] = math.nan
    with pytest.raises(DataValidationError, match="has a value"):
        level_shifts(holed)
    with pytest.raises(ValueError, match="thresholds"):
        level_shifts(panel, scale_threshold=0.5)


def test_a_single_year_has_no_transitions():
    table = level_shifts(simulated_panel(years=range(2020, 2021)), all_transitions=True)
    assert table.empty and list(table.columns) == list(SHIFT_COLUMNS)


def test_era_is_derived_when_absent():
    panel = simulated_panel(years=range(2016, 2020), shift_at=2019, shift_sd=3.0)
    with_era = level_shifts(panel, all_transitions=True)
    without = level_shifts(panel.drop(columns="era"), all_transitions=True)
    pd.testing.assert_frame_equal(with_era, without)
    assert list(without["era"]) == ["2011-2017", "2018-"]


# --- the real PAPI panel -----------------------------------------------------------------------

RECORDED = {("D3", 2016), ("D8", 2019), ("D8", 2020), ("D5", 2021)}
"""Composition changes recorded in papi_notes.md and the component table (dimension, first year)."""


@pytest.fixture(scope="module")
def papi() -> pd.DataFrame:
    return load_papi()


@pytest.fixture(scope="module")
def shifts(papi) -> pd.DataFrame:
    return level_shifts(papi)


@pytest.fixture(scope="module")
def every(papi) -> pd.DataFrame:
    return level_shifts(papi, all_transitions=True)


def test_recorded_changes_are_found_and_marked_documented(shifts):
    found = set(zip(shifts["dimension"], shifts["year"], strict=True))
    assert found >= RECORDED
    recorded = shifts[
        [k in RECORDED for k in zip(shifts["dimension"], shifts["year"], strict=True)]
    ]
    assert recorded["documented"].all()
    assert (recorded["documented_by"] != "").all()


def test_every_part_of_a_recomposed_dimension_is_documented(every):
    keys = zip(every["dimension"], every["year"], strict=True)
    recorded = every[[k in RECORDED for k in keys]]
    assert recorded["documented"].all()
    # D3 in 2016 (SC31-SC33), D8 in 2019 (SC81, SC82) and 2020 (SC81-SC83), D5 in 2021 (SC51,
    # SC53, SC54): SC52 ends in 2020 and SC83 starts in 2019, so they have fewer transitions.
    assert len(recorded) == 3 + 2 + 3 + 3
    assert set(every.loc[every["documented"], "year"]) == {y for _, y in RECORDED}


def test_the_unrecorded_shifts(shifts):
    undocumented = shifts[~shifts["documented"]]
    assert set(zip(undocumented["source_column"], undocumented["year"], strict=True)) == {
        ("SC12", 2016),
        ("SC11", 2019),
        ("SC71", 2019),
        ("SC32", 2021),
        ("SC64", 2021),
        ("SC11", 2022),
    }
    # each moved every province released in both years the same way
    assert (undocumented["share_same_direction"] == 1.0).all()


def test_real_panel_is_screened_within_eras_only(every, papi):
    assert not ((every["year_prev"] == 2017) & (every["year"] == 2018)).any()
    assert (every["year"] - every["year_prev"] == 1).all()
    years = papi.groupby("source_column")["year"].agg(["min", "max"])
    # SC24 exists from 2018, SC52 ends in 2020, SC83 starts in 2019
    assert every.loc[every["source_column"] == "SC24", "year"].min() == 2019
    assert every.loc[every["source_column"] == "SC52", "year"].max() == years.at["SC52", "max"]
    assert every.loc[every["source_column"] == "SC83", "year"].min() == 2020


def test_deterministic_and_exported(papi, shifts):
    pd.testing.assert_frame_equal(level_shifts(papi), shifts)
    assert cc.level_shifts is level_shifts
