"""The numbers quoted by the prose of the COHERENT data chapter (``book/08_coherent_data.md``), by
glue name.

Each function returns ``{glue name: value}`` computed from the data releases, the registries and the
chapter's results; the chapter glues them, so that no number is typed in its prose. Percentages are
in per cent, events in events, radii in fm, times in ns.
"""

import numpy as np

from cevns_lib.datafiles import loader
from cevns_lib.experiments.coherent import ar2020_response, csi2017, csi2021
from cevns_lib.experiments.projections import registry_quantity
from cevns_lib.physics import form_factors as ff


def release_numbers() -> dict:
    """Inputs read from the releases and the registry: the fitted SNS pulse centre of CsI 2021 and
    how much later the released BRN time PDF peaks (ns), the CsI 2017 delayed-neutrino fraction
    before 6 µs, the CsI 2021 background counts and exposure, the exposure of Cadeddu et al.
    (arXiv:2008.05022) for argon, and the point-nucleon radii of the mediator fits."""
    t0_ns = 1e3 * csi2021.infer_beam_timing()["mean_us"]
    brn = loader.load_table(csi2021.DATASET, "brnTrec.txt")
    bg = csi2021.backgrounds()
    paper = ar2020_response.paper_exposure()
    return {"beam_t0_ns": t0_ns, "brn_peak_after_t0_ns": float(1e3 * brn[np.argmax(brn[:, 1]), 0] - t0_ns),
            "csi2017_delayed_fraction": csi2017.time_fractions()["delayed"],
            "csi2017_delayed_loss_percent": 100 * (1 - csi2017.time_fractions()["delayed"]),
            "csi2021_brn_events": float(bg["BRN"].sum()), "csi2021_nin_events": float(bg["NIN"].sum()),
            "csi2021_pot": registry_quantity("coherent", "csi2021", "pot").value,
            "csi2021_nu_per_pot": registry_quantity("coherent", "csi2021", "nu_per_flavour_per_pot").value,
            "ar_paper_pot": paper["pot"], "ar_paper_kg": paper["mass_kg"], "rn_ar_mediator": ff.POINT_RADII_FM["Ar40"][1],
            "csi_rn_diff_percent": 100 * (ff.POINT_RADII_FM["Cs133"][1] / ff.POINT_RADII_FM["I127"][1] - 1)}


def prediction_numbers(sm, sm_window, lewin_smith_total, published) -> dict:
    """The SM predictions against the published ones.

    Parameters
    ----------
    sm : dict
        Data set → SM events as in the table of the chapter.
    sm_window : dict
        ``"CsI-2017"`` (fit window), ``"ar2020_no_window"``, ``"ar2020_paper_exposure"`` → events.
    lewin_smith_total : float
        Argon events with the Lewin–Smith Helm and tree-level couplings (chapter 04's number).
    published : dict
        Data set → PublishedNumber (with its uncertainty) of the SM prediction.
    """
    out = {"sm_csi2017_window": sm_window["CsI-2017"], "sm_ar2020": sm["Ar-2020"],
           "sm_ar2020_no_window": sm_window["ar2020_no_window"], "sm_ar2020_paper": sm_window["ar2020_paper_exposure"],
           "sm_ar2020_lewin_smith": lewin_smith_total,
           "ar2020_tolerance_percent": 100 * published["Ar-2020"].tolerance["relative"]}
    for name, key in (("CsI-2017", "csi2017"), ("CsI-2021", "csi2021"), ("Ar-2020", "ar2020")):
        p = published[name]
        out.update({f"pub_sm_{key}": p.value, f"pub_sm_{key}_err": p.uncertainty,
                    f"pub_sm_{key}_rel_err_percent": 100 * p.uncertainty / p.value,
                    f"sm_{key}_below_percent": 100 * (1 - sm[name] / p.value)})
    return out


def fit_numbers(norm, published) -> dict:
    """Fitted CEvNS counts, their 1σ errors and the significance over background only (name →
    NormalisationFit), and COHERENT's fitted counts (name → PublishedNumber) where published."""
    out = {}
    for name, key in (("CsI-2021", "csi2021"), ("Ar-2020", "ar2020"), ("CsI-2017", "csi2017")):
        out.update({f"fit_{key}": norm[name].counts, f"fit_{key}_err": norm[name].counts_err,
                    f"sig_{key}": norm[name].no_cevns_sigma})
        if name in published:
            out.update({f"pub_fit_{key}": published[name].value, f"pub_fit_{key}_err": published[name].uncertainty})
    return out
