"""The error family: stable codes, notation, positions, caret excerpts."""

from __future__ import annotations

import pytest

import helixc
from helixc import errors
from helixc.errors import HelixError, line_col

CODES = [getattr(errors, n) for n in dir(errors) if n.startswith("E_")]


def test_codes_are_stable_strings():
    assert all(c == name for c, name in zip(CODES, sorted(n for n in dir(errors) if n.startswith("E_"))))
    for c in ("E_LC_PARSE", "E_LC_BINARY_DECODE", "E_FIELD_ORDER", "E_INT_RANGE", "E_FLOAT_SPECIAL", "E_DEPTH",
              "E_CONTRACT_STRUCTURE", "E_AMBIGUOUS", "E_INPUT"):
        assert c in CODES


def test_str_and_where():
    e = HelixError("E_LC_PARSE", "boom", notation="hlxl", line=2, column=3, source="a\nbcd")
    assert str(e) == "E_LC_PARSE [hlxl] at line 2, column 3: boom"
    assert e.excerpt() == "  bcd\n    ^"
    b = HelixError("E_LC_BINARY_DECODE", "bad", notation="lc-b", offset=1, source=b"\x05\xff")
    assert str(b) == "E_LC_BINARY_DECODE [lc-b] at byte offset 1: bad"
    assert b.excerpt() == "  05 FF\n     ^"
    assert HelixError("E_INPUT", "x").excerpt() == ""
    assert str(HelixError("E_INPUT", "x")) == "E_INPUT: x"


def test_line_col():
    assert line_col("ab\ncd", 0) == (1, 1)
    assert line_col("ab\ncd", 3) == (2, 1)
    assert line_col("ab\ncd", 99) == (2, 3)


def test_long_line_excerpt_is_windowed():
    text = "[" + ", ".join(["1"] * 200) + ", @]"
    with pytest.raises(HelixError) as ei:
        helixc.parse(text, "hlxl")
    shown, caret = ei.value.excerpt().split("\n")
    assert len(shown) <= 64
    assert shown[caret.index("^")] == "@"


@pytest.mark.parametrize("name,text,line,col", [
    ("hlxl", "[1,\n 2,\n x]", 3, 2),
    ("lc-t", "[1,\n2,\nx]", 3, 1),
    ("lc-r", "🜃1, 2, x🜄", 1, 8),
    # semantic errors point at the offending entry, in both parsers
    ("hlxl", "{b: 1, b: 2}", 1, 8),
    ("hlxl", "{14: {@2: 1,\n @0: 2}}", 2, 2),
    ("lc-t", "{C:1,2=1,0=2}", 1, 10),
    ("lc-r", "◇name: 1, age: 3◆", 1, 11),
    ("lc-r", "🜊1🜁3 1🜁2 2🜂", 1, 7),
])
def test_text_positions(name, text, line, col):
    for fn in (helixc.get_notation(name).parse, helixc.get_notation(name).parse_reference):
        with pytest.raises(HelixError) as ei:
            fn(text)
        e = ei.value
        assert (e.notation, e.line, e.column) == (name, line, col), str(e)
        assert e.excerpt().endswith("^")


@pytest.mark.parametrize("hex_text,offset,code", [
    ("05 01 01 FF 06", 3, "E_LC_PARSE"),
    ("05 01", 2, "E_LC_BINARY_DECODE"),
    ("03 02 C3 28", 2, "E_LC_BINARY_DECODE"),
    ("01 80 00", 1, "E_LC_BINARY_DECODE"),
    ("0C 01 62 00 01 61 00 0D", 4, "E_KEY_ORDER"),
    ("0C 01 61 00 01 61 00 0D", 4, "E_DUPLICATE_KEY"),
    ("00 00", 1, "E_LC_BINARY_DECODE"),
    ("06", 0, "E_LC_BINARY_DECODE"),
])
def test_lcb_offsets(hex_text, offset, code):
    with pytest.raises(HelixError) as ei:
        helixc.parse(hex_text, "lc-b")
    assert (ei.value.code, ei.value.offset, ei.value.notation) == (code, offset, "lc-b")


def test_type_errors():
    for bad in (object(), {1: 2}, [set()], helixc.Contract("x", {})):
        with pytest.raises(HelixError) as ei:
            helixc.check(bad)
        assert ei.value.code == "E_TYPE"
    for name in ("hlxl", "lc-t", "lc-r", "lc-b"):
        with pytest.raises(HelixError):
            helixc.emit({1: 2}, name)
        with pytest.raises(HelixError):
            helixc.emit(object(), name)


@pytest.mark.parametrize("name", ["hlxl", "lc-t", "lc-r"])
def test_an_array_of_ints_is_written_like_any_array_and_checked_the_same(name):
    """textemit's one-pass path for arrays of ints only: same text as item by item, the same range
    error naming the first bad number, and bools (an int subclass) are not ints there."""
    import helixc
    from helixc.errors import HelixError

    mixed = [1, -2, [3, True], 2**63 - 1, -(2**63)]
    assert helixc.parse(helixc.emit(mixed, name), name) == mixed
    with pytest.raises(HelixError, match="integer 9223372036854775808 is outside signed 64-bit range"):
        helixc.emit([5, 2**63, -(2**64)], name)
    assert [type(x) for x in helixc.parse(helixc.emit([True, 0, False], name), name)] == [bool, int, bool]
    assert helixc.emit([7, 8], name) == helixc.emit([7, [8]], name).replace(helixc.emit([8], name), "8")
