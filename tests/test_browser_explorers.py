"""Browser test of the live explorers of the built website (headless Chromium, offline).

The page ``book/explorers.html`` computes in JavaScript from the kernels exported at build time.
This test drives it through the Chrome DevTools Protocol (``--remote-debugging-pipe``, no extra
package): it loads the page with query parameters, reads the test hooks ``#spectrum-count``,
``#chi2-interval`` and ``#zprime-count`` (the light-mediator count: tree-level and kinetic-mixing Z′
and the scalar), compares them with ``cevns_lib`` (1e-6 relative), checks that the query set the
sliders, moves a slider and sees the number change, that refused query values are named in the
explorer's notice (``#<explorer id>-notice``) instead of showing NaN, and that no script error was
raised. Same skip rules as ``test_browser.py`` (``make book`` first).
"""

import json
import os
import re
import subprocess
import time

import numpy as np
import pytest

from cevns_lib.analysis.sensitivity import CountModel
from cevns_lib.analysis.stats import allowed_intervals
from cevns_lib.book import explorers as ex
from cevns_lib.book import kernel_export as ke
from cevns_lib.experiments.projections import get_experiment

from test_browser import CHROMIUM_FLAGS, HTML, _chromium, _skip

pytestmark = pytest.mark.browser

REL = 1e-6


class DevTools:
    """Minimal Chrome DevTools Protocol client over ``--remote-debugging-pipe`` (fds 3 and 4)."""

    def __init__(self, chromium, profile):
        to_chrome_r, self._w = os.pipe()
        self._r, from_chrome_w = os.pipe()

        def fds():  # in the child: the pipe ends at the fds Chromium expects
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        flags = [f for f in CHROMIUM_FLAGS if not f.startswith("--virtual-time-budget")]
        self.proc = subprocess.Popen([chromium, *flags, "--remote-debugging-pipe", f"--user-data-dir={profile}",
                                      "about:blank"], pass_fds=(3, 4), preexec_fn=fds,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf, self._id, self.events = b"", 0, []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Runtime.enable", session=True)
        self.call("Page.enable", session=True)

    def _read(self, timeout=60):
        end = time.monotonic() + timeout
        while b"\0" not in self._buf:
            if time.monotonic() > end or self.proc.poll() is not None:
                raise RuntimeError("no answer from Chromium")
            chunk = os.read(self._r, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, session=False, **params):
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def evaluate(self, expression):
        res = self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True)
        if "exceptionDetails" in res:
            raise RuntimeError(f"{expression}: {res['exceptionDetails']}")
        return res["result"].get("value")

    def load(self, url, ready="document.getElementById('zprime-count') !== null", timeout=60):
        self.events.clear()
        self.call("Page.navigate", session=True, url=url)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.evaluate(f"document.readyState === 'complete' && ({ready})"):
                return
            time.sleep(0.1)
        raise RuntimeError(f"{url} did not become ready in {timeout} s")

    def errors(self, script="cevns-explorers.js"):
        """Uncaught exceptions raised in ``script`` (every script when ``None``) and console errors
        logged from it since the last :meth:`load`."""
        def from_script(details):
            if script is None:
                return True
            frames = details.get("stackTrace", {}).get("callFrames", [])
            return script in details.get("url", "") or any(script in f.get("url", "") for f in frames)

        out = [e["params"]["exceptionDetails"].get("text", "") + " " +
               str(e["params"]["exceptionDetails"].get("exception", {}).get("description", ""))
               for e in self.events if e.get("method") == "Runtime.exceptionThrown"
               and from_script(e["params"]["exceptionDetails"])]
        out += [" ".join(str(a.get("value", a.get("description", ""))) for a in e["params"].get("args", []))
                for e in self.events if e.get("method") == "Runtime.consoleAPICalled"
                and e["params"].get("type") == "error" and from_script(e["params"])]
        return out

    def close(self):
        try:
            self.call("Browser.close")
        except RuntimeError:
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self._w)
        os.close(self._r)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    page = HTML / "book" / "explorers.html"
    if not page.exists():
        _skip(f"no built explorers page in {HTML}: run `make book` first (or set CEVNS_HTML_DIR)")
    chromium = _chromium()
    if chromium is None:
        _skip("Chromium not found (apt-get install -y chromium, or set CHROMIUM=/path/to/chrome)")
    dt = DevTools(chromium, tmp_path_factory.mktemp("cdp-profile"))
    yield dt, page.resolve().as_uri()
    dt.close()


def _number(text):
    m = re.match(r"\s*(-?[\d.]+(?:e[+-]?\d+)?)", text)
    assert m, f"no leading number in {text!r}"
    return float(m.group(1))


