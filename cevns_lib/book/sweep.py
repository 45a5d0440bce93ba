"""Parameter sweeps of a chapter: the Cartesian product of parameter values, one results JSON per
point and a CSV summary of the recorded values (``cevns sweep``).

- Every value is checked against the chapter's parameters before anything runs.
- A point whose results file exists (with the same chapter and parameters) is finished: re-running
  the sweep skips it. A point that fails is reported in the summary (status ``failed`` and the
  one-line error) and does not stop the sweep; it is retried by the next run.
- Points run in parallel: each in its own kernel process (``workers`` at a time), or, with a Dask
  scheduler address, as tasks of a Dask distributed cluster (``pip install dask distributed``).
"""

import csv
import hashlib
import itertools
import json
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from cevns_lib.analysis.parallel import one_worker_per_run
from cevns_lib.book import chapters

SUMMARY = "summary.csv"
"""File name of the sweep's summary table in the output folder."""


@dataclass(frozen=True, eq=False)
class Point:
    """One parameter set of a sweep and the file its results go to."""

    chapter: str
    parameters: dict
    results: Path

    @property
    def label(self) -> str:
        return " ".join(f"{k}={v}" for k, v in self.parameters.items())


@dataclass
class Outcome:
    """What happened to one point: ``status`` is ``done``, ``skipped`` (finished before) or ``failed``."""

    point: Point
    status: str
    seconds: float = 0.0
    error: str = ""
    values: dict = field(default_factory=dict)


def parse_values(pairs) -> dict:
    """``[(name, "a,b,c"), …]`` → {name: ["a", "b", "c"]}; a name given twice is an error."""
    grid = {}
    for name, text in pairs:
        if name in grid:
            raise ValueError(f"parameter {name} given twice; give its values once, separated by commas")
        values = [v.strip() for v in str(text).split(",")]
        if not all(values):
            raise ValueError(f"parameter {name}: empty value in {text!r}; separate values by single commas")
        grid[name] = values
    return grid


def _file_name(chapter, params) -> str:
    slug = "__".join(f"{k}={v}" for k, v in params.items()) or "defaults"
    slug = re.sub(r"[^A-Za-z0-9_.=+-]", "_", slug)[:120]
    digest = hashlib.sha1(json.dumps([chapter, params], sort_keys=True).encode()).hexdigest()[:8]
    return f"{slug}__{digest}.json"


def plan(chapter: str, grid: dict, out_dir, book_dir=None) -> list:
    """The sweep's points (Cartesian product of ``grid``, values converted and checked against the
    chapter's parameters), each with its results file in ``out_dir``."""
    path = chapters.resolve_chapter(chapter, book_dir)
    known = chapters.chapter_parameters(path)
    typed = {}
    for name, values in grid.items():
        if name not in known or name == "results_path":
            allowed = ", ".join(k for k in known if k != "results_path")
            raise ValueError(f"chapter {path.stem} has no parameter {name!r}; parameters: {allowed or '(none)'}")
        typed[name] = [known[name].convert(v) for v in values]
    out = Path(out_dir)
    names = list(typed)
    return [Point(path.stem, dict(zip(names, combo)), out / _file_name(path.stem, dict(zip(names, combo))))
            for combo in itertools.product(*(typed[n] for n in names))]


