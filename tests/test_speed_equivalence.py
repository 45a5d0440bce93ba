"""The shortcuts taken for speed give the values of the general code paths, bit for bit:

- :meth:`Prediction.mu_nu_counts` equals ``counts(mu_nu=…)``, so μ_ν limits keep their root-finder path;
- a :class:`~cevns_lib.analysis.fit.Part` that remembers a scan returns what a fresh evaluation gives,
  and the fit of a combination is the sum of its parts' fits;
- tables parsed once are handed out as independent copies; cached quadrature nodes are read-only.
"""

import numpy as np
import pytest

from cevns_lib.analysis.fit import REMEMBERED_SCANS, SCAN_CHUNK, load_fit
from cevns_lib.analysis.sensitivity import MU_UNIT, CountModel
from cevns_lib.analysis.stats import chi2_normalisation_pull, upper_limit
from cevns_lib.engine.kernels import gauss_legendre
from cevns_lib.experiments.projections import PROJECTIONS, get_experiment

needs_data = pytest.mark.needs_data("csi2017", "csi2021", "ar2020_analysisA")


@pytest.mark.parametrize("name", PROJECTIONS)
def test_mu_nu_counts_equal_counts_bit_for_bit(name):
    pred = get_experiment(name).prediction("helm")
    f = pred.mu_nu_counts(sin2w=0.24)
    for mu in (0.0, 1e-11, 3.7e-10, 2e-9):
        assert np.array_equal(f(mu), pred.counts(sin2w=0.24, mu_nu=mu))
    g = pred.mu_nu_counts(eps_u_ee=0.1, r2_mu=2.0, kappa=0.05)
    assert np.array_equal(g(1e-9), pred.counts(eps_u_ee=0.1, r2_mu=2.0, kappa=0.05, mu_nu=1e-9))


def test_mu_nu_counts_refuses_bad_input():
    pred = get_experiment("PIP2-BD").prediction("helm")
    with pytest.raises(ValueError, match="argument of the returned function"):
        pred.mu_nu_counts(mu_nu=1e-10)
    with pytest.raises(ValueError, match="scalar parameters"):
        pred.mu_nu_counts(sin2w=np.array([0.23, 0.24]))
    with pytest.raises(ValueError, match="unknown parameter"):
        pred.mu_nu_counts(eps_e=0.1)
    with pytest.raises(ValueError, match="one finite number"):
        pred.mu_nu_counts()(np.nan)


def test_mu_nu_limit_is_the_general_root_find():
    """The limit equals the root-find of the general Δχ²(μ) (counts re-derived at every step)."""
    model = CountModel.from_experiment(get_experiment("CENNS-750"))
    general = lambda x: float(model.dchi2(model.counts_mu_nu(x * MU_UNIT), 0.05))  # noqa: E731
    assert model.mu_nu_limit(0.05) == upper_limit(general) * MU_UNIT
    assert chi2_normalisation_pull(model.n_sm, model.n_sm, 0.05) == 0.0


def test_gauss_legendre_cached_read_only():
    x, w = gauss_legendre(8)
    ref = np.polynomial.legendre.leggauss(8)
    assert np.array_equal(x, ref[0]) and np.array_equal(w, ref[1])
    assert gauss_legendre(8)[0] is x
    with pytest.raises(ValueError):
        x[0] = 0.0


@needs_data
def test_remembered_scans_equal_fresh_evaluation():
    grid = np.linspace(-0.3, 0.3, SCAN_CHUNK + 7)                # more than one block
    combo = load_fit("CsI-2021+Ar-2020")
    fresh = {name: load_fit(name).chi2(eps_u_ee=grid) for name in combo.parts}
    both = combo.with_parts()
    total = both["CsI-2021+Ar-2020"].chi2(eps_u_ee=grid)
    parts = {name: both[name].chi2(eps_u_ee=grid) for name in combo.parts}      # remembered
    for name in combo.parts:
        assert np.array_equal(parts[name], fresh[name])
    assert np.array_equal(total, sum(fresh.values()))
    parts[next(iter(parts))][0] = -1.0                          # the caller's array is its own
    again = both[next(iter(parts))].chi2(eps_u_ee=grid)
    assert np.array_equal(again, fresh[next(iter(parts))])
    small = {name: both[name].chi2(eps_d_ee=np.array([0.0, 0.1]), eps_u_ee=0.05) for name in both}
    assert np.array_equal(small["CsI-2021+Ar-2020"], sum(small[n] for n in combo.parts))
    for k in range(REMEMBERED_SCANS + 2):                       # the memory stays bounded
        both["CsI-2021+Ar-2020"].chi2(eps_u_ee=0.01 * k)
    assert all(len(p._scans) <= REMEMBERED_SCANS for p in combo.parts.values())


@needs_data
def test_load_table_parsed_once_copies():
    from cevns_lib.datafiles import loader

    a = loader.load_table("ar2020_analysisA", "cevnspdf.txt")
    a[:] = 0.0
    b = loader.load_table("ar2020_analysisA", "cevnspdf.txt")
    assert np.any(b != 0.0) and b is not a


@needs_data
def test_counts_broadcast_every_parameter_like_one_point_at_a_time():
    """Scans over μ_ν alone, and over sin²θ_W × ε^dV on two axes, equal point-by-point counts bit for bit."""
    pred = load_fit("CsI-2021").parts["CsI-2021"].prediction
    mus = (0.0, 1e-9, 3e-9)
    assert np.array_equal(pred.counts(mu_nu=np.array(mus)), np.array([pred.counts(mu_nu=m) for m in mus]))
    s, e = (0.2, 0.25), (0.0, 0.1, 0.2)
    grid = pred.counts(sin2w=np.array(s)[:, None], eps_d_ee=np.array(e))
    assert np.array_equal(grid, np.array([[pred.counts(sin2w=a, eps_d_ee=b) for b in e] for a in s]))
