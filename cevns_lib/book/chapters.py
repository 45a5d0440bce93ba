"""Chapters of the book: discovery, their papermill parameters, and re-running them.

A chapter is a MyST-markdown notebook ``book/NN_name.md`` with one code cell tagged
``parameters``. Each assignment in that cell is a parameter; a trailing comment
``# allowed: A, B, C`` restricts its values, and for ``experiment`` a comment
``# kinds: projection`` restricts it to the registry's experiments of those kinds (``projection``,
``data``, ``combination``). Without such a comment, ``experiment`` takes every registered
experiment and ``form_factor`` every registered model.
"""

import ast
import math
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cevns_lib.experiments.catalog import KINDS, experiment_names
from cevns_lib.physics.form_factors import FORM_FACTOR_MODELS

DEFAULT_FORM_FACTOR = "default"
"""``form_factor = "default"``: each experiment's own default model (Helm of Lewin–Smith for the
projections, as Carey & Pandey; Helm with the proton and neutron radii of the mediator fits for
the COHERENT data)."""

_ASSIGN = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*=\s*(?P<expr>[^#]+?)\s*"
                     r"(#\s*(allowed:\s*(?P<allowed>.+)|kinds:\s*(?P<kinds>.+)))?$")


def book_dir() -> Path:
    """The book's folder: ``$CEVNS_BOOK_DIR`` if set, else ``book/`` beside the package (a clone
    or an editable install), else ``book/`` in the current folder (``pip install .`` run from the
    repository)."""
    env = os.environ.get("CEVNS_BOOK_DIR")
    if env:
        candidates = [Path(env)]
    else:
        candidates = [Path(__file__).resolve().parents[2] / "book", Path.cwd() / "book"]
    for path in candidates:
        if path.is_dir():
            return path
    raise FileNotFoundError(f"book folder not found (looked in {', '.join(map(str, candidates))}); run from the "
                            "repository or set CEVNS_BOOK_DIR to its book/ folder")


@dataclass(frozen=True)
class Parameter:
    """A chapter parameter: its default and, if restricted, the allowed values."""

    name: str
    default: object
    allowed: tuple | None = None
    why: str = ""
    """Why values outside ``allowed`` are refused (shown in the error)."""

    def convert(self, text):
        """Convert a command-line string to the default's type and check it is allowed."""
        d = self.default
        try:
            if isinstance(d, bool):
                if text.lower() not in ("true", "false", "1", "0"):
                    raise ValueError
                value = text.lower() in ("true", "1")
            elif isinstance(d, int):
                value = int(text)
            elif isinstance(d, float):
                value = float(text)
            else:
                value = text
        except ValueError:
            raise ValueError(f"parameter {self.name}: {text!r} is not a {type(d).__name__}") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"parameter {self.name}: {text!r} is not a finite number")
        self.check(value)
        return value

    def check(self, value):
        """ValueError (one line, listing the allowed values) if ``value`` is not allowed."""
        if self.allowed is not None and value not in self.allowed:
            why = f" ({self.why})" if self.why else ""
            raise ValueError(f"parameter {self.name}: {value!r} is not allowed{why}; allowed: "
                             + ", ".join(map(str, self.allowed)))


def _quiet_kernel_manager():
    """A kernel manager whose kernel process writes nothing to the terminal: its start-up warnings
    (e.g. about TCP transport) would precede the one-line error of a failed run. Cell outputs and
    errors reach the runner over the kernel protocol, not through this stream."""
    import subprocess

    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            kw["stderr"] = subprocess.DEVNULL
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    return QuietKernelManager


class ChapterError(RuntimeError):
    """A chapter run failed; the message is one line (exception type and message from the chapter)."""


def chapter_files(directory=None) -> dict:
    """Map chapter stem → path for every executable chapter ``NN_*.md`` in the book folder."""
    d = Path(directory) if directory else book_dir()
    if not d.is_dir():
        raise FileNotFoundError(f"book folder {d} not found; give --book-dir the folder that holds the chapters")
    return {p.stem: p for p in sorted(d.glob("*.md")) if re.match(r"^\d\d[a-z]?_", p.stem)}


def chapter_parameters(path) -> dict:
    """Parameters of a chapter (name → :class:`Parameter`), read from its ``parameters`` cell."""
    import jupytext

    nb = jupytext.read(path)
    cells = [c for c in nb.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])]
    if len(cells) != 1:
        raise ValueError(f"{Path(path).name}: expected one code cell tagged 'parameters', found {len(cells)}")
    params = {}
    for line in cells[0].source.splitlines():
        m = _ASSIGN.match(line.strip())
        if not m:
            continue
        default = ast.literal_eval(m["expr"])
        allowed, why = None, ""
        if m["allowed"]:
            allowed = tuple(Parameter(m["name"], default).convert(v.strip()) for v in m["allowed"].split(","))
        elif m["name"] == "experiment":
            kinds = tuple(k.strip() for k in m["kinds"].split(",")) if m["kinds"] else KINDS
            allowed = tuple(n for k in kinds for n in experiment_names(k))
            if m["kinds"]:
                why = f"this chapter is for experiments of kind {' or '.join(kinds)}"
        elif m["name"] == "form_factor":
            allowed = ((DEFAULT_FORM_FACTOR,) if default == DEFAULT_FORM_FACTOR else ()) + tuple(FORM_FACTOR_MODELS)
        params[m["name"]] = Parameter(m["name"], default, allowed, why)
    return params


_REQUIRE = re.compile(r"require_data\(\s*results\s*,(?P<args>[^)]*)\)")


