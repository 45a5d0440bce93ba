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
    from jupyter_cache.executors import load_executor

    cache = get_cache(str(cache_path))
    for path in book_notebooks(book_dir):
        cache.add_nb_to_project(str(Path(path).resolve()), read_data={"name": "myst_nb_md", "type": "plugin"})
    start = time.perf_counter()
    result = load_executor("local-parallel", cache=cache).run_and_cache(timeout=timeout)
    failed = list(result.excepted) + list(result.errored)
    print(f"pre-executed {len(result.succeeded)} notebooks in {time.perf_counter() - start:.1f} s"
          + (f"; not cached (Jupyter Book re-executes them): {', '.join(map(str, failed))}" if failed else ""),
          file=stream, flush=True)
    return {"succeeded": list(result.succeeded), "failed": failed}


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m cevns_lib.book.preexecute CACHE_FOLDER")
    preexecute(sys.argv[1])
