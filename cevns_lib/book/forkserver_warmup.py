"""Imported by the fork server of :class:`cevns_lib.book.inprocess.ResultsPool`, never by the library:
parses once the package's registries that do not depend on the environment (the data-file registry,
the published numbers, the Z′ charges), so that every run forked from the server finds them parsed
(about 0.1 s per run). Registries that the environment can extend (``experiments.toml`` with the
user's blocks) are left to each run.
"""

from cevns_lib.book.published import load_published
from cevns_lib.datafiles.loader import file_registry
from cevns_lib.physics.mediators import _charge_table

file_registry()
load_published()
_charge_table()
