"""An experiment ready to be fitted: its prediction(s) and profiled likelihood(s), for any model.

:func:`load_fit` turns a registry name (or a configured projection) into a :class:`Fit`: one
:class:`Part` per data set (a combination has several; their χ² add). ``Fit.chi2(**params)`` is the
profiled χ² of the effective-coupling model of :meth:`cevns_lib.engine.prediction.Prediction.counts`
(sin²θ_W, NSI, charge radii, magnetic moment), vectorised over the parameter arrays; light
mediators use the per-mass polynomials of the same predictions (:mod:`cevns_lib.analysis.mediator_scans`).
"""

import hashlib
import inspect
from dataclasses import dataclass, field

import numpy as np

from cevns_lib.analysis.likelihood import Likelihood
from cevns_lib.analysis.stats import DCHI2_90CL_1DOF, allowed_intervals
from cevns_lib.experiments.catalog import get_experiment
from cevns_lib.engine.prediction import Prediction
from cevns_lib.experiments.coherent.datasets import DATA_SETS
from cevns_lib.physics import constants as c


def model_parameters() -> tuple:
    """Names of the effective-coupling parameters a :class:`Fit` scans (the keyword arguments of
    :meth:`cevns_lib.engine.prediction.Prediction.counts_per_flavour`)."""
    return tuple(n for n in inspect.signature(Prediction.counts_per_flavour).parameters if n != "self")


def _check_parameters(params):
    unknown = set(params) - set(model_parameters())
    if unknown:
        raise ValueError(f"unknown model parameter(s) {', '.join(sorted(unknown))}; allowed: "
                         f"{', '.join(model_parameters())} (light mediators: cevns_lib.analysis.mediator_scans)")


SCAN_CHUNK = 4096
"""Scan points per block in :meth:`Fit.chi2` (bounds the memory of very large scans)."""


@dataclass(frozen=True)
class Part:
    """One data set (or projection) of a fit: prediction, likelihood and the bins that enter it."""

    name: str
    prediction: object
    likelihood: Likelihood
    _scans: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def bins(self):
        """Index of the prediction's bins that enter the likelihood."""
        b = self.likelihood.spec.bins
        return slice(None) if b is None else b

    def chi2(self, counts, return_nuisances=False):
        """Profiled χ² of predicted counts (..., n_bins of the prediction)."""
        return self.likelihood.chi2(np.asarray(counts)[..., self.bins], return_nuisances)

    def sm_events(self) -> float:
        """SM CEvNS events in the fit window."""
        return float(self.prediction.sm()[self.bins].sum())

    def scan_chi2(self, params, shape, flat):
        """Profiled χ² of this part at the effective-coupling parameters ``params`` (see :meth:`Fit.chi2`):
        the scan's points ``shape``; ``flat`` its array parameters flattened, evaluated in blocks of
        :data:`SCAN_CHUNK` points (None: one evaluation).

        The last :data:`REMEMBERED_SCANS` scans (of at most :data:`REMEMBERED_POINTS` points) are
        remembered, read-only: the fit of a combination and the fits of its parts alone
        (:meth:`Fit.with_parts`) scanning the same parameters then profile each part once. The value
        is the same as recomputed: the blocks, and so the warm starts of the profiling, depend only on
        the parameters."""
        key = _scan_key(params)
        if key in self._scans:
            return self._scans[key]
        if flat is None:
            out = self.chi2(self.prediction.counts(**params))
        else:
            n = int(np.prod(shape, dtype=np.int64))
            out = np.empty(n)
            for i in range(0, n, SCAN_CHUNK):
                block = {**params, **{k: v[i:i + SCAN_CHUNK] for k, v in flat.items()}}
                out[i:i + SCAN_CHUNK] = self.chi2(self.prediction.counts(**block))
            out = out.reshape(shape)
        if np.size(out) <= REMEMBERED_POINTS:
            if isinstance(out, np.ndarray):
                out.flags.writeable = False
            while len(self._scans) >= REMEMBERED_SCANS:
                self._scans.pop(next(iter(self._scans)))
            self._scans[key] = out
        return out


REMEMBERED_SCANS = 8
"""Scans remembered per :class:`Part` (see :meth:`Part.scan_chi2`)."""
REMEMBERED_POINTS = 1 << 17
"""Largest scan (points) that a :class:`Part` remembers (1 MB of χ² values)."""


def _scan_key(params) -> tuple:
    """Hashable digest of scan parameters (names, and for arrays dtype, shape and bytes)."""
    key = []
    for k in sorted(params):
        v = params[k]
        if v is None or isinstance(v, str):
            key.append((k, repr(v)))
        else:
            a = np.ascontiguousarray(v, dtype=float)
            key.append((k, a.shape, hashlib.blake2b(a.tobytes(), digest_size=16).digest()))
    return tuple(key)


