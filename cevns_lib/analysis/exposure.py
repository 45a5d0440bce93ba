"""Joint inference of an unpublished exposure and effective threshold from published sensitivities.

Carey & Pandey (arXiv:2510.14015) give neither the run time nor the detection efficiency of their
projections. For a total-count χ² with one normalisation pull (:mod:`cevns_lib.analysis.sensitivity`)
two published numbers of one detector pin both down:

* the sin²θ_W interval depends **only** on N_SM (the ratio N(s)/N_SM = (𝒜(s)/𝒜(s₀))² is the same for
  every flux, threshold and form factor at tree level), so its quoted digits bound N_SM;
* the magnetic-moment limit depends on the threshold (through N_MM/N_SM) and, weakly, on N_SM.

:func:`scan_exposure_threshold` evaluates both on a (threshold × run time) grid, using the exact
finite-N_SM solution of the profiled χ² (:func:`profiled_bounds`) so that the run-time axis costs
nothing; one kernel fold per threshold.

A published *count* calibrates a threshold directly: :func:`sm_counts_vs_threshold` gives the SM
count above a step threshold for a whole list of thresholds from one kernel build.

Units: thresholds in keVnr, run times in calendar years (3.156e7 s), μ_ν in 10⁻¹⁰ μ_B.
"""

from dataclasses import dataclass

import numpy as np

from cevns_lib.analysis.sensitivity import MU_UNIT, CountModel, configure_experiment
from cevns_lib.analysis.stats import DCHI2_90CL_1DOF
from cevns_lib.engine.kernels import RecoilKernels
from cevns_lib.engine.prediction import Prediction, TargetBins
from cevns_lib.physics import constants as c
from cevns_lib.physics.form_factors import get_form_factor_pair


def profiled_bounds(n_sm, sigma, level=DCHI2_90CL_1DOF):
    """Allowed fractional shifts (x₋, x₊) of the count, N = N_SM(1 + x), where the profiled
    Δχ² = (N_SM − N)²/(N_SM + σ²N²) equals ``level``: the roots of
    N_SM(1 − Lσ²)x² − 2Lσ²N_SM x − L(1 + σ²N_SM) = 0 (L = level). Vectorised over ``n_sm``;
    tends to :func:`cevns_lib.analysis.sensitivity.asymptotic_fractional_bounds` for N_SM → ∞."""
    n = np.asarray(n_sm, dtype=float)
    if not np.all(np.isfinite(n)) or np.any(n <= 0):
        raise ValueError("n_sm must be finite and > 0")
    if not np.isfinite(sigma) or sigma < 0 or level * sigma**2 >= 1:
        raise ValueError(f"sigma must be >= 0 with level·σ² < 1, got {sigma!r}")
    a = n * (1 - level * sigma**2)
    b = -2 * level * sigma**2 * n
    cc = -level * (1 + sigma**2 * n)
    root = np.sqrt(b**2 - 4 * a * cc)
    return (-b - root) / (2 * a), (-b + root) / (2 * a)


@dataclass(frozen=True)
class ExposureScan:
    """Result of :func:`scan_exposure_threshold` (arrays of shape (thresholds, years)).

    Attributes
    ----------
    thresholds, years : ndarray
        The grid (keVnr; calendar years).
    n_sm, mu_limit, sin2w_lo, sin2w_hi : ndarray
        SM count, 90% CL μ_ν limit (10⁻¹⁰ μ_B) and sin²θ_W interval at each grid point.
    consistent : ndarray of bool
        All three computed numbers round to the published ones (within half a unit of the last
        quoted digit).
    distance : ndarray
        √Σ (computed − published)²/half-unit² over the three numbers.
    best : tuple
        (threshold, years, N_SM) at the smallest distance.
    n_sm_range : tuple
        Range of N_SM whose sin²θ_W interval rounds to the published one (grid resolution).
    """

    thresholds: np.ndarray
    years: np.ndarray
    n_sm: np.ndarray
    mu_limit: np.ndarray
    sin2w_lo: np.ndarray
    sin2w_hi: np.ndarray
    consistent: np.ndarray
    distance: np.ndarray
    best: tuple
    n_sm_range: tuple


