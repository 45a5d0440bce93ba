"""Figures and tables of the detector chapter (``book/04_detectors.md``).

Kept out of the chapter so its cells stay short; every function takes the chapter's computed
objects and returns a matplotlib figure or a MyST markdown table (no published value is typed here).
Units: recoil energy in keVnr, reconstructed (electron-equivalent) energy in keVee, counts in events
per year of the configuration, μ_ν in 10⁻¹⁰ μ_B.
"""

import matplotlib.pyplot as plt
import numpy as np

from cevns_lib.book.plotting import EXPERIMENT_COLOURS, FLAVOUR_COLOURS, OKABE_ITO, decade_ticks
from cevns_lib.experiments.projections import CONFIGURATIONS, STATUS_DESCRIPTIONS
from cevns_lib.physics import constants as c
from cevns_lib.physics.form_factors import get_form_factor
from cevns_lib.physics.interactions import weak_amplitude
from cevns_lib.physics.sources import FLAVOUR_LABELS, FLAVOURS

INPUT_COLUMNS = (("target_mass_kg", "Ar mass [kg]", "{:g}"), ("baseline_m", "baseline [m]", "{:g}"),
                 ("pot_per_second", "POT/s", "{:.3g}"), ("nu_per_flavour_per_pot", "ν/flavour/POT", "{:g}"),
                 ("threshold_keVnr", "effective threshold [keVnr]", "{:g}"),
                 ("run_time_s", "beam seconds per year", "{:.4g}"))
"""Registry inputs shown per detector: (attribute, column title, format)."""


def inputs_table(experiments, configuration) -> str:
    """Markdown table of the detectors' inputs, each with its registry status, and the status legend."""
    head = "| detector | facility | " + " | ".join(t for _, t, _ in INPUT_COLUMNS) + " |"
    rows = [head, "|" + "---|" * (2 + len(INPUT_COLUMNS))]
    for name, e in experiments.items():
        cells = [f"{fmt.format(getattr(e, key))} (*{e.quantities[key].status}*)" for key, _, fmt in INPUT_COLUMNS]
        rows.append(f"| {name} | {e.facility} | " + " | ".join(cells) + " |")
    legend = "; ".join(f"*{k}*: {v}" for k, v in STATUS_DESCRIPTIONS.items())
    return f"Inputs in the **{configuration}** configuration, with their registry status ({legend}):\n\n" + "\n".join(rows)


def counts_table(counts, experiments) -> str:
    """Markdown table of the yearly SM counts per flavour (``counts``: name → flavour/total → events)."""
    rows = ["| detector | threshold [keVnr] | ν_μ | ν_e | ν̄_μ | total | ν_e fraction |", "|---|---|---|---|---|---|---|"]
    for name, cn in counts.items():
        rows.append(f"| {name} | {experiments[name].threshold_keVnr:g} | "
                    + " | ".join(f"{cn[fl]:.4g}" for fl in (*FLAVOURS, "total")) + f" | {cn['nu_e'] / cn['total']:.4f} |")
    return "\n".join(rows)


def configurations_table(both) -> str:
    """Markdown table of :func:`cevns_lib.analysis.exposure.compare_configurations` (5% systematic)."""
    rows = ["| detector | configuration | one year | SM events per year | sin²θ_W 90% CL (5%) "
            "| μ_ν limit 90% CL (5%) [10⁻¹⁰ μ_B] |", "|---|---|---|---|---|---|"]
    for name in both["paper"]:
        for cfg in CONFIGURATIONS:
            if name in both[cfg]:
                n, (lo, hi), mu, year = both[cfg][name]
                rows.append(f"| {name} | {cfg} | {year} | {n:.3g} | [{lo:.4f}, {hi:.4f}] | {mu:.2f} |")
    return "\n".join(rows)


def recoil_spectra(experiment, form_factor="helm", t_min_keVnr=0.1, panels_per_decade=16):
    """SM events per recoil node and flavour over the whole recoil range (no threshold), tree level.

    Returns
    -------
    T_keVnr : ndarray
        Recoil nodes (keVnr).
    per_node : dict
        flavour → events per node over the experiment's run time.
    per_keVnr : dict
        flavour (and ``"total"``) → dN/dT in events per keVnr.
    """
    k = experiment.kernels(t_min=t_min_keVnr * c.keV, panels_per_decade=panels_per_decade)
    F2 = get_form_factor(form_factor, experiment.nucleus)(k.q) ** 2
    per_node = {fl: k.weak[fl] * float(weak_amplitude(experiment.nucleus, fl)) ** 2 * F2 for fl in FLAVOURS}
    per_keVnr = {fl: v / k.grid.w * c.keV for fl, v in per_node.items()}
    per_keVnr["total"] = sum(per_keVnr[fl] for fl in FLAVOURS)
    return k.grid.T / c.keV, per_node, per_keVnr


