"""Every row of NOTATIONS.md section 2, in all 16 directions, byte-exact.

The rows are read from the normative spec file itself (docs/NOTATIONS.md, the project's copy;
so a changed spec changes the test) and compared with the built-in copy below.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import helixc
from helixc import Contract, Handle
from helixc.values import same

NAMES = ("hlxl", "lc-t", "lc-r", "lc-b")
SPEC = Path(__file__).resolve().parents[1] / "docs" / "NOTATIONS.md"  # the project's copy of the normative profile

# (label, value, [hlxl, lc-t, lc-r, lc-b]) exactly as in NOTATIONS.md section 2.
ROWS = [
    ("null", None, ["null", "NULL", "∅", "00"]),
    ("true", True, ["true", "TRUE", "⊤", "0A"]),
    ("false", False, ["false", "FALSE", "⊥", "0B"]),
    ("42", 42, ["42", "42", "42", "01 2A"]),
    ("123", 123, ["123", "123", "123", "01 FB 00"]),
    ("-123", -123, ["-123", "-123", "-123", "01 85 7F"]),
    ("3.14", 3.14, ["3.14", "3.14", "3.14", "02 40 09 1E B8 51 EB 85 1F"]),
    ("1e16", 1e16, ["1e+16", "1e+16", "1e+16", "02 43 41 C3 79 37 E0 80 00"]),
    ("hello", "hello", ['"hello"', '"hello"', '"hello"', "03 05 68 65 6C 6C 6F"]),
    ("café", "café", ['"café"', '"caf\\u00e9"', '"café"', "03 05 63 61 66 C3 A9"]),
    ("bytes", b"\x01\x02\x03", ['x"010203"', "#010203", "⊠010203", "04 03 01 02 03"]),
    ("handle", Handle("foo_0"), ["&h_foo_0", "@foo_0", "⟁foo_0", "09 08 26 68 5F 66 6F 6F 5F 30"]),
    ("[]", [], ["[]", "[]", "🜃🜄", "05 06"]),
    ("[1,2,3]", [1, 2, 3], ["[1, 2, 3]", "[1,2,3]", "🜃1, 2, 3🜄", "05 01 01 01 02 01 03 06"]),
    ("nested array", [[1], [2, 3]], ["[[1], [2, 3]]", "[[1],[2,3]]", "🜃🜃1🜄, 🜃2, 3🜄🜄", "05 05 01 01 06 05 01 02 01 03 06 06"]),
    ("contract", Contract(14, {0: 1}), ["{14: {@0: 1}}", "{C:14,0=1}", "🜊14🜁0 1🜂", "07 0E 00 01 01 08"]),
    ("empty contract", Contract(1, {}), ["{1: {}}", "{C:1}", "🜊1🜂", "07 01 08"]),
    ("nested contract", Contract(14, {0: Contract(15, {0: "inner"})}),
     ['{14: {@0: {15: {@0: "inner"}}}}', '{C:14,0={C:15,0="inner"}}', '🜊14🜁0 🜊15🜁0 "inner"🜂🜂',
      "07 0E 00 07 0F 00 03 05 69 6E 6E 65 72 08 08"]),
    ("op contract", Contract(1000, {0: "search", 1: Handle("documents")}),
     ['{1000: {@0: "search", @1: &h_documents}}', '{C:1000,0="search",1=@documents}', '🜊1000🜁0 "search"🜁1 ⟁documents🜂',
      "07 E8 07 00 03 06 73 65 61 72 63 68 01 09 0C 26 68 5F 64 6F 63 75 6D 65 6E 74 73 08"]),
    ("map", {"age": 30, "name": "Alice"},
     ['{age: 30, name: "Alice"}', '{age:30,name:"Alice"}', '◇age: 30, name: "Alice"◆',
      "0C 03 61 67 65 01 1E 04 6E 61 6D 65 03 05 41 6C 69 63 65 0D"]),
    ("empty map", {}, ["{}", "{}", "◇◆", "0C 0D"]),
    ("map, odd keys", {"C": 2, "two words": 1},
     ['{C: 2, "two words": 1}', '{"C":2,"two words":1}', '◇C: 2, "two words": 1◆',
      "0C 01 43 01 02 09 74 77 6F 20 77 6F 72 64 73 01 01 0D"]),
]


def _spec_cells() -> list[list[str]] | None:
    """The backticked cells of the section 2 table in NOTATIONS.md, one list per row."""
    if not SPEC.exists():
        return None
    text = SPEC.read_text(encoding="utf-8")
    section = text.split("## 2.", 1)[1].split("## 3.", 1)[0]
    rows = []
    for line in section.splitlines():
        if not line.startswith("|") or "`" not in line:
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")][1:]
        rows.append([re.findall(r"`([^`]*)`", c) for c in cells])
    return rows


def test_rows_match_the_spec_file():
    """The built-in copy is the spec's table (true/false share a row there)."""
    cells = _spec_cells()
    assert cells is not None, f"{SPEC} is missing"
    flat = []
    for row in cells:
        parts = max(len(c) for c in row)
        for k in range(parts):
            flat.append([c[k] if len(c) > k else c[0] for c in row])
    assert [r[2] for r in ROWS] == flat


CASES = [(label, value, texts, a, b) for label, value, texts in ROWS for a in range(4) for b in range(4)]


@pytest.mark.parametrize(
    "label,value,texts,a,b", CASES, ids=[f"{c[0]}:{NAMES[c[3]]}->{NAMES[c[4]]}" for c in CASES]
)
def test_translate(label, value, texts, a, b):
    src, dst = NAMES[a], NAMES[b]
    got = helixc.parse(texts[a], src)
    assert same(got, value)
    assert helixc.emit(got, dst) == texts[b]
    assert helixc.translate(texts[a], to=dst, source=src) == texts[b]


@pytest.mark.parametrize("label,value,texts", ROWS, ids=[r[0] for r in ROWS])
def test_emit_from_value(label, value, texts):
    assert [helixc.emit(value, n) for n in NAMES] == texts
    assert helixc.encode(value) == bytes.fromhex(texts[3])
    assert same(helixc.decode(bytes.fromhex(texts[3])), value)


@pytest.mark.parametrize("label,value,texts", ROWS, ids=[r[0] for r in ROWS])
def test_reference_parsers_agree_on_the_table(label, value, texts):
    for name, text in zip(NAMES, texts):
        assert same(helixc.get_notation(name).parse_reference(text), value)
