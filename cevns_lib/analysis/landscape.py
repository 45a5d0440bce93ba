"""Where CEvNS matters: external light-mediator exclusions compared with a CEvNS limit on one mass grid.

The external curves are :class:`cevns_lib.datafiles.external_limits.LimitCurve` objects (mass in
GeV, coupling g of the model's Lagrangian ``g Z'_μ Σ_f Q'_f f̄γ^μ f``). Each curve excludes, at a
mass M, the window ``lower(M) < g < upper(M)`` (``upper = ∞`` for a one-sided limit). The curves
are interpolated linearly in (ln M, ln g) between their tabulated masses; outside their mass range,
or next to a mass with no exclusion, they exclude nothing.

Definition ("CEvNS is the strongest at M"). Let g_C(M) be the lower edge of the CEvNS 90% CL
excluded region (CEvNS excludes g > g_C). CEvNS is the strongest at M when, for every external
curve, either its window starts above g_C (``g_C < lower``) or, with ``windows="overlapping"``
(the default), its window closes at or below g_C (``upper ≤ g_C``: a beam-dump window of a
long-lived Z′ excludes only smaller couplings and sets no upper bound on g). Equivalently: no
external window contains g_C or starts below it while reaching above it, so the couplings just above
g_C are excluded by CEvNS alone. With ``windows="all"`` every window counts, including those
entirely below g_C (the stricter reading "g_C below every excluded lower edge").
"""

from dataclasses import dataclass

import numpy as np

from cevns_lib.datafiles import external_limits as el
from cevns_lib.datafiles.external_limits import FAMILIES
from cevns_lib.physics import constants as c

WINDOW_RULES = ("overlapping", "all")
"""How two-sided windows below the CEvNS edge count (see the module docstring)."""


def _check_masses(mass_GeV) -> np.ndarray:
    m = np.asarray(mass_GeV, dtype=float)
    if m.ndim != 1 or m.size == 0 or np.any(~np.isfinite(m)) or np.any(m <= 0):
        raise ValueError("mass_GeV must be a non-empty 1-D array of finite masses > 0 (GeV)")
    if np.any(np.diff(m) <= 0):
        raise ValueError("mass_GeV must be strictly ascending")
    return m


def on_grid(curve, mass_GeV) -> tuple:
    """A limit curve's excluded window on a mass grid.

    Parameters
    ----------
    curve : LimitCurve
        External limit (mass in GeV, coupling dimensionless).
    mass_GeV : array_like
        Ascending mediator masses [GeV].

    Returns
    -------
    lower, upper : ndarray
        Excluded couplings ``lower < g < upper`` per mass (interpolated linearly in ln M, ln g);
        ``lower`` is NaN where the curve excludes nothing, ``upper`` is ``inf`` for a one-sided
        limit (and NaN where nothing is excluded).
    """
    m = _check_masses(mass_GeV)
    lo = np.full(m.size, np.nan)
    hi = np.full(m.size, np.nan)
    if curve.mass_GeV.size == 0:
        return lo, hi
    lm, x = np.log(curve.mass_GeV), np.log(m)
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = np.exp(np.interp(x, lm, np.log(curve.lower), left=np.nan, right=np.nan))
        if curve.upper is None:
            hi = np.where(np.isfinite(lo), np.inf, np.nan)
        else:
            hi = np.exp(np.interp(x, lm, np.log(curve.upper), left=np.nan, right=np.nan))
            hi[np.isnan(hi) & np.isfinite(lo)] = np.inf        # interpolation towards an open upper edge
    lo[~(hi > lo)] = np.nan
    hi[np.isnan(lo)] = np.nan
    return lo, hi


