"""χ² of any experiment from its declared likelihood (:class:`cevns_lib.experiments.likelihood_spec.LikelihoodSpec`),
with every nuisance profiled, vectorised over scan points.

- ``gaussian``  Σ_b [d_b − μ_b]²/V_b + Σ_z (a_z/σ_z)², μ = Σ_z (1 + a_z) M_z + Σ_k a_k D_k: quadratic in
  the pulls, minimised exactly by one linear solve per point
  (:func:`cevns_lib.analysis.factored_profiling.gaussian_profile_factored`);
- ``poisson``   2Σ_b[μ_b − d_b + d_b ln(d_b/μ_b)] + penalties, convex in the pulls: damped Newton,
  batched over the scan with warm starts (:func:`cevns_lib.analysis.factored_profiling.poisson_profile_warm`);
  the plain stacked-component profilers of :mod:`cevns_lib.analysis.profiling` are the reference
  they are tested against.
- ``total_count``  one bin, Asimov data N_obs, the signal pull profiled analytically:
  χ² = [N_obs − N]²/[N_obs + σ² N²] (Carey & Pandey, arXiv:2510.14015).

Components are ordered signal, backgrounds, shapes (as :attr:`LikelihoodSpec.nuisances`); the
returned pulls are centred on 0 for all of them.
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from cevns_lib.analysis.factored_profiling import (FactoredComponents, gaussian_profile_factored,
                                                   poisson_profile_warm)
from cevns_lib.analysis.profiling import poisson_chi2
from cevns_lib.analysis.stats import chi2_normalisation_pull
from cevns_lib.experiments.likelihood_spec import LikelihoodSpec


PROFILE_CHUNK = 2048
"""Scan points profiled together (a few MB of work arrays: faster than one huge block, and bounded)."""


def _finite_counts(cevns):
    S = np.asarray(cevns, dtype=float)
    if not np.all(np.isfinite(S)):
        raise ValueError("the CEvNS prediction contains non-finite values; check the model parameters")
    return S


@dataclass(frozen=True)
class Likelihood:
    """Profiled χ² of one experiment for CEvNS predictions in its fit bins.

    Build with :meth:`from_spec`; :meth:`chi2` takes counts of shape (..., n_fit_bins).
    """

    spec: LikelihoodSpec
    signal_prior: bool = True
    """``False`` drops the CEvNS normalisation pull: the prediction's normalisation is then what
    the fit measures (fitted counts, cross section)."""

    @classmethod
    def from_spec(cls, spec: LikelihoodSpec, signal_prior: bool = True) -> "Likelihood":
        if spec.statistic == "total_count" and not signal_prior:
            raise ValueError("the total-count likelihood needs its signal pull (its only nuisance)")
        return cls(spec, signal_prior)

    @property
    def _nuisances(self) -> tuple:
        return self.spec.nuisances if self.signal_prior else self.spec.nuisances[1:]

    @property
    def sigmas(self) -> tuple:
        return tuple(n.sigma for n in self._nuisances)

    @property
    def nuisance_names(self) -> tuple:
        return tuple(n.name for n in self._nuisances)

    def components(self, cevns):
        """(..., n_z, n_bins): CEvNS (if it has a pull), backgrounds, then the shape templates."""
        S = np.asarray(cevns, dtype=float)
        fixed = [np.broadcast_to(b.counts, S.shape) for b in self.spec.backgrounds]
        shapes = [S * s.template if s.relative_to_signal else np.broadcast_to(s.template, S.shape)
                  for s in self.spec.shapes]
        return np.stack([S, *fixed, *shapes] if self.signal_prior else [*fixed, *shapes], axis=-2)

    @cached_property
    def factored(self) -> FactoredComponents:
        """The components as fixed templates or templates × CEvNS (see
        :mod:`cevns_lib.analysis.factored_profiling`), in the order of :attr:`nuisance_names`."""
        spec = self.spec
        nb = np.asarray(spec.data).size
        t, p = [np.ones(nb)] if self.signal_prior else [], [1] if self.signal_prior else []
        for b in spec.backgrounds:
            t.append(np.broadcast_to(np.asarray(b.counts, dtype=float), (nb,)))
            p.append(0)
        for sh in spec.shapes:
            t.append(np.broadcast_to(np.asarray(sh.template, dtype=float), (nb,)))
            p.append(int(sh.relative_to_signal))
        base0 = sum((np.asarray(b.counts, dtype=float) for b in spec.backgrounds), np.zeros(nb))
        # with a CEvNS pull, its normalisation 1 + a is a parameter centred on 1 (not S·1 + S·a: see
        # cevns_lib.analysis.factored_profiling)
        centres = np.zeros(len(t))
        if self.signal_prior:
            centres[0] = 1.0
        base1 = np.zeros(nb) if self.signal_prior else np.ones(nb)
        return FactoredComponents(np.array(t).reshape(len(t), nb), tuple(p), np.asarray(self.sigmas), base0, base1,
                                  0 if self.signal_prior else None, centres)

    def _base(self, cevns):
        """Prediction at zero pulls: CEvNS plus backgrounds."""
        return np.asarray(cevns, dtype=float) + sum((b.counts for b in self.spec.backgrounds), 0.0)

    def chi2(self, cevns, return_nuisances=False):
        """Profiled χ² for CEvNS predictions ``cevns`` (..., n_fit_bins); with ``return_nuisances``
        also the best-fit pulls (..., n_nuisances), centred on 0."""
        S = _finite_counts(cevns)
        spec = self.spec
        if spec.statistic == "total_count":
            n_obs = float(np.asarray(spec.data).sum())
            N = S.sum(axis=-1)
            chi2 = chi2_normalisation_pull(N, n_obs, spec.signal.sigma)
            if not return_nuisances:
                return chi2
            s2 = spec.signal.sigma**2
            a = (s2 * N * (n_obs - N) / (n_obs + s2 * N**2))[..., None]
            return chi2, a
        if spec.statistic == "gaussian" and spec.shapes:
            raise ValueError("shape templates are implemented for the poisson statistic only")
        shape, nb = S.shape[:-1], S.shape[-1]
        flat = S.reshape(-1, nb)
        chi2 = np.empty(flat.shape[0])
        a = np.empty((flat.shape[0], len(self.sigmas)))
        for i in range(0, flat.shape[0], PROFILE_CHUNK):        # blocks that stay in the CPU cache
            block = np.ascontiguousarray(flat[i:i + PROFILE_CHUNK])
            if spec.statistic == "gaussian":
                chi2[i:i + PROFILE_CHUNK], a[i:i + PROFILE_CHUNK] = gaussian_profile_factored(
                    spec.data, spec.variance, self.factored, block)
            else:
                chi2[i:i + PROFILE_CHUNK], a[i:i + PROFILE_CHUNK] = poisson_profile_warm(spec.data, self.factored, block)
        chi2, a = chi2.reshape(shape), a.reshape(shape + (a.shape[-1],))
        return (chi2, a) if return_nuisances else chi2

    def chi2_fixed(self, cevns, pulls):
        """χ² at fixed pulls (n_nuisances,) centred on 0 (for checks)."""
        S = _finite_counts(cevns)
        a = np.asarray(pulls, dtype=float)
        s = np.asarray(self.sigmas)
        if a.shape[-1] != s.size:
            raise ValueError(f"expected {s.size} pulls ({', '.join(self.nuisance_names)}), got {a.shape[-1]}")
        penalty = np.sum((a / s) ** 2, axis=-1)
        spec = self.spec
        if spec.statistic == "total_count":
            n_obs = float(np.asarray(spec.data).sum())
            N = S.sum(axis=-1) * (1.0 + a[..., 0])
            return (n_obs - N) ** 2 / n_obs + penalty
        M = self.components(S)
        n_norm = int(self.signal_prior) + len(spec.backgrounds)
        mu = (self._base(S) + np.einsum("...z,...zb->...b", a[..., :n_norm], M[..., :n_norm, :])
              + np.einsum("...z,...zb->...b", a[..., n_norm:], M[..., n_norm:, :]))
        if spec.statistic == "gaussian":
            return np.sum((spec.data - mu) ** 2 / spec.variance, axis=-1) + penalty
        return poisson_chi2(spec.data, mu) + penalty
