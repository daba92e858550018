"""The text notations' C paths against their Python reference (issue 16, error time).

``helixc_plugins._textlex_native.quick`` builds the value of a text's token strings in C from each
notation's spelling table (``_SPELLING`` in its folder); the Python quick parser (``_qvalue`` under
``run_quick``) stays the reference. Both must give the same value (same types, same dict order)
or both give up, on valid, near-valid and malformed texts of every text notation; and
``helixc.parse`` with every C part (tokenizer, value builder, scan loop, token offsets) must give
what it gives with none of them (``HELIXC_NO_NATIVE=1``): the same value, or the same error code,
message and position.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings

import helixc
from helixc import HelixError, textscan
from helixc.textparse import QuickFail
from helixc.values import same
from strategies import canonical_texts, mutated_texts
from test_hostile import SOUP, _skim_texts

TEXT = ("hlxl", "lc-t", "lc-r")
WS = (" ", "\t", "\r", "\n")


def _mod(name):
    from helixc_plugins import hlxl, lc_r, lc_t

    return {"hlxl": hlxl, "lc-t": lc_t, "lc-r": lc_r}[name]


def _native(name):
    mod = _mod(name)
    pytest.importorskip("helixc_plugins._textlex_native")
    if textscan._native() is None:
        pytest.skip("HELIXC_NO_NATIVE=1: the Python paths only")
    return mod


def _toks(mod, text):
    toks = mod._QUICK.findall(text)
    if toks and toks[-1] in WS and mod.__name__ != "helixc_plugins.lc_r":
        toks.pop()
    return toks


def _quick_outcome(fn, toks):
    try:
        v = fn(toks)
    except (QuickFail, RecursionError, HelixError, StopIteration, ValueError):  # what parse() catches
        return ("declined",)
    return ("ok", v)


def _parse_outcome(text, name):
    try:
        v = helixc.parse(text, name)
    except HelixError as e:
        return ("error", e.code, e.message, e.line, e.column, e.offset)
    return ("ok", v)


def _agree(a, b):
    if a[0] != b[0]:
        return False
    if a[0] != "ok":
        return a == b
    return same(a[1], b[1]) and repr(a[1]) == repr(b[1])  # repr: dict order, -0.0, int vs float vs bool


@pytest.fixture
def pure(monkeypatch):
    """Run helixc.parse with no C part (as HELIXC_NO_NATIVE=1 does): returns a function (text, name) -> outcome."""
    mods = [_mod(n) for n in TEXT]

    def run(text, name):
        with monkeypatch.context() as m:
            for mod in mods:
                m.setattr(mod, "_tokens", mod._QUICK.findall)
                m.setattr(mod, "_quick", lambda toks, mod=mod: textscan.run_quick(toks, mod._qvalue))
                m.setattr(mod.scan, "__defaults__", (None,))
            m.setattr(textscan, "_span", textscan._py_span)
            return _parse_outcome(text, name)

    return run


# Texts aimed at each check of the value builder (ranges, spellings, contracts, keys, depth).
EDGES = {
    "hlxl": [
        "0x1F", "-0x1F", "0X1f", "0o17", "-0O7", "0b101", "0B1", "0x" + "f" * 16, "0x7fffffffffffffff", "-0x8000000000000000",
        "0x" + "f" * 90, "1.5", "-0.0", "0.0", "1e999", "-1e999", "1E5", "1e-400", "2.5e+3", "-", "-0", "0",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "1" * 19, "1" * 40,
        "1" * 5000, '"a\\nb"', '"\\u00e9"', '"\\ud83d\\ude00"', '"\\ud800"', '"\\u0061"', '""', 'x"00ff"', 'x""', 'x"AbCd"',
        "&h_a", "&h_", "&h_0_Z", "null", "true", "false", "nul", "x", "[1, 2, ]", "[,]", "[]", "{}", "[1] 2", "[1]]",
        "{a: 1, b: 2}", "{b: 1, a: 2}", "{b: 1, a: 2, b: 3}", "{a: 1, a: 2}", '{"a": 1, a: 2}', '{"b": 1, "a\\n": 2}',
        '{"\\ud800": 1}', "{null: 1}", '{"null": 1}', '{x"00": 1}', "{a 1}", "{a: 1,}", "{a: 1 b: 2}",
        "{1: {}}", "{0: {@0: 1}}", "{01: {}}", "{-1: {}}", "{1.5: {}}", "{0x1: {}}", "{4294967295: {@65535: 1}}",
        "{4294967296: {}}", "{1: {@70000: 1}}", "{1: {@1: 1, @0: 2}}", "{1: {@1: 1, @1: 2}}", "{1: {@0: 1,}}",
        "{1: {@0 1}}", "{1: {@0: 1}", "{1: {@0: 1}}}", "{1: {@" + "9" * 30 + ": 1}}", "{1 {}}", "{1: }", "{1: {@: 1}}",
        "[" * 64 + "]" * 64, "[" * 65 + "]" * 65, "{a: " * 64 + "1" + "}" * 64, "{a: " * 65 + "1" + "}" * 65,
        "{1: {@0: " * 64 + "1" + "}}" * 64, "{1: {@0: " * 65 + "1" + "}}" * 65, " [1] ", "[\n1,\t2\r]",
    ],
    "lc-t": [
        "1.5", "-0.0", "1e999", "1E5", "-", "-0", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
        "1" * 5000, '"a\\nb"', '"\\u00e9"', '"\\ud800"', '""', "#00ff", "#", "#AbCd", "@a", "@", "NULL", "TRUE", "FALSE",
        "null", "C", "[1,2,]", "[]", "{}", "[1]2", "{a:1,b:2}", "{b:1,a:2}", "{b:1,a:2,b:3}", "{a:1,a:2}", '{"a":1,a:2}',
        "{NULL:1}", '{"NULL":1}', "{C:1}", "{C:0,0=1}", "{C:-0,-0=1}", "{C:-1}", "{C:4294967295,65535=1}", "{C:4294967296}",
        "{C:1,70000=1}", "{C:1,1=1,0=2}", "{C:1,1=1,1=2}", "{C:1,0=1,}", "{C:1.5}", "{C:1,1.5=2}", "{C:1,-1=2}", "{C:}",
        "{C:1,0:1}", "{C1}", "{a:1,C:2}", "{C:1,0=" * 64 + "1" + "}" * 64, "{C:1,0=" * 65 + "1" + "}" * 65,
        "[" * 64 + "]" * 64, "[" * 65 + "]" * 65, "{a:" * 64 + "1" + "}" * 64, "{a:" * 65 + "1" + "}" * 65,
        "{C:" + "9" * 30 + "}", "{C:1," + "9" * 30 + "=1}", " [ 1 , 2 ] ",
    ],
    "lc-r": [
        "1.5", "-0.0", "0.0", "1e+16", "1.0e+16", "1e16", "1e999", "1.5e-07", "-", "-0", "0", "9223372036854775807",
        "9223372036854775808", "-9223372036854775809", "1" * 5000, '"a\\nb"', '"\\u0061"', '"\\u00e9"', '"\\ud800"',
        '"\\u001f"', '""', "\u22a000ff", "\u22a0", "\u22a0AB", "\u27c1a", "\u27c1", "\u2205", "\u22a4", "\u22a5", "null",
        "\U0001f7031, 2\U0001f704", "\U0001f7031,2\U0001f704", "\U0001f703\U0001f704", "\u25c7\u25c6",
        "\u25c7a: 1, b: 2\u25c6", "\u25c7b: 1, a: 2\u25c6", "\u25c7a: 1, a: 2\u25c6", '\u25c7"a": 1\u25c6',
        '\u25c7"null": 1\u25c6', "\u25c7null: 1\u25c6", '\u25c7"a b": 1\u25c6', '\u25c7"\\u0061b": 1\u25c6',
        "\u25c7a:1\u25c6", "\U0001f70a1\U0001f702", "\U0001f70a1\U0001f7010 1\U0001f702",
        "\U0001f70a4294967295\U0001f70165535 1\U0001f702", "\U0001f70a4294967296\U0001f702",
        "\U0001f70a1\U0001f70170000 1\U0001f702", "\U0001f70a1\U0001f7011 1\U0001f7010 2\U0001f702",
        "\U0001f70a1\U0001f7011 1\U0001f7011 2\U0001f702", "\U0001f70a1\U0001f7010 \U0001f702", "\U0001f70a1\U0001f701",
        "\U0001f70a\U0001f702", "\U0001f70a" + "9" * 30 + "\U0001f702", "\U0001f70a1\U0001f701" + "9" * 30 + " 1\U0001f702",
        "\U0001f703" * 64 + "\U0001f704" * 64, "\U0001f703" * 65 + "\U0001f704" * 65,
        "\U0001f70a1\U0001f7010 " * 64 + "1" + "\U0001f702" * 64, "\U0001f70a1\U0001f7010 " * 65 + "1" + "\U0001f702" * 65,
        "\u25c7a: " * 64 + "1" + "\u25c6" * 64, "\u25c7a: " * 65 + "1" + "\u25c6" * 65, "\U0001f7031\U0001f704 ",
    ],
}


def _texts(name):
    rng = random.Random(2024)
    texts = list(EDGES[name])
    texts += _skim_texts(name, rng)
    for text in list(EDGES[name]):  # each edge case inside containers too
        texts.append({"hlxl": "[{a: [", "lc-t": "[{a:[", "lc-r": "\U0001f703\u25c7a: \U0001f703"}[name] + text
                     + {"hlxl": "]}]", "lc-t": "]}]", "lc-r": "\U0001f704\u25c6\U0001f704"}[name])
    texts += ["".join(rng.choice(SOUP[name]) for _ in range(rng.randint(1, 8))) for _ in range(300)]
    return texts


@pytest.mark.parametrize("name", TEXT)
def test_native_quick_parser_is_the_python_one(name):
    mod = _native(name)
    for text in _texts(name):
        toks = _toks(mod, text)
        if not toks:
            continue
        a = _quick_outcome(mod._quick, list(toks))
        b = _quick_outcome(lambda t: textscan.run_quick(t, mod._qvalue), list(toks))
        assert _agree(a, b), (name, text, a, b)


@pytest.mark.parametrize("name", TEXT)
def test_parse_with_and_without_the_c_parts(name, pure):
    _native(name)
    for text in _texts(name):
        a, b = _parse_outcome(text, name), pure(text, name)
        assert _agree(a, b), (name, text, a, b)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(canonical_texts(TEXT))
def test_canonical_texts_read_the_same(pure, case):
    name, v, text = case
    _native(name)
    a = _parse_outcome(text, name)
    assert a[0] == "ok" and same(a[1], helixc.check(v))
    assert _agree(a, pure(text, name))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(mutated_texts(TEXT))
def test_mutated_texts_read_the_same(pure, case):
    name, text = case
    _native(name)
    a, b = _parse_outcome(text, name), pure(text, name)
    assert _agree(a, b), (name, text, a, b)


def test_quick_refuses_bad_arguments_and_odd_tokens():
    pytest.importorskip("helixc_plugins._textlex_native")
    from helixc_plugins import _textlex_native as nat
    from helixc_plugins import hlxl

    spelling = (*hlxl._SPELLING, textscan.DECLINED)
    with pytest.raises(TypeError):
        nat.quick([], ())
    with pytest.raises(TypeError):
        nat.quick("[1]", spelling)
    for toks in ([], [1], [""], ["[", 1, "]"], ["[", "1"], ["[", "1", "]", "]"], ["{", "1", ":"]):
        assert nat.quick(toks, spelling) is textscan.DECLINED, toks
    assert nat.quick(["[", "1", ",", "2", "]"], spelling) == [1, 2]
    assert nat.span(["ab", "c", "de"], 1, 3) == 3 and nat.span(["ab"], 0, 9) == 2 and nat.span(["ab"], -3, 0) == 0


RICH = {"ab": [1000, -2**40, 2.5, "xyz\u00e9", "q\"uote", b"\x00\xff\x10", None, True, False, [], {}],
        "bb": helixc.Handle("hh"), "cc": helixc.Contract(4000, {0: "vv", 700: [[5000]], 800: {"k k": 6000}}),
        "dd": [{"kk": 7000, "ll": [8000.5]}] * 3}


def test_no_reference_leaks_in_loops():
    """Valid texts and texts the builder declines (at every kind of token), many times: the traced
    memory does not grow (a leaked reference per call would keep an object per round)."""
    import gc
    import tracemalloc

    for name in TEXT:
        _native(name)
    cases = []
    for name in TEXT:
        mod = _mod(name)
        cases += [(mod, _toks(mod, t)) for t in EDGES[name] if len(t) < 400]
        rich = helixc.emit(RICH, name)  # every kind of value, valid, then declined at its last token
        cases += [(mod, _toks(mod, rich)), (mod, _toks(mod, rich)[:-1] + [_toks(mod, rich)[0]])]
    cases = [(mod, toks) for mod, toks in cases if toks]

    def rounds(r):
        for _ in range(r):
            for mod, toks in cases:
                _quick_outcome(mod._quick, toks)

    rounds(20)
    gc.collect()
    tracemalloc.start()
    try:
        rounds(50)
        gc.collect()
        a = tracemalloc.get_traced_memory()[0]
        rounds(200)
        gc.collect()
        b = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert b - a < 64 * 1024, (a, b)


@pytest.mark.parametrize("name", TEXT)
def test_the_gc_setting_is_left_as_it_was(name):
    """The C value builder pauses the cyclic GC while it builds and restores the caller's setting,
    on values, declines and errors alike."""
    import gc

    _native(name)
    texts = [helixc.emit(RICH, name), helixc.emit(RICH, name)[:-1], {"hlxl": "[1e999]", "lc-t": "[1e999]", "lc-r": "1e999"}[name]]
    was = gc.isenabled()
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            for text in texts:
                try:
                    helixc.parse(text, name)
                except HelixError:
                    pass
                assert gc.isenabled() is enabled, (name, text)
    finally:
        (gc.enable if was else gc.disable)()
