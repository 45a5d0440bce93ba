"""Tests of the interactive explorers: the pure functions (known values, limits, convergence, bad
input) and the widget callbacks driven at the kernel level (no browser)."""

import numpy as np
import pytest

from cevns_lib.physics import constants as c
from cevns_lib.book import explorers as ex
from cevns_lib.experiments.projections import get_experiment
from cevns_lib.physics.interactions import weak_amplitude
from cevns_lib.physics.sources import FLAVOURS
from cevns_lib.analysis.stats import DCHI2_90CL_1DOF, allowed_intervals



def sm_total(name):
    exp = get_experiment(name)
    amps = {fl: float(weak_amplitude(exp.nucleus, fl)) for fl in FLAVOURS}
    return exp.folded_counts("helm").total(amps)


# --- spectrum_and_count -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["PIP2-BD", "CENNS-750", "CENNS-10", "CCM"])
def test_count_matches_folded_counts(name):
    _, _, total = ex.spectrum_and_count(name)
    assert total == pytest.approx(sm_total(name), rel=1e-4)


def test_validated_pip2bd_numbers():
    # independent numpy check (not published): 8.99e6 per year above 9 keVnr; MM/SM = 0.0910 at μ = 1e-9 μ_B
    _, _, n_sm = ex.spectrum_and_count("PIP2-BD")
    assert n_sm == pytest.approx(8.99e6, rel=2e-3)
    _, _, n_mm = ex.spectrum_and_count("PIP2-BD", mu_nu=10.0)
    assert n_mm / n_sm - 1 == pytest.approx(0.0910, rel=3e-3)


def test_differential_rate_against_spec_table():
    # independent numpy check (not published): PIP2-BD dN/dT (events/keVnr/yr), no efficiency, Helm
    T, dNdT, _ = ex.spectrum_and_count("PIP2-BD")
    total = sum(dNdT.values())
    for t, ref in [(5, 4.18e5), (10, 3.54e5), (20, 2.50e5), (40, 1.05e5), (80, 1.81e4), (120, 1.70e3)]:
        assert np.interp(t, T, total) == pytest.approx(ref, rel=0.01)
    assert T[0] >= ex.SPECTRUM_T_MIN_KEV and T[-1] < 150.0
    assert np.all(np.diff(T) > 0)


def test_convergence_vs_refined_grid():
    _, _, base = ex.spectrum_and_count("CENNS-750", mu_nu=10.0, eps_u=0.1)
    _, _, fine = ex.spectrum_and_count("CENNS-750", mu_nu=10.0, eps_u=0.1, panels_per_decade=24, order=16)
    assert abs(base / fine - 1) <= 1e-4
    # the differential rate is evaluated at the nodes, so it agrees point by point
    Tb, db_, _ = ex.spectrum_and_count("CENNS-750")
    Tf, df, _ = ex.spectrum_and_count("CENNS-750", panels_per_decade=24, order=16)
    mask = (Tb > 2) & (Tb < 140)
    assert np.allclose(np.interp(Tb[mask], Tf, sum(df.values())), sum(db_.values())[mask], rtol=2e-3)


def test_sin2w_scales_as_amplitude_squared():
    _, _, n0 = ex.spectrum_and_count("CCM")
    _, _, n1 = ex.spectrum_and_count("CCM", sin2w=0.25)
    assert n1 / n0 == pytest.approx(((-2 - 36 * 0.25) / (-2 - 36 * c.sin2_theta_w_low_q)) ** 2, rel=1e-10)


def test_nsi_changes_only_nu_e():
    _, d0, _ = ex.spectrum_and_count("PIP2-BD")
    _, d1, _ = ex.spectrum_and_count("PIP2-BD", eps_u=0.1)
    assert np.allclose(d1["nu_mu"], d0["nu_mu"]) and np.allclose(d1["nubar_mu"], d0["nubar_mu"])
    assert not np.allclose(d1["nu_e"], d0["nu_e"])
    # the degenerate point 𝒜_e = −𝒜_SM restores the SM count (ε^u = 2|𝒜|/58: 𝒜_e = 𝒜_SM + 58ε^u + 62ε^d for ⁴⁰Ar,
    # Barranco, Miranda, Rashba, hep-ph/0508299)
    eps_deg = 2 * (2 + 36 * c.sin2_theta_w_low_q) / 58
    _, d2, _ = ex.spectrum_and_count("PIP2-BD", eps_u=eps_deg)
    assert np.allclose(d2["nu_e"], d0["nu_e"], rtol=1e-10)


def test_magnetic_moment_grows_at_low_recoil():
    T, d0, _ = ex.spectrum_and_count("PIP2-BD")
    _, d1, _ = ex.spectrum_and_count("PIP2-BD", mu_nu=30.0)
    excess = sum(d1.values()) / sum(d0.values()) - 1
    assert np.all(excess > 0) and excess[0] > 10 * excess[np.searchsorted(T, 50.0)]