def response_figure(experiment, experiments, efficiency_table=None, efficiency=None):
    """Left: quenching factor and visible energy against recoil energy. Right: the released CENNS-10
    efficiency (``efficiency_table`` rows keVee, keVnr, efficiency; ``efficiency`` its interpolation
    in MeV; both None without the data) and each detector's threshold in keVee."""
    T = np.linspace(0.5, 150.0, 300) * c.keV
    resp = experiment.response()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    a1.plot(T / c.keV, resp.visible_energy(T) / T, color=OKABE_ITO[0], label="QF(T)")
    a1.set(xlabel="recoil energy T [keVnr]", ylabel="quenching factor")
    a1b = a1.twinx()
    a1b.plot(T / c.keV, resp.visible_energy(T) / c.keV, color=OKABE_ITO[1], ls="--")
    a1b.set_ylabel(r"$E_\mathrm{ee}$ [keVee]", color=OKABE_ITO[1])
    a1b.grid(False)
    if efficiency_table is not None:
        E = np.linspace(0.0, 45.0, 901) * c.keV
        a2.plot(E / c.keV, efficiency(E), color=OKABE_ITO[2])
        a2.plot(efficiency_table[:, 0], efficiency_table[:, 2], ".", color=OKABE_ITO[2], ms=4)
    else:
        a2.text(0.5, 0.5, "CENNS-10 efficiency: data not available\n(cevns data fetch ar2020_analysisA)",
                transform=a2.transAxes, ha="center", va="center")
    for name, e in experiments.items():
        a2.axvline(resp.visible_energy(e.threshold_keVnr * c.keV) / c.keV, color=EXPERIMENT_COLOURS[name],
                   ls=":", label=f"{name}: {e.threshold_keVnr:g} keVnr")
    a2.set(xlabel="reconstructed energy E′ [keVee]", ylabel="efficiency")
    a2.legend(fontsize=9, loc="lower right")
    return fig


def spectra_figure(experiment, T_keVnr, per_node, per_keVnr):
    """Left: dN/dT per flavour and total (events / keVnr / year) with the effective threshold.
    Right: dN/dE′ in reconstructed energy (events / keVee / year) after the experiment's quenching
    and Gaussian smearing: per flavour above the step threshold, the total above it and the total
    without threshold (see :func:`recoil_spectra` for the inputs)."""
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.2))
    for fl in (*FLAVOURS, "total"):
        a1.plot(T_keVnr, per_keVnr[fl], color=FLAVOUR_COLOURS[fl], label=FLAVOUR_LABELS.get(fl, "total"))
    a1.axvline(experiment.threshold_keVnr, color="grey", ls=":", label=f"threshold {experiment.threshold_keVnr:g} keVnr")
    peak = per_keVnr["total"].max()
    a1.set(yscale="log", xlim=(0, 150), ylim=(peak * 1e-4, peak * 3), xlabel="nuclear recoil energy T [keVnr]",
           ylabel="dN/dT [events / keVnr / year]")
    a1.set_title(f"{experiment.label}\none year = {experiment.year_label}", fontsize=10)
    a1.legend(fontsize=9)
    E = np.linspace(0.0, 60.0, 601) * c.keV
    resp = experiment.response()
    T = T_keVnr * c.keV
    D = resp.density_matrix(T, E) * c.keV  # per keVee per node-event
    above = experiment.efficiency(T)
    for fl in FLAVOURS:
        a2.plot(E / c.keV, D @ (per_node[fl] * above), color=FLAVOUR_COLOURS[fl], label=FLAVOUR_LABELS[fl])
    total = sum(per_node.values())
    a2.plot(E / c.keV, D @ (total * above), color="k", label="total")
    a2.plot(E / c.keV, D @ total, color="k", ls="--", lw=1.2, label="total, no threshold")
    a2.axvline(resp.visible_energy(experiment.threshold_keVnr * c.keV) / c.keV, color="grey", ls=":")
    a2.set(yscale="log", ylim=(peak * 1e-4, peak * 12), xlabel="reconstructed energy E′ [keVee]",
           ylabel="dN/dE′ [events / keVee / year]")
    a2.legend(fontsize=9)
    for ax in (a1, a2):
        decade_ticks(ax)    # 4–5 decades: decade ticks only
    return fig


