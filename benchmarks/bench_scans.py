"""Benchmark of profiled likelihood scans, the mediator chapter's machinery, memory and import time
(run with `make bench`; a benchmark, not a timed test).

Measures on this machine (best of ``--repeat`` rounds; the machine may be shared, so the numbers are
noisy and the best round is the fairest):

- a 10⁴-point Δχ² scan in sin²θ_W with every nuisance profiled, on ``CsI-2021+Ar-2020`` (Poisson
  CsI 2021 + Poisson argon energy × time) and on the projection ``PIP2-BD``: profiled points per second;
- the Z′ (M, g) scan of :func:`cevns_lib.analysis.mediator_scans.model_scan` (universal model,
  default grids, CsI 2021 + Ar energy fit) and its minimum polish alone;
- the peak memory (tracemalloc, in a fresh process) of a 10⁶-point sin²θ_W scan and of a 10⁶-mass
  Z′ scan on ``CsI-2021+Ar-2020``;
- the import time of ``cevns_lib`` and its submodules (fresh process each).

Targets of the "fast everywhere" issue: ≥ 10⁵ profiled points/s on ``CsI-2021+Ar-2020``; a 10⁶-point
scan under 500 MB; every import under 0.25 s. ``--quick`` skips the 10⁶-point memory runs.
"""

import argparse
import json
import subprocess
import sys
import time

TARGET_POINTS_PER_S = 1e5
TARGET_PEAK_MB = 500.0
TARGET_IMPORT_S = 0.25
IMPORTS = ("cevns_lib", "cevns_lib.analysis.sensitivity", "cevns_lib.analysis.fit", "cevns_lib.analysis.stats",
           "cevns_lib.analysis.mediator_scans", "cevns_lib.engine.prediction", "cevns_lib.experiments.catalog",
           "cevns_lib.book.results", "cevns_lib.book.cli")


def best_of(fn, repeat):
    """Best wall time (s) of ``repeat`` calls of ``fn``."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def _child(code: str) -> dict:
    """Run ``code`` (which prints one JSON line last) in a fresh interpreter; ``{"error": ...}`` if it
    fails (e.g. killed by the kernel when out of memory)."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode != 0:
        why = "killed (signal 9: out of memory?)" if out.returncode == -9 else out.stderr.strip().splitlines()[-1:]
        return {"error": str(why)}
    return json.loads(out.stdout.strip().splitlines()[-1])


def import_times(repeat):
    """Best wall time (s) of importing each module in a fresh interpreter."""
    code = ("import time, json; t = time.perf_counter(); import {m}; "
            "print(json.dumps({{'t': time.perf_counter() - t}}))")
    out = {}
    for m in IMPORTS:
        runs = [_child(code.format(m=m)) for _ in range(repeat)]
        bad = [r["error"] for r in runs if "error" in r]
        if bad:
            raise RuntimeError(f"import {m} failed: {bad[0]}")
        out[m] = min(r["t"] for r in runs)
    return out


