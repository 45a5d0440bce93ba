"""Experiments: the registry of projected detectors and the COHERENT data sets."""
