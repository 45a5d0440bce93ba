"""Figures and tables of the electromagnetic-properties chapter (``book/06_em_properties.md``).

Kept out of the chapter so its cells stay short; every function takes the chapter's computed
objects and returns a matplotlib figure or a MyST markdown table (no published value is typed here).
Units: μ_ν in 10⁻¹⁰ μ_B, ⟨r²_ν⟩ in 10⁻³² cm², thresholds in keVnr, Δχ² for one parameter.
"""

import matplotlib.pyplot as plt
import numpy as np

from cevns_lib.analysis import sensitivity as sens
from cevns_lib.analysis.stats import DCHI2_90CL_1DOF, format_intervals
from cevns_lib.book.plotting import EXPERIMENT_COLOURS, OKABE_ITO, SYSTEMATIC_STYLES

R2_LABEL = r"$\langle r^2_\nu\rangle$ [$10^{-32}$ cm$^2$]"
MU_LABEL = r"$\mu_\nu$ [$10^{-10}\,\mu_B$]"


def mu_dchi2_figure(mu, dchi2, limits, name):
    """Δχ² against μ_ν (``mu`` in 10⁻¹⁰ μ_B; ``dchi2``, ``limits``: σ → curve, limit) of detector ``name``."""
    fig, ax = plt.subplots()
    for s, d in dchi2.items():
        ax.plot(mu, d, SYSTEMATIC_STYLES[s], color=EXPERIMENT_COLOURS[name], label=f"{name}, {s:.0%}")
        ax.plot(limits[s], DCHI2_90CL_1DOF, "o", color=EXPERIMENT_COLOURS[name])
    ax.axhline(DCHI2_90CL_1DOF, color="k", lw=1)
    ax.set(xlim=(mu[0], mu[-1]), ylim=(0, 8), xlabel=MU_LABEL, ylabel=r"$\Delta\chi^2$")
    ax.legend()
    return fig


def threshold_figure(thresholds, curves, published, registry):
    """5% μ_ν limit against the step threshold: ``curves`` (detector, years) → limits, with the
    published limits (detector → value, horizontal) and registry thresholds (detector → keVnr, vertical)."""
    fig, ax = plt.subplots()
    for (name, years), lims in curves.items():
        ax.plot(thresholds, lims, "-" if years == 1.0 else "-.", color=EXPERIMENT_COLOURS[name], label=f"{name}, {years:g} yr")
        ax.axhline(published[name], color=EXPERIMENT_COLOURS[name], lw=1, ls=":")
        ax.axvline(registry[name], color=EXPERIMENT_COLOURS[name], lw=1, ls="--")
    ax.set(xlabel="effective threshold [keVnr]", ylabel=r"$\mu_\nu^{\rm lim}$ (5%) [$10^{-10}\,\mu_B$]")
    ax.legend()
    return fig


def charge_radius_figure(model, kappas, name, sin2w_ref, systematics=sens.SYSTEMATICS):
    """Δχ² against a common ⟨r²⟩, one panel per (label, κ) of ``kappas``; the SM radii on the first."""
    fig, axes = plt.subplots(len(kappas), 1, figsize=(7, 6.5))
    for ax, (lab, k) in zip(np.atleast_1d(axes), kappas.items()):
        g = np.linspace(2.0 * np.floor(0.65 * sens.charge_radius_degenerate_point(model.nucleus, k, sin2w_ref)), 5, 20001)
        for s in systematics:
            ax.plot(g, model.dchi2(model.counts_charge_radius(g, k), s), SYSTEMATIC_STYLES[s],
                    color=EXPERIMENT_COLOURS[name], label=f"{s:.0%}")
        ax.axhline(DCHI2_90CL_1DOF, color="k", lw=1)
        ax.set(ylim=(0, 8), xlim=(g[0], g[-1]), ylabel=r"$\Delta\chi^2$", title=f"{name}, κ = {k:.4f} ({lab})",
               xlabel=R2_LABEL)
    first = np.atleast_1d(axes)[0]
    for fl, r2 in sens.SM_CHARGE_RADII.items():  # SM radii only on the standard axis
        first.axvline(r2, color=OKABE_ITO[4 if fl == "nu_e" else 5], ls=":", label=f"SM ⟨r²⟩ {fl}")
    for ax in np.atleast_1d(axes):
        ax.legend(loc="upper center", ncol=2, fontsize=9)
    return fig


def data_table(mu_limits, cr_intervals, kappa) -> str:
    """Markdown table of the measured μ_ν limits (name → (limit in μ_B, …)) and ⟨r²⟩ intervals
    (name → (intervals, …)) on the standard axis κ."""
    rows = [f"| data | μ_ν limit (10⁻¹⁰ μ_B, 90% CL) | ⟨r²⟩ 90% CL (10⁻³² cm², standard κ = {kappa:.4f}) |",
            "|---|---|---|"]
    rows += [f"| {name} | {mu_limits[name][0] / sens.MU_UNIT:.1f} | {format_intervals(cr_intervals[name][0], '{:.1f}')} |"
             for name in mu_limits]
    return "\n".join(rows)


def data_figure(mu_grid, mu_limits, r2_grid, cr_intervals, highlighted):
    """Δχ² of each data fit against μ_ν (left; ``mu_grid`` in μ_B) and a common ⟨r²⟩ on the standard
    axis (right), with the SM radii dotted."""
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
    for name, col in zip(mu_limits, (OKABE_ITO[7], OKABE_ITO[3], OKABE_ITO[1])):
        lw = 2.2 if name == highlighted else 1.3
        ax.plot(mu_grid / sens.MU_UNIT, mu_limits[name][1], color=col, lw=lw, label=name)
        bx.plot(r2_grid, cr_intervals[name][2], color=col, lw=lw, label=name)
    for a in (ax, bx):
        a.axhline(DCHI2_90CL_1DOF, color="k", lw=1)
        a.set(ylim=(0, 8), ylabel=r"$\Delta\chi^2$")
    ax.set(xlabel=MU_LABEL, xlim=(0, 200))
    for r2 in sens.SM_CHARGE_RADII.values():
        bx.axvline(r2, color="grey", ls=":")
    bx.set(xlabel=R2_LABEL + " (standard κ)")
    ax.legend(fontsize=9)
    return fig
