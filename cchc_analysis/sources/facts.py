"""Loaders for the compiled facts on administrative reform (``data/raw/facts/``).

The PAR Index and SIPAS by unit live in :mod:`~cchc_analysis.sources.par_sipas`, the PAR
methodology tables in :mod:`~cchc_analysis.sources.par_methodology`; both are re-exported here.
This module adds the national and regional aggregates, the PAR field (component) facts, and the
online-services and DTI fragments. Every table keeps one row per fact after merging agreeing
reports, with conflicts visible (``conflict``, ``alternatives``, ``headline_rule``) and every
source URL; see :mod:`~cchc_analysis.sources.reconcile`.
"""

from __future__ import annotations

import pandas as pd

from cchc_analysis import paths
from cchc_analysis.errors import DataValidationError
from cchc_analysis.schemas import validate
from cchc_analysis.schemas.facts import (
    COMPONENT_RULES,
    DTI,
    NATIONAL_AGGREGATES,
    ONLINE_SERVICES,
    PAR_COMPONENTS,
    PROVINCE_FACT_RULES,
    check_table,
)
from cchc_analysis.sources.factfile import fact_path, read_fact_file, table_inputs
from cchc_analysis.sources.par_methodology import TABLES as _METHODOLOGY_TABLES
from cchc_analysis.sources.par_methodology import (
    index_era,
    load_index_eras,
    load_par_methodology,
    make_index_eras,
    make_par_methodology,
)
from cchc_analysis.sources.par_sipas import TABLES as _SCORE_TABLES
from cchc_analysis.sources.par_sipas import load_par_index, load_sipas
from cchc_analysis.sources.reconcile import HEADLINE_RULE, reconcile
from cchc_analysis.sources.units import resolve_region
from cchc_analysis.tables import TableSpec
from cchc_analysis.text import normalize_text

__all__ = [
    "HEADLINE_RULE",
    "TABLES",
    "TABLE_KEYS",
    "index_era",
    "load_dti",
    "load_index_eras",
    "load_national_aggregates",
    "load_online_services",
    "load_par_components",
    "load_par_index",
    "load_par_methodology",
    "load_sipas",
    "make_dti",
    "make_national_aggregates",
    "make_online_services",
    "make_par_components",
]


TABLE_KEYS = {
    "national_aggregates": ("year", "scope", "index", "measure"),
    "par_components": ("year", "unit_type", "unit_code", "component", "measure"),
    "online_services": ("year", "scope", "province_code", "measure"),
    "dti": ("year", "scope", "province_code", "measure"),
}
"""Row keys of the tables made here (also their row order)."""


# --- national and regional aggregates ------------------------------------------------------


def _field_aliases() -> dict[str, str | None]:
    table = pd.read_csv(
        paths.PACKAGE_DATA / "par_field_aliases.csv", dtype=str, keep_default_na=False
    )
    return {
        normalize_text(a): (f or None) for a, f in zip(table["alias"], table["field"], strict=True)
    }


def _field_of(component: str, dataset: str, line: int) -> str | None:
    aliases = _field_aliases()
    if component not in aliases:
        raise DataValidationError(
            dataset,
            "PAR field names are listed in cchc_analysis/data/par_field_aliases.csv",
            [line],
            f"unknown field name {component!r}",
        )
    return aliases[component]


def make_national_aggregates(facts_dir=None) -> pd.DataFrame:
    """National, regional and survey-level figures of the PAR Index and SIPAS, one per fact."""
    name = "national_aggregates.csv"
    path = fact_path(name, facts_dir)
    reports = read_fact_file(name, path)
    key = ["year", "scope", "index", "measure"]
    out = reconcile(reports, key, text_column="value_as_published")
    first = reports.groupby(key, sort=False).first().reset_index()
    out = out.merge(
        first[[*key, "unit_of_measure", "source_row"]], on=key, how="left", validate="one_to_one"
    )
    out["scope_type"] = out["scope"].str.partition(":")[0]
    regions = []
    for scope, line in zip(out["scope"], out["source_row"], strict=True):
        if not scope.startswith("region:"):
            regions.append(None)
            continue
        try:
            regions.append(resolve_region(scope.partition(":")[2]))
        except LookupError:
            raise DataValidationError(
                str(path),
                "regions are one of the six socio-economic regions",
                [int(line)],
                f"unknown region {scope!r}; add it to cchc_analysis/data/region_aliases.csv",
            ) from None
    out["region"] = pd.Series(regions, index=out.index, dtype="str")
    fields = [
        _field_of(m.partition(":")[2], str(path), int(line))
        if m.startswith("component_change:")
        else None
        for m, line in zip(out["measure"], out["source_row"], strict=True)
    ]
    out["field"] = pd.Series(fields, index=out.index, dtype="str")
    out = out.sort_values(list(TABLE_KEYS["national_aggregates"]), kind="mergesort")
    out = out.reset_index(drop=True)
    return validate(out[list(NATIONAL_AGGREGATES.columns)], NATIONAL_AGGREGATES, str(path))


# --- PAR fields (components) -----------------------------------------------------------------


