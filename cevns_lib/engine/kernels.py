"""Event rates: fold flux × cross section × detector response once, then evaluate cheaply.

The number of events of flavour α is

    N_α = N_T Φ_α ∫ dT R(T) ∫ dE f_α(E) dσ_α/dT(E, T).

The cross section depends on new-physics parameters only through a charge per flavour, so
the integral is split into

1. :class:`RecoilKernels`: on a fixed recoil grid T_k (log-spaced Gauss–Legendre panels with
   the kinematic edges and thresholds as panel edges), the flux-averaged kinematic factor times
   the quadrature weight, N_T, Φ and the coupling prefactor. These are *events per node per unit
   squared charge* (and per μ_B² for the magnetic moment), built once per exposure.
2. :class:`FoldedCounts`: the kernels contracted with a response R(T) (efficiency or binned
   response matrix) and form factors. Counts for any couplings are then a few multiplications:
   N_α = 𝒜_α² K_α + μ_ν² K^MM_α.

For charges that depend on q (separate proton/neutron form factors, light mediators), contract the
node arrays directly: N_{b,α} = Σ_k R_{bk} W_{α,k} Q_α(T_k)².
No adaptive quadrature is used; :func:`convergence_check` compares with a refined grid.
"""

from dataclasses import dataclass, field
from functools import cache

import numpy as np

from cevns_lib.physics import constants as c
from cevns_lib.physics.interactions import e_min, kinematic_factor, magnetic_factor, momentum_transfer, t_max
from cevns_lib.physics.nuclei import Nucleus
from cevns_lib.physics.sources import FLAVOURS, spectrum

T_FLOOR = 1.0e-9 * c.MeV
"""Lowest log-spaced recoil node (1 meV); below it a single linear panel reaches T = 0."""

MAGNETIC_MIN_RECOIL = 1.0e-6 * c.MeV
"""A response that is non-zero below this recoil (1 eV) makes the magnetic-moment rate
(∝ ∫dT/T) cutoff-dependent; such a fold refuses magnetic counts instead of returning one."""


@dataclass(frozen=True)
class RecoilGrid:
    """Quadrature nodes ``T`` (MeV) and weights ``w`` (MeV) on [t_min, t_max].

    Panels are equal in log T between consecutive breakpoints, ``panels_per_decade`` per decade
    (at least one per interval), each with ``order`` Gauss–Legendre nodes in ln T.
    """

    T: np.ndarray
    w: np.ndarray

    @classmethod
    def build(cls, t_min, t_max_, breakpoints=(), panels_per_decade=4, order=8):
        """Build the grid. ``t_min`` may be 0 (a linear panel covers [0, T_FLOOR]).

        Parameters
        ----------
        t_min, t_max_ : float
            Recoil range in MeV.
        breakpoints : iterable of float
            Extra panel edges in MeV (thresholds, kinematic end points, efficiency-table nodes).
        panels_per_decade, order : int
            Resolution; :func:`convergence_check` doubles both to test convergence.
        """
        if not (np.isfinite(t_min) and np.isfinite(t_max_)) or t_min < 0 or t_max_ <= t_min:
            raise ValueError(f"need 0 <= t_min < t_max, got t_min={t_min!r}, t_max={t_max_!r} (MeV)")
        xg, wg = gauss_legendre(order)
        T_parts, w_parts = [], []
        lo = t_min
        if t_min < T_FLOOR:
            a, b = t_min, min(T_FLOOR, t_max_)
            T_parts.append(0.5 * (b - a) * xg + 0.5 * (b + a))
            w_parts.append(0.5 * (b - a) * wg)
            lo = b
        edges = sorted({lo, t_max_, *(x for x in breakpoints if lo < x < t_max_)})
        for a, b in zip(edges[:-1], edges[1:]):
            if b <= a:
                continue
            n = max(1, int(np.ceil(panels_per_decade * np.log10(b / a))))
            u = np.linspace(np.log(a), np.log(b), n + 1)
            for ua, ub in zip(u[:-1], u[1:]):
                uu = 0.5 * (ub - ua) * xg + 0.5 * (ub + ua)
                T_parts.append(np.exp(uu))
                w_parts.append(0.5 * (ub - ua) * wg * np.exp(uu))
        return cls(np.concatenate(T_parts), np.concatenate(w_parts))


@cache
def gauss_legendre(order: int) -> tuple:
    """Gauss–Legendre nodes and weights on [−1, 1] (``numpy.polynomial.legendre.leggauss``),
    computed once per order and returned read-only: every kernel build uses the same few orders,
    and ``leggauss`` costs ~0.1 ms per call.

    Parameters
    ----------
    order : int
        Number of nodes (≥ 1).

    Returns
    -------
    (ndarray, ndarray)
        Nodes x_i (dimensionless) and weights w_i (Σ w_i = 2), read-only.
    """
    x, w = np.polynomial.legendre.leggauss(order)
    x.flags.writeable = False
    w.flags.writeable = False
    return x, w


