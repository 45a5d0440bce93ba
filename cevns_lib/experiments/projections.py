"""Detector response and the experiment registry.

The registry lives in ``cevns_lib/data/experiments.toml``: every number carries a source and a
status (:data:`STATUSES`). A projection exists in two configurations (:data:`CONFIGURATIONS`): the
paper's numbers and the facilities' own plans (``[configurations.facility.*]`` overrides). This module turns an entry into an
:class:`Experiment` that knows its targets, fluence and response; the rate layer
(:meth:`Experiment.kernels`, :meth:`Experiment.prediction`) builds its
kernels.
"""

import functools
import os
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import numpy as np

from cevns_lib.engine.kernels import FoldedCounts, RecoilKernels
from cevns_lib.engine.prediction import Prediction, TargetBins
from cevns_lib.experiments.likelihood_spec import LikelihoodSpec, Nuisance
from cevns_lib.physics import constants as c
from cevns_lib.physics.form_factors import get_form_factor, get_form_factor_pair
from cevns_lib.physics.interactions import t_max
from cevns_lib.physics.nuclei import Nucleus, get_nucleus
from cevns_lib.experiments.response import LinearQFResponse
from cevns_lib.physics.sources import fluence_per_flavour


STATUSES = ("paper", "facility", "published", "inferred", "assumed")
"""Status of a registry number: ``paper`` (Carey & Pandey's summary table, arXiv:2510.14015, as
relayed by a summary of the paper; its full text was not read), ``facility`` (a facility's or
collaboration's own statement, with its source), ``published`` (a COHERENT data release or paper),
``inferred`` (derived from stated numbers; the source says how), ``assumed`` (a convention or
placeholder of this project)."""

STATUS_DESCRIPTIONS = {
    "paper": "the paper's summary table (Carey & Pandey, arXiv:2510.14015), as relayed by a summary of the paper "
             "(its full text was not read)",
    "facility": "a facility's or collaboration's own statement (source given)",
    "published": "a COHERENT data release or paper",
    "inferred": "derived from stated numbers (the source says how)",
    "assumed": "a convention or placeholder of this project",
}

CONFIGURATIONS = ("paper", "facility")
"""Named configurations of the projections: ``paper`` (the numbers of Carey & Pandey, one calendar
year of continuous beam per year; reproduces the published numbers) and ``facility`` (the facilities'
own statements, ``[configurations.facility.*]`` of the registry; one facility year per year)."""

ELEMENTARY_CHARGE_C = 1.602176634e-19
"""Elementary charge in coulomb (exact, SI 2019): protons per second = beam power / (E_p · e)."""

_CONFIG_KEYS = ("target_mass_kg", "baseline_m", "threshold_keVnr", "nu_per_flavour_per_pot", "pot_per_second",
                "beam_power_MW", "proton_energy_GeV", "seconds_per_year", "pot_per_year")


@dataclass(frozen=True)
class Quantity:
    """A registry number with its unit, source and status."""

    value: float
    unit: str
    source: str
    status: str


USER_REGISTRY_ENV = "CEVNS_EXPERIMENTS"
"""Environment variable naming the user's own registry file(s) (TOML, separated by ``os.pathsep``):
their ``[facilities.*]`` and ``[projections.*]`` blocks join the book's registry, so a new detector is
one TOML block and every chapter accepts it (README, "Your own detector")."""

_REQUIRED_PROJECTION_KEYS = ("label", "facility", "nucleus", "target_mass_kg", "baseline_m", "pot_per_second",
                             "threshold_keVnr", "run_time_s")


