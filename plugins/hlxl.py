"""HLXL: the human-facing notation, e.g. ``{14: {@0: [1, 2], @1: &h_docs}}``."""

from __future__ import annotations

import re

from helixc.hookspecs import hookimpl
from helixc.notation import Notation
from helixc.scalars import parse_float, parse_int, unquote
from helixc.textemit import Spelling, TextWriter
from helixc.textparse import LazyPattern, QuickFail, Reader, ValueBuilder, grammar_text, make_contract, make_map, parse_quick, reference_parse, require_no_surrogates, quick_run, NUM_START, IDENT_START
from helixc.values import Contract, Handle, INT_MIN, INT_MAX

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
    TOKENS = LazyPattern(
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
        _, tok, pos = self.expect("field", "a field '@N'")
        self.expect(":", "':'")
        return int(tok[1:]), self.value(depth), pos

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
        return key, self.value(depth), pos

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
        require_no_surrogates(text, self.name)
        return parse_quick(quick_parse, HLXLReader, self._reference, text)

    def _reference(self, text):
        return reference_parse(self.grammar, Builder, self.name, text)

    def parse_reference(self, text):
        require_no_surrogates(text, self.name)
        return reference_parse(self.grammar, Builder, self.name, text)

    def emit(self, value):
        return self.writer.emit(value)


# --------------------------------------------------------------------------- quick path
# Same tokens as HLXLReader, whitespace skipped by the pattern, no positions: re.findall gives
# plain strings, classified by their first character.
_QUICK = re.compile(
    r"""[ \t\r\n]*(-?(?:0|[1-9][0-9]*)(?:\.[0-9]+(?:[eE][+-]?[0-9]+)?|[eE][+-]?[0-9]+)"""
    r"""|-?0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)"""
    r"""|-?(?:0|[1-9][0-9]*)"""
    r"""|"(?:[^"\\\x00-\x1f\x7f]|\\["\\nrt]|\\u[0-9a-fA-F]{4})*\""""
    r"""|x"(?:[0-9a-fA-F][0-9a-fA-F])*\""""
    r"""|&h_[A-Za-z0-9_]+|@(?:0|[1-9][0-9]*)|[A-Za-z_][A-Za-z0-9_]*|.)""",
    re.S,
)
_CONST = {"null": None, "true": True, "false": False}
_INT_MIN, _INT_MAX = INT_MIN, INT_MAX


def quick_parse(text: str):
    return quick_run(_QUICK, _qvalue, text)


def _qvalue(t, nxt, depth):
    c = t[0]
    if c == '"':
        if len(t) < 2:
            raise QuickFail
        return t[1:-1] if "\\" not in t else unquote(t)
    if c in NUM_START:
        if len(t) > 2 and t[1] in "xXoObB" or t[:3] in ("-0x", "-0X", "-0o", "-0O", "-0b", "-0B"):
            return parse_int(t)
        if "." in t or "e" in t or "E" in t:
            v = float(t)
            if v - v != 0.0:
                raise QuickFail
            return v + 0.0
        if t == "-":
            raise QuickFail
        v = int(t)
        if not _INT_MIN <= v <= _INT_MAX:
            raise QuickFail
        return v
    if c == "[":
        if depth >= 64:
            raise QuickFail
        t = nxt()
        if t == "]":
            return []
        out = []
        d = depth + 1
        while True:
            out.append(_qvalue(t, nxt, d))
            t = nxt()
            if t == ",":
                t = nxt()
            elif t == "]":
                return out
            else:
                raise QuickFail
    if c == "{":
        if depth >= 64:
            raise QuickFail
        d = depth + 1
        t = nxt()
        if t == "}":
            return {}
        if t[0] in NUM_START:  # contract {cid: {@i: v, ...}}
            if not t.isdigit() or t[0] == "0" and t != "0" or nxt() != ":" or nxt() != "{":
                raise QuickFail
            cid = int(t)
            if cid > 0xFFFFFFFF:
                raise QuickFail
            fields = {}
            last = -1
            t = nxt()
            if t != "}":
                while True:
                    if t[0] != "@" or len(t) < 2 or nxt() != ":":
                        raise QuickFail
                    i = int(t[1:])
                    if i <= last or i > 0xFFFF:
                        raise QuickFail
                    fields[i] = _qvalue(nxt(), nxt, d)
                    last = i
                    t = nxt()
                    if t == ",":
                        t = nxt()
                    elif t == "}":
                        break
                    else:
                        raise QuickFail
            if nxt() != "}":
                raise QuickFail
            return Contract(cid, fields)
        out = {}
        last = None
        ordered = True
        while True:
            c = t[0]
            if c == '"':
                if len(t) < 2:
                    raise QuickFail
                key = t[1:-1] if "\\" not in t else unquote(t)
            elif c in IDENT_START and t not in _CONST and t[:2] != "x\"":
                if not (t.isidentifier() and t.isascii()):
                    raise QuickFail
                key = t
            else:
                raise QuickFail
            if nxt() != ":":
                raise QuickFail
            if last is not None and key <= last:
                if key in out:
                    raise QuickFail
                ordered = False
            out[key] = _qvalue(nxt(), nxt, d)
            last = key
            t = nxt()
            if t == ",":
                t = nxt()
            elif t == "}":
                break
            else:
                raise QuickFail
        if not ordered:
            out = {k: out[k] for k in sorted(out)}
        return out
    if c in IDENT_START:
        if t in _CONST:
            return _CONST[t]
        if c == "x" and t[1:2] == '"':
            return bytes.fromhex(t[2:-1])
        raise QuickFail
    if c == "&" and len(t) > 3:
        return Handle(t[3:])
    raise QuickFail


NOTATION = HLXL()


@hookimpl
def register_notations(register):
    register(NOTATION)
