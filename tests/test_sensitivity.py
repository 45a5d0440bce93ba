"""Unit tests for cevns_lib.analysis.sensitivity (total-count sensitivities of Carey & Pandey 2025)."""

import numpy as np
import pytest

from cevns_lib.physics import constants as c
from cevns_lib.experiments.projections import PROJECTIONS
from cevns_lib.physics.interactions import weak_amplitude
from cevns_lib.book.published import load_published
from cevns_lib.analysis.sensitivity import (CountModel, asymptotic_fractional_bounds, charge_radius_degenerate_point,
                                   configure_experiment, kappa_from_mirror, mean_momentum_transfer,
                                   nsi_degenerate_point, outermost, region_contains, resolve_kappa,
                                   running_sin2w_approx, sin2w_interval_asymptotic)
from cevns_lib.analysis.stats import DCHI2_90CL_1DOF

R2_GRID = np.round(np.arange(-15, 5.0001, 0.02), 4)
EPS_GRID = np.round(np.arange(-0.2, 0.6 + 1e-9, 0.002), 4)


@pytest.fixture(scope="module")
def pip2():
    return CountModel.from_experiment(configure_experiment("PIP2-BD"))


@pytest.fixture(scope="module")
def models():
    return {name: CountModel.from_experiment(configure_experiment(name)) for name in PROJECTIONS}


def _published(chapter, key, experiment="PIP2-BD"):
    hits = [p for p in load_published() if p.chapter == chapter and p.key == key
            and p.parameters.get("experiment") == experiment]
    assert len(hits) == 1
    return hits[0]


# --- invariants ------------------------------------------------------------------------------

@pytest.mark.parametrize("ff", ["helm", "helm_coherent", "klein_nystrand"])
def test_sin2w_ratio_is_amplitude_ratio_independent_of_form_factor(ff):
    m = CountModel.from_experiment(configure_experiment("CENNS-750"), ff)
    s = np.linspace(0.20, 0.28, 9)
    a0 = weak_amplitude(m.nucleus, "nu_e", m.sin2w_ref)
    expected = (weak_amplitude(m.nucleus, "nu_e", s) / a0) ** 2
    np.testing.assert_allclose(m.counts_sin2w(s) / m.n_sm, expected, rtol=1e-12)


def test_charge_radius_ratio_is_amplitude_ratio(pip2):
    r = np.linspace(-15, 5, 11)
    kappa = resolve_kappa("paper_calibrated")
    a0 = weak_amplitude(pip2.nucleus, "nu_mu", pip2.sin2w_ref)
    expected = ((a0 - pip2.nucleus.Z * kappa * r) / a0) ** 2
    np.testing.assert_allclose(pip2.counts_charge_radius(r) / pip2.n_sm, expected, rtol=1e-12)


def test_nsi_counts_follow_nu_e_fraction(pip2):
    eu, ed = 0.05, -0.03
    a0 = float(weak_amplitude(pip2.nucleus, "nu_e", pip2.sin2w_ref))
    fe = pip2.nu_e_fraction
    expected = 1 - fe + fe * ((a0 + 58 * eu + 62 * ed) / a0) ** 2
    assert pip2.counts_nsi(eu, ed) / pip2.n_sm == pytest.approx(expected, rel=1e-12)
    assert fe == pytest.approx(0.318, abs=1e-3)


def test_dchi2_zero_at_sm(pip2):
    assert pip2.dchi2(pip2.counts_sin2w(pip2.sin2w_ref), 0.05) == pytest.approx(0.0, abs=1e-20)
    assert pip2.dchi2(pip2.counts_nsi(0.0, 0.0), 0.10) == pytest.approx(0.0, abs=1e-20)
    assert pip2.dchi2(pip2.counts_mu_nu(0.0), 0.05) == pytest.approx(0.0, abs=1e-20)
    assert pip2.dchi2(pip2.counts_charge_radius(0.0), 0.05) == pytest.approx(0.0, abs=1e-20)


# --- analytic limits -------------------------------------------------------------------------

def test_asymptotic_bounds_values():
    lo, hi = asymptotic_fractional_bounds(0.05)
    assert lo == pytest.approx(-0.07600, abs=1e-5)
    assert hi == pytest.approx(+0.08962, abs=1e-5)
    d = np.sqrt(DCHI2_90CL_1DOF) * 0.10
    assert asymptotic_fractional_bounds(0.10) == pytest.approx((-d / (1 + d), d / (1 - d)), rel=1e-12)


@pytest.mark.parametrize("sigma", [0.05, 0.10])
def test_large_n_interval_approaches_asymptotic(pip2, sigma):
    iv = pip2.sin2w_interval(sigma, np.arange(0.15, 0.35, 1e-6))
    asym = sin2w_interval_asymptotic(pip2.nucleus, sigma, pip2.sin2w_ref)
    assert iv == pytest.approx(asym, abs=2e-5)


