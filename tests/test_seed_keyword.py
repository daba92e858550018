"""The seed-keyword router reproduces moe_router.py's rule (seed-system-audit.md section 3)."""

from __future__ import annotations

import json

import pytest

from helixc_plugins import seed_keyword as S


@pytest.mark.parametrize("query,label", [
    # The audit's documented consequences of the rule:
    ("Convert this to Runic glyphs: {C:14,0=42}", "ascii"),  # ASCII is checked first ({c:)
    ("What's the difference between LC-T and LC-R?", "ascii"),
    ("Convert 0x7FFF0000 to HLX binary notation", "coordinator"),  # no LC-B keyword exists
    ("Encode CRC32 checksum 0xDEADBEEF in LC-B", "coordinator"),
    ("Convert 11110000 to LC-B compact", "coordinator"),
    ("Show runic representation of 256", "runic"),
    ("What is the purpose of @ symbol in HLX?", "coordinator"),
    ("Route this to the right specialist: Convert to LC-R", "runic"),
    ("Translate to Runic: true", "runic"),
    # Each keyword, lower-cased query:
    ("convert to ASCII", "ascii"), ("TEXT-SAFE form please", "ascii"), ("show as lc-t", "ascii"),
    ("LC-R please", "runic"), ("the GLYPH form", "runic"), ("parse \U0001f40a14\U0001f4010 42\U0001f402", "runic"),
    ("what is \u27c1docs", "runic"), ("\u22a4", "runic"), ("\u22a5", "runic"), ("\u2205", "runic"),
    # The seed's keyword is the corrupted crocodile U+1F40A, not the spec's U+1F70A.
    ("parse \U0001f70a14\U0001f7010 42\U0001f702", "coordinator"),
    ("Convert [1, 2] to HLXL", "coordinator"),
    ("", "coordinator"),
])
def test_rule(query, label):
    assert S.seed_route(query) == label


def test_rule_ignores_the_prompt_template():
    assert S.seed_route("### Instruction:\nConvert 1 to LC-R\n\n### Response:\n") == "runic"
    assert S.seed_route("### Instruction:\nWhat is HLX?\n\n### Response:\n") == "coordinator"


def test_router_maps_onto_helixc_routes():
    r = S.SeedKeywordRouter()
    assert r.name == "seed-keyword"
    assert r.route(["to LC-T: 1", "to runic: 1", "to LC-B: 1", "to HLXL: 1"]) == ["lc-t", "lc-r", "explain", "explain"]
    assert r.seed_routes(["to LC-T: 1", "to LC-B: 1"]) == ["ascii", "coordinator"]


def test_registered_through_the_hook():
    from helixc.evaluation.runner import registered_routers

    assert isinstance(registered_routers()["seed-keyword"], S.SeedKeywordRouter)


def test_seed_report_cases_file_is_generated_by_the_compiler():
    """The committed file is exactly what build_cases() derives with helixc.emit."""
    from helixc.evaluation.seed_cases import CASES_PATH, build_cases, render

    assert CASES_PATH.read_text(encoding="utf-8") == render(build_cases())


def test_seed_report_cases_answers_per_spec():
    import helixc
    from helixc.evaluation.data import load_jsonl
    from helixc.evaluation.seed_cases import CASES_PATH

    es = load_jsonl(CASES_PATH)
    assert not es.malformed
    cases = {r.meta["case"] for r in es.rows}
    assert cases == {"1-memory-address", "2-crc32", "3-bit-pattern", "4-runic-256", "5-at-question"}
    for r in es.rows:
        if r.route == "explain":
            continue
        # Every expected answer is the canonical emission of the row's value in its notation.
        v = helixc.parse(r.meta["value"], "hlxl")
        assert helixc.emit(v, r.route) == r.output
        assert helixc.same(helixc.parse(r.output, r.route), v)
    by = {(r.meta["case"], r.request): r for r in es.rows}
    assert helixc.parse(by[("1-memory-address", "Convert 0x7FFF0000 to HLX binary notation")].output, "lc-b") == 0x7FFF0000
    assert helixc.parse(by[("2-crc32", "Encode CRC32 0xDEADBEEF in LC-B")].output, "lc-b") == 0xDEADBEEF
    assert by[("4-runic-256", "Show runic representation of 256")].output == "256"
    at = next(r for r in es.rows if r.route == "explain")
    kb = {e["id"]: e["answer"] for e in json.loads((CASES_PATH.parents[1] / "knowledge.json").read_text("utf-8"))}
    assert at.output == kb["at-symbol"]


def test_seed_keyword_on_the_seed_report_cases():
    """Under its own committed rule the seed routes every LC-B case to the coordinator."""
    from helixc.evaluation.data import load_jsonl
    from helixc.evaluation.seed_cases import CASES_PATH

    rows = load_jsonl(CASES_PATH).rows
    got = S.SeedKeywordRouter().route([r.request for r in rows])
    correct = sum(g == r.route for g, r in zip(got, rows))
    assert [g for g, r in zip(got, rows) if r.route == "lc-b"] == ["explain"] * 6
    assert correct == 3  # the two runic-256 wordings and the @ question
