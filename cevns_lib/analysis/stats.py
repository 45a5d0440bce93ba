"""Statistics: χ² with a profiled normalisation pull, Δχ² intervals, upper limits, 2-D regions.

The sensitivity χ² of Carey & Pandey (arXiv:2510.14015: its form as given in a summary of the paper,
the details inferred by reproducing the published numbers; the full text was not read) compares the
model count N(λ) with Asimov data N_SM, with one fractional normalisation nuisance η of width σ:

    χ²(λ) = min_η { [N_SM − N(λ)(1 + η)]²/N_SM + (η/σ)² }
          = [N_SM − N(λ)]² / [N_SM + σ² N(λ)²]                     (η profiled analytically)
"""

import math
from statistics import NormalDist

import numpy as np

# scipy is imported inside the functions that need it (importing scipy.stats costs ~0.4 s).


def delta_chi2_level(cl=0.90, dof=1):
    """Δχ² threshold for confidence level ``cl`` and ``dof`` parameters (Wilks): the χ² quantile,
    in closed form for 1 dof ([Φ⁻¹((1 + cl)/2)]²) and 2 dof (−2 ln(1 − cl)), else scipy."""
    if not 0 < cl < 1 or dof < 1 or int(dof) != dof:
        raise ValueError(f"need 0 < cl < 1 and an integer dof >= 1, got cl={cl!r}, dof={dof!r}")
    if dof == 1:
        return NormalDist().inv_cdf(0.5 * (1.0 + cl)) ** 2
    if dof == 2:
        return -2.0 * math.log1p(-cl)
    from scipy.stats import chi2

    return float(chi2.ppf(cl, dof))


DCHI2_90CL_1DOF = delta_chi2_level(0.90, 1)
"""Δχ² = 2.706 for a 90% CL one-parameter interval."""
DCHI2_90CL_2DOF = delta_chi2_level(0.90, 2)
"""Δχ² = 4.605 for a 90% CL two-parameter region."""


def _check_sigma(sigma):
    if not np.isfinite(sigma) or sigma < 0:
        raise ValueError(f"systematic uncertainty sigma must be >= 0, got {sigma!r}")


def chi2_normalisation_pull(n_model, n_observed, sigma):
    """χ² with one fractional normalisation pull profiled analytically.

    Parameters
    ----------
    n_model : float or ndarray
        Predicted counts N(λ).
    n_observed : float
        Observed (Asimov) counts, also the statistical variance.
    sigma : float
        Fractional normalisation uncertainty (0.05 for 5%).

    Returns
    -------
    ndarray
        [N_obs − N]² / [N_obs + σ² N²].
    """
    _check_sigma(sigma)
    if n_observed <= 0:
        raise ValueError(f"n_observed must be positive, got {n_observed!r}")
    n = np.asarray(n_model, dtype=float)
    return (n_observed - n) ** 2 / (n_observed + sigma**2 * n**2)


def profiled_pull(n_model, n_observed, sigma):
    """Best-fit pull η* = N(N_obs − N)/(N² + N_obs/σ²) of :func:`chi2_normalisation_pull`."""
    _check_sigma(sigma)
    n = np.asarray(n_model, dtype=float)
    if sigma == 0:
        return np.zeros_like(n)
    return n * (n_observed - n) / (n**2 + n_observed / sigma**2)


def chi2_with_pull(n_model, n_observed, sigma, eta):
    """The unprofiled χ²(η) = [N_obs − N(1+η)]²/N_obs + (η/σ)², for checks and plots (σ > 0)."""
    if not np.isfinite(sigma) or sigma <= 0:
        raise ValueError(f"sigma must be > 0 for the unprofiled χ², got {sigma!r}")
    n = np.asarray(n_model, dtype=float)
    return (n_observed - n * (1 + eta)) ** 2 / n_observed + (eta / sigma) ** 2


def allowed_intervals(x, dchi2, level=DCHI2_90CL_1DOF, interpolate=True):
    """Intervals of a 1-D scan where Δχ² ≤ level, as a list of [lo, hi] (a union if disjoint).

    Parameters
    ----------
    x : ndarray
        Increasing scan grid.
    dchi2 : ndarray
        Δχ² on the grid.
    level : float
        Threshold (2.706 for 90% CL, one parameter).
    interpolate : bool
        ``True``: end points by linear interpolation between grid points. ``False``: the
        outermost allowed grid points (the rounding convention of a published grid scan).

    An interval touching the edge of the grid is reported with that edge; widen the scan if so.
    """
    x = np.asarray(x, dtype=float)
    d = np.asarray(dchi2, dtype=float)
    if x.shape != d.shape or x.ndim != 1 or x.size < 2:
        raise ValueError("x and dchi2 must be 1-D arrays of the same length (>= 2)")
    if np.any(np.diff(x) <= 0):
        raise ValueError("x must be strictly increasing")
    if not np.all(np.isfinite(d)):
        raise ValueError("dchi2 contains NaN or infinite values: the scan is not valid")
    inside = d <= level
    out = []
    i = 0
    n = x.size
    while i < n:
        if not inside[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and inside[j + 1]:
            j += 1
        lo, hi = x[i], x[j]
        if interpolate:
            if i > 0:
                lo = np.interp(level, [d[i], d[i - 1]], [x[i], x[i - 1]])
            if j < n - 1:
                hi = np.interp(level, [d[j], d[j + 1]], [x[j], x[j + 1]])
        out.append([float(lo), float(hi)])
        i = j + 1
    return out


def upper_limit(dchi2_of, level=DCHI2_90CL_1DOF, start=0.0, upper=1.0, max_doublings=200):
    """Smallest x > start where a rising Δχ²(x) crosses ``level`` (root-find, no grid).

    ``upper`` is doubled until Δχ²(upper) > level. Raises ValueError if never crossed.
    """
    from scipy import optimize

    if dchi2_of(start) > level:
        raise ValueError("Δχ² already exceeds the level at the start point")
    hi = upper
    for _ in range(max_doublings):
        if dchi2_of(hi) > level:
            return float(optimize.brentq(lambda v: dchi2_of(v) - level, start, hi, xtol=1e-14 * hi, rtol=1e-12))
        hi *= 2.0
    raise ValueError("Δχ² never reaches the level: no upper limit in range")


def format_intervals(intervals, fmt="{:.4f}"):
    """Human-readable union of intervals, e.g. '[−0.024, 0.022] ∪ [0.342, 0.388]'."""
    return " ∪ ".join("[" + fmt.format(lo) + ", " + fmt.format(hi) + "]" for lo, hi in intervals).replace("-", "−")
