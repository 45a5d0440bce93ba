"""The dashboard's runs with non-default parameters, computed in the background of a book build.

Jupyter Book executes the chapters one after the other, so during ``make book`` one of the machine's
cores would wait. ``make book`` starts this module in the background at the start of the build::

    CEVNS_RESULTS_CACHE=_build/.cevns-results python -m cevns_lib.book.prefetch

It runs every chapter run of the dashboard (:func:`cevns_lib.book.dashboard.runs_for_dashboard`)
other than the chapters' default runs (those are the book's own executions), for their results only
(:class:`cevns_lib.book.inprocess.ResultsPool`), and stores each in the build's results cache
(:func:`cevns_lib.book.run_cache.put`). While it runs, the file ``prefetch.running`` in the cache
holds its process id; the dashboard waits for it (:func:`wait`) and then reuses what it stored,
computing itself whatever is missing (a run that failed here is run again there and fails the build
with its own error).
"""

import os
import sys
import time
from pathlib import Path

MARKER = "prefetch.running"


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (an exited process not yet reaped by its parent does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):                              # no /proc: trust kill
        return True


def wait(timeout=1800.0, poll=0.2) -> float:
    """Wait until no prefetch runs for the current build's results cache; returns the seconds waited
    (0 without a cache, a marker, or a live prefetch process)."""
    from cevns_lib.book.run_cache import _folder

    folder = _folder()
    if folder is None:
        return 0.0
    marker = folder / MARKER
    start = time.perf_counter()
    if not _running(marker):
        return 0.0
    while _running(marker) and time.perf_counter() - start < timeout:
        time.sleep(poll)
    return time.perf_counter() - start


def _running(marker) -> bool:
    try:
        return _alive(int(marker.read_text().strip()))
    except (OSError, ValueError):
        return False


def prefetch(workers=1, stream=sys.stdout) -> int:
    """Compute and store the dashboard's non-default runs; returns the number stored."""
    from cevns_lib.book import run_cache
    from cevns_lib.book.dashboard import runs_for_dashboard
    from cevns_lib.book.inprocess import ResultsPool
    from cevns_lib.book.published import load_published

    folder = run_cache._folder()
    if folder is None:
        raise ValueError(f"{run_cache.CACHE_ENV} is not set: name the build's results folder")
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / MARKER
    marker.write_text(str(os.getpid()))
    try:
        runs = [(c, p) for c, p in runs_for_dashboard(load_published())
                if run_cache.full_parameters(c, p) != run_cache.full_parameters(c, {})]
        stored = 0
        start = time.perf_counter()
        with ResultsPool(workers) as pool:
            futures = [(c, p, pool.submit(c, p)) for c, p in runs]
            for chapter, params, fut in futures:
                try:
                    run_cache.put(chapter, params, fut.result())
                    stored += 1
                    state = "stored"
                except Exception as exc:                       # the dashboard runs it again and reports it
                    state = f"failed ({exc})"
                print(f"{chapter} {params}: {state} ({time.perf_counter() - start:.1f} s)", file=stream, flush=True)
        return stored
    finally:
        marker.unlink(missing_ok=True)


if __name__ == "__main__":
    n = prefetch(int(os.environ.get("CEVNS_PREFETCH_WORKERS", "1")))
    print(f"prefetch: {n} runs stored in {Path(os.environ['CEVNS_RESULTS_CACHE'])}")
