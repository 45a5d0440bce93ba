"""Chapters that need data files: one call that lets them build without the data.

Usage, ONE call in the chapter's setup cell, right after its ``ChapterResults`` is made::

    from cevns_lib.book import require_data
    require_data(results, "csi2017", "csi2021", "ar2020_analysisA", results_path=results_path)

For a data section inside a chapter that otherwise needs no data, put the call in a cell of its own
just before the section and give the number of code cells the section has: ``cells=3``. The glue
keys those cells set are found in their source (``glue("key", …)``, ``record("key", …)``,
``record_or_show("key", …)``); keys they glue through a helper (``glue_all(numbers(…))``) must be
named with ``keys=``.

With the data sets present (found in ``CEVNS_DATA_DIR`` or the user cache) it does nothing and
returns True. Without them it

1. displays one admonition naming the missing data sets and the fetch command;
2. marks the results (``"data_missing": [...]`` in the JSON) so runners and the dashboard tell
   "data not available" from "failed"; for a whole chapter it writes the (value-less) results file
   to ``results_path`` at once;
3. makes every later code cell (or the next ``cells`` ones) a no-op with an IPython input
   transformer; a skipped cell that carries a figure name (``mystnb.figure.name``) shows a small
   placeholder figure instead, and every ``{glue…}`` key of the prose that no executed cell
   provides gets a placeholder, so that ``jupyter-book build -W`` finds every key and label;

and returns False. A file that is present but fails its checksum is not "missing": the chapter
then fails when it reads it (a failure, never a skip).
"""

import html
import re
from pathlib import Path

from cevns_lib.datafiles import loader

_GLUE = re.compile(r"\{glue(?::(?P<kind>[a-z]+))?\}`(?P<body>[^`]+)`")


def _chapter_source(chapter: str) -> Path | None:
    for cand in (Path(f"{chapter}.md"), Path("book") / f"{chapter}.md"):
        if cand.is_file():
            return cand
    try:
        from cevns_lib.book.chapters import resolve_chapter

        return resolve_chapter(chapter)
    except (ValueError, FileNotFoundError):
        return None


def _glue_refs(text: str) -> dict:
    """``{key: (kind, format_spec)}`` of the glue roles/directives of this document (not ``doc::key``)."""
    refs = {}
    for m in _GLUE.finditer(text):
        body = m["body"].strip()
        if "::" in body:
            continue
        key, _, fmt = body.partition(":")
        refs[key] = (m["kind"] or "any", fmt)
    for m in re.finditer(r"^```\{glue(?::(?P<kind>[a-z]+))?\}\s+(?P<key>\S+)", text, re.M):
        refs[m["key"]] = (m["kind"] or "any", "")
    return refs


def _figure_cells(path: Path) -> set:
    """Sources of the code cells that carry a figure name (``mystnb.figure.name`` or ``name``)."""
    import jupytext

    out = set()
    for cell in jupytext.read(path).cells:
        meta = cell.metadata.get("mystnb", {}) if cell.cell_type == "code" else {}
        if isinstance(meta, dict) and isinstance(meta.get("figure"), dict) and meta["figure"].get("name"):
            out.add(cell.source.strip())
    return out


def _placeholder_figure():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 1.2))
    ax.axis("off")
    ax.text(0.5, 0.5, "data not available", ha="center", va="center", fontsize=12, color="0.4")
    return fig


def _skip_later_cells(figure_sources: set, cells: int | None) -> None:
    from IPython import get_ipython

    ip = get_ipython()
    if ip is None:
        return
    left = [cells]
    seen = set()           # IPython may transform one cell more than once: count distinct cells

    def no_op(lines):
        source = "".join(lines).strip()
        if left[0] is not None and source not in seen:
            if left[0] <= 0:
                return lines
            left[0] -= 1
            seen.add(source)
        if source in figure_sources:
            return ["from cevns_lib.book.nodata import _placeholder_figure\n", "_placeholder_figure();\n"]
        return ["pass\n"]

    ip.input_transformers_post.append(no_op)


