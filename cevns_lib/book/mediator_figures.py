"""Figures of the light-mediator chapter: CEvNS 90% CL contours in the (M, g) plane, the (g−2)_μ
band, and the external exclusions as grey regions by experiment family.

Masses are plotted in GeV (the scans hold them in MeV, the external curves in GeV); couplings are
the dimensionless g of ``g Z'_μ Σ_f Q'_f f̄γ^μ f``. The ``*_figure`` functions draw one whole figure
of the chapter (limits of Cadeddu et al., arXiv:2008.05022, and Atzori Corona et al.,
arXiv:2202.11002) and return the figure and the axes they drew.
"""

from contextlib import contextmanager

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Patch

from cevns_lib.analysis import mediator_scans as cb
from cevns_lib.analysis.stats import DCHI2_90CL_2DOF
from cevns_lib.book.plotting import OKABE_ITO, decade_ticks
from cevns_lib.physics import constants as c
from cevns_lib.physics import mediators as med

CEVNS_COLOURS = {"CsI": OKABE_ITO[0], "Ar": OKABE_ITO[1], "combined": OKABE_ITO[7], "g2": OKABE_ITO[2]}
"""Line colours of the CEvNS limits and of the (g−2)_μ band."""

FAMILY_STYLES = {
    "beam dump": {"facecolor": "0.50"},
    "fixed target": {"facecolor": "0.80", "hatch": "////", "edgecolor": "0.45"},
    "collider": {"facecolor": "0.72"},
    "meson decay": {"facecolor": "0.62", "hatch": "\\\\\\\\", "edgecolor": "0.35"},
    "invisible": {"facecolor": "0.88", "hatch": "....", "edgecolor": "0.50"},
}
"""Grey fill (and hatch) of each experiment family of :data:`external_limits.FAMILIES`."""

MASS_RANGE_GEV = (1e-3, 10.0)
"""Mass axis of the landscape figures [GeV]."""


@contextmanager
def autoscale_once(ax):
    """Rescale ``ax`` once, on leaving the block, instead of at every contour set drawn inside it.

    A contour set rescales its axes as soon as it is made, and with shared axes every axis of the
    group; a panel of several contours paid that for each (~half the time of making them). Inside
    the block the axes do not autoscale; on leaving it the previous settings are restored and one
    :meth:`~matplotlib.axes.Axes.autoscale_view` takes the data limits of everything drawn, as the
    last of the individual rescalings would have.
    """
    x_on, y_on = ax.get_autoscalex_on(), ax.get_autoscaley_on()
    ax.set_autoscale_on(False)
    try:
        yield ax
    finally:
        ax.set_autoscalex_on(x_on)
        ax.set_autoscaley_on(y_on)
        ax.autoscale_view()


def draw_exclusion(ax, scan, names=("CsI", "Ar", "combined"), shade=True, level=DCHI2_90CL_2DOF, **kw):
    """90% CL contours of a :class:`~cevns_lib.analysis.mediator_scans.ModelScan` (mass axis in GeV).

    ln Δχ² is contoured (≈ linear in ln g, so no grid wiggles); ``shade`` fills the combined
    excluded region in light grey; ``kw`` overrides the contour style. The axes are rescaled once
    (:func:`autoscale_once`).
    """
    x = np.broadcast_to(scan.masses[:, None] / c.GeV, scan.g.shape)   # the g grid is per mass
    with autoscale_once(ax):
        for name in names:
            lnd = np.log(np.maximum(scan.chi2[name] - scan.chi2_min[name], 1e-6))
            style = dict(colors=CEVNS_COLOURS.get(name, "k"), linewidths=2.0 if name == "combined" else 1.3) | kw
            ax.contour(x, scan.g, lnd, levels=[np.log(level)], **style)
            if shade and name == "combined":
                ax.contourf(x, scan.g, lnd, levels=[np.log(level), 50.0], colors=["0.85"])


