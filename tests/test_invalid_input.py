"""Errors, not numbers: non-finite or unphysical input raises ValueError (issue 'A fresh machine anywhere')."""

import numpy as np
import pytest

from cevns_lib.analysis import profiling
from cevns_lib.physics import form_factors as ff
from cevns_lib.physics import interactions as it
from cevns_lib.physics import mediators as med
from cevns_lib.physics import sources
from cevns_lib.physics.nuclei import get_nucleus

AR = get_nucleus("Ar40")


def test_poisson_likelihoods_refuse_non_finite_predictions():
    data = np.array([3.0, 0.0, 5.0])
    with pytest.raises(ValueError, match="non-finite"):
        profiling.poisson_chi2(data, np.full(3, np.nan))          # was a finite χ² (7995 for all-NaN)
    with pytest.raises(ValueError, match="non-finite"):
        profiling.poisson_chi2(data, np.array([1.0, np.inf, 2.0]))
    M = np.array([[1.0, np.nan, 2.0], [0.5, 0.5, 0.5]])
    with pytest.raises(ValueError, match="non-finite"):
        profiling.poisson_profile(data, M, [0.1, 0.2])


@pytest.mark.parametrize("E", [np.nan, np.inf, -1.0, 0.0])
def test_cross_section_refuses_bad_neutrino_energy(E):
    F = lambda q: ff.helm(q, 3.8)  # noqa: E731
    with pytest.raises(ValueError, match="neutrino energy"):
        it.dsigma_dT_sm(E, 0.01, AR, 1.0, F)


def test_spectra_coupling_masses_and_radii_refuse_bad_input():
    for spectrum in (sources.nu_e_spectrum, sources.nubar_mu_spectrum):
        with pytest.raises(ValueError, match="finite"):
            spectrum(np.nan)
    with pytest.raises(ValueError, match="sin2w"):
        it.vector_couplings("nu_e", sin2w=np.nan)
    with pytest.raises(ValueError, match="mediator mass"):
        med.propagator(10.0, mass=-1.0)
    with pytest.raises(ValueError, match="mediator mass"):
        med.scalar_propagator_squared(10.0, mass=np.nan)
    with pytest.raises(ValueError, match="R_A_fm"):
        ff.klein_nystrand(10.0, R_A_fm=0.0)                      # was 0.969
    with pytest.raises(ValueError, match="R0_fm"):
        ff.helm(10.0, -3.0)
    with pytest.raises(ValueError, match="c_fm"):
        ff.symmetrized_fermi(10.0, np.inf)
