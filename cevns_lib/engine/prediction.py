"""The one prediction engine: binned CEvNS counts as polynomials in the model parameters.

Every experiment — a projected detector (one bin: the total above threshold) or a COHERENT data set
(energy × time bins, several target nuclei) — gives a :class:`Prediction`: per target nucleus and
flavour α, per-bin, per-recoil-node event weights W^α_{bk} (flux × kinematics × quadrature weight ×
detector response, :class:`cevns_lib.engine.kernels.RecoilKernels`) and the proton and neutron form
factors at the nodes. The counts in bin b are

    N_b = Σ_targets Σ_α Σ_k W^α_{bk} Q_α(q_k)² + μ_ν² Σ_α Σ_k M^α_{bk} F_Z(q_k)²  [+ scalar],

with the coherent charge Q_α(q) = g_p Z F_Z(q) + g_n N F_N(q) [+ g² Z′ term]. For q-independent
couplings (SM with sin²θ_W, NSI, charge radius) the counts are a quadratic form in (g_p, g_n)
contracted once into three moments per flavour and bin (:meth:`Prediction.moments`):

    N_b = Σ_α [g_p² P^α_b + 2 g_p g_n X^α_b + g_n² R^α_b] + μ_ν² Σ_α M^α_b,

so a scan is a polynomial evaluation (no integral inside a scan loop). A vector mediator of mass M
adds g² K_α(q; M) to Q_α, which makes N_b(g) = A_b + g² B_b(M) + g⁴ C_b(M) per mass
(:meth:`Prediction.zprime_coefficients`); a scalar adds g⁴ S_b(M) incoherently
(:meth:`Prediction.scalar_coefficients`).
"""

import inspect
from dataclasses import dataclass, field

import numpy as np

