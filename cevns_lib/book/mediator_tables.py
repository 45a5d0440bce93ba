"""Markdown tables of the light-mediator chapter: the 90% CL bounds per model beside the table of
Atzori Corona et al. (arXiv:2202.11002), the projected reach, and where CEvNS is the strongest.

Bounds are the low-mass g (dimensionless, M → 0) and the high-mass g/M in GeV⁻¹ (M → ∞); the
scans (:class:`~cevns_lib.analysis.mediator_scans.ModelScan`) hold g/M in MeV⁻¹.
"""

import numpy as np

from cevns_lib.analysis import landscape as ls
from cevns_lib.physics import constants as c
from cevns_lib.physics import mediators as med


def fmt(x) -> str:
    """A number to 3 significant digits; "—" for None or a non-finite value."""
    return "—" if x is None or not np.isfinite(x) else f"{x:.3g}"


def _low_high(scan, name="combined") -> str:
    return f"{fmt(scan.low[name])} / {fmt(scan.high[name] * c.GeV)}"


def model_table(scans, published) -> str:
    """Bounds of each model with the published ones and their ratios.

    Parameters
    ----------
    scans : dict
        model → ModelScan (tree-level models; its data sets and ``"combined"``).
    published : dict
        model → (low-mass g, high-mass g/M [GeV⁻¹]) of the published table; missing models or
        entries (None) show "—".

    Returns
    -------
    str
        Markdown table: model, c_e and c_μ (Q′_ν Q′_N), combined low-mass g, published, ratio,
        combined high-mass g/M [GeV⁻¹], published, ratio, then low / high of each data set alone.
    """
    parts = [k for k in next(iter(scans.values())).low if k != "combined"]
    rows = ["| model | $c_e$, $c_\\mu$ | low M: $g$ (this) | published | ratio | high M: $g/M$ [GeV⁻¹] (this) "
            "| published | ratio | " + " | ".join(f"{p} only (low / high)" for p in parts) + " |",
            "|---" * (8 + len(parts)) + "|"]
    for m, s in scans.items():
        mod = med.get_model(m)
        low, high = s.low["combined"], s.high["combined"] * c.GeV
        pl, ph = published.get(m, (None, None))
        rows.append(f"| {mod.label} | {mod.nucleon * mod.nu_e + 0.0:+.3g}, {mod.nucleon * mod.nu_mu + 0.0:+.3g} "
                    f"| {fmt(low)} | {fmt(pl)} | {fmt(low / pl) if pl else '—'} | {fmt(high)} | {fmt(ph)} "
                    f"| {fmt(high / ph) if ph else '—'} | " + " | ".join(_low_high(s, p) for p in parts) + " |")
    return "\n".join(rows)


def reach_table(scans, reach, shown, sigma=0.05, sigma_shown=0.10) -> str:
    """Projected reach beside the data limits.

    Parameters
    ----------
    scans : dict
        model → ModelScan of the data (combined low / high in the second column).
    reach : dict
        projection → {(model, systematic): ModelScan} (:func:`~cevns_lib.analysis.mediator_scans.projection_reach`).
    shown : str
        The projection also shown at ``sigma_shown`` (last column).

    Returns
    -------
    str
        Markdown table, "low-mass g / high-mass g/M [GeV⁻¹]" per cell.
    """
    rows = ["| model | data: low M g / high M g/M [GeV⁻¹] | " + " | ".join(f"{p} {sigma:.0%}" for p in reach)
            + f" | {shown} {sigma_shown:.0%} |", "|---" * (len(reach) + 3) + "|"]
    for m, s in scans.items():
        cells = [_low_high(reach[p][m, sigma], p) for p in reach] + [_low_high(reach[shown][m, sigma_shown], shown)]
        rows.append(f"| {med.get_model(m).label} | {_low_high(s)} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def landscape_table(land) -> str:
    """Per model (model → :class:`~cevns_lib.analysis.landscape.ModelLandscape`): the external curves
    by family and the mass ranges [GeV] where CEvNS is the strongest (default rule, all windows,
    invisible searches in ``inv-dm99``)."""
    rows = ["| model | external curves drawn, by family | CEvNS strongest [GeV] | all windows | with `inv-dm99` |",
            "|---|---|---|---|---|"]
    for m, la in land.items():
        fam = "; ".join(f"{f}: {len(n)}" for f, n in ls.by_family(la.curves).items())
        rows.append(f"| {med.get_model(m).label} | {fam} | {ls.format_ranges(la.strongest)} "
                    f"| {ls.format_ranges(la.strict)} | {ls.format_ranges(la.dm99)} |")
    return "\n".join(rows)
