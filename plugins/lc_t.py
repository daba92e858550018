"""LC-T: the compact ASCII notation, e.g. ``{C:14,0=[1,2],1=@docs}``."""

from __future__ import annotations

import re

from helixc.errors import E_TEXT_INVALID, text_error
from helixc.hookspecs import hookimpl
from helixc.notation import Notation
from helixc.scalars import parse_float, parse_int, unquote
from helixc.textemit import Spelling, TextWriter
from helixc.textparse import LazyPattern, QuickFail, Reader, ValueBuilder, grammar_text, make_contract, make_map, parse_quick, reference_parse, quick_run, NUM_START, IDENT_START
from helixc.values import Contract, Handle, INT_MIN, INT_MAX

KEYWORDS = frozenset({"NULL", "TRUE", "FALSE"})
# Quoted on output: what HLXL quotes, plus LC-T's own keywords and the contract marker.
RESERVED = frozenset({"null", "true", "false", "C"}) | KEYWORDS


def _contract(cid, fields):
    return f"{{C:{cid}" + "".join(f",{i}={v}" for i, v in fields) + "}"


SPELLING = Spelling(
    null="NULL", true="TRUE", false="FALSE",
    bytes_prefix="#", bytes_suffix="", handle_prefix="@",
    array_open="[", array_close="]", item_sep=",",
    map_open="{", map_close="}", key_sep=":",
    reserved_keys=RESERVED, ascii_only=True, contract=_contract,
)


class LCTReader(Reader):
    notation = "lc-t"
    TOKENS = LazyPattern(
        r"""(?P<ws>[ \t\r\n]+)
        |(?P<float>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+(?:[eE][+-]?[0-9]+)?|[eE][+-]?[0-9]+))
        |(?P<int>-?(?:0|[1-9][0-9]*))
        |(?P<str>"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\nrt]|\\u[0-9a-fA-F]{4})*")
        |(?P<bytes>\#(?:[0-9a-fA-F][0-9a-fA-F])*)
        |(?P<handle>@[A-Za-z0-9_]+)
        |(?P<ident>[A-Za-z_][A-Za-z0-9_]*)
        |(?P<p>[\[\]{}:,=])
        |(?P<err>.)""",
        re.X | re.S,
    )

    def parse(self):
        self.toks = [(_kind(k, t), t, p) for k, t, p in self.toks]
        return super().parse()

    SCALARS = {
        "NULL": lambda t: None,
        "TRUE": lambda t: True,
        "FALSE": lambda t: False,
        "int": parse_int,
        "float": parse_float,
        "str": unquote,
        "bytes": lambda t: bytes.fromhex(t[1:]),
        "handle": lambda t: Handle(t[1:]),
    }

    def brace(self, depth):
        open_pos = self.toks[self.i][2]
        self.i += 1
        if self.i < self.n and self.toks[self.i][0] == "C":  # {C:cid,i=v,...}
            self.i += 1
            self.expect(":", "':'")
            _, cid_tok, cid_pos = self.expect("int", "a contract id")
            fields = []
            while True:
                if self.i >= self.n:
                    raise self.fail("unexpected end of input, expected ',' or '}'")
                kind = self.toks[self.i][0]
                self.i += 1
                if kind == "}":
                    break
                if kind != ",":
                    self.i -= 1
                    raise self.unexpected("',' or '}'")
                _, idx_tok, idx_pos = self.expect("int", "a field index")
                self.expect("=", "'='")
                fields.append((self.semantic(parse_int, idx_pos, idx_tok), self.value(depth), idx_pos))
            cid = self.semantic(parse_int, cid_pos, cid_tok)
            return self.semantic(make_contract, open_pos, cid, fields)
        pairs = self.seq("}", ",", self.pair, depth, "',' or '}'")
        return self.semantic(make_map, open_pos, pairs, False)

    def pair(self, depth):
        if self.i >= self.n:
            raise self.fail("unexpected end of input, expected a map key")
        kind, tok, pos = self.toks[self.i]
        if kind == "ident":
            if tok in RESERVED:
                raise self.fail(f"{tok!r} is reserved; quote it to use it as a map key", pos)
            key = tok
        elif kind == "str":
            key = self.semantic(unquote, pos, tok)
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
    if kind == "ident" and (tok in KEYWORDS or tok == "C"):
        return tok
    return kind


