"""Shared test set-up: where the data are, and ONE skip reason when they are absent.

- ``CEVNS_DATA_DIR`` unset: it is pointed at the shared folders ``../shared/data/coherent`` and
  ``../shared/data/external_limits`` when they exist (the same as the Makefile).
- ``@pytest.mark.needs_data("csi2017", …)`` marks a test that reads those data sets. When one of
  them is not found anywhere (``CEVNS_DATA_DIR``, user cache), the test is skipped with one reason,
  printed once in the header of the run. A file that is present but fails its checksum is not
  "absent": the test runs and fails.
"""

import os
from pathlib import Path

import pytest

_shared = Path(__file__).resolve().parents[1].parent / "shared" / "data"
if "CEVNS_DATA_DIR" not in os.environ:
    _dirs = [str(_shared / name) for name in ("coherent", "external_limits") if (_shared / name).is_dir()]
    if _dirs:
        os.environ["CEVNS_DATA_DIR"] = os.pathsep.join(_dirs)

COHERENT = ("csi2017", "csi2021", "ar2020_analysisA")
"""The COHERENT data sets the chapters read."""

_missing_cache = None


def missing_data() -> list:
    """Registered data sets used by the tests that are not found (computed once per run)."""
    global _missing_cache
    if _missing_cache is None:
        from cevns_lib.datafiles import loader

        _missing_cache = loader.missing_datasets(list(loader.file_registry()))
    return _missing_cache


_ORIGINAL_DIRS = None


def real_data_path(dataset: str, filename: str) -> Path:
    """Verified path of a registered file in the data folders of the run (before any test changes them)."""
    from cevns_lib.datafiles import loader

    old = os.environ.get(loader.ENV_VAR)
    try:
        os.environ[loader.ENV_VAR] = _ORIGINAL_DIRS or ""
        return loader.data_path(dataset, filename)
    finally:
        if old is None:
            os.environ.pop(loader.ENV_VAR, None)
        else:
            os.environ[loader.ENV_VAR] = old


_ORIGINAL_DIRS = os.environ.get("CEVNS_DATA_DIR", "")


def skip_reason(missing) -> str:
    return (f"data not available ({', '.join(missing)}): run `make data` (or `cevns data fetch`), or set "
            f"CEVNS_DATA_DIR to the data folders (README, section Data)")


def pytest_configure(config):
    config.addinivalue_line("markers", "needs_data(*datasets): reads these registered data sets "
                                       "(default: the COHERENT releases); skipped with one reason when absent")


def pytest_report_header(config):
    missing = missing_data()
    if missing:
        return [f"SKIPPING every data-dependent test: {skip_reason(missing)}"]
    return [f"data: all data sets found (CEVNS_DATA_DIR={os.environ.get('CEVNS_DATA_DIR', '')})"]


def pytest_collection_modifyitems(config, items):
    missing = set(missing_data())
    if not missing:
        return
    marker = pytest.mark.skip(reason=skip_reason(sorted(missing)))
    for item in items:
        for mark in item.iter_markers("needs_data"):
            if set(mark.args or COHERENT) & missing:
                item.add_marker(marker)
                break


_RUNS = {}
"""(chapter, full parameters) → Future of its results dict: ONE execution per parameter set per session."""
_POOL = None


def _run_key(stem, params):
    from cevns_lib.book.run_cache import full_parameters

    return (stem, tuple(sorted(full_parameters(stem, params).items())))


def _submit(stem, params):
    """Start (or find) the shared execution of a chapter run; returns its Future."""
    global _POOL
    from cevns_lib.book.inprocess import ResultsPool

    key = _run_key(stem, params)
    if key not in _RUNS:
        if _POOL is None:                      # each run in its own forked process, results only
            _POOL = ResultsPool(int(os.environ.get("CEVNS_TEST_WORKERS", "2")))
        _RUNS[key] = _POOL.submit(stem, dict(params))
    return _RUNS[key]


def pytest_collection_finish(session):
    """Start every chapter run that the selected ``chapters`` tests declare (module-level ``SHARED_CHAPTER_RUNS``,
    a list of (chapter, parameters)), ``CEVNS_TEST_WORKERS`` (default 2) at a time, while the other
    tests run; the tests then wait for their run's result. Data-dependent runs are not started
    when their tests are skipped for missing data."""
    modules, runs = [], []
    for item in session.items:
        if not item.get_closest_marker("chapters") or item.get_closest_marker("skip") or item.module in modules:
            continue
        modules.append(item.module)
        runs += list(getattr(item.module, "SHARED_CHAPTER_RUNS", ()))
    for stem, params in runs:
        _submit(stem, params)


def pytest_sessionfinish(session, exitstatus):
    if _POOL is not None:
        _POOL.close(cancel=exitstatus != 0)


@pytest.fixture(scope="session")
def chapter_results():
    """``run(stem, params)`` → the results dict of that chapter run, executed ONCE per test session
    for each parameter set (defaults filled in, so ``{}`` and the explicit defaults share a run)."""
    return lambda stem, params=None: _submit(stem, dict(params or {})).result()


@pytest.fixture(scope="session")
def chapter_run(chapter_results):
    """``run(stem, params)`` → the recorded values of a shared chapter execution."""
    return lambda stem, params=None: chapter_results(stem, params)["values"]


# ---- a one-chapter book for the runner, CLI and sweep tests -------------------------------------
NOTEBOOK_HEADER = '''---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
'''
"""Front matter of a MyST notebook (for the small books the tests write)."""

RESULTS_PATH_CELL = '''```{code-cell} ipython3
:tags: [parameters]

results_path = ""
```
'''
"""The parameters cell of a small test chapter that has no parameter but ``results_path``."""

TINY = NOTEBOOK_HEADER + '''# Tiny

```{code-cell} ipython3
:tags: [parameters]

results_path = ""
x = 1.0
label = "a"  # allowed: a, b
```

```{code-cell} ipython3
from cevns_lib.book.results import ChapterResults
if x < 0:
    raise ValueError(f"x must be >= 0, got {x}")
results = ChapterResults("01_tiny", parameters={"x": x, "label": label}, glue=False)
results.record("x_twice", 2 * x)
results.record("interval", [x, x + 1])
results.write(results_path)
```
'''


@pytest.fixture
def tiny_book(tmp_path):
    """A book folder with one fast chapter ``01_tiny`` (parameters x ≥ 0 and label a|b)."""
    book = tmp_path / "book"
    book.mkdir()
    (book / "01_tiny.md").write_text(TINY, encoding="utf-8")
    return book
