"""What each neutrino flavour sees in the nucleus: couplings, weak amplitude, cross sections.

Conventions (MeV = 1; T is the nuclear recoil kinetic energy, E the neutrino energy, M the
nuclear mass; q² = 2MT + T²):

- SM CEvNS (Freedman, PRD 9, 1389 (1974); Van Dessel et al., Universe 9, 207 (2023),
  arXiv:2007.03658, for the −T/E term)::

      dσ/dT = (G_F² M/π) 𝒜² [1 − MT/(2E²) − T/E] F²(q),   𝒜 = Z g_V^p + N g_V^n

  𝒜 is the *weak amplitude*; in the other common convention Q_W = −2𝒜.
- Magnetic moment, adds incoherently (Vogel & Engel, PRD 39, 3378 (1989))::

      dσ/dT = (π α² μ_ν²/m_e²) Z² F_p²(q) (1/T − 1/E),  T ≤ T_max(E)

  with μ_ν in units of μ_B.
- Vector NSI with quarks (Barranco, Miranda, Rashba, JHEP 0512, 021 (2005)):
  𝒜 → Z(g_V^p + 2ε^u + ε^d) + N(g_V^n + ε^u + 2ε^d) for the flavours carrying NSI.
- Neutrino charge radius: g_V^p → g_V^p − κ⟨r²⟩ with κ a *convention* (see
  :data:`CHARGE_RADIUS_KAPPA`), the same shift for ν and ν̄ of a flavour.
"""

import numpy as np

from cevns_lib.physics import constants as c
from cevns_lib.physics.nuclei import Nucleus
from cevns_lib.physics.sources import FLAVOURS

RADIATIVE_COUPLINGS = {
    "g_p": {"nu_e": 0.0401, "nu_mu": 0.0318, "nubar_mu": 0.0318},
    "g_n": -0.5094,
}
"""Radiatively corrected couplings including the SM neutrino charge radii, as used by
Cadeddu et al. (arXiv:2008.05022; Erler & Su, Prog. Part. Nucl. Phys. 71, 119 (2013))."""

COUPLING_SCHEMES = ("tree", "radiative")

CHARGE_RADIUS_KAPPA = {
    "giunti": c.charge_radius_giunti_per_1e32_cm2,
    "paper_calibrated": 0.0940,
    "sin2w_shift_single": 2.0 * c.charge_radius_giunti_per_1e32_cm2,
    "sin2w_shift": 4.0 * c.charge_radius_giunti_per_1e32_cm2,
}
"""Shift of g_V^p per 10⁻³² cm² of ⟨r²_ν⟩ in three conventions:
``giunti`` √2πα/(3G_F) = 0.0238 (Giunti & Studenikin, RMP 87, 531 (2015));
``paper_calibrated`` 0.0940, *inferred* by fitting the published 5% intervals of Carey & Pandey
(arXiv:2510.14015, as relayed by a summary of the paper; the paper's own convention is not known;
see book/06_em_properties.md); ``sin2w_shift_single`` 0.0476, from
sin²θ_W → sin²θ_W + (√2πα/3G_F)⟨r²⟩ inserted in g_V^p = 1/2 − 2 sin²θ_W (the factor-2 ambiguity of
the literature); ``sin2w_shift`` 0.0952, from sin²θ_W → sin²θ_W + 2(√2πα/3G_F)⟨r²⟩ (no published
source found for this form; listed as the nearest simple form to the paper-calibrated value)."""


def _check_flavour(flavour):
    if flavour not in FLAVOURS:
        raise ValueError(f"unknown flavour {flavour!r}; known flavours: {', '.join(FLAVOURS)}")


