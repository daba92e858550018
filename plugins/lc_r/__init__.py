"""LC-R: the runic notation, e.g. ``🜊14🜁0 🜃1, 2🜄🜁1 ⟁docs🜂``.

LC-R is a machine notation: it has exactly one spelling per value and no
free whitespace, and the parser accepts nothing else (a non-canonical text is
``E_NONCANONICAL``, pointing at the first character that differs).
"""

from __future__ import annotations

import re
from itertools import compress, count, repeat

from helixc.errors import (E_CONTRACT_STRUCTURE, E_DEPTH, E_DUPLICATE_KEY, E_FIELD_ORDER, E_KEY_ORDER, E_LC_PARSE, E_NONCANONICAL,
                           HelixError, text_error)
from helixc.hookspecs import hookimpl
from helixc.limits import guarded
from helixc.notation import Notation
from helixc.scalars import BARE_KEY, key_text, parse_float, parse_int, quote, unquote
from helixc.textemit import Spelling, TextWriter
from helixc.textparse import LazyPattern, QuickFail, Reader, ValueBuilder, grammar_text, make_contract, make_map, reference_parse, require_no_surrogates, NUM_START, IDENT_START
from helixc.textscan import (native_skim, cannot_balance, native_tokens, AT, DEPTH_MESSAGE, EOF, EVENT, LARK_EOF, SYNTAX, TokenText, cid_event, dup_field_message, dup_key_message,
                             field_range_message, float_event, index_value, int_event, key_of, key_order_message, order_field_message,
                             raise_found, reserved_message, run_quick, quick_reader, text_event)
