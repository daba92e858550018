"""Codex conformance vectors (digest section 2.1, NOTATIONS.md section 4) and value-model limits."""

from __future__ import annotations

import pytest

import helixc
from helixc import Contract, Handle, HelixError
from helixc.values import same

NAMES = ("hlxl", "lc-t", "lc-r", "lc-b")

# Codex T-vectors: HLXL text -> LC-B hex, byte for byte (T0 and T8 are known-bad in the codex).
VECTORS = {
    "T1": ('"hello"', "03 05 68 65 6C 6C 6F", "hello"),
    "T2": ("{14:{@0:1}}", "07 0E 00 01 01 08", Contract(14, {0: 1})),
    "T3": ('{14:{@0:{15:{@0:"inner"}}}}', "07 0E 00 07 0F 00 03 05 69 6E 6E 65 72 08 08",
           Contract(14, {0: Contract(15, {0: "inner"})})),
    "T4": ("[]", "05 06", []),
    "T5": ("[1,2,3]", "05 01 01 01 02 01 03 06", [1, 2, 3]),
    "T6": ("[[1],[2,3]]", "05 05 01 01 06 05 01 02 01 03 06 06", [[1], [2, 3]]),
    "T7": ("&h_foo_0", "09 08 26 68 5F 66 6F 6F 5F 30", Handle("foo_0")),
    "T9": ("3.14159", "02 40 09 21 F9 F0 1B 86 6E", 3.14159),
    "T10": ("{1:{}}", "07 01 08", Contract(1, {})),
}


@pytest.mark.parametrize("vid", sorted(VECTORS))
def test_codex_vector(vid):
    hlxl, hex_text, value = VECTORS[vid]
    assert same(helixc.parse(hlxl, "hlxl"), value)
    assert helixc.translate(hlxl, to="lc-b", source="hlxl") == hex_text
    assert helixc.encode(value) == bytes.fromhex(hex_text)
    assert same(helixc.decode(bytes.fromhex(hex_text)), value)
    # and back to HLXL through the decoder, in canonical spacing
    assert same(helixc.parse(helixc.translate(hex_text, to="hlxl", source="lc-b"), "hlxl"), value)


def test_codex_t0_is_not_copied():
    """The codex prints 123 as 01 7B, which is -5 under SLEB128; helixc writes 01 FB 00."""
    assert helixc.emit(123, "lc-b") == "01 FB 00"
    assert helixc.parse("01 7B", "lc-b") == -5


def test_more_runtime_vectors():
    for value, hex_text in [(None, "00"), (True, "0A"), (0, "01 00"), (-1, "01 7F"), (63, "01 3F"), (64, "01 C0 00"),
                            (300, "01 AC 02"), ("", "03 00"), (Contract(14, {0: 123}), "07 0E 00 01 FB 00 08"),
                            (Contract(14, {0: 100, 1: "test"}), "07 0E 00 01 E4 00 01 03 04 74 65 73 74 08")]:
        assert helixc.emit(value, "lc-b") == hex_text
        assert same(helixc.parse(hex_text, "lc-b"), value)


def _code(fn, *args):
    with pytest.raises(HelixError) as ei:
        fn(*args)
    return ei.value


# Negative vectors: (LC-B hex, expected code)
NEGATIVE_LCB = {
    "N2": ("FF 01", "E_LC_PARSE"),  # unknown tag (the codex says E_LC_PARSE)
    "N4": ("01", "E_LC_BINARY_DECODE"),  # truncated
    "N5": ("07 0A 02 01 01 00 01 02 08", "E_FIELD_ORDER"),  # {10:{@2:1,@0:2}}
    "N6": ("07 FF FF FF FF FF FF FF FF FF 7F 08", "E_LC_BINARY_DECODE"),  # overlong LEB
    "N8": ("01 7B FF FF", "E_LC_BINARY_DECODE"),  # trailing bytes
    "N9": ("03 05 68 65 6C", "E_LC_BINARY_DECODE"),  # length mismatch
    "N10": ("07 0A 00 01 01 00 01 02 08", "E_CONTRACT_STRUCTURE"),  # duplicate index
}


@pytest.mark.parametrize("vid", sorted(NEGATIVE_LCB))
def test_negative_vector_lcb(vid):
    hex_text, code = NEGATIVE_LCB[vid]
    e = _code(helixc.parse, hex_text, "lc-b")
    assert e.code == code
    assert e.offset is not None and e.notation == "lc-b"
    e2 = _code(helixc.decode, bytes.fromhex(hex_text))
    assert (e2.code, e2.offset) == (code, e.offset)
    # the reference path (grammar + decoder) agrees
    assert _code(helixc.get_notation("lc-b").parse_reference, hex_text).code == code


def test_n2_points_at_the_tag():
    assert _code(helixc.parse, "FF 01", "lc-b").offset == 0


