"""Generic detector response: quenching, Gaussian energy resolution, efficiency, binning.

A nuclear recoil of kinetic energy T (keVnr) produces a visible ("electron-equivalent") energy
E_ee = QF(T)·T (keVee). The reconstructed energy E′ is Gaussian around E_ee with width σ(E_ee),
and an event is kept with probability ε(E′) (efficiency in *reconstructed* energy). The response
matrix of a binned analysis is

    R[b, k] = ∫_{e_b}^{e_{b+1}} dE′ ε(E′) 𝒩(E′; E_ee(T_k), σ(E_ee(T_k))),

the probability that a recoil at node T_k is reconstructed in bin b and kept. It multiplies the
recoil kernels of :mod:`cevns_lib.engine.kernels` (``kernels.fold(R, F)`` gives counts per bin).

The efficiency is piecewise linear between table nodes (zero below the first node, held at the
last value above the table), so the integral over E′ is done **exactly** segment by segment with
the Gaussian CDF and density (no quadrature error); :func:`bin_response_on_grid` is the fine
fixed-grid reference used to test it.

Quenching parametrisations:
- :func:`linear_qf_quenching`, QF(T) = a + b·T[keVnr], the LAr fit of COHERENT
  (PRL 126, 012002 (2021), arXiv:2003.10630; release arXiv:2006.12659, LArParametersAnlA.yaml:
  a = 0.246 ± 0.006, b = (7.8 ± 0.9)e-4 keVnr⁻¹).
Resolution: σ/E = a/√(E[keVee]) (CENNS-10, a = 0.58 √keVee, same release; ⁸³ᵐKr calibration
arXiv:2010.11258).

Units: energies in MeV at the interface (``c.keV`` etc.), as everywhere in the library.
"""

from dataclasses import dataclass

import numpy as np

from cevns_lib.physics import constants as c

_SQRT_2PI = np.sqrt(2.0 * np.pi)


def _finite_array(x, name, nonneg=True):
    x = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(x)) or (nonneg and np.any(x < 0)):
        raise ValueError(f"{name} must be finite{' and non-negative' if nonneg else ''}, got {x!r}")
    return x


def linear_qf_quenching(T, a: float, b_per_keVnr: float):
    """Visible energy E_ee = QF(T)·T with QF(T) = a + b·T[keVnr].

    Parameters
    ----------
    T : array_like
        Nuclear recoil energy in MeV (≥ 0).
    a : float
        Constant term of the quenching factor (dimensionless).
    b_per_keVnr : float
        Slope of the quenching factor in keVnr⁻¹.

    Returns
    -------
    ndarray
        Electron-equivalent energy in MeV.
    """
    T = _finite_array(T, "recoil energy T")
    if not (np.isfinite(a) and np.isfinite(b_per_keVnr)) or a <= 0:
        raise ValueError(f"quenching parameters must be finite with a > 0, got a={a!r}, b={b_per_keVnr!r}")
    return (a + b_per_keVnr * T / c.keV) * T


def inverse_linear_qf_quenching(E_ee, a: float, b_per_keVnr: float):
    """Recoil energy T (MeV) with E_ee = (a + b T[keVnr]) T (inverse of :func:`linear_qf_quenching`)."""
    E = _finite_array(E_ee, "electron-equivalent energy E_ee") / c.keV
    if b_per_keVnr == 0:
        return E / a * c.keV
    return (-a + np.sqrt(a * a + 4.0 * b_per_keVnr * E)) / (2.0 * b_per_keVnr) * c.keV


def sqrt_resolution(E_ee, a_sqrt_keV: float):
    """Gaussian width σ = a·√(E[keVee]) keVee (i.e. σ/E = a/√E), returned in MeV.

    Parameters
    ----------
    E_ee : array_like
        Electron-equivalent energy in MeV.
    a_sqrt_keV : float
        Resolution coefficient in √keVee (0.58 for CENNS-10).
    """
    E = _finite_array(E_ee, "electron-equivalent energy E_ee")
    if not np.isfinite(a_sqrt_keV) or a_sqrt_keV <= 0:
        raise ValueError(f"resolution coefficient must be positive, got {a_sqrt_keV!r}")
    return a_sqrt_keV * np.sqrt(E / c.keV) * c.keV


