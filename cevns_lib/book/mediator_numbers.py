"""Numbers that the prose of the light-mediator chapter quotes, as {glue key: value}: the inputs of
its theory, the published table of Atzori Corona et al. (arXiv:2202.11002) from
``data/published_numbers.toml``, and summaries of computed results (the universal model's strip,
the landscape, the robustness variants). Model names in text use the labels of
:func:`cevns_lib.physics.mediators.get_model`.
"""

import numpy as np

from cevns_lib.analysis import mediator_checks as mc
from cevns_lib.analysis.mediator_variants import ratio_text
from cevns_lib.book.published import load_published, published_number
from cevns_lib.experiments.coherent import csi2017
from cevns_lib.physics import constants as c
from cevns_lib.physics import mediators as med
from cevns_lib.physics.interactions import RADIATIVE_COUPLINGS

CHAPTER = "09_light_mediators"
LOW, HIGH = "zprime_low_mass_g", "zprime_high_mass_g_over_m_per_GeV"
"""Result keys of the low-mass bound on g and the high-mass bound on g/M [GeV⁻¹]."""


def _label(model) -> str:
    return med.get_model(model).label


def published_table(chapter=CHAPTER) -> tuple:
    """The published table of 90% CL bounds.

    Returns
    -------
    table : dict
        model → (low-mass g, high-mass g/M [GeV⁻¹]), in the registry's order.
    experiment : str
        The data combination the table is for (the ``experiment`` parameter of its entries).
    """
    numbers = [p for p in load_published() if p.chapter == chapter and p.key in (LOW, HIGH)]
    value = {(p.key, p.item): p.value for p in numbers}
    experiments = {p.parameters["experiment"] for p in numbers}
    if len(experiments) != 1:
        raise ValueError(f"the published table of {chapter} must be for one experiment, got {sorted(experiments)}")
    return {m: (value[LOW, m], value[HIGH, m]) for k, m in value if k == LOW}, experiments.pop()


def table_agreement(low, high, chapter=CHAPTER) -> dict:
    """(key, model) → whether a computed bound agrees with the published one within the registry's
    tolerance (:meth:`~cevns_lib.book.published.PublishedNumber.compare`); ``low``, ``high``: model →
    low-mass g and high-mass g/M [GeV⁻¹]."""
    computed = {LOW: low, HIGH: high}
    return {(p.key, p.item): p.compare(computed[p.key])[0] for p in load_published()
            if p.chapter == chapter and p.key in computed}


def input_numbers() -> dict:
    """Inputs quoted by the theory: the radiatively corrected couplings g_V^p(ν_e), g_V^p(ν_μ), g_V^n
    of Cadeddu et al. (arXiv:2008.05022), Δa_μ and its 1σ error in units of 10⁻¹¹ (the value of
    arXiv:2202.11002), and the CsI 2017 signal-normalisation width [%] of the fallback likelihood."""
    (da, da_err), gp = med.DELTA_A_MU["2022"], RADIATIVE_COUPLINGS["g_p"]
    return {"gvp_nue": gp["nu_e"], "gvp_numu": gp["nu_mu"], "gvn": RADIATIVE_COUPLINGS["g_n"],
            "delta_a_mu_e11": da * 1e11, "delta_a_mu_err_e11": da_err * 1e11,
            "csi2017_signal_sigma_percent": 100 * csi2017.NUISANCE_SIGMAS["alpha"]}


