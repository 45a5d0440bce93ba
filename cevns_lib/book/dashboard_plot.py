"""The reproduction dashboard's summary figure: |deviation| / tolerance of every published number."""

import math

import numpy as np
from matplotlib.figure import Figure

from cevns_lib.book.plotting import OKABE_ITO

RATIO_AXIS_MAX = 3.0
"""Right edge of the figure's axis; larger ratios (and violated bounds) are drawn at the edge."""


def deviation_figure(labels, ratios, title="") -> Figure:
    """Horizontal dot chart of |deviation| / tolerance, one row per published number.

    Parameters
    ----------
    labels : sequence of str
        Row labels (quantity and run).
    ratios : sequence of float or None
        From :func:`cevns_lib.book.dashboard.deviation_ratio`: ≤ 1 reproduced, > 1 (or ``inf``) not
        reproduced, ``None`` not computed (drawn as a grey ring at 0).
    title : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    if len(labels) != len(ratios):
        raise ValueError("labels and ratios must have the same length")
    n = len(labels)
    fig = Figure(figsize=(9.0, 0.32 * n + 1.7))
    ax = fig.add_subplot()
    y = np.arange(n)[::-1]
    ax.axvspan(0, 1, color=OKABE_ITO[2], alpha=0.12, lw=0)
    ax.axvline(1.0, color="0.3", ls="--", lw=1.2)
    for yi, r in zip(y, ratios):
        if r is None:
            ax.plot(0, yi, "o", mfc="none", mec="0.55", ms=7)
        elif r <= 1:
            ax.plot(r, yi, "o", color=OKABE_ITO[2], ms=7)
        else:
            shown = min(r, RATIO_AXIS_MAX) if math.isfinite(r) else RATIO_AXIS_MAX
            ax.plot(shown, yi, ">" if shown >= RATIO_AXIS_MAX else "o", color=OKABE_ITO[1], ms=7)
    ax.set_yticks(y, labels, fontsize=9)
    ax.set_xlim(-0.05, RATIO_AXIS_MAX + 0.1)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlabel("|deviation| / tolerance\n(≤ 1: reproduced; ▸ off scale; ○ not computed)")
    ax.grid(axis="x", alpha=0.3)
    if title:
        fig.suptitle(title, fontsize=11)                         # centred on the figure, not the narrow axes
    fig.set_layout_engine("constrained")
    return fig
