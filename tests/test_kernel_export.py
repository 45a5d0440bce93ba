"""Tests of the kernel export for the website's explorers: the JSON numbers reproduce the library."""

import json

import numpy as np
import pytest

from cevns_lib.analysis.sensitivity import CountModel
from cevns_lib.analysis.stats import allowed_intervals
from cevns_lib.book import explorers as ex
from cevns_lib.book import kernel_export as ke
from cevns_lib.experiments.projections import PROJECTIONS, get_experiment
from cevns_lib.physics import mediators as med
from cevns_lib.physics.form_factors import get_form_factor


@pytest.fixture(scope="module")
def data():
    # through the JSON text, as the browser reads it
    return json.loads(ke.to_json(ke.explorer_data()))


def test_schema_and_size(data):
    assert data["schema"] == ke.SCHEMA and data["version"] == ke.VERSION
    assert set(data["experiments"]) == set(PROJECTIONS)
    assert len(ke.to_json(data)) < 400_000  # "a few hundred kB at most"
    for e in data["experiments"].values():
        (tg,) = e["targets"]
        n = len(tg["nodes"]["T_keV"])
        assert len(e["bins"]) == len(tg["nodes"]["response"]) == 1
        for key in ("T_keV", "w_keV", "q_MeV", "F_Z", "F_N"):
            assert len(tg["nodes"][key]) == n
        for fl in data["flavours"]:
            assert len(tg["nodes"]["weak"][fl]) == len(tg["nodes"]["magnetic"][fl]) == len(tg["nodes"]["scalar"][fl]) == n
            assert all(len(tg["bin_weights"][k][fl]) == 1 for k in ("weak_pp", "weak_pn", "weak_nn", "magnetic"))


def test_mediator_models_are_the_registry(data):
    """Every mediator of the library, in the registry's order, none typed by hand."""
    assert list(data["mediator_models"]) == [*med.TREE_MODELS, *med.LOOP_MODELS, ke.SCALAR_MODEL]
    assert med.LOOP_MODELS and set(data["mediator_kinds"]) == {"tree", "loop", "scalar"}
    for name, entry in data["mediator_models"].items():
        assert entry["kind"] in data["mediator_kinds"]
        if entry["kind"] == "scalar":
            assert entry["nucleon_charges"] == med.SCALAR_NUCLEON_CHARGES
            continue
        model = med.get_model(name)
        assert entry["label"] == model.label and entry["kind"] == model.kind
        assert entry["nu"] == {fl: model.neutrino_charge(fl) for fl in data["flavours"]}
        if model.kind == "loop":
            assert entry["loop_masses_MeV"] == [med.LEPTON_MASSES[lep] for lep in model.loop_leptons]
    assert data["mediator_kinds"]["scalar"]["coupling"] == "g_φ" and data["mediator_kinds"]["loop"]["coupling"] == "g"


@pytest.mark.parametrize("model", med.LOOP_MODELS)
def test_closed_form_loop_integral_matches_library_quadrature(model):
    m = med.get_model(model)
    ma, mb = (med.LEPTON_MASSES[lep] for lep in m.loop_leptons)
    q = np.logspace(-4, 4, 161)  # MeV: both sides of every lepton mass
    assert np.allclose(ke.loop_integral_closed_form(q, ma, mb), med.loop_integral(q, ma, mb), rtol=1e-10, atol=0)
    assert ke.loop_integral_closed_form(1e-6, ma, mb) == pytest.approx(np.log(mb**2 / ma**2) / 6, rel=1e-12)


def test_vacuum_polarisation_log_is_continuous_and_checked():
    # the series (a <= 1) and the closed form (a > 1) meet; J ≈ a/30 for small a
    below, above = ke.vacuum_polarisation_log([1.0, np.nextafter(1.0, 2.0)])
    assert above == pytest.approx(below, rel=1e-14)
    assert ke.vacuum_polarisation_log([1e-9])[0] == pytest.approx(1e-9 / 30, rel=1e-8)
    with pytest.raises(ValueError, match="finite and >= 0"):
        ke.vacuum_polarisation_log([-1.0])
    with pytest.raises(ValueError, match="finite and >= 0"):
        ke.vacuum_polarisation_log([np.nan])


@pytest.mark.parametrize("name", PROJECTIONS)
@pytest.mark.parametrize("params", [{}, {"sin2w": 0.25}, {"mu_nu": 12.0}, {"eps_u": 0.1, "eps_d": -0.05},
                                    {"charge_radius": -3.0}, {"sin2w": 0.22, "mu_nu": 5.0, "eps_u": 0.3}])
