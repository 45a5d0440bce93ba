"""Results of the chapters' default runs in one book build, for the dashboard to reuse.

During ``make book`` the variable ``CEVNS_RESULTS_CACHE`` names a folder inside ``_build`` (emptied
with it at the start of every build). Each chapter that Jupyter Book executes with its default
parameters (``results_path = ""``) stores its results there (:func:`store`, called by
:meth:`cevns_lib.book.results.ChapterResults.write`); the dashboard, executed after the chapters,
takes those instead of re-running them (:func:`lookup`). ``make book`` also computes the dashboard's
other runs in the background while the chapters execute (:mod:`cevns_lib.book.prefetch`,
:func:`put`). The key is the chapter, its full parameter
set (defaults filled in) and a hash of the chapter's source, so an edited chapter or another
parameter set is never served a stale result. Without the variable nothing is stored or reused.
"""

import hashlib
import json
import os
from pathlib import Path

CACHE_ENV = "CEVNS_RESULTS_CACHE"


def _folder():
    path = os.environ.get(CACHE_ENV, "")
    return Path(path) if path else None


def full_parameters(chapter: str, parameters: dict, directory=None) -> dict:
    """The chapter's parameters with defaults filled in (typed; without ``results_path``)."""
    from cevns_lib.book import chapters

    known = chapters.chapter_parameters(chapters.resolve_chapter(chapter, directory))
    out = {k: p.default for k, p in known.items() if k != "results_path"}
    for k, v in parameters.items():
        if k not in out:
            raise ValueError(f"chapter {chapter} has no parameter {k!r}")
        out[k] = known[k].convert(v) if isinstance(v, str) and not isinstance(known[k].default, str) else v
    return out


def cache_key(chapter: str, parameters: dict, directory=None) -> str:
    """Hash of (chapter, full parameters, chapter source)."""
    from cevns_lib.book import chapters

    source = chapters.resolve_chapter(chapter, directory).read_bytes()
    blob = json.dumps([chapter, full_parameters(chapter, parameters, directory),
                       hashlib.sha1(source).hexdigest()], sort_keys=True, default=str)
    return hashlib.sha1(blob.encode()).hexdigest()


def store(results: dict, directory=None) -> bool:
    """Store the results of a default run (ignored unless ``CEVNS_RESULTS_CACHE`` is set and the
    recorded parameters are the chapter's defaults). Returns True when stored."""
    folder = _folder()
    if folder is None or results.get("data_missing"):
        return False
    chapter = results["chapter"]
    try:
        defaults = full_parameters(chapter, {}, directory)
    except (ValueError, FileNotFoundError):
        return False                                           # not a chapter of this book
    if any(defaults.get(k, object()) != v for k, v in results.get("parameters", {}).items()):
        return False
    from cevns_lib.book.results import write_atomic

    write_atomic(folder / f"{cache_key(chapter, {}, directory)}.json", json.dumps(results, ensure_ascii=False))
    return True


def put(chapter: str, parameters: dict, results: dict, directory=None) -> bool:
    """Store the results of any run of this build (the dashboard's runs computed ahead of it, see
    :mod:`cevns_lib.book.prefetch`); ignored unless ``CEVNS_RESULTS_CACHE`` is set."""
    folder = _folder()
    if folder is None:
        return False
    from cevns_lib.book.results import write_atomic

    write_atomic(folder / f"{cache_key(chapter, parameters, directory)}.json", json.dumps(results, ensure_ascii=False))
    return True


def lookup(chapter: str, parameters: dict, directory=None):
    """The stored results of this (chapter, parameters) in the current build, or None."""
    folder = _folder()
    if folder is None:
        return None
    path = folder / f"{cache_key(chapter, parameters, directory)}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