def _section_keys(path: Path, after: str, cells: int | None) -> set | None:
    """Glue/record keys set by the code cells that will be skipped (None: every later cell)."""
    if cells is None:
        return None
    import jupytext

    code = [c.source for c in jupytext.read(path).cells if c.cell_type == "code"]
    start = next((i for i, src in enumerate(code) if src.strip() == after.strip()), None)
    if start is None:
        start = next((i for i, src in enumerate(code) if after in src), None)
    if start is None:
        return set()
    skipped = "\n".join(code[start + 1:start + 1 + cells])
    return set(re.findall(r"\b(?:glue|record|record_or_show)\(\s*[\"']([^\"']+)[\"']", skipped))


def missing_message(chapter: str, missing, part: str = "chapter") -> str:
    """The one-sentence reason shown in the admonition and recorded by runners (``part``: what
    shows no results, the chapter or one of its sections)."""
    names = " ".join(missing)
    return (f"This {part} needs the data set{'s' if len(missing) > 1 else ''} {', '.join(missing)}, which "
            f"{'are' if len(missing) > 1 else 'is'} not available here, so it shows no results. Fetch "
            f"{'them' if len(missing) > 1 else 'it'} with `cevns data fetch {names}` (or `make data`), or set "
            f"{loader.ENV_VAR} to the data folder, and rebuild (README, section Data).")


def require_data(results, *datasets, results_path: str = "", cells: int | None = None, keys=()) -> bool:
    """True when ``datasets`` are available; otherwise turn the rest of the chapter into a notice.

    Parameters
    ----------
    results : cevns_lib.book.results.ChapterResults
        The chapter's results (its ``chapter`` names the source scanned for glue keys and figures).
    *datasets : str
        Registered data sets the chapter reads (e.g. ``"csi2021"``).
    results_path : str
        The chapter's ``results_path`` parameter ("" = no results file); used for a whole chapter.
    cells : int, optional
        Skip only the next ``cells`` code cells (a data section); default: every later cell.
    keys : iterable of str
        With ``cells``: glue keys the skipped cells set that their source does not name (set through
        a helper such as :func:`~cevns_lib.book.glue.glue_all`); they get placeholders too.
    """
    missing = loader.missing_datasets(datasets)
    if not missing:
        return True
    from IPython.display import HTML, display

    chapter = results.chapter
    text = missing_message(chapter, missing, "chapter" if cells is None else "section")
    body = html.escape(text).replace("`", "")
    display(HTML(f'<div class="admonition warning"><p class="admonition-title">Data not available</p>'
                 f"<p>{body}</p></div>"))
    results.data_missing = sorted(set(results.data_missing) | set(missing))
    if cells is None:
        results.write(results_path)
    src = _chapter_source(chapter)
    if src is not None:
        try:
            from myst_nb import glue
        except ImportError:
            glue = None
        from IPython import get_ipython

        ip = get_ipython()
        current = (ip.user_ns.get("In") or [""])[-1] if ip is not None else ""
        wanted = _section_keys(src, current or "require_data(", cells)
        if wanted is not None:
            wanted |= set(keys)
        if glue is not None:
            for key, (kind, fmt) in _glue_refs(src.read_text(encoding="utf-8")).items():
                if wanted is not None and key not in wanted:
                    continue
                if kind == "figure":
                    import matplotlib.pyplot as plt

                    fig = _placeholder_figure()
                    glue(key, fig, display=False)
                    plt.close(fig)
                elif fmt and fmt[-1] in "eEfFgGn%":
                    glue(key, float("nan"), display=False)
                elif fmt and fmt[-1] in "bcdoxX":
                    glue(key, 0, display=False)
                else:
                    glue(key, "(data not available)", display=False)
        _skip_later_cells(_figure_cells(src), cells)
    else:
        _skip_later_cells(set(), cells)
    return False
