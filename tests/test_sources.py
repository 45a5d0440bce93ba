"""π-DAR source: spectra normalisation, line energy, end point, fluence scaling, timing."""

import numpy as np
import pytest
from scipy.integrate import quad

from cevns_lib.physics import constants as c
from cevns_lib.physics import sources


@pytest.mark.parametrize("flavour", ["nu_e", "nubar_mu"])
def test_michel_spectra_are_normalised(flavour):
    s = sources.spectrum(flavour)
    val, _ = quad(s.density, 0.0, s.end_point, epsabs=0, epsrel=1e-12)
    assert val == pytest.approx(1.0, abs=1e-10)
    assert s.density(s.end_point + 1e-6) == 0.0 and s.density(-1.0) == 0.0


def test_prompt_line_energy_and_end_point():
    assert c.E_nu_mu_prompt == pytest.approx(29.792, abs=1e-3)
    assert sources.spectrum("nu_mu").is_line
    assert c.E_nu_max_delayed == pytest.approx(52.829, abs=1e-3)


@pytest.mark.parametrize("flavour,expected", [("nu_mu", 887.57), ("nu_e", 1116.37), ("nubar_mu", 1488.49)])
def test_mean_energy_squared(flavour, expected):
    assert sources.mean_energy_squared(flavour) == pytest.approx(expected, rel=1e-4)
    s = sources.spectrum(flavour)
    if not s.is_line:
        num, _ = quad(lambda E: E**2 * s.density(E), 0, s.end_point, epsrel=1e-12)
        assert num == pytest.approx(sources.mean_energy_squared(flavour), rel=1e-10)


def test_fluence_scales_as_inverse_square_and_linearly():
    base = sources.fluence_per_flavour(0.09, 1e16, 3.156e7, 20.0)
    assert sources.fluence_per_flavour(0.09, 1e16, 3.156e7, 40.0) == pytest.approx(base / 4)
    assert sources.fluence_per_flavour(0.18, 1e16, 3.156e7, 20.0) == pytest.approx(2 * base)
    assert base == pytest.approx(0.09 * 1e16 * 3.156e7 / (4 * np.pi * 2000.0**2))


@pytest.mark.parametrize("arg", ["nu_per_flavour_per_pot", "pot_per_second", "run_time_s", "baseline_m"])
def test_fluence_rejects_unphysical_input(arg):
    kw = dict(nu_per_flavour_per_pot=0.09, pot_per_second=1e16, run_time_s=1.0, baseline_m=20.0)
    kw[arg] = -1.0
    with pytest.raises(ValueError, match=arg):
        sources.fluence_per_flavour(**kw)


def test_unknown_flavour():
    with pytest.raises(ValueError, match="nu_tau"):
        sources.spectrum("nu_tau")


@pytest.mark.parametrize("flavour", sources.FLAVOURS)
def test_arrival_time_pdf_normalised(flavour):
    t = np.linspace(-3.0, 40.0, 400001)
    assert np.trapezoid(sources.arrival_time_pdf(t, flavour), t) == pytest.approx(1.0, abs=1e-4)


def test_delayed_mean_time_is_muon_lifetime():
    t = np.linspace(-3.0, 60.0, 600001)
    pdf = sources.arrival_time_pdf(t, "nu_e")
    mean = np.trapezoid(t * pdf, t) / np.trapezoid(pdf, t)
    assert mean == pytest.approx((c.tau_mu_s + c.tau_pi_charged_s) * 1e6, rel=2e-3)
