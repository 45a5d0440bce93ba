"""External light-mediator limits (DarkCast): one reader for the three layouts, through the loader.

Files are looked up and verified by :mod:`cevns_lib.datafiles.loader` (registry
``cevns_lib/data/external_limits_files.toml``; data sets ``darkcast_limits`` with the published
dark-photon limits in ε, and ``recast`` with ``<model>/<limit>.txt``, the same limits recast by
DarkCast to the U(1)′ models of arXiv:2202.11002 in the Lagrangian coupling g).

Layouts (``darkcast_limits/README.md`` of the shared folder):

1. ``mass lower`` — one-sided: excluded ``coupling > lower``;
2. ``mass lower upper`` — two-sided: excluded ``lower < coupling < upper``;
3. ``mass g r`` — LHCb displaced grids: excluded where ``r < 1``; turned into a two-sided curve
   (per mass, the smallest and largest excluded coupling on the grid) and the grid is kept.

Values ≥ :data:`GMAX` (DarkCast's ``gmax`` = 1e5) mean "no exclusion at that mass": such a
``lower`` becomes NaN (so plotted curves break there) and such an ``upper`` becomes ``inf``.
A mass listed twice keeps its last row (DarkCast's own reader does the same); masses ascend.
"""

import re
from dataclasses import dataclass, field

import numpy as np

from cevns_lib.datafiles import loader

GMAX = 1e5
"""DarkCast's ``gmax``: a coupling at or above it means no exclusion."""

FAMILIES = ("beam dump", "fixed target", "collider", "meson decay", "invisible")

_FAMILY_BY_LIMIT = {
    # visible, displaced: electron/proton beam dumps (NA64 2018/2019 visible run as a beam dump)
    "E141_Riordan1987aw": "beam dump", "E137_Andreas2012mt": "beam dump", "E137_Bjorken2009mm": "beam dump",
    "E774_Bross1989mp": "beam dump", "KEK_Konaka1986cb": "beam dump", "Orsay_Davier1989wz": "beam dump",
    "NuCAL_Blumlein1990ay": "beam dump", "NuCAL_Blumlein1991xh": "beam dump", "NuCAL_Tsai2019mtm": "beam dump",
    "CHARM_Bergsma1985qz": "beam dump", "CHARM_Tsai2019mtm": "beam dump", "NOMAD_Astier2001ck": "beam dump",
    "PS191_Bernardi1985ny": "beam dump", "NA64_Banerjee2018vgk": "beam dump", "NA64_Banerjee2019hmi": "beam dump",
    # visible, prompt, electron bremsstrahlung on a thin target
    "A1_Merkel2011ze": "fixed target", "A1_Merkel2014avp": "fixed target", "APEX_Abrahamyan2011gv": "fixed target",
    # visible, e+e- or pp colliders
    "BaBar_Lees2014xha": "collider", "BaBar_TheBABAR2016rlg": "collider", "KLOE_Anastasi2015qla": "collider",
    "KLOE_Anastasi2016ktq": "collider", "KLOE_Anastasi2018azp_combined": "collider",
    "KLOE_Anastasi2018azp_mumu": "collider", "KLOE_Babusci2014sta": "collider",
    "LHCb_Aaij2017rft_prompt": "collider", "LHCb_Aaij2017rft_displaced": "collider",
    "LHCb_Aaij2019bvg_prompt": "collider", "LHCb_Aaij2019bvg_displaced": "collider",
    # visible, produced in meson decays (π0 → γX at NA48/2, φ → ηX at KLOE)
    "NA48_Batley2015lha": "meson decay", "KLOE_Babusci2012cr": "meson decay",
    # invisible decays
    "NA64_Banerjee2016tad": "invisible", "NA64_Banerjee2017hhz": "invisible", "NA64_NA642019imj": "invisible",
    "BaBar_Lees2017lec": "invisible",
}
"""Experiment family of each DarkCast limit (from the production/decay table of the README)."""

INVISIBLE_VARIANTS = {
    "inv-nu": "Z′ → νν̄ the only invisible channel, branching ratio fixed by the model's charges",
    "inv-dm99": "extra dark-sector width 99× the visible width (BR_inv = 0.99, DarkCast's invisible.py)",
}
"""The two conventions of the recast invisible limits (recast/README.md)."""

_VARIANT = re.compile(r"^(?P<limit>.+?)_(?P<variant>inv-nu|inv-dm99)$")


