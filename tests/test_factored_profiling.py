"""The grid-vectorised profiling (:mod:`cevns_lib.analysis.factored_profiling`, used by every
likelihood) against the reference implementation (:mod:`cevns_lib.analysis.profiling`, stacked
components, one damped Newton from a = 0): the same χ² within 1e-6 on scan grids of every COHERENT
likelihood, with and without the signal pull, in sin²θ_W and in (M, g)."""

import numpy as np
import pytest

from cevns_lib.analysis import mediator_scans as ms
from cevns_lib.analysis import profiling
from cevns_lib.analysis.factored_profiling import (FactoredComponents, gaussian_profile_factored,
                                                   poisson_profile_factored, poisson_profile_warm)
from cevns_lib.analysis.fit import load_fit
from cevns_lib.analysis.likelihood import Likelihood

TOL = 1e-6


def reference_chi2(lik: Likelihood, S):
    """The profiled χ² as computed before the grid-vectorised profiling (stacked components)."""
    spec = lik.spec
    M = lik.components(S)
    if spec.statistic == "gaussian":
        data = spec.data if lik.signal_prior else spec.data - S
        return profiling.gaussian_profile(data, spec.variance, M, lik.sigmas)[0]
    base = lik._base(S) if (spec.shapes or not lik.signal_prior) else None
    return profiling.poisson_profile(spec.data, M, lik.sigmas, base=base)[0]


def _assert_same(new, ref, where=None):
    assert np.all(np.isfinite(new))
    sel = np.ones(new.shape, dtype=bool) if where is None else where
    assert np.max(np.abs(new - ref)[sel]) <= TOL
    assert np.max(np.abs((new - new.min()) - (ref - ref.min()))[sel]) <= TOL      # Δχ²


CASES = [("CsI-2021", {}), ("CsI-2017", {}), ("Ar-2020", {"fit": "energy"}), ("Ar-2020", {"fit": "energy_time"})]


@pytest.mark.needs_data("csi2017", "csi2021", "ar2020_analysisA")
@pytest.mark.parametrize("name,options", CASES, ids=[f"{n}-{o.get('fit', 'default')}" for n, o in CASES])
@pytest.mark.parametrize("signal_prior", [True, False])
def test_sin2w_scan_matches_reference(name, options, signal_prior):
    part = next(iter(load_fit(name, options=options).parts.values()))
    lik = Likelihood.from_spec(part.likelihood.spec, signal_prior)
    grid = np.linspace(0.12, 0.40, 777)                      # not a multiple of the warm-start stride
    S = part.prediction.counts(sin2w=grid)[..., part.bins]
    _assert_same(lik.chi2(S), reference_chi2(lik, S))
    scaled = np.linspace(0.05, 3.0, 300)[:, None] * part.prediction.sm()[part.bins]   # far from the data too
    _assert_same(lik.chi2(scaled), reference_chi2(lik, scaled))


@pytest.mark.needs_data("csi2021", "ar2020_analysisA")
@pytest.mark.parametrize("model", ["universal", "B-L"])
def test_zprime_grid_matches_reference(model):
    combo = ms.load_combination("CsI-2021+Ar-2020", {"Ar-2020": {"fit": "energy_time"}})
    masses = np.logspace(0, 4, 7)
    g = ms.sheared_grid(masses, np.logspace(-6.0, -2.0, 120))
    for part in combo.values():
        A, B, C = part.prediction.zprime_coefficients(model, masses)
        N = (A + g[..., None] ** 2 * B[:, None, :] + g[..., None] ** 4 * C[:, None, :])[..., part.bins]
        # Beyond 10⁵ × the SM signal (Δχ² > 50 here) the signal pull sits at −1 to within 1e-16 and
        # μ = S(1 + a) carries a rounding noise ~1e-16·S per bin in both implementations: the χ² is
        # not defined to 1e-6 in double precision there (measured differences up to 4e-6 at
        # Δχ² ≈ 87), while they agree to 4e-10 below.
        physical = N.sum(axis=-1) <= 1e5 * A[part.bins].sum()
        assert physical.mean() > 0.7
        _assert_same(part.likelihood.chi2(N), reference_chi2(part.likelihood, N), physical)


@pytest.mark.needs_data("csi2021", "ar2020_analysisA")
def test_fit_scan_is_chunked_without_changing_results(monkeypatch):
    from cevns_lib.analysis import fit as fit_mod

    fit = load_fit("CsI-2021+Ar-2020")
    grid = np.linspace(0.15, 0.35, 3001)
    whole = fit.scan("sin2w", grid)
    monkeypatch.setattr(fit_mod, "SCAN_CHUNK", 500)
    assert np.max(np.abs(fit.scan("sin2w", grid) - whole)) <= 1e-9
    two_d = fit.chi2(sin2w=grid[:40, None], eps_u_ee=np.linspace(-0.1, 0.1, 30)[None, :])
    assert two_d.shape == (40, 30)