@pytest.mark.parametrize("text,notation", [
    ("{10:{@2:1,@0:2}}", "hlxl"),
    ("{10: {@2: 1, @0: 2}}", "hlxl"),
    ("{C:10,2=1,0=2}", "lc-t"),
    ("🜊10🜁2 1🜁0 2🜂", "lc-r"),
])
def test_n5_field_order_in_text(text, notation):
    e = _code(helixc.parse, text, notation)
    assert e.code == "E_FIELD_ORDER"
    assert e.line == 1 and e.column is not None
    assert _code(helixc.get_notation(notation).parse_reference, text).code == "E_FIELD_ORDER"


@pytest.mark.parametrize("text,notation", [
    ("{10:{@0:1,@0:2}}", "hlxl"),
    ("{C:10,0=1,0=2}", "lc-t"),
    ("🜊10🜁0 1🜁0 2🜂", "lc-r"),
])
def test_n10_duplicate_field_in_text(text, notation):
    assert _code(helixc.parse, text, notation).code == "E_CONTRACT_STRUCTURE"


def test_n1_whitespace_in_lc_r():
    assert _code(helixc.parse, "🜊 14 🜂", "lc-r").code == "E_LC_PARSE"


# --------------------------------------------------------------------------- limits

INT_MIN, INT_MAX = -(2**63), 2**63 - 1


@pytest.mark.parametrize("name", NAMES)
def test_int_range_edges_round_trip(name):
    for v in (INT_MIN, INT_MAX):
        assert helixc.parse(helixc.emit(v, name), name) == v


@pytest.mark.parametrize("name", ("hlxl", "lc-t", "lc-r"))
@pytest.mark.parametrize("literal", [str(INT_MAX + 1), str(INT_MIN - 1), "9" * 30, "-" + "9" * 5000])
def test_int_range_text(name, literal):
    assert _code(helixc.parse, literal, name).code == "E_INT_RANGE"
    assert _code(helixc.get_notation(name).parse_reference, literal).code == "E_INT_RANGE"


def test_int_range_hlxl_radix():
    assert _code(helixc.parse, "0x8000000000000000", "hlxl").code == "E_INT_RANGE"
    assert helixc.parse("-0x8000000000000000", "hlxl") == INT_MIN


def test_int_range_lcb():
    # 2^63 as SLEB128: 80 80 80 80 80 80 80 80 80 01
    assert _code(helixc.parse, "01 80 80 80 80 80 80 80 80 80 01", "lc-b").code == "E_INT_RANGE"
    assert helixc.parse(helixc.emit(INT_MIN, "lc-b"), "lc-b") == INT_MIN


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("v", [INT_MAX + 1, INT_MIN - 1, 2**100])
def test_int_range_emit(name, v):
    assert _code(helixc.emit, v, name).code == "E_INT_RANGE"
    assert _code(helixc.emit, [v], name).code == "E_INT_RANGE"


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("v", [float("nan"), float("inf"), float("-inf")])
def test_float_special_emit(name, v):
    assert _code(helixc.emit, v, name).code == "E_FLOAT_SPECIAL"
    assert _code(helixc.check, {"k": v}).code == "E_FLOAT_SPECIAL"


@pytest.mark.parametrize("name", ("hlxl", "lc-t", "lc-r"))
def test_float_special_text(name):
    # a literal that overflows binary64 is Inf
    assert _code(helixc.parse, "1e999", name if name != "lc-r" else "hlxl").code == "E_FLOAT_SPECIAL"
    assert _code(helixc.parse, "-1e+999", "lc-r").code == "E_FLOAT_SPECIAL"
    for word in ("NaN", "Infinity", "inf"):
        assert _code(helixc.parse, word, name).code in ("E_LC_PARSE", "E_TEXT_INVALID")


@pytest.mark.parametrize("hex_text", ["02 7F F8 00 00 00 00 00 00", "02 7F F0 00 00 00 00 00 00", "02 FF F0 00 00 00 00 00 00"])
def test_float_special_lcb(hex_text):
    assert _code(helixc.parse, hex_text, "lc-b").code == "E_FLOAT_SPECIAL"


def test_negative_zero():
    assert helixc.check(-0.0) == 0.0 and str(helixc.check(-0.0)) == "0.0"
    for name in NAMES:
        assert helixc.emit(-0.0, name) == helixc.emit(0.0, name)
    assert helixc.emit(-0.0, "lc-b") == "02 00 00 00 00 00 00 00 00"
    assert str(helixc.parse("-0.0", "hlxl")) == "0.0"
    assert str(helixc.parse("-0.0", "lc-t")) == "0.0"
    assert _code(helixc.parse, "-0.0", "lc-r").code == "E_NONCANONICAL"
    assert _code(helixc.parse, "02 80 00 00 00 00 00 00 00", "lc-b").code == "E_NONCANONICAL"


