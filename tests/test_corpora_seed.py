"""Seed-corpus import: glyph repair, duplicates, dialects, wrong rows, report, repaired rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import helixc
from helixc_corpora import generator as G
from helixc_corpora.seed_import import classify_row, import_seed, repair_glyphs, seed_training_rows

CROC, MOUSE, OX, BUFFALO, COW = "\U0001f40a", "\U0001f401", "\U0001f402", "\U0001f403", "\U0001f404"


def _p(instr: str) -> str:
    return f"### Instruction:\n{instr}\n\n### Response:\n"


FIXTURE = [
    # corrupt glyphs (0x300 shift), otherwise right
    {"input": _p("Convert to LC-R: {14: {@0: 42}}"), "output": f"{CROC}14{MOUSE}0 42{OX}"},
    # the same row again: an exact duplicate
    {"input": _p("Convert to LC-R: {14: {@0: 42}}"), "output": f"{CROC}14{MOUSE}0 42{OX}"},
    # corrupt glyphs in the request too (no template, like the coordinator corpus)
    {"input": f"Parse LC-R: {BUFFALO}1, 2{COW}", "output": "HLXL: [1, 2]"},
    # wrong: the answer is another value
    {"input": _p("Convert to LC-T: [1, 2, 3]"), "output": "[1,2,4]"},
    # wrong: truncated
    {"input": _p("Convert {1000: {@0: \"x\"}} to all formats"),
     "output": 'HLXL: {1000: {@0: "x"}}\nLC-T: {C:1000,0="x"}\nLC-B: [c:1000:...]'},
    # dialect: bracket LC-B
    {"input": _p("Convert true to all HLX formats"), "output": "HLXL: true\nLC-T: TRUE\nLC-R: ⊤\nLC-B: [T]"},
    # dialect: BRAIN/PY LC-R
    {"input": _p('Convert "hi" to LC-R'), "output": '\u16ed"hi"'},
    # dialect: LC-B with ULEB ints (codex T0 prints 123 as 01 7B)
    {"input": _p("Convert 123 to LC-B"), "output": "01 7B"},
    # wrong: bracket float64 that is pi, not 3.14159
    {"input": _p("Convert 3.14159 to LC-B"), "output": "[float64:0x400921FB54442D18]"},
    # prose
    {"input": _p("Why use LC-T format?"), "output": "LC-T is ASCII-safe and portable."},
    # valid, non-canonical spacing in the answer: kept with the canonical emission
    {"input": _p("Translate LC-T to HLXL: {C:14,0=1}"), "output": "{14: {@0:1}}"},
]


@pytest.fixture()
def fixture_file(tmp_path):
    p = tmp_path / "seed_fixture.jsonl"
    p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in FIXTURE), encoding="utf-8")
    return p


def test_repair_glyphs():
    assert repair_glyphs(f"{CROC}14{MOUSE}0 1{OX}") == "🜊14🜁0 1🜂"
    assert repair_glyphs(f"{BUFFALO}{COW}") == "🜃🜄"
    assert repair_glyphs("⟁x ∅ ◇◆ 🐱") == "⟁x ∅ ◇◆ 🐱"  # other glyphs untouched


def test_import_fixture(fixture_file, tmp_path):
    out = tmp_path / "repaired.jsonl"
    report = tmp_path / "report.md"
    res = import_seed([str(fixture_file)], out_path=str(out), report_path=str(report))
    stats = res["files"]["seed_fixture.jsonl"]
    assert stats["rows"] == 11
    assert stats["duplicates"] == 1
    assert stats["glyphs_repaired"] == 2
    assert stats["valid"] == 3
    assert stats["dialect"] == 3
    assert stats["wrong"] == 3
    assert stats["prose"] == 1
    assert stats["kept"] == 3

    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    by_out = {r["output"]: r for r in rows}
    assert set(by_out) == {"🜊14🜁0 42🜂", "[1, 2]", "{14: {@0: 1}}"}
    assert "glyphs" in by_out["🜊14🜁0 42🜂"]["repairs"]
    assert by_out["[1, 2]"]["input"] == G.prompt("Parse LC-R: 🜃1, 2🜄")  # request repaired and templated
    assert "canonical" in by_out["{14: {@0: 1}}"]["repairs"]
    for r in rows:  # same row format as the generator, outputs re-derived by the compiler
        assert set(G._row("", "", "", "", "", "", "", "", "").keys()) <= set(r)
        assert helixc.emit(helixc.parse(r["value"], "hlxl"), r["target_notation"]) == r["output"]

    md = report.read_text(encoding="utf-8")
    assert "| seed_fixture.jsonl | 11 | 1 | 2 | 3 | 3 | 3 | 1 | 3 |" in md
    assert "truncated" in md and "ULEB128" in md and "BRAIN/PY" in md


@pytest.mark.parametrize("inp, out, cls, reason", [
    (_p("Convert to LC-T: [1, 2, 3]"), "[1,2,4]", "wrong", "reads as [1, 2, 4]"),
    (_p("Convert 3.14159 to LC-B"), "[float64:0x400921FB54442D18]", "wrong", "3.141592653589793"),
    (_p("Convert to LC-T: \"é\""), '"é" (UTF-8)', "wrong", "non-ASCII"),
    (_p("Convert to LC-R: {x: 10, y: 20}"), "{x: 10, y: 20}", "dialect", "HLXL map braces"),
    (_p("Convert 42 to LC-B"), "[0x2A]", "dialect", "bracket"),
    (_p("Convert -100 to LC-B"), "[0xff9c]", "dialect", "bracket"),
    (_p("Convert 42 to LC-B"), "[0x2B]", "wrong", "encodes"),
    (_p("Convert to LC-T: &h_model"), "@model", "valid", ""),
])
def test_classify_row(inp, out, cls, reason):
    c = classify_row(inp, out)
    assert c["class"] == cls, c["reason"]
    assert reason in c["reason"]


def test_committed_repaired_rows_are_valid():
    p = Path(__file__).resolve().parents[1] / "corpora" / "data" / "seed-repaired.jsonl"
    if not p.exists():
        pytest.skip("corpora/data/seed-repaired.jsonl not generated")
    rows = [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines()]
    assert len(rows) > 100
    assert len({r["input"] for r in rows}) == len(rows)
    for r in rows:
        assert "\U0001f40a" not in r["input"] + r["output"]
        assert helixc.emit(helixc.parse(r["value"], "hlxl"), r["target_notation"]) == r["output"]
    kept = seed_training_rows(p, seed=0)
    assert 0 < len(kept) < len(rows)
    assert all(G.value_split(r["value"], 0) == "train" for r in kept)
    from helixc_corpora.templates import matches_novel_template

    assert not any(matches_novel_template(r["input"][17:-18]) for r in kept)


def test_novel_template_matching():
    from helixc_corpora.templates import matches_novel_template

    assert matches_novel_template("Convert to LC-T: [1, 2]") == "conv.050"
    assert matches_novel_template("convert to runes: 42?") == "conv.050"
    assert matches_novel_template("Could you rewrite [1] in runes?") == "conv.056"  # a held-out wording
    assert matches_novel_template("Convert [1] to LC-R") is None


def test_cli_import_seed(fixture_file, tmp_path):
    from click.testing import CliRunner

    from helixc.cli import cli

    res = CliRunner().invoke(cli, ["corpus", "import-seed", str(fixture_file), "--out", str(tmp_path / "o.jsonl"),
                                   "--report", str(tmp_path / "r.md")])
    assert res.exit_code == 0, res.output
    assert "| seed_fixture.jsonl |" in res.output
    assert (tmp_path / "r.md").exists() and (tmp_path / "o.jsonl").exists()
