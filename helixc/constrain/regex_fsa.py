"""Python regexes (Lark terminal patterns) -> byte-level automata over UTF-8.

The pattern is parsed with the standard library's own regex parser (``re._parser``), so the
syntax is exactly what Lark compiles. Character classes become unions of UTF-8 byte-range
sequences, so the automata read the bytes of a token directly: a glyph split over two
byte-level BPE tokens is just a path through the automaton that the first token leaves
half-way. Lookarounds, anchors and back-references have no finite-automaton meaning for a
lexeme and are rejected with ``E_GRAMMAR``.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache

try:  # Python 3.11+
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

from helixc.errors import E_GRAMMAR, HelixError

MAX_CP = 0x10FFFF
SURR_LO, SURR_HI = 0xD800, 0xDFFF


# --------------------------------------------------------------------------- code point sets


def _norm(ranges):
    out = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def _negate(ranges):
    out, nxt = [], 0
    for lo, hi in _norm(ranges):
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = hi + 1
    if nxt <= MAX_CP:
        out.append((nxt, MAX_CP))
    return out


def _drop_surrogates(ranges):
    out = []
    for lo, hi in ranges:
        if hi < SURR_LO or lo > SURR_HI:
            out.append((lo, hi))
        else:
            if lo < SURR_LO:
                out.append((lo, SURR_LO - 1))
            if hi > SURR_HI:
                out.append((SURR_HI + 1, hi))
    return out


@lru_cache(maxsize=None)
def _category(cat) -> tuple:
    """Code point ranges of \\d, \\w, \\s (Unicode semantics, as Python's re on str)."""
    name = str(cat)
    base = {"CATEGORY_DIGIT": r"\d", "CATEGORY_WORD": r"\w", "CATEGORY_SPACE": r"\s",
            "CATEGORY_NOT_DIGIT": r"\d", "CATEGORY_NOT_WORD": r"\w", "CATEGORY_NOT_SPACE": r"\s",
            "CATEGORY_LINEBREAK": r"\n", "CATEGORY_NOT_LINEBREAK": r"\n"}.get(name)
    if base is None:
        raise HelixError(E_GRAMMAR, f"unsupported regex category {name}")
    rx = re.compile(base)
    ranges, start = [], None
    for cp in range(MAX_CP + 1):
        ok = SURR_LO <= cp <= SURR_HI or rx.match(chr(cp)) is not None
        if ok and start is None:
            start = cp
        elif not ok and start is not None:
            ranges.append((start, cp - 1))
            start = None
    if start is not None:
        ranges.append((start, MAX_CP))
    if "NOT" in name:
        ranges = _negate(ranges)
    return tuple(ranges)


def _casefold_ranges(ranges):
    extra = []
    for lo, hi in ranges:
        if hi - lo > 4096:
            continue  # a huge range already holds both cases of what matters in practice
        for cp in range(lo, hi + 1):
            c = chr(cp)
            for v in (c.lower(), c.upper(), c.swapcase()):
                if len(v) == 1:
                    extra.append((ord(v), ord(v)))
    return _norm(list(ranges) + extra)


# --------------------------------------------------------------------------- UTF-8 sequences


def _enc(cp: int) -> bytes:
    return chr(cp).encode("utf-8", "surrogatepass")


def utf8_sequences(lo: int, hi: int):
    """Split code point range [lo, hi] (no surrogates) into UTF-8 byte-range sequences."""
    out = []
    stack = [(lo, hi)]
    while stack:
        lo, hi = stack.pop()
        split = False
        for bound in (0x7F, 0x7FF, 0xFFFF):
            if lo <= bound < hi:
                stack.append((bound + 1, hi))
                stack.append((lo, bound))
                split = True
                break
        if split:
            continue
        n = len(_enc(lo))
        for i in range(1, n):
            m = (1 << (6 * i)) - 1
            if (lo & ~m) != (hi & ~m):
                if lo & m:
                    stack.append(((lo | m) + 1, hi))
                    stack.append((lo, lo | m))
                    split = True
                    break
                if (hi & m) != m:
                    stack.append((hi & ~m, hi))
                    stack.append((lo, (hi & ~m) - 1))
                    split = True
                    break
        if split:
            continue
        a, b = _enc(lo), _enc(hi)
        out.append(tuple((a[k], b[k]) for k in range(n)))
    return out


# --------------------------------------------------------------------------- NFA


class NFA:
    """Thompson NFA over bytes. edges[s] = list of (lo, hi, target); eps[s] = list of targets."""

    def __init__(self):
        self.edges: list[list] = []
        self.eps: list[list] = []
        self.mid: list[bool] = []  # state sits inside a multi-byte character

    def new(self, mid=False) -> int:
        self.edges.append([])
        self.eps.append([])
        self.mid.append(mid)
        return len(self.edges) - 1

    # fragments are (start, end)
    def seq_ranges(self, seqs):
        s, e = self.new(), self.new()
        for seq in seqs:
            cur = s
            for k, (blo, bhi) in enumerate(seq):
                nxt = e if k == len(seq) - 1 else self.new(mid=True)
                self.edges[cur].append((blo, bhi, nxt))
                cur = nxt
        return s, e

    def cp_set(self, ranges):
        seqs = []
        for lo, hi in _drop_surrogates(_norm(ranges)):
            seqs.extend(utf8_sequences(lo, hi))
        return self.seq_ranges(seqs)

    def concat(self, frags):
        if not frags:
            s = self.new()
            return s, s
        for (_, e1), (s2, _) in zip(frags, frags[1:]):
            self.eps[e1].append(s2)
        return frags[0][0], frags[-1][1]

    def alt(self, frags):
        s, e = self.new(), self.new()
        for fs, fe in frags:
            self.eps[s].append(fs)
            self.eps[fe].append(e)
        return s, e


def _unsupported(what, pattern):
    raise HelixError(E_GRAMMAR, f"terminal pattern {pattern!r} uses {what}, which a token mask cannot express")


def _build(nfa: NFA, items, flags: int, pattern: str):
    frags = []
    for op, av in items:
        frags.append(_build_item(nfa, op, av, flags, pattern))
    return nfa.concat(frags)


def _class_ranges(items, flags, pattern):
    ranges, negate = [], False
    for op, av in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            ranges.append((av, av))
        elif op is C.RANGE:
            ranges.append(av)
        elif op is C.CATEGORY:
            ranges.extend(_category(av))
        elif op is C.NOT_LITERAL:
            ranges.extend(_negate([(av, av)]))
        else:
            _unsupported(f"class item {op}", pattern)
    if flags & re.IGNORECASE:
        ranges = _casefold_ranges(ranges)
    ranges = _norm(ranges)
    return _negate(ranges) if negate else ranges


def _build_item(nfa: NFA, op, av, flags, pattern):
    if op is C.LITERAL:
        r = [(av, av)]
        if flags & re.IGNORECASE:
            r = _casefold_ranges(r)
        return nfa.cp_set(r)
    if op is C.NOT_LITERAL:
        r = [(av, av)]
        if flags & re.IGNORECASE:
            r = _casefold_ranges(r)
        return nfa.cp_set(_negate(r))
    if op is C.ANY:
        return nfa.cp_set([(0, MAX_CP)] if flags & re.DOTALL else _negate([(10, 10)]))
    if op is C.IN:
        return nfa.cp_set(_class_ranges(av, flags, pattern))
    if op is C.BRANCH:
        return nfa.alt([_build(nfa, alt, flags, pattern) for alt in av[1]])
    if op is C.SUBPATTERN:
        _group, add, dele, sub = av
        return _build(nfa, sub, (flags | add) & ~dele, pattern)
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
        lo, hi, sub = av
        parts = [_build(nfa, sub, flags, pattern) for _ in range(lo)]
        if hi is C.MAXREPEAT or hi == C.MAXREPEAT:
            s, e = _build(nfa, sub, flags, pattern)
            loop_s = nfa.new()
            nfa.eps[loop_s].append(s)
            nfa.eps[e].append(loop_s)
            end = nfa.new()
            nfa.eps[loop_s].append(end)
            parts.append((loop_s, end))
        else:
            if hi - lo > 1000:
                _unsupported("a bounded repeat over 1000", pattern)
            for _ in range(hi - lo):
                s, e = _build(nfa, sub, flags, pattern)
                opt_s, opt_e = nfa.new(), nfa.new()
                nfa.eps[opt_s] += [s, opt_e]
                nfa.eps[e].append(opt_e)
                parts.append((opt_s, opt_e))
        return nfa.concat(parts)
    if op is getattr(C, "ATOMIC_GROUP", None):
        return _build(nfa, av, flags, pattern)
    if op is C.AT:
        _unsupported("an anchor", pattern)
    if op in (C.ASSERT, C.ASSERT_NOT):
        _unsupported("a lookaround", pattern)
    if op is C.GROUPREF or op is getattr(C, "GROUPREF_EXISTS", None):
        _unsupported("a back-reference", pattern)
    _unsupported(f"the regex construct {op}", pattern)


def add_terminal(nfa: NFA, regexp: str, flags: int = 0):
    """Compile one terminal's regex into ``nfa``; returns (start, accept)."""
    try:
        parsed = sre_parse.parse(regexp, flags)
    except re.error as e:
        raise HelixError(E_GRAMMAR, f"bad terminal regex {regexp!r}: {e}") from e
    gflags = parsed.state.flags if hasattr(parsed, "state") else flags
    return _build(nfa, list(parsed), gflags, regexp)


def eps_closure(nfa: NFA, states) -> frozenset:
    seen = set(states)
    stack = list(states)
    eps = nfa.eps
    while stack:
        s = stack.pop()
        for t in eps[s]:
            if t not in seen:
                seen.add(t)
                stack.append(t)
    return frozenset(seen)


def step(nfa: NFA, states: frozenset) -> dict:
    """All byte transitions out of an NFA state set: {byte: frozenset(closure)}."""
    raw: dict[int, set] = {}
    for s in states:
        for lo, hi, t in nfa.edges[s]:
            for b in range(lo, hi + 1):
                raw.setdefault(b, set()).add(t)
    return {b: eps_closure(nfa, ts) for b, ts in raw.items()}


sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))
