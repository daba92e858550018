"""The bounded error path of the text notations: find the error of a malformed text in one pass.

The quick parsers (``quick_parse`` in each text notation's folder, ``plugins/<name>/``) read valid
text; when one gives up, the error must be found and placed. The code that did it before (kept
as :func:`helixc.textparse.parse_fast` for the differential tests) ran the positioned Reader
over a list of token tuples and, when the Reader's first error was not a syntax error, parsed
the whole text again with Lark to learn which error the grammar reports first: 11 s and 1.2 GB
for ``"[1," * 300000``. The notation's ``scan`` function does the same in one pass over the
quick parser's own token strings, with an explicit stack (no recursion, any depth) and without
building values, and reports the same code and position as that code:

* **The Reader's first error**, in its order (syntax errors as they come; a scalar's range as it
  is read; a map's or contract's entries when it closes; nesting at the 65th container). A
  syntax error there is the answer, with the Reader's message (``..., expected X``).
* When that first error is **semantic**, the old code asked the Lark reference, which reports the
  first *syntax* error anywhere in the text (Lark's contextual lexer places a few of them a token
  part later than the Reader: ``[nullx]`` at the ``x``, ``{1.5: 2}`` at the ``.``; an unexpected
  end of input at the start of the last token), else the depth error of the rightmost container
  at depth 64, else the error of the node that starts last in the text (the builder evaluates the
  tree bottom-up, right to left: the reverse of preorder). The scan keeps those candidates as it
  goes: a container's own error is tracked only while no error was found inside it.

Speed (issue 16, 1 MB in <= 100 ms; kept under 60 ms of CPU time): the token strings come from
``helixc_plugins._textlex_native`` where it is built (``native_tokens``: the quick pattern's exact
``findall`` in C, driven by the notation's lexical table; the pattern is the reference, compared by
tests/test_hostile.py); the quick parser's
value builder runs in C (``quick_reader``: the Python quick parser is the reference, compared by
tests/test_native_quick.py), so an error at the end of an otherwise valid megabyte costs little
before the scan starts; the quick parser is skipped when the brackets cannot balance
(``cannot_balance``, token counts in C); the scan's token loop runs in C (``native_skim``, driven by
the notation's spelling table, the value builder's) for as
long as no token can change an error or an error candidate, which is most of a malformed megabyte
(runs of brackets too: the Python loop takes one token and hands back); where the C loop does not
run (without the extension, or after a semantic error) flat runs of plain items and (where the
notation's scan does it) nested ``[v, `` / ``{k: `` groups are checked in bulk at C level (section
"flat runs" below), the Python token loop doing the rest. Token offsets of the reported error are
summed in C (``_span``).

Positions are token indices until the end; only the reported one becomes a character offset.
Each scan returns ``None`` (the text is valid: the caller builds the value another way) or a
tuple, turned into the :class:`HelixError` by :func:`raise_found`:

* ``(SYNTAX, what, k, off)``: a syntax error at token ``k`` (``EOF``: end of input) plus ``off``
  characters; ``what`` is the Reader's "expected ..." text, or ``None`` for Lark's wording;
* ``(EVENT, code, message, k, off)``: any other error at token ``k`` plus ``off``;
* ``(AT, code, message, index)``: an error at a character index;
* ``(LARK_EOF, k, off)``: Lark's "unexpected end of input" placed at token ``k`` plus ``off`` (the
  start of the last token Lark read: a contract's opening glyph at the end of a glyph text, say).
"""

from __future__ import annotations

import os
import re
from itertools import compress, count, islice

from .errors import E_CONTRACT_STRUCTURE, E_FLOAT_SPECIAL, E_INT_RANGE, E_LC_PARSE, HelixError, text_error
from .scalars import unquote
from .values import CONTRACT_ID_MAX, FIELD_INDEX_MAX, INT_MAX, INT_MIN, MAX_DEPTH, int_repr

SYNTAX, EVENT, AT, LARK_EOF = 0, 1, 2, 3
EOF = -1

DEPTH_MESSAGE = f"nesting deeper than {MAX_DEPTH} containers"


# --------------------------------------------------------------------------- scalar checks (the parsers' messages)


def int_event(tok: str):
    """``parse_int``'s error for an int token as ``(code, message)``, or None (callers skip short tokens)."""
    digits = tok.lstrip("-")
    if len(digits) > 80:
        return E_INT_RANGE, f"integer literal of {len(digits)} digits is outside signed 64-bit range"
    v = int(tok, 0) if digits[:2].lower() in ("0x", "0o", "0b") else int(tok)
    if not INT_MIN <= v <= INT_MAX:
        return E_INT_RANGE, f"integer {v} is outside signed 64-bit range"
    return None


