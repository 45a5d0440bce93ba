"""`cevns sweep`: Cartesian product of parameter values, one results JSON per point, a CSV summary,
failures recorded without stopping the sweep, finished points skipped on a re-run; optionally on a
local Dask cluster (127.0.0.1)."""

import csv
import json

import pytest

from cevns_lib.book import cli, sweep



def _rows(out):
    with open(out / sweep.SUMMARY, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_sweep_runs_the_product_records_failures_and_skips_finished(tiny_book, tmp_path, capsys):
    out = tmp_path / "sw"
    argv = ["--book-dir", str(tiny_book), "sweep", "01_tiny", "-p", "x", "1,-1,2.5", "-p", "label", "a,b",
            "--out", str(out)]
    assert cli.main(argv) == 2                                   # two points fail (x = -1)
    captured = capsys.readouterr()
    assert "6 points (4 run, 0 finished before, 2 failed)" in captured.out
    assert captured.err.count("cevns: error:") == 1 and "[6/6]" in captured.err   # progress lines
    rows = _rows(out)
    assert [(r["x"], r["label"]) for r in rows] == [(x, lab) for x in ("1.0", "-1.0", "2.5") for lab in "ab"]
    failed = [r for r in rows if r["status"] == "failed"]
    assert len(failed) == 2 and all("x must be >= 0" in r["error"] for r in failed)
    done = [r for r in rows if r["status"] == "done"]
    assert [float(r["x_twice"]) for r in done] == [2.0, 2.0, 5.0, 5.0]
    assert json.loads(done[2]["interval"]) == [2.5, 3.5]
    for r in done:
        data = json.loads((out / r["results"]).read_text())
        assert data["parameters"] == {"x": float(r["x"]), "label": r["label"]}
    # re-run: finished points are skipped, the failed ones are retried (and fail again)
    assert cli.main(argv) == 2
    assert "6 points (0 run, 4 finished before, 2 failed)" in capsys.readouterr().out
    assert [r["status"] for r in _rows(out)].count("skipped") == 4


def test_sweep_refuses_bad_input_before_running(tiny_book, tmp_path, capsys):
    base = ["--book-dir", str(tiny_book), "sweep", "01_tiny", "--out", str(tmp_path / "sw")]
    for extra, needle in ((["-p", "label", "a,c"], "not allowed"), (["-p", "y", "1"], "has no parameter"),
                          (["-p", "x", "1,,2"], "empty value"), (["-p", "x", "1,nan"], "not a finite number"),
                          (["-p", "x", "1", "-p", "x", "2"], "given twice")):
        assert cli.main(base + extra) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and needle in err[0], err
    assert not (tmp_path / "sw" / sweep.SUMMARY).exists()


def test_sweep_on_a_local_dask_cluster(tiny_book, tmp_path):
    distributed = pytest.importorskip("dask.distributed", reason="dask/distributed not installed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", processes=True,
                                  dashboard_address=None) as cluster:
        outcomes = sweep.sweep("01_tiny", {"x": ["1", "3"], "label": ["a"]}, tmp_path / "sw",
                               scheduler=cluster.scheduler_address, book_dir=str(tiny_book))
    assert [o.status for o in outcomes] == ["done", "done"]
    assert [o.values["x_twice"] for o in outcomes] == [2.0, 6.0]
    assert len(_rows(tmp_path / "sw")) == 2
