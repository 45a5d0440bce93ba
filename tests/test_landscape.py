"""External limits beside the CEvNS limit: interpolation, the "strongest" rule, ranges, figures."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cevns_lib.analysis import landscape as ls  # noqa: E402
from cevns_lib.book import mediator_figures as mf  # noqa: E402
from cevns_lib.datafiles import external_limits as el  # noqa: E402

ONE = el.parse_limit("# mass lower\n 1e-2 1e-4\n 1e-1 1e-3\n", "NA48_Batley2015lha", "B-L")       # one-sided
LOW_WINDOW = el.parse_limit("# mass lower upper\n 1e-3 1e-8 1e-6\n 1e0 1e-8 1e-6\n", "E137_Andreas2012mt", "B-L")
STRADDLE = el.parse_limit("# mass lower upper\n 1e-3 1e-5 1e-3\n 1e-2 1e-5 1e-3\n", "E141_Riordan1987aw", "B-L")
VETO = el.parse_limit("# mass lower\n 1.0 1e-4\n 1.05 1e+05\n 1.1 1e-4\n 2.0 1e-4\n", "BaBar_Lees2014xha", "B-L")


def test_on_grid_interpolates_in_log_and_excludes_nothing_outside():
    lo, hi = ls.on_grid(ONE, [1e-3, 10**-1.5, 1e-1, 1.0])
    assert np.isnan(lo[0]) and np.isnan(lo[3]) and np.isnan(hi[0])
    assert lo[1] == pytest.approx(10**-3.5, rel=1e-12) and lo[2] == pytest.approx(1e-3, rel=1e-12)
    assert np.all(np.isinf(hi[1:3]))
    lo, hi = ls.on_grid(LOW_WINDOW, [0.03])
    assert (lo[0], hi[0]) == (pytest.approx(1e-8), pytest.approx(1e-6))


def test_gmax_rows_break_the_curve_on_the_grid_and_cells_close_narrow_gaps():
    m = np.array([1.0, 1.05, 1.1])
    assert np.isnan(ls.on_grid(VETO, m)[0][1])
    lo, hi = ls.on_cells(VETO, np.array([0.5, 1.05, 2.2]))
    assert lo[1] == pytest.approx(1e-4) and np.isinf(hi[1])       # the veto is narrower than the cell
    assert np.isnan(lo[0]) and lo[2] == pytest.approx(1e-4)    # cell of 0.5 ends at √(0.5·1.05) < 1; 2.2's starts < 2


def test_strongest_rule_for_one_sided_and_two_sided_windows():
    m = np.array([1e-3, 3e-3, 3e-2, 0.5])
    g = np.full(m.size, 5e-5)
    # one-sided above the CEvNS edge everywhere it exists: CEvNS stronger
    assert ls.strongest_mask(m, g, [ONE], cells=False).tolist() == [True, True, True, True]
    assert ls.strongest_mask(m, np.full(m.size, 5e-4), [ONE], cells=False).tolist() == [True, True, False, True]
    # a beam-dump window that closes below the edge does not compete (default) but counts with windows="all"
    assert ls.strongest_mask(m, g, [LOW_WINDOW], cells=False).all()
    assert not ls.strongest_mask(m, g, [LOW_WINDOW], windows="all", cells=False)[:3].any()
    # a window containing the edge beats CEvNS where it exists
    assert ls.strongest_mask(m, g, [STRADDLE], cells=False).tolist() == [False, False, True, True]
    # NaN edge: CEvNS excludes nothing there
    g[1] = np.nan
    assert not ls.strongest_mask(m, g, [], cells=False)[1]


def test_ranges_disjoint_single_point_and_empty():
    m = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    assert ls.mass_ranges(m, [1, 1, 0, 1, 0, 1]) == [[1.0, 2.0], [4.0, 4.0], [6.0, 6.0]]
    assert ls.mass_ranges(m, np.zeros(6, bool)) == []
    assert ls.format_ranges([[1.0, 2.0], [4.0, 4.0]]) == "1–2, 4" and ls.format_ranges([]) == "none"
    m = np.logspace(-3, 0, 13)
    r = ls.strongest_ranges(m, np.full(m.size, 5e-5), [STRADDLE])
    assert r[0][0] > 1e-2 and r[0][1] == pytest.approx(1.0)


@pytest.mark.parametrize("masses,g", [([1e-3, np.nan], [1e-5, 1e-5]), ([1e-3, 1e-2], [1e-5, np.inf]),
                                      ([1e-2, 1e-3], [1e-5, 1e-5]), ([1e-3, 1e-2], [1e-5, -1.0])])
def test_bad_input_raises(masses, g):
    with pytest.raises(ValueError):
        ls.strongest_mask(masses, g, [ONE])


def test_families_and_empty_curves():
    empty = el.parse_limit("# mass lower\n 1e-2 1e+05\n", "KLOE_Anastasi2016ktq", "B-L")
    curves = {"NA48_Batley2015lha": ONE, "E137_Andreas2012mt": LOW_WINDOW, "KLOE_Anastasi2016ktq": empty}
    kept = ls.excluding(curves)
    assert set(kept) == {"NA48_Batley2015lha", "E137_Andreas2012mt"}
    assert ls.by_family(kept) == {"beam dump": ["E137_Andreas2012mt"], "meson decay": ["NA48_Batley2015lha"]}
    fig, ax = plt.subplots()
    assert mf.draw_external(ax, curves) == ["NA48_Batley2015lha", "E137_Andreas2012mt"]
    assert len(ax.collections) == 2
    plt.close(fig)


@pytest.mark.needs_data("recast")
@pytest.mark.parametrize("model", el.models())
def test_each_model_draws_its_external_curves(model):
    curves = ls.excluding(el.load_recasts(model))
    fig, ax = plt.subplots()
    drawn = mf.draw_external(ax, curves)
    plt.close(fig)
    assert drawn == list(curves)
    if model == "B-3L_mu":   # no electron coupling: only LHCb's prompt μμ searches constrain it (recast README)
        assert sorted(drawn) == ["LHCb_Aaij2017rft_prompt", "LHCb_Aaij2019bvg_prompt"]
    else:
        assert len(drawn) >= 5 and {curves[n].family for n in drawn} >= {"beam dump", "collider", "invisible"}
