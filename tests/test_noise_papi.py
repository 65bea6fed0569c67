"""The noise model on real PAPI (cc.load_papi()): the seed question about Đồng Tháp, and the
per-era, per-dimension table with the windows the composition changes allow."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import cchc_analysis as cc
from cchc_analysis.noise.breaks import WindowError

DONG_THAP = "87"


@pytest.fixture(scope="module")
def papi() -> pd.DataFrame:
    return cc.load_papi()


def test_dong_thap_rose_16_places_in_2024_in_the_data(papi):
    total = papi[(papi["component"] == "TOTAL") & (papi["province_code"] == DONG_THAP)]
    ranks = total.set_index("year")["rank"]
    assert (ranks[2023], ranks[2024]) == (42, 26)
    assert total["province"].iloc[0] == "Đồng Tháp"


@pytest.mark.slow
def test_how_sure_answers_the_seed_question(papi):
    line = cc.how_sure("Đồng Tháp", 2023, 2024, frame=papi)
    assert line.startswith("Đồng Tháp rose 16 places on the PAPI total in 2024 (42nd → 26th): ")
    p = float(re.search(r"P\(really moved up\) = ([0-9.]+)", line).group(1))
    lo, hi = map(int, re.search(r"true change ([+-]\d+) to ([+-]\d+) places", line).groups())
    assert 0 <= p <= 1 and lo <= hi
    assert "noise model 2021-2024" in line  # TOTAL is re-composed in 2021 (dimension 5)
    assert cc.how_sure("Dong Thap", 2023, 2024, frame=papi) == line  # names normalised; seeded
    evidence = cc.rank_change_evidence("Đồng Tháp", 2023, 2024, frame=papi)
    assert (evidence["rank_prev"], evidence["rank_curr"], evidence["places_gained"]) == (42, 26, 16)
    assert f"= {evidence['p_up']:.2f};" in line
    assert (evidence["gained_lo"], evidence["gained_hi"]) == (lo, hi)
    low, high = evidence["confidence_set_gained"]
    assert low <= 16 <= high and evidence["confidence_verdict"] in {"up", "down", "unsure"}


def test_how_sure_refuses_what_it_cannot_answer(papi):
    with pytest.raises(WindowError, match="separated by a composition change"):
        cc.how_sure("Đồng Tháp", 2020, 2021, frame=papi)
    with pytest.raises(WindowError, match="fewer than 3 years"):
        cc.how_sure("Hà Nội", 2018, 2018, component="D8", frame=papi)
    with pytest.raises(WindowError, match="not inside one PAPI era"):
        cc.how_sure("Hà Nội", 2017, 2018, component="D1", frame=papi)
    with pytest.raises(cc.UnknownProvinceError):
        cc.how_sure("Atlantis", 2023, 2024, frame=papi)


@pytest.mark.slow
def test_noise_table_for_both_eras(papi):
    table = cc.noise_table(papi, n_boot=200, n_sim=10)
    windows = table["window"]
    assert windows[("2018-", "D1")] == "2018-2024"
    assert windows[("2018-", "D5")] == "2021-2024"  # construction permits dropped in 2021
    assert windows[("2018-", "D8")] == "2020-2024"  # 8.3 added 2019, re-measured 2020
    assert windows[("2018-", "TOTAL")] == "2021-2024"
    assert windows[("2011-2017", "D3")] == "2011-2015"  # D3's parts relabelled in 2016
    assert len(table) == 7 + 9
    for name in ("reliability", "signal_share"):
        assert table[name].between(0, 1).all()
        assert (table[f"{name}_lo"] <= table[name] + 1e-12).all()
        assert (table[name] <= table[f"{name}_hi"] + 1e-12).all()
    assert np.allclose(table["noise_share"], 1 - table["reliability"])
    assert (table["n_units"] == 63).all()
