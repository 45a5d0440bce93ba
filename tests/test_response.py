"""Generic detector response (cevns_lib.experiments.response) and the CENNS-10 Analysis-A response."""

import numpy as np
import pytest

from cevns_lib.physics import constants as c
from cevns_lib.experiments import response as rsp
from cevns_lib.experiments.coherent import ar2020_response as ar
from cevns_lib.experiments.projections import PROJECTIONS, get_experiment

KEV = c.keV


# ---------------------------------------------------------------- generic pieces
def test_linear_quenching_and_inverse():
    T = np.array([0.0, 10.0, 50.0, 150.0]) * KEV
    E = rsp.linear_qf_quenching(T, 0.246, 7.8e-4)
    assert E[1] / KEV == pytest.approx((0.246 + 7.8e-3) * 10.0)
    assert np.allclose(rsp.inverse_linear_qf_quenching(E, 0.246, 7.8e-4), T, rtol=1e-12, atol=1e-15)
    assert np.allclose(rsp.inverse_linear_qf_quenching(E, 0.25, 0.0), E / 0.25)


def test_resolution_value():
    assert rsp.sqrt_resolution(41.5 * KEV, 0.58) / (41.5 * KEV) == pytest.approx(0.58 / np.sqrt(41.5))


def test_gaussian_window_without_efficiency_is_cdf_difference():
    from scipy.stats import norm

    mu, s = np.array([5.0, 20.0]) * KEV, np.array([1.0, 3.0]) * KEV
    got = rsp.gaussian_window(mu, s, 10 * KEV, 20 * KEV)
    want = norm.cdf(20 * KEV, mu, s) - norm.cdf(10 * KEV, mu, s)
    assert np.allclose(got, want, rtol=1e-12)


def test_exact_window_matches_fine_grid():
    eff = rsp.PiecewiseLinearEfficiency(np.array([1.0, 3.0, 6.0, 12.0]) * KEV, np.array([0.0, 0.4, 0.8, 0.9]))
    mu = np.linspace(0.2, 40.0, 57) * KEV
    sig = 0.58 * np.sqrt(mu / KEV) * KEV
    edges = np.arange(0.0, 50.1, 10.0) * KEV
    exact = rsp.bin_response(mu, sig, edges, eff)
    grid = rsp.bin_response_on_grid(mu, sig, edges, eff, points_per_sigma=10, order=6)
    finer = rsp.bin_response_on_grid(mu, sig, edges, eff, points_per_sigma=20, order=12)
    assert np.max(np.abs(exact - finer)) < 1e-10
    assert np.max(np.abs(grid - finer)) < 1e-4   # the fixed grid itself is converged


def test_columns_without_efficiency_are_probabilities():
    mu = np.linspace(0.5, 60.0, 40) * KEV
    sig = 0.58 * np.sqrt(mu / KEV) * KEV
    edges = np.arange(0.0, 121.0, 10.0) * KEV
    R = rsp.bin_response(mu, sig, edges)
    col = R.sum(axis=0)
    assert np.all(R >= 0) and np.all(col <= 1.0 + 1e-12)
    assert np.all(np.abs(col[mu > 10 * KEV] - 1.0) < 1e-6)  # far above 0 and below 120 keVee


def test_efficiency_table_behaviour_and_bad_input():
    eff = rsp.PiecewiseLinearEfficiency([1.0, 2.0], [0.2, 0.6])
    assert eff(0.5) == 0.0 and eff(1.5) == pytest.approx(0.4) and eff(10.0) == pytest.approx(0.6)
    with pytest.raises(ValueError, match="increasing"):
        rsp.PiecewiseLinearEfficiency([2.0, 1.0], [0.1, 0.2])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        rsp.PiecewiseLinearEfficiency([1.0, 2.0], [0.1, 1.2])
    with pytest.raises(ValueError, match="sigma"):
        rsp.gaussian_window(1.0, 0.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="lo < hi"):
        rsp.gaussian_window(1.0, 1.0, 2.0, 1.0)
    with pytest.raises(ValueError, match="edges"):
        rsp.bin_response([1.0], [1.0], [0.0, 0.0])
    with pytest.raises(ValueError, match="non-negative"):
        rsp.linear_qf_quenching(-1.0, 0.25, 0.0)
    with pytest.raises(ValueError, match="resolution"):
        rsp.sqrt_resolution(1.0, -0.5)