def data_needs(path) -> tuple:
    """``(datasets, keys)`` of a chapter that calls :func:`cevns_lib.book.require_data`.

    ``keys`` is None when the whole chapter needs the data, else the set of result keys recorded in
    its data section (the cells the call skips without data). ``((), set())`` for a chapter without data.
    """
    from cevns_lib.book.nodata import _section_keys

    import jupytext

    datasets, keys = [], set()
    for cell in jupytext.read(path).cells:
        m = _REQUIRE.search(cell.source) if cell.cell_type == "code" else None
        if not m:
            continue
        datasets += [d for d in re.findall(r"[\"']([^\"']+)[\"']", m["args"]) if d not in datasets]
        cells = re.search(r"cells\s*=\s*(\d+)", m["args"])
        if not cells:
            keys = None
        elif keys is not None:
            keys |= _section_keys(Path(path), cell.source, int(cells[1]))
    return tuple(datasets), (keys if datasets else set())


def resolve_chapter(name: str, directory=None) -> Path:
    """Path of chapter ``name`` (stem, with or without ``.md``); ValueError lists the chapters."""
    files = chapter_files(directory)
    stem = name[:-3] if name.endswith(".md") else name
    if stem not in files:
        raise ValueError(f"unknown chapter {name!r}; chapters: {', '.join(files)}")
    return files[stem]


def check_writable(path, what: str) -> None:
    """ValueError (one line) unless a file can be created at ``path`` (checked before a long run)."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{what} {path} is a folder; give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=parent, prefix=f".{path.name}.", suffix=".check"):
            pass
    except OSError as err:
        raise ValueError(f"cannot write {what} {path} ({err.strerror or err}); choose a writable path") from None


def _one_line(exc) -> str:
    """``Type: message`` of an exception raised inside a chapter (papermill wraps it)."""
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename is None:
        ename, evalue = type(exc).__name__, str(exc)
    lines = [ln.strip() for ln in str(evalue).strip().splitlines() if ln.strip()]
    return f"{ename}: {lines[-1] if lines else ''}"[:400]


SINGLE_THREAD_BLAS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
"""Set to 1 for chapter kernels unless already set: the chapters' matrix products are small, where
BLAS threads only contend (the light-mediator chapter took 48 s with two OpenBLAS threads and 27 s
with one on a shared 2-core machine); runs are parallelised by processes instead."""


def checked_parameters(path, parameters) -> dict:
    """Typed parameter values of a run of the chapter at ``path`` (strings as from the command line
    are converted); ValueError naming the allowed parameters or values otherwise."""
    known = chapter_parameters(path)
    values = {}
    for key, val in (parameters or {}).items():
        if key not in known or key == "results_path":
            allowed = ", ".join(k for k in known if k != "results_path")
            raise ValueError(f"chapter {path.stem} has no parameter {key!r}; parameters: {allowed or '(none)'}")
        values[key] = known[key].convert(val) if isinstance(val, str) else val
        known[key].check(values[key])
    return values


def run_chapter(name: str, parameters=None, results_path=None, notebook_path=None, directory=None,
                progress=False, timeout=1800):
    """Execute a chapter with papermill (through jupytext) and return its results dictionary.

    The results file and the notebook are written atomically (temporary file in the same folder,
    then a rename); the returned dictionary is always this run's own. A chapter that found its
    data missing returns ``{…, "values": {}, "data_missing": [...]}``.

    Raises
    ------
    ValueError
        Unknown chapter/parameter, a value not allowed, or an output path that cannot be written
        (all checked before running).
    ChapterError
        The chapter raised; the message is one line naming the error.

    Parameters
    ----------
    name : str
        Chapter stem, e.g. ``"05_weak_mixing_angle"``.
    parameters : dict
        Parameter values (already typed, or strings as from the command line).
    results_path : str or Path, optional
        Where the chapter writes its JSON results (a temporary file if omitted).
    notebook_path : str or Path, optional
        Where to keep the executed notebook.
    """
    import json

    import jupytext
    import nbformat
    import papermill

    path = resolve_chapter(name, directory)
    values = checked_parameters(path, parameters)
    from cevns_lib.book.results import write_atomic

    if results_path:
        check_writable(results_path, "results file")
    if notebook_path:
        check_writable(notebook_path, "notebook")
    for var in SINGLE_THREAD_BLAS:                               # inherited by the kernel process
        os.environ.setdefault(var, "1")
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / f"{path.stem}.json"          # private to this run
        values["results_path"] = str(results)
        src = Path(tmp) / f"{path.stem}.ipynb"
        nbformat.write(jupytext.read(path), src)
        out = Path(tmp) / f"{path.stem}.out.ipynb"
        try:
            papermill.execute_notebook(str(src), str(out), parameters=values, cwd=str(path.parent),
                                       progress_bar=progress, kernel_name="python3", execution_timeout=timeout,
                                       kernel_manager_class=_quiet_kernel_manager(),
                                       request_save_on_cell_execute=False)   # the notebook is read at the end only
        except Exception as exc:
            if notebook_path and out.exists():
                write_atomic(notebook_path, out.read_bytes())
            raise ChapterError(f"chapter {path.stem} failed: {_one_line(exc)}") from exc
        if notebook_path:
            write_atomic(notebook_path, out.read_bytes())
        if not results.exists():
            raise ChapterError(f"chapter {path.stem} ran but wrote no results (its last cell must call results.write)")
        text = results.read_text(encoding="utf-8")
        if results_path:
            write_atomic(results_path, text)
        return json.loads(text)