def test_count_bounds_at_interval_edges(pip2):
    """At the interval end points N/N_SM − 1 equals the asymptotic x± (N_SM ~ 9e6)."""
    lo, hi = pip2.sin2w_interval(0.05, np.arange(0.15, 0.35, 1e-6))
    xm, xp = asymptotic_fractional_bounds(0.05)
    assert pip2.counts_sin2w(lo) / pip2.n_sm - 1 == pytest.approx(xm, abs=2e-4)
    assert pip2.counts_sin2w(hi) / pip2.n_sm - 1 == pytest.approx(xp, abs=2e-4)


def test_nsi_mirror_centres(pip2):
    assert nsi_degenerate_point(pip2.nucleus, "u") == pytest.approx(0.3651, abs=1e-4)
    assert nsi_degenerate_point(pip2.nucleus, "d") == pytest.approx(0.3416, abs=1e-4)
    for q in "ud":
        e = nsi_degenerate_point(pip2.nucleus, q)
        assert pip2.counts_nsi(**{f"eps_{q}": e}) == pytest.approx(pip2.n_sm, rel=1e-12)
        central, mirror = outermost(pip2.nsi_intervals(0.05, np.linspace(-0.2, 0.6, 80001), q))
        # the mirror is the central interval reflected about ε_deg/2 (exact, ν_e only)
        assert mirror[0] + central[1] == pytest.approx(e, abs=2e-5)
        assert mirror[1] + central[0] == pytest.approx(e, abs=2e-5)


def test_charge_radius_mirror_and_kappa(pip2):
    for conv in ("giunti", "paper_calibrated", "sin2w_shift"):
        r = charge_radius_degenerate_point(pip2.nucleus, conv)
        assert pip2.counts_charge_radius(r, conv) == pytest.approx(pip2.n_sm, rel=1e-12)
    assert charge_radius_degenerate_point(pip2.nucleus, "giunti") == pytest.approx(-49.44, abs=0.05)
    assert charge_radius_degenerate_point(pip2.nucleus, "paper_calibrated") == pytest.approx(-12.52, abs=0.01)
    pub = _published("06_em_properties", "charge_radius_intervals_sys5").value
    assert kappa_from_mirror(pip2.nucleus, pub[1], pub[0]) == pytest.approx(0.0940, abs=1e-4)


def test_mu_limit_matches_systematics_only_formula(pip2):
    xp = asymptotic_fractional_bounds(0.05)[1]
    ratio = float(pip2.magnetic_to_sm_ratio(1e-9))
    assert pip2.mu_nu_limit(0.05) == pytest.approx(1e-9 * np.sqrt(xp / ratio), rel=1e-3)
    assert ratio == pytest.approx(0.0910, abs=2e-4)


def test_mu_limit_monotone_in_threshold():
    lims = [CountModel.from_experiment(configure_experiment("PIP2-BD", th)).mu_nu_limit(0.05)
            for th in (3.0, 6.0, 9.0, 12.0, 15.0, 20.0, 30.0)]
    assert np.all(np.diff(lims) > 0)


def test_mu_limit_grows_with_systematic(models):
    for m in models.values():
        assert m.mu_nu_limit(0.10) > m.mu_nu_limit(0.05) > m.mu_nu_limit(0.0)


def test_nsi_plane_constant_along_bands(pip2):
    gu = np.linspace(-0.3, 0.7, 11)
    gd = np.linspace(-0.3, 0.7, 13)
    d2 = pip2.nsi_plane(0.05, gu, gd)
    assert d2.shape == (gd.size, gu.size)
    u = np.array([0.1, -0.2, 0.4])
    d = (5.0 - 58 * u) / 62  # 58 ε^u + 62 ε^d = 5 along the line
    vals = pip2.dchi2(pip2.counts_nsi(u, d), 0.05)
    np.testing.assert_allclose(vals, vals[0], rtol=1e-10)


def test_region_contains_and_outermost():
    assert region_contains([[-1, 1], [5, 7]], [[-0.5, 0.5], [5.5, 6]])
    assert not region_contains([[-1, 1]], [[-0.5, 1.5]])
    assert outermost([[-12.8, -12.3], [-0.2, 0.3]]) == ([-0.2, 0.3], [-12.8, -12.3])
    assert outermost([[0.1, 0.2]]) == ([0.1, 0.2], None)


def test_running_curve_anchors():
    assert running_sin2w_approx(0.0) == pytest.approx(c.sin2_theta_w_low_q)
    assert running_sin2w_approx(91.1876) == pytest.approx(0.23122, abs=1e-9)
    q = np.logspace(-3, 2, 50)
    assert np.all(np.diff(running_sin2w_approx(q)) <= 0)


