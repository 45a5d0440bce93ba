"""Export the factorised rate kernels as JSON for the website's in-browser explorers.

The explorers of the static website (``book/explorers.md``, script ``web/cevns-explorers.js``)
compute spectra, counts and Δχ² curves in the browser from the numbers written here, without a
Python kernel. Because the rates factorise (:mod:`cevns_lib.engine.kernels`), the export is exact:
counts are sums of exported weights times squared charges, so the browser reproduces
``cevns_lib`` to floating-point rounding.

Schema (``"schema": "cevns-kernels"``, ``"version": 1``)
---------------------------------------------------------
Top level:

- ``flavours``: the neutrino flavours, in the order used by every per-flavour mapping.
- ``constants``: ``sin2w_ref`` (Asimov/SM sin²θ_W), ``charge_radius_kappa`` (shift of g_V^p per
  10⁻³² cm² of ⟨r²_ν⟩), ``sqrt2_G_F`` (√2 G_F in MeV⁻²), ``dchi2_90cl`` (2.706).
- ``observables``: name → ``label``, ``unit``, ``plot`` ``[lo, hi, n_points]`` (the plotted scan)
  and ``grid`` ``[start, step, n_points]`` (the fine scan on which the 90% CL interval is found,
  x_i = start + i·step).
- ``zprime_models``: tree-level vector Z′ models, name → ``label``, ``nucleon`` (Q′_p = Q′_n, units
  of g) and ``nu`` (flavour → Q′_ν).
- ``experiments``: name → ``label``, ``threshold_keVnr``, ``run_time_s``, ``bins`` (list of
  ``{"label": …}``, one per analysis bin) and ``targets`` (list, one per target nucleus).

Each target has ``nucleus``, ``Z``, ``N``, ``mass_MeV`` and

- ``bin_weights``: per-bin weights of the counts, each a mapping flavour → list over bins:
  ``weak_pp``, ``weak_pn``, ``weak_nn`` = Σ_k R_bk W_k F_a(q_k) F_b(q_k) for (a, b) = (Z, Z),
  (Z, N), (N, N) (events per unit squared charge), and ``magnetic`` = Σ_k R_bk M_k F_Z(q_k)²
  (events per μ_B²). With vector couplings g_p, g_n of a flavour and magnetic moment μ (units of
  μ_B), the counts in bin b are

      N_b = Σ_α [ (Z g_p)² weak_pp + 2 (Z g_p)(N g_n) weak_pn + (N g_n)² weak_nn + μ² magnetic ].

- ``nodes``: the recoil-grid arrays for q-dependent charges and spectra: ``T_keV`` (node recoil
  energy, keVnr), ``w_keV`` (quadrature weight, keVnr), ``q_MeV`` (momentum transfer, MeV),
  ``F_Z``, ``F_N`` (proton and neutron form factors), ``weak`` (flavour → W_k, events per unit
  squared charge per node, before form factor and response), ``magnetic`` (flavour → M_k, events
  per μ_B² per node, before F_Z² and response) and ``response`` (R_bk, list over bins of lists over
  nodes; or a mapping flavour → such a matrix when the response differs by flavour). A charge
  Q_α(q) gives N_b = Σ_k R_bk W_k Q_α(q_k)², and dN/dT at a node is W_k Q_α(q_k)²/w_k (per keVnr).

All event numbers are for the experiment's full run (``run_time_s``). The four argon projections
have one bin (the step efficiency at the threshold) and one target (⁴⁰Ar) with F_Z = F_N = the
weak form factor; a binned data set with several nuclei and per-flavour responses fits the same
schema.
"""

import json

import numpy as np

from cevns_lib.analysis.sensitivity import MU_UNIT, CountModel
from cevns_lib.analysis.stats import DCHI2_90CL_1DOF
from cevns_lib.book.explorers import OBSERVABLES, spectrum_kernels
from cevns_lib.engine.kernels import FoldedCounts
from cevns_lib.experiments.projections import PROJECTIONS
from cevns_lib.physics import constants as c
from cevns_lib.physics import mediators as med
from cevns_lib.physics.form_factors import get_form_factor
from cevns_lib.physics.interactions import CHARGE_RADIUS_KAPPA, vector_couplings
from cevns_lib.physics.sources import FLAVOURS

SCHEMA = "cevns-kernels"
VERSION = 1

