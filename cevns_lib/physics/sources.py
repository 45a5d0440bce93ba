"""Stopped-pion (π-DAR) neutrino sources: spectra per flavour, facilities and fluence.

Each π⁺ decaying at rest gives three neutrinos: a prompt monochromatic ν_μ
(π⁺ → μ⁺ν_μ, τ_π = 26 ns) and the delayed ν_e and ν̄_μ from μ⁺ → e⁺ν_e ν̄_μ
(τ_μ = 2.197 µs) with Michel spectra up to m_μ/2. Spectra are normalised, ∫ f dE = 1.
References: e.g. COHERENT, Science 357, 1123 (2017); Louis, Los Alamos Sci. 25 (1997);
COHERENT LAr, PRL 126, 012002 (2021), arXiv:2003.10630 (yield per proton, data release
LArParametersAnlA.yaml).
"""

from dataclasses import dataclass

import numpy as np

from cevns_lib.physics import constants as c

FLAVOURS = ("nu_mu", "nu_e", "nubar_mu")
"""The three π-DAR flavours: prompt ν_μ, delayed ν_e, delayed ν̄_μ."""

FLAVOUR_LABELS = {"nu_mu": r"$\nu_\mu$", "nu_e": r"$\nu_e$", "nubar_mu": r"$\bar\nu_\mu$"}


def _check_energy(E):
    E = np.asarray(E, dtype=float)
    if not np.all(np.isfinite(E)):
        raise ValueError("neutrino energy E must be finite (MeV)")
    return E


def nu_e_spectrum(E):
    """Michel ν_e spectrum from μ⁺ decay at rest, f(E) = (192/m_μ)(E/m_μ)²(1/2 − E/m_μ).

    Parameters
    ----------
    E : array_like
        Neutrino energy in MeV.

    Returns
    -------
    ndarray
        Probability density in MeV⁻¹, zero outside 0 ≤ E ≤ m_μ/2.
    """
    E = _check_energy(E)
    x = E / c.m_mu
    f = 192.0 / c.m_mu * x**2 * (0.5 - x)
    return np.where((E >= 0) & (E <= c.E_nu_max_delayed), f, 0.0)


def nubar_mu_spectrum(E):
    """Michel ν̄_μ spectrum, f(E) = (64/m_μ)(E/m_μ)²(3/4 − E/m_μ), in MeV⁻¹ (E in MeV)."""
    E = _check_energy(E)
    x = E / c.m_mu
    f = 64.0 / c.m_mu * x**2 * (0.75 - x)
    return np.where((E >= 0) & (E <= c.E_nu_max_delayed), f, 0.0)


@dataclass(frozen=True)
class Spectrum:
    """A flavour's normalised spectrum: a δ-line at ``line_energy`` or a continuous
    density ``density(E)`` on [0, ``end_point``] (energies in MeV)."""

    flavour: str
    line_energy: float | None = None
    density: object = None
    end_point: float | None = None

    @property
    def is_line(self) -> bool:
        return self.line_energy is not None


PION_DAR_SPECTRA = {
    "nu_mu": Spectrum("nu_mu", line_energy=c.E_nu_mu_prompt),
    "nu_e": Spectrum("nu_e", density=nu_e_spectrum, end_point=c.E_nu_max_delayed),
    "nubar_mu": Spectrum("nubar_mu", density=nubar_mu_spectrum, end_point=c.E_nu_max_delayed),
}


def spectrum(flavour: str) -> Spectrum:
    """The π-DAR spectrum of ``flavour`` (one of :data:`FLAVOURS`)."""
    try:
        return PION_DAR_SPECTRA[flavour]
    except KeyError:
        raise ValueError(f"unknown flavour {flavour!r}; known flavours: {', '.join(FLAVOURS)}") from None


