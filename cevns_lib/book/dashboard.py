"""The reproduction dashboard: published numbers beside the values computed in the same build.

Pure functions only (no papermill, no notebook): the dashboard chapter ``book/10_reproduction.md``
runs the chapters with :func:`cevns_lib.book.chapters.run_chapter`, collects their results
dictionaries in a mapping ``run key → results`` and hands them to the functions here, which

1. list the chapter runs needed (:func:`runs_for_dashboard`),
2. compare each published number with its computed value (:func:`published_rows`),
3. list the computed numbers that have no published target (:func:`prediction_rows`),
4. format the rows as MyST markdown tables (:func:`markdown_table`) and count what is reproduced
   (:func:`count_reproduced`).

A run that has not produced results is represented by a :class:`NotComputed` object instead of a
results dictionary; its rows read "not computed yet" and never carry a ✓ or a ✗. A run whose data
files are absent is a :class:`DataMissing` (rows read "data not available"); a run that crashed is
neither: :func:`outcome` raises, so the dashboard (and the build) fails.
"""

import html
import math
import re
from dataclasses import dataclass

from cevns_lib.book.published import PublishedNumber

STATUS_REPRODUCED = "✓ reproduced"
STATUS_NOT_REPRODUCED = "✗ not reproduced"
STATUS_NOT_COMPUTED = "not computed yet"
STATUS_DATA_MISSING = "data not available"
STATUS_COMPUTED = "computed"

DATA_KINDS = ("data", "combination")
"""Experiment kinds of the measurements from real data."""


@dataclass(frozen=True)
class Observable:
    """A computed number shown in the predictions table.

    Attributes
    ----------
    chapter : str
        File stem of the chapter that computes it.
    key : str
        Key in the chapter's results dictionary.
    unit : str
    description : str
    kinds : tuple
        Experiment kinds it is computed for (every registered experiment of those kinds).
    """

    chapter: str
    key: str
    unit: str
    description: str
    kinds: tuple = ("projection",)

    def experiments(self) -> tuple:
        """Registered experiments of this observable's kinds, in registry order."""
        from cevns_lib.experiments.catalog import experiment_names

        return tuple(n for k in self.kinds for n in experiment_names(k))


PREDICTION_OBSERVABLES = (
    Observable("05_weak_mixing_angle", "sin2w_interval_sys5", "", "sin²θ_W 90% CL interval, 5% systematic"),
    Observable("05_weak_mixing_angle", "sin2w_interval_sys10", "", "sin²θ_W 90% CL interval, 10% systematic"),
    Observable("06_em_properties", "mu_nu_limit_sys5", "1e-10 μ_B", "μ_ν 90% CL upper limit, 5% systematic"),
    Observable("06_em_properties", "mu_nu_limit_sys10", "1e-10 μ_B", "μ_ν 90% CL upper limit, 10% systematic"),
    Observable("06_em_properties", "charge_radius_intervals_sys5", "1e-32 cm²",
               "⟨r²_ν⟩ 90% CL intervals, 5% systematic"),
    Observable("06_em_properties", "charge_radius_intervals_sys10", "1e-32 cm²",
               "⟨r²_ν⟩ 90% CL intervals, 10% systematic"),
    Observable("07_nsi", "eps_u_intervals_sys5", "", "ε_ee^uV 90% CL intervals, 5% systematic"),
    Observable("07_nsi", "eps_u_intervals_sys10", "", "ε_ee^uV 90% CL intervals, 10% systematic"),
    Observable("07_nsi", "eps_d_intervals_sys5", "", "ε_ee^dV 90% CL intervals, 5% systematic"),
    Observable("07_nsi", "eps_d_intervals_sys10", "", "ε_ee^dV 90% CL intervals, 10% systematic"),
    Observable("05_weak_mixing_angle", "sin2w_interval", "", "sin²θ_W 90% CL interval (data)", DATA_KINDS),
    Observable("06_em_properties", "mu_nu_limit", "1e-10 μ_B", "μ_ν 90% CL upper limit (data)", DATA_KINDS),
    Observable("06_em_properties", "charge_radius_intervals", "1e-32 cm²",
               "⟨r²_ν⟩ 90% CL intervals (data, κ of the run)", DATA_KINDS),
    Observable("07_nsi", "eps_u_intervals", "", "ε_ee^uV 90% CL intervals (data)", DATA_KINDS),
    Observable("07_nsi", "eps_d_intervals", "", "ε_ee^dV 90% CL intervals (data)", DATA_KINDS),
    Observable("08_coherent_data", "cevns_counts_fitted", "events", "fitted CEvNS events (data)", ("data",)),
    Observable("08_coherent_data", "flux_averaged_xsec_cm2", "cm²", "flux-averaged cross section (data)", ("data",)),
    Observable("08_coherent_data", "neutron_radius_interval_1sigma_fm", "fm", "neutron rms radius, 1σ (data)", ("data",)),
)
"""Numbers the book computes for every registered experiment of the observable's kinds: the
projections (Carey & Pandey, arXiv:2510.14015) and the COHERENT data sets and combinations; the
ones with a published target appear in the first table instead."""