def finished(point: Point):
    """The recorded values of a point whose results file is complete and matches it, else None."""
    try:
        data = json.loads(point.results.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("chapter") != point.chapter or data.get("data_missing"):
        return None
    params = data.get("parameters", {})
    if any(params.get(k) != v for k, v in point.parameters.items()):
        return None
    return data.get("values", {})


def run_point(chapter, parameters, results_path, book_dir=None):
    """Run one point (in this process; its kernel is a child process). Returns
    ``(status, seconds, error, values)``; never raises for a failure of the chapter."""
    t0 = time.perf_counter()
    one_worker_per_run()                                       # a Dask worker may run several points at once
    try:
        res = chapters.run_chapter(chapter, dict(parameters), results_path, directory=book_dir)
    except Exception as exc:                                   # reported in the summary, sweep goes on
        return "failed", time.perf_counter() - t0, " ".join(str(exc).split())[:400], {}
    if res.get("data_missing"):
        Path(results_path).unlink(missing_ok=True)             # not finished: retried when data exist
        return "failed", time.perf_counter() - t0, f"data not available: cevns data fetch {' '.join(res['data_missing'])}", {}
    return "done", time.perf_counter() - t0, "", res.get("values", {})


def _flat(value):
    if isinstance(value, (int, float, str)) or value is None:
        return value
    return json.dumps(value, ensure_ascii=False)


def write_summary(outcomes, out_dir) -> Path:
    """``summary.csv``: one row per point (parameters, status, seconds, error, then every recorded value;
    lists and dicts as JSON)."""
    params = list(dict.fromkeys(k for o in outcomes for k in o.point.parameters))
    keys = list(dict.fromkeys(k for o in outcomes for k in o.values))
    path = Path(out_dir) / SUMMARY
    tmp = path.with_suffix(".csv.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([*params, "status", "seconds", "error", "results", *keys])
        for o in outcomes:
            w.writerow([*(o.point.parameters.get(k, "") for k in params), o.status, f"{o.seconds:.1f}", o.error,
                        o.point.results.name if o.status != "failed" else "",
                        *(_flat(o.values[k]) if k in o.values else "" for k in keys)])
    tmp.replace(path)
    return path


class _Progress:
    """A progress bar on a terminal (tqdm), one line per finished point otherwise."""

    def __init__(self, total, stream=None):
        stream = sys.stderr if stream is None else stream
        self.stream, self.total, self.n = stream, total, 0
        self.bar = None
        if getattr(stream, "isatty", lambda: False)():
            from tqdm import tqdm

            self.bar = tqdm(total=total, file=stream, unit="point")

    def update(self, o: Outcome):
        self.n += 1
        text = f"[{self.n}/{self.total}] {o.point.label}: {o.status}" + (f" ({o.error})" if o.error else "") \
            + (f" {o.seconds:.1f} s" if o.status != "skipped" else "")
        if self.bar is not None:
            self.bar.set_postfix_str(o.status)
            self.bar.update(1)
            if o.status == "failed":
                self.bar.write(text)
        else:
            print(text, file=self.stream, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def _submit_local(todo, workers, book_dir):
    if workers > 1:
        one_worker_per_run()
    pool = ThreadPoolExecutor(max_workers=workers)            # each point's kernel is its own process
    futures = {pool.submit(run_point, p.chapter, p.parameters, str(p.results), book_dir): p for p in todo}
    try:
        for fut in as_completed(futures):
            yield futures[fut], fut.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _submit_dask(todo, scheduler, book_dir):
    try:
        from dask.distributed import Client, as_completed as dask_completed
    except ImportError:
        raise ValueError("--scheduler needs Dask: pip install dask distributed (or run without --scheduler)") from None
    try:
        client = Client(scheduler, timeout="10s")
    except OSError as err:
        raise ValueError(f"cannot reach the Dask scheduler at {scheduler} ({err}); start it or check the address") from None
    try:
        futures = {client.submit(run_point, p.chapter, p.parameters, str(p.results.resolve()), book_dir,
                                 key=f"cevns-{p.results.stem}", pure=False): p for p in todo}
        for fut in dask_completed(list(futures)):
            try:
                result = fut.result()
            except Exception as exc:                           # e.g. a worker lost
                result = ("failed", 0.0, f"dask: {' '.join(str(exc).split())[:300]}", {})
            yield futures[fut], result
    finally:
        client.close()


def sweep(chapter, grid: dict, out_dir, workers=2, scheduler=None, book_dir=None, stream=None) -> list:
    """Run every point of ``grid`` not finished yet; write ``summary.csv``; return the outcomes.

    Parameters
    ----------
    chapter : str
        Chapter stem.
    grid : dict
        name → list of values (strings as on the command line, or typed).
    out_dir : str or Path
        Folder of the results files and of the summary (created).
    workers : int
        Points run at once locally (each is a kernel process).
    scheduler : str, optional
        Address of a Dask distributed scheduler (``tcp://host:8786``); the results folder must be
        reachable from the workers under the same path.
    """
    if not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    out = Path(out_dir)
    points = plan(chapter, {k: [str(v) for v in vs] for k, vs in grid.items()}, out, book_dir)
    out.mkdir(parents=True, exist_ok=True)
    chapters.check_writable(out / SUMMARY, "sweep summary")
    outcomes, todo = {}, []
    for p in points:
        values = finished(p)
        if values is None:
            todo.append(p)
        else:
            outcomes[p] = Outcome(p, "skipped", values=values)
    progress = _Progress(len(points), stream)
    for o in outcomes.values():
        progress.update(o)
    runner = _submit_dask(todo, scheduler, book_dir) if scheduler else _submit_local(todo, workers, book_dir)
    try:
        for p, (status, seconds, error, values) in runner:
            outcomes[p] = Outcome(p, status, seconds, error, values)
            progress.update(outcomes[p])
            write_summary([outcomes[q] for q in points if q in outcomes], out)   # partial table as it goes
    finally:
        progress.close()
    ordered = [outcomes[p] for p in points]
    write_summary(ordered, out)
    return ordered
