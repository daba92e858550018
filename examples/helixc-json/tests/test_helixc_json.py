"""helixc-json's own tests: run against the installed package (entry point, not a file path)."""

import json
import subprocess
import sys

import pytest

import helixc
from helixc.errors import HelixError


def helixc_cli(*args):
    return subprocess.run([sys.executable, "-c", "from helixc.cli import cli; cli()", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def test_registered_through_the_entry_point():
    n = helixc.get_notation("json")
    assert n.name == "json" and helixc.get_notation("js").name == "json"
    assert n.plugin == "json"  # the entry point's name, as helixc loaded it


@pytest.mark.parametrize("value", [[], {}, [1, -2.5, "é\t\"", None, True, False], {"k": {"n": [[], {}]}, "": 0}])
def test_round_trip_through_every_builtin_notation(value):
    text = helixc.emit(value, "json")
    assert json.loads(text) == value
    for other in ("hlxl", "lc-t", "lc-r"):
        there = helixc.translate(text, other, source="json")
        assert helixc.translate(there, "json", source=other) == text


def test_what_json_cannot_hold_is_a_clear_error():
    for value in (helixc.Contract(14, {0: 1}), b"\x00", [helixc.Handle("h_x")]):
        with pytest.raises(HelixError) as e:
            helixc.emit(value, "json")
        assert e.value.code == "E_TYPE"


def test_bad_json_is_a_positioned_parse_error():
    with pytest.raises(HelixError) as e:
        helixc.parse("[1,\n 2,]", "json")
    assert (e.value.code, e.value.line, e.value.column) == ("E_LC_PARSE", 2, 4)
    with pytest.raises(HelixError) as e:
        helixc.parse('{"a": 1, "a": 2}', "json")
    assert e.value.code == "E_DUPLICATE_KEY"


def test_cli_translates_and_fails_in_one_line():
    p = helixc_cli("translate", "--from", "json", "--to", "lc-r", "--text", '{"b": [1, 2.5, null], "a": "x"}')
    assert (p.returncode, p.stdout) == (0, '◇a: "x", b: 🜃1, 2.5, ∅🜄◆\n'), p.stderr
    p = helixc_cli("translate", "--to", "json", "--text", "{14: {@0: 1}}")
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "E_TYPE [json]" in p.stderr


def test_english_to_json_without_a_specialist_is_a_clear_error():
    pytest.importorskip("torch")  # helixc's [ml] extra (the English path); the compiler half needs none
    p = helixc_cli("translate", "--to", "json", "--text", "Show the list 4, 5 and 6")
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.startswith("helixc: error: E_NO_SPECIALIST: no specialist writes json from English"), p.stderr
