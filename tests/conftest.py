"""Shared test set-up: point CEVNS_DATA_DIR at the shared COHERENT folder when it exists."""

import os
from pathlib import Path

_shared = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "coherent"
if "CEVNS_DATA_DIR" not in os.environ and _shared.is_dir():
    os.environ["CEVNS_DATA_DIR"] = str(_shared)