def flux_averaged_factors(T, nucleus: Nucleus, flavour: str, recoil_term=True, energy_order=16):
    """Flux-averaged kinematic factors at recoil energies T (MeV).

    Returns
    -------
    weak : ndarray
        ∫ dE f(E) [1 − MT/(2E²) − T/E] over E ≥ E_min(T) (dimensionless).
    magnetic : ndarray
        ∫ dE f(E) (1/T − 1/E) over E ≥ E_min(T), in MeV⁻¹.

    For the Michel spectra both integrands are polynomials in E, so Gauss–Legendre of order
    ≥ 4 on [E_min(T), m_μ/2] is exact; ``energy_order`` is kept general for other spectra.
    """
    T = np.asarray(T, dtype=float)
    M = nucleus.mass
    s = spectrum(flavour)
    if s.is_line:
        E = s.line_energy
        return kinematic_factor(E, T, M, recoil_term), magnetic_factor(E, T, M)
    xg, wg = gauss_legendre(energy_order)
    a = np.minimum(e_min(T, M), s.end_point)[:, None]
    b = s.end_point
    E = 0.5 * (b - a) * xg + 0.5 * (b + a)
    wE = 0.5 * (b - a) * wg * s.density(E)
    Tc = T[:, None]
    weak = np.sum(wE * kinematic_factor(E, Tc, M, recoil_term), axis=1)
    mag = np.sum(wE * magnetic_factor(E, Tc, M), axis=1)
    return weak, mag


@dataclass(frozen=True)
class RecoilKernels:
    """Events per recoil node per unit squared charge, for one nucleus and exposure.

    Attributes
    ----------
    nucleus : Nucleus
    grid : RecoilGrid
    weak : dict
        flavour → events per node per unit 𝒜² (before the form factor): N_T Φ (G_F²M/π) w_k ⟨K⟩_k.
    magnetic : dict
        flavour → events per node per (μ_ν/μ_B)² (before F_p²): N_T Φ (πα²Z²/m_e²) w_k ⟨1/T − 1/E⟩_k.
    q : ndarray
        Momentum transfer at the nodes (MeV).
    n_targets : float
        Number of target nuclei N_T of the exposure.
    fluence_cm2 : float
        Fluence per flavour of the exposure (cm⁻²).
    """

    nucleus: Nucleus
    grid: RecoilGrid
    weak: dict
    magnetic: dict
    q: np.ndarray = field(repr=False)
    n_targets: float = 1.0
    fluence_cm2: float = 1.0

    @classmethod
    def build(cls, nucleus: Nucleus, n_targets: float, fluence_cm2: float, t_min=0.0, t_max_=None,
              breakpoints=(), recoil_term=True, panels_per_decade=4, order=8):
        """Build the kernels.

        Parameters
        ----------
        nucleus : Nucleus
        n_targets : float
            Number of target nuclei N_T.
        fluence_cm2 : float
            Fluence per flavour in cm⁻² (see :func:`cevns_lib.physics.sources.fluence_per_flavour`).
        t_min, t_max_ : float
            Recoil range in MeV (default: 0 to the kinematic end point of m_μ/2 neutrinos).
        breakpoints : iterable
            Extra panel edges (MeV); the kinematic edges of the prompt line and of m_μ/2 are added.
        recoil_term : bool
            Keep −T/E in the kinematic factor.
        """
        if n_targets <= 0 or fluence_cm2 <= 0:
            raise ValueError("n_targets and fluence_cm2 must be positive")
        M = nucleus.mass
        edge_max = float(t_max(c.E_nu_max_delayed, M))
        edge_prompt = float(t_max(c.E_nu_mu_prompt, M))
        t_max_ = edge_max if t_max_ is None else min(t_max_, edge_max)
        if t_min >= t_max_:
            raise ValueError(
                f"t_min = {t_min / c.keV:.4g} keV is above the largest recoil "
                f"{t_max_ / c.keV:.4g} keV: no events can be detected")
        grid = RecoilGrid.build(t_min, t_max_, (edge_prompt, *breakpoints), panels_per_decade, order)
        fluence = fluence_cm2 / c.cm2  # to MeV²
        pref_w = n_targets * fluence * c.G_F**2 * M / np.pi
        pref_m = n_targets * fluence * np.pi * c.alpha_em**2 / c.m_e**2 * nucleus.Z**2
        weak, mag = {}, {}
        for fl in FLAVOURS:
            kw, km = flux_averaged_factors(grid.T, nucleus, fl, recoil_term)
            weak[fl] = pref_w * grid.w * kw
            mag[fl] = pref_m * grid.w * km
        return cls(nucleus, grid, weak, mag, momentum_transfer(grid.T, M), float(n_targets), float(fluence_cm2))

    def fold(self, response=None, form_factor=None, proton_form_factor=None):
        """Contract with a response and form factors → :class:`FoldedCounts`.

        Parameters
        ----------
        response : callable or ndarray or None
            R(T) (T in MeV, returns efficiency), or an array of shape (n_nodes,) or
            (n_bins, n_nodes) (a binned response matrix). ``None`` means R = 1.
        form_factor : callable or None
            Weak form factor F_W(q) (q in MeV); ``None`` means F = 1.
        proton_form_factor : callable or None
            F_p(q) for the magnetic term; defaults to ``form_factor``.
        """
        if response is None:
            R = np.ones_like(self.grid.T)
        elif callable(response):
            R = np.asarray(response(self.grid.T), dtype=float)
        else:
            R = np.asarray(response, dtype=float)
        if R.shape[-1] != self.grid.T.size:
            raise ValueError(f"response has {R.shape[-1]} recoil nodes, the grid has {self.grid.T.size}")
        F2 = 1.0 if form_factor is None else form_factor(self.q) ** 2
        Fp = proton_form_factor or form_factor
        Fp2 = 1.0 if Fp is None else Fp(self.q) ** 2
        weak = {fl: R @ (self.weak[fl] * F2) for fl in FLAVOURS}
        mag = {fl: R @ (self.magnetic[fl] * Fp2) for fl in FLAVOURS}
        # dσ_MM/dT ∝ 1/T: the magnetic rate diverges logarithmically if the response reaches T → 0
        if self.grid.T[0] < MAGNETIC_MIN_RECOIL and np.any(np.asarray(R)[..., 0] > 0):
            mag = {fl: np.full_like(np.asarray(v, dtype=float), np.nan) for fl, v in mag.items()}
        return FoldedCounts(weak, mag)