def test_spectrum_bad_input():
    with pytest.raises(ValueError, match="unknown experiment"):
        ex.spectrum_and_count("XENON")
    with pytest.raises(ValueError, match="mu_nu"):
        ex.spectrum_and_count("PIP2-BD", mu_nu=-1.0)
    with pytest.raises(ValueError, match="sin2w"):
        ex.spectrum_and_count("PIP2-BD", sin2w=1.5)
    with pytest.raises(ValueError, match="kernels are for"):
        ex.spectrum_and_count("CCM", kernels=ex.spectrum_kernels("PIP2-BD"))


# --- delta_chi2_curve ----------------------------------------------------------------------------------

def test_sin2w_curve_reproduces_spec_model():
    # total-count model, PIP2-BD, 5% (independent numpy check): [0.22718, 0.25146]; published [0.2272, 0.2515]
    x, d = ex.delta_chi2_curve("PIP2-BD", "sin2w", 0.05, x=np.arange(0.20, 0.28, 1e-5))
    (lo, hi), = allowed_intervals(x, d)
    assert lo == pytest.approx(0.22718, abs=2e-5) and hi == pytest.approx(0.25146, abs=2e-5)
    assert d.min() == pytest.approx(0.0, abs=1e-6)
    assert x[np.argmin(d)] == pytest.approx(c.sin2_theta_w_low_q, abs=1e-5)


def test_mu_nu_limit_and_monotonic():
    x, d = ex.delta_chi2_curve("PIP2-BD", "mu_nu", 0.05, x=np.linspace(0, 30, 30001))
    assert d[0] == 0.0 and np.all(np.diff(d) >= 0)
    assert x[d <= DCHI2_90CL_1DOF].max() == pytest.approx(9.93, rel=0.005)  # published (arXiv:2510.14015 as relayed)


@pytest.mark.parametrize("obs, centre", [("eps_u", 0.3651), ("eps_d", 0.3416), ("charge_radius", -12.53)])
def test_two_minima(obs, centre):
    x, d = ex.delta_chi2_curve("PIP2-BD", obs, 0.05)
    iv = allowed_intervals(x, d)
    assert len(iv) == 2
    assert iv[0][0] < 0 < iv[0][1] or iv[1][0] < 0 < iv[1][1]
    other = [v for v in iv if not v[0] < 0 < v[1]][0]
    assert 0.5 * (other[0] + other[1]) == pytest.approx(centre, abs=0.02 * abs(centre))


def test_larger_systematic_widens():
    x, d5 = ex.delta_chi2_curve("CENNS-750", "sin2w", 0.05)
    _, d10 = ex.delta_chi2_curve("CENNS-750", "sin2w", 0.10)
    _, d0 = ex.delta_chi2_curve("CENNS-750", "sin2w", 0.0)
    assert np.all(d10 <= d5 + 1e-12) and np.all(d5 <= d0 + 1e-12)
    w = [np.ptp(allowed_intervals(x, d)[0]) for d in (d0, d5, d10)]
    assert w[0] < w[1] < w[2]


def test_chi2_bad_input():
    with pytest.raises(ValueError, match="observable"):
        ex.delta_chi2_curve("PIP2-BD", "theta13", 0.05)
    with pytest.raises(ValueError, match="sigma"):
        ex.delta_chi2_curve("PIP2-BD", "sin2w", -0.05)
    with pytest.raises(ValueError, match="unknown experiment"):
        ex.delta_chi2_curve("LAr-X", "sin2w", 0.05)
    with pytest.raises(ValueError, match="1-D"):
        ex.delta_chi2_curve("PIP2-BD", "sin2w", 0.05, x=[0.23])


# --- widgets, driven at the kernel level -------------------------------------------------------------

def test_spectrum_explorer_callbacks():
    w = ex.make_spectrum_explorer("PIP2-BD")
    png0, total0 = w.plot.value, w.data[2]
    assert png0[:8] == b"\x89PNG\r\n\x1a\n" and "events above" in w.summary.value
    assert total0 == pytest.approx(sm_total("PIP2-BD"), rel=1e-4)
    w.sin2w_slider.value = 0.25          # the observer calls on_change → update
    assert w.data[2] > total0 and w.plot.value != png0
    w.mu_slider.value = 20.0
    assert w.data[2] > ex.spectrum_and_count("PIP2-BD", sin2w=0.25)[2]
    w.experiment_choice.value = "CENNS-10"
    assert w.data[2] < 1e4 and "CENNS-10" in w.summary.value


def test_chi2_explorer_callbacks():
    w = ex.make_chi2_explorer("PIP2-BD", "sin2w", 5.0)
    x0, d0 = w.data
    png0 = w.plot.value
    assert "0.2272" in w.summary.value and "0.2515" in w.summary.value
    w.sigma_slider.value = 10.0
    assert np.all(w.data[1] <= d0 + 1e-12) and w.plot.value != png0
    w.observable_choice.value = "mu_nu"
    assert w.data[0][-1] == pytest.approx(30.0) and "μ_ν <" in w.summary.value
    w.experiment_choice.value = "CENNS-750"
    assert "CENNS-750" in w.summary.value


def test_explorer_bad_input():
    with pytest.raises(ValueError, match="unknown experiment"):
        ex.make_spectrum_explorer("nope")
    with pytest.raises(ValueError, match="observable"):
        ex.make_chi2_explorer("PIP2-BD", "nope")
