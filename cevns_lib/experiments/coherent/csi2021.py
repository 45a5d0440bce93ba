"""COHERENT CsI[Na] full data set (PRL 129, 081801 (2022), arXiv:2110.07730): response, data, χ².

Most faithful reconstruction available here of the analysis of Atzori Corona et al., JHEP 05 (2022)
109, arXiv:2202.11002 (its method section was not read). Bins: 9 in reconstructed PE × 11 in arrival
time (edges :data:`PE_EDGES`, :data:`TIME_EDGES_US`: COHERENT's binning as found in public code;
whether arXiv:2202.11002 uses it is not known). Poisson least squares

    χ² = 2 Σ_ij [ Σ_z (1+η_z) N_ij^z − N_ij^C + N_ij^C ln(N_ij^C / Σ_z (1+η_z) N_ij^z) ] + Σ_z (η_z/σ_z)²,

z ∈ {CEvNS, BRN, NIN, SS}; N^C the beam-on coincidence counts, N^SS the anti-coincidence counts.

Response (the release files read by the data loader): E_ee(T) quartic in T (MeVnr → MeVee);
light yield 13.35 PE/keVee; PE resolution a Gamma distribution of shape 1+b, rate a(1+b) with
a = 0.0749/E_ee, b = 9.56 E_ee (E_ee in keVee; as in Newtrinos.jl); energy efficiency logistic +
offset, clipped at 0; time efficiency 1 below 0.52 µs, exp(−0.0494 (t/µs − 0.52)) above (recalled;
confirmed later by two independent public codes, the release README was not read).
Assumptions flagged in the chapter (not checked against the papers, or inferred): binning, σ_z,
BRN/NIN normalisations, the SNS timing (Gaussian proton pulse ⊗ π, μ decay, centre inferred from
the released NIN time PDF since ``snsFlux2D.root`` is missing), the BRN/NIN PDFs taken as already
including the efficiencies.
"""

import numpy as np

from cevns_lib.physics import constants as c
from cevns_lib.experiments.projections import registry_quantity
from cevns_lib.physics.nuclei import get_nucleus
from cevns_lib.engine.kernels import RecoilKernels
from cevns_lib.physics.sources import FLAVOURS, arrival_time_pdf, fluence_from_pot
from cevns_lib.datafiles import loader
from cevns_lib.engine.prediction import Prediction, TargetBins
from cevns_lib.physics.form_factors import get_form_factor_pair
from cevns_lib.experiments.likelihood_spec import Background, LikelihoodSpec, Nuisance

DATASET = "csi2021"
DEFAULT_FORM_FACTOR = "helm_point_radii"
"""Helm with the point-proton and point-neutron radii of the light-mediator fits (arXiv:2008.05022)."""
PE_EDGES = np.array([0.0, 8, 12, 16, 20, 24, 32, 40, 50, 60])
"""PE bin edges (9 bins): COHERENT's binning of arXiv:2110.07730 as found in public code; recalled for
arXiv:2202.11002, whose own binning is not known."""
TIME_EDGES_US = np.array([0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0, 2.0, 4.0, 6.0])
"""Arrival-time bin edges in µs (11 bins; COHERENT's, as found in public code; arXiv:2202.11002's own
binning is not known)."""
RESOLUTION = {"a": 0.0749, "b": 9.56}
"""Gamma PE resolution parameters (keVee units; COHERENT 2021 release via Newtrinos.jl)."""
TIME_EFFICIENCY = {"t0_us": 0.52, "rate_per_us": 0.0494}
"""Time efficiency ε_T (2021 release README, recalled and not read; the values are confirmed by two
independent public codes)."""
BACKGROUND_COUNTS = {"BRN": 18.0, "NIN": 6.0}
"""Predicted beam-related and neutrino-induced neutron counts in 0–60 PE, 0–6 µs
(arXiv:2110.07730, recalled, not checked against the paper; public reproduction code found later has
18.4 ± 4.6 and 5.6 ± 2.0, of which these are the rounded values)."""
NUISANCE_SIGMAS = {"CEvNS": 0.12, "BRN": 0.25, "NIN": 0.35, "SS": 0.021}
"""Fractional nuisance widths (arXiv:2202.11002 / later papers of the group, recalled, not checked
against the papers; the steady-state 2.1% is confirmed by public reproduction code, whose BRN and NIN
widths, 4.6/18.4 and 2.0/5.6, are close to 25% and 35%; the CEvNS width is not confirmed)."""
BEAM_PULSE_SIGMA_US = 0.15
"""Gaussian width of the SNS proton pulse (LArParametersAnlA.yaml, 150 ns)."""


