"""Light mediators in CEvNS: Z′ charge table, propagator, kinetic-mixing loop, scalar, (g−2)_μ.

Vector Z′ (Lagrangian g Z′_μ Σ_f Q′_f f̄γ^μ f) shifts the weak amplitude of flavour α by
(Atzori Corona et al., JHEP 05 (2022) 109, arXiv:2202.11002, eq. 2.3; Cadeddu et al., JHEP 01 (2021)
116, arXiv:2008.05022)::

    Q_α(q) → Q_α(q) + g² Q′_{ν_α} [Q′_p Z F_Z(q) + Q′_n N F_N(q)] / (√2 G_F (q² + M²)),

with Q_α = g_V^p Z F_Z + g_V^n N F_N in the convention of :mod:`cevns_lib.physics.interactions`
(Q_α < 0, so c = Q′_ν Q′_N > 0 interferes destructively). For the L_α − L_β models the proton
charge is induced by γ–Z′ kinetic mixing at one loop (:func:`induced_proton_charge`).
A universal light scalar adds incoherently (:func:`scalar_charge`; Cerdeño et al., JHEP 05 (2016)
118, arXiv:1604.01025). Charges are data: ``cevns_lib/data/zprime_charges.toml``.
Units: MeV = 1; q and masses in MeV; g dimensionless.
"""

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources

import numpy as np

from cevns_lib.physics import constants as c

LEPTON_MASSES = {"e": c.m_e, "mu": c.m_mu, "tau": c.m_tau}

SCALAR_NUCLEON_CHARGES = {"proton": 15.1, "neutron": 14.0}
"""Scalar charges of the nucleons for a universal quark coupling g_φ, Q_φ = 15.1 Z + 14 N
(Cerdeño et al., arXiv:1604.01025, eq. 2.11, from the quark σ-terms and the heavy-quark/gluon term;
value recalled from the literature, not checked against the paper; the normalisation of the scalar
cross section used by arXiv:2202.11002 is not confirmed either)."""

DELTA_A_MU = {
    "2022": (251e-11, 59e-11),
    "2020": (279e-11, 76e-11),
}
"""Δa_μ = a_μ^exp − a_μ^SM and its 1σ error: ``2022`` FNAL+BNL vs the 2020 theory initiative (used by
arXiv:2202.11002); ``2020`` BNL vs 2020 theory (used by arXiv:2008.05022)."""


@dataclass(frozen=True)
class ZprimeModel:
    """A U(1)′ model: charges of the quarks (u = d), ν_e, ν_μ (= ν̄_μ) and the muon.

    ``kind`` is ``"tree"`` or ``"loop"``; for loop models ``loop_leptons`` = (α, β) with
    Q′_α = +1, Q′_β = −1 (the leptons running in the γ–Z′ mixing loop).
    """

    name: str
    label: str
    kind: str
    quark: float
    nu_e: float
    nu_mu: float
    muon: float
    source: str
    status: str
    loop_leptons: tuple = ()

    @property
    def nucleon(self) -> float:
        """Tree-level nucleon charge Q′_p = Q′_n = 3 Q′_q."""
        return 3.0 * self.quark

    def neutrino_charge(self, flavour: str) -> float:
        """Q′ of a π-DAR flavour (ν̄_μ carries the ν_μ charge: both amplitudes flip sign)."""
        if flavour == "nu_e":
            return self.nu_e
        if flavour in ("nu_mu", "nubar_mu"):
            return self.nu_mu
        raise ValueError(f"unknown flavour {flavour!r}; known: nu_e, nu_mu, nubar_mu")


