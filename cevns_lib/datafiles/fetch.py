"""Download registered data sets into the user cache (``cevns data fetch``), with pooch.

Routes, per data set (registry ``cevns_lib/data/*_files.toml``):

- ``--mirror URL``: every file from ``URL/<dataset>/<file>`` (the layout of ``CEVNS_DATA_DIR``);
- ``doi``: pooch reads the file list of the official record from its DOI, downloads every file of
  the record, unpacks archives, and the registered files are picked from what was unpacked;
- ``base_url``: every file from ``base_url + <file>``;
- none of these: the files must be placed by hand (the error says where).

Every file is verified by its content checksum (:func:`cevns_lib.datafiles.loader.check_content`)
in a staging folder beside the destination; only a complete, verified data set is moved into
``<cache>/<dataset>/``; on any failure the staging folder is removed, so nothing half-written is
left behind.
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

from cevns_lib.datafiles import loader

MIRROR_HINT = "use --mirror URL (files at URL/<dataset>/<file>) or place the files by hand (README, section Data)"


class FetchError(RuntimeError):
    """A data set could not be fetched; the message is one line naming the URL and the remedy."""


def _say(msg, end="\n"):
    print(msg, file=sys.stderr, end=end, flush=True)


def _retrieve(url: str, folder: Path, fname: str, progressbar: bool, processor=None):
    import pooch

    pooch.get_logger().setLevel("WARNING")
    try:
        return pooch.retrieve(url, known_hash=None, fname=fname, path=folder, processor=processor,
                              progressbar=progressbar)
    except Exception as err:  # requests/ftp/OS errors: one line naming the URL and the remedy
        reason = str(err).strip().splitlines()[0][:160] if str(err).strip() else type(err).__name__
        raise FetchError(f"download of {url} failed ({reason}); check the network, or {MIRROR_HINT}") from None


def _file_urls(dataset: str, entry: dict, mirror: str | None) -> dict | None:
    if mirror:
        return {f: f"{mirror.rstrip('/')}/{dataset}/{f}" for f in entry["files"]}
    if entry.get("base_url"):
        return {f: entry["base_url"] + f for f in entry["files"]}
    return None


def _from_doi(dataset: str, entry: dict, staging: Path, progressbar: bool) -> dict:
    """Download the DOI record, unpack archives; return {registered file: path in staging}."""
    import pooch

    doi = entry["doi"]
    raw = staging / "_download"
    try:
        record = pooch.create(path=raw, base_url=f"doi:{doi}/", registry=None)
        record.load_registry_from_doi()
    except Exception as err:
        reason = str(err).strip().splitlines()[0][:160] if str(err).strip() else type(err).__name__
        raise FetchError(f"could not read the file list of https://doi.org/{doi} ({reason}); "
                         f"check the network, or {MIRROR_HINT}") from None
    for name in record.registry:
        _say(f"  {dataset}: {name} (https://doi.org/{doi})")
        processor = None
        if name.endswith(".zip"):
            processor = pooch.Unzip()
        elif name.endswith((".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tar.xz")):
            processor = pooch.Untar()
        try:
            record.fetch(name, processor=processor, progressbar=progressbar)
        except Exception as err:
            reason = str(err).strip().splitlines()[0][:160] if str(err).strip() else type(err).__name__
            raise FetchError(f"download of {name} from https://doi.org/{doi} failed ({reason}); "
                             f"check the network, or {MIRROR_HINT}") from None
    found = {}
    for wanted in entry["files"]:
        hits = sorted(p for p in raw.rglob(Path(wanted).name) if p.is_file())
        if hits:
            found[wanted] = hits[0]
    missing = [f for f in entry["files"] if f not in found]
    if missing:
        raise FetchError(f"the record https://doi.org/{doi} does not contain {', '.join(missing)} of {dataset}; "
                         f"{MIRROR_HINT}")
    return found


def fetch_dataset(dataset: str, mirror: str | None = None, dest: Path | None = None,
                  progressbar: bool | None = None) -> Path:
    """Fetch one registered data set into ``dest`` (default: its collection's user cache).

    Parameters
    ----------
    dataset : str
        Registered data set, e.g. ``"csi2017"``.
    mirror : str, optional
        Base URL of a mirror laid out as ``URL/<dataset>/<file>`` (``file://`` works too).
    dest : Path, optional
        Folder that receives ``<dataset>/``.

    Returns
    -------
    Path
        The data set's folder.

    Raises
    ------
    FetchError
        Download failed, a file fails its content checksum, or there is no download route.
    """
    reg = loader.file_registry()
    if dataset not in reg:
        raise FetchError(f"unknown dataset {dataset!r}; registered: {', '.join(reg)}")
    entry = reg[dataset]
    dest = Path(dest) if dest else loader.cache_dir(entry["collection"])
    if progressbar is None:
        progressbar = sys.stderr.isatty()
    urls = _file_urls(dataset, entry, mirror)
    if urls is None and not entry.get("doi"):
        raise FetchError(f"{dataset} has no public download route registered ({entry['official_source']}); "
                         f"{MIRROR_HINT.replace('place the files by hand', f'place the files by hand in {dest / dataset}')}")
    dest.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dataset}.partial-", dir=dest))
    try:
        if urls is not None:
            got = {}
            n = len(urls)
            for i, (name, url) in enumerate(urls.items(), 1):
                _say(f"\r  {dataset}: [{i}/{n}] {name}" if n > 20 else f"  {dataset}: {url}",
                     end="" if n > 20 and i < n else "\n")
                got[name] = Path(_retrieve(url, staging / "_download", f"{i:05d}_{Path(name).name}", False))
            where = urls
        else:
            got = _from_doi(dataset, entry, staging, progressbar)
            where = {f: f"https://doi.org/{entry['doi']} ({p.name})" for f, p in got.items()}
        final = staging / dataset
        for name, path in got.items():
            try:
                loader.check_content(dataset, name, path.read_bytes(), where=where[name])
            except loader.DataChecksumError as err:
                raise FetchError(f"{where[name]} fails its content checksum: nothing was written; use the official "
                                 f"files ({entry['official_source']}) or another mirror") from err
            target = final / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(path), target)
        # the verified data set replaces the old folder in one rename (old copy removed afterwards)
        old = dest / dataset
        backup = None
        if old.exists():
            backup = staging / "_previous"
            os.replace(old, backup)
        os.replace(final, old)
        return old
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def fetch(datasets=None, mirror: str | None = None, dest: Path | None = None) -> dict:
    """Fetch several data sets (default: every registered one); returns ``{dataset: folder}``.

    Data sets already present and verified in the destination are skipped. Raises the first
    :class:`FetchError`, after fetching the others, so one bad data set does not block the rest.
    """
    reg = loader.file_registry()
    datasets = list(datasets or reg)
    unknown = [d for d in datasets if d not in reg]
    if unknown:
        raise FetchError(f"unknown dataset {', '.join(unknown)}; registered: {', '.join(reg)}")
    done, errors = {}, []
    for ds in datasets:
        folder = (Path(dest) if dest else loader.cache_dir(reg[ds]["collection"])) / ds
        if all((folder / f).is_file() for f in reg[ds]["files"]):
            try:
                for f in reg[ds]["files"]:
                    loader.check_content(ds, f, (folder / f).read_bytes(), where=str(folder / f))
                _say(f"  {ds}: already present and verified in {folder}")
                done[ds] = folder
                continue
            except loader.DataChecksumError:
                _say(f"  {ds}: the copy in {folder} fails its checksum; fetching it again")
        try:
            done[ds] = fetch_dataset(ds, mirror=mirror, dest=dest)
            _say(f"  {ds}: {len(reg[ds]['files'])} files verified, in {done[ds]}")
        except FetchError as err:
            errors.append((ds, err))
    if errors:
        if len(errors) > 1:
            names = ", ".join(ds for ds, _ in errors)
            raise FetchError(f"{len(errors)} data sets not fetched ({names}); the first: {errors[0][1]}")
        raise errors[0][1]
    return done
