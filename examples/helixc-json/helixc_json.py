# helixc_json.py
import json

import helixc
from helixc.errors import E_DUPLICATE_KEY, E_LC_PARSE, E_TYPE, HelixError
from helixc.hookspecs import hookimpl
from helixc.notation import Notation
from helixc.values import kind

# The notation's text form as an LALR Lark grammar: constrained decoding is built from it.
JSON_LARK = r"""
start: value
?value: object | array | STRING | NUMBER | "true" | "false" | "null"
object: "{" [pair ("," pair)*] "}"
pair: STRING ":" value
array: "[" [value ("," value)*] "]"
STRING: /"([^"\\\x00-\x1f]|\\(["\\\/bfnrt]|u[0-9a-fA-F]{4}))*"/
NUMBER: /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/
%ignore /[ \t\r\n]+/
"""


def _object(pairs):  # json.loads keeps the last of repeated keys; HLX values have no repeats
    seen = set()
    for key, _ in pairs:
        if key in seen:
            raise HelixError(E_DUPLICATE_KEY, f"map key {key!r} repeated", notation="json")
        seen.add(key)
    return dict(pairs)


def _no_json_for(value):  # json.dumps calls this for what JSON cannot hold
    raise HelixError(E_TYPE, f"JSON has no {kind(value)} values: {value!r} (HLXL, LC-T, LC-R and LC-B have)",
                     notation="json")


class JSONNotation(Notation):
    name, aliases = "json", ("js",)
    title = "JSON (arrays, maps, numbers, text; no contracts, bytes or handles)"
    grammar = JSON_LARK
    # what English calls it: the corpus phrases requests with these, the request reader reads them
    english_names = ("JSON", "JSON text", "JSON format")
    # how a specialist writes a literal the compiler copies in (slot <k>): a number or a string;
    # with it, `helixc corpus build` writes json rows and `helixc train --add-notation json` trains one
    slot_spelling = {"terminals": {"NUMBER": "{slot}", "STRING": '"{slot}"'}}

    def parse(self, text):
        try:
            value = json.loads(text, object_pairs_hook=_object)
        except json.JSONDecodeError as e:  # not ValueError: HelixError is one too
            raise HelixError(E_LC_PARSE, f"not JSON: {e.msg}", notation=self.name,
                             line=e.lineno, column=e.colno, source=text) from e
        return helixc.check(value)  # NaN, out-of-range ints, ... are HelixErrors

    def emit(self, value):
        return json.dumps(helixc.check(value), sort_keys=True, ensure_ascii=False, default=_no_json_for)


@hookimpl
def register_notations(register):
    register(JSONNotation())