def by_numbers(low, high, model="B_y+L_mu+L_tau", c_mu_other=-1.5) -> dict:
    """The bounds of ``model`` converted to another normalisation of its charges.

    The Z′ term of the charge is g² c_μ times a function of the data alone (c_μ = Q′_{ν_μ} Q′_N), so at
    fixed data and fixed sign of c_μ the bounds on g and on g/M scale as |c_μ|^(-1/2). The default
    ``c_mu_other`` = −3/2 is B − (3/2)(L_μ + L_τ) of Coloma et al. (arXiv:2009.14220).

    Parameters
    ----------
    low, high : dict
        model → low-mass bound on g and high-mass bound on g/M [GeV⁻¹].

    Returns
    -------
    dict
        ``by_c_mu`` (this chapter's c_μ), ``by_factor`` (multiplier to the other normalisation),
        ``by_low_other`` (g) and ``by_high_other`` (g/M [GeV⁻¹]).
    """
    zp = med.get_model(model)
    c_mu = zp.nucleon * zp.nu_mu
    if c_mu * c_mu_other <= 0:
        raise ValueError(f"c_mu_other must have the sign of {model}'s c_mu = {c_mu:+.3f}; got {c_mu_other}")
    factor = float(np.sqrt(abs(c_mu / c_mu_other)))
    return {"by_c_mu": c_mu, "by_factor": factor, "by_low_other": low[model] * factor,
            "by_high_other": high[model] * factor}


def strip_numbers(scan) -> dict:
    """The universal model's strip (``scan``: its ModelScan): where the grid's χ² minimum lies
    (g/M [GeV⁻¹]), its depth below the SM χ², and the lightest grid mass [MeV] with a strip."""
    g_over_m, depth = mc.grid_minimum(scan)
    return {"universal_min_g_over_m": g_over_m, "universal_min_depth": depth,
            "strip_onset_MeV": mc.strip_onset_mass(scan)}


def loop_numbers(integrals) -> dict:
    """The kinetic-mixing numbers of the prose, from ``integrals`` (model → (I(q) at q = 1 keV, 10,
    30 and 100 MeV, heavy-lepton limit), :func:`~cevns_lib.analysis.mediator_checks.loop_integrals`):
    the suppression (α/3π) ln(m_τ²/m_μ²) of L_μ − L_τ in units of 10⁻³ and, for each model with an
    electron loop (key ``emu``/``etau``), the heavy-lepton limit and how many times it exceeds I at 30
    and 100 MeV."""
    out = {"loop_suppression_mutau_e3": 2 * c.alpha_em / np.pi * integrals["L_mu-L_tau"][1] * 1e3}
    for model, tag in (("L_e-L_mu", "emu"), ("L_e-L_tau", "etau")):
        values, heavy = integrals[model]
        out |= {f"loop_{tag}_heavy": heavy, f"loop_{tag}_factor_30": heavy / float(values[2]),
                f"loop_{tag}_factor_100": heavy / float(values[3])}
    return out


LANDSCAPE_KEYS = ("landscape_models", "landscape_nowhere", "landscape_dm99_moves", "landscape_fewest")
"""Glue keys of :func:`landscape_numbers` (named to ``require_data(..., keys=)`` for the section skip)."""


def landscape_numbers(land) -> dict:
    """Summaries of the landscape (model → :class:`~cevns_lib.analysis.landscape.ModelLandscape`): the
    number of recast models, those where CEvNS is the strongest nowhere, those whose ranges change
    with ``inv-dm99``, and the fewest external curves of a model."""
    return {"landscape_models": len(land),
            "landscape_nowhere": ", ".join(_label(m) for m, la in land.items() if not la.strongest) or "none",
            "landscape_dm99_moves": ", ".join(_label(m) for m, la in land.items() if la.dm99 != la.strongest) or "none",
            "landscape_fewest": min(len(la.curves) for la in land.values())}


def variant_numbers(variants, depth, published) -> dict:
    """The robustness variants in the prose (:func:`~cevns_lib.analysis.mediator_variants.robustness_variants`):
    ratios to ``published`` (model → (low, high)) of the default, SM-referenced, CsI-energy-only and
    argon energy × time fits, the depth χ²_SM − χ²_min per model, and the largest depth of the models
    other than the universal one."""
    labels = {m: _label(m) for m in depth}
    out = {f"variant_ratios_{k}": ratio_text(variants[k], published, labels) for k in ("default", "smref", "eonly", "ar_et")}
    out["csi2021_min_depth"] = "; ".join(f"{labels[m]} {d:.2f}" for m, d in depth.items())
    out["other_min_depth_max"] = max(d for m, d in depth.items() if m != "universal")
    return out