INTERVAL_GRIDS = {
    "sin2w": (0.15, 1e-5, np.arange(0.15, 0.35, 1e-5).size),
    "mu_nu": (0.0, 1e-3, 50001),
    "eps_u": (-0.2, 1e-5, 80001),
    "eps_d": (-0.2, 1e-5, 80001),
    "charge_radius": (-20.0, 1e-3, 30001),
}
"""Fine scans (start, step, n) of the 90% CL intervals: sin²θ_W as
:meth:`cevns_lib.analysis.sensitivity.CountModel.sin2w_interval`; μ_ν in 10⁻¹⁰ μ_B; ⟨r²⟩ in
10⁻³² cm²."""

PLOT_POINTS = 801
"""Points of the plotted Δχ² curves."""


def interval_grid(observable):
    """The fine scan grid x_i = start + i·step of an observable's 90% CL interval (see
    :data:`INTERVAL_GRIDS`)."""
    start, step, n = INTERVAL_GRIDS[observable]
    return start + step * np.arange(n)


def _floats(a):
    return [float(x) for x in np.asarray(a, dtype=float).ravel()]


def target_export(kernels, response, F_Z, F_N):
    """The ``targets`` entry of one nucleus (see the module docstring for the schema).

    Parameters
    ----------
    kernels : RecoilKernels
        Node weights of the nucleus for the exposure.
    response : ndarray
        R_bk, shape (n_bins, n_nodes), or a dict flavour → such an array.
    F_Z, F_N : callable
        Proton and neutron form factors F(q), q in MeV.
    """
    q = kernels.q
    fz, fn = np.asarray(F_Z(q), dtype=float), np.asarray(F_N(q), dtype=float)
    resp = {fl: np.atleast_2d(np.asarray(response[fl] if isinstance(response, dict) else response, dtype=float))
            for fl in FLAVOURS}
    for fl, R in resp.items():
        if R.shape[-1] != q.size:
            raise ValueError(f"response for {fl} has {R.shape[-1]} nodes, the kernels have {q.size}")
    W, M = kernels.weak, kernels.magnetic
    bins = {
        "weak_pp": {fl: _floats(resp[fl] @ (W[fl] * fz * fz)) for fl in FLAVOURS},
        "weak_pn": {fl: _floats(resp[fl] @ (W[fl] * fz * fn)) for fl in FLAVOURS},
        "weak_nn": {fl: _floats(resp[fl] @ (W[fl] * fn * fn)) for fl in FLAVOURS},
        "magnetic": {fl: _floats(resp[fl] @ (M[fl] * fz * fz)) for fl in FLAVOURS},
    }
    same = all(np.array_equal(resp[fl], resp[FLAVOURS[0]]) for fl in FLAVOURS)
    nodes = {
        "T_keV": _floats(kernels.grid.T / c.keV),
        "w_keV": _floats(kernels.grid.w / c.keV),
        "q_MeV": _floats(q),
        "F_Z": _floats(fz),
        "F_N": _floats(fn),
        "weak": {fl: _floats(W[fl]) for fl in FLAVOURS},
        "magnetic": {fl: _floats(M[fl]) for fl in FLAVOURS},
        "response": ([_floats(r) for r in resp[FLAVOURS[0]]] if same
                     else {fl: [_floats(r) for r in resp[fl]] for fl in FLAVOURS}),
    }
    nuc = kernels.nucleus
    return {"nucleus": nuc.name, "Z": int(nuc.Z), "N": int(nuc.N), "mass_MeV": float(nuc.mass),
            "bin_weights": bins, "nodes": nodes}


def projection_export(name, form_factor="helm"):
    """The ``experiments`` entry of a projected argon experiment: the kernels of
    :func:`cevns_lib.book.explorers.spectrum_kernels` (1 keVnr to the end point) and one bin, the
    step efficiency at the threshold; F_Z = F_N = the weak form factor ``form_factor``."""
    exp, k = spectrum_kernels(name)
    ff = get_form_factor(form_factor, exp.nucleus)
    R = exp.efficiency(k.grid.T)[None, :]
    return {"label": exp.label, "threshold_keVnr": float(exp.threshold_keVnr), "run_time_s": float(exp.run_time_s),
            "bins": [{"label": f"T ≥ {exp.threshold_keVnr:g} keVnr"}],
            "targets": [target_export(k, R, ff, ff)]}


