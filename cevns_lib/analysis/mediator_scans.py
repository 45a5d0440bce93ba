"""Joint (M, g) scans of the COHERENT CsI and Ar likelihoods for light mediators.

For each data set the CEvNS prediction is the polynomial N_b(g) = A_b + g² B_b(M) + g⁴ C_b(M)
(:class:`cevns_lib.engine.prediction.Prediction`), so a whole (M, g) grid is a few array
operations; nuisances are profiled per data set and the χ² are added (the combination of
arXiv:2202.11002; its method section was not read):

    χ²(M, g) = χ²_CsI + χ²_Ar,   excluded at 90% CL where χ² − χ²_min ≥ 4.605 (2 dof),

with χ²_min the global minimum over the grid (including g = 0; this book's reading: the Δχ² level and
reference point of arXiv:2202.11002 are not confirmed, see book/09_light_mediators.md). The limiting forms M → 0
(propagator 1/q²) and M → ∞ (variable g/M) give the "low-mass" and "high-mass" table entries.
"""

from dataclasses import dataclass

import numpy as np

from cevns_lib.analysis.fit import Part, load_fit
from cevns_lib.analysis.likelihood import PROFILE_CHUNK
from cevns_lib.analysis.parallel import parallel_map
from cevns_lib.analysis.stats import DCHI2_90CL_2DOF
from cevns_lib.experiments.catalog import get_experiment
from cevns_lib.experiments.coherent.datasets import DATA_SETS
from cevns_lib.physics import mediators as med

AR_MEDIATOR_FIT = "energy"
"""The argon likelihood of the light-mediator reproduction: the 1-D energy fit of arXiv:2005.01645 /
2008.05022 (from a third-party transcription of the arXiv:2008.05022 TeX source, not checked against the
paper); ``"energy_time"`` is the robustness variant."""


_PULSE_MEAN_US: dict = {}
"""(path, size, mtime) of the CsI 2021 NIN time PDF → pulse centre [µs] fitted to it."""


def csi2021_pulse_mean_us() -> float:
    """Centre [µs] of the SNS proton pulse inferred from the CsI 2021 release
    (:func:`cevns_lib.experiments.coherent.csi2021.infer_beam_timing`), fitted once per file.

    Every CsI 2021 prediction without an explicit ``pulse_mean_us`` repeats that least-squares fit
    (~0.1 s); the mediator analysis builds about ten of them (combinations, variants, the convergence
    check), so :func:`load_combination`, :func:`load_dataset` and
    :func:`~cevns_lib.analysis.mediator_checks.coefficient_convergence` pass this value instead: the
    same number, computed once. The fit is redone when the verified file (its resolved path, size or
    modification time) changes.
    """
    from cevns_lib.datafiles import loader
    from cevns_lib.experiments.coherent import csi2021

    path = loader.data_path(csi2021.DATASET, "ninTrec.txt")
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, csi2021.BEAM_PULSE_SIGMA_US)
    if key not in _PULSE_MEAN_US:
        _PULSE_MEAN_US[key] = csi2021.infer_beam_timing()["mean_us"]
    return _PULSE_MEAN_US[key]


def _with_pulse(part, options) -> dict:
    """``options`` of a data set, with the cached CsI 2021 pulse centre unless given."""
    if part == "CsI-2021" and "pulse_mean_us" not in options:
        return {**options, "pulse_mean_us": csi2021_pulse_mean_us()}
    return dict(options)


def load_dataset(name, form_factor=None, **options) -> Part:
    """One data set or projection as a :class:`~cevns_lib.analysis.fit.Part` (options go to its
    prediction and likelihood; the argon fit defaults to :data:`AR_MEDIATOR_FIT`)."""
    if name == "Ar-2020":
        options = {"fit": AR_MEDIATOR_FIT, **options}
    fit = load_fit(name, form_factor, _with_pulse(name, options))
    return next(iter(fit.parts.values()))