def draw_g2(ax, masses, model, **kw):
    """Shade the (g−2)_μ ±2σ band of ``model`` over ``masses`` [MeV]; False if the model has no
    muon coupling (nothing drawn)."""
    lo, hi = cb.g2_band(masses, model)
    if not np.all(np.isfinite(lo)):
        return False
    ax.fill_between(np.asarray(masses) / c.GeV, lo, hi, color=CEVNS_COLOURS["g2"], alpha=0.5, lw=0, **kw)
    return True


FAMILY_ZORDER = {"invisible": 0.1, "collider": 0.2, "fixed target": 0.3, "meson decay": 0.4, "beam dump": 0.5}
"""Drawing order of the families (higher on top)."""


def draw_external(ax, curves, g_top=1.0) -> list:
    """Fill the region excluded by each external curve with its family's grey.

    Parameters
    ----------
    ax : matplotlib Axes
    curves : dict
        name → :class:`~cevns_lib.datafiles.external_limits.LimitCurve` (masses in GeV).
    g_top : float
        Coupling at which the fills of one-sided limits (and open upper edges) stop.

    Returns
    -------
    list of str
        Names of the curves drawn (those that exclude something).
    """
    drawn = []
    for name, curve in curves.items():
        lo = curve.lower
        if not np.any(np.isfinite(lo)):
            continue
        hi = np.full(lo.shape, g_top) if curve.upper is None else np.minimum(curve.upper, g_top)
        ok = np.isfinite(lo) & (hi > lo)
        style = FAMILY_STYLES[curve.family]
        ax.fill_between(curve.mass_GeV, np.where(ok, lo, np.nan), np.where(ok, hi, np.nan), where=ok,
                        lw=0.4, zorder=FAMILY_ZORDER[curve.family], **({"edgecolor": "0.35"} | style))
        drawn.append(name)
    return drawn


def family_handles(families) -> list:
    """Legend patches for the experiment families present (in the order given)."""
    return [Patch(label=f, **({"edgecolor": "0.35"} | FAMILY_STYLES[f])) for f in families]


def cevns_handles(names=("CsI", "Ar", "combined"), g2=True) -> list:
    """Legend lines for the CEvNS limits (and the (g−2)_μ band)."""
    from matplotlib.lines import Line2D

    out = [Line2D([], [], color=CEVNS_COLOURS[n], lw=2.0 if n == "combined" else 1.3, label=f"{n} 90% CL")
           for n in names]
    if g2:
        out.append(Patch(color=CEVNS_COLOURS["g2"], alpha=0.5, label="(g−2)$_\\mu$ ±2σ"))
    return out


def landscape_panel(ax, scan, curves, model, ylim=(1e-9, 1.0)) -> list:
    """One model's landscape: external exclusions (grey, by family), the (g−2)_μ band and the CsI,
    Ar and combined 90% CL contours of ``scan``, on log axes over :data:`MASS_RANGE_GEV`.

    Returns the names of the external curves drawn.
    """
    drawn = draw_external(ax, curves, g_top=ylim[1])
    draw_g2(ax, scan.masses, model, zorder=1)
    draw_exclusion(ax, scan, shade=False, zorder=2)
    ax.set(xscale="log", yscale="log", xlim=MASS_RANGE_GEV, ylim=ylim, title=med.get_model(model).label)
    decade_ticks(ax)
    return drawn


def model_panels(axs, scans, ylim):
    """CsI / Ar / combined contours and the (g−2)_μ band of several models, one axis each, with
    labelled axes; returns the axes that were used."""
    used = []
    for ax, (m, s) in zip(np.ravel(axs), scans.items()):
        draw_exclusion(ax, s)
        draw_g2(ax, s.masses, m)
        ax.set(xscale="log", yscale="log", title=med.get_model(m).label, ylim=ylim)
        decade_ticks(ax)
        used.append(ax)
    axs2 = np.atleast_2d(axs)
    for ax in axs2[-1]:
        ax.set_xlabel("M$_{Z'}$ [GeV]")
    for ax in axs2[:, 0]:
        ax.set_ylabel("g$_{Z'}$")
    return used


