"""Read registered data files (COHERENT releases, external limits), verified by their content.

Look-up order for ``<dataset>/<file>``:

1. every folder listed in the environment variable ``CEVNS_DATA_DIR`` (several folders separated
   by ``os.pathsep``, i.e. ``:`` on Linux and macOS), in order;
2. the per-user cache ``$XDG_CACHE_HOME/cevns_lib/<collection>`` (default ``~/.cache/...``),
   where ``cevns data fetch`` puts the files (collections: ``coherent``, ``external_limits``).

The registries are ``cevns_lib/data/coherent_files.toml`` and
``cevns_lib/data/external_limits_files.toml`` (one format): per data set the official or upstream
source, and per file the SHA-256 of its parsed numeric content (``content_sha256``, the check) and
of its bytes (``sha256``, informative: a byte-identical copy is accepted without parsing). So a copy
that differs only in comments or header lines passes, and any changed number fails.
"""

import functools
import hashlib
import json
import os
import tomllib
from importlib import resources
from pathlib import Path

import numpy as np

ENV_VAR = "CEVNS_DATA_DIR"
REGISTRIES = {"coherent": "data/coherent_files.toml", "external_limits": "data/external_limits_files.toml"}
"""Collection name → registry file inside the package."""
FETCH_HINT = "cevns data fetch"


class DataFileError(FileNotFoundError):
    """A registered data file is missing, or its content does not match the registered checksum."""


class DataChecksumError(DataFileError):
    """A registered data file is present but its numbers differ from the registered ones."""


@functools.lru_cache(maxsize=1)
def file_registry() -> dict:
    """dataset → its registry entry (``collection``, ``official_source``, ``files``, …), read-only.

    ``files`` maps a file name (relative to the data set's folder) to
    ``{"content_sha256": …, "sha256": …}``.
    """
    reg = {}
    for collection, name in REGISTRIES.items():
        text = resources.files("cevns_lib").joinpath(name).read_text(encoding="utf-8")
        for dataset, entry in tomllib.loads(text).items():
            reg[dataset] = {**entry, "collection": collection}
    return reg


def env_dirs() -> list:
    """The folders named by ``$CEVNS_DATA_DIR`` (``os.pathsep``-separated), in order."""
    return [Path(p).expanduser() for p in os.environ.get(ENV_VAR, "").split(os.pathsep) if p.strip()]


def cache_dir(collection: str = "coherent") -> Path:
    """The per-user cache folder of a collection (where ``cevns data fetch`` writes)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "cevns_lib" / collection


def search_dirs(collection: str = "coherent") -> list:
    """Folders searched, in order: those of ``$CEVNS_DATA_DIR``, then the collection's user cache."""
    return [*env_dirs(), cache_dir(collection)]


# ----------------------------------------------------------------------------------- parsing
def _numeric_rows(text: str) -> list:
    """Rows of numbers of a text table; ``None`` for a non-numeric (header or label) line.

    Separators are white space and/or commas; ``#`` starts a comment (also after numbers).
    """
    rows = []
    for line in text.splitlines():
        parts = line.split("#", 1)[0].replace(",", " ").split()
        if not parts:
            continue
        try:
            rows.append([float(x) for x in parts])
        except ValueError:
            rows.append(None)
    return rows


def numeric_array(text: str):
    """The text table as a 2-D float array when every line that is not blank (after removing
    comments) holds numbers, as many on each line; otherwise None (parse it with
    :func:`_numeric_rows`). The same numbers as :func:`_numeric_rows`, parsed by numpy's C reader
    (correctly rounded, like ``float``): a few times faster on the external-limit tables."""
    import io
    import warnings

    lines = "\n".join(line.split("#", 1)[0] for line in text.splitlines())    # the lines of _numeric_rows
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)          # "input contained no data"
            table = np.loadtxt(io.StringIO(lines.replace(",", " ")), ndmin=2)
    except ValueError:
        return None
    return table if table.size else None


def _is_yaml(filename: str) -> bool:
    return filename.endswith((".yaml", ".yml"))


def canonical_content(filename: str, data: bytes) -> bytes:
    """Canonical serialisation of a file's parsed content (the input of the content checksum).

    Text tables: every numeric line as the ``repr`` of its floats, comma-separated, one row per
    line; comments and non-numeric lines (headers) are left out. YAML: the parsed document dumped
    as JSON with sorted keys.
    """
    text = data.decode("utf-8", errors="strict")
    if _is_yaml(filename):
        import yaml

        doc = yaml.safe_load(text)
        return json.dumps(doc, sort_keys=True, separators=(",", ":"), default=str).encode()
    rows = (r for r in _numeric_rows(text) if r is not None)
    return "\n".join(",".join(repr(x) for x in r) for r in rows).encode()


def content_sha256(filename: str, data: bytes) -> str:
    """SHA-256 (hex) of :func:`canonical_content`."""
    return hashlib.sha256(canonical_content(filename, data)).hexdigest()


