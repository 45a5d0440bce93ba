"""`cevns data fetch` against mirrors served on 127.0.0.1 (no internet): placement, verification,
nothing half-written on failure, and the DOI route's unpacking (with pooch pointed at the local server)."""

import functools
import http.server
import shutil
import threading
import zipfile

import pytest

from cevns_lib.book import cli
from cevns_lib.datafiles import fetch, loader
from conftest import real_data_path

pytestmark = pytest.mark.needs_data("csi2017")
FILES = list(loader.file_registry()["csi2017"]["files"])


@pytest.fixture
def serve():
    """Start an HTTP server on 127.0.0.1 for a folder; returns its base URL."""
    servers = []

    def start(folder):
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
        handler.log_message = lambda *a, **k: None
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        servers.append(srv)
        return f"http://127.0.0.1:{srv.server_address[1]}"

    yield start
    for srv in servers:
        srv.shutdown()
        srv.server_close()


@pytest.fixture
def mirror(tmp_path):
    """A mirror folder ``<dataset>/<file>`` built from the data of this run; the official header
    lines (stripped in the re-hosted copies) are put back into one beam-on file."""
    root = tmp_path / "mirror"
    (root / "csi2017").mkdir(parents=True)
    for f in FILES:
        shutil.copy(real_data_path("csi2017", f), root / "csi2017" / f)
    beam_on = root / "csi2017" / "data_coincidence_beamOn.txt"
    beam_on.write_text("# COHERENT Collaboration data release\nPEs, arrival time (us), counts\n"
                       + beam_on.read_text(encoding="utf-8"), encoding="utf-8")
    return root


@pytest.fixture
def empty_home(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setenv(loader.ENV_VAR, str(tmp_path / "nothing"))
    return cache / "cevns_lib" / "coherent"


def test_fetch_from_mirror_places_and_verifies(mirror, serve, empty_home, capsys):
    assert cli.main(["data", "fetch", "csi2017", "--mirror", serve(mirror)]) == 0
    assert sorted(p.name for p in (empty_home / "csi2017").iterdir()) == sorted(FILES)
    assert [p.name for p in empty_home.iterdir()] == ["csi2017"]            # no staging folder left
    placed = empty_home / "csi2017" / "data_coincidence_beamOn.txt"
    assert loader.data_path("csi2017", "data_coincidence_beamOn.txt") == placed
    assert "10 files verified" in capsys.readouterr().err
    assert cli.main(["data", "fetch", "csi2017", "--mirror", "http://127.0.0.1:9/none"]) == 0   # already there
    assert "already present" in capsys.readouterr().err


def test_tampered_mirror_fails_and_writes_nothing(mirror, serve, empty_home, capsys):
    prompt = mirror / "csi2017" / "promptPDF.txt"
    prompt.write_text(prompt.read_text(encoding="utf-8").replace("0.5526297688", "0.5526297689"), encoding="utf-8")
    url = serve(mirror)
    assert cli.main(["data", "fetch", "csi2017", "--mirror", url]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("cevns: error: ") and f"{url}/csi2017/promptPDF.txt" in err[-1]
    assert "content checksum" in err[-1] and "nothing was written" in err[-1]
    assert not empty_home.exists() or list(empty_home.iterdir()) == []


def test_missing_file_on_mirror_is_one_line_naming_url_and_remedy(mirror, serve, empty_home, capsys):
    (mirror / "csi2017" / "qfData_tunl.txt").unlink()
    url = serve(mirror)
    assert cli.main(["data", "fetch", "csi2017", "--mirror", url]) == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"{url}/csi2017/qfData_tunl.txt" in last and "--mirror" in last and "404" in last
    assert not empty_home.exists() or list(empty_home.iterdir()) == []


def test_no_route_is_an_error_naming_where_to_put_the_files(empty_home, capsys):
    assert cli.main(["data", "fetch", "csi2021"]) == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert "no public download route" in last and str(empty_home / "csi2021") in last


def test_doi_route_unpacks_the_record(mirror, serve, empty_home, monkeypatch, tmp_path):
    """The DOI route with pooch pointed at a local 'record' holding one zip archive."""
    import pooch

    record = tmp_path / "record"
    record.mkdir()
    with zipfile.ZipFile(record / "release.zip", "w") as z:
        for f in FILES:
            z.write(mirror / "csi2017" / f, f"COHERENT_CsI_2017/data/{f}")
    url = serve(record)
    real_create = pooch.create

    def fake_create(path, base_url, registry=None, **kw):
        assert base_url == "doi:10.5281/zenodo.1228631/"
        p = real_create(path=path, base_url=url + "/", registry={"release.zip": None})
        p.load_registry_from_doi = lambda: None
        return p

    monkeypatch.setattr(pooch, "create", fake_create)
    folder = fetch.fetch_dataset("csi2017")
    assert folder == empty_home / "csi2017"
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)
    loader.verify_dataset("csi2017")