def vector_couplings(flavour: str, sin2w=c.sin2_theta_w_low_q, scheme: str = "tree"):
    """Proton and neutron vector couplings (g_V^p, g_V^n) of a flavour.

    Parameters
    ----------
    flavour : str
        One of ``nu_mu``, ``nu_e``, ``nubar_mu``.
    sin2w : float or ndarray
        Weak mixing angle (MS-bar at low Q²), in (0, 1).
    scheme : {"tree", "radiative"}
        ``tree``: g_V^p = 1/2 − 2 sin²θ_W, g_V^n = −1/2 (the convention of Carey & Pandey).
        ``radiative``: :data:`RADIATIVE_COUPLINGS`, which hold at sin²θ_W = 0.23857 and include the
        SM neutrino charge radii; a different ``sin2w`` moves g_V^p by −2 (sin²θ_W − 0.23857), the
        leading dependence (ρ, κ̂ ≈ 1), so that sin²θ_W can be measured in this scheme too.
    """
    _check_flavour(flavour)
    s = np.asarray(sin2w, dtype=float)
    if not np.all(np.isfinite(s)) or np.any((s <= 0) | (s >= 1)):
        raise ValueError(f"sin2w must be finite and lie in (0, 1), got {sin2w!r}")
    if scheme == "tree":
        return 0.5 - 2.0 * s, -0.5
    if scheme == "radiative":
        g_p = RADIATIVE_COUPLINGS["g_p"][flavour]
        if np.any(s != c.sin2_theta_w_low_q):
            g_p = g_p - 2.0 * (s - c.sin2_theta_w_low_q)
        return g_p, RADIATIVE_COUPLINGS["g_n"]
    raise ValueError(f"unknown coupling scheme {scheme!r}; use one of {COUPLING_SCHEMES}")


def nucleon_couplings(flavour: str, sin2w=c.sin2_theta_w_low_q, scheme="tree", eps_u=0.0, eps_d=0.0,
                      nsi_flavours=("nu_e",), charge_radius=0.0, charge_radius_kappa=None):
    """Effective proton and neutron couplings (g_p, g_n) of a flavour with NSI and charge radius.

    The coherent charge of a nucleus is then Q = g_p Z F_Z(q) + g_n N F_N(q). Parameters as in
    :func:`weak_amplitude`; all broadcast.
    """
    g_p, g_n = vector_couplings(flavour, sin2w, scheme)
    r2 = np.asarray(charge_radius, dtype=float)
    if not np.all(np.isfinite(r2)):
        raise ValueError(f"charge_radius must be finite (10^-32 cm^2), got {charge_radius!r}")
    if np.any(r2 != 0):
        if charge_radius_kappa is None:
            raise ValueError("charge_radius_kappa must be given with a non-zero charge_radius; conventions: "
                             + ", ".join(f"{k} = {v:.4f}" for k, v in CHARGE_RADIUS_KAPPA.items()))
        g_p = g_p - charge_radius_kappa * r2
    if flavour in nsi_flavours:
        eu, ed = np.asarray(eps_u, dtype=float), np.asarray(eps_d, dtype=float)
        if not (np.all(np.isfinite(eu)) and np.all(np.isfinite(ed))):
            raise ValueError("NSI couplings eps_u, eps_d must be finite")
        g_p = g_p + 2.0 * eu + ed
        g_n = g_n + eu + 2.0 * ed
    return g_p, g_n


def weak_amplitude(nucleus: Nucleus, flavour: str, sin2w=c.sin2_theta_w_low_q, scheme="tree",
                   eps_u=0.0, eps_d=0.0, nsi_flavours=("nu_e",), charge_radius=0.0,
                   charge_radius_kappa=None):
    """Weak amplitude 𝒜 = Z g_p + N g_n of a flavour, with optional NSI and charge radius.

    All parameters broadcast (numpy), so a scan is one call.

    Parameters
    ----------
    nucleus : Nucleus
    flavour : str
    sin2w, scheme
        See :func:`vector_couplings`.
    eps_u, eps_d : float or ndarray
        Vector NSI couplings ε^{uV}, ε^{dV} (dimensionless), applied to ``nsi_flavours``.
    charge_radius : float or ndarray
        Neutrino charge radius ⟨r²_ν⟩ in 10⁻³² cm², common to all flavours.
    charge_radius_kappa : float, optional
        Shift of g_V^p per 10⁻³² cm² (see :data:`CHARGE_RADIUS_KAPPA`). The conventions differ by
        up to a factor 4, so it must be given whenever ``charge_radius`` is non-zero.

    Returns
    -------
    ndarray
        𝒜 (dimensionless); the SM value for ⁴⁰Ar at tree level is −2 − 36 sin²θ_W.
    """
    g_p, g_n = nucleon_couplings(flavour, sin2w, scheme, eps_u, eps_d, nsi_flavours, charge_radius,
                                 charge_radius_kappa)
    return nucleus.Z * g_p + nucleus.N * g_n