def scan_exposure_threshold(name, mu_published, sin2w_published, thresholds, years, sigma=0.05,
                            mu_half_unit=0.05, sin2w_half_unit=5e-5, sin2w_ref=c.sin2_theta_w_low_q,
                            form_factor="helm", configuration="paper") -> ExposureScan:
    """Scan (threshold, run time) of projection ``name`` against a published μ_ν limit
    (10⁻¹⁰ μ_B) and sin²θ_W interval [lo, hi] at the same systematic ``sigma``.

    ``mu_half_unit`` and ``sin2w_half_unit`` are half a unit of the last quoted digit (10.6 → 0.05;
    0.2271 → 5e-5): a grid point is *consistent* when every computed number rounds to the published one.
    """
    th = np.asarray(thresholds, dtype=float)
    yr = np.asarray(years, dtype=float)
    for arr, what in ((th, "thresholds"), (yr, "years")):
        if arr.ndim != 1 or arr.size < 1 or not np.all(np.isfinite(arr)):
            raise ValueError(f"{what} must be a non-empty 1-D array of finite numbers")
    if np.any(yr <= 0):
        raise ValueError("years must be > 0")
    if not np.isfinite(mu_published) or len(sin2w_published) != 2 or not np.all(np.isfinite(sin2w_published)):
        raise ValueError("mu_published must be a finite number and sin2w_published a finite pair [lo, hi]")
    n0, k0 = np.empty(th.size), np.empty(th.size)
    for i, t in enumerate(th):
        m = CountModel.from_experiment(configure_experiment(name, t, 1.0, configuration), form_factor, sin2w_ref)
        n0[i] = m.n_sm
        k0[i] = (float(m.counts_mu_nu(MU_UNIT)) - m.n_sm) / MU_UNIT**2  # events per μ² (μ in μ_B), one year
    s_grid = np.linspace(0.15, 0.35, 200001)
    ratio = m.counts_sin2w(s_grid) / m.n_sm          # N(s)/N_SM: the same at every threshold (tree level)
    n_sm = n0[:, None] * yr[None, :]
    x_lo, x_hi = profiled_bounds(n_sm, sigma)
    mu_lim = np.sqrt(x_hi * n0[:, None] / k0[:, None]) / MU_UNIT
    lo, hi = np.interp(1 + x_lo, ratio, s_grid), np.interp(1 + x_hi, ratio, s_grid)
    dev = np.stack([(mu_lim - mu_published) / mu_half_unit, (lo - sin2w_published[0]) / sin2w_half_unit,
                    (hi - sin2w_published[1]) / sin2w_half_unit])
    consistent = np.all(np.abs(dev) <= 1.0, axis=0)
    distance = np.sqrt(np.sum(dev**2, axis=0))
    i, j = np.unravel_index(np.argmin(distance), distance.shape)
    n_fine = np.geomspace(n_sm.min(), n_sm.max(), 4001)
    f_lo, f_hi = profiled_bounds(n_fine, sigma)
    ok = ((np.abs(np.interp(1 + f_lo, ratio, s_grid) - sin2w_published[0]) <= sin2w_half_unit)
          & (np.abs(np.interp(1 + f_hi, ratio, s_grid) - sin2w_published[1]) <= sin2w_half_unit))
    n_range = (float(n_fine[ok].min()), float(n_fine[ok].max())) if ok.any() else (float("nan"), float("nan"))
    return ExposureScan(th, yr, n_sm, mu_lim, lo, hi, consistent, distance,
                        (float(th[i]), float(yr[j]), float(n_sm[i, j])), n_range)


def mu_limit_vs_threshold(name, thresholds, years=1.0, sigma=0.05, form_factor="helm",
                          sin2w_ref=c.sin2_theta_w_low_q, configuration="paper"):
    """90% CL μ_ν limit (10⁻¹⁰ μ_B, total counts, normalisation pull ``sigma``) of projection
    ``name`` for a step threshold at each of ``thresholds`` (keVnr) and ``years`` of beam; one kernel
    fold per threshold (the curve used to calibrate the effective thresholds)."""
    th = np.asarray(thresholds, dtype=float)
    if th.ndim != 1 or not np.all(np.isfinite(th)):
        raise ValueError("thresholds must be a 1-D array of finite numbers (keVnr)")
    return np.array([CountModel.from_experiment(configure_experiment(name, t, years, configuration), form_factor,
                                                sin2w_ref).mu_nu_limit(sigma) / MU_UNIT for t in th])


def sm_counts_vs_threshold(nucleus, n_targets, fluence_cm2, thresholds_keVnr, form_factor="helm",
                           sin2w=c.sin2_theta_w_low_q):
    """SM CEvNS counts above a step threshold in recoil energy, for each threshold.

    One kernel build (the thresholds are panel edges) and one engine
    :class:`~cevns_lib.engine.prediction.Prediction` whose bins are the step efficiencies
    (tree-level couplings, the convention of Carey & Pandey, arXiv:2510.14015).

    Parameters
    ----------
    nucleus : Nucleus
    n_targets : float
        Number of target nuclei.
    fluence_cm2 : float
        Fluence per flavour over the exposure, cm⁻².
    thresholds_keVnr : array_like
        Increasing step thresholds, keVnr (≥ 0).
    form_factor : str
        Registered form-factor model.
    sin2w : float
        Weak mixing angle.

    Returns
    -------
    ndarray
        Events above each threshold (all flavours).
    """
    th = np.asarray(thresholds_keVnr, dtype=float)
    if th.ndim != 1 or th.size < 1 or not np.all(np.isfinite(th)) or th[0] < 0 or np.any(np.diff(th) <= 0):
        raise ValueError("thresholds_keVnr must be a non-empty, increasing 1-D array of thresholds >= 0 (keVnr)")
    t = th * c.keV
    k = RecoilKernels.build(nucleus, n_targets, fluence_cm2, t_min=t[0], breakpoints=t[t > 0])
    steps = (k.grid.T[None, :] >= t[:, None]).astype(float)
    FZ, FN = get_form_factor_pair(form_factor, nucleus)
    return Prediction((TargetBins.build(k, steps, FZ, FN),), "tree").counts(sin2w=sin2w)


def compare_configurations(names=None, sigma=0.05):
    """SM count per year, sin²θ_W interval and μ_ν limit (10⁻¹⁰ μ_B) at normalisation uncertainty
    ``sigma`` of each projection in every configuration, for the side-by-side table of chapter 04.

    Returns ``{configuration: {name: (n_sm, [lo, hi], mu_limit, year_label)}}``; a projection
    without a block for a configuration (a user's detector) is left out of that configuration.
    """
    from cevns_lib.experiments.projections import CONFIGURATIONS, PROJECTIONS, get_experiment

    out = {cfg: {} for cfg in CONFIGURATIONS}
    for cfg in CONFIGURATIONS:
        for name in names or PROJECTIONS:
            try:
                exp = configure_experiment(name, configuration=cfg)
            except ValueError:
                continue
            m = CountModel.from_experiment(exp)
            out[cfg][name] = (m.n_sm, m.sin2w_interval(sigma), m.mu_nu_limit(sigma) / MU_UNIT,
                              get_experiment(name, cfg).year_label)
    return out
