"""Chapter 08 (the COHERENT data) re-executed for each data set: SM predictions, fitted
normalisation and cross section, neutron radius, point-like nucleus."""

import numpy as np
import pytest

from cevns_lib.book.chapters import run_chapter

KEYS = {"sm_events", "cevns_counts_fitted", "cevns_counts_fitted_err", "flux_averaged_xsec_cm2",
        "flux_averaged_xsec_cm2_err", "neutron_radius_fm", "neutron_radius_interval_1sigma_fm", "no_form_factor_sigma"}


SHARED_CHAPTER_RUNS = [("08_coherent_data", {"experiment": e}) for e in ("CsI-2017", "CsI-2021", "Ar-2020")]


@pytest.mark.chapters
@pytest.mark.needs_data()
@pytest.mark.parametrize("experiment", ["CsI-2017", "CsI-2021", "Ar-2020"])
def test_chapter_08_runs(experiment, chapter_results):
    res = chapter_results("08_coherent_data", {"experiment": experiment})
    v = res["values"]
    assert set(v) == KEYS
    assert set(v["sm_events"]) == {"CsI-2017", "CsI-2021", "Ar-2020"}
    assert v["cevns_counts_fitted"] > 2 * v["cevns_counts_fitted_err"] > 0       # CEvNS seen at > 2σ
    assert 1e-40 < v["flux_averaged_xsec_cm2"] < 1e-37
    lo, hi = v["neutron_radius_interval_1sigma_fm"]
    assert lo <= v["neutron_radius_fm"] <= hi
    assert np.isfinite(v["no_form_factor_sigma"]) and v["no_form_factor_sigma"] >= 0


@pytest.mark.chapters
def test_chapter_08_refuses_projections(tmp_path):
    with pytest.raises(ValueError, match="allowed: CsI-2017, CsI-2021, Ar-2020"):
        run_chapter("08_coherent_data", {"experiment": "PIP2-BD"}, results_path=tmp_path / "r.json")
