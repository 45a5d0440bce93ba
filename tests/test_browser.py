"""Browser test of the built website: every page rendered in headless Chromium, offline.

Runs after the book is built (``make book``); it builds nothing itself. The site is read from
``$CEVNS_HTML_DIR`` (default ``_build/html`` beside this folder; the default site is skipped
if a book or library source is newer than it, an explicit one is tested as it is). Without Chromium or a built
site the tests are skipped with the reason, unless ``CEVNS_REQUIRE_BROWSER_TEST=1`` (set by the
CI target) turns the skip into a failure.

Checks
------
- no page references a script, stylesheet, image or frame on the network (static HTML), and no
  page *requests* anything from the network while rendering (Chromium's net log, with every host
  mapped to an unresolvable address);
- MathJax typesets: pages with math have ``mjx-container`` elements in the rendered DOM;
- every chapter whose executed notebook has figures shows them (``<img>`` under ``_images/``,
  files present);
- the explorers page is live without a kernel: kernels embedded, ``_static/cevns-explorers.js``
  loaded, plots and sliders rendered (the numbers: ``test_browser_explorers.py``);
- the reproduction dashboard is consistent: no row both ✓ and ✗, ✓/✗ agree with the deviation
  and tolerance shown, and the intro's summary sentence matches the table.
"""

import json
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

bs4 = pytest.importorskip("bs4")

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
HTML = Path(os.environ.get("CEVNS_HTML_DIR", ROOT / "_build" / "html"))
REQUIRED = os.environ.get("CEVNS_REQUIRE_BROWSER_TEST", "") not in ("", "0")
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-default-apps", "--disable-extensions",
                  "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=10000")
NETWORK = re.compile(r"^(https?:)?//", re.I)


def _skip(reason):
    if REQUIRED:
        pytest.fail(reason + " (CEVNS_REQUIRE_BROWSER_TEST is set)")
    pytest.skip(reason)


def _chromium():
    env = os.environ.get("CHROMIUM")
    if env:
        return env
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _pages():
    return sorted((HTML / "book").glob("*.html"))


def _soup(text):
    return bs4.BeautifulSoup(text, "html.parser")


@pytest.fixture(scope="module")
def site():
    """Raw HTML of every page of the built book (skips if there is no built site)."""
    if not (HTML / "book" / "intro.html").exists():
        _skip(f"no built site in {HTML}: run `make book` first (or set CEVNS_HTML_DIR)")
    sources = list((ROOT / "book").glob("*.md")) + list((ROOT / "cevns_lib").rglob("*.py"))
    built = (HTML / "book" / "intro.html").stat().st_mtime
    newer = [p.relative_to(ROOT).as_posix() for p in sources if p.stat().st_mtime > built]
    if newer and "CEVNS_HTML_DIR" not in os.environ:  # an explicit site is tested as it is
        _skip(f"the built site in {HTML} is older than {', '.join(sorted(newer)[:5])}: rebuild with `make book`")
    return {p.stem: p.read_text(encoding="utf-8") for p in _pages()}


def _render(chromium, page, workdir):
    """(rendered DOM, list of network URLs the page requested) for one page."""
    netlog = workdir / f"{page.stem}.netlog.json"
    cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={workdir / ('profile-' + page.stem)}",
           f"--log-net-log={netlog}", "--dump-dom", page.resolve().as_uri()]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    if out.returncode != 0 or not out.stdout.strip():
        raise RuntimeError(f"chromium failed on {page.name} (exit {out.returncode}): {out.stderr[-2000:]}")
    return out.stdout, _page_requests(netlog)


def _page_requests(netlog: Path):
    """Network (http/https/ws) URLs requested by the page itself, from Chromium's net log.

    Chromium's own background traffic (updates, accounts) is not initiated by a file:// page and
    is ignored; page requests carry the file:// network-isolation key.
    """
    try:
        data = json.loads(netlog.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        # chromium may leave the final "]}" off if killed; the log is then unusable
        raise RuntimeError(f"unreadable chromium net log {netlog}") from None
    names = {v: k for k, v in data["constants"]["logEventTypes"].items()}
    urls = []
    for e in data.get("events", []):
        if names.get(e.get("type")) != "URL_REQUEST_START_JOB":
            continue
        p = e.get("params", {})
        url = p.get("url", "")
        from_page = p.get("initiator") == "null" or "file://" in p.get("network_isolation_key", "")
        if from_page and re.match(r"^(https?|wss?):", url):
            urls.append(url)
    return urls


@pytest.fixture(scope="module")
def rendered(site, tmp_path_factory):
    """Rendered DOM and network requests of every page (Chromium, two pages at a time)."""
    chromium = _chromium()
    if chromium is None:
        _skip("Chromium not found (apt-get install -y chromium, or set CHROMIUM=/path/to/chrome)")
    work = tmp_path_factory.mktemp("chromium")
    pages = _pages()
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda p: _render(chromium, p, work), pages))
    return {p.stem: r for p, r in zip(pages, results)}


# --- offline ----------------------------------------------------------------------------------------

