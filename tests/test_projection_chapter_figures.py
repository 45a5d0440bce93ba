"""Library behind the weak-mixing-angle and electromagnetic-properties chapters: the charge-radius
scan (cevns_lib.analysis.sensitivity.charge_radius_scan), the κ numbers (cevns_lib.book.em_numbers)
and the figures and tables (cevns_lib.book.sin2w_figures, cevns_lib.book.em_figures)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cevns_lib.analysis import sensitivity as sens  # noqa: E402
from cevns_lib.book import em_figures, em_numbers, sin2w_figures  # noqa: E402
from cevns_lib.book.published import published_number  # noqa: E402
from cevns_lib.experiments.projections import PROJECTIONS  # noqa: E402


@pytest.fixture(scope="module")
def models():
    return {n: sens.CountModel.from_experiment(sens.configure_experiment(n)) for n in PROJECTIONS}


def test_charge_radius_scan_reproduces_the_published_intervals(models):
    pub = published_number("06_em_properties", "charge_radius_intervals_sys5", "PIP2-BD")
    grid, iv = sens.charge_radius_scan(models["PIP2-BD"], "paper_calibrated")
    assert np.allclose(np.diff(grid), 0.02) and grid[-1] == pytest.approx(5.0)
    assert np.allclose(iv[0.05], pub.value, atol=pub.tolerance["absolute"])
    fine, iv_fine = sens.charge_radius_scan(models["PIP2-BD"], "paper_calibrated", step=0.001, interpolate=True)
    assert fine.size > 10 * grid.size and len(iv_fine[0.10]) == 2
    for (lo, hi), (flo, fhi) in zip(iv[0.05], iv_fine[0.05]):     # the grid interval lies inside the interpolated one
        assert flo <= lo + 1e-9 and hi <= fhi + 1e-9


def test_kappa_numbers_invariants(models):
    n = em_numbers.kappa_numbers(models["PIP2-BD"].nucleus, 0.23857)
    assert (n["cr_single_over_standard"], n["cr_4x_over_standard"]) == pytest.approx((2.0, 4.0))
    assert n["cr_mirror_standard"] * n["cr_kappa_standard"] == pytest.approx(n["cr_mirror_paper"] * n["cr_kappa_paper"])
    assert n["cr_sm_nu_e"].startswith("−")                           # typographic minus for the prose


def test_tables_and_figures(models):
    grid = np.arange(0.18, 0.30, 1e-4)
    exps = {n: sens.configure_experiment(n) for n in PROJECTIONS}
    intervals = {(n, s): m.sin2w_interval(s, grid) for n, m in models.items() for s in sens.SYSTEMATICS}
    asym = {s: sens.sin2w_interval_asymptotic(models["PIP2-BD"].nucleus, s) for s in sens.SYSTEMATICS}
    table = sin2w_figures.interval_table(models, exps, intervals, asym)
    assert table.count("\n") == len(PROJECTIONS) + 2 and "asymptotic" in table
    dchi2 = {(n, s): m.dchi2(m.counts_sin2w(grid), s) for n, m in models.items() for s in sens.SYSTEMATICS}
    figs = [sin2w_figures.dchi2_figure(grid, dchi2, "PIP2-BD", 0.23857),
            sin2w_figures.running_figure(intervals, {"PIP2-BD": 0.046}, 0.23857, PROJECTIONS)]
    m = models["PIP2-BD"]
    mu = np.linspace(0, 30, 301)
    figs.append(em_figures.mu_dchi2_figure(mu, {0.05: m.dchi2(m.counts_mu_nu(mu * sens.MU_UNIT), 0.05)},
                                           {0.05: m.mu_nu_limit(0.05) / sens.MU_UNIT}, "PIP2-BD"))
    figs.append(em_figures.charge_radius_figure(m, {"standard": sens.resolve_kappa("giunti")}, "PIP2-BD", 0.23857))
    for fig in figs:
        assert all(ax.get_xlabel() and ax.get_ylabel() for ax in fig.axes if ax.get_visible() and ax.has_data()
                   and ax.get_subplotspec().colspan.start == 0)
        plt.close(fig)
    assert "[GeV]" in sin2w_figures.running_figure(intervals, {"PIP2-BD": 0.046}, 0.23857, PROJECTIONS).axes[0].get_xlabel()
    plt.close("all")
    measured = {"A": ([[0.2, 0.28]], 0.24, np.zeros(3))}
    assert "| A | 0.240 | [0.200, 0.280] |" in sin2w_figures.measured_table(measured)