@dataclass(frozen=True)
class NotComputed:
    """Why a chapter run has no results (placeholder chapter, error, missing key)."""

    reason: str


@dataclass(frozen=True)
class DataMissing(NotComputed):
    """The chapter ran but its data sets are absent (``"data_missing"`` in its results)."""


def outcome(results):
    """A chapter run's results dict, or :class:`DataMissing` when it reported absent data sets."""
    if isinstance(results, dict) and results.get("data_missing"):
        return DataMissing(f"data not available: `cevns data fetch {' '.join(results['data_missing'])}`")
    return results


@dataclass(frozen=True)
class Row:
    """One line of a dashboard table (all fields are display strings except ``ok``).

    ``ok`` is True (reproduced), False (not reproduced) or None (not computed, or no target).
    """

    quantity: str
    case: str
    unit: str
    published: str
    computed: str
    tolerance: str
    deviation: str
    status: str
    chapter: str
    source: str
    ok: bool | None


def run_key(chapter: str, parameters: dict) -> tuple:
    """Hashable key of a chapter run: ``(chapter, ((name, value), ...))`` with sorted names.

    The same key as :func:`cevns_lib.book.published.runs_needed`.
    """
    return (chapter, tuple(sorted(parameters.items())))


def reused_results(chapter: str, parameters: dict):
    """The results of this chapter run if the same book build already computed them (a chapter's
    default run, see :mod:`cevns_lib.book.run_cache`), else None (then the dashboard runs it)."""
    from cevns_lib.book import run_cache

    return run_cache.lookup(chapter, parameters)


def compute_runs(runs, workers=2) -> tuple:
    """Results of every (chapter, parameters) run of the dashboard.

    A run that this book build already executed (:func:`reused_results`: the chapters' default runs,
    and the runs ``make book`` computes in the background, :mod:`cevns_lib.book.prefetch`, waited
    for) is reused; the others run ``workers`` at a time, for their results only
    (:class:`cevns_lib.book.inprocess.ResultsPool`).

    Returns
    -------
    results_by_run : dict
        :func:`run_key` → results dict, :class:`DataMissing`, or :class:`NotComputed` ("FAILED: …").
    log : list of str
        One line per run as it finished, and the totals.
    failures : list of str
        One line per crashed run (the dashboard fails the build on any).
    """
    import time
    from concurrent.futures import Future, as_completed

    from cevns_lib.book.inprocess import ResultsPool

    from cevns_lib.book import prefetch

    start = time.perf_counter()
    results_by_run, failures = {}, []
    log = [f"{len(runs)} chapter runs, {workers} at a time"]
    waited = prefetch.wait()
    if waited > 0.5:
        log.append(f"waited {waited:.1f} s for the runs computed in the background of this build")
    with ResultsPool(workers) as pool:
        futures, n_reused = {}, 0
        for chapter, params in runs:
            reused = reused_results(chapter, params)
            if reused is None:
                fut = pool.submit(chapter, params)
            else:
                fut, n_reused = Future(), n_reused + 1
                fut.set_result(reused)
            futures[fut] = (chapter, params)
        log.append(f"{n_reused} of them reused from this build (the chapters' executions, and the background runs)")
        for i, fut in enumerate(as_completed(futures), 1):
            chapter, params = futures[fut]
            try:
                res = outcome(fut.result())
            except Exception as exc:
                failures.append(f"{chapter} {params}: {exc}")
                res = NotComputed(f"FAILED: {str(exc)[:160]}")
            results_by_run[run_key(chapter, params)] = res
            state = res.reason if isinstance(res, NotComputed) else f"{len(res['values'])} values"
            log.append(f"[{i:2d}/{len(runs)}] {chapter} {case_label(params)}: {state} "
                       f"(done at {time.perf_counter() - start:.1f} s)")
    log.append(f"all runs: {time.perf_counter() - start:.0f} s wall time")
    return results_by_run, log, failures


