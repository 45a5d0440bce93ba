"""Rate kernels: known values, scaling, and convergence of every integral on a refined grid."""

import numpy as np
import pytest
from scipy.integrate import quad

from cevns_lib.physics import constants as c
from cevns_lib.physics import interactions as I
from cevns_lib.engine import kernels as rates
from cevns_lib.experiments.projections import PROJECTIONS, StepEfficiency, TabulatedEfficiency, get_experiment
from cevns_lib.physics.form_factors import get_form_factor
from cevns_lib.physics.nuclei import get_nucleus
from cevns_lib.physics.sources import FLAVOURS, spectrum


AR = get_nucleus("Ar40")
HELM = get_form_factor("helm", AR)


def amplitudes(sin2w=0.2387, nucleus=AR):
    return {fl: I.weak_amplitude(nucleus, fl, sin2w) for fl in FLAVOURS}


def test_flux_averaged_cross_section_argon():
    k = rates.RecoilKernels.build(AR, n_targets=1.0, fluence_cm2=1.0)
    per = k.fold(None, HELM).per_flavour(amplitudes())
    mean = np.mean(list(per.values()))
    assert mean == pytest.approx(1.8e-39, rel=0.03)  # COHERENT's SM value for Ar (arXiv:2003.10630)
    assert per["nu_mu"] < per["nu_e"] < per["nubar_mu"]


@pytest.mark.parametrize("flavour", ["nu_e", "nubar_mu"])
def test_michel_flavours_against_adaptive_quadrature(flavour):
    A = I.weak_amplitude(AR, flavour, 0.2387)
    s = spectrum(flavour)
    th = 10 * c.keV

    def inner(E):
        tm = float(I.t_max(E, AR.mass))
        if tm <= th:
            return 0.0
        return quad(lambda T: I.dsigma_dT_sm(E, T, AR, A, HELM), th, tm, epsrel=1e-11)[0] * s.density(E)

    ref = quad(inner, float(I.e_min(th, AR.mass)), s.end_point, epsrel=1e-10)[0] / c.cm2
    k = rates.RecoilKernels.build(AR, 1.0, 1.0, t_min=th)
    assert k.fold(None, HELM).per_flavour(amplitudes())[flavour] == pytest.approx(ref, rel=1e-8)


def test_counts_scale_with_mass_and_inverse_square_baseline():
    e = get_experiment("PIP2-BD")
    amps = amplitudes(0.23857)
    n0 = e.folded_counts().total(amps)
    assert e.with_overrides(target_mass_kg=2 * e.target_mass_kg).folded_counts().total(amps) == pytest.approx(2 * n0)
    assert e.with_overrides(baseline_m=2 * e.baseline_m).folded_counts().total(amps) == pytest.approx(n0 / 4)


@pytest.mark.parametrize("name,no_thr,above", [("CENNS-10", 590, 284), ("CENNS-750", 1.14e4, 6.4e3),
                                                ("CCM", 1.30e4, 8.8e3), ("PIP2-BD", 1.28e7, 9.0e6)])
def test_baseline_counts_per_year(name, no_thr, above):
    """Per-year baseline counts of an independent numpy implementation of the same model (not published), Helm-LS."""
    e = get_experiment(name)
    amps = amplitudes(0.23857)
    assert e.folded_counts().total(amps) == pytest.approx(above, rel=0.01)
    assert e.with_overrides(threshold_keVnr=0.0).folded_counts().total(amps) == pytest.approx(no_thr, rel=0.01)


def test_electron_fraction_and_magnetic_ratio_pip2bd():
    e = get_experiment("PIP2-BD")
    fc = e.folded_counts()
    amps = amplitudes(0.23857)
    per = fc.per_flavour(amps)
    assert per["nu_e"] / sum(per.values()) == pytest.approx(0.318, abs=1e-3)
    assert fc.total(amps, mu_nu=1e-9) / fc.total(amps) - 1 == pytest.approx(0.0909, abs=5e-4)


def test_magnetic_rate_without_threshold_is_refused():
    k = rates.RecoilKernels.build(AR, 1.0, 1.0)
    fc = k.fold(None, HELM)
    fc.total(amplitudes())  # the weak part is fine
    with pytest.raises(ValueError, match="magnetic"):
        fc.total(amplitudes(), mu_nu=1e-10)


def _check(build, evaluate):
    assert rates.convergence_check(build, evaluate) <= 1e-4


@pytest.mark.parametrize("threshold_keV", [0.0, 5.0, 9.0, 14.5, 20.0, 47.0])
def test_weak_rate_integrals_converge(threshold_keV):
    amps = amplitudes()
    _check(lambda p, o: rates.RecoilKernels.build(AR, 1.0, 1.0, t_min=threshold_keV * c.keV,
                                                  panels_per_decade=p, order=o),
           lambda k: np.array(list(k.fold(None, HELM).per_flavour(amps).values())))


@pytest.mark.parametrize("threshold_keV", [1.0, 9.0, 20.0])
def test_magnetic_rate_integrals_converge(threshold_keV):
    amps = {fl: 0.0 for fl in FLAVOURS}
    _check(lambda p, o: rates.RecoilKernels.build(AR, 1.0, 1.0, t_min=threshold_keV * c.keV,
                                                  panels_per_decade=p, order=o),
           lambda k: np.array(list(k.fold(None, HELM).per_flavour(amps, mu_nu=1e-10).values())))


def test_smooth_efficiency_and_binned_response_converge():
    eff = TabulatedEfficiency(np.array([0.0, 5.0, 10.0, 20.0, 150.0]) * c.keV, np.array([0.0, 0.2, 0.7, 0.9, 0.95]))
    edges = np.linspace(0.0, 150.0, 7) * c.keV

    def binned(T):
        return np.array([(T >= lo) & (T < hi) for lo, hi in zip(edges[:-1], edges[1:])], dtype=float) * eff(T)

    amps = amplitudes()
    _check(lambda p, o: rates.RecoilKernels.build(AR, 1.0, 1.0, t_min=eff.t_min,
                                                  breakpoints=(*eff.breakpoints, *edges), panels_per_decade=p, order=o),
           lambda k: np.concatenate([np.atleast_1d(v) for v in k.fold(binned, HELM).per_flavour(amps).values()]))


@pytest.mark.parametrize("name", PROJECTIONS)
def test_experiment_counts_converge(name):
    e = get_experiment(name)
    amps = amplitudes(0.23857)
    _check(lambda p, o: e.kernels(panels_per_decade=p, order=o),
           lambda k: k.fold(e.efficiency, HELM).total(amps, mu_nu=1e-9))


def test_grid_and_kernel_input_validation():
    with pytest.raises(ValueError, match="t_min"):
        rates.RecoilGrid.build(-1.0, 1.0)
    with pytest.raises(ValueError, match="largest recoil"):
        rates.RecoilKernels.build(AR, 1.0, 1.0, t_min=200 * c.keV)
    with pytest.raises(ValueError, match="positive"):
        rates.RecoilKernels.build(AR, -1.0, 1.0)
    k = rates.RecoilKernels.build(AR, 1.0, 1.0)
    with pytest.raises(ValueError, match="recoil nodes"):
        k.fold(np.ones(3), HELM)


def test_step_efficiency():
    s = StepEfficiency(10 * c.keV)
    assert list(s(np.array([9.99, 10.0, 11.0]) * c.keV)) == [0.0, 1.0, 1.0]
    assert s.breakpoints == (10 * c.keV,)
