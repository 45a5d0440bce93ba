"""Every experiment by name: the projections, the COHERENT data sets and their combinations.

The names come from the registries (``cevns_lib/data/experiments.toml`` and
:data:`cevns_lib.experiments.coherent.datasets.DATA_SETS`); nothing here is a hand-typed list.
Every experiment has ``name``, ``label``, ``kind`` (``"projection"``, ``"data"`` or
``"combination"``) and ``build(form_factor, **options)`` → (prediction, likelihood spec), except
combinations, which list their ``parts``.
"""

from dataclasses import dataclass

from cevns_lib.experiments.coherent.datasets import DATA_SETS
from cevns_lib.experiments.projections import PROJECTIONS, get_experiment as get_projection, load_registry

KINDS = ("projection", "data", "combination")


@dataclass(frozen=True)
class Combination:
    """Data sets fitted together (their χ² add); ``options`` maps a part to its options."""

    name: str
    label: str
    parts: tuple
    options: dict
    source: str

    kind = "combination"
    default_form_factor = "helm_point_radii"

    @property
    def nuclei(self) -> tuple:
        return tuple(n for p in self.parts for n in DATA_SETS[p].nuclei)


def combinations() -> dict:
    """name → :class:`Combination` from the registry."""
    out = {}
    for name, e in load_registry().get("combinations", {}).items():
        unknown = [p for p in e["parts"] if p not in DATA_SETS]
        if unknown:
            raise ValueError(f"experiments.toml [combinations.{name}]: unknown part(s) {unknown}")
        out[name] = Combination(name, e["label"], tuple(e["parts"]), dict(e.get("options", {})), e["source"])
    return out


def experiment_names(kind=None) -> tuple:
    """Registered experiment names (all, or of one kind)."""
    names = {"projection": PROJECTIONS, "data": tuple(DATA_SETS), "combination": tuple(combinations())}
    if kind is None:
        return sum(names.values(), ())
    if kind not in names:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    return names[kind]


def get_experiment(name: str):
    """The experiment ``name`` (projection, data set or combination); ValueError lists them all."""
    if name in PROJECTIONS:
        return get_projection(name)
    if name in DATA_SETS:
        return DATA_SETS[name]
    combos = combinations()
    if name in combos:
        return combos[name]
    raise ValueError(f"unknown experiment {name!r}; allowed: {', '.join(experiment_names())}")


def kind_of(name: str) -> str:
    """``"projection"``, ``"data"`` or ``"combination"`` for a registered name."""
    return get_experiment(name).kind