def _validate(raw, origin):
    for section in ("facilities", "projections", "coherent"):
        for name, entry in raw.get(section, {}).items():
            for key, val in entry.items():
                if isinstance(val, dict):
                    missing = {"value", "unit", "source", "status"} - set(val)
                    if missing:
                        raise ValueError(f"{origin} [{section}.{name}] {key} lacks {sorted(missing)}")
                    if val["status"] not in STATUSES:
                        raise ValueError(f"{origin} [{section}.{name}] {key}: status must be one of {STATUSES}")
    for config, block in raw.get("configurations", {}).items():
        if config not in CONFIGURATIONS or config == "paper":
            raise ValueError(f"{origin} [configurations.{config}]: allowed: {', '.join(CONFIGURATIONS[1:])}")
        for name, entry in block.items():
            if not isinstance(entry, dict):
                continue
            for key, val in entry.items():
                if key not in _CONFIG_KEYS:
                    raise ValueError(f"{origin} [configurations.{config}.{name}] {key}: "
                                     f"allowed keys {', '.join(_CONFIG_KEYS)}")
                missing = {"value", "unit", "source", "status"} - set(val)
                if missing or val["status"] not in STATUSES:
                    raise ValueError(f"{origin} [configurations.{config}.{name}] {key} needs value, unit, source and a "
                                     f"status of {STATUSES}")
            if ("beam_power_MW" in entry) != ("proton_energy_GeV" in entry) or ("beam_power_MW" in entry
                                                                                  and "pot_per_second" in entry):
                raise ValueError(f"{origin} [configurations.{config}.{name}]: give pot_per_second, or beam_power_MW "
                                 "with proton_energy_GeV")
    for name, entry in raw.get("projections", {}).items():
        missing = [k for k in _REQUIRED_PROJECTION_KEYS if k not in entry]
        if missing:
            raise ValueError(f"{origin} [projections.{name}] lacks {', '.join(missing)}")


def _user_registries() -> list:
    files = [f for f in os.environ.get(USER_REGISTRY_ENV, "").split(os.pathsep) if f]
    out = []
    for f in files:
        path = Path(f).expanduser()
        if not path.is_file():
            raise ValueError(f"{USER_REGISTRY_ENV} names {path}, which is not a file; fix or unset {USER_REGISTRY_ENV}")
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as err:
            raise ValueError(f"{path}: not valid TOML ({err}); fix the file named by {USER_REGISTRY_ENV}") from None
        unknown = set(raw) - {"facilities", "projections"}
        if unknown:
            raise ValueError(f"{path}: only [facilities.*] and [projections.*] blocks can be added, not {sorted(unknown)}")
        out.append((path, raw))
    return out


