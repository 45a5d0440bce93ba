"""Benchmark of whole-chapter runs: each chapter's `cevns run` time against chapter 01's.

Each chapter runs as a user runs it, ``cevns run CHAPTER --results FILE`` (a fresh Jupyter kernel
through papermill, figures rendered), with its default parameters. Runs are interleaved, chapter
01 – chapter N – chapter 01, so that a drift of the machine's speed (measured on a shared 2-core
machine: 10–35% within an hour) affects both sides of a ratio alike; the ratio of a pair is the
chapter's time over the mean of the two chapter-01 runs around it, and the median over ``--pairs``
pairs is reported. Targets (issue "Fast everywhere"): the light-mediator chapter within 3× chapter 01,
every other chapter within 2×. A chapter whose data are not available here is reported as such and
not counted.

Usage: ``python benchmarks/bench_chapters.py [--pairs N] [--chapters 04_detectors 09_light_mediators …]``
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE = "01_theory"
TARGETS = {"09_light_mediators": 3.0}
"""Largest allowed ratio to chapter 01 (default 2)."""
DEFAULT_TARGET = 2.0
SKIPPED = ("10_reproduction",)
"""Not timed here: the dashboard reuses the results of a book build (timed in ``make book``)."""


def chapters():
    """The book's chapter stems (``cevns list``), chapter 01 first."""
    from cevns_lib.book.chapters import chapter_files

    return [s for s in chapter_files() if s not in SKIPPED]


def run_time(stem, out):
    """Wall time [s] of ``cevns run stem``; None if its data are not available (any other failure raises)."""
    cmd = [sys.executable, "-m", "cevns_lib.book.cli", "run", stem, "--results", str(out)]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        if "cevns data fetch" in done.stderr:
            return None
        raise RuntimeError(f"cevns run {stem} failed: {done.stderr.strip()[-500:]}")
    return elapsed


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=3, help="interleaved pairs per chapter (median reported)")
    ap.add_argument("--chapters", nargs="*", help="chapter stems (default: every chapter but 01 and the dashboard)")
    args = ap.parse_args(argv)
    stems = args.chapters or [s for s in chapters() if s != BASE]
    ok = True
    print(f"`cevns run` wall time against {BASE} (interleaved, median of {args.pairs} pairs):")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "results.json"
        for stem in stems:
            ratios, times, base_times = [], [], []
            for _ in range(args.pairs):
                before = run_time(BASE, out)
                t = run_time(stem, out)
                if t is None:
                    break
                after = run_time(BASE, out)
                base = 0.5 * (before + after)
                ratios.append(t / base)
                times.append(t)
                base_times += [before, after]
            if not ratios:
                print(f"  {stem:<22} data not available here (not counted)")
                continue
            target = TARGETS.get(stem, DEFAULT_TARGET)
            ratio = statistics.median(ratios)
            hit = ratio <= target
            ok &= hit
            print(f"  {stem:<22} {statistics.median(times):6.2f} s  ({BASE} {statistics.median(base_times):5.2f} s)  "
                  f"ratio {ratio:4.2f} [{min(ratios):.2f}–{max(ratios):.2f}]   "
                  f"(target ≤ {target:g}: {'met' if hit else 'MISSED'})")
    print("\nall targets met" if ok else "\nsome targets MISSED (see above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
