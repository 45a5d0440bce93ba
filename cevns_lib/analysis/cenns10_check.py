"""The CENNS-10 Analysis-A Standard-Model prediction from first principles, against COHERENT's release.

COHERENT's first argon measurement (PRL 126, 012002 (2021), arXiv:2003.10630) released, for its
Analysis A, the exposure, quenching, resolution and acceptance efficiency, and a CEvNS PDF in
reconstructed energy × F90 × arrival time normalised to its SM prediction (data release
arXiv:2006.12659, Zenodo 10.5281/zenodo.3903810: ``LArParametersAnlA.yaml``, ``cevnspdf.txt``).
:func:`release_check` computes the book's prediction with
:mod:`cevns_lib.experiments.coherent.ar2020_response` (tree-level couplings, Lewin–Smith Helm) and the
diagnostics that locate its difference from the release: per arrival-time bin, with another form
factor, and with the efficiency applied to the true instead of the reconstructed energy.
:func:`release_counts_vs_step_threshold` is the count curve that calibrates the effective step
threshold of the CENNS-10 projection (chapter 04).

Units: events; reconstructed energies in keVee, recoil energies in keVnr, arrival times in µs.
Needs the data set ``ar2020_analysisA`` (``cevns data fetch ar2020_analysisA``).
"""

from dataclasses import dataclass

import numpy as np

from cevns_lib.analysis.exposure import sm_counts_vs_threshold
from cevns_lib.datafiles.loader import load_table
from cevns_lib.engine.prediction import Prediction, TargetBins
from cevns_lib.experiments.coherent import ar2020_response as ar
from cevns_lib.physics.form_factors import get_form_factor_pair
from cevns_lib.physics.nuclei import get_nucleus
from cevns_lib.physics.sources import FLAVOURS, fluence_from_pot

RELEASED_PDF = "cevnspdf.txt"
"""The released CEvNS PDF; columns reconstructed energy (keVee), F90, arrival time (µs), events."""


def released_projection(column: int, centres) -> np.ndarray:
    """The released CEvNS PDF summed onto one axis: events at each bin centre of ``column``
    (0: reconstructed energy in keVee, 2: arrival time in µs); the total is COHERENT's prediction."""
    pdf = load_table(ar.DATASET, RELEASED_PDF)
    return np.array([pdf[np.isclose(pdf[:, column], x), 3].sum() for x in np.asarray(centres, dtype=float)])


@dataclass(frozen=True)
class ReleaseCheck:
    """The book's CENNS-10 Analysis-A prediction beside the release (see :func:`release_check`).

    Attributes
    ----------
    per_flavour : dict
        flavour → predicted events per 10-keVee bin (release exposure, analysis time window).
    total, total_no_window, total_paper_exposure : float
        Predicted events: in the release's time window; integrated over all arrival times; and for
        the exposure of Cadeddu et al. (arXiv:2008.05022), all arrival times.
    released_energy : ndarray
        The released PDF per 10-keVee bin (events).
    time_ratio : ndarray
        Predicted / released events per 0.5-µs arrival-time bin.
    delayed_bins : ndarray of bool
        Time bins without prompt ν_μ (fraction below 10⁻³): only delayed ν_e and ν̄_μ.
    klein_nystrand_change : float
        Relative change of ``total`` with the Klein–Nystrand instead of the Helm form factor.
    true_energy_efficiency_change : float
        Relative change of ``total`` when the efficiency is applied to the true visible energy
        QF(T)·T instead of the reconstructed one.
    delayed_window_fraction : float
        Fraction of the delayed neutrinos inside the time window (the prompt ones are all inside).
    """

    per_flavour: dict
    total: float
    total_no_window: float
    total_paper_exposure: float
    released_energy: np.ndarray
    time_ratio: np.ndarray
    delayed_bins: np.ndarray
    klein_nystrand_change: float
    true_energy_efficiency_change: float
    delayed_window_fraction: float

    @property
    def released_total(self) -> float:
        """COHERENT's prediction: the sum of the released PDF."""
        return float(self.released_energy.sum())


def _total(per_flavour) -> float:
    return float(sum(v.sum() for v in per_flavour.values()))


def _true_energy_efficiency_total(form_factor="helm") -> float:
    """Window total with the efficiency evaluated at the true visible energy (one engine fold)."""
    k = ar.kernels(ar.release_exposure())
    response = ar.bin_response(k, with_efficiency=False) * ar.efficiency()(ar.quenching(k.grid.T))[None, :]
    FZ, FN = get_form_factor_pair(form_factor, k.nucleus)
    per = Prediction((TargetBins.build(k, response, FZ, FN),), "tree").counts_per_flavour()
    return float(sum(per[fl].sum() * ar.timing_window_fraction(fl) for fl in FLAVOURS))


def release_check() -> ReleaseCheck:
    """Predict CENNS-10 Analysis A from the released response and compare with the released PDF."""
    per = ar.sm_counts_per_bin()
    all_times = ar.sm_counts_per_bin(timing_window=False)
    total = _total(per)
    time_edges, energy_edges = ar.TIME_BIN_EDGES_US, ar.ENERGY_BIN_EDGES_KEVEE
    predicted_time = sum(all_times[fl].sum() * ar.timing_bin_fractions(fl, time_edges) for fl in FLAVOURS)
    return ReleaseCheck(
        per_flavour=per, total=total, total_no_window=_total(all_times),
        total_paper_exposure=_total(ar.sm_counts_per_bin(ar.paper_exposure(), timing_window=False)),
        released_energy=released_projection(0, 0.5 * (energy_edges[1:] + energy_edges[:-1])),
        time_ratio=predicted_time / released_projection(2, 0.5 * (time_edges[1:] + time_edges[:-1])),
        delayed_bins=ar.timing_bin_fractions("nu_mu", time_edges) < 1e-3,
        klein_nystrand_change=_total(ar.sm_counts_per_bin(form_factor="klein_nystrand")) / total - 1.0,
        true_energy_efficiency_change=_true_energy_efficiency_total() / total - 1.0,
        delayed_window_fraction=ar.timing_window_fraction("nu_e", time_edges))


def release_counts_vs_step_threshold(thresholds_keVnr, form_factor="helm") -> np.ndarray:
    """SM events of the release exposure (all arrival times, tree level) above a step threshold in
    recoil energy, at each of ``thresholds_keVnr`` (increasing, keVnr): the curve whose crossing of
    COHERENT's prediction defines the effective threshold of the CENNS-10 projection."""
    rel = ar.release_exposure()
    argon = get_nucleus("Ar40")
    fluence = fluence_from_pot(rel["nu_per_flavour_per_pot"], rel["pot"], rel["baseline_m"])
    return sm_counts_vs_threshold(argon, rel["mass_kg"] * argon.targets_per_kg(), fluence, thresholds_keVnr,
                                  form_factor)