def _hooks(dt):
    return dt.evaluate("""(() => {
        const c = document.getElementById('spectrum-count'), i = document.getElementById('chi2-interval'),
              z = document.getElementById('zprime-count');
        const host = document.getElementById('cevns-zprime-explorer');
        return {count: c.textContent, count_value: Number(c.dataset.value), interval: i.textContent,
                intervals: JSON.parse(i.dataset.intervals), zprime: z.textContent, zprime_value: Number(z.dataset.value),
                zprime_summary: z.parentElement.textContent,
                captions: [...host.querySelectorAll('.cevns-control span')].map(e => e.textContent),
                notices: Object.fromEntries([...document.querySelectorAll('.cevns-notice')]
                                            .map(e => [e.id, e.hidden ? '' : e.textContent])),
                page_text: document.body.innerText,
                search: window.location.search,
                sliders: Object.fromEntries([...document.querySelectorAll('.cevns-control input, .cevns-control select')]
                                            .map(e => [e.name, e.value]))};
    })()""")


def _library_intervals(name, observable, sigma):
    model = CountModel.from_experiment(get_experiment(name))
    if observable == "sin2w":
        return [model.sin2w_interval(sigma)]
    x, d = ex.delta_chi2_curve(name, observable, sigma, x=ke.interval_grid(observable), model=model)
    return allowed_intervals(x, d)


def _assert_intervals(js, lib):
    assert len(js) == len(lib), f"browser {js} vs library {lib}"
    for a, b in zip(js, lib):
        assert a == pytest.approx(b, rel=REL, abs=1e-9), f"browser {js} vs library {lib}"


@pytest.mark.parametrize("query, name, params, observable, sigma", [
    ("experiment=CCM&sin2w=0.25", "CCM", {"sin2w": 0.25}, "sin2w", 0.05),
    ("experiment=PIP2-BD&mu_nu=12&eps_u=0.05&eps_d=-0.02&r2=-1.5&sys=10&observable=eps_u", "PIP2-BD",
     {"mu_nu": 12.0, "eps_u": 0.05, "eps_d": -0.02, "charge_radius": -1.5}, "eps_u", 0.10),
    ("experiment=CENNS-10&sin2w=0.2213&observable=mu_nu&sys=2.5", "CENNS-10", {"sin2w": 0.2213}, "mu_nu", 0.025),
    ("experiment=CENNS-750&observable=charge_radius", "CENNS-750", {}, "charge_radius", 0.05),
])
def test_query_sets_state_and_numbers_match_library(browser, query, name, params, observable, sigma):
    dt, url = browser
    dt.load(f"{url}?{query}")
    h = _hooks(dt)
    _, _, ref = ex.spectrum_and_count(name, **params)
    assert _number(h["count"]) == pytest.approx(ref, rel=REL), h["count"]
    assert h["count_value"] == pytest.approx(ref, rel=1e-9)
    _assert_intervals(h["intervals"], _library_intervals(name, observable, sigma))
    assert h["sliders"]["experiment"] == name and h["sliders"]["observable"] == observable
    for key in ("sin2w", "mu_nu", "eps_u", "eps_d"):
        if key in params:
            assert float(h["sliders"][key]) == pytest.approx(params[key], abs=1e-9), (key, h["sliders"])
    assert not dt.errors(), dt.errors()


@pytest.mark.parametrize("model, mass, coupling, symbols", [
    ("B-3L_e", 20.0, 3e-4, ("M_Z′ (MeV)", "coupling g")),
    ("L_mu-L_tau", 10.0, 3e-3, ("M_Z′ (MeV)", "coupling g")),
    ("L_e-L_mu", 100.0, 2e-2, ("M_Z′ (MeV)", "coupling g")),
    ("scalar", 50.0, 2e-5, ("M_φ (MeV)", "coupling g_φ")),
])
def test_mediator_count_matches_binned_engine(browser, model, mass, coupling, symbols):
    """Every kind of mediator, loaded from the URL query, shows the library's count."""
    dt, url = browser
    name = "PIP2-BD"
    dt.load(f"{url}?experiment={name}&model={model}&mzp={mass}&g={coupling}")
    h = _hooks(dt)
    ref = ke.library_mediator_count(name, model, mass, coupling)
    assert abs(ref / ke.library_mediator_count(name, model, mass, 0.0) - 1) > 1e-3  # a visible distortion
    assert _number(h["zprime"]) == pytest.approx(ref, rel=REL), h["zprime"]
    assert h["zprime_value"] == pytest.approx(ref, rel=1e-9)
    assert h["sliders"]["model"] == model
    assert 10 ** float(h["sliders"]["mzp"]) == pytest.approx(mass, rel=1e-9)
    assert 10 ** float(h["sliders"]["g"]) == pytest.approx(coupling, rel=1e-9)
    assert h["captions"][1:] == list(symbols), h["captions"]
    assert f"{symbols[1].split()[-1]} = " in h["zprime_summary"], h["zprime_summary"]
    assert not dt.errors(), dt.errors()


