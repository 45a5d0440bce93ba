"""Core form factors: normalisation, Lewin–Smith radius, small-q slope, closed forms."""

import numpy as np
import pytest

from cevns_lib.physics import constants as c
from cevns_lib.physics import form_factors as ff
from cevns_lib.physics.nuclei import NUCLEI, get_nucleus


def test_lewin_smith_radius_argon():
    R0 = ff.helm_lewin_smith_R0_fm(40)
    assert R0 == pytest.approx(3.897, abs=1e-3)
    assert ff.helm_rms_fm(R0) == pytest.approx(3.397, abs=1e-3)


@pytest.mark.parametrize("name", ["helm", "helm_coherent", "klein_nystrand"])
@pytest.mark.parametrize("nucleus", list(NUCLEI))
def test_normalised_at_zero_and_bounded(name, nucleus):
    F = ff.get_form_factor(name, get_nucleus(nucleus))
    q = np.linspace(0.0, 120.0, 1201)
    vals = F(q)
    assert vals[0] == pytest.approx(1.0, abs=1e-12)
    assert np.all(np.abs(vals) <= 1.0 + 1e-12)


def test_helm_small_q_slope_gives_rms_radius():
    R0 = 3.9
    q = 0.5  # MeV, qR ≪ 1
    F = ff.helm(q, R0)
    r2 = (1.0 - F) * 6.0 / (q * c.fm) ** 2
    assert np.sqrt(r2) == pytest.approx(ff.helm_rms_fm(R0), rel=1e-4)


def test_symmetrized_fermi_matches_numerical_fourier_transform():
    cc, a = 3.6, 0.52
    r = np.linspace(0.0, 20.0, 40001)
    rho = np.sinh(cc / a) / (np.cosh(r / a) + np.cosh(cc / a))
    for q_fm in (0.1, 0.3, 0.6):
        kr = q_fm * r
        j0 = np.where(kr > 0, np.sin(kr) / np.where(kr > 0, kr, 1), 1.0)
        expected = np.trapezoid(rho * j0 * r**2, r) / np.trapezoid(rho * r**2, r)
        assert ff.symmetrized_fermi(q_fm / c.fm, cc, a) == pytest.approx(expected, abs=1e-6)


def test_helm_R0_from_rms_inverts():
    assert ff.helm_rms_fm(ff.helm_R0_from_rms_fm(3.45)) == pytest.approx(3.45)
    with pytest.raises(ValueError):
        ff.helm_R0_from_rms_fm(1.0)


def test_negative_q_and_unknown_model_raise():
    with pytest.raises(ValueError, match="q"):
        ff.helm(-1.0, 3.9)
    with pytest.raises(ValueError, match="unknown form-factor model"):
        ff.get_form_factor("nope", get_nucleus("Ar40"))
