"""COHERENT CENNS-10 liquid argon, Analysis A (PRL 126, 012002 (2021), arXiv:2003.10630): χ².

The least squares of Cadeddu et al. (PRD 102, 015030 (2020), arXiv:2005.01645; reused in
arXiv:2008.05022; whether arXiv:2202.11002 fits energy only or energy × time is not known) in 12
reconstructed-energy bins of 10 keVee (0–120 keVee), as given by a third-party transcription of the
arXiv:2008.05022 TeX source (not checked against the papers):

    χ² = Σ_i [N_i^exp − η_C N_i^CEvNS − η_P B_i^PBRN − η_L B_i^LBRN]²/σ_i² + Σ_z ((η_z − 1)/σ_z)²,

N^exp the steady-state-subtracted counts of ``energydata1d.txt`` and σ_i² = (σ_i^stat)² +
(σ_BRNES B_i^PBRN)², σ_BRNES = 0.058/√12 (BRN energy-shape uncertainty spread over the bins);
σ_C = 13.4%, σ_P = 32%, σ_L = 100%. B^PBRN and B^LBRN are the energy projections of the released
3-D PDFs (497 and 33 predicted events). The CEvNS prediction is computed from first principles
with the detector response of :mod:`cevns_lib.experiments.coherent.ar2020_response` (quenching, Gaussian
resolution and efficiency of the release).

:class:`EnergyTimeLikelihood` is the alternative Poisson χ² in 12 energy × 10 arrival-time bins
of the beam-on data with the released shape systematics (robustness check of the light-mediator
chapter; :func:`cevns_lib.analysis.mediator_scans.load_dataset` with ``ar_fit="energy_time"``).
"""

import numpy as np

from cevns_lib.physics.sources import FLAVOURS
from cevns_lib.experiments.coherent import ar2020_response as resp
from cevns_lib.datafiles import loader
from cevns_lib.engine.prediction import Prediction, TargetBins
from cevns_lib.physics.form_factors import get_form_factor_pair
from cevns_lib.experiments.likelihood_spec import Background, LikelihoodSpec, Nuisance, Shape

DATASET = resp.DATASET
DEFAULT_FORM_FACTOR = "helm_point_radii"
"""Helm with the point-proton and point-neutron radii of the light-mediator fits (arXiv:2008.05022)."""
NUISANCE_SIGMAS = {"CEvNS": 0.134, "PBRN": 0.32, "LBRN": 1.0}
"""Fractional uncertainties of the CEvNS, prompt-BRN and delayed-BRN normalisations
(arXiv:2005.01645 / 2008.05022, from a third-party transcription of the arXiv:2008.05022 TeX source;
not checked against the papers)."""
BRN_SHAPE_SIGMA = 0.058 / np.sqrt(12.0)
"""Per-bin BRN energy-shape uncertainty (5.8% spread over 12 bins; arXiv:2008.05022 as transcribed by a
third party from its TeX source, not checked against the paper)."""
EXPOSURES = ("release", "paper")


def exposure(which="release") -> dict:
    """``release``: LArParametersAnlA.yaml (1.38e23 POT, 24.4 kg); ``paper``: arXiv:2008.05022
    (1.37e23 POT, 24 kg)."""
    if which == "release":
        return resp.release_exposure()
    if which == "paper":
        return resp.paper_exposure()
    raise ValueError(f"exposure must be one of {EXPOSURES}, got {which!r}")


def prediction(which_exposure="release", timing_window=True, panels_per_decade=4, order=8,
               coupling_scheme="radiative", form_factor=DEFAULT_FORM_FACTOR, time_bins=False,
               pulse_shift_us=0.0) -> Prediction:
    """Binned CEvNS prediction in the 12 energy bins, or in 12 energy × 10 time bins.

    ``timing_window=True`` multiplies each flavour by the fraction arriving in the release's
    analysis window (−0.1…4.9 µs), the window of the data and of the 128-event prediction.
    ``time_bins=True`` splits each energy bin into the release's ten 0.5-µs time bins (flattened
    energy-major: index = i_E · 10 + i_t; implies the window); ``pulse_shift_us`` moves the proton
    pulse centre (timing systematics).
    """
    ex = exposure(which_exposure)
    k = resp.kernels(ex, panels_per_decade=panels_per_decade, order=order, recoil_term=False)
    R = resp.bin_response(k)
    if time_bins:
        tfrac = {fl: resp.timing_bin_fractions(fl, pulse_shift_us=pulse_shift_us) for fl in FLAVOURS}
        response = {fl: (R[:, None, :] * tfrac[fl][None, :, None]).reshape(-1, R.shape[-1]) for fl in FLAVOURS}
    else:
        frac = {fl: (float(resp.timing_bin_fractions(fl, pulse_shift_us=pulse_shift_us).sum())
                     if timing_window else 1.0) for fl in FLAVOURS}
        response = {fl: R * frac[fl] for fl in FLAVOURS}
    FZ, FN = get_form_factor_pair(form_factor, k.nucleus)
    tb = TargetBins.build(k, response, FZ, FN)
    return Prediction((tb,), coupling_scheme)