def on_cells(curve, mass_GeV, sub=8) -> tuple:
    """A limit curve's excluded window over the cell of each grid mass (conservative for CEvNS).

    The cell of ``mass_GeV[i]`` reaches half a grid step either side in ln M. The curve is
    evaluated (:func:`on_grid`) on ``sub`` log-spaced points per cell and at its own tabulated
    masses inside the cell; the cell's window is the envelope (smallest lower, largest upper edge)
    of the windows found there. A curve that excludes anywhere in the cell thus counts at the grid
    mass, which closes gaps narrower than the grid step (resonance vetoes of BaBar and LHCb).

    Parameters
    ----------
    curve : LimitCurve
    mass_GeV : array_like
        Ascending mediator masses [GeV], at least two.
    sub : int
        Sampling points per cell (≥ 1).

    Returns
    -------
    lower, upper : ndarray
        As :func:`on_grid`, per grid mass.
    """
    m = _check_masses(mass_GeV)
    if m.size < 2 or int(sub) < 1:
        raise ValueError("on_cells needs at least two grid masses and sub ≥ 1")
    x = np.log(m)
    mid = 0.5 * (x[1:] + x[:-1])
    edges = np.concatenate(([x[0] - (mid[0] - x[0])], mid, [x[-1] + (x[-1] - mid[-1])]))
    fine = np.concatenate((np.linspace(edges[:-1], edges[1:], int(sub) + 2, axis=1)[:, 1:-1].ravel(), x))
    nodes = np.log(curve.mass_GeV)
    fine = np.unique(np.concatenate((fine, nodes[(nodes > edges[0]) & (nodes < edges[-1])])))
    lo_f, hi_f = on_grid(curve, np.exp(fine))
    cell = np.clip(np.searchsorted(edges, fine, side="right") - 1, 0, m.size - 1)
    lo, hi = np.full(m.size, np.nan), np.full(m.size, np.nan)
    np.fmin.at(lo, cell, lo_f)
    np.fmax.at(hi, cell, hi_f)
    return lo, hi


def cevns_beats(g_cevns, lower, upper, windows="overlapping") -> np.ndarray:
    """Whether the CEvNS edge beats one external curve at each mass (rule of the module docstring).

    Parameters
    ----------
    g_cevns : array_like
        Lower edge of the CEvNS excluded region per mass (NaN: CEvNS excludes nothing there).
    lower, upper : array_like
        The external window per mass, as returned by :func:`on_grid`.
    windows : {"overlapping", "all"}
        Whether windows entirely below ``g_cevns`` are ignored (default) or count.
    """
    if windows not in WINDOW_RULES:
        raise ValueError(f"windows must be one of {WINDOW_RULES}, got {windows!r}")
    g = np.asarray(g_cevns, dtype=float)
    lo, hi = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    beats = np.isnan(lo) | (g < lo)
    if windows == "overlapping":
        beats |= hi <= g
    return beats & np.isfinite(g)


def strongest_mask(mass_GeV, g_cevns, curves, windows="overlapping", cells=True) -> np.ndarray:
    """Masses where the CEvNS limit is the strongest of the CEvNS limit and ``curves``.

    Parameters
    ----------
    mass_GeV : array_like
        Ascending mediator masses [GeV] (the chapter's scan grid).
    g_cevns : array_like
        Lower edge of the CEvNS 90% CL excluded region at those masses (NaN: no exclusion);
        must otherwise be finite and > 0.
    curves : iterable of LimitCurve
        External limits of the same model.
    windows : {"overlapping", "all"}
        Treatment of two-sided windows below the CEvNS edge (module docstring).
    cells : bool
        Compare with each curve's window over the grid cell (:func:`on_cells`, default) instead of
        its value at the grid mass only (:func:`on_grid`).

    Returns
    -------
    ndarray of bool
    """
    m = _check_masses(mass_GeV)
    g = np.asarray(g_cevns, dtype=float)
    if g.shape != m.shape:
        raise ValueError(f"g_cevns must have the shape of mass_GeV {m.shape}, got {g.shape}")
    if np.any(np.isinf(g)) or np.any(g[np.isfinite(g)] <= 0):
        raise ValueError("g_cevns must be > 0 and finite (NaN = no CEvNS exclusion at that mass)")
    out = np.isfinite(g)
    for curve in curves:
        out &= cevns_beats(g, *(on_cells(curve, m) if cells else on_grid(curve, m)), windows=windows)
    return out


def mass_ranges(mass_GeV, mask) -> list:
    """Contiguous runs of ``mask`` as ``[[lo, hi], …]`` in the units of ``mass_GeV`` (grid points
    at both ends; a single isolated point gives ``[m, m]``); ``[]`` when the mask is all false."""
    m = _check_masses(mass_GeV)
    k = np.asarray(mask, dtype=bool)
    if k.shape != m.shape:
        raise ValueError("mask must have the shape of mass_GeV")
    edges = np.diff(np.concatenate(([0], k.astype(int), [0])))
    starts, stops = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0] - 1
    return [[float(m[a]), float(m[b])] for a, b in zip(starts, stops)]


