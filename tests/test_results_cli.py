"""Results contract, chapter discovery and the `cevns` command line."""

import contextlib
import json
import subprocess
import sys

import numpy as np
import pytest

from cevns_lib.book import chapters, cli
from cevns_lib.book.results import ChapterResults

EXPECTED_CHAPTERS = ["01_theory", "02_form_factors", "03_fluxes", "04_detectors", "05_weak_mixing_angle",
                     "06_em_properties", "07_nsi", "09_light_mediators", "10_reproduction"]


def test_results_json_contract(tmp_path):
    r = ChapterResults("05_weak_mixing_angle", {"experiment": "PIP2-BD"}, glue=False)
    r.record("sin2w_interval_sys5", np.array([0.2272, 0.2515]))
    r.record("mu", np.float64(9.93))
    r.record("intervals", [[-1.0, 0.5], [2.0, 3.0]])
    with pytest.raises(ValueError, match="already recorded"):
        r.record("mu", 1.0)
    out = tmp_path / "sub" / "r.json"
    r.write(str(out))
    data = json.loads(out.read_text())
    assert data == {"chapter": "05_weak_mixing_angle", "parameters": {"experiment": "PIP2-BD"},
                    "values": {"sin2w_interval_sys5": [0.2272, 0.2515], "mu": 9.93, "intervals": [[-1.0, 0.5], [2.0, 3.0]]}}
    assert type(data["values"]["mu"]) is float
    r.write("")  # no-op


def test_non_finite_values_are_refused():
    with pytest.raises(ValueError, match="non-finite"):
        ChapterResults("x", glue=False).record("bad", float("nan"))


def test_all_chapters_are_discovered_with_parameters():
    files = chapters.chapter_files()
    for stem in EXPECTED_CHAPTERS:
        assert stem in files
    for path in files.values():
        params = chapters.chapter_parameters(path)
        assert "results_path" in params and params["results_path"].default == ""


def test_cli_list_shows_chapters_and_allowed_values(capsys):
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    for stem in EXPECTED_CHAPTERS:
        assert stem in out
    assert "allowed: CENNS-10, CENNS-750, CCM, PIP2-BD" in out


@pytest.mark.parametrize("argv,needle", [
    (["run", "99_nothing"], "chapters: "),
    (["run", "01_theory", "-p", "flux", "1"], "parameters: "),
    (["run", "01_theory", "-p", "nucleus", "Xe131"], "allowed: Ar40, Cs133, I127"),
    (["run", "05_weak_mixing_angle", "-p", "experiment", "DUNE"], "allowed: CENNS-10"),
    (["run", "01_theory", "-p", "sin2w", "abc"], "not a float"),
])
def test_cli_bad_input_is_one_clear_error(argv, needle, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("cevns: error:") and needle in err[0]


@pytest.mark.chapters
def test_cevns_run_theory_writes_json(tmp_path):
    out = tmp_path / "out.json"
    proc = subprocess.run([sys.executable, "-m", "cevns_lib.book.cli", "run", "01_theory", "--results", str(out),
                           "--notebook", str(tmp_path / "nb.ipynb")], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(out.read_text())
    assert data["chapter"] == "01_theory" and data["parameters"]["nucleus"] == "Ar40"
    assert data["values"]["flux_averaged_xsec_mean_cm2"] == pytest.approx(1.8e-39, rel=0.03)
    assert (tmp_path / "nb.ipynb").exists()


# ---- failures inside a chapter, output paths, parameters given twice, concurrent runs --------------


def test_error_inside_a_chapter_is_one_line_status_2(tiny_book, tmp_path, capsys):
    argv = ["--book-dir", str(tiny_book), "run", "01_tiny", "-p", "x", "-1e3", "--results", str(tmp_path / "r.json")]
    assert cli.main(argv) == 2                                     # "-1e3" parses as a value
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["cevns: error: chapter 01_tiny failed: ValueError: x must be >= 0, got -1000.0"]
    assert not (tmp_path / "r.json").exists()


@pytest.mark.parametrize("argv,needle", [
    (["run", "01_tiny", "-p", "x", "1", "-p", "x", "2"], "given twice"),
    (["run", "01_tiny", "-p", "x", "nan"], "not a finite number"),
    (["run", "01_tiny", "-p", "x", "inf"], "not a finite number"),
    (["run", "01_tiny", "--results", "/proc/nowhere/r.json"], "choose a writable path"),
    (["run", "01_tiny", "-p", "x"], "needs two values"),
    (["run", "01_tiny", "--bogus"], "unrecognized arguments"),
])
def test_bad_invocations_fail_before_running(tiny_book, argv, needle, capsys):
    with pytest.raises(SystemExit) if "--bogus" in argv else contextlib.nullcontext() as ctx:
        status = cli.main(["--book-dir", str(tiny_book), *argv])
    status = ctx.value.code if ctx is not None else status
    assert status == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("cevns: error:") and needle in err[0]


def test_book_dir_pointing_nowhere_is_an_error(tmp_path, capsys):
    assert cli.main(["--book-dir", str(tmp_path / "nope"), "list"]) == 2
    assert "book folder" in capsys.readouterr().err


def test_concurrent_runs_on_one_results_path_return_their_own_values(tiny_book, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    out = tmp_path / "same.json"
    xs = [1.0, 2.0, 3.0, 4.0]
    with ThreadPoolExecutor(max_workers=2) as pool:
        got = list(pool.map(lambda x: chapters.run_chapter("01_tiny", {"x": x}, out, directory=tiny_book), xs))
    assert [g["values"]["x_twice"] for g in got] == [2 * x for x in xs]
    assert json.loads(out.read_text())["values"]["x_twice"] in [2 * x for x in xs]   # one whole file
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".same")] == []