def exposure() -> dict:
    """{"pot", "baseline_m", "mass_kg", "nu_per_flavour_per_pot", "light_yield"} from the registry."""
    get = lambda k: registry_quantity("coherent", DATASET, k).value  # noqa: E731
    return {"pot": get("pot"), "baseline_m": get("baseline_m"), "mass_kg": get("target_mass_kg"),
            "nu_per_flavour_per_pot": get("nu_per_flavour_per_pot"),
            "light_yield": get("light_yield_pe_per_keVee")}


def _coefficient_rows(name):
    """Coefficient rows of a release file (first row = nominal)."""
    return loader.load_table(DATASET, name)


def quenching(T, variant=0):
    """Electron-equivalent energy E_ee (MeV) of a nuclear recoil T (MeV); ``variant`` picks the row
    of scintRespCoefficients.txt (0 nominal, 1–4 the ±1σ models)."""
    a, b, cc, d = _coefficient_rows("scintRespCoefficients.txt")[variant]
    x = np.asarray(T, dtype=float)
    return a * x + b * x**2 + cc * x**3 + d * x**4


def energy_efficiency(pe, variant=0):
    """ε_E(x) = a/(1+exp(−b(x−c))) + d, clipped to [0, 1], x in PE."""
    a, b, cc, d = _coefficient_rows("effCoefficients.txt")[variant]
    return np.clip(a / (1.0 + np.exp(-b * (np.asarray(pe, dtype=float) - cc))) + d, 0.0, 1.0)


def time_efficiency(t_us):
    """ε_T(t): 1 below 0.52 µs, exp(−0.0494 (t − 0.52)) above (t in µs)."""
    t = np.asarray(t_us, dtype=float)
    t0, r = TIME_EFFICIENCY["t0_us"], TIME_EFFICIENCY["rate_per_us"]
    return np.where(t < t0, 1.0, np.exp(-r * (t - t0)))


def pe_response(T, edges=PE_EDGES, light_yield=13.35, qf_variant=0, eff_variant=0, sub_bins=8):
    """R[b, k]: probability that a recoil T_k (MeV) is reconstructed in PE bin b, × ε_E.

    The Gamma resolution is integrated with its CDF on sub-bins of 1/``sub_bins`` PE, with ε_E at each
    sub-bin centre.
    """
    from scipy.special import gammainc

    Eee = quenching(T, qf_variant) / c.keV                  # keVee
    Eee = np.maximum(Eee, 1e-9)
    shape = 1.0 + RESOLUTION["b"] * Eee
    rate = shape / (light_yield * Eee)                       # mean PE = shape/rate = LY·E_ee (a = 1/LY)
    fine = np.arange(0.0, edges[-1] + 1e-9, 1.0 / sub_bins)
    cdf = gammainc(shape[None, :], rate[None, :] * fine[:, None])
    p = np.diff(cdf, axis=0) * energy_efficiency(0.5 * (fine[1:] + fine[:-1]), eff_variant)[:, None]
    which = np.digitize(0.5 * (fine[1:] + fine[:-1]), edges) - 1
    R = np.zeros((len(edges) - 1, np.size(T)))
    np.add.at(R, which, p)
    return R


PULSE_FIT_RANGE_US = (0.0, 2.0)
"""Range of the pulse centre searched by :func:`infer_beam_timing` (µs)."""


def _pulse_fit_residuals(t, y, t0):
    """Residuals (n_t0, n_t) of the best f·prompt + (1−f)·delayed density (f in [0, 1], in closed
    form: the model is linear in f) to the density ``y`` at times ``t`` [µs], for each pulse centre
    of the array ``t0`` [µs]; returns (residuals, f), f one value per centre."""
    shifted = t[None, :] - t0[:, None]
    prompt = arrival_time_pdf(shifted, "nu_mu", BEAM_PULSE_SIGMA_US)
    delayed = arrival_time_pdf(shifted, "nu_e", BEAM_PULSE_SIGMA_US)
    d, r = prompt - delayed, delayed - y
    f = np.clip(-(d * r).sum(axis=1) / (d * d).sum(axis=1), 0.0, 1.0)
    return r + f[:, None] * d, f


