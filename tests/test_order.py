"""Canonical order while decoding (helixc.neural.order): no correct answer is ever refused, and
the answers the compiler rejects for field order or repeated keys are refused before they end."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import helixc
from helixc.errors import HelixError
from helixc.neural.order import ORDER_NOTATIONS, OrderGuard, order_violation

from strategies import values

BAD = [  # (a prefix the compiler can only reject, notation)
    ("🜊⟨0⟩🜁0 ◇◆🜁1 ◇◆🜁2 ◇◆🜁2 ", "lc-r"),  # the repetition loop seen in the benchmarks
    ("🜊5🜁3 1🜁1 ", "lc-r"),  # descending
    ("🜊5🜁72040822 ", "lc-r"),  # out of range (the digits need not be finished)
    ("◇a: 1, b: 🜃1, 2🜄, a:", "lc-r"),
    ('◇a: 1, "a"', "lc-r"),  # a quoted key is judged at its closing quote
    ("{C:⟨1⟩,0=FALSE,6=FALSE,6=", "lc-t"),
    ('{"C":1,"map":#,"map"', "lc-t"),
    ("{16: {@0: {}, @1: [1, 2], @1:", "hlxl"),
    ('{a: "x:y", b: 1, a:', "hlxl"),
    ('{"⟨5⟩": false, " follow": false, " follow"', "hlxl"),
]
OPEN = [  # prefixes that may still become a canonical answer
    ("🜊⟨0⟩🜁0 ◇◆🜁1 ◇◆🜁2 ◇◆🜁2", "lc-r"),  # 🜁2 may become 🜁21
    ("🜊5🜁0 🜊6🜁0 1🜂🜁1 2🜂", "lc-r"),  # each contract has its own fields
    ('◇a: 1, "a', "lc-r"),
    ('{"C":1,"D":{C:2,0=1},"E":', "lc-t"),  # a quoted "C" is a map key, not a contract
    ("{16: {@0: {}, @1: [1, 2], @2:", "hlxl"),
    ('{a: "x\\"", b: 1, c:', "hlxl"),
    ("[{a: 1}, {a: 1}]", "hlxl"),  # equal keys in different maps
]


@pytest.mark.parametrize("text,notation", BAD)
def test_rejected_prefixes_are_violations(text, notation):
    assert order_violation(text, notation)


@pytest.mark.parametrize("text,notation", OPEN)
def test_open_prefixes_are_not(text, notation):
    assert not order_violation(text, notation)


@given(values, st.sampled_from(ORDER_NOTATIONS))
@settings(max_examples=150, deadline=None)
def test_no_prefix_of_a_canonical_text_is_refused(value, notation):
    text = helixc.emit(value, notation)[:300]
    assert not any(order_violation(text[:k], notation) for k in range(1, len(text) + 1)), text


@pytest.mark.parametrize("text,notation", [
    ("🜊5🜁0 1🜁0 2🜂", "lc-r"), ("{C:5,1=1,0=2}", "lc-t"), ("{5: {@1: 1, @1: 2}}", "hlxl"),
    ('{a: 1, "a": 2}', "hlxl"), ('◇a: 1, a: 2◆', "lc-r"),
])
def test_what_it_refuses_the_compiler_rejects(text, notation):
    with pytest.raises(HelixError):
        helixc.parse(text, notation)
    assert order_violation(text, notation)


class _Tok:
    """Token id -> text; decode joins them."""

    eos_token_id = 0

    def __init__(self, pieces):
        self.pieces = pieces

    def decode(self, ids):
        return "".join(self.pieces[i] for i in ids)


class _Anything:
    def __init__(self, n):
        self.n = n

    def start(self):
        return self

    def allows(self, t):
        return True

    def allowed_ids(self):
        return list(range(self.n))

    def advance(self, t):
        pass

    def is_accepting(self):
        return True

    def copy(self):
        return self


def test_the_guard_refuses_the_repeat_and_never_makes_a_dead_end():
    tok = _Tok(["<eos>", "🜊5", "🜁0 1", "🜁1 2", "🜂"])
    s = OrderGuard(_Anything(5), "lc-r", tok).start()
    for t in (1, 2, 3):
        assert s.allows(t)
        s.advance(t)
    assert not s.allows(2) and not s.allows(3)  # 🜁0 / 🜁1 again
    assert s.allows(4) and s.allows(0)
    assert 2 not in s.allowed_ids() and 4 in s.allowed_ids()
    # where every allowed token is a violation, they are all allowed again
    tok2 = _Tok(["<eos>", "🜊5", "🜁1 1", "🜁0 "])
    s2 = OrderGuard(type("Only", (_Anything,), {"allowed_ids": lambda self: [3]})(4), "lc-r", tok2).start()
    s2.advance(1)
    s2.advance(2)
    assert s2.allows(3) and s2.allowed_ids() == [3]
    assert s2.copy().ids == s2.ids and s2.copy() is not s2


def test_unfinished_field_digits_must_still_be_able_to_become_a_valid_index():
    assert not order_violation("🜊5🜁7 1🜁720", "lc-r")  # 720, 7200 ... are fine
    assert order_violation("🜊5🜁7204 1🜁7204 2🜁7204", "lc-r")  # 7204 again, 72040+ out of range
    assert order_violation("{5: {@7204: 1, @7204", "hlxl") and not order_violation("{5: {@7204: 1, @720", "hlxl")
    assert order_violation("{C:5,0=1,0", "lc-t") and not order_violation("{C:5,1=1,1", "lc-t")


def test_slots_must_fit_where_they_stand():
    from helixc.neural.slots import delexicalize

    text, slots = delexicalize('contract 85 whose field 0 is the text "filter" and 7.9 and the bytes 0A0B and a handle named h')
    kinds = {s.raw: s.token for s in slots}
    num, txt, flt = kinds["85"], kinds['"filter"'], kinds["7.9"]
    assert not order_violation(f"🜊{num}🜁0 ", "lc-r", slots)
    assert order_violation(f"🜊{txt}", "lc-r", slots)  # a text cannot be a contract id
    assert order_violation(f"{{C:{flt}", "lc-t", slots)
    assert order_violation(f"{{{flt}", "hlxl", slots)  # an HLXL brace key: a contract id or a text
    assert not order_violation(f"{{{txt}", "hlxl", slots) and not order_violation(f"{{{num}", "hlxl", slots)
    assert order_violation(f"🜃⊠{txt}", "lc-r", slots)  # bytes need a hex literal


def test_whitespace_finishes_a_field_index():
    assert order_violation("{C:5,0=[],10=[],2 ", "lc-t") and not order_violation("{C:5,0=[],10=[],2", "lc-t")
    assert order_violation("{5: {@3: 1, @2 ", "hlxl")


def test_the_guard_checks_each_new_slot_reference_where_it_stands():
    from helixc.neural.slots import delexicalize

    _, slots = delexicalize('the text "filter" and the bytes 0A0B')
    txt, hexed = (s.token for s in slots)
    tok = _Tok(["<eos>", "🜃", "⊠", txt, hexed, ", "])
    s = OrderGuard(_Anything(6), "lc-r", tok, slots).start()
    s.advance(1)
    s.advance(2)
    assert not s.allows(3) and s.allows(4)  # bytes from a text literal cannot be filled in
    s.advance(4)
    s.advance(5)
    assert s.done == len("🜃⊠" + hexed + ", ") and s.allows(3)  # a text is fine as a plain item
