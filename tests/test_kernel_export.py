"""Tests of the kernel export for the website's explorers: the JSON numbers reproduce the library."""

import json

import numpy as np
import pytest

from cevns_lib.analysis.sensitivity import CountModel
from cevns_lib.analysis.stats import allowed_intervals
from cevns_lib.book import explorers as ex
from cevns_lib.book import kernel_export as ke
from cevns_lib.engine.prediction import Prediction, TargetBins
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
            assert len(tg["nodes"]["weak"][fl]) == len(tg["nodes"]["magnetic"][fl]) == n
            assert all(len(tg["bin_weights"][k][fl]) == 1 for k in ("weak_pp", "weak_pn", "weak_nn", "magnetic"))
    assert set(data["zprime_models"]) == set(med.TREE_MODELS)


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


def test_zprime_from_nodes_matches_binned_engine(data):
    name, model, M, g = "PIP2-BD", med.get_model("B-L"), 30.0, 2e-4
    (tg,) = data["experiments"][name]["targets"]
    nd = tg["nodes"]
    exp, k = ex.spectrum_kernels(name)
    ff = get_form_factor("helm", exp.nucleus)
    pred = Prediction((TargetBins.build(k, exp.efficiency(k.grid.T)[None, :], ff, ff),), "tree")
    A, B, C = pred.zprime_coefficients(model, masses=[M])
    ref = A[0] + g**2 * B[0, 0] + g**4 * C[0, 0]
    q, fz, fn = (np.asarray(nd[key]) for key in ("q_MeV", "F_Z", "F_N"))
    zm = data["zprime_models"]["B-L"]
    total = 0.0
    for fl in data["flavours"]:
        gp, gn = ke.couplings(fl, data["constants"]["sin2w_ref"])
        Q = tg["Z"] * gp * fz + tg["N"] * gn * fn
        Q = Q + g**2 * zm["nu"][fl] * zm["nucleon"] * (tg["Z"] * fz + tg["N"] * fn) / (
            data["constants"]["sqrt2_G_F"] * (q**2 + M**2))
        total += np.asarray(nd["response"][0]) @ (np.asarray(nd["weak"][fl]) * Q**2)
    assert total == pytest.approx(ref, rel=1e-12)
    assert abs(total / A[0] - 1) > 1e-3  # the chosen point distorts the count visibly


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
