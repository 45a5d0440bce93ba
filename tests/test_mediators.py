"""Light mediators: charge table, propagator, kinetic-mixing loop, scalar charge, (g−2)_μ."""

import numpy as np
import pytest

from cevns_lib.physics import constants as c
from cevns_lib.physics import mediators as med
from cevns_lib.physics.interactions import weak_amplitude
from cevns_lib.physics.nuclei import get_nucleus

EXPECTED_C = {  # (c_e, c_mu) = Q'_nu × Q'_N
    "universal": (3, 3), "B-L": (-1, -1), "B_y+L_mu+L_tau": (0, -2 / 3), "B-3L_e": (-3, 0),
    "B-3L_mu": (0, -3), "B-2L_e-L_mu": (-2, -1), "B-L_e-2L_mu": (-1, -2)}


def test_charge_table_rows_and_sources():
    names = med.model_names()
    assert set(med.TREE_MODELS) | set(med.LOOP_MODELS) == set(names)
    for name in names:
        m = med.get_model(name)
        assert m.source and m.status in ("standard", "inferred", "convention")
        assert m.kind == ("loop" if name in med.LOOP_MODELS else "tree")
    for name, (ce, cm) in EXPECTED_C.items():
        m = med.get_model(name)
        assert m.nucleon * m.nu_e == pytest.approx(ce)
        assert m.nucleon * m.nu_mu == pytest.approx(cm)
        assert m.neutrino_charge("nubar_mu") == m.neutrino_charge("nu_mu")
    assert med.get_model("B_y+L_mu+L_tau").status == "inferred"


def test_loop_models_have_no_tree_quark_charge_and_two_leptons():
    for name in med.LOOP_MODELS:
        m = med.get_model(name)
        assert m.quark == 0 and len(m.loop_leptons) == 2
    assert med.get_model("L_mu-L_tau").nu_e == 0 and med.get_model("L_e-L_tau").nu_mu == 0


def test_unknown_model_and_bad_inputs_raise():
    with pytest.raises(ValueError, match="known models"):
        med.get_model("B-4L_e")
    with pytest.raises(ValueError, match="limit"):
        med.propagator(10.0, 1.0, limit="medium")
    with pytest.raises(ValueError, match="masses"):
        med.loop_integral(10.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="loop_sign"):
        med.induced_proton_charge(10.0, med.get_model("L_mu-L_tau"), loop_sign=2)
    with pytest.raises(ValueError, match="tree-level"):
        med.induced_proton_charge(10.0, med.get_model("B-L"))
    with pytest.raises(ValueError, match="epoch"):
        med.g2_band(10.0, med.get_model("B-L"), epoch="2019")
    with pytest.raises(ValueError, match="flavour"):
        med.get_model("B-L").neutrino_charge("nu_tau")


def test_propagator_limits():
    q = np.array([10.0, 50.0])
    assert np.allclose(med.propagator(q, 1e-3), med.propagator(q, limit="light"), rtol=1e-8)
    M = 1e6
    assert np.allclose(med.propagator(q, M) * M**2, med.propagator(q, limit="heavy"), rtol=1e-8)


@pytest.mark.parametrize("leptons", [("mu", "tau"), ("e", "mu"), ("e", "tau")])
def test_loop_integral_low_q_limit(leptons):
    ma, mb = (med.LEPTON_MASSES[x] for x in leptons)
    q = min(ma, mb) * 1e-3
    assert med.loop_integral(q, ma, mb) == pytest.approx(np.log(mb**2 / ma**2) / 6, rel=1e-6)


def test_loop_integral_high_q_and_convergence():
    assert abs(med.loop_integral(1e6, c.m_mu, c.m_tau)) < 1e-3 * np.log(c.m_tau**2 / c.m_mu**2)
    q = np.array([1.0, 10.0, 30.0, 100.0, 300.0])
    for ma, mb in ((c.m_e, c.m_mu), (c.m_e, c.m_tau), (c.m_mu, c.m_tau)):
        base = med.loop_integral(q, ma, mb)
        fine = med.loop_integral(q, ma, mb, n_panels=96, order=24)
        assert np.max(np.abs(base / fine - 1)) < 1e-8
    # electron loop far from its heavy-lepton limit at COHERENT momenta
    assert med.loop_integral(50.0, c.m_e, c.m_mu) < 0.5 * np.log(c.m_mu**2 / c.m_e**2) / 6


def test_loop_integral_against_scipy_quad():
    from scipy.integrate import quad

    for q in (5.0, 40.0, 120.0):
        f = lambda x: x * (1 - x) * np.log((c.m_mu**2 + x * (1 - x) * q**2) / (c.m_e**2 + x * (1 - x) * q**2))  # noqa: E731
        ref = quad(f, 0, 1, epsabs=0, epsrel=1e-12, limit=200, points=[1e-6, 1e-4])[0]
        assert med.loop_integral(q, c.m_e, c.m_mu) == pytest.approx(ref, rel=1e-8)


def test_induced_charge_sign_and_size():
    m = med.get_model("L_mu-L_tau")
    ch = med.induced_proton_charge(1e-3, m)
    assert ch == pytest.approx(c.alpha_em / (3 * np.pi) * np.log(c.m_tau**2 / c.m_mu**2), rel=1e-6)
    assert ch > 0  # destructive for nu_mu
    assert med.induced_proton_charge(1e-3, m, loop_sign=-1) == pytest.approx(-ch)