def test_counts_reproduce_library(data, name, params):
    (tg,) = data["experiments"][name]["targets"]
    n = ke.counts_from_export(tg, **params)[0]
    _, _, ref = ex.spectrum_and_count(name, **params)
    assert n == pytest.approx(ref, rel=1e-12)
    # and the analysis' count model on its own (default) grid
    model = CountModel.from_experiment(get_experiment(name))
    r2 = params.get("charge_radius", 0.0)
    ref_model = model.prediction.counts(sin2w=params.get("sin2w", model.sin2w_ref), eps_u_ee=params.get("eps_u", 0.0),
                                        eps_d_ee=params.get("eps_d", 0.0), r2_e=r2, r2_mu=r2, kappa=0.0940,
                                        mu_nu=params.get("mu_nu", 0.0) * 1e-10)[0]
    assert n == pytest.approx(ref_model, rel=1e-12)


@pytest.mark.parametrize("name", PROJECTIONS)
def test_nodes_reproduce_bins_and_spectrum(data, name):
    (tg,) = data["experiments"][name]["targets"]
    nd = tg["nodes"]
    T, dNdT, _ = ex.spectrum_and_count(name, sin2w=0.24, mu_nu=3.0)
    assert np.allclose(nd["T_keV"], T, rtol=1e-15)
    R = np.asarray(nd["response"][0])
    for fl in data["flavours"]:
        gp, gn = ke.couplings(fl, 0.24)
        Q = tg["Z"] * gp * np.asarray(nd["F_Z"]) + tg["N"] * gn * np.asarray(nd["F_N"])
        ev = np.asarray(nd["weak"][fl]) * Q**2 + (3e-10) ** 2 * np.asarray(nd["magnetic"][fl]) * np.asarray(nd["F_Z"]) ** 2
        assert np.allclose(ev / np.asarray(nd["w_keV"]), dNdT[fl], rtol=1e-12, atol=0)
        assert R @ (np.asarray(nd["weak"][fl]) * np.asarray(nd["F_Z"]) ** 2) == pytest.approx(
            tg["bin_weights"]["weak_pp"][fl][0], rel=1e-12)


@pytest.mark.parametrize("obs", ["sin2w", "eps_u", "charge_radius"])
def test_interval_grid_reproduces_count_model(obs):
    model = ke.count_model("PIP2-BD")
    ref = CountModel.from_experiment(get_experiment("PIP2-BD"))
    x = ke.interval_grid(obs)
    _, d_lib = ex.delta_chi2_curve("PIP2-BD", obs, 0.05, x=x, model=ref)
    _, d_exp = ex.delta_chi2_curve("PIP2-BD", obs, 0.05, x=x, model=model)
    assert np.allclose(d_exp, d_lib, rtol=1e-10, atol=1e-12)
    if obs == "sin2w":
        assert allowed_intervals(x, d_exp)[0] == pytest.approx(ref.sin2w_interval(0.05), rel=1e-12)


@pytest.mark.parametrize("name", ["PIP2-BD", "CENNS-10"])
@pytest.mark.parametrize("model", ["B-L", *med.LOOP_MODELS, ke.SCALAR_MODEL])
@pytest.mark.parametrize("mass, coupling", [(1.0, 1e-5), (30.0, 1e-3), (300.0, 3e-3), (1e4, 3e-2)])
def test_mediator_counts_from_nodes_match_binned_engine(data, name, model, mass, coupling):
    """The browser's formula (Python mirror) against Prediction.zprime_coefficients /
    scalar_coefficients on the same grid: to 1e-6 as required, in fact to rounding."""
    (tg,) = data["experiments"][name]["targets"]
    n = ke.mediator_counts_from_export(data, tg, model, mass, coupling)[0]
    ref = ke.library_mediator_count(name, model, mass, coupling)
    assert n == pytest.approx(ref, rel=1e-10)
    sm = ke.library_mediator_count(name, model, mass, 0.0)
    assert sm == pytest.approx(ke.counts_from_export(tg)[0], rel=1e-12)
    assert abs(ref / sm - 1) > 1e-6  # each point changes the count


def test_scalar_node_weights_are_the_engines():
    """Exported scalar weights per node are TargetBins.scalar with the identity response."""
    pred = ke.projection_prediction("CCM")
    (tg,) = json.loads(ke.to_json(ke.explorer_data(["CCM"])))["experiments"]["CCM"]["targets"]
    R = np.asarray(tg["nodes"]["response"][0])
    for fl in pred.targets[0].scalar:
        assert np.allclose(R * np.asarray(tg["nodes"]["scalar"][fl]), pred.targets[0].scalar[fl], rtol=1e-15, atol=0)


def test_html_script_escapes_and_round_trips():
    data = {"x": "</script><b>", "y": [1.0, 2.5e-30]}
    html = ke.html_data_script(data, "id1")
    assert html.count("</script>") == 1 and html.startswith('<script type="application/json" id="id1">')
    inner = html[html.index(">") + 1: -len("</script>")]
    assert json.loads(inner) == data


def test_bad_response_shape():
    _, k = ex.spectrum_kernels("CCM")
    ff = get_form_factor("helm", k.nucleus)
    with pytest.raises(ValueError, match="nodes"):
        ke.target_export(k, np.ones((1, 3)), ff, ff)
