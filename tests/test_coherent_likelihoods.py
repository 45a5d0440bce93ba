"""COHERENT likelihoods: SM predictions, nuisance profiling vs brute force, convergence of the
mediator kernels at light and heavy masses, the coupling polynomial, strip and limiting forms."""

import numpy as np
import pytest
from scipy.optimize import minimize

from cevns_lib.physics import constants as c
from cevns_lib.physics import mediators as med
from cevns_lib.experiments.coherent import ar2020, csi2017, csi2021
from cevns_lib.analysis.likelihood import Likelihood
from cevns_lib.engine.prediction import TargetBins
from cevns_lib.analysis import mediator_scans as cb, profiling
from cevns_lib.physics.sources import FLAVOURS, arrival_time_pdf


pytestmark = pytest.mark.needs_data("csi2017", "csi2021", "ar2020_analysisA")


@pytest.fixture(scope="module")
def preds():
    return {"csi2017": csi2017.prediction(), "csi2021": csi2021.prediction(), "ar2020": ar2020.prediction()}


# ------------------------------------------------------------------------------ data and SM
def test_csi2017_data_and_sm():
    obs = csi2017.observed()
    assert obs["AC"][csi2017.FIT_SLICE].sum() == 405                # steady state quoted by COHERENT
    assert obs["residual"][csi2017.FIT_SLICE].sum() == 142
    assert csi2017.time_fractions()["delayed"] == pytest.approx(0.9148, abs=1e-4)
    assert csi2017.prompt_neutrons()[csi2017.FIT_SLICE].sum() == pytest.approx(5.42, abs=0.02)
    full = csi2017.prediction(time_window=False).sm()
    assert full.sum() == pytest.approx(173.0, rel=0.02)             # COHERENT 2017: 173 ± 48
    assert full[csi2017.FIT_SLICE].sum() == pytest.approx(164.5, rel=0.01)   # independent numpy check
    assert csi2017.prediction().sm()[csi2017.FIT_SLICE].sum() == pytest.approx(152.8, rel=0.01)


def test_ar2020_sm_and_backgrounds(preds):
    bg = ar2020.backgrounds()
    assert bg["PBRN"].sum() == pytest.approx(497.0, rel=1e-3)
    assert bg["LBRN"].sum() == pytest.approx(33.0, rel=1e-3)
    sm = preds["ar2020"].sm().sum()
    assert 110 < sm < 128                                              # in-window; 128 ± 17 released
    no_window = ar2020.prediction(timing_window=False).sm().sum()
    assert no_window / sm == pytest.approx(1.115, abs=0.01)


def test_csi2021_sm_and_data(preds):
    obs = csi2021.observed()
    assert obs["C"].sum() == 1578 and obs["AC"].sum() == 1295
    sm = preds["csi2021"].sm().sum()
    assert 300 < sm < 345                                              # 341 ± 11 ± 42 published
    bg = csi2021.backgrounds()
    assert bg["BRN"].sum() == pytest.approx(18.0) and bg["NIN"].sum() == pytest.approx(6.0)
    t = csi2021.infer_beam_timing()
    assert 0.45 < t["mean_us"] < 0.65 and t["max_residual"] < 0.15


def test_csi2021_pulse_fit_is_the_least_squares_minimum():
    from cevns_lib.datafiles import loader

    fit = csi2021.infer_beam_timing()
    t, y = loader.load_table(csi2021.DATASET, "ninTrec.txt").T
    y = y / (y.sum() * (t[1] - t[0]))
    t0 = fit["mean_us"] + np.array([0.0, -1e-6, 1e-6, -1e-3, 1e-3])
    cost, f = csi2021._pulse_fit_cost(t, y, t0)
    assert np.all(cost[1:] > cost[0])                                   # a minimum in t0 …
    fs = fit["prompt_fraction"] + np.array([-1e-6, 1e-6])               # … and in f (closed form)
    for fi in fs:
        model = (fi * arrival_time_pdf(t, "nu_mu", csi2021.BEAM_PULSE_SIGMA_US, fit["mean_us"])
                 + (1 - fi) * arrival_time_pdf(t, "nu_e", csi2021.BEAM_PULSE_SIGMA_US, fit["mean_us"]))
        assert ((model - y) ** 2).sum() > cost[0]
    assert fit["mean_us"] == pytest.approx(0.557082, abs=1e-6)          # scipy's least_squares: 0.5570820
    assert 0 < fit["prompt_fraction"] < 1
    assert csi2021.infer_beam_timing(1e-300)["mean_us"] == pytest.approx(fit["mean_us"], abs=1e-12)  # ends at rounding
    for bad in (0.0, -1e-9, float("nan")):
        with pytest.raises(ValueError, match="xtol_us must be a positive number"):
            csi2021.infer_beam_timing(bad)


