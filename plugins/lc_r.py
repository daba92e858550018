"""LC-R: the runic notation, e.g. ``🜊14🜁0 🜃1, 2🜄🜁1 ⟁docs🜂``.

LC-R is a machine notation: it has exactly one spelling per value and no
free whitespace, and the parser accepts nothing else (a non-canonical text is
``E_NONCANONICAL``, pointing at the first character that differs).
"""

from __future__ import annotations

import re

from helixc.errors import E_NONCANONICAL, text_error
from helixc.hookspecs import hookimpl
from helixc.notation import Notation
from helixc.scalars import parse_float, parse_int, unquote
from helixc.textemit import Spelling, TextWriter
from helixc.textparse import Reader, ValueBuilder, grammar_text, make_contract, make_map, parse_fast, reference_parse
from helixc.values import Handle

RESERVED = frozenset({"null", "true", "false"})

# Glyphs (NOTATIONS.md section 2). The seed corpora carry these shifted by
# -0x300 into animal emoji; that is corruption, repaired by `corpus import-seed`.
NULL, TRUE, FALSE = "\u2205", "\u22a4", "\u22a5"  # ∅ ⊤ ⊥
BYTES, HANDLE = "\u22a0", "\u27c1"  # ⊠ ⟁
ARRAY_OPEN, ARRAY_CLOSE = "\U0001f703", "\U0001f704"  # 🜃 🜄
CONTRACT_OPEN, FIELD, CONTRACT_CLOSE = "\U0001f70a", "\U0001f701", "\U0001f702"  # 🜊 🜁 🜂
MAP_OPEN, MAP_CLOSE = "\u25c7", "\u25c6"  # ◇ ◆
GLYPHS = (NULL, TRUE, FALSE, BYTES, HANDLE, ARRAY_OPEN, ARRAY_CLOSE, CONTRACT_OPEN, FIELD, CONTRACT_CLOSE, MAP_OPEN, MAP_CLOSE)


def _contract(cid, fields):
    return f"{CONTRACT_OPEN}{cid}" + "".join(f"{FIELD}{i} {v}" for i, v in fields) + CONTRACT_CLOSE


SPELLING = Spelling(
    null=NULL, true=TRUE, false=FALSE,
    bytes_prefix=BYTES, bytes_suffix="", handle_prefix=HANDLE,
    array_open=ARRAY_OPEN, array_close=ARRAY_CLOSE, item_sep=", ",
    map_open=MAP_OPEN, map_close=MAP_CLOSE, key_sep=": ",
    reserved_keys=RESERVED, ascii_only=False, contract=_contract,
)


class LCRReader(Reader):
    notation = "lc-r"
    SKIP = frozenset()
    TOKENS = re.compile(
        r"""(?P<float>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+(?:e[+-][0-9]+)?|e[+-][0-9]+))
        |(?P<int>-?(?:0|[1-9][0-9]*))
        |(?P<str>"(?:[^"\\\x00-\x1f\x7f]|\\["\\nrt]|\\u[0-9a-f]{4})*")
        |(?P<bytes>⊠(?:[0-9a-f][0-9a-f])*)
        |(?P<handle>⟁[A-Za-z0-9_]+)
        |(?P<copen>🜊(?:0|[1-9][0-9]*))
        |(?P<field>🜁(?:0|[1-9][0-9]*)\ )
        |(?P<ident>[A-Za-z_][A-Za-z0-9_]*)
        |(?P<sep>,\ )
        |(?P<colon>:\ )
        |(?P<g>[∅⊤⊥🜃🜄🜂◇◆])
        |(?P<err>.)""",
        re.X | re.S,
    )

    def parse(self):
        self.toks = [(t if k == "g" else k, t, p) for k, t, p in self.toks]
        return super().parse()

    SCALARS = {
        NULL: lambda t: None,
        TRUE: lambda t: True,
        FALSE: lambda t: False,
        "int": parse_int,
        "float": parse_float,
        "str": unquote,
        "bytes": lambda t: bytes.fromhex(t[1:]),
        "handle": lambda t: Handle(t[1:]),
    }

    def array(self, depth):
        self.i += 1
        return self.seq(ARRAY_CLOSE, "sep", self.value, depth, "', ' or '🜄'")

    def contract(self, depth):
        _, tok, open_pos = self.toks[self.i]
        self.i += 1
        fields = []
        while True:
            if self.i >= self.n:
                raise self.fail("unexpected end of input, expected '🜁' or '🜂'")
            kind, ftok, fpos = self.toks[self.i]
            self.i += 1
            if kind == CONTRACT_CLOSE:
                break
            if kind != "field":
                self.i -= 1
                raise self.unexpected("'🜁' or '🜂'")
            fields.append((self.semantic(parse_int, fpos, ftok[1:-1]), self.value(depth)))
        cid = self.semantic(parse_int, open_pos, tok[1:])
        return self.semantic(make_contract, open_pos, cid, fields)

    def map(self, depth):
        open_pos = self.toks[self.i][2]
        self.i += 1
        pairs = self.seq(MAP_CLOSE, "sep", self.pair, depth, "', ' or '◆'")
        return self.semantic(make_map, open_pos, pairs, True)

    def pair(self, depth):
        if self.i >= self.n:
            raise self.fail("unexpected end of input, expected a map key")
        kind, tok, pos = self.toks[self.i]
        if kind == "ident":
            if tok in RESERVED:
                raise self.fail(f"{tok!r} must be quoted as a map key", pos, E_NONCANONICAL)
            key = tok
        elif kind == "str":
            key = self.semantic(unquote, pos, tok)
        else:
            raise self.unexpected("a map key")
        self.i += 1
        self.expect("colon", "': '")
        return key, self.value(depth)

    CONTAINERS = {ARRAY_OPEN: array, "copen": contract, MAP_OPEN: map}


class Builder(ValueBuilder):
    canonical_key_order = True
    reserved_key_code = E_NONCANONICAL


class LCR(Notation):
    name = "lc-r"
    aliases = ("lcr", "lc_r", "runic", "runes", "glyph")
    title = "LC-R, the runic notation: 🜊14🜁0 🜃1, 2🜄🜂"
    grammar = grammar_text("lc_r.lark")

    def __init__(self):
        self.writer = TextWriter(SPELLING, self.name)

    def parse(self, text):
        return self._canonical(text, parse_fast(LCRReader, self._reference, text))

    def _reference(self, text):
        return reference_parse(self.grammar, Builder, self.name, text)

    def parse_reference(self, text):
        return self._canonical(text, reference_parse(self.grammar, Builder, self.name, text))

    def _canonical(self, text, value):
        again = self.writer.emit(value)
        if again != text:
            i = next((i for i, (a, b) in enumerate(zip(text, again)) if a != b), min(len(text), len(again)))
            raise text_error(E_NONCANONICAL, f"not canonical LC-R; the canonical text is {_short(again)}", self.name, text, i)
        return value

    def emit(self, value):
        return self.writer.emit(value)


def _short(s: str, n: int = 60) -> str:
    return s if len(s) <= n else s[: n - 3] + "..."


NOTATION = LCR()


@hookimpl
def register_notations(register):
    register(NOTATION)