def runs_for_dashboard(published, observables=PREDICTION_OBSERVABLES):
    """The distinct chapter runs the dashboard needs, in a stable order.

    Parameters
    ----------
    published : iterable of PublishedNumber
    observables : iterable of Observable
        Predictions, computed for every registered experiment of each observable's kinds.

    Returns
    -------
    list of (chapter, parameters dict)
        First the runs of the published numbers (in file order), then the extra prediction runs.
    """
    out, seen = [], set()

    def add(chapter, params):
        key = run_key(chapter, params)
        if key not in seen:
            seen.add(key)
            out.append((chapter, dict(params)))

    for p in published:
        add(p.chapter, p.parameters)
    for o in observables:
        for exp in o.experiments():
            add(o.chapter, {"experiment": exp})
    return out


# --- formatting ----------------------------------------------------------------------------------

_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")

def format_number(x, digits=4) -> str:
    """A number with ``digits`` significant figures, a real minus sign and no trailing noise.

    Integers and floats with integral values below 1e6 print without a decimal point.
    """
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise ValueError(f"format_number needs an int or float, got {x!r}")
    x = float(x)
    if not math.isfinite(x):
        return str(x)
    if x == int(x) and abs(x) < 1e6:
        text = str(int(x))
    else:
        text = f"{x:.{digits}g}"
        if "e" in text:
            mant, exp = text.split("e")
            text = f"{mant}×10" + str(int(exp)).translate(_SUPERSCRIPTS)
    return text.replace("-", "−")