def load_combination(name, options=None, form_factor=None, systematic=0.05) -> dict:
    """Parts of an experiment keyed for the mediator figures: a data-set combination gives
    {"CsI": Part, "Ar": Part} (argon fit :data:`AR_MEDIATOR_FIT` unless ``options`` say otherwise);
    a data set or a projection gives {name: Part} (a projection with its total-count χ² at
    ``systematic``). CsI 2021 takes the pulse centre of :func:`csi2021_pulse_mean_us` unless
    ``options`` give one."""
    exp = get_experiment(name)
    options = dict(options or {})
    if exp.kind == "combination":
        opts = {p: _with_pulse(p, ({"fit": AR_MEDIATOR_FIT} if p == "Ar-2020" else {}) | options.get(p, {}))
                for p in exp.parts}                     # load_fit adds the registry's options of each part
        fit = load_fit(exp, form_factor, opts)
        return {DATA_SETS[p].short: part for p, part in fit.parts.items()}
    if name == "Ar-2020":
        options = {"fit": AR_MEDIATOR_FIT, **options}
    fit = load_fit(exp, form_factor, _with_pulse(name, options), systematic=systematic)
    return dict(fit.parts)


def _as_grid(g, n_masses):
    """Coupling grid as (n_M, n_g): a 1-D grid is shared by all masses, a 2-D one is per mass."""
    g = np.asarray(g, dtype=float)
    if g.ndim == 1:
        return np.broadcast_to(g, (n_masses, g.size))
    if g.ndim == 2 and g.shape[0] == n_masses:
        return g
    raise ValueError(f"g must be 1-D or of shape (n_masses={n_masses}, n_g), got {g.shape}")


