"""Chapter 08 (light mediators) re-executed for both data-set combinations."""

import numpy as np
import pytest

from cevns_lib.book.chapters import run_chapter
from cevns_lib.physics.mediators import LOOP_MODELS, TREE_MODELS

pytestmark = pytest.mark.needs_data("csi2017", "csi2021", "ar2020_analysisA")

TABLE_KEYS = {"universal", "B-L", "B_y+L_mu+L_tau", "B-3L_e", "B-3L_mu", "B-2L_e-L_mu", "B-L_e-2L_mu"}


@pytest.mark.chapters
@pytest.mark.parametrize("dataset", ["csi2021+ar2020", "csi2017+ar2020"])
def test_chapter_08_runs(dataset, tmp_path):
    res = run_chapter("09_light_mediators", {"dataset": dataset}, results_path=tmp_path / "r.json")
    assert res["parameters"] == {"dataset": dataset}
    v = res["values"]
    assert set(v["sm_events"]) == {"csi2017", "ar2020", "csi2021"}
    assert v["sm_events"]["csi2017"] == pytest.approx(173.0, rel=0.05)
    assert 110 < v["sm_events"]["ar2020"] < 135
    assert v["sm_events"]["csi2021"] == pytest.approx(341.0, rel=0.10)
    for key in ("zprime_low_mass_g", "zprime_high_mass_g_over_m_per_GeV"):
        assert set(v[key]) == TABLE_KEYS == set(TREE_MODELS)
        assert all(np.isfinite(x) and x > 0 for x in v[key].values())
    assert all(1e-5 < v["zprime_low_mass_g"][m] < 1e-4 for m in TABLE_KEYS)
    assert all(2e-4 < v["zprime_high_mass_g_over_m_per_GeV"][m] < 5e-3 for m in TABLE_KEYS)
    assert set(v["loop_low_mass_g"]) == set(LOOP_MODELS)
    assert v["universal_strip_g_over_m_per_GeV"] == pytest.approx(v["universal_strip_analytic_g_over_m_per_GeV"], rel=0.03)
    assert 0 < v["scalar_low_mass_g"] < 1e-3


@pytest.mark.chapters
def test_chapter_08_rejects_unknown_dataset(tmp_path):
    with pytest.raises(ValueError, match="allowed"):
        run_chapter("09_light_mediators", {"dataset": "csi2019+ar2020"}, results_path=tmp_path / "r.json")
