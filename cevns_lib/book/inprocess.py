"""Chapter runs for their results only: the chapter's code cells executed in an IPython shell in a
fresh process, without a Jupyter kernel, a notebook file or rendered figures.

The dashboard and the test session need the recorded values of dozens of chapter runs. Each run
through papermill (:func:`cevns_lib.book.chapters.run_chapter`) starts a kernel, re-imports the
library and renders every figure: about 1.5 s per run before the chapter's own work. Here each run is
a process forked from a server that has imported the chapters' modules once (:class:`ResultsPool`),
executes the same cells with the same parameter injection as papermill (values assigned after the
cell tagged ``parameters``) and the same IPython input transformations (so a chapter without its data becomes a notice, as in a kernel),
closes its figures unrendered and returns the results file the chapter wrote. Runs are isolated: one
process each, ended after its run. Where no fork server is available (Windows) the runs go through
:func:`~cevns_lib.book.chapters.run_chapter` instead, with the same results.

The book itself (``jupyter-book build``) and ``cevns run`` still execute chapters in kernels, with
their outputs.
"""

import io
import json
import multiprocessing
import os
import tempfile
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from cevns_lib.analysis.parallel import WORKERS_ENV, default_workers
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
    modules are skipped), the shell the runs use and :mod:`cevns_lib.book.forkserver_warmup`
    (registries parsed once): forked runs then start with them loaded (measured: about 1 s less
    per run). Returns the modules imported."""
    import importlib.util

    loaded = []
    for name in ["IPython.core.interactiveshell", "jupytext", *chapter_imports(directory),
                 "cevns_lib.book.forkserver_warmup"]:
        try:
            if importlib.util.find_spec(name) is None:
                continue
        except (ImportError, ValueError):                       # "from pkg import function"
            continue
        importlib.import_module(name)
        loaded.append(name)
    return loaded


def _run_in_environment(environment, name, parameters, directory):
    """:func:`execute_for_results` with the caller's environment (a forked server's own is older)."""
    os.environ.clear()
    os.environ.update(environment)
    return execute_for_results(name, parameters, directory)


def _can_forkserver() -> bool:
    return "forkserver" in multiprocessing.get_all_start_methods()


class ResultsPool:
    """Chapter runs for their results, ``workers`` at a time, each in its own process.

    The processes are forked from a fork server (one clean, single-threaded process that imported
    the chapters' modules once, :func:`preload`), never from the caller, whose threads (a test
    session, a kernel) could hold locks at the moment of a fork; each run gets the caller's
    environment at submit time and its own process, ended after the run. With more than one worker
    the runs' own parallel maps are serial (``CEVNS_WORKERS=1`` unless set). A process that dies
    fails its run (and the pool) with an error instead of hanging.

    ``submit(name, parameters)`` returns a :class:`concurrent.futures.Future` of the results
    dictionary (its ``result()`` raises the run's error); :meth:`map` runs a list of
    (name, parameters). Close with :meth:`close` (or use as a context manager). Without a fork
    server (Windows) the runs use kernels (:func:`~cevns_lib.book.chapters.run_chapter`) in threads.
    """

    def __init__(self, workers=None, directory=None):
        self.workers = default_workers() if workers is None else workers
        if not isinstance(self.workers, int) or self.workers < 1:
            raise ValueError(f"workers must be a positive integer, got {self.workers!r}")
        self.directory = None if directory is None else str(directory)
        if _can_forkserver():
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(preload(directory))   # used when the server starts
            self._executor = ProcessPoolExecutor(self.workers, mp_context=context, max_tasks_per_child=1)
            self._kernels = False
        else:
            self._executor = ThreadPoolExecutor(max_workers=self.workers)
            self._kernels = True

    def submit(self, name, parameters=None) -> Future:
        if self._kernels:
            from cevns_lib.book.chapters import run_chapter

            return self._executor.submit(run_chapter, name, dict(parameters or {}), directory=self.directory)
        environment = dict(os.environ)
        if self.workers > 1:
            environment.setdefault(WORKERS_ENV, "1")
        return self._executor.submit(_run_in_environment, environment, name, dict(parameters or {}), self.directory)

    def map(self, runs) -> list:
        """Results of every (name, parameters) in ``runs``, in order; a failed run gives its exception
        (returned, not raised)."""
        futures = [self.submit(name, params) for name, params in runs]
        return [f.exception() or f.result() for f in futures]

    def close(self, cancel=False):
        """Wait for the submitted runs and end the workers (``cancel``: drop the runs not started)."""
        self._executor.shutdown(wait=True, cancel_futures=cancel)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        self.close(cancel=exc_type is not None)
