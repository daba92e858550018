"""Literal slots (helixc/neural/slots.py): the compiler copies literals, the model places them."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import helixc
from helixc.errors import E_INPUT, HelixError
from helixc.neural.slots import DECODED_CLOSE, DECODED_OPEN, SLOT_NOTATIONS, delexicalize, fill, slot_grammar, template
from helixc.textparse import lark_parser
from helixc.values import Handle

from strategies import values


def test_literals_become_slots_and_keep_their_sigils():
    text, slots = delexicalize('Encode "hi there", the bytes 7AF9, x"00ff", #a1b2 and -32.508 with id 1001 in LC-R')
    assert text == 'Encode "⟨0⟩", the bytes ⟨1⟩, x"⟨2⟩", #⟨3⟩ and ⟨4⟩ with id ⟨5⟩ in LC-R'
    assert [s.value for s in slots] == ["hi there", b"\x7a\xf9", b"\x00\xff", b"\xa1\xb2", -32.508, 1001]
    assert [s.hex for s in slots] == [None, "7af9", "00ff", "a1b2", None, "1001"]


def test_structure_stays_text():
    # field indices ("@0", "0=", "🜁0", "field 2") and keywords are structure the model writes; every
    # number value (small ones too) is a slot; handle names and payload keys become slots behind
    # their sigil / quotes
    src = "{C:900,0=@bar_9,1=TRUE} and {12: {@0: &h_x, @1: 53}} and 🜊4096🜁0 ⟁node🜂 and {warn: 1, b: [x]}"
    text, slots = delexicalize(src)
    assert text == ('{C:⟨0⟩,0=@⟨1⟩,1=TRUE} and {⟨2⟩: {@0: &h_⟨3⟩, @1: ⟨4⟩}} and 🜊⟨5⟩🜁0 ⟁⟨6⟩🜂 '
                    'and {"⟨7⟩": ⟨8⟩, "⟨9⟩": [x]}')
    assert [s.value for s in slots] == [900, Handle("bar_9"), 12, Handle("x"), 53, 4096, Handle("node"), "warn",
                                        1, "b"]
    assert delexicalize("contract 14 with field 2 set to 7")[0] == "contract ⟨0⟩ with field 2 set to ⟨1⟩"
    # a colon in English is not a key
    assert delexicalize("Translate to plain ASCII: ◇a: 1◆")[0] == 'Translate to plain ASCII: ◇"⟨0⟩": ⟨1⟩◆'


def test_names_behind_cue_words_are_slots():
    text, slots = delexicalize("a map with prod set to the handle name, and key x with the word Alice; "
                               "where page is a reference to foo_0, then the text true")
    assert text == ("a map with ⟨0⟩ set to the handle ⟨1⟩, and key ⟨2⟩ with the word ⟨3⟩; "
                    "where ⟨4⟩ is a reference to ⟨5⟩, then the text true")
    assert [s.value for s in slots] == ["prod", Handle("name"), "x", "Alice", "page", Handle("foo_0")]
    # not cues: "field" and "key" themselves, "is written", a quoted name (already a string slot)
    assert delexicalize("with field 1 set to 5")[0] == "with field 1 set to ⟨0⟩"
    assert delexicalize("Show how a map is written")[1] == []
    assert delexicalize('the text "main"')[0] == 'the text "⟨0⟩"'


def test_numbers_in_words_are_read_by_the_compiler():
    text, slots = delexicalize("Express minus six hundred and sixty-four, then Ninety and seven in LC-R")
    assert text == "Express ⟨0⟩, then ⟨1⟩ and ⟨2⟩ in LC-R"
    assert [s.value for s in slots] == [-664, 90, 7]
    # not numbers: words inside other words, "one-item", and phrases words_to_int rejects
    assert delexicalize("a one-item list of someone, fiftyfive")[1] == []
    assert [s.value for s in delexicalize("twenty twenty")[1]] == []


def test_even_digit_numbers_can_be_read_as_bytes():
    _, slots = delexicalize("the bytes 1234 and 12345")
    assert [s.hex for s in slots] == ["1234", None]


def test_a_hex_run_that_decodes_as_lcb_is_spelt_out():
    text, slots = delexicalize("write 03 06 6F 66 66 73 65 74 as runic, not C5 C3 59")
    assert text == f'write ⟨0⟩ {DECODED_OPEN}"⟨1⟩"{DECODED_CLOSE} as runic, not ⟨2⟩'
    assert slots[0].value == bytes.fromhex("03066f6666736574")
    assert slots[1].value == "offset"
    assert slots[2].value == bytes.fromhex("c5c359")


def test_contiguous_lcb_hex_is_spelt_out_too():
    text, slots = delexicalize("Show 02C058547AE147AE14 as ASCII, and the bytes 7AF9")
    assert text == f"Show ⟨0⟩ {DECODED_OPEN}⟨1⟩{DECODED_CLOSE} as ASCII, and the bytes ⟨2⟩"
    assert slots[1].value == -97.32


def test_digits_with_a_leading_zero_are_hex_not_a_number():
    text, slots = delexicalize("Convert to HLXL syntax: 040140, then 1001 and 0.5")
    assert text == f'Convert to HLXL syntax: ⟨0⟩ {DECODED_OPEN}x"⟨1⟩"{DECODED_CLOSE}, then ⟨2⟩ and ⟨3⟩'
    assert slots[0].kind == "hexword" and slots[1].value == b"\x40" and slots[2].value == 1001 and slots[3].value == 0.5


def test_shouted_words_after_a_run_are_not_bytes():
    text, slots = delexicalize("HOW WOULD 05 01 11 01 14 01 05 06 BE WRITTEN")
    assert text == f"HOW WOULD ⟨0⟩ {DECODED_OPEN}[⟨1⟩, ⟨2⟩, ⟨3⟩]{DECODED_CLOSE} BE WRITTEN"
    assert slots[0].raw == "05 01 11 01 14 01 05 06"


def test_hex_after_the_word_bytes_is_a_bytes_literal():
    for text in ("a byte string 48", "the bytes 032164", "BYTES CA"):
        out, slots = delexicalize(text)
        assert out.endswith("⟨0⟩") and slots[0].kind == "bword", text
    assert delexicalize("a byte string 48")[1][0].value == b"\x48"


def test_slot_characters_in_a_request_cannot_pose_as_slots():
    text, slots = delexicalize('Put ⟨0⟩ and ⟦x⟧ and "⟨1⟩" in LC-R')
    assert text == 'Put <0> and [[x]] and "⟨0⟩" in LC-R'
    assert slots[0].value == "⟨1⟩"  # inside a string it is just text, and fills back as such
    assert fill('"⟨0⟩"', slots, "lc-r")[1] == '"⟨1⟩"'


def test_floats_with_exponents_are_one_literal():
    text, slots = delexicalize("Write {1:{@0:53,@1:1e+16}} please")
    assert text == "Write {⟨0⟩:{@0:⟨1⟩,@1:⟨2⟩}} please"
    assert [s.value for s in slots] == [1, 53, 1e16]


@pytest.mark.parametrize("notation,model_text,expected", [
    ("lc-r", '🜊⟨0⟩🜁0 "⟨1⟩"🜁1 ⊠⟨2⟩🜂', '🜊1234🜁0 "hi"🜁1 ⊠7af9🜂'),
    ("lc-t", '{C:⟨0⟩,0="⟨1⟩",1=#⟨2⟩}', '{C:1234,0="hi",1=#7af9}'),
    ("hlxl", '{⟨0⟩: {@0: "⟨1⟩", @1: x"⟨2⟩"}}', '{1234: {@0: "hi", @1: x"7af9"}}'),
    ("lc-r", '⊠⟨0⟩', '⊠1234'),  # a number's digits read as bytes
    ("lc-t", '[@⟨3⟩,"⟨1⟩"]', '[@node,"hi"]'),
    ("hlxl", '&h_⟨3⟩', '&h_node'),
])
def test_fill(notation, model_text, expected):
    _, slots = delexicalize('a 1234 "hi" bytes 7AF9 ⟁node')
    value, text = fill(model_text, slots, notation)
    assert text == expected
    assert helixc.same(value, helixc.parse(expected, notation))


def test_fill_sorts_keys_the_model_could_not_see():
    _, slots = delexicalize('a map with "zeta" = 1 and "alpha" = 2')
    assert [s.value for s in slots] == ["zeta", 1, "alpha", 2]
    _, text = fill('◇"⟨0⟩": ⟨1⟩, "⟨2⟩": ⟨3⟩◆', slots, "lc-r")
    assert text == "◇alpha: 2, zeta: 1◆"


def test_fill_errors_are_clear():
    _, slots = delexicalize('"a" and 12345')
    with pytest.raises(HelixError) as e:
        fill("⟨7⟩", slots, "lc-r")
    assert e.value.code == E_INPUT and "slot ⟨7⟩" in str(e.value)
    with pytest.raises(HelixError) as e:
        fill("⊠⟨1⟩", slots, "lc-r")  # 12345: odd number of digits
    assert "cannot be read as bytes" in str(e.value)
    with pytest.raises(HelixError):
        fill("◇⟨1⟩: 1◆", slots, "lc-r")  # a key must be written "⟨k⟩": the grammar says so too
    with pytest.raises(HelixError) as e:
        fill("⟁⟨1⟩", slots, "lc-r")
    assert "cannot be a handle name" in str(e.value)


@pytest.mark.parametrize("notation", SLOT_NOTATIONS)
def test_slot_grammar_accepts_slots_and_still_rejects_garbage(notation):
    parser = lark_parser(slot_grammar(notation))
    _, slots = delexicalize('contract 4096 with "s" and bytes 7AF9 and 3.25 and 3.25 and &h_q')
    value = helixc.parse('{4096: {@0: "s", @1: x"7af9", @2: [3.25, 3.25], @3: &h_q}}', "hlxl")
    t = template(value, slots, notation)
    assert [f"⟨{k}⟩" in t for k in range(6)] == [True] * 6  # each literal placed once, from its own slot
    parser.parse(t)
    with pytest.raises(Exception):
        parser.parse(t + "⟨")
    # bytes come from slots only: invented hex digits are not in the language
    bytes_lit = {"hlxl": 'x"ad"', "lc-t": "#ad", "lc-r": "⊠ad"}[notation]
    with pytest.raises(Exception):
        parser.parse(bytes_lit)
    parser.parse({"hlxl": 'x""', "lc-t": "#", "lc-r": "⊠"}[notation])
    with pytest.raises(Exception):  # a slot inside other text would be spliced into a string
        parser.parse('"⟨0⟩, "')


@pytest.mark.parametrize("notation", SLOT_NOTATIONS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=values)
def test_template_of_a_payload_fills_back_to_the_answer(notation, value):
    """Any value written as HLXL inside a request: the template exists, uses slots for its
    literals, and fills back to exactly the compiler's answer."""
    request = f"Convert {helixc.emit(value, 'hlxl')} to {notation}"
    text, slots = delexicalize(request)
    t = template(value, slots, notation)
    if t is None:
        # only when the request has more literals than slot tokens, or a literal the
        # lexer reads differently from the grammar (reported, not silently dropped)
        assert len(slots) == 48 or any(s.kind == "hexrun" for s in slots)
        return
    assert fill(t, slots, notation)[1] == helixc.emit(value, notation)


