"""Binned CEvNS predictions as polynomials in a mediator coupling, for the COHERENT likelihoods.

For one target nucleus the predicted counts in analysis bin b are

    N_b = Σ_α Σ_k W^α_{bk} Q_α(q_k)²,

with W^α_{bk} = R^α_{bk} × (kernel node weight of :class:`cevns_lib.engine.kernels.RecoilKernels`), R the
binned detector response (energy response × time-window fraction of flavour α) and Q_α the
q-dependent charge. With a vector mediator Q_α = Q^SM_α + g² K_α(q; M), so, per mass,

    N_b(g) = A_b + g² B_b + g⁴ C_b,     A = Σ W Q_SM²,  B = Σ W 2 Q_SM K,  C = Σ W K²,

and the coupling scan is free once (A, B, C) are known (DESIGN.md, "Speed by construction").
A scalar adds incoherently: N_b = A_b + g⁴ S_b.
"""

from dataclasses import dataclass, field

import numpy as np

from cevns_lib.physics import constants as c
from cevns_lib.physics import mediators as med
from cevns_lib.physics.interactions import e_min, vector_couplings
from cevns_lib.physics.nuclei import Nucleus
from cevns_lib.physics.sources import FLAVOURS, spectrum


def scalar_flux_factor(T, nucleus: Nucleus, flavour: str, order=8):
    """Flux-averaged ⟨1/E²⟩ over E ≥ E_min(T) (MeV⁻²) at recoil energies T (MeV).

    For the Michel spectra f(E)/E² is a polynomial in E, so Gauss–Legendre is exact.
    """
    T = np.asarray(T, dtype=float)
    s = spectrum(flavour)
    emin = e_min(T, nucleus.mass)
    if s.is_line:
        return np.where(emin <= s.line_energy, 1.0 / s.line_energy**2, 0.0)
    xg, wg = np.polynomial.legendre.leggauss(order)
    a = np.minimum(emin, s.end_point)[:, None]
    b = s.end_point
    E = 0.5 * (b - a) * xg + 0.5 * (b + a)
    return np.sum(0.5 * (b - a) * wg * s.density(E) / E**2, axis=1)


@dataclass(frozen=True)
class TargetBins:
    """Per-bin, per-node event weights of one target nucleus.

    Attributes
    ----------
    nucleus : Nucleus
    q : ndarray (n_nodes,)
        Momentum transfer at the nodes (MeV).
    F_Z, F_N : ndarray (n_nodes,)
        Proton and neutron form factors at the nodes.
    weak : dict
        flavour → (n_bins, n_nodes): events per unit squared charge Q² (response included).
    scalar : dict
        flavour → (n_bins, n_nodes): events per unit g⁴ Q_φ²/(q² + M²)² (MeV⁴; response included),
        from dσ_S/dT = g⁴ Q_φ² M_N² T/(4π E² (q² + M²)²).
    coupling_scheme : str
        SM couplings (see :func:`cevns_lib.physics.interactions.vector_couplings`).
    """

    nucleus: Nucleus
    q: np.ndarray
    F_Z: np.ndarray
    F_N: np.ndarray
    weak: dict
    scalar: dict
    coupling_scheme: str = "radiative"

    @classmethod
    def build(cls, kernels, response, F_Z, F_N, n_targets, fluence_cm2, coupling_scheme="radiative"):
        """Combine recoil kernels with a response.

        Parameters
        ----------
        kernels : RecoilKernels
        response : dict or ndarray
            (n_bins, n_nodes) matrix, or flavour → matrix (when time windows differ by flavour).
        F_Z, F_N : callable
            Proton and neutron form factors F(q), q in MeV.
        n_targets, fluence_cm2 : float
            Number of nuclei and fluence per flavour (cm⁻²) the kernels were built with
            (the scalar weights need them because their kinematic factor differs).
        """
        T, w = kernels.grid.T, kernels.grid.w
        nuc = kernels.nucleus
        resp = response if isinstance(response, dict) else {fl: response for fl in FLAVOURS}
        nphi = n_targets * fluence_cm2 / c.cm2
        weak, scal = {}, {}
        for fl in FLAVOURS:
            R = np.atleast_2d(np.asarray(resp[fl], dtype=float))
            if R.shape[-1] != T.size:
                raise ValueError(f"response for {fl} has {R.shape[-1]} nodes, kernels have {T.size}")
            weak[fl] = R * kernels.weak[fl][None, :]
            node = nphi * w * nuc.mass**2 * T / (4 * np.pi) * scalar_flux_factor(T, nuc, fl)
            scal[fl] = R * node[None, :]
        q = kernels.q
        return cls(nuc, q, np.asarray(F_Z(q)), np.asarray(F_N(q)), weak, scal, coupling_scheme)

    @property
    def n_bins(self) -> int:
        return next(iter(self.weak.values())).shape[0]

    def sm_charge(self, flavour):
        """Q^SM_α(q_k) = g_V^p Z F_Z + g_V^n N F_N at the nodes."""
        gp, gn = vector_couplings(flavour, scheme=self.coupling_scheme)
        return gp * self.nucleus.Z * self.F_Z + gn * self.nucleus.N * self.F_N


