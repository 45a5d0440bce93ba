"""Figures and tables of the COHERENT data chapter (``book/08_coherent_data.md``).

Kept out of the chapter so its cells stay short; every function takes the chapter's computed
objects and returns a matplotlib figure or plain numbers (no published value is typed here).
"""

import matplotlib.pyplot as plt
import numpy as np

from cevns_lib.experiments.coherent import ar2020, csi2017, csi2021
from cevns_lib.physics import constants as c
from cevns_lib.physics import form_factors as ff
from cevns_lib.physics.nuclei import get_nucleus
from cevns_lib.book.plotting import OKABE_ITO

COLOURS = {"CsI": OKABE_ITO[0], "Ar": OKABE_ITO[1]}


def data_overview_figure(data):
    """Data (beam-on minus steady state) beside the SM CEvNS prediction of each release.

    Parameters
    ----------
    data : dict
        ``"CsI-2017"``, ``"CsI-2021"``, ``"Ar-2020"`` → :class:`cevns_lib.analysis.fit.Part` (the
        argon prediction in 12 energy × 10 time bins, energy-major).
    """
    fig, axs = plt.subplots(1, 3, figsize=(13, 4))
    ob = csi2017.observed()
    pe = 0.5 * (csi2017.PE_EDGES[1:] + csi2017.PE_EDGES[:-1])
    axs[0].errorbar(pe, ob["residual"], np.sqrt(ob["variance"]), fmt="o", color="k", label="C − AC")
    axs[0].step(csi2017.PE_EDGES[:-1], data["CsI-2017"].prediction.sm() + csi2017.prompt_neutrons(), where="post",
                color=COLOURS["CsI"], label="CEvNS (SM) + prompt n")
    axs[0].axvspan(6, 30, color="0.9", zorder=0)
    axs[0].set(xlabel="PE", ylabel="events / 2 PE", title="CsI 2017")
    oa, bg = ar2020.observed(), ar2020.backgrounds()
    edges = ar2020.resp.ENERGY_BIN_EDGES_KEVEE
    n_t = len(ar2020.resp.TIME_BIN_EDGES_US) - 1
    sm_energy = data["Ar-2020"].prediction.sm().reshape(len(edges) - 1, n_t).sum(axis=1)
    axs[1].errorbar(0.5 * (edges[1:] + edges[:-1]), oa["counts"], oa["stat_error"], fmt="o", color="k", label="data − SS")
    axs[1].stairs(sm_energy + bg["PBRN"] + bg["LBRN"], edges, color=COLOURS["Ar"], label="CEvNS (SM) + BRN")
    axs[1].stairs(bg["PBRN"] + bg["LBRN"], edges, color="0.5", ls="--", label="BRN")
    axs[1].set(xlabel="reconstructed energy [keVee]", ylabel="events / 10 keVee", title="Ar 2020")
    o21, b21 = csi2021.observed(), csi2021.backgrounds()
    te = csi2021.TIME_EDGES_US
    w = np.diff(te)
    n_pe = len(csi2021.PE_EDGES) - 1

    def per_us(x):
        return x.reshape(n_pe, len(w)).sum(axis=0) / w

    axs[2].errorbar(0.5 * (te[1:] + te[:-1]), per_us(o21["C"] - o21["AC"]), np.sqrt(per_us(o21["C"] + o21["AC"]) / w),
                    fmt="o", color="k", label="C − AC")
    axs[2].stairs(per_us(data["CsI-2021"].prediction.sm() + b21["BRN"] + b21["NIN"]), te, color=COLOURS["CsI"],
                  label="CEvNS (SM) + BRN + NIN")
    axs[2].stairs(per_us(b21["BRN"] + b21["NIN"]), te, color="0.5", ls="--", label="BRN + NIN")
    axs[2].set(xlabel="arrival time [µs]", ylabel="events / µs", title=f"CsI 2021 (0–{csi2021.PE_EDGES[-1]:.0f} PE)")
    for ax in axs:
        ax.legend(fontsize=9)
    return fig


def argon_charge_form_factors(q_fm, models):
    """Measured ⁴⁰Ar charge form factor and each model's F_Z(q) G_E^p(q) on ``q_fm`` (fm⁻¹).

    Returns
    -------
    measured : ndarray
        Fourier–Bessel form factor of :data:`cevns_lib.physics.form_factors.AR40_CHARGE_DENSITY_FB`.
    models : dict
        model name → charge form factor; the charge of the density is checked to be Z = 18.
    rms_fm : dict
        model name → rms radius (fm) of its F_Z (from the slope at q → 0).
    """
    ar = get_nucleus("Ar40")
    fb = ff.AR40_CHARGE_DENSITY_FB
    q = np.asarray(q_fm, dtype=float) / c.fm
    measured, charge = ff.fourier_bessel_form_factor(q, fb["a_fm3"], fb["R_fm"])
    if abs(charge - ar.Z) > 0.01:
        raise ValueError(f"the Fourier–Bessel density integrates to {charge:.4f}, not Z = {ar.Z}")
    out, rms = {}, {}
    q0 = np.array([1e-3]) / c.fm
    for m in models:
        FZ, _ = ff.get_form_factor_pair(m, ar)
        out[m] = FZ(q) * ff.proton_finite_size(q)
        rms[m] = float(np.sqrt(-6.0 * (FZ(q0)[0] - 1.0) / 1e-6))
    return measured, out, rms


def charge_form_factor_figure(q_fm, measured, models):
    """Measured charge form factor (black) and the models (lines), with model/data − 1 below."""
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(6.4, 6.0), sharex=True, gridspec_kw={"height_ratios": [2, 1]})
    ax.plot(q_fm, measured, color="k", lw=2.2, label="measured (Fourier–Bessel fit)")
    for (m, F), col in zip(models.items(), OKABE_ITO * 2):
        ax.plot(q_fm, F, color=col, lw=1.0, label=ff.FORM_FACTOR_MODELS[m].label)
        ax2.plot(q_fm, F / measured - 1.0, color=col, lw=1.0)
    ax.set(ylabel="$F_\\mathrm{ch}(q)$", yscale="log", ylim=(1e-2, 1.1))
    ax2.set(xlabel="$q$ [fm$^{-1}$]", ylabel="model/data − 1", ylim=(-0.5, 0.5))
    ax.legend(fontsize=7, ncol=2)
    return fig
