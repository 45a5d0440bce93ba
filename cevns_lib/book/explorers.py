"""Interactive explorers for teaching: thin ipywidgets layers over two pure functions.

- :func:`spectrum_and_count` — recoil spectrum dN/dT per flavour and the event count above
  threshold of a projected argon experiment, for chosen sin²θ_W, μ_ν and ε_ee^uV.
- :func:`delta_chi2_curve` — the total-count Δχ² of Carey & Pandey (arXiv:2510.14015; project
  spec section 7) against one observable, for a chosen normalisation systematic.

:func:`make_spectrum_explorer` and :func:`make_chi2_explorer` wrap them in widgets whose callbacks
are named methods (:meth:`SpectrumExplorer.update`, :meth:`Chi2Explorer.update`), so tests can move a
slider at the kernel level and check that the plotted data changed. Both are live in Jupyter or
Voilà; on the static website they show their default state.

Both pure functions build on :meth:`cevns_lib.experiments.projections.Experiment.kernels` (fixed recoil grids,
no adaptive quadrature); kernels are cached per explorer instance, never at module level.
"""

import contextlib
import io

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from cevns_lib.physics import constants as c
from cevns_lib.experiments.projections import PROJECTIONS, get_experiment
from cevns_lib.physics.form_factors import get_form_factor
from cevns_lib.physics.interactions import weak_amplitude
from cevns_lib.book.plotting import EXPERIMENT_COLOURS, FLAVOUR_COLOURS, use_house_style

from cevns_lib.physics.sources import FLAVOUR_LABELS, FLAVOURS
from cevns_lib.analysis.sensitivity import MU_UNIT, CountModel, resolve_kappa
from cevns_lib.analysis.stats import DCHI2_90CL_1DOF, allowed_intervals, format_intervals

SPECTRUM_T_MIN_KEV = 1.0
"""Lowest recoil of the plotted spectrum (keVnr); the magnetic rate grows as 1/T below it."""

OBSERVABLES = {
    "sin2w": {"label": r"$\sin^2\theta_W$", "text": "sin²θ_W", "unit": "", "range": (0.20, 0.28)},
    "mu_nu": {"label": r"$\mu_\nu$ ($10^{-10}\,\mu_B$)", "text": "μ_ν (10⁻¹⁰ μ_B)", "unit": "1e-10 μ_B",
              "range": (0.0, 30.0)},
    "eps_u": {"label": r"$\varepsilon_{ee}^{uV}$", "text": "ε_ee^uV", "unit": "", "range": (-0.1, 0.5)},
    "eps_d": {"label": r"$\varepsilon_{ee}^{dV}$", "text": "ε_ee^dV", "unit": "", "range": (-0.1, 0.5)},
    "charge_radius": {"label": r"$\langle r^2_\nu\rangle$ ($10^{-32}$ cm$^2$)", "text": "⟨r²_ν⟩ (10⁻³² cm²)",
                      "unit": "1e-32 cm²", "range": (-15.0, 3.0)},
}
"""Observables of :func:`delta_chi2_curve`: axis label (TeX, for matplotlib), plain-text label
(``text``, for HTML), unit and default scan range."""


def _experiment(experiment):
    if experiment not in PROJECTIONS:
        raise ValueError(f"unknown experiment {experiment!r}; allowed: {', '.join(PROJECTIONS)}")
    return get_experiment(experiment)


def spectrum_kernels(experiment, panels_per_decade=12, order=8):
    """Recoil kernels of ``experiment`` from :data:`SPECTRUM_T_MIN_KEV` to the kinematic end point.

    The threshold is a panel edge, so the count above it is exact on the grid.
    """
    exp = _experiment(experiment)
    return exp, exp.kernels(t_min=SPECTRUM_T_MIN_KEV * c.keV, panels_per_decade=panels_per_decade, order=order)