def format_value(value, digits=4) -> str:
    """Display a published or computed value: a number, a [lo, hi] pair, or a union of pairs."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value, digits)
    if isinstance(value, (list, tuple)):
        if len(value) == 2 and all(isinstance(v, (int, float)) for v in value):
            return f"[{format_number(value[0], digits)}, {format_number(value[1], digits)}]"
        if value and all(isinstance(v, (list, tuple)) for v in value):
            return " ∪ ".join(format_value(v, digits) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {format_value(v, digits)}" for k, v in value.items())
    raise ValueError(f"cannot format value {value!r}: expected a number, [lo, hi] or a list of [lo, hi]")


def format_tolerance(tolerance: dict, unit: str = "") -> str:
    """'±0.0005', '±2%' or '≤ published (upper bound)'."""
    if tolerance.get("upper_bound"):
        return "≤ published (bound)"
    if "absolute" in tolerance:
        return "±" + format_number(tolerance["absolute"])
    if "relative" in tolerance:
        return "±" + format_number(100.0 * tolerance["relative"], 3) + "%"
    raise ValueError(f"tolerance needs 'absolute', 'relative' or 'upper_bound', got {tolerance!r}")


def format_deviation(deviation: float, tolerance: dict) -> str:
    """The deviation in the units of the tolerance: absolute, '%' (relative) or computed − bound."""
    if not math.isfinite(deviation):
        return "shape differs"
    if "relative" in tolerance and not tolerance.get("upper_bound"):
        return format_number(100.0 * deviation, 2) + "%"
    return format_number(deviation, 2)


def source_markdown(source: str) -> str:
    """The source text with arXiv identifiers turned into links and table pipes escaped."""
    text = source.replace("|", "\\|")
    return re.sub(r"arXiv:(\d{4}\.\d{4,5})", r"[arXiv:\1](https://arxiv.org/abs/\1)", text)


def chapter_link(chapter: str) -> str:
    """MyST cross-reference to a chapter page (resolved by Sphinx; a broken link fails the build)."""
    return f"{{doc}}`{chapter}`"


def case_label(parameters: dict, item: str | None = None) -> str:
    """Experiment or data set of a run (plus the item of a dictionary result)."""
    if "experiment" in parameters:
        label = str(parameters["experiment"])
    elif "dataset" in parameters:
        label = str(parameters["dataset"])
    else:
        label = ", ".join(f"{k}={v}" for k, v in sorted(parameters.items())) or "default"
    return f"{label} · {item}" if item else label


# --- rows ----------------------------------------------------------------------------------------

def computed_value(results, key: str, item: str | None = None):
    """The value ``results["values"][key][item]``, or a :class:`NotComputed` saying what is missing."""
    if isinstance(results, NotComputed):
        return results
    results = outcome(results)
    if isinstance(results, DataMissing):
        return results
    values = (results or {}).get("values", {})
    if key not in values:
        return NotComputed(f"the chapter records no {key!r}")
    value = values[key]
    if item is not None:
        if not isinstance(value, dict) or item not in value:
            return NotComputed(f"{key!r} has no item {item!r}")
        value = value[item]
    return value


def published_row(number: PublishedNumber, results) -> Row:
    """Compare one published number with the results dictionary of its chapter run.

    Parameters
    ----------
    number : PublishedNumber
    results : dict or NotComputed
        ``{"chapter": ..., "parameters": ..., "values": {...}}`` as written by
        :class:`cevns_lib.book.results.ChapterResults`, or why there is none.
    """
    value = computed_value(results, number.key, number.item)
    common = dict(quantity=number.description or number.id, case=case_label(number.parameters, number.item),
                  unit=number.unit, published=format_value(number.value),
                  tolerance=format_tolerance(number.tolerance, number.unit),
                  chapter=chapter_link(number.chapter), source=source_markdown(number.source))
    if isinstance(value, NotComputed):
        status = STATUS_DATA_MISSING if isinstance(value, DataMissing) else STATUS_NOT_COMPUTED
        return Row(computed=f"— ({value.reason})", deviation="—", status=status, ok=None, **common)
    try:
        ok, dev = number.compare(value if number.item is None else {number.item: value})
        shown, deviation = format_value(value), format_deviation(dev, number.tolerance)
    except (TypeError, ValueError):  # a value of the wrong kind is a failed reproduction, not a crash
        ok, shown, deviation = False, repr(value)[:80], "not comparable"
    return Row(computed=shown, deviation=deviation,
               status=STATUS_REPRODUCED if ok else STATUS_NOT_REPRODUCED, ok=bool(ok), **common)


def published_rows(published, results_by_run) -> list:
    """One :class:`Row` per published number; ``results_by_run`` maps :func:`run_key` → results.

    A run missing from the mapping counts as not computed.
    """
    rows = []
    for p in published:
        res = results_by_run.get(run_key(p.chapter, p.parameters), NotComputed("not run"))
        rows.append(published_row(p, res))
    return rows


def prediction_rows(published, results_by_run, observables=PREDICTION_OBSERVABLES) -> list:
    """Rows for computed numbers with no published target (each observable × experiment).

    Cases that have a published target (same chapter, key and experiment) are left out: they are
    in the first table.
    """
    targets = {(p.chapter, p.key, p.parameters.get("experiment")) for p in published}
    rows = []
    for o, exp in ((o, exp) for o in observables for exp in o.experiments()):
        if (o.chapter, o.key, exp) in targets:
            continue
        res = results_by_run.get(run_key(o.chapter, {"experiment": exp}), NotComputed("not run"))
        value = computed_value(res, o.key)
        if isinstance(value, NotComputed):
            computed = f"— ({value.reason})"
        else:
            try:
                computed = format_value(value)
            except ValueError:
                computed = repr(value)[:80]
        status = (STATUS_DATA_MISSING if isinstance(value, DataMissing) else
                  STATUS_NOT_COMPUTED if isinstance(value, NotComputed) else STATUS_COMPUTED)
        rows.append(Row(quantity=o.description, case=exp, unit=o.unit, published="no target",
                        computed=computed, tolerance="—", deviation="—", status=status,
                        chapter=chapter_link(o.chapter), source="—", ok=None))
    return rows


def known_deviation_notes(published, rows) -> str:
    """Markdown list explaining each published number that is not reproduced for a known reason.

    Parameters
    ----------
    published : sequence of PublishedNumber
    rows : sequence of Row
        The published rows of the same build, in the same order (only rows marked ✗ get a note).
    """
    items = [f"- **{p.description or p.id}** ({case_label(p.parameters, p.item)}): {p.known_deviation}"
             for p, r in zip(published, rows) if p.known_deviation and r.ok is False]
    return "\n".join(items) if items else "No published number is marked as a known deviation in this build."


def count_reproduced(rows) -> tuple:
    """(number reproduced, number of rows) of a published table."""
    rows = list(rows)
    return sum(1 for r in rows if r.ok is True), len(rows)


def summary_sentence(n_reproduced: int, n_published: int, n_not_computed: int = 0, n_data_missing: int = 0) -> str:
    """E.g. '15 of 20 published numbers reproduced (2 not computed yet; 3 without data here)'."""
    text = f"{n_reproduced} of {n_published} published numbers reproduced"
    notes = [f"{n_not_computed} not computed yet"] if n_not_computed else []
    if n_data_missing:
        notes.append(f"{n_data_missing} not computed here: data not available")
    return text + (f" ({'; '.join(notes)})" if notes else "")


PUBLISHED_COLUMNS = (("quantity", "Quantity"), ("case", "Run (experiment / data set)"), ("unit", "Unit"),
                     ("published", "Published"), ("computed", "Computed"), ("tolerance", "Tolerance"),
                     ("deviation", "Deviation"), ("status", "Status"), ("chapter", "Chapter"),
                     ("source", "Source"))
PREDICTION_COLUMNS = (("quantity", "Quantity"), ("case", "Experiment"), ("unit", "Unit"),
                      ("computed", "Computed"), ("status", "Status"), ("chapter", "Chapter"))


def markdown_table(rows, columns=PUBLISHED_COLUMNS, caption="", name="") -> str:
    """A MyST ``{table}`` (pipe table) of rows; ``name`` becomes the HTML id of the table.

    The text is meant to be displayed with ``IPython.display.Markdown`` in a cell whose
    ``mystnb.markdown_format`` is ``myst`` (so the chapter links resolve).
    """
    def cell(text):
        return str(text).replace("\n", " ").replace("|", "\\|") if text != "" else " "

    lines = ["| " + " | ".join(title for _, title in columns) + " |",
             "|" + "|".join("---" for _ in columns) + "|"]
    for r in rows:
        # source/chapter are already markdown (links); escape only the other cells
        lines.append("| " + " | ".join(getattr(r, k) if k in ("source", "chapter") else cell(getattr(r, k))
                                       for k, _ in columns) + " |")
    header = f":::{{table}} {caption}".rstrip()
    opts = [f":name: {name}"] if name else []
    opts.append(":class: reproduction-table")
    return "\n".join([header, *opts, "", *lines, ":::"]) + "\n"


# --- compact HTML rendering (fits the page width; details per row in a dropdown) -----------------

COMPACT_COLUMNS = (("quantity", "Quantity"), ("case", "Run"), ("published", "Published"), ("computed", "Computed"),
                   ("deviation", "Deviation"), ("status", "Status"))
"""Columns of :func:`html_table`; unit, tolerance, chapter and source go into each row's dropdown."""


