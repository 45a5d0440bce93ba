"""Tests of the book's build helpers: docstring clean-up, API page, dashboard rendering, intro figure data."""

import json
import math

import matplotlib
import pytest

from cevns_lib.book import api_reference, dashboard as db
from cevns_lib.book.dashboard_plot import deviation_figure
from cevns_lib.book.published import PublishedNumber
from cevns_lib.book.sphinx_docstrings import escape_bars, fix_lines
from conftest import NOTEBOOK_HEADER, RESULTS_PATH_CELL

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def test_escape_bars():
    assert escape_bars("momentum |q| in MeV") == "momentum \\|q\\| in MeV"
    assert escape_bars("|x − y| / σ") == "\\|x − y\\| / σ"
    assert escape_bars("a ``|q|`` literal") == "a ``|q|`` literal"
    assert escape_bars(":math:`|q|`") == ":math:`|q|`"
    assert escape_bars("| a | b |") == "| a | b |"
    assert escape_bars("|name|_") == "|name|_"


def test_fix_lines_separates_lists_and_skips_literal_blocks():
    lines = ["Models:", "- Helm", "  (continued)", "- KN", "After the list.", "Example::", "", "    |q|", "End |q|."]
    out = fix_lines(lines)
    assert out[:2] == ["Models:", ""]
    assert out[out.index("- KN") + 1] == "" and "After the list." in out
    assert "    |q|" in out and "End \\|q\\|." in out


def test_api_markdown_lists_every_module_in_pipeline_order():
    mods = api_reference.library_modules()
    assert "cevns_lib.book.kernel_export" in mods and "cevns_lib.analysis.sensitivity" in mods
    assert not set(api_reference.EXCLUDED) & set(mods)
    tops = [m.split(".")[1] for m in mods]
    ranks = [api_reference.PIPELINE_ORDER.index(t) for t in tops if t in api_reference.PIPELINE_ORDER]
    assert ranks == sorted(ranks)
    text = api_reference.api_markdown()
    assert text.count(".. automodule::") == len(mods) and "```{eval-rst}" in text


def _pub(tol, value=1.0):
    return PublishedNumber("id", "05_weak_mixing_angle", {"experiment": "PIP2-BD"}, "k", None, value, "",
                           tol, "Carey & Pandey, arXiv:2510.14015 | table 2", "a <quantity>")


def test_html_table_fits_and_has_details():
    rows = [db.published_row(_pub({"relative": 0.02}), {"values": {"k": 1.01}}),
            db.published_row(_pub({"relative": 0.02}), db.NotComputed("chapter not written yet"))]
    text = db.html_table(rows, caption="Cap", name="tab-x")
    assert text.startswith('<table id="tab-x"') and text.count("<tr>") == 3
    assert text.count("<th>") == len(db.COMPACT_COLUMNS) and "<details>" in text
    assert "a &lt;quantity&gt;" in text and 'href="05_weak_mixing_angle.html"' in text
    assert 'href="https://arxiv.org/abs/2510.14015"' in text
    assert "1% / ±2%" in text and "why not computed</b> chapter not written yet" in text
    assert "<td>—</td>" in text  # the reason moved into the dropdown


def test_deviation_ratio_and_figure():
    assert db.deviation_ratio(_pub({"relative": 0.02}), {"values": {"k": 1.01}}) == pytest.approx(0.5)
    assert db.deviation_ratio(_pub({"absolute": 0.1}), {"values": {"k": 1.3}}) == pytest.approx(3.0)
    assert db.deviation_ratio(_pub({"upper_bound": True}), {"values": {"k": 0.5}}) == 0.0
    assert db.deviation_ratio(_pub({"upper_bound": True}), {"values": {"k": 2.0}}) == math.inf
    assert db.deviation_ratio(_pub({"relative": 0.02}), db.NotComputed("x")) is None
    fig = deviation_figure(["a", "b", "c", "d"], [0.5, 5.0, math.inf, None])
    assert "tolerance" in fig.axes[0].get_xlabel()
    with pytest.raises(ValueError):
        deviation_figure(["a"], [])


