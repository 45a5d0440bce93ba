"""Measurements from one data set: the CEvNS normalisation (fitted counts, flux-averaged cross
section), the neutron rms radius, and how strongly a point-like nucleus is disfavoured.

The flux-averaged cross section follows the convention of COHERENT's measurements (e.g. CsI,
arXiv:2110.07730): ⟨σ⟩ = s ⟨σ⟩_SM with s the fitted normalisation, in cm².

All work on a :class:`cevns_lib.analysis.fit.Part` (a data set's prediction and likelihood) and
profile every background nuisance; Δχ² intervals at 1σ use Δχ² = 1.
"""

from dataclasses import dataclass

import numpy as np

from cevns_lib.analysis.likelihood import Likelihood
from cevns_lib.analysis.stats import allowed_intervals
from cevns_lib.engine.prediction import flux_averaged_cross_section_cm2
from cevns_lib.physics.form_factors import (HELM_SKIN_FM, POINT_RADII_FM, get_form_factor_pair, helm_pair_from_radii)
from cevns_lib.physics.nuclei import get_nucleus

HELM_MIN_RMS_FM = float(np.sqrt(3.0) * HELM_SKIN_FM) + 1e-9
"""Smallest rms radius of a Helm distribution (R₀ → 0): √3 s, in fm."""


def _one_interval(x, dchi2, level, what, open_below=False):
    iv = allowed_intervals(x, dchi2, level)
    if len(iv) != 1 or (iv[0][0] <= x[0] and not open_below) or iv[0][1] >= x[-1]:
        raise ValueError(f"the {what} interval {iv} is not one interval inside the scan range; widen the grid")
    return iv[0]


@dataclass(frozen=True)
class NormalisationFit:
    """Result of :func:`fit_normalisation`.

    Attributes
    ----------
    scale : ndarray
        Grid of the CEvNS normalisation relative to the SM prediction.
    dchi2 : ndarray
        Δχ² profile on ``scale`` (background nuisances profiled, no CEvNS prior).
    best_scale : float
    interval_1sigma : list
        [lo, hi] of the scale at Δχ² = 1.
    n_sm : float
        SM CEvNS events in the fit bins.
    no_cevns_sigma : float
        √Δχ² of the background-only hypothesis (scale 0).
    """

    scale: np.ndarray
    dchi2: np.ndarray
    best_scale: float
    interval_1sigma: list
    n_sm: float
    no_cevns_sigma: float

    @property
    def counts(self) -> float:
        """Fitted CEvNS events in the fit bins."""
        return self.best_scale * self.n_sm

    @property
    def counts_interval(self) -> list:
        return [self.interval_1sigma[0] * self.n_sm, self.interval_1sigma[1] * self.n_sm]

    @property
    def counts_err(self) -> float:
        """Half width of the 1σ interval of the fitted events."""
        lo, hi = self.counts_interval
        return 0.5 * (hi - lo)


def fit_normalisation(part, scale=None) -> NormalisationFit:
    """Fit the CEvNS normalisation of one data set: χ²(s · N_SM) with the CEvNS normalisation
    pull removed (it is what is measured) and every background nuisance profiled.

    Parameters
    ----------
    part : Part
    scale : array_like, optional
        Grid of s (default 0 … 3 in steps of 5e-4).
    """
    s = np.arange(0.0, 3.0 + 1e-12, 5e-4) if scale is None else np.asarray(scale, dtype=float)
    L = Likelihood.from_spec(part.likelihood.spec, signal_prior=False)
    S = np.asarray(part.prediction.sm())[part.bins]
    chi = L.chi2(s[:, None] * S)
    i = int(np.argmin(chi))
    d = chi - chi[i]
    chi0 = float(L.chi2(0.0 * S))
    return NormalisationFit(s, d, float(s[i]), _one_interval(s, d, 1.0, "normalisation"), float(S.sum()),
                            float(np.sqrt(max(chi0 - chi[i], 0.0))))