def _energy_projection(name):
    tab = loader.load_table(DATASET, name)
    e, counts = tab[:, 0], tab[:, -1]
    centres = 0.5 * (resp.ENERGY_BIN_EDGES_KEVEE[1:] + resp.ENERGY_BIN_EDGES_KEVEE[:-1])
    return np.array([counts[np.isclose(e, x)].sum() for x in centres])


def observed() -> dict:
    """SS-subtracted counts and their statistical errors per energy bin (energydata1d.txt)."""
    tab = loader.load_table(DATASET, "energydata1d.txt")
    return {"counts": tab[:, 1], "stat_error": tab[:, 2], "best_fit_cevns": tab[:, 3],
            "best_fit_brn": tab[:, 4]}


def backgrounds() -> dict:
    """Prompt and delayed BRN predictions per energy bin (projections of brnpdf, delbrnpdf)."""
    return {"PBRN": _energy_projection("brnpdf.txt"), "LBRN": _energy_projection("delbrnpdf.txt")}


def likelihood_spec() -> LikelihoodSpec:
    """Gaussian least squares in 12 energy bins (arXiv:2005.01645): SS-subtracted data, σ_i² = stat² +
    (BRN shape × PBRN)², pulls for CEvNS, prompt BRN and delayed BRN centred on 0."""
    obs = observed()
    bg = backgrounds()
    src = "arXiv:2005.01645 / 2008.05022 (third-party transcription of the TeX source; not checked against the paper)"
    return LikelihoodSpec(
        "gaussian", obs["counts"], Nuisance("CEvNS", NUISANCE_SIGMAS["CEvNS"], src),
        backgrounds=(Background(Nuisance("PBRN", NUISANCE_SIGMAS["PBRN"], src), bg["PBRN"]),
                     Background(Nuisance("LBRN", NUISANCE_SIGMAS["LBRN"], src), bg["LBRN"])),
        variance=obs["stat_error"] ** 2 + (BRN_SHAPE_SIGMA * bg["PBRN"]) ** 2)



# --- Energy × time fit ------------------------------------------------------------------------

N_TIME_BINS = len(resp.TIME_BIN_EDGES_US) - 1
TIME_FIT_SIGMAS = {"CEvNS": NUISANCE_SIGMAS["CEvNS"], "PBRN": NUISANCE_SIGMAS["PBRN"],
                   "LBRN": NUISANCE_SIGMAS["LBRN"], "SS": 25.0 / 3154.0}
"""Normalisation uncertainties of the energy × time fit: CEvNS, prompt and delayed BRN as in the
1-D fit; steady state from the release (3154 ± 25, LArParametersAnlA.yaml)."""
CEVNS_TIMING_SHIFT_US = 0.2
"""1σ uncertainty of the SNS proton-pulse centre (440 ± 200 ns, LArParametersAnlA.yaml); the
release's ``cevnspdfCEvNSTimingMeanSyst.txt`` is this shift (its time projection agrees with the
pulse ⊗ lifetimes model moved by +200 ns to a few per cent)."""


def _energy_time_projection(name):
    """Released 3-D table (keVee, F90, µs, counts) summed over F90 → (12 · 10,), energy-major."""
    tab = loader.load_table(DATASET, name)
    e_cent = 0.5 * (resp.ENERGY_BIN_EDGES_KEVEE[1:] + resp.ENERGY_BIN_EDGES_KEVEE[:-1])
    t_cent = 0.5 * (resp.TIME_BIN_EDGES_US[1:] + resp.TIME_BIN_EDGES_US[:-1])
    ie = np.searchsorted(e_cent, tab[:, 0])
    it = np.searchsorted(np.round(t_cent, 6), np.round(tab[:, 2], 6))
    if not (np.allclose(e_cent[np.minimum(ie, e_cent.size - 1)], tab[:, 0])
            and np.allclose(t_cent[np.minimum(it, t_cent.size - 1)], tab[:, 2])):
        raise ValueError(f"{name}: cell centres do not match the 12 × 10 analysis bins")
    out = np.zeros(e_cent.size * t_cent.size)
    np.add.at(out, ie * t_cent.size + it, tab[:, 3])
    return out


