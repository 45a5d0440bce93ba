"""COHERENT CENNS-10 liquid argon, Analysis A (PRL 126, 012002 (2021), arXiv:2003.10630): χ².

The least squares of Cadeddu et al. (PRD 102, 015030 (2020), arXiv:2005.01645; reused in
arXiv:2008.05022 and arXiv:2202.11002; project spec §5) in 12 reconstructed-energy bins of
10 keVee (0–120 keVee):

    χ² = Σ_i [N_i^exp − η_C N_i^CEvNS − η_P B_i^PBRN − η_L B_i^LBRN]²/σ_i² + Σ_z ((η_z − 1)/σ_z)²,

N^exp the steady-state-subtracted counts of ``energydata1d.txt`` and σ_i² = (σ_i^stat)² +
(σ_BRNES B_i^PBRN)², σ_BRNES = 0.058/√12 (BRN energy-shape uncertainty spread over the bins);
σ_C = 13.4%, σ_P = 32%, σ_L = 100%. B^PBRN and B^LBRN are the energy projections of the released
3-D PDFs (497 and 33 predicted events). The CEvNS prediction is computed from first principles
with the detector response of :mod:`cevns_lib.coherent.ar2020_response` (quenching, Gaussian
resolution and efficiency of the release).
"""

from dataclasses import dataclass

import numpy as np

from ..nuclei import get_nucleus
from ..sources import FLAVOURS, fluence_from_pot
from . import ar2020_response as resp
from . import loader
from .binned import BinnedPrediction, TargetBins, helm_pair
from .profiling import gaussian_profile

DATASET = resp.DATASET
NUISANCE_SIGMAS = {"CEvNS": 0.134, "PBRN": 0.32, "LBRN": 1.0}
"""Fractional uncertainties of the CEvNS, prompt-BRN and delayed-BRN normalisations
(arXiv:2005.01645 / 2008.05022 as transcribed in the spec §5, [T])."""
BRN_SHAPE_SIGMA = 0.058 / np.sqrt(12.0)
"""Per-bin BRN energy-shape uncertainty (5.8% spread over 12 bins, spec §5, [T])."""
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
               coupling_scheme="radiative") -> BinnedPrediction:
    """Binned CEvNS prediction in the 12 energy bins.

    ``timing_window=True`` multiplies each flavour by the fraction arriving in the release's
    analysis window (−0.1…4.9 µs), the window of the data and of the 128-event prediction.
    """
    ex = exposure(which_exposure)
    k = resp.kernels(ex, panels_per_decade=panels_per_decade, order=order, recoil_term=False)
    R = resp.bin_response(k)
    frac = {fl: (resp.timing_window_fraction(fl) if timing_window else 1.0) for fl in FLAVOURS}
    ar = get_nucleus("Ar40")
    n_t = ex["mass_kg"] * ar.targets_per_kg()
    fluence = fluence_from_pot(ex["nu_per_flavour_per_pot"], ex["pot"], ex["baseline_m"])
    FZ, FN = helm_pair(ar)
    tb = TargetBins.build(k, {fl: R * frac[fl] for fl in FLAVOURS}, FZ, FN, n_t, fluence, coupling_scheme)
    return BinnedPrediction((tb,))


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


@dataclass(frozen=True)
class Likelihood:
    """Gaussian least squares in 12 energy bins with η_CEvNS, η_PBRN, η_LBRN profiled (linear)."""

    data: np.ndarray
    variance: np.ndarray
    pbrn: np.ndarray
    lbrn: np.ndarray
    sigmas: tuple = (NUISANCE_SIGMAS["CEvNS"], NUISANCE_SIGMAS["PBRN"], NUISANCE_SIGMAS["LBRN"])

    @classmethod
    def load(cls):
        obs = observed()
        bg = backgrounds()
        var = obs["stat_error"] ** 2 + (BRN_SHAPE_SIGMA * bg["PBRN"]) ** 2
        return cls(obs["counts"], var, bg["PBRN"], bg["LBRN"])

    def chi2(self, cevns, return_nuisances=False):
        """Profiled χ² for CEvNS predictions (..., 12); nuisances returned as η − 1."""
        S = np.asarray(cevns, dtype=float)
        M = np.stack([S, np.broadcast_to(self.pbrn, S.shape), np.broadcast_to(self.lbrn, S.shape)], axis=-2)
        chi2, a = gaussian_profile(self.data, self.variance, M, self.sigmas)
        return (chi2, a) if return_nuisances else chi2

    def chi2_fixed(self, cevns, eta):
        """χ² at fixed η = (η_C, η_P, η_L) (for checks)."""
        eta = np.asarray(eta, dtype=float)
        model = eta[0] * np.asarray(cevns) + eta[1] * self.pbrn + eta[2] * self.lbrn
        return (np.sum((self.data - model) ** 2 / self.variance, axis=-1)
                + np.sum(((eta - 1) / np.asarray(self.sigmas)) ** 2))
