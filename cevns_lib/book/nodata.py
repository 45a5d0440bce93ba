"""Chapters that need data files: one call that lets them build without the data.

Usage, ONE line in the chapter's setup cell (after ``results_path`` and the parameters are known)::

    from cevns_lib.book import require_data
    require_data("09_light_mediators", "csi2017", "csi2021", "ar2020_analysisA",
                 parameters={"dataset": dataset}, results_path=results_path)

With the data sets present (found in ``CEVNS_DATA_DIR`` or the user cache) it does nothing and
returns True. Without them it

1. displays one admonition naming the missing data sets and the fetch command;
2. writes ``{"chapter", "parameters", "values": {}, "data_missing": [...]}`` to ``results_path``
   (when given), so runners and the dashboard tell "data not available" from "failed";
3. glues a placeholder for every ``{glue…}`` key the chapter's prose references, and makes every
   later code cell a no-op (an IPython input transformer); a later cell that carries a figure
   name referenced by ``{numref}`` shows a small placeholder figure instead, so that
   ``jupyter-book build -W`` finds every key and label;

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


def _skip_later_cells(figure_sources: set) -> None:
    from IPython import get_ipython

    ip = get_ipython()
    if ip is None:
        return

    def no_op(lines):
        if "".join(lines).strip() in figure_sources:
            return ["from cevns_lib.book.nodata import _placeholder_figure\n", "_placeholder_figure();\n"]
        return ["pass\n"]

    ip.input_transformers_post.append(no_op)


def missing_message(chapter: str, missing) -> str:
    """The one-sentence reason shown in the admonition and recorded by runners."""
    names = " ".join(missing)
    return (f"This chapter needs the data set{'s' if len(missing) > 1 else ''} {', '.join(missing)}, which "
            f"{'are' if len(missing) > 1 else 'is'} not available here, so it shows no results. Fetch "
            f"{'them' if len(missing) > 1 else 'it'} with `cevns data fetch {names}` (or `make data`), or set "
            f"{loader.ENV_VAR} to the data folder, and rebuild (README, section Data).")


def require_data(chapter: str, *datasets, parameters: dict | None = None, results_path: str = "") -> bool:
    """True when ``datasets`` are available; otherwise turn the rest of the chapter into a notice.

    Parameters
    ----------
    chapter : str
        File stem of the calling chapter (its prose is scanned for glue keys and figure names).
    *datasets : str
        Registered data sets the chapter reads (e.g. ``"csi2021"``).
    parameters : dict, optional
        The chapter's papermill parameters (written to the results file).
    results_path : str
        The chapter's ``results_path`` parameter ("" = no results file).
    """
    missing = loader.missing_datasets(datasets)
    if not missing:
        return True
    from IPython.display import HTML, display

    from cevns_lib.book.results import ChapterResults

    text = missing_message(chapter, missing)
    body = html.escape(text).replace("`", "")
    display(HTML(f'<div class="admonition warning"><p class="admonition-title">Data not available</p>'
                 f"<p>{body}</p></div>"))
    print(text)
    res = ChapterResults(chapter, parameters=parameters, glue=False)
    res.data_missing = list(missing)
    res.write(results_path)
    src = _chapter_source(chapter)
    if src is not None:
        try:
            from myst_nb import glue
        except ImportError:
            glue = None
        if glue is not None:
            for key, (kind, fmt) in _glue_refs(src.read_text(encoding="utf-8")).items():
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
        _skip_later_cells(_figure_cells(src))
    else:
        _skip_later_cells(set())
    return False
