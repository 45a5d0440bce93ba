"""Joint inference of the CENNS-750 exposure and threshold (cevns_lib.analysis.exposure)."""

import numpy as np
import pytest

from cevns_lib.analysis import exposure as ex
from cevns_lib.analysis import sensitivity as sens
from cevns_lib.book.published import load_published
from cevns_lib.experiments.projections import get_experiment
from cevns_lib.physics import constants as c


def _pub(key, name="CENNS-750"):
    return next(p for p in load_published() if p.key == key and p.parameters.get("experiment") == name)


def test_profiled_bounds_exact_and_asymptotic():
    lo, hi = ex.profiled_bounds(np.array([1e3, 1e12]), 0.05)
    a_lo, a_hi = sens.asymptotic_fractional_bounds(0.05)
    assert lo[1] == pytest.approx(a_lo, rel=1e-6) and hi[1] == pytest.approx(a_hi, rel=1e-6)
    for x in (lo[0], hi[0]):  # the roots solve Δχ² = 2.706 exactly
        n = 1e3 * (1 + x)
        assert (1e3 - n) ** 2 / (1e3 + 0.05**2 * n**2) == pytest.approx(2.706, rel=1e-3)
    with pytest.raises(ValueError):
        ex.profiled_bounds(np.nan, 0.05)


def test_scan_agrees_with_the_count_model():
    r = ex.scan_exposure_threshold("CENNS-750", 10.6, [0.2271, 0.2516], [14.5], [1.0, 3.5])
    for j, yrs in enumerate(r.years):
        m = sens.CountModel.from_experiment(sens.configure_experiment("CENNS-750", 14.5, yrs))
        assert r.n_sm[0, j] == pytest.approx(m.n_sm, rel=1e-10)
        assert r.mu_limit[0, j] == pytest.approx(m.mu_nu_limit(0.05) / sens.MU_UNIT, rel=1e-6)
        assert [r.sin2w_lo[0, j], r.sin2w_hi[0, j]] == pytest.approx(m.sin2w_interval(0.05), abs=2e-6)


def test_registry_cenns750_exposure_is_jointly_consistent():
    """The registry pair (threshold, paper run time) rounds to every published CENNS-750 5% number;
    the former pair (14.5 keVnr, 1 calendar year) did not."""
    e = get_experiment("CENNS-750")
    years = e.quantities["paper_run_time_s"].value / c.year_s
    mu, sw = _pub("mu_nu_limit_sys5").value, _pub("sin2w_interval_sys5").value
    r = ex.scan_exposure_threshold("CENNS-750", mu, sw, [e.threshold_keVnr], [1.0, years])
    assert not r.consistent[0, 0] and r.consistent[0, 1]
    # the published numbers are run with that exposure
    for key in ("mu_nu_limit_sys5", "sin2w_interval_sys5"):
        assert _pub(key).parameters.get("run_time_years") == pytest.approx(years)


def test_compare_configurations_matches_configure_experiment():
    out = ex.compare_configurations(["CCM"])
    for cfg in ("paper", "facility"):
        m = sens.CountModel.from_experiment(sens.configure_experiment("CCM", configuration=cfg))
        n, iv, mu, label = out[cfg]["CCM"]
        assert n == pytest.approx(m.n_sm) and mu == pytest.approx(m.mu_nu_limit(0.05) / sens.MU_UNIT)
        assert "year" in label


def test_mu_limit_vs_threshold_rises():
    lims = ex.mu_limit_vs_threshold("PIP2-BD", [5.0, 9.0, 15.0])
    assert np.all(np.diff(lims) > 0)
    with pytest.raises(ValueError):
        ex.mu_limit_vs_threshold("PIP2-BD", [np.nan])
