"""Parallel map of independent computations (cevns_lib.analysis.parallel)."""

import numpy as np
import pytest

from cevns_lib.analysis import parallel
from cevns_lib.analysis.parallel import default_workers, parallel_map


def test_parallel_map_equals_the_serial_map_in_order_with_closures():
    big = np.arange(1000.0)                                   # inherited, not sent to the workers
    tasks = list(range(7))
    expected = [float(np.sum(big * t)) for t in tasks]
    assert parallel_map(lambda t: float(np.sum(big * t)), tasks, workers=2) == expected
    assert parallel_map(lambda t: float(np.sum(big * t)), tasks, workers=1) == expected
    assert parallel._JOB is None


def test_parallel_map_of_no_tasks_is_empty():
    assert parallel_map(lambda t: t, [], workers=2) == []


def test_an_error_in_a_task_reaches_the_caller():
    def fail(t):
        if t == 3:
            raise ValueError("task 3 failed")
        return t

    with pytest.raises(ValueError, match="task 3 failed"):
        parallel_map(fail, range(5), workers=2)
    assert parallel._JOB is None


def test_workers_from_the_environment(monkeypatch):
    monkeypatch.setenv("CEVNS_WORKERS", "3")
    assert default_workers() == 3
    for bad in ("0", "-1", "two"):
        monkeypatch.setenv("CEVNS_WORKERS", bad)
        with pytest.raises(ValueError, match="CEVNS_WORKERS must be a positive integer"):
            default_workers()
    monkeypatch.delenv("CEVNS_WORKERS")
    assert default_workers() >= 1


@pytest.mark.parametrize("bad", [0, -2, 1.5, "2"])
def test_bad_worker_counts_are_errors(bad):
    with pytest.raises(ValueError, match="workers must be a positive integer"):
        parallel_map(lambda t: t, [1, 2], workers=bad)


@pytest.mark.needs_data("csi2021", "ar2020_analysisA")
def test_model_scans_in_processes_equal_the_serial_scans():
    from cevns_lib.analysis import mediator_scans as ms

    combo = ms.load_combination("CsI-2021+Ar-2020")
    masses = np.logspace(0.0, 4.0, 5)
    models = ["B-L", "L_mu-L_tau", "scalar"]
    forked = ms.model_scans(combo, models, workers=2, masses=masses)
    serial = ms.model_scans(combo, models, workers=1, masses=masses)
    assert list(forked) == models
    for m in models:
        for name in serial[m].chi2:
            assert np.array_equal(forked[m].chi2[name], serial[m].chi2[name])
            assert forked[m].low[name] == serial[m].low[name] and forked[m].high[name] == serial[m].high[name]
