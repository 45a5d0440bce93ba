"""Nuclear form factors F(q), normalised to F(0) = 1, with q the momentum transfer in MeV.

Models (each a function of q in MeV, vectorised):
- Helm (Helm, Phys. Rev. 104, 1466 (1956)) with Lewin–Smith parameters
  (Lewin & Smith, Astropart. Phys. 6, 87 (1996)): the reference weak form factor;
- Helm with R₀ = 1.2 A^{1/3} fm, as in COHERENT's rate code (``schol/dukecevns``);
- Klein–Nystrand (Klein & Nystrand, PRC 60, 014903 (1999)), R_A = 1.2 A^{1/3} fm, a_k = 0.7 fm;
- symmetrised Fermi (Sprung & Martorell, J. Phys. A 30, 6525 (1997)), closed form;
- four microscopic ⁴⁰Ar models (Hartree–Fock SkE2, coupled cluster NNLO_sat, relativistic mean
  field FSUGold2, shell model + chiral EFT). Their curves and radii were not available to this
  project: each is a **substitute**, a symmetrised Fermi at a placeholder weak radius, flagged
  with ``status = "substitute"`` (see :data:`SUBSTITUTE_WEAK_RADII_FM`).

Use :func:`get_form_factor` to obtain a model by name for a nucleus.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cevns_lib.physics import constants as c
from cevns_lib.physics.nuclei import Nucleus

HELM_SKIN_FM = 0.9
"""Helm surface thickness s in fm (Lewin & Smith 1996)."""


def _j1_over_x(x):
    """Spherical Bessel j₁(x)/x, stable at x → 0 (series below x = 1e-2)."""
    x = np.asarray(x, dtype=float)
    small = np.abs(x) < 1e-2
    xs = np.where(small, 1.0, x)
    exact = (np.sin(xs) / xs**2 - np.cos(xs) / xs) / xs
    x2 = x * x
    series = 1.0 / 3.0 - x2 / 30.0 + x2 * x2 / 840.0
    return np.where(small, series, exact)


def _check_q(q):
    q = np.asarray(q, dtype=float)
    if np.any(q < 0) or not np.all(np.isfinite(q)):
        raise ValueError("momentum transfer q must be finite and non-negative (MeV)")
    return q


def _check_length(name, value):
    v = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(v)) or np.any(v <= 0):
        raise ValueError(f"{name} must be finite and positive (fm), got {value!r}")
    return value


def helm(q, R0_fm: float, s_fm: float = HELM_SKIN_FM):
    """Helm form factor F(q) = 3 j₁(qR₀)/(qR₀) exp(−q²s²/2).

    Parameters
    ----------
    q : array_like
        Momentum transfer in MeV.
    R0_fm, s_fm : float
        Box radius and surface thickness in fm.
    """
    q = _check_q(q)
    _check_length("R0_fm", R0_fm), _check_length("s_fm", s_fm)
    x = q * R0_fm * c.fm
    return 3.0 * _j1_over_x(x) * np.exp(-0.5 * (q * s_fm * c.fm) ** 2)


def klein_nystrand(q, R_A_fm: float, a_k_fm: float = 0.7):
    """Klein–Nystrand form factor 3 j₁(qR_A)/(qR_A) / (1 + q²a_k²); q in MeV, radii in fm."""
    q = _check_q(q)
    _check_length("R_A_fm", R_A_fm), _check_length("a_k_fm", a_k_fm)
    return 3.0 * _j1_over_x(q * R_A_fm * c.fm) / (1.0 + (q * a_k_fm * c.fm) ** 2)


def symmetrized_fermi(q, c_fm: float, a_fm: float = 0.52):
    """Symmetrised-Fermi form factor (closed form); q in MeV, half-density radius c and
    diffuseness a in fm. F(0) = 1; a small-q series is used below qc = 1e-3."""
    q = _check_q(q)
    _check_length("c_fm", c_fm), _check_length("a_fm", a_fm)
    qc = q * c_fm * c.fm
    pa = np.pi * q * a_fm * c.fm
    small = q * c_fm * c.fm < 1e-3
    qcs = np.where(small, 1.0, qc)
    pas = np.where(small, 1.0, pa)
    num = pas / np.sinh(pas) * (pas / np.tanh(pas) * np.sin(qcs) - qcs * np.cos(qcs))
    full = 3.0 / (qcs * (qcs**2 + pas**2)) * num
    # small q: F ≈ 1 − q²⟨r²⟩/6 with ⟨r²⟩ = (3/5)c² + (7/5)π²a² for the symmetrised Fermi shape
    r2 = 0.6 * c_fm**2 + 1.4 * (np.pi * a_fm) ** 2
    series = 1.0 - (q * c.fm) ** 2 * r2 / 6.0
    return np.where(small, series, full)


def helm_lewin_smith_R0_fm(A: int) -> float:
    """Lewin–Smith Helm radius R₀ in fm: c = 1.23A^{1/3} − 0.60, a = 0.52, s = 0.9,
    R₀² = c² + (7/3)π²a² − 5s² (R₀ = 3.897 fm for A = 40)."""
    cc = 1.23 * A ** (1.0 / 3.0) - 0.60
    a = 0.52
    return float(np.sqrt(cc**2 + 7.0 / 3.0 * np.pi**2 * a**2 - 5.0 * HELM_SKIN_FM**2))


def helm_R0_from_rms_fm(rms_fm: float, s_fm: float = HELM_SKIN_FM) -> float:
    """Helm box radius R₀ reproducing an rms radius: ⟨r²⟩ = (3/5)R₀² + 3s²."""
    val = 5.0 / 3.0 * (rms_fm**2 - 3.0 * s_fm**2)
    if val <= 0:
        raise ValueError(f"rms radius {rms_fm} fm is too small for a Helm with s = {s_fm} fm")
    return float(np.sqrt(val))


def helm_rms_fm(R0_fm: float, s_fm: float = HELM_SKIN_FM) -> float:
    """rms radius of the Helm distribution, √((3/5)R₀² + 3s²), in fm."""
    return float(np.sqrt(0.6 * R0_fm**2 + 3.0 * s_fm**2))


@dataclass(frozen=True)
class FormFactorModel:
    """A named form-factor model: ``factory(nucleus)`` returns F(q) with q in MeV.

    ``status`` is ``"published"`` when the model's own numbers are used, ``"substitute"`` when a
    simple shape stands in for a microscopic calculation (see the form-factor chapter);
    ``radius_fm`` is the rms radius of the weak-charge distribution the model uses (fm), or
    ``None`` when it follows from the nucleus.
    """

    name: str
    label: str
    factory: Callable[[Nucleus], Callable]
    source: str
    status: str = "published"
    radius_fm: float | None = None
    rms_fm: Callable[[Nucleus], float] | None = None
    """rms radius (fm) of the model's weak-charge distribution for a nucleus, when it depends on
    the nucleus (``radius_fm`` is used otherwise)."""
    pair_factory: Callable[[Nucleus], tuple] | None = None
    """``pair_factory(nucleus)`` → (F_Z, F_N), separate proton and neutron form factors; ``None``
    means one shape for both (F_Z = F_N = ``factory(nucleus)``)."""


def _helm_ls(nucleus):
    R0 = helm_lewin_smith_R0_fm(nucleus.A)
    return lambda q: helm(q, R0)


def _helm_coherent(nucleus):
    R0 = 1.2 * nucleus.A ** (1.0 / 3.0)
    return lambda q: helm(q, R0)


def _kn(nucleus):
    R_A = 1.2 * nucleus.A ** (1.0 / 3.0)
    return lambda q: klein_nystrand(q, R_A, 0.7)


def klein_nystrand_rms_fm(R_A_fm: float, a_k_fm: float = 0.7) -> float:
    """rms radius of the Klein–Nystrand distribution: hard sphere (3/5 R_A²) folded with a Yukawa
    (6 a_k²), in fm."""
    return float(np.sqrt(0.6 * R_A_fm**2 + 6.0 * a_k_fm**2))


POINT_RADII_FM = {
    "Cs133": (4.804, 5.01),
    "I127": (4.749, 4.94),
    "Ar40": (3.448, 3.55),
}
"""rms radii (fm) of the point-proton and point-neutron distributions (R_p, R_n) used in the
light-mediator fits of Cadeddu et al. (arXiv:2008.05022) and Atzori Corona et al.
(arXiv:2202.11002): R_p from the measured charge radii, R_n fixed. The values come from a third-party
transcription of the arXiv:2008.05022 TeX source (public research notes), not checked against the
papers. For ⁴⁰Ar, 3.55 fm is the shell-model *weak* radius rather than a point-neutron radius
(≈ 3.44 fm, found later in public code); the fits use it as R_n."""


def helm_pair_from_radii(R_p_fm: float, R_n_fm: float) -> tuple:
    """Helm (F_Z, F_N) with s = 0.9 fm and point-proton / point-neutron rms radii in fm."""
    R0p, R0n = helm_R0_from_rms_fm(R_p_fm), helm_R0_from_rms_fm(R_n_fm)
    return (lambda q: helm(q, R0p)), (lambda q: helm(q, R0n))


def _helm_point_pair(nucleus):
    if nucleus.name not in POINT_RADII_FM:
        raise ValueError(f"form factor 'helm_point_radii' has radii for {', '.join(POINT_RADII_FM)} only, "
                         f"not {nucleus.name!r}; use helm")
    return helm_pair_from_radii(*POINT_RADII_FM[nucleus.name])


SF_DIFFUSENESS_FM = 0.52
"""Diffuseness a of the symmetrised-Fermi substitutes in fm (the Lewin–Smith value)."""


def symmetrized_fermi_c_from_rms_fm(rms_fm: float, a_fm: float = SF_DIFFUSENESS_FM) -> float:
    """Half-density radius c (fm) of a symmetrised Fermi with rms radius ``rms_fm``:
    c² = (5/3)⟨r²⟩ − (7/3)π²a²."""
    val = 5.0 / 3.0 * rms_fm**2 - 7.0 / 3.0 * (np.pi * a_fm) ** 2
    if not np.isfinite(val) or val <= 0:
        raise ValueError(f"rms radius {rms_fm!r} fm is too small for a symmetrised Fermi with a = {a_fm} fm")
    return float(np.sqrt(val))


def symmetrized_fermi_rms_fm(c_fm: float, a_fm: float = SF_DIFFUSENESS_FM) -> float:
    """rms radius √((3/5)c² + (7/5)π²a²) of the symmetrised-Fermi distribution, in fm."""
    return float(np.sqrt(0.6 * c_fm**2 + 1.4 * (np.pi * a_fm) ** 2))


# Weak radii of ⁴⁰Ar used for the four microscopic models. The published radius tables of these
# papers were not available to this project; the values are placeholders (assumptions), chosen
# inside the range implied by R_ch = 3.427 fm (Angeli & Marinova 2013, recalled), neutron skins of
# 0.05–0.12 fm and the Horowitz et al. (PRC 85, 032501 (2012)) weak-radius relation. A later search
# of abstracts and public code (the papers' full texts were still not readable) found
# R_W = 3.55 fm for the shell model of Hoferichter et al. in a secondary public code (placeholder
# here: 3.46 fm), no radii for the other three, and that Yang et al. (arXiv:1908.10939) is a family
# of RMF models, so "FSUGold2" is itself unconfirmed.
SUBSTITUTE_WEAK_RADII_FM = {
    "hf_ske2": 3.45,
    "cc_nnlo_sat": 3.47,
    "rmf_fsugold2": 3.50,
    "shell_model_eft": 3.46,
}
"""Placeholder ⁴⁰Ar weak rms radii (fm) of the substitutes for the microscopic models."""


def _argon_substitute(model_name):
    R_W = SUBSTITUTE_WEAK_RADII_FM[model_name]

    def factory(nucleus):
        if nucleus.name != "Ar40":
            raise ValueError(f"form-factor model {model_name!r} exists for Ar40 only, not {nucleus.name!r}; "
                             "use helm, helm_coherent or klein_nystrand")
        c_fm = symmetrized_fermi_c_from_rms_fm(R_W)
        return lambda q: symmetrized_fermi(q, c_fm, SF_DIFFUSENESS_FM)

    return factory


def _kn_adapted(nucleus):
    if nucleus.name != "Ar40":
        raise ValueError(f"form-factor model 'klein_nystrand_adapted' exists for Ar40 only, not {nucleus.name!r}")
    r = SUBSTITUTE_WEAK_RADII_FM["hf_ske2"]
    R_A = float(np.sqrt((r**2 - 6.0 * 0.7**2) / 0.6))
    return lambda q: klein_nystrand(q, R_A, 0.7)


_SUBSTITUTE_NOTE = ("SUBSTITUTE: symmetrised Fermi (a = 0.52 fm) at the placeholder weak radius R_W = {r} fm "
                    "(an assumption of this project); the model's own F_W(q) and radii were not available. Model: {ref}")

FORM_FACTOR_MODELS = {
    "helm": FormFactorModel(
        "helm", "Helm (Lewin–Smith)", _helm_ls,
        "Helm, Phys. Rev. 104, 1466 (1956); Lewin & Smith, Astropart. Phys. 6, 87 (1996)",
        rms_fm=lambda nuc: helm_rms_fm(helm_lewin_smith_R0_fm(nuc.A))),
    "helm_coherent": FormFactorModel(
        "helm_coherent", "Helm (R₀ = 1.2 A^(1/3) fm)", _helm_coherent,
        "COHERENT rate code schol/dukecevns, FormFactor.cc",
        rms_fm=lambda nuc: helm_rms_fm(1.2 * nuc.A ** (1.0 / 3.0))),
    "helm_point_radii": FormFactorModel(
        "helm_point_radii", "Helm (R_p, R_n of the mediator fits)", lambda nuc: _helm_point_pair(nuc)[1],
        "Helm with the point-proton and point-neutron radii of Cadeddu et al., arXiv:2008.05022 "
        "(POINT_RADII_FM); F_Z and F_N separately",
        rms_fm=lambda nuc: POINT_RADII_FM[nuc.name][1], pair_factory=_helm_point_pair),
    "klein_nystrand": FormFactorModel(
        "klein_nystrand", "Klein–Nystrand", _kn,
        "Klein & Nystrand, PRC 60, 014903 (1999)",
        rms_fm=lambda nuc: klein_nystrand_rms_fm(1.2 * nuc.A ** (1.0 / 3.0))),
    "klein_nystrand_adapted": FormFactorModel(
        "klein_nystrand_adapted", "Klein–Nystrand (adapted)", _kn_adapted,
        "Klein–Nystrand shape with R_A refitted to the HF weak radius, as the 'adapted' curve of Van Dessel et al. "
        "(arXiv:2007.03658; its definition there was not found); SUBSTITUTE radius: the placeholder HF-SkE2 "
        "R_W = 3.45 fm (an assumption of this project)",
        "substitute", SUBSTITUTE_WEAK_RADII_FM["hf_ske2"]),
    "hf_ske2": FormFactorModel(
        "hf_ske2", "Hartree–Fock (SkE2)", _argon_substitute("hf_ske2"),
        _SUBSTITUTE_NOTE.format(r=3.45, ref="Van Dessel, Pandey, Ray, Jachowicz, Universe 9, 207 (2023), arXiv:2007.03658"),
        "substitute", SUBSTITUTE_WEAK_RADII_FM["hf_ske2"]),
    "cc_nnlo_sat": FormFactorModel(
        "cc_nnlo_sat", "Coupled cluster (NNLO_sat)", _argon_substitute("cc_nnlo_sat"),
        _SUBSTITUTE_NOTE.format(r=3.47, ref="Payne et al., PRC 100, 061304(R) (2019), arXiv:1908.09739"),
        "substitute", SUBSTITUTE_WEAK_RADII_FM["cc_nnlo_sat"]),
    "rmf_fsugold2": FormFactorModel(
        "rmf_fsugold2", "Rel. mean field (FSUGold2)", _argon_substitute("rmf_fsugold2"),
        _SUBSTITUTE_NOTE.format(r=3.50, ref="Yang, Hernandez, Piekarewicz, PRC 100, 054301 (2019), arXiv:1908.10939"),
        "substitute", SUBSTITUTE_WEAK_RADII_FM["rmf_fsugold2"]),
    "shell_model_eft": FormFactorModel(
        "shell_model_eft", "Shell model + chiral EFT", _argon_substitute("shell_model_eft"),
        _SUBSTITUTE_NOTE.format(r=3.46, ref="Hoferichter, Menéndez, Schwenk, PRD 102, 074018 (2020), arXiv:2007.08529"),
        "substitute", SUBSTITUTE_WEAK_RADII_FM["shell_model_eft"]),
}

ARGON_WEAK_MODELS = ("helm", "klein_nystrand", "hf_ske2", "cc_nnlo_sat", "rmf_fsugold2", "shell_model_eft")
"""The six ⁴⁰Ar weak form-factor models compared by Carey & Pandey (arXiv:2510.14015), following
Van Dessel et al. (arXiv:2007.03658, Fig. 7): Helm (reference), Klein–Nystrand and four
microscopic calculations (currently substitutes, see :data:`SUBSTITUTE_WEAK_RADII_FM`)."""

ARGON_CONVENTIONS = {
    "Helm (Lewin–Smith) + KN (standard)": ("helm", "klein_nystrand"),
    "Helm (Lewin–Smith) + KN (adapted)": ("helm", "klein_nystrand_adapted"),
    "Helm (1.2 A^(1/3)) + KN (standard)": ("helm_coherent", "klein_nystrand"),
    "Helm (1.2 A^(1/3)) + KN (adapted)": ("helm_coherent", "klein_nystrand_adapted"),
}
"""The parametrisations of the two phenomenological members of the six-model set that the
published comparison does not pin down (arXiv:2510.14015; only a summary of the paper was
available, not its full text): which Helm (Lewin–Smith or the COHERENT code's R₀ = 1.2A^{1/3} fm)
and which Klein–Nystrand (standard R_A = 1.2A^{1/3} fm or "adapted" to the HF weak radius). Each
value is a (Helm, Klein–Nystrand) pair of model names; the first entry is this book's default,
:data:`ARGON_WEAK_MODELS`. Note: COHERENT's rate code (``schol/dukecevns``, read later) uses
R_A = 1.2A^{1/3} fm for the protons only and R_A = 1.2A^{1/3} + 1.01(N−Z)/A fm = 4.205 fm for the
neutrons, which dominate the weak form factor; the "standard" Klein–Nystrand here keeps 4.104 fm."""


def argon_weak_models(helm: str = "helm", klein_nystrand: str = "klein_nystrand") -> tuple:
    """The six ⁴⁰Ar weak form-factor models with the given Helm and Klein–Nystrand variants.

    Parameters
    ----------
    helm, klein_nystrand : str
        Registered model names of the two phenomenological members (see :data:`ARGON_CONVENTIONS`).

    Returns
    -------
    tuple of str
        ``(helm, klein_nystrand, <the four microscopic models>)``; the Helm variant comes first
        and is the reference of :func:`rate_spread_percent`.
    """
    for name in (helm, klein_nystrand):
        if name not in FORM_FACTOR_MODELS:
            raise ValueError(f"unknown form-factor model {name!r}; known models: {', '.join(FORM_FACTOR_MODELS)}")
    return (helm, klein_nystrand) + ARGON_WEAK_MODELS[2:]


def rate_spread_percent(rates, models, reference: str | None = None) -> float:
    """Spread of event rates over form-factor models: 100·(max − min)/rate[reference], in per cent.

    This is the quantity behind the "less than 3%" statement of Carey & Pandey (arXiv:2510.14015).

    Parameters
    ----------
    rates : Mapping[str, float]
        Event rate (any unit) per model name; must contain every name in ``models``.
    models : sequence of str
        The models compared.
    reference : str, optional
        Model whose rate normalises the spread; default: the first of ``models``.
    """
    reference = models[0] if reference is None else reference
    missing = [m for m in (*models, reference) if m not in rates]
    if missing:
        raise ValueError(f"no rate given for model(s) {', '.join(missing)}")
    values = np.array([rates[m] for m in models], dtype=float)
    if rates[reference] <= 0.0:
        raise ValueError(f"the reference rate ({reference}) must be positive, got {rates[reference]}")
    return float(100.0 * (values.max() - values.min()) / rates[reference])


def model_rms_radius_fm(name: str, nucleus: Nucleus) -> float:
    """rms radius (fm) of the weak-charge distribution behind model ``name`` for ``nucleus``."""
    if name not in FORM_FACTOR_MODELS:
        raise ValueError(f"unknown form-factor model {name!r}; known models: {', '.join(FORM_FACTOR_MODELS)}")
    model = FORM_FACTOR_MODELS[name]
    if model.radius_fm is not None:
        return model.radius_fm
    if model.rms_fm is None:
        raise ValueError(f"form-factor model {name!r} declares no rms radius")
    model.factory(nucleus)  # refuses nuclei the model does not cover
    return float(model.rms_fm(nucleus))


def get_form_factor_pair(name: str, nucleus: Nucleus) -> tuple:
    """(F_Z, F_N) of the registered model ``name`` for ``nucleus`` (q in MeV); models with one
    shape return it twice."""
    if name not in FORM_FACTOR_MODELS:
        raise ValueError(f"unknown form-factor model {name!r}; known models: {', '.join(FORM_FACTOR_MODELS)}")
    model = FORM_FACTOR_MODELS[name]
    if model.pair_factory is not None:
        return model.pair_factory(nucleus)
    F = model.factory(nucleus)
    return F, F


def get_form_factor(name: str, nucleus: Nucleus) -> Callable:
    """Return F(q) (q in MeV) of the registered model ``name`` for ``nucleus``."""
    try:
        model = FORM_FACTOR_MODELS[name]
    except KeyError:
        raise ValueError(
            f"unknown form-factor model {name!r}; known models: {', '.join(FORM_FACTOR_MODELS)}"
        ) from None
    return model.factory(nucleus)


# ------------------------------------------------------------------ measured charge densities
AR40_CHARGE_DENSITY_FB = {
    "R_fm": 9.0,
    "a_fm3": (3.0451e-2, 5.5337e-2, 2.0203e-2, -1.6765e-2, -1.3578e-2, -4.3204e-5, 9.1988e-4, -4.1205e-4,
              1.1971e-4, -1.9801e-5, -4.3204e-6, 6.1205e-6, -3.7803e-6, 1.8001e-6, -7.7407e-7),
    "source": "de Vries, de Jager, de Vries, At. Data Nucl. Data Tables 36, 495 (1987), Fourier–Bessel fit "
              "to the ⁴⁰Ar electron-scattering data of Ottermann et al. (1982)",
}
"""Measured ⁴⁰Ar charge density as a Fourier–Bessel series ρ(r) = Σ_ν a_ν j₀(νπr/R) for r ≤ R
(a_ν in fm⁻³; coefficients as typed in by public code, not re-read in the de Vries et al. table;
they integrate to Z = 18.0015 and R_ch = 3.4235 fm)."""

PROTON_CHARGE_RADIUS_FM = 0.8409
"""rms charge radius of the proton in fm (CODATA 2018), for the nucleon finite size."""


def fourier_bessel_form_factor(q, a_fm3, R_fm, n_nodes=256):
    """Form factor of a Fourier–Bessel density ρ(r) = Σ_ν a_ν j₀(νπr/R), r ≤ R, normalised to
    F(0) = 1; q in MeV. Fixed Gauss–Legendre quadrature in r (converged far below 1e-10 for
    q R < 30 with the default nodes).

    Returns
    -------
    F : ndarray like q
    norm : float
        ∫ρ d³r (the charge Z for a charge density in e fm⁻³).
    """
    q = _check_q(q)
    if not (np.isfinite(R_fm) and R_fm > 0):
        raise ValueError(f"R_fm must be a positive radius in fm, got {R_fm!r}")
    x, w = np.polynomial.legendre.leggauss(n_nodes)
    r = 0.5 * R_fm * (x + 1.0)
    w = 0.5 * R_fm * w
    nu = np.arange(1, len(a_fm3) + 1)
    rho = np.asarray(a_fm3, dtype=float) @ np.sinc(nu[:, None] * r[None, :] / R_fm)  # Σ a_ν j0(νπr/R)
    norm = 4.0 * np.pi * np.sum(w * r**2 * rho)
    qr = np.multiply.outer(q * c.fm, r)
    F = 4.0 * np.pi * np.sum(w * r**2 * rho * np.sinc(qr / np.pi), axis=-1) / norm
    return F, float(norm)


def proton_finite_size(q):
    """Proton charge form factor exp(−q² r_p²/6) (small-q form with the CODATA radius); q in MeV."""
    q = _check_q(q)
    return np.exp(-((q * PROTON_CHARGE_RADIUS_FM * c.fm) ** 2) / 6.0)