def test_csi2021_response_is_a_probability():
    T = np.array([5.0, 15.0, 40.0]) * c.keV
    R = csi2021.pe_response(T, edges=np.arange(0.0, 400.0, 1.0))
    assert np.all(R >= 0) and np.all(R.sum(axis=0) <= 1.0 + 1e-12)
    assert R[:, 2].sum() > 0.9                          # ≈ 35 PE: efficiency ≈ 1, no loss to the tails
    mean_pe = (R[:, 2] * (np.arange(0.0, 399.0) + 0.5)).sum() / R[:, 2].sum()
    assert mean_pe == pytest.approx(13.35 * csi2021.quenching(T[2]) / c.keV, rel=0.02)
    tr = csi2021.time_response(0.55, edges=np.array([-1.0, 30.0]))
    for fl in FLAVOURS:
        assert tr[fl][0] < 1.0
    with_eff = csi2021.time_response(0.55)
    assert with_eff["nu_mu"].sum() > with_eff["nu_e"].sum()


def test_ar2020_time_bins():
    from cevns_lib.experiments.coherent import ar2020_response as resp

    for fl in FLAVOURS:
        f = resp.timing_bin_fractions(fl)
        assert f.shape == (10,) and np.all(f >= 0)
        assert f.sum() == pytest.approx(resp.timing_window_fraction(fl), rel=1e-12)
        assert resp.timing_bin_fractions(fl, [-5.0, 60.0]).sum() == pytest.approx(1.0, abs=1e-6)
    e_only, et = ar2020.prediction().sm(), ar2020.prediction(time_bins=True).sm()
    assert np.allclose(et.reshape(12, 10).sum(axis=1), e_only, rtol=1e-12)
    with pytest.raises(ValueError, match="increasing"):
        resp.timing_bin_fractions("nu_e", [1.0, 0.0])


def test_ar2020_cevns_timing_template_matches_release():
    """The release's CEvNS timing-mean systematic is the pulse moved by +200 ns: its time shape
    agrees with this book's model shifted by CEVNS_TIMING_SHIFT_US where the bins are populated."""
    shape = lambda x: x.reshape(12, 10).sum(axis=0) / x.sum()  # noqa: E731
    release = shape(ar2020._energy_time_projection("cevnspdfCEvNSTimingMeanSyst.txt"))
    ours = shape(ar2020.prediction(time_bins=True, pulse_shift_us=ar2020.CEVNS_TIMING_SHIFT_US).sm())
    populated = release > 0.02
    assert np.allclose(ours[populated], release[populated], rtol=0.05)


def test_ar2020_energy_time_likelihood():
    spec = ar2020.energy_time_likelihood_spec()
    L = Likelihood.from_spec(spec)
    pbrn, lbrn, ss = (b.counts for b in spec.backgrounds)
    assert spec.data.shape == (120,) and spec.data.sum() == 3752        # beam-on events, raw 3-D data
    assert pbrn.sum() == pytest.approx(497.0, rel=1e-6) and lbrn.sum() == pytest.approx(33.0, rel=1e-5)
    assert ss.sum() == pytest.approx(3152.0, rel=1e-6)
    assert all(abs(s.template.sum()) < 1e-6 for s in spec.shapes[1:])   # shape-only BRN systematics
    assert L.nuisance_names == ("CEvNS", "PBRN", "LBRN", "SS", "CEvNS_timing", "BRN_energy",
                                "BRN_timing_mean", "BRN_timing_width")
    # the data minus the SS PDF at its best-fit normalisation (3131 ± 23, rounded in
    # LArParametersAnlA.yaml) is the released SS-subtracted energy spectrum
    ss_sub = (spec.data - ss * 3131.0 / ss.sum()).reshape(12, 10).sum(axis=1)
    assert np.allclose(ss_sub, ar2020.observed()["counts"], atol=0.3)
    S = ar2020.prediction(time_bins=True).sm()
    for scale in (0.7, 1.0, 1.5):
        prof = L.chi2(scale * S)
        brute = minimize(lambda x: L.chi2_fixed(scale * S, x), np.zeros(8), method="BFGS",
                         options={"gtol": 1e-9})
        assert prof == pytest.approx(brute.fun, abs=1e-6)