def chi2_grid(ds: Part, g, A, B, C=None, chunk=None):
    """χ²(M, g) (n_M, n_g) for the polynomial coefficients of one data set, ``chunk`` masses at a time
    (default: about :data:`~cevns_lib.analysis.likelihood.PROFILE_CHUNK` points per block).

    ``g`` is 1-D (common grid) or (n_M, n_g) (a grid per mass, e.g. sheared along g ∝ M).
    """
    g = _as_grid(g, B.shape[0])
    chunk = max(1, PROFILE_CHUNK // g.shape[1]) if chunk is None else chunk
    out = np.empty(g.shape)
    for i in range(0, B.shape[0], chunk):
        g2 = g[i:i + chunk, :, None] ** 2
        b = B[i:i + chunk, None, :]
        if C is None:
            N = A + g2**2 * b
        else:
            N = A + g2 * b + g2**2 * C[i:i + chunk, None, :]
        out[i:i + chunk] = ds.chi2(N)
    return out


MASS_CHUNK = 2048
"""Masses whose polynomial coefficients are computed at once in :func:`scan` (bounds the memory of
scans over very many masses: the propagator is (n_M, n_nodes) per target, a few MB)."""


def scan(combo: dict, model, masses=None, g=None, limit=None, loop_sign=1.0) -> dict:
    """χ² on a (M, g) grid for each data set and combined.

    Parameters
    ----------
    combo : dict
        name → :class:`~cevns_lib.analysis.fit.Part` (e.g. from :func:`load_combination`).
    model : str or ZprimeModel or "scalar"
    masses : array_like (MeV), ignored for ``limit`` in {"light", "heavy"}
    g : array_like
        Couplings (for ``limit="heavy"``: g/M in MeV⁻¹), 1-D or one row per mass.
    Returns
    -------
    dict
        name → χ² (n_M, n_g), plus ``"combined"``. Masses are taken :data:`MASS_CHUNK` at a time,
        so memory does not grow with the number of masses beyond the result itself.
    """
    n_m = 1 if limit is not None else np.atleast_1d(np.asarray(masses, dtype=float)).size
    g = _as_grid(g, n_m)
    out = {}
    for name, ds in combo.items():
        res = np.empty(g.shape)
        for i in range(0, n_m, MASS_CHUNK):
            m = None if limit is not None else np.atleast_1d(np.asarray(masses, dtype=float))[i:i + MASS_CHUNK]
            if model == "scalar":
                A, S = ds.prediction.scalar_coefficients(m, limit)
                res[i:i + MASS_CHUNK] = chi2_grid(ds, g[i:i + MASS_CHUNK], A, S)
            else:
                A, B, C = ds.prediction.zprime_coefficients(model, m, limit, loop_sign)
                res[i:i + MASS_CHUNK] = chi2_grid(ds, g[i:i + MASS_CHUNK], A, B, C)
        out[name] = res
    out["combined"] = sum(out[name] for name in combo)
    return out


def first_crossing(x, dchi2, level=DCHI2_90CL_2DOF):
    """Smallest x where Δχ²(x) rises through ``level`` (linear interpolation in log x);
    NaN if it never does. The scan must start where Δχ² < level (g → 0)."""
    x = np.asarray(x, dtype=float)
    d = np.asarray(dchi2, dtype=float)
    above = np.nonzero(d >= level)[0]
    if above.size == 0:
        return float("nan")
    i = above[0]
    if i == 0:
        return float(x[0])
    lx = np.interp(level, [d[i - 1], d[i]], np.log([x[i - 1], x[i]]))
    return float(np.exp(lx))


def limiting_bound(combo, model, which, x, chi2_min, level=DCHI2_90CL_2DOF, loop_sign=1.0) -> dict:
    """Bound on g (``which="low"``, M → 0) or on g/M in MeV⁻¹ (``which="high"``, M → ∞).

    ``chi2_min``: dict name → global minimum of that χ² (from the full grid); the bound is the first
    crossing of Δχ² = level above x → 0 (for the universal model: the lower edge of the excluded
    band below the interference strip).
    """
    limit = {"low": "light", "high": "heavy"}.get(which)
    if limit is None:
        raise ValueError(f"which must be 'low' or 'high', got {which!r}")
    res = scan(combo, model, None, x, limit, loop_sign)
    return {name: first_crossing(x, res[name][0] - min(chi2_min[name], res[name][0].min()), level)
            for name in res}


def contour_lower_edge(masses, g, chi2, chi2_min, level=DCHI2_90CL_2DOF):
    """For each mass, the smallest excluded g (first crossing from below); NaN if none.
    ``g``: 1-D or (n_M, n_g) grid."""
    g = _as_grid(g, len(masses))
    return np.array([first_crossing(gi, row - chi2_min, level) for gi, row in zip(g, chi2)])


def strip_centre(masses, g, chi2, g_low):
    """Within the excluded region above the lower edge ``g_low``, the g of the deepest local χ²
    minimum per mass (the destructive-interference strip); NaN where absent."""
    out = np.full(len(masses), np.nan)
    g = _as_grid(g, len(masses))
    for i, row in enumerate(chi2):
        if not np.isfinite(g_low[i]):
            continue
        sel = np.nonzero(g[i] > 1.5 * g_low[i])[0]
        if sel.size < 3:
            continue
        j = sel[np.argmin(row[sel])]
        if 0 < j < g.shape[1] - 1 and row[j] < row[j - 1] and row[j] < row[j + 1]:
            out[i] = g[i, j]
    return out


def g2_band(masses, model):
    """(g_lo, g_hi) of the (g−2)_μ ±2σ band (Δa_μ = 251 ± 59 × 10⁻¹¹), see :func:`mediators.g2_band`."""
    return med.g2_band(masses, None if model == "scalar" else med.get_model(model))


DEFAULT_GRIDS = {
    "tree": {"g": np.logspace(-7.0, -1.5, 401), "light": np.logspace(-7.0, -3.0, 801),
             "heavy": np.logspace(-8.0, -4.0, 801)},
    "loop": {"g": np.logspace(-5.5, 0.0, 401), "light": np.logspace(-5.0, -1.0, 801),
             "heavy": np.logspace(-6.0, -2.0, 801)},
    "scalar": {"g": np.logspace(-8.0, -1.5, 261), "light": np.logspace(-8.0, -4.0, 801),
               "heavy": np.logspace(-9.0, -5.0, 801)},
}
"""Coupling grids: ``g`` for the (M, g) plane (before shearing, see :func:`sheared_grid`), ``light``
(g, M → 0) and ``heavy`` (g/M in MeV⁻¹, M → ∞)."""
DEFAULT_MASSES = np.logspace(0.0, 4.0, 41)
"""Mediator masses 1 MeV … 10 GeV (MeV), 10 per decade."""
SHEAR_MASS = 50.0
"""Mass (MeV) above which the default (M, g) grid follows g ∝ M (see :func:`sheared_grid`)."""


@dataclass(frozen=True)
class ModelScan:
    """Result of :func:`model_scan` for one model.

    ``chi2[name]`` (n_M, n_g); ``chi2_min[name]`` global minima (grid and limiting scans);
    ``low[name]`` bound on g for M → 0; ``high[name]`` bound on g/M (MeV⁻¹) for M → ∞;
    ``edge[name]`` lower edge of the excluded region per mass (g); ``limits`` the limiting scans
    {"light": (x, {name: χ²}), "heavy": (x, {name: χ²})}; ``chi2_sm[name]`` χ² at g = 0.
    """

    model: str
    masses: np.ndarray
    g: np.ndarray
    chi2: dict
    chi2_min: dict
    low: dict
    high: dict
    edge: dict
    limits: dict
    chi2_sm: dict

    def bound(self, which, name="combined", reference="global", level=DCHI2_90CL_2DOF):
        """Low-mass (``"low"``: g) or high-mass (``"high"``: g/M, MeV⁻¹) bound with Δχ² measured from
        the global minimum (``reference="global"``, the default definition) or from the SM χ²
        (``"sm"``, g = 0)."""
        if which not in ("low", "high") or reference not in ("global", "sm"):
            raise ValueError("which must be 'low'/'high' and reference 'global'/'sm'")
        x, chi = self.limits["light" if which == "low" else "heavy"]
        ref = self.chi2_min[name] if reference == "global" else self.chi2_sm[name]
        return first_crossing(x, chi[name][0] - ref, level)


POLISH_POINTS = 9
"""Points per axis of the local (ln M, ln g) grid of each polishing round."""
POLISH_SHRINK = 0.25
"""Factor of the window's half-width after a round whose minimum is inside it: one grid spacing
(2/(:data:`POLISH_POINTS` − 1) of the half-width), so the new window spans the neighbouring points."""
POLISH_XTOL = 1e-6
"""Polishing stops when the local grid's half-width is below this in ln M and ln g."""
POLISH_MAX_ROUNDS = 200
"""Cap on the polishing rounds (each one call of :func:`scan` for all names)."""
POLISH_BOX = (np.log(1e3), np.log(1e6), np.log(1e3), np.log(1e3))
"""How far (in ln) the search may leave the grid: below/above its masses, below/above its u values
(a valley along g ∝ M can lead far; the limiting scans M → 0, ∞ cover the ends)."""


def _cell(x, i):
    """Half-width of grid cell i of the increasing 1-D array ln x (its larger neighbour spacing)."""
    lx = np.log(np.asarray(x, dtype=float))
    if lx.size < 2:
        return 0.1
    return float(max(lx[min(i + 1, lx.size - 1)] - lx[i], lx[i] - lx[max(i - 1, 0)]))


def _shear(masses, shear_mass):
    m = np.asarray(masses, dtype=float)
    return np.ones_like(m) if shear_mass is None else np.sqrt(1.0 + (m / shear_mass) ** 2)


def polish_minima(combo, model, masses, g, chi2: dict, loop_sign=1.0, shear_mass=SHEAR_MASS) -> dict:
    """Refine the grid minimum of every χ² in ``chi2`` (name → (n_M, n_g), names of ``combo`` and
    ``"combined"``) by a vectorised local search in (ln M, ln u), u = g/√(1 + (M/M₀)²) the
    coordinate of :func:`sheared_grid` (``shear_mass`` M₀; None: u = g), in which the interference
    strip runs nearly along ln M: each round evaluates a
    :data:`POLISH_POINTS`² grid around the current best point of every name in ONE call of
    :func:`scan`, moves to its minimum and shrinks the grid's half-width to one spacing
    (:data:`POLISH_SHRINK`; when the minimum moved to the window's edge, the window follows it and
    doubles instead), starting from one
    grid cell, until it is below :data:`POLISH_XTOL`. Returns name → min(polished, grid) χ².

    The destructive-interference strip is only a few per cent wide in g, narrower than the grid
    spacing, so the grid minimum alone would make χ²_min (and thus every Δχ² bound) depend on the grid.
    """
    masses = np.asarray(masses, dtype=float)
    u = _as_grid(g, masses.size) / _shear(masses, shear_mass)[:, None]
    names = list(chi2)
    centre, half, best = {}, {}, {}
    for k in names:
        i, j = np.unravel_index(np.argmin(chi2[k]), chi2[k].shape)
        centre[k] = np.log([masses[i], u[i, j]])
        half[k] = np.array([_cell(masses, i), _cell(u[i], j)])
        best[k] = float(chi2[k][i, j])
    lu = np.log(u[u > 0]) if np.any(u > 0) else np.zeros(1)
    box = np.array([[np.log(masses.min()) - POLISH_BOX[0], np.log(masses.max()) + POLISH_BOX[1]],
                    [lu.min() - POLISH_BOX[2], lu.max() + POLISH_BOX[3]]])
    offsets = np.linspace(-1.0, 1.0, POLISH_POINTS)
    edge = (0, POLISH_POINTS - 1)
    for _ in range(POLISH_MAX_ROUNDS):
        if all(np.max(h) <= POLISH_XTOL for h in half.values()):
            break
        lm = np.clip(np.concatenate([centre[k][0] + half[k][0] * offsets for k in names]), *box[0])
        lg = np.clip(np.concatenate([np.broadcast_to(centre[k][1] + half[k][1] * offsets, (POLISH_POINTS, POLISH_POINTS))
                                     for k in names]), *box[1])
        res = scan(combo, model, np.exp(lm), np.exp(lg) * _shear(np.exp(lm), shear_mass)[:, None], None, loop_sign)
        for n, k in enumerate(names):
            block = res[k][n * POLISH_POINTS:(n + 1) * POLISH_POINTS]
            a, b = np.unravel_index(np.argmin(block), block.shape)
            moved = block[a, b] < best[k]
            if moved:
                best[k] = float(block[a, b])
                centre[k] = np.array([lm[n * POLISH_POINTS + a], lg[n * POLISH_POINTS + a, b]])
            on_edge = moved and (a in edge or b in edge)
            half[k] = (2.0 if on_edge else POLISH_SHRINK) * half[k]   # on the window's edge: follow, wider
    return best


def polish_minimum(combo, model, masses, g, chi2, name, loop_sign=1.0, shear_mass=SHEAR_MASS):
    """Refine the grid minimum of χ²[name] by a local search (see :func:`polish_minima`; ``name`` is a
    data set of ``combo`` or ``"combined"``)."""
    sub = combo if name == "combined" else {name: combo[name]}
    return polish_minima(sub, model, masses, g, {name: np.asarray(chi2)}, loop_sign, shear_mass)[name]


def sheared_grid(masses, u, shear_mass=SHEAR_MASS):
    """Per-mass coupling grid g_ij = u_j √(1 + (M_i/M₀)²): for M ≫ M₀ the lines g ∝ M (the
    high-mass bound and the interference strip) lie along grid lines, so contours do not break up
    between mass columns; for M ≪ M₀ it is the plain grid u."""
    masses = np.asarray(masses, dtype=float)
    return np.asarray(u, dtype=float)[None, :] * np.sqrt(1.0 + (masses[:, None] / shear_mass) ** 2)


def model_scan(combo, model, masses=None, grids=None, loop_sign=1.0, level=DCHI2_90CL_2DOF,
               shear_mass=SHEAR_MASS, polish=None) -> ModelScan:
    """Full (M, g) scan plus the two limiting scans for one model (``"scalar"`` for the scalar).

    The (M, g) grid is :func:`sheared_grid` of ``grids["g"]`` (``shear_mass=None``: a common grid);
    ``ModelScan.g`` is (n_M, n_g).

    ``polish`` names the χ² (data sets of ``combo`` and/or ``"combined"``) whose global minimum is
    refined by :func:`polish_minima`; default all of them. The others keep the minimum of the grid
    and the limiting scans, which can lie above the true one (in the universal model's strip), so
    their Δχ² bounds are then not the chapter's definition: leave them out only where they are not
    read (e.g. ``("combined",)`` when only the combined bounds are used). With a single data set,
    ``"combined"`` is its χ² (the same numbers) and takes its polished minimum.
    """
    kind = "scalar" if model == "scalar" else med.get_model(model).kind
    grids = DEFAULT_GRIDS[kind] if grids is None else grids
    masses = DEFAULT_MASSES if masses is None else np.asarray(masses, dtype=float)
    g = (_as_grid(grids["g"], masses.size) if shear_mass is None
         else sheared_grid(masses, grids["g"], shear_mass))
    full = scan(combo, model, masses, g, None, loop_sign)
    light = scan(combo, model, None, grids["light"], "light", loop_sign)
    heavy = scan(combo, model, None, grids["heavy"], "heavy", loop_sign)
    names = list(full) if polish is None else list(polish)
    if set(names) - set(full):
        raise ValueError(f"polish: unknown χ² {sorted(set(names) - set(full))}; names: {', '.join(full)}")
    alias = len(combo) == 1 and "combined" in names
    if alias:                                                   # one data set: "combined" is its χ²
        names = list(dict.fromkeys(n if n != "combined" else next(iter(combo)) for n in names))
    polished = polish_minima(combo, model, masses, g, {k: full[k] for k in names}, loop_sign, shear_mass)
    if alias:
        polished["combined"] = polished[next(iter(combo))]
    mins = {k: float(min(full[k].min(), light[k].min(), heavy[k].min(), polished.get(k, np.inf))) for k in full}
    low = {k: first_crossing(grids["light"], light[k][0] - mins[k], level) for k in full}
    high = {k: first_crossing(grids["heavy"], heavy[k][0] - mins[k], level) for k in full}
    edge = {k: contour_lower_edge(masses, g, full[k], mins[k], level) for k in full}
    sm = {k: float(v[0, 0]) for k, v in scan(combo, model, masses[:1], [0.0], None, loop_sign).items()}
    limits = {"light": (grids["light"], light), "heavy": (grids["heavy"], heavy)}
    return ModelScan(str(model), masses, g, full, mins, low, high, edge, limits, sm)


def model_scans(combo, models, workers=None, **options) -> dict:
    """:func:`model_scan` of several models (model → :class:`ModelScan`), computed in parallel
    processes (:func:`cevns_lib.analysis.parallel.parallel_map`; ``workers=1``: here, in order);
    ``options`` go to every :func:`model_scan`."""
    models = list(models)
    return dict(zip(models, parallel_map(lambda m: model_scan(combo, m, **options), models, workers)))


def projection_reach(name, models, systematics=(0.05, 0.10), masses=None) -> dict:
    """Projected 90% CL reach of a projection: (model, systematic) → :class:`ModelScan` of its
    total-count χ² (Asimov data at the SM, one normalisation pull of width ``systematic``), with the
    same grids and Δχ² convention (2 dof, from the global minimum) as the data limits."""
    out = {}
    for sigma in systematics:
        combo = load_combination(name, systematic=sigma)
        for model in models:
            out[model, sigma] = model_scan(combo, model, masses)
    return out


def projection_reaches(models, shown, projections=None) -> dict:
    """:func:`projection_reach` of ``models`` for each projection (name → its result; default every
    projection of :data:`~cevns_lib.experiments.projections.PROJECTIONS`): at 5% normalisation
    uncertainty, and for the projection ``shown`` at 5% and 10%."""
    from cevns_lib.experiments.projections import PROJECTIONS

    return {p: projection_reach(p, models, systematics=(0.05, 0.10) if p == shown else (0.05,))
            for p in (PROJECTIONS if projections is None else projections)}