@dataclass(frozen=True)
class FoldedCounts:
    """Counts as a polynomial in the couplings: N_α = 𝒜_α² K_α + μ_ν² K^MM_α.

    ``weak[fl]`` and ``magnetic[fl]`` are floats (or arrays over bins for a binned response).
    """

    weak: dict
    magnetic: dict

    def per_flavour(self, amplitudes, mu_nu=0.0):
        """Counts per flavour.

        Parameters
        ----------
        amplitudes : dict
            flavour → weak amplitude 𝒜 (float or ndarray; arrays broadcast, e.g. over a scan).
        mu_nu : float or ndarray
            Effective neutrino magnetic moment in units of μ_B (common to all flavours).
        """
        mu2 = np.asarray(mu_nu, dtype=float) ** 2
        if np.any(mu2 < 0) or not np.all(np.isfinite(mu2)):
            raise ValueError(f"mu_nu must be finite, got {mu_nu!r}")
        has_mm = bool(np.any(mu2 > 0))
        if has_mm and any(np.any(np.isnan(v)) for v in self.magnetic.values()):
            raise ValueError(
                "the magnetic-moment rate diverges logarithmically without a recoil threshold; "
                "fold with a response that vanishes at low recoil (a threshold or efficiency)")
        out = {}
        for fl in FLAVOURS:
            A = np.asarray(amplitudes[fl], dtype=float)
            Kw, Km = np.asarray(self.weak[fl]), np.asarray(self.magnetic[fl])
            if Kw.ndim:  # binned: bins on the last axis
                A = A[..., None]
                m2 = mu2[..., None] if mu2.ndim else mu2
            else:
                m2 = mu2
            out[fl] = A**2 * Kw + m2 * Km if has_mm else A**2 * Kw
        return out

    def total(self, amplitudes, mu_nu=0.0):
        """Total counts summed over flavours (same broadcasting as :meth:`per_flavour`)."""
        return sum(self.per_flavour(amplitudes, mu_nu).values())


def convergence_check(build, evaluate, refine=2):
    """Relative difference between a quantity on the default grid and on a refined grid.

    Parameters
    ----------
    build : callable
        ``build(panels_per_decade, order)`` → kernels.
    evaluate : callable
        ``evaluate(kernels)`` → float or ndarray.
    refine : int
        Factor applied to both the panel density and the Gauss–Legendre order.

    Returns
    -------
    float
        max |x_default/x_refined − 1| over the non-zero entries.
    """
    base = np.asarray(evaluate(build(4, 8)), dtype=float)
    fine = np.asarray(evaluate(build(4 * refine, 8 * refine)), dtype=float)
    nz = fine != 0
    return float(np.max(np.abs(base[nz] / fine[nz] - 1.0))) if np.any(nz) else 0.0