def _pulse_fit_cost(t, y, t0):
    """Squared residual (cost) and f of :func:`_pulse_fit_residuals`, one value per centre."""
    res, f = _pulse_fit_residuals(t, y, t0)
    return (res**2).sum(axis=1), f


def infer_beam_timing(xtol_us=1e-12):
    """Centre (µs) of the Gaussian proton pulse, fitted to the released NIN arrival-time PDF.

    Neutrino-induced neutrons follow the neutrino timing, so ninTrec.txt is fitted (least squares)
    with f·prompt + (1−f)·delayed (:func:`cevns_lib.physics.sources.arrival_time_pdf`, width 150 ns),
    0 ≤ f ≤ 1. The fraction f is solved in closed form at each centre; the centre is the minimum of
    a grid over :data:`PULSE_FIT_RANGE_US` (5-ns steps), refined around the best point by finer grids
    until the step is below ``xtol_us``. Returns {"mean_us", "prompt_fraction", "max_residual"}; the
    result is an *inferred* input.
    """
    if not (np.isfinite(xtol_us) and xtol_us > 0):
        raise ValueError(f"xtol_us must be a positive number of µs, got {xtol_us!r}")
    t, y = loader.load_table(DATASET, "ninTrec.txt").T
    if not (np.all(np.isfinite(y)) and np.all(y >= 0) and y.sum() > 0):
        raise ValueError("ninTrec.txt must hold a non-negative arrival-time density; re-fetch csi2021")
    dt = t[1] - t[0]
    y = y / (y.sum() * dt)
    lo, hi = PULSE_FIT_RANGE_US
    t0 = np.linspace(lo, hi, 401)
    while True:
        res, f = _pulse_fit_residuals(t, y, t0)
        i = int(np.argmin((res**2).sum(axis=1)))
        step = t0[1] - t0[0]
        if step < xtol_us or step <= 4 * np.spacing(t0[i]):     # (finer than rounding: done)
            break
        t0 = np.linspace(max(t0[i] - step, lo), min(t0[i] + step, hi), 41)
    return {"mean_us": float(t0[i]), "prompt_fraction": float(f[i]),
            "max_residual": float(np.max(np.abs(res[i])) / y.max())}


def time_response(pulse_mean_us, edges=TIME_EDGES_US, step_ns=2.0) -> dict:
    """flavour → fraction of CEvNS events in each time bin, × ε_T (midpoint rule on 2-ns steps)."""
    t = np.arange(edges[0], edges[-1], step_ns * 1e-3) + 0.5 * step_ns * 1e-3
    which = np.digitize(t, edges) - 1
    out = {}
    for fl in FLAVOURS:
        dens = arrival_time_pdf(t, fl, BEAM_PULSE_SIGMA_US, pulse_mean_us) * time_efficiency(t) * step_ns * 1e-3
        out[fl] = np.bincount(which, weights=dens, minlength=len(edges) - 1)
    return out


def prediction(pulse_mean_us=None, panels_per_decade=4, order=8, coupling_scheme="radiative",
               form_factor=DEFAULT_FORM_FACTOR, pe_edges=PE_EDGES, time_edges=TIME_EDGES_US, qf_variant=0, eff_variant=0):
    """Binned CEvNS prediction, bins flattened PE-major: index = i_PE · n_t + i_t."""
    ex = exposure()
    if pulse_mean_us is None:
        pulse_mean_us = infer_beam_timing()["mean_us"]
    fluence = fluence_from_pot(ex["nu_per_flavour_per_pot"], ex["pot"], ex["baseline_m"])
    tr = time_response(pulse_mean_us, time_edges)
    targets = []
    for name in ("Cs133", "I127"):
        nuc = get_nucleus(name)
        n_t = ex["mass_kg"] * nuc.targets_per_kg()
        k = RecoilKernels.build(nuc, n_t, fluence, t_min=1.0 * c.keV, recoil_term=False,
                                breakpoints=(3.0 * c.keV, 10.0 * c.keV, 30.0 * c.keV),
                                panels_per_decade=panels_per_decade, order=order)
        Rpe = pe_response(k.grid.T, pe_edges, ex["light_yield"], qf_variant, eff_variant)
        resp = {fl: (Rpe[:, None, :] * tr[fl][None, :, None]).reshape(-1, k.grid.T.size) for fl in FLAVOURS}
        FZ, FN = get_form_factor_pair(form_factor, nuc)
        targets.append(TargetBins.build(k, resp, FZ, FN))
    return Prediction(tuple(targets), coupling_scheme)