def float_event(tok: str):
    v = float(tok)
    if v - v != 0.0:
        return E_FLOAT_SPECIAL, f"float {v!r} is not finite (NaN and Inf are not HLX values)"
    return None


def text_event(tok: str):
    """A string token's error (a lone surrogate escape), or None; only ``\\u`` escapes can fail."""
    if "\\u" not in tok:
        return None
    try:
        unquote(tok)
    except HelixError as e:
        return e.code, e.message
    return None


def key_of(tok: str):
    """A quoted key's text, or None when its escapes are bad (that error is reported separately)."""
    if "\\" not in tok:
        return tok[1:-1]
    try:
        return unquote(tok)
    except HelixError:
        return None


def index_value(digits: str) -> int:
    """A field index or contract id written in decimal; huge ones become ``FIELD_INDEX_MAX + 1``-like
    sentinels without converting thousands of digits (``int()`` refuses over 4,300)."""
    return int(digits) if len(digits) <= 80 else 1 << 300


def index_text(digits: str, value: int) -> str:
    return int_repr(value) if len(digits) <= 80 else f"of {len(digits)} digits"


def cid_event(tok: str):
    """The contract id's errors in the order the builder raises them: ``parse_int``, then the range."""
    if len(tok) >= 10 or tok[0] == "-":
        ev = int_event(tok) if len(tok) > 18 else None
        if ev is not None:
            return ev
        v = int(tok)
        if not 0 <= v <= CONTRACT_ID_MAX:
            return E_CONTRACT_STRUCTURE, f"contract id {v} is outside 0..{CONTRACT_ID_MAX}"
    return None


def field_range_message(digits: str, value: int) -> str:
    return f"field index {index_text(digits, value)} is outside 0..{FIELD_INDEX_MAX}"


def dup_field_message(cid: int, index: int) -> str:
    return f"contract {cid} repeats field @{index}"


def order_field_message(cid: int, index: int, last: int) -> str:
    return f"contract {cid}: field @{index} comes after @{last}; fields must ascend"


def dup_key_message(key: str) -> str:
    return f"map key {key!r} appears twice"


def key_order_message(key: str, last: str) -> str:
    return f"map key {key!r} comes after {last!r}; keys must be in code-point order"


def reserved_message(key: str) -> str:
    return f"{key!r} is reserved; quote it to use it as a map key"


# --------------------------------------------------------------------------- positions and the final error


class TokenText:
    """A text, its quick token strings ``toks`` (``n`` of them, trailing whitespace left out) and
    how to find where token ``k`` starts: ``locate`` is the quick pattern (whitespace before a
    group-1 token) for notations with free whitespace, None when tokens are contiguous (a notation without free
    whitespace)."""

    __slots__ = ("text", "toks", "n", "notation", "locate", "reader_tokens", "lark_last", "lark_token")

    def __init__(self, text, toks, n, notation, locate, reader_tokens, lark_last=None, lark_token=None):
        self.text, self.toks, self.n, self.notation = text, toks, n, notation
        self.locate, self.reader_tokens, self.lark_last = locate, reader_tokens, lark_last
        self.lark_token = lark_token  # (kind, text) -> (kind, text) as Lark's lexer names the token

    def start(self, k: int) -> int:
        toks = self.toks
        if self.locate is None:
            if k > self.n // 2:  # the shorter sum: from the end (the tokens are the whole text)
                return len(self.text) - _span(toks, k, self.n)
            return _span(toks, 0, k)
        if k > 256:
            text = self.text
            if _span(toks, 0, len(toks)) == len(text):  # no whitespace between tokens
                return _span(toks, 0, k)
            if '"' not in text:  # whitespace is only between tokens (strings are the tokens that hold it)
                return nonspace_start(text, _span(toks, 0, k))
        m = next(islice(self.locate.finditer(self.text), k, None))
        return m.start(1)

    def last_start(self) -> int:
        """Start of the last token (where Lark puts an unexpected end of input)."""
        if self.locate is None:
            return len(self.text) - len(self.toks[self.n - 1])
        end = len(self.text.rstrip(" \t\r\n"))
        return end - len(self.toks[self.n - 1])

    def token_at(self, index: int) -> tuple[str, str]:
        """(kind, text) of the Reader's token at a character index."""
        m = self.reader_tokens.match(self.text, index)
        return m.lastgroup, m.group()


def _py_span(toks: list, a: int, b: int) -> int:
    return sum(map(len, islice(toks, a, b))) if a == 0 else sum(map(len, toks[a:b]))


_WS_CHARS = " \t\r\n"
_WS_RUN = re.compile(r"[ \t\r\n]*")
_CHUNK = 1 << 16


