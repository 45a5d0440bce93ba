"""Physical constants and units.

Internal unit system (hepunits style): energies in MeV, so ``MeV = 1``; lengths in MeV⁻¹
(natural units, ħ = c = 1); times in seconds where a beam exposure is meant.
Multiply a number by a unit to convert it *into* internal units, divide to convert *out*::

    >>> 20 * keV            # 20 keV in MeV
    0.02
    >>> (1 * fm) * hbarc    # back to MeV·fm
    1.0

Every value is cited once here; no other module re-types a physical constant.
Sources: PDG = R.L. Workman et al. (Particle Data Group), Review of Particle Physics
(PTEP 2022, 083C01, and the 2024 update); CODATA 2018 (Tiesinga et al., RMP 93, 025010 (2021)).
"""

import math

# --- energy units ---------------------------------------------------------------------------
MeV = 1.0
eV = 1.0e-6 * MeV
keV = 1.0e-3 * MeV
GeV = 1.0e3 * MeV

# --- conversion constants (CODATA 2018) -------------------------------------------------------
hbarc_MeV_fm = 197.3269804
"""ħc in MeV·fm (CODATA 2018)."""
fm = 1.0 / hbarc_MeV_fm
"""One femtometre in internal units (MeV⁻¹)."""
cm = 1.0e13 * fm
"""One centimetre in internal units (MeV⁻¹)."""
meter = 1.0e2 * cm
cm2 = cm * cm
"""One square centimetre in internal units (MeV⁻²); 1 MeV⁻² = 3.8938e-22 cm²."""

N_A = 6.02214076e23
"""Avogadro constant in mol⁻¹ (exact, SI 2019)."""
atomic_mass_unit = 931.49410242 * MeV
"""Unified atomic mass unit u in MeV (CODATA 2018)."""

# --- couplings (PDG) ----------------------------------------------------------------------------
G_F = 1.1663788e-5 / GeV**2
"""Fermi constant in MeV⁻² (PDG: 1.1663788(6)e-5 GeV⁻², MuLan)."""
alpha_em = 1.0 / 137.035999084
"""Fine-structure constant in the Thomson limit (CODATA 2018)."""
sin2_theta_w_low_q = 0.23857
"""MS-bar weak mixing angle at Q → 0 (PDG electroweak review; Erler & Ferro-Hernández,
JHEP 03 (2018) 196). Reference value of Carey & Pandey (arXiv:2510.14015) as inferred here, not
stated in the available summary of the paper: its published 5% sin²θ_W intervals favour
0.23857–0.2386 in the total-count model (scan of s₀ in book/05_weak_mixing_angle.md)."""

# --- masses (PDG) -----------------------------------------------------------------------------
m_e = 0.51099895 * MeV
m_mu = 105.6583755 * MeV
m_tau = 1776.86 * MeV
m_pi_charged = 139.57039 * MeV
m_W = 80.377 * GeV
"""W mass (PDG 2022 average)."""

# --- lifetimes (PDG) ----------------------------------------------------------------------------
tau_pi_charged_s = 2.6033e-8
"""π⁺ mean life in seconds (PDG)."""
tau_mu_s = 2.1969811e-6
"""μ⁺ mean life in seconds (PDG)."""

# --- time -------------------------------------------------------------------------------------
year_s = 3.156e7
"""One calendar year of beam in seconds (3.156e7 s), this book's run-time convention for the argon
projections (an assumption: the exposure of arXiv:2510.14015 is not known); COHERENT's 5000 h 'beam
year' is 1.8e7 s."""

# --- stopped-pion kinematics --------------------------------------------------------------------
E_nu_mu_prompt = (m_pi_charged**2 - m_mu**2) / (2.0 * m_pi_charged)
"""Energy of the prompt ν_μ line from π⁺ → μ⁺ ν_μ at rest, 29.792 MeV."""
E_nu_max_delayed = m_mu / 2.0
"""End point of the Michel spectra from μ⁺ decay at rest, m_μ/2 = 52.83 MeV."""

# --- derived -----------------------------------------------------------------------------------
charge_radius_giunti_per_1e32_cm2 = math.sqrt(2.0) * math.pi * alpha_em / (3.0 * G_F) * 1.0e-32 * cm2
"""Shift of g_V^p per 10⁻³² cm² of ⟨r²_ν⟩ in the Giunti–Studenikin convention,
√2πα/(3G_F) ⟨r²⟩ (Giunti & Studenikin, RMP 87, 531 (2015); Cadeddu et al., PRD 98, 113010 (2018));
numerically 0.02380."""
