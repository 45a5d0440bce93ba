"""Nuclear form factors F(q), normalised to F(0) = 1, with q the momentum transfer in MeV.

Models (each a function of q in MeV, vectorised):
- Helm (Helm, Phys. Rev. 104, 1466 (1956)) with Lewin–Smith parameters
  (Lewin & Smith, Astropart. Phys. 6, 87 (1996)): the reference weak form factor;
- Helm with R₀ = 1.2 A^{1/3} fm, as in COHERENT's rate code (``schol/dukecevns``);
- Klein–Nystrand (Klein & Nystrand, PRC 60, 014903 (1999)), R_A = 1.2 A^{1/3} fm, a_k = 0.7 fm;
- symmetrised Fermi (Sprung & Martorell, J. Phys. A 30, 6525 (1997)), closed form.

Use :func:`get_form_factor` to obtain a model by name for a nucleus.
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import constants as c
from .nuclei import Nucleus

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
    x = q * R0_fm * c.fm
    return 3.0 * _j1_over_x(x) * np.exp(-0.5 * (q * s_fm * c.fm) ** 2)


def klein_nystrand(q, R_A_fm: float, a_k_fm: float = 0.7):
    """Klein–Nystrand form factor 3 j₁(qR_A)/(qR_A) / (1 + q²a_k²); q in MeV, radii in fm."""
    q = _check_q(q)
    return 3.0 * _j1_over_x(q * R_A_fm * c.fm) / (1.0 + (q * a_k_fm * c.fm) ** 2)


def symmetrized_fermi(q, c_fm: float, a_fm: float = 0.52):
    """Symmetrised-Fermi form factor (closed form); q in MeV, half-density radius c and
    diffuseness a in fm. F(0) = 1; a small-q series is used below qc = 1e-3."""
    q = _check_q(q)
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
    simple shape stands in for a microscopic calculation (see the form-factor chapter).
    """

    name: str
    label: str
    factory: Callable[[Nucleus], Callable]
    source: str
    status: str = "published"


def _helm_ls(nucleus):
    R0 = helm_lewin_smith_R0_fm(nucleus.A)
    return lambda q: helm(q, R0)


def _helm_coherent(nucleus):
    R0 = 1.2 * nucleus.A ** (1.0 / 3.0)
    return lambda q: helm(q, R0)


def _kn(nucleus):
    R_A = 1.2 * nucleus.A ** (1.0 / 3.0)
    return lambda q: klein_nystrand(q, R_A, 0.7)


FORM_FACTOR_MODELS = {
    "helm": FormFactorModel(
        "helm", "Helm (Lewin–Smith)", _helm_ls,
        "Helm, Phys. Rev. 104, 1466 (1956); Lewin & Smith, Astropart. Phys. 6, 87 (1996)"),
    "helm_coherent": FormFactorModel(
        "helm_coherent", "Helm (R₀ = 1.2A^{1/3} fm)", _helm_coherent,
        "COHERENT rate code schol/dukecevns, FormFactor.cc"),
    "klein_nystrand": FormFactorModel(
        "klein_nystrand", "Klein–Nystrand", _kn,
        "Klein & Nystrand, PRC 60, 014903 (1999)"),
}


def register_form_factor(model: FormFactorModel) -> None:
    """Add a model to the registry (used by modules that define microscopic models)."""
    FORM_FACTOR_MODELS[model.name] = model


def get_form_factor(name: str, nucleus: Nucleus) -> Callable:
    """Return F(q) (q in MeV) of the registered model ``name`` for ``nucleus``."""
    try:
        model = FORM_FACTOR_MODELS[name]
    except KeyError:
        raise ValueError(
            f"unknown form-factor model {name!r}; known models: {', '.join(FORM_FACTOR_MODELS)}"
        ) from None
    return model.factory(nucleus)
