"""External limits: registry checks through the loader, and one reader for the three layouts."""

import shutil
import numpy as np
import pytest

from cevns_lib.datafiles import external_limits as el
from cevns_lib.datafiles import loader
from conftest import real_data_path



@pytest.mark.needs_data("recast")
def test_one_sided_recast_values_exactly():
    c = el.load_recast("L_mu-L_tau", "NA48_Batley2015lha")
    assert (c.layout, c.excluded, c.family, c.invisible_variant, c.upper) == ("one-sided", "above", "meson decay",
                                                                               None, None)
    assert c.mass_GeV[0] == 8.9907e-03 and c.lower[0] == 2.0084e+01
    assert c.mass_GeV[-1] == 1.1861e-01 and c.lower[-1] == 1.1987e+02


@pytest.mark.needs_data("recast")
def test_two_sided_recast_values_exactly_and_gmax_means_no_exclusion():
    c = el.load_recast("B-L", "CHARM_Bergsma1985qz")
    assert (c.layout, c.excluded, c.family) == ("two-sided", "between", "beam dump")
    assert (c.mass_GeV[0], c.lower[0], c.upper[0]) == (2.0060e-03, 3.4191e-07, 3.4571e-05)
    assert c.mass_GeV[-1] == 4.6579e-01 and np.isnan(c.lower[-1]) and np.isinf(c.upper[-1])
    assert c.excludes(2.0060e-03, 1e-6) and not c.excludes(2.0060e-03, 1e-7) and not c.excludes(2.0060e-03, 1e-4)


@pytest.mark.needs_data("recast")
def test_invisible_variants_and_families():
    nu = el.load_recasts("B-L", families=["invisible"], invisible_variant="inv-nu")
    dm = el.load_recasts("B-L", families=["invisible"], invisible_variant="inv-dm99")
    assert sorted(nu) == ["BaBar_Lees2017lec_inv-nu", "NA64_Banerjee2016tad_inv-nu", "NA64_Banerjee2017hhz_inv-nu",
                          "NA64_NA642019imj_inv-nu"]
    assert {c.invisible_variant for c in dm.values()} == {"inv-dm99"}
    assert {c.limit for c in nu.values()} == {c.limit for c in dm.values()}
    every = el.load_recasts("universal", invisible_variant=None)
    assert len(every) == 39 and {c.family for c in every.values()} == set(el.FAMILIES)
    assert el.load_recast("B-3L_e", "KLOE_Anastasi2016ktq").is_empty          # "# NO LIMIT" file


@pytest.mark.needs_data("darkcast_limits")
def test_lhcb_displaced_grid_becomes_a_two_sided_curve():
    c = el.load_darkcast_limit("LHCb_Aaij2019bvg_displaced")
    m, g, r = c.grid
    assert c.layout == "grid" and m.size == 99 * 926 and c.mass_GeV.size == 99
    assert (m[0], g[0], r[0]) == (2.143e-01, 3.170e-06, 5.468e+02)
    i = np.searchsorted(c.mass_GeV, 2.183e-01)
    assert c.lower[i] == 1.836e-05                     # first grid cell with r < 1 at that mass
    assert np.all(g[(m == 2.183e-01) & (r < 1)] <= c.upper[i])


def test_reader_layouts_on_synthetic_text():
    one = el.parse_limit("# mass lower\n 1.0e-02 3.0e-04\n 2.0e-02 1.0e+05\n 1.0e-02 2.0e-04\n", "A1_Merkel2014avp")
    assert one.mass_GeV.tolist() == [1e-2, 2e-2] and one.lower[0] == 2e-4 and np.isnan(one.lower[1])  # last row wins
    two = el.parse_limit("#  mass lower upper\n 1e-2 1e-7 1e-4\n", "E141_Riordan1987aw", "B-L")
    assert (two.layout, two.model, two.upper[0]) == ("two-sided", "B-L", 1e-4)
    grid = el.parse_limit("# mass g r\n 0.3 1e-5 2.0\n 0.3 2e-5 0.5\n 0.3 3e-5 0.7\n 0.3 4e-5 3\n",
                          "LHCb_Aaij2017rft_displaced")
    assert (grid.layout, grid.lower[0], grid.upper[0]) == ("grid", 2e-5, 3e-5)
    with pytest.raises(ValueError, match="family"):
        el.parse_limit("1 2\n", "Unknown_2030")
    with pytest.raises(ValueError, match="non-finite"):
        el.parse_limit("# mass lower\n nan 1e-3\n", "A1_Merkel2014avp")


@pytest.mark.needs_data("recast")
def test_loader_refuses_a_tampered_limit_file(tmp_path, monkeypatch):
    src = real_data_path("recast", "B-L/E137_Andreas2012mt.txt")
    dst = tmp_path / "recast" / "B-L" / "E137_Andreas2012mt.txt"
    dst.parent.mkdir(parents=True)
    monkeypatch.setenv(loader.ENV_VAR, str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    shutil.copy(src, dst)
    assert el.load_recast("B-L", "E137_Andreas2012mt").lower[0] == 1.0182e-08
    dst.write_text(src.read_text().replace("1.0182e-08", "1.0183e-08"), encoding="utf-8")
    with pytest.raises(loader.DataChecksumError, match="numbers differ"):
        el.load_recast("B-L", "E137_Andreas2012mt")


def test_unknown_model_and_limit_list_the_registered_ones():
    with pytest.raises(ValueError, match="models: B-2L_e-L_mu"):
        el.limit_names("B+L")
    with pytest.raises(ValueError, match="limits: A1_Merkel2011ze"):
        el.load_recast("B-L", "NA99")