def test_density_integrates_to_bin_response():
    resp = rsp.LinearQFResponse(0.246, 7.8e-4, 0.58)
    T = np.array([20.0, 60.0]) * KEV
    E = np.linspace(0.0, 60.0, 60001) * KEV
    D = resp.density_matrix(T, E)
    R = resp.bin_matrix(T, np.array([0.0, 60.0]) * KEV)
    assert np.allclose(np.trapezoid(D, E, axis=0), R[0], rtol=1e-6)


@pytest.mark.parametrize("name", PROJECTIONS)
def test_experiment_response_from_registry(name):
    resp = get_experiment(name).response()
    assert resp.qf_a == 0.246 and resp.qf_b_per_keVnr == 7.8e-4 and resp.resolution_a_sqrt_keV == 0.58


# ---------------------------------------------------------------- CENNS-10 Analysis A
@pytest.mark.needs_data("ar2020_analysisA")
def test_release_and_paper_exposure():
    assert ar.release_exposure() == pytest.approx(
        {"pot": 1.38e23, "baseline_m": 27.5, "mass_kg": 24.4, "nu_per_flavour_per_pot": 0.09})
    assert ar.paper_exposure() == pytest.approx(
        {"pot": 1.37e23, "baseline_m": 27.5, "mass_kg": 24.0, "nu_per_flavour_per_pot": 0.09})


@pytest.mark.needs_data("ar2020_analysisA")
def test_quenching_from_yaml_matches_table_columns():
    tab = ar.efficiency_table()
    Eee = ar.quenching(tab[:, 1] * KEV) / KEV
    assert np.allclose(Eee, tab[:, 0], rtol=2e-3)   # the release's own keVnr ↔ keVee columns
    assert ar.quenching_parameters() == (0.246, 0.00078)
    assert ar.resolution_parameter() == 0.58


def test_bin_edges():
    assert np.array_equal(ar.ENERGY_BIN_EDGES_KEVEE, np.arange(0, 121, 10))


@pytest.mark.needs_data("ar2020_analysisA")
def test_ar_response_matrix_sane():
    k = ar.kernels(ar.release_exposure())
    R0 = ar.bin_response(k, with_efficiency=False)
    R = ar.bin_response(k)
    assert R.shape == (12, k.grid.T.size)
    assert np.all(R >= 0) and np.all(R <= R0 + 1e-15)
    assert np.all(R0.sum(0) <= 1 + 1e-12)
    high = k.grid.T > 40 * KEV
    assert np.all(np.abs(R0.sum(0)[high] - 1) < 1e-6)
    assert np.all(np.abs(R.sum(0)[high] / ar.efficiency()(ar.quenching(k.grid.T[high])) - 1) < 0.02)


@pytest.mark.needs_data("ar2020_analysisA")
def test_ar_counts_grid_convergence():
    def total(**g):
        return sum(ar.sm_counts_per_bin(**g).values())

    base, fine = total(), total(panels_per_decade=8, order=16)
    nz = fine > 1e-3
    assert np.max(np.abs(base[nz] / fine[nz] - 1)) < 1e-4
    low = total(t_min=0.0)
    assert abs(low.sum() / base.sum() - 1) < 1e-6  # the cut T_MIN_KEVNR is negligible


@pytest.mark.needs_data("ar2020_analysisA")
def test_ar_timing_window_fractions():
    assert ar.timing_window_fraction("nu_mu") == pytest.approx(1.0, abs=1e-3)
    fd = ar.timing_window_fraction("nu_e")
    assert fd == pytest.approx(ar.timing_window_fraction("nubar_mu"))
    # window −0.1…4.9 µs, pulse at 0.44 µs: ≈ 1 − exp(−4.46/2.197)
    assert fd == pytest.approx(1 - np.exp(-(4.9 - 0.44) / 2.1969811), abs=5e-3)


@pytest.mark.needs_data("ar2020_analysisA")
def test_ar_sm_prediction_within_5_percent_of_128():
    counts = ar.sm_counts_per_bin()
    total = float(sum(v.sum() for v in counts.values()))
    assert abs(total / 128.0 - 1) < 0.05
    assert np.all(np.asarray(counts["nu_mu"])[6:] < 1e-6)  # nothing above 60 keVee


@pytest.mark.needs_data("ar2020_analysisA")
def test_ar_bad_input():
    with pytest.raises(ValueError, match="exposure"):
        ar.kernels({"pot": 1e23})
    with pytest.raises(ValueError, match="pot"):
        ar.kernels({"pot": -1.0, "baseline_m": 27.5, "mass_kg": 24.4, "nu_per_flavour_per_pot": 0.09})
    k = ar.kernels(ar.release_exposure())
    with pytest.raises(ValueError, match="edges_keVee"):
        ar.bin_response(k, [10, 5])
