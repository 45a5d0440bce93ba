"""Property-based tests (hypothesis) of the physics invariants."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cevns_lib.physics import form_factors as ff
from cevns_lib.physics import interactions as it
from cevns_lib.physics import sources
from cevns_lib.physics.nuclei import get_nucleus

AR = get_nucleus("Ar40")
energies = st.floats(min_value=1.0, max_value=52.8)               # π-DAR neutrino energies, MeV
fractions = st.floats(min_value=1e-3, max_value=0.999)
radii = st.floats(min_value=0.5, max_value=8.0)
momenta = st.floats(min_value=0.0, max_value=300.0)
SETTINGS = settings(max_examples=60, deadline=None)


def _helm(q):
    return ff.helm(q, 3.8)


@SETTINGS
@given(E=energies, x=fractions)
def test_cross_section_positive_below_and_zero_above_the_kinematic_limit(E, x):
    tmax = float(it.t_max(E, AR.mass))
    below = it.dsigma_dT_sm(E, x * tmax, AR, 1.0, _helm)
    above = it.dsigma_dT_sm(E, tmax * (1.0 + x), AR, 1.0, _helm)
    assert below > 0 and above == 0.0
    assert it.momentum_transfer(tmax, AR.mass) <= 2 * E * (1 + 1e-12)   # |q| ≤ 2E


@SETTINGS
@given(E=energies, a=fractions, b=fractions)
def test_events_above_threshold_decrease_with_threshold(E, a, b):
    tmax = float(it.t_max(E, AR.mass))
    lo, hi = sorted((a, b))
    grid = lambda t0: np.linspace(t0, tmax, 400)  # noqa: E731

    def above(t0):
        T = grid(t0)
        return np.trapezoid(it.dsigma_dT_sm(E, T, AR, 1.0, _helm), T)

    # the two quadratures are on different grids: thresholds 1 ulp apart may differ by rounding
    assert above(lo * tmax) >= above(hi * tmax) * (1.0 - 1e-12) and above(hi * tmax) >= 0


@SETTINGS
@given(pot=st.floats(min_value=1e18, max_value=1e24), k=st.floats(min_value=1.0, max_value=10.0),
       L=st.floats(min_value=5.0, max_value=50.0))
def test_fluence_grows_with_exposure(pot, k, L):
    f1 = sources.fluence_from_pot(0.08, pot, L)
    f2 = sources.fluence_from_pot(0.08, k * pot, L)
    assert 0 < f1 <= f2 and np.isclose(f2, k * f1, rtol=1e-12)


def test_delayed_flavour_spectra_are_normalised():
    from cevns_lib.physics import constants as c

    E = np.linspace(0.0, c.E_nu_max_delayed, 20001)
    delayed = [np.trapezoid(s(E), E) for s in (sources.nu_e_spectrum, sources.nubar_mu_spectrum)]
    assert np.allclose(delayed, 1.0, rtol=1e-6)
    means = [sources.mean_energy_squared(f) for f in sources.FLAVOURS]
    assert all(m > 0 for m in means)


@SETTINGS
@given(q=momenta, R=radii)
def test_form_factors_bounded_by_one_and_one_at_zero(q, R):
    for F in (lambda q: ff.helm(q, R), lambda q: ff.klein_nystrand(q, R), lambda q: ff.symmetrized_fermi(q, R)):
        assert abs(float(F(q))) <= 1.0 + 1e-12
        assert float(F(0.0)) == 1.0 or abs(float(F(0.0)) - 1.0) < 1e-12


@SETTINGS
@given(s=st.floats(min_value=0.01, max_value=0.99), E=energies, x=fractions)
def test_flavour_sum_of_amplitudes(s, E, x):
    """Tree level: ν_μ, ν_e and ν̄_μ share the vector couplings, so σ_sum = 3 σ_νμ."""
    tmax = float(it.t_max(E, AR.mass))
    amps = [it.weak_amplitude(AR, f, sin2w=s) for f in sources.FLAVOURS]
    total = sum(it.dsigma_dT_sm(E, x * tmax, AR, a, _helm) for a in amps)
    assert np.isclose(total, 3 * it.dsigma_dT_sm(E, x * tmax, AR, amps[0], _helm), rtol=1e-12)
