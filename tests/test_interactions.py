"""Couplings, weak amplitude, kinematics and cross sections."""

import numpy as np
import pytest
from scipy.integrate import quad

from cevns_lib.physics import constants as c
from cevns_lib.physics import interactions as I
from cevns_lib.physics.form_factors import get_form_factor
from cevns_lib.physics.nuclei import get_nucleus

AR = get_nucleus("Ar40")


def test_argon_mass_and_kinematic_end_points():
    assert AR.mass == pytest.approx(37215.5, abs=0.1)
    assert I.t_max(c.E_nu_mu_prompt, AR.mass) / c.keV == pytest.approx(47.62, abs=0.01)
    assert I.t_max(c.E_nu_max_delayed, AR.mass) / c.keV == pytest.approx(149.56, abs=0.01)
    T = 20 * c.keV
    assert I.t_max(I.e_min(T, AR.mass), AR.mass) == pytest.approx(T, rel=1e-12)


def test_tree_level_amplitude_argon():
    assert I.weak_amplitude(AR, "nu_e", 0.23857) == pytest.approx(-10.58852, abs=1e-5)
    s = np.array([0.22, 0.25])
    assert np.allclose(I.weak_amplitude(AR, "nu_mu", s), -2 - 36 * s)


def test_radiative_couplings_option():
    gp, gn = I.vector_couplings("nu_e", scheme="radiative")
    assert (gp, gn) == (0.0401, -0.5094)
    assert I.vector_couplings("nubar_mu", scheme="radiative")[0] == 0.0318
    with pytest.raises(ValueError, match="scheme"):
        I.vector_couplings("nu_e", scheme="loop")


def test_nsi_only_changes_nu_e_and_mirror_point():
    a_sm = I.weak_amplitude(AR, "nu_e")
    assert I.weak_amplitude(AR, "nu_e", eps_u=0.01) == pytest.approx(a_sm + 0.58)
    assert I.weak_amplitude(AR, "nu_mu", eps_u=0.01) == pytest.approx(I.weak_amplitude(AR, "nu_mu"))
    eps_mirror = 2 * abs(a_sm) / 58.0
    assert eps_mirror == pytest.approx(0.3651, abs=1e-4)
    assert I.weak_amplitude(AR, "nu_e", eps_u=eps_mirror) == pytest.approx(-a_sm)


def test_charge_radius_kappa_conventions():
    assert I.CHARGE_RADIUS_KAPPA["giunti"] == pytest.approx(0.02380, abs=1e-5)
    assert I.CHARGE_RADIUS_KAPPA["sin2w_shift"] == pytest.approx(0.0952, abs=1e-4)
    a = I.weak_amplitude(AR, "nu_mu", charge_radius=-1.0, charge_radius_kappa=0.094)
    assert a == pytest.approx(I.weak_amplitude(AR, "nu_mu") + 18 * 0.094)


def test_kinematic_factor_vanishes_at_and_above_tmax():
    E = 40.0
    Tm = I.t_max(E, AR.mass)
    assert I.kinematic_factor(E, Tm * (1 + 1e-9), AR.mass) == 0.0
    assert I.kinematic_factor(E, Tm * (1 - 1e-6), AR.mass) < 1e-4
    assert I.magnetic_factor(E, Tm * 1.001, AR.mass) == 0.0
    assert I.magnetic_factor(E, Tm * 0.999, AR.mass) > 0.0  # does not vanish at T_max: explicit cut


def test_total_cross_section_of_prompt_line_by_quadrature():
    F = get_form_factor("helm", AR)
    A = I.weak_amplitude(AR, "nu_mu", 0.2387)
    E = c.E_nu_mu_prompt
    sig = quad(lambda T: I.dsigma_dT_sm(E, T, AR, A, F), 1e-12, float(I.t_max(E, AR.mass)), epsrel=1e-11)[0]
    assert sig / c.cm2 == pytest.approx(14.957e-40, rel=1e-3)


def test_low_energy_limit_is_coherent_formula():
    # E → small: σ → G_F² 𝒜² E² (1 + ...)·(4/π)... check dσ/dT at T → 0 equals G_F² M 𝒜²/π
    F = get_form_factor("helm", AR)
    val = I.dsigma_dT_sm(30.0, 1e-9, AR, 1.0, F)
    assert val == pytest.approx(c.G_F**2 * AR.mass / np.pi, rel=1e-6)


def test_bad_energies_raise():
    F = get_form_factor("helm", AR)
    with pytest.raises(ValueError, match="neutrino energy"):
        I.dsigma_dT_sm(-1.0, 0.01, AR, 1.0, F)
    with pytest.raises(ValueError, match="recoil"):
        I.dsigma_dT_sm(10.0, -0.01, AR, 1.0, F)
    with pytest.raises(ValueError, match="sin2w"):
        I.weak_amplitude(AR, "nu_e", sin2w=1.5)


def test_charge_radius_needs_an_explicit_convention():
    with pytest.raises(ValueError, match="charge_radius_kappa"):
        I.weak_amplitude(AR, "nu_mu", charge_radius=1.0)
    assert I.CHARGE_RADIUS_KAPPA["sin2w_shift_single"] == pytest.approx(0.0476, abs=1e-4)


def test_negative_energy_in_tmax_raises():
    with pytest.raises(ValueError, match="neutrino energy"):
        I.t_max(-1.0, AR.mass)
