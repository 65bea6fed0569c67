"""Colours and short labels: one colour per component of each index, one set of semantic colours.

Every figure takes its colours from here so that, for example, PAPI's D4 (control of corruption) is
the same colour in every notebook::

    from cchc_analysis.figures import palette
    palette.component_color("PAPI", "D4")      # '#d62728'
    palette.short_label("PAPI", "D4")          # 'Corruption control'
    palette.UP, palette.DOWN, palette.NEUTRAL  # moved up / moved down / a level (rank, total)
"""

from __future__ import annotations

# Semantic colours (colour-blind safe pair from ColorBrewer Dark2): gains, losses, levels.
UP = "#1b9e77"
DOWN = "#d95f02"
NEUTRAL = "0.55"
METHODOLOGY = "0.3"
"""Terms that are changes of method (re-composed components, changed weights), not performance."""
ENTRIES_EXITS = "0.78"
"""The entries/exits (composition) term of a rank attribution."""

INDEX_COLORS = {
    "PAPI": "#4c72b0",
    "PAR": "#dd8452",
    "SIPAS": "#55a868",
    "PCI": "#8172b3",
    "QD766": "#c44e52",
}
"""One colour per index, for figures that show several indices side by side."""

# tab10 without its grey (kept for methodology/levels), in component order.
_CYCLE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#393b79",
)

_SHORT = {
    "PAPI": {
        "D1": "Participation",
        "D2": "Transparency",
        "D3": "Accountability",
        "D4": "Corruption control",
        "D5": "Admin. procedures",
        "D6": "Public services",
        "D7": "Environment",
        "D8": "E-governance",
        "TOTAL": "PAPI total",
    },
}
"""Short English labels for axes and legends (official names are in the component tables)."""


def _key(index: str) -> str:
    return index.upper().replace(" ", "").replace("Đ", "D").replace(".", "")


def register_labels(index: str, labels: dict[str, str]) -> None:
    """Add or replace short labels for an index's components (used by loaders of new indices)."""
    _SHORT.setdefault(_key(index), {}).update(labels)


def short_label(index: str, component: str) -> str:
    """A short English label for a component, or the code itself when none is registered."""
    base = component.removeprefix("methodology:")
    return _SHORT.get(_key(index), {}).get(base, base)


def component_color(index: str, component: str) -> str:
    """The colour of a component: fixed by its position in the index's component list.

    Dimension codes such as ``D4`` (and sub-components ``D4.2``) take the colour of dimension 4;
    other codes take the colour of their position among the registered labels, then a stable hash.
    """
    base = component.removeprefix("methodology:").split(".")[0]
    if base in ("methodology",):
        return METHODOLOGY
    if base in ("composition", "entries/exits"):
        return ENTRIES_EXITS
    if len(base) > 1 and base[0] == "D" and base[1:].isdigit():
        return _CYCLE[(int(base[1:]) - 1) % len(_CYCLE)]
    known = list(_SHORT.get(_key(index), {}))
    if base in known:
        return _CYCLE[known.index(base) % len(_CYCLE)]
    return _CYCLE[sum(base.encode()) % len(_CYCLE)]


# --- estimators of the regression ladder (cchc_analysis.models) ----------------------------------
# Colours of seaborn's colour-blind palette, fixed here so that they do not depend on the style.
MODEL_STYLES = {
    "pooled_ols": ("#949494", "s"),
    "pooled_ols + year effects": ("#0173b2", "s"),
    "twfe": ("#de8f05", "o"),
    "first_difference": ("#029e73", "D"),
    "lagged_twfe": ("#cc78bc", "v"),
    "fractional_logit": ("#ca9161", "^"),
}
"""Colour and marker of each estimator in forest plots."""

MODEL_LABELS = {
    "pooled_ols": "pooled OLS",
    "pooled_ols + year effects": "pooled OLS with year effects",
    "twfe": "two-way fixed effects",
    "first_difference": "first differences",
    "lagged_twfe": "two-way fixed effects, exposure lagged a year",
    "fractional_logit": "fractional logit (average marginal effect)",
}
"""Words for the estimator codes of :data:`cchc_analysis.models.MODELS`, for legends and tables."""


def model_label(model: str) -> str:
    """Words for an estimator code (``"twfe"`` → ``"two-way fixed effects"``); unknown codes as given."""
    return MODEL_LABELS.get(model, model)


# --- coverage grids (which unit-years have data) -------------------------------------------------
COVERAGE = {
    "complete": "#c6dbef",  # every part released
    "partial": "#e6550d",  # in the release, some parts missing
    "absent": "#525252",  # not in the release at all
    "value": "#08519c",  # a published value
    "rank": "#6baed6",  # a published rank without its value
    "named": "#fdae6b",  # named (e.g. in a bottom group) without rank or value
    "nothing": "#f2f2f2",  # nothing published
}
"""Colours of the states a unit-year can be in, shared by every coverage grid."""
