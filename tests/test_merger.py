"""The 1 July 2025 merger: the 34 provinces, the crosswalk, and carrying series across it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cchc_analysis import paths
from cchc_analysis.errors import DataValidationError
from cchc_analysis.provinces import crosswalk_2025, provinces, to_2025

OLD = provinces("2008-2025")
NEW = provinces("2025-")
CROSS = crosswalk_2025()
FACTS = pd.read_csv(paths.FACTS / "province_merger_2025.csv", dtype=str, keep_default_na=False)
CODE = dict(zip(OLD["name_vi"], OLD["code"], strict=True))
NAME = dict(zip(OLD["code"], OLD["name_vi"], strict=True))

# --- the shipped tables agree with the compiled facts --------------------------------------


def test_crosswalk_is_the_facts_table_keyed_by_code():
    assert len(CROSS) == len(FACTS) == 63
    facts = FACTS.assign(code=FACTS["old_province_2024"].map(CODE)).set_index("code").sort_index()
    cross = CROSS.set_index("code").sort_index()
    assert list(cross.index) == list(facts.index) == sorted(OLD["code"])
    assert (cross["name_vi"] == facts["old_province_2024"]).all()
    assert (cross["successor"] == facts["new_province_2025"]).all()
    assert (cross["sources"] == facts["sources"]).all()
    assert (cross["confidence"] == facts["confidence"]).all()
    assert (cross["n_former"].astype(str) == facts["n_old_units"]).all()


def test_registry_successor_matches_the_crosswalk():
    successor = dict(zip(CROSS["code"], CROSS["successor"], strict=True))
    assert all(successor[c] == s for c, s in zip(OLD["code"], OLD["successor"], strict=True))


def test_the_34_new_provinces():
    assert len(NEW) == 34
    assert NEW["slug"].is_unique and NEW["name_vi"].is_unique
    assert set(NEW["name_vi"]) == set(FACTS["new_province_2025"])
    assert NEW["n_former"].sum() == 63
    assert (NEW["unit_type"] == "thành phố").sum() == 6
    assert set(NEW.loc[NEW["unit_type"] == "thành phố", "name_vi"]) == {
        "Hà Nội", "Huế", "Hải Phòng", "Đà Nẵng", "TP. Hồ Chí Minh", "Cần Thơ",
    }  # fmt: skip
    assert (NEW["n_former"] == 1).sum() == 11  # provinces left as they were
    # official codes only as era-marked keys (see the provinces module docstring)
    assert "code" not in NEW.columns and "code_2025" not in NEW.columns
    assert NEW["province_code_2025"].str.fullmatch(r"2025:\d\d").all()
    assert NEW["province_code_2025"].is_unique
    for row in NEW.itertuples():
        former = row.former_codes.split(";")
        assert len(former) == row.n_former
        assert set(former) == set(CROSS.loc[CROSS["successor"] == row.name_vi, "code"])
        assert row.former_names.split("; ") == [NAME[c] for c in former]
        # every source of every merged row is kept
        cited = {s for s in FACTS.loc[FACTS["new_province_2025"] == row.name_vi, "sources"]}
        assert {p for s in cited for p in s.split(" | ")} == set(row.sources.split(" | "))


def test_every_former_province_maps_to_exactly_one_new_province():
    assert CROSS["code"].is_unique
    assert set(CROSS["code"]) == set(OLD["code"])
    assert set(CROSS["successor_slug"]) == set(NEW["slug"])
    assert CROSS.groupby("code")["successor"].nunique().eq(1).all()


def test_unchanged_provinces_map_to_themselves():
    single = NEW[NEW["n_former"] == 1]
    for row in single.itertuples():
        (code,) = row.former_codes.split(";")
        # Thừa Thiên Huế became the centrally run city of Huế on 1 January 2025, same territory
        expected = "Huế" if code == "46" else NAME[code]
        assert row.name_vi == expected


# --- to_2025 -------------------------------------------------------------------------------


def panel(years=(2023, 2024)) -> pd.DataFrame:
    """A made-up but fully specified province table (values are the code as a number)."""
    return pd.DataFrame(
        [
            {"year": y, "province_code": c, "score": float(c) + y / 10_000}
            for y in years
            for c in OLD["code"]
        ]
    )


def test_full_table_becomes_34_complete_rows_per_group():
    out = to_2025(panel(), "score")
    assert len(out) == 68
    assert out.groupby("year")["slug_2025"].nunique().eq(34).all()
    assert out["complete"].all() and (out["missing"] == "").all()
    assert (out["n_present"] == out["n_former"]).all()
    assert list(out.columns) == [
        "year", "province_code_2025", "province_2025", "slug_2025", "n_former", "n_present",
        "missing", "complete", "weighting", "score", "score_min", "score_max",
    ]  # fmt: skip
    assert (out["weighting"] == "unweighted mean").all()
    assert "province_code" not in out.columns


def test_mean_and_spread_among_former_provinces():
    out = to_2025(panel(years=(2024,)), ["score"]).set_index("slug_2025")
    ninh_binh = out.loc["ninh-binh"]  # Hà Nam 35, Nam Định 36, Ninh Bình 37
    assert ninh_binh["n_former"] == 3
    assert ninh_binh["score"] == pytest.approx(36.2024)
    assert ninh_binh["score_min"] == pytest.approx(35.2024)
    assert ninh_binh["score_max"] == pytest.approx(37.2024)
    # an unchanged province carries its own value
    assert out.loc["thanh-hoa", "score"] == pytest.approx(38.2024)
    assert out.loc["hue", "score"] == pytest.approx(46.2024)


def test_missing_former_provinces_are_reported_not_dropped():
    data = panel()
    gone = (data["year"] == 2024) & data["province_code"].isin(["02", "92", "93", "94"])
    out = to_2025(data[~gone], "score").set_index(["year", "slug_2025"])
    assert len(out) == 68  # no new province disappears
    tq = out.loc[(2024, "tuyen-quang")]
    assert (tq["n_present"], tq["missing"], tq["complete"]) == (1, "Hà Giang", False)
    assert tq["score"] == pytest.approx(8.2024)
    ct = out.loc[(2024, "can-tho")]
    assert ct["n_present"] == 0 and not ct["complete"]
    assert ct["missing"] == "Cần Thơ; Hậu Giang; Sóc Trăng"
    assert np.isnan(ct["score"])
    assert out.loc[(2023, "can-tho"), "complete"]


def test_weighted_mean_uses_the_supplied_weights():
    data = panel(years=(2024,))
    weights = pd.Series(1.0, index=OLD["code"], name="made-up weights")
    weights[["35", "36", "37"]] = [1.0, 1.0, 2.0]
    out = to_2025(data, "score", how="weighted", weights=weights).set_index("slug_2025")
    assert out.loc["ninh-binh", "score"] == pytest.approx((35 + 36 + 2 * 37) / 4 + 0.2024)
    assert (out["weighting"] == "weighted by made-up weights").all()
    as_dict = to_2025(
        data, "score", how="weighted", weights=weights.to_dict(), weights_name="same, as dict"
    ).set_index("slug_2025")
    assert as_dict.loc["ninh-binh", "score"] == out.loc["ninh-binh", "score"]
    assert (as_dict["weighting"] == "weighted by same, as dict").all()


def test_weighted_mean_needs_a_name_for_its_weights():
    weights = dict.fromkeys(OLD["code"], 1.0)
    with pytest.raises(ValueError, match="name the weights"):
        to_2025(panel(years=(2024,)), "score", how="weighted", weights=weights)


def test_weights_only_need_to_cover_present_provinces():
    data = panel(years=(2024,))
    data = data[data["province_code"] != "02"]
    weights = dict.fromkeys(data["province_code"], 2.0)
    out = to_2025(data, "score", how="weighted", weights=weights, weights_name="w")
    assert out.set_index("slug_2025").loc["tuyen-quang", "missing"] == "Hà Giang"


def test_weights_that_do_not_cover_the_provinces_raise():
    data = panel(years=(2024,))
    weights = dict.fromkeys(OLD["code"], 1.0)
    del weights["77"]
    with pytest.raises(DataValidationError, match="77 Bà Rịa - Vũng Tàu"):
        to_2025(data, "score", how="weighted", weights=weights, weights_name="w")
    weights["77"] = float("nan")
    with pytest.raises(DataValidationError, match="never guessed"):
        to_2025(data, "score", how="weighted", weights=weights, weights_name="w")


@pytest.mark.parametrize(
    ("how", "weights", "message"),
    [
        ("weighted", None, "explicit weights"),
        ("mean", {"01": 1.0}, "how='weighted'"),
        ("median", None, "how must be"),
    ],
)
def test_how_and_weights_must_agree(how, weights, message):
    with pytest.raises(ValueError, match=message):
        to_2025(panel(), "score", how=how, weights=weights, weights_name="w")


def test_bad_weights_raise():
    data = panel(years=(2024,))
    negative = dict.fromkeys(OLD["code"], 1.0) | {"01": -1.0}
    with pytest.raises(DataValidationError, match="01 Hà Nội"):
        to_2025(data, "score", how="weighted", weights=negative, weights_name="w")
    zero = dict.fromkeys(OLD["code"], 1.0) | {"35": 0.0, "36": 0.0, "37": 0.0}
    with pytest.raises(DataValidationError, match="ninh-binh"):
        to_2025(data, "score", how="weighted", weights=zero, weights_name="w")
    with pytest.raises(TypeError, match="weights"):
        to_2025(data, "score", how="weighted", weights=[1.0] * 63, weights_name="w")


def test_explicit_groups_drop_other_columns():
    data = panel().assign(source="made up")
    assert "source" not in to_2025(data, "score", by=["year"]).columns
    assert "source" in to_2025(data, "score").columns
    with pytest.raises(DataValidationError, match="one row per province_code"):
        to_2025(data, "score", by=[])  # two years of the same province in one group


def test_no_group_columns():
    out = to_2025(panel(years=(2024,)).drop(columns="year"), "score")
    assert len(out) == 34 and out["complete"].all()


@pytest.mark.parametrize(
    ("mutate", "rule"),
    [
        (lambda d: d.assign(province_code=d["province_code"].astype(int)), "GSO code string"),
        (lambda d: d.assign(province_code=d["province_code"].replace("01", "Hà Nội")), "GSO code string"),
        (lambda d: d.assign(score=d["score"].where(d["province_code"] != "10")), "has a value"),
        (lambda d: d.assign(score=d["score"].astype(str)), "is numeric"),
        (lambda d: pd.concat([d, d.head(1)]), "one row per province_code"),
        (lambda d: d.drop(columns="province_code"), "province_code column"),
        (lambda d: d.drop(columns="score"), "named columns exist"),
        (lambda d: d.head(0), "at least one row"),
    ],
)  # fmt: skip
def test_bad_input_raises_naming_the_rule(mutate, rule):
    with pytest.raises(DataValidationError, match=rule):
        to_2025(mutate(panel()), "score")
