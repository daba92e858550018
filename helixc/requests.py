"""The compiler's own reading of an English request (no model involved).

Two jobs:

* :func:`normalize_numbers` rewrites number literals written in another base
  (``0x7FFF0000``, ``0b11110000``, ``0o17``, and digit strings that the words
  right before them mark as binary or hexadecimal: "bit pattern 11110000",
  "hex number FF") to decimal. It runs on every request before a model sees it,
  at training and at inference: models copy digits, the compiler does
  arithmetic. Text inside double quotes is left alone (it is literal text).
* :func:`read_request` is a precise, rule-based reader: it finds the target
  notation from its synonyms, a payload written in a notation (read with the
  compiler's own parsers) or a single number. It is the ``--engine compiler``
  baseline and the verifier for neural output, so it returns ``None`` fields
  whenever it is not sure rather than guessing.

The rules for ambiguous requests are the ones written in ``corpora/README.md``:
a bare digit string is decimal; a request that names no target notation is
answered in HLXL, except "encode"/"serialize" requests, which mean LC-B.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

ROUTES = ("lc-b", "lc-r", "lc-t", "hlxl", "explain")

# Synonyms people use for each notation (lower-case matching; longest first when scanning).
# The corpus generator draws its {target}/{source} wording from these lists.
NOTATION_SYNONYMS: dict[str, list[str]] = {
    "lc-r": [
        "LC-R", "LCR", "LC R", "lc-r", "runic", "runic notation", "runic form", "runes", "rune notation",
        "glyph form", "glyphs", "glyph notation", "symbolic notation", "the runic glyphs", "LC-R runic",
        "Runic format", "runic script", "alchemical glyphs",
    ],
    "lc-b": [
        "LC-B", "LCB", "LC B", "lc-b", "binary", "binary notation", "binary form", "binary encoding",
        "hex bytes", "wire format", "wire bytes", "bytes", "byte encoding", "LC-B binary", "HLX binary notation",
        "hex dump", "LC-B compact", "the binary format", "byte form",
    ],
    "lc-t": [
        "LC-T", "LCT", "LC T", "lc-t", "ASCII", "ASCII notation", "ASCII form", "ASCII format", "text-safe form",
        "text-safe notation", "compact text", "compact ASCII", "plain ASCII", "LC-T text", "lc-text",
        "the ASCII notation", "ascii-safe form",
    ],
    "hlxl": [
        "HLXL", "HLX-L", "hlxl", "HLX lite", "HLX-Lite", "human-readable form", "human-readable notation",
        "readable notation", "readable form", "plain HLXL", "HLXL syntax", "canonical HLXL", "human notation",
        "HLX language", "the HLXL format", "source notation",
    ],
}

_EXPLAIN_CUES = (
    "what is", "what's", "what are", "why", "how does", "how do", "explain", "difference", "which ",
    "when should", "tell me about", "describe", "meaning of", "what does", "is it true", "can i", "does ",
)

# ---------------------------------------------------------------------------------------------
# normalize_numbers

_HEX_LIT = r"0[xX](?:[0-9A-Fa-f]+(?:_[0-9A-Fa-f]+)*)"
_BIN_LIT = r"0[bB](?:[01]+(?:_[01]+)*)"
_OCT_LIT = r"0[oO](?:[0-7]+(?:_[0-7]+)*)"
# Words that mark a bare digit string as binary / hexadecimal (explicit base words only).
_BIN_WORDS = r"(?:binary number|binary value|binary integer|bit pattern|bit string|bitmask|bits|base[- ]2(?: number)?)"
_HEX_WORDS = r"(?:hex number|hex value|hex integer|hexadecimal(?: number| value)?|base[- ]16(?: number)?)"

_NUM_RE = re.compile(
    r'"(?:[^"\\]|\\.)*"'  # quoted text: literal, skipped
    rf"|(?<![\w.])(?P<sign>-?)(?P<lit>{_HEX_LIT}|{_BIN_LIT}|{_OCT_LIT})(?![\w.])"
    rf"|(?P<bw>\b{_BIN_WORDS}\s+)(?P<bdig>[01]+)(?![\w.])"
    rf"|(?P<hw>\b{_HEX_WORDS}\s+)(?P<hdig>[0-9A-Fa-f]+)(?![\w.])",
    re.IGNORECASE,
)


def _lit_value(lit: str) -> int:
    return int(lit.replace("_", ""), 0)


def normalize_numbers(text: str) -> str:
    """Rewrite 0x/0b/0o literals (and base-marked digit strings) in an English request to decimal.

    >>> normalize_numbers("Encode CRC32 checksum 0xDEADBEEF in LC-B")
    'Encode CRC32 checksum 3735928559 in LC-B'
    >>> normalize_numbers('the bit pattern 11110000 and the text "0x10"')
    'the bit pattern 240 and the text "0x10"'
    """

    def repl(m: re.Match) -> str:
        if m.group("lit"):
            n = _lit_value(m.group("lit"))
            return f"-{n}" if m.group("sign") else str(n)
        if m.group("bdig"):
            return m.group("bw") + str(int(m.group("bdig"), 2))
        if m.group("hdig"):
            digits = m.group("hdig")
            if not re.search(r"[0-9]", digits) and len(digits) > 2 and digits.isalpha():
                return m.group(0)  # an English word after "hexadecimal" ("hexadecimal face"), not a number
            return m.group("hw") + str(int(digits, 16))
        return m.group(0)

    return _NUM_RE.sub(repl, text)


def find_numbers(text: str) -> list[int]:
    """Integers written in the request outside quoted text, after normalization, in order."""
    norm = normalize_numbers(text)
    stripped = re.sub(r'"(?:[^"\\]|\\.)*"', " ", norm)
    return [int(m.group()) for m in re.finditer(r"(?<![\w.])-?\d+(?![\w.])", stripped)]


# ---------------------------------------------------------------------------------------------
# read_request


@dataclass
class RequestReading:
    target: str | None = None  # canonical notation name, "explain", or None when unsure
    payload: Any = None  # the value the request carries, when the compiler could read it
    payload_notation: str | None = None  # notation the payload is written in, or "number"
    numbers: list[int] = field(default_factory=list)  # ints found in the request (decimal after normalization)
    route: str | None = None  # coordinator class the reader would pick, None when unsure
    has_payload: bool = False  # True when `payload` is meaningful (a payload may be null)

    def answer(self) -> str | None:
        """The compiler's answer: the payload emitted in the target notation, when both are known."""
        if not self.has_payload or self.target in (None, "explain"):
            return None
        from . import emit

        return emit(self.payload, self.target)


