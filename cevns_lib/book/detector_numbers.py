"""The numbers quoted by the prose of the detector chapter (``book/04_detectors.md``), by glue name.

Each function returns ``{glue name: value}`` computed from the registries and the chapter's results;
the chapter glues them, so that no number is typed in its prose. Units are in the names (``_kW``,
``_keVnr``, ``_percent``, …); counts are events per year of the configuration.
"""

from cevns_lib.experiments.projections import CONFIGURATIONS, facility_quantities, get_experiment, registry_quantity
from cevns_lib.physics import constants as c
from cevns_lib.physics.interactions import t_max


def setup_numbers(experiment, published_sm) -> dict:
    """Numbers quoted throughout: the chapter's experiment and year,
    COHERENT's CENNS-10 prediction (``published_sm``, a PublishedNumber with its uncertainty), the
    SNS proton pulse, and the response numbers of the COHERENT LAr detector
    (:func:`response_numbers`)."""
    sns = facility_quantities("SNS")
    return {"experiment_name": experiment.name, "configuration": experiment.configuration,
            "year_label": experiment.year_label, "calendar_year_s": c.year_s,
            "cenns10_published_sm": published_sm.value, "cenns10_published_sm_err": published_sm.uncertainty,
            "cenns10_published_rel_err_percent": 100 * published_sm.uncertainty / published_sm.value,
            "sns_pulse_mean_ns": sns["pulse_mean_ns"].value, "sns_pulse_sigma_ns": sns["pulse_sigma_ns"].value,
            **response_numbers(get_experiment("CENNS-10", experiment.configuration))}


def response_numbers(experiment) -> dict:
    """Kinematic end points (keVnr) of the prompt and delayed neutrinos on the experiment's nucleus,
    and the visible energy (keVee, the experiment's quenching) at 10 keVnr and at the delayed end point."""
    vis = experiment.response().visible_energy
    t_end = {kind: float(t_max(e_nu, experiment.nucleus.mass)) / c.keV
             for kind, e_nu in (("prompt", c.E_nu_mu_prompt), ("delayed", c.E_nu_max_delayed))}
    return {"t_end_prompt": t_end["prompt"], "t_end_delayed": t_end["delayed"],
            "ee_at_10_keVnr": float(vis(10 * c.keV)) / c.keV,
            "ee_at_end_point": float(vis(t_end["delayed"] * c.keV)) / c.keV}


def configuration_numbers(both, sigma=0.05) -> dict:
    """The paper's and the facilities' inputs and what changes between them.

    Parameters
    ----------
    both : dict
        :func:`cevns_lib.analysis.exposure.compare_configurations` at normalisation uncertainty ``sigma``.
    """
    pip2 = {cfg: get_experiment("PIP2-BD", cfg) for cfg in CONFIGURATIONS}
    ccm = {cfg: get_experiment("CCM", cfg) for cfg in CONFIGURATIONS}
    linac_pot = facility_quantities("PIP-II")["linac_max_pot_per_second"].value
    lujan = facility_quantities("Lujan")
    ccm_facility = ccm["facility"].quantities
    ratio = {name: both["paper"][name][0] / both["facility"][name][0] for name in both["facility"]}
    syst = [n for n in ratio if both["facility"][n][0] > 1 / sigma**2]  # N_SM ≫ 1/σ²: systematics-dominated
    mu_shift = {n: both["facility"][n][2] / both["paper"][n][2] - 1 for n in both["facility"]}
    return {
        "pip2bd_paper_pot": pip2["paper"].pot_per_second, "pip2bd_linac_pot": linac_pot,
        "pip2bd_over_linac": pip2["paper"].pot_per_second / linac_pot,
        "pip2bd_over_ring": pip2["paper"].pot_per_second / pip2["facility"].pot_per_second,
        "pip2bd_ring_kW": 1e3 * pip2["facility"].quantities["beam_power_MW"].value,
        "ccm_paper_pot": ccm["paper"].pot_per_second, "ccm_paper_t": ccm["paper"].target_mass_kg / 1e3,
        "ccm_paper_m": ccm["paper"].baseline_m, "ccm_cycle_pot": 3 * ccm_facility["pot_per_year"].value,
        "ccm_facility_t": ccm["facility"].target_mass_kg / 1e3, "ccm_facility_m": ccm["facility"].baseline_m,
        "ccm_kW": 1e3 * ccm_facility["beam_power_MW"].value, "ccm_MeV": 1e3 * ccm_facility["proton_energy_GeV"].value,
        "lujan_Hz": lujan["repetition_rate_Hz"].value, "lujan_nu_per_pot": lujan["nu_per_flavour_per_pot"].value,
        "ccm_count_ratio": ratio["CCM"], "pip2bd_count_ratio": ratio["PIP2-BD"], "syst_dominated": ", ".join(syst),
        "max_mu_shift_percent": 100 * max(abs(mu_shift[n]) for n in syst),
        "max_sw_shift": max(abs(a - b) for n in syst for a, b in zip(both["facility"][n][1], both["paper"][n][1])),
        "cenns10_facility_events": both["facility"]["CENNS-10"][0],
        "cenns10_mu_shift_percent": 100 * mu_shift["CENNS-10"],
        "coherent_year_hours": get_experiment("CENNS-10", "facility").seconds_per_year / 3600,
        "coherent_year_fraction": get_experiment("CENNS-10", "facility").seconds_per_year / c.year_s,
    }


