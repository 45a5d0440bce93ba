"""Figures and tables of the COHERENT data chapter (``book/08_coherent_data.md``).

Kept out of the chapter so its cells stay short; every function takes the chapter's computed
objects and returns a matplotlib figure, plain numbers or a MyST markdown table (no published value
is typed here). Units: events, fm, fm⁻¹, cm² as stated per function.
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


def release_table(data, datasets) -> str:
    """Markdown table of what each release's likelihood contains (``data``: name → Part;
    ``datasets``: :data:`cevns_lib.experiments.coherent.datasets.DATA_SETS`); nuisance widths are prior σ."""
    rows = ["| name | data set | nuclei | bins | statistic | nuisances (prior σ) |", "|---|---|---|---|---|---|"]
    for name, part in data.items():
        spec = part.likelihood.spec
        nuis = ", ".join(f"{n.name} {n.sigma:.3g}" for n in spec.nuisances)
        n_fit = np.arange(part.prediction.n_bins)[part.bins].size
        rows.append(f"| {name} | {datasets[name].label} | {', '.join(datasets[name].nuclei)} | "
                    f"{part.prediction.n_bins} ({n_fit} fitted) | {spec.statistic} | {nuis} |")
    return "\n".join(rows)


def sm_table(sm, published, counted) -> str:
    """Markdown table of the SM predictions (events) beside the published ones (name →
    PublishedNumber) with what is counted (name → text)."""
    rows = ["| data set | this chapter | published | ratio | what is counted |", "|---|---|---|---|---|"]
    for name, n in sm.items():
        p = published[name]
        rows.append(f"| {name} | {n:.1f} | {p.value:.0f} ± {p.uncertainty:.0f} | {n / p.value:.3f} | {counted[name]} |")
    return "\n".join(rows)


def normalisation_table(norm, xsec, xsec_sm) -> str:
    """Markdown table of the normalisation fits (name → NormalisationFit) with the fitted (value, error)
    and SM flux-averaged cross sections in 10⁻⁴⁰ cm²."""
    rows = ["| data set | SM events (fit bins) | fitted events (1σ) | CEvNS vs no CEvNS | ⟨σ⟩ fitted [10⁻⁴⁰ cm²] "
            "| ⟨σ⟩ SM [10⁻⁴⁰ cm²] |", "|---|---|---|---|---|---|"]
    for name, nf in norm.items():
        lo, hi = nf.counts_interval
        rows.append(f"| {name} | {nf.n_sm:.1f} | {nf.counts:.1f} [{lo:.1f}, {hi:.1f}] | {nf.no_cevns_sigma:.1f}σ | "
                    f"{xsec[name][0] / 1e-40:.0f} ± {xsec[name][1] / 1e-40:.0f} | {xsec_sm[name] / 1e-40:.0f} |")
    return "\n".join(rows)


def radius_table(radius) -> str:
    """Markdown table of the neutron-radius scans (name → RadiusScan), radii in fm."""
    rows = ["| data set | best-fit R_n [fm] | 1σ interval [fm] | F = 1 disfavoured by |", "|---|---|---|---|"]
    for name, r in radius.items():
        lo = "(edge) " if r.open_below else ""
        rows.append(f"| {name} | {r.best_fm:.2f} | [{lo}{r.interval_1sigma_fm[0]:.2f}, {r.interval_1sigma_fm[1]:.2f}] | "
                    f"{r.point_like_sigma:.1f}σ |")
    return "\n".join(rows)


def radius_figure(radius):
    """Δχ² against the neutron rms radius (fm) of each data set, with the Δχ² = 1 line."""
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    for (name, r), col in zip(radius.items(), (OKABE_ITO[2], OKABE_ITO[0], OKABE_ITO[1])):
        ax.plot(r.radii_fm, r.dchi2, color=col, label=name)
    ax.axhline(1.0, color="0.5", lw=0.8, ls=":")
    ax.set(xlabel="neutron rms radius $R_n$ [fm]", ylabel=r"$\Delta\chi^2$", ylim=(0, 9))
    ax.legend()
    return fig


def charge_table(q_fm, measured, models, rms_fm, check_q_fm=(0.2, 0.4, 0.6)) -> str:
    """Markdown table of each model's F_Z rms radius (fm) and charge form factor at ``check_q_fm``
    (fm⁻¹) beside the measured one (see :func:`argon_charge_form_factors`)."""
    k = [int(np.argmin(abs(np.asarray(q_fm) - x))) for x in check_q_fm]
    qs = " / ".join(f"{x:g}" for x in check_q_fm)
    rows = [f"| model | rms of F_Z [fm] | F_ch at q = {qs} fm⁻¹ (data: " + " / ".join(f"{measured[i]:.3f}" for i in k)
            + ") |", "|---|---|---|"]
    rows += [f"| {ff.FORM_FACTOR_MODELS[m].label} | {rms_fm[m]:.3f} | " + " / ".join(f"{F[i]:.3f}" for i in k) + " |"
             for m, F in models.items()]
    return "\n".join(rows)
