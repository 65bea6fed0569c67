"""The ``breaks`` keyword of the ranking functions: relabel re-composed components as methodology.

Both frames' metadata (:mod:`cchc_analysis.methodology`) are compared once, before any ranking: a
component whose composition changed is renamed ``methodology:<code>`` in both years, so its whole
change is reported under that name and never as performance; changed weights become
``prev_weights`` (the ``methodology`` player). Frames without metadata pass through untouched
unless a ``breaks`` mode was asked for explicitly, which then raises.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from cchc_analysis.errors import DataValidationError
from cchc_analysis.methodology import (
    BREAKS_CHOICES,
    METHODOLOGY_PREFIX,
    MethodologyWarning,
    ScoreMeta,
    check_comparable,
    compare_methodology,
    methodology_of,
    warn_relabelled,
)

RESULT_ATTRS_KEY = "cchc_breaks"
"""Key in a result frame's ``attrs`` recording the ``breaks`` choice and the relabelled components."""


@dataclass(frozen=True)
class Prepared:
    prev: pd.DataFrame
    curr: pd.DataFrame
    weights: object
    prev_weights: object
    breaks: str | None
    relabelled: dict[str, str] = field(default_factory=dict)
    keyed: dict[str, object] = field(default_factory=dict)

    def record(self) -> dict:
        """What the result carries about the choice (JSON-compatible)."""
        return {"breaks": self.breaks, "relabelled": dict(self.relabelled)}


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """The same frame without metadata (so nothing downstream reads it twice)."""
    out = frame.copy(deep=False)
    out.attrs = {}
    return out


def prepare(
    prev: object,
    curr: object,
    breaks: str | None,
    weights: object = None,
    prev_weights: object = None,
    *,
    screen: bool = True,
    warn: bool = True,
    **keyed: object,
) -> Prepared:
    """Apply ``breaks`` to two years (see the module docstring).

    ``keyed``: other per-component arguments (``maxima``, ``prev_maxima``), renamed alongside.
    """
    if breaks is not None and breaks not in BREAKS_CHOICES:
        raise ValueError(f"breaks must be one of {BREAKS_CHOICES} or None, got {breaks!r}")
    if not isinstance(prev, pd.DataFrame) or not isinstance(curr, pd.DataFrame):
        return Prepared(prev, curr, weights, prev_weights, breaks, keyed=keyed)
    mp, mc = methodology_of(prev), methodology_of(curr)
    if mp is None or mc is None:
        if breaks in ("documented", "screened"):
            which = [n for n, m in (("prev (year t-1)", mp), ("curr (year t)", mc)) if m is None]
            raise DataValidationError(
                " and ".join(which),
                "methodology information attached",
                detail=f"breaks={breaks!r} needs to know each component's composition, but no "
                "methodology information is attached to this frame (frame.attrs has no "
                "'cchc_methodology'). Load the years with the package (e.g. cc.papi_wide), attach "
                "it with cchc_analysis.methodology.attach_methodology, or pass breaks=None or "
                "'ignore' to compare the columns as they are",
            )
        if (mp is None) != (mc is None) and breaks is None:
            warnings.warn(
                "only one of the two years carries methodology information, so composition "
                "changes cannot be checked and every column is compared as it is; pass "
                "breaks='ignore' to silence this, or load both years with the package",
                MethodologyWarning,
                stacklevel=3,
            )
        return Prepared(
            _plain(prev), _plain(curr), weights, prev_weights, breaks or None, keyed=keyed
        )
    mode = breaks or "documented"
    check_comparable(mp, mc)
    prev, curr = _fill_absent(prev, curr, mp, mc, weights, prev_weights)
    if mode == "ignore":
        changes = compare_methodology(mp, mc, "ignore")
    else:
        screened = ()
        if mode == "screened" and screen:
            from cchc_analysis.indices import get_index

            screened = get_index(mp.index).screen(*sorted((mp.year, mc.year)))
        changes = compare_methodology(mp, mc, mode, screened=screened)
    present = set(map(str, prev.columns)) & set(map(str, curr.columns))
    changes = changes[changes["component"].isin(present)].reset_index(drop=True)
    names = {c: f"{METHODOLOGY_PREFIX}{c}" for c in changes["component"]}
    if warn:
        warn_relabelled(mp, mc, changes, mode)
    new_prev = _plain(prev).rename(columns=names)
    new_curr = _plain(curr).rename(columns=names)
    if weights is None and prev_weights is None:
        weights, prev_weights = _weights(mp, mc, new_prev.columns, names)
    else:
        weights, prev_weights = _renamed(weights, names), _renamed(prev_weights, names)
    keyed = {k: _renamed(v, names) for k, v in keyed.items()}
    relabelled = dict(zip(changes["component"], changes["what"], strict=True))
    return Prepared(new_prev, new_curr, weights, prev_weights, mode, relabelled, keyed)