def test_training_targets_use_slots():
    from helixc.neural import builtin_specialists
    from helixc.neural.data import build_examples

    row = {"model_input": 'Encode "cell pipeline" and 12345 as a list in LC-R', "route": "lc-r",
           "output": '🜃"cell pipeline", 12345🜄', "value": '["cell pipeline", 12345]', "split": "train"}
    specs = [s for s in builtin_specialists() if s.name == "lc-r"]
    ex = build_examples(specs, [row], slots=True)["lc-r"][0]
    assert ex.prompt == 'lc-r|Encode "⟨0⟩" and ⟨1⟩ as a list in LC-R\n=>'
    assert ex.answer == '🜃"⟨0⟩", ⟨1⟩🜄'
    plain = build_examples(specs, [row], slots=False)["lc-r"][0]
    assert plain.answer == row["output"]


def test_explain_reads_the_request_as_written():
    """Explain copies no literal; slots would only hide words it needs ("four" as a number)."""
    from helixc.neural import Router, builtin_specialists
    from helixc.neural.data import build_examples

    kb = [{"id": "notations-list", "answer": "Four notations."}]
    row = {"model_input": "What are the four HLX notations?", "route": "explain", "output": "Four notations.",
           "split": "train"}
    specs = [Router()] + [s for s in builtin_specialists() if s.name == "explain"]
    ex = build_examples(specs, [row], kb, slots=True, raw_choice=True)
    assert ex["explain"][0].prompt == "explain|What are the four HLX notations?\n=>"
    assert ex["explain"][0].answer == "notations-list"
    assert ex["coordinator"][0].prompt == "coordinator|What are the ⟨0⟩ HLX notations?\n=>"
    old = build_examples(specs, [row], kb, slots=True)  # how runs 3-8 were trained
    assert old["explain"][0].prompt == "explain|What are the ⟨0⟩ HLX notations?\n=>"


