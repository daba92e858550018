"""LC-T: the compact ASCII notation, e.g. ``{C:14,0=[1,2],1=@docs}``."""

from __future__ import annotations

import re
from itertools import compress, count, repeat

from helixc.errors import E_CONTRACT_STRUCTURE, E_DEPTH, E_DUPLICATE_KEY, E_FIELD_ORDER, E_LC_PARSE, E_TEXT_INVALID, HelixError, text_error
from helixc.hookspecs import hookimpl
from helixc.limits import guarded
from helixc.notation import Notation
from helixc.scalars import parse_float, parse_int, quote, unquote
from helixc.textemit import Spelling, TextWriter
from helixc.textparse import LazyPattern, QuickFail, Reader, ValueBuilder, grammar_text, make_contract, make_map, reference_parse, NUM_START, IDENT_START
from helixc.textscan import (native_skim, ascending_fields, cannot_balance, native_tokens, fresh_keys, plain_count, same_run, AT, DEPTH_MESSAGE, EOF, EVENT, SYNTAX, TokenText, cid_event, dup_field_message, dup_key_message,
                             field_range_message, float_event, index_value, int_event, int_prefix_len, key_of, order_field_message,
                             raise_found, reserved_message, run_quick, quick_reader, text_event)
from helixc.values import Contract, Handle, INT_MIN, INT_MAX, FIELD_INDEX_MAX

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
        |(?P<str>"[\x20\x21\x23-\x5b\x5d-\x7e]*+(?:\\(?:["\\nrt]|u[0-9a-fA-F]{4})[\x20\x21\x23-\x5b\x5d-\x7e]*+)*+")
        |(?P<bytes>\#(?:[0-9a-fA-F][0-9a-fA-F])*+)
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
    grammar = grammar_text(__name__)
    # what the core asks instead of naming this notation (helixc.catalog, docs/PLUGINS.md)
    from .english import ENGLISH_NAMES as english_names, MORE_ENGLISH_NAMES as more_english_names, READER_NAMES as reader_names, DESCRIPTIVE_WORDS as descriptive_words, ROUTE_RANK as route_rank, START_CHARS as start_chars
    from .english import DESCRIPTION_STOP_WORDS as description_stop_words, LIST_STOP_WORDS as list_stop_words
    from .english import TOPIC_STOP_WORDS as topic_stop_words, EXAMPLE_REQUEST as example_request
    from .corpus import FAMILY_WEIGHTS as corpus_families, SOURCE_RANK as corpus_source_rank, payload as corpus_payload
    from .slots import SLOT_SPELLING as slot_spelling
    from .order import ORDER_RULES as order_rules
    from . import seed_dialect  # how the seed corpora write LC-T (corpora/seed_import.py)

    def __init__(self):
        self.writer = TextWriter(SPELLING, self.name)

    @guarded  # helixc.limits: input size limit, MemoryError -> E_INPUT_TOO_LARGE
    def parse(self, text):
        _require_ascii(text)
        first = _LEAD_WS.match(text).end()
        if first < len(text) and text[first] not in _VALUE_START:  # garbage: no need to read it all
            return positioned(text, [LCTReader.TOKENS.match(text, first).group()])
        toks = _tokens(text)
        if toks and toks[-1] in _TRAILING_WS:
            toks.pop()  # trailing whitespace: the pattern's last match is its last character
        if toks and toks[-1] not in _NEVER_LAST and not cannot_balance(text, toks, _PAIRS):  # truncated: no quick parse
            try:
                return _quick(toks)
            except (QuickFail, RecursionError, HelixError, StopIteration, ValueError):
                pass  # not valid, or not for the quick parser: find the error (bounded time and memory)
        return positioned(text, toks)

    def _reference(self, text):
        return reference_parse(self.grammar, Builder, self.name, text)

    @guarded
    def parse_reference(self, text):
        _require_ascii(text)
        return reference_parse(self.grammar, Builder, self.name, text)

    def emit(self, value):
        return self.writer.emit(value)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _require_ascii(text: str) -> None:
    if not text.isascii():
        i = _NON_ASCII.search(text).start()
        raise text_error(E_TEXT_INVALID, f"LC-T is ASCII only; write {text[i]!r} as a \\u escape", "lc-t", text, i)


# --------------------------------------------------------------------------- quick path
# Same tokens as LCTReader, whitespace skipped by the pattern, no positions (see helixc.textparse.parse_quick).
# Punctuation first, possessive loops, trailing whitespace dropped (see the HLXL pattern in helixc_plugins.hlxl).
_QUICK = re.compile(
    r"""[ \t\r\n]*([\[\]{}:,=]"""
    r"""|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+(?:[eE][+-]?[0-9]+)?|[eE][+-]?[0-9]+)"""
    r"""|-?(?:0|[1-9][0-9]*)"""
    r"""|"[\x20\x21\x23-\x5b\x5d-\x7e]*+(?:\\(?:["\\nrt]|u[0-9a-fA-F]{4})[\x20\x21\x23-\x5b\x5d-\x7e]*+)*+\""""
    r"""|\#(?:[0-9a-fA-F][0-9a-fA-F])*+|@[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*"""
    r"""|[^\[\]{}:,="\-0-9A-Za-z_\#@ \t\r\n]++|.)""",  # a run of characters no token starts with: one token
    re.S,
)
# The C tokenizer's table (helixc.textscan.native_tokens; keys described in plugins/_textlex_native.c):
# _QUICK's alternatives, in its order.
_LEX = {
    "whitespace": " \t\r\n", "literals": tuple("[]{}:,="), "exponent": "eE", "exponent_sign": False, "radix": False,
    "lower_escapes": False, "ascii_strings": True,
    "prefixed": (("#", "hex", ""), ("@", "word", "")),
    "run_stops": "[]{}:,=#@ \t\r\n",  # besides letters, digits, _, - and "
}
_tokens = native_tokens(_LEX) or _QUICK.findall  # the same list in C where built (helixc.textscan)
_CONST = {"NULL": None, "TRUE": True, "FALSE": False}
_INT_MIN, _INT_MAX = INT_MIN, INT_MAX


_TRAILING_WS = frozenset(" \t\r\n")
_LEAD_WS = re.compile(r"[ \t\r\n]*")
_VALUE_START = frozenset('[{"-0123456789NTF#@')  # what a value can start with
_NEVER_LAST = frozenset("[{,:=")  # tokens no valid text ends with
_PAIRS = (("[", "]"), ("{", "}"))  # brackets that must balance (helixc.textscan.cannot_balance)


def quick_parse(text: str):
    toks = _QUICK.findall(text)
    if toks and toks[-1] in _TRAILING_WS:
        toks.pop()
    return run_quick(toks, _qvalue)


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
        if t == "-":  # _qint, inline (one call less per int)
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
            if last is not None and (key <= last or not ordered):  # once out of order, any key may repeat
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



_SPELLING = ("[", "]", ",", "{", "}", ":", _CONST, RESERVED, "#", 0, "@", Handle, Contract,
             2, ("C", "="), False, False, unquote, quote, parse_int)  # the C quick parser's table (helixc.textscan.quick_reader)
_quick = quick_reader(_qvalue, _SPELLING)  # the C value builder where built, else run_quick(toks, _qvalue)
_SKIM = native_skim(_SPELLING)  # the scan's token loop in C where built (helixc.textscan)

# --------------------------------------------------------------------------- error path
# `scan` finds the error of a text the quick parser gave up on, in one pass over the same token
# strings (see helixc.textscan for the rules it follows and why).

_V, _VA, _AV, _K0, _K, _KC, _TC, _TI, _FI, _FE = range(10)
_ARR, _MAP, _CON = 0, 1, 2
_ARRF = (_ARR,)  # frames: arrays carry nothing; maps [_MAP, start, err, seen]; contracts also last, cid
_MAPF = (_MAP, -1, None, None)  # a map or contract whose own errors no longer matter
_CONF = (_CON, -1, None, None, -1, 0)
_VALUE_WORDS = ("NULL", "TRUE", "FALSE")
_NUMCH = frozenset("-0123456789")
_WHAT_AV = ("',' or ']'", "',' or '}'", "',' or '}'")
_WHAT = {_V: "a value", _VA: "a value", _K0: "a map key", _K: "a map key", _KC: "':'", _TC: "':'",
         _TI: "a contract id", _FI: "a field index", _FE: "'='"}
_OPEN_NE, _CLOSE_NE = "[".__ne__, "]".__ne__
# Plain tokens (helixc.textscan, flat runs): a value, key or field index whose scan step cannot fail.
_PLAIN = re.compile(r'(?:(?:-?[0-9]{1,17}|[0-9]{18}|"[^"\\]*"|NULL|TRUE|FALSE|\#[0-9a-fA-F]*|@[A-Za-z0-9_]+)\x00)*+')
_PLAIN_KEY = re.compile(r'(?:(?:"[^"\\]*"|(?!(?:null|true|false|NULL|TRUE|FALSE|C)\x00)[A-Za-z_][A-Za-z0-9_]*)\x00)*+')
_PLAIN_FIELD = re.compile(r"(?:[0-9]{1,18}\x00)*+")

def _run_end(toks: list, k: int, ne) -> int:
    """The first index from ``k`` whose token differs (``ne`` is that token's ``__ne__``): C speed."""
    it = iter(toks)
    it.__setstate__(k)
    return next(compress(count(k), map(ne, it)), len(toks))


def _is_int(t):
    return t[0] in _NUMCH and t != "-" and "." not in t and "e" not in t and "E" not in t


def positioned(text: str, toks: list):
    """The error of ``text`` (or its value, when the quick parser only declined it)."""
    found = scan(toks)
    if found is None:
        return LCTReader(text).parse()  # valid text the quick parser does not take (none known)
    raise_found(TokenText(text, toks, len(toks), "lc-t", _QUICK, LCTReader.TOKENS), found)


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
    stack = []
    push = stack.append
    braces = []  # stack indices of the map and contract frames (array runs are popped in one step)
    state = _V
    k = 0
    nob = 0  # no bulk run is tried before this token (each run is tried once: linear time)
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
            if t == ",":
                if k >= nob:  # a flat run of plain items, in bulk (helixc.textscan: flat runs)
                    if fk == _ARR:
                        if k + 6 < n and toks[k + 2] == "," == toks[k + 4] == toks[k + 6]:
                            c = same_run(toks, k, 2, ",")
                            nob = k + 2 * c
                            m = plain_count(toks, k + 1, 2, c, _PLAIN)
                            if m:
                                k += 2 * m
                                continue
                    elif k + 8 < n and toks[k + 4] == "," == toks[k + 8] and toks[k + 2] == (mid := ":" if fk == _MAP else "=") == toks[k + 6]:
                        c = min(same_run(toks, k, 4, ","), same_run(toks, k + 2, 4, mid))
                        nob = k + 4 * c
                        m = plain_count(toks, k + 3, 4, plain_count(toks, k + 1, 4, c, _PLAIN_KEY if fk == _MAP else _PLAIN_FIELD), _PLAIN)
                        if m and (fk == _MAP or sem):
                            seen = fr[3]
                            if seen is not None:
                                if ref and Bs > fr[1]:
                                    fr[3] = None
                                elif fk == _MAP:
                                    m = fresh_keys(seen, [t[1:-1] if t[0] == '"' else t for t in toks[k + 1:k + 4 * m:4]])
                                else:
                                    m = ascending_fields(fr, map(int, toks[k + 1:k + 4 * m:4]), FIELD_INDEX_MAX)
                        if m:
                            k += 4 * m
                            continue
                state = _V if fk == _ARR else _K if fk == _MAP else _FI
            elif fk == _ARR and t == "]":
                if k + 1 < n and toks[k + 1] == "]":  # a run of closing brackets
                    m = min(_run_end(toks, k, _CLOSE_NE) - k, len(stack) - (braces[-1] + 1 if braces else 0))
                    del stack[len(stack) - m:]
                    k += m
                    continue
                stack.pop()
            elif fk != _ARR and t == "}":
                stack.pop()
                braces.pop()
                err = fr[2]
                if err is not None:
                    if not ref:
                        ref, R = True, err
                    if fr[1] > Bs:
                        B, Bs = err, fr[1]
            else:
                return (SYNTAX, None if ref else _WHAT_AV[fk], k, 0)
            k += 1
            continue
        if state == _V or state == _VA:
            c = t[0]
            if c == "[" or c == "{":
                bulk = skim is None or (ref and sem)  # else one token: the C loop takes the rest
                if c == "[" and bulk and k + 1 < n and toks[k + 1] == "[":  # a run of opening brackets, in one step
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
                if c == "[":
                    push(_ARRF)
                    state = _VA
                else:
                    braces.append(len(stack))
                    push(None)  # map or contract: the next token decides
                    state = _K0
                k += 1
                continue
            if c == "]" and state == _VA:
                stack.pop()
            elif c == '"' and len(t) > 1:
                if sem and "\\u" in t:
                    ev = text_event(t)
                    if ev is not None:
                        if not ref:
                            ref, R = True, (ev[0], ev[1], k)
                        B, Bs = (ev[0], ev[1], k), k
            elif c in _NUMCH and t != "-":
                if sem and len(t) > 1:
                    if "." in t or "e" in t or "E" in t:
                        ev = float_event(t)
                    else:
                        ev = int_event(t) if len(t) > 18 else None
                    if ev is not None:
                        if not ref:
                            ref, R = True, (ev[0], ev[1], k)
                        B, Bs = (ev[0], ev[1], k), k
            elif c in IDENT_START:
                if t not in _VALUE_WORDS:  # an identifier where a value goes
                    if not ref:
                        return (SYNTAX, "a value", k, 0)
                    for kw in _VALUE_WORDS:  # Lark's lexer reads the keyword, then stops at the rest
                        if t.startswith(kw):
                            return (SYNTAX, None, k, len(kw))
                    return (SYNTAX, None, k, 0)
            elif c != "#" and (c != "@" or len(t) == 1):
                return (SYNTAX, None if ref else "a value", k, 0)
            state = _AV
            k += 1
            continue
        if state == _K0 or state == _K:
            c = t[0]
            if state == _K0:
                start = k - 1  # the "{"
                if t == "}":
                    stack.pop()
                    braces.pop()
                    state = _AV
                    k += 1
                    continue
                if t == "C":  # {C:cid,i=v,...}
                    stack[-1] = [_CON, start, None, None, -1, 0] if sem else _CONF
                    state = _TC
                    k += 1
                    continue
                stack[-1] = [_MAP, start, None, set()] if sem else _MAPF
            key = None
            if c == '"' and len(t) > 1:
                key = key_of(t)
                if key is None and sem:
                    ev = text_event(t)
                    if not ref:
                        ref, R = True, (ev[0], ev[1], k)
                    B, Bs = (ev[0], ev[1], k), k
            elif c in IDENT_START:
                if not ref:
                    if t in _VALUE_WORDS or t == "C":
                        return (SYNTAX, "a map key", k, 0)
                    if t in RESERVED:
                        return (EVENT, E_LC_PARSE, reserved_message(t), k, 0)
                elif sem and t in RESERVED:  # the grammar reads it as an identifier; the builder refuses it
                    B, Bs = (E_LC_PARSE, reserved_message(t), k), k
                key = t
            else:
                return (SYNTAX, None if ref else "a map key", k, 0)
            fr = stack[-1]
            seen = fr[3]
            if seen is not None and key is not None:
                if ref and Bs > fr[1]:
                    fr[3] = None  # an error inside this map comes first now
                elif key in seen:
                    fr[2], fr[3] = (E_DUPLICATE_KEY, dup_key_message(key), k), None
                else:
                    seen.add(key)
            state = _KC
            k += 1
            continue
        if state == _KC or state == _TC:
            if t != ":":
                return (SYNTAX, None if ref else "':'", k, 0)
            state = _V if state == _KC else _TI
        elif state == _TI or state == _FI:
            if not _is_int(t):
                if not ref:
                    return (SYNTAX, _WHAT[state], k, 0)
                return (SYNTAX, None, k, int_prefix_len(t) if t[0] in _NUMCH else 0)  # Lark: an int, then the rest
            if state == _TI:
                fr = stack[-1]
                if sem:
                    ev = cid_event(t)
                    if ev is None:
                        fr[3], fr[5] = set(), int(t)
                    else:
                        fr[2] = (ev[0], ev[1], fr[1])
                state = _AV
            else:
                state = _FE
        elif state == _FE:
            if t != "=":
                return (SYNTAX, None if ref else "'='", k, 0)
            if sem:
                digits = toks[k - 1]  # the field index, checked once the '=' is there (the Reader's order)
                j = k - 1
                if len(digits) > 18:
                    ev = int_event(digits)
                    if ev is not None:
                        if not ref:
                            ref, R = True, (ev[0], ev[1], j)
                        B, Bs = (ev[0], ev[1], j), j
                fr = stack[-1]
                seen = fr[3]
                if seen is not None:
                    if ref and Bs > fr[1]:
                        fr[3] = None
                    else:
                        i = index_value(digits.lstrip("-")) * (-1 if digits[0] == "-" else 1)
                        if not 0 <= i <= FIELD_INDEX_MAX:
                            fr[2], fr[3] = (E_CONTRACT_STRUCTURE, field_range_message(digits, i), j), None
                        elif i in seen:
                            fr[2], fr[3] = (E_CONTRACT_STRUCTURE, dup_field_message(fr[5], i), j), None
                        elif i < fr[4]:
                            fr[2], fr[3] = (E_FIELD_ORDER, order_field_message(fr[5], i, fr[4]), j), None
                        else:
                            seen.add(i)
                            fr[4] = i
            state = _V
        k += 1
    if state == _AV and not stack:
        if not ref:
            return None
        if D >= 0:
            return (EVENT, E_DEPTH, DEPTH_MESSAGE, D, 0)
        err = B if B is not None else R
        return (EVENT, err[0], err[1], err[2], 0)
    if ref:
        return (SYNTAX, None, EOF, 0)
    return (SYNTAX, _WHAT_AV[stack[-1][0]] if state == _AV else _WHAT[state], EOF, 0)


NOTATION = LCT()


@hookimpl
def register_notations(register):
    register(NOTATION)