# --- kinematics ---------------------------------------------------------------------------------

def t_max(E, M):
    """Largest recoil kinetic energy 2E²/(M + 2E) (MeV) for neutrino energy E on mass M (MeV)."""
    E = np.asarray(E, dtype=float)
    if np.any(E < 0) or M <= 0:
        raise ValueError("neutrino energy E must be >= 0 and nuclear mass M > 0 (MeV)")
    return 2.0 * E**2 / (M + 2.0 * E)


def e_min(T, M):
    """Smallest neutrino energy able to give recoil T: (T + √(T² + 2MT))/2, in MeV."""
    T = np.asarray(T, dtype=float)
    return 0.5 * (T + np.sqrt(T**2 + 2.0 * M * T))


def momentum_transfer(T, M):
    """Momentum transfer q = √(2MT + T²) in MeV for recoil T on mass M (MeV)."""
    T = np.asarray(T, dtype=float)
    return np.sqrt(2.0 * M * T + T**2)


def kinematic_factor(E, T, M, recoil_term: bool = True):
    """The bracket 1 − MT/(2E²) [− T/E] of the CEvNS cross section, set to 0 above T_max.

    ``recoil_term=True`` keeps −T/E (Van Dessel et al. 2023, the Carey–Pandey convention);
    ``False`` drops it (Cadeddu et al.); the difference is ~0.1% in rates.
    """
    E = np.asarray(E, dtype=float)
    T = np.asarray(T, dtype=float)
    k = 1.0 - M * T / (2.0 * E**2)
    if recoil_term:
        k = k - T / E
    return np.where(T <= t_max(E, M), np.maximum(k, 0.0), 0.0)


def magnetic_factor(E, T, M):
    """(1/T − 1/E) Θ(T_max(E) − T) in MeV⁻¹; the cut is explicit because the bracket does not
    vanish at T_max (without it the magnetic rate is overestimated by 10% to ×2)."""
    E = np.asarray(E, dtype=float)
    T = np.asarray(T, dtype=float)
    return np.where(T <= t_max(E, M), 1.0 / T - 1.0 / E, 0.0)


def _check_ET(E, T):
    E = np.asarray(E, dtype=float)
    T = np.asarray(T, dtype=float)
    if not np.all(np.isfinite(E)) or np.any(E <= 0):
        raise ValueError("neutrino energy E must be finite and positive (MeV)")
    if not np.all(np.isfinite(T)) or np.any(T <= 0):
        raise ValueError("recoil energy T must be finite and positive (MeV)")
    return E, T


def dsigma_dT_sm(E, T, nucleus: Nucleus, amplitude, form_factor, recoil_term=True):
    """SM-like CEvNS differential cross section dσ/dT in MeV⁻³ (multiply by 1/cm2 → cm²/MeV).

    Parameters
    ----------
    E, T : array_like
        Neutrino and recoil energies in MeV (broadcast).
    nucleus : Nucleus
    amplitude : float or array_like
        Weak amplitude 𝒜 (see :func:`weak_amplitude`).
    form_factor : callable
        F(q), q in MeV.
    """
    E, T = _check_ET(E, T)
    M = nucleus.mass
    F = form_factor(momentum_transfer(T, M))
    return c.G_F**2 * M / np.pi * np.asarray(amplitude) ** 2 * kinematic_factor(E, T, M, recoil_term) * F**2


def dsigma_dT_magnetic(E, T, nucleus: Nucleus, mu_nu, form_factor):
    """Magnetic-moment differential cross section in MeV⁻³; ``mu_nu`` in units of μ_B.

    dσ/dT = (π α² μ_ν²/m_e²) Z² F_p²(q) (1/T − 1/E) for T ≤ T_max (Vogel & Engel 1989).
    """
    E, T = _check_ET(E, T)
    M = nucleus.mass
    F = form_factor(momentum_transfer(T, M))
    pref = np.pi * c.alpha_em**2 / c.m_e**2 * nucleus.Z**2
    return pref * np.asarray(mu_nu) ** 2 * magnetic_factor(E, T, M) * F**2
