"""The book's figure style: readable font sizes, labelled axes, a colour-blind-safe palette.

Colours are the Okabe–Ito palette (Okabe & Ito, "Color Universal Design", 2008).
"""

import matplotlib as mpl

OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
"""Colour-blind-safe palette: blue, vermillion, green, purple, orange, sky blue, yellow, black."""

FLAVOUR_COLOURS = {"nu_mu": OKABE_ITO[0], "nu_e": OKABE_ITO[1], "nubar_mu": OKABE_ITO[2], "total": "#000000"}


class _Palette(dict):
    """Fixed colours for the book's experiments, and a stable palette colour for any other name
    (a user's own detector) instead of a KeyError."""

    def __missing__(self, key):
        return OKABE_ITO[3 + sum(map(ord, str(key))) % 3]   # purple, sky blue or yellow


EXPERIMENT_COLOURS = _Palette({"CENNS-10": OKABE_ITO[4], "CENNS-750": OKABE_ITO[1], "CCM": OKABE_ITO[2],
                               "PIP2-BD": OKABE_ITO[0], "CsI-2017": OKABE_ITO[5], "CsI-2021": OKABE_ITO[0],
                               "Ar-2020": OKABE_ITO[1]})
SYSTEMATIC_STYLES = {0.05: "-", 0.10: "--"}


def use_house_style():
    """Apply the book's matplotlib style (call once at the top of a chapter); in a notebook, figures
    are then rendered once per cell (:func:`render_figures_once`), whole canvas
    (:func:`show_whole_canvas`)."""
    mpl.rcParams.update({
        "figure.figsize": (7.0, 4.3),
        "figure.dpi": 110,
        "savefig.dpi": 150,
        "font.size": 12,
        "axes.labelsize": 13,
        "axes.titlesize": 13,
        "legend.fontsize": 11,
        "xtick.labelsize": 11,
        "ytick.labelsize": 11,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.prop_cycle": mpl.cycler(color=list(OKABE_ITO)),
        "lines.linewidth": 2.0,
        "figure.constrained_layout.use": True,
    })
    render_figures_once()
    show_whole_canvas()


def png_image(fig, dpi=110):
    """A matplotlib ``Figure`` (built without pyplot) as an ``IPython.display.Image`` (PNG) for a
    notebook cell's output; a bare ``Figure`` has no rich display of its own."""
    import io

    from IPython.display import Image

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return Image(buf.getvalue())


INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
"""The notebook's inline backend (Jupyter kernels, papermill, the book build)."""


def _inline_shell():
    """The running IPython shell if figures go to the notebook's inline backend, else None."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    ip = get_ipython()
    return ip if ip is not None and mpl.get_backend() in (INLINE_BACKEND, "inline") else None


def _mark_figures_drawn():
    """IPython ``post_execute`` callback (see :func:`render_figures_once`): the open pyplot figures
    are marked as not stale."""
    from matplotlib import _pylab_helpers

    for manager in _pylab_helpers.Gcf.get_all_fig_managers():
        manager.canvas.figure.stale = False


def render_figures_once():
    """Under the notebook's inline backend, let each figure be rendered once, to the PNG shown.

    After a cell, IPython runs pyplot's ``post_execute`` hook, which redraws every *stale* figure on
    its canvas (a full render, layout included), and then the inline backend renders each figure
    anew to the PNG it shows (``print_figure``, which lays the figure out and draws it again). The
    first render is never shown; it is 30–45% of a figure cell's time. This puts a callback *before*
    pyplot's that marks the figures as not stale, so only the PNG render happens; the PNG is
    unchanged. With any other backend (a GUI window, Agg in a script, an interactive widget) nothing
    is changed. Called by :func:`use_house_style`.
    """
    ip = _inline_shell()
    if ip is None:
        return
    callbacks = ip.events.callbacks["post_execute"]
    if _mark_figures_drawn not in callbacks:
        callbacks.insert(0, _mark_figures_drawn)


def show_whole_canvas():
    """Under the notebook's inline backend, show each figure's whole canvas (``bbox_inches=None``).

    The inline backend's default, ``bbox_inches="tight"``, crops the PNG to the bounding box of the
    figure's artists, which it measures after the layout, text extent by text extent: 15–35% of the
    time to render the chapter figures (measured on those of the light-mediator chapter). The book's
    figures use constrained layout (:func:`use_house_style`), which keeps every artist inside the
    canvas, so the crop only trims a margin; the built site's test checks that no figure touches its
    canvas edge. With any other backend nothing is changed.
    """
    if _inline_shell() is None:
        return
    from matplotlib_inline.config import InlineBackend

    config = InlineBackend.instance()
    config.print_figure_kwargs = {**config.print_figure_kwargs, "bbox_inches": None}


def decade_ticks(ax, min_decades=4.0):
    """On the log axes of ``ax`` that span at least ``min_decades`` decades, keep the decade ticks
    and drop the minor ticks 2–9 (in a multi-panel figure they would be under 1 mm apart; each tick
    also costs ~1 ms to lay out, seconds for a page of exclusion panels)."""
    import numpy as np
    from matplotlib.ticker import NullLocator

    for axis, (lo, hi) in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
        if axis.get_scale() == "log" and lo > 0 and hi > 0 and abs(np.log10(hi / lo)) >= min_decades:
            axis.set_minor_locator(NullLocator())