def test_overview_sensitivities_and_figure():
    from cevns_lib.analysis.sensitivity import CountModel
    from cevns_lib.book.overview import argon_sensitivities, overview_figure
    from cevns_lib.experiments.projections import get_experiment

    s = argon_sensitivities(0.05, experiments=("PIP2-BD", "CCM"))
    ref = CountModel.from_experiment(get_experiment("PIP2-BD")).sin2w_interval(0.05)
    assert s["PIP2-BD"]["sin2w"] == pytest.approx(ref, rel=1e-12)
    assert s["PIP2-BD"]["mu_nu"] == pytest.approx(9.93, rel=0.005)  # published limit, as test_explorers
    fig = overview_figure(s, measurements=[{"label": "a measurement", "value": 0.24, "minus": 0.02, "plus": 0.03}])
    left, right = fig.axes
    assert "sin" in left.get_xlabel() and "10^{-10}" in right.get_xlabel()
    assert len(left.get_yticks()) == 3


def test_published_number_lookup_and_uncertainty():
    from cevns_lib.book.published import published_number

    mu = published_number("06_em_properties", "mu_nu_limit_sys5", "PIP2-BD")
    assert mu.value == pytest.approx(9.93) and mu.uncertainty is None        # a limit: no uncertainty quoted
    assert published_number("06_em_properties", "mu_nu_limit_sys5", "CCM") is None
    assert published_number("06_em_properties", "no_such_key") is None
    ar = published_number("04_detectors", "coherent_cenns10_analysisA_sm_events")
    assert (ar.value, ar.uncertainty) == (128.0, 17.0)                        # 128 ± 17 (release yaml)
    csi = published_number("08_coherent_data", "sm_events", item="CsI-2021")
    assert csi.uncertainty_parts == (11.0, 42.0)                               # ± 11 (th) ± 42 (exp)
    assert csi.uncertainty == pytest.approx(math.hypot(11.0, 42.0), rel=1e-12)
    assert published_number("08_coherent_data", "sm_events") is None            # a dictionary result needs its item


def test_glued_dicts_format_their_numbers():
    from cevns_lib.book.results import _display

    assert _display({"B-L": 0.0008147633885885598, "x": -1.5e-3}, "{:.3g}") == "B-L: 0.000815, x: −0.0015"


DRAWS = NOTEBOOK_HEADER + '''# Draws

''' + RESULTS_PATH_CELL + '''
```{code-cell} ipython3
import matplotlib.pyplot as plt
from cevns_lib.book.results import ChapterResults
results = ChapterResults("01_draws", parameters={}, glue=False)
draws = {"plain": 0, "house": 0}
def counter(key):
    def count(event):
        draws[key] += 1
    return count
fig, ax = plt.subplots()
fig.canvas.mpl_connect("draw_event", counter("plain"))
ax.plot([1, 2], [3, 4]);
```

```{code-cell} ipython3
from cevns_lib.book.plotting import use_house_style
use_house_style()
fig, ax = plt.subplots()
fig.canvas.mpl_connect("draw_event", counter("house"))
ax.plot([1, 2], [3, 4]);
```

```{code-cell} ipython3
results.record("draws", draws)
results.write(results_path)
```
'''


@pytest.mark.chapters
def test_house_style_renders_each_notebook_figure_once_less(tmp_path):
    """In a kernel (inline backend), pyplot's redraw after a cell is skipped once the house style is
    applied: one draw fewer per figure; the PNG is still made (cevns_lib.book.plotting.render_figures_once)."""
    from cevns_lib.book.chapters import run_chapter

    book = tmp_path / "book"
    book.mkdir()
    (book / "01_draws.md").write_text(DRAWS, encoding="utf-8")
    nb = tmp_path / "out.ipynb"
    draws = run_chapter("01_draws", {}, tmp_path / "r.json", nb, directory=book)["values"]["draws"]
    assert draws["house"] == draws["plain"] - 1 and draws["house"] >= 1
    outputs = [o for c in json.loads(nb.read_text(encoding="utf-8"))["cells"] for o in c.get("outputs", [])]
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 2


def test_render_figures_once_does_nothing_outside_the_inline_backend():
    from cevns_lib.book import plotting

    plotting.render_figures_once()                     # no IPython shell here: nothing to do, no error
    fig, ax = plt.subplots()
    ax.plot([1, 2])
    assert fig.stale
    plotting._mark_figures_drawn()
    assert not fig.stale
    plt.close(fig)
