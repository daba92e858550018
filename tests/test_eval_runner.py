"""The evaluation runner and `helixc eval --split FILE` with a fake router and a fake MoE."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from click.testing import CliRunner

import helixc
from helixc.engine import TranslateResult
from helixc.evaluation import data as D
from helixc.evaluation import runner

KB = [
    {"id": "at-symbol", "question_forms": ["What does @ mean?"], "answer": "In HLXL, @N names contract field N."},
    {"id": "lc-b", "question_forms": ["What is LC-B?"], "answer": "LC-B is the binary notation."},
]

# (request, route, value or KB answer)
CASES = [
    ("Convert 42 to LC-B", "lc-b", 42),
    ("Encode 0xDEADBEEF in LC-B", "lc-b", 0xDEADBEEF),
    ("Show [1, 2] in runic", "lc-r", [1, 2]),
    ("Write true in LC-T", "lc-t", True),
    ("Give me 7 in HLXL", "hlxl", 7),
    ("What does @ mean?", "explain", None),
]


def _expected(route, value):
    return KB[0]["answer"] if route == "explain" else helixc.emit(value, route)


def _rows_jsonl(extra_lines=()):
    lines = [json.dumps({"input": D.with_template(q), "output": _expected(r, v), "route": r}, ensure_ascii=False)
             for q, r, v in CASES]
    return "\n".join(list(lines) + list(extra_lines)) + "\n"


@dataclass
class Gen:
    text: str
    grammar_valid: bool
    tokens: int
    output: str = ""


def _table():
    """request (raw and number-normalised, as the MoE sees it) -> (route, value)."""
    t = {}
    for q, r, v in CASES:
        t[q] = t[runner.normalize(q)] = (r, v)
    return t


class FakeRouter:
    """Routes by a lookup table; gets 'Show [1, 2] in runic' wrong on purpose."""

    name = "fake"

    def route(self, texts):
        table = {q: r for q, (r, _) in _table().items()}
        return ["lc-t" if "runic" in t else table.get(t, "hlxl") for t in texts]


class FakeMoE(FakeRouter):
    """Constrained: right except the LC-T row (valid but wrong value). Unconstrained: the LC-R
    answer loses its closing glyph (invalid). The LC-B specialist writes HLXL (the compiler
    encodes). answer(): wrong route for the runic row."""

    def __init__(self):
        self.calls = {"generate": 0, "answer": 0}

    def generate(self, texts, routes, constrained=True):
        self.calls["generate"] += 1
        self.generated = getattr(self, "generated", []) + list(texts)
        table = _table()
        out = []
        for t, route in zip(texts, routes):
            if route == "explain":  # picks a knowledge-base id; the answer is the entry's text
                out.append(Gen("at-symbol", True, 1, output=KB[0]["answer"]))
                continue
            _, v = table[t]
            if route == "lc-b":
                text = helixc.emit(v, "hlxl")
            elif route == "lc-t":
                text = "FALSE"
            else:
                text = helixc.emit(v, route)
            if route == "lc-r" and not constrained:
                text = text[:-1]
            out.append(Gen(text, grammar_valid=constrained or route != "lc-r", tokens=len(text)))
        return out

    def answer(self, requests):
        self.calls["answer"] += 1
        self.engines = getattr(self, "engines", set()) | {q.engine for q in requests}
        table = _table()
        routes = self.route([q.text for q in requests])
        out = []
        for req, route in zip(requests, routes):
            _, v = table[req.text]
            text = KB[0]["answer"] if route == "explain" else helixc.emit(v, route)
            if req.engine == "compiler" and "runic" in req.text:
                route, text = "lc-r", helixc.emit(v, "lc-r")  # a correct answer under another route
            out.append(TranslateResult(route=route, target=route, output=text, engine="neural", grammar_valid=True,
                                       verified=route != "explain" or None))
        return out


@pytest.fixture
def evalset(tmp_path):
    p = tmp_path / "tiny.jsonl"
    p.write_text(_rows_jsonl(["{broken"]), encoding="utf-8")
    return D.load_jsonl(p)


def test_routing_and_baseline(evalset):
    from helixc_plugins.seed_keyword import SeedKeywordRouter

    res = runner.evaluate(evalset, router=FakeRouter(), router_name="fake", baseline=SeedKeywordRouter(), kb=KB)
    r = res["routing"]
    assert r["overall"] == {"correct": 5, "total": 6, "accuracy": 5 / 6}
    assert r["per_class"]["lc-r"]["accuracy"] == 0.0
    assert r["confusion"]["matrix"]["lc-r"]["lc-t"] == 1
    b = res["baseline_routing"]
    # seed rule: "Write true in LC-T" -> ascii -> lc-t ok; "Show [1, 2] in runic" -> lc-r ok;
    # "What does @ mean?" -> coordinator -> explain ok; the LC-B and HLXL rows go to the coordinator.
    assert b["overall"]["correct"] == 3
    assert res["comparison"]["five_class"]["ratio"] == pytest.approx((5 / 6) / (3 / 6))
    s3 = res["comparison"]["seed_three_class"]
    # In the seed's three classes, lc-b/lc-t/hlxl are all "ascii": ours is wrong on lc-r only
    # (lc-t is ascii too, so the runic row stays wrong), the seed's rule misses the LC-B and HLXL rows.
    assert s3["ours"] == pytest.approx(5 / 6) and s3["baseline"] == pytest.approx(3 / 6)
    assert res["dataset"]["malformed"] == 1 and res["dataset"]["malformed_rows"][0]["line"] == 7
    assert any("malformed" in n for n in res["notes"])
    assert "predictions" not in r


def test_specialists_end_to_end_and_explain(evalset):
    moe = FakeMoE()
    res = runner.evaluate(evalset, router=moe, router_name="moe", moe=moe, kb=KB, latency_samples=3)
    sp = res["specialists"]
    assert sp["rows"] == 6
    assert "Encode 3735928559 in LC-B" in moe.generated  # the models see decimal numbers
    assert sp["modes"]["constrained"]["per_specialist"]["explain"]["exact"]["accuracy"] == 1.0
    con, unc = sp["modes"]["constrained"], sp["modes"]["unconstrained"]
    # LC-B written as HLXL and encoded by the compiler counts; the LC-T answer is wrong.
    assert con["per_specialist"]["lc-b"]["exact"]["accuracy"] == 1.0
    assert con["per_specialist"]["lc-t"]["exact"] == {"correct": 0, "total": 1, "accuracy": 0.0}
    assert con["per_specialist"]["lc-t"]["grammar_valid"]["accuracy"] == 1.0  # valid, but the wrong value
    assert con["exact"]["correct"] == 5
    assert unc["per_specialist"]["lc-r"]["grammar_valid"]["accuracy"] == 0.0
    assert unc["per_specialist"]["lc-r"]["model_grammar_valid"]["accuracy"] == 0.0
    assert unc["exact"]["correct"] == 4
    e2e = res["end_to_end"]
    assert e2e["overall"] == {"correct": 5, "total": 6, "accuracy": 5 / 6}
    assert e2e["per_route"]["lc-r"]["accuracy"] == 0.0
    assert e2e["examples_wrong"][0]["got_route"] == "lc-t"
    ex = res["explain"]
    assert ex["entry_accuracy"] == {"correct": 1, "total": 1, "accuracy": 1.0}
    lat = res["latency_ms"]
    assert lat["samples"] == 3 and lat["p50"] is not None and lat["p50"] <= lat["p99"]
    assert res["memory"]["peak_rss_mb"] > 0
    assert len(res["per_row"]) == 6 and res["per_row"][2]["answer_correct"] is False
    json.dumps(res)  # the whole result is JSON-serialisable


def test_end_to_end_per_engine(evalset):
    moe = FakeMoE()
    res = runner.evaluate(evalset, moe=moe, kb=KB, latency_samples=0, engines=("auto", "compiler"),
                          constrained_modes=(True,))
    assert moe.engines == {"auto", "compiler"}
    assert res["end_to_end"]["engine"] == "auto"
    other = res["end_to_end_other_engines"]["compiler"]
    assert other["overall"]["correct"] == 6  # the runic row is answered right, whatever the route
    assert "unconstrained" not in res["specialists"]["modes"]
    from helixc.evaluation.report import render_text

    assert "engine compiler" in render_text(res)


def test_end_to_end_wrong_explain_entry(tmp_path):
    p = tmp_path / "ex.jsonl"
    p.write_text(json.dumps({"input": "What is LC-B?", "output": KB[1]["answer"], "route": "explain"}) + "\n")

    class WrongKB(FakeMoE):
        def answer(self, requests):
            return [TranslateResult("explain", "explain", KB[0]["answer"], "neural", True, None) for _ in requests]

    res = runner.evaluate(D.load_jsonl(p), moe=WrongKB(), kb=KB, latency_samples=0, constrained_modes=(True,))
    assert res["specialists"]["modes"]["constrained"]["exact"]["accuracy"] == 0.0  # at-symbol, not lc-b
    assert res["explain"]["entry_accuracy"]["accuracy"] == 0.0
    assert res["end_to_end"]["overall"]["accuracy"] == 0.0
    assert "latency_ms" not in res


def test_refused_requests_count_as_wrong(evalset):
    from helixc.errors import HelixError

    class Refuses(FakeMoE):
        def answer(self, requests):
            if any("LC-B" in q.text for q in requests):
                raise HelixError("E_INPUT", "cannot read this request")
            return super().answer(requests)

    res = runner.evaluate(evalset, moe=Refuses(), kb=KB, latency_samples=2, constrained_modes=(True,))
    e2e = res["end_to_end"]
    assert e2e["per_route"]["lc-b"] == {"correct": 0, "total": 2, "accuracy": 0.0}
    assert e2e["overall"]["total"] == 6 and e2e["engines"]["error"] == 2


def test_spread_sample():
    assert runner.spread_sample(list(range(10)), 3) == [0, 3, 6]
    assert runner.spread_sample([1, 2], 5) == [1, 2]


def _patch(monkeypatch, moe):
    from helixc_plugins.seed_keyword import SeedKeywordRouter

    monkeypatch.setattr(runner, "registered_routers", lambda: {"fake": FakeRouter(), "seed-keyword": SeedKeywordRouter()})
    monkeypatch.setattr(runner, "load_moe", lambda models_dir=None: moe)
    monkeypatch.setattr(D, "load_knowledge", lambda path=None: KB)


def test_cli_eval_split_file(tmp_path, monkeypatch):
    from helixc.cli import cli

    moe = FakeMoE()
    _patch(monkeypatch, moe)
    f = tmp_path / "mine.jsonl"
    f.write_text(_rows_jsonl(["[1, 2]", ""]), encoding="utf-8")
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["eval", "--split", str(f), "--json", str(out / "e.json"), "--report", str(out / "e.md"),
                                 "--latency-samples", "2"])
    assert r.exit_code == 0, r.output
    assert "1 malformed row(s)" in r.output and "lines 7" in r.output
    res = json.loads((out / "e.json").read_text())
    assert res["routing"]["overall"]["correct"] == 5  # FakeMoE routes like FakeRouter
    assert res["baseline_routing"]["router"] == "seed-keyword"
    assert res["end_to_end"]["overall"]["correct"] == 5
    assert (out / "e-routing.png").read_bytes()[:4] == b"\x89PNG"
    md = (out / "e.md").read_text()
    assert "Malformed rows" in md and "JSON object" in md
    assert moe.calls["generate"] == 2  # constrained and unconstrained


def test_cli_eval_router_only(tmp_path, monkeypatch):
    from helixc.cli import cli

    _patch(monkeypatch, None)
    f = tmp_path / "mine.jsonl"
    f.write_text(_rows_jsonl(), encoding="utf-8")
    r = CliRunner().invoke(cli, ["eval", "--split", str(f), "--router", "fake", "--no-moe", "--json", str(tmp_path / "e.json")])
    assert r.exit_code == 0, r.output
    res = json.loads((tmp_path / "e.json").read_text())
    assert res["router"] == "fake" and res["routing"]["overall"]["correct"] == 5
    assert "end_to_end" not in res


def test_cli_eval_errors(tmp_path, monkeypatch):
    from helixc.cli import cli

    _patch(monkeypatch, None)
    r = CliRunner().invoke(cli, ["eval", "--split", str(tmp_path / "nope.jsonl"), "--no-moe", "--router", "fake"])
    assert r.exit_code == 2 and "E_EVAL_INPUT" in r.output and "Traceback" not in r.output
    f = tmp_path / "mine.jsonl"
    f.write_text(_rows_jsonl(), encoding="utf-8")
    r = CliRunner().invoke(cli, ["eval", "--split", str(f), "--no-moe", "--router", "nosuch"])
    assert r.exit_code == 2 and "unknown router" in r.output
    f.write_text("{bad\n[1]\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["eval", "--split", str(f), "--no-moe", "--router", "fake"])
    assert r.exit_code == 2 and "no valid row" in r.output


def test_compiler_rules_router_counts_unsure_as_wrong(tmp_path):
    r = runner.get_router("compiler-rules", lambda: None)
    got = r.route(["Convert [1, 2, 3] to LC-R", "What is LC-B?", "zzz qqq"])
    assert got[0] == "lc-r" and got[2] == "none"
    p = tmp_path / "t.jsonl"
    p.write_text(json.dumps({"input": "zzz qqq", "output": "1", "route": "hlxl"}) + "\n")
    res = runner.evaluate(D.load_jsonl(p), router=r, router_name="compiler-rules")
    assert res["routing"]["overall"]["accuracy"] == 0.0


def test_cli_compiler_only_end_to_end(tmp_path, monkeypatch):
    from helixc.cli import cli

    _patch(monkeypatch, None)
    f = tmp_path / "mine.jsonl"
    f.write_text(_rows_jsonl(), encoding="utf-8")
    r = CliRunner().invoke(cli, ["eval", "--split", str(f), "--router", "compiler-rules", "--no-moe", "--engines",
                                 "compiler", "--latency-samples", "2", "--json", str(tmp_path / "e.json")])
    assert r.exit_code == 0, r.output
    res = json.loads((tmp_path / "e.json").read_text())
    assert "specialists" not in res
    e2e = res["end_to_end"]
    assert e2e["overall"]["total"] == 6
    # The reader gets the five notation rows right; the explain row expects this file's fake
    # knowledge-base text, which is not the real entry's, so the real answer counts as wrong.
    for route in ("lc-b", "lc-r", "lc-t", "hlxl"):
        assert e2e["per_route"][route]["accuracy"] == 1.0
    assert e2e["per_route"]["explain"] == {"correct": 0, "total": 1, "accuracy": 0.0}
    assert res["latency_ms"]["answered_by"] == "compiler-only"


def test_routing_only(evalset):
    moe = FakeMoE()
    res = runner.evaluate(evalset, router=moe, moe=moe, kb=KB, routing_only=True)
    assert res["routing"]["overall"]["total"] == 6
    assert "end_to_end" not in res and "specialists" not in res and "latency_ms" not in res
    assert moe.calls == {"generate": 0, "answer": 0}
