"""Sphinx extension: drop repeated ``<script>`` entries from every page.

Jupyter Book 1.x registers some extensions twice (sphinx-thebe, sphinx-togglebutton), so each page
declared ``const THEBE_JS_URL`` twice and the browser logged a SyntaxError on every page. A script
is repeated when its file name and attributes (inline body included) are the same.
"""


def _dedupe(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for js in scripts:
        attributes = getattr(js, "attributes", None) or {}
        filename = getattr(js, "filename", js) or ""   # an inline script's file name is None or ""
        key = (str(filename), tuple(sorted((k, str(v)) for k, v in attributes.items())))
        if key in seen:
            continue
        seen.add(key)
        kept.append(js)
    context["script_files"] = kept


def setup(app):
    app.connect("html-page-context", _dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
