"""Eval-set reading: every malformed row is reported with its line number, never skipped silently."""

from __future__ import annotations

import json

import pytest

from helixc.errors import HelixError
from helixc.evaluation import data as D


def _write(tmp_path, lines):
    p = tmp_path / "cases.jsonl"
    p.write_bytes(b"".join((ln if isinstance(ln, bytes) else ln.encode("utf-8")) + b"\n" for ln in lines))
    return p


def test_template_is_stripped():
    assert D.strip_template("### Instruction:\nConvert 1 to LC-B\n\n### Response:\n") == "Convert 1 to LC-B"
    assert D.strip_template("### Instruction:\nConvert 1 to LC-B\n\n### Response:") == "Convert 1 to LC-B"
    assert D.strip_template("Translate to Runic: true") == "Translate to Runic: true"
    assert D.strip_template(D.with_template("x")) == "x"


def test_malformed_rows_are_reported_with_line_numbers(tmp_path):
    good = json.dumps({"input": D.with_template("Convert 42 to LC-B"), "output": "01 2A", "route": "lc-b"})
    p = _write(tmp_path, [
        good,                                                   # 1
        "{not json",                                            # 2
        "",                                                     # 3 blank: not a row
        json.dumps({"input": "Convert 1 to LC-R"}),             # 4 no output
        json.dumps(["input", "output"]),                        # 5 not an object
        json.dumps({"input": "x", "output": 5}),                # 6 output not a string
        json.dumps({"input": "x", "output": "1", "route": "ascii-ish"}),  # 7 unknown route
        json.dumps({"input": "What is LC-B?", "output": "LC-B is...", "route": "explain"}),  # 8
        json.dumps({"input": "Convert 1 to runes", "output": "1", "route": "runic"}),  # 9 alias
        b"\xff\xfe",                                            # 10 not UTF-8
        json.dumps({"input": "   ", "output": "1"}),            # 11 empty input
        json.dumps({"input": "Convert 1", "output": "1"}),      # 12 no route: still a row
        json.dumps({"input": "x", "output": "1", "route": "lc-b", "target_notation": "lc-r"}),  # 13
    ])
    es = D.load_jsonl(p)
    assert [r.line for r in es.rows] == [1, 8, 9, 12]
    assert [m.line for m in es.malformed] == [2, 4, 5, 6, 7, 10, 11, 13]
    reasons = {m.line: m.reason for m in es.malformed}
    assert "invalid JSON" in reasons[2]
    assert "missing field 'output'" in reasons[4]
    assert "JSON object" in reasons[5]
    assert "'output' must be a string" in reasons[6]
    assert "unknown route" in reasons[7]
    assert "UTF-8" in reasons[10]
    assert "empty input" in reasons[11]
    assert "disagrees" in reasons[13]
    first = es.rows[0]
    assert (first.request, first.output, first.route, first.target) == ("Convert 42 to LC-B", "01 2A", "lc-b", "lc-b")
    assert es.rows[2].route == "lc-r"  # "runic" is an alias of LC-R
    assert es.rows[3].route is None
    assert len(es.labelled) == 3


def test_extra_fields_are_kept_as_meta(tmp_path):
    p = _write(tmp_path, [json.dumps({"input": "q", "output": "a", "route": "explain", "knowledge_id": "k#0",
                                      "category": "explain"})])
    row = D.load_jsonl(p).rows[0]
    assert row.meta == {"knowledge_id": "k#0", "category": "explain"}


def test_empty_or_missing_file_is_an_error(tmp_path):
    p = _write(tmp_path, ["", "  "])
    with pytest.raises(HelixError) as e:
        D.load_jsonl(p)
    assert e.value.code == D.E_EVAL_INPUT
    with pytest.raises(HelixError):
        D.load_jsonl(tmp_path / "nope.jsonl")


def test_split_resolution(tmp_path):
    p = _write(tmp_path, [json.dumps({"input": "q", "output": "a"})])
    assert D.resolve_split(str(p)) == ("cases.jsonl", [p])
    with pytest.raises(HelixError):
        D.resolve_split(str(tmp_path / "missing.jsonl"))


def test_builtin_split_reads_one_file_per_route(tmp_path):
    for route, out in (("lc-b", "01 2A"), ("lc-r", "42"), ("lc-t", "42"), ("hlxl", "42"), ("explain", "A.")):
        d = tmp_path / route
        d.mkdir()
        rows = [json.dumps({"input": D.with_template(f"Q {route}"), "output": out, "route": route}), "oops"]
        (d / "test.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    es = D.load_split("test", corpus_dir=tmp_path)
    assert es.name == "test"
    assert sorted(r.route for r in es.rows) == sorted(["lc-b", "lc-r", "lc-t", "hlxl", "explain"])
    assert len(es.malformed) == 5
    assert {m.where for m in es.malformed} == {f"{r}/test.jsonl:2" for r in ("lc-b", "lc-r", "lc-t", "hlxl", "explain")}
