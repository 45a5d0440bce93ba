"""Physics inputs: constants, nuclei, form factors, stopped-pion sources, interactions and models."""