def _shape_template(plus, minus=None, nominal=None):
    """Normalisation-free shape change of a released PDF: the ±1σ half-difference (or syst − nominal),
    each PDF rescaled to the nominal total first (the released +1σ timing-mean PDF is not)."""
    nom = _energy_time_projection(nominal)
    p = _energy_time_projection(plus)
    p = p * nom.sum() / p.sum()
    if minus is None:
        return p - nom
    m = _energy_time_projection(minus)
    return 0.5 * (p - m * nom.sum() / m.sum())


def observed_energy_time() -> np.ndarray:
    """Beam-on counts (not SS-subtracted) per energy × time bin (datanobkgsub.txt, F90 summed)."""
    return _energy_time_projection("datanobkgsub.txt")


def backgrounds_energy_time() -> dict:
    """Prompt BRN (497), delayed BRN (33) and steady-state (3152) predictions per energy × time bin."""
    return {"PBRN": _energy_time_projection("brnpdf.txt"), "LBRN": _energy_time_projection("delbrnpdf.txt"),
            "SS": _energy_time_projection("bkgpdf.txt")}


def cevns_timing_shift(which_exposure="release", nominal_sm=None) -> np.ndarray:
    """Relative change of the SM CEvNS prediction per energy × time bin when the proton pulse moves
    by +:data:`CEVNS_TIMING_SHIFT_US` (first principles, same response as :func:`prediction`).
    ``nominal_sm``: the unshifted SM counts (120,) if already computed."""
    nom = prediction(which_exposure, time_bins=True).sm() if nominal_sm is None else np.asarray(nominal_sm)
    shifted = prediction(which_exposure, time_bins=True, pulse_shift_us=CEVNS_TIMING_SHIFT_US).sm()
    return np.where(nom > 0, shifted / np.where(nom > 0, nom, 1.0) - 1.0, 0.0)


def energy_time_likelihood_spec(which_exposure="release", nominal_sm=None) -> LikelihoodSpec:
    """Poisson χ² in 12 energy × 10 arrival-time bins (F90 integrated) of the beam-on data.

    χ² = 2 Σ_ij [μ_ij − N_ij + N_ij ln(N_ij/μ_ij)] + Σ_z (a_z/σ_z)² + Σ_k b_k²,
    μ = Σ_z (1 + a_z) N^z + Σ_k b_k D_k, z ∈ {CEvNS, prompt BRN, delayed BRN, SS};

    the D_k are the released shape systematics: CEvNS arrival-time mean (±200 ns, as a relative
    change of the CEvNS prediction), BRN energy, BRN arrival-time mean and BRN arrival-time width.
    This is the form used for the CsI 2021 data by Atzori Corona et al. (arXiv:2202.11002), applied
    to the released 3-D argon PDFs; COHERENT's own fit is a Poisson likelihood on the same grid
    (arXiv:2003.10630, data release arXiv:2006.12659; fitting the released templates this way gives back
    the release's best-fit normalisations, see book/08_coherent_data.md). ``nominal_sm`` (120,) avoids
    recomputing the SM prediction.
    """
    bg = backgrounds_energy_time()
    src = "LArParametersAnlA.yaml / arXiv:2005.01645"
    rel = "release shape systematic (±1σ), unit prior"
    shapes = (Shape(Nuisance("CEvNS_timing", 1.0, "proton-pulse centre ±200 ns (LArParametersAnlA.yaml)"),
                    cevns_timing_shift(which_exposure, nominal_sm), relative_to_signal=True),
              Shape(Nuisance("BRN_energy", 1.0, rel),
                    _shape_template("brnpdf+1sigEnergy.txt", "brnpdf-1sigEnergy.txt", "brnpdf.txt")),
              Shape(Nuisance("BRN_timing_mean", 1.0, rel),
                    _shape_template("brnpdf+1sigBRNTimingMean.txt", "brnpdf-1sigBRNTimingMean.txt", "brnpdf.txt")),
              Shape(Nuisance("BRN_timing_width", 1.0, rel),
                    _shape_template("brnpdfBRNTimingWidthSyst.txt", None, "brnpdf.txt")))
    return LikelihoodSpec(
        "poisson", observed_energy_time(), Nuisance("CEvNS", TIME_FIT_SIGMAS["CEvNS"], src),
        backgrounds=(Background(Nuisance("PBRN", TIME_FIT_SIGMAS["PBRN"], src), bg["PBRN"]),
                     Background(Nuisance("LBRN", TIME_FIT_SIGMAS["LBRN"], src), bg["LBRN"]),
                     Background(Nuisance("SS", TIME_FIT_SIGMAS["SS"], "3154 ± 25 (LArParametersAnlA.yaml)"), bg["SS"])),
        shapes=shapes)