def _spaces(text: str, a: int, b: int) -> int:
    return sum(text.count(c, a, b) for c in _WS_CHARS)


def nonspace_start(text: str, count: int) -> int:
    """Where the first non-whitespace character after ``count`` of them starts (C-level counts:
    whitespace per 64 KiB chunk, then a bisection inside the chunk; no per-token match objects)."""
    a, seen = 0, 0  # seen: non-whitespace characters in text[:a]
    n = len(text)
    while a < n:
        b = min(a + _CHUNK, n)
        inside = (b - a) - _spaces(text, a, b)
        if seen + inside >= count:
            break
        seen += inside
        a = b
    lo, hi = a, min(a + _CHUNK, n)  # the smallest p with p - spaces(0, p) == count lies in [lo, hi]
    while lo < hi:
        mid = (lo + hi) // 2
        if seen + (mid - a) - _spaces(text, a, mid) >= count:
            hi = mid
        else:
            lo = mid + 1
    return _WS_RUN.match(text, lo).end()


def cannot_balance(text: str, toks: list, token_pairs, text_pairs=()) -> bool:
    """True when the text's brackets cannot balance, so no valid text is this one: the quick
    parser need not run (its work before it declines a truncated megabyte is most of the time).
    Counts are C-level: the text's first, then (only when a string could hold brackets) the
    single-character bracket tokens' (``token_pairs``); ``text_pairs`` are trusted only when the
    text has no string. False says nothing (the quick parser decides)."""
    quoted = '"' in text
    for o, c in token_pairs:
        if text.count(o) != text.count(c) and (not quoted or _balance(toks, o, c)):
            return True
    if not quoted:
        for o, c in text_pairs:
            if text.count(o) != text.count(c):
                return True
    return False


def raise_found(tt: TokenText, found) -> None:
    text, notation = tt.text, tt.notation
    tag = found[0]
    if tag == AT:
        raise text_error(found[1], found[2], notation, text, found[3])
    if tag == LARK_EOF:
        raise text_error(E_LC_PARSE, "unexpected end of input", notation, text, tt.start(found[1]) + found[2])
    if tag == EVENT:
        _, code, message, k, off = found
        index = (len(text) if k == EOF else tt.start(k)) + off
        raise text_error(code, message, notation, text, index)
    _, what, k, off = found
    if k == EOF:
        if what is not None:
            raise text_error(E_LC_PARSE, f"unexpected end of input, expected {what}", notation, text, len(text))
        index = tt.last_start() if tt.lark_last is None else tt.lark_last(tt)
        raise text_error(E_LC_PARSE, "unexpected end of input", notation, text, index)
    index = tt.start(k) + off
    if index >= len(text):  # Lark: an unexpected end of input after a token part (a field mark and its index at the end)
        raise text_error(E_LC_PARSE, "unexpected end of input", notation, text, index)
    kind, tok = tt.token_at(index)
    if what is None:
        if tt.lark_token is not None:
            kind, tok = tt.lark_token(kind, tok)
        message = f"unexpected character {text[index]!r}" if kind == "err" else f"unexpected {tok!r}"
    else:
        message = (f"unexpected character {tok!r}, expected {what}" if kind == "err"
                   else f"unexpected {tok!r}, expected {what}")
    raise text_error(E_LC_PARSE, message, notation, text, index)


# Lark's INT terminal: what its contextual lexer takes of a float or radix token where only an int fits.
INT_PREFIX = re.compile(r"-?(?:0|[1-9][0-9]*)")


def int_prefix_len(tok: str) -> int:
    m = INT_PREFIX.match(tok)
    return m.end() if m else 0


def _native():
    """``helixc_plugins._textlex_native`` where it is built, else None (and None with
    ``HELIXC_NO_NATIVE=1``: the Python paths, which stay the reference, serve)."""
    if os.environ.get("HELIXC_NO_NATIVE", "") not in ("", "0"):
        return None
    try:
        from helixc_plugins import _textlex_native
    except ImportError:
        return None
    return _textlex_native


def native_tokens(lex: dict):
    """The C tokenizer for a text notation's lexical table ``lex`` (``_LEX`` in its folder: its
    whitespace, literal tokens, number and string rules, prefixed tokens and run stops; the keys are
    described at the top of plugins/_textlex_native.c): ``tokens(text)``, which returns exactly the
    notation's quick pattern's ``findall``; None as :func:`_native` (the pattern serves)."""
    native = _native()
    return None if native is None else native.lexer(lex)


