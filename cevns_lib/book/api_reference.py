"""The API reference page of the book: one autodoc section per module of ``cevns_lib``.

The module list is read from the installed package at build time (``pkgutil``), so the page
follows the library's layout without being edited. ``book/api.md`` displays :func:`api_markdown`
as Markdown, which the build parses as MyST (``nb_render_markdown_format: myst``).
"""

import importlib
import pkgutil

PIPELINE_ORDER = ("physics", "datafiles", "experiments", "engine", "analysis", "book")
"""Order of the subpackages on the page (data flow of DESIGN.md); others follow alphabetically."""

EXCLUDED = ("cevns_lib.book.sphinx_hide_parameters", "cevns_lib.book.sphinx_docstrings")
"""Modules left out of the reference (build machinery)."""


def library_modules(package="cevns_lib") -> list:
    """Dotted names of the package's modules, in pipeline order (subpackage first, then its modules)."""
    pkg = importlib.import_module(package)
    names = [m.name for m in pkgutil.walk_packages(pkg.__path__, prefix=package + ".")]
    names = [n for n in names if n not in EXCLUDED]

    def key(name):
        parts = name.split(".")
        top = parts[1] if len(parts) > 1 else ""
        rank = PIPELINE_ORDER.index(top) if top in PIPELINE_ORDER else len(PIPELINE_ORDER)
        return (rank, top, name)

    return sorted(names, key=key)


def api_markdown(package="cevns_lib") -> str:
    """MyST markdown with a heading and an ``automodule`` directive (members, in ``eval-rst``) per module."""
    out = []
    for name in library_modules(package):
        level = "##" if name.count(".") == 1 else "###"
        # eval-rst: autodoc writes reStructuredText, which a MyST directive body would misread
        out += [f"{level} `{name}`", "", "```{eval-rst}", f".. automodule:: {name}", "   :members:",
                "   :show-inheritance:", "```", ""]
    return "\n".join(out)