def spectrum_and_count(experiment, sin2w=c.sin2_theta_w_low_q, mu_nu=0.0, eps_u=0.0, form_factor="helm",
                       kernels=None, panels_per_decade=12, order=8, eps_d=0.0, charge_radius=0.0,
                       charge_radius_kappa="paper_calibrated"):
    """Recoil spectrum and event count of a projected argon experiment.

    Parameters
    ----------
    experiment : str
        One of :data:`cevns_lib.experiments.projections.PROJECTIONS`.
    sin2w : float
        Weak mixing angle (tree-level couplings), in (0, 1).
    mu_nu : float
        Effective neutrino magnetic moment, in units of 10⁻¹⁰ μ_B, ≥ 0 (common to all flavours).
    eps_u : float
        Vector NSI coupling ε_ee^uV (acts on ν_e only).
    form_factor : str
        Weak form-factor model (also used as the proton form factor of the magnetic term).
    kernels : tuple, optional
        ``(Experiment, RecoilKernels)`` from :func:`spectrum_kernels`, to skip rebuilding them.
    panels_per_decade, order : int
        Resolution of the recoil grid (see :class:`cevns_lib.engine.kernels.RecoilGrid`).
    eps_d : float
        Vector NSI coupling ε_ee^dV (acts on ν_e only).
    charge_radius : float
        Neutrino charge radius ⟨r²_ν⟩ in 10⁻³² cm², common to all flavours.
    charge_radius_kappa : str or float
        κ convention name or value (see :func:`cevns_lib.analysis.sensitivity.resolve_kappa`).

    Returns
    -------
    T_keV : ndarray
        Recoil energies of the grid nodes (keVnr), from 1 keVnr to the kinematic end point.
    dNdT : dict
        flavour → dN/dT in events per keVnr over the experiment's run (before the efficiency).
    total : float
        Events above the experiment's threshold (step efficiency), all flavours.
    """
    if not np.isfinite(mu_nu) or mu_nu < 0:
        raise ValueError(f"mu_nu must be >= 0 (units of 1e-10 μ_B), got {mu_nu!r}")
    for name, val in (("eps_u", eps_u), ("eps_d", eps_d), ("charge_radius", charge_radius)):
        if not np.isfinite(val):
            raise ValueError(f"{name} must be finite, got {val!r}")
    kappa = resolve_kappa(charge_radius_kappa)
    exp, k = kernels if kernels is not None else spectrum_kernels(experiment, panels_per_decade, order)
    if exp.name != experiment:
        raise ValueError(f"kernels are for {exp.name!r}, not for experiment {experiment!r}")
    F2 = get_form_factor(form_factor, exp.nucleus)(k.q) ** 2
    mu2 = (mu_nu * MU_UNIT) ** 2
    events = {}
    for fl in FLAVOURS:
        amp = float(weak_amplitude(exp.nucleus, fl, sin2w, eps_u=eps_u, eps_d=eps_d, nsi_flavours=("nu_e",),
                                   charge_radius=charge_radius, charge_radius_kappa=kappa))
        events[fl] = (amp**2 * k.weak[fl] + mu2 * k.magnetic[fl]) * F2
    eff = exp.efficiency(k.grid.T)
    total = float(sum(np.sum(eff * ev) for ev in events.values()))
    dNdT = {fl: ev / (k.grid.w / c.keV) for fl, ev in events.items()}
    return k.grid.T / c.keV, dNdT, total


def delta_chi2_curve(experiment, observable, sigma, x=None, sin2w0=c.sin2_theta_w_low_q,
                     charge_radius_kappa="paper_calibrated", model=None):
    """Δχ² of the total-count analysis of Carey & Pandey against one observable.

    A thin wrapper over :class:`cevns_lib.analysis.sensitivity.CountModel` (the analysis of the
    sensitivity chapters): Asimov data are the SM counts at ``sin2w0``; one observable varies with
    the others at their SM values; one fractional normalisation pull of width ``sigma`` is
    profiled analytically. χ²_min = 0 at the SM point, so Δχ² = χ².

    Parameters
    ----------
    experiment : str
        One of :data:`cevns_lib.experiments.projections.PROJECTIONS`.
    observable : {"sin2w", "mu_nu", "eps_u", "eps_d", "charge_radius"}
        ``mu_nu`` in 10⁻¹⁰ μ_B; ``charge_radius`` ⟨r²⟩ in 10⁻³² cm² (common to all flavours,
        shift κ⟨r²⟩ of g_V^p); NSI on ν_e only.
    sigma : float
        Fractional normalisation uncertainty (0.05 for 5%), ≥ 0.
    x : array_like, optional
        Scan points (default: 2001 points over :data:`OBSERVABLES` ``[observable]["range"]``).
    sin2w0 : float
        sin²θ_W of the Asimov data and of the non-sin²θ_W scans.
    charge_radius_kappa : str or float
        κ convention name or value per 10⁻³² cm² (default: the paper-calibrated 0.0940, an
        *inferred* convention; see :data:`cevns_lib.physics.interactions.CHARGE_RADIUS_KAPPA`).
    model : CountModel, optional
        Pre-built count model of ``experiment`` at ``sin2w0`` (to skip rebuilding the kernels).

    Returns
    -------
    x : ndarray
    dchi2 : ndarray
    """
    if observable not in OBSERVABLES:
        raise ValueError(f"unknown observable {observable!r}; allowed: {', '.join(OBSERVABLES)}")
    if not np.isfinite(sigma) or sigma < 0:
        raise ValueError(f"sigma must be >= 0 (fractional, 0.05 for 5%), got {sigma!r}")
    if model is None:
        model = CountModel.from_experiment(_experiment(experiment), "helm", sin2w_ref=sin2w0)
    x = np.linspace(*OBSERVABLES[observable]["range"], 2001) if x is None else np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size < 2:
        raise ValueError("x must be a 1-D array of at least two scan points")
    counts = {
        "sin2w": lambda: model.counts_sin2w(x),
        "mu_nu": lambda: model.counts_mu_nu(x * MU_UNIT),
        "eps_u": lambda: model.counts_nsi(eps_u=x),
        "eps_d": lambda: model.counts_nsi(eps_d=x),
        "charge_radius": lambda: model.counts_charge_radius(x, kappa=charge_radius_kappa),
    }[observable]()
    return x, model.dchi2(np.broadcast_to(counts, x.shape), sigma)