def test_ar_fit_options():
    with pytest.raises(ValueError, match="fit must be one of"):
        cb.load_dataset("Ar-2020", fit="energy_f90")
    with pytest.raises(ValueError, match="time window"):
        cb.load_dataset("Ar-2020", fit="energy_time", timing_window=False)
    with pytest.raises(ValueError, match="unknown option"):
        cb.load_dataset("CsI-2021", which_exposure="paper")
    ds = cb.load_dataset("Ar-2020", fit="energy_time")
    assert ds.prediction.n_bins == 120
    assert ds.sm_events() == pytest.approx(cb.load_dataset("Ar-2020").sm_events(), rel=1e-12)


# ------------------------------------------------------------------------------ profiling
def test_gaussian_profile_equals_brute_force():
    L = Likelihood.from_spec(csi2017.likelihood_spec())
    S = 1.25 * csi2017.prediction().sm()[csi2017.FIT_SLICE]
    prof, a = L.chi2(S, return_nuisances=True)
    brute = minimize(lambda x: L.chi2_fixed(S, x), [0.0, 0.0], method="Nelder-Mead",
                     options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000})
    assert prof == pytest.approx(brute.fun, abs=1e-7)
    assert np.allclose(a, brute.x, atol=1e-5)
    La = Likelihood.from_spec(ar2020.likelihood_spec())
    Sa = 0.7 * ar2020.prediction().sm()
    prof_a = La.chi2(Sa)
    brute_a = minimize(lambda x: La.chi2_fixed(Sa, x), [0.0, 0.0, 0.0], method="Nelder-Mead",
                       options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000})
    assert prof_a == pytest.approx(brute_a.fun, abs=1e-7)


def test_poisson_profile_equals_brute_force():
    L = Likelihood.from_spec(csi2021.likelihood_spec())
    for scale in (0.8, 1.0, 1.4):
        S = scale * csi2021.prediction().sm()
        prof, a = L.chi2(S, return_nuisances=True)
        brute = minimize(lambda x: L.chi2_fixed(S, x), np.zeros(4), method="Nelder-Mead",
                         options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 40000})
        assert prof == pytest.approx(brute.fun, abs=1e-6)


def test_profiling_vectorised_matches_pointwise():
    L = Likelihood.from_spec(csi2021.likelihood_spec())
    S = csi2021.prediction().sm()
    batch = np.stack([0.5 * S, S, 3.0 * S])
    vec = L.chi2(batch)
    assert np.allclose(vec, [L.chi2(x) for x in batch], rtol=1e-10)


def test_poisson_profile_with_shape_template_equals_brute_force():
    rng = np.random.default_rng(3)
    M = np.stack([rng.uniform(5, 20, 15), rng.uniform(1, 4, 15), rng.normal(0.0, 1.0, 15)])
    base = M[0] + M[1]
    d = rng.poisson(base + 0.8 * M[2]).astype(float)
    sig = [0.1, 0.3, 1.0]
    prof, a = profiling.poisson_profile(d, M, sig, base=base)
    f = lambda x: profiling.poisson_chi2(d, base + x @ M) + np.sum((x / np.array(sig)) ** 2)  # noqa: E731
    brute = minimize(f, np.zeros(3), method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 40000})
    assert prof == pytest.approx(brute.fun, abs=1e-7)
    assert np.allclose(a, brute.x, atol=1e-4)


def test_profiling_bad_input():
    with pytest.raises(ValueError):
        profiling.gaussian_profile(np.ones(3), np.ones(3), np.ones((2, 3)), [0.1])
    with pytest.raises(ValueError):
        profiling.poisson_profile(np.ones(3), np.ones((1, 3)), [0.0])


# ------------------------------------------------------------------------------ mediator kernels
@pytest.mark.parametrize("name", ["csi2017", "csi2021", "ar2020"])
def test_mediator_coefficients_converge_at_light_and_heavy_masses(name):
    mod = {"csi2017": csi2017, "csi2021": csi2021, "ar2020": ar2020}[name]
    p1, p2 = mod.prediction(), mod.prediction(panels_per_decade=8, order=16)
    big = p2.sm() >= 1e-3
    masses = [1.0, 10.0, 1000.0]  # MeV
    for model in ("universal", "B-3L_mu", "L_e-L_mu"):
        for x, y in zip(p1.zprime_coefficients(model, masses), p2.zprime_coefficients(model, masses)):
            assert np.max(np.abs(x[..., big] / y[..., big] - 1)) < 1e-4
    for x, y in zip(p1.scalar_coefficients(masses), p2.scalar_coefficients(masses)):
        assert np.max(np.abs(x[..., big] / y[..., big] - 1)) < 1e-4