@dataclass(frozen=True)
class PiecewiseLinearEfficiency:
    """Efficiency ε(E′) linear between nodes ``x`` (MeV, increasing) with values ``y`` in [0, 1];
    ``left`` below the first node (default 0) and the last value above the table."""

    x: np.ndarray
    y: np.ndarray
    left: float = 0.0

    def __post_init__(self):
        x = np.asarray(self.x, dtype=float)
        y = np.asarray(self.y, dtype=float)
        if x.ndim != 1 or x.size < 2 or x.shape != y.shape:
            raise ValueError("efficiency table needs ≥ 2 nodes and as many values as nodes")
        if not np.all(np.diff(x) > 0):
            raise ValueError("efficiency nodes x must be strictly increasing")
        if np.any(y < 0) or np.any(y > 1) or not np.all(np.isfinite(y)) or not 0 <= self.left <= 1:
            raise ValueError("efficiency values must lie in [0, 1]")
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)

    def __call__(self, E):
        return np.interp(np.asarray(E, dtype=float), self.x, self.y, left=self.left, right=self.y[-1])

    def segments(self):
        """(lo, hi, slope, intercept) arrays of the linear pieces covering (−∞, ∞)."""
        x, y = self.x, self.y
        lo = np.concatenate(([-np.inf], x))
        hi = np.concatenate((x, [np.inf]))
        slope = np.concatenate(([0.0], np.diff(y) / np.diff(x), [0.0]))
        icpt = np.concatenate(([self.left], y[:-1] - slope[1:-1] * x[:-1], [y[-1]]))
        return lo, hi, slope, icpt


def _pdf(z):
    """Standard normal density, with φ(±∞) = 0."""
    z = np.asarray(z, dtype=float)
    return np.where(np.isfinite(z), np.exp(-0.5 * np.where(np.isfinite(z), z, 0.0) ** 2) / _SQRT_2PI, 0.0)


def _cdf_diff(z0, z1):
    """Φ(z1) − Φ(z0) for z0 ≤ z1, from the upper tail when z0 > 0 (no 1 − 1 cancellation)."""
    z0, z1 = np.broadcast_arrays(np.asarray(z0, dtype=float), np.asarray(z1, dtype=float))
    from scipy.special import ndtr   # imported where used: keeps `import cevns_lib…` fast

    return np.where(z0 > 0, ndtr(-z0) - ndtr(-z1), ndtr(z1) - ndtr(z0))


def gaussian_window(mu, sigma, lo, hi, efficiency=None):
    """∫_{lo}^{hi} dE′ ε(E′) 𝒩(E′; μ, σ), exactly for a piecewise-linear ε.

    Parameters
    ----------
    mu, sigma : array_like
        Mean and width (MeV) of the Gaussian (broadcast together, σ > 0).
    lo, hi : float
        Window in reconstructed energy (MeV), lo < hi (±inf allowed).
    efficiency : PiecewiseLinearEfficiency or None
        ``None`` means ε = 1.

    Returns
    -------
    ndarray
        Probability, shape of ``mu``/``sigma`` broadcast.
    """
    mu = np.asarray(mu, dtype=float)
    sigma = np.asarray(sigma, dtype=float)
    if np.any(sigma <= 0) or not np.all(np.isfinite(sigma)):
        raise ValueError("resolution sigma must be positive and finite")
    if not lo < hi:
        raise ValueError(f"window needs lo < hi, got lo={lo!r}, hi={hi!r}")
    if efficiency is None:
        return _cdf_diff((lo - mu) / sigma, (hi - mu) / sigma)
    out = np.zeros(np.broadcast(mu, sigma).shape)
    for a, b, s, i in zip(*efficiency.segments()):
        a, b = max(a, lo), min(b, hi)
        if b <= a or (s == 0 and i == 0):
            continue
        z0, z1 = (a - mu) / sigma, (b - mu) / sigma
        # ∫ (i + s E′) 𝒩 dE′ = (i + s μ)(Φ1 − Φ0) − s σ (φ1 − φ0)
        out = out + (i + s * mu) * _cdf_diff(z0, z1) - s * sigma * (_pdf(z1) - _pdf(z0))
    return np.maximum(out, 0.0)  # the integrand is ≥ 0: clip round-off of order 1e-17


def bin_response(E_true, sigma, edges, efficiency=None):
    """Response matrix R[b, k] = ∫_{bin b} ε(E′) 𝒩(E′; E_k, σ_k) dE′ (exact, see module doc).

    Parameters
    ----------
    E_true : array_like, shape (n_nodes,)
        Mean visible energy of each recoil node (MeV), e.g. from :func:`linear_qf_quenching`.
    sigma : array_like, shape (n_nodes,)
        Resolution at each node (MeV, > 0).
    edges : array_like, shape (n_bins + 1,)
        Reconstructed-energy bin edges (MeV), increasing.
    efficiency : PiecewiseLinearEfficiency or None

    Returns
    -------
    ndarray, shape (n_bins, n_nodes)
    """
    edges = np.asarray(edges, dtype=float)
    if edges.ndim != 1 or edges.size < 2 or not np.all(np.diff(edges) > 0):
        raise ValueError("bin edges must be a strictly increasing 1-d array with at least 2 entries")
    E_true = _finite_array(E_true, "E_true")
    sigma = np.broadcast_to(np.asarray(sigma, dtype=float), E_true.shape)
    return np.array([gaussian_window(E_true, sigma, lo, hi, efficiency)
                     for lo, hi in zip(edges[:-1], edges[1:])])