def reach_panels(axs, scans, reach, shown, data_label, level=DCHI2_90CL_2DOF):
    """Projected 90% CL reach beside the combined data limit, one axis per model of ``scans``.

    Parameters
    ----------
    axs : array of Axes
        One more axis than models: the last holds the legend.
    scans : dict
        model → data :class:`~cevns_lib.analysis.mediator_scans.ModelScan` (combined contour, shaded).
    reach : dict
        projection → {(model, systematic): ModelScan} (:func:`mediator_scans.projection_reach`);
        5% solid, 10% dashed.
    shown : str
        The selected projection (thicker lines).
    data_label : str
        Legend label of the data limit.
    """
    from cevns_lib.book.plotting import EXPERIMENT_COLOURS

    flat = np.ravel(axs)
    for ax, m in zip(flat, scans):
        draw_exclusion(ax, scans[m], names=("combined",))
        with autoscale_once(ax):
            for p, per in reach.items():
                for sigma, style in ((0.05, "solid"), (0.10, "dashed")):
                    if (m, sigma) in per:
                        r = per[m, sigma]
                        x = np.broadcast_to(r.masses[:, None] / c.GeV, r.g.shape)
                        lnd = np.log(np.maximum(r.chi2[p] - r.chi2_min[p], 1e-6))
                        ax.contour(x, r.g, lnd, levels=[np.log(level)], colors=[EXPERIMENT_COLOURS[p]],
                                   linestyles=style, linewidths=1.8 if p == shown else 1.1)
        ax.set(xscale="log", yscale="log", title=med.get_model(m).label, ylim=(1e-6, 3e-2))
        decade_ticks(ax)
    axs2 = np.atleast_2d(axs)
    for ax in axs2[-1]:
        ax.set_xlabel("M$_{Z'}$ [GeV]")
    for ax in axs2[:, 0]:
        ax.set_ylabel("g$_{Z'}$")
    leg = flat[len(scans)]
    leg.axis("off")
    leg.plot([], [], color=CEVNS_COLOURS["combined"], label=f"{data_label} (data)")
    for p in reach:
        leg.plot([], [], color=EXPERIMENT_COLOURS[p], label=f"{p} (5%)")
    leg.plot([], [], color=EXPERIMENT_COLOURS[shown], ls="dashed", label=f"{shown} (10%)")
    leg.legend(loc="center")


def _legend_axis(ax, handles):
    """Turn a spare panel into the legend."""
    ax.axis("off")
    ax.legend(handles=handles, loc="center")


def tree_figure(scans, strip_per_GeV, ylim=(1e-6, 3e-2)):
    """The tree-level figure: one panel per model of ``scans`` (CsI, Ar, combined 90% CL contours and
    the (g−2)_μ band, :func:`model_panels`) on a 2 × 4 grid, the analytic strip line g/M =
    ``strip_per_GeV`` [GeV⁻¹] (Eq. eq-strip, dotted) in the universal panel, and the legend in the
    first spare panel.

    Returns
    -------
    fig, axs : Figure and the (2, 4) array of Axes.
    """
    fig, axs = plt.subplots(2, 4, figsize=(15, 7.5), sharex=True, sharey=True)
    model_panels(axs, scans, ylim=ylim)
    if "universal" in scans:
        mass_GeV = scans["universal"].masses / c.GeV
        axs.flat[list(scans).index("universal")].plot(mass_GeV, strip_per_GeV * mass_GeV, ":", color="k")
    _legend_axis(axs.flat[len(scans)], cevns_handles())
    return fig, axs


