"""Parallel execution of the book's notebooks into the build's jupyter-cache (cevns_lib.book.preexecute)."""

import io

from cevns_lib.book.preexecute import book_notebooks, largest_first, preexecute
from test_inprocess import FAILING


def test_notebooks_are_the_files_with_a_kernel_except_the_dashboard(tiny_book):
    (tiny_book / "glossary.md").write_text("# Glossary\n\nno code\n", encoding="utf-8")
    (tiny_book / "10_reproduction.md").write_text((tiny_book / "01_tiny.md").read_text(), encoding="utf-8")
    assert [p.name for p in book_notebooks(tiny_book)] == ["01_tiny.md"]
    assert "10_reproduction" not in [p.stem for p in book_notebooks("book")]
    assert {"01_theory", "09_light_mediators", "intro"} <= {p.stem for p in book_notebooks("book")}


def test_executed_notebooks_are_cached_and_failures_are_left_to_jupyter_book(tiny_book, tmp_path):
    from jupyter_cache import get_cache

    (tiny_book / "02_fails.md").write_text(FAILING, encoding="utf-8")
    out = io.StringIO()
    res = preexecute(tmp_path / "cache", tiny_book, timeout=120, stream=out)
    assert [p.endswith("01_tiny.md") for p in map(str, res["succeeded"])] == [True]
    assert len(res["failed"]) == 1 and "02_fails.md" in str(res["failed"][0])
    assert "pre-executed 1 notebooks" in out.getvalue()
    cache = get_cache(str(tmp_path / "cache"))
    assert len(cache.list_cache_records()) == 1


def test_the_longest_chapters_are_executed_first(tiny_book):
    (tiny_book / "02_long.md").write_text((tiny_book / "01_tiny.md").read_text() * 3, encoding="utf-8")
    (tiny_book / "03_same.md").write_text((tiny_book / "01_tiny.md").read_text(), encoding="utf-8")
    assert [p.name for p in largest_first(book_notebooks(tiny_book))] == ["02_long.md", "01_tiny.md", "03_same.md"]