def test_switching_the_mediator_relabels_and_recomputes(browser):
    dt, url = browser
    dt.load(f"{url}?model=L_mu-L_tau&g=0.003")
    loop = _hooks(dt)
    assert "kinetic mixing" in loop["zprime_summary"] and "Q′_p = " in loop["zprime_summary"]
    dt.evaluate("""(() => { const s = document.getElementById('cevns-model'); s.value = 'scalar';
                           s.dispatchEvent(new Event('change', {bubbles: true})); })()""")
    scalar = _hooks(dt)
    assert scalar["captions"][1:] == ["M_φ (MeV)", "coupling g_φ"]
    assert "model=scalar" in scalar["search"] and "g=0.003" in scalar["search"]
    assert _number(scalar["zprime"]) == pytest.approx(ke.library_mediator_count("PIP2-BD", "scalar", 30.0, 3e-3), rel=REL)
    assert not dt.errors(), dt.errors()


def test_moving_a_slider_recomputes_and_updates_the_query(browser):
    dt, url = browser
    dt.load(f"{url}?experiment=CCM")
    before = _hooks(dt)
    dt.evaluate("""(() => { const s = document.getElementById('cevns-sin2w'); s.value = '0.26';
                           s.dispatchEvent(new Event('input', {bubbles: true})); })()""")
    after = _hooks(dt)
    _, _, ref = ex.spectrum_and_count("CCM", sin2w=0.26)
    assert after["count"] != before["count"]
    assert _number(after["count"]) == pytest.approx(ref, rel=REL)
    assert "sin2w=0.26" in after["search"] and "experiment=CCM" in after["search"]
    dt.evaluate("""(() => { const s = document.getElementById('cevns-sys'); s.value = '10';
                           s.dispatchEvent(new Event('input', {bubbles: true})); })()""")
    widened = _hooks(dt)["intervals"]
    _assert_intervals(widened, _library_intervals("CCM", "sin2w", 0.10))
    assert np.ptp(widened[0]) > np.ptp(before["intervals"][0])
    assert not dt.errors(), dt.errors()


def test_bad_query_values_fall_back_to_defaults(browser):
    dt, url = browser
    dt.load(f"{url}?experiment=XENON&sin2w=abc&mu_nu=-4")
    h = _hooks(dt)
    _, _, ref = ex.spectrum_and_count("PIP2-BD")
    assert h["sliders"]["experiment"] == "PIP2-BD"
    assert _number(h["count"]) == pytest.approx(ref, rel=REL)
    assert "experiment=XENON" in h["notices"]["cevns-explorer-bar-notice"]
    assert "sin2w=abc" in h["notices"]["cevns-spectrum-explorer-notice"]
    assert "mu_nu=-4" in h["notices"]["cevns-spectrum-explorer-notice"]
    assert not dt.errors(), dt.errors()  # bad values are console warnings, not errors


@pytest.mark.parametrize("query, refused", [
    ("model=scalar&mzp=-5", "mzp=-5"), ("model=L_e-L_tau&mzp=Infinity", "mzp=Infinity"),
    ("model=scalar&g=NaN", "g=NaN"), ("model=B-L&mzp=", "mzp="),
])
def test_unphysical_mediator_input_is_named_not_nan(browser, query, refused):
    """A negative, infinite or missing mass or coupling in the address is named beside the mediator
    explorer; the count is that of the default value, and no NaN is shown anywhere."""
    dt, url = browser
    dt.load(f"{url}?{query}")
    h = _hooks(dt)
    notice = h["notices"]["cevns-zprime-explorer-notice"]
    assert refused in notice and "showing the default" in notice, notice
    model = h["sliders"]["model"]
    assert model == dict(kv.split("=") for kv in query.split("&"))["model"]
    assert _number(h["zprime"]) == pytest.approx(ke.library_mediator_count("PIP2-BD", model, 30.0, 1e-4), rel=REL)
    assert "NaN" not in h["page_text"].replace(refused, "")
    dt.evaluate("""(() => { const s = document.getElementById('cevns-mzp'); s.value = '1.5';
                           s.dispatchEvent(new Event('input', {bubbles: true})); })()""")
    assert _hooks(dt)["notices"]["cevns-zprime-explorer-notice"] == ("" if refused.startswith("mzp") else notice)
    assert not dt.errors(), dt.errors()


def test_no_console_error_on_any_page(browser):
    """Every page of the site loads without a JavaScript error or an error logged to the console
    (the theme's scripts included)."""
    dt, _ = browser
    bad = {}
    for page in sorted(HTML.rglob("*.html")):
        if "_static" in page.parts or "_sources" in page.parts:
            continue
        dt.load(page.as_uri(), ready="true")
        time.sleep(0.3)   # async scripts
        dt.evaluate("1")  # collect the events that arrived meanwhile
        errs = dt.errors(script=None)
        if errs:
            bad[str(page.relative_to(HTML))] = errs[:3]
    assert not bad, bad
