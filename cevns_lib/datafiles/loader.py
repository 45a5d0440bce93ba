"""Read the COHERENT data-release files, checked against a registry of SHA-256 sums.

Files are looked up in the folder named by the environment variable ``CEVNS_DATA_DIR``, then
in the per-user cache ``$XDG_CACHE_HOME/cevns_lib/coherent`` (default ``~/.cache/...``), laid out
as ``<dataset>/<file>`` (e.g. ``ar2020_analysisA/cevnspdf.txt``). The registry of names, sums
and official sources is ``cevns_lib/data/coherent_files.toml``. Nothing is downloaded.
"""

import functools
import hashlib
import os
import tomllib
from importlib import resources
from pathlib import Path

import numpy as np

ENV_VAR = "CEVNS_DATA_DIR"


class DataFileError(FileNotFoundError):
    """A COHERENT data file is missing or does not match its registered checksum."""


@functools.lru_cache(maxsize=1)
def file_registry() -> dict:
    """dataset → {"official_source": str, "sha256": {file: sum}} (read-only)."""
    text = resources.files("cevns_lib").joinpath("data/coherent_files.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def search_dirs() -> list:
    """Folders searched, in order: ``$CEVNS_DATA_DIR``, then the per-user cache."""
    dirs = []
    if os.environ.get(ENV_VAR):
        dirs.append(Path(os.environ[ENV_VAR]).expanduser())
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    dirs.append(cache / "cevns_lib" / "coherent")
    return dirs


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def data_path(dataset: str, filename: str) -> Path:
    """Verified path of a registered file.

    Raises
    ------
    ValueError
        Unknown dataset or file name (the message lists the registered ones).
    DataFileError
        The file is in none of the search folders, or its SHA-256 differs from the registry.
    """
    reg = file_registry()
    if dataset not in reg:
        raise ValueError(f"unknown COHERENT dataset {dataset!r}; registered: {', '.join(reg)}")
    sums = reg[dataset]["sha256"]
    if filename not in sums:
        raise ValueError(f"{filename!r} is not a registered file of {dataset}; registered: {', '.join(sums)}")
    where = [d / dataset / filename for d in search_dirs()]
    found = next((p for p in where if p.is_file()), None)
    source = reg[dataset]["official_source"]
    if found is None:
        raise DataFileError(
            f"COHERENT data file {dataset}/{filename} not found (looked in: {', '.join(map(str, where))}). "
            f"Set {ENV_VAR} to the folder that contains {dataset}/ (e.g. ../shared/data/coherent); "
            f"official source: {source}")
    digest = _sha256(found)
    if digest != sums[filename]:
        raise DataFileError(
            f"COHERENT data file {found} is corrupted or a different version: SHA-256 {digest[:16]}… "
            f"differs from the registered {sums[filename][:16]}…. Restore it from {source} "
            f"(folder set by {ENV_VAR})")
    return found


def load_table(dataset: str, filename: str) -> np.ndarray:
    """A numeric table separated by white space and/or commas; leading header lines are skipped."""
    path = data_path(dataset, filename)
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.replace(",", " ").split()
        if not parts or parts[0].startswith("#"):
            continue
        try:
            rows.append([float(x) for x in parts])
        except ValueError:
            if rows:
                raise DataFileError(f"{path}: non-numeric line inside the table: {line!r}") from None
    return np.array(rows)


def load_yaml(dataset: str, filename: str) -> dict:
    """A YAML parameter file of a release, as a dictionary."""
    import yaml

    return yaml.safe_load(data_path(dataset, filename).read_text(encoding="utf-8"))
