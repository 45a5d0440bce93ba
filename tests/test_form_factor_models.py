"""The six ⁴⁰Ar weak form-factor models of the form-factor chapter: normalisation, radii,
substitute flags, and bad input."""

import numpy as np
import pytest

from cevns_lib.physics import constants as c
from cevns_lib.physics import form_factors as ff
from cevns_lib.physics.nuclei import get_nucleus


AR = get_nucleus("Ar40")
ALL_AR_MODELS = list(ff.ARGON_WEAK_MODELS) + ["helm_coherent", "klein_nystrand_adapted"]


def test_six_models_registered():
    assert len(ff.ARGON_WEAK_MODELS) == 6
    assert ff.ARGON_WEAK_MODELS[0] == "helm"
    assert set(ff.ARGON_WEAK_MODELS) <= set(ff.FORM_FACTOR_MODELS)


@pytest.mark.parametrize("name", ALL_AR_MODELS)
def test_normalised_and_bounded(name):
    F = ff.get_form_factor(name, AR)
    q = np.linspace(0.0, 0.6, 601) * c.hbarc_MeV_fm  # 0–0.6 fm⁻¹ in MeV
    vals = F(q)
    assert vals[0] == pytest.approx(1.0, abs=1e-12)
    assert np.all(np.isfinite(vals)) and np.all(np.abs(vals) <= 1.0 + 1e-12)
    assert np.all(np.diff(vals) < 0)  # monotonic below the first zero (q < 0.6 fm⁻¹ for ⁴⁰Ar)


@pytest.mark.parametrize("name", ALL_AR_MODELS)
def test_small_q_slope_gives_model_radius(name):
    F = ff.get_form_factor(name, AR)
    q = 0.2  # MeV: qR ≈ 3.5e-3
    r2 = (1.0 - F(q)) * 6.0 / (q * c.fm) ** 2
    assert np.sqrt(r2) == pytest.approx(ff.model_rms_radius_fm(name, AR), rel=1e-4)


@pytest.mark.parametrize("name", ["hf_ske2", "cc_nnlo_sat", "rmf_fsugold2", "shell_model_eft"])
def test_substitutes_are_flagged_with_their_radius(name):
    model = ff.FORM_FACTOR_MODELS[name]
    assert model.status == "substitute"
    assert "SUBSTITUTE" in model.source and "arXiv:" in model.source
    assert model.radius_fm == ff.SUBSTITUTE_WEAK_RADII_FM[name]
    assert f"{model.radius_fm}" in model.source or f"{model.radius_fm:.2f}" in model.source


def test_substitute_weak_radii_placeholders():
    assert ff.SUBSTITUTE_WEAK_RADII_FM == {"hf_ske2": 3.45, "cc_nnlo_sat": 3.47, "rmf_fsugold2": 3.50,
                                           "shell_model_eft": 3.46}


def test_published_models_not_flagged():
    for name in ("helm", "klein_nystrand", "helm_coherent"):
        assert ff.FORM_FACTOR_MODELS[name].status == "published"


def test_symmetrized_fermi_radius_roundtrip():
    for r in (3.3, 3.45, 3.6):
        cc = ff.symmetrized_fermi_c_from_rms_fm(r)
        assert ff.symmetrized_fermi_rms_fm(cc) == pytest.approx(r, rel=1e-12)


def test_kn_rms_radius_value():
    assert ff.model_rms_radius_fm("klein_nystrand", AR) == pytest.approx(3.612, abs=1e-3)


def test_argon_only_models_reject_other_nuclei():
    with pytest.raises(ValueError, match="Ar40 only"):
        ff.get_form_factor("hf_ske2", get_nucleus("Cs133"))
    with pytest.raises(ValueError, match="Ar40 only"):
        ff.get_form_factor("klein_nystrand_adapted", get_nucleus("I127"))


def test_bad_input_raises():
    with pytest.raises(ValueError, match="known models"):
        ff.get_form_factor("woods_saxon", AR)
    with pytest.raises(ValueError, match="known models"):
        ff.model_rms_radius_fm("woods_saxon", AR)
    with pytest.raises(ValueError, match="too small"):
        ff.symmetrized_fermi_c_from_rms_fm(1.0)
    with pytest.raises(ValueError, match="non-negative"):
        ff.get_form_factor("cc_nnlo_sat", AR)(-1.0)


