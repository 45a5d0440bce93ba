"""The light-mediator chapter's library: checks (mediator_checks), prose numbers (mediator_numbers),
tables (mediator_tables), whole figures (mediator_figures) and the per-model landscape, on synthetic
scans with known answers (no data needed unless marked)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cevns_lib.analysis import landscape as ls  # noqa: E402
from cevns_lib.analysis import mediator_checks as mc  # noqa: E402
from cevns_lib.analysis.mediator_scans import ModelScan  # noqa: E402
from cevns_lib.analysis.stats import DCHI2_90CL_2DOF  # noqa: E402
from cevns_lib.book import mediator_figures as mf  # noqa: E402
from cevns_lib.book import mediator_numbers as mn  # noqa: E402
from cevns_lib.book import mediator_tables as mt  # noqa: E402
from cevns_lib.book.published import load_published  # noqa: E402
from cevns_lib.datafiles import external_limits as el  # noqa: E402
from cevns_lib.physics import constants as c  # noqa: E402
from cevns_lib.physics import mediators as med  # noqa: E402

MASSES = np.logspace(0.0, 4.0, 21)          # MeV
U = np.logspace(-7.0, -1.5, 200)
G = U[None, :] * np.sqrt(1.0 + (MASSES[:, None] / 50.0) ** 2)   # the sheared grid of the scans
G0 = 1e-5 * np.sqrt(1.0 + (MASSES / 50.0) ** 2)                # Δχ² = (g/g0)²: edge at g0 √4.605
STRIP = 1.8e-6                                                 # g/M [MeV⁻¹] of a synthetic strip
NAMES = ("CsI", "Ar", "combined")


def synthetic_scan(model="B-L", strip=False, scale=1.0, names=NAMES):
    """A ModelScan with χ² = (g/g0(M))² (+ a narrow dip back to zero along g = STRIP·M above 100 MeV) for
    each of ``names``."""
    chi2 = (G / (scale * G0[:, None])) ** 2
    if strip:
        dip = np.exp(-0.5 * (np.log(G / (STRIP * MASSES[:, None])) / 0.03) ** 2) * (MASSES[:, None] >= 100.0)
        chi2 = chi2 * (1.0 - dip)
    edge = scale * G0 * np.sqrt(DCHI2_90CL_2DOF)
    low, high = float(edge[0]), float(edge[-1] / MASSES[-1])
    return ModelScan(model, MASSES, G, dict.fromkeys(names, chi2), dict.fromkeys(names, 0.0), dict.fromkeys(names, low),
                     dict.fromkeys(names, high), dict.fromkeys(names, edge), {}, dict.fromkeys(names, 0.0))


# ------------------------------------------------------------------------------------- checks
def test_contour_end_ratios_and_band_edge():
    s = synthetic_scan()
    assert mc.contour_end_ratios(s) == pytest.approx((1.0, 1.0), rel=1e-12)
    moved = ModelScan(s.model, s.masses, s.g, s.chi2, s.chi2_min, {k: 2 * v for k, v in s.low.items()},
                      s.high, s.edge, s.limits, s.chi2_sm)
    assert mc.contour_end_ratios(moved)[0] == pytest.approx(0.5)
    d = mc.band_edge_dchi2(s, "B-L")              # Δχ² = (g/g0)² interpolated in ln g on the band's lower edge
    lo, _ = med.g2_band(MASSES, med.get_model("B-L"))
    inside = (G[:, 0] < lo) & (lo < G[:, -1])
    assert d.size == inside.sum() > 0
    assert d == pytest.approx((lo[inside] / G0[inside]) ** 2, rel=3e-3)   # linear in ln g: error ≈ (2 Δln g)²/8


def test_strip_onset_slope_and_grid_minimum():
    s = synthetic_scan("universal", strip=True)
    assert mc.strip_onset_mass(s) == pytest.approx(MASSES[MASSES >= 100.0][0])
    assert mc.strip_slope_per_GeV(s, min_mass=300.0) == pytest.approx(STRIP * c.GeV, rel=0.03)
    flat = synthetic_scan()
    chi2 = flat.chi2["combined"].copy()
    chi2[5, 10] = -1.0                                            # a unique minimum, off the SM column
    g_over_m, depth = mc.grid_minimum(ModelScan(flat.model, MASSES, G, {"combined": chi2}, {"combined": -1.0}, {}, {},
                                                {}, {}, {}))
    assert g_over_m == pytest.approx(G[5, 10] / MASSES[5] * c.GeV) and depth == pytest.approx(chi2[:, 0].min() + 1.0)
    assert np.isnan(mc.strip_onset_mass(synthetic_scan()))   # no strip: no onset


def test_loop_integrals_known_limits():
    q = np.array([1e-3, 10.0, 30.0, 100.0])
    out = mc.loop_integrals(med.LOOP_MODELS, q)
    values, heavy = out["L_mu-L_tau"]
    assert heavy == pytest.approx(np.log(c.m_tau / c.m_mu) / 3, rel=1e-12)
    assert values[0] == pytest.approx(heavy, rel=1e-6)          # |q| ≪ m_μ: the heavy-lepton limit
    for v, h in out.values():
        assert np.all(np.diff(v) < 0) and v[0] == pytest.approx(h, rel=1e-5)   # decreasing with |q|
    nums = mn.loop_numbers(out)
    assert nums["loop_suppression_mutau_e3"] == pytest.approx(2 * c.alpha_em / np.pi * heavy * 1e3)
    assert nums["loop_emu_factor_100"] == pytest.approx(out["L_e-L_mu"][1] / out["L_e-L_mu"][0][3])


class _FakePrediction:
    def __init__(self, eps):
        self.eps = eps

    def sm(self):
        return np.array([1.0, 1e-4])      # the second bin is below the 10⁻³-event cut

    def zprime_coefficients(self, model, masses):
        n = len(masses)
        return np.ones(2), np.ones((n, 2)) * (1 + self.eps), np.ones((n, 2)) * np.array([1.0, 5.0])


class _FakeModule:
    @staticmethod
    def prediction(panels_per_decade=4, order=8):
        return _FakePrediction(0.0 if panels_per_decade == 8 else 3e-5)


def test_coefficient_convergence_counts_only_big_bins():
    assert mc.coefficient_convergence(_FakeModule) == pytest.approx(3e-5, rel=1e-6)


@pytest.mark.needs_data("csi2017")
def test_coefficient_convergence_csi2017():
    from cevns_lib.experiments.coherent import csi2017

    assert mc.coefficient_convergence(csi2017) < 1e-4


# ------------------------------------------------------------------------------------- numbers
def test_published_table_and_agreement():
    table, experiment = mn.published_table()
    pub = {(p.key, p.item): p.value for p in load_published() if p.chapter == "09_light_mediators"}
    assert experiment == "CsI-2021+Ar-2020" and set(table) == {"universal", "B-L", "B-3L_e", "B-3L_mu"}
    assert all(table[m] == (pub[mn.LOW, m], pub[mn.HIGH, m]) for m in table)
    low, high = ({m: v[i] for m, v in table.items()} for i in (0, 1))
    assert all(mn.table_agreement(low, high).values())
    assert not any(mn.table_agreement({m: 2 * v for m, v in low.items()}, high)[mn.LOW, m] for m in table)
    claims = mn.table_claims(low, high)           # the published values themselves: nothing is "stronger"
    assert claims["B−L and B−3L_μ within the targets"] and not claims["universal stronger"]


def test_input_and_ar_numbers():
    nums = mn.input_numbers()
    assert nums["gvn"] == pytest.approx(-0.5094) and nums["delta_a_mu_e11"] == pytest.approx(251.0)
    assert nums["csi2017_signal_sigma_percent"] == pytest.approx(28.0)
    ar = mn.ar_sm_numbers(0.93 * 128.0)
    assert ar == pytest.approx({"pub_ar_sm": 128.0, "ar_sm_below_percent": 7.0})


def test_variant_numbers_and_claims():
    pub = {"universal": (2.0, 4.0), "B-L": (1.0, 1.0), "B-3L_e": (1.0, 1.0), "B-3L_mu": (1.0, 1.0)}
    default = {"universal": (1.8, 3.4), "B-L": (1.02, 0.99), "B-3L_e": (0.94, 0.87), "B-3L_mu": (1.08, 1.06)}
    variants = {"default": default, "smref": default | {"universal": (2.005, 3.85)},
                "eonly": default | {"B-3L_e": (1.0, 0.95)},
                "ar_et": {"universal": (1.95, 3.7), "B-L": (0.94, 0.94), "B-3L_e": (0.89, 0.84), "B-3L_mu": (0.96, 0.99)}}
    assert all(mn.variant_claims(variants, pub).values())
    worse = variants | {"ar_et": variants["ar_et"] | {"B-L": (1.0, 1.0)}}
    assert not mn.variant_claims(worse, pub)["Ar energy × time: B−L and B−3L_e further away"]
    depth = {"universal": 1.5, "B-L": 0.3, "B-3L_e": 0.1, "B-3L_mu": 0.2}
    nums = mn.variant_numbers(variants, depth, pub)
    assert nums["other_min_depth_max"] == 0.3 and nums["csi2021_min_depth"].startswith("universal 1.50; B−L 0.30")
    assert nums["variant_ratios_default"].startswith("universal 0.90 / 0.85; B−L 1.02 / 0.99")


def test_reach_results_keys():
    s = synthetic_scan()
    reach = {(m, sigma): s for sigma in (0.05, 0.10) for m in ("B-L", "universal")}
    out = mn.reach_results(reach, "CsI")
    assert list(out) == ["zprime_low_mass_g_sys5", "zprime_high_mass_g_over_m_per_GeV_sys5",
                         "zprime_low_mass_g_sys10", "zprime_high_mass_g_over_m_per_GeV_sys10"]
    assert out["zprime_high_mass_g_over_m_per_GeV_sys5"]["B-L"] == pytest.approx(s.high["CsI"] * c.GeV)


def test_landscape_numbers():
    curve = el.parse_limit("# mass lower\n 1e-2 1e-4\n 1e-1 1e-3\n", "NA48_Batley2015lha", "B-L")
    land = {"B-L": ls.ModelLandscape({"NA48_Batley2015lha": curve}, [[0.1, 1.0]], [], [[0.1, 1.0]]),
            "B-3L_e": ls.ModelLandscape({"a": curve, "b": curve}, [], [], [[1.0, 2.0]])}
    assert mn.landscape_numbers(land) == {"landscape_models": 2, "landscape_nowhere": "B−3L_e",
                                          "landscape_dm99_moves": "B−3L_e", "landscape_fewest": 1}
    assert tuple(mn.landscape_numbers(land)) == mn.LANDSCAPE_KEYS   # what the section skip names


# ------------------------------------------------------------------------------------- tables
def test_tables():
    scans = {"universal": synthetic_scan("universal"), "B-L": synthetic_scan("B-L", scale=2.0)}
    pub = {"universal": (scans["universal"].low["combined"], None)}
    rows = mt.model_table(scans, pub).splitlines()
    assert len(rows) == 2 + len(scans) and rows[0].count("|") == rows[1].count("|") == rows[2].count("|") == 11
    assert "| 1 |" in rows[2] and rows[3].count("—") == 4       # ratio 1 for universal low; B−L: nothing published
    reach = {"CsI": {(m, 0.05): s for m, s in scans.items()},
             "Ar": {(m, sg): s for m, s in scans.items() for sg in (0.05, 0.1)}}
    rows = mt.reach_table(scans, reach, "Ar").splitlines()
    assert rows[0].endswith("| CsI 5% | Ar 5% | Ar 10% |") and len(rows) == 4
    assert mt.fmt(None) == mt.fmt(float("nan")) == "—" and mt.fmt(1.23456e-5) == "1.23e-05"


# ------------------------------------------------------------------------------------ figures
def test_figures_return_the_axes_they_drew():
    scans = {m: synthetic_scan(m, strip=(m == "universal")) for m in med.TREE_MODELS}
    fig, axs = mf.tree_figure(scans, STRIP * c.GeV)
    assert axs.shape == (2, 4) and [ax.get_title() for ax in axs.flat[:7]] == [med.get_model(m).label for m in scans]
    assert not axs.flat[7].axison and axs.flat[7].get_legend() is not None
    assert axs[1, 0].get_xlabel() == "M$_{Z'}$ [GeV]" and axs[0, 0].get_ylabel() == "g$_{Z'}$"
    assert len(axs.flat[0].lines) == 1                           # the analytic strip in the universal panel
    plt.close(fig)
    x = np.logspace(-4, -2, 50)
    fig, ax = mf.strip_figure({300.0: (x, x * 1e3), 1000.0: (x, x * 2e3)}, 1.8e-3)
    assert len(ax.lines) == 4 and ax.get_xlabel() == "g / M [GeV⁻¹]" and ax.get_yscale() == "log"
    plt.close(fig)
    loops = {m: synthetic_scan(m) for m in med.LOOP_MODELS}
    fig, axs = mf.loop_figure(loops, flipped=synthetic_scan("L_mu-L_tau", scale=1.5))
    assert axs.shape == (1, 3) and axs[0, 0].get_legend() is not None
    plt.close(fig)
    fig, ax = mf.scalar_figure(synthetic_scan("scalar"))
    assert ax.get_xlabel() == r"M$_\phi$ [GeV]" and ax.get_ylabel() == r"g$_\phi$"
    plt.close(fig)
    proj = {m: synthetic_scan(m, scale=0.5, names=("CENNS-750",)) for m in scans}
    reach = {"CENNS-750": {(m, sg): s for m, s in proj.items() for sg in (0.05, 0.10)}}
    fig, axs = mf.reach_figure(scans, reach, "CENNS-750", "data")
    assert axs.shape == (2, 4) and not axs.flat[7].axison and axs[1, 0].get_xlabel() == "M$_{Z'}$ [GeV]"
    plt.close(fig)


def test_landscape_figure_draws_every_curve_and_hides_spare_panels():
    curve = el.parse_limit("# mass lower\n 1e-2 1e-4\n 1e-1 1e-3\n", "NA48_Batley2015lha", "B-L")
    scans = {m: synthetic_scan(m) for m in ("B-L", "universal", "B-3L_e", "B-3L_mu")}
    fig, axs, drawn = mf.landscape_figure(scans, {m: {"NA48_Batley2015lha": curve} for m in scans}, el.FAMILIES)
    assert axs.shape == (2, 3) and drawn == {m: ["NA48_Batley2015lha"] for m in scans}
    assert [ax.axison for ax in axs.flat] == [True] * 4 + [False] * 2
    plt.close(fig)


@pytest.mark.needs_data("recast")
def test_model_landscape_matches_the_rule():
    s = synthetic_scan("B-L")
    la = ls.model_landscape("B-L", s.masses / c.GeV, s.edge["combined"])
    curves = ls.excluding(el.load_recasts("B-L", invisible_variant="inv-nu"))
    assert list(la.curves) == list(curves)
    assert la.strongest == ls.strongest_ranges(s.masses / c.GeV, s.edge["combined"], curves.values())
    assert not any(n.endswith("_inv-dm99") for n in la.curves)


def test_by_numbers_scale_as_inverse_root_of_c_mu():
    low, high = {"B_y+L_mu+L_tau": 2e-5}, {"B_y+L_mu+L_tau": 1e-3}
    nums = mn.by_numbers(low, high)
    assert nums["by_c_mu"] == pytest.approx(-2 / 3)                      # y = −2/3: quarks −2/9, Q′_N = −2/3, ν_μ +1
    assert nums["by_factor"] == pytest.approx(np.sqrt((2 / 3) / 1.5))
    assert nums["by_low_other"] == pytest.approx(2e-5 * nums["by_factor"])
    assert nums["by_high_other"] == pytest.approx(1e-3 * nums["by_factor"])
    assert mn.by_numbers(low, high, c_mu_other=-2 / 3)["by_factor"] == pytest.approx(1.0)   # same normalisation
    with pytest.raises(ValueError, match="sign"):
        mn.by_numbers(low, high, c_mu_other=+1.0)


def test_autoscale_once_gives_the_limits_of_per_contour_rescaling():
    s = synthetic_scan()
    figs = []
    for once in (False, True):
        fig, axs = plt.subplots(1, 2, sharex=True, sharey=True)
        for ax in axs:
            if once:
                mf.draw_exclusion(ax, s)
            else:
                x = np.broadcast_to(s.masses[:, None] / c.GeV, s.g.shape)
                for name in NAMES:
                    ax.contour(x, s.g, np.log(s.chi2[name] + 1e-6), levels=[np.log(DCHI2_90CL_2DOF)])
                ax.contourf(x, s.g, np.log(s.chi2["combined"] + 1e-6), levels=[np.log(DCHI2_90CL_2DOF), 50.0])
        axs[1].set(xscale="log", yscale="log")
        figs.append(fig)
        assert axs[0].get_autoscalex_on() and axs[0].get_autoscaley_on()
    for a, b in zip(figs[0].axes, figs[1].axes):
        assert a.get_xlim() == b.get_xlim() and a.get_ylim() == b.get_ylim()
    plt.close("all")


@pytest.mark.needs_data("csi2017", "csi2021", "ar2020_analysisA")
def test_robustness_checks_in_the_background_equal_the_foreground(monkeypatch):
    from cevns_lib.analysis import mediator_variants as mv
    from cevns_lib.analysis.parallel import WORKERS_ENV, in_background_each
    from cevns_lib.experiments.coherent import csi2021

    monkeypatch.setenv(WORKERS_ENV, "2")
    job = in_background_each(checks=lambda: mv.robustness_checks(csi2021.TIME_EDGES_US, variants=False))["checks"]
    conv, variants = mv.robustness_checks(csi2021.TIME_EDGES_US, variants=False)
    assert job.result() == (conv, None) and variants is None
    assert set(conv) == {"csi2017", "csi2021", "ar2020_analysisA"} and max(conv.values()) < 1e-4
