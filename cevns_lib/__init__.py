"""cevns_lib: coherent elastic neutrino–nucleus scattering phenomenology.

Layers (imports flow one way): constants → nuclei → form_factors → sources → interactions →
response → detectors → rates → stats → sensitivity; coherent, mediators, results, published,
chapters, explorers and cli sit on top. MeV = 1 internally.
"""

__version__ = "0.1.0"