def test_no_network_references(site):
    bad = []
    for stem, text in site.items():
        soup = _soup(text)
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"),
                          ("source", "src"), ("video", "src"), ("audio", "src"), ("embed", "src")):
            for el in soup.find_all(tag):
                url = el.get(attr, "")
                if tag == "link" and not set(el.get("rel", [])) & {"stylesheet", "preload", "modulepreload",
                                                                     "icon", "manifest", "prefetch"}:
                    continue
                if NETWORK.match(url):
                    bad.append(f"{stem}: <{tag} {attr}={url}>")
        for style in soup.find_all("style"):
            bad += [f"{stem}: @import {m}" for m in re.findall(r"@import\s+url\(['\"]?(?:https?:)?//[^)]*", style.text)]
    assert not bad, "pages load resources from the network:\n" + "\n".join(bad)


def test_no_network_requests_while_rendering(rendered):
    bad = {stem: urls for stem, (_, urls) in rendered.items() if urls}
    assert not bad, f"pages requested network resources while rendering: {bad}"


# --- math, figures ----------------------------------------------------------------------------------

def test_mathjax_typesets(site, rendered):
    pages_with_math = [s for s, t in site.items() if _soup(t).select(".math")]
    assert pages_with_math, "no page has any math: the check would be vacuous"
    missing = [s for s in pages_with_math if "<mjx-container" not in rendered[s][0]]
    assert not missing, f"MathJax did not typeset the math of: {missing}"
    for s in pages_with_math:  # no formula left as raw TeX delimiters in a math element
        dom = _soup(rendered[s][0])
        raw = [el.get_text()[:60] for el in dom.select(".math") if not el.find("mjx-container")]
        assert not raw, f"{s}: math left untypeset: {raw[:3]}"


def _executed_cells(stem):
    """Cells of the chapter's executed notebook, with outputs: from the build's execution cache
    (``make book`` executes into ``_build/.jupyter_cache``; the copy in ``jupyter_execute`` then has
    no outputs), else that copy; None when neither is found."""
    source = (ROOT / "book" / f"{stem}.md").resolve()
    cache = HTML.parent / ".jupyter_cache"
    if cache.is_dir() and source.exists():
        from jupyter_cache import get_cache

        db = get_cache(str(cache))
        try:
            record = db.get_cached_project_nb(str(source))
        except Exception:                       # noqa: BLE001 (not a project notebook of this cache)
            record = None
        if record is not None:
            return db.get_cache_bundle(record.pk).nb.cells
    nb = HTML.parent / "jupyter_execute" / "book" / f"{stem}.ipynb"
    return json.loads(nb.read_text(encoding="utf-8")).get("cells", []) if nb.exists() else None


def _notebook_figures(stem):
    """Number of figures a chapter must show: its executed notebook's image outputs (cells removed
    from the page not counted), or, without an executed notebook with outputs, its code cells that
    name a figure (``mystnb.figure.name``)."""
    import jupytext

    def shown(meta):
        return not {"remove-output", "remove-cell"} & set(meta.get("tags", []))

    cells = _executed_cells(stem) or []
    n = sum(1 for c in cells if shown(c.get("metadata", {})) for o in c.get("outputs", [])
            if "image/png" in o.get("data", {}) or "image/svg+xml" in o.get("data", {}))
    source = ROOT / "book" / f"{stem}.md"
    if n or not source.exists():
        return n
    return sum(1 for c in jupytext.read(source).cells if c.cell_type == "code" and shown(c.metadata)
               and isinstance(c.metadata.get("mystnb", {}).get("figure"), dict))


def test_chapter_figures_present(site, rendered):
    chapters = [s for s in site if re.match(r"^\d\d[a-z]?_", s)]
    assert chapters, "no chapter pages found"
    with_figures = [s for s in chapters if _notebook_figures(s) > 0]
    assert "01_theory" in with_figures, "the theory chapter should have figures"
    problems = []
    for s in with_figures:
        dom = _soup(rendered[s][0])
        imgs = [i.get("src", "") for i in dom.find_all("img") if "_images/" in i.get("src", "")]
        if len(imgs) < _notebook_figures(s):
            problems.append(f"{s}: {_notebook_figures(s)} figures expected, {len(imgs)} <img> under _images/")
        for src in imgs:
            if not (HTML / "book" / src).resolve().exists():
                problems.append(f"{s}: image {src} is missing")
    assert not problems, "\n".join(problems)


def test_figures_are_not_clipped(site):
    """The notebooks show each figure's whole canvas (``plotting.show_whole_canvas``, no tight crop;
    ``plotting.png_image`` never crops): nothing may reach the canvas edge, where it would be cut
    off. The one-pixel frame of every figure of the book's pages must be blank (one colour, the
    figure's background)."""
    from PIL import Image

    problems, checked = [], 0
    for stem, text in site.items():
        for img in _soup(text).find_all("img"):
            src = img.get("src", "")
            if "_images/" not in src or not src.endswith(".png"):
                continue
            pixels = np.asarray(Image.open(HTML / "book" / src).convert("RGB"))
            frame = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
            checked += 1
            if np.any(frame != frame[0]):
                rows = {"top": pixels[0], "bottom": pixels[-1], "left": pixels[:, 0], "right": pixels[:, -1]}
                edges = [e for e, line in rows.items() if np.any(line != frame[0])]
                problems.append(f"{stem}: {src} touches its canvas edge ({', '.join(edges)})")
    assert checked, "no figure found: the check would be vacuous"
    assert not problems, "figures cut off at the canvas edge:\n" + "\n".join(problems)


