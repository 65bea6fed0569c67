"""What the one-call answers share: unit look-up, labels, and the "how sure" hooks."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from cchc_analysis.figures.labels import term_label
from cchc_analysis.indices import IndexSpec
from cchc_analysis.methodology import METHODOLOGY_PREFIX

ENTRIES_EXITS = "entries/exits"


def panel_noise(*, index: str, unit: str, year_prev: int, year_curr: int) -> object:
    """The default "how sure" about survey noise: :func:`cchc_analysis.noise.rank_change_evidence`
    on the index total (PAPI), or a sentence saying why no noise model applies."""
    from cchc_analysis.noise.answers import rank_change_evidence
    from cchc_analysis.noise.breaks import WindowError

    if index.upper() != "PAPI":
        return f"no survey-noise model for {index} (the noise model covers PAPI)"
    try:
        return rank_change_evidence(unit, year_prev, year_curr, "papi")
    except WindowError as err:
        return f"noise model not estimable here: {err}"


NOISE_MODEL: Callable[..., object] | None = panel_noise
"""How the one-call answers judge survey noise (default :func:`panel_noise`).

Called as ``NOISE_MODEL(index=..., unit=..., year_prev=..., year_curr=...)``; whatever it returns
(e.g. the posterior probability that the unit truly moved) is reported under ``"noise"`` by
:meth:`RankChange.how_sure` and :attr:`ProvinceProfile.how_sure`; ``None`` = switched off.
"""


def set_noise_model(model: Callable[..., object] | None = panel_noise) -> None:
    """Choose the survey-noise model of the one-call answers' "how sure" (``None`` switches it off,
    no argument restores the default, :func:`panel_noise`).

    ``model(index=..., unit=..., year_prev=..., year_curr=...)`` returns what it knows about that
    rank change (e.g. the probability the unit truly moved); it is reported under ``"noise"``.

    >>> set_noise_model(lambda **k: "p(moved) = 0.9")
    >>> noise_verdict("PAPI", "87", 2023, 2024)
    'p(moved) = 0.9'
    >>> set_noise_model()
    """
    global NOISE_MODEL
    NOISE_MODEL = model


def noise_verdict(index: str, unit: str, year_prev: int, year_curr: int) -> object:
    """What :data:`NOISE_MODEL` says about one rank change, or ``None`` when it is switched off."""
    if NOISE_MODEL is None:
        return None
    return NOISE_MODEL(index=index, unit=unit, year_prev=year_prev, year_curr=year_curr)


def resolve_unit(unit: object, spec: IndexSpec) -> tuple[str, str]:
    """``(code, name)`` of a province given in any spelling (closest spellings on a miss).

    The key must be of the index's era: a 63-province GSO code (``"52"``) for an index of the 34
    provinces from July 2025, or a ``"2025:52"`` key for a 63-province index, raises
    :class:`~cchc_analysis.provinces.EraMismatchError` naming both eras.
    """
    from cchc_analysis.provinces import (
        _ERA_LABEL,
        KEY_2025_PREFIX,
        EraMismatchError,
        UnknownProvinceError,
        normalize_province,
        normalize_province_2025,
        province_by_code,
    )

    text = str(unit).strip()
    is_gso = text.isdigit() and len(text) == 2  # a GSO code, as the 63-province frames have it
    is_2025 = text.startswith(KEY_2025_PREFIX)
    era = spec.key_era
    if (is_gso and era != "2008-2025") or (is_2025 and era != "2025-"):
        given = "2008-2025" if is_gso else "2025-"
        raise EraMismatchError(
            f"{text!r} is a key of the {_ERA_LABEL[given]}, but {spec.name} is keyed by the "
            f"{_ERA_LABEL[era]}. A new province keeps the code of the former province hosting "
            "its capital, so a bare code is never matched across eras; pass the province's name "
            "or a key of the index's era"
        )
    if era == "2025-":
        if is_2025:
            from cchc_analysis.provinces import _registry_2025, official_code_2025

            official_code_2025(text)  # raises for an unknown key
            province = _registry_2025()[0][text]
        else:
            province = normalize_province_2025(text)
        return province.key, province.name_vi
    # a former province the index scored (Hà Tây in PCI 2006-2008: key "former:ha-tay")
    former = _former_units(spec)
    if text in former.index:
        return text, str(former[text])
    try:
        province = province_by_code(text) if is_gso else normalize_province(text)
    except UnknownProvinceError:
        from cchc_analysis.text import fold

        hit = [k for k, v in former.items() if fold(v) == fold(text)]
        if hit:
            return hit[0], str(former[hit[0]])
        raise
    return province.code, province.name_vi


def _former_units(spec: IndexSpec) -> pd.Series:
    if spec.unit_names is None:
        return pd.Series(dtype=str)
    names = spec.unit_names()
    return names[[str(k).startswith("former:") for k in names.index]]


def label(index: str, term: str) -> str:
    """Axis label of a term: ``D4 Corruption control``, ``D8 E-governance (method.)``
    (:func:`cchc_analysis.figures.labels.term_label`)."""
    return term_label(term, index)


def kind(term: str) -> str:
    if term in ("composition", ENTRIES_EXITS):
        return ENTRIES_EXITS
    if term == "methodology" or term.startswith(METHODOLOGY_PREFIX):
        return "methodology"
    return "performance"


def maxima(frame: pd.DataFrame) -> pd.Series | None:
    """The components' maxima from the frame's methodology (``None`` when unknown)."""
    from cchc_analysis.methodology import methodology_of

    meta = methodology_of(frame)
    if meta is None:
        return None
    values = {}
    for col in frame.columns:
        comp = meta.component(str(col))
        if comp is None or pd.isna(comp.maximum):
            return None
        values[col] = comp.maximum
    return pd.Series(values, dtype=float)


def weights(frame: pd.DataFrame) -> pd.Series | None:
    """The components' weights from the frame's methodology (``None`` = plain sum or unknown)."""
    from cchc_analysis.methodology import methodology_of

    meta = methodology_of(frame)
    if meta is None:
        return None
    w = meta.weights().reindex([str(c) for c in frame.columns])
    if w.isna().any() or (w == 1.0).all():
        return None
    return pd.Series(w.to_numpy(), index=frame.columns)


def bootstrap_shares(
    amounts: pd.DataFrame, n_boot: int = 4000, seed: int = 2024, band=(0.05, 0.95)
) -> pd.DataFrame:
    """Pooled share of each column and its descriptive band from resampling the rows.

    ``amounts``: one row per transition, one column per term (e.g. Σ|φ| or a count of overtakes).
    The rows are resampled with replacement ``n_boot`` times and the shares recomputed, the
    convention of :func:`cchc_analysis.rank_drivers` (see its ``INTERVAL_NOTE``), so that sister
    figures draw the same whiskers.

    >>> t = pd.DataFrame({"a": [1.0, 3.0], "b": [1.0, 1.0]}, index=[2021, 2022])
    >>> bootstrap_shares(t, n_boot=200)["share"].round(3).tolist()
    [0.667, 0.333]
    """
    import numpy as np

    values = amounts.fillna(0.0).to_numpy(dtype=float)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(values), size=(n_boot, len(values)))
    boot = values[idx].sum(axis=1)
    boot = boot / boot.sum(axis=1, keepdims=True)
    lo, hi = np.quantile(boot, band, axis=0)
    return pd.DataFrame(
        {"share": values.sum(axis=0) / values.sum(), "p05": lo, "p95": hi}, index=amounts.columns
    )


def era_label(index: str, era: str) -> str:
    """An era's years for titles: ``"2018-"`` of PAPI → ``"2018–2024"`` (unknown eras unchanged).

    >>> era_label("papi", "2018-")
    '2018–2024'
    """
    from cchc_analysis.indices import get_index

    for first, last, name in get_index(index).eras:
        if name == era:
            return f"{first}–{last}"
    return era


def era_source(index: str, era: str) -> str:
    """The index's figure source line with its years narrowed to one era's (a figure of one era
    does not claim the whole series).

    >>> era_source("papi", "2018-")[:25]
    'Source: PAPI 2018–2024 (C'
    """
    return years_source(index, era_label(index, era))


def years_source(index: str, years: str) -> str:
    """The index's figure source line with the series' span replaced by ``years`` ("2023–2024").

    >>> years_source("papi", "2023–2024")[:25]
    'Source: PAPI 2023–2024 (C'
    """
    from cchc_analysis.indices import get_index

    spec = get_index(index)
    return spec.source.replace(f"{spec.years[0]}–{spec.years[-1]}", years, 1)