@dataclass(frozen=True, eq=False)
class LimitCurve:
    """An exclusion curve in the (mass, coupling) plane.

    Attributes
    ----------
    name : str
        File stem, e.g. ``"NA64_Banerjee2016tad_inv-nu"``.
    limit : str
        DarkCast limit name without the invisible-convention suffix.
    model : str
        Recast model folder (e.g. ``"B-L"``), or ``"dark_photon"`` for a raw DarkCast limit.
    family : str
        One of :data:`FAMILIES`.
    invisible_variant : str or None
        ``"inv-nu"``, ``"inv-dm99"`` (see :data:`INVISIBLE_VARIANTS`) or None.
    layout : str
        ``"one-sided"``, ``"two-sided"`` or ``"grid"``.
    mass_GeV : ndarray
        Mediator masses [GeV], ascending.
    lower, upper : ndarray
        Coupling bounds (dimensionless: g for recast curves, ε for raw dark-photon limits);
        ``upper`` is None for one-sided limits. NaN in ``lower``: no exclusion at that mass.
    excluded : str
        ``"above"`` (coupling > lower) or ``"between"`` (lower < coupling < upper).
    grid : tuple or None
        Layout 3 only: ``(mass_GeV, coupling, r)`` columns as read (excluded where r < 1).
    """

    name: str
    limit: str
    model: str
    family: str
    invisible_variant: str | None
    layout: str
    mass_GeV: np.ndarray
    lower: np.ndarray
    upper: np.ndarray | None
    excluded: str
    grid: tuple | None = field(default=None, repr=False)

    @property
    def is_empty(self) -> bool:
        """True when the curve excludes nothing (no rows, or every lower bound ≥ GMAX)."""
        return not np.any(np.isfinite(self.lower))

    def excludes(self, mass_GeV, coupling) -> np.ndarray:
        """Whether ``coupling`` is excluded at ``mass_GeV`` (linear interpolation in log-log).

        Outside the tabulated mass range nothing is excluded.
        """
        m = np.asarray(mass_GeV, float)
        g = np.asarray(coupling, float)
        if np.any(~np.isfinite(m)) or np.any(m <= 0) or np.any(~np.isfinite(g)) or np.any(g < 0):
            raise ValueError("mass_GeV must be finite and > 0, coupling finite and ≥ 0")
        if self.mass_GeV.size == 0:
            return np.zeros(np.broadcast(m, g).shape, bool)
        lm = np.log(self.mass_GeV)
        lo = np.exp(np.interp(np.log(m), lm, np.log(self.lower), left=np.nan, right=np.nan))
        out = np.isfinite(lo) & (g > lo)
        if self.upper is not None:
            hi = np.exp(np.interp(np.log(m), lm, np.log(self.upper), left=np.nan, right=np.nan))
            out &= ~(g >= hi)
        return out


def split_name(name: str) -> tuple:
    """``(limit, invisible_variant)`` of a file stem, e.g. ``("BaBar_Lees2017lec", "inv-nu")``."""
    m = _VARIANT.match(name)
    return (m["limit"], m["variant"]) if m else (name, None)


def family(limit: str) -> str:
    """Experiment family of a DarkCast limit name (suffix ``_inv-…`` allowed)."""
    base = split_name(limit)[0]
    if base not in _FAMILY_BY_LIMIT:
        raise ValueError(f"no experiment family registered for limit {limit!r}; known: {', '.join(_FAMILY_BY_LIMIT)}")
    return _FAMILY_BY_LIMIT[base]


def _columns(text: str) -> list:
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("#"):
            tokens = s.lstrip("#").replace("[", " ").replace("]", " ").split()
            if tokens and tokens[0] == "mass":
                return tokens
    return []


