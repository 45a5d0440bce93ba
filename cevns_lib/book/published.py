"""The published numbers that the book reproduces, read from ``data/published_numbers.toml``.

Each entry names the chapter and parameters that compute it, the JSON key (and item, for dict
results), the published value, unit, tolerance and source. Tests and the reproduction dashboard
read this one file.
"""

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources

import numpy as np


@dataclass(frozen=True)
class PublishedNumber:
    """One published number.

    ``value`` is a float, a [lo, hi] pair, or a list of [lo, hi] pairs; ``tolerance`` is
    ``{"absolute": x}`` (per number / end point), ``{"relative": x}``, or
    ``{"upper_bound": true}`` (a published bound: the computed number must not exceed it).
    """

    id: str
    chapter: str
    parameters: dict
    key: str
    item: str | None
    value: object
    unit: str
    tolerance: dict
    source: str
    description: str
    known_deviation: str = ""
    """Why this number is not reproduced, when that is known and explained in its chapter; such an
    entry is reported as not reproduced (never as passing), with this explanation."""

    def compare(self, computed):
        """Return (ok, deviation): deviation is the largest |computed − published| (absolute
        tolerance), relative difference (relative tolerance), or computed − bound (upper bound)."""
        if self.item is not None:
            computed = computed[self.item]
        pub = np.asarray(self.value, dtype=float)
        com = np.asarray(computed, dtype=float)
        if pub.shape != com.shape:
            return False, float("inf")
        if self.tolerance.get("upper_bound"):
            dev = float(np.max(com - pub))
            return dev <= 0.0, dev
        if "absolute" in self.tolerance:
            dev = float(np.max(np.abs(com - pub)))
            return dev <= self.tolerance["absolute"], dev
        dev = float(np.max(np.abs(com / pub - 1.0)))
        return dev <= self.tolerance["relative"], dev


@functools.lru_cache(maxsize=1)
def load_published():
    """All published numbers (tuple of :class:`PublishedNumber`)."""
    text = resources.files("cevns_lib").joinpath("data/published_numbers.toml").read_text(encoding="utf-8")
    out = []
    for i, e in enumerate(tomllib.loads(text)["number"]):
        missing = {"id", "chapter", "key", "value", "unit", "tolerance", "source"} - set(e)
        if missing:
            raise ValueError(f"published_numbers.toml entry {i} lacks {sorted(missing)}")
        if not ({"absolute", "relative", "upper_bound"} & set(e["tolerance"])):
            raise ValueError(f"published_numbers.toml {e['id']}: tolerance needs 'absolute', 'relative' or 'upper_bound'")
        out.append(PublishedNumber(e["id"], e["chapter"], e.get("parameters", {}), e["key"], e.get("item"),
                                   e["value"], e["unit"], e["tolerance"], e["source"], e.get("description", ""),
                                   e.get("known_deviation", "")))
    ids = [p.id for p in out]
    if len(set(ids)) != len(ids):
        raise ValueError("published_numbers.toml has duplicate ids")
    return tuple(out)


def runs_needed():
    """Distinct (chapter, parameters) runs that compute the published numbers."""
    seen = {}
    for p in load_published():
        key = (p.chapter, tuple(sorted(p.parameters.items())))
        seen.setdefault(key, []).append(p)
    return seen