@given(st.text(max_size=80))
@settings(max_examples=200, deadline=None)
def test_delexicalize_never_crashes(text):
    out, slots = delexicalize(text)
    assert len(slots) <= 48


def test_decoding_places_each_slot_once_and_only_slots_the_request_has():
    from helixc.neural.decode import WithoutTokens

    class Anything:  # an inner constraint that allows every token
        def start(self):
            return self

        def allows(self, t):
            return True

        def allowed_ids(self):
            return list(range(6))

        def advance(self, t):
            pass

        def is_accepting(self):
            return True

    fac = WithoutTokens(Anything(), banned=[5], once=[3, 4])
    a, b = fac.start(), fac.start()
    assert not a.allows(5) and a.allows(3)
    a.advance(3)
    assert not a.allows(3) and a.allows(4) and a.allowed_ids() == [0, 1, 2, 4]
    assert b.allows(3)  # rows do not share what they used


def test_decoding_must_place_every_literal_before_it_ends():
    from helixc.neural.decode import WithoutTokens, grammar_constraint, whitespace_ids
    from helixc.neural import default_models_dir
    from helixc.neural.slots import required
    from helixc.neural.tokenizer import load_tokenizer

    tok = load_tokenizer(default_models_dir() / "base")
    cons = grammar_constraint("lc-r", tok, slots=True)
    if cons is None:
        pytest.skip("helixc.constrain unavailable")
    _, slots = delexicalize("a list of 5, 300 and the bytes 7AF9 or 01 FF")
    assert [s.kind for s in slots] == ["number", "number", "bword", "hexrun"]
    assert [s.kind for s in required(slots)] == ["number", "number"]
    ids = [tok.convert_tokens_to_ids(s.token) for s in slots]
    eos = tok.eos_token_id
    fac = WithoutTokens(cons, [], ids, [ids[s.index] for s in required(slots)], eos, whitespace_ids(tok))

    def tid(text):
        (t,) = tok.encode(text, add_special_tokens=False)
        return t

    st = fac.start()
    for t in [tid("🜃"), ids[0]]:
        assert st.allows(t)
        st.advance(t)
    close = tid("🜄")
    assert not st.allows(close) and close not in st.allowed_ids()  # ⟨1⟩ is still missing
    assert st.allows(tid(","))
    for t in tok.encode(", ", add_special_tokens=False) + [ids[1]]:
        st.advance(t)
    assert st.allows(close)  # every literal placed: the list may end (⟨2⟩, ⟨3⟩ are optional)
    st.advance(close)
    assert st.allows(eos)
    # the token that places the last missing literal may complete the value
    one = WithoutTokens(cons, [], ids[:1], ids[:1], eos, whitespace_ids(tok)).start()
    assert one.allows(ids[0]) and ids[0] in one.allowed_ids()
    one.advance(ids[0])
    assert one.allows(eos)
    # without the rule the same prefix could end early
    free = WithoutTokens(cons, [], ids).start()
    for t in [tid("🜃"), ids[0]]:
        free.advance(t)
    assert free.allows(close)