def parse_limit(text: str, name: str, model: str = "dark_photon") -> LimitCurve:
    """Parse the text of a DarkCast limit or recast file (any of the three layouts).

    Parameters
    ----------
    text : str
        File content.
    name : str
        File stem (the limit name, with ``_inv-nu`` / ``_inv-dm99`` for recast invisible limits).
    model : str
        Model the coupling refers to.
    """
    limit, variant = split_name(name)
    cols = _columns(text)
    tab = loader.numeric_array(text)
    if tab is None:                                              # header lines, ragged rows or no rows
        rows = [r for r in loader._numeric_rows(text) if r is not None]
        width = len(rows[0]) if rows else max(len(cols), 2)
        if any(len(r) != width for r in rows):
            width = 0
        tab = np.array(rows, float).reshape(-1, width) if width else np.zeros((0, 0))
    width = tab.shape[1]
    if width not in (2, 3):
        raise ValueError(f"{name}: expected rows of 2 or 3 numbers (mass, lower[, upper] or mass, g, r)")
    if not np.all(np.isfinite(tab)) or np.any(tab[:, 0] <= 0):
        raise ValueError(f"{name}: non-finite value or non-positive mass in the table")
    grid = None
    if width == 3 and cols[:3] == ["mass", "g", "r"]:
        layout, grid = "grid", (tab[:, 0].copy(), tab[:, 1].copy(), tab[:, 2].copy())
        masses = np.unique(tab[:, 0])
        lower, upper = np.full(masses.size, np.nan), np.full(masses.size, np.nan)
        for i, m in enumerate(masses):
            g_ex = tab[(tab[:, 0] == m) & (tab[:, 2] < 1), 1]
            if g_ex.size:
                lower[i], upper[i] = g_ex.min(), g_ex.max()
    else:
        layout = "two-sided" if width == 3 else "one-sided"
        last = {m: i for i, m in enumerate(tab[:, 0])}          # a repeated mass keeps its last row
        tab = tab[sorted(last.values(), key=lambda i: tab[i, 0])]
        masses, lower = tab[:, 0], tab[:, 1].copy()
        upper = tab[:, 2].copy() if width == 3 else None
        lower[lower >= GMAX] = np.nan
        if upper is not None:
            upper[upper >= GMAX] = np.inf
    return LimitCurve(name=name, limit=limit, model=model, family=family(limit), invisible_variant=variant,
                      layout=layout, mass_GeV=masses, lower=lower, upper=upper,
                      excluded="above" if layout == "one-sided" else "between", grid=grid)


def models() -> list:
    """The recast models (folders of the ``recast`` data set)."""
    files = loader.file_registry()["recast"]["files"]
    return sorted({f.split("/", 1)[0] for f in files})


def limit_names(model: str) -> list:
    """File stems of the recast limits of ``model`` (ValueError lists the models if unknown)."""
    files = loader.file_registry()["recast"]["files"]
    names = sorted(f.split("/", 1)[1].removesuffix(".txt") for f in files if f.startswith(model + "/"))
    if not names:
        raise ValueError(f"unknown recast model {model!r}; models: {', '.join(models())}")
    return names


def load_recast(model: str, name: str) -> LimitCurve:
    """One recast limit curve of ``model`` (coupling g of the model's Lagrangian, mass in GeV)."""
    if name not in limit_names(model):
        raise ValueError(f"no recast limit {name!r} for {model}; limits: {', '.join(limit_names(model))}")
    path = loader.data_path("recast", f"{model}/{name}.txt")
    return parse_limit(path.read_text(encoding="utf-8"), name, model)


def load_recasts(model: str, families=None, invisible_variant: str = "inv-nu") -> dict:
    """Every recast limit of ``model`` as ``{name: LimitCurve}``.

    Parameters
    ----------
    families : iterable of str, optional
        Keep only these families (:data:`FAMILIES`).
    invisible_variant : {"inv-nu", "inv-dm99", None}
        Keep only this convention of the invisible limits (None keeps both).
    """
    if invisible_variant not in (*INVISIBLE_VARIANTS, None):
        raise ValueError(f"invisible_variant must be one of {', '.join(INVISIBLE_VARIANTS)} or None")
    if families is not None and set(families) - set(FAMILIES):
        raise ValueError(f"unknown families {sorted(set(families) - set(FAMILIES))}; families: {', '.join(FAMILIES)}")
    out = {}
    for name in limit_names(model):
        limit, variant = split_name(name)
        if variant is not None and invisible_variant is not None and variant != invisible_variant:
            continue
        if families is not None and family(limit) not in families:
            continue
        out[name] = load_recast(model, name)
    return out


def load_darkcast_limit(name: str) -> LimitCurve:
    """A raw DarkCast dark-photon limit (coupling ε, mass in GeV), e.g. ``"E137_Andreas2012mt"``."""
    path = loader.data_path("darkcast_limits", f"{name}.lmt")
    return parse_limit(path.read_text(encoding="utf-8"), name)