def _syn_patterns():
    pats = []
    for name, syns in NOTATION_SYNONYMS.items():
        for s in syns:
            pats.append((s.lower(), name))
    pats.sort(key=lambda p: -len(p[0]))
    return pats


_SYN = _syn_patterns()
_TARGET_PREP = re.compile(r"(?:\b(?:to|into|in|as|using|via|with)\s+(?:the\s+|an?\s+)?)$", re.I)
_SOURCE_CUE = re.compile(r"(?:\b(?:parse|decode|read|from|this|these|given|the following|following)\s+(?:the\s+|an?\s+)?)$", re.I)


def _mentions(english: str) -> list[tuple[int, int, str]]:
    """(start, end, notation) for every synonym mention, longest match first, non-overlapping."""
    low = english.lower()
    taken = [False] * len(low)
    out = []
    for syn, name in _SYN:
        for m in re.finditer(r"(?<![\w-])" + re.escape(syn) + r"(?![\w-])", low):
            a, b = m.span()
            if any(taken[a:b]):
                continue
            # "binary number 1011", "bits", "hex number": base words, not the LC-B notation
            if name == "lc-b" and re.match(r"\s*(?:number|value|integer|digits|string of|pattern)\b", low[b:]):
                continue
            for i in range(a, b):
                taken[i] = True
            out.append((a, b, name))
    out.sort()
    return out


