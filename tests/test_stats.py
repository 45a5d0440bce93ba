"""Statistics: analytic pull profile vs numerical minimisation, intervals, limits."""

import numpy as np
import pytest
from scipy import optimize

from cevns_lib.analysis import stats


@pytest.mark.parametrize("n_model", [50.0, 95.0, 100.0, 130.0, 9e6 * 1.07])
@pytest.mark.parametrize("sigma", [0.05, 0.10, 0.3])
def test_analytic_pull_profile_equals_numerical_minimisation(n_model, sigma):
    n_obs = 100.0 if n_model < 1e3 else 9e6
    numeric = optimize.minimize_scalar(lambda eta: stats.chi2_with_pull(n_model, n_obs, sigma, eta),
                                       bounds=(-5, 5), method="bounded", options={"xatol": 1e-12})
    assert stats.chi2_normalisation_pull(n_model, n_obs, sigma) == pytest.approx(numeric.fun, rel=1e-7, abs=1e-10)
    assert stats.profiled_pull(n_model, n_obs, sigma) == pytest.approx(numeric.x, abs=1e-6)


def test_systematics_limited_asymptotics():
    """For N_SM ≫ 1/σ² the 90% CL boundary sits at x = ±δ/(1∓δ), δ = 1.645σ (χ² → [x/(1+x)]²/σ²)."""
    n_obs, sigma = 1e12, 0.05
    delta = np.sqrt(stats.DCHI2_90CL_1DOF) * sigma
    for x in (delta / (1 - delta), -delta / (1 + delta)):
        assert stats.chi2_normalisation_pull(n_obs * (1 + x), n_obs, sigma) == pytest.approx(stats.DCHI2_90CL_1DOF, rel=1e-6)


def test_levels():
    assert stats.DCHI2_90CL_1DOF == pytest.approx(2.7055, abs=1e-4)
    assert stats.DCHI2_90CL_2DOF == pytest.approx(4.6052, abs=1e-4)
    assert stats.delta_chi2_level(0.95, 1) == pytest.approx(3.8415, abs=1e-4)
    with pytest.raises(ValueError):
        stats.delta_chi2_level(1.5)


def test_allowed_intervals_union_and_grid_convention():
    x = np.linspace(-1, 1, 2001)
    d = 100 * (x**2 - 0.25) ** 2
    iv = stats.allowed_intervals(x, d, level=1.0)
    assert len(iv) == 2
    assert iv[0][0] == pytest.approx(-np.sqrt(0.35), abs=1e-5) and iv[1][1] == pytest.approx(np.sqrt(0.35), abs=1e-5)
    grid = stats.allowed_intervals(x, d, level=1.0, interpolate=False)
    assert all(g[0] >= i[0] - 1e-12 and g[1] <= i[1] + 1e-12 for g, i in zip(grid, iv))
    assert stats.allowed_intervals(x, d + 10, level=1.0) == []


def test_allowed_intervals_bad_input():
    with pytest.raises(ValueError, match="increasing"):
        stats.allowed_intervals(np.array([1.0, 0.0]), np.array([0.0, 0.0]))


def test_upper_limit_root_find():
    lim = stats.upper_limit(lambda m: m**2, level=4.0, upper=0.1)
    assert lim == pytest.approx(2.0, rel=1e-10)
    with pytest.raises(ValueError):
        stats.upper_limit(lambda m: 0.0 * m, level=1.0, max_doublings=5)


def test_negative_sigma_raises():
    with pytest.raises(ValueError, match="sigma"):
        stats.chi2_normalisation_pull(1.0, 1.0, -0.05)


def test_format_intervals():
    assert stats.format_intervals([[-0.024, 0.022]], "{:.3f}") == "[−0.024, 0.022]"


def test_nan_scan_and_zero_sigma_unprofiled_raise():
    with pytest.raises(ValueError, match="NaN"):
        stats.allowed_intervals(np.array([0.0, 1.0, 2.0]), np.array([0.0, np.nan, 3.0]))
    with pytest.raises(ValueError, match="sigma"):
        stats.chi2_with_pull(1.0, 1.0, 0.0, 0.1)
