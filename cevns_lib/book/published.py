"""The published numbers that the book reproduces, read from ``data/published_numbers.toml``.

Each entry names the chapter and parameters that compute it, the JSON key (and item, for dict
results), the published value, unit, tolerance, source and, where the source quotes one, the
published uncertainty. Tests, the reproduction dashboard and the chapters (through
:func:`published_number`, so that no published value is typed in a chapter) read this one file.
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
    uncertainty_parts: tuple = ()
    """The published 1σ uncertainty of ``value`` (same unit), one entry per quoted component (e.g.
    theory and experiment); empty when the source quotes none. See :attr:`uncertainty`."""

    @property
    def uncertainty(self):
        """The published uncertainty, its quoted components added in quadrature (None if none is
        quoted)."""
        return float(np.hypot.reduce(self.uncertainty_parts)) if self.uncertainty_parts else None

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
        unc = e.get("uncertainty", ())
        out.append(PublishedNumber(e["id"], e["chapter"], e.get("parameters", {}), e["key"], e.get("item"),
                                   e["value"], e["unit"], e["tolerance"], e["source"], e.get("description", ""),
                                   e.get("known_deviation", ""), tuple(np.atleast_1d(unc).astype(float))))
    ids = [p.id for p in out]
    if len(set(ids)) != len(ids):
        raise ValueError("published_numbers.toml has duplicate ids")
    return tuple(out)


def published_number(chapter, key, experiment=None, item=None):
    """The registry entry of ``key`` computed by ``chapter`` for ``experiment`` (and dictionary
    ``item``), or None when nothing is published for it.

    Parameters
    ----------
    chapter : str
        File stem of the chapter, e.g. ``"06_em_properties"``.
    key : str
        Results key, e.g. ``"mu_nu_limit_sys5"``.
    experiment : str, optional
        Value of the entry's ``experiment`` parameter; ``None`` matches any.
    item : str, optional
        Item of a dictionary result (e.g. ``"CsI-2021"`` of ``sm_events``).
    """
    for p in load_published():
        if (p.chapter == chapter and p.key == key and p.item == item
                and (experiment is None or p.parameters.get("experiment") == experiment)):
            return p
    return None


def runs_needed():
    """Distinct (chapter, parameters) runs that compute the published numbers."""
    seen = {}
    for p in load_published():
        key = (p.chapter, tuple(sorted(p.parameters.items())))
        seen.setdefault(key, []).append(p)
    return seen
