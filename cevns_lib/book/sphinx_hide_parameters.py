"""Sphinx extension: remove every notebook cell tagged ``parameters`` from the built pages.

Each chapter has a cell of papermill parameters (``cevns run`` overrides them); it is
configuration, not content, so the website shows none of them. Listed in ``_config.yml``
(``sphinx.extra_extensions``); myst-nb marks a cell's container with the class ``tag_<tag>``.
"""

from docutils import nodes

HIDDEN_TAGS = ("parameters",)
"""Cell tags whose cells are removed from the HTML."""


def remove_tagged_cells(app, doctree):
    """``doctree-read`` handler: drop the containers of cells carrying a tag of :data:`HIDDEN_TAGS`."""
    classes = {f"tag_{t}" for t in HIDDEN_TAGS}
    for node in list(doctree.findall(nodes.container)):
        if classes & set(node.get("classes", [])) and node.parent is not None:
            node.parent.remove(node)


def setup(app):
    """Register the handler (Sphinx entry point)."""
    app.connect("doctree-read", remove_tagged_cells)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