class Builder(ValueBuilder):
    reserved_keys = RESERVED


class LCT(Notation):
    name = "lc-t"
    aliases = ("lct", "lc_t", "lc-text", "ascii")
    title = "LC-T, the compact ASCII notation: {C:14,0=[1,2]}"
    grammar = grammar_text("lc_t.lark")

    def __init__(self):
        self.writer = TextWriter(SPELLING, self.name)

    def parse(self, text):
        _require_ascii(text)
        return parse_quick(quick_parse, LCTReader, self._reference, text)

    def _reference(self, text):
        return reference_parse(self.grammar, Builder, self.name, text)

    def parse_reference(self, text):
        _require_ascii(text)
        return reference_parse(self.grammar, Builder, self.name, text)

    def emit(self, value):
        return self.writer.emit(value)


def _require_ascii(text: str) -> None:
    if not text.isascii():
        i = next(i for i, c in enumerate(text) if ord(c) > 0x7F)
        raise text_error(E_TEXT_INVALID, f"LC-T is ASCII only; write {text[i]!r} as a \\u escape", "lc-t", text, i)


# --------------------------------------------------------------------------- quick path
# Same tokens as LCTReader, whitespace skipped by the pattern, no positions (see helixc.textparse.parse_quick).
_QUICK = re.compile(
    r"""[ \t\r\n]*(-?(?:0|[1-9][0-9]*)(?:\.[0-9]+(?:[eE][+-]?[0-9]+)?|[eE][+-]?[0-9]+)"""
    r"""|-?(?:0|[1-9][0-9]*)"""
    r"""|"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\nrt]|\\u[0-9a-fA-F]{4})*\""""
    r"""|\#(?:[0-9a-fA-F][0-9a-fA-F])*|@[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*|.)""",
    re.S,
)
_CONST = {"NULL": None, "TRUE": True, "FALSE": False}
_INT_MIN, _INT_MAX = INT_MIN, INT_MAX


def quick_parse(text: str):
    return quick_run(_QUICK, _qvalue, text)


def _qint(t):
    if t[0] not in NUM_START or t == "-" or "." in t or "e" in t or "E" in t:
        raise QuickFail
    v = int(t)
    if not _INT_MIN <= v <= _INT_MAX:
        raise QuickFail
    return v


def _qvalue(t, nxt, depth):
    c = t[0]
    if c == '"':
        if len(t) < 2:
            raise QuickFail
        return t[1:-1] if "\\" not in t else unquote(t)
    if c in NUM_START:
        if "." in t or "e" in t or "E" in t:
            v = float(t)
            if v - v != 0.0:
                raise QuickFail
            return v + 0.0
        return _qint(t)
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
        if t == "C":  # {C:cid,i=v,...}
            if nxt() != ":":
                raise QuickFail
            cid = _qint(nxt())
            if not 0 <= cid <= 0xFFFFFFFF:
                raise QuickFail
            fields = {}
            last = -1
            while True:
                t = nxt()
                if t == "}":
                    return Contract(cid, fields)
                if t != ",":
                    raise QuickFail
                i = _qint(nxt())
                if i <= last or i > 0xFFFF or nxt() != "=":
                    raise QuickFail
                fields[i] = _qvalue(nxt(), nxt, d)
                last = i
        out = {}
        last = None
        ordered = True
        while True:
            c = t[0]
            if c == '"':
                if len(t) < 2:
                    raise QuickFail
                key = t[1:-1] if "\\" not in t else unquote(t)
            elif c in IDENT_START and t not in RESERVED:
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
    if t in _CONST:
        return _CONST[t]
    if c == "#":
        return bytes.fromhex(t[1:])
    if c == "@" and len(t) > 1:
        return Handle(t[1:])
    raise QuickFail


NOTATION = LCT()


@hookimpl
def register_notations(register):
    register(NOTATION)
