"""Unit tests of the reproduction-dashboard logic (cevns_lib.book.dashboard) with fake results: no papermill."""

import pytest

from cevns_lib.book import dashboard as db
from cevns_lib.book.published import PublishedNumber, load_published


def pub(id_, chapter="05_weak_mixing_angle", params=None, key="k", item=None, value=1.0, unit="",
        tol=None, source="Someone, arXiv:2510.14015, Table 1", description="desc"):
    return PublishedNumber(id_, chapter, params if params is not None else {"experiment": "PIP2-BD"}, key, item,
                           value, unit, tol or {"relative": 0.02}, source, description)


def res(chapter, values, **params):
    return {"chapter": chapter, "parameters": params, "values": values}


# --- formatting -----------------------------------------------------------------------------------

@pytest.mark.parametrize("x, text", [
    (128.0, "128"), (3, "3"), (-12.78, "−12.78"), (0.2272, "0.2272"), (2.07e-5, "2.07×10⁻⁵"),
    (9.93e6, "9.93×10⁶"), (0.00031, "0.00031"), (10.6, "10.6"), (1.234567, "1.235"),
])
def test_format_number(x, text):
    assert db.format_number(x) == text


def test_format_number_rejects_non_numbers():
    for bad in ("1.0", None, True, [1.0]):
        with pytest.raises(ValueError, match="int or float"):
            db.format_number(bad)


def test_format_value_shapes():
    assert db.format_value(9.93) == "9.93"
    assert db.format_value([0.2272, 0.2515]) == "[0.2272, 0.2515]"
    assert db.format_value([[-0.024, 0.022], [0.342, 0.388]]) == "[−0.024, 0.022] ∪ [0.342, 0.388]"
    assert db.format_value({"a": 1.0}) == "a: 1"
    with pytest.raises(ValueError, match="cannot format"):
        db.format_value("text")


def test_format_tolerance_and_deviation():
    assert db.format_tolerance({"absolute": 0.0005}) == "±0.0005"
    assert db.format_tolerance({"relative": 0.02}) == "±2%"
    assert db.format_tolerance({"upper_bound": True}).startswith("≤")
    with pytest.raises(ValueError, match="tolerance"):
        db.format_tolerance({"wrong": 1})
    assert db.format_deviation(0.0123, {"relative": 0.02}) == "1.2%"
    assert db.format_deviation(0.0003, {"absolute": 0.0005}) == "0.0003"
    assert db.format_deviation(-0.5, {"upper_bound": True}) == "−0.5"
    assert db.format_deviation(float("inf"), {"absolute": 1}) == "shape differs"


def test_source_markdown_links_arxiv_and_escapes_pipes():
    text = db.source_markdown("A | B, arXiv:2202.11002 and arXiv:1708.01294")
    assert "[arXiv:2202.11002](https://arxiv.org/abs/2202.11002)" in text
    assert "[arXiv:1708.01294](https://arxiv.org/abs/1708.01294)" in text
    assert "A \\| B" in text


def test_case_label_and_chapter_link():
    assert db.case_label({"experiment": "CCM"}) == "CCM"
    assert db.case_label({"dataset": "csi2021+ar2020"}, "csi2017") == "csi2021+ar2020 · csi2017"
    assert db.case_label({}) == "default"
    assert db.chapter_link("05_weak_mixing_angle") == "{doc}`05_weak_mixing_angle`"


# --- rows -----------------------------------------------------------------------------------------

def test_published_row_reproduced_and_not():
    p = pub("a", value=9.93, tol={"relative": 0.02})
    good = db.published_row(p, res("05_weak_mixing_angle", {"k": 10.0}))
    assert good.ok is True and good.status == db.STATUS_REPRODUCED
    assert good.computed == "10" and good.deviation == "0.7%"
    bad = db.published_row(p, res("05_weak_mixing_angle", {"k": 11.0}))
    assert bad.ok is False and bad.status == db.STATUS_NOT_REPRODUCED and "✗" in bad.status


