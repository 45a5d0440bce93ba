"""Chapter runs for their results in forked processes (cevns_lib.book.inprocess) give what a kernel
run gives (cevns_lib.book.chapters.run_chapter), with the same one-line errors."""

from concurrent.futures import Future

import pytest

from cevns_lib.book.chapters import ChapterError, run_chapter
from cevns_lib.book.inprocess import ResultsPool
from conftest import NOTEBOOK_HEADER, RESULTS_PATH_CELL

FAILING = NOTEBOOK_HEADER + '''# Fails

''' + RESULTS_PATH_CELL + '''
```{code-cell} ipython3
import matplotlib.pyplot as plt
plt.plot([1, 2])
raise ZeroDivisionError("no events above threshold")
```
'''


def test_a_run_for_results_equals_the_kernel_run(tiny_book):
    with ResultsPool(2, directory=tiny_book) as pool:
        fut = pool.submit("01_tiny", {"x": "2.5", "label": "b"})
        assert isinstance(fut, Future)
        here = fut.result()
    kernel = run_chapter("01_tiny", {"x": "2.5", "label": "b"}, directory=tiny_book)
    assert here == kernel
    assert here["values"]["x_twice"] == 5.0 and here["parameters"]["label"] == "b"


def test_errors_are_one_line_like_the_kernel_runs(tiny_book):
    (tiny_book / "02_fails.md").write_text(FAILING, encoding="utf-8")
    with ResultsPool(2, directory=tiny_book) as pool:
        out = pool.map([("01_tiny", {"x": -1.0}), ("02_fails", {}), ("01_tiny", {"label": "c"}),
                        ("01_tiny", {"y": 1}), ("01_tiny", {})])
    assert isinstance(out[0], ChapterError) and str(out[0]) == "chapter 01_tiny failed: ValueError: x must be >= 0, got -1.0"
    assert str(out[1]) == "chapter 02_fails failed: ZeroDivisionError: no events above threshold"
    assert isinstance(out[2], ValueError) and "allowed: a, b" in str(out[2])
    assert isinstance(out[3], ValueError) and "has no parameter 'y'" in str(out[3])
    assert out[4]["values"]["x_twice"] == 2.0                 # a failure does not stop the others
    with pytest.raises(ChapterError, match="x must be >= 0"):
        run_chapter("01_tiny", {"x": -1.0}, directory=tiny_book)


def test_bad_worker_count():
    with pytest.raises(ValueError, match="workers must be a positive integer"):
        ResultsPool(0)


@pytest.mark.chapters
def test_a_book_chapter_for_results_equals_its_kernel_run():
    """The theory chapter: every recorded value the same as in a kernel."""
    with ResultsPool(1) as pool:
        here = pool.submit("01_theory", {"nucleus": "Cs133"}).result()
    assert here == run_chapter("01_theory", {"nucleus": "Cs133"})


@pytest.mark.chapters
def test_a_chapter_without_its_data_reports_them_missing(tmp_path, monkeypatch):
    """As in a kernel: the chapter becomes a notice and its results say which data are missing."""
    monkeypatch.setenv("CEVNS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with ResultsPool(1) as pool:
        res = pool.submit("08_coherent_data", {"experiment": "CsI-2021"}).result()
    assert res["values"] == {} and "csi2021" in res["data_missing"]


def test_chapter_imports_are_parsed_from_the_code_cells(tiny_book):
    from cevns_lib.book.inprocess import chapter_imports, preload

    (tiny_book / "02_imports.md").write_text(FAILING.replace("import matplotlib.pyplot as plt",
                                                             "import json\nfrom cevns_lib.physics import constants as c\n"
                                                             "from cevns_lib.physics.nuclei import get_nucleus\n%time 1"),
                                             encoding="utf-8")
    names = chapter_imports(tiny_book)
    assert {"cevns_lib.book.results", "cevns_lib.book.results.ChapterResults"} <= set(names)
    assert "json" not in names                                 # the cell with IPython syntax is not parsed
    loaded = preload(tiny_book)
    assert "cevns_lib.book.results" in loaded and "cevns_lib.book.results.ChapterResults" not in loaded
    assert "cevns_lib.book.forkserver_warmup" in loaded            # the environment-free registries, parsed


def test_the_warmup_parses_only_registries_the_environment_cannot_change():
    from cevns_lib.book import forkserver_warmup  # noqa: F401
    from cevns_lib.book.published import load_published
    from cevns_lib.datafiles.loader import file_registry

    assert file_registry.cache_info().currsize == 1 and load_published.cache_info().currsize == 1
    code = open(forkserver_warmup.__file__, encoding="utf-8").read().split('"""')[-1]
    assert "load_registry" not in code            # experiments.toml + the user's registries: read per run
