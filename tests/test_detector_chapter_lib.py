"""Library behind the detector chapter (book/04_detectors.md): counts against a step threshold
(cevns_lib.analysis.exposure.sm_counts_vs_threshold), the CENNS-10 release check
(cevns_lib.analysis.cenns10_check), the threshold calibration
(cevns_lib.analysis.threshold_calibration) and the chapter's numbers and figures
(cevns_lib.book.detector_numbers, cevns_lib.book.detector_figures)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cevns_lib.analysis import exposure as ex  # noqa: E402
from cevns_lib.analysis.sensitivity import CountModel  # noqa: E402
from cevns_lib.analysis.threshold_calibration import calibrate_thresholds  # noqa: E402
from cevns_lib.book import detector_figures as figs, detector_numbers  # noqa: E402
from cevns_lib.book.published import published_number  # noqa: E402
from cevns_lib.experiments.projections import PROJECTIONS, get_experiment  # noqa: E402


def test_counts_vs_threshold_is_the_one_bin_prediction_at_each_threshold():
    e = get_experiment("PIP2-BD")
    th = np.array([0.0, 5.0, 9.0, 20.0])
    n = ex.sm_counts_vs_threshold(e.nucleus, e.n_targets, e.fluence_per_flavour(), th)
    assert np.all(np.diff(n) < 0)                                      # counts fall with the threshold
    for t, value in zip(th[1:], n[1:]):                                # same engine, other panel edges
        assert value == pytest.approx(CountModel.from_experiment(e.with_overrides(threshold_keVnr=t)).n_sm, rel=1e-6)
    doubled = ex.sm_counts_vs_threshold(e.nucleus, 2 * e.n_targets, e.fluence_per_flavour(), th)
    assert doubled == pytest.approx(2 * n, rel=1e-12)                  # linear in the exposure
    for bad in ([5.0, 1.0], [-1.0, 2.0], []):
        with pytest.raises(ValueError):
            ex.sm_counts_vs_threshold(e.nucleus, e.n_targets, e.fluence_per_flavour(), bad)


def test_prediction_counts_are_amplitude_squared_times_kernels():
    """The one-bin prediction the chapter's yearly counts come from: Σ_k ε(T_k) K_αk 𝒜_α² F²(q_k)
    (tree level, Helm for protons and neutrons alike)."""
    from cevns_lib.physics.form_factors import get_form_factor
    from cevns_lib.physics.interactions import weak_amplitude

    for name in PROJECTIONS:
        e = get_experiment(name)
        k = e.kernels()
        F2 = get_form_factor("helm", e.nucleus)(k.q) ** 2
        new = e.prediction("helm").counts_per_flavour()
        for fl in ("nu_mu", "nu_e", "nubar_mu"):
            direct = np.sum(e.efficiency(k.grid.T) * k.weak[fl] * F2) * float(weak_amplitude(e.nucleus, fl)) ** 2
            assert float(new[fl][0]) == pytest.approx(direct, rel=1e-10)


def test_response_numbers_known_values():
    n = detector_numbers.response_numbers(get_experiment("CENNS-10"))
    assert n["t_end_prompt"] == pytest.approx(47.6, abs=0.05) and n["t_end_delayed"] == pytest.approx(149.6, abs=0.05)
    assert n["ee_at_10_keVnr"] == pytest.approx(10 * (0.246 + 7.8e-4 * 10), rel=1e-12)     # QF(T) T at 10 keVnr
    assert n["ee_at_end_point"] == pytest.approx(n["t_end_delayed"] * (0.246 + 7.8e-4 * n["t_end_delayed"]), rel=1e-12)


def test_configuration_numbers_are_ratios_of_the_table():
    both = ex.compare_configurations()
    n = detector_numbers.configuration_numbers(both)
    assert n["pip2bd_count_ratio"] == pytest.approx(both["paper"]["PIP2-BD"][0] / both["facility"]["PIP2-BD"][0])
    assert n["pip2bd_over_linac"] == pytest.approx(n["pip2bd_paper_pot"] / n["pip2bd_linac_pot"])
    assert n["coherent_year_hours"] == pytest.approx(5000.0)        # COHERENT's beam year
    assert 0 < n["max_sw_shift"] < 1e-3 and set(n["syst_dominated"].split(", ")) <= set(PROJECTIONS)
    assert "CENNS-10" not in n["syst_dominated"]                      # a few hundred events: statistics matter


@pytest.fixture(scope="module")
def calibration():
    mu = {n: published_number("06_em_properties", "mu_nu_limit_sys5", n).value for n in ("PIP2-BD", "CENNS-750")}
    sw = published_number("05_weak_mixing_angle", "sin2w_interval_sys5", "CENNS-750").value
    return mu, sw, calibrate_thresholds(mu, sw)


def test_calibration_reproduces_the_registry_thresholds(calibration):
    mu, sw, cal = calibration
    assert cal.counts is None and cal.count_threshold is None         # no release counts given
    assert cal.mu_crossings["PIP2-BD"] == pytest.approx(get_experiment("PIP2-BD").threshold_keVnr, abs=0.25)
    assert cal.mu_crossings["CENNS-750"] < cal.mu_crossings["CENNS-750, 3 yr"]   # more exposure, higher threshold
    lo, hi = cal.consistent_thresholds
    assert lo <= cal.registry_threshold <= hi
    assert cal.at_registry.consistent[0, 1] and not cal.at_registry.consistent[0, 0]
    rlo, rhi = cal.registry_consistent_years
    assert rlo <= cal.paper_years <= rhi
    results = detector_numbers.calibration_results(cal)
    assert "cenns10_step_threshold_for_128_keVnr" not in results      # needs the release
    assert results["cenns750_inferred_run_time_years"] == pytest.approx(cal.paper_years)
    with pytest.raises(ValueError):
        calibrate_thresholds(mu, sw, counts=np.ones(3), count_published=128.0)


def test_calibration_figures_have_labelled_axes(calibration):
    mu, sw, cal = calibration
    pub = published_number("04_detectors", "coherent_cenns10_analysisA_sm_events")
    for fig in (figs.threshold_calibration_figure(cal, pub, mu), figs.joint_inference_figure(cal, mu["CENNS-750"], sw)):
        for ax in fig.axes:
            assert ax.get_xlabel() and ax.get_ylabel()
            assert "[" in ax.get_xlabel()                             # a unit
        plt.close(fig)


def test_spectra_integrate_to_the_counts():
    e = get_experiment("CENNS-750")
    T, per_node, per_keVnr = figs.recoil_spectra(e)
    total = sum(per_node.values())
    above = float(np.sum(total[T >= e.threshold_keVnr]))
    assert above == pytest.approx(CountModel.from_experiment(e).n_sm, rel=1e-4)   # dense grid vs the one-bin engine
    assert per_keVnr["total"] == pytest.approx(sum(per_keVnr[fl] for fl in per_node), rel=1e-12)
    fig = figs.spectra_figure(e, T, per_node, per_keVnr)
    assert [ax.get_ylabel() for ax in fig.axes] == ["dN/dT [events / keVnr / year]", "dN/dE′ [events / keVee / year]"]
    plt.close(fig)
    exps = {n: get_experiment(n) for n in PROJECTIONS}
    assert figs.inputs_table(exps, "paper").count("\n|") == len(PROJECTIONS) + 2   # header, rule, one row each


@pytest.mark.needs_data("ar2020_analysisA")
def test_cenns10_release_check_known_values():
    from cevns_lib.analysis.cenns10_check import release_check, release_counts_vs_step_threshold

    chk = release_check()
    assert chk.released_total == pytest.approx(128.0, rel=1e-6)        # the released PDF is normalised to 128
    assert chk.total == pytest.approx(122.0, abs=0.1)                  # ar2020_response: 122.0 events
    assert chk.total < chk.released_total < chk.total_no_window        # the time window matters
    assert chk.delayed_window_fraction == pytest.approx(0.867, abs=5e-4)
    assert chk.delayed_bins.sum() >= 6 and np.all(chk.time_ratio[chk.delayed_bins] < 1)
    assert -0.05 < chk.klein_nystrand_change < 0 and 0 < chk.true_energy_efficiency_change < 0.03
    th = np.arange(0.0, 30.01, 0.25)
    n = release_counts_vs_step_threshold(th)
    assert np.all(np.diff(n) < 0) and 17.0 < np.interp(-128.0, -n, th) < 18.5
