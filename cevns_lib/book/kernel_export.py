"""Export the factorised rate kernels as JSON for the website's in-browser explorers.

The explorers of the static website (``book/explorers.md``, script ``web/cevns-explorers.js``)
compute spectra, counts and Δχ² curves in the browser from the numbers written here, without a
Python kernel. Because the rates factorise (:mod:`cevns_lib.engine.kernels`), the export is exact:
counts are sums of exported weights times squared charges, so the browser reproduces
``cevns_lib`` to floating-point rounding.

Schema (``"schema": "cevns-kernels"``, ``"version": 2``)
---------------------------------------------------------
Top level:

- ``flavours``: the neutrino flavours, in the order used by every per-flavour mapping.
- ``constants``: ``sin2w_ref`` (Asimov/SM sin²θ_W), ``charge_radius_kappa`` (shift of g_V^p per
  10⁻³² cm² of ⟨r²_ν⟩), ``sqrt2_G_F`` (√2 G_F in MeV⁻²), ``dchi2_90cl`` (2.706).
- ``observables``: name → ``label``, ``unit``, ``plot`` ``[lo, hi, n_points]`` (the plotted scan)
  and ``grid`` ``[start, step, n_points]`` (the fine scan on which the 90% CL interval is found,
  x_i = start + i·step).
- ``mediator_kinds``: ``"tree"``, ``"loop"``, ``"scalar"`` → ``field`` (Z′ or φ), ``coupling`` and
  ``mass`` (the symbols of :mod:`cevns_lib.physics.mediators`), ``meaning`` (what the coupling is)
  and ``coupling_range`` ``[lo, hi]`` (the couplings the book scans,
  :data:`cevns_lib.analysis.mediator_scans.DEFAULT_GRIDS`).
- ``mediator_models``: every light mediator of the book, in the registry's order
  (:data:`~cevns_lib.physics.mediators.TREE_MODELS`, :data:`~cevns_lib.physics.mediators.LOOP_MODELS`,
  then the universal scalar :data:`SCALAR_MODEL`); name → ``label``, ``kind`` and

  * tree-level Z′: ``nu`` (flavour → Q′_ν) and ``nucleon`` (Q′_p = Q′_n, units of g);
  * kinetic-mixing Z′: ``nu``, ``loop_leptons`` (α, β), ``loop_masses_MeV`` (m_α, m_β) and
    ``loop_coefficient`` s·2α/π, so that Q′_p(q) = s (2α/π) I(q; m_α, m_β) and Q′_n = 0, with I the
    closed form :func:`loop_integral_closed_form` (units of g; s = +1 as the library's default
    ``loop_sign``);
  * scalar: ``nucleon_charges`` {proton, neutron}, Q_φ = 15.1 Z F_Z + 14 N F_N (units of g_φ).

  A vector mediator of mass M and coupling g adds to the charge of flavour α
  g² Q′_ν [Q′_p(q) Z F_Z + Q′_n N F_N]/(√2 G_F (q² + M²)); the scalar adds, per node and flavour,
  g_φ⁴ Q_φ(q)²/(q² + M²)² × ``nodes.scalar`` to the events (incoherently).
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
  per μ_B² per node, before F_Z² and response), ``scalar`` (flavour → S_k, events per unit
  g_φ⁴ Q_φ²/(q² + M_φ²)² per node in MeV⁴, before response, from dσ_φ/dT of Cerdeño et al.,
  arXiv:1604.01025) and ``response`` (R_bk, list over bins of lists over
  nodes; or a mapping flavour → such a matrix when the response differs by flavour). A charge
  Q_α(q) gives N_b = Σ_k R_bk W_k Q_α(q_k)², and dN/dT at a node is W_k Q_α(q_k)²/w_k (per keVnr).

All event numbers are for the experiment's full run (``run_time_s``). The four argon projections
have one bin (the step efficiency at the threshold) and one target (⁴⁰Ar) with F_Z = F_N = the
weak form factor; a binned data set with several nuclei and per-flavour responses fits the same
schema.
"""

import json

import numpy as np

