"""cchc_analysis: load, clean and analyse Viet Nam's administrative-reform indices.

The public helpers are importable from the package root; submodules load on first use so that
``import cchc_analysis`` stays cheap (see ``benchmarks/``)::

    import cchc_analysis as cc
    papi = cc.load_papi()                 # tidy long table, PAPI 2011-2024
    cc.normalize_province("TP.HCM")       # Province(code='79', ...)

Modules: ``paths`` (locations), ``text`` (Vietnamese text and numbers), ``provinces`` (registry and
the 2025 merger), ``registry``/``download`` (upstream files), ``sources`` (one loader per dataset),
``schemas``, ``build`` (processed tables), ``breaks`` (screen for undocumented level shifts in
PAPI), ``ranking``, ``models``, ``plotting``, ``notebooks`` (headless runner), ``site`` (the static
site of ``make site``).
"""

from __future__ import annotations

from cchc_analysis._lazy import lazy_exports

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "normalize_text": "text",
    "fold": "text",
    "parse_vn_number": "text",
    "parse_vn_fraction": "text",
    "format_vn_number": "text",
    "Province": "provinces",
    "UnknownProvinceError": "provinces",
    "normalize_province": "provinces",
    "provinces": "provinces",
    "to_2025": "provinces",
    "province_code": "provinces",
    "province_by_code": "provinces",
    "crosswalk_2025": "provinces",
    "fetch": "download",
    "load_papi": "sources.papi",
    "papi_wide": "sources.papi",
    "load_papi_workbook": "sources.papi",
    "level_shifts": "breaks",
    "load_papi_national_facts": "sources.papi_facts",
    "load_par_index": "sources.facts",
    "load_sipas": "sources.facts",
    "load_national_aggregates": "sources.facts",
    "load_par_components": "sources.facts",
    "load_online_services": "sources.facts",
    "load_dti": "sources.facts",
    "load_par_methodology": "sources.facts",
    "load_index_eras": "sources.facts",
    "load_par_district": "sources.par_district",
    "index_era": "sources.facts",
    "competition_rank": "ranking",
    "composite": "ranking",
    "score_change_decomposition": "ranking",
    "freeze_component_ranks": "ranking",
    "shapley_rank_attribution": "ranking",
    "overtakes": "ranking",
    "points_to_overtake": "ranking",
    "rank_stability": "ranking",
    "rank_uncertainty": "ranking",
    "build_panel": "models",
    "fit_ladder": "models",
    "fit_family": "models",
    "binned_scatter": "models",
    "lowess_curve": "models",
    "save_figure": "plotting",
    "set_style": "plotting",
    # ranking core: methodology travels with the data, one call per question (h1-ranking)
    "MethodologyWarning": "methodology",
    "ScoreMeta": "methodology",
    "attach_methodology": "methodology",
    "methodology_of": "methodology",
    "composition_changes": "indices",
    "methodology_records": "methodology",
    "RankAttribution": "ranking",
    "explain_rank_change": "answers",
    "rank_drivers": "answers",
    "province_profile": "answers",
    "map_recipe": "answers",
    # PCI
    "load_pci": "sources.pci",
    "load_pci_workbooks": "sources.pci",
    "load_pci_panel": "sources.pci",
    "load_population": "sources.pci",
    "pci_wide": "sources.pci",
    "pci_weights": "sources.pci",
    "pci_weight_check": "sources.pci",
    "pci_transition": "sources.pci",
    "compare_pci_facts": "sources.pci_facts",
    # QĐ 766 service index and era-marked keys of the 34 provinces (h3-qd766)
    "load_qd766": "sources.qd766",
    "qd766_checks": "sources.qd766",
    "qd766_components": "sources.qd766",
    "qd766_national": "sources.qd766",
    "qd766_wide": "sources.qd766",
    "Qd766Warning": "sources.qd766",
    "EraMismatchError": "provinces",
    "Province2025": "provinces",
    "normalize_province_2025": "provinces",
    "province_key_2025": "provinces",
    "province_keys_2025": "provinces",
    "key_2025": "provinces",
    "official_code_2025": "provinces",
    "key_era": "provinces",
    "check_same_era": "provinces",
    "merge_provinces": "provinces",
    "check_codes_2025": "provinces",
    # signal or noise (issue 10)
    "estimate_noise": "noise",
    "NoiseModel": "noise",
    "composition_breaks": "noise",
    "posterior_draws": "noise",
    "posterior_ranks": "noise",
    "posterior_rank_changes": "noise",
    "rank_confidence_sets": "noise",
    "rank_change_confidence": "noise",
    "signal_share_of_movement": "noise",
    "noise_table": "noise",
    "how_sure": "noise",
    "rank_change_evidence": "noise",
    "simulate_panel": "noise",
    # figures and models (h2-figures)
    "add_source": "plotting",
    "freeze_layout": "plotting",
    "forest_plot": "figures",
    "coverage_grid": "figures",
    "published_coverage": "figures",
    "component_label": "figures",
    "term_label": "figures",
    "legend_panel": "figures",
    "broken_line": "figures",
    "fit_pairs": "models",
    "result_row": "models",
    "describe": "models",
    "twfe_by_segment": "models",
    # robustness: second parse of PAPI, processed-table store
    "papi_crosscheck": "sources.papi_check",
    "papi_gaps": "sources.papi_check",
    "load_papi_check": "sources.papi_check",
    "load_papi_published_facts": "sources.papi_published",
    "save_table": "outputs",
    "non_province_unit": "provinces",
    "require_province_codes": "keys",
    # PCI and QĐ 766 as indices of the one-call answers; the bridge between eras (h8-indices)
    "pci_methodology": "sources.pci",
    "qd766_methodology": "sources.qd766",
    "era_bridge": "bridge",
    "EraBridge": "bridge",
    "spearman_interval": "bridge",
    "ols_without_most_influential": "models",
    # notebooks as papers: the public record (h10-nb0104)
    "papi_coverage": "records",
    "coverage_counts": "records",
    "papi_national_means": "records",
    "par_sipas_national_means": "records",
    "par_band_counts": "records",
    # notebook 03 as a paper (h9-nb03)
    "slope_differences": "models",
    "within_sd": "models",
    "add_lag": "models",
    "binned_scatter_plot": "figures",
    "bar_panels": "figures",
    # notebook 02 as a paper (h7-nb02): the analyses it needs, one call each
    "subcomponent_drivers": "answers",
    "overtake_drivers": "answers",
    "weight_robustness": "answers",
    "stability_table": "answers",
    "plot_stability": "answers",
    "plot_rank_changes": "answers",
    "par_field_change": "answers",
    "field_change_bounds": "answers",
    # notebook 06 as a paper: PCI's rank movement by era, firms (PCI) against citizens (PAPI)
    "pci_weight_table": "answers.pci_papi",
    "pci_era_shares": "answers.pci_papi",
    "pci_total_check": "answers.pci_papi",
    "movement_shares": "answers.pci_papi",
    "compare_rank_drivers": "answers.pci_papi",
    "within_era_transitions": "answers.pci_papi",
    "weight_shares": "answers.pci_papi",
    "rank_agreement": "answers.pci_papi",
    "plot_pci_weights": "figures",
    "plot_era_shares": "figures",
    "plot_break_shares": "figures",
    "plot_movement_comparison": "figures",
    # browsable site (h11-site)
    "build_site": "site",
}

__all__ = ["__version__", *sorted(_EXPORTS)]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
