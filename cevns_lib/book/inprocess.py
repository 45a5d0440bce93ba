"""Chapter runs for their results only: the chapter's code cells executed in an IPython shell in a
fresh forked process, without a Jupyter kernel, a notebook file or rendered figures.

The dashboard and the test session need the recorded values of dozens of chapter runs. Each run
through papermill (:func:`cevns_lib.book.chapters.run_chapter`) starts a kernel, re-imports the
library and renders every figure: about 1.5 s per run before the chapter's own work. Here each run is
a child forked from the caller (which has imported the library once), executes the same cells with the
same parameter injection as papermill (values assigned after the cell tagged ``parameters``) and the
same IPython input transformations (so a chapter without its data becomes a notice, as in a kernel),
closes its figures unrendered and returns the results file the chapter wrote. Runs are isolated: one
process each, ended after its run. Where ``fork`` is not available the runs go through
:func:`~cevns_lib.book.chapters.run_chapter` instead, with the same results.

The book itself (``jupyter-book build``) and ``cevns run`` still execute chapters in kernels, with
their outputs.
"""

import io
import json
import multiprocessing
import os
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from cevns_lib.analysis.parallel import _can_fork, default_workers
from cevns_lib.book.chapters import ChapterError, _one_line, checked_parameters, resolve_chapter


def execute_for_results(name, parameters=None, directory=None) -> dict:
    """Execute chapter ``name`` in THIS process and return its results dictionary.

    Meant for a fresh process (see :class:`ResultsPool`): it selects matplotlib's Agg backend,
    replaces the IPython shell instance and changes the working directory to the chapter's folder
    for the run. Errors: ValueError for an unknown chapter/parameter or a value not allowed;
    :class:`~cevns_lib.book.chapters.ChapterError` (one line) when the chapter raises.
    """
    import jupytext
    import matplotlib

    path = resolve_chapter(name, directory)
    values = checked_parameters(path, parameters)
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    from IPython.core.interactiveshell import InteractiveShell

    InteractiveShell.clear_instance()
    shell = InteractiveShell.instance()
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / f"{path.stem}.json"
        values["results_path"] = str(results)
        os.chdir(path.parent)
        try:
            with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
                for cell in jupytext.read(path).cells:
                    if cell.cell_type != "code":
                        continue
                    run = shell.run_cell(cell.source, store_history=False, silent=True)
                    plt.close("all")
                    if not run.success:
                        raise ChapterError(f"chapter {path.stem} failed: "
                                           f"{_one_line(run.error_in_exec or run.error_before_exec)}")
                    if "parameters" in cell.metadata.get("tags", []):
                        shell.user_ns.update(values)            # as papermill's injected cell
        finally:
            os.chdir(here)
            InteractiveShell.clear_instance()
        if not results.exists():
            raise ChapterError(f"chapter {path.stem} ran but wrote no results (its last cell must call results.write)")
        return json.loads(results.read_text(encoding="utf-8"))


def chapter_imports(directory=None) -> list:
    """Modules imported by the code cells of the book's chapters (``import x``, ``from x import y``
    with y a submodule when it is one), in order of first appearance."""
    import ast

    import jupytext

    from cevns_lib.book.chapters import chapter_files

    names = []
    for path in chapter_files(directory).values():
        for cell in jupytext.read(path).cells:
            if cell.cell_type != "code":
                continue
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:                                 # IPython syntax: not a plain import
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names += [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names.append(node.module)
                    names += [f"{node.module}.{a.name}" for a in node.names]
    return list(dict.fromkeys(names))


def preload(directory=None) -> list:
    """Import here every module the chapters import (:func:`chapter_imports`; names that are not
    modules are skipped), and the shell the runs use: forked runs then start with them loaded
    (measured: about 1 s less per run). Returns the modules imported."""
    import importlib.util

    loaded = []
    for name in ["IPython.core.interactiveshell", "jupytext", *chapter_imports(directory)]:
        try:
            if importlib.util.find_spec(name) is None:
                continue
        except (ImportError, ValueError):                       # "from pkg import function"
            continue
        importlib.import_module(name)
        loaded.append(name)
    return loaded


class ResultsPool:
    """Chapter runs for their results, ``workers`` at a time, each in its own forked process.

    ``submit(name, parameters)`` returns a :class:`concurrent.futures.Future` of the results
    dictionary (its ``result()`` raises the run's error); :meth:`map` runs a list of
    (name, parameters). Close with :meth:`close` (or use as a context manager). Without ``fork`` the
    runs use kernels (:func:`~cevns_lib.book.chapters.run_chapter`) in threads.
    """

    def __init__(self, workers=None, directory=None):
        self.workers = default_workers() if workers is None else workers
        if not isinstance(self.workers, int) or self.workers < 1:
            raise ValueError(f"workers must be a positive integer, got {self.workers!r}")
        self.directory = None if directory is None else str(directory)
        if _can_fork():
            preload(directory)
            self._pool = multiprocessing.get_context("fork").Pool(self.workers, maxtasksperchild=1)
            self._threads = None
        else:
            self._pool = None
            self._threads = ThreadPoolExecutor(max_workers=self.workers)

    def submit(self, name, parameters=None) -> Future:
        args = (name, dict(parameters or {}), self.directory)
        if self._pool is None:
            from cevns_lib.book.chapters import run_chapter

            return self._threads.submit(run_chapter, name, args[1], directory=self.directory)
        future = Future()
        future.set_running_or_notify_cancel()
        self._pool.apply_async(execute_for_results, args, callback=future.set_result,
                               error_callback=future.set_exception)
        return future

    def map(self, runs) -> list:
        """Results of every (name, parameters) in ``runs``, in order; a failed run gives its exception
        (returned, not raised)."""
        futures = [self.submit(name, params) for name, params in runs]
        return [f.exception() or f.result() for f in futures]

    def close(self, cancel=False):
        """Wait for the submitted runs and end the workers (``cancel``: stop them at once)."""
        if self._pool is not None:
            (self._pool.terminate if cancel else self._pool.close)()
            self._pool.join()
        if self._threads is not None:
            self._threads.shutdown(wait=not cancel, cancel_futures=cancel)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        self.close(cancel=exc_type is not None)
