"""HLXL: the human-facing notation, e.g. ``{14: {@0: [1, 2], @1: &h_docs}}``."""

from __future__ import annotations

import re

from helixc.hookspecs import hookimpl
from helixc.notation import Notation
from helixc.scalars import parse_float, parse_int, unquote
from helixc.textemit import Spelling, TextWriter
from helixc.textparse import Reader, ValueBuilder, grammar_text, make_contract, make_map, parse_fast, reference_parse
from helixc.values import Handle

RESERVED = frozenset({"null", "true", "false"})


def _contract(cid, fields):
    return f"{{{cid}: {{" + ", ".join(f"@{i}: {v}" for i, v in fields) + "}}"


SPELLING = Spelling(
    null="null", true="true", false="false",
    bytes_prefix='x"', bytes_suffix='"', handle_prefix="&h_",
    array_open="[", array_close="]", item_sep=", ",
    map_open="{", map_close="}", key_sep=": ",
    reserved_keys=RESERVED, ascii_only=False, contract=_contract,
)


class HLXLReader(Reader):
    notation = "hlxl"
    TOKENS = re.compile(
        r"""(?P<ws>[ \t\r\n]+)
        |(?P<float>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+(?:[eE][+-]?[0-9]+)?|[eE][+-]?[0-9]+))
        |(?P<radix>-?0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+))
        |(?P<int>-?(?:0|[1-9][0-9]*))
        |(?P<str>"(?:[^"\\\x00-\x1f\x7f]|\\["\\nrt]|\\u[0-9a-fA-F]{4})*")
        |(?P<bytes>x"(?:[0-9a-fA-F][0-9a-fA-F])*")
        |(?P<handle>&h_[A-Za-z0-9_]+)
        |(?P<field>@(?:0|[1-9][0-9]*))
        |(?P<ident>[A-Za-z_][A-Za-z0-9_]*)
        |(?P<p>[\[\]{}:,])
        |(?P<err>.)""",
        re.X | re.S,
    )

    def parse(self):
        # punctuation tokens are typed by their text, identifiers by keyword
        self.toks = [(_kind(k, t), t, p) for k, t, p in self.toks]
        return super().parse()

    SCALARS = {
        "null": lambda t: None,
        "true": lambda t: True,
        "false": lambda t: False,
        "int": parse_int,
        "radix": parse_int,
        "float": parse_float,
        "str": unquote,
        "bytes": lambda t: bytes.fromhex(t[2:-1]),
        "handle": lambda t: Handle(t[3:]),
    }

    def brace(self, depth):
        open_pos = self.toks[self.i][2]
        self.i += 1
        if self.i < self.n and self.toks[self.i][0] == "int":  # {cid: {@i: v, ...}}
            _, cid_tok, cid_pos = self.toks[self.i]
            self.i += 1
            self.expect(":", "':'")
            self.expect("{", "'{' opening the contract fields")
            fields = self.seq("}", ",", self.field, depth, "',' or '}'")
            self.expect("}", "'}' closing the contract")
            cid = self.semantic(parse_int, cid_pos, cid_tok)
            return self.semantic(make_contract, open_pos, cid, fields)
        pairs = self.seq("}", ",", self.pair, depth, "',' or '}'")
        return self.semantic(make_map, open_pos, pairs, False)

    def field(self, depth):
        _, tok, _ = self.expect("field", "a field '@N'")
        self.expect(":", "':'")
        return int(tok[1:]), self.value(depth)

    def pair(self, depth):
        if self.i >= self.n:
            raise self.fail("unexpected end of input, expected a map key")
        kind, tok, pos = self.toks[self.i]
        if kind == "ident":
            key = tok
        elif kind == "str":
            key = self.semantic(unquote, pos, tok)
        elif kind in ("null", "true", "false"):
            raise self.fail(f"{tok!r} is a keyword; quote it to use it as a map key", pos)
        else:
            raise self.unexpected("a map key")
        self.i += 1
        self.expect(":", "':'")
        return key, self.value(depth)

    def array(self, depth):
        self.i += 1
        return self.seq("]", ",", self.value, depth, "',' or ']'")

    CONTAINERS = {"[": array, "{": brace}


def _kind(kind, tok):
    if kind == "p":
        return tok
    if kind == "ident" and tok in RESERVED:
        return tok
    return kind


class Builder(ValueBuilder):
    handle_prefix_len = 3  # &h_
    bytes_affix = (2, 1)  # x"..."
    field_prefix_len = 1  # @


class HLXL(Notation):
    name = "hlxl"
    aliases = ("hlx-l", "hlx", "hlx-lite")
    title = "HLXL, the human-facing notation: {14: {@0: [1, 2]}}"
    grammar = grammar_text("hlxl.lark")

    def __init__(self):
        self.writer = TextWriter(SPELLING, self.name)

    def parse(self, text):
        return parse_fast(HLXLReader, self._reference, text)

    def _reference(self, text):
        return reference_parse(self.grammar, Builder, self.name, text)

    def parse_reference(self, text):
        return reference_parse(self.grammar, Builder, self.name, text)

    def emit(self, value):
        return self.writer.emit(value)


NOTATION = HLXL()


@hookimpl
def register_notations(register):
    register(NOTATION)
