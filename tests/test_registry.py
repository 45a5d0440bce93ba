"""Experiment registry: every number sourced and flagged; lookups and bad input."""

import pytest

from cevns_lib.experiments import projections as detectors
from cevns_lib.experiments.projections import PROJECTIONS, get_experiment, load_registry


def test_every_number_has_source_and_status():
    reg = load_registry()
    n = 0
    for section in ("facilities", "projections", "coherent"):
        for name, entry in reg[section].items():
            for key, val in entry.items():
                if isinstance(val, dict):
                    assert val["source"].strip(), f"{section}.{name}.{key} has no source"
                    assert val["status"] in detectors.STATUSES
                    n += 1
    assert n > 30


def test_registry_holds_all_experiments_and_datasets():
    reg = load_registry()
    assert set(PROJECTIONS) <= set(reg["projections"])
    assert {"csi2017", "csi2021", "ar2020"} <= set(reg["coherent"])


def test_thresholds_are_flagged_as_not_published():
    for name in PROJECTIONS:
        assert get_experiment(name).quantities["threshold_keVnr"].status in ("inferred", "assumed")


def test_unknown_experiment_lists_allowed():
    with pytest.raises(ValueError, match="PIP2-BD"):
        get_experiment("DUNE")


@pytest.mark.parametrize("field", ["target_mass_kg", "baseline_m", "pot_per_second", "run_time_s"])
def test_unphysical_overrides_raise(field):
    with pytest.raises(ValueError, match=field):
        get_experiment("CCM").with_overrides(**{field: -1.0})


def test_threshold_above_largest_recoil_raises():
    with pytest.raises(ValueError, match="threshold_keVnr = 200 is above the largest recoil"):
        get_experiment("CCM").with_overrides(threshold_keVnr=200.0)