def _random_components(rng, nb=25):
    t = np.stack([np.ones(nb), rng.uniform(1, 4, nb), rng.uniform(0.5, 2, nb), rng.normal(0, 0.3, nb),
                  rng.normal(0, 1.0, nb)])
    comps = FactoredComponents(t, (1, 0, 0, 1, 0), np.array([0.1, 0.3, 0.2, 1.0, 1.0]), t[1] + t[2], np.ones(nb))
    S = rng.uniform(2, 30, nb) * np.linspace(0.3, 2.0, 200)[:, None]
    return comps, S


def _stacked(comps, S):
    p = np.asarray(comps.power)
    return np.stack([np.broadcast_to(comps.templates[z] * (S if p[z] else 1.0), S.shape) for z in range(comps.n)], axis=-2)


def test_factored_poisson_matches_reference_with_templates():
    rng = np.random.default_rng(7)
    comps, S = _random_components(rng)
    base = comps.base0 + S
    d = rng.poisson(base[120]).astype(float)
    ref = profiling.poisson_profile(d, _stacked(comps, S), comps.sigmas, base=base)[0]
    _assert_same(poisson_profile_factored(d, comps, S)[0], ref)
    _assert_same(poisson_profile_warm(d, comps, S, stride=8)[0], ref)
    bad_start = np.full((S.shape[0], comps.n), 50.0)            # μ < 0 somewhere: falls back to a = 0
    _assert_same(poisson_profile_factored(d, comps, S, a0=bad_start)[0], ref)


def test_factored_gaussian_matches_reference():
    rng = np.random.default_rng(8)
    comps, S = _random_components(rng)
    comps = FactoredComponents(comps.templates[:3], (1, 0, 0), comps.sigmas[:3], comps.base0, comps.base1)
    d = rng.normal(comps.base0 + S[100], 3.0)
    V = np.full(d.size, 9.0)
    ref = profiling.gaussian_profile(d, V, _stacked(comps, S), comps.sigmas)[0]
    _assert_same(gaussian_profile_factored(d, V, comps, S)[0], ref)


def test_factored_components_refuse_bad_input():
    with pytest.raises(ValueError, match="sigmas"):
        FactoredComponents(np.ones((1, 3)), (1,), np.array([0.0]), np.zeros(3), np.ones(3))
    with pytest.raises(ValueError, match="powers"):
        FactoredComponents(np.ones((1, 3)), (2,), np.array([0.1]), np.zeros(3), np.ones(3))
    comps = FactoredComponents(np.ones((1, 3)), (1,), np.array([0.1]), np.zeros(3), np.ones(3))
    with pytest.raises(ValueError, match="non-finite"):
        poisson_profile_factored(np.ones(3), comps, np.full((2, 3), np.nan))
    with pytest.raises(ValueError, match="non-negative"):
        poisson_profile_factored(-np.ones(3), comps, np.ones((2, 3)))


def _nelder_mead_minimum(combo, model, masses, g, chi2, name):
    """The polish before the vectorised one: Nelder–Mead in (ln M, ln g) from the grid minimum."""
    from scipy.optimize import minimize

    i, j = np.unravel_index(np.argmin(chi2), chi2.shape)
    sub = combo if name == "combined" else {name: combo[name]}
    f = lambda x: float(ms.scan(sub, model, [np.exp(x[0])], [np.exp(x[1])])["combined"][0, 0])  # noqa: E731
    x0 = np.log([masses[i], g[i, j]])
    res = minimize(f, x0, method="Nelder-Mead", options={
        "xatol": 1e-5, "fatol": 1e-7, "maxiter": 400, "initial_simplex": [x0, x0 + [0.05, 0.0], x0 + [0.0, 0.02]]})
    return min(float(res.fun), float(chi2[i, j]))


@pytest.mark.needs_data("csi2021", "ar2020_analysisA")
@pytest.mark.parametrize("model", ["universal", "L_mu-L_tau", "scalar"])
def test_vectorised_polish_finds_the_nelder_mead_minimum(model):
    combo = ms.load_combination("CsI-2021+Ar-2020")
    kind = "scalar" if model == "scalar" else ms.med.get_model(model).kind
    masses = ms.DEFAULT_MASSES
    g = ms.sheared_grid(masses, ms.DEFAULT_GRIDS[kind]["g"])
    full = ms.scan(combo, model, masses, g)
    polished = ms.polish_minima(combo, model, masses, g, full)
    for name in full:
        assert polished[name] <= full[name].min()
        assert polished[name] == pytest.approx(_nelder_mead_minimum(combo, model, masses, g, full[name], name), abs=1e-6)
    assert ms.polish_minimum(combo, model, masses, g, full["CsI"], "CsI") == pytest.approx(polished["CsI"], abs=1e-8)


