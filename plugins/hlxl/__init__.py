"""HLXL: the human-facing notation, e.g. ``{14: {@0: [1, 2], @1: &h_docs}}``."""

from __future__ import annotations

import re
from itertools import compress, count, repeat

from helixc.errors import E_CONTRACT_STRUCTURE, E_DEPTH, E_DUPLICATE_KEY, E_FIELD_ORDER, E_LC_PARSE, HelixError
from helixc.hookspecs import hookimpl
from helixc.limits import guarded
from helixc.notation import Notation
from helixc.scalars import parse_float, parse_int, quote, unquote
from helixc.textemit import Spelling, TextWriter
from helixc.textparse import LazyPattern, QuickFail, Reader, ValueBuilder, grammar_text, make_contract, make_map, reference_parse, require_no_surrogates, NUM_START, IDENT_START
from helixc.textscan import (native_skim, ascending_fields, cannot_balance, native_tokens, fresh_keys, plain_count, same_run, AT, DEPTH_MESSAGE, EOF, EVENT, SYNTAX, TokenText, dup_field_message, dup_key_message, field_range_message,
                             float_event, index_value, int_event, int_prefix_len, key_of, order_field_message, raise_found,
                             reserved_message, run_quick, quick_reader, text_event, cid_event)
from helixc.values import Contract, Handle, INT_MIN, INT_MAX, FIELD_INDEX_MAX

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
        |(?P<str>"[^"\\\x00-\x1f\x7f]*+(?:\\(?:["\\nrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f\x7f]*+)*+")
        |(?P<bytes>x"(?:[0-9a-fA-F][0-9a-fA-F])*+")
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
    grammar = grammar_text(__name__)
    # what the core asks instead of naming this notation (helixc.catalog, docs/PLUGINS.md)
    from .english import ENGLISH_NAMES as english_names, MORE_ENGLISH_NAMES as more_english_names, READER_NAMES as reader_names, DESCRIPTIVE_WORDS as descriptive_words, ROUTE_RANK as route_rank, START_CHARS as start_chars
    from .english import DESCRIPTION_STOP_WORDS as description_stop_words, LIST_STOP_WORDS as list_stop_words
    from .english import TOPIC_STOP_WORDS as topic_stop_words, EXAMPLE_REQUEST as example_request
    from .corpus import FAMILY_WEIGHTS as corpus_families, FAMILY_SOURCES as corpus_family_sources, SOURCE_RANK as corpus_source_rank
    from .corpus import payload as corpus_payload, format_payload as corpus_format_payload
    from .slots import SLOT_SPELLING as slot_spelling
    from .order import ORDER_RULES as order_rules
    from . import seed_dialect  # how the seed corpora write HLXL (corpora/seed_import.py)
    writes_values = True  # the models and the corpus write values in HLXL

    def __init__(self):
        self.writer = TextWriter(SPELLING, self.name)

    @guarded  # helixc.limits: input size limit, MemoryError -> E_INPUT_TOO_LARGE
    def parse(self, text):
        require_no_surrogates(text, self.name)
        first = _LEAD_WS.match(text).end()
        if first < len(text) and text[first] not in _VALUE_START:  # garbage: no need to read it all
            return positioned(text, [HLXLReader.TOKENS.match(text, first).group()])
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
        require_no_surrogates(text, self.name)
        return reference_parse(self.grammar, Builder, self.name, text)

    def emit(self, value):
        return self.writer.emit(value)


# --------------------------------------------------------------------------- quick path
# Same tokens as HLXLReader, whitespace skipped by the pattern, no positions: re.findall gives
# plain strings, classified by their first character. Punctuation is tried first (the commonest
# token); the string and bytes loops are possessive: a plain `(?:a|b)*` keeps a backtracking entry
# per character (1.1 GB for a 10 MB string) and the match is deterministic anyway. The whitespace
# run is not possessive (it would be retried from every later position of trailing whitespace):
# trailing whitespace ends in a one-character token, dropped before the quick parser runs.
_QUICK = re.compile(
    r"""[ \t\r\n]*([\[\]{}:,]"""
    r"""|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+(?:[eE][+-]?[0-9]+)?|[eE][+-]?[0-9]+)"""
    r"""|-?0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)"""
    r"""|-?(?:0|[1-9][0-9]*)"""
    r"""|"[^"\\\x00-\x1f\x7f]*+(?:\\(?:["\\nrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f\x7f]*+)*+\""""
    r"""|x"(?:[0-9a-fA-F][0-9a-fA-F])*+\""""
    r"""|&h_[A-Za-z0-9_]+|@(?:0|[1-9][0-9]*)|[A-Za-z_][A-Za-z0-9_]*"""
    r"""|[^\[\]{}:,"\-0-9A-Za-z_&@ \t\r\n]++|.)""",  # a run of characters no token starts with: one token
    re.S,
)
# The C tokenizer's table (helixc.textscan.native_tokens; keys described in plugins/_textlex_native.c):
# _QUICK's alternatives, in its order.
_LEX = {
    "whitespace": " \t\r\n", "literals": tuple("[]{}:,"), "exponent": "eE", "exponent_sign": False, "radix": True,
    "lower_escapes": False, "ascii_strings": False,
    "prefixed": (('x"', "hex", '"'), ("&h_", "word", ""), ("@", "decimal", "")),
    "run_stops": "[]{}:,&@ \t\r\n",  # besides letters, digits, _, - and "
}
_tokens = native_tokens(_LEX) or _QUICK.findall  # the same list in C where built (helixc.textscan)
_CONST = {"null": None, "true": True, "false": False}
_INT_MIN, _INT_MAX = INT_MIN, INT_MAX


_TRAILING_WS = frozenset(" \t\r\n")
_LEAD_WS = re.compile(r"[ \t\r\n]*")
_VALUE_START = frozenset('[{"-0123456789ntfx&')  # what a value can start with
_NEVER_LAST = frozenset("[{,:")  # tokens no valid text ends with
_PAIRS = (("[", "]"), ("{", "}"))  # brackets that must balance (helixc.textscan.cannot_balance)


def quick_parse(text: str):
    toks = _QUICK.findall(text)
    if toks and toks[-1] in _TRAILING_WS:
        toks.pop()
    return run_quick(toks, _qvalue)


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
    if c in IDENT_START:
        if t in _CONST:
            return _CONST[t]
        if c == "x" and t[1:2] == '"':
            return bytes.fromhex(t[2:-1])
        raise QuickFail
    if c == "&" and len(t) > 3:
        return Handle(t[3:])
    raise QuickFail



_SPELLING = ("[", "]", ",", "{", "}", ":", _CONST, frozenset(_CONST), 'x"', 1, "&h_", Handle, Contract,
             1, ("@", "{", "}"), True, False, unquote, quote, parse_int)  # the C quick parser's table (helixc.textscan.quick_reader)
_quick = quick_reader(_qvalue, _SPELLING)  # the C value builder where built, else run_quick(toks, _qvalue)
_SKIM = native_skim(_SPELLING)  # the scan's token loop in C where built (helixc.textscan)

# --------------------------------------------------------------------------- error path
# `scan` finds the error of a text the quick parser gave up on, in one pass over the same token
# strings (see helixc.textscan for the rules it follows and why).

_V, _VA, _AV, _K0, _K, _KC, _CC, _CB, _F0, _F, _FC, _CE = range(12)
_ARR, _MAP, _CON = 0, 1, 2
_ARRF = (_ARR,)  # frames: arrays carry nothing; maps [_MAP, start, err, seen]; contracts also last, cid
_MAPF = (_MAP, -1, None, None)  # a map or contract whose own errors no longer matter
_CONF = (_CON, -1, None, None, -1, 0)
_KEYWORDS = ("null", "true", "false")
_NUMCH = frozenset("-0123456789")
_RADIX = frozenset("xXoObB")
_WHAT_AV = ("',' or ']'", "',' or '}'", "',' or '}'")
_WHAT = {_V: "a value", _VA: "a value", _K0: "a map key", _K: "a map key", _KC: "':'", _CC: "':'",
         _CB: "'{' opening the contract fields", _F0: "a field '@N'", _F: "a field '@N'", _FC: "':'",
         _CE: "'}' closing the contract"}
_OPEN_NE, _CLOSE_NE = "[".__ne__, "]".__ne__
# Plain tokens (helixc.textscan, flat runs): a value, key or field whose scan step cannot fail.
_PLAIN = re.compile(r'(?:(?:-?[0-9]{1,17}|[0-9]{18}|"[^"\\]*"|null|true|false|x"[0-9a-fA-F]*"|&h_[A-Za-z0-9_]+)\x00)*+')
_PLAIN_KEY = re.compile(r'(?:(?:"[^"\\]*"|(?!(?:null|true|false)\x00)[A-Za-z_][A-Za-z0-9_]*)\x00)*+')
_PLAIN_FIELD = re.compile(r"(?:@[0-9]{1,18}\x00)*+")
_PLAIN_START = frozenset('-0123456789"ntfx&')  # what a plain value starts with (a cheap test first)
_KEY_START = frozenset('"_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ')


def _run_end(toks: list, k: int, ne) -> int:
    """The first index from ``k`` whose token differs (``ne`` is that token's ``__ne__``): C speed."""
    it = iter(toks)
    it.__setstate__(k)
    return next(compress(count(k), map(ne, it)), len(toks))


def positioned(text: str, toks: list):
    """The error of ``text`` (or its value, when the quick parser only declined it)."""
    found = scan(toks)
    if found is None:
        return HLXLReader(text).parse()  # valid text the quick parser does not take (none known)
    raise_found(TokenText(text, toks, len(toks), "hlxl", _QUICK, HLXLReader.TOKENS), found)


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
    nob = nobo = 0  # no bulk run / nested groups tried before these tokens (each once: linear time)
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
                    elif k + 8 < n and toks[k + 4] == "," == toks[k + 8] and toks[k + 2] == ":" == toks[k + 6]:
                        c = min(same_run(toks, k, 4, ","), same_run(toks, k + 2, 4, ":"))
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
                                    m = ascending_fields(fr, map(int, [t[1:] for t in toks[k + 1:k + 4 * m:4]]), FIELD_INDEX_MAX)
                        if m:
                            k += 4 * m
                            continue
                state = _V if fk == _ARR else _K if fk == _MAP else _F
            elif fk == _ARR and t == "]":
                if k + 1 < n and toks[k + 1] == "]":  # a run of closing brackets
                    m = min(_run_end(toks, k, _CLOSE_NE) - k, len(stack) - (braces[-1] + 1 if braces else 0))
                    del stack[len(stack) - m:]
                    k += m
                    continue
                stack.pop()
            elif fk != _ARR and t == "}":
                if fk == _CON:
                    state = _CE
                else:
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
                if (bulk and k >= nobo and k + 5 < n and toks[k + 3] == c and toks[k + 2] == (mid := "," if c == "[" else ":") == toks[k + 5]
                        and toks[k + 1][0] in (_PLAIN_START if c == "[" else _KEY_START)):
                    # nested groups in bulk: "[ v ," or "{ key :" again and again, every v / key plain
                    g = min(same_run(toks, k, 3, c), same_run(toks, k + 2, 3, mid))
                    nobo = k + 3 * g
                    m = plain_count(toks, k + 1, 3, g, _PLAIN if c == "[" else _PLAIN_KEY)
                    if m:
                        d = len(stack)
                        i0 = max(0, 64 - d)  # the first group opened at depth >= 64
                        lim = min(m, i0) if sem else 0  # groups whose map frame is read while sem holds
                        if i0 < m:
                            if d <= 64:
                                D, sem = k + 3 * i0, False
                            if not ref:
                                ref, R = True, (E_DEPTH, DEPTH_MESSAGE, k + 3 * i0)
                        if c == "[":
                            stack.extend(repeat(_ARRF, m))
                        else:
                            braces.extend(range(d, d + m))
                            if lim:
                                keys = [t[1:-1] if t[0] == '"' else t for t in toks[k + 1:k + 3 * lim:3]]
                                stack.extend([[_MAP, k + 3 * i, None, {key}] for i, key in enumerate(keys)])
                            stack.extend(repeat(_MAPF, m - lim))
                        state = _V
                        k += 3 * m
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
                    if t[1] in _RADIX or (len(t) > 2 and t[2] in _RADIX and c == "-"):
                        ev = int_event(t) if len(t) > 17 else None
                    elif "." in t or "e" in t or "E" in t:
                        ev = float_event(t)
                    else:
                        ev = int_event(t) if len(t) > 18 else None
                    if ev is not None:
                        if not ref:
                            ref, R = True, (ev[0], ev[1], k)
                        B, Bs = (ev[0], ev[1], k), k
            elif c in IDENT_START:
                if t not in _KEYWORDS and (c != "x" or t[1:2] != '"'):  # an identifier where a value goes
                    if not ref:
                        return (SYNTAX, "a value", k, 0)
                    for kw in _KEYWORDS:  # Lark's lexer reads the keyword, then stops at the rest
                        if t.startswith(kw):
                            return (SYNTAX, None, k, len(kw))
                    return (SYNTAX, None, k, 0)
            elif c != "&" or len(t) == 1:
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
                if c in _NUMCH and t != "-" and not (len(t) > 1 and (t[1] in _RADIX or "." in t or "e" in t or "E" in t)):
                    if len(t) > 2 and t[2] in _RADIX and c == "-":
                        pass  # -0x..: radix, not a contract id
                    else:  # {cid: {@i: v, ...}}
                        if sem:
                            ev = cid_event(t)
                            if ev is None:
                                stack[-1] = [_CON, start, None, set(), -1, int(t)]
                            else:
                                stack[-1] = [_CON, start, (ev[0], ev[1], start), None, -1, 0]
                        else:
                            stack[-1] = _CONF
                        state = _CC
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
            elif c in IDENT_START and (c != "x" or t[1:2] != '"'):
                key = t
                if t in _KEYWORDS:
                    if not ref:
                        return (EVENT, E_LC_PARSE, f"{t!r} is a keyword; quote it to use it as a map key", k, 0)
                    if sem:  # the grammar reads it as an identifier; the builder refuses it
                        B, Bs = (E_LC_PARSE, reserved_message(t), k), k
            else:
                if not ref:
                    return (SYNTAX, "a map key", k, 0)
                if c == "x" and t[1:2] == '"':  # Lark: the identifier x, then a string
                    return (SYNTAX, None, k, 1)
                if state == _K0 and c in _NUMCH and t != "-":  # Lark: an int, then the rest
                    return (SYNTAX, None, k, int_prefix_len(t))
                return (SYNTAX, None, k, 0)
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
        if state == _KC or state == _FC:
            if t != ":":
                return (SYNTAX, None if ref else "':'", k, 0)
            state = _V
            k += 1
            continue
        if state == _F0 or state == _F:
            if t == "}" and state == _F0:
                state = _CE
                k += 1
                continue
            if t[0] != "@" or len(t) < 2:
                return (SYNTAX, None if ref else "a field '@N'", k, 0)
            if sem:
                fr = stack[-1]
                digits = t[1:]
                if len(digits) > 18:
                    ev = int_event(digits)  # the builder's parse_int of the index (the Reader checks the range)
                    if ev is not None:
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
            state = _FC
            k += 1
            continue
        if state == _CC:
            if t != ":":
                return (SYNTAX, None if ref else "':'", k, 0)
            state = _CB
        elif state == _CB:
            if t != "{":
                return (SYNTAX, None if ref else "'{' opening the contract fields", k, 0)
            state = _F0
        else:  # _CE
            if t != "}":
                return (SYNTAX, None if ref else "'}' closing the contract", k, 0)
            fr = stack.pop()
            braces.pop()
            err = fr[2]
            if err is not None:
                if not ref:
                    ref, R = True, err
                if fr[1] > Bs:
                    B, Bs = err, fr[1]
            state = _AV
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


NOTATION = HLXL()


@hookimpl
def register_notations(register):
    register(NOTATION)