from cevns_lib.analysis.mediator_scans import DEFAULT_GRIDS
from cevns_lib.analysis.sensitivity import MU_UNIT, CountModel
from cevns_lib.analysis.stats import DCHI2_90CL_1DOF
from cevns_lib.book.explorers import OBSERVABLES, spectrum_kernels
from cevns_lib.engine.kernels import FoldedCounts
from cevns_lib.engine.prediction import Prediction, TargetBins
from cevns_lib.experiments.projections import PROJECTIONS
from cevns_lib.physics import constants as c
from cevns_lib.physics import mediators as med
from cevns_lib.physics.form_factors import get_form_factor
from cevns_lib.physics.interactions import CHARGE_RADIUS_KAPPA, vector_couplings
from cevns_lib.physics.sources import FLAVOURS

SCHEMA = "cevns-kernels"
VERSION = 2
"""Version 2: ``mediator_models`` (tree-level and kinetic-mixing Z′, scalar) replaced ``zprime_models``."""

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

SCALAR_MODEL = "scalar"
"""Name of the universal light scalar (Cerdeño et al., arXiv:1604.01025), the key under which
:func:`cevns_lib.analysis.mediator_scans.scan` and the light-mediator chapter know it."""

MEDIATOR_KINDS = {
    "tree": {"field": "Z′", "coupling": "g", "mass": "M_Z′",
             "meaning": "g is the U(1)′ gauge coupling; quarks and leptons carry the model's charges Q′ at tree level"},
    "loop": {"field": "Z′", "coupling": "g", "mass": "M_Z′",
             "meaning": "g is the U(1)′ gauge coupling; the quarks carry no charge, and the proton couples through "
                        "γ–Z′ kinetic mixing at one loop, Q′_p(q) = (2α/π) I(q) (units of g)"},
    "scalar": {"field": "φ", "coupling": "g_φ", "mass": "M_φ",
               "meaning": "g_φ is the common coupling of φ to neutrinos and quarks; the nucleus carries "
                          f"Q_φ = {med.SCALAR_NUCLEON_CHARGES['proton']:g} Z F_Z + "
                          f"{med.SCALAR_NUCLEON_CHARGES['neutron']:g} N F_N and φ adds to the rate without interference"},
}
"""Symbols and the meaning of the coupling per mediator kind, as in :mod:`cevns_lib.physics.mediators`
(arXiv:2202.11002 for the Z′ models, arXiv:1604.01025 for the scalar)."""


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
    S = TargetBins.build(kernels, np.ones((1, q.size)), F_Z, F_N).scalar  # identity response: per node
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
        "scalar": {fl: _floats(S[fl][0]) for fl in FLAVOURS},
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


def mediator_kinds() -> dict:
    """The ``mediator_kinds`` entry: :data:`MEDIATOR_KINDS` with the coupling range that the book
    scans for each kind (the ``g`` grid of :data:`cevns_lib.analysis.mediator_scans.DEFAULT_GRIDS`)."""
    return {kind: {**meta, "coupling_range": [float(DEFAULT_GRIDS[kind]["g"].min()),
                                             float(DEFAULT_GRIDS[kind]["g"].max())]}
            for kind, meta in MEDIATOR_KINDS.items()}


def zprime_model_export(model) -> dict:
    """The ``mediator_models`` entry of a Z′ model of the charge table (see the module docstring).

    Parameters
    ----------
    model : ZprimeModel
        A tree-level or kinetic-mixing model of :mod:`cevns_lib.physics.mediators`.
    """
    out = {"label": model.label, "kind": model.kind, "nu": {fl: model.neutrino_charge(fl) for fl in FLAVOURS}}
    if model.kind == "tree":
        out["nucleon"] = model.nucleon
    else:
        out["loop_leptons"] = list(model.loop_leptons)
        out["loop_masses_MeV"] = [float(med.LEPTON_MASSES[lep]) for lep in model.loop_leptons]
        out["loop_coefficient"] = float(2.0 * c.alpha_em / np.pi)  # loop_sign = +1, the library default
    return out