def native_skim(spelling: tuple):
    """The C fast path of a notation's scan, ``skim(toks, k, state, stack, braces, sem) -> (k, state)``
    (``skimmer`` in ``helixc_plugins._textlex_native``, driven by the notation's ``spelling`` tuple,
    the one :func:`quick_reader` takes), or None (as :func:`native_tokens`). It runs the scan's token
    loop for as long as a token can change nothing but the state and the container stack (the same
    frames, changed in place) and returns before the first token that could: the scan's Python loop
    takes that one. It runs where no error was seen yet (``sem`` true: every check) or after a depth
    error (``sem`` false: syntax only), not in between. The scan's states are numbered as the C loop
    numbers them (six shared ones, then its contract form's). Without it the Python loop does the
    same (tests/test_hostile.py compares both)."""
    native = _native()
    return None if native is None else native.skimmer(spelling)


DECLINED = object()  # what the C quick parser returns where the Python one gives up


def quick_reader(qvalue, spelling):
    """A notation's quick parser over its token strings: ``read(toks) -> value``, raising QuickFail
    where it gives up. The C value builder (``quick`` in ``helixc_plugins._textlex_native``, driven
    by the notation's ``spelling`` tuple: its tokens, constants, classes and contract form; see the
    C file) where built, else (and with ``HELIXC_NO_NATIVE=1``) ``run_quick(toks, qvalue)``, which
    stays the reference: both give the same values and decline the same texts
    (tests/test_native_quick.py)."""
    native = _native()
    if native is None:
        return lambda toks: run_quick(toks, qvalue)
    native, spelling = native.quick, (*spelling, DECLINED)

    def read(toks):
        v = native(toks, spelling)
        if v is DECLINED:
            from .textparse import QuickFail

            raise QuickFail
        return v

    return read


_span = getattr(_native(), "span", None) or _py_span  # sum(map(len, toks[a:b])), in C where built
_balance = getattr(_native(), "balance", None) or (lambda toks, o, c: toks.count(o) - toks.count(c))  # in C where built


def run_quick(toks: list, qvalue):
    """Drive a quick parser over its token strings: one value, nothing left over (QuickFail)."""
    nxt = iter(toks).__next__
    v = qvalue(nxt(), nxt, 0)
    for _ in iter(nxt, None):  # anything left over
        from .textparse import QuickFail

        raise QuickFail
    return v


# --------------------------------------------------------------------------- flat runs in bulk
# A scan spends ~150 ns per token in Python. Long flat runs (``, 1, 2, 3`` in an array, ``, k: 1``
# in a map, ``, @i: v`` in a contract) change nothing but the position when every item is
# *plain* (a token whose scan step has no check that can fail: a short decimal int, a string
# without a backslash, a keyword, ...), and a map's keys / a contract's indices. The scans test a
# whole run at C level: the separators with ``list.count``-like iterator chains, the items by
# one regex over the items joined with NUL (a character no plain token holds: a piece of a
# garbage token that holds one cannot match, so the count stops before it).


def same_run(toks: list, k: int, step: int, tok: str) -> int:
    """How many of ``toks[k], toks[k+step], ...`` equal ``tok``, in a row (the list iterator is set
    to ``k``: ``islice(toks, k, ...)`` would step over the first ``k`` items, quadratic over a text)."""
    it = iter(toks)
    it.__setstate__(k)
    return next(compress(count(), map(tok.__ne__, islice(it, 0, None, step))), len(range(k, len(toks), step)))


def plain_count(toks: list, k: int, step: int, limit: int, pattern) -> int:
    """How many of ``toks[k], toks[k+step], ...`` (at most ``limit``) match ``pattern`` (a
    ``(?:(?:PLAIN)\\x00)*+`` regex), in a row."""
    if limit <= 0:
        return 0
    joined = "\x00".join(toks[k:k + step * limit:step]) + "\x00"
    return joined.count("\x00", 0, pattern.match(joined).end())


def pair_run(toks: list, k: int, sep: str, mid: str, keys, values) -> int:
    """How many ``sep key mid value`` groups start at ``k``, every key and value plain."""
    m = min(same_run(toks, k, 4, sep), same_run(toks, k + 2, 4, mid))
    m = plain_count(toks, k + 1, 4, m, keys)
    return plain_count(toks, k + 3, 4, m, values)


def fresh_keys(seen: set, keys: list) -> int:
    """How many of ``keys`` come before the first that repeats (``seen`` gets them)."""
    add = seen.add
    for i, key in enumerate(keys):
        if key in seen:
            return i
        add(key)
    return len(keys)


def ascending_fields(fr: list, indices, top: int) -> int:
    """How many field indices ascend from ``fr[4]`` within ``top`` (``fr[3]`` gets them)."""
    seen, prev = fr[3], fr[4]
    add = seen.add
    i = 0
    for index in indices:
        if not prev < index <= top:
            break
        add(index)
        prev = index
        i += 1
    fr[4] = prev
    return i