from cevns_lib.engine.kernels import MAGNETIC_MIN_RECOIL
from cevns_lib.physics import constants as c
from cevns_lib.physics import mediators as med
from cevns_lib.physics.interactions import e_min, nucleon_couplings
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
        flavour → (n_bins, n_nodes): events per unit squared coherent charge Q² (response included).
    magnetic : dict
        flavour → (n_bins, n_nodes): events per (μ_ν/μ_B)² before F_Z² (response included).
    scalar : dict
        flavour → (n_bins, n_nodes): events per unit g⁴ Q_φ²/(q² + M²)² (MeV⁴; response included),
        from dσ_S/dT = g⁴ Q_φ² M_N² T/(4π E² (q² + M²)²).
    """

    nucleus: Nucleus
    q: np.ndarray
    F_Z: np.ndarray
    F_N: np.ndarray
    weak: dict
    magnetic: dict
    scalar: dict

    @classmethod
    def build(cls, kernels, response, F_Z, F_N):
        """Combine recoil kernels with a response.

        Parameters
        ----------
        kernels : RecoilKernels
        response : dict or ndarray
            (n_bins, n_nodes) matrix (or (n_nodes,) for one bin), or flavour → matrix (when time
            windows differ by flavour).
        F_Z, F_N : callable
            Proton and neutron form factors F(q), q in MeV. The scalar weights take the number of
            nuclei and the fluence from the kernels (their kinematic factor differs).
        """
        T, w = kernels.grid.T, kernels.grid.w
        nuc = kernels.nucleus
        resp = response if isinstance(response, dict) else {fl: response for fl in FLAVOURS}
        nphi = kernels.n_targets * kernels.fluence_cm2 / c.cm2
        weak, mag, scal = {}, {}, {}
        for fl in FLAVOURS:
            R = np.atleast_2d(np.asarray(resp[fl], dtype=float))
            if R.shape[-1] != T.size:
                raise ValueError(f"response for {fl} has {R.shape[-1]} nodes, kernels have {T.size}")
            weak[fl] = R * kernels.weak[fl][None, :]
            mag[fl] = R * kernels.magnetic[fl][None, :]
            if T[0] < MAGNETIC_MIN_RECOIL and np.any(R[:, 0] > 0):
                mag[fl] = np.full_like(mag[fl], np.nan)  # ∫dT/T diverges: refused in the counts
            node = nphi * w * nuc.mass**2 * T / (4 * np.pi) * scalar_flux_factor(T, nuc, fl)
            scal[fl] = R * node[None, :]
        q = kernels.q
        return cls(nuc, q, np.asarray(F_Z(q), dtype=float), np.asarray(F_N(q), dtype=float), weak, mag, scal)

    @property
    def n_bins(self) -> int:
        return next(iter(self.weak.values())).shape[0]

    def moments(self) -> dict:
        """flavour → (P, X, R, M), each (n_bins,): Σ_k W (Z F_Z)², Σ_k W (Z F_Z)(N F_N),
        Σ_k W (N F_N)² and the magnetic Σ_k W_MM F_Z²."""
        zp = self.nucleus.Z * self.F_Z
        nn = self.nucleus.N * self.F_N
        return {fl: (self.weak[fl] @ zp**2, self.weak[fl] @ (zp * nn), self.weak[fl] @ nn**2,
                     self.magnetic[fl] @ self.F_Z**2) for fl in FLAVOURS}

    def charge(self, g_p, g_n):
        """Coherent charge Q(q_k) = g_p Z F_Z + g_n N F_N at the nodes (scalar couplings)."""
        return g_p * self.nucleus.Z * self.F_Z + g_n * self.nucleus.N * self.F_N


def _add_terms(gp, gn, moments, mu2):
    """One flavour's counts (..., n_bins): Σ over targets of g_p² P + 2 g_p g_n X + g_n² R, plus
    μ_ν² M when μ_ν ≠ 0, added in a fixed order. ``gp``, ``gn``: (..., 1) couplings
    (:meth:`Prediction._couplings`); ``moments``: per target (P, X, R, M) of the flavour."""
    total = None
    for P, X, R, M in moments:   # ((total + g_p² P) + 2 g_p g_n X) + g_n² R in place: g_n has no axis g_p lacks
        if total is None:
            total = gp**2 * P
        else:
            total += gp**2 * P
        total += 2.0 * gp * gn * X
        total += gn**2 * R
        if np.any(mu2 > 0):
            if np.any(np.isnan(M)):
                raise ValueError("the magnetic-moment rate diverges logarithmically without a recoil "
                                 "threshold; use a response that vanishes at low recoil")
            total = total + mu2[..., None] * M     # (μ_ν may broadcast beyond the couplings)
    return total


@dataclass(frozen=True)
class Prediction:
    """CEvNS prediction of one experiment: a tuple of :class:`TargetBins` with the same bins.

    ``coupling_scheme`` is the default SM coupling scheme (``"tree"`` for the projections of
    Carey & Pandey, ``"radiative"`` for the COHERENT fits; see
    :func:`cevns_lib.physics.interactions.vector_couplings`).
    """

    targets: tuple
    coupling_scheme: str = "radiative"
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def n_bins(self) -> int:
        return self.targets[0].n_bins

    def with_form_factors(self, pairs) -> "Prediction":
        """The same prediction with other proton and neutron form factors: ``pairs`` is one
        (F_Z, F_N) pair of callables per target (q in MeV). No kernel is rebuilt."""
        pairs = list(pairs)
        if len(pairs) != len(self.targets):
            raise ValueError(f"need one (F_Z, F_N) pair per target ({len(self.targets)}), got {len(pairs)}")
        new = tuple(TargetBins(tb.nucleus, tb.q, np.asarray(FZ(tb.q), dtype=float), np.asarray(FN(tb.q), dtype=float),
                               tb.weak, tb.magnetic, tb.scalar) for tb, (FZ, FN) in zip(self.targets, pairs))
        return Prediction(new, self.coupling_scheme)

    def moments(self) -> list:
        """Per target: flavour → (P, X, R, M) (see :meth:`TargetBins.moments`), computed once."""
        if "moments" not in self._cache:
            self._cache["moments"] = [tb.moments() for tb in self.targets]
        return self._cache["moments"]

    # --- q-independent couplings: SM, sin²θ_W, NSI, charge radius, magnetic moment -----------
    def counts_per_flavour(self, sin2w=c.sin2_theta_w_low_q, scheme=None, eps_u_ee=0.0, eps_d_ee=0.0,
                           eps_u_mumu=0.0, eps_d_mumu=0.0, r2_e=0.0, r2_mu=0.0, kappa=None, mu_nu=0.0) -> dict:
        """flavour → counts (..., n_bins) for effective vector couplings; parameters broadcast.

        Parameters
        ----------
        sin2w : float or ndarray
            Weak mixing angle.
        scheme : str, optional
            Coupling scheme (default: the prediction's).
        eps_u_ee, eps_d_ee, eps_u_mumu, eps_d_mumu : float or ndarray
            Vector NSI with u and d quarks of ν_e (ee) and of ν_μ, ν̄_μ (μμ).
        r2_e, r2_mu : float or ndarray
            Neutrino charge radii ⟨r²⟩ of ν_e and of ν_μ (= ν̄_μ) in 10⁻³² cm²; need ``kappa``.
        kappa : float, optional
            Shift of g_V^p per 10⁻³² cm² (see :data:`cevns_lib.physics.interactions.CHARGE_RADIUS_KAPPA`).
        mu_nu : float or ndarray
            Effective magnetic moment, common to all flavours, in units of μ_B (≥ 0).
        """
        mu2 = np.asarray(mu_nu, dtype=float) ** 2
        if not np.all(np.isfinite(mu2)):
            raise ValueError(f"mu_nu must be finite (units of μ_B), got {mu_nu!r}")
        couplings = self._couplings(sin2w, scheme, eps_u_ee, eps_d_ee, eps_u_mumu, eps_d_mumu, r2_e, r2_mu, kappa)
        return {fl: _add_terms(gp, gn, [mom[fl] for mom in self.moments()], mu2) for fl, (gp, gn) in couplings.items()}

    def _couplings(self, sin2w, scheme, eps_u_ee, eps_d_ee, eps_u_mumu, eps_d_mumu, r2_e, r2_mu, kappa) -> dict:
        """flavour → (g_p, g_n) as (..., 1) arrays: the couplings of :meth:`counts_per_flavour`
        (arguments as there)."""
        scheme = self.coupling_scheme if scheme is None else scheme
        nsi = {"nu_e": (eps_u_ee, eps_d_ee), "nu_mu": (eps_u_mumu, eps_d_mumu), "nubar_mu": (eps_u_mumu, eps_d_mumu)}
        r2 = {"nu_e": r2_e, "nu_mu": r2_mu, "nubar_mu": r2_mu}
        out = {}
        for fl in FLAVOURS:
            gp, gn = nucleon_couplings(fl, sin2w, scheme, *nsi[fl], (fl,), r2[fl], kappa)
            out[fl] = (np.asarray(gp, dtype=float)[..., None], np.asarray(gn, dtype=float)[..., None])
        return out

    def counts(self, **params):
        """Total counts (..., n_bins) summed over flavours; see :meth:`counts_per_flavour`."""
        return sum(self.counts_per_flavour(**params).values())

    def mu_nu_counts(self, **params):
        """The total counts as a function of the magnetic moment alone, for root finding.

        The μ_ν-independent couplings are evaluated once, so that a call costs a few array
        operations instead of a :meth:`counts` call; the arithmetic is that of
        :meth:`counts_per_flavour` (the same helpers), so the result equals
        ``counts(mu_nu=mu, **params)`` bit for bit.

        Parameters
        ----------
        params : dict
            Scalar parameters of :meth:`counts_per_flavour` other than ``mu_nu``.

        Returns
        -------
        callable
            ``f(mu)`` → total counts (n_bins,) at the scalar magnetic moment ``mu`` (units of μ_B, ≥ 0).
        """
        if "mu_nu" in params:
            raise ValueError("mu_nu is the argument of the returned function")
        a = {k: p.default for k, p in inspect.signature(self.counts_per_flavour).parameters.items() if k != "mu_nu"}
        unknown = set(params) - set(a)
        if unknown:
            raise ValueError(f"unknown parameter(s) {', '.join(sorted(unknown))}; allowed: {', '.join(a)}")
        a.update(params)
        if any(np.ndim(v) for k, v in a.items() if v is not None and k != "scheme"):
            raise ValueError("mu_nu_counts takes scalar parameters only")
        couplings = self._couplings(**a)
        moments = {fl: [mom[fl] for mom in self.moments()] for fl in couplings}

        def counts(mu):
            mu2 = np.asarray(mu, dtype=float) ** 2
            if mu2.ndim or not np.isfinite(mu2):
                raise ValueError(f"mu must be one finite number (units of μ_B), got {mu!r}")
            return sum(_add_terms(gp, gn, moments[fl], mu2) for fl, (gp, gn) in couplings.items())

        return counts

    def sm_per_flavour(self) -> dict:
        """flavour → SM counts per bin (the prediction's coupling scheme, sin²θ_W = 0.23857)."""
        return self.counts_per_flavour()

    def sm(self) -> np.ndarray:
        """SM counts per bin."""
        return self.counts()

    # --- light mediators ---------------------------------------------------------------------
    def sm_charge(self, tb: TargetBins, flavour):
        """Q^SM_α(q_k) of a target in the prediction's coupling scheme."""
        return tb.charge(*nucleon_couplings(flavour, scheme=self.coupling_scheme))

    def _zprime_sm_terms(self) -> tuple:
        """Mass- and model-independent pieces of :meth:`zprime_coefficients`, computed once: per
        target, flavour → Q^SM_α(q_k) (:meth:`sm_charge`), and the SM counts A_b = Σ W Q_SM²
        (summed in the order targets × flavours of :meth:`zprime_coefficients`)."""
        if "zprime_sm" not in self._cache:
            charges = [{fl: self.sm_charge(tb, fl) for fl in FLAVOURS} for tb in self.targets]
            A = np.zeros(self.n_bins)
            for tb, q in zip(self.targets, charges):
                for fl in FLAVOURS:
                    A += tb.weak[fl] @ q[fl]**2
            A.flags.writeable = False
            self._cache["zprime_sm"] = (charges, A)
        return self._cache["zprime_sm"]

    def nuclear_charges(self, model, loop_sign=1.0) -> list:
        """Z′ charge of each target's nucleus at its recoil nodes (mass-independent; computed once
        per model, including the one-loop integral of the kinetic-mixing models)."""
        key = ("zprime", model.name, float(loop_sign))
        if key not in self._cache:
            self._cache[key] = [med.zprime_nuclear_charge(tb.q, model, tb.nucleus.Z, tb.nucleus.N,
                                                          tb.F_Z, tb.F_N, loop_sign) for tb in self.targets]
        return self._cache[key]

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
        masses = np.zeros(1) if limit is not None else np.atleast_1d(np.asarray(masses, dtype=float))
        if limit is None and (not np.all(np.isfinite(masses)) or np.any(masses < 0)):
            raise ValueError(f"mediator masses must be finite and >= 0 (MeV), got {masses!r}")
        nb = self.n_bins
        charges, A = self._zprime_sm_terms()
        B = np.zeros((masses.size, nb))
        C = np.zeros((masses.size, nb))
        for tb, Kq, sm_q in zip(self.targets, self.nuclear_charges(model, loop_sign), charges):
            P = med.propagator(tb.q[None, :], masses[:, None], limit)
            for fl in FLAVOURS:
                qn = model.neutrino_charge(fl)
                if qn == 0:
                    continue
                Qsm = sm_q[fl]
                W = tb.weak[fl]
                K = qn * Kq[None, :] * P / (np.sqrt(2.0) * c.G_F)
                B += (2.0 * Qsm[None, :] * K) @ W.T
                C += (K**2) @ W.T
        return A.copy(), B, C

    def scalar_coefficients(self, masses=None, limit=None):
        """(A, S) of N_b(g) = A_b + g⁴ S_b for a universal scalar (S: (n_M, n_bins));
        ``limit="heavy"``: variable g/M (MeV⁻¹); ``"light"``: 1/q⁴."""
        if limit is None:
            masses = np.atleast_1d(np.asarray(masses, dtype=float))
            if not np.all(np.isfinite(masses)) or np.any(masses < 0):
                raise ValueError(f"mediator masses must be finite and >= 0 (MeV), got {masses!r}")
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


def flux_averaged_cross_section_cm2(nucleus: Nucleus, form_factors, scheme="radiative", recoil_term=False,
                                    **grid) -> float:
    """Flux-averaged SM CEvNS cross section of a nucleus, ⟨σ⟩ = (1/3) Σ_α ∫dE f_α(E) σ_α(E), in cm².

    The three π-DAR flavours carry equal fluence, no threshold or efficiency. ``form_factors`` is the
    (F_Z, F_N) pair of the nucleus (q in MeV); ``scheme`` the coupling scheme.
    """
    from cevns_lib.engine.kernels import RecoilKernels

    k = RecoilKernels.build(nucleus, 1.0, 1.0, t_min=0.0, recoil_term=recoil_term, **grid)
    tb = TargetBins.build(k, np.ones((1, k.grid.T.size)), *form_factors)
    per_flavour = Prediction((tb,), scheme).sm_per_flavour()
    return float(sum(v[0] for v in per_flavour.values()) / len(FLAVOURS))