from helixc.values import Contract, Handle, INT_MIN, INT_MAX, FIELD_INDEX_MAX

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
        |(?P<str>"[^"\\\x00-\x1f\x7f]*+(?:\\(?:["\\nrt]|u[0-9a-f]{4})[^"\\\x00-\x1f\x7f]*+)*+")
        |(?P<bytes>⊠(?:[0-9a-f][0-9a-f])*+)
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
    grammar = grammar_text(__name__)
    # what the core asks instead of naming this notation (helixc.catalog, docs/PLUGINS.md)
    from .english import ENGLISH_NAMES as english_names, MORE_ENGLISH_NAMES as more_english_names, READER_NAMES as reader_names, DESCRIPTIVE_WORDS as descriptive_words, ROUTE_RANK as route_rank, START_CHARS as start_chars
    from .english import DESCRIPTION_STOP_WORDS as description_stop_words, LIST_STOP_WORDS as list_stop_words
    from .english import TOPIC_STOP_WORDS as topic_stop_words, EXAMPLE_REQUEST as example_request
    from .english import REQUEST_CUES as request_cues
    from .corpus import FAMILY_WEIGHTS as corpus_families, SOURCE_RANK as corpus_source_rank
    from .slots import SLOT_SPELLING as slot_spelling
    from .order import ORDER_RULES as order_rules
    from . import seed_dialect  # how the seed corpora write LC-R (corpora/seed_import.py)
    glyphs = GLYPHS

    def __init__(self):
        self.writer = TextWriter(SPELLING, self.name)

    @guarded  # helixc.limits: input size limit, MemoryError -> E_INPUT_TOO_LARGE
    def parse(self, text):
        require_no_surrogates(text, self.name)
        if text and text[0] not in _VALUE_START:  # garbage: no need to read it all
            return positioned(text, [LCRReader.TOKENS.match(text).group()])
        toks = _tokens(text)
        if (toks and toks[-1] not in _NEVER_LAST and toks[-1][0] not in _NEVER_LAST  # not truncated
                and not cannot_balance(text, toks, _PAIRS, _TEXT_PAIRS)):
            try:
                return _quick(toks)  # checks canonical form token by token
            except (QuickFail, RecursionError, HelixError, StopIteration, ValueError):
                pass  # not valid or not canonical: find the error (bounded time and memory)
        return positioned(text, toks)

    def _reference(self, text):
        return reference_parse(self.grammar, Builder, self.name, text)

    @guarded
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
# Separators first, possessive loops (see the HLXL pattern in helixc_plugins.hlxl).
_QUICK = re.compile(
    r"""(,\ |:\ |-?(?:0|[1-9][0-9]*)(?:\.[0-9]+(?:e[+-][0-9]+)?|e[+-][0-9]+)"""
    r"""|-?(?:0|[1-9][0-9]*)"""
    r"""|"[^"\\\x00-\x1f\x7f]*+(?:\\(?:["\\nrt]|u[0-9a-f]{4})[^"\\\x00-\x1f\x7f]*+)*+\""""
    r"""|⊠(?:[0-9a-f][0-9a-f])*+|⟁[A-Za-z0-9_]+|🜊(?:0|[1-9][0-9]*)|🜁(?:0|[1-9][0-9]*)\ """
    r"""|[A-Za-z_][A-Za-z0-9_]*|[^,:\-0-9"⊠⟁🜊🜁A-Za-z_∅⊤⊥🜃🜄🜂◇◆ ]++|.)""",  # a run no token starts with: one token
    re.S,
)
# The C tokenizer's table (helixc.textscan.native_tokens; keys described in plugins/_textlex_native.c):
# _QUICK's alternatives, in its order (no free whitespace).
_LEX = {
    "whitespace": "", "literals": (", ", ": "), "exponent": "e", "exponent_sign": True, "radix": False,
    "lower_escapes": True, "ascii_strings": False,
    "prefixed": ((BYTES, "lower hex", ""), (HANDLE, "word", ""), (CONTRACT_OPEN, "decimal", ""), (FIELD, "decimal", " ")),
    "run_stops": ",: " + "".join(GLYPHS),  # besides letters, digits, _, - and "
}
_tokens = native_tokens(_LEX) or _QUICK.findall  # the same list in C where built (helixc.textscan)
_CONST = {NULL: None, TRUE: True, FALSE: False}
_INT_MIN, _INT_MAX = INT_MIN, INT_MAX
_DIGITS = frozenset("0123456789")  # a token starting with one is a number: an int without "." and "e"


def quick_parse(text: str):
    return run_quick(_QUICK.findall(text), _qvalue)


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
            if t[0] in _DIGITS and len(t) < 19 and "." not in t and "e" not in t:  # an int in range, inline
                out.append(int(t))
            else:
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



_SPELLING = (ARRAY_OPEN, ARRAY_CLOSE, ", ", MAP_OPEN, MAP_CLOSE, ": ", _CONST, RESERVED, BYTES, 0, HANDLE, Handle, Contract,
             3, (CONTRACT_OPEN, FIELD, CONTRACT_CLOSE, 1), False, True, unquote, quote, parse_int)  # the C quick parser's table
_quick = quick_reader(_qvalue, _SPELLING)  # the C value builder where built, else run_quick(toks, _qvalue) (helixc.textscan)
_SKIM = native_skim(_SPELLING)  # the scan's token loop in C where built (helixc.textscan)

# --------------------------------------------------------------------------- error path
# `scan` finds the error of a text the quick parser gave up on, in one pass over the same token
# strings (see helixc.textscan for the rules it follows and why). A valid text in a spelling other
# than the canonical one is E_NONCANONICAL at the first character that differs: inside its first
# non-canonical token, found token by token without building the value.

_V, _VA, _AV, _K0, _K, _KC = range(6)
_ARR, _MAP, _CON = 0, 1, 2
_ARRF = (_ARR,)  # frames: arrays carry nothing; maps [_MAP, start, err, seen, last]; contracts also cid
_MAPF = (_MAP, -1, None, None, None)  # a map or contract whose own errors no longer matter
_CONF = (_CON, -1, None, None, -1, 0)
_NUMCH = frozenset("-0123456789")
_SCALAR_GLYPHS = frozenset((NULL, TRUE, FALSE))
_WHAT_AV = ("', ' or '🜄'", "', ' or '◆'", "'🜁' or '🜂'")
_WHAT = {_V: "a value", _VA: "a value", _K0: "a map key", _K: "a map key", _KC: "': '"}
_UINT = re.compile(r"0|[1-9][0-9]*")
_OPEN_NE, _CLOSE_NE = ARRAY_OPEN.__ne__, ARRAY_CLOSE.__ne__
_VALUE_START = frozenset((ARRAY_OPEN, MAP_OPEN, CONTRACT_OPEN, NULL, TRUE, FALSE, BYTES, HANDLE, '"', "-", *"0123456789"))
_NEVER_LAST = frozenset((", ", ": ", ARRAY_OPEN, MAP_OPEN, CONTRACT_OPEN, FIELD))  # a token (or its first character)
_PAIRS = ((ARRAY_OPEN, ARRAY_CLOSE), (MAP_OPEN, MAP_CLOSE))  # single-token brackets (helixc.textscan.cannot_balance)
_TEXT_PAIRS = ((CONTRACT_OPEN, CONTRACT_CLOSE),)  # 🜊N is one token: counted in the text only

def _run_end(toks: list, k: int, ne) -> int:
    """The first index from ``k`` whose token differs (``ne`` is that token's ``__ne__``): C speed."""
    it = iter(toks)
    it.__setstate__(k)
    return next(compress(count(k), map(ne, it)), len(toks))


def positioned(text: str, toks: list):
    """The error of ``text`` (or its value, when the quick parser only declined it)."""
    found = scan(toks)
    if found is None:  # valid and canonical, but not taken by the quick parser (none known)
        return NOTATION._canonical(text, LCRReader(text).parse())
    raise_found(TokenText(text, toks, len(toks), "lc-r", None, LCRReader.TOKENS, _lark_last, _lark_token), found)


def _lark_token(kind, tok):
    """Lark's lexer reads 🜊N as 🜊 then N, 🜁N␠ as 🜁, N, ␠; a lone 🜊 or 🜁 is a token to it too."""
    if tok[0] in (CONTRACT_OPEN, FIELD) or tok == " ":
        return "g", tok[0]
    return kind, tok


def _lark_last(tt) -> int:
    """Where Lark's last token starts: it reads 🜊N as 🜊 + N and 🜁N␠ as 🜁 + N + ␠."""
    last = tt.toks[tt.n - 1]
    start = len(tt.text) - len(last)
    if last[0] == CONTRACT_OPEN and len(last) > 1:
        return start + 1
    if last[0] == FIELD and len(last) > 2:
        return start + len(last) - 1
    return start


def _canon(t: str, nxt: str | None) -> str:
    """The canonical spelling of one token of a valid text (a string before ': ' is a key)."""
    c = t[0]
    if c == '"':
        s = unquote(t)
        return key_text(s, RESERVED) if nxt == ": " else quote(s)
    if c in _NUMCH:
        if "." in t or "e" in t:
            return repr(float(t) + 0.0)
        return "0" if t == "-0" else t
    return t


def _noncanonical(toks: list, k: int, canon: str):
    t = toks[k]
    off = next((i for i, (a, b) in enumerate(zip(t, canon)) if a != b), min(len(t), len(canon)))
    head = "".join(toks[:min(k, 61)])  # the text's first 61 characters at most (a token has one or more)
    again = [head[:61], canon]
    size = len(again[0]) + len(canon)
    j = k + 1
    while size <= 60 and j < len(toks):
        piece = _canon(toks[j], toks[j + 1] if j + 1 < len(toks) else None)
        again.append(piece)
        size += len(piece)
        j += 1
    message = f"not canonical LC-R; the canonical text is {_short(''.join(again))}"
    return (EVENT, E_NONCANONICAL, message, k, off)


def _field_quirk(toks: list, k: int, n: int):
    """Lark reads a lone 🜁 (no digits and space after it) as 🜁, then an index, then wants a space."""
    if k + 1 >= n:
        return (LARK_EOF, k, 0)
    m = _UINT.match(toks[k + 1])
    if m is None:
        return (SYNTAX, None, k, 1)
    u = m.end()
    if u == len(toks[k + 1]) and k + 2 >= n:
        return (LARK_EOF, k, 1)
    return (SYNTAX, None, k, 1 + u)


def scan(toks: list, skim=_SKIM):
    """The error of a text's token strings, or None (helixc.textscan); ``skim=None``: the Python loop alone."""
    n = len(toks)
    if not n:
        return (AT, E_LC_PARSE, "empty input, expected a value", 0)
    ref = False  # the Reader's first error was semantic: errors are now reported in the grammar's order
    R = None  # the Reader's first (semantic) error
    B = None  # the builder's error so far: the one of the node starting last
    Bs = -1  # ... and that node's first token
    D = -1  # the last container at depth 64 (the builder's depth error)
    sem = True  # semantic errors can still matter (not once D is set in the grammar's order)
    NC = None  # the first non-canonical token: (index, canonical spelling)
    stack = []
    push = stack.append
    braces = []  # stack indices of the map and contract frames (array runs are popped in one step)
    state = _V
    k = 0
    while k < n:
        if skim is not None and not (ref and sem):  # the C loop, up to the next token that could change an error
            k, state = skim(toks, k, state, stack, braces, sem)
            if k >= n:
                break
        t = toks[k]
        if state == _AV:
            if not stack:
                return (SYNTAX, None if ref else "end of input", k, 0)
            fr = stack[-1]
            fk = fr[0]
            if fk == _ARR and t == ARRAY_CLOSE and k + 1 < n and toks[k + 1] == ARRAY_CLOSE:  # a run of closers
                m = min(_run_end(toks, k, _CLOSE_NE) - k, len(stack) - (braces[-1] + 1 if braces else 0))
                del stack[len(stack) - m:]
                k += m
                continue
            if fk == _CON:
                if t[0] == FIELD and len(t) > 2:  # 🜁N␠: a field
                    state = _V
                    if sem:
                        digits = t[1:-1]
                        if len(digits) > 18:
                            ev = int_event(digits)
                            if ev is not None:
                                if not ref:
                                    ref, R = True, (ev[0], ev[1], k)
                                B, Bs = (ev[0], ev[1], k), k
                        seen = fr[3]
                        if seen is not None:
                            if ref and Bs > fr[1]:
                                fr[3] = None
                            else:
                                i = index_value(digits)
                                if i > FIELD_INDEX_MAX:
                                    fr[2], fr[3] = (E_CONTRACT_STRUCTURE, field_range_message(digits, i), k), None
                                elif i in seen:
                                    fr[2], fr[3] = (E_CONTRACT_STRUCTURE, dup_field_message(fr[5], i), k), None
                                elif i < fr[4]:
                                    fr[2], fr[3] = (E_FIELD_ORDER, order_field_message(fr[5], i, fr[4]), k), None
                                else:
                                    seen.add(i)
                                    fr[4] = i
                    k += 1
                    continue
                close = CONTRACT_CLOSE
            elif t == ", ":
                state = _V if fk == _ARR else _K
                k += 1
                continue
            else:
                close = ARRAY_CLOSE if fk == _ARR else MAP_CLOSE
            if t != close:
                if ref and fk == _CON and t == FIELD:
                    return _field_quirk(toks, k, n)
                return (SYNTAX, None if ref else _WHAT_AV[fk], k, 0)
            stack.pop()
            if fk != _ARR:
                braces.pop()
                err = fr[2]
                if err is not None:
                    if not ref:
                        ref, R = True, err
                    if fr[1] > Bs:
                        B, Bs = err, fr[1]
            k += 1
            continue
        if state == _V or state == _VA:
            c = t[0]
            if t == ARRAY_OPEN or t == MAP_OPEN or (c == CONTRACT_OPEN and len(t) > 1):
                bulk = skim is None or (ref and sem)  # else one token: the C loop takes the rest
                if t == ARRAY_OPEN and bulk and k + 1 < n and toks[k + 1] == ARRAY_OPEN:  # a run of openers, in one step
                    j = _run_end(toks, k, _OPEN_NE)
                    d = len(stack)
                    if d <= 64 < d + j - k:  # the container at depth 64 is in the run
                        D, sem = k + 64 - d, False
                        if not ref:
                            ref, R = True, (E_DEPTH, DEPTH_MESSAGE, D)
                    stack.extend(repeat(_ARRF, j - k))
                    state = _VA
                    k = j
                    continue
                if len(stack) >= 64:
                    if len(stack) == 64:
                        D, sem = k, False
                    if not ref:
                        ref, R = True, (E_DEPTH, DEPTH_MESSAGE, k)
                if t == ARRAY_OPEN:
                    push(_ARRF)
                    state = _VA
                elif t == MAP_OPEN:
                    braces.append(len(stack))
                    push([_MAP, k, None, set(), None] if sem else _MAPF)
                    state = _K0
                else:
                    braces.append(len(stack))
                    if sem:
                        ev = cid_event(t[1:])
                        push([_CON, k, None, set(), -1, int(t[1:])] if ev is None else [_CON, k, (ev[0], ev[1], k), None, -1, 0])
                    else:
                        push(_CONF)
                    state = _AV
                k += 1
                continue
            if t == ARRAY_CLOSE and state == _VA:
                stack.pop()
            elif c == '"' and len(t) > 1:
                if sem and "\\" in t:
                    ev = text_event(t)
                    if ev is not None:
                        if not ref:
                            ref, R = True, (ev[0], ev[1], k)
                        B, Bs = (ev[0], ev[1], k), k
                    elif NC is None and not ref and quote(unquote(t)) != t:
                        NC = (k, quote(unquote(t)))
            elif c in _NUMCH and t != "-":
                if "." in t or "e" in t:
                    if sem:
                        ev = float_event(t)
                        if ev is not None:
                            if not ref:
                                ref, R = True, (ev[0], ev[1], k)
                            B, Bs = (ev[0], ev[1], k), k
                        elif NC is None and not ref and repr(float(t) + 0.0) != t:
                            NC = (k, repr(float(t) + 0.0))
                elif len(t) > 18:
                    if sem:
                        ev = int_event(t)
                        if ev is not None:
                            if not ref:
                                ref, R = True, (ev[0], ev[1], k)
                            B, Bs = (ev[0], ev[1], k), k
                elif t == "-0" and NC is None:
                    NC = (k, "0")
            elif not (t in _SCALAR_GLYPHS or c == BYTES or (c == HANDLE and len(t) > 1)):
                if ref and t == CONTRACT_OPEN:  # Lark reads 🜊, then wants the id
                    return (SYNTAX, None, k, 1) if k + 1 < n else (LARK_EOF, k, 0)
                return (SYNTAX, None if ref else "a value", k, 0)
            state = _AV
            k += 1
            continue
        if state == _K0 or state == _K:
            if state == _K0 and t == MAP_CLOSE:
                stack.pop()
                braces.pop()
                state = _AV
                k += 1
                continue
            c = t[0]
            key = None
            if c == '"' and len(t) > 1:
                key = key_of(t)
                if key is None:
                    if sem:
                        ev = text_event(t)
                        if not ref:
                            ref, R = True, (ev[0], ev[1], k)
                        B, Bs = (ev[0], ev[1], k), k
                elif NC is None and not ref and key_text(key, RESERVED) != t:
                    NC = (k, key_text(key, RESERVED))
            elif c in IDENT_START:
                key = t
                if t in RESERVED and sem:
                    if not ref:
                        ref, R = True, (E_NONCANONICAL, f"{t!r} must be quoted as a map key", k)
                    B, Bs = (E_NONCANONICAL, reserved_message(t), k), k
            else:
                return (SYNTAX, None if ref else "a map key", k, 0)
            fr = stack[-1]
            seen = fr[3]
            if seen is not None and key is not None:
                if ref and Bs > fr[1]:
                    fr[3] = None  # an error inside this map comes first now
                elif key in seen:
                    fr[2], fr[3] = (E_DUPLICATE_KEY, dup_key_message(key), k), None
                elif fr[4] is not None and key < fr[4]:
                    fr[2], fr[3] = (E_KEY_ORDER, key_order_message(key, fr[4]), k), None
                else:
                    seen.add(key)
                    fr[4] = key
            state = _KC
            k += 1
            continue
        # _KC
        if t != ": ":
            return (SYNTAX, None if ref else "': '", k, 0)
        state = _V
        k += 1
    if state == _AV and not stack:
        if not ref:
            return None if NC is None else _noncanonical(toks, NC[0], NC[1])
        if D >= 0:
            return (EVENT, E_DEPTH, DEPTH_MESSAGE, D, 0)
        err = B if B is not None else R
        return (EVENT, err[0], err[1], err[2], 0)
    if ref:
        return (SYNTAX, None, EOF, 0)
    return (SYNTAX, _WHAT_AV[stack[-1][0]] if state == _AV else _WHAT[state], EOF, 0)


NOTATION = LCR()


@hookimpl
def register_notations(register):
    register(NOTATION)
