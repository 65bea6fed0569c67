"""Methodology travels with the data: metadata on wide frames, composition changes as one source of
truth, and the ``breaks`` keyword of the ranking functions (synthetic frames and the real PAPI)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cchc_analysis as cc
from cchc_analysis.errors import CchcDataError, DataValidationError
from cchc_analysis.indices import composition_changes
from cchc_analysis.methodology import (
    ATTRS_KEY,
    ComponentSignature,
    MethodologyWarning,
    Part,
    ScoreMeta,
    attach_methodology,
    compare_methodology,
    methodology_of,
)
from cchc_analysis.models import COMPOSITION_BREAKS
from cchc_analysis.ranking import (
    freeze_component_ranks,
    overtakes,
    score_change_decomposition,
    shapley_rank_attribution,
)


def meta(year, era="e1", b_max=5.0, b_label="b", weights=(1.0, 1.0), index="DEMO"):
    """Two components, A (one part) and B (two parts); B's second part can be rescaled."""
    return ScoreMeta(
        index=index,
        year=year,
        level="dimension",
        era=era,
        components=(
            ComponentSignature("A", "A", 10.0, weights[0], (Part("a1", 10.0, "a"),)),
            ComponentSignature(
                "B", "B", 10.0, weights[1], (Part("b1", 5.0, "b"), Part("b2", b_max, b_label))
            ),
        ),
    )


def frames(seed=0, n=6):
    rng = np.random.default_rng(seed)
    units = [f"{i:02d}" for i in range(1, n + 1)]
    prev = pd.DataFrame(rng.uniform(0, 10, (n, 2)), index=units, columns=["A", "B"])
    curr = pd.DataFrame(rng.uniform(0, 10, (n, 2)), index=units, columns=["A", "B"])
    return prev, curr


def test_attach_and_read_round_trip_and_stale_metadata():
    prev, _ = frames()
    attach_methodology(prev, meta(2020))
    assert methodology_of(prev) == meta(2020)
    assert methodology_of(prev.T) is None  # columns are units: stale metadata is ignored
    assert methodology_of(pd.DataFrame({"A": [1.0]})) is None
    bad = prev.copy()
    bad.attrs[ATTRS_KEY] = {"nonsense": 1}
    with pytest.raises(CchcDataError, match="not methodology metadata"):
        methodology_of(bad)


def test_which_operations_keep_the_metadata():
    prev, _ = frames()
    attach_methodology(prev, meta(2020))
    kept = [
        prev.loc[prev.index[:3]],
        prev[["A"]],
        prev.dropna(),
        prev.rename(columns={"B": "B2"}),
        prev.copy(),
        prev * 2,
        prev.assign(C=1.0),
        pd.concat([prev, prev]),
    ]
    assert all(methodology_of(f) is not None for f in kept)
    dropped = [
        pd.concat([prev, pd.DataFrame({"C": 1.0}, index=prev.index)], axis=1),
        prev.join(pd.DataFrame({"C": 1.0}, index=prev.index)),
        pd.DataFrame(prev.to_numpy(), index=prev.index, columns=prev.columns),
    ]
    assert all(methodology_of(f) is None for f in dropped)


def test_signature_changes_are_found_and_described():
    same = compare_methodology(meta(2020), meta(2021))
    assert same.empty
    rescaled = compare_methodology(meta(2020), meta(2021, b_max=2.5))
    assert rescaled["component"].tolist() == ["B"]
    assert "rescaled b2" in rescaled["what"].iat[0]
    relabelled = compare_methodology(meta(2020), meta(2021, b_label="other"))
    assert "relabelled b2" in relabelled["what"].iat[0]
    assert compare_methodology(meta(2020), meta(2021, b_max=2.5), "ignore").empty


def test_cross_era_index_and_level_are_refused():
    with pytest.raises(
        DataValidationError, match="2020 belongs to the era e1 and 2021 to the era e2"
    ):
        compare_methodology(meta(2020), meta(2021, era="e2"))
    with pytest.raises(DataValidationError, match="same index"):
        compare_methodology(meta(2020), meta(2021, index="OTHER"))


def test_relabelled_component_is_methodology_and_warns():
    prev, curr = frames()
    attach_methodology(prev, meta(2020))
    attach_methodology(curr, meta(2021, b_max=2.5))
    with pytest.warns(MethodologyWarning) as record:
        fit = shapley_rank_attribution(prev, curr)
    text = str(record[0].message)
    assert "DEMO 2020->2021" in text and "methodology:B" in text and "rescaled b2" in text
    assert "breaks='ignore'" in text and "breaks='screened'" in text
    assert fit.players == ("A", "methodology:B")
    assert fit.breaks == "documented" and set(fit.relabelled) == {"B"}
    assert (fit.tidy().query("term == 'methodology:B'")["kind"] == "methodology").all()
    gap = (fit.contributions.sum(axis=1) - fit.table["rank_change"]).abs().max()
    assert gap < 1e-12
    with pytest.warns(MethodologyWarning):
        dec = score_change_decomposition(prev, curr)
    assert set(dec["component"]) == {"A", "methodology:B"}
    meth = dec[dec["component"] == "methodology:B"]
    assert (meth["performance"] == 0).all() and (meth["relative_performance"] == 0).all()
    assert np.allclose(meth["methodology"], meth["contribution"])
    assert dec.attrs["cchc_breaks"] == {"breaks": "documented", "relabelled": fit.relabelled}
    with pytest.warns(MethodologyWarning):
        assert "methodology:B" in set(freeze_component_ranks(prev, curr)["component"])
    with pytest.warns(MethodologyWarning):
        ot = overtakes(prev, curr)
    assert "gap_change_methodology:B" in ot.columns
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ignored = shapley_rank_attribution(prev, curr, breaks="ignore")
    assert ignored.players == ("A", "B") and ignored.breaks == "ignore"