# --- widgets ---------------------------------------------------------------------------------------

@contextlib.contextmanager
def _house_axes(figsize=(7.0, 4.0)):
    """(figure, axes) in the book's house style, outside pyplot's global state."""
    with mpl.rc_context():
        use_house_style()
        fig = Figure(figsize=figsize)
        yield fig, fig.add_subplot()


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    return buf.getvalue()


class SpectrumExplorer(widgets.VBox):
    """Recoil spectrum and event count as sin²θ_W, μ_ν and ε_ee^uV move (see :func:`spectrum_and_count`).

    Attributes ``experiment_choice``, ``sin2w_slider``, ``mu_slider``, ``eps_slider`` are the
    controls; ``plot`` (an Image widget) and ``summary`` (HTML) the output; ``data`` the last
    ``(T_keV, dNdT, total)``.
    """

    def __init__(self, experiment="PIP2-BD"):
        _experiment(experiment)
        self._kernels = {}
        self._n_sm = {}
        self.experiment_choice = widgets.Dropdown(options=list(PROJECTIONS), value=experiment,
                                                  description="Experiment")
        style = {"description_width": "initial"}
        self.sin2w_slider = widgets.FloatSlider(value=c.sin2_theta_w_low_q, min=0.20, max=0.28, step=0.0005,
                                                readout_format=".4f", description="sin²θ_W", style=style)
        self.mu_slider = widgets.FloatSlider(value=0.0, min=0.0, max=50.0, step=0.5, readout_format=".1f",
                                             description="μ_ν (10⁻¹⁰ μ_B)", style=style)
        self.eps_slider = widgets.FloatSlider(value=0.0, min=-0.2, max=0.5, step=0.005, readout_format=".3f",
                                              description="ε_ee^uV", style=style)
        self.plot = widgets.Image(format="png")
        self.summary = widgets.HTML()
        self.data = None
        controls = (self.experiment_choice, self.sin2w_slider, self.mu_slider, self.eps_slider)
        super().__init__(children=[widgets.HBox([self.experiment_choice, self.sin2w_slider]),
                                   widgets.HBox([self.mu_slider, self.eps_slider]), self.summary, self.plot])
        for w in controls:
            w.observe(self.on_change, names="value")
        self.update()

    def kernels_for(self, experiment):
        """Kernels of an experiment, built once per explorer."""
        if experiment not in self._kernels:
            self._kernels[experiment] = spectrum_kernels(experiment)
            self._n_sm[experiment] = spectrum_and_count(experiment, kernels=self._kernels[experiment])[2]
        return self._kernels[experiment]

    def on_change(self, change=None):
        """Widget callback: recompute and redraw."""
        self.update()

    def update(self):
        """Recompute the spectrum for the current control values and redraw the plot."""
        exp_name = self.experiment_choice.value
        kern = self.kernels_for(exp_name)
        T, dNdT, total = spectrum_and_count(exp_name, self.sin2w_slider.value, self.mu_slider.value,
                                            self.eps_slider.value, kernels=kern)
        self.data = (T, dNdT, total)
        exp = kern[0]
        ratio = total / self._n_sm[exp_name]
        self.summary.value = (f"<b>{exp.label}</b>: {total:,.0f} events above {exp.threshold_keVnr:g} keVnr "
                              f"over the run ({ratio:.4f} × the SM prediction)")
        with _house_axes() as (fig, ax):
            for fl in FLAVOURS:
                ax.plot(T, dNdT[fl], color=FLAVOUR_COLOURS[fl], label=FLAVOUR_LABELS[fl])
            ax.plot(T, sum(dNdT.values()), color=FLAVOUR_COLOURS["total"], label="total")
            ax.axvline(exp.threshold_keVnr, color="0.4", ls=":", lw=1.5, label="threshold")
            ax.set_yscale("log")
            ymax = float(np.max(sum(dNdT.values())))
            ax.set_ylim(ymax * 1e-4, ymax * 2)
            ax.set_xlim(0, 150)
            ax.set_xlabel("nuclear recoil energy $T$ (keVnr)")
            ax.set_ylabel("d$N$/d$T$ (events / keVnr)")
            ax.legend(loc="upper right")
            self.plot.value = _png(fig)