def test_zprime_shift_is_destructive_for_universal_and_constructive_for_b_minus_l():
    cs = get_nucleus("Cs133")
    q = np.array([30.0])
    sm = weak_amplitude(cs, "nu_mu", scheme="radiative")
    for name, sign in (("universal", +1), ("B-L", -1)):
        shift = med.zprime_amplitude_shift(q, med.get_model(name), "nu_mu", cs.Z, cs.N, 1.0, 1.0, mass=100.0)
        assert np.sign(shift[0]) == sign and np.sign(sm) == -1


def test_strip_position_csi():
    cs = get_nucleus("Cs133")
    u = med.get_model("universal")
    strip = med.strip_g_over_m(weak_amplitude(cs, "nu_mu", scheme="radiative"), u, "nu_mu", cs.Z, cs.N) * c.GeV
    assert strip == pytest.approx(1.77e-3, rel=0.01)
    approx = np.sqrt(cs.N / cs.A * np.sqrt(2) * c.G_F / 3) * c.GeV   # estimate with 𝒬_SM ≈ −N/2, 1.8e-3 (chapter 09)
    assert approx == pytest.approx(1.8e-3, rel=0.03)
    assert np.isnan(med.strip_g_over_m(-38.0, med.get_model("B-L"), "nu_mu", cs.Z, cs.N))


def test_scalar_charge():
    cs = get_nucleus("Cs133")
    assert med.scalar_charge(cs.Z, cs.N) == pytest.approx(15.1 * 55 + 14 * 78)
    assert med.scalar_propagator_squared(10.0, 0.0) == pytest.approx(1e-4)


def test_g2_limits():
    light = med.delta_a_mu_vector(1.0, 1e-3)
    assert light == pytest.approx(1 / (8 * np.pi**2), rel=1e-4)
    M = 1e5
    assert med.delta_a_mu_vector(1.0, M) == pytest.approx(c.m_mu**2 / (12 * np.pi**2 * M**2), rel=1e-3)
    assert med.delta_a_mu_scalar(1.0, 1e-3) == pytest.approx(3 / (16 * np.pi**2), rel=1e-4)
    assert med.delta_a_mu_vector(2.0, 10.0, charge=3.0) == pytest.approx(36 * med.delta_a_mu_vector(1.0, 10.0))


def test_g2_band():
    lo, hi = med.g2_band(np.array([10.0, 100.0]), med.get_model("L_mu-L_tau"))
    assert np.all(lo < hi)
    da_lo = med.delta_a_mu_vector(lo, np.array([10.0, 100.0]))
    assert np.allclose(da_lo, 251e-11 - 2 * 59e-11, rtol=1e-10)
    lo3, hi3 = med.g2_band(np.array([10.0]), med.get_model("B-3L_mu"))
    lo1, _ = med.g2_band(np.array([10.0]), med.get_model("B-L"))
    assert lo3[0] == pytest.approx(lo1[0] / 3)
    nan_lo, nan_hi = med.g2_band(np.array([10.0]), med.get_model("B-3L_e"))
    assert np.isnan(nan_lo[0]) and np.isnan(nan_hi[0])
    slo, shi = med.g2_band(np.array([10.0]), None)
    assert slo[0] > 0 and shi[0] > slo[0]


@pytest.mark.parametrize("M_GeV", [0.001, 0.1, 1.0, 10.0, 30.0])
def test_g2_integrals_against_adaptive_quadrature(M_GeV):
    """Δa_μ quadrature (log panels at both ends of z) against scipy.quad, light to heavy mediators;
    at M ≫ m_μ the integrand peaks at z ≈ m_μ²/M²."""
    import numpy as np
    from scipy.integrate import quad

    from cevns_lib.physics import constants as c
    from cevns_lib.physics import mediators as m

    M, mm = M_GeV * c.GeV, c.m_mu
    pts = [min(0.5, (mm / M) ** 2)]
    scalar = quad(lambda z: (1 - z) ** 2 * (1 + z) / ((1 - z) ** 2 + z * M**2 / mm**2), 0, 1,
                  epsabs=0, epsrel=1e-12, limit=500, points=pts)[0] / (8 * np.pi**2)
    vector = quad(lambda z: mm**2 * z * (1 - z) ** 2 / (mm**2 * (1 - z) ** 2 + M**2 * z), 0, 1,
                  epsabs=0, epsrel=1e-12, limit=500, points=pts)[0] / (4 * np.pi**2)
    assert m.delta_a_mu_scalar(1.0, M) == pytest.approx(scalar, rel=1e-8)
    assert m.delta_a_mu_vector(1.0, M) == pytest.approx(vector, rel=1e-8)
    if M_GeV >= 10:  # asymptotic forms, corrections O((m_μ/M)² ln(M²/m_μ²))
        scalar = (mm / M) ** 2 * (np.log(M**2 / mm**2) - 7 / 6) / (8 * np.pi**2)
        assert m.delta_a_mu_scalar(1.0, M) == pytest.approx(scalar, rel=3e-3)
        assert m.delta_a_mu_vector(1.0, M) == pytest.approx(mm**2 / (12 * np.pi**2 * M**2), rel=3e-3)