def test_published_row_intervals_absolute():
    p = pub("b", value=[[-0.024, 0.022], [0.342, 0.388]], tol={"absolute": 0.003})
    row = db.published_row(p, res("07_nsi", {"k": [[-0.0245, 0.0221], [0.342, 0.3885]]}))
    assert row.ok is True and row.deviation == "0.0005"
    # a missing second interval is a shape mismatch: not reproduced, never a crash
    row = db.published_row(p, res("07_nsi", {"k": [[-0.024, 0.022]]}))
    assert row.ok is False and row.deviation == "shape differs"


def test_published_row_upper_bound():
    p = pub("c", value=3.0, tol={"upper_bound": True}, unit="%")
    assert db.published_row(p, res("02", {"k": 2.4})).ok is True
    assert db.published_row(p, res("02", {"k": 3.2})).ok is False


def test_published_row_dictionary_item():
    p = pub("d", chapter="09_light_mediators", params={"dataset": "x"}, key="sm_events", item="ar2020", value=128.0,
            tol={"relative": 0.05})
    row = db.published_row(p, res("09_light_mediators", {"sm_events": {"ar2020": 130.0, "csi2017": 170.0}}))
    assert row.ok is True and row.case == "x · ar2020"
    missing = db.published_row(p, res("09_light_mediators", {"sm_events": {"csi2017": 170.0}}))
    assert missing.ok is None and missing.status == db.STATUS_NOT_COMPUTED


def test_not_computed_rows_have_no_mark():
    p = pub("e")
    for results in (db.NotComputed("chapter not written yet"), res("05", {}), res("05", {"other": 1.0})):
        row = db.published_row(p, results)
        assert row.ok is None and row.status == db.STATUS_NOT_COMPUTED
        assert "✓" not in row.status and "✗" not in row.status and row.computed.startswith("—")


def test_not_computed_reason_is_shown():
    row = db.published_row(pub("f"), db.NotComputed("chapter not written yet"))
    assert row.computed == "— (chapter not written yet)"


def test_wrong_kind_of_value_is_not_reproduced():
    row = db.published_row(pub("g", value=[0.1, 0.2], tol={"absolute": 0.01}), res("05", {"k": "oops"}))
    assert row.ok is False and row.deviation == "not comparable" and "✗" in row.status


def test_published_rows_and_count():
    numbers = [pub("a", value=1.0), pub("b", params={"experiment": "CCM"}, value=2.0),
               pub("c", params={"experiment": "CENNS-10"}, value=3.0)]
    results_by_run = {
        db.run_key("05_weak_mixing_angle", {"experiment": "PIP2-BD"}): res("05", {"k": 1.001}),
        db.run_key("05_weak_mixing_angle", {"experiment": "CCM"}): res("05", {"k": 5.0}),
        # CENNS-10 missing from the mapping → not computed
    }
    rows = db.published_rows(numbers, results_by_run)
    assert [r.ok for r in rows] == [True, False, None]
    assert db.count_reproduced(rows) == (1, 3)
    assert db.summary_sentence(1, 3, 1) == "1 of 3 published numbers reproduced (1 not computed yet)"
    assert db.summary_sentence(3, 3) == "3 of 3 published numbers reproduced"


def test_run_key_order_independent():
    assert db.run_key("x", {"a": 1, "b": 2}) == db.run_key("x", {"b": 2, "a": 1})


def test_runs_for_dashboard_covers_published_and_predictions():
    published = load_published()
    runs = db.runs_for_dashboard(published)
    keys = [db.run_key(c, p) for c, p in runs]
    assert len(keys) == len(set(keys))
    for p in published:
        assert db.run_key(p.chapter, p.parameters) in keys
    for o in db.PREDICTION_OBSERVABLES:
        assert o.experiments(), o                 # every observable runs on registered experiments
        for exp in o.experiments():
            assert db.run_key(o.chapter, {"experiment": exp}) in keys
    from cevns_lib.experiments.catalog import experiment_names

    ran = {p["experiment"] for _, p in runs if "experiment" in p}
    assert set(experiment_names()) <= ran        # the dashboard enumerates the registries
    # published runs come first, in file order
    assert runs[0] == (published[0].chapter, published[0].parameters)