def test_polynomial_equals_direct_charge_evaluation(preds):
    p = preds["ar2020"]
    model = med.get_model("B-L")
    M, g = 20.0, 3e-5
    A, B, C = p.zprime_coefficients(model, [M])
    poly = A + g**2 * B[0] + g**4 * C[0]
    direct = np.zeros_like(A)
    for tb in p.targets:
        for fl in FLAVOURS:
            Q = p.sm_charge(tb, fl) + g**2 * med.zprime_amplitude_shift(
                tb.q, model, fl, tb.nucleus.Z, tb.nucleus.N, tb.F_Z, tb.F_N, mass=M)
            direct += tb.weak[fl] @ Q**2
    assert np.allclose(poly, direct, rtol=1e-12)


def test_scalar_weights_against_direct_cross_section():
    """Scalar node weights reproduce N_T Φ ∫dT ∫dE f(E) dσ_φ/dT on a brute-force grid."""
    from cevns_lib.physics.nuclei import get_nucleus
    from cevns_lib.engine.kernels import RecoilKernels
    from cevns_lib.physics.sources import nu_e_spectrum

    ar = get_nucleus("Ar40")
    k = RecoilKernels.build(ar, 1.0, 1.0, t_min=5 * c.keV, t_max_=60 * c.keV, recoil_term=False)
    one = lambda q: np.ones_like(q)  # noqa: E731
    tb = TargetBins.build(k, np.ones((1, k.grid.T.size)), one, one)
    got = float(tb.scalar["nu_e"].sum())
    T = np.linspace(5, 60, 2001) * c.keV
    E = np.linspace(1.0, c.E_nu_max_delayed, 4001)
    TT, EE = np.meshgrid(T, E, indexing="ij")
    ok = TT <= 2 * EE**2 / (ar.mass + 2 * EE)
    integrand = np.where(ok, nu_e_spectrum(EE) * ar.mass**2 * TT / (4 * np.pi * EE**2), 0.0)
    ref = np.trapezoid(np.trapezoid(integrand, E, axis=1), T) / c.cm2
    assert got == pytest.approx(ref, rel=2e-3)


# ------------------------------------------------------------------------------ scans
@pytest.fixture(scope="module")
def combo():
    return cb.load_combination("CsI-2021+Ar-2020")


def test_limiting_forms_match_contour_ends(combo):
    s = cb.model_scan(combo, "B-L", masses=np.array([1e-2, 1.0, 3e3, 1e4]))
    for name in ("CsI", "Ar", "combined"):
        assert s.edge[name][0] == pytest.approx(s.low[name], rel=0.02)
        assert s.edge[name][-1] / s.masses[-1] == pytest.approx(s.high[name], rel=0.02)


def test_universal_strip_matches_analytic_position(combo):
    s = cb.model_scan(combo, "universal", masses=np.array([1000.0, 3000.0, 10000.0]),
                      grids={"g": np.logspace(-4, -1.3, 400), "light": np.logspace(-7, -3, 200),
                             "heavy": np.logspace(-8, -4, 200)}, shear_mass=None)
    centre = cb.strip_centre(s.masses, s.g, s.chi2["combined"], s.edge["combined"])
    slope = centre / s.masses * c.GeV
    from cevns_lib.physics.interactions import weak_amplitude
    from cevns_lib.physics.nuclei import get_nucleus

    cs = get_nucleus("Cs133")
    analytic = med.strip_g_over_m(weak_amplitude(cs, "nu_mu", scheme="radiative"), med.get_model("universal"),
                                  "nu_mu", cs.Z, cs.N) * c.GeV
    assert np.allclose(slope, analytic, rtol=0.02)     # 1.77e-3 GeV⁻¹ (¹³³Cs, ν_μ)
    assert np.allclose(slope, 1.8e-3, rtol=0.04)       # the estimate √(N/A·√2G_F/3) (𝒬_SM ≈ −N/2)
    # allowed inside the excluded region
    d = s.chi2["combined"] - s.chi2_min["combined"]
    j = np.argmin(np.abs(s.g[-1] - centre[-1]))
    k = np.argmin(np.abs(s.g[-1] - 0.7 * centre[-1]))
    assert d[-1, j] < 4.605 < d[-1, k]