def sm_cross_section_cm2(nuclei, form_factor) -> float:
    """Flux-averaged SM cross section (cm²) of a target, the mean over its nuclei (Cs and I for CsI):
    ⟨σ⟩_SM = (1/3) Σ_α ∫dE f_α(E) σ_α(E) with the π-DAR spectra, no threshold, the form-factor
    pair ``form_factor`` and radiative couplings (:func:`cevns_lib.engine.prediction.flux_averaged_cross_section_cm2`)."""
    return float(np.mean([flux_averaged_cross_section_cm2(get_nucleus(n), get_form_factor_pair(form_factor, get_nucleus(n)))
                          for n in nuclei]))


def fitted_cross_section_cm2(fit: NormalisationFit, sm_cross_section, signal_sigma) -> tuple:
    """(⟨σ⟩, error) in cm²: ⟨σ⟩ = s ⟨σ⟩_SM, the error adding in quadrature the fit's relative
    error on the counts and ``signal_sigma``, the prior width of the CEvNS normalisation nuisance
    (flux, quenching, efficiency and form factor convert events into a cross section)."""
    value = fit.best_scale * sm_cross_section
    return value, value * float(np.hypot(fit.counts_err / fit.counts, signal_sigma))


@dataclass(frozen=True)
class RadiusScan:
    """Result of :func:`scan_neutron_radius`: χ² on a grid of neutron rms radii (fm), with the
    best fit, the 1σ interval and χ² of a point-like nucleus (F_Z = F_N = 1)."""

    radii_fm: np.ndarray
    chi2: np.ndarray
    best_fm: float
    interval_1sigma_fm: list
    chi2_point_like: float
    open_below: bool
    """True when the 1σ interval reaches the smallest radius of the grid (the data prefer more
    events than any Helm shape gives): the lower end is then the grid's, not a measurement."""

    @property
    def dchi2(self):
        return self.chi2 - self.chi2.min()

    @property
    def point_like_sigma(self) -> float:
        """√Δχ² with which F = 1 is disfavoured relative to the best-fit radius."""
        return float(np.sqrt(max(self.chi2_point_like - self.chi2.min(), 0.0)))


def scan_neutron_radius(part, radii_fm, proton_radii_fm=None) -> RadiusScan:
    """χ² of the SM prediction as a function of a neutron rms radius common to all target nuclei
    (Helm, s = 0.9 fm), the proton form factors fixed at the point-proton radii; the CEvNS
    normalisation nuisance is kept (it limits the radius sensitivity).

    Parameters
    ----------
    part : Part
    radii_fm : array_like
        Neutron rms radii in fm (> 0).
    proton_radii_fm : dict, optional
        Nucleus name → point-proton rms radius in fm (default :data:`POINT_RADII_FM`).
    """
    radii = np.asarray(radii_fm, dtype=float)
    if radii.ndim != 1 or radii.size < 3 or np.any(~np.isfinite(radii)) or np.any(radii < HELM_MIN_RMS_FM):
        raise ValueError(f"radii_fm must be a 1-D grid of at least 3 radii >= {HELM_MIN_RMS_FM:.4f} fm "
                         "(the smallest rms radius of a Helm distribution with s = 0.9 fm)")
    pred = part.prediction
    rp = {tb.nucleus.name: (proton_radii_fm or {}).get(tb.nucleus.name, POINT_RADII_FM[tb.nucleus.name][0])
          for tb in pred.targets}
    sm = np.array([pred.with_form_factors([helm_pair_from_radii(rp[tb.nucleus.name], rn) for tb in pred.targets]).sm()
                   for rn in radii])
    chi = np.asarray(part.chi2(sm), dtype=float)   # all radii profiled together (one batched, warm-started solve)
    one = lambda q: np.ones_like(np.asarray(q, dtype=float))  # noqa: E731
    chi_point = float(part.chi2(pred.with_form_factors([(one, one)] * len(pred.targets)).sm()))
    i = int(np.argmin(chi))
    iv = _one_interval(radii, chi - chi[i], 1.0, "neutron-radius", open_below=True)
    return RadiusScan(radii, chi, float(radii[i]), iv, chi_point, bool(iv[0] <= radii[0]))
