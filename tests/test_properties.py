"""Properties of the notation bijection (NOTATIONS.md: the core property test)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import helixc
from helixc.textparse import lark_parser
from helixc.values import same

from strategies import NOTATIONS, canonical_texts, deep_values, values


@pytest.mark.parametrize("name", NOTATIONS)
@given(v=values)
def test_parse_emit_round_trip(name, v):
    expected = helixc.check(v)
    text = helixc.emit(v, name)
    assert same(helixc.parse(text, name), expected)


@pytest.mark.parametrize("name", NOTATIONS)
@given(v=values)
def test_emit_parse_is_identity_on_canonical_text(name, v):
    text = helixc.emit(v, name)
    assert helixc.emit(helixc.parse(text, name), name) == text


@pytest.mark.parametrize("name", NOTATIONS)
@settings(max_examples=30)
@given(v=values)
def test_emitted_text_is_in_the_grammar(name, v):
    n = helixc.get_notation(name)
    text = n.emit(v)
    lark_parser(n.grammar).parse(text)  # raises on anything the grammar does not accept
    assert same(n.parse_reference(text), helixc.check(v))


@given(v=values, a=st.sampled_from(NOTATIONS), b=st.sampled_from(NOTATIONS))
def test_translation_commutes_with_the_value_model(v, a, b):
    text_a = helixc.emit(v, a)
    direct = helixc.translate(text_a, to=b, source=a)
    assert direct == helixc.emit(helixc.parse(text_a, a), b) == helixc.emit(v, b)
    # and back again lands on the same canonical text
    assert helixc.translate(direct, to=a, source=b) == text_a


@given(v=values)
def test_lcb_bytes_round_trip(v):
    data = helixc.encode(v)
    assert isinstance(data, bytes)
    assert same(helixc.decode(data), helixc.check(v))
    assert helixc.encode(helixc.decode(data)) == data
    assert helixc.emit(v, "lc-b") == data.hex(" ").upper()


@settings(max_examples=20)
@given(v=deep_values())
def test_deep_values_at_the_limit(v):
    for name in NOTATIONS:
        assert same(helixc.parse(helixc.emit(v, name), name), helixc.check(v))


@given(t=canonical_texts(notations=("hlxl", "lc-t")))
def test_whitespace_is_free_in_hlxl_and_lct(t):
    """HLXL and LC-T read input with spaces and newlines between tokens as the same value."""
    name, v, text = t
    n = helixc.get_notation(name)
    spaced = _spread(n, text)
    assert same(n.parse(spaced), helixc.check(v))


def _spread(n, text):
    """Put a space and a newline around every token of the fast tokenizer (never inside one)."""
    from helixc_plugins.hlxl import HLXLReader
    from helixc_plugins.lc_t import LCTReader

    reader = (HLXLReader if n.name == "hlxl" else LCTReader)(text)
    return " \n".join(tok for _, tok, _ in reader.toks) + "\t"


@given(v=values)
def test_check_is_idempotent_and_text_notations_agree(v):
    c = helixc.check(v)
    assert same(helixc.check(c), c)
    texts = {name: helixc.emit(v, name) for name in NOTATIONS}
    assert texts["lc-t"].isascii()
    assert "\n" not in texts["lc-r"] and "\n" not in texts["hlxl"] and "\n" not in texts["lc-t"]
