"""A user's own detector is one TOML block (docs/examples/my_detector.toml, README "Your own
detector"): it joins the registry through CEVNS_EXPERIMENTS and runs through the chapters with no
code change. Each check runs in a fresh process, since the registry is read once per process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "my_detector.toml"


def _python(code, env_file):
    env = dict(os.environ, CEVNS_EXPERIMENTS=str(env_file))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)


def test_example_detector_joins_the_registry():
    proc = _python("from cevns_lib.experiments.catalog import experiment_names, kind_of\n"
                   "from cevns_lib.analysis.sensitivity import CountModel, configure_experiment\n"
                   "assert 'STS-Ar1t' in experiment_names('projection') and kind_of('STS-Ar1t') == 'projection'\n"
                   "m = CountModel.from_experiment(configure_experiment('STS-Ar1t'))\n"
                   "print(m.n_sm)", EXAMPLE)
    assert proc.returncode == 0, proc.stderr
    n = float(proc.stdout)
    ref = _python("from cevns_lib.analysis.sensitivity import CountModel, configure_experiment as ce\n"
                  "e = ce('CENNS-10').with_overrides(target_mass_kg=1000.0, baseline_m=20.0, pot_per_second=2.5e15,"
                  " threshold_keVnr=20.0)\nprint(CountModel.from_experiment(e).n_sm)", EXAMPLE)
    assert n == pytest.approx(float(ref.stdout), rel=1e-12)   # same physics as an override of a book detector


@pytest.mark.parametrize("text, message", [
    ('[projections.CCM]\nlabel = "x"\n', "already exist"),
    ('[projections.X]\nlabel = "x"\n', "lacks facility"),
    ('[coherent.X]\nlabel = "x"\n', "only [facilities.*] and [projections.*]"),
    ("not toml ===", "not valid TOML"),
])
def test_bad_user_registry_is_one_clear_line(tmp_path, text, message):
    f = tmp_path / "bad.toml"
    f.write_text(text)
    proc = _python("from cevns_lib.experiments.catalog import experiment_names; experiment_names()", f)
    assert proc.returncode != 0 and message in proc.stderr.strip().splitlines()[-1]


CHAPTER_KEYS = {
    "06_em_properties": {"mu_nu_limit_sys5", "mu_nu_limit_sys10"},
    "07_nsi": {"eps_u_intervals_sys5", "eps_d_intervals_sys5"},
    "09_light_mediators": {"zprime_low_mass_g_sys5", "zprime_high_mass_g_over_m_per_GeV_sys10"},
}


@pytest.mark.chapters
def test_example_detector_runs_with_cevns_run(tmp_path):
    """The README's command, as a user types it."""
    out = tmp_path / "r.json"
    env = dict(os.environ, CEVNS_EXPERIMENTS=str(EXAMPLE))
    proc = subprocess.run([sys.executable, "-m", "cevns_lib.book.cli", "run", "05_weak_mixing_angle", "-p", "experiment",
                           "STS-Ar1t", "--results", str(out)], capture_output=True, text=True, env=env, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert {"sin2w_interval_sys5", "sin2w_interval_sys10"} <= set(json.loads(out.read_text())["values"])


@pytest.mark.chapters
def test_example_detector_runs_through_the_other_chapters():
    """Chapters 06, 07 and (with the data, for the COHERENT limits beside the reach) 09, in one
    fresh process that reads the user's registry, the runs for their results
    (:class:`cevns_lib.book.inprocess.ResultsPool`)."""
    from conftest import missing_data

    chapters = [c for c in CHAPTER_KEYS if c != "09_light_mediators" or not missing_data()]
    proc = _python("import json\nfrom cevns_lib.book.inprocess import ResultsPool\n"
                   "with ResultsPool(2) as pool:\n"
                   f"    runs = pool.map([(c, {{'experiment': 'STS-Ar1t'}}) for c in {chapters!r}])\n"
                   "print(json.dumps([sorted(r['values']) if isinstance(r, dict) else repr(r) for r in runs]))", EXAMPLE)
    assert proc.returncode == 0, proc.stderr[-2000:]
    for chapter, keys in zip(chapters, json.loads(proc.stdout.strip().splitlines()[-1])):
        assert isinstance(keys, list), f"{chapter}: {keys}"
        assert CHAPTER_KEYS[chapter] <= set(keys), chapter