@dataclass(frozen=True)
class BinnedPrediction:
    """CEvNS prediction of a data set: a list of :class:`TargetBins` with the same bins."""

    targets: tuple
    _charges: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    """Cache: (model, loop_sign) → nuclear Z′ charge per target (mass-independent; for the
    kinetic-mixing models it holds the one-loop x-integral, too costly to redo per scan point)."""

    @property
    def n_bins(self) -> int:
        return self.targets[0].n_bins

    def nuclear_charges(self, model, loop_sign=1.0) -> list:
        """Z′ charge of each target's nucleus at its recoil nodes (computed once per model)."""
        key = (model, float(loop_sign))
        if key not in self._charges:
            self._charges[key] = [med.zprime_nuclear_charge(tb.q, model, tb.nucleus.Z, tb.nucleus.N,
                                                            tb.F_Z, tb.F_N, loop_sign) for tb in self.targets]
        return self._charges[key]

    def sm_per_flavour(self) -> dict:
        """flavour → SM counts per bin."""
        out = {fl: np.zeros(self.n_bins) for fl in FLAVOURS}
        for tb in self.targets:
            for fl in FLAVOURS:
                out[fl] += tb.weak[fl] @ tb.sm_charge(fl) ** 2
        return out

    def sm(self) -> np.ndarray:
        """SM counts per bin."""
        return sum(self.sm_per_flavour().values())

    def zprime_coefficients(self, model, masses=None, limit=None, loop_sign=1.0):
        """(A, B, C) of N_b(g) = A_b + g² B_b + g⁴ C_b for each mass.

        Parameters
        ----------
        model : ZprimeModel or str
        masses : array_like (n_M,) in MeV, or None with ``limit`` in {"light", "heavy"}
            (for "heavy" the polynomial variable is g/M in MeV⁻¹).
        Returns
        -------
        A : (n_bins,);  B, C : (n_M, n_bins)
        """
        if isinstance(model, str):
            model = med.get_model(model)
        if limit is None:
            masses = np.atleast_1d(np.asarray(masses, dtype=float))
        else:
            masses = np.zeros(1)
        nb = self.n_bins
        A = np.zeros(nb)
        B = np.zeros((masses.size, nb))
        C = np.zeros((masses.size, nb))
        for tb, Kq in zip(self.targets, self.nuclear_charges(model, loop_sign)):
            P = med.propagator(tb.q[None, :], masses[:, None], limit)
            for fl in FLAVOURS:
                qn = model.neutrino_charge(fl)
                Qsm = tb.sm_charge(fl)
                W = tb.weak[fl]
                A += W @ Qsm**2
                if qn == 0:
                    continue
                K = qn * Kq[None, :] * P / (np.sqrt(2.0) * c.G_F)
                B += (2.0 * Qsm[None, :] * K) @ W.T
                C += (K**2) @ W.T
        return A, B, C

    def scalar_coefficients(self, masses=None, limit=None):
        """(A, S) of N_b(g) = A_b + g⁴ S_b for a universal scalar (S: (n_M, n_bins));
        ``limit="heavy"``: variable g/M (MeV⁻¹); ``"light"``: 1/q⁴."""
        if limit is None:
            masses = np.atleast_1d(np.asarray(masses, dtype=float))
        elif limit in ("light", "heavy"):
            masses = np.zeros(1)
        else:
            raise ValueError(f"limit must be None, 'light' or 'heavy', got {limit!r}")
        A = self.sm()
        S = np.zeros((masses.size, self.n_bins))
        for tb in self.targets:
            Qphi2 = med.scalar_charge(tb.nucleus.Z, tb.nucleus.N, tb.F_Z, tb.F_N) ** 2
            if limit == "heavy":
                P2 = np.ones((1, tb.q.size))
            else:
                P2 = med.scalar_propagator_squared(tb.q[None, :], masses[:, None])
            for fl in FLAVOURS:
                S += (Qphi2[None, :] * P2) @ tb.scalar[fl].T
        return A, S


def counts_from_coefficients(g, A, B, C=None):
    """N(g) on a grid: g (n_g,), A (n_bins,), B/C (n_M, n_bins) → (n_M, n_g, n_bins).

    With ``C=None`` the polynomial is A + g⁴ B (the scalar)."""
    g2 = np.asarray(g, dtype=float)[None, :, None] ** 2
    if C is None:
        return A[None, None, :] + g2**2 * B[:, None, :]
    return A[None, None, :] + g2 * B[:, None, :] + g2**2 * C[:, None, :]


POINT_RADII_FM = {
    "Cs133": (4.804, 5.01),
    "I127": (4.749, 4.94),
    "Ar40": (3.448, 3.55),
}
"""rms radii (fm) of the point-proton and point-neutron distributions used in the mediator fits of
Cadeddu et al. (arXiv:2008.05022, §3) and Atzori Corona et al. (arXiv:2202.11002): R_p from the
measured charge radii, R_n fixed (values as transcribed in the project spec §2.4, status [T])."""


def helm_pair(nucleus: Nucleus):
    """Helm form factors (F_Z, F_N) with s = 0.9 fm and the radii of :data:`POINT_RADII_FM`."""
    from cevns_lib.physics.form_factors import helm, helm_R0_from_rms_fm

    if nucleus.name not in POINT_RADII_FM:
        raise ValueError(f"no point radii for {nucleus.name!r}; known: {', '.join(POINT_RADII_FM)}")
    rp, rn = POINT_RADII_FM[nucleus.name]
    R0p, R0n = helm_R0_from_rms_fm(rp), helm_R0_from_rms_fm(rn)
    return (lambda q: helm(q, R0p)), (lambda q: helm(q, R0n))