def test_the_slot_lexer_is_character_for_character_the_one_the_models_were_trained_with():
    """The lexer is put together from each notation folder's pieces (slot_spelling["lex_*"]);
    with the built-ins it must be the SLOT_LEXER_VERSION 4 pattern, byte for byte."""
    import hashlib

    from helixc.neural import slots

    assert slots.SLOT_LEXER_VERSION == 4
    got = hashlib.sha256(slots._lexer().pattern.encode()).hexdigest()
    assert got == "873d50415ead2c6b61eb2f0c4f1992dbba73601a9acd4e8a5d32ee2a21e5f895"


@pytest.mark.parametrize("text,kind,value", [
    ("lc-t of 10 billion", "scaled", 10 ** 10),
    ("2^32 in lc-t", "scaled", 2 ** 32),
    ("Translate the number 2 to the power of 40 into runic.", "scaled", 2 ** 40),
    ("i need a million written in the ascii notation", "words", 10 ** 6),
    ("negative two billion, hlxl please", "words", -2 * 10 ** 9),
    ("zero point zero one, LC-T", "words", 0.01),
    ("7 point 25 in hlxl", "scaled", 7.25),
    ("handle whose name is tex_1, in LC-T", "handleword", Handle("tex_1")),
    ("a handle called Window_Main in LC-T", "handleword", Handle("Window_Main")),
    ("the handle with name Alpha_Beta", "handleword", Handle("Alpha_Beta")),
    ("handle db_main -> lct", "handleword", Handle("db_main")),
    ("the resource called images in runes", "handleword", Handle("images")),
])
def test_the_lexer_reads_numbers_people_write_and_handle_names_after_name_cues(text, kind, value):
    """One literal each: the compiler does the arithmetic ("10 billion" is one number, not 10)."""
    _, slots = delexicalize(text)
    assert [(s.kind, s.value) for s in slots] == [(kind, value)], slots


@pytest.mark.parametrize("text", [
    "LC-T for the string containing only a space",  # "containing" goes on with the sentence
    "the handle named with in hlxl",
    "handle it with care",  # no digit or underscore: an ordinary word after "handle"
    "at one point in time",  # "point" not followed by digits
])
def test_function_words_after_a_cue_are_no_literal(text):
    _, slots = delexicalize(text)
    assert all(s.kind not in ("textword", "handleword") for s in slots), slots
    assert all(not isinstance(s.value, float) for s in slots), slots