@functools.lru_cache(maxsize=1)
def load_registry():
    """Parse ``experiments.toml`` and the user's registries (:data:`USER_REGISTRY_ENV`) into plain
    dictionaries (validated; cached, treat as read-only)."""
    text = resources.files("cevns_lib").joinpath("data/experiments.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    _validate(raw, "experiments.toml")
    for path, user in _user_registries():
        for section in ("facilities", "projections"):
            clash = set(user.get(section, {})) & set(raw.get(section, {}))
            if clash:
                raise ValueError(f"{path}: [{section}] {', '.join(sorted(clash))} already exist(s) in the book's "
                                 "registry; choose another name")
        _validate(user, str(path))
        for section in ("facilities", "projections"):
            raw.setdefault(section, {}).update(user.get(section, {}))
        for name, entry in user.get("projections", {}).items():
            if entry["facility"] not in raw["facilities"]:
                raise ValueError(f"{path}: [projections.{name}] facility {entry['facility']!r} is unknown; "
                                 f"known: {', '.join(raw['facilities'])}")
    return raw


PROJECTIONS = tuple(load_registry()["projections"])
"""The projected detectors of the registry: the four argon detectors of Carey & Pandey
(arXiv:2510.14015) and any detector a user adds as one ``[projections.NAME]`` block."""


def registry_quantity(section: str, name: str, key: str) -> Quantity:
    """One registry number, e.g. ``registry_quantity("coherent", "ar2020", "pot")``."""
    reg = load_registry()
    try:
        return Quantity(**reg[section][name][key])
    except KeyError:
        raise ValueError(f"no registry entry [{section}.{name}] {key}") from None


@dataclass(frozen=True)
class StepEfficiency:
    """Efficiency 1 above a recoil threshold and 0 below (threshold in MeV)."""

    threshold: float

    def __call__(self, T):
        return (np.asarray(T) >= self.threshold).astype(float)

    @property
    def t_min(self) -> float:
        return self.threshold

    @property
    def breakpoints(self) -> tuple:
        return (self.threshold,)


@dataclass(frozen=True)
class TabulatedEfficiency:
    """Efficiency interpolated linearly in recoil energy between table nodes (MeV), 0 below the
    first non-zero node's predecessor and held at the last value above the table."""

    T_nodes: np.ndarray
    values: np.ndarray

    def __call__(self, T):
        return np.interp(np.asarray(T, dtype=float), self.T_nodes, self.values, left=0.0)

    @property
    def t_min(self) -> float:
        nz = np.nonzero(self.values > 0)[0]
        return float(self.T_nodes[max(nz[0] - 1, 0)]) if nz.size else float(self.T_nodes[-1])

    @property
    def breakpoints(self) -> tuple:
        return tuple(float(t) for t in self.T_nodes)


@dataclass(frozen=True)
class Experiment:
    """A projected argon experiment of the registry, with overridable inputs.

    Attributes
    ----------
    name, label : str
    facility : str
    nucleus : Nucleus
    target_mass_kg, baseline_m, pot_per_second, threshold_keVnr, run_time_s,
    nu_per_flavour_per_pot : float
    quantities : dict
        name → :class:`Quantity` as in the registry (sources and statuses).
    configuration : str
        ``"paper"`` or ``"facility"`` (:data:`CONFIGURATIONS`).
    seconds_per_year : float
        Beam seconds in one "year" of this configuration: a calendar year of continuous beam
        (3.156e7 s) for ``paper``; the facility's year (e.g. COHERENT's 5000 hours) for ``facility``.
    """

    name: str
    label: str
    facility: str
    nucleus: Nucleus
    target_mass_kg: float
    baseline_m: float
    pot_per_second: float
    threshold_keVnr: float
    run_time_s: float
    nu_per_flavour_per_pot: float
    quantities: dict = field(repr=False, compare=False)
    configuration: str = "paper"
    seconds_per_year: float = c.year_s

    @property
    def year_label(self) -> str:
        """What one "year" of this configuration means, for captions and tables."""
        if abs(self.seconds_per_year - c.year_s) < 1.0:
            return "calendar year of continuous beam (3.156e7 s)"
        frac = self.seconds_per_year / c.year_s
        return f"facility year of {self.seconds_per_year:.3g} s of beam ({frac:.2f} calendar year)"

    def with_overrides(self, **changes) -> "Experiment":
        """Copy with some inputs changed, e.g. ``with_overrides(threshold_keVnr=20)``; validated."""
        exp = replace(self, **changes)
        exp.validate()
        return exp

    def validate(self) -> None:
        for name in ("target_mass_kg", "baseline_m", "pot_per_second", "run_time_s", "nu_per_flavour_per_pot",
                     "seconds_per_year"):
            val = getattr(self, name)
            if not np.isfinite(val) or val <= 0:
                raise ValueError(f"{self.name}: {name} must be positive, got {val!r}")
        if not np.isfinite(self.threshold_keVnr) or self.threshold_keVnr < 0:
            raise ValueError(f"{self.name}: threshold_keVnr must be >= 0, got {self.threshold_keVnr!r}")
        t_end = float(t_max(c.E_nu_max_delayed, self.nucleus.mass)) / c.keV
        if self.threshold_keVnr >= t_end:
            raise ValueError(f"{self.name}: threshold_keVnr = {self.threshold_keVnr:g} is above the largest "
                             f"recoil {t_end:.1f} keVnr of a stopped-pion source: no events can be detected")

    @property
    def n_targets(self) -> float:
        """Number of target nuclei."""
        return self.target_mass_kg * self.nucleus.targets_per_kg()

    def fluence_per_flavour(self) -> float:
        """Fluence per flavour over the run, in cm⁻²."""
        return fluence_per_flavour(self.nu_per_flavour_per_pot, self.pot_per_second, self.run_time_s,
                                   self.baseline_m)

    @property
    def efficiency(self) -> StepEfficiency:
        """Step efficiency at the (effective) threshold."""
        return StepEfficiency(self.threshold_keVnr * c.keV)

    kind = "projection"
    default_form_factor = "helm"

    @property
    def nuclei(self) -> tuple:
        """Names of the target nuclei."""
        return (self.nucleus.name,)

    def kernels(self, t_min=None, **grid) -> RecoilKernels:
        """Recoil kernels of this exposure, starting at the efficiency threshold unless ``t_min``
        (MeV) is given; ``grid`` sets ``panels_per_decade`` / ``order``."""
        eff = self.efficiency
        t0 = eff.t_min if t_min is None else t_min
        return RecoilKernels.build(self.nucleus, self.n_targets, self.fluence_per_flavour(),
                                   t_min=t0, breakpoints=eff.breakpoints, **grid)

    def folded_counts(self, form_factor="helm", **grid) -> FoldedCounts:
        """Counts above threshold as a polynomial in the weak amplitudes (one weak form factor)."""
        return self.kernels(**grid).fold(self.efficiency, get_form_factor(form_factor, self.nucleus))

    def prediction(self, form_factor=None, **grid) -> Prediction:
        """One-bin :class:`~cevns_lib.engine.prediction.Prediction` (the total above the step
        threshold), tree-level couplings (the convention of Carey & Pandey)."""
        k = self.kernels(**grid)
        FZ, FN = get_form_factor_pair(form_factor or self.default_form_factor, self.nucleus)
        tb = TargetBins.build(k, self.efficiency(k.grid.T)[None, :], FZ, FN)
        return Prediction((tb,), "tree")

    def build(self, form_factor=None, systematic=0.05, sin2w_ref=c.sin2_theta_w_low_q, **grid):
        """(prediction, likelihood spec): the total-count χ² of Carey & Pandey with Asimov data equal
        to the SM count at ``sin2w_ref`` and one normalisation pull of width ``systematic``."""
        if not np.isfinite(systematic) or systematic <= 0:
            raise ValueError(f"systematic (fractional normalisation uncertainty) must be > 0, got {systematic!r}")
        pred = self.prediction(form_factor, **grid)
        asimov = pred.counts(sin2w=sin2w_ref)
        spec = LikelihoodSpec("total_count", asimov, Nuisance(
            "normalisation", float(systematic), "Carey & Pandey, arXiv:2510.14015: 5% and 10% systematics"))
        return pred, spec

    def response(self) -> LinearQFResponse:
        """Quenching QF(T) = a + b·T[keVnr] and resolution σ = a_res·√(E_ee[keVee]) from the
        registry (the COHERENT CENNS-10 values for every LAr detector, no efficiency curve: the
        counts use the step :attr:`efficiency` in recoil energy)."""
        q = self.quantities
        missing = {"quenching_a", "quenching_b_per_keVnr", "resolution_a_sqrt_keV"} - set(q)
        if missing:
            raise ValueError(f"{self.name}: registry lacks response quantities {sorted(missing)}")
        return LinearQFResponse(q["quenching_a"].value, q["quenching_b_per_keVnr"].value,
                                q["resolution_a_sqrt_keV"].value)


def facility_quantities(name: str) -> dict:
    """The numbers of a stopped-pion facility of the registry (``SNS``, ``Lujan``, ``PIP-II``):
    quantity name → :class:`Quantity`, plus ``"label"`` → str."""
    reg = load_registry()
    if name not in reg["facilities"]:
        raise ValueError(f"unknown facility {name!r}; allowed: {', '.join(reg['facilities'])}")
    fac = reg["facilities"][name]
    out = {k: Quantity(**v) for k, v in fac.items() if isinstance(v, dict)}
    out["label"] = fac.get("label", name)
    return out


def _derived_status(*inputs) -> str:
    """Status of a number computed from ``inputs``: ``assumed`` if any input is, else ``inferred``."""
    return "assumed" if any(q.status == "assumed" for q in inputs) else "inferred"


def configuration_overrides(name: str, configuration: str) -> dict:
    """The quantities that ``configuration`` changes for projection ``name`` (name → :class:`Quantity`),
    derived ones included: ``pot_per_second`` from ``beam_power_MW``/``proton_energy_GeV`` and
    ``run_time_s`` (one year of the configuration) from ``seconds_per_year`` or ``pot_per_year``.
    Empty for ``"paper"``."""
    if configuration not in CONFIGURATIONS:
        raise ValueError(f"unknown configuration {configuration!r}; allowed: {', '.join(CONFIGURATIONS)}")
    if configuration == "paper":
        return {}
    block = load_registry().get("configurations", {}).get(configuration, {})
    if name not in block:
        have = [k for k, v in block.items() if isinstance(v, dict)]
        raise ValueError(f"no {configuration!r} configuration for {name!r} (it exists for {', '.join(have)}); "
                         "use configuration = 'paper'")
    raw = {k: Quantity(**v) for k, v in block[name].items()}
    out = {k: q for k, q in raw.items() if k not in ("beam_power_MW", "proton_energy_GeV", "pot_per_year",
                                                     "seconds_per_year")}
    if "beam_power_MW" in raw:
        p, e = raw["beam_power_MW"], raw["proton_energy_GeV"]
        rate = p.value * 1e6 / (e.value * 1e9 * ELEMENTARY_CHARGE_C)
        out["pot_per_second"] = Quantity(rate, "1/s", source=
                                         f"beam power / (proton energy × e) = {p.value:g} MW / {e.value:g} GeV "
                                         f"[{p.status}: {p.source}] [{e.status}: {e.source}]",
                                         status=_derived_status(p, e))
        out["beam_power_MW"], out["proton_energy_GeV"] = p, e
    if "seconds_per_year" in raw:
        out["run_time_s"] = raw["seconds_per_year"]
    elif "pot_per_year" in raw:
        if "pot_per_second" not in out:
            raise ValueError(f"[configurations.{configuration}.{name}] pot_per_year needs a beam rate")
        n = raw["pot_per_year"]
        out["run_time_s"] = Quantity(n.value / out["pot_per_second"].value, "s", source=
                                     f"POT per year / POT per second = {n.value:.3g} / {out['pot_per_second'].value:.3g} "
                                     f"[{n.status}: {n.source}]", status=_derived_status(n, out["pot_per_second"]))
        out["pot_per_year"] = n
    return out


def get_experiment(name: str, configuration: str = "paper") -> Experiment:
    """The projected experiment ``name`` (one of :data:`PROJECTIONS`) in ``configuration``
    (:data:`CONFIGURATIONS`); ValueError lists the allowed names."""
    reg = load_registry()
    if name not in reg["projections"]:
        raise ValueError(f"unknown experiment {name!r}; allowed: {', '.join(reg['projections'])}")
    e = reg["projections"][name]
    fac = reg["facilities"][e["facility"]]
    quantities = {k: Quantity(**v) for k, v in e.items() if isinstance(v, dict)}
    quantities["nu_per_flavour_per_pot"] = Quantity(**fac["nu_per_flavour_per_pot"])
    quantities.update(configuration_overrides(name, configuration))
    val = {k: float(quantities[k].value) for k in ("target_mass_kg", "baseline_m", "pot_per_second", "threshold_keVnr",
                                                    "run_time_s", "nu_per_flavour_per_pot")}
    exp = Experiment(
        name=name, label=e["label"], facility=e["facility"], nucleus=get_nucleus(e["nucleus"]),
        quantities=quantities, configuration=configuration, seconds_per_year=val["run_time_s"], **val)
    exp.validate()
    return exp


def status_table(configuration: str = "paper") -> list:
    """Rows (experiment, quantity, value, unit, status, source) of the inputs of every projection in
    ``configuration``: what the dashboard and the detector chapter show."""
    keys = ("target_mass_kg", "baseline_m", "pot_per_second", "nu_per_flavour_per_pot", "threshold_keVnr", "run_time_s")
    rows = []
    for name in PROJECTIONS:
        try:
            q = get_experiment(name, configuration).quantities
        except ValueError:  # a user detector without this configuration
            continue
        rows += [(name, k, q[k].value, q[k].unit, q[k].status, q[k].source) for k in keys]
    return rows
