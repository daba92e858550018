"""helixc.evaluation.metrics on small hand-made fixtures."""

from __future__ import annotations

import pytest

from helixc.evaluation import ROUTES
from helixc.evaluation import metrics as M


def test_tally_counts_wrong_answers_as_wrong():
    t = M.tally([True, False, False, True])
    assert t == {"correct": 2, "total": 4, "accuracy": 0.5}


def test_tally_of_nothing_is_not_a_score():
    assert M.tally([]) == {"correct": 0, "total": 0, "accuracy": None}


def test_confusion_matrix_counts():
    gold = ["lc-b", "lc-b", "lc-r", "explain", "lc-b"]
    pred = ["lc-b", "lc-r", "lc-r", "lc-b", "lc-b"]
    cm = M.confusion_matrix(gold, pred, ROUTES)
    assert cm["labels"] == list(ROUTES)
    m = cm["matrix"]
    assert m["lc-b"]["lc-b"] == 2 and m["lc-b"]["lc-r"] == 1
    assert m["lc-r"]["lc-r"] == 1
    assert m["explain"]["lc-b"] == 1 and m["explain"]["explain"] == 0
    assert sum(sum(row.values()) for row in m.values()) == len(gold)


def test_confusion_matrix_length_mismatch():
    with pytest.raises(ValueError):
        M.confusion_matrix(["lc-b"], [])


def test_per_class_accuracy_with_an_empty_class():
    gold = ["lc-b", "lc-b", "lc-r", "explain"]
    pred = ["lc-b", "explain", "lc-r", "lc-r"]
    r = M.routing_metrics(gold, pred, ROUTES)
    assert r["overall"] == {"correct": 2, "total": 4, "accuracy": 0.5}
    assert r["per_class"]["lc-b"] == {"correct": 1, "total": 2, "accuracy": 0.5}
    assert r["per_class"]["lc-r"]["accuracy"] == 1.0
    assert r["per_class"]["explain"]["accuracy"] == 0.0
    # No lc-t row: its accuracy is undefined, not 0% and not 100%.
    assert r["per_class"]["lc-t"] == {"correct": 0, "total": 0, "accuracy": None}
    assert r["per_class"]["hlxl"]["accuracy"] is None


def test_label_outside_the_classes_is_a_column_not_a_class():
    r = M.routing_metrics(["lc-b", "lc-r"], ["coordinator", "lc-r"], ROUTES)
    assert "coordinator" in r["confusion"]["labels"]
    assert r["confusion"]["matrix"]["lc-b"]["coordinator"] == 1
    assert "coordinator" not in r["per_class"]
    assert r["overall"]["correct"] == 1


def test_collapse_onto_the_seed_classes():
    from helixc_plugins.seed_keyword import HELIXC_TO_SEED

    assert M.collapse(["lc-b", "hlxl", "lc-r", "explain", "odd"], HELIXC_TO_SEED) == [
        "ascii", "ascii", "runic", "coordinator", "odd"]


def test_exact_match_is_strict_inside_and_trims_the_ends():
    assert M.exact_match("01 2A", "01 2A\n")
    assert M.exact_match("01 2A", "  01 2A")
    assert not M.exact_match("01 2A", "01 2a")  # same bytes, not the canonical text
    assert not M.exact_match("01 2A", "01  2A")
    assert not M.exact_match("256", None)


def test_grammar_valid_and_value_match():
    assert M.grammar_valid("\U0001f7031, 2\U0001f704", "lc-r")
    assert not M.grammar_valid("\U0001f4031, 2\U0001f404", "lc-r")  # the seed's shifted glyphs
    assert not M.grammar_valid(None, "hlxl")
    assert M.value_match("01 2A", "01 2a", "lc-b")
    assert not M.value_match("01 2A", "01 2B", "lc-b")
    assert not M.value_match("1", "1.0", "hlxl")  # kind-strict
    assert not M.value_match("1", "[", "hlxl")


def test_percentiles_match_linear_interpolation():
    xs = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0]
    p = M.percentiles(xs)
    assert p["p50"] == pytest.approx(55.0)
    assert p["p95"] == pytest.approx(95.5)
    assert p["p99"] == pytest.approx(99.1)
    assert M.percentiles([7.0]) == {"p50": 7.0, "p95": 7.0, "p99": 7.0}
    assert M.percentiles([]) == {"p50": None, "p95": None, "p99": None}


KB = [
    {"id": "at-symbol", "question_forms": ["What does @ mean?"], "answer": "In HLXL, @N names contract field N."},
    {"id": "lc-b", "question_forms": ["What is LC-B?"], "answer": "LC-B is the binary notation: a tag byte per value."},
]


def test_kb_entry_chosen_exactly_nearest_or_not_at_all():
    assert M.choose_kb_entry("In HLXL, @N names contract field N.", KB) == ("at-symbol", "exact")
    assert M.choose_kb_entry("In HLXL, @N names a contract field N", KB) == ("at-symbol", "nearest")
    assert M.choose_kb_entry("bananas", KB) == (None, "none")
    assert M.choose_kb_entry(None, KB) == (None, "none")


def test_expected_kb_entry_from_the_row():
    assert M.expected_kb_entry("whatever", {"knowledge_id": "lc-b#1"}, KB) == "lc-b"
    assert M.expected_kb_entry("In HLXL, @N names contract field N.", {}, KB) == "at-symbol"
    assert M.expected_kb_entry("not in the kb", {}, KB) is None