MEMORY_CODE = """
import json, tracemalloc, time
import numpy as np
from cevns_lib.analysis.fit import load_fit
from cevns_lib.analysis import mediator_scans as ms
kind = {kind!r}
if kind == "sin2w":
    fit = load_fit("CsI-2021+Ar-2020")
    grid = np.linspace(0.15, 0.35, 1_000_000)
    run = lambda: fit.scan("sin2w", grid)
else:
    combo = ms.load_combination("CsI-2021+Ar-2020")
    masses = np.logspace(0.0, 4.0, 1_000_000)
    run = lambda: ms.scan(combo, "universal", masses, [1e-4])["combined"]
tracemalloc.start()
t0 = time.perf_counter()
res = run()
dt = time.perf_counter() - t0
peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({{"peak_mb": peak / 1e6, "seconds": dt, "n": int(np.size(res)), "checksum": float(np.sum(res))}}))
"""


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="skip the 10⁶-point memory measurements")
    ap.add_argument("--json", help="also write the numbers to this JSON file")
    args = ap.parse_args(argv)

    import numpy as np

    from cevns_lib.analysis import mediator_scans as ms
    from cevns_lib.analysis.fit import Fit, Part, load_fit

    report, ok = {}, True
    grid = np.linspace(0.15, 0.35, 10_000)
    print(f"profiled Δχ² scans, 10⁴ points in sin²θ_W (best of {args.repeat}):")
    for name in ("CsI-2021+Ar-2020", "PIP2-BD"):
        base = load_fit(name)
        base.scan("sin2w", grid[:10])                                  # warm caches (moments)
        # Each round scans with fresh parts (same predictions and likelihoods): a part remembers its
        # last scans (Part.scan_chi2), and a repeated scan would only time that memory.
        fresh = lambda: Fit(base.name, base.kind, {k: Part(p.name, p.prediction, p.likelihood)  # noqa: E731
                                                   for k, p in base.parts.items()})
        t = best_of(lambda: fresh().scan("sin2w", grid), args.repeat)
        rate = grid.size / t
        report[f"scan_sin2w_{name}_points_per_s"] = rate
        line = f"  {name:<18} {t * 1e3:9.1f} ms  {rate:12.3g} points/s"
        if name == "CsI-2021+Ar-2020":
            hit = rate >= TARGET_POINTS_PER_S
            ok &= hit
            line += f"   (target ≥ {TARGET_POINTS_PER_S:.0e}: {'met' if hit else 'MISSED'})"
        print(line)

    combo = ms.load_combination("CsI-2021+Ar-2020")
    ms.model_scan(combo, "universal", masses=ms.DEFAULT_MASSES[:2])   # warm the per-model caches
    n_pts = ms.DEFAULT_MASSES.size * ms.DEFAULT_GRIDS["tree"]["g"].size + 2 * 801
    t = best_of(lambda: ms.model_scan(combo, "universal"), args.repeat)
    report["model_scan_universal_s"] = t
    report["model_scan_universal_points_per_s"] = 2 * n_pts / t
    print(f"Z′ model_scan (universal, CsI 2021 + Ar energy, {n_pts} (M, g) points × 2 data sets): "
          f"{t:.2f} s, {2 * n_pts / t:.3g} profiled points/s")
    masses = ms.DEFAULT_MASSES
    g = ms.sheared_grid(masses, ms.DEFAULT_GRIDS["tree"]["g"])
    full = ms.scan(combo, "universal", masses, g)
    t = best_of(lambda: ms.polish_minimum(combo, "universal", masses, g, full["combined"], "combined"), args.repeat)
    report["polish_minimum_s"] = t
    print(f"  of which polish_minimum (combined): {t:.3f} s")

    if not args.quick:
        print("peak memory of 10⁶-point scans (tracemalloc, fresh process):")
        for kind in ("sin2w", "zprime_masses"):
            r = _child(MEMORY_CODE.format(kind=kind))
            if "error" in r:
                ok = False
                report[f"memory_{kind}_peak_mb"] = r["error"]
                print(f"  {kind:<14} FAILED: {r['error']}")
                continue
            hit = r["peak_mb"] < TARGET_PEAK_MB
            ok &= hit
            report[f"memory_{kind}_peak_mb"] = r["peak_mb"]
            report[f"memory_{kind}_s"] = r["seconds"]
            print(f"  {kind:<14} {r['peak_mb']:9.0f} MB  {r['seconds']:7.2f} s   "
                  f"(target < {TARGET_PEAK_MB:.0f} MB: {'met' if hit else 'MISSED'})")

    print(f"import time (fresh process, best of {args.repeat}):")
    for mod, t in import_times(args.repeat).items():
        hit = t < TARGET_IMPORT_S
        ok &= hit
        report[f"import_{mod}_s"] = t
        print(f"  {mod:<36} {t:6.3f} s   (target < {TARGET_IMPORT_S} s: {'met' if hit else 'MISSED'})")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(report, fh, indent=1)
    print("\nall targets met" if ok else "\nsome targets MISSED (see above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