def bin_response_on_grid(E_true, sigma, edges, efficiency=None, points_per_sigma=20, order=8):
    """Fixed-grid reference for :func:`bin_response` (Gauss–Legendre panels in E′).

    Each bin is cut at the efficiency nodes and into panels no wider than
    ``1/points_per_sigma`` of the smallest σ; ``order`` Gauss–Legendre nodes per panel.
    Used to test the exact formula (agreement ≤ 1e-4 and convergence under refinement).
    """
    edges = np.asarray(edges, dtype=float)
    E_true = _finite_array(E_true, "E_true")
    sigma = np.broadcast_to(np.asarray(sigma, dtype=float), E_true.shape)
    if np.any(sigma <= 0):
        raise ValueError("resolution sigma must be positive")
    xg, wg = np.polynomial.legendre.leggauss(order)
    h = sigma.min() / points_per_sigma
    nodes = () if efficiency is None else tuple(efficiency.x)
    R = np.zeros((edges.size - 1, E_true.size))
    for b, (lo, hi) in enumerate(zip(edges[:-1], edges[1:])):
        cuts = np.unique(np.concatenate(([lo, hi], [x for x in nodes if lo < x < hi])))
        for a, bb in zip(cuts[:-1], cuts[1:]):
            n = max(1, int(np.ceil((bb - a) / h)))
            u = np.linspace(a, bb, n + 1)
            E = (0.5 * np.diff(u)[:, None] * xg + 0.5 * (u[1:] + u[:-1])[:, None]).ravel()
            w = (0.5 * np.diff(u)[:, None] * wg).ravel()
            eff = np.ones_like(E) if efficiency is None else efficiency(E)
            g = np.exp(-0.5 * ((E[:, None] - E_true) / sigma) ** 2) / (_SQRT_2PI * sigma)
            R[b] += (w * eff) @ g
    return R


def reconstructed_density(E_reco, E_true, sigma, efficiency=None):
    """Matrix D[j, k] = ε(E′_j) 𝒩(E′_j; E_k, σ_k) in MeV⁻¹: contracting it with counts per
    recoil node gives the reconstructed spectrum dN/dE′ (events per MeV) at E′_j."""
    E_reco = np.asarray(E_reco, dtype=float)[:, None]
    E_true = _finite_array(E_true, "E_true")
    sigma = np.broadcast_to(np.asarray(sigma, dtype=float), E_true.shape)
    if np.any(sigma <= 0):
        raise ValueError("resolution sigma must be positive")
    eff = 1.0 if efficiency is None else efficiency(E_reco)
    return eff * np.exp(-0.5 * ((E_reco - E_true) / sigma) ** 2) / (_SQRT_2PI * sigma)


@dataclass(frozen=True)
class LinearQFResponse:
    """Detector response with linear quenching and √E resolution.

    Attributes
    ----------
    qf_a, qf_b_per_keVnr : float
        QF(T) = a + b·T[keVnr].
    resolution_a_sqrt_keV : float
        σ = a·√(E_ee[keVee]) keVee.
    efficiency : PiecewiseLinearEfficiency or None
        Efficiency in reconstructed (keVee, in MeV units) energy; ``None`` = 1.
    """

    qf_a: float
    qf_b_per_keVnr: float
    resolution_a_sqrt_keV: float
    efficiency: PiecewiseLinearEfficiency | None = None

    def visible_energy(self, T):
        """E_ee(T) in MeV for recoil T in MeV."""
        return linear_qf_quenching(T, self.qf_a, self.qf_b_per_keVnr)

    def recoil_energy(self, E_ee):
        """Inverse of :meth:`visible_energy` (MeV → MeV)."""
        return inverse_linear_qf_quenching(E_ee, self.qf_a, self.qf_b_per_keVnr)

    def sigma(self, T):
        """Resolution σ (MeV) at recoil T (MeV); floored at 1e-12 MeV so T → 0 stays finite."""
        return np.maximum(sqrt_resolution(self.visible_energy(T), self.resolution_a_sqrt_keV), 1e-12)

    def bin_matrix(self, T_nodes, edges_ee):
        """R[b, k] for recoil nodes ``T_nodes`` (MeV) and reconstructed edges (MeV)."""
        T = _finite_array(T_nodes, "T_nodes")
        return bin_response(self.visible_energy(T), self.sigma(T), edges_ee, self.efficiency)

    def density_matrix(self, T_nodes, E_reco):
        """D[j, k] (MeV⁻¹), see :func:`reconstructed_density`."""
        T = _finite_array(T_nodes, "T_nodes")
        return reconstructed_density(E_reco, self.visible_energy(T), self.sigma(T), self.efficiency)
