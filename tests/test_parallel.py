"""Parallel map of independent computations (cevns_lib.analysis.parallel)."""

import os
import time

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


def _inside():
    return os.getpid(), os.environ.get(parallel.WORKERS_ENV)


def test_a_background_job_runs_in_another_process_serially_inside(monkeypatch):
    monkeypatch.setenv(parallel.WORKERS_ENV, "2")
    big = np.arange(1000.0)                                   # inherited by the fork, not sent
    job = parallel.in_background(lambda k: float(np.sum(big * k)), 3.0)
    assert job.result() == float(np.sum(big * 3.0)) == job.result()   # collected once, kept
    pid, workers = parallel.in_background(_inside).result()
    assert pid != os.getpid() and workers == "1"


def test_a_background_job_with_one_worker_runs_here_when_collected(monkeypatch):
    monkeypatch.setenv(parallel.WORKERS_ENV, "1")
    calls = []
    job = parallel.in_background(lambda: calls.append(1) or os.getpid())
    assert calls == []                                        # nothing started
    assert job.result() == os.getpid() and calls == [1]


def test_errors_of_a_background_job_reach_the_caller(monkeypatch):
    monkeypatch.setenv(parallel.WORKERS_ENV, "2")

    def fail():
        raise ValueError("no events above threshold")

    with pytest.raises(ValueError, match="no events above threshold"):
        parallel.in_background(fail).result()
    with pytest.raises(RuntimeError, match="ended without a result .exit code 3."):
        parallel.in_background(os._exit, 3).result()


def test_background_calls_run_one_after_the_other_in_one_process(monkeypatch):
    monkeypatch.setenv(parallel.WORKERS_ENV, "2")
    big = np.arange(2_000_000.0)                               # 16 MB: far more than a pipe's buffer
    jobs = parallel.in_background_each(first=lambda: (os.getpid(), big * 2.0), second=_inside,
                                       third=lambda: time.perf_counter())
    assert list(jobs) == ["first", "second", "third"]
    pid, workers = jobs["second"].result()                    # read out of order: no wait for "first"
    assert pid != os.getpid() and workers == "1"
    finished = jobs["third"].result()
    first_pid, doubled = jobs["first"].result()
    assert first_pid == pid and np.array_equal(doubled, big * 2.0)
    assert finished < time.perf_counter()
    assert not jobs["first"]._process.is_alive()              # joined once every result was read


def test_background_calls_with_one_worker_run_here_when_collected(monkeypatch):
    monkeypatch.setenv(parallel.WORKERS_ENV, "1")
    calls = []
    jobs = parallel.in_background_each(a=lambda: calls.append("a") or 1, b=lambda: calls.append("b") or 2)
    assert calls == []
    assert jobs["b"].result() == 2 and jobs["a"].result() == 1 and calls == ["b", "a"]


def test_an_error_in_one_background_call_leaves_the_others(monkeypatch):
    monkeypatch.setenv(parallel.WORKERS_ENV, "2")

    def fail():
        raise ValueError("no recast limits")

    jobs = parallel.in_background_each(bad=fail, good=lambda: 42)
    assert jobs["good"].result() == 42
    with pytest.raises(ValueError, match="no recast limits"):
        jobs["bad"].result()
    jobs = parallel.in_background_each(dies=lambda: os._exit(5), after=lambda: 42)   # the process is gone
    for name in ("after", "dies"):
        with pytest.raises(RuntimeError, match="ended without a result .exit code 5."):
            jobs[name].result()


def test_an_uncollected_background_result_does_not_hold_up_the_exit(tmp_path):
    """A result larger than a pipe's buffer that nobody reads keeps its sender waiting; the process
    must still end with its caller (a chapter that skips a section whose result it started)."""
    import subprocess
    import sys

    script = ("import numpy as np\nfrom cevns_lib.analysis import parallel\n"
              "jobs = parallel.in_background_each(big=lambda: np.zeros(10**6), small=lambda: 1)\n"
              "assert jobs['small'].result() == 1\nprint('done')\n")
    env = {**os.environ, parallel.WORKERS_ENV: "2"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0 and out.stdout.strip() == "done", out.stderr


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_background_call_receives_the_earlier_results_it_names(monkeypatch, workers):
    monkeypatch.setenv(parallel.WORKERS_ENV, workers)

    def fail():
        raise ValueError("no data")

    jobs = parallel.in_background_each(scans=lambda: np.arange(5.0), bad=fail,
                                       total=lambda scans: float(scans.sum()), both=lambda scans, total: scans / total,
                                       after_bad=lambda bad: 1)
    assert np.array_equal(jobs["both"].result(), np.arange(5.0) / 10.0) and jobs["total"].result() == 10.0
    with pytest.raises(ValueError, match="no data"):
        jobs["after_bad"].result()
    with pytest.raises(ValueError, match="call 'late' takes later, which name no earlier call"):
        parallel.in_background_each(late=lambda later: later, later=lambda: 1)


def test_a_background_result_that_cannot_be_sent_is_an_error_not_a_hang(tmp_path):
    """An unpicklable result (here a lambda) is reported at once, even with a large unread result before it."""
    import subprocess
    import sys

    script = ("import numpy as np\nfrom cevns_lib.analysis import parallel\n"
              "jobs = parallel.in_background_each(big=lambda: np.zeros(10**6), bad=lambda: (lambda: 0))\n"
              "try:\n    jobs['bad'].result()\nexcept RuntimeError as err:\n    print('error:', err)\n"
              "print(jobs['big'].result().size)\n")
    env = {**os.environ, parallel.WORKERS_ENV: "2"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    assert "cannot be sent from the background process" in out.stdout and out.stdout.strip().endswith("1000000")


def test_a_call_that_exits_is_its_own_failure_and_the_others_go_on(monkeypatch):
    import sys

    monkeypatch.setenv(parallel.WORKERS_ENV, "2")
    jobs = parallel.in_background_each(quits=lambda: sys.exit(3), after=lambda: 42)
    assert jobs["after"].result() == 42
    with pytest.raises(SystemExit):
        jobs["quits"].result()


def test_dropped_background_handles_let_the_process_end(monkeypatch):
    import gc

    monkeypatch.setenv(parallel.WORKERS_ENV, "2")
    jobs = parallel.in_background_each(big=lambda: np.zeros(10**6), small=lambda: 1)
    process = jobs["big"]._process
    assert jobs["small"].result() == 1
    del jobs
    gc.collect()                                               # the unread pipe is closed: its send fails
    process.join(timeout=60)
    assert not process.is_alive()


def test_errors_of_background_calls_carry_their_traceback(monkeypatch):
    monkeypatch.setenv(parallel.WORKERS_ENV, "2")

    def deep():
        raise ValueError("inner failure")

    with pytest.raises(ValueError) as err:
        parallel.in_background_each(fail=lambda: deep())["fail"].result()
    assert any("in the background process" in n and "deep" in n for n in getattr(err.value, "__notes__", []))