@dataclass(frozen=True)
class Fit:
    """A named set of :class:`Part` whose χ² add."""

    name: str
    kind: str
    parts: dict

    def chi2(self, **params):
        """Profiled χ² summed over the parts, for effective-coupling parameters (broadcast; see
        :meth:`cevns_lib.engine.prediction.Prediction.counts_per_flavour`).

        Scans are evaluated in blocks of :data:`SCAN_CHUNK` points, so memory stays bounded (a few
        MB per block) whatever the number of points; the result is the same as in one block. Each
        part's χ² is remembered for a few scans (:meth:`Part.scan_chi2`)."""
        _check_parameters(params)
        arrays = {k: np.asarray(v, dtype=float) for k, v in params.items()
                  if v is not None and not isinstance(v, str) and np.ndim(v) > 0}
        shape = np.broadcast_shapes(*(v.shape for v in arrays.values())) if arrays else ()
        n = int(np.prod(shape, dtype=np.int64))
        flat = None if n <= SCAN_CHUNK else {k: np.broadcast_to(v, shape).reshape(-1) for k, v in arrays.items()}
        return sum(p.scan_chi2(params, shape, flat) for p in self.parts.values())

    def scan(self, name, grid, **fixed):
        """χ² along one parameter ``name`` on ``grid`` (others at ``fixed``)."""
        return self.chi2(**{**fixed, name: np.asarray(grid, dtype=float)})

    def intervals(self, name, grid, level=DCHI2_90CL_1DOF, **fixed):
        """Allowed intervals of one parameter (list of [lo, hi]) with Δχ² from the minimum on the grid,
        plus the best-fit value and the Δχ² profile."""
        g = np.asarray(grid, dtype=float)
        chi = self.scan(name, g, **fixed)
        d = chi - chi.min()
        return allowed_intervals(g, d, level), float(g[np.argmin(chi)]), d

    def sm_events(self) -> dict:
        return {k: p.sm_events() for k, p in self.parts.items()}

    def with_parts(self) -> dict:
        """This fit and, for a combination, each of its parts alone: name → :class:`Fit`."""
        if len(self.parts) == 1:
            return {self.name: self}
        return {self.name: self, **{k: self.part(k) for k in self.parts}}

    def part(self, name) -> "Fit":
        """The fit of one part alone."""
        if name not in self.parts:
            raise ValueError(f"{self.name} has no part {name!r}; parts: {', '.join(self.parts)}")
        return Fit(name, self.kind, {name: self.parts[name]})

    def upper_limit(self, name, grid, level=DCHI2_90CL_1DOF, **fixed):
        """Upper limit on a parameter bounded below by the first grid point (e.g. μ_ν ≥ 0): the
        upper end of the allowed interval that contains the minimum on the grid."""
        g = np.asarray(grid, dtype=float)
        chi = self.scan(name, g, **fixed)
        d = chi - chi.min()
        best = g[np.argmin(chi)]
        for lo, hi in allowed_intervals(g, d, level):
            if lo <= best <= hi:
                if hi >= g[-1]:
                    raise ValueError(f"the {name} limit lies beyond the grid end {g[-1]:g}; extend the grid")
                return float(hi), d
        raise ValueError(f"no allowed interval contains the best fit of {name}")


def _part(name, experiment, form_factor, options, systematic, sin2w_ref):
    if experiment.kind == "projection":
        pred, spec = experiment.build(form_factor, systematic=systematic, sin2w_ref=sin2w_ref, **options)
    else:
        pred, spec = experiment.build(form_factor, **options)
    return Part(name, pred, Likelihood.from_spec(spec))


def load_fit(experiment, form_factor=None, options=None, systematic=0.05, sin2w_ref=c.sin2_theta_w_low_q) -> Fit:
    """The fit of a registered experiment (name) or of a configured projection (object).

    Parameters
    ----------
    experiment : str or Experiment
    form_factor : str, optional
        Registered form-factor model (default: the experiment's own default).
    options : dict, optional
        Data-set options; for a combination, part name → options (added to the registry's).
    systematic : float
        Normalisation uncertainty of a projection's total-count χ² (ignored for data).
    sin2w_ref : float
        Weak mixing angle of a projection's Asimov data.
    """
    exp = get_experiment(experiment) if isinstance(experiment, str) else experiment
    options = dict(options or {})
    if exp.kind == "combination":
        unknown = set(options) - set(exp.parts)
        if unknown:
            raise ValueError(f"{exp.name}: options for unknown part(s) {sorted(unknown)}; parts: {', '.join(exp.parts)}")
        parts = {p: _part(p, DATA_SETS[p], form_factor, {**exp.options.get(p, {}), **options.get(p, {})},
                          systematic, sin2w_ref) for p in exp.parts}
    else:
        parts = {exp.name: _part(exp.name, exp, form_factor, options, systematic, sin2w_ref)}
    return Fit(exp.name, exp.kind, parts)
