"""Arbitrary and mutated input to every parser and decoder raises only HelixError.

Never IndexError, RecursionError, UnicodeError, ValueError, KeyError, OverflowError...
and never a hang (pathological nesting and huge literals included).
"""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import helixc
from helixc import HelixError

from strategies import GLYPHS, NOTATIONS, mutated_bytes, mutated_texts

PARSERS = [(name, kind) for name in NOTATIONS for kind in ("parse", "parse_reference")]


def _run(name, kind, text):
    """Call one parser; anything but a value or a HelixError fails the test."""
    fn = getattr(helixc.get_notation(name), kind)
    try:
        fn(text)
    except HelixError as e:
        assert isinstance(e.code, str) and e.code.startswith("E_")
        assert e.code != "E_PLUGIN", e.__cause__  # the registry's wrapper caught a foreign exception
        str(e)
        e.excerpt()  # the CLI renders it: must not raise either


def _decode(data):
    try:
        helixc.decode(data)
    except HelixError as e:
        assert e.code != "E_PLUGIN", e.__cause__
        assert e.offset is not None
        e.excerpt()


notation_alphabet = st.sampled_from(list('[]{}:,=@#&"\\ \n\t-+.0123456789eExXabcfnrtuCNULTRFAh_') + list(GLYPHS))
fuzz_text = st.one_of(st.text(max_size=40), st.text(notation_alphabet, max_size=40))


@pytest.mark.parametrize("name,kind", PARSERS)
@settings(max_examples=60)
@given(text=fuzz_text)
def test_arbitrary_text(name, kind, text):
    _run(name, kind, text)


@pytest.mark.parametrize("name,kind", PARSERS)
@settings(max_examples=60)
@given(case=mutated_texts())
def test_mutated_canonical_text(name, kind, case):
    _, text = case  # a mutation of some notation's text, fed to every parser
    _run(name, kind, text)


@settings(max_examples=150)
@given(data=st.one_of(st.binary(max_size=64), mutated_bytes()))
def test_arbitrary_and_mutated_bytes(data):
    _decode(data)
    # the hex view of the same bytes, through both LC-B paths
    _run("lc-b", "parse", data.hex(" ").upper())
    _run("lc-b", "parse_reference", data.hex(" ").upper())


@settings(max_examples=60)
@given(data=st.binary(max_size=64))
def test_bytes_to_text_notations(data):
    """Text notations decode bytes as UTF-8 first: bad UTF-8 is a HelixError too."""
    for name in ("hlxl", "lc-t", "lc-r"):
        try:
            helixc.decode(data, name)
        except HelixError:
            pass


DEEP = 10_000


def _deep_texts():
    k = 2_000  # the other shapes, less deep (a rejected deep text costs one Lark pass)
    return {
        "hlxl": ["[" * DEEP + "]" * DEEP, "[" * k, "{a:" * k + "1" + "}" * k, "{1:{@0:" * k],
        "lc-t": ["[" * DEEP + "]" * DEEP, "{C:1,0=" * k + "1" + "}" * k, "[" * k],
        "lc-r": ["🜃" * DEEP + "🜄" * DEEP, "🜊1🜁0 " * k + "1" + "🜂" * k, "◇a: " * k],
        "lc-b": ["05 " * DEEP + "06 " * DEEP, "07 01 00 " * k + "00" + " 08" * k, "0C 01 61 " * k],
    }


@pytest.mark.parametrize("name,kind", PARSERS)
def test_very_deep_nesting(name, kind):
    for text in _deep_texts()[name]:
        t0 = time.perf_counter()
        with pytest.raises(HelixError) as ei:
            getattr(helixc.get_notation(name), kind)(text)
        assert ei.value.code in ("E_DEPTH", "E_LC_PARSE"), ei.value
        assert time.perf_counter() - t0 < 10


def test_very_deep_bytes_and_values():
    with pytest.raises(HelixError) as ei:
        helixc.decode(bytes([5]) * DEEP + bytes([6]) * DEEP)
    assert ei.value.code == "E_DEPTH"
    v = 1
    for _ in range(DEEP):
        v = [v]
    for name in NOTATIONS:
        with pytest.raises(HelixError) as ei:
            helixc.emit(v, name)
        assert ei.value.code == "E_DEPTH"
    with pytest.raises(HelixError):
        helixc.check(v)


HUGE = [
    "9" * 100_000, "-" + "9" * 100_000, "1" + "0" * 5000 + ".5", "1." + "1" * 100_000, "1e" + "9" * 10_000,
    "1e-" + "9" * 10_000, "0." + "0" * 10_000 + "1", "0x" + "f" * 10_000, "0b" + "1" * 10_000,
]


@pytest.mark.parametrize("name,kind", PARSERS)
def test_huge_numeric_literals(name, kind):
    for lit in HUGE:
        for text in (lit, f"[{lit}]"):
            t0 = time.perf_counter()
            _run(name, kind, text)
            assert time.perf_counter() - t0 < 5, (name, kind, text[:20])


def test_huge_lcb_lengths():
    # a length LEB128 that claims far more bytes than present; a 10-byte ULEB
    for hex_text in ["03 FF FF FF FF FF FF FF FF FF 01", "04 FF FF FF FF 0F", "09 80 80 80 80 80 80 80 80 80 80 01"]:
        _run("lc-b", "parse", hex_text)


@pytest.mark.parametrize("text", ["", " ", "\n", "\x00", "\ufeff", "\ud800", "\udfff[1]", "[\ud83d]", '"\\ud83d"'])
@pytest.mark.parametrize("name,kind", PARSERS)
def test_odd_small_inputs(name, kind, text):
    _run(name, kind, text)


@settings(max_examples=60)
@given(text=fuzz_text)
def test_detection_raises_only_helix_errors(text):
    try:
        helixc.detect(text)
    except HelixError:
        pass