# ------------------------------------------------------------------------------ verification
def _entry(dataset: str, filename: str) -> tuple:
    reg = file_registry()
    if dataset not in reg:
        raise ValueError(f"unknown dataset {dataset!r}; registered: {', '.join(reg)}")
    files = reg[dataset]["files"]
    if filename not in files:
        shown = ", ".join(list(files)[:12]) + (", …" if len(files) > 12 else "")
        raise ValueError(f"{filename!r} is not a registered file of {dataset}; registered: {shown}")
    return reg[dataset], files[filename]


_VERIFIED: dict = {}


def check_content(dataset: str, filename: str, data: bytes, where: str = "") -> str:
    """Check the bytes of a registered file against the registry; returns ``"bytes"`` or ``"content"``.

    ``"bytes"``: identical to the registered copy. ``"content"``: different bytes, same numbers.

    Raises
    ------
    DataChecksumError
        The parsed numbers differ from the registered ones (or the file cannot be parsed).
    """
    entry, sums = _entry(dataset, filename)
    if hashlib.sha256(data).hexdigest() == sums.get("sha256"):
        return "bytes"
    try:
        digest = content_sha256(filename, data)
    except (UnicodeDecodeError, ValueError) as err:
        digest = f"unparsable ({type(err).__name__})"
    if digest != sums["content_sha256"]:
        raise DataChecksumError(
            f"data file {where or dataset + '/' + filename} is corrupted or a different version: its numbers "
            f"differ from the registered ones (content SHA-256 {digest[:16]}… ≠ {sums['content_sha256'][:16]}…). "
            f"Replace it with `{FETCH_HINT} {dataset}` (source: {entry['official_source']}) or point "
            f"{ENV_VAR} at an intact copy")
    return "content"


def locate(dataset: str, filename: str) -> Path | None:
    """First path of ``<dataset>/<filename>`` in the search folders (unverified), or None."""
    entry, _ = _entry(dataset, filename)
    for d in search_dirs(entry["collection"]):
        p = d / dataset / filename
        if p.is_file():
            return p
    return None


def data_path(dataset: str, filename: str) -> Path:
    """Verified path of a registered file.

    Raises
    ------
    ValueError
        Unknown dataset or file name (the message lists the registered ones).
    DataFileError
        The file is in none of the search folders.
    DataChecksumError
        The file's numbers differ from the registered content checksum.
    """
    entry, _ = _entry(dataset, filename)
    found = locate(dataset, filename)
    if found is None:
        where = [str(d / dataset / filename) for d in search_dirs(entry["collection"])]
        raise DataFileError(
            f"data file {dataset}/{filename} not found (looked in: {', '.join(where)}). "
            f"Run `{FETCH_HINT} {dataset}`, or set {ENV_VAR} to the folder that contains {dataset}/; "
            f"official source: {entry['official_source']}")
    stat = found.stat()
    key = (str(found.resolve()), stat.st_size, stat.st_mtime_ns)
    if _VERIFIED.get(key) != (dataset, filename):
        check_content(dataset, filename, found.read_bytes(), where=str(found))
        _VERIFIED[key] = (dataset, filename)
    return found


def missing_datasets(datasets) -> list:
    """The data sets among ``datasets`` of which at least one registered file is not found.

    Present files are not verified here (use :func:`verify_dataset`).
    """
    reg = file_registry()
    out = []
    for ds in datasets:
        if ds not in reg:
            raise ValueError(f"unknown dataset {ds!r}; registered: {', '.join(reg)}")
        if any(locate(ds, f) is None for f in reg[ds]["files"]):
            out.append(ds)
    return out


def verify_dataset(dataset: str) -> None:
    """Verify every registered file of a data set (DataFileError / DataChecksumError otherwise)."""
    for f in file_registry()[dataset]["files"]:
        data_path(dataset, f)


def load_table(dataset: str, filename: str) -> np.ndarray:
    """A numeric table separated by white space and/or commas; leading header lines are skipped.

    ``#`` starts a comment. A non-numeric line after the first numeric one is an error. A file is
    parsed once per process (again if its size or modification time change); each call returns a
    fresh copy.
    """
    path = data_path(dataset, filename)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _TABLES:
        text = path.read_text(encoding="utf-8")
        table = numeric_array(text)
        if table is None:                                        # header lines (or no rows)
            rows = []
            for row in _numeric_rows(text):
                if row is None:
                    if rows:
                        raise DataFileError(f"{path}: non-numeric line inside the table")
                    continue
                rows.append(row)
            table = np.array(rows)
        _TABLES[key] = table
    return _TABLES[key].copy()


_TABLES: dict = {}
"""Parsed tables of :func:`load_table`, by (resolved path, size, modification time)."""


def load_yaml(dataset: str, filename: str) -> dict:
    """A YAML parameter file of a release, as a dictionary."""
    import yaml

    return yaml.safe_load(data_path(dataset, filename).read_text(encoding="utf-8"))