def test_rate_ordering_follows_radius():
    """Larger weak radius → smaller rate above threshold (all curves monotonic at these q)."""
    from cevns_lib.experiments.projections import get_experiment
    from cevns_lib.physics.interactions import weak_amplitude
    from cevns_lib.physics.sources import FLAVOURS

    exp = get_experiment("PIP2-BD")
    k = exp.kernels()
    amps = {fl: weak_amplitude(AR, fl) for fl in FLAVOURS}
    subs = ["hf_ske2", "shell_model_eft", "cc_nnlo_sat", "rmf_fsugold2"]  # increasing R_W
    N = [k.fold(exp.efficiency, ff.get_form_factor(m, AR)).total(amps) for m in subs]
    assert np.all(np.diff(N) < 0)


def test_rate_spread_percent_definition_and_errors():
    rates = {"a": 100.0, "b": 97.0, "c": 101.0}
    assert ff.rate_spread_percent(rates, ["a", "b", "c"]) == pytest.approx(4.0)
    assert ff.rate_spread_percent(rates, ["b", "a"], reference="a") == pytest.approx(3.0)
    with pytest.raises(ValueError, match="no rate given"):
        ff.rate_spread_percent(rates, ["a", "d"])
    with pytest.raises(ValueError, match="must be positive"):
        ff.rate_spread_percent({"a": 0.0, "b": 1.0}, ["a", "b"])


def test_convention_sets():
    assert ff.argon_weak_models() == ff.ARGON_WEAK_MODELS
    assert ff.ARGON_CONVENTIONS["Helm (Lewin–Smith) + KN (standard)"] == ff.ARGON_WEAK_MODELS[:2]
    for helm, kn in ff.ARGON_CONVENTIONS.values():
        models = ff.argon_weak_models(helm, kn)
        assert len(models) == 6 and models[:2] == (helm, kn)
        assert models[2:] == ff.ARGON_WEAK_MODELS[2:]
    with pytest.raises(ValueError, match="known models"):
        ff.argon_weak_models("helm_ls")


# Carey & Pandey: the six models change the rate by less than 3% at the thresholds used. With
# this book's default set (Lewin–Smith Helm + standard Klein–Nystrand) that holds at PIP2-BD and
# CCM but not at the higher SNS thresholds; see the form-factor chapter, "Which Helm, which KN?".
_SPREAD_KNOWN_DEVIATIONS = {("Helm (Lewin–Smith) + KN (standard)", "CENNS-750"),
                            ("Helm (Lewin–Smith) + KN (standard)", "CENNS-10")}


@pytest.fixture(scope="module")
def rates_by_detector():
    from cevns_lib.experiments.projections import PROJECTIONS, get_experiment
    from cevns_lib.physics.interactions import weak_amplitude
    from cevns_lib.physics.sources import FLAVOURS

    amps = {fl: weak_amplitude(AR, fl) for fl in FLAVOURS}
    out = {}
    for name in PROJECTIONS:
        exp = get_experiment(name)
        k = exp.kernels()
        out[name] = {m: float(k.fold(exp.efficiency, ff.get_form_factor(m, AR)).total(amps)) for m in ALL_AR_MODELS}
    return out


@pytest.mark.parametrize("detector", ["PIP2-BD", "CCM", "CENNS-750", "CENNS-10"])
@pytest.mark.parametrize("convention", list(ff.ARGON_CONVENTIONS))
def test_form_factor_spread_below_three_percent(convention, detector, rates_by_detector):
    spread = ff.rate_spread_percent(rates_by_detector[detector], ff.argon_weak_models(*ff.ARGON_CONVENTIONS[convention]))
    assert spread > 0.5  # the models do differ
    if (convention, detector) in _SPREAD_KNOWN_DEVIATIONS:
        assert spread >= 3.0, f"{convention} at {detector} now gives {spread:.2f}%: remove the known deviation"
        pytest.xfail(f"known deviation: {convention} at {detector} gives {spread:.2f}% (published: < 3%)")
    assert spread < 3.0