def _split_payload(text: str) -> tuple[str, str | None]:
    """Split 'English: payload' on the first colon followed by notation-looking text."""
    for m in re.finditer(r":\s*", text):
        rest = text[m.end():]
        if _looks_notation(rest):
            return text[: m.start()], rest.strip()
    return text, None


def _looks_notation(s: str) -> bool:
    s = s.strip()
    if not s:
        return False
    return s[0] in '[{"#@&\u2205\u22a4\u22a5\u22a0\u27c1\U0001f703\U0001f70a\u25c7-' or s[0].isdigit() or s in (
        "null", "true", "false", "NULL", "TRUE", "FALSE")


def _try_parse(text: str, notation: str | None):
    from . import parse
    from .detection import detect
    from .errors import HelixError

    try:
        if notation is not None:
            return True, parse(text, notation), notation
        d = detect(text)
        return True, d.value, d.notation
    except HelixError:
        return False, None, None


def read_request(text: str) -> RequestReading:
    """Read an English request with rules only; fields are None where the rules are not sure."""
    r = RequestReading()
    norm = normalize_numbers(text.strip())
    r.numbers = find_numbers(text)
    english, payload_text = _split_payload(norm)
    trailing = re.search(r"\s*(?:,?\s*(?:please|thanks|thank you))?\s*[.?!]*\s*$", payload_text or "", re.I)
    if payload_text is not None and trailing and trailing.group(0).strip():
        payload_text = payload_text[: trailing.start()]
    mentions = _mentions(english)
    target = source = None
    for a, b, name in mentions:
        before = english[:a]
        after = english[b:]
        if _TARGET_PREP.search(before) or re.match(r"\s*(?:form|version|representation|encoding|equivalent)\s+(?:of|for)\b", after, re.I):
            if target is None:
                target = name
        elif _SOURCE_CUE.search(before) or re.match(r"\s*(?:value|text|input|payload|string|bytes)?\s*$", after):
            if source is None:
                source = name
        elif re.match(r"\s*:", after) or re.match(r"\s*(?:to|into|->)\b", after, re.I):
            if source is None:
                source = name
    names = {n for _, _, n in mentions}
    if target is None and len(names) == 1 and source is None:
        target = next(iter(names))
    if target is None and len(names - {source}) == 1 and source is not None:
        target = next(iter(names - {source}))

    # payload
    if payload_text is not None:
        ok, value, used = _try_parse(payload_text, source)
        if ok:
            r.payload, r.payload_notation, r.has_payload = value, used, True
    if not r.has_payload and len(r.numbers) == 1 and payload_text is None:
        low = english.lower()
        if not re.search(r"\b(?:list|array|map|contract|field|handle|text|string|and)\b", low):
            r.payload, r.payload_notation, r.has_payload = r.numbers[0], "number", True

    low = norm.lower()
    if target is None and not mentions:
        if r.has_payload:
            if re.search(r"\b(?:encode|serialize|serialise)\b", low):
                target = "lc-b"
            elif re.search(r"\b(?:parse|what value|decode|read|which value|what is)\b", low):
                target = "hlxl"
        elif payload_text is None and low.startswith(_EXPLAIN_CUES) and not r.numbers:
            target = "explain"
    if target is None and mentions and not r.has_payload and payload_text is None and low.startswith(_EXPLAIN_CUES):
        if not re.search(r"\b(?:convert|translate|encode|write|show|give)\b", low):
            target = "explain"
    if target is None and source is not None and r.has_payload and re.search(r"\b(?:parse|what value|decode|read)\b", low):
        target = "hlxl"
    r.target = target
    r.route = target
    return r
