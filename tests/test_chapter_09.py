"""Chapter 09 (light mediators) re-executed for both data-set combinations."""

import numpy as np
import pytest

from cevns_lib.book.chapters import run_chapter
from cevns_lib.datafiles import external_limits as el
from cevns_lib.physics.mediators import LOOP_MODELS, TREE_MODELS

pytestmark = pytest.mark.needs_data("csi2017", "csi2021", "ar2020_analysisA")

SHARED_CHAPTER_RUNS = [("09_light_mediators", {"experiment": e})
                       for e in ("CsI-2021+Ar-2020", "CsI-2017+Ar-2020", "CENNS-750")]
TABLE_KEYS = {"universal", "B-L", "B_y+L_mu+L_tau", "B-3L_e", "B-3L_mu", "B-2L_e-L_mu", "B-L_e-2L_mu"}


@pytest.mark.chapters
@pytest.mark.parametrize("experiment", ["CsI-2021+Ar-2020", "CsI-2017+Ar-2020"])
def test_chapter_09_runs(experiment, chapter_results):
    res = chapter_results("09_light_mediators", {"experiment": experiment})
    assert res["parameters"] == {"experiment": experiment}
    v = res["values"]
    for key in ("zprime_low_mass_g", "zprime_high_mass_g_over_m_per_GeV"):
        assert set(v[key]) == TABLE_KEYS == set(TREE_MODELS)
        assert all(np.isfinite(x) and x > 0 for x in v[key].values())
    assert all(1e-5 < v["zprime_low_mass_g"][m] < 1e-4 for m in TABLE_KEYS)
    assert all(2e-4 < v["zprime_high_mass_g_over_m_per_GeV"][m] < 5e-3 for m in TABLE_KEYS)
    assert set(v["loop_low_mass_g"]) == set(LOOP_MODELS)
    assert v["universal_strip_g_over_m_per_GeV"] == pytest.approx(v["universal_strip_analytic_g_over_m_per_GeV"], rel=0.03)
    assert 0 < v["scalar_low_mass_g"] < 1e-3
    # the landscape: external curves drawn per recast model, and where CEvNS is the strongest
    assert set(v["external_limit_curves"]) == set(v["cevns_strongest_mass_range_GeV"]) == set(el.models())
    for model, names in v["external_limit_curves"].items():
        assert len(names) >= (2 if model == "B-3L_mu" else 5)      # B-3L_mu: LHCb only (no electron coupling)
        assert not any(n.endswith("_inv-dm99") for n in names)      # the inv-nu convention is drawn
    for rng in v["cevns_strongest_mass_range_GeV"].values():
        pairs = rng if rng and isinstance(rng[0], list) else ([rng] if rng else [])
        assert all(1e-3 <= lo <= hi <= 10.0 for lo, hi in pairs)


@pytest.mark.chapters
def test_chapter_09_rejects_unknown_experiment(tmp_path):
    with pytest.raises(ValueError, match="allowed"):
        run_chapter("09_light_mediators", {"experiment": "CsI-2019+Ar-2020"}, results_path=tmp_path / "r.json")


@pytest.mark.chapters
def test_chapter_09_projection_reach(chapter_results):
    res = chapter_results("09_light_mediators", {"experiment": "CENNS-750"})
    v = res["values"]
    assert set(v) == {"zprime_low_mass_g_sys5", "zprime_high_mass_g_over_m_per_GeV_sys5",
                      "zprime_low_mass_g_sys10", "zprime_high_mass_g_over_m_per_GeV_sys10"}
    for key in ("zprime_low_mass_g", "zprime_high_mass_g_over_m_per_GeV"):
        assert set(v[f"{key}_sys5"]) == set(TREE_MODELS)
        assert all(v[f"{key}_sys5"][m] < v[f"{key}_sys10"][m] for m in TREE_MODELS)   # 5% reaches further
