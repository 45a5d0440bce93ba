"""The dashboard's runs computed in the background of a book build (cevns_lib.book.prefetch) are
stored in the build's results cache, waited for, and reused by the dashboard."""

import io
import subprocess
import sys
import time

import pytest

from cevns_lib.book import dashboard, prefetch, run_cache


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(run_cache.CACHE_ENV, str(tmp_path))
    return tmp_path


def test_wait_returns_at_once_without_a_live_prefetch(cache):
    assert prefetch.wait() == 0.0                               # no marker
    (cache / prefetch.MARKER).write_text("999999999")          # a process that does not exist
    assert prefetch.wait() < 0.1


@pytest.mark.parametrize("removes_marker", [True, False])
def test_wait_follows_a_running_prefetch(cache, removes_marker):
    """Until the prefetch removes its marker, or its process has ended (a crash: the marker stays,
    the process is a zombie of this test until reaped)."""
    marker = cache / prefetch.MARKER
    code = "import time, pathlib; time.sleep(0.6)" + (f"; pathlib.Path({str(marker)!r}).unlink()" if removes_marker else "")
    proc = subprocess.Popen([sys.executable, "-c", code])
    marker.write_text(str(proc.pid))
    t0 = time.perf_counter()
    waited = prefetch.wait(timeout=20.0, poll=0.05)
    proc.wait()
    assert 0.3 < waited < 10.0 and time.perf_counter() - t0 < 10.0


def test_prefetched_runs_are_reused_by_the_dashboard(cache, monkeypatch):
    runs = [("01_theory", {"nucleus": "Cs133"}), ("01_theory", {})]        # the second is a default run
    monkeypatch.setattr(dashboard, "runs_for_dashboard", lambda published: runs)
    out = io.StringIO()
    assert prefetch.prefetch(workers=1, stream=out) == 1                  # the default run is the book's own
    assert "01_theory {'nucleus': 'Cs133'}: stored" in out.getvalue()
    assert not (cache / prefetch.MARKER).exists()
    stored = run_cache.lookup("01_theory", {"nucleus": "Cs133"})
    assert stored["parameters"]["nucleus"] == "Cs133"

    def no_run(*a, **k):
        raise AssertionError("the dashboard ran a run that was prefetched")

    monkeypatch.setattr("cevns_lib.book.inprocess.ResultsPool.submit", no_run)
    by_run, log, failures = dashboard.compute_runs(runs[:1], workers=1)
    assert not failures and by_run[dashboard.run_key(*runs[0])] == stored


def test_prefetch_needs_the_cache_folder(monkeypatch):
    monkeypatch.delenv(run_cache.CACHE_ENV, raising=False)
    with pytest.raises(ValueError, match="CEVNS_RESULTS_CACHE is not set"):
        prefetch.prefetch()
