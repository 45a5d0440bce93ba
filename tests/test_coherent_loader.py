"""COHERENT data loader: registry, checksums and the errors that name the fix."""

import os
import shutil

import numpy as np
import pytest

from cevns_lib.datafiles import loader
from conftest import real_data_path


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
    assert "cevns data fetch csi2021" in msg          # the fetch command
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


@pytest.mark.needs_data("ar2020_analysisA")
def test_corrupted_copy_of_a_real_file(isolated, monkeypatch):
    (isolated / "ar2020_analysisA").mkdir()
    dst = isolated / "ar2020_analysisA" / "energydata1d.txt"
    shutil.copy(real_data_path("ar2020_analysisA", "energydata1d.txt"), dst)
    assert loader.load_table("ar2020_analysisA", "energydata1d.txt").shape == (12, 8)   # intact copy is accepted
    dst.write_bytes(dst.read_bytes().replace(b"180.88", b"180.89"))
    with pytest.raises(loader.DataFileError, match="corrupted"):
        loader.load_table("ar2020_analysisA", "energydata1d.txt")


def test_unknown_dataset_and_file_are_value_errors():
    with pytest.raises(ValueError, match="registered: csi2017"):
        loader.data_path("csi2019", "x.txt")
    with pytest.raises(ValueError, match="not a registered file"):
        loader.data_path("csi2017", "README.md")


@pytest.mark.needs_data(*loader.file_registry())
def test_every_registered_file_verifies():
    """Every registered file that is present verifies (a corrupt one fails here, never skips)."""
    for dataset in loader.file_registry():
        loader.verify_dataset(dataset)


@pytest.mark.needs_data()
def test_tables_and_yaml_parse():
    prompt = loader.load_table("csi2017", "promptPDF.txt")            # comma separated, '#' header
    events = loader.load_table("csi2021", "dataBeamOnC.txt")          # white space, '#' header
    beam_off = loader.load_table("csi2017", "data_coincidence_beamOff.txt")  # text header line
    yaml = loader.load_yaml("ar2020_analysisA", "LArParametersAnlA.yaml")
    assert prompt.shape == (50, 2) and prompt[0, 0] == 0.5
    assert events.shape[1] == 2 and np.all(events[:, 1] < 6.0)
    assert beam_off.shape == (600, 3)
    assert yaml["beamExposure"]["value"] == 13.8


@pytest.mark.parametrize("text", [
    "1 2\n3 4\n", "# mass, g\n1.5, 2e-3\n\n3,4  # last\n", "1e5 -inf\n0.1 nan\n", "7\n8\n", "1 2 3\n"])
def test_numeric_array_reads_the_numbers_of_numeric_rows(text):
    rows = np.array([r for r in loader._numeric_rows(text) if r is not None])
    fast = loader.numeric_array(text)
    assert fast.shape == rows.shape and np.array_equal(fast, rows, equal_nan=True)


@pytest.mark.parametrize("text", ["1 2 # a\r3 4 # b\r5 6 # c\r", "1 2\n3 4 # x\r5 6\n", "1 2\x0b3 4\n",
                                  "1\xa02\n3 4\n", "1\t2\r\n3\x1f4\n", "1,2\u20283,4\n"])
def test_numeric_array_splits_lines_and_numbers_as_the_row_parser_or_leaves_them_to_it(text):
    rows = np.array([r for r in loader._numeric_rows(text) if r is not None])
    fast = loader.numeric_array(text)
    assert fast is None or (fast.shape == rows.shape and np.array_equal(fast, rows))


@pytest.mark.parametrize("text", ["mass g\n1 2\n", "1 2\n3 4 5\n", "", "# only a comment\n", "1 two\n"])
def test_numeric_array_leaves_headers_ragged_and_empty_tables_to_the_row_parser(text):
    assert loader.numeric_array(text) is None


def _shared_file(dataset, name):
    return real_data_path(dataset, name)


@pytest.mark.needs_data("csi2017")
def test_added_header_line_passes_and_one_changed_number_fails(isolated):
    """Verification is by the parsed numbers: the official files (with header lines) and the
    re-hosted copies (headers stripped) both pass; any changed number fails."""
    src = _shared_file("csi2017", "data_coincidence_beamOn.txt")
    (isolated / "csi2017").mkdir()
    dst = isolated / "csi2017" / "data_coincidence_beamOn.txt"
    original = src.read_bytes()
    dst.write_bytes(b"# COHERENT Collaboration data release\nPEs, time (us), counts\n" + original.replace(b"\n", b"\r\n"))
    assert loader.load_table("csi2017", "data_coincidence_beamOn.txt").shape[1] == 3
    lines = original.decode().splitlines(keepends=True)
    i = next(k for k, line in enumerate(lines) if line.strip().endswith((" 1", ",1", " 2", ",2")))
    lines[i] = lines[i].rstrip()[:-1] + str(int(lines[i].rstrip()[-1]) + 1) + "\n"
    dst.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(loader.DataChecksumError, match="numbers differ"):
        loader.load_table("csi2017", "data_coincidence_beamOn.txt")


@pytest.mark.needs_data("ar2020_analysisA")
def test_yaml_content_checksum_ignores_layout_but_not_values(isolated):
    src = _shared_file("ar2020_analysisA", "LArParametersAnlA.yaml")
    (isolated / "ar2020_analysisA").mkdir()
    dst = isolated / "ar2020_analysisA" / "LArParametersAnlA.yaml"
    dst.write_text("# re-hosted copy\n" + src.read_text(encoding="utf-8"), encoding="utf-8")
    assert loader.load_yaml("ar2020_analysisA", "LArParametersAnlA.yaml")["beamExposure"]["value"] == 13.8
    dst.write_text(src.read_text(encoding="utf-8").replace("13.8", "13.9", 1), encoding="utf-8")
    with pytest.raises(loader.DataChecksumError):
        loader.load_yaml("ar2020_analysisA", "LArParametersAnlA.yaml")


@pytest.mark.needs_data("csi2017")
def test_several_data_folders_in_the_environment_variable(tmp_path, monkeypatch):
    src = _shared_file("csi2017", "promptPDF.txt")
    first, second = tmp_path / "a", tmp_path / "b"
    (second / "csi2017").mkdir(parents=True)
    shutil.copy(src, second / "csi2017" / "promptPDF.txt")
    monkeypatch.setenv(loader.ENV_VAR, f"{first}{os.pathsep}{second}")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert loader.data_path("csi2017", "promptPDF.txt") == second / "csi2017" / "promptPDF.txt"
    assert loader.search_dirs("coherent")[:2] == [first, second]
    assert loader.search_dirs("external_limits")[-1] == tmp_path / "cache" / "cevns_lib" / "external_limits"
