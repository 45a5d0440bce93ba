"""Re-execute every chapter run that computes a published number and compare with the
published-numbers file (value, tolerance, source): one test per published number, each
(chapter, parameters) run executed once per session and shared with the other chapter tests
(``chapter_run`` of tests/conftest.py).

An entry with a ``known_deviation`` (a non-reproduction that is understood and explained in its
chapter) is a *strict* expected failure: the test fails if the number starts to pass, so that the
note is removed. Tolerances are never widened.
"""

import pytest

from cevns_lib.book import chapters
from cevns_lib.book.published import load_published

NUMBERS = load_published()
SHARED_CHAPTER_RUNS = list(dict.fromkeys((p.chapter, tuple(sorted(p.parameters.items()))) for p in NUMBERS))
SHARED_CHAPTER_RUNS = [(c, dict(ps)) for c, ps in SHARED_CHAPTER_RUNS]
"""Started in parallel at collection (tests/conftest.py)."""


def _param(number):
    """A published number, marked as needing the data sets its chapter reads for it."""
    datasets, keys = chapters.data_needs(chapters.resolve_chapter(number.chapter))
    if datasets and (keys is None or number.key in keys):
        return pytest.param(number, marks=pytest.mark.needs_data(*datasets), id=number.id)
    return pytest.param(number, id=number.id)


def test_published_file_is_well_formed():
    assert len(NUMBERS) >= 20
    for p in NUMBERS:
        assert p.source.strip()
        assert p.chapter in chapters.chapter_files()


@pytest.mark.chapters
@pytest.mark.parametrize("number", [_param(p) for p in NUMBERS])
def test_chapter_reproduces_published_number(number, chapter_run):
    values = chapter_run(number.chapter, number.parameters)
    assert number.key in values, f"{number.chapter} did not record {number.key!r}"
    ok, dev = number.compare(values[number.key])
    got = values[number.key][number.item] if number.item else values[number.key]
    message = f"{number.id}: computed {got} vs published {number.value} ({number.tolerance}, deviation {dev:.4g})"
    if number.known_deviation:
        assert not ok, f"{message} now passes: remove its known_deviation from published_numbers.toml"
        pytest.xfail(f"known deviation: {message}")
    assert ok, message