# --- widgets ----------------------------------------------------------------------------------------

def test_explorers_live_on_the_static_site(site, rendered):
    """The explorers compute in the browser (tests/test_browser_explorers.py checks the numbers):
    kernels embedded, script loaded from _static, controls and SVG plots rendered, no ipywidgets."""
    assert "explorers" in site, "the explorers page is missing from the build"
    raw = _soup(site["explorers"])
    data = raw.find("script", id="cevns-kernel-data", type="application/json")
    assert data is not None, "no embedded kernel data"
    assert json.loads(data.string)["schema"] == "cevns-kernels"
    srcs = [s.get("src", "") for s in raw.find_all("script") if s.get("src")]
    assert any(re.search(r"(^|/)_static/cevns-explorers\.js(\?|$)", s) for s in srcs), srcs
    assert (HTML / "_static" / "cevns-explorers.js").exists(), "_static/cevns-explorers.js missing from the build"
    assert not raw.find("script", type="application/vnd.jupyter.widget-state+json"), \
        "the website must not depend on ipywidgets"
    dom = _soup(rendered["explorers"][0])
    assert len(dom.select("svg.cevns-plot")) == 3, "the three explorer plots did not render"
    assert len(dom.select(".cevns-control input[type=range]")) >= 8, "sliders did not render"
    assert dom.find(id="spectrum-count") and "events above" in dom.find(id="spectrum-count").get_text()
    assert dom.find(id="chi2-interval") and dom.find(id="chi2-interval").get_text().startswith("[")


# --- dashboard --------------------------------------------------------------------------------------

_SUP = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def _number(text):
    """Parse a dashboard number ('3.4×10⁻⁵', '−0.5', '0.77%', '±2%'); None if not a number."""
    t = text.strip().lstrip("±").replace("−", "-").replace("%", "")
    m = re.fullmatch(r"(-?[\d.]+)(?:×10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+))?", t)
    if not m:
        return None
    return float(m.group(1)) * (10.0 ** int(m.group(2).translate(_SUP)) if m.group(2) else 1.0)


def _table_rows(dom, table_id):
    table = dom.find("table", id=table_id)
    assert table is not None, f"table #{table_id} not found on the dashboard"
    head = [th.get_text(" ", strip=True) for th in table.find("thead").find_all("th")]
    return [dict(zip(head, (td.get_text(" ", strip=True) for td in tr.find_all("td"))))
            for tr in table.find("tbody").find_all("tr")]


def test_dashboard_marks_are_consistent(site, rendered):
    dom = _soup(rendered["10_reproduction"][0])
    rows = _table_rows(dom, "tab-reproduction-published")
    assert rows, "the published-numbers table is empty"
    n_ok = 0
    for r in rows:
        status, name = r["Status"], r["Quantity"]
        assert not ("✓" in status and "✗" in status), f"{name}: marked both ✓ and ✗"
        if "not computed" in status or "data not available" in status:
            assert "✓" not in status and "✗" not in status and r["Computed"].startswith("—"), f"{name}: {r}"
            continue
        assert ("✓" in status) != ("✗" in status), f"{name}: status {status!r} has no mark"
        n_ok += "✓" in status
        # the compact table shows "deviation / tolerance" in one cell
        dev_text, _, tol = r["Deviation"].partition(" / ")
        dev = _number(dev_text)
        assert tol, f"{name}: no tolerance shown beside the deviation {r['Deviation']!r}"
        if dev is None:  # "shape differs" / "not comparable"
            assert "✗" in status, f"{name}: deviation {r['Deviation']!r} but marked ✓"
            continue
        if tol.startswith("≤"):
            within = dev <= 0
        else:
            within = abs(dev) <= _number(tol) * (1 + 1e-9) + 1e-12
        # displayed numbers are rounded, so only a clear contradiction fails
        if within != ("✓" in status):
            limit = 0.0 if tol.startswith("≤") else _number(tol)
            assert abs(abs(dev) - limit) <= 0.05 * max(limit, 1e-12), \
                f"{name}: deviation {r['Deviation']} vs tolerance {tol} contradicts {status!r}"
    predictions = _table_rows(dom, "tab-reproduction-predictions")
    assert all("✓" not in r["Status"] and "✗" not in r["Status"] for r in predictions)
    # the intro's summary sentence is the same build's count
    intro = _soup(rendered["intro"][0]).get_text(" ", strip=True)
    m = re.search(r"(\d+) of (\d+) published numbers reproduced", intro)
    assert m, "the intro page shows no reproduction summary"
    assert (int(m.group(1)), int(m.group(2))) == (n_ok, len(rows)), \
        f"intro says {m.group(0)!r}, the dashboard table has {n_ok} ✓ of {len(rows)}"
