"""Record headline numbers of a chapter: glue them into the prose and write them to JSON.

Usage in a chapter::

    from cevns_lib.book.results import ChapterResults
    results = ChapterResults("05_weak_mixing_angle", parameters={"experiment": experiment})
    results.record("sin2w_interval_sys5", [0.2272, 0.2515])
    ...
    results.write(results_path)        # last cell; does nothing when results_path == ""

``record`` glues the value under its name (a plain float for scalars, a formatted string for
intervals and dictionaries) so the text can show it with ``{glue:text}`name```. The JSON file is
``{"chapter": ..., "parameters": {...}, "values": {...}}`` (the results contract: README, "Re-running a chapter").
"""

import json
import math
import os
import tempfile
from pathlib import Path

import numpy as np


def to_plain(value):
    """Convert numpy scalars/arrays (also nested in lists, tuples, dicts) to plain Python."""
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_plain(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"cannot record a non-finite number ({value!r})")
    return value


def _display(value, fmt):
    if isinstance(value, float):
        return float(value)
    if isinstance(value, list) and value and all(isinstance(v, list) and len(v) == 2 for v in value):
        return " ∪ ".join(f"[{fmt.format(a)}, {fmt.format(b)}]" for a, b in value).replace("-", "−")
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, (int, float)) for v in value):
        return f"[{fmt.format(value[0])}, {fmt.format(value[1])}]".replace("-", "−")
    if isinstance(value, dict):                                # floats inside: formatted with fmt
        return ", ".join(f"{k}: {fmt.format(v).replace('-', '−') if isinstance(v, float) else _display(v, fmt)}"
                         for k, v in value.items())
    return str(value)


class ChapterResults:
    """The headline numbers of one chapter run.

    Parameters
    ----------
    chapter : str
        File stem of the chapter, e.g. ``"05_weak_mixing_angle"``.
    parameters : dict
        The papermill parameters of this run (written to the JSON).
    glue : bool
        Glue values with myst-nb (off for use outside a notebook).
    """

    def __init__(self, chapter: str, parameters: dict | None = None, glue: bool = True):
        self.chapter = chapter
        self.parameters = to_plain(dict(parameters or {}))
        self.values = {}
        self.data_missing = []          # set by cevns_lib.book.require_data when data are absent
        self._glue = glue

    def record(self, name: str, value, fmt: str = "{:.4g}"):
        """Record ``value`` under ``name`` once; returns the plain value.

        Scalars are glued as floats; intervals (lists of [lo, hi]) and dicts as formatted text
        (``fmt`` formats each number).
        """
        if name in self.values:
            raise ValueError(f"{name!r} was already recorded in {self.chapter}")
        plain = to_plain(value)
        if isinstance(plain, (int, float)) and not isinstance(plain, bool):
            plain = float(plain)
        self.values[name] = plain
        if self._glue:
            try:
                from myst_nb import glue
            except ImportError:  # outside Jupyter Book: nothing to glue into
                return plain
            glue(name, _display(plain, fmt), display=False)
        return plain

    def show(self, name: str, value, fmt: str = "{:.4g}"):
        """Glue ``value`` for the prose without recording it (e.g. a projection's number shown
        beside a data run, whose results hold only the data keys)."""
        plain = to_plain(value)
        if self._glue:
            try:
                from myst_nb import glue
            except ImportError:
                return plain
            glue(name, _display(float(plain) if isinstance(plain, int) else plain, fmt), display=False)
        return plain

    def record_or_show(self, name: str, value, record: bool, fmt: str = "{:.4g}"):
        """:meth:`record` when ``record`` is true, else :meth:`show`."""
        return self.record(name, value, fmt) if record else self.show(name, value, fmt)

    def as_dict(self) -> dict:
        out = {"chapter": self.chapter, "parameters": self.parameters, "values": self.values}
        if self.data_missing:
            out["data_missing"] = list(self.data_missing)
        return out

    def write(self, results_path: str) -> None:
        """Write the JSON results file atomically. When ``results_path`` is empty (the default run
        of a book build) nothing is written, except into the build's results cache when
        ``CEVNS_RESULTS_CACHE`` is set (:mod:`cevns_lib.book.run_cache`, reused by the dashboard)."""
        if not results_path:
            from cevns_lib.book import run_cache

            run_cache.store(self.as_dict())
            return
        write_atomic(results_path, json.dumps(self.as_dict(), indent=2, ensure_ascii=False) + "\n")


def write_atomic(path, content) -> None:
    """Write ``content`` (str or bytes) to ``path`` through a temporary file in the same folder and
    a rename, so a reader never sees a partial file and concurrent writers never mix their output."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
