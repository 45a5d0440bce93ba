"""The numbers quoted by the prose of the electromagnetic-properties chapter
(``book/06_em_properties.md``), by glue name.

The chapter glues them, so that no number is typed in its prose. κ is the shift of g_V^p per
10⁻³² cm² of ⟨r²_ν⟩ (:data:`cevns_lib.physics.interactions.CHARGE_RADIUS_KAPPA`), radii are in
10⁻³² cm².
"""

from cevns_lib.analysis import sensitivity as sens
from cevns_lib.physics import constants as c
from cevns_lib.physics.interactions import CHARGE_RADIUS_KAPPA


def kappa_numbers(nucleus, sin2w_ref) -> dict:
    """The charge-radius conventions (κ values, their ratios, the mirror points of Eq. (eq-cr-mirror)
    on ``nucleus`` at the reference sin²θ_W) and the SM radii of Bernabéu et al. (hep-ph/0206015), plus
    the book's reference sin²θ_W and calendar year (s) quoted with them."""
    k = CHARGE_RADIUS_KAPPA
    std, paper = k["giunti"], k["paper_calibrated"]
    mirror = {name: sens.charge_radius_degenerate_point(nucleus, v, sin2w_ref) for name, v in k.items()}
    out = {"em_s0_pdg": c.sin2_theta_w_low_q, "em_year_s": c.year_s, "cr_kappa_standard": std, "cr_kappa_paper": paper,
           "cr_kappa_single": k["sin2w_shift_single"], "cr_kappa_4x": k["sin2w_shift"],
           "cr_mirror_standard": mirror["giunti"], "cr_mirror_paper": mirror["paper_calibrated"],
           "cr_paper_over_standard": paper / std, "cr_4x_over_paper_percent": 100 * (k["sin2w_shift"] / paper - 1),
           "cr_single_over_standard": k["sin2w_shift_single"] / std, "cr_4x_over_standard": k["sin2w_shift"] / std}
    out.update({f"cr_sm_{fl}": f"{r2:.2f}".replace("-", "−") for fl, r2 in sens.SM_CHARGE_RADII.items()})
    return out
