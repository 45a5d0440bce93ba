"""The book build's results cache: a chapter's default run stores its results, the dashboard reuses
exactly that (chapter, full parameters, chapter source) and nothing else."""

from cevns_lib.book import dashboard, run_cache
from cevns_lib.book.results import ChapterResults


def test_default_run_is_stored_and_reused_only_for_the_same_parameters(tmp_path, monkeypatch):
    monkeypatch.setenv(run_cache.CACHE_ENV, str(tmp_path))
    res = ChapterResults("05_weak_mixing_angle", parameters={"experiment": "PIP2-BD"}, glue=False)
    res.record("x", 1.5)
    res.write("")                                                # the book build's default run
    got = dashboard.reused_results("05_weak_mixing_angle", {"experiment": "PIP2-BD"})
    assert got == {"chapter": "05_weak_mixing_angle", "parameters": {"experiment": "PIP2-BD"}, "values": {"x": 1.5}}
    assert run_cache.lookup("05_weak_mixing_angle", {}) == got                      # defaults filled in
    assert run_cache.lookup("05_weak_mixing_angle", {"experiment": "CCM"}) is None
    assert run_cache.lookup("05_weak_mixing_angle", {"threshold_keVnr": 5.0}) is None
    assert run_cache.lookup("06_em_properties", {}) is None


def test_non_default_or_data_missing_runs_are_not_stored(tmp_path, monkeypatch):
    monkeypatch.setenv(run_cache.CACHE_ENV, str(tmp_path))
    res = ChapterResults("05_weak_mixing_angle", parameters={"experiment": "CCM"}, glue=False)
    res.write("")                                                # edited parameters: not a default run
    assert not list(tmp_path.iterdir())
    assert not run_cache.store({"chapter": "05_weak_mixing_angle", "parameters": {}, "values": {},
                                "data_missing": ["csi2021"]})
    assert not run_cache.store({"chapter": "99_nowhere", "parameters": {}, "values": {}})


def test_without_the_variable_nothing_is_stored_or_reused(tmp_path, monkeypatch):
    monkeypatch.delenv(run_cache.CACHE_ENV, raising=False)
    ChapterResults("05_weak_mixing_angle", parameters={"experiment": "PIP2-BD"}, glue=False).write("")
    assert dashboard.reused_results("05_weak_mixing_angle", {"experiment": "PIP2-BD"}) is None


def test_an_edited_chapter_is_not_served_a_stale_result(tmp_path, monkeypatch):
    book = tmp_path / "book"
    book.mkdir()
    chapter = book / "01_tiny.md"
    chapter.write_text("```{code-cell} ipython3\n:tags: [parameters]\n\nresults_path = \"\"\nx = 1.0\n```\n")
    monkeypatch.setenv(run_cache.CACHE_ENV, str(tmp_path / "cache"))
    assert run_cache.store({"chapter": "01_tiny", "parameters": {"x": 1.0}, "values": {"y": 2.0}}, book)
    assert run_cache.lookup("01_tiny", {}, book)["values"] == {"y": 2.0}
    chapter.write_text(chapter.read_text() + "\n# edited\n")
    assert run_cache.lookup("01_tiny", {}, book) is None