def test_mean_momentum_transfer_range():
    q = mean_momentum_transfer(configure_experiment("PIP2-BD"))
    assert 30.0 < q < 70.0  # MeV, between threshold (25.9 MeV at 9 keVnr) and q_max (105 MeV)


# --- convergence of the folded integrals -----------------------------------------------------

@pytest.mark.parametrize("name", PROJECTIONS)
def test_folded_counts_converged(name):
    exp = configure_experiment(name)
    base = CountModel.from_experiment(exp)
    fine = CountModel.from_experiment(exp, panels_per_decade=8, order=16)
    assert base.n_sm / fine.n_sm - 1 == pytest.approx(0.0, abs=1e-4)
    assert base.magnetic_to_sm_ratio(1e-9) / fine.magnetic_to_sm_ratio(1e-9) - 1 == pytest.approx(0.0, abs=1e-4)
    assert base.nu_e_fraction / fine.nu_e_fraction - 1 == pytest.approx(0.0, abs=1e-4)


# --- the published 5% numbers at library level (tolerances from published_numbers.toml) -------

def _check(pub, computed):
    ok, dev = pub.compare(computed)
    assert ok, f"{pub.id}: computed {computed}, published {pub.value}, deviation {dev}"


@pytest.mark.parametrize("name", ["PIP2-BD", "CENNS-750"])
def test_published_sin2w_and_mu(name):
    m = CountModel.from_experiment(configure_experiment(name))
    _check(_published("05_weak_mixing_angle", "sin2w_interval_sys5", name), m.sin2w_interval(0.05))
    _check(_published("06_em_properties", "mu_nu_limit_sys5", name), m.mu_nu_limit(0.05) / 1e-10)


def test_published_charge_radius_and_nsi(pip2):
    _check(_published("06_em_properties", "charge_radius_intervals_sys5"),
           pip2.charge_radius_intervals(0.05, R2_GRID, interpolate=False))
    _check(_published("07_nsi", "eps_u_intervals_sys5"), pip2.nsi_intervals(0.05, EPS_GRID, "u", interpolate=False))
    _check(_published("07_nsi", "eps_d_intervals_sys5"), pip2.nsi_intervals(0.05, EPS_GRID, "d", interpolate=False))
    # exact on the 0.02 grid: the published 5% intervals (arXiv:2510.14015 as relayed; published_numbers.toml)
    assert pip2.charge_radius_intervals(0.05, R2_GRID, interpolate=False) == [[-12.78, -12.28], [-0.24, 0.26]]


# --- bad input -------------------------------------------------------------------------------

def test_bad_input_raises(pip2):
    with pytest.raises(ValueError, match="unknown experiment"):
        configure_experiment("LAr-1")
    with pytest.raises(ValueError, match="threshold_keVnr"):
        configure_experiment("PIP2-BD", -2.0)
    with pytest.raises(ValueError, match="run_time_years"):
        configure_experiment("PIP2-BD", -1.0, 0.0)
    with pytest.raises(ValueError, match="kappa"):
        resolve_kappa("huge")
    with pytest.raises(ValueError, match="kappa"):
        resolve_kappa(-0.1)
    with pytest.raises(ValueError, match="systematic"):
        pip2.dchi2(pip2.n_sm, -0.05)
    with pytest.raises(ValueError, match="quark"):
        pip2.nsi_intervals(0.05, EPS_GRID, "s")
    with pytest.raises(ValueError, match="mu_nu"):
        pip2.counts_mu_nu(-1e-10)
    with pytest.raises(ValueError, match="increasing"):
        pip2.charge_radius_intervals(0.05, R2_GRID[::-1])
    with pytest.raises(ValueError, match="form_factor"):
        CountModel.from_experiment(configure_experiment("PIP2-BD"), "gaussian")
    with pytest.raises(ValueError, match="sin2w_ref"):
        CountModel.from_experiment(configure_experiment("PIP2-BD"), "helm", 1.5)
    with pytest.raises(ValueError, match="Experiment"):
        CountModel.from_experiment("PIP2-BD")
    with pytest.raises(ValueError, match="one interval"):
        pip2.sin2w_interval(0.05, np.linspace(0.23, 0.24, 101))
    with pytest.raises(ValueError):
        asymptotic_fractional_bounds(1.0)


def test_registry_threshold_sentinel():
    assert configure_experiment("PIP2-BD").threshold_keVnr == 9.0
    assert configure_experiment("PIP2-BD", 0.0).threshold_keVnr == 0.0
    assert configure_experiment("CENNS-750", 20.0, 3.0).run_time_s == pytest.approx(3 * c.year_s)