def strip_figure(cuts, strip_per_GeV, level=DCHI2_90CL_2DOF):
    """Δχ² across the universal model's interference strip at a few masses.

    Parameters
    ----------
    cuts : dict
        mass [MeV] → (g/M [GeV⁻¹], Δχ²), e.g. from :func:`cevns_lib.analysis.mediator_checks.strip_cuts`.
    strip_per_GeV : float
        Analytic position of the strip, g/M [GeV⁻¹] (dotted line).
    level : float
        The 90% CL Δχ² (dashed line).

    Returns
    -------
    fig, ax
    """
    fig, ax = plt.subplots()
    for k, (mass, (x, d)) in enumerate(cuts.items()):
        ax.plot(x, d, color=OKABE_ITO[k], label=f"M = {mass / c.GeV:g} GeV")
    ax.axhline(level, color="0.4", ls="--", lw=1)
    ax.axvline(strip_per_GeV, color="k", ls=":", lw=1.5)
    ax.set(xscale="log", yscale="log", ylim=(0.1, 1e4), xlim=(1e-4, 1e-2), xlabel="g / M [GeV⁻¹]",
           ylabel="Δχ² (CsI + Ar)")
    ax.legend()
    return fig, ax


def loop_figure(loops, flipped=None, ylim=(1e-4, 1.0)):
    """The kinetic-mixing models side by side (:func:`model_panels`); ``flipped`` (a ModelScan with
    the opposite loop sign) is drawn dashed (combined contour) in the panel of its model.

    Returns
    -------
    fig, axs : Figure and the (1, n) array of Axes.
    """
    fig, axs = plt.subplots(1, len(loops), figsize=(14, 4.3), sharey=True, squeeze=False)
    model_panels(axs, loops, ylim=ylim)
    if flipped is not None:
        draw_exclusion(axs.flat[list(loops).index(flipped.model)], flipped, names=("combined",), shade=False,
                       colors="k", linestyles="--", linewidths=1)
    axs[0, 0].legend(handles=cevns_handles(), loc="lower right")
    return fig, axs


def scalar_figure(scan, ylim=(1e-6, 3e-2)):
    """CsI, Ar and combined 90% CL contours of the universal scalar and its (g−2)_μ band; returns
    (fig, ax)."""
    fig, ax = plt.subplots()
    draw_exclusion(ax, scan)
    draw_g2(ax, scan.masses, "scalar")
    ax.set(xscale="log", yscale="log", xlabel=r"M$_\phi$ [GeV]", ylabel=r"g$_\phi$", ylim=ylim)
    ax.legend(handles=cevns_handles(), loc="lower right")
    return fig, ax


def landscape_figure(scans, curves, families, ncols=3):
    """One :func:`landscape_panel` per model of ``scans`` (model → ModelScan), with the external
    curves ``curves[model]`` (name → LimitCurve), and one legend (CEvNS lines, the experiment
    ``families``) below the panels.

    Returns
    -------
    fig, axs, drawn
        ``drawn``: model → names of the external curves drawn.
    """
    nrows = -(-len(scans) // ncols)
    fig, axs = plt.subplots(nrows, ncols, figsize=(15, 12.5 * nrows / 3), sharex=True, sharey=True, squeeze=False)
    drawn = {m: landscape_panel(ax, s, curves[m], m) for ax, (m, s) in zip(axs.flat, scans.items())}
    for ax in axs.flat[len(scans):]:
        ax.axis("off")
    for ax in axs[-1]:
        ax.set_xlabel("M$_{Z'}$ [GeV]")
    for ax in axs[:, 0]:
        ax.set_ylabel("g$_{Z'}$")
    fig.legend(handles=cevns_handles() + family_handles(families), loc="outside lower center", ncol=5)
    return fig, axs, drawn


def reach_figure(scans, reach, shown, data_label):
    """The reach figure: :func:`reach_panels` on a 2 × 4 grid (legend in the last panel); returns
    (fig, axs)."""
    fig, axs = plt.subplots(2, 4, figsize=(15, 7.5), sharex=True, sharey=True)
    reach_panels(axs, scans, reach, shown, data_label)
    return fig, axs
