"""How an experiment declares its likelihood: observed data, backgrounds and every nuisance with its
prior, as data. The code that builds and profiles χ² from a declaration is
:mod:`cevns_lib.analysis.likelihood` (experiments never import analysis).

One convention everywhere: every nuisance is a pull a centred on 0 with a Gaussian prior (a/σ)².
A normalisation nuisance multiplies its component by (1 + a); a shape nuisance adds a·D to the
prediction (D the ±1σ change of the released shape, σ = 1).
"""

from dataclasses import dataclass, field

import numpy as np

STATISTICS = ("poisson", "gaussian", "total_count")
"""``poisson``: 2Σ[μ − d + d ln(d/μ)]; ``gaussian``: Σ(d − μ)²/V; ``total_count``: one bin,
Asimov data, signal pull profiled analytically (the projections of Carey & Pandey)."""


@dataclass(frozen=True)
class Nuisance:
    """A pull centred on 0 with Gaussian prior width ``sigma`` (fractional for normalisations).

    ``source`` says where the width comes from (paper, release file, or "assumed")."""

    name: str
    sigma: float
    source: str

    def __post_init__(self):
        if not np.isfinite(self.sigma) or self.sigma <= 0:
            raise ValueError(f"nuisance {self.name}: sigma must be positive, got {self.sigma!r}")


@dataclass(frozen=True)
class Background:
    """A background prediction per fit bin with its normalisation nuisance."""

    nuisance: Nuisance
    counts: np.ndarray


@dataclass(frozen=True)
class Shape:
    """A shape systematic: ``template`` per fit bin (absolute, or relative to the CEvNS prediction
    when ``relative_to_signal``), entering as a·template with prior a²/σ²."""

    nuisance: Nuisance
    template: np.ndarray
    relative_to_signal: bool = False


@dataclass(frozen=True)
class LikelihoodSpec:
    """The declared likelihood of one experiment.

    Attributes
    ----------
    statistic : str
        One of :data:`STATISTICS`.
    data : ndarray (n_fit_bins,)
        Observed counts (for ``total_count``: the Asimov count, set by the analysis).
    signal : Nuisance
        CEvNS normalisation.
    backgrounds : tuple of Background
    shapes : tuple of Shape
    variance : ndarray or None
        Per-bin variance of the ``gaussian`` statistic.
    bins : slice or ndarray or None
        The bins of the experiment's prediction that enter the fit (None = all).
    """

    statistic: str
    data: np.ndarray
    signal: Nuisance
    backgrounds: tuple = ()
    shapes: tuple = ()
    variance: np.ndarray | None = None
    bins: object = None
    notes: tuple = field(default=(), compare=False)

    def __post_init__(self):
        if self.statistic not in STATISTICS:
            raise ValueError(f"statistic must be one of {', '.join(STATISTICS)}, got {self.statistic!r}")
        if self.statistic == "gaussian" and self.variance is None:
            raise ValueError("a gaussian likelihood needs the per-bin variance")

    @property
    def nuisances(self) -> tuple:
        """Every nuisance in profiling order: signal, backgrounds, shapes."""
        return (self.signal, *(b.nuisance for b in self.backgrounds), *(s.nuisance for s in self.shapes))
