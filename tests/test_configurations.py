"""The two configurations of the projections (paper, facility) and the registry statuses.

The facility configuration is checked against hand-computed scalings of the event count:
N ∝ mass × (POT per year) × (ν per POT) / L² at a fixed threshold.
"""

import math

import pytest

from cevns_lib.analysis.sensitivity import CountModel, configure_experiment
from cevns_lib.experiments.projections import (CONFIGURATIONS, PROJECTIONS, STATUSES, configuration_overrides,
                                               get_experiment, load_registry, status_table)
from cevns_lib.physics import constants as c

PAPER_KEYS = ("target_mass_kg", "baseline_m", "pot_per_second")


def _n(name, configuration):
    return CountModel.from_experiment(configure_experiment(name, configuration=configuration)).n_sm


def test_paper_numbers_are_labelled_paper():
    for name in ("CENNS-10", "CENNS-750", "CCM", "PIP2-BD"):
        q = get_experiment(name).quantities
        for key in PAPER_KEYS:
            assert q[key].status == "paper", (name, key)
        assert q["run_time_s"].status == "assumed"


def test_every_status_is_known():
    for row in status_table("paper") + status_table("facility"):
        assert row[4] in STATUSES
        assert row[5].strip()


def test_paper_configuration_is_the_default():
    for name in PROJECTIONS:
        assert configure_experiment(name) == configure_experiment(name, configuration="paper")
        assert get_experiment(name).seconds_per_year == c.year_s


def test_ccm_facility_scaling_by_hand():
    # paper: 10 t, 20 m, 5.6e14 POT/s × 3.156e7 s = 1.76736e22 POT per year;
    # CCM200 plan: 7 t, 23 m, 2.25e22 POT per three-year cycle = 7.5e21 POT per year; same ν/POT and threshold
    expected = (7000 / 10000) * (20 / 23) ** 2 * (7.5e21 / 1.76736e22)
    assert _n("CCM", "facility") / _n("CCM", "paper") == pytest.approx(expected, rel=1e-9)
    e = get_experiment("CCM", "facility")
    assert e.pot_per_second == pytest.approx(1e5 / (0.8e9 * 1.602176634e-19), rel=1e-12)  # 100 kW at 800 MeV
    assert e.pot_per_second * e.run_time_s == pytest.approx(7.5e21, rel=1e-12)


def test_pip2bd_facility_scaling_by_hand():
    # 100 kW at 800 MeV = 7.8016e14 p/s instead of 2.75e16; the same mass, baseline, ν/POT and calendar year
    expected = 1e5 / (0.8e9 * 1.602176634e-19) / 2.75e16
    assert _n("PIP2-BD", "facility") / _n("PIP2-BD", "paper") == pytest.approx(expected, rel=1e-9)
    linac = load_registry()["facilities"]["PIP-II"]["linac_max_pot_per_second"]["value"]
    paper = get_experiment("PIP2-BD").pot_per_second
    assert paper > linac  # the paper's beam exceeds what the whole linac delivers
    assert paper / get_experiment("PIP2-BD", "facility").pot_per_second == pytest.approx(35.2, abs=0.1)


def test_sns_facility_scaling_by_hand():
    # CENNS-10: 1.4 MW at 1.0 GeV, 5000 h; CENNS-750: 2.0 MW at 1.3 GeV with ν/POT 0.117, 5000 h
    e = 1.602176634e-19
    r10 = (1.4e6 / (1.0e9 * e) * 1.8e7) / (1.0e16 * 3.156e7)
    r750 = (2.0e6 / (1.3e9 * e) * 1.8e7 * 0.117) / (7.6e15 * 3.156e7 * 0.09)
    assert _n("CENNS-10", "facility") / _n("CENNS-10", "paper") == pytest.approx(r10, rel=1e-9)
    assert _n("CENNS-750", "facility") / _n("CENNS-750", "paper") == pytest.approx(r750, rel=1e-9)


def test_facility_years_scale_the_run_time():
    for name in ("CENNS-10", "CCM"):
        one = configure_experiment(name, configuration="facility")
        two = configure_experiment(name, run_time_years=2.0, configuration="facility")
        assert two.run_time_s == pytest.approx(2 * one.seconds_per_year)
        assert "facility year" in one.year_label
    assert "calendar year" in get_experiment("PIP2-BD").year_label


def test_facility_sources_and_derived_quantities():
    for name in ("CENNS-10", "CENNS-750", "CCM", "PIP2-BD"):
        ov = configuration_overrides(name, "facility")
        assert "pot_per_second" in ov and "run_time_s" in ov
        for q in ov.values():
            assert q.status in STATUSES and q.source.strip()
    assert configuration_overrides("CCM", "paper") == {}


def test_bad_configuration_is_one_clear_error():
    with pytest.raises(ValueError, match="allowed: paper, facility"):
        configure_experiment("CCM", configuration="lab")
    with pytest.raises(ValueError, match="allowed: paper, facility"):
        get_experiment("CCM", "lab")
    assert CONFIGURATIONS == ("paper", "facility")


def test_facility_limits_barely_move_but_counts_do():
    """The 5% limits are systematics-dominated: the factor ~35 in PIP2-BD's counts moves the μ_ν
    limit by well under 1%."""
    paper = CountModel.from_experiment(configure_experiment("PIP2-BD"))
    fac = CountModel.from_experiment(configure_experiment("PIP2-BD", configuration="facility"))
    assert paper.n_sm / fac.n_sm > 30
    assert math.isclose(paper.mu_nu_limit(0.05), fac.mu_nu_limit(0.05), rel_tol=0.01)


def test_dashboard_renders_registry_statuses():
    from cevns_lib.book.dashboard import registry_status_markdown

    for cfg in CONFIGURATIONS:
        md = registry_status_markdown(cfg)
        assert f"{cfg} configuration" in md
        assert md.count("\n| CCM |") == 6
    assert "| facility |" in registry_status_markdown("facility")
    assert "| paper |" in registry_status_markdown("paper")


def test_published_runs_keep_the_paper_configuration():
    """Published numbers run with the default (paper) configuration; the charge radius with the
    paper-calibrated κ (the chapter's default is the standard κ)."""
    from cevns_lib.book.published import load_published, runs_needed

    for p in load_published():
        assert p.parameters.get("configuration", "paper") == "paper"
        if p.key.startswith("charge_radius_intervals") and p.chapter == "06_em_properties":
            assert p.parameters.get("kappa_convention") == "paper_calibrated"
    assert any(dict(params).get("kappa_convention") == "paper_calibrated" for _, params in runs_needed())


@pytest.mark.chapters
def test_detector_chapter_runs_in_the_facility_configuration(chapter_run):
    v = chapter_run("04_detectors", {"experiment": "CCM", "configuration": "facility"})
    expected = (7000 / 10000) * (20 / 23) ** 2 * (7.5e21 / 1.76736e22)  # mass, 1/L², POT per year
    assert v["events_per_year"] == pytest.approx(v["events_per_year_facility"])
    assert v["events_per_year_facility"] / v["events_per_year_paper"] == pytest.approx(expected, rel=1e-6)
    assert v["seconds_per_year"] == pytest.approx(7.5e21 / (1e5 / (0.8e9 * 1.602176634e-19)))
