"""LC-R: the runic notation, e.g. ``🜊14🜁0 🜃1, 2🜄🜁1 ⟁docs🜂``.

LC-R is a machine notation: it has exactly one spelling per value and no
free whitespace, and the parser accepts nothing else (a non-canonical text is
``E_NONCANONICAL``, pointing at the first character that differs).
"""

from __future__ import annotations

import re

from helixc.errors import E_NONCANONICAL, HelixError, text_error
from helixc.hookspecs import hookimpl
from helixc.notation import Notation
from helixc.scalars import BARE_KEY, parse_float, parse_int, quote, unquote
from helixc.textemit import Spelling, TextWriter
from helixc.textparse import LazyPattern, QuickFail, Reader, ValueBuilder, grammar_text, make_contract, make_map, parse_fast, reference_parse, require_no_surrogates, quick_run, NUM_START, IDENT_START
from helixc.values import Contract, Handle, INT_MIN, INT_MAX

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
    TOKENS = LazyPattern(
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
            fields.append((self.semantic(parse_int, fpos, ftok[1:-1]), self.value(depth), fpos))
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
        return key, self.value(depth), pos

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
        require_no_surrogates(text, self.name)
        try:
            return quick_parse(text)  # checks canonical form token by token
        except (QuickFail, RecursionError, HelixError, StopIteration, ValueError):
            return self._canonical(text, parse_fast(LCRReader, self._reference, text))

    def _reference(self, text):
        return reference_parse(self.grammar, Builder, self.name, text)

    def parse_reference(self, text):
        require_no_surrogates(text, self.name)
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


# --------------------------------------------------------------------------- quick path
# Same tokens as LCRReader (no free whitespace), no positions (see helixc.textparse.parse_quick).
# Canonical form is checked token by token (shortest float, no -0, canonical escapes and key
# quoting, ascending keys and fields), so valid input needs no re-emit; any doubt goes to the
# Reader, which re-emits and reports E_NONCANONICAL with the canonical text.
_QUICK = re.compile(
    r"""(-?(?:0|[1-9][0-9]*)(?:\.[0-9]+(?:e[+-][0-9]+)?|e[+-][0-9]+)"""
    r"""|-?(?:0|[1-9][0-9]*)"""
    r"""|"(?:[^"\\\x00-\x1f\x7f]|\\["\\nrt]|\\u[0-9a-f]{4})*\""""
    r"""|⊠(?:[0-9a-f][0-9a-f])*|⟁[A-Za-z0-9_]+|🜊(?:0|[1-9][0-9]*)|🜁(?:0|[1-9][0-9]*)\ """
    r"""|[A-Za-z_][A-Za-z0-9_]*|,\ |:\ |.)""",
    re.S,
)
_CONST = {NULL: None, TRUE: True, FALSE: False}
_INT_MIN, _INT_MAX = INT_MIN, INT_MAX


def quick_parse(text: str):
    return quick_run(_QUICK, _qvalue, text)


def _qtext(t):
    if len(t) < 2:
        raise QuickFail
    if "\\" not in t:
        return t[1:-1]
    s = unquote(t)
    if quote(s) != t:
        raise QuickFail
    return s


def _qvalue(t, nxt, depth):
    c = t[0]
    if c == '"':
        return _qtext(t)
    if c in NUM_START:
        if "." in t or "e" in t:
            v = float(t)
            if v - v != 0.0 or repr(v + 0.0) != t:
                raise QuickFail
            return v
        if t == "-" or t == "-0":
            raise QuickFail
        v = int(t)
        if not _INT_MIN <= v <= _INT_MAX:
            raise QuickFail
        return v
    if c == ARRAY_OPEN:
        if depth >= 64:
            raise QuickFail
        t = nxt()
        if t == ARRAY_CLOSE:
            return []
        out = []
        d = depth + 1
        while True:
            out.append(_qvalue(t, nxt, d))
            t = nxt()
            if t == ", ":
                t = nxt()
            elif t == ARRAY_CLOSE:
                return out
            else:
                raise QuickFail
    if c == MAP_OPEN:
        if depth >= 64:
            raise QuickFail
        d = depth + 1
        t = nxt()
        if t == MAP_CLOSE:
            return {}
        out = {}
        last = None
        while True:
            c = t[0]
            if c == '"':
                key = _qtext(t)
                if BARE_KEY.match(key) and key not in RESERVED:
                    raise QuickFail
            elif c in IDENT_START and t not in RESERVED:
                key = t
            else:
                raise QuickFail
            if nxt() != ": " or (last is not None and key <= last):
                raise QuickFail
            out[key] = _qvalue(nxt(), nxt, d)
            last = key
            t = nxt()
            if t == ", ":
                t = nxt()
            elif t == MAP_CLOSE:
                return out
            else:
                raise QuickFail
    if c == CONTRACT_OPEN and len(t) > 1:
        if depth >= 64:
            raise QuickFail
        d = depth + 1
        cid = int(t[1:])
        if cid > 0xFFFFFFFF:
            raise QuickFail
        fields = {}
        last = -1
        while True:
            t = nxt()
            if t == CONTRACT_CLOSE:
                return Contract(cid, fields)
            if t[0] != FIELD or len(t) < 3:
                raise QuickFail
            i = int(t[1:-1])
            if i <= last or i > 0xFFFF:
                raise QuickFail
            fields[i] = _qvalue(nxt(), nxt, d)
            last = i
    if t in _CONST:
        return _CONST[t]
    if c == BYTES:
        return bytes.fromhex(t[1:])
    if c == HANDLE and len(t) > 1:
        return Handle(t[1:])
    raise QuickFail


NOTATION = LCR()


@hookimpl
def register_notations(register):
    register(NOTATION)
