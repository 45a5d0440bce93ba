"""cevns_lib: coherent elastic neutrino–nucleus scattering phenomenology.

Layers (imports flow one way): constants → nuclei → form_factors → sources → interactions →
rates → detectors → stats; results, published, chapters and cli sit on top. MeV = 1 internally.
"""

__version__ = "0.1.0"
