"""Library behind the COHERENT data chapter (book/08_coherent_data.md): the flux-averaged cross
sections (cevns_lib.analysis.measurements), the chapter's tables (cevns_lib.book.coherent_figures)
and the numbers its prose quotes (cevns_lib.book.coherent_numbers)."""

import numpy as np
import pytest

from cevns_lib.analysis.measurements import NormalisationFit, RadiusScan, fitted_cross_section_cm2, sm_cross_section_cm2
from cevns_lib.book import coherent_figures as figs, coherent_numbers
from cevns_lib.book.published import published_number
from cevns_lib.engine.prediction import flux_averaged_cross_section_cm2
from cevns_lib.physics.form_factors import get_form_factor_pair
from cevns_lib.physics.nuclei import get_nucleus

FF = "helm_point_radii"


def _fit(best=1.2, lo=1.0, hi=1.4, n_sm=100.0):
    s = np.linspace(0, 3, 7)
    return NormalisationFit(s, (s - best) ** 2, best, [lo, hi], n_sm, 4.0)


def test_sm_cross_section_is_the_mean_over_the_nuclei():
    one = {n: flux_averaged_cross_section_cm2(get_nucleus(n), get_form_factor_pair(FF, get_nucleus(n)))
           for n in ("Cs133", "I127", "Ar40")}
    assert sm_cross_section_cm2(["Ar40"], FF) == pytest.approx(one["Ar40"], rel=1e-12)
    assert sm_cross_section_cm2(["Cs133", "I127"], FF) == pytest.approx(0.5 * (one["Cs133"] + one["I127"]), rel=1e-12)
    assert one["Cs133"] > one["Ar40"]                     # coherent: ∝ N² at low q


def test_fitted_cross_section_known_value():
    value, err = fitted_cross_section_cm2(_fit(), 2.0e-40, 0.1)
    assert value == pytest.approx(1.2 * 2.0e-40, rel=1e-12)
    assert err == pytest.approx(value * np.hypot(20.0 / 120.0, 0.1), rel=1e-12)   # counts 120 ± 20, 10% prior


def test_tables_have_one_row_per_data_set():
    norm = {"A": _fit(), "B": _fit(0.9, 0.7, 1.1)}
    text = figs.normalisation_table(norm, {k: fitted_cross_section_cm2(v, 1e-40, 0.1) for k, v in norm.items()},
                                    {"A": 1e-40, "B": 1e-40})
    assert text.count("\n") == 3 and "| A | 100.0 | 120.0 [100.0, 140.0] | 4.0σ |" in text
    r = np.linspace(3, 6, 31)
    scan = RadiusScan(r, (r - 4.5) ** 2, 4.5, [3.5, 5.5], 30.0, False)
    assert "| X | 4.50 | [3.50, 5.50] | 5.5σ |" in figs.radius_table({"X": scan})      # √(30 − 0)
    pub = {n: published_number("08_coherent_data", "sm_events", item=n) for n in ("CsI-2017", "CsI-2021")}
    text = figs.sm_table({"CsI-2017": 173.0, "CsI-2021": 341.0}, pub, {"CsI-2017": "x", "CsI-2021": "y"})
    assert "| 173 ± 48 | 1.000 |" in text and "| 341 ± 43 | 1.000 |" in text                  # 11 ⊕ 42 = 43


def test_prediction_and_fit_numbers():
    pub = {n: published_number("08_coherent_data", "sm_events", item=n) for n in ("CsI-2017", "CsI-2021", "Ar-2020")}
    sm = {"CsI-2017": 173.0, "CsI-2021": 0.95 * 341.0, "Ar-2020": 0.93 * 128.0}
    n = coherent_numbers.prediction_numbers(sm, {"CsI-2017": 150.0, "ar2020_no_window": 130.0,
                                                 "ar2020_paper_exposure": 117.0}, 122.0, pub)
    assert n["sm_csi2021_below_percent"] == pytest.approx(5.0) and n["sm_ar2020_below_percent"] == pytest.approx(7.0)
    assert n["pub_sm_ar2020"] == 128.0 and n["pub_sm_ar2020_err"] == 17.0 and n["ar2020_tolerance_percent"] == 5.0
    fits = {"CsI-2021": _fit(), "Ar-2020": _fit(), "CsI-2017": _fit()}
    f = coherent_numbers.fit_numbers(fits, {"Ar-2020": published_number("08_coherent_data", "cevns_counts_fitted",
                                                                        "Ar-2020")})
    assert f["fit_ar2020"] == pytest.approx(120.0) and f["fit_ar2020_err"] == pytest.approx(20.0)
    assert (f["pub_fit_ar2020"], f["pub_fit_ar2020_err"]) == (159.0, 43.0) and "pub_fit_csi2021" not in f


@pytest.mark.needs_data("csi2017", "csi2021", "ar2020_analysisA")
def test_release_numbers_known_values():
    n = coherent_numbers.release_numbers()
    assert n["csi2017_delayed_fraction"] == pytest.approx(0.9148, abs=1e-4)     # csi2017.time_fractions docstring
    assert n["csi2021_brn_events"] == pytest.approx(18.0) and n["csi2021_nin_events"] == pytest.approx(6.0)
    assert 0 < n["brn_peak_after_t0_ns"] < 300 and 400 < n["beam_t0_ns"] < 700
    assert (n["ar_paper_pot"], n["ar_paper_kg"]) == (1.37e23, 24.0)
    assert all(isinstance(v, float) for v in n.values())                       # plain floats glue as numbers