def _check_max_points(out: pd.DataFrame, dataset: str) -> None:
    """A field's stated maximum must match the methodology table where that is known."""
    method = make_par_methodology()
    known = method[method["max_known"] & method["first_year"].notna()]
    bad = []
    for row in out.itertuples(index=False):
        if pd.isna(row.max_points) or row.field is None or pd.isna(row.field):
            continue
        match = known[
            (known["unit_type"] == row.unit_type)
            & (known["field"] == row.field)
            & (known["first_year"] <= row.year)
            & (known["last_year"].isna() | (known["last_year"] >= row.year)).astype(bool)
        ]
        if len(match) and float(match["max_points"].iloc[0]) != row.max_points:
            expected = float(match["max_points"].iloc[0])
            bad.append((row.source_rows, f"{row.field} {row.year}: {row.max_points} vs {expected}"))
    if bad:
        raise DataValidationError(
            dataset,
            "max_points agrees with par_methodology.csv",
            [b[0] for b in bad],
            "; ".join(b[1] for b in bad),
        )


def make_par_components(facts_dir=None) -> pd.DataFrame:
    """Reported PAR field scores, shares of the maximum and field ranks, one per fact."""
    name = "par_components.csv"
    path = fact_path(name, facts_dir)
    reports = read_fact_file(name, path)
    reports["field"] = [
        _field_of(c, str(path), int(line))
        for c, line in zip(reports["component"], reports["source_row"], strict=True)
    ]
    key = ["index", "year", "unit_type", "unit_code", "component", "measure"]
    out = reconcile(reports, key)
    first = reports.groupby(key, sort=False, dropna=False).first().reset_index()
    cols = ["unit_name", "field", "max_points"]
    out = out.merge(first[[*key, *cols]], on=key, how="left", validate="one_to_one")
    out = out.rename(columns={"unit_name": "unit"})
    out["field"] = out["field"].astype("str")
    eras = make_index_eras()
    out["era"] = [index_era("PAR", int(y), eras) for y in out["year"]]
    out = out.sort_values(list(TABLE_KEYS["par_components"]), kind="mergesort")
    out = out.reset_index(drop=True)
    _check_max_points(out, str(path))
    return check_table(
        out[list(PAR_COMPONENTS.columns)], PAR_COMPONENTS, COMPONENT_RULES, str(path)
    )


# --- online services and DTI ---------------------------------------------------------------


def _province_facts(name: str, facts_dir, schema) -> pd.DataFrame:
    """One row per year, province (or national scope) and harmonised measure."""
    path = fact_path(name, facts_dir)
    reports = read_fact_file(name, path)
    national = reports["measure_scope"].eq("national")
    reports["scope"] = reports["measure_scope"]
    reports["province_code"] = reports["unit_code"].where(~national)
    reports["province"] = reports["unit_name"].where(~national)
    key = ["year", "scope", "unit_key", "canonical"]
    out = reconcile(reports, key)
    grouped = reports.groupby(key, sort=False)
    extra = pd.DataFrame(
        {
            "province_code": grouped["province_code"].first(),
            "province": grouped["province"].first(),
            "unit_of_measure": grouped["unit_of_measure"].first(),
            "measure_as_published": grouped["measure"].agg(lambda s: ";".join(dict.fromkeys(s))),
        }
    ).reset_index()
    out = out.merge(extra, on=key, how="left", validate="one_to_one")
    out = out.rename(columns={"canonical": "measure"})
    for col in ("province_code", "province"):
        out[col] = out[col].astype("str")
    out = out.sort_values(["year", "scope", "province_code", "measure"], kind="mergesort")
    out = out.reset_index(drop=True)
    return check_table(out[list(schema.columns)], schema, PROVINCE_FACT_RULES, str(path))


# (dossiers received, of which online, online share in %) as one source reports them together.
DOSSIER_TRIPLES = tuple(
    (f"dossiers_received{level}_q1", f"dossiers{online}{level}_q1", share)
    for level, online, share in (
        ("", "_received_online", "online_dossier_share_pct_q1"),
        ("_provincial_departments", "_online", "online_share_pct_provincial_departments_q1"),
        ("_district", "_online", "online_share_pct_district_q1"),
        ("_commune", "_online", "online_share_pct_commune_q1"),
    )
)
SHARE_ROUNDING = 0.011
"""A published share may be rounded or truncated to two decimals (13.058 printed as 13.05)."""