class Chi2Explorer(widgets.VBox):
    """Δχ² against one observable for a chosen experiment and systematic (see :func:`delta_chi2_curve`).

    Controls: ``experiment_choice``, ``observable_choice``, ``sigma_slider`` (percent). Output:
    ``plot`` (Image), ``summary`` (HTML with the 90% CL intervals); ``data`` the last ``(x, dchi2)``.
    """

    def __init__(self, experiment="PIP2-BD", observable="sin2w", sigma_percent=5.0):
        _experiment(experiment)
        if observable not in OBSERVABLES:
            raise ValueError(f"unknown observable {observable!r}; allowed: {', '.join(OBSERVABLES)}")
        self._models = {}
        self.experiment_choice = widgets.Dropdown(options=list(PROJECTIONS), value=experiment,
                                                  description="Experiment")
        self.observable_choice = widgets.Dropdown(options=[(k, k) for k in OBSERVABLES], value=observable,
                                                  description="Observable")
        self.sigma_slider = widgets.FloatSlider(value=sigma_percent, min=0.0, max=20.0, step=0.5,
                                                readout_format=".1f", description="σ_norm (%)")
        self.plot = widgets.Image(format="png")
        self.summary = widgets.HTML()
        self.data = None
        super().__init__(children=[widgets.HBox([self.experiment_choice, self.observable_choice]),
                                   self.sigma_slider, self.summary, self.plot])
        for w in (self.experiment_choice, self.observable_choice, self.sigma_slider):
            w.observe(self.on_change, names="value")
        self.update()

    def model_for(self, experiment):
        """Count model of an experiment, built once per explorer."""
        if experiment not in self._models:
            self._models[experiment] = CountModel.from_experiment(_experiment(experiment), "helm")
        return self._models[experiment]

    def on_change(self, change=None):
        """Widget callback: recompute and redraw."""
        self.update()

    def update(self):
        """Recompute the Δχ² curve for the current controls and redraw the plot."""
        exp_name, obs = self.experiment_choice.value, self.observable_choice.value
        sigma = self.sigma_slider.value / 100.0
        x, d = delta_chi2_curve(exp_name, obs, sigma, model=self.model_for(exp_name))
        self.data = (x, d)
        meta = OBSERVABLES[obs]
        if obs == "mu_nu":
            inside = x[d <= DCHI2_90CL_1DOF]
            text = f"μ_ν < {inside.max():.3g} × 10⁻¹⁰ μ_B" if inside.size else "no allowed values in range"
        else:
            text = format_intervals(allowed_intervals(x, d), "{:.4f}") + (f" ({meta['unit']})" if meta["unit"] else "")
        self.summary.value = (f"90% CL (Δχ² ≤ {DCHI2_90CL_1DOF:.3f}), {exp_name}, "
                              f"{self.sigma_slider.value:g}% normalisation: <b>{text}</b>")
        with _house_axes() as (fig, ax):
            ax.plot(x, d, color=EXPERIMENT_COLOURS.get(exp_name, "k"), label=exp_name)
            ax.axhline(DCHI2_90CL_1DOF, color="0.3", ls="--", lw=1.5, label="90% CL")
            ax.set_ylim(0, 10)
            ax.set_xlim(x[0], x[-1])
            ax.set_xlabel(meta["label"])
            ax.set_ylabel(r"$\Delta\chi^2$")
            ax.legend(loc="upper right")
            self.plot.value = _png(fig)


def make_spectrum_explorer(experiment="PIP2-BD") -> SpectrumExplorer:
    """The recoil-spectrum explorer widget (display it as the last expression of a cell)."""
    return SpectrumExplorer(experiment)


def make_chi2_explorer(experiment="PIP2-BD", observable="sin2w", sigma_percent=5.0) -> Chi2Explorer:
    """The Δχ² explorer widget (display it as the last expression of a cell)."""
    return Chi2Explorer(experiment, observable, sigma_percent)
