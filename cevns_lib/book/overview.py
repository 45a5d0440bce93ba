"""The intro page's figure: what the book computes, on one page.

:func:`argon_sensitivities` computes the 90% CL sin²θ_W interval and μ_ν upper limit of each
projected argon detector with the total-count analysis of Carey & Pandey (arXiv:2510.14015;
:class:`cevns_lib.analysis.sensitivity.CountModel`); :func:`overview_figure` draws them on two
panels. Measurements (for example the COHERENT fits of the data chapters) can be added to the
sin²θ_W panel through the ``measurements`` argument.
"""

from matplotlib.figure import Figure

from cevns_lib.analysis.sensitivity import MU_UNIT, CountModel
from cevns_lib.book.plotting import EXPERIMENT_COLOURS, use_house_style
from cevns_lib.experiments.projections import PROJECTIONS, get_experiment
from cevns_lib.physics import constants as c


def argon_sensitivities(sigma=0.05, experiments=PROJECTIONS, form_factor="helm") -> dict:
    """90% CL sensitivities of the projected argon detectors.

    Parameters
    ----------
    sigma : float
        Fractional normalisation uncertainty (0.05 for 5%).
    experiments : iterable of str
        Names from :data:`cevns_lib.experiments.projections.PROJECTIONS`.
    form_factor : str
        Weak form factor.

    Returns
    -------
    dict
        name → ``{"label": str, "n_sm": float (events per run), "sin2w": [lo, hi],
        "mu_nu": float (upper limit, 10⁻¹⁰ μ_B)}``.
    """
    out = {}
    for name in experiments:
        exp = get_experiment(name)
        model = CountModel.from_experiment(exp, form_factor)
        out[name] = {"label": exp.label, "n_sm": model.n_sm, "sin2w": list(model.sin2w_interval(sigma)),
                     "mu_nu": model.mu_nu_limit(sigma) / MU_UNIT}
    return out


def overview_figure(sensitivities, measurements=(), sigma=0.05) -> Figure:
    """Two panels: sin²θ_W intervals (left) and μ_ν limits (right) of each detector.

    Parameters
    ----------
    sensitivities : dict
        From :func:`argon_sensitivities`.
    measurements : sequence of dict
        Extra rows for the sin²θ_W panel, each ``{"label": str, "value": float, "minus": float,
        "plus": float}`` (a measurement with its 1σ or 90% CL errors, as its label says).
    sigma : float
        The systematic used, for the panel titles.
    """
    use_house_style()
    fig = Figure(figsize=(9.0, 0.55 * (len(sensitivities) + len(measurements)) + 2.2))
    ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.3, 1.0]}, sharey=False)
    names = list(sensitivities)
    rows = names + [m["label"] for m in measurements]
    y = {r: len(rows) - 1 - i for i, r in enumerate(rows)}
    for name in names:
        s = sensitivities[name]
        lo, hi = s["sin2w"]
        colour = EXPERIMENT_COLOURS.get(name, "k")
        ax1.plot([lo, hi], [y[name]] * 2, color=colour, lw=5, solid_capstyle="butt")
        ax2.barh(y[name], s["mu_nu"], color=colour, height=0.5)
        ax2.text(s["mu_nu"], y[name], f" {s['mu_nu']:.3g}", va="center", fontsize=10)
    for m in measurements:
        ax1.errorbar(m["value"], y[m["label"]], xerr=[[m["minus"]], [m["plus"]]], fmt="o", color="k", capsize=4)
    ax1.axvline(c.sin2_theta_w_low_q, color="0.4", ls=":", lw=1.5, label=f"SM, {c.sin2_theta_w_low_q}")
    ax1.legend(loc="lower right", fontsize=9)
    for ax in (ax1, ax2):
        ax.set_yticks([y[r] for r in rows], rows)
        ax.set_ylim(-0.7, len(rows) - 0.3)
    ax2.set_yticklabels([])
    ax1.set_xlabel(r"$\sin^2\theta_W$ (90% CL interval)")
    ax2.set_xlabel(r"$\mu_\nu$ 90% CL upper limit ($10^{-10}\,\mu_B$)")
    ax2.set_xlim(0, 1.25 * max(s["mu_nu"] for s in sensitivities.values()))
    pct = f"{100 * sigma:g}%"
    ax1.set_title(f"weak mixing angle, {pct} systematic", fontsize=12)
    ax2.set_title(f"magnetic moment, {pct} systematic", fontsize=12)
    return fig


def coherent_sin2w_measurements(names=None, grid=None) -> list:
    """sin²θ_W measured from the COHERENT data (90% CL, every nuisance profiled; see
    ``book/05_weak_mixing_angle.md``), as rows for :func:`overview_figure`.

    Parameters
    ----------
    names : sequence of str, optional
        Data sets or combinations (default: each data set of the first registry combination, then
        the combination). Those whose data are absent are left out.
    grid : array_like, optional
        sin²θ_W grid of the scan (default 0.05 … 0.55 in steps of 2e-4).

    Returns
    -------
    list of dict
        ``{"label", "value", "minus", "plus"}`` with the best fit and the distances to the ends of
        the 90% CL interval.
    """
    import numpy as np

    from cevns_lib.analysis.fit import load_fit
    from cevns_lib.book.chapter_setup import default_data_experiment, missing_data_sets
    from cevns_lib.experiments.catalog import get_experiment

    if names is None:
        combo = default_data_experiment()
        names = (*get_experiment(combo).parts, combo)
    g = np.arange(0.05, 0.55, 2e-4) if grid is None else np.asarray(grid, dtype=float)
    rows = []
    for name in names:
        if missing_data_sets(name):
            continue
        iv, best, _ = load_fit(name).intervals("sin2w", g)
        lo, hi = iv[0][0], iv[-1][1]
        rows.append({"label": f"{name} (data)", "value": best, "minus": best - lo, "plus": hi - best})
    return rows