@pytest.mark.needs_data("csi2021", "ar2020_analysisA")
def test_mass_chunks_do_not_change_the_scan(monkeypatch):
    combo = ms.load_combination("CsI-2021+Ar-2020")
    masses = np.logspace(0, 4, 23)
    g = np.logspace(-6, -3, 17)
    whole = ms.scan(combo, "B-L", masses, g)
    monkeypatch.setattr(ms, "MASS_CHUNK", 5)
    parts = ms.scan(combo, "B-L", masses, g)
    for k in whole:
        assert np.max(np.abs(parts[k] - whole[k])) <= 1e-9


def test_a_signal_driven_to_zero_keeps_its_digits():
    """With a prediction 10⁶–10¹⁰ × the data the fit drives the CEvNS normalisation 1 + a towards 0;
    carried as a parameter centred on 1 it keeps full precision (as S·1 + S·a it lost every digit of
    1 + a) and the damped Newton, from the normalised start, converges in a few steps to the minimum
    found in ln(1 + a)."""
    from scipy.optimize import minimize

    rng = np.random.default_rng(7)
    nb = 12
    background = rng.uniform(2.0, 6.0, nb)
    data = np.round(background + rng.uniform(0.0, 8.0, nb))
    comps = FactoredComponents(np.vstack([np.ones(nb), background]), (1, 0), np.array([0.12, 0.25]),
                               background, np.zeros(nb), 0, np.array([1.0, 0.0]))
    shape = np.geomspace(1.0, 1e-3, nb)                      # unlike the data: a steep low-energy excess
    S = np.geomspace(1e6, 1e10, 5)[:, None] * shape / shape.sum()
    chi, a = poisson_profile_warm(data, comps, S, n_iter=8)  # starts from the normalised signal

    def chi2(x, s):                                          # x = (ln(1 + a_CEvNS), a_background)
        mu = np.exp(x[0]) * s + (1.0 + x[1]) * background
        return 2.0 * np.sum(mu - data + np.where(data > 0, data * np.log(data / mu), 0.0)) \
            + ((np.exp(x[0]) - 1.0) / 0.12) ** 2 + (x[1] / 0.25) ** 2

    for k, s in enumerate(S):
        x0 = [np.log(max(np.sum(data - background), 1.0) / s.sum()), 0.0]
        ref = minimize(chi2, x0, args=(s,), method="Nelder-Mead", options={"xatol": 1e-12, "fatol": 1e-13, "maxiter": 4000})
        assert chi[k] == pytest.approx(ref.fun, rel=1e-10)
        assert 1.0 + a[k, 0] == pytest.approx(np.exp(ref.x[0]), rel=1e-4)
    assert poisson_profile_factored.last_iterations < 8
    assert np.allclose(poisson_profile_factored(data, comps, S, n_iter=100)[0], chi, rtol=1e-12)   # from a = 0


def test_centres_must_be_finite_and_one_per_component():
    with pytest.raises(ValueError, match="centres must be 2 finite numbers"):
        FactoredComponents(np.ones((2, 3)), (1, 0), np.array([0.1, 0.2]), np.zeros(3), np.zeros(3), 0, np.array([1.0]))
    with pytest.raises(ValueError, match="centres must be 1 finite numbers"):
        FactoredComponents(np.ones((1, 3)), (1,), np.array([0.1]), np.zeros(3), np.zeros(3), 0, np.array([np.nan]))


def test_poisson_chi2_rejects_non_finite_predictions_and_is_infinite_at_non_positive_ones():
    from cevns_lib.analysis.factored_profiling import _Poisson

    comps = FactoredComponents(np.ones((1, 3)), (1,), np.array([0.1]), np.zeros(3), np.ones(3))
    st = _Poisson(np.array([1.0, 2.0, 0.0]), comps)
    b = np.ones((2, 1))
    ok = st.chi2(np.array([[1.0, 2.0, 0.5], [1.0, 2.0, 1.0]]), b)
    assert np.all(np.isfinite(ok))
    mixed = st.chi2(np.array([[1.0, 2.0, 0.5], [1.0, 0.0, 1.0]]), b)      # a μ ≤ 0: that point only is +inf
    assert mixed[0] == ok[0] and mixed[1] == np.inf
    for bad in (np.nan, np.inf, -np.inf):
        with pytest.raises(ValueError, match="non-finite predicted counts"):
            st.chi2(np.array([[1.0, 2.0, 0.5], [1.0, bad, 1.0]]), b)