def explorer_data(experiments=PROJECTIONS, form_factor="helm") -> dict:
    """Everything the website's explorers need, as a JSON-serialisable dict (schema: module docstring).

    Parameters
    ----------
    experiments : iterable of str
        Projected experiments (default: all of :data:`cevns_lib.experiments.projections.PROJECTIONS`).
    form_factor : str
        Weak form factor (also F_Z, F_N and the magnetic F_p).
    """
    obs = {}
    for name, meta in OBSERVABLES.items():
        lo, hi = meta["range"]
        obs[name] = {"label": meta.get("text", name), "unit": meta["unit"], "plot": [lo, hi, PLOT_POINTS],
                     "grid": list(INTERVAL_GRIDS[name][:2]) + [int(INTERVAL_GRIDS[name][2])]}
    models = {}
    for name in med.TREE_MODELS:
        m = med.get_model(name)
        models[name] = {"label": m.label, "nucleon": m.nucleon, "nu": {fl: m.neutrino_charge(fl) for fl in FLAVOURS}}
    return {
        "schema": SCHEMA, "version": VERSION, "flavours": list(FLAVOURS),
        "constants": {"sin2w_ref": c.sin2_theta_w_low_q, "charge_radius_kappa": CHARGE_RADIUS_KAPPA["paper_calibrated"],
                      "sqrt2_G_F": float(np.sqrt(2.0) * c.G_F), "dchi2_90cl": DCHI2_90CL_1DOF},
        "observables": obs,
        "zprime_models": models,
        "experiments": {name: projection_export(name, form_factor) for name in experiments},
    }


def to_json(data) -> str:
    """Compact JSON text (floats written with Python's shortest round-trip repr)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def html_data_script(data, element_id="cevns-kernel-data") -> str:
    """The data as an HTML ``<script type="application/json">`` element (``</`` escaped)."""
    text = to_json(data).replace("</", "<\\/")
    return f'<script type="application/json" id="{element_id}">{text}</script>'


# --- evaluation of an export in Python (the reference for the JavaScript) ------------------------

def couplings(flavour, sin2w, eps_u=0.0, eps_d=0.0, charge_radius=0.0, kappa=CHARGE_RADIUS_KAPPA["paper_calibrated"]):
    """(g_p, g_n) of a flavour at tree level with NSI on ν_e and a common charge radius (10⁻³² cm²),
    as :func:`cevns_lib.physics.interactions.weak_amplitude`."""
    gp, gn = vector_couplings(flavour, sin2w, "tree")
    gp = gp - kappa * charge_radius
    if flavour == "nu_e":
        gp, gn = gp + 2 * eps_u + eps_d, gn + eps_u + 2 * eps_d
    return gp, gn


def counts_from_export(target, sin2w=c.sin2_theta_w_low_q, mu_nu=0.0, eps_u=0.0, eps_d=0.0, charge_radius=0.0,
                       kappa=CHARGE_RADIUS_KAPPA["paper_calibrated"]):
    """Counts per bin of one exported target (``mu_nu`` in 10⁻¹⁰ μ_B), from ``bin_weights`` only."""
    bw = target["bin_weights"]
    Z, N = target["Z"], target["N"]
    total = 0.0
    for fl in FLAVOURS:
        gp, gn = couplings(fl, sin2w, eps_u, eps_d, charge_radius, kappa)
        total = total + ((Z * gp) ** 2 * np.asarray(bw["weak_pp"][fl]) + 2 * Z * gp * N * gn * np.asarray(bw["weak_pn"][fl])
                         + (N * gn) ** 2 * np.asarray(bw["weak_nn"][fl]) + (mu_nu * MU_UNIT) ** 2 * np.asarray(bw["magnetic"][fl]))
    return total


def folded_counts(target) -> FoldedCounts:
    """The exported single-bin weights of a target with F_Z = F_N as a library
    :class:`~cevns_lib.engine.kernels.FoldedCounts` (weak weight per unit 𝒜²)."""
    bw = target["bin_weights"]
    if any(not np.allclose(bw["weak_pp"][fl], bw["weak_nn"][fl], rtol=0, atol=0) for fl in FLAVOURS):
        raise ValueError("folded_counts needs F_Z = F_N (a single weak weight per flavour)")
    return FoldedCounts({fl: float(np.sum(bw["weak_pp"][fl])) for fl in FLAVOURS},
                        {fl: float(np.sum(bw["magnetic"][fl])) for fl in FLAVOURS})


def count_model(name, form_factor="helm") -> CountModel:
    """The library count model on exactly the exported grid of projection ``name`` (the reference
    of the website's Δχ² explorer)."""
    from cevns_lib.engine.prediction import Prediction, TargetBins

    exp, k = spectrum_kernels(name)
    F = get_form_factor(form_factor, exp.nucleus)
    tb = TargetBins.build(k, exp.efficiency(k.grid.T)[None, :], F, F)
    return CountModel(exp.nucleus, Prediction((tb,), "tree"))