@functools.lru_cache(maxsize=1)
def _charge_table() -> dict:
    text = resources.files("cevns_lib").joinpath("data/zprime_charges.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    models = {}
    for name, row in raw.items():
        models[name] = ZprimeModel(
            name=name, label=row["label"], kind=row["kind"], quark=float(row["quark"]),
            nu_e=float(row["nu_e"]), nu_mu=float(row["nu_mu"]), muon=float(row["muon"]),
            source=row["source"], status=row["status"], loop_leptons=tuple(row.get("loop_leptons", ())))
    return models


def model_names(kind: str | None = None) -> tuple:
    """Model keys of the charge table, in table order (all, or those of ``kind`` "tree"/"loop")."""
    if kind not in (None, "tree", "loop"):
        raise ValueError(f"kind must be 'tree' or 'loop', got {kind!r}")
    return tuple(n for n, m in _charge_table().items() if kind is None or m.kind == kind)


TREE_MODELS = model_names("tree")
"""The tree-level Z′ models of the charge table (the seven of arXiv:2202.11002, in its order)."""
LOOP_MODELS = model_names("loop")
"""Kinetic-mixing (one-loop) models of the charge table."""


def get_model(name: str) -> ZprimeModel:
    """The Z′ model ``name`` from the charge table; ValueError lists the known ones."""
    table = _charge_table()
    if name not in table:
        raise ValueError(f"unknown Z′ model {name!r}; known models: {', '.join(table)}")
    return table[name]


# ------------------------------------------------------------------------------- propagator
PROPAGATOR_LIMITS = (None, "light", "heavy")


def _check_mass(mass):
    m = np.asarray(mass, dtype=float)
    if not np.all(np.isfinite(m)) or np.any(m < 0):
        raise ValueError(f"mediator mass must be finite and non-negative (MeV), got {mass!r}")
    return m


def propagator(q, mass=0.0, limit=None):
    """Z′ propagator factor 1/(q² + M²) in MeV⁻² (q, M in MeV; broadcast).

    ``limit="light"``: 1/q² (M² ≪ q²_min; the rate then depends on g only).
    ``limit="heavy"``: 1 — the coefficient of (g/M)² for M² ≫ q²_max (the rate depends on g/M).
    """
    q = np.asarray(q, dtype=float)
    if limit is None:
        return 1.0 / (q**2 + _check_mass(mass) ** 2)
    if limit == "light":
        return 1.0 / q**2
    if limit == "heavy":
        return np.ones_like(q)
    raise ValueError(f"limit must be one of {PROPAGATOR_LIMITS}, got {limit!r}")


# ------------------------------------------------------------------------------ one-loop mixing
@functools.lru_cache(maxsize=16)
def _half_interval_nodes(n_panels=24, order=12, x_min=1e-14):
    """Gauss–Legendre nodes on [0, 1/2], panels equal in ln x down to x_min plus [0, x_min]."""
    xg, wg = np.polynomial.legendre.leggauss(order)
    u = np.linspace(np.log(x_min), np.log(0.5), n_panels + 1)
    xs, ws = [0.5 * x_min * (xg + 1)], [0.5 * x_min * wg]
    for a, b in zip(u[:-1], u[1:]):
        uu = 0.5 * (b - a) * xg + 0.5 * (b + a)
        xs.append(np.exp(uu))
        ws.append(0.5 * (b - a) * wg * np.exp(uu))
    return _frozen(np.concatenate(xs)), _frozen(np.concatenate(ws))


def _frozen(a):
    """Read-only view (cached quadrature nodes must not be modified by callers)."""
    a.setflags(write=False)
    return a


def loop_integral(q, m_alpha, m_beta, n_panels=24, order=12):
    """∫₀¹ dx x(1−x) ln[(m_β² + x(1−x)q²)/(m_α² + x(1−x)q²)] (dimensionless).

    The integrand is symmetric under x → 1 − x; panels equal in ln x resolve the scale
    x ≈ m²/q² of a light lepton (the electron at |q| ≈ 20–100 MeV). Limits: (1/6) ln(m_β²/m_α²)
    for |q| ≪ m_α, m_β; → 0 for |q| ≫ m_β.

    Parameters
    ----------
    q : array_like
        Momentum transfer |q| in MeV.
    m_alpha, m_beta : float
        Masses (MeV) of the leptons with Z′ charge +1 and −1.
    """
    if m_alpha <= 0 or m_beta <= 0:
        raise ValueError("lepton masses m_alpha, m_beta must be positive (MeV)")
    q = np.asarray(q, dtype=float)
    x, w = _half_interval_nodes(n_panels, order)
    y = x * (1.0 - x)
    q2 = q[..., None] ** 2
    integrand = y * np.log((m_beta**2 + y * q2) / (m_alpha**2 + y * q2))
    return 2.0 * np.sum(w * integrand, axis=-1)


def induced_proton_charge(q, model: ZprimeModel, loop_sign=1.0, **quad):
    """Proton charge (in units of g) induced by γ–Z′ kinetic mixing: s (2α/π) I(q).

    I is :func:`loop_integral` with the model's leptons (α, β). The sign s = +1 follows from the
    vacuum-polarisation analogy: the mixing is ∝ Σ_f Q_f^em Q′_f Π_f with Π_f ∝ +ln m_f², which is
    positive for L_μ − L_τ (Q^em = −1; Q′_μ = +1, Q′_τ = −1), so ν_μ (Q′ = +1) interferes
    destructively, like the universal model. ``loop_sign=-1`` gives the opposite convention.
    """
    if model.kind != "loop":
        raise ValueError(f"model {model.name!r} is tree-level; induced_proton_charge needs a loop model")
    if loop_sign not in (1, -1, 1.0, -1.0):
        raise ValueError(f"loop_sign must be +1 or -1, got {loop_sign!r}")
    ma, mb = (LEPTON_MASSES[lep] for lep in model.loop_leptons)
    return loop_sign * 2.0 * c.alpha_em / np.pi * loop_integral(q, ma, mb, **quad)


def zprime_nuclear_charge(q, model: ZprimeModel, Z, N, F_Z, F_N, loop_sign=1.0):
    """Z′ charge of the nucleus in units of g, Q′_p Z F_Z + Q′_n N F_N (tree) or Q′_p(q) Z F_Z (loop).

    F_Z, F_N are the proton and neutron form factors at q (arrays like q).
    """
    if model.kind == "tree":
        return model.nucleon * (Z * np.asarray(F_Z) + N * np.asarray(F_N))
    return induced_proton_charge(q, model, loop_sign) * Z * np.asarray(F_Z)


def zprime_amplitude_shift(q, model: ZprimeModel, flavour, Z, N, F_Z, F_N, mass=0.0, limit=None,
                           loop_sign=1.0):
    """Shift of the weak amplitude per unit g² (per unit (g/M)² for ``limit="heavy"``):

    Q′_ν [nuclear Z′ charge] / (√2 G_F) × propagator. Multiply by g² and add to Q_SM.
    """
    nuc = zprime_nuclear_charge(q, model, Z, N, F_Z, F_N, loop_sign)
    return model.neutrino_charge(flavour) * nuc * propagator(q, mass, limit) / (np.sqrt(2.0) * c.G_F)


def strip_g_over_m(amplitude_sm, model: ZprimeModel, flavour, Z, N):
    """Centre of the destructive-interference strip at |q| → 0 and M ≫ q, in MeV⁻¹:

    g/M = sqrt(−2 Q_SM √2 G_F / (Q′_ν Q′_N A)) (the Z′ term equals −2 Q_SM: the amplitude flips sign).
    Returns NaN when the interference is constructive for that flavour.
    """
    cq = model.neutrino_charge(flavour) * model.nucleon * (Z + N)
    val = -2.0 * amplitude_sm * np.sqrt(2.0) * c.G_F / cq if cq != 0 else -1.0
    return float(np.sqrt(val)) if val > 0 else float("nan")


# --------------------------------------------------------------------------------------- scalar
def scalar_charge(Z, N, F_Z=1.0, F_N=1.0):
    """Nuclear scalar charge Q_φ = 15.1 Z F_Z + 14 N F_N (units of g_φ; see SCALAR_NUCLEON_CHARGES)."""
    return (SCALAR_NUCLEON_CHARGES["proton"] * Z * np.asarray(F_Z)
            + SCALAR_NUCLEON_CHARGES["neutron"] * N * np.asarray(F_N))


def scalar_propagator_squared(q, mass=0.0):
    """1/(q² + M_φ²)² in MeV⁻⁴."""
    q = np.asarray(q, dtype=float)
    return 1.0 / (q**2 + _check_mass(mass) ** 2) ** 2


# ------------------------------------------------------------------------------------ (g − 2)_μ
@functools.lru_cache(maxsize=4)
def _z_nodes(n_panels=40, order=10, u_min=1e-12):
    """Nodes for ∫₀¹ dz with panels equal in ln z near z = 0 and in ln(1 − z) near z = 1.

    A light mediator puts the integrand's peak at z → 1, a heavy one (M ≫ m_μ) at z ≈ m_μ²/M²;
    both ends therefore get logarithmic panels (the same nodes mirrored about z = 1/2).
    """
    x, w = _half_interval_nodes(n_panels, order, u_min)
    return _frozen(np.concatenate([x, 1.0 - x])), _frozen(np.concatenate([w, w]))


def delta_a_mu_vector(g, mass, charge=1.0):
    """One-loop Δa_μ of a vector of coupling g·Q′_μ and mass M (MeV) (Jegerlehner & Nyffeler,
    Phys. Rept. 477, 1 (2009), eq. 7.13 type):

        Δa_μ = g² Q′_μ²/(4π²) ∫₀¹ dz m_μ² z(1−z)² / (m_μ²(1−z)² + M² z).
    """
    z, w = _z_nodes()
    M = np.asarray(mass, dtype=float)[..., None]
    m2 = c.m_mu**2
    integ = np.sum(w * m2 * z * (1 - z) ** 2 / (m2 * (1 - z) ** 2 + M**2 * z), axis=-1)
    return np.asarray(g, dtype=float) ** 2 * charge**2 / (4 * np.pi**2) * integ


def delta_a_mu_scalar(g, mass):
    """One-loop Δa_μ of a scalar of coupling g and mass M (MeV):

        Δa_μ = g²/(8π²) ∫₀¹ dz (1−z)²(1+z) / ((1−z)² + z M²/m_μ²).
    """
    z, w = _z_nodes()
    r2 = (np.asarray(mass, dtype=float)[..., None] / c.m_mu) ** 2
    integ = np.sum(w * (1 - z) ** 2 * (1 + z) / ((1 - z) ** 2 + z * r2), axis=-1)
    return np.asarray(g, dtype=float) ** 2 / (8 * np.pi**2) * integ


def g2_band(mass, model=None, epoch="2022", n_sigma=2.0):
    """Couplings (g_lo, g_hi) for which Δa_μ lies within ±n_sigma of the measured excess.

    Parameters
    ----------
    mass : array_like
        Mediator mass in MeV.
    model : ZprimeModel or None
        Vector model (its muon charge is used); ``None`` for the universal scalar.
    epoch : {"2022", "2020"}
        Δa_μ value (see :data:`DELTA_A_MU`).
    n_sigma : float
        Half-width of the band in σ.

    Returns
    -------
    tuple of ndarray
        Lower and upper g of the band (NaN where the model has no muon coupling).
    """
    if epoch not in DELTA_A_MU:
        raise ValueError(f"epoch must be one of {tuple(DELTA_A_MU)}, got {epoch!r}")
    if n_sigma <= 0:
        raise ValueError("n_sigma must be positive")
    da, sig = DELTA_A_MU[epoch]
    lo_a, hi_a = max(da - n_sigma * sig, 0.0), da + n_sigma * sig
    if model is None:
        per_g2 = delta_a_mu_scalar(1.0, mass)
    else:
        if model.muon == 0:
            nan = np.full(np.shape(mass), np.nan)
            return nan, nan
        per_g2 = delta_a_mu_vector(1.0, mass, model.muon)
    return np.sqrt(lo_a / per_g2), np.sqrt(hi_a / per_g2)
