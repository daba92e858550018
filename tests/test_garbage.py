"""Garbage in, no answer out: the generated garbage sets, the compiler-only paths, the eval scoring."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from helixc.cli import cli
from helixc.evaluation import blind
from helixc.neural.confidence import Thresholds, judge, request_checks

ROOT = Path(__file__).resolve().parents[1]
GARBAGE = ROOT / "benchmarks" / "blind"


def rows(name):
    return [json.loads(line) for line in (GARBAGE / name).open(encoding="utf-8")]


def run(*args):
    return CliRunner().invoke(cli, ["translate", *args])


def test_the_generator_is_deterministic_and_the_files_are_its_output(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_garbage.py"), "--out-dir", str(tmp_path)], check=True,
                   capture_output=True)
    for name in ("garbage-dev.jsonl", "garbage-test.jsonl"):
        assert (tmp_path / name).read_bytes() == (GARBAGE / name).read_bytes()


def test_the_sets_are_large_varied_and_split_by_hash():
    dev, test = rows("garbage-dev.jsonl"), rows("garbage-test.jsonl")
    assert len(dev) + len(test) >= 400
    assert {r["kind"] for r in dev} == {r["kind"] for r in test} and len({r["kind"] for r in dev}) >= 8
    assert not {r["id"] for r in dev} & {r["id"] for r in test}
    from scripts_make_garbage import split_of

    assert all(split_of(r["id"]) == 0 for r in dev) and all(split_of(r["id"]) == 1 for r in test)


@pytest.fixture(autouse=True, scope="module")
def _import_generator():
    import importlib.util

    spec = importlib.util.spec_from_file_location("scripts_make_garbage", ROOT / "scripts" / "make_garbage.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    sys.modules["scripts_make_garbage"] = mod
    yield
    sys.modules.pop("scripts_make_garbage", None)


def test_parses_says_which_notations_read_the_text():
    from scripts_make_garbage import parsers_of

    assert parsers_of("[1, 2") == [] and parsers_of("01 7B FF FF") == []
    assert "hlxl" in parsers_of("[1, 2]") and parsers_of("01 02") == ["lc-b"]


@pytest.mark.parametrize("row", [r for r in rows("garbage-dev.jsonl") if r["kind"] in ("hex", "space")][:40],
                         ids=lambda r: r["id"])
def test_malformed_hex_and_blank_input_are_errors_with_either_target(row):
    """Compiler-only: no model runs (hex no notation decodes is LC-B's error; blank input is E_INPUT)."""
    for to in ("auto", row["to"]):
        r = run("--to", to, "--text", row["text"])
        if row["parses"]:
            assert r.exit_code in (0, 2)
        else:
            assert r.exit_code == 2, (row, to, r.output)
            assert "helixc:" in r.stderr


@pytest.mark.parametrize("text", ["01 7B FF FF", "07 FF FF FF FF FF FF FF FF FF 7F 08", "FF FF", "0"])
def test_the_issues_hex_examples_are_lc_b_errors(text):
    r = run("--to", "hlxl", "--text", text)
    assert r.exit_code == 2 if text != "0" else r.exit_code == 0


def test_the_judge_refuses_invented_answers_to_garbage_whatever_the_scores():
    th = Thresholds(route_prob=0.0, min_prob=0.0, max_forced=99, explain_prob=0.0)  # scores say nothing
    cases = [("hello world", "lc-r", True, "⊤"), ("asdf qwer zxcv", "lc-r", None, "⊠"),
             ("whistle stone quartz", "hlxl", "river", '"river"'), ("convert it to lc-r", "lc-r", [], "🜃🜄"),
             ("Lorem ipsum dolor sit amet", "explain", None, "A contract is a contract id ...")]
    for text, route, value, out in cases:
        f = {"route": route, "routed_by_model": True, "route_prob": 1.0, "min_prob": 1.0, "forced": 0, "closed": False,
             "grammar_valid": True, "output": out, "has_specialist": True, "verified": None,
             "request_check": request_checks(text, route, value, out)}
        ok, why = judge(f, th)
        assert not ok and why, text


def test_eval_scores_blind_and_garbage_rows(tmp_path):
    g = tmp_path / "g.jsonl"
    g.write_text(json.dumps({"id": "x", "text": "qwer", "kind": "mash", "to": "lc-r", "parses": []}) + "\n")
    b = tmp_path / "b.jsonl"
    b.write_text(json.dumps({"id": "y", "request": "5 in lc-r", "to": "auto", "route": "lc-r", "value": "5"}) + "\n")
    assert blind.sniff_format(g) == "garbage" and blind.sniff_format(b) == "blind"
    gr, br = blind.load_rows(g), blind.load_rows(b)
    assert [r["to"] for r in gr] == ["auto", "lc-r"] and br[0]["expected"] == "5"
    gr[0].update(outcome="answer", output="⊤", correct=False)  # an exit-0 answer to garbage
    gr[1].update(outcome="abstain", output="⊤", correct=False)
    br[0].update(outcome="abstain", output="5", correct=True, got_route="lc-r")
    st = blind.score(gr + br)
    assert st["g"]["answered_unparsed"] == 1 and st["g"]["per_mode"]["to=X"]["answered_unparsed"] == 0
    assert st["b"]["coverage"] == 0.0 and st["b"]["end_to_end"] == 0.0 and st["b"]["best_reading"] == 1.0
    assert st["b"]["routing"] == 1.0
    assert "target 0" in blind.render(st)


@pytest.mark.parametrize("row", [r for r in rows("garbage-test.jsonl") if r["kind"] in ("mash", "words", "novalue")][:3],
                         ids=lambda r: r["id"])
def test_a_few_garbage_rows_through_the_models(row):
    for to in ("auto", row["to"]):
        r = run("--to", to, "--json", "--text", row["text"])
        assert r.exit_code in (2, 3), (row, to, r.output)


def test_an_answer_is_right_only_in_the_expected_notation():
    # "[2]" reads alike in HLXL and LC-T: the same text in the wrong route is a wrong answer
    row = {"expected": "[2]", "output": "[2]", "route": "lc-t", "to": "auto"}
    assert blind._correct({**row, "got_route": "lc-t"})
    assert not blind._correct({**row, "got_route": "hlxl"})
    assert blind._correct({**row, "got_route": "notation"})  # a notation text, translated by the compiler
    assert not blind._correct({**row, "got_route": "lc-t", "output": "[3]"})
