"""Never silently wrong: input classification, the confidence judgement and the CLI's exit 3."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from helixc.cli import cli
from helixc.neural.confidence import Thresholds, has_reserved, inconsistency, judge, number_phrases, request_checks, ungrounded


def run(*args, input=None):
    return CliRunner().invoke(cli, ["translate", *args], input=input)


GOOD = {"route": "lc-r", "routed_by_model": True, "route_prob": 0.999, "min_prob": 0.99, "forced": 0, "closed": False,
        "grammar_valid": True, "output": "🜃1🜄", "has_specialist": True, "verified": None}


@pytest.mark.parametrize("change,reason", [
    ({"output": "🜃⟨0⟩🜄"}, "slot reference"),
    ({"output": ""}, "wrote nothing"),
    ({"grammar_valid": False}, "compiler's checks"),
    ({"verified": False}, "disagree"),
    ({"closed": True}, "token budget"),
    ({"route_prob": 0.5}, "router is unsure"),
    ({"forced": 3}, "overrule"),
    ({"min_prob": 0.2}, "unsure of part"),
    ({"has_specialist": False}, "no specialist"),
    ({"inconsistent": "the request speaks of a map"}, "speaks of a map"),
])
def test_each_doubt_makes_an_answer_not_sure(change, reason):
    th = Thresholds()
    assert judge(GOOD, th) == (True, None)
    ok, why = judge({**GOOD, **change}, th)
    assert not ok and reason in why


def test_compiler_agreement_and_sure_corrections_are_answers():
    th = Thresholds()
    assert judge({**GOOD, "min_prob": 0.01, "verified": True}, th)[0]
    assert judge({**GOOD, "verified": False, "correction_sure": True}, th)[0]
    assert not judge({**GOOD, "verified": False, "correction_sure": False}, th)[0]


def test_a_route_conflict_goes_to_the_compiler_only_when_the_router_was_unsure():
    th = Thresholds()
    other = {**GOOD, "verified": False, "correction_sure": False, "correction_sure_if_router_unsure": True,
             "routed_by_model": True}
    assert judge({**other, "route_prob": th.route_prob / 2}, th)[0]
    assert not judge({**other, "route_prob": 1.0}, th)[0]  # a sure router against the reader: nobody can settle it
    assert not judge({**other, "route_prob": th.route_prob / 2, "routed_by_model": False}, th)[0]


def test_an_explanation_the_router_is_sure_of_yields_to_the_reader_only_where_nothing_is_asked():
    th = Thresholds()
    other = {**GOOD, "route": "explain", "route_prob": 1.0, "verified": False, "correction_sure": False,
             "correction_sure_if_router_unsure": True, "routed_by_model": True}
    assert judge({**other, "no_question": True}, th)[0]  # "a half, float, <notation>": no question at all
    assert not judge({**other, "no_question": False}, th)[0]  # a question naming a notation: the router's call
    assert not judge({**other, "route": "lc-t", "no_question": True}, th)[0]  # a sure router on another notation


def test_a_question_both_readers_see_has_its_own_router_threshold():
    th = Thresholds(route_prob=0.98, route_prob_named=0.98, route_prob_explain=0.6)
    ask = {**GOOD, "route": "explain", "route_prob": 0.7, "min_prob": 0.99, "output": "an answer", "request_check": None}
    assert judge({**ask, "route_named": True}, th)[0]  # the rule reader reads a question too
    assert not judge({**ask, "route_named": False}, th)[0]  # the router alone: its usual threshold
    assert not judge({**ask, "route": "lc-r", "route_named": True}, th)[0]  # notation routes are not affected
    assert not judge({**ask, "route_named": True}, Thresholds(route_prob=0.98, route_prob_named=0.98))[0]  # None: unchanged


def test_a_notation_answer_to_what_the_reader_reads_as_a_question_is_not_sure():
    th = Thresholds()
    assert not judge({**GOOD, "reader_explain": True}, th)[0]  # "tag 0C in <notation> = ?": the router chose a notation
    assert judge({**GOOD, "reader_explain": False}, th)[0]


def test_words_the_reader_read_into_the_answer_are_not_doubted_again():
    # the reader computed "two and three quarters" itself; the same words anywhere else are a computation
    assert request_checks("two and three quarters, in hlxl", "hlxl", 2.75, "2.75", extra=2.75,
                          read="two and three quarters") is None
    assert "computation" in request_checks("two and three quarters, in hlxl", "hlxl", 2.75, "2.75", extra=2.75)
    assert "computation" in request_checks("the biggest 64 bit signed integer", "hlxl", 64, "64", extra=64, read="64")


def test_the_requests_own_words_overrule_even_compiler_agreement():
    th = Thresholds()
    doubt = {"request_check": "the request reads as a question about the notations, not a value to translate"}
    assert judge({**GOOD, **doubt}, th) == (False, doubt["request_check"])
    assert not judge({**GOOD, "verified": True, **doubt}, th)[0]
    assert not judge({**GOOD, "verified": False, "correction_sure": True, **doubt}, th)[0]
    assert not judge({**GOOD, "route": "explain", **doubt}, th)[0]


@pytest.mark.parametrize("request_,route,value,why", [
    ("one million, as an integer", "lc-b", 1, "number 1"),  # a number in words, miscopied
    ("zero point zero one, LC-T", "lc-t", 0, "number 0"),
    ("convert hello world to runic", "lc-r", True, "true"),  # invented values
    ("write asdf qwer zxcv", "lc-r", None, "null"),
    ("hello world", "lc-r", True, "no request"),  # ... and no request at all
    ("convert it to lc-r", "lc-r", [], "empty list"),
    ("the text apple in hlxl", "hlxl", "pear", "'pear'"),
    ("the biggest 64 bit signed integer", "lc-r", 64, "computation"),
    ("a list of the first four odd numbers in lc-r", "lc-r", [4], "computation"),
    ("a list containing an empty list, in lc-t", "lc-t", [], "2 lists"),
    ("the word null as text, in hlxl", "hlxl", None, "text"),
    ("7 and two thousand and five in lc-r", "lc-r", [7], "two thousand and five"),
    ("which byte marks null in binary?", "lc-b", None, "question"),
    ("can I write 0xFF in HLXL?", "hlxl", 255, "question"),
    ("handle db_main -> lct", "explain", None, "no question"),
    ("three as a floating point number, in lc-r", "lc-r", 3, "float"),  # a float asked, an int given
    ("the flaot two in lc-t", "lc-t", 2, "float"),
    ("one tenth as lc-t", "lc-t", 1, "computation"),  # fractions and powers in words are computed
    ("two to the fourteenth, in lc-b", "lc-b", 2, "computation"),
    ("the string: the word tab, then one tab character, in hlxl", "hlxl", "tab", "character"),  # a text by its characters
    ("the text ok and a thumbs up emoji, lc-t", "lc-t", "ok", "character"),
])
def test_request_checks_find_each_class(request_, route, value, why):
    got = request_checks(request_, route, value, "x")
    assert got and why in got, got


@pytest.mark.parametrize("request_,route,value", [
    ("one million, as an integer", "lc-b", 1000000),
    ("zero point zero one, LC-T", "lc-t", 0.01),
    ("Could you please show me minus one hundred twenty-three in the binary notation?", "lc-b", -123),
    ("the numbers from one to four in hlxl", "hlxl", [1, 2, 3, 4]),
    ("decode 0C 0D into lc-t", "lc-t", {}),
    ('HLXL: "quote \\" inside"', "hlxl", 'quote " inside'),
    ("How do I write the text ready in HLXL", "hlxl", "ready"),
    ("Declare a handle named list in ASCII format", "lc-t", __import__("helixc.values").values.Handle("list")),
    ("Convert [1, 2, 3] to runic", "lc-r", [1, 2, 3]),
    ("trnaslate 255 to lct", "lc-t", 255),
    ("three as a floating point number, in lc-r", "lc-r", 3.0),
    ("the string Hello\\World with a literal backslash, lc-r", "lc-r", "Hello\\World"),
    ('the text "a\tb" (a tab character between), in hlxl', "hlxl", "a\tb"),
    ("a contract whose third field is 5, in hlxl", "hlxl", __import__("helixc.values").values.Contract(5, {2: 5})),
])
def test_request_checks_pass_answers_the_request_grounds(request_, route, value):
    assert request_checks(request_, route, value, "x") is None


def test_number_words_and_grounding():
    assert dict(number_phrases("one million and two thousand and five")) == {"one million and two thousand and five":
                                                                            1002005}
    assert ("zero point five", 0.5) in number_phrases("zero point five in lc-t")
    assert {v for _, v in number_phrases("one, two and three")} == {1, 2, 3}
    assert ungrounded("0x1F in lc-r", 31) is None  # other bases are read as written
    assert ungrounded("what is 5 in lc-r", 6) == "the number 6"
    assert ungrounded("the bytes 01 02 in hlxl", b"\x01\x02") is None
    assert ungrounded("decode 00 to hlxl", None) is None  # the hex decodes to null


def test_an_explanation_needs_a_question_on_its_topic():
    from helixc.neural.data import load_knowledge

    kb = {e["id"]: e["answer"] for e in load_knowledge()}
    contract = next(a for i, a in kb.items() if "contract" in i)
    assert request_checks("what is a contract?", "explain", None, contract) is None
    assert request_checks("explian contracts pls", "explain", None, contract) is None
    assert "no word" in request_checks("lorem ipsum dolor sit amet?", "explain", None, contract)
    assert "no question" in request_checks("Lorem ipsum dolor sit amet", "explain", None, contract)


def test_inconsistency_reads_the_requests_own_words():
    assert inconsistency("a list with 1.5 and hi, in hlxl", 1.5)
    assert inconsistency("the booleans true, true, false in LC-T", [True, True])
    assert inconsistency("a map with key a in the binary one", "a")
    assert inconsistency("Convert [1, 2] to LC-R", [1, 2]) is None
    assert inconsistency('the text "a list" in lc-t', "a list") is None  # quoted text is not read
    assert has_reserved("x\"⟨0⟩\"") and not has_reserved("[1]")


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_input_is_an_error_not_an_answer(text):
    r = run("--to", "auto", "--text", text)
    assert r.exit_code == 2 and "E_INPUT" in r.stderr and not r.stdout


@pytest.mark.parametrize("text", ["01 7B FF FF", "07 FF FF FF FF FF FF FF FF FF 7F 08", "FF FF", "05 FF AB 06"])
@pytest.mark.parametrize("to", ["hlxl", "auto"])
def test_hex_that_does_not_decode_is_an_lc_b_error(text, to):
    r = run("--to", to, "--text", text)
    assert r.exit_code == 2, r.output
    assert "[lc-b]" in r.stderr and "byte offset" in r.stderr


@pytest.mark.parametrize("text", [">\u2205 \u22a4", "17 ]", "\u2205 \u2205"])
def test_symbols_no_notation_reads_are_a_parse_error_even_with_to_auto(text):
    # a request has a word (in any script); glyphs and digits alone are broken notation text
    r = run("--to", "auto", "--text", text)
    assert r.exit_code == 2 and "no notation reads this input" in r.stderr and not r.stdout, r.output


@pytest.mark.parametrize("text,out", [("bytes 0a 0b", 'x"0a0b"'), ("minus 2.5", "-2.5")])
def test_one_word_the_reader_reads_whole_is_a_request_not_broken_notation(text, out):
    r = run("--to", "hlxl", "--text", text)
    assert r.exit_code == 0 and r.output.strip() == out, r.output
    assert run("--to", "hlxl", "--text", "minus").exit_code == 2  # one word that describes nothing: a parse error


def test_a_bom_is_not_content(tmp_path):
    f = tmp_path / "f.hlxl"
    f.write_bytes(b'\xef\xbb\xbf{age: 30, name: "Alice", tags: [1, 2, 3]}\n')
    r = run("--to", "lc-t", str(f))
    assert r.exit_code == 0 and r.stdout == '{age:30,name:"Alice",tags:[1,2,3]}\n'


def test_notation_input_with_to_auto_asks_for_a_target():
    r = run("--to", "auto", "--text", "[1, 2, 3]")
    assert r.exit_code == 2 and "name the target" in r.stderr


def test_output_files_are_written_atomically(tmp_path):
    out = tmp_path / "o.txt"
    out.write_text("old\n")
    assert run("--to", "lc-t", "--text", "[1]", "-o", str(out)).exit_code == 0
    assert out.read_text() == "[1]\n"
    r = run("--to", "lc-t", "--text", "[1]", "-o", str(tmp_path / "missing" / "o.txt"))
    assert r.exit_code == 2 and "E_OUTPUT" in r.stderr and "Traceback" not in r.output
    if os.path.exists("/dev/full"):
        r = run("--to", "lc-t", "--text", "[1]", "-o", "/dev/full")
        assert r.exit_code == 2 and "E_OUTPUT" in r.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".helixc-")]


def test_max_input_is_enforced(tmp_path):
    f = tmp_path / "big.hlxl"
    f.write_text("[" + "1, " * 100 + "1]")
    r = run("--to", "lc-t", "--max-input", "50", str(f))
    assert r.exit_code == 2 and "--max-input" in r.stderr


@pytest.mark.parametrize("text", ["hello world", "asdf qwer zxcv"])
def test_garbage_english_is_not_answered(text):
    r = run("--to", "lc-r", "--json", "--text", text)
    assert r.exit_code == 3, r.output
    d = json.loads(r.stdout)
    assert d["confident"] is False and d["reason"]
    assert "helixc: not sure: " in r.stderr


def test_best_effort_prints_the_best_reading_with_exit_0():
    r = run("--to", "lc-r", "--best-effort", "--text", "hello world")
    assert r.exit_code == 0 and r.stdout.strip() and "not sure" in r.stderr


def test_a_known_request_is_answered_with_confidence():
    r = run("--to", "auto", "--json", "--text", "Convert [1, 2, 3] to runic")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["confident"] is True and d["output"] == "🜃1, 2, 3🜄"


def test_too_long_english_is_refused_before_any_model():
    r = run("--to", "auto", "--text", "please convert " * 400)
    assert r.exit_code == 2 and "limit" in r.stderr


class _RouterSaysLcT:
    """A stand-in MoE whose router always answers lc-t (or explain for a question), sure of it."""

    dir = None
    confidence = None

    def __init__(self):
        self.generated_for = []

    def routes(self):
        return ["lc-b", "lc-r", "lc-t", "hlxl", "explain"]

    def route_scored(self, texts, constrained=True):
        return [("explain" if t.rstrip().endswith("?") else "lc-t", 0.999) for t in texts]

    def generate(self, texts, routes, constrained=True):
        from helixc import emit
        from helixc.neural.moe import GenerationOutput

        self.generated_for.extend(routes)
        out = []
        for r in routes:
            text = emit([1], r) if r != "explain" else "x"
            out.append(GenerationOutput(text=text, grammar_valid=True, tokens=[], output=text, value=[1]))
        return out

    def specialist_for(self, route):
        from helixc.neural import Specialist

        return Specialist(route, route, route)


def test_a_notation_the_request_names_as_target_overrules_the_router():
    from helixc.engine import TranslateRequest
    from helixc.neural.answering import answer_batch

    moe = _RouterSaysLcT()
    res = answer_batch(moe, [TranslateRequest("lc-r for the list [1]"), TranslateRequest("write [1] as lc-t"),
                             TranslateRequest("which glyph does LC-R use for lists?")])
    assert [r.route for r in res] == ["lc-r", "lc-t", "explain"]  # questions stay the router's call
    assert res[0].extra["routed_by"] == "request words" and res[1].extra["routed_by"] == "coordinator"
    assert moe.generated_for[0] == "lc-r"


class _RouterUnsureOnAQuestion(_RouterSaysLcT):
    """Sends everything to lc-t, unsure; its explain adapter answers with ``explain_min_prob``."""

    explain_min_prob = 1.0

    def route_scored(self, texts, constrained=True):
        return [("lc-t", 0.55) for _ in texts]

    def generate(self, texts, routes, constrained=True):
        from helixc.neural.moe import GenerationOutput

        out = []
        for t, r in zip(texts, routes):
            if r != "explain":
                out.extend(super().generate([t], [r], constrained))
                continue
            self.generated_for.append(r)
            text = "A float in LC-T must be finite: NaN and infinities have no spelling."
            out.append(GenerationOutput(text=text, grammar_valid=True, tokens=[], output=text, value=None,
                                        min_prob=self.explain_min_prob))
        return out


def test_a_question_the_router_sent_to_a_notation_unsure_gets_the_explain_reading():
    from helixc.engine import TranslateRequest
    from helixc.neural.answering import answer_batch

    moe = _RouterUnsureOnAQuestion()
    q = "Can I store NaN as a float in LC-T?"
    res = answer_batch(moe, [TranslateRequest(q), TranslateRequest("write [1] in lc-t")])
    assert moe.generated_for.count("explain") == 1  # only the question is read again
    assert res[0].route == "explain" and res[0].confident, res[0].reason
    assert res[0].extra["first_route"] == "lc-t" and "question about the notations" in res[0].extra["routed_by"]
    assert res[1].route == "lc-t"  # a value to translate is not read as a question


def test_the_explain_reading_of_a_question_stays_unsure_when_the_adapter_is_unsure():
    from helixc.engine import TranslateRequest
    from helixc.neural.answering import answer_batch

    moe = _RouterUnsureOnAQuestion()
    moe.explain_min_prob = 0.05
    res = answer_batch(moe, [TranslateRequest("Can I store NaN as a float in LC-T?")])
    assert res[0].route == "lc-t" and not res[0].confident  # the first, unsure reading stands


def test_maps_as_a_verb_is_no_map_to_count():
    assert inconsistency('a map where the key "two words" maps to 1, hlxl', {"two words": 1}) is None
    assert inconsistency("a map where key a maps to 1", {"a": 1}) is None
    # the noun still counts
    assert inconsistency("two maps to lc-t please", [{}]) == "the request names 2 maps, the answer holds 1"
    assert inconsistency("convert the maps to lc-t", [{}]) == "the request names 2 maps, the answer holds 1"


def test_a_question_that_asks_for_the_encoding_has_the_documented_default_target():
    from helixc.neural.answering import _default_target

    assert _default_target("what does the float 0.5 serialize to?", "lc-b")
    assert not _default_target("what does the float 0.5 serialize to?", "hlxl")
    assert not _default_target("what is the float 0.5 in?", "lc-b")  # asks, but not for the encoding
    assert not _default_target("how do I decode 0.5 once serialized?", "lc-b")  # a verb of reading


def test_counted_items_named_by_their_ids_are_not_counted_twice():
    from helixc import Contract

    two = [Contract(1, {}), Contract(2, {0: True})]
    assert inconsistency("a list with two contracts: contract 1 empty and contract 2 with field 0 = true", two) is None
    assert inconsistency("a list with two contracts", [Contract(1, {})]) == "the request names 2 contracts, the answer holds 1"
    assert inconsistency("2 maps and a map", [{}, {}]) == "the request names 3 maps, the answer holds 2"


def test_a_name_like_word_helixc_cannot_read_keeps_answers_in_other_notations_unsure():
    why = request_checks("null for lc-q", "hlxl", None, "null")
    assert why and "'lc-q' looks like the name of a notation" in why
    assert request_checks("null for lc-q", "lc-r", None, "\u2205") is None  # a notation it is near: the router's call


def test_a_number_the_request_names_as_the_value_must_be_in_the_answer():
    assert request_checks("the number 40 in lc-t", "lc-t", 40, "40") is None
    why = request_checks("the number 40, i.e. forty-one, in lc-t", "lc-t", 41, "41")
    assert why == "the request names the number 40, and the answer does not hold it"
    assert request_checks('the number 40 as the text "40" in lc-t', "lc-t", "40", '"40"') is None


def test_the_compiler_engine_checks_its_reading_against_the_request_words():
    from helixc.neural.answering import compiler_answer
    from helixc.translation import TranslateRequest

    sure = compiler_answer(TranslateRequest(text="the number 5 in lc-t", to="auto", engine="compiler"))
    assert (sure.output, sure.confident) == ("5", True)
    # the remark is set aside to read the value, and its words still contradict the int read
    unsure = compiler_answer(TranslateRequest(text="the number 5 (as a string) in lc-t", to="auto", engine="compiler"))
    assert unsure.confident is False and "text" in unsure.reason


def test_an_explanation_other_entries_match_better_is_not_sure():
    from helixc.neural.confidence import EXPLAIN_RANK, _entry_rank
    from helixc.neural.data import load_knowledge

    kb = {e["id"]: e["answer"] for e in load_knowledge()}
    q = "how deep may nested lists go before helixc refuses them as an error?"
    assert _entry_rank(q, kb["depth"]) == 0 and request_checks(q, "explain", None, kb["depth"]) is None
    assert _entry_rank(q, kb["map-order"]) > EXPLAIN_RANK
    assert request_checks(q, "explain", None, kb["map-order"]).startswith("other knowledge entries share more")
    assert _entry_rank(q, "not an entry's answer") == 0


@pytest.mark.parametrize("text", ["the number 5 (as a string) in lc-t", "true for lc-q"])
def test_the_cli_says_not_sure_where_the_reading_contradicts_the_request(text):
    r = CliRunner().invoke(cli, ["translate", "--to", "auto", "--engine", "compiler", "--text", text])
    assert r.exit_code == 3, r.output
    assert "helixc: not sure:" in r.output


def test_the_route_an_answer_is_written_in_is_one_function_the_benchmark_shares():
    # bench_moe's routing_answered and answer_batch use the same overrule: a notation the request
    # names as the target wins over the router's notation, never over (or into) explain, and never
    # into a route without a specialist
    from helixc.neural.answering import overrule_route

    have = {"hlxl", "lc-r", "lc-t", "explain"}
    assert overrule_route("lc-r for the list [1]", "lc-t", have) == "lc-r"
    assert overrule_route("which glyph does LC-R use for lists?", "explain", have) == "explain"
    assert overrule_route("lc-r for the list [1]", "explain", have) == "explain"
    assert overrule_route("lc-r for the list [1]", "lc-t", {"lc-t", "explain"}) == "lc-t"
    assert overrule_route("the list [1], please", "lc-t", have) == "lc-t"


def test_a_question_behind_a_topic_phrase_is_a_question_about_the_notations():
    from helixc.neural.confidence import asks_about_notations

    assert asks_about_notations("For LC-R, is whitespace allowed between the glyphs?")
    assert asks_about_notations("in the binary one: how are negative ints stored?")
    why = request_checks("in LC-T, is the text limit counted in characters?", "lc-t", "limit counted", '"limit counted"')
    assert why == "the request reads as a question about the notations, not a value to translate"
    assert not asks_about_notations("In LC-R, how does [1, 2] look?")  # a verb of writing a value: a request
    assert not asks_about_notations("in short, 5 in lc-t please")


def test_a_notation_named_only_in_a_remark_is_not_a_sure_target():
    why = request_checks("LC-R please for the list 1, 2 (my editor calls it ascii)", "lc-t", [1, 2], "[1,2]")
    assert why and "named only in a remark in parentheses" in why and "LC-R" in why
    assert request_checks("LC-R please for the list 1, 2 (my editor calls it ascii)", "lc-r", [1, 2], "\U0001f7031, 2\U0001f704") is None
    assert request_checks("LC-T (the ascii one) for the list 1, 2", "lc-t", [1, 2], "[1,2]") is None


def test_a_map_from_a_key_must_have_that_key():
    why = request_checks('write a map from owner to {id: 3} in lc-t', "lc-t", {"id": 3}, "{id:3}")
    assert why == "the request speaks of a map from 'owner', and no map of the answer has that key"
    assert request_checks('write a map from owner to {id: 3} in lc-t', "lc-t", {"owner": {"id": 3}},
                          "{owner:{id:3}}") is None
    assert request_checks("a map from string to int, with a = 1, in lc-t", "lc-t", {"a": 1}, "{a:1}") is None
    assert request_checks("a map from names to ages: bob 31, ann 29, in lc-t", "lc-t", {"ann": 29, "bob": 31},
                          "{ann:29,bob:31}") is None  # a plural says what the keys are


def test_a_remark_that_names_the_target_of_a_request_from_a_source_is_no_doubt():
    assert request_checks("Convert from LC-R: \U0001f7031, 2\U0001f704 (target: LC-T)", "lc-t", [1, 2], "[1,2]") is None
