"""A chapter section that needs missing data (cevns_lib.book.nodata.require_data with ``cells=``)
skips its cells and glues a placeholder for exactly the prose keys those cells would have set, so
that the book builds with ``-W`` (no missing key, no key glued twice)."""

import json
from pathlib import Path

from cevns_lib.book.chapters import run_chapter
from conftest import NOTEBOOK_HEADER, RESULTS_PATH_CELL

SECTION = NOTEBOOK_HEADER + '''# Section

''' + RESULTS_PATH_CELL + '''
```{code-cell} ipython3
from myst_nb import glue
from cevns_lib.book import require_data
from cevns_lib.book.glue import glue_all
from cevns_lib.book.results import ChapterResults
results = ChapterResults("01_section", parameters={})
glue_all({"before": 1.0})
```

## Needs the recast limits

Glued before {glue:text}`before:.1f`; by the skipped cells: {glue:text}`direct:.2f`, {glue:text}`helper:.2f`,
{glue:text}`shown:.2f`.

```{code-cell} ipython3
present = require_data(results, "recast", cells=2, keys=["helper"])
```

```{code-cell} ipython3
glue("direct", 2.0, display=False)
glue_all({"helper": 3.0})
```

```{code-cell} ipython3
results.record_or_show("shown", 4.0, False)
```

## After the section

```{code-cell} ipython3
glue_all({"after": 5.0})
results.record("present", float(present))
results.write(results_path)
```

Glued after {glue:text}`after:.1f`.
'''


def _glued(notebook) -> list:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return [o["metadata"]["scrapbook"]["name"] for c in cells for o in c.get("outputs", [])
            if "scrapbook" in o.get("metadata", {})]


def test_a_skipped_section_glues_each_of_its_prose_keys_once(tmp_path, monkeypatch):
    book = tmp_path / "book"
    book.mkdir()
    (book / "01_section.md").write_text(SECTION, encoding="utf-8")
    monkeypatch.setenv("CEVNS_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    nb = tmp_path / "out.ipynb"
    res = run_chapter("01_section", {}, tmp_path / "r.json", nb, directory=book)
    assert res["data_missing"] == ["recast"] and res["values"]["present"] == 0.0
    assert sorted(_glued(nb)) == ["after", "before", "direct", "helper", "present", "shown"]
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    html = [o["data"]["text/html"] for c in cells for o in c.get("outputs", []) if "text/html" in o.get("data", {})]
    assert len(html) == 1 and "This section needs the data set recast" in "".join(html[0])


def test_no_chapter_displays_the_value_of_a_section_skip():
    """A bare ``require_data(...)`` as the last line of a cell would print True/False in the book."""
    import jupytext

    for path in sorted(Path("book").glob("[0-9]*.md")):
        for cell in jupytext.read(path).cells:
            lines = [ln.split("#")[0].rstrip() for ln in cell.source.splitlines() if ln.split("#")[0].strip()]
            if cell.cell_type == "code" and lines and lines[-1].startswith("require_data("):
                assert lines[-1].endswith(";"), f"{path.name}: end the require_data line with ';'"
