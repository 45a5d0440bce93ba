"""COHERENT data loader: registry, checksums and the errors that name the fix."""

import shutil
from pathlib import Path

import numpy as np
import pytest

from cevns_lib.datafiles import loader


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """An empty data folder and an empty user cache."""
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv(loader.ENV_VAR, str(data))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return data


def test_missing_file_error_names_file_location_env_and_source(isolated):
    with pytest.raises(loader.DataFileError) as err:
        loader.data_path("csi2021", "brnPE.txt")
    msg = str(err.value)
    assert "csi2021/brnPE.txt" in msg
    assert str(isolated) in msg                       # where it looked
    assert loader.ENV_VAR in msg                      # how to point at the data
    assert "arXiv:2110.07730" in msg                  # the official source


def test_checksum_mismatch_is_detected(isolated):
    (isolated / "csi2017").mkdir()
    target = isolated / "csi2017" / "promptPDF.txt"
    target.write_text("# corrupted\n0.5, 1.0\n", encoding="utf-8")
    with pytest.raises(loader.DataFileError) as err:
        loader.load_table("csi2017", "promptPDF.txt")
    msg = str(err.value)
    assert "SHA-256" in msg and "zenodo" in msg.lower() and loader.ENV_VAR in msg


def test_corrupted_copy_of_a_real_file(isolated, monkeypatch):
    shared = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "coherent"
    if not (shared / "ar2020_analysisA" / "energydata1d.txt").is_file():
        pytest.skip("shared COHERENT data not available")
    (isolated / "ar2020_analysisA").mkdir()
    dst = isolated / "ar2020_analysisA" / "energydata1d.txt"
    shutil.copy(shared / "ar2020_analysisA" / "energydata1d.txt", dst)
    assert loader.load_table("ar2020_analysisA", "energydata1d.txt").shape == (12, 8)   # intact copy is accepted
    dst.write_bytes(dst.read_bytes().replace(b"180.88", b"180.89"))
    with pytest.raises(loader.DataFileError, match="corrupted"):
        loader.load_table("ar2020_analysisA", "energydata1d.txt")


def test_unknown_dataset_and_file_are_value_errors():
    with pytest.raises(ValueError, match="registered: csi2017"):
        loader.data_path("csi2019", "x.txt")
    with pytest.raises(ValueError, match="not a registered file"):
        loader.data_path("csi2017", "README.md")


def test_every_registered_file_verifies():
    reg = loader.file_registry()
    for dataset, entry in reg.items():
        for name in entry["sha256"]:
            try:
                loader.data_path(dataset, name)
            except loader.DataFileError:
                pytest.skip("COHERENT data folder not available (set CEVNS_DATA_DIR)")


def test_tables_and_yaml_parse():
    try:
        prompt = loader.load_table("csi2017", "promptPDF.txt")            # comma separated, '#' header
        events = loader.load_table("csi2021", "dataBeamOnC.txt")          # white space, '#' header
        beam_off = loader.load_table("csi2017", "data_coincidence_beamOff.txt")  # text header line
        yaml = loader.load_yaml("ar2020_analysisA", "LArParametersAnlA.yaml")
    except loader.DataFileError:
        pytest.skip("COHERENT data folder not available")
    assert prompt.shape == (50, 2) and prompt[0, 0] == 0.5
    assert events.shape[1] == 2 and np.all(events[:, 1] < 6.0)
    assert beam_off.shape == (600, 3)
    assert yaml["beamExposure"]["value"] == 13.8