def ar_sm_numbers(ar_sm_events) -> dict:
    """The argon SM prediction of the fits (``ar_sm_events``) against COHERENT's released prediction
    (the registry entry of chapter 08): the released number and how many per cent below it."""
    pub = published_number("08_coherent_data", "sm_events", item="Ar-2020").value
    return {"pub_ar_sm": pub, "ar_sm_below_percent": 100 * (1 - float(ar_sm_events) / pub)}


def reach_results(reach, name, systematics=((0.05, "sys5"), (0.10, "sys10"))) -> dict:
    """The recorded reach of projection ``name``: ``zprime_low_mass_g_<tag>`` (model → g) and
    ``zprime_high_mass_g_over_m_per_GeV_<tag>`` (model → g/M [GeV⁻¹]) for each (systematic, tag);
    ``reach``: (model, systematic) → ModelScan (:func:`~cevns_lib.analysis.mediator_scans.projection_reach`)."""
    out = {}
    for sigma, tag in systematics:
        models = [m for m, s in reach if s == sigma]
        out[f"{LOW}_{tag}"] = {m: reach[m, sigma].low[name] for m in models}
        out[f"{HIGH}_{tag}"] = {m: reach[m, sigma].high[name] * c.GeV for m in models}
    return out


def table_claims(low, high) -> dict:
    """The statements of the chapter about its table (for the data of the published table), each
    True when it holds: B−L and B−3L_μ within the published tolerances; the universal entries and the
    B−3L_e high-mass entry stronger (smaller) than published and outside them. ``low``, ``high``:
    model → low-mass g and high-mass g/M [GeV⁻¹]."""
    ok = table_agreement(low, high)
    table, _ = published_table()
    return {"B−L and B−3L_μ within the targets": all(v for (_, m), v in ok.items() if m in ("B-L", "B-3L_mu")),
            "universal stronger": (not ok[LOW, "universal"] and not ok[HIGH, "universal"]
                                   and low["universal"] < table["universal"][0] and high["universal"] < table["universal"][1]),
            "B−3L_e high-mass stronger": not ok[HIGH, "B-3L_e"] and high["B-3L_e"] < table["B-3L_e"][1]}


def variant_claims(variants, published) -> dict:
    """The statements of the chapter about the robustness variants (keys of
    :data:`~cevns_lib.analysis.mediator_variants.VARIANTS` → {model: (low g, high g/M [GeV⁻¹])}), each
    True when it holds; "closer" and "further" compare ``|bound/published − 1|`` with the default fit's."""
    dev = {k: {m: [abs(v[m][i] / published[m][i] - 1) for i in (0, 1)] for m in v} for k, v in variants.items()}

    def closer(k, m, i):
        return dev[k][m][i] < dev["default"][m][i]

    both = (0, 1)
    return {
        "SM reference: universal low-mass agrees (1%)": dev["smref"]["universal"][0] < 0.01,
        "SM reference: universal high-mass within a few per cent": 0.01 < dev["smref"]["universal"][1] < 0.05,
        "SM reference: the other models move by < 3%": all(
            abs(variants["smref"][m][i] / variants["default"][m][i] - 1) < 0.03
            for m in variants["default"] if m != "universal" for i in both),
        "no CsI time: B−3L_e closer": all(closer("eonly", "B-3L_e", i) for i in both),
        "Ar energy × time: universal low-mass and B−3L_μ closer": closer("ar_et", "universal", 0) and all(
            closer("ar_et", "B-3L_mu", i) for i in both),
        "Ar energy × time: B−L and B−3L_e further away": not any(
            closer("ar_et", m, i) for m in ("B-L", "B-3L_e") for i in both),
    }
