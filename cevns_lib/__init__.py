"""cevns_lib: coherent elastic neutrino–nucleus scattering phenomenology.

The package layout is the pipeline; imports flow one way, top to bottom:

- ``physics``     constants, nuclei, form factors, stopped-pion sources, interactions, BSM models
- ``datafiles``   the data route: registered data files, their look-up and verification
- ``experiments`` the Experiment interface and its registry (projections and COHERENT data sets)
- ``engine``      flux × cross section × response folded once into kernels; binned predictions
- ``analysis``    likelihoods, profiling, scans, intervals and contours
- ``book``        results contract, published numbers, dashboard, chapter runner, CLI, explorers

MeV = 1 internally.
"""

__version__ = "0.1.0"
