"""Numerical checks behind the light-mediator limits (Cadeddu et al., arXiv:2008.05022; Atzori
Corona et al., arXiv:2202.11002): quadrature convergence of the coupling polynomial, the ends of the
(M, g) contours against the limiting forms, the destructive-interference strip of the universal
Z′, the kinetic-mixing loop integral and the Δχ² of the (g−2)_μ band.

Masses are in MeV unless a name says otherwise; couplings g are dimensionless and g/M is returned
in GeV⁻¹ where the name ends in ``_per_GeV``.
"""

import numpy as np

from cevns_lib.analysis import mediator_scans as cb
from cevns_lib.physics import constants as c
from cevns_lib.physics import mediators as med

CONVERGENCE_MODELS = ("universal", "L_e-L_mu")
"""A tree-level and a loop model (the electron loop is the steepest integrand)."""
CONVERGENCE_MASSES = (1.0, 10.0, 1000.0)
"""Mediator masses [MeV] of the convergence check: 1/q⁴ at 1 MeV, and two heavier ones."""


def coefficient_convergence(module, models=CONVERGENCE_MODELS, masses=CONVERGENCE_MASSES, min_events=1e-3,
                            **options) -> float:
    """Largest relative change of the Z′ polynomial coefficients A, B, C of N_b(g) = A_b + g² B_b + g⁴ C_b
    when the recoil quadrature is refined (twice the panels per decade, twice the Gauss–Legendre order).

    Parameters
    ----------
    module : module
        A COHERENT data-set module with ``prediction(panels_per_decade=..., order=..., **options)``
        (e.g. :mod:`cevns_lib.experiments.coherent.csi2021`).
    models : iterable of str
        Z′ models (:data:`cevns_lib.physics.mediators.TREE_MODELS` or ``LOOP_MODELS``).
    masses : iterable of float
        Mediator masses [MeV].
    min_events : float
        Only bins with at least this many SM events count.

    Returns
    -------
    float
        max ``|x/x_fine − 1|`` over coefficients, models, masses and the bins kept.

    Notes
    -----
    CsI 2021 takes the pulse centre fitted once by
    :func:`~cevns_lib.analysis.mediator_scans.csi2021_pulse_mean_us` unless ``options`` give one
    (the value each of its predictions would fit again).
    """
    if getattr(module, "DATASET", None) == "csi2021" and "pulse_mean_us" not in options:
        options = {**options, "pulse_mean_us": cb.csi2021_pulse_mean_us()}
    coarse = module.prediction(**options)
    fine = module.prediction(panels_per_decade=8, order=16, **options)
    big = np.abs(fine.sm()) >= min_events
    worst = 0.0
    for model in models:
        for x, y in zip(coarse.zprime_coefficients(model, list(masses)), fine.zprime_coefficients(model, list(masses))):
            worst = max(worst, float(np.max(np.abs(x[..., big] / y[..., big] - 1))))
    return worst


def contour_end_ratios(scan, name="combined") -> tuple:
    """Lower edge of the (M, g) contour at the lightest and heaviest grid mass over the limiting
    bounds: (g_edge(M_min) / g_low, [g_edge(M_max)/M_max] / (g/M)_high). Both → 1 when the grid
    reaches the limiting forms of the propagator (1/q² and 1/M²).

    Parameters
    ----------
    scan : ModelScan
        From :func:`cevns_lib.analysis.mediator_scans.model_scan`.
    name : str
        Data set or ``"combined"``.
    """
    edge = scan.edge[name]
    return float(edge[0] / scan.low[name]), float(edge[-1] / scan.masses[-1] / scan.high[name])


def strip_onset_mass(scan, name="combined") -> float:
    """Lightest grid mass [MeV] at which the destructive-interference strip (a local χ² minimum
    inside the excluded region, :func:`~cevns_lib.analysis.mediator_scans.strip_centre`) exists;
    NaN if it never does."""
    centre = cb.strip_centre(scan.masses, scan.g, scan.chi2[name], scan.edge[name])
    found = np.nonzero(np.isfinite(centre))[0]
    return float(scan.masses[found[0]]) if found.size else float("nan")


def strip_slope_per_GeV(scan, name="combined", min_mass=300.0) -> float:
    """Median g/M [GeV⁻¹] of the strip centre over the grid masses ≥ ``min_mass`` [MeV], to compare
    with the analytic line of :func:`cevns_lib.physics.mediators.strip_g_over_m` (M ≫ q)."""
    centre = cb.strip_centre(scan.masses, scan.g, scan.chi2[name], scan.edge[name])
    heavy = scan.masses >= min_mass
    return float(np.nanmedian(centre[heavy] / scan.masses[heavy]) * c.GeV)


def grid_minimum(scan, name="combined") -> tuple:
    """(g/M [GeV⁻¹] at the grid's χ² minimum, χ²_SM − χ²_min): where the global minimum lies and its
    depth below the Standard Model (χ² at g = 0, the grid's first column; χ²_min includes the local
    search of :func:`~cevns_lib.analysis.mediator_scans.polish_minima`)."""
    chi2 = scan.chi2[name]
    i, j = np.unravel_index(np.argmin(chi2), chi2.shape)
    return float(scan.g[i, j] / scan.masses[i] * c.GeV), float(chi2[:, 0].min() - scan.chi2_min[name])


def strip_cuts(combo, scan, masses, g, name="combined") -> dict:
    """Δχ² (relative to the scan's global minimum) along the couplings ``g`` at each of ``masses``
    [MeV] (one scan): cuts across the universal model's strip. Returns mass → (g/M [GeV⁻¹], Δχ²)."""
    d = cb.scan(combo, scan.model, masses, g)[name] - scan.chi2_min[name]
    return {mass: (np.asarray(g) / (mass / c.GeV), row) for mass, row in zip(masses, d)}


def band_edge_dchi2(scan, model, name="combined") -> np.ndarray:
    """Δχ² on the lower edge of the (g−2)_μ ±2σ band (:func:`~cevns_lib.analysis.mediator_scans.g2_band`),
    interpolated in ln g, at each grid mass where that edge lies inside the scanned couplings."""
    lo, _ = cb.g2_band(scan.masses, model)
    d = scan.chi2[name] - scan.chi2_min[name]
    return np.array([float(np.interp(np.log(lo[i]), np.log(scan.g[i]), d[i]))
                     for i in range(scan.masses.size) if scan.g[i, 0] < lo[i] < scan.g[i, -1]])


def loop_integrals(models, q) -> dict:
    """The kinetic-mixing integral I(q) of Eq. (eq-loop) and its heavy-lepton limit per loop model.

    Parameters
    ----------
    models : iterable of str
        Loop models (:data:`cevns_lib.physics.mediators.LOOP_MODELS`).
    q : array_like
        Momentum transfers q [MeV].

    Returns
    -------
    dict
        model → (I(q) (array, dimensionless), (1/6) ln(m_β²/m_α²)) with α, β the model's leptons of
        charge +1 and −1 (:func:`cevns_lib.physics.mediators.loop_integral`).
    """
    out = {}
    for m in models:
        ma, mb = (med.LEPTON_MASSES[lep] for lep in med.get_model(m).loop_leptons)
        out[m] = (med.loop_integral(q, ma, mb), float(np.log(mb**2 / ma**2) / 6))
    return out