def _events(name):
    tab = loader.load_table(DATASET, name)
    return tab[:, 0], tab[:, 1]


def observed(pe_edges=PE_EDGES, time_edges=TIME_EDGES_US) -> dict:
    """C and AC counts per (PE, t) bin, flattened PE-major."""
    out = {}
    for key, name in (("C", "dataBeamOnC.txt"), ("AC", "dataBeamOnAC.txt")):
        pe, t = _events(name)
        h, _, _ = np.histogram2d(pe, t, bins=[pe_edges, time_edges])
        out[key] = h.ravel()
    return out


def _rebin_cells(centres, values, edges):
    """Content of uniform cells (given by their centres) per bin, splitting a cell that straddles a
    bin edge by its overlap (the released time PDFs have 10 ns cells centred on some bin edges)."""
    width = float(np.median(np.diff(centres)))
    lo = np.maximum(centres[None, :] - width / 2, edges[:-1, None])
    hi = np.minimum(centres[None, :] + width / 2, edges[1:, None])
    return (np.clip(hi - lo, 0.0, None) / width) @ values


def _pdf_2d(pe_name, t_name, pe_edges, time_edges):
    pe, ppe = loader.load_table(DATASET, pe_name).T
    t, pt = loader.load_table(DATASET, t_name).T
    hp = _rebin_cells(pe, ppe, np.asarray(pe_edges, dtype=float))
    ht = _rebin_cells(t, pt, np.asarray(time_edges, dtype=float))
    inside_pe = _rebin_cells(pe, ppe, np.array([pe_edges[0], pe_edges[-1]], dtype=float))[0]
    inside_t = _rebin_cells(t, pt, np.array([time_edges[0], time_edges[-1]], dtype=float))[0]
    return np.outer(hp / inside_pe, ht / inside_t).ravel()


def backgrounds(pe_edges=PE_EDGES, time_edges=TIME_EDGES_US, counts=None) -> dict:
    """BRN and NIN predictions per bin: released PE × time PDFs (normalised inside the window) × counts."""
    counts = BACKGROUND_COUNTS if counts is None else counts
    return {"BRN": counts["BRN"] * _pdf_2d("brnPE.txt", "brnTrec.txt", pe_edges, time_edges),
            "NIN": counts["NIN"] * _pdf_2d("ninPE.txt", "ninTrec.txt", pe_edges, time_edges)}


def likelihood_spec(pe_edges=PE_EDGES, time_edges=TIME_EDGES_US) -> LikelihoodSpec:
    """Poisson χ² in PE × time of the beam-on coincidence counts with CEvNS, BRN, NIN and
    steady-state (the anti-coincidence counts) normalisation pulls (arXiv:2202.11002, recalled, not
    checked against the paper)."""
    obs = observed(pe_edges, time_edges)
    bg = backgrounds(pe_edges, time_edges)
    src = "arXiv:2202.11002 / later papers of the group (recalled, not checked against the papers)"
    return LikelihoodSpec(
        "poisson", obs["C"], Nuisance("CEvNS", NUISANCE_SIGMAS["CEvNS"], src),
        backgrounds=(Background(Nuisance("BRN", NUISANCE_SIGMAS["BRN"], src), bg["BRN"]),
                     Background(Nuisance("NIN", NUISANCE_SIGMAS["NIN"], src), bg["NIN"]),
                     Background(Nuisance("SS", NUISANCE_SIGMAS["SS"],
                                         "steady-state prior 2.1% (recalled; confirmed by public reproduction code)"),
                                obs["AC"])))