def _nest(n, leaf=1):
    v = leaf
    for _ in range(n):
        v = [v]
    return v


def _nest_kind(n, kind):
    v = 0
    for _ in range(n):
        v = {"a": v} if kind == "map" else Contract(3, {0: v}) if kind == "contract" else [v]
    return v


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("kind", ["array", "map", "contract"])
def test_depth_64_ok_65_fails(name, kind):
    ok = _nest_kind(64, kind)
    text = helixc.emit(ok, name)
    assert same(helixc.parse(text, name), ok)
    assert same(helixc.get_notation(name).parse_reference(text), ok)
    assert same(helixc.check(ok), ok)
    bad = _nest_kind(65, kind)
    assert _code(helixc.emit, bad, name).code == "E_DEPTH"
    assert _code(helixc.check, bad).code == "E_DEPTH"
    # 65 levels written by hand from the 64-level text: wrap once more
    outer = {"hlxl": ("[", "]"), "lc-t": ("[", "]"), "lc-r": ("🜃", "🜄"), "lc-b": ("05 ", " 06")}[name]
    deep_text = outer[0] + text + outer[1]
    e = _code(helixc.parse, deep_text, name)
    assert e.code == "E_DEPTH"
    assert _code(helixc.get_notation(name).parse_reference, deep_text).code == "E_DEPTH"


def test_lcb_depth_error_has_offset():
    data = bytes([5] * 65 + [0] + [6] * 65)
    e = _code(helixc.decode, data)
    assert e.code == "E_DEPTH" and e.offset == 64


# --------------------------------------------------------------------------- end-marker collisions


@pytest.mark.parametrize("value,hex_text", [
    (Contract(1, {8: None}), "07 01 88 00 00 08"),
    (Contract(1, {7: True, 8: False, 9: None}), "07 01 07 0A 88 00 0B 09 00 08"),
    ({"documentation": 1}, "0C 8D 00 64 6F 63 75 6D 65 6E 74 61 74 69 6F 6E 01 01 0D"),
])
def test_lcb_end_marker_escape(value, hex_text):
    """Field index 8 and 13-byte key lengths would read as the end markers 08 / 0D."""
    assert helixc.emit(value, "lc-b") == hex_text
    assert same(helixc.parse(hex_text, "lc-b"), value)


@pytest.mark.parametrize("hex_text", [
    "07 01 89 00 00 08",  # overlong index 9
    "07 01 80 00 00 08",  # overlong index 0
    "0C 8C 00 61 61 61 61 61 61 61 61 61 61 61 61 00 0D",  # overlong key length 12
])
def test_lcb_other_overlong_lengths_rejected(hex_text):
    assert _code(helixc.parse, hex_text, "lc-b").code == "E_LC_BINARY_DECODE"


# --------------------------------------------------------------------------- ranges of ids / indices / handles


@pytest.mark.parametrize("name", NAMES)
def test_contract_ranges(name):
    big = Contract(2**32 - 1, {65535: 1})
    assert same(helixc.parse(helixc.emit(big, name), name), big)
    assert _code(helixc.emit, Contract(2**32, {}), name).code == "E_CONTRACT_STRUCTURE"
    assert _code(helixc.emit, Contract(1, {65536: 1}), name).code == "E_CONTRACT_STRUCTURE"


@pytest.mark.parametrize("text,name", [
    ("{4294967296: {}}", "hlxl"), ("{1: {@65536: 1}}", "hlxl"),
    ("{C:4294967296}", "lc-t"), ("{C:1,65536=1}", "lc-t"),
    ("🜊4294967296🜂", "lc-r"), ("🜊1🜁65536 1🜂", "lc-r"),
    ("07 80 80 80 80 10 08", "lc-b"), ("07 01 80 80 04 00 08", "lc-b"),
])
def test_contract_ranges_on_input(text, name):
    assert _code(helixc.parse, text, name).code == "E_CONTRACT_STRUCTURE"


def test_handle_validation():
    assert _code(Handle, "a-b").code == "E_HANDLE_INVALID"
    assert _code(Handle, "").code == "E_HANDLE_INVALID"
    assert _code(helixc.parse, "09 04 26 68 5F 2D", "lc-b").code == "E_HANDLE_INVALID"


def test_lone_surrogate():
    for name in NAMES:
        assert _code(helixc.emit, "a\ud800", name).code == "E_TEXT_INVALID"
        assert _code(helixc.emit, {"\udc00": 1}, name).code == "E_TEXT_INVALID"
    assert _code(helixc.parse, '"\\ud800"', "hlxl").code == "E_TEXT_INVALID"
    assert helixc.parse('"\\ud83d\\ude00"', "lc-t") == "\U0001f600"