def threshold_calibration_figure(cal, count_published, mu_published):
    """Left: CENNS-10 counts against a step threshold crossing the published prediction
    (``count_published``: a PublishedNumber, drawn with its uncertainty band; a notice without the
    release). Right: the 5% μ_ν limits against the threshold crossing the published limits
    (``mu_published``: detector → 10⁻¹⁰ μ_B). ``cal``: a
    :class:`cevns_lib.analysis.threshold_calibration.ThresholdCalibration`."""
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    if cal.counts is not None:
        a1.plot(cal.count_thresholds, cal.counts, color=EXPERIMENT_COLOURS["CENNS-10"])
        band = (count_published.value - count_published.uncertainty, count_published.value + count_published.uncertainty)
        a1.axhspan(*band, color="grey", alpha=0.2)
        a1.axhline(count_published.value, color="grey")
        a1.axvline(cal.count_threshold, color="grey", ls=":")
    else:
        a1.text(0.5, 0.5, "needs the Ar 2020 release\n(cevns data fetch ar2020_analysisA)", transform=a1.transAxes,
                ha="center", va="center")
    a1.set(xlabel="step threshold [keVnr]", ylabel="CENNS-10 SM events\n(Analysis-A exposure)")
    for label, curve in cal.mu_limits.items():
        name = label.split(",")[0]
        a2.plot(cal.mu_thresholds, curve, "--" if "," in label else "-", color=EXPERIMENT_COLOURS[name], label=label)
        a2.axhline(mu_published[name], color=EXPERIMENT_COLOURS[name], lw=1, ls=":")
    a2.set(xlabel="step threshold [keVnr]", ylabel=r"$\mu_\nu$ limit, 90% CL [$10^{-10}\,\mu_B$]")
    a2.legend(fontsize=10)
    return fig


def joint_inference_figure(cal, mu_published, sin2w_published):
    """The CENNS-750 (run time, threshold) plane of ``cal.scan``: consistent pairs shaded, the
    published μ_ν limit and sin²θ_W end points ± half a unit of their last digit as contours, the
    registry pair as a cross and the closest grid point as a circle."""
    scan = cal.scan
    fig, ax = plt.subplots()
    X, Y = np.meshgrid(scan.years, scan.thresholds)
    ax.contourf(X, Y, scan.consistent.astype(float), levels=[0.5, 1.5], colors=[EXPERIMENT_COLOURS["CENNS-750"]],
                alpha=0.35)
    ax.contour(X, Y, scan.mu_limit, levels=[mu_published - 0.05, mu_published + 0.05], colors="k", linestyles=":")
    for arr, v in ((scan.sin2w_lo, sin2w_published[0]), (scan.sin2w_hi, sin2w_published[1])):
        ax.contour(X, Y, arr, levels=[v - 5e-5, v + 5e-5], colors="grey", linestyles="--")
    ax.plot(cal.paper_years, cal.registry_threshold, "kx", ms=9, label="registry (paper configuration)")
    ax.plot(scan.best[1], scan.best[0], "o", mfc="none", color="k", label="closest grid point")
    ax.set(xlabel="run time [calendar years of continuous beam]", ylabel="effective step threshold [keVnr]")
    ax.legend(fontsize=9)
    return fig


def release_check_figure(check, energy_edges_keVee, published):
    """Stacked per-flavour prediction per reconstructed-energy bin against the released PDF
    (``check``: :class:`cevns_lib.analysis.cenns10_check.ReleaseCheck`; ``published``: COHERENT's
    prediction as a PublishedNumber with its uncertainty)."""
    edges = np.asarray(energy_edges_keVee, dtype=float)
    centres = 0.5 * (edges[1:] + edges[:-1])
    fig, ax = plt.subplots()
    bottom = np.zeros_like(centres)
    for fl in FLAVOURS:
        ax.bar(centres, check.per_flavour[fl], width=0.9 * np.diff(edges), bottom=bottom, color=FLAVOUR_COLOURS[fl],
               alpha=0.8, label=f"this book: {FLAVOUR_LABELS[fl]}")
        bottom = bottom + check.per_flavour[fl]
    released = check.released_energy
    ax.step(edges, np.append(released, released[-1]), where="post", color="k",
            label=f"COHERENT release ({published.value:.0f} ± {published.uncertainty:.0f})")
    ax.set(yscale="log", ylim=(0.01, 200), xlim=(0, 70), xlabel="reconstructed energy [keVee]",
           ylabel="SM CEvNS events per 10 keVee")
    ax.legend(fontsize=10)
    decade_ticks(ax)        # 4.3 decades: decade ticks only
    return fig