def _fill_absent(prev, curr, mp: ScoreMeta, mc: ScoreMeta, weights, prev_weights):
    """Both years with the union of their components: one absent in a year scores 0 there.

    Only for components the metadata knows (an index that added or dropped one, e.g. PCI's policy
    bias, absent 2009-2012), and only when the weights come from the metadata: the absent
    component then gets weight 0 in that year, so each year's composite is still its own recipe.
    """
    only_prev = [c for c in prev.columns if c not in curr.columns]
    only_curr = [c for c in curr.columns if c not in prev.columns]
    if not (only_prev or only_curr):
        return prev, curr
    unknown = [c for c in only_prev if str(c) not in mp.codes] + [
        c for c in only_curr if str(c) not in mc.codes
    ]
    if unknown:
        return prev, curr  # columns the metadata does not describe: the plain check refuses them
    if weights is not None or prev_weights is not None:
        raise DataValidationError(
            "prev/curr",
            "the same components in both years, or weights from the frames' methodology",
            detail=f"{mp.index} {mp.year}->{mc.year}: only in {mp.year}: {only_prev}; only in "
            f"{mc.year}: {only_curr}. With weights taken from the frames' metadata (pass no "
            "weights) a component scored in one year only is reported as methodology:<code>; "
            "with weights of your own, select the common components",
        )
    order = [*prev.columns, *only_curr]
    new_prev = prev.assign(**dict.fromkeys(map(str, only_curr), 0.0))[order]
    new_curr = curr.assign(**dict.fromkeys(map(str, only_prev), 0.0))[order]
    return new_prev, new_curr


def _renamed(values: object, names: dict[str, str]) -> object:
    """A per-component Series or dict with relabelled components renamed (anything else as is)."""
    if not names:
        return values
    if isinstance(values, pd.Series):
        return values.rename(index=lambda c: names.get(c, c))
    if isinstance(values, Mapping):
        return {names.get(k, k): v for k, v in values.items()}
    return values


def _weights(mp: ScoreMeta, mc: ScoreMeta, columns, names):
    """Weights from the metadata when the caller gave none: changed weights feed ``prev_weights``."""
    cols = [str(c) for c in columns]
    back = {v: k for k, v in names.items()}
    wp, wc = mp.weights(), mc.weights()
    codes = [back.get(c, c) for c in cols]
    if not all(c in wp.index or c in wc.index for c in codes):
        return None, None  # columns the metadata does not know: plain sum, as without metadata
    # a component absent in one year (see _fill_absent) weighs 0 in that year
    w_prev = pd.Series(wp.reindex(codes, fill_value=0.0).to_numpy(), index=cols)
    w_curr = pd.Series(wc.reindex(codes, fill_value=0.0).to_numpy(), index=cols)
    if (w_prev == 1.0).all() and (w_curr == 1.0).all():
        return None, None
    if w_prev.equals(w_curr):
        return w_curr, None
    return w_curr, w_prev


def tag(result: pd.DataFrame, prepared: Prepared) -> pd.DataFrame:
    """Record the choice on a result frame (``attrs["cchc_breaks"]``)."""
    result.attrs[RESULT_ATTRS_KEY] = prepared.record()
    return result


def is_methodology_term(term: str) -> bool:
    return str(term) == "methodology" or str(term).startswith(METHODOLOGY_PREFIX)
