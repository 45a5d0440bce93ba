"""Figures and tables of the weak-mixing-angle chapter (``book/05_weak_mixing_angle.md``).

Kept out of the chapter so its cells stay short; every function takes the chapter's computed
objects and returns a matplotlib figure or a MyST markdown table (no published value is typed here).
sin²θ_W is dimensionless (MS-bar), momentum transfers are in GeV, Δχ² is for one parameter.
"""

import matplotlib.pyplot as plt
import numpy as np

from cevns_lib.analysis import sensitivity as sens
from cevns_lib.analysis.stats import DCHI2_90CL_1DOF, format_intervals
from cevns_lib.book.plotting import EXPERIMENT_COLOURS, OKABE_ITO, SYSTEMATIC_STYLES

COHERENT_POINTS = ("COHERENT CsI", "COHERENT Ar")
"""Labels of the COHERENT determinations in :data:`cevns_lib.analysis.sensitivity.LOW_ENERGY_SIN2W`."""


def interval_table(models, experiments, intervals, asymptotic) -> str:
    """Markdown table of the 90% CL intervals per detector (``intervals``: (name, σ) → [lo, hi];
    ``models``: name → CountModel; ``asymptotic``: σ → statistics-free interval)."""
    rows = ["| detector | threshold [keVnr] | N_SM | 5% | 10% |", "|---|---|---|---|---|"]
    for name, m in models.items():
        rows.append(f"| {name} | {experiments[name].threshold_keVnr:g} | {m.n_sm:.3g} | "
                    f"{format_intervals([intervals[name, 0.05]])} | {format_intervals([intervals[name, 0.10]])} |")
    rows.append(f"| N_SM → ∞ (asymptotic) | – | ∞ | {format_intervals([asymptotic[0.05]])} "
                f"| {format_intervals([asymptotic[0.10]])} |")
    return "\n".join(rows)


def dchi2_figure(grid, dchi2, highlighted, sin2w_ref):
    """Δχ² against sin²θ_W per (detector, σ) of ``dchi2``, the chapter's detector ``highlighted``,
    with the 90% CL level and the Asimov reference."""
    fig, ax = plt.subplots()
    for (name, s), d in dchi2.items():
        ax.plot(grid, d, SYSTEMATIC_STYLES[s], color=EXPERIMENT_COLOURS[name], lw=2.4 if name == highlighted else 1.4,
                label=f"{name}, {s:.0%}")
    ax.axhline(DCHI2_90CL_1DOF, color="k", lw=1)
    ax.axvline(sin2w_ref, color="0.5", lw=1, ls=":")
    ax.set(xlim=(0.20, 0.28), ylim=(0, 8), xlabel=r"$\sin^2\theta_W$", ylabel=r"$\Delta\chi^2$")
    ax.legend(ncol=2, fontsize=9)
    return fig


def _errorbar(ax, x, p, **kw):
    ax.errorbar(x, p["value"], yerr=[[p["minus"]], [p["plus"]]], capsize=3, **kw)


def running_figure(intervals, mean_q_GeV, sin2w_ref, detectors):
    """Left: the low-energy determinations (:data:`cevns_lib.analysis.sensitivity.LOW_ENERGY_SIN2W`)
    on the approximate running, with the PIP2-BD 5% interval at its mean momentum transfer
    (``mean_q_GeV``: detector → GeV). Right: the projected intervals of ``detectors`` (5% thick, 10%
    thin) beside the two COHERENT determinations (open markers: recalled values)."""
    Q = np.logspace(-3.5, 2.2, 400)
    pts = {p["label"]: p for p in sens.LOW_ENERGY_SIN2W}
    colours = dict(zip(pts, (OKABE_ITO[3], OKABE_ITO[7], OKABE_ITO[5], "0.35", "0.35")))
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 4.4), gridspec_kw={"width_ratios": [1.7, 1]}, sharey=True)
    ax.plot(Q, sens.running_sin2w_approx(Q, s0=sin2w_ref), color="0.6", lw=1.5, label="MS-bar running (approx.)")
    for lab, p in pts.items():
        recalled = p["status"] == "recalled"
        _errorbar(ax, p["Q_GeV"], p, fmt="o" if recalled else "s", color=colours[lab],
                  mfc="none" if recalled else colours[lab], label=lab + (" (recalled)" if recalled else ""))
    lo, hi = intervals["PIP2-BD", 0.05]
    q = mean_q_GeV["PIP2-BD"]
    ax.fill_between([0.7 * q, 1.4 * q], lo, hi, color=EXPERIMENT_COLOURS["PIP2-BD"], alpha=0.35,
                    label="PIP2-BD projection (5%)")
    ax.set(xscale="log", xlabel="Q [GeV]", ylabel=r"$\sin^2\theta_W$ ($\overline{\rm MS}$)", ylim=(0.19, 0.32))
    ax.legend(fontsize=8, loc="upper right")
    names = list(detectors) + list(COHERENT_POINTS)
    for k, name in enumerate(names):
        if name in pts:
            _errorbar(bx, k, pts[name], fmt="o", mfc="none", color="0.35")
            continue
        for s, lw in ((0.10, 1.2), (0.05, 5.0)):
            bx.plot([k, k], intervals[name, s], color=EXPERIMENT_COLOURS[name], lw=lw, solid_capstyle="butt")
    bx.axhline(sin2w_ref, color="0.6", lw=1, ls=":")
    bx.set_xticks(range(len(names)), [n.replace("COHERENT ", "COH. ") for n in names], rotation=40, fontsize=9)
    return fig


def measured_table(measured) -> str:
    """Markdown table of the measured best fits and 90% CL intervals (name → (intervals, best, Δχ²))."""
    rows = ["| data | best fit | 90% CL interval |", "|---|---|---|"]
    rows += [f"| {name} | {best:.3f} | {format_intervals(iv, '{:.3f}')} |" for name, (iv, best, _) in measured.items()]
    return "\n".join(rows)


def data_dchi2_figure(data_grid, measured, highlighted, grid, projected, sin2w_ref):
    """Δχ² of each data fit against sin²θ_W (``measured``: name → (intervals, best, Δχ² on
    ``data_grid``)) beside the projected PIP2-BD 5% curve ``projected`` on ``grid``."""
    fig, ax = plt.subplots()
    for (name, (_, _, d)), col in zip(measured.items(), (OKABE_ITO[7], OKABE_ITO[3], OKABE_ITO[1])):
        ax.plot(data_grid, d, color=col, lw=2.2 if name == highlighted else 1.3, label=name)
    ax.plot(grid, projected, "--", color=EXPERIMENT_COLOURS["PIP2-BD"], lw=1.2, label="PIP2-BD projection, 5%")
    ax.axhline(DCHI2_90CL_1DOF, color="k", lw=1)
    ax.axvline(sin2w_ref, color="0.5", lw=1, ls=":")
    ax.set(xlim=(0.1, 0.45), ylim=(0, 10), xlabel=r"$\sin^2\theta_W$", ylabel=r"$\Delta\chi^2$")
    ax.legend(fontsize=9)
    return fig
