"""Re-execute chapters 05–07 for every projected experiment and check internal consistency.

The published-number comparisons are done by the lead's harness (tests/test_published.py); here we
check that each run records the expected keys with the expected shapes, that all values are finite,
and that the 10% results are weaker than (contain) the 5% ones.
"""

import math

import pytest

from cevns_lib.book.chapters import run_chapter
from cevns_lib.experiments.projections import PROJECTIONS
from cevns_lib.analysis.sensitivity import region_contains

pytestmark = pytest.mark.chapters

INTERVAL_LISTS = {
    "06_em_properties": ["charge_radius_intervals_sys5", "charge_radius_intervals_sys10",
                         "charge_radius_intervals_fine_sys5", "charge_radius_intervals_fine_sys10",
                         "charge_radius_intervals_giunti_sys5", "charge_radius_intervals_giunti_sys10",
                         "charge_radius_intervals_paper_calibrated_sys5", "charge_radius_intervals_paper_calibrated_sys10"],
    "07_nsi": ["eps_u_intervals_sys5", "eps_d_intervals_sys5", "eps_u_intervals_sys10", "eps_d_intervals_sys10"],
}


def _is_pair(v):
    return isinstance(v, list) and len(v) == 2 and all(isinstance(x, float) and math.isfinite(x) for x in v) and v[0] < v[1]


@pytest.fixture(scope="module", params=PROJECTIONS)
def runs(request, chapter_run):
    name = request.param
    return name, {ch: chapter_run(ch, {"experiment": name})
                  for ch in ("05_weak_mixing_angle", "06_em_properties", "07_nsi")}


def test_sin2w(runs):
    _, out = runs
    v = out["05_weak_mixing_angle"]
    s5, s10 = v["sin2w_interval_sys5"], v["sin2w_interval_sys10"]
    assert _is_pair(s5) and _is_pair(s10)  # a single [lo, hi] pair, not a list of pairs
    assert s10[0] < s5[0] < 0.23857 < s5[1] < s10[1]


def test_magnetic_moment(runs):
    _, out = runs
    v = out["06_em_properties"]
    m5, m10 = v["mu_nu_limit_sys5"], v["mu_nu_limit_sys10"]
    assert isinstance(m5, float) and isinstance(m10, float)
    assert 5.0 < m5 < m10 < 30.0  # units of 1e-10 μ_B


@pytest.mark.parametrize("chapter", sorted(INTERVAL_LISTS))
def test_interval_lists(runs, chapter):
    _, out = runs
    v = out[chapter]
    for key in INTERVAL_LISTS[chapter]:
        ivs = v[key]
        assert isinstance(ivs, list) and len(ivs) == 2, key  # central + mirror interval
        assert all(_is_pair(iv) for iv in ivs), key
    for key5 in [k for k in INTERVAL_LISTS[chapter] if k.endswith("sys5")]:
        key10 = key5.replace("sys5", "sys10")
        assert region_contains(v[key10], v[key5]), (key5, v[key5], v[key10])


def test_charge_radius_intervals_contain_zero_and_mirror(runs):
    _, out = runs
    v = out["06_em_properties"]
    # default κ: the standard √2πα/(3G_F) (mirror at −49.44); the paper-calibrated axis has it at −12.52
    for key, mirror in (("charge_radius_intervals_sys5", -49.44), ("charge_radius_intervals_giunti_sys5", -49.44),
                        ("charge_radius_intervals_paper_calibrated_sys5", -12.52)):
        ivs = v[key]
        assert any(lo <= 0.0 <= hi for lo, hi in ivs)
        assert any(lo <= mirror <= hi for lo, hi in ivs)


def test_nsi_mirror(runs):
    _, out = runs
    v = out["07_nsi"]
    assert any(lo <= 0.3651 <= hi for lo, hi in v["eps_u_intervals_sys5"])
    assert any(lo <= 0.3416 <= hi for lo, hi in v["eps_d_intervals_sys5"])


def test_bad_parameters_fail():
    with pytest.raises(ValueError, match="allowed"):
        run_chapter("05_weak_mixing_angle", {"experiment": "LAr-1"})
    with pytest.raises(ValueError, match="allowed"):
        run_chapter("06_em_properties", {"kappa_convention": "huge"})
    with pytest.raises(Exception, match="threshold_keVnr"):
        run_chapter("07_nsi", {"threshold_keVnr": -5.0})


# ------------------------------------------------------------------ the same chapters on real data
DATA_RUNS = ("Ar-2020", "CsI-2021+Ar-2020")
"""One data set and one combination; every data experiment × observable is covered by the library
tests of tests/test_engine.py."""


SHARED_CHAPTER_RUNS = [(ch, {"experiment": e}) for e in (*PROJECTIONS, *DATA_RUNS)
                       for ch in ("05_weak_mixing_angle", "06_em_properties", "07_nsi")]


@pytest.fixture(scope="module", params=DATA_RUNS)
def data_runs(request, chapter_run):
    name = request.param
    return name, {ch: chapter_run(ch, {"experiment": name})
                  for ch in ("05_weak_mixing_angle", "06_em_properties", "07_nsi")}


@pytest.mark.needs_data()
def test_data_runs_record_the_data_keys_only(data_runs):
    _, out = data_runs
    assert set(out["05_weak_mixing_angle"]) == {"sin2w_interval", "sin2w_best_fit"}
    assert set(out["06_em_properties"]) == {"mu_nu_limit", "charge_radius_intervals"}
    assert set(out["07_nsi"]) == {"eps_u_intervals", "eps_d_intervals", "eps_u_mumu_intervals", "eps_d_mumu_intervals"}


@pytest.mark.needs_data()
def test_data_sin2w_contains_best_fit(data_runs):
    _, out = data_runs
    v = out["05_weak_mixing_angle"]
    lo, hi = v["sin2w_interval"]
    assert 0.1 < lo < v["sin2w_best_fit"] < hi < 0.5


@pytest.mark.needs_data()
def test_data_limits_are_weaker_than_projections(data_runs):
    from cevns_lib.analysis.sensitivity import MU_UNIT, CountModel, configure_experiment

    _, out = data_runs
    pip2 = CountModel.from_experiment(configure_experiment("PIP2-BD"))
    assert out["06_em_properties"]["mu_nu_limit"] > pip2.mu_nu_limit(0.10) / MU_UNIT
    assert all(_is_pair(iv) for iv in out["07_nsi"]["eps_u_intervals"])


def test_data_chapter_refuses_projection_overrides(tmp_path):
    with pytest.raises(Exception, match="apply to projections only"):
        run_chapter("05_weak_mixing_angle", {"experiment": "CsI-2021", "threshold_keVnr": 5.0},
                    results_path=tmp_path / "r.json")