def test_prediction_rows_skip_published_cases():
    numbers = [pub("a", key="sin2w_interval_sys5", value=[0.2272, 0.2515], tol={"absolute": 5e-4})]
    obs = (db.Observable("05_weak_mixing_angle", "sin2w_interval_sys5", "", "5%"),
           db.Observable("05_weak_mixing_angle", "sin2w_interval_sys10", "", "10%"))
    results_by_run = {db.run_key("05_weak_mixing_angle", {"experiment": "PIP2-BD"}):
                      res("05", {"sin2w_interval_sys5": [0.2272, 0.2515], "sin2w_interval_sys10": [0.21, 0.26]})}
    rows = db.prediction_rows(numbers, results_by_run, obs)
    cases = [(r.case, r.quantity) for r in rows]
    assert ("PIP2-BD", "5%") not in cases and ("PIP2-BD", "10%") in cases and ("CCM", "5%") in cases
    row = rows[cases.index(("PIP2-BD", "10%"))]
    assert row.computed == "[0.21, 0.26]" and row.status == db.STATUS_COMPUTED
    ccm = rows[cases.index(("CCM", "5%"))]
    assert ccm.status == db.STATUS_NOT_COMPUTED and ccm.ok is None
    assert all(r.ok is None for r in rows)


def test_markdown_table():
    numbers = [pub("a", value=1.0, source="P | Q, arXiv:2510.14015")]
    rows = db.published_rows(numbers, {db.run_key("05_weak_mixing_angle", {"experiment": "PIP2-BD"}):
                                       res("05", {"k": 1.0})})
    text = db.markdown_table(rows, caption="Cap", name="tab-x")
    lines = text.splitlines()
    assert lines[0] == ":::{table} Cap" and ":name: tab-x" in lines and lines[-1] == ":::"
    table = [ln for ln in lines if ln.startswith("|")]
    assert len(table) == 3  # header, rule, one row
    n_cols = len(db.PUBLISHED_COLUMNS)
    for ln in table:  # escaped pipes do not add columns
        assert ln.replace("\\|", "").count("|") == n_cols + 1
    assert "{doc}`05_weak_mixing_angle`" in table[2] and "✓ reproduced" in table[2]
    short = db.markdown_table(rows, db.PREDICTION_COLUMNS)
    assert ":name:" not in short


def test_known_deviation_notes_only_for_failed_rows():
    from cevns_lib.book.published import PublishedNumber

    def num(i, note):
        return PublishedNumber(f"id{i}", "09_light_mediators", {"dataset": "csi2021+ar2020"}, "k", "universal",
                               1.0, "", {"relative": 0.05}, "src", f"quantity {i}", note)

    pubs = [num(1, "strip minimum"), num(2, ""), num(3, "timing inputs")]
    rows = [db.published_row(p, {"values": {"k": {"universal": v}}}) for p, v in zip(pubs, (0.8, 0.7, 1.0))]
    text = db.known_deviation_notes(pubs, rows)
    assert "quantity 1" in text and "strip minimum" in text
    assert "quantity 2" not in text and "quantity 3" not in text  # no note, or reproduced


def test_data_missing_is_not_a_failure_and_not_reproduced():
    number = pub("x", chapter="09_light_mediators", params={"dataset": "csi2021+ar2020"})
    missing = {"chapter": "09_light_mediators", "parameters": {}, "values": {}, "data_missing": ["csi2021"]}
    row = db.published_row(number, missing)
    assert row.ok is None and row.status == db.STATUS_DATA_MISSING and "cevns data fetch csi2021" in row.computed
    assert isinstance(db.outcome(missing), db.DataMissing) and db.outcome({"values": {}}) == {"values": {}}
    assert db.summary_sentence(1, 3, 0, 2) == "1 of 3 published numbers reproduced (2 not computed here: data not available)"
