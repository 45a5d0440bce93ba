"""Robustness variants of the CsI 2021 + Ar light-mediator bounds (the published-table models).

Each variant is a complete fit of the combination with other likelihood options (argon time window,
exposure, fit dimensionality; CsI 2021 time binning) and, for each, the low-mass bound on g and the
high-mass bound on g/M [GeV⁻¹] with Δχ² measured from the global minimum and from the SM χ².
"""

import numpy as np

from cevns_lib.analysis import mediator_checks as mc
from cevns_lib.analysis import mediator_scans as cb
from cevns_lib.analysis.parallel import parallel_map
from cevns_lib.physics import constants as c

TABLE_MODELS = ("universal", "B-L", "B-3L_e", "B-3L_mu")
"""The four models of the published table that the variants recompute."""

VARIANT_MASSES = np.logspace(0.0, 4.0, 11)
"""Coarse mass grid of the variant scans [MeV] (the bounds come from the limiting scans)."""

CSI_PE_ONLY = np.array([0.0, 6.0])
"""CsI 2021 time edges [µs] of the variant without time information (one bin)."""


def variant_bounds(ar_opts, csi_time_edges_us, models=TABLE_MODELS, data="CsI-2021+Ar-2020"):
    """Bounds of one likelihood variant (combined fit; only its global minimum is refined, see
    :func:`~cevns_lib.analysis.mediator_scans.model_scan`).

    Parameters
    ----------
    ar_opts : dict
        Options of the Ar-2020 likelihood (e.g. ``{"fit": "energy_time"}``, ``{"timing_window": False}``).
    csi_time_edges_us : array_like
        CsI 2021 time-bin edges [µs].
    models : iterable of str
    data : str
        The data-set combination.

    Returns
    -------
    bounds : dict
        ``{"global": {model: (g_low, g_over_M_high_per_GeV)}, "sm": {...}}``.
    depth : dict
        model → χ²_SM − χ²_min of the combined fit (≥ 0).
    """
    return _variants_bounds({"variant": (ar_opts, csi_time_edges_us)}, models, data)["variant"]


def _variants_bounds(variants, models, data):
    """:func:`variant_bounds` of several variants (key → (ar_opts, csi_time_edges_us)), all their
    model scans in one :func:`~cevns_lib.analysis.parallel.parallel_map`."""
    combos = {k: cb.load_combination(data, {"Ar-2020": dict(ar), "CsI-2021": {"time_edges": edges}})
              for k, (ar, edges) in variants.items()}

    def bounds(task):
        key, m = task
        sv = cb.model_scan(combos[key], m, masses=VARIANT_MASSES, polish=("combined",))   # only combined is read
        return ({ref: (sv.bound("low", reference=ref), sv.bound("high", reference=ref) * c.GeV) for ref in ("global", "sm")},
                sv.chi2_sm["combined"] - sv.chi2_min["combined"])

    tasks = [(k, m) for k in variants for m in models]
    out = {k: ({"global": {}, "sm": {}}, {}) for k in variants}
    for (k, m), (b, depth) in zip(tasks, parallel_map(bounds, tasks)):
        for ref in b:
            out[k][0][ref][m] = b[ref]
        out[k][1][m] = depth
    return out


VARIANTS = {
    "default": "this chapter (PE × time, Ar release + window)",
    "smref": "same, Δχ² from the SM χ² instead of the global minimum",
    "no_window": "Ar without time window",
    "eonly": "CsI 2021 PE only",
    "eonly_paper": "CsI 2021 PE only, Ar paper exposure, no window",
    "ar_et": "Ar energy × time (Poisson, shape systematics)",
    "ar_et_smref": "Ar energy × time, Δχ² from the SM χ²",
}
"""Key → description of the robustness variants of :func:`robustness_variants`."""


def robustness_variants(csi_time_edges_us):
    """The chapter's variants: key of :data:`VARIANTS` → {model: (g_low, g/M_high [GeV⁻¹])}, and the
    depth of the global minimum of the default fit (see :func:`variant_bounds`).

    ``csi_time_edges_us`` are the default CsI 2021 time edges [µs].
    """
    runs = _variants_bounds({"default": ({}, csi_time_edges_us), "ar_et": ({"fit": "energy_time"}, csi_time_edges_us),
                             "no_window": ({"timing_window": False}, csi_time_edges_us), "eonly": ({}, CSI_PE_ONLY),
                             "eonly_paper": ({"which_exposure": "paper", "timing_window": False}, CSI_PE_ONLY)},
                            TABLE_MODELS, "CsI-2021+Ar-2020")
    (default, depth), (ar_et, _) = runs["default"], runs["ar_et"]
    variants = {
        "default": default["global"],
        "smref": default["sm"],
        "no_window": runs["no_window"][0]["global"],
        "eonly": runs["eonly"][0]["global"],
        "eonly_paper": runs["eonly_paper"][0]["global"],
        "ar_et": ar_et["global"],
        "ar_et_smref": ar_et["sm"],
    }
    return variants, depth


def robustness_checks(csi_time_edges_us, variants=True):
    """The checks of the chapter's robustness section.

    Returns
    -------
    convergence : dict
        Data set (``csi2017``, ``csi2021``, ``ar2020``) → largest relative change of its Z′
        coefficients with twice the quadrature panels and order
        (:func:`~cevns_lib.analysis.mediator_checks.coefficient_convergence`).
    variants : tuple or None
        (variants, depth) of :func:`robustness_variants` (``csi_time_edges_us``: the default CsI 2021
        time edges [µs]); None unless ``variants``.
    """
    from cevns_lib.experiments.coherent import ar2020, csi2017, csi2021

    convergence = {mod.DATASET: mc.coefficient_convergence(mod) for mod in (csi2017, csi2021, ar2020)}
    return convergence, (robustness_variants(csi_time_edges_us) if variants else None)


def ratio_text(bounds, published, labels) -> str:
    """"label low-ratio / high-ratio; …" of ``bounds`` {model: (low, high)} to ``published``
    {model: (low, high)}; ``labels`` model → printed name."""
    return "; ".join(f"{labels[m]} {v[0] / published[m][0]:.2f} / {v[1] / published[m][1]:.2f}" for m, v in bounds.items())


def variants_table(variants, published, labels) -> str:
    """Markdown table of the variants (keys of :data:`VARIANTS`) with the published row first
    (low g / high g/M [GeV⁻¹])."""
    models = list(next(iter(variants.values())))
    rows = ["| variant | " + " | ".join(labels[m] for m in models) + " |", "|---" * (len(models) + 1) + "|",
            "| published | " + " | ".join(f"{published[m][0]:.3g} / {published[m][1]:.3g}" for m in models) + " |"]
    rows += [f"| {VARIANTS[key]} | " + " | ".join(f"{v[m][0]:.3g} / {v[m][1]:.3g}" for m in models) + " |"
             for key, v in variants.items()]
    return "\n".join(rows)
