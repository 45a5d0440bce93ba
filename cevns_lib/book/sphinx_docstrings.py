"""Sphinx extension: read the library's plain-text docstrings as reStructuredText without warnings.

The docstrings of ``cevns_lib`` are written for the terminal (numpy style, handled by napoleon).
Two habits of plain text mean something else in reStructuredText, and the book builds with ``-W``:

- ``|q|``, ``|x − y|`` (absolute values) are substitution references: the bars are escaped;
- a ``- item`` list straight after a paragraph line (or a paragraph straight after a list) needs
  a blank line between them: one is inserted.

Runs on ``autodoc-process-docstring`` after napoleon (priority 600); literal blocks (after ``::``)
are left untouched.
"""

import re

ABS_BARS = re.compile(r"(?<![\\`|])\|(?=\S)([^|`\n]*?\S)\|(?![_|`])")
BULLET = re.compile(r"^(\s*)[-*] \S")


def escape_bars(line: str) -> str:
    """Escape |…| pairs (absolute values), leaving roles, literals and table borders alone."""
    if line.lstrip().startswith(("| ", "+-", "+=")) or "``" in line:
        return line
    return ABS_BARS.sub(lambda m: "\\|" + m.group(1) + "\\|", line)


def fix_lines(lines):
    """The docstring lines with bars escaped and blank lines around bullet lists (a new list)."""
    out, in_list, list_indent, literal_indent = [], False, 0, None
    for line in lines:
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if literal_indent is not None:  # inside a literal block: copy until it dedents
            if stripped and indent <= literal_indent:
                literal_indent = None
            else:
                out.append(line)
                continue
        bullet = BULLET.match(line)
        prev = out[-1] if out else ""
        if bullet and prev.strip() and not in_list:
            out.append("")
        elif in_list and stripped and not bullet and indent <= list_indent:
            out.append("")
            in_list = False
        if bullet:
            in_list, list_indent = True, len(bullet.group(1))
        elif not stripped:
            pass  # a blank line may separate list items
        out.append(escape_bars(line))
        if stripped.endswith("::"):
            literal_indent = indent
    return out


def process_docstring(app, what, name, obj, options, lines):
    """``autodoc-process-docstring`` handler (edits ``lines`` in place)."""
    lines[:] = fix_lines(lines)


def setup(app):
    """Register the handler (Sphinx entry point)."""
    app.setup_extension("sphinx.ext.autodoc")
    app.connect("autodoc-process-docstring", process_docstring, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
