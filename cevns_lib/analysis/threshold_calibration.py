"""Calibration of the effective step thresholds of the projected argon detectors on published numbers.

Carey & Pandey (arXiv:2510.14015) do not give the detection efficiencies of their four detectors; the
book models each by a step efficiency at an effective recoil threshold (keVnr), inferred here from
published numbers (the chapter passes them in from the published-numbers registry):

* **CENNS-10**: the step threshold at which the SM count of COHERENT's Analysis-A exposure equals
  COHERENT's prediction (PRL 126, 012002 (2021), arXiv:2003.10630; release arXiv:2006.12659), see
  :func:`cevns_lib.analysis.cenns10_check.release_counts_vs_step_threshold`;
* **PIP2-BD**: where the 5% magnetic-moment limit (90% CL, total counts) crosses the published one;
* **CENNS-750**: threshold and exposure jointly from the published 5% μ_ν limit and sin²θ_W interval
  (:func:`cevns_lib.analysis.exposure.scan_exposure_threshold`), because the μ_ν limit alone cannot
  separate them.

Units: thresholds in keVnr, run times in calendar years of continuous beam (3.156e7 s), μ_ν in
10⁻¹⁰ μ_B.
"""

from dataclasses import dataclass

import numpy as np

from cevns_lib.analysis.exposure import ExposureScan, mu_limit_vs_threshold, scan_exposure_threshold
from cevns_lib.experiments.projections import get_experiment
from cevns_lib.physics import constants as c

COUNT_THRESHOLDS_KEVNR = np.arange(0.0, 30.01, 0.25)
"""Step thresholds of the CENNS-10 count curve (keVnr)."""

MU_THRESHOLDS_KEVNR = np.arange(5.0, 20.01, 0.25)
"""Step thresholds of the μ_ν-limit curves (keVnr)."""

JOINT_THRESHOLDS_KEVNR = np.arange(12.0, 17.01, 0.05)
JOINT_YEARS = np.arange(0.5, 6.001, 0.02)
"""The (threshold, run time) grid of the CENNS-750 joint scan (keVnr; calendar years)."""


@dataclass(frozen=True)
class ThresholdCalibration:
    """The curves and crossings of :func:`calibrate_thresholds`.

    Attributes
    ----------
    count_thresholds, counts : ndarray
        CENNS-10 SM events of the Analysis-A exposure above each step threshold (``counts`` is None
        without the COHERENT release).
    count_threshold : float or None
        Where ``counts`` crosses the published prediction (keVnr).
    mu_thresholds : ndarray
        Thresholds of the μ_ν-limit curves (keVnr).
    mu_limits : dict
        Curve label (``"PIP2-BD"``, ``"CENNS-750"``, ``"CENNS-750, 3 yr"``) → 5% μ_ν limit
        (10⁻¹⁰ μ_B) at each threshold; the detector is the label before the comma.
    mu_crossings : dict
        Curve label → threshold (keVnr) where the limit equals the published one.
    scan : ExposureScan
        CENNS-750 joint scan on :data:`JOINT_THRESHOLDS_KEVNR` × :data:`JOINT_YEARS`.
    at_registry : ExposureScan
        The registry threshold at one year and at the registry's run time (``paper_years``).
    registry_years : ExposureScan
        The registry threshold on a fine run-time grid (the consistent run-time range).
    registry_threshold, paper_years : float
        CENNS-750 registry threshold (keVnr) and inferred run time (calendar years).
    """

    count_thresholds: np.ndarray
    counts: np.ndarray | None
    count_threshold: float | None
    mu_thresholds: np.ndarray
    mu_limits: dict
    mu_crossings: dict
    scan: ExposureScan
    at_registry: ExposureScan
    registry_years: ExposureScan
    registry_threshold: float
    paper_years: float

    @property
    def consistent_thresholds(self) -> tuple:
        """(min, max) threshold (keVnr) of the consistent CENNS-750 pairs."""
        ok = self.scan.thresholds[self.scan.consistent.any(axis=1)]
        return float(ok.min()), float(ok.max())

    @property
    def consistent_years(self) -> tuple:
        """(min, max) run time (calendar years) of the consistent CENNS-750 pairs."""
        ok = self.scan.years[self.scan.consistent.any(axis=0)]
        return float(ok.min()), float(ok.max())

    @property
    def registry_consistent_years(self) -> tuple:
        """(min, max) run time (calendar years) consistent at the registry threshold."""
        ok = self.registry_years.years[self.registry_years.consistent[0]]
        return float(ok.min()), float(ok.max())


def calibrate_thresholds(mu_published, sin2w_published_cenns750, counts=None, count_published=None,
                         count_thresholds=COUNT_THRESHOLDS_KEVNR) -> ThresholdCalibration:
    """Infer the effective thresholds from published numbers (paper configuration, Helm, tree level).

    Parameters
    ----------
    mu_published : dict
        ``{"PIP2-BD": μ, "CENNS-750": μ}``: published 5% μ_ν limits, 10⁻¹⁰ μ_B.
    sin2w_published_cenns750 : sequence
        Published 5% sin²θ_W interval [lo, hi] of CENNS-750.
    counts : ndarray, optional
        CENNS-10 SM events above each of ``count_thresholds`` (from the release; None without it).
    count_published : float, optional
        COHERENT's published CENNS-10 prediction (events), needed with ``counts``.
    count_thresholds : ndarray
        The step thresholds (keVnr) of ``counts``.
    """
    count_threshold = None
    if counts is not None:
        counts = np.asarray(counts, dtype=float)
        if counts.shape != np.shape(count_thresholds) or count_published is None:
            raise ValueError("counts needs one value per count threshold and the published count")
        count_threshold = float(np.interp(-count_published, -counts, count_thresholds))  # counts fall with T
    th = MU_THRESHOLDS_KEVNR
    curves = {name: mu_limit_vs_threshold(name, th) for name in ("PIP2-BD", "CENNS-750")}
    curves["CENNS-750, 3 yr"] = mu_limit_vs_threshold("CENNS-750", th, 3.0)
    crossings = {label: float(np.interp(mu_published[label.split(",")[0]], curve, th))  # limits rise with T
                 for label, curve in curves.items()}
    reg = get_experiment("CENNS-750").quantities
    reg_th, years = float(reg["threshold_keVnr"].value), float(reg["paper_run_time_s"].value / c.year_s)
    mu750 = mu_published["CENNS-750"]

    def joint(thresholds, run_years):
        return scan_exposure_threshold("CENNS-750", mu750, sin2w_published_cenns750, thresholds, run_years)

    return ThresholdCalibration(
        np.asarray(count_thresholds, dtype=float), counts, count_threshold, th, curves, crossings,
        joint(JOINT_THRESHOLDS_KEVNR, JOINT_YEARS), joint([reg_th], [1.0, years]),
        joint([reg_th], np.arange(0.5, 6.001, 0.01)), reg_th, years)