def _chapter_href(chapter_ref: str) -> tuple:
    """(href, stem) of a chapter from the ``{doc}`stem``` reference of a :class:`Row`."""
    m = re.fullmatch(r"\{doc\}`([^`]+)`", chapter_ref.strip())
    if not m:
        return None, chapter_ref
    return f"{m.group(1)}.html", m.group(1)


def source_html(source: str) -> str:
    """The source text, HTML-escaped, with arXiv identifiers turned into links."""
    text = html.escape(source)
    return re.sub(r"arXiv:(\d{4}\.\d{4,5})", r'<a href="https://arxiv.org/abs/\1">arXiv:\1</a>', text)


def _split_reason(computed: str) -> tuple:
    """('—', reason) for a not-computed cell '— (reason)', else (computed, '')."""
    m = re.fullmatch(r"—\s*\((.*)\)", computed, flags=re.S)
    return ("—", m.group(1)) if m else (computed, "")


def html_table(rows, caption="", name="", columns=COMPACT_COLUMNS) -> str:
    """A compact HTML table of dashboard rows that fits the page width.

    The Quantity cell is a ``<details>`` dropdown with the row's unit, tolerance, chapter (a link
    to its page), source and, for rows not computed, the reason; the Deviation cell reads
    ``deviation / tolerance``. Display with ``IPython.display.HTML`` in a ``remove-input`` cell.

    Parameters
    ----------
    rows : sequence of Row
    caption : str
        Table caption (plain text).
    name : str
        HTML id of the table (tests look tables up by it).
    columns : sequence of (attribute, title)
        Which :class:`Row` fields to show, from :data:`COMPACT_COLUMNS`.
    """
    esc = html.escape
    head = "".join(f"<th>{esc(title)}</th>" for _, title in columns)
    body = []
    for r in rows:
        computed, reason = _split_reason(r.computed)
        href, stem = _chapter_href(r.chapter)
        facts = []
        if r.unit:
            facts.append(f"<b>unit</b> {esc(r.unit)}")
        if r.tolerance and r.tolerance != "—":
            facts.append(f"<b>tolerance</b> {esc(r.tolerance)}")
        facts.append(f'<b>chapter</b> <a href="{esc(href)}">{esc(stem)}</a>' if href else f"<b>chapter</b> {esc(stem)}")
        if r.source and r.source != "—":
            facts.append(f"<b>source</b> {source_html(r.source)}")
        if reason:
            facts.append(f"<b>why not computed</b> {esc(reason)}")
        cells = []
        for key, _ in columns:
            if key == "quantity":
                cells.append(f'<td><details><summary>{esc(r.quantity)}</summary>'
                             f'<div class="row-details">{"<br>".join(facts)}</div></details></td>')
            elif key == "computed":
                cells.append(f"<td>{esc(computed)}</td>")
            elif key == "deviation":
                tol = "" if r.tolerance in ("", "—") or r.deviation == "—" else f" / {esc(r.tolerance)}"
                cells.append(f"<td>{esc(r.deviation)}{tol}</td>")
            else:
                cells.append(f"<td>{esc(getattr(r, key))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    ident = f' id="{esc(name)}"' if name else ""
    return (f'<table{ident} class="reproduction-table table">{cap}<thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def deviation_ratio(number: PublishedNumber, results) -> float | None:
    """|deviation| / tolerance of a published number (≤ 1: reproduced), or None if not computed.

    Upper bounds: 0 when the computed number respects the bound, ``inf`` when it exceeds it; a
    value of the wrong kind is ``inf`` (a failed reproduction).
    """
    value = computed_value(results, number.key, number.item)
    if isinstance(value, NotComputed):
        return None
    try:
        ok, dev = number.compare(value if number.item is None else {number.item: value})
    except (TypeError, ValueError):
        return math.inf
    if number.tolerance.get("upper_bound"):
        return 0.0 if ok else math.inf
    tol = number.tolerance["absolute"] if "absolute" in number.tolerance else number.tolerance["relative"]
    return abs(dev) / tol if math.isfinite(dev) else math.inf


# --- registry statuses ---------------------------------------------------------------------------

def registry_status_markdown(configuration: str = "paper") -> str:
    """MyST table of the inputs of every projection in ``configuration`` (``"paper"`` or
    ``"facility"``) with value, unit, status (paper / facility / published / inferred / assumed) and
    source, preceded by the meaning of each status: what a reader quoting a count should know."""
    from cevns_lib.experiments.projections import STATUS_DESCRIPTIONS, status_table

    legend = "; ".join(f"**{k}**: {v}" for k, v in STATUS_DESCRIPTIONS.items())
    lines = [f"Projection inputs, {configuration} configuration ({legend}).", "",
             "| experiment | quantity | value | unit | status | source |", "|---|---|---|---|---|---|"]
    for name, key, value, unit, status, source in status_table(configuration):
        lines.append(f"| {name} | `{key}` | {format_number(value)} | {unit} | {status} | "
                     f"{source.replace('|', '/')} |")
    return "\n".join(lines)
