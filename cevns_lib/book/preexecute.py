"""Execute the book's notebooks in parallel into the build's execution cache, before Jupyter Book.

Jupyter Book 1 executes notebooks one after the other. ``make book`` therefore first executes them
here, over a pool of processes (jupyter-cache's ``local-parallel`` executor, each notebook in its own
kernel with its folder as working directory, as Jupyter Book does), into a fresh cache inside
``_build``; Jupyter Book then builds with ``execute_notebooks: cache`` and takes each notebook from
that cache. The cache is created empty by every ``make book``, so no output of an earlier build is
ever used. A notebook that fails here is simply not cached: Jupyter Book executes it again and
reports its error as usual.

The dashboard (:data:`EXECUTED_LAST`) is left to Jupyter Book, which executes it after the others:
it reuses their results.

Usage (from the repository root)::

    python -m cevns_lib.book.preexecute _build/.jupyter_cache
"""

import sys
import time
from pathlib import Path

EXECUTED_LAST = ("10_reproduction",)
"""Notebooks executed by Jupyter Book itself, after the others (the dashboard reuses their results)."""


def book_notebooks(book_dir) -> list:
    """The executable MyST notebooks of ``book_dir`` (files with a ``kernelspec``), without
    :data:`EXECUTED_LAST`."""
    out = []
    for path in sorted(Path(book_dir).glob("*.md")):
        head = path.read_text(encoding="utf-8")[:2000]
        if head.startswith("---") and "kernelspec:" in head.split("\n---", 1)[0] and path.stem not in EXECUTED_LAST:
            out.append(path)
    return out


def preexecute(cache_path, book_dir="book", timeout=900, stream=sys.stdout) -> dict:
    """Execute :func:`book_notebooks` into the jupyter-cache at ``cache_path``.

    Returns
    -------
    dict
        ``{"succeeded": [...], "failed": [...]}`` (notebook paths); never raises for a notebook's
        failure (Jupyter Book re-executes and reports it).
    """
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_path))
    for path in largest_first(book_notebooks(book_dir)):
        cache.add_nb_to_project(str(Path(path).resolve()), read_data={"name": "myst_nb_md", "type": "plugin"})
    start = time.perf_counter()
    result = _executor(cache).run_and_cache(timeout=timeout)
    failed = list(result.excepted) + list(result.errored)
    print(f"pre-executed {len(result.succeeded)} notebooks in {time.perf_counter() - start:.1f} s"
          + (f"; not cached (Jupyter Book re-executes them): {', '.join(map(str, failed))}" if failed else ""),
          file=stream, flush=True)
    return {"succeeded": list(result.succeeded), "failed": failed}


def largest_first(paths) -> list:
    """``paths`` by decreasing source size: the longest chapters (the slowest to run) start first, so
    that none of them is left to run alone at the end."""
    return sorted(paths, key=lambda p: (-Path(p).stat().st_size, str(p)))


def _executor(cache):
    """jupyter-cache's ``local-parallel`` executor (each notebook in its own kernel, in its folder),
    handing out one notebook at a time in the project's order instead of ``Pool.map``'s chunks of
    several: with :func:`largest_first` the pool works like a longest-first schedule. Uses the
    executor's worker and records (jupyter-cache 1.0, pinned in requirements.lock)."""
    import multiprocessing

    from jupyter_cache.executors.base import ExecutorRunResult
    from jupyter_cache.executors.basic import JupyterExecutorLocalMproc, ProcessData

    class LongestFirst(JupyterExecutorLocalMproc):
        def run_and_cache(self, *, timeout=30, allow_errors=False, **_):
            records = sorted(self.get_records(None, None, clear_tracebacks=True), key=lambda r: r.pk)
            data = [ProcessData(r.pk, r.uri, self.cache, timeout, allow_errors) for r in records]
            with multiprocessing.Pool() as pool:
                results = list(pool.imap(self._EXECUTION_WORKER(), data, chunksize=1))
            return ExecutorRunResult(succeeded=[p for i, p in results if i == 0],
                                     excepted=[p for i, p in results if i == 1],
                                     errored=[p for i, p in results if i == 2])

    return LongestFirst(cache=cache)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m cevns_lib.book.preexecute CACHE_FOLDER")
    preexecute(sys.argv[1])