def test_chi2_min_is_grid_independent(combo):
    a = cb.model_scan(combo, "universal", masses=np.logspace(0, 4, 11))
    b = cb.model_scan(combo, "universal", masses=np.logspace(0, 4, 41))
    assert a.chi2_min["combined"] == pytest.approx(b.chi2_min["combined"], abs=1e-3)
    assert a.low["combined"] == pytest.approx(b.low["combined"], rel=1e-3)


def test_first_crossing():
    x = np.logspace(-3, 0, 31)
    assert cb.first_crossing(x, 10 * x) == pytest.approx(0.4605, rel=0.05)
    assert np.isnan(cb.first_crossing(x, 0 * x))


def test_bad_dataset_names():
    with pytest.raises(ValueError, match="CsI-2021\\+Ar-2020"):
        cb.load_combination("CsI-2099")
    with pytest.raises(ValueError, match="allowed"):
        cb.load_dataset("ge2024")
    with pytest.raises(ValueError, match="exposure"):
        ar2020.exposure("nominal")


def test_bound_reference_choice(combo):
    s = cb.model_scan(combo, "universal", masses=np.logspace(0, 4, 11))
    assert s.bound("low") == pytest.approx(s.low["combined"])
    assert s.chi2_sm["combined"] >= s.chi2_min["combined"]
    assert s.bound("low", reference="sm") >= s.bound("low")      # SM χ² ≥ global minimum → weaker bound
    assert s.bound("high", "CsI", reference="sm") >= s.bound("high", "CsI")
    with pytest.raises(ValueError):
        s.bound("medium")
    with pytest.raises(ValueError):
        s.bound("low", reference="best")


def test_rebinned_cells_split_at_bin_edges():
    import numpy as np

    from cevns_lib.experiments.coherent.csi2021 import _rebin_cells

    centres = np.array([0.115, 0.125, 0.135])  # the middle 10 ns cell straddles the 0.125 edge
    out = _rebin_cells(centres, np.array([1.0, 2.0, 4.0]), np.array([0.0, 0.125, 0.25]))
    assert out == pytest.approx([1.0 + 1.0, 1.0 + 4.0])


def test_pulse_centre_fitted_once_is_the_fit(combo):
    t0 = csi2021.infer_beam_timing()["mean_us"]
    assert cb.csi2021_pulse_mean_us() == t0                       # the same number, not a re-fit
    cb._PULSE_MEAN_US.clear()
    assert cb.csi2021_pulse_mean_us() == t0 and len(cb._PULSE_MEAN_US) == 1
    fresh = csi2021.prediction()                                  # fits the pulse itself
    for a, b in ((combo["CsI"].prediction, fresh), (cb.load_dataset("CsI-2021").prediction, fresh)):
        assert np.array_equal(a.sm(), b.sm())
        assert all(np.array_equal(x, y) for x, y in zip(a.zprime_coefficients("B-L", [1.0, 100.0]),
                                                        b.zprime_coefficients("B-L", [1.0, 100.0])))
    explicit = cb.load_combination("CsI-2021+Ar-2020", {"CsI-2021": {"pulse_mean_us": t0 + 0.1}})
    assert not np.array_equal(explicit["CsI"].prediction.sm(), fresh.sm())   # an explicit value wins


def test_polish_only_some_minima(combo):
    full = cb.model_scan(combo, "universal", masses=np.logspace(0, 4, 11))
    only = cb.model_scan(combo, "universal", masses=np.logspace(0, 4, 11), polish=("combined",))
    assert only.chi2_min["combined"] == pytest.approx(full.chi2_min["combined"], rel=1e-11)
    for which in ("low", "high"):
        for ref in ("global", "sm"):
            assert only.bound(which, reference=ref) == pytest.approx(full.bound(which, reference=ref), rel=1e-10)
    for name in ("CsI", "Ar"):                                    # unpolished: the grid and limiting scans
        grid = min(only.chi2[name].min(), *(chi[name].min() for _, chi in only.limits.values()))
        assert only.chi2_min[name] == grid >= full.chi2_min[name]
    with pytest.raises(ValueError, match="polish"):
        cb.model_scan(combo, "B-L", masses=np.logspace(0, 4, 3), polish=("Ge",))


def test_single_data_set_combined_shares_its_polished_minimum():
    part = cb.load_combination("CENNS-750", systematic=0.05)
    (name,) = part
    s = cb.model_scan(part, "B-L", masses=np.logspace(0, 4, 11))
    assert np.array_equal(s.chi2[name], s.chi2["combined"])
    assert s.chi2_min[name] == s.chi2_min["combined"] and s.low[name] == s.low["combined"]
