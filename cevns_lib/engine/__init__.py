"""The prediction engine: flux × cross section × response folded once into kernels."""