def calibration_numbers(cal, mu_published) -> dict:
    """The threshold calibration (``cal``: a
    :class:`cevns_lib.analysis.threshold_calibration.ThresholdCalibration`) with the registry
    thresholds, the COHERENT Analysis-A exposure and the published μ_ν limits (``mu_published``)."""
    scan, reg = cal.scan, cal.at_registry
    (th_lo, th_hi), (yr_lo, yr_hi) = cal.consistent_thresholds, cal.consistent_years
    reg_lo, reg_hi = cal.registry_consistent_years
    out = {"cenns10_th128_text": "(data not available)" if cal.count_threshold is None else f"{cal.count_threshold:.1f}",
           "cenns750_n_sm_lo": scan.n_sm_range[0], "cenns750_n_sm_hi": scan.n_sm_range[1],
           "cenns750_th_lo": th_lo, "cenns750_th_hi": th_hi, "cenns750_yr_lo": yr_lo, "cenns750_yr_hi": yr_hi,
           "cenns750_reg_yr_lo": reg_lo, "cenns750_reg_yr_hi": reg_hi, "cenns750_1yr_n_sm": float(reg.n_sm[0, 0]),
           "cenns750_1yr_interval": f"[{reg.sin2w_lo[0, 0]:.4f}, {reg.sin2w_hi[0, 0]:.4f}]",
           "cenns750_registry_threshold": cal.registry_threshold,
           "cenns750_paper_pot": get_experiment("CENNS-750").pot_per_second,
           "cenns750_published_mu": mu_published["CENNS-750"], "pip2bd_published_mu": mu_published["PIP2-BD"]}
    for name in ("CENNS-10", "PIP2-BD", "CCM"):
        out[f"registry_threshold_{name.replace('-', '')}"] = get_experiment(name).threshold_keVnr
    for key in ("pot", "target_mass_kg", "baseline_m", "nu_per_flavour_per_pot"):
        out[f"release_{key}"] = registry_quantity("coherent", "ar2020", key).value
    return out


def calibration_results(cal) -> dict:
    """The recorded results of the threshold calibration, ``{results key: value}`` (thresholds in
    keVnr, run times in calendar years; the CENNS-10 count threshold only with the release)."""
    reg = cal.at_registry
    out = {} if cal.count_threshold is None else {"cenns10_step_threshold_for_128_keVnr": cal.count_threshold}
    out.update({
        "pip2bd_threshold_from_mu_limit_keVnr": cal.mu_crossings["PIP2-BD"],
        "cenns750_threshold_from_mu_limit_keVnr": cal.mu_crossings["CENNS-750"],
        "cenns750_3yr_threshold_from_mu_limit_keVnr": cal.mu_crossings["CENNS-750, 3 yr"],
        "cenns750_inferred_n_sm": float(reg.n_sm[0, 1]), "cenns750_inferred_n_sm_range": list(cal.scan.n_sm_range),
        "cenns750_inferred_threshold_range_keVnr": list(cal.consistent_thresholds),
        "cenns750_inferred_run_time_range_years": list(cal.consistent_years),
        "cenns750_inferred_run_time_years": cal.paper_years,
        "cenns750_best_threshold_keVnr": cal.scan.best[0], "cenns750_best_run_time_years": cal.scan.best[1],
        "cenns750_1yr_sin2w_interval_sys5": [float(reg.sin2w_lo[0, 0]), float(reg.sin2w_hi[0, 0])]})
    return out