def mean_energy_squared(flavour: str) -> float:
    """⟨E²⟩ of a flavour's spectrum in MeV² (closed form): ν_μ 887.6, ν_e 1116.4, ν̄_μ 1488.7."""
    s = spectrum(flavour)
    if s.is_line:
        return s.line_energy**2
    m = c.m_mu
    # ∫ E² f dE for f = (k/m)(E/m)²(b − E/m) on [0, m/2]: k m² ∫ x⁴(b − x) dx
    k, b = (192.0, 0.5) if flavour == "nu_e" else (64.0, 0.75)
    X = 0.5
    return k * m**2 * (b * X**5 / 5.0 - X**6 / 6.0)


def fluence_per_flavour(nu_per_flavour_per_pot: float, pot_per_second: float,
                        run_time_s: float, baseline_m: float) -> float:
    """Time-integrated neutrino fluence per flavour at the detector, r·POT/(4πL²).

    Parameters
    ----------
    nu_per_flavour_per_pot : float
        Neutrinos of each flavour per proton on target, r.
    pot_per_second : float
        Protons on target per second.
    run_time_s : float
        Beam time in seconds.
    baseline_m : float
        Source–detector distance in metres.

    Returns
    -------
    float
        Fluence in cm⁻² (per flavour).
    """
    for name, val in (("nu_per_flavour_per_pot", nu_per_flavour_per_pot),
                      ("pot_per_second", pot_per_second), ("run_time_s", run_time_s),
                      ("baseline_m", baseline_m)):
        if not np.isfinite(val) or val <= 0:
            raise ValueError(f"{name} must be positive and finite, got {val!r}")
    L_cm = baseline_m * 100.0
    return nu_per_flavour_per_pot * pot_per_second * run_time_s / (4.0 * np.pi * L_cm**2)


def fluence_from_pot(nu_per_flavour_per_pot: float, pot: float, baseline_m: float) -> float:
    """Fluence per flavour in cm⁻² for a total number of protons on target, r·POT/(4πL²).

    Parameters
    ----------
    nu_per_flavour_per_pot : float
        Neutrinos of each flavour per proton on target, r.
    pot : float
        Total protons on target of the exposure.
    baseline_m : float
        Source–detector distance in metres.
    """
    return fluence_per_flavour(nu_per_flavour_per_pot, pot, 1.0, baseline_m)


def arrival_time_pdf(t_us, flavour: str, pulse_sigma_us: float = 0.15, pulse_mean_us: float = 0.0):
    """Arrival-time density (µs⁻¹) of a flavour for a Gaussian proton pulse.

    Prompt ν_μ: pulse ⊗ exp(τ_π); delayed ν_e, ν̄_μ: pulse ⊗ exp(τ_π) ⊗ exp(τ_μ). The pion
    lifetime (26 ns) is folded exactly with the muon one for the delayed flavours.

    Parameters
    ----------
    t_us : array_like
        Time after the nominal pulse centre in µs.
    flavour : str
    pulse_sigma_us, pulse_mean_us : float
        Width and centre of the Gaussian proton pulse in µs.
    """
    from scipy.special import erfc, erfcx

    if pulse_sigma_us <= 0:
        raise ValueError("pulse_sigma_us must be positive")
    t = np.asarray(t_us, dtype=float) - pulse_mean_us
    s = pulse_sigma_us

    def gauss_exp(tau):
        # Gaussian(σ) ⊗ exponential(τ), normalised; erfcx form where exp() would overflow
        B = (s / tau - t / s) / np.sqrt(2.0)
        Bpos = np.maximum(B, 0.0)
        stable = np.exp(-0.5 * (t / s) ** 2) * erfcx(Bpos)
        direct = np.exp(np.minimum(s**2 / (2 * tau**2) - t / tau, 700.0)) * erfc(np.minimum(B, 0.0))
        return (0.5 / tau) * np.where(B > 0, stable, direct)

    tp = c.tau_pi_charged_s * 1e6
    if spectrum(flavour).is_line:
        return gauss_exp(tp)
    tm = c.tau_mu_s * 1e6
    # convolution of two exponentials is (e^{-t/τm} − e^{-t/τp})/(τm − τp): fold each with the pulse
    return (tm * gauss_exp(tm) - tp * gauss_exp(tp)) / (tm - tp)
