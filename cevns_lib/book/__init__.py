"""The book layer: results contract, published numbers, dashboard, chapter runner, CLI, explorers."""

from cevns_lib.book.nodata import require_data  # noqa: E402,F401  (one call in a data chapter)
