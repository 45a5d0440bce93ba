"""Benchmark of the rate engine (run with `make bench`).

Measures, per projected experiment,
- one total SM count (all flavours) from scratch: kernels on the recoil grid + fold + evaluation;
- one total SM count from already folded kernels;
- a 10,000-point sin²θ_W scan (counts and Δχ²);
and the accuracy of each against a converged reference (grid refined ×4 in panel density and order).
Targets on a 2-core machine: one total ≤ 2 ms, the 10,000-point scan ≤ 10 ms, accuracy ≤ 1e-4.
"""

import sys
import timeit

import numpy as np

from cevns_lib.physics import constants as c
from cevns_lib.physics import interactions as I
from cevns_lib.analysis import stats
from cevns_lib.experiments.projections import PROJECTIONS, get_experiment
from cevns_lib.physics.form_factors import get_form_factor
from cevns_lib.physics.sources import FLAVOURS



def best_of(fn, number, repeat=7):
    """Best time per call in seconds over ``repeat`` rounds of ``number`` calls."""
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def main():
    print(f"{'experiment':<10} {'total, scratch':>15} {'total, folded':>14} {'10k sin2w scan':>15} "
          f"{'rel. accuracy':>14} {'scan accuracy':>14}")
    worst = {"scratch": 0.0, "scan": 0.0, "acc": 0.0}
    s0 = c.sin2_theta_w_low_q
    scan = np.linspace(0.20, 0.28, 10_000)
    for name in PROJECTIONS:
        exp = get_experiment(name)
        F = get_form_factor("helm", exp.nucleus)
        amps0 = {fl: I.weak_amplitude(exp.nucleus, fl, s0) for fl in FLAVOURS}

        def total_from_scratch():
            return exp.kernels().fold(exp.efficiency, F).total(amps0)

        folded = exp.kernels().fold(exp.efficiency, F)
        n_sm = folded.total(amps0)

        def sin2w_scan():
            amps = {fl: I.weak_amplitude(exp.nucleus, fl, scan) for fl in FLAVOURS}
            return stats.chi2_normalisation_pull(folded.total(amps), n_sm, 0.05)

        t_scratch = best_of(total_from_scratch, 20)
        t_folded = best_of(lambda: folded.total(amps0), 2000)
        t_scan = best_of(sin2w_scan, 50)

        ref = exp.kernels(panels_per_decade=16, order=32).fold(exp.efficiency, F)
        acc = abs(total_from_scratch() / ref.total(amps0) - 1)
        amps_scan = {fl: I.weak_amplitude(exp.nucleus, fl, scan) for fl in FLAVOURS}
        scan_acc = float(np.max(np.abs(folded.total(amps_scan) / ref.total(amps_scan) - 1)))
        worst["scratch"] = max(worst["scratch"], t_scratch)
        worst["scan"] = max(worst["scan"], t_scan)
        worst["acc"] = max(worst["acc"], acc, scan_acc)
        print(f"{name:<10} {t_scratch * 1e3:12.3f} ms {t_folded * 1e6:11.2f} µs {t_scan * 1e3:12.3f} ms "
              f"{acc:14.1e} {scan_acc:14.1e}")
    ok = worst["scratch"] <= 2e-3 and worst["scan"] <= 10e-3 and worst["acc"] <= 1e-4
    print(f"\nworst: one total {worst['scratch'] * 1e3:.3f} ms (target 2 ms), 10k scan {worst['scan'] * 1e3:.3f} ms "
          f"(target 10 ms), accuracy {worst['acc']:.1e} (target 1e-4): {'within targets' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