def test_plain_frames_behave_as_before_and_explicit_breaks_raise():
    prev, curr = frames()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = shapley_rank_attribution(prev, curr)
    assert fit.players == ("A", "B") and fit.breaks is None
    for mode in ("documented", "screened"):
        with pytest.raises(DataValidationError, match="no methodology information is attached"):
            shapley_rank_attribution(prev, curr, breaks=mode)
    with pytest.raises(ValueError, match="breaks must be one of"):
        shapley_rank_attribution(prev, curr, breaks="sometimes")
    attach_methodology(prev, meta(2020))
    with pytest.warns(MethodologyWarning, match="only one of the two years"):
        shapley_rank_attribution(prev, curr)


def test_changed_weights_feed_the_methodology_player():
    prev, curr = frames()
    attach_methodology(prev, meta(2020, weights=(1.0, 1.0)))
    attach_methodology(curr, meta(2021, weights=(2.0, 1.0)))
    fit = shapley_rank_attribution(prev, curr)
    assert fit.players == ("A", "B", "methodology")
    expected = shapley_rank_attribution(
        prev.copy().pipe(_plain),
        curr.copy().pipe(_plain),
        pd.Series({"A": 2.0, "B": 1.0}),
        prev_weights=pd.Series({"A": 1.0, "B": 1.0}),
    )
    pd.testing.assert_frame_equal(fit.table, expected.table)


def _plain(frame):
    frame.attrs = {}
    return frame


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 9), b_max=st.sampled_from([2.5, 5.0]))
def test_rows_still_sum_to_the_rank_change_with_relabelling(seed, n, b_max):
    prev, curr = frames(seed, n)
    attach_methodology(prev, meta(2020))
    attach_methodology(curr, meta(2021, b_max=b_max))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MethodologyWarning)
        fit = shapley_rank_attribution(prev, curr)
    assert (fit.contributions.sum(axis=1) - fit.table["rank_change"]).abs().max() < 1e-9
    assert ("methodology:B" in fit.players) == (b_max != 5.0)


# --- the real PAPI ------------------------------------------------------------------------------


def test_papi_wide_carries_its_methodology():
    m = methodology_of(cc.papi_wide(2020))
    assert (m.index, m.year, m.level, m.era) == ("PAPI", 2020, "dimension", "2018-")
    assert [p.code for p in m.component("D8").parts] == ["SC81", "SC82", "SC83"]
    sub = methodology_of(cc.papi_wide(2021, "subdimension"))
    assert sub.component("D5.2").parts[0].code == "SC53"


@pytest.mark.parametrize(
    ("years", "changed"),
    [
        ((2015, 2016), ["D3"]),
        ((2016, 2017), []),
        ((2018, 2019), ["D8"]),
        ((2019, 2020), ["D8"]),
        ((2020, 2021), ["D5"]),
        ((2021, 2022), []),
        ((2019, 2021), ["D5", "D8"]),
    ],
)
def test_papi_composition_changes(years, changed):
    assert sorted(composition_changes("papi", *years)["component"]) == changed


def test_papi_changes_agree_with_notebook_02_and_models():
    """The notebook's hand-made list (signatures + the 2019->2020 D8 record) and
    models.COMPOSITION_BREAKS name the same dimension changes as composition_changes."""
    found = set()
    for y0, y1 in [(y, y + 1) for y in range(2011, 2024) if y != 2017]:
        found |= {(y1, c) for c in composition_changes("papi", y0, y1)["component"]}
    in_models = {(b.year, c) for b in COMPOSITION_BREAKS for c in b.components if c[1:].isdigit()}
    assert in_models <= found
    assert found == in_models | {(2016, "D3")}  # the first era's relabelling is not a model break
    total = composition_changes("papi", 2019, 2020, "total")
    assert total["component"].tolist() == ["TOTAL"] and total["reason"].iat[0] == "record"


def test_screened_adds_flagged_dimensions():
    screened = composition_changes("papi", 2021, 2022, breaks="screened")
    assert screened["component"].tolist() == ["D1"] and screened["reason"].iat[0] == "screen"


def test_papi_cross_era_says_which_era():
    with pytest.raises(DataValidationError, match="2017 belongs to the era 2011-2017 and 2018"):
        shapley_rank_attribution(cc.papi_wide(2017), cc.papi_wide(2018))


def test_notebook_relabelled_columns_do_not_trip_the_metadata():
    """Notebook 02 renames re-composed dimensions M:<dim> itself: no second relabelling."""
    prev = cc.papi_wide(2019).rename(columns={"D8": "M:D8"})
    curr = cc.papi_wide(2020).rename(columns={"D8": "M:D8"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = shapley_rank_attribution(prev, curr)
    assert "M:D8" in fit.players and not fit.relabelled