def check_dossier_counts(reports: pd.DataFrame, dataset: str) -> None:
    """Cross-measure checks the dossier counts imply, per year, unit and source page.

    Online dossiers above dossiers received is impossible and raises; a share that is not
    online/received within :data:`SHARE_ROUNDING` is kept as published but warned about
    (:class:`~cchc_analysis.errors.DataConsistencyWarning`) with its lines.
    """
    import warnings

    from cchc_analysis.errors import DataConsistencyWarning

    over, off = [], []
    for _, group in reports.groupby(["year", "unit_key", "source_url"], sort=False):
        value = dict(zip(group["measure"], group["value"], strict=True))
        line = dict(zip(group["measure"], group["source_row"], strict=True))
        for received, online, share in DOSSIER_TRIPLES:
            if received not in value or online not in value:
                continue
            if value[online] > value[received]:
                over.append(
                    (
                        line[online],
                        f"{online} {value[online]:.0f} > {received} {value[received]:.0f}",
                    )
                )
            elif share in value and value[received] > 0:
                implied = 100 * value[online] / value[received]
                if abs(implied - value[share]) > SHARE_ROUNDING:
                    off.append(
                        (
                            line[share],
                            f"{share} {value[share]} but {online}/{received} gives {implied:.2f}",
                        )
                    )
    if over:
        raise DataValidationError(
            dataset,
            "dossiers online at most dossiers received",
            [o[0] for o in over],
            "; ".join(o[1] for o in over),
        )
    if off:
        warnings.warn(
            f"{dataset}: rows {', '.join(str(o[0]) for o in off)}: a published share disagrees "
            f"with its own counts beyond rounding ({'; '.join(o[1] for o in off)}); kept as "
            "published, check the source page",
            DataConsistencyWarning,
            stacklevel=2,
        )


def make_online_services(facts_dir=None) -> pd.DataFrame:
    """Online dossier shares and service-quality (QĐ 766) scores reported for provinces."""
    name = "online_services_facts.csv"
    path = fact_path(name, facts_dir)
    check_dossier_counts(read_fact_file(name, path), str(path))
    return _province_facts(name, facts_dir, ONLINE_SERVICES)


def make_dti(facts_dir=None) -> pd.DataFrame:
    """DTI (digital transformation) and 2017 e-government facts by province, measure names
    harmonised (``dti_index`` is ``dti_total``; ``rank_cqs`` is ``pillar_chinh_quyen_so_rank``)."""
    return _province_facts("dti_egov_facts.csv", facts_dir, DTI)


# --- table specs and loaders ----------------------------------------------------------------


def _inputs(name: str, *package: str):
    return table_inputs((name,), package)


_FACT_TABLES = {
    "national_aggregates": TableSpec(
        name="national_aggregates",
        description="National, regional and survey-level figures of the PAR Index and SIPAS",
        make=make_national_aggregates,
        inputs=_inputs(
            "national_aggregates.csv",
            "facts_measures.csv",
            "region_aliases.csv",
            "par_field_aliases.csv",
            "provinces.csv",
        ),
        key=TABLE_KEYS["national_aggregates"],
    ),
    "par_components": TableSpec(
        name="par_components",
        description="Reported PAR Index field (component) scores and ranks",
        make=make_par_components,
        inputs=_inputs(
            "par_components.csv",
            "facts_measures.csv",
            "par_field_aliases.csv",
            "par_methodology.csv",
            "index_eras.csv",
            "ministries.csv",
            "provinces.csv",
        ),
        key=TABLE_KEYS["par_components"],
    ),
    "online_services": TableSpec(
        name="online_services",
        description="Online dossier shares and QĐ 766 service scores reported for provinces",
        make=make_online_services,
        inputs=_inputs("online_services_facts.csv", "facts_measures.csv", "provinces.csv"),
        key=TABLE_KEYS["online_services"],
    ),
    "dti": TableSpec(
        name="dti",
        description="Provincial digital-transformation index (DTI) and 2017 e-government facts",
        make=make_dti,
        inputs=_inputs("dti_egov_facts.csv", "facts_measures.csv", "provinces.csv"),
        key=TABLE_KEYS["dti"],
    ),
}

TABLES = {**_SCORE_TABLES, **_FACT_TABLES, **_METHODOLOGY_TABLES}
"""Every processed table made from the facts, including those of par_sipas and par_methodology."""


def _table(name: str, make, facts_dir) -> pd.DataFrame:
    """The processed table (rebuilt when stale), or a fresh one from ``facts_dir``."""
    if facts_dir is not None:
        return make(facts_dir)
    from cchc_analysis import store

    return store.load(TABLES[name])


def load_national_aggregates(*, facts_dir=None) -> pd.DataFrame:
    """National/regional means, counts by band, survey sizes and SIPAS factor values by year.

    ``scope`` is as compiled (``provinces``, ``ministries``, ``citizens``, ``region:<name>``…),
    ``region`` the canonical region for regional rows, ``value`` NaN for text-only facts whose
    text is in ``value_as_published``.
    """
    return _table("national_aggregates", make_national_aggregates, facts_dir)


def load_par_components(*, facts_dir=None) -> pd.DataFrame:
    """PAR field facts: ``component`` as published, ``field`` code (as in
    :func:`load_par_methodology`), ``measure`` (score, % of max or rank), ``max_points``."""
    return _table("par_components", make_par_components, facts_dir)


def load_online_services(*, facts_dir=None) -> pd.DataFrame:
    """Online-services facts by province (``scope="national"`` rows have no province)."""
    return _table("online_services", make_online_services, facts_dir)


def load_dti(*, facts_dir=None) -> pd.DataFrame:
    """DTI and e-government facts by province (``scope="national"``: the provincial mean)."""
    return _table("dti", make_dti, facts_dir)
