"""The data route: registered data files (COHERENT releases, external limits), look-up and verification."""
