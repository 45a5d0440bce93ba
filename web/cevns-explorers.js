/* Live explorers of the CEvNS book: spectra, counts, Δχ² curves and a light-mediator distortion,
 * computed in the browser from the rate kernels exported at build time by
 * cevns_lib.book.kernel_export (schema "cevns-kernels" v2, embedded in the page as
 * <script type="application/json" id="cevns-kernel-data">). No network, no kernel, no library:
 * plain SVG plots. The physics mirrors cevns_lib (tests/test_browser_explorers.py compares to 1e-6);
 * the light-mediator explorer has every mediator of the export: tree-level Z′, kinetic-mixing Z′
 * (one-loop integral in closed form) and the universal scalar.
 *
 * State lives in the URL query (explorers.html?experiment=CCM&sin2w=0.25): reading the query sets
 * the controls, moving a control rewrites the query. Test hooks: #spectrum-count (text starts with
 * the event count, data-value has full precision), #chi2-interval (text: 90% CL intervals,
 * data-intervals: JSON [[lo, hi], ...]), #zprime-count (the mediator explorer's count, any model) and
 * #<explorer id>-notice (query values that were refused, shown instead of being used).
 */
(function () {
  "use strict";

  var FLAVOUR_LABELS = { nu_mu: "ν_μ", nu_e: "ν_e", nubar_mu: "ν̄_μ" };
  var COLOURS = { nu_mu: "#0072B2", nu_e: "#D55E00", nubar_mu: "#009E73", total: "#000000", zprime: "#CC79A7" };
  var EXPERIMENT_COLOURS = { "CENNS-10": "#E69F00", "CENNS-750": "#D55E00", "CCM": "#009E73", "PIP2-BD": "#0072B2" };
  var SVG_NS = "http://www.w3.org/2000/svg";

  // ------------------------------------------------------------------ physics (mirrors kernel_export)
  function couplings(fl, p, K) {
    var gp = 0.5 - 2 * p.sin2w - K.charge_radius_kappa * p.r2, gn = -0.5;
    if (fl === "nu_e") { gp += 2 * p.eps_u + p.eps_d; gn += p.eps_u + 2 * p.eps_d; }
    return [gp, gn];
  }

  /** Counts per bin of an experiment from the per-bin weights (all targets and flavours). */
  function binCounts(data, exp, p) {
    var nb = exp.bins.length, out = new Array(nb).fill(0), mu2 = Math.pow(p.mu_nu * 1e-10, 2);
    exp.targets.forEach(function (t) {
      var bw = t.bin_weights;
      data.flavours.forEach(function (fl) {
        var g = couplings(fl, p, data.constants), a = t.Z * g[0], b = t.N * g[1];
        for (var i = 0; i < nb; i++) {
          out[i] += a * a * bw.weak_pp[fl][i] + 2 * a * b * bw.weak_pn[fl][i] + b * b * bw.weak_nn[fl][i]
            + mu2 * bw.magnetic[fl][i];
        }
      });
    });
    return out;
  }

  function sum(a) { var s = 0; for (var i = 0; i < a.length; i++) s += a[i]; return s; }

  function responseOf(nodes, fl) { return Array.isArray(nodes.response) ? nodes.response : nodes.response[fl]; }

  /** J(a) = ∫₀¹ dx x(1−x) ln[1 + a x(1−x)], a = q²/m² ≥ 0: the series for a ≤ 1 (the closed form
   *  loses digits there), else the closed form (kernel_export.vacuum_polarisation_log). */
  function vacuumPolarisationLog(a) {
    if (a <= 1) {
      var s = 0, coeff = 1 / 30, power = 1;
      for (var k = 1; k <= 40; k++) {
        power = -power * a;
        s -= power * coeff / k;
        coeff *= (k + 2) / (2 * (2 * k + 5));
      }
      return s;
    }
    var r = 4 / a, beta = Math.sqrt(1 + r);
    return (-5 / 3 + r + (1 - r / 2) * beta * (2 * Math.log1p(beta) - Math.log(r))) / 6;
  }

  /** Kinetic-mixing loop integral I(q) (kernel_export.loop_integral_closed_form; q, masses in MeV). */
  function loopIntegral(q, ma, mb) {
    return Math.log(mb * mb / (ma * ma)) / 6 + vacuumPolarisationLog(q * q / (mb * mb))
      - vacuumPolarisationLog(q * q / (ma * ma));
  }

  /** [Q′_p(q), Q′_n(q)] of a Z′ model (units of g): constant at tree level, induced at one loop. */
  function vectorNucleonCharges(model, q) {
    if (model.kind === "tree") return [model.nucleon, model.nucleon];
    return [model.loop_coefficient * loopIntegral(q, model.loop_masses_MeV[0], model.loop_masses_MeV[1]), 0];
  }

  /** Per-node charge Q_α(q_k) of a target, with an optional vector Z′ (mediator {model, M, g}). */
  function nodeCharge(data, t, fl, p, mediator) {
    var nd = t.nodes, g = couplings(fl, p, data.constants), n = nd.q_MeV.length, Q = new Array(n);
    for (var k = 0; k < n; k++) Q[k] = t.Z * g[0] * nd.F_Z[k] + t.N * g[1] * nd.F_N[k];
    var model = mediator && mediator.model;
    if (model && model.kind !== "scalar" && model.nu[fl] !== 0) {
      var c = mediator.g * mediator.g * model.nu[fl] / data.constants.sqrt2_G_F;
      for (k = 0; k < n; k++) {
        var q = nd.q_MeV[k], qpn = vectorNucleonCharges(model, q);
        Q[k] += c * (qpn[0] * t.Z * nd.F_Z[k] + qpn[1] * t.N * nd.F_N[k]) / (q * q + mediator.M * mediator.M);
      }
    }
    return Q;
  }

  /** Scalar events per node of a flavour, g_φ⁴ Q_φ(q_k)²/(q_k² + M²)² S_k (zero without a scalar). */
  function scalarEvents(t, fl, mediator) {
    var nd = t.nodes, n = nd.q_MeV.length, ev = new Array(n).fill(0);
    if (!mediator || mediator.model.kind !== "scalar") return ev;
    var ch = mediator.model.nucleon_charges, g4 = Math.pow(mediator.g, 4), M2 = mediator.M * mediator.M;
    for (var k = 0; k < n; k++) {
      var q2 = nd.q_MeV[k] * nd.q_MeV[k], Qphi = ch.proton * t.Z * nd.F_Z[k] + ch.neutron * t.N * nd.F_N[k];
      ev[k] = g4 * Qphi * Qphi / ((q2 + M2) * (q2 + M2)) * nd.scalar[fl][k];
    }
    return ev;
  }

  /** dN/dT (events per keVnr) per flavour at the nodes of the first target, and counts per bin
   *  from the nodes (the route for q-dependent charges and light mediators). */
  function spectrum(data, exp, p, mediator) {
    var t = exp.targets[0], nd = t.nodes, n = nd.T_keV.length, mu2 = Math.pow(p.mu_nu * 1e-10, 2);
    var out = { T: nd.T_keV, total: new Array(n).fill(0), bins: new Array(exp.bins.length).fill(0) };
    exp.targets.forEach(function (tg) {
      var tn = tg.nodes;
      data.flavours.forEach(function (fl) {
        var Q = nodeCharge(data, tg, fl, p, mediator), ev = scalarEvents(tg, fl, mediator), R = responseOf(tn, fl);
        for (var k = 0; k < ev.length; k++) {
          ev[k] += tn.weak[fl][k] * Q[k] * Q[k] + mu2 * tn.magnetic[fl][k] * tn.F_Z[k] * tn.F_Z[k];
        }
        for (var b = 0; b < R.length; b++) for (k = 0; k < ev.length; k++) out.bins[b] += R[b][k] * ev[k];
        if (tg === t) {
          out[fl] = ev.map(function (e, k) { return e / tn.w_keV[k]; });
          for (k = 0; k < n; k++) out.total[k] += out[fl][k];
        }
      });
    });
    return out;
  }

  function dchi2(n, nsm, sigma) { return (nsm - n) * (nsm - n) / (nsm + sigma * sigma * n * n); }

  /** Same algorithm as cevns_lib.analysis.stats.allowed_intervals (linear interpolation). */
  function allowedIntervals(x, d, level) {
    var out = [], i = 0, n = x.length;
    while (i < n) {
      if (!(d[i] <= level)) { i++; continue; }
      var j = i;
      while (j + 1 < n && d[j + 1] <= level) j++;
      var lo = x[i], hi = x[j];
      if (i > 0) lo = x[i] + (level - d[i]) * (x[i - 1] - x[i]) / (d[i - 1] - d[i]);
      if (j < n - 1) hi = x[j] + (level - d[j]) * (x[j + 1] - x[j]) / (d[j + 1] - d[j]);
      out.push([lo, hi]);
      i = j + 1;
    }
    return out;
  }

  /** Parameters of a Δχ² scan point: the observable set to x, everything else at the SM. */
  function scanParams(data, obs, x) {
    var p = { sin2w: data.constants.sin2w_ref, mu_nu: 0, eps_u: 0, eps_d: 0, r2: 0 };
    p[obs === "charge_radius" ? "r2" : obs] = x;
    return p;
  }

  function chi2Curve(data, exp, obs, sigma, x) {
    var nsm = sum(binCounts(data, exp, scanParams(data, obs, obs === "sin2w" ? data.constants.sin2w_ref : 0)));
    return x.map(function (xi) { return dchi2(sum(binCounts(data, exp, scanParams(data, obs, xi))), nsm, sigma); });
  }

  function gridOf(spec) { // [start, step, n] → x_i = start + i·step
    var x = new Array(spec[2]);
    for (var i = 0; i < spec[2]; i++) x[i] = spec[0] + spec[1] * i;
    return x;
  }

  function linspace(lo, hi, n) {
    var x = new Array(n);
    for (var i = 0; i < n; i++) x[i] = lo + (hi - lo) * i / (n - 1);
    return x;
  }

  // ------------------------------------------------------------------------------------ SVG plot
  function el(name, attrs, parent) {
    var e = document.createElementNS(SVG_NS, name);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(e);
    return e;
  }

  function niceTicks(lo, hi, n) {
    var span = hi - lo, step = Math.pow(10, Math.floor(Math.log10(span / n))), err = span / n / step;
    step *= err >= 7.5 ? 10 : err >= 3.5 ? 5 : err >= 1.5 ? 2 : 1;
    var ticks = [], t0 = Math.ceil(lo / step - 1e-9) * step;
    for (var t = t0; t <= hi + 1e-9 * span; t += step) ticks.push(Math.abs(t) < 1e-12 * span ? 0 : t);
    return ticks;
  }

  function fmtTick(v) {
    if (v === 0) return "0";
    var a = Math.abs(v);
    if (a >= 1e4 || a < 1e-3) {
      var e = Math.floor(Math.log10(a)), m = v / Math.pow(10, e);
      return (Math.abs(m - 1) < 1e-9 ? "" : +m.toPrecision(3) + "×") + "10" + superscript(e);
    }
    return String(+v.toPrecision(4)).replace("-", "−");
  }

  function superscript(n) {
    var map = { "-": "⁻", "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹" };
    return String(n).split("").map(function (ch) { return map[ch]; }).join("");
  }

  /** Line plot: opts = {series: [{x, y, colour, label, dash, width}], xlim, ylim, logy, xlabel,
   *  ylabel, hlines: [{y, label}], vlines: [{x, label}], points: [{x, y, colour}]}. */
  function plot(host, opts) {
    var W = 680, H = 390, m = { l: 78, r: 16, t: 14, b: 54 };
    host.textContent = "";
    var svg = el("svg", { viewBox: "0 0 " + W + " " + H, "class": "cevns-plot", role: "img",
      "aria-label": opts.ylabel + " against " + opts.xlabel }, host);
    var pw = W - m.l - m.r, ph = H - m.t - m.b;
    var ty = opts.logy ? function (v) { return Math.log10(v); } : function (v) { return v; };
    var y0 = ty(opts.ylim[0]), y1 = ty(opts.ylim[1]);
    function X(v) { return m.l + pw * (v - opts.xlim[0]) / (opts.xlim[1] - opts.xlim[0]); }
    function Y(v) { var t = ty(Math.max(v, opts.logy ? 1e-300 : -1e300)); return m.t + ph * (1 - (t - y0) / (y1 - y0)); }
    var clip = "clip" + Math.random().toString(36).slice(2);
    el("rect", { x: m.l, y: m.t, width: pw, height: ph }, el("clipPath", { id: clip }, el("defs", {}, svg)));
    var grid = el("g", { "class": "grid" }, svg);
    niceTicks(opts.xlim[0], opts.xlim[1], 6).forEach(function (t) {
      el("line", { x1: X(t), x2: X(t), y1: m.t, y2: m.t + ph }, grid);
      var lab = el("text", { x: X(t), y: m.t + ph + 18, "text-anchor": "middle", "class": "tick" }, svg);
      lab.textContent = fmtTick(t);
    });
    var yt = opts.logy ? [] : niceTicks(opts.ylim[0], opts.ylim[1], 5);
    if (opts.logy) for (var e = Math.ceil(y0); e <= Math.floor(y1); e++) yt.push(Math.pow(10, e));
    yt.forEach(function (t) {
      el("line", { x1: m.l, x2: m.l + pw, y1: Y(t), y2: Y(t) }, grid);
      var lab = el("text", { x: m.l - 6, y: Y(t) + 4, "text-anchor": "end", "class": "tick" }, svg);
      lab.textContent = fmtTick(t);
    });
    el("rect", { x: m.l, y: m.t, width: pw, height: ph, "class": "frame" }, svg);
    var body = el("g", { "clip-path": "url(#" + clip + ")" }, svg);
    (opts.hlines || []).forEach(function (h) {
      el("line", { x1: m.l, x2: m.l + pw, y1: Y(h.y), y2: Y(h.y), "class": "refline" }, body);
    });
    (opts.vlines || []).forEach(function (v) {
      el("line", { x1: X(v.x), x2: X(v.x), y1: m.t, y2: m.t + ph, "class": "refline dotted" }, body);
    });
    opts.series.forEach(function (s) {
      var d = "";
      for (var i = 0; i < s.x.length; i++) {
        if (!isFinite(s.y[i]) || (opts.logy && s.y[i] <= 0)) continue;
        d += (d ? "L" : "M") + X(s.x[i]).toFixed(2) + "," + Y(s.y[i]).toFixed(2);
      }
      el("path", { d: d, fill: "none", stroke: s.colour, "stroke-width": s.width || 2,
        "stroke-dasharray": s.dash || "none" }, body);
    });
    (opts.points || []).forEach(function (pt) {
      el("circle", { cx: X(pt.x), cy: Y(pt.y), r: 5, fill: pt.colour }, body);
    });
    var xl = el("text", { x: m.l + pw / 2, y: H - 10, "text-anchor": "middle", "class": "axis-label" }, svg);
    xl.textContent = opts.xlabel;
    var yl = el("text", { transform: "translate(18," + (m.t + ph / 2) + ") rotate(-90)", "text-anchor": "middle",
      "class": "axis-label" }, svg);
    yl.textContent = opts.ylabel;
    var legend = opts.series.filter(function (s) { return s.label; })
      .concat((opts.hlines || []).filter(function (h) { return h.label; }).map(function (h) { return { label: h.label, colour: "#555", dash: "6 4" }; }))
      .concat((opts.vlines || []).filter(function (v) { return v.label; }).map(function (v) { return { label: v.label, colour: "#666", dash: "2 3" }; }));
    legend.forEach(function (s, i) {
      var y = m.t + 16 + 18 * i, x = m.l + pw - 150;
      el("line", { x1: x, x2: x + 26, y1: y - 4, y2: y - 4, stroke: s.colour, "stroke-width": s.width || 2,
        "stroke-dasharray": s.dash || "none" }, svg);
      var t = el("text", { x: x + 32, y: y, "class": "legend" }, svg);
      t.textContent = s.label;
    });
    return svg;
  }

  // ------------------------------------------------------------------------------ state and URL
  /** Controls: query name → definition. Log sliders hold log10 of the value. */
  function controlSpecs(data) {
    var names = Object.keys(data.experiments), models = Object.keys(data.mediator_models);
    var kinds = Object.keys(data.mediator_kinds).map(function (k) { return data.mediator_kinds[k]; });
    var gLo = Math.min.apply(null, kinds.map(function (k) { return k.coupling_range[0]; }));
    var gHi = Math.max.apply(null, kinds.map(function (k) { return k.coupling_range[1]; }));
    function symbols(state) { return data.mediator_kinds[data.mediator_models[state.model].kind]; }
    return {
      experiment: { kind: "choice", options: names, labels: names.map(function (n) { return data.experiments[n].label; }),
        def: names.indexOf("PIP2-BD") >= 0 ? "PIP2-BD" : names[0], text: "Experiment" },
      sin2w: { kind: "range", min: 0.20, max: 0.28, step: 0.0005, def: data.constants.sin2w_ref, text: "sin²θ_W", digits: 5 },
      mu_nu: { kind: "range", min: 0, max: 50, step: 0.5, def: 0, text: "μ_ν (10⁻¹⁰ μ_B)", digits: 3 },
      eps_u: { kind: "range", min: -0.2, max: 0.5, step: 0.005, def: 0, text: "ε_ee^uV", digits: 4 },
      eps_d: { kind: "range", min: -0.2, max: 0.5, step: 0.005, def: 0, text: "ε_ee^dV", digits: 4 },
      r2: { kind: "range", min: -15, max: 5, step: 0.1, def: 0, text: "⟨r²_ν⟩ (10⁻³² cm²)", digits: 3 },
      sys: { kind: "range", min: 0, max: 20, step: 0.5, def: 5, text: "systematic σ_norm (%)", digits: 3 },
      observable: { kind: "choice", options: Object.keys(data.observables),
        labels: Object.keys(data.observables).map(function (o) { return data.observables[o].label; }),
        def: "sin2w", text: "Observable" },
      model: { kind: "choice", options: models, labels: models.map(function (n) { return data.mediator_models[n].label; }),
        def: models.indexOf("B-L") >= 0 ? "B-L" : models[0], text: "Mediator model" },
      // mass and coupling: one slider each for every model, captioned with the model's symbols;
      // the coupling slider spans every coupling the book scans (mediator_kinds.coupling_range)
      mzp: { kind: "log", min: 0, max: 4, step: 0.01, def: 30, digits: 4,
        text: function (state) { return symbols(state).mass + " (MeV)"; } },
      g: { kind: "log", min: Math.floor(Math.log10(gLo)), max: Math.ceil(Math.log10(gHi)), step: 0.01, def: 1e-4, digits: 3,
        text: function (state) { return "coupling " + symbols(state).coupling; } }
    };
  }

  function captionOf(spec, state) { return typeof spec.text === "function" ? spec.text(state) : spec.text; }

  /** State from the URL query; values that are not allowed keep the default and are listed in
   *  problems (query name → message shown beside the explorer, and warned on the console). */
  function readQuery(specs) {
    var state = {}, problems = {}, q = new URLSearchParams(window.location.search);
    Object.keys(specs).forEach(function (name) {
      var s = specs[name], raw = q.get(name), why;
      state[name] = s.def;
      if (raw === null) return;
      if (s.kind === "choice") {
        if (s.options.indexOf(raw) >= 0) { state[name] = raw; return; }
        why = "is not one of " + s.options.join(", ");
      } else {
        var v = Number(raw), lo = s.kind === "log" ? Math.pow(10, s.min) : s.min, hi = s.kind === "log" ? Math.pow(10, s.max) : s.max;
        if (raw.trim() !== "" && isFinite(v) && v >= lo && v <= hi) { state[name] = v; return; }
        why = "is not allowed: " + captionOf(s, state) + " must be a number from " + fmtValue(lo, 4) + " to " + fmtValue(hi, 4);
      }
      problems[name] = "“" + name + "=" + raw + "” in the address " + why + "; showing the default "
        + (s.kind === "choice" ? s.labels[s.options.indexOf(s.def)] : fmtValue(s.def, s.digits)) + ".";
      console.warn("explorers: " + problems[name]);
    });
    return { state: state, problems: problems };
  }

  function queryString(specs, state) {
    var q = new URLSearchParams();
    Object.keys(specs).forEach(function (name) { if (state[name] !== specs[name].def) q.set(name, state[name]); });
    var s = q.toString();
    return s ? "?" + s : "";
  }

  function fmtValue(v, digits) { return v === 0 ? "0" : String(+v.toPrecision(digits)).replace("-", "−"); }

  /** A labelled control bound to state[name]; returns the row element. */
  function control(specs, state, name, onChange) {
    var s = specs[name], row = document.createElement("label"), readout = document.createElement("output"), input;
    row.className = "cevns-control";
    var caption = document.createElement("span");
    caption.textContent = captionOf(s, state);
    row.appendChild(caption);
    if (s.kind === "choice") {
      input = document.createElement("select");
      s.options.forEach(function (o, i) {
        var opt = document.createElement("option");
        opt.value = o; opt.textContent = s.labels[i]; input.appendChild(opt);
      });
      input.value = state[name];
      input.addEventListener("change", function () { state[name] = input.value; onChange(name); });
    } else {
      input = document.createElement("input");
      // step "any": a value from the query is shown exactly; a moved slider snaps to s.step
      input.type = "range"; input.min = s.min; input.max = s.max; input.step = "any";
      input.value = s.kind === "log" ? Math.log10(state[name]) : state[name];
      input.addEventListener("input", function () {
        var v = +(Math.round(Number(input.value) / s.step) * s.step).toPrecision(12);
        state[name] = s.kind === "log" ? +Math.pow(10, v).toPrecision(4) : v;
        onChange(name);
      });
    }
    input.id = "cevns-" + name;
    input.name = name;
    row.appendChild(input);
    if (s.kind !== "choice") row.appendChild(readout);
    row.update = function () {
      caption.textContent = captionOf(s, state);
      if (s.kind !== "choice") readout.textContent = fmtValue(state[name], s.digits);
    };
    row.update();
    row.input = input;
    return row;
  }

  function formatCount(n) { return n >= 1e6 ? String(Math.round(n)) : n.toPrecision(7); }

  function formatIntervals(iv, unit) {
    if (!iv.length) return "no allowed values on the scan grid";
    return iv.map(function (v) { return "[" + fmtValue(v[0], 4) + ", " + fmtValue(v[1], 4) + "]"; }).join(" ∪ ")
      + (unit ? " (" + unit + ")" : "");
  }

  // ---------------------------------------------------------------------------------- explorers
  function start() {
    var node = document.getElementById("cevns-kernel-data");
    var hosts = ["cevns-explorer-bar", "cevns-spectrum-explorer", "cevns-chi2-explorer", "cevns-zprime-explorer"]
      .map(function (id) { return document.getElementById(id); });
    if (!node || hosts.some(function (h) { return !h; })) return;
    var data = JSON.parse(node.textContent);
    if (data.schema !== "cevns-kernels" || data.version !== 2) throw new Error("explorers: unsupported kernel data");
    var specs = controlSpecs(data), query = readQuery(specs), state = query.state, problems = query.problems;
    var rows = [], notices = [], cache = {};

    // An explorer: its controls, a notice (id host-id + "-notice": the query values it refused), a
    // summary and a figure.
    function box(host, names) {
      var controls = document.createElement("div");
      controls.className = "cevns-controls";
      names.forEach(function (n) { var r = control(specs, state, n, changed); rows.push(r); controls.appendChild(r); });
      host.appendChild(controls);
      var notice = document.createElement("p"), summary = document.createElement("p"), figure = document.createElement("div");
      notice.id = host.id + "-notice"; notice.className = "cevns-notice"; notice.setAttribute("role", "status");
      notice.style.color = "#A00";
      summary.className = "cevns-summary"; figure.className = "cevns-figure";
      host.appendChild(notice); host.appendChild(summary); host.appendChild(figure);
      notices.push({ element: notice, names: names });
      return { summary: summary, figure: figure };
    }

    function showNotices() {
      notices.forEach(function (n) {
        var text = n.names.filter(function (name) { return problems[name]; }).map(function (name) { return problems[name]; });
        n.element.textContent = text.join(" ");
        n.element.hidden = !text.length;
      });
    }

    var link = document.createElement("a");
    var bar = box(hosts[0], ["experiment"]);
    link.textContent = "link to this view"; link.className = "cevns-link";
    bar.summary.appendChild(link);
    var spec = box(hosts[1], ["sin2w", "mu_nu", "eps_u", "eps_d", "r2"]);
    var chi2 = box(hosts[2], ["observable", "sys"]);
    var zp = box(hosts[3], ["model", "mzp", "g"]);

    function params() { return { sin2w: state.sin2w, mu_nu: state.mu_nu, eps_u: state.eps_u, eps_d: state.eps_d, r2: state.r2 }; }

    var SM_PARAMS = { sin2w: data.constants.sin2w_ref, mu_nu: 0, eps_u: 0, eps_d: 0, r2: 0 };

    function smCount(exp) {
      return sum(binCounts(data, exp, SM_PARAMS));
    }

    // The displayed count (a test hook: element id, full-precision data-value) and its explanation.
    function showCount(box, id, value, text, explanation) {
      box.innerHTML = "";
      var count = document.createElement("span");
      count.id = id;
      count.setAttribute("data-value", String(value));
      count.textContent = text;
      box.appendChild(count);
      box.appendChild(document.createTextNode(explanation));
    }

    function drawSpectrum(exp) {
      var s = spectrum(data, exp, params()), n = sum(binCounts(data, exp, params()));
      showCount(spec.summary, "spectrum-count", n, formatCount(n) + " events above " + exp.threshold_keVnr + " keVnr over the run",
        " — " + exp.label + ", " + (n / smCount(exp)).toFixed(4) + " × the Standard-Model prediction.");
      var ymax = Math.max.apply(null, s.total);
      plot(spec.figure, {
        series: data.flavours.map(function (fl) { return { x: s.T, y: s[fl], colour: COLOURS[fl], label: FLAVOUR_LABELS[fl] }; })
          .concat([{ x: s.T, y: s.total, colour: COLOURS.total, label: "total" }]),
        xlim: [0, 150], ylim: [ymax * 1e-4, ymax * 2], logy: true,
        vlines: [{ x: exp.threshold_keVnr, label: "threshold" }],
        xlabel: "nuclear recoil energy T (keVnr)", ylabel: "dN/dT (events / keVnr)"
      });
    }

    function drawChi2(exp) {
      var obs = data.observables[state.observable], sigma = state.sys / 100, level = data.constants.dchi2_90cl;
      var key = state.experiment + "|" + state.observable + "|" + sigma;
      if (!cache[key]) {
        var xf = gridOf(obs.grid);
        cache = {};
        cache[key] = allowedIntervals(xf, chi2Curve(data, exp, state.observable, sigma, xf), level);
      }
      var iv = cache[key], x = linspace(obs.plot[0], obs.plot[1], obs.plot[2]), d = chi2Curve(data, exp, state.observable, sigma, x);
      var current = state[state.observable === "charge_radius" ? "r2" : state.observable];
      var dnow = chi2Curve(data, exp, state.observable, sigma, [current])[0];
      chi2.summary.innerHTML = "";
      chi2.summary.appendChild(document.createTextNode("90% CL (Δχ² ≤ " + level.toFixed(3) + "), " + exp.label + ", "
        + state.sys + "% normalisation: "));
      var out = document.createElement("b");
      out.id = "chi2-interval";
      out.setAttribute("data-intervals", JSON.stringify(iv));
      out.textContent = formatIntervals(iv, obs.unit);
      chi2.summary.appendChild(out);
      chi2.summary.appendChild(document.createTextNode(". At the slider value " + obs.label + " = " + fmtValue(current, 4)
        + ": Δχ² = " + fmtValue(dnow, 3) + "."));
      plot(chi2.figure, {
        series: [{ x: x, y: d, colour: EXPERIMENT_COLOURS[state.experiment] || "#000", label: state.experiment }],
        points: current >= obs.plot[0] && current <= obs.plot[1] && dnow <= 10 ? [{ x: current, y: dnow, colour: "#000" }] : [],
        xlim: [obs.plot[0], obs.plot[1]], ylim: [0, 10], hlines: [{ y: level, label: "90% CL" }],
        xlabel: obs.label, ylabel: "Δχ²"
      });
    }

    /** For a kinetic-mixing model: the induced proton charge at the threshold momentum transfer. */
    function loopChargeAtThreshold(model, exp) {
      if (model.kind !== "loop") return "";
      var T = exp.threshold_keVnr * 1e-3, q = Math.sqrt(2 * exp.targets[0].mass_MeV * T + T * T);
      return ": Q′_p = " + fmtTick(vectorNucleonCharges(model, q)[0]) + " at the threshold, |q| = " + q.toFixed(1) + " MeV";
    }

    function drawZprime(exp) {
      var model = data.mediator_models[state.model], kind = data.mediator_kinds[model.kind], sm = SM_PARAMS;
      var s0 = spectrum(data, exp, sm), s1 = spectrum(data, exp, sm, { model: model, M: state.mzp, g: state.g });
      var n0 = sum(s0.bins), n1 = sum(s1.bins), name = model.label + " " + kind.field;
      var inputs = " (" + kind.mass + " = " + fmtValue(state.mzp, 4) + " MeV, " + kind.coupling + " = " + fmtValue(state.g, 3) + ")";
      if (!isFinite(n0) || !isFinite(n1)) {
        showCount(zp.summary, "zprime-count", "", "No count: the " + name + inputs + " gives no finite number of events.", "");
        zp.figure.textContent = "";
        return;
      }
      showCount(zp.summary, "zprime-count", n1, formatCount(n1) + " events with the " + name,
        inputs + " against " + formatCount(n0) + " in the Standard Model: ratio " + (n1 / n0).toFixed(4) + ", "
        + exp.label + ", above " + exp.threshold_keVnr + " keVnr. " + kind.meaning + loopChargeAtThreshold(model, exp) + ".");
      var m0 = Math.max.apply(null, s0.total), m1 = Math.max.apply(null, s1.total);
      plot(zp.figure, {
        series: [{ x: s0.T, y: s0.total, colour: COLOURS.total, label: "Standard Model" },
          { x: s1.T, y: s1.total, colour: COLOURS.zprime, label: "with " + kind.field, dash: "7 4" }],
        xlim: [0, 150], ylim: [Math.min(m0, m1) * 1e-4, Math.max(m0, m1) * 2], logy: true,
        vlines: [{ x: exp.threshold_keVnr, label: "threshold" }],
        xlabel: "nuclear recoil energy T (keVnr)", ylabel: "dN/dT (events / keVnr)"
      });
    }

    function changed(name) {
      var exp = data.experiments[state.experiment];
      if (name) delete problems[name];  // the control was moved: its refused query value is gone
      showNotices();
      rows.forEach(function (r) { r.update(); });
      var qs = queryString(specs, state);
      link.href = window.location.pathname.split("/").pop() + qs;
      try { window.history.replaceState(null, "", qs || window.location.pathname); } catch (e) { /* file:// may refuse */ }
      drawSpectrum(exp);
      drawChi2(exp);
      drawZprime(exp);
    }

    changed();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