def strongest_ranges(mass_GeV, g_cevns, curves, windows="overlapping", cells=True) -> list:
    """Mass ranges [GeV] where CEvNS is the strongest: :func:`mass_ranges` of :func:`strongest_mask`."""
    return mass_ranges(mass_GeV, strongest_mask(mass_GeV, g_cevns, curves, windows, cells))


def excluding(curves, mass_range_GeV=(1e-3, 10.0)) -> dict:
    """The curves that exclude something inside ``mass_range_GeV`` (empty files and curves whose
    every row is DarkCast's "no limit" dropped), keyed by name."""
    lo, hi = mass_range_GeV
    out = {}
    for name, curve in curves.items():
        sel = (curve.mass_GeV >= lo) & (curve.mass_GeV <= hi) & np.isfinite(curve.lower)
        if np.any(sel):
            out[name] = curve
    return out


def by_family(curves) -> dict:
    """Curve names grouped by experiment family, in the order of :data:`FAMILIES` (empty families
    omitted)."""
    groups = {f: sorted(n for n, curve in curves.items() if curve.family == f) for f in FAMILIES}
    return {f: names for f, names in groups.items() if names}


def format_ranges(ranges, fmt="{:.3g}") -> str:
    """``[[lo, hi], …]`` [GeV] as text for a table, "none" when empty."""
    if not ranges:
        return "none"
    return ", ".join(fmt.format(a) if a == b else f"{fmt.format(a)}–{fmt.format(b)}" for a, b in ranges)


def as_record(ranges) -> list:
    """The results-contract form of :func:`strongest_ranges`: one range as ``[lo, hi]``, several as
    ``[[lo, hi], …]``, none as ``[]`` (never NaN)."""
    return list(ranges[0]) if len(ranges) == 1 else [list(r) for r in ranges]


@dataclass(frozen=True)
class ModelLandscape:
    """One model's external limits and where the CEvNS limit is the strongest (:func:`model_landscape`).

    ``curves``: name → LimitCurve (invisible searches in the ``inv-nu`` convention, only curves that
    exclude something in the mass range); ``strongest``, ``strict`` (``windows="all"``) and ``dm99``
    (invisible searches in the ``inv-dm99`` convention): ``[[lo, hi], …]`` mass ranges [GeV].
    """

    curves: dict
    strongest: list
    strict: list
    dm99: list


def model_landscape(model, mass_GeV, g_cevns, mass_range_GeV=(1e-3, 10.0)) -> ModelLandscape:
    """The external exclusions recast by DarkCast (Ilten et al., arXiv:1801.04847) for ``model`` and
    the mass ranges where the CEvNS edge ``g_cevns`` (per mass of ``mass_GeV`` [GeV]) is the strongest.

    The curves drawn use the ``inv-nu`` convention for invisible decays (Z′ → νν̄ only); the ``dm99``
    ranges replace them by DarkCast's dark-photon convention (a dark width 99 times the visible one)
    to show how much the answer depends on it.
    """
    curves = excluding(el.load_recasts(model, invisible_variant="inv-nu"), mass_range_GeV)
    dm99 = excluding(el.load_recasts(model, families=["invisible"], invisible_variant="inv-dm99"), mass_range_GeV)
    visible = [cv for cv in curves.values() if cv.family != "invisible"]
    return ModelLandscape(curves, strongest_ranges(mass_GeV, g_cevns, curves.values()),
                          strongest_ranges(mass_GeV, g_cevns, curves.values(), windows="all"),
                          strongest_ranges(mass_GeV, g_cevns, visible + list(dm99.values())))


def model_landscapes(scans, mass_range_GeV=(1e-3, 10.0)) -> dict:
    """:func:`model_landscape` of every model of ``scans`` (model →
    :class:`~cevns_lib.analysis.mediator_scans.ModelScan`) that has recast limits, against its
    combined 90% CL lower edge; model → :class:`ModelLandscape`, in the order of ``scans``."""
    recast = set(el.models())
    return {m: model_landscape(m, s.masses / c.GeV, s.edge["combined"], mass_range_GeV)
            for m, s in scans.items() if m in recast}