def mediator_models() -> dict:
    """The ``mediator_models`` entry: every Z′ model of the registry, then the universal scalar."""
    models = {name: zprime_model_export(med.get_model(name)) for name in (*med.TREE_MODELS, *med.LOOP_MODELS)}
    models[SCALAR_MODEL] = {"label": "universal scalar", "kind": "scalar",
                            "nucleon_charges": {k: float(v) for k, v in med.SCALAR_NUCLEON_CHARGES.items()}}
    return models


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
    return {
        "schema": SCHEMA, "version": VERSION, "flavours": list(FLAVOURS),
        "constants": {"sin2w_ref": c.sin2_theta_w_low_q, "charge_radius_kappa": CHARGE_RADIUS_KAPPA["paper_calibrated"],
                      "sqrt2_G_F": float(np.sqrt(2.0) * c.G_F), "dchi2_90cl": DCHI2_90CL_1DOF},
        "observables": obs,
        "mediator_kinds": mediator_kinds(),
        "mediator_models": mediator_models(),
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


def vacuum_polarisation_log(a):
    """J(a) = ∫₀¹ dx x(1−x) ln[1 + a x(1−x)] for a = q²/m² ≥ 0 (dimensionless), in closed form.

    Elementary integration (the one-loop vacuum-polarisation function at space-like momentum, e.g.
    Peskin & Schroeder, *An Introduction to Quantum Field Theory* (1995), §7.5): with r = 4/a and
    β = √(1 + r),

        J(a) = [−5/3 + r + (1 − r/2) β ln((β + 1)/(β − 1))]/6,

    with ln((β+1)/(β−1)) = 2 ln(β + 1) − ln r (no cancellation in β − 1 for large a). For a ≤ 1 the
    closed form loses digits (its terms are ~4/a, J ≈ a/30), so the series
    J = Σ_k (−1)^{k+1} a^k/k · ((k+1)!)²/(2k+3)! (40 terms, ratio → a/4) is used instead.
    """
    a = np.asarray(a, dtype=float)
    if np.any(~np.isfinite(a)) or np.any(a < 0):
        raise ValueError(f"a = q²/m² must be finite and >= 0, got {a!r}")
    out = np.empty_like(a)
    small = a <= 1.0
    series, coeff, power = np.zeros_like(a[small]), 1.0 / 30.0, np.ones_like(a[small])
    for k in range(1, 41):
        power = -power * a[small]
        series -= power * coeff / k
        coeff *= (k + 2) / (2.0 * (2 * k + 5))
    out[small] = series
    r = 4.0 / a[~small]
    beta = np.sqrt(1.0 + r)
    out[~small] = (-5.0 / 3.0 + r + (1.0 - r / 2.0) * beta * (2.0 * np.log1p(beta) - np.log(r))) / 6.0
    return out


def loop_integral_closed_form(q, m_alpha, m_beta):
    """The kinetic-mixing loop integral of :func:`cevns_lib.physics.mediators.loop_integral` in closed
    form (the formula of the browser explorer; dimensionless):

        I(q) = ∫₀¹ dx x(1−x) ln[(m_β² + x(1−x)q²)/(m_α² + x(1−x)q²)]
             = (1/6) ln(m_β²/m_α²) + J(q²/m_β²) − J(q²/m_α²),

    with J = :func:`vacuum_polarisation_log`. q, m_α, m_β in MeV.
    """
    q = np.asarray(q, dtype=float)
    return np.log(m_beta**2 / m_alpha**2) / 6.0 + vacuum_polarisation_log(q**2 / m_beta**2) \
        - vacuum_polarisation_log(q**2 / m_alpha**2)


def vector_nucleon_charges(model, q):
    """(Q′_p(q), Q′_n(q)) of an exported Z′ model at momenta q (MeV), in units of g."""
    q = np.asarray(q, dtype=float)
    if model["kind"] == "tree":
        return np.full(q.shape, model["nucleon"]), np.full(q.shape, model["nucleon"])
    return model["loop_coefficient"] * loop_integral_closed_form(q, *model["loop_masses_MeV"]), np.zeros(q.shape)


def mediator_counts_from_export(data, target, model_name, mass, coupling):
    """Counts per bin of one exported target with a light mediator at Standard-Model couplings
    (sin²θ_W = ``sin2w_ref``), from the ``nodes`` only — what the browser's mediator explorer computes.

    Parameters
    ----------
    data : dict
        The export (:func:`explorer_data`).
    target : dict
        One entry of an experiment's ``targets``.
    model_name : str
        Key of ``data["mediator_models"]``.
    mass : float
        Mediator mass M in MeV (> 0).
    coupling : float
        g for a Z′, g_φ for the scalar.
    """
    model, nd, K = data["mediator_models"][model_name], target["nodes"], data["constants"]
    q, fz, fn = (np.asarray(nd[key]) for key in ("q_MeV", "F_Z", "F_N"))
    Z, N = target["Z"], target["N"]
    total = 0.0
    for fl in data["flavours"]:
        gp, gn = couplings(fl, K["sin2w_ref"])
        Q = Z * gp * fz + N * gn * fn
        extra = 0.0
        if model["kind"] == "scalar":
            ch = model["nucleon_charges"]
            Qphi = ch["proton"] * Z * fz + ch["neutron"] * N * fn
            extra = coupling**4 * Qphi**2 / (q**2 + mass**2) ** 2 * np.asarray(nd["scalar"][fl])
        else:
            qp, qn = vector_nucleon_charges(model, q)
            Q = Q + coupling**2 * model["nu"][fl] * (qp * Z * fz + qn * N * fn) / (K["sqrt2_G_F"] * (q**2 + mass**2))
        events = np.asarray(nd["weak"][fl]) * Q**2 + extra
        R = nd["response"] if isinstance(nd["response"], list) else nd["response"][fl]
        total = total + np.asarray(R) @ events
    return total


def folded_counts(target) -> FoldedCounts:
    """The exported single-bin weights of a target with F_Z = F_N as a library
    :class:`~cevns_lib.engine.kernels.FoldedCounts` (weak weight per unit 𝒜²)."""
    bw = target["bin_weights"]
    if any(not np.allclose(bw["weak_pp"][fl], bw["weak_nn"][fl], rtol=0, atol=0) for fl in FLAVOURS):
        raise ValueError("folded_counts needs F_Z = F_N (a single weak weight per flavour)")
    return FoldedCounts({fl: float(np.sum(bw["weak_pp"][fl])) for fl in FLAVOURS},
                        {fl: float(np.sum(bw["magnetic"][fl])) for fl in FLAVOURS})


def projection_prediction(name, form_factor="helm") -> Prediction:
    """The library prediction (tree-level couplings) of projection ``name`` on exactly its exported
    grid and response: the reference of the website's explorers."""
    exp, k = spectrum_kernels(name)
    F = get_form_factor(form_factor, exp.nucleus)
    return Prediction((TargetBins.build(k, exp.efficiency(k.grid.T)[None, :], F, F),), "tree")


def count_model(name, form_factor="helm") -> CountModel:
    """The library count model on exactly the exported grid of projection ``name`` (the reference
    of the website's Δχ² explorer)."""
    pred = projection_prediction(name, form_factor)
    return CountModel(pred.targets[0].nucleus, pred)


def library_mediator_count(name, model_name, mass, coupling, form_factor="helm") -> float:
    """Events above threshold of projection ``name`` with a light mediator, from the library's binned
    engine (:meth:`~cevns_lib.engine.prediction.Prediction.zprime_coefficients` or
    :meth:`~cevns_lib.engine.prediction.Prediction.scalar_coefficients`): the reference of the
    website's mediator explorer. ``model_name`` is a Z′ model or :data:`SCALAR_MODEL`; ``mass`` in
    MeV; ``coupling`` is g (Z′) or g_φ (scalar)."""
    pred = projection_prediction(name, form_factor)
    if model_name == SCALAR_MODEL:
        A, S = pred.scalar_coefficients([mass])
        return float(np.sum(A + coupling**4 * S[0]))
    A, B, C = pred.zprime_coefficients(model_name, [mass])
    return float(np.sum(A + coupling**2 * B[0] + coupling**4 * C[0]))
