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
  compiler's own parsers), a single number, or a value described in a small
  controlled English (:func:`describe_value`: "a handle named documents", "the
  numbers one, two and three", "a contract 902 whose first field is the text
  main"). It is the ``--engine compiler`` baseline and the verifier for neural
  output, so it returns ``None`` fields whenever it is not sure rather than
  guessing. It never labels training data (the corpus labels come from the
  generator's own values).

The rules for ambiguous requests are the ones written in ``corpora/README.md``:
a bare digit string is decimal; a request that names no target notation is
answered in the value notation (``Notation.writes_values``), except "encode"/"serialize"
requests, which mean the binary notation (helixc.catalog).
"""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from . import catalog


def __getattr__(name: str):
    # ROUTES and NOTATION_SYNONYMS come from the registered notations (helixc.catalog): each
    # notation's folder holds its English names; the route order is the trained one.
    if name == "ROUTES":
        return catalog.routes()
    if name == "NOTATION_SYNONYMS":  # canonical name -> names people use (the corpus draws its wording from these)
        return catalog.english_names()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_QUESTION_STARTS = ("how is", "how are", "how many", "how much", "is ", "are ", "can ", "should ", "what happens",
                    "why ", "do ", "does ", "will ", "when ", "where ")
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

# a literal ends at a non-word character; a full stop ends it too unless a word character follows
# ("register 0xA3." is 163; "0x1.5" is no literal)
_LIT_END = r"(?![\w]|\.\w)"
_NUM_RE = re.compile(
    r'"(?:[^"\\]|\\.)*"'  # quoted text: literal, skipped
    rf"|(?<![\w.])(?P<sign>-?)(?P<lit>{_HEX_LIT}|{_BIN_LIT}|{_OCT_LIT}){_LIT_END}"
    rf"|(?P<bw>\b{_BIN_WORDS}\s+)(?P<bdig>[01]+){_LIT_END}"
    rf"|(?P<hw>\b{_HEX_WORDS}\s+)(?P<hdig>[0-9A-Fa-f]+){_LIT_END}",
    re.IGNORECASE,
)


def _lit_value(lit: str) -> int:
    return int(lit.replace("_", ""), 0)


_AFTER_BASE_WORD = re.compile(rf"\b(?:{_BIN_WORDS}|{_HEX_WORDS})\s+$", re.I)


# "bytes", "the single byte", "bytes 0x01," ...: 0xNN right after it (or after such pairs) is a byte
_BYTES_BEFORE = re.compile(r"\b(?:bytes?|byte string|octets?)\s*:?\s*(?:(?:0[xX])?[0-9a-fA-F]{2}\s*(?:,\s*|\s+and\s+)?)*\s*$", re.I)


def normalize_numbers(text: str) -> str:
    """Rewrite 0x/0b/0o literals (and base-marked digit strings) in an English request to decimal.

    A number right after a base word ("bit pattern", "hex number", ...) becomes ``(decimal N)``,
    so the result reads unambiguously and normalizing twice changes nothing.

    >>> normalize_numbers("Encode CRC32 checksum 0xDEADBEEF as bytes")
    'Encode CRC32 checksum 3735928559 as bytes'
    >>> normalize_numbers('the bit pattern 11110000 and the text "0x10"')
    'the bit pattern (decimal 240) and the text "0x10"'
    """

    def repl(m: re.Match) -> str:
        if m.group("lit"):
            if _BYTES_BEFORE.search(text, 0, m.start()) and re.fullmatch(r"0[xX][0-9a-fA-F]{2}", m.group("lit")) \
                    and not m.group("sign"):
                return m.group("lit")[2:]  # "bytes 0x01 0x02 0xff", "the byte 0x0f": hex pairs, not numbers
            n = _lit_value(m.group("lit"))
            if m.group("sign"):
                n = -n
            if _AFTER_BASE_WORD.search(text, 0, m.start()):
                return f"(decimal {n})"
            return str(n)
        if m.group("bdig"):
            return m.group("bw") + f"(decimal {int(m.group('bdig'), 2)})"
        if m.group("hdig"):
            digits = m.group("hdig")
            if not re.search(r"\b(?:number|value|integer|base)\b", m.group("hw"), re.I) and \
                    not re.search(r"[0-9]", digits) and len(digits) > 2:
                return m.group(0)  # an English word after "hexadecimal" ("hexadecimal face"), not a number
            return m.group("hw") + f"(decimal {int(digits, 16)})"
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
    knowledge_id: str | None = None  # explain: the knowledge.json entry whose known question is asked whole
    # (start, end) in the normalised request of the sentence the reading came from, where the request
    # has several and only one of them asks for the value ("my cat is 12. anyway, put 7 into <notation>");
    # None: the whole request
    sentence: tuple[int, int] | None = None

    def answer(self) -> str | None:
        """The compiler's answer: the payload emitted in the target notation, when both are known."""
        if not self.has_payload or self.target in (None, "explain"):
            return None
        from . import emit

        return emit(self.payload, self.target)


def _syn_patterns():
    # built once per registry (helixc.catalog memoizes per registry; this list too)
    return catalog._memo("requests.synonym_patterns", _build_syn_patterns)


def _build_syn_patterns():
    pats = []
    more, reader = catalog.more_english_names(), catalog.reader_names()
    for name, syns in catalog.english_names().items():
        for s in syns + more.get(name, []) + reader.get(name, []):
            pats.append((s.lower(), name))
    pats.sort(key=lambda p: -len(p[0]))
    return pats


_TARGET_PREP = re.compile(r"(?:\b(?:to|into|in|as|using|via|with)\s+(?:the\s+|an?\s+)?|(?:->|=>|\u2192)\s*)$", re.I)
_SOURCE_CUE = re.compile(r"(?:\b(?:parse|decode|read|from|this|these|given|the following|following)\s+(?:the\s+|an?\s+)?)$", re.I)


def _mentions(english: str) -> list[tuple[int, int, str]]:
    """(start, end, notation) for every synonym mention, longest match first, non-overlapping.
    Memoised per registry: the reader, the answer checks and the confidence checks ask it 5-10 times
    a request, each a scan with every notation's synonyms (~4 ms a request at batch 16, measured)."""
    return list(catalog._memo("requests.mentions", lambda: functools.lru_cache(maxsize=8192)(_scan_mentions))(english))


def _syn_regexes():
    # one compiled pattern per synonym, in _syn_patterns' order (built once per registry)
    return catalog._memo("requests.synonym_regexes", lambda: [
        (re.compile(r"(?<![\w-])" + re.escape(syn) + r"(?![\w-])"), syn, name) for syn, name in _syn_patterns()])


def _scan_mentions(english: str) -> tuple:
    low = english.lower()
    taken = [False] * len(low)
    out = []
    for rx, syn, name in _syn_regexes():
        if syn not in low:
            continue
        for m in rx.finditer(low):
            a, b = m.span()
            if any(taken[a:b]):
                continue
            # "binary number 1011", "bits", "hex number": base words, not the binary notation
            if name == catalog.binary_notation() and re.match(r"\s*(?:number|value|integer|digits|string of|pattern)\b", low[b:]):
                continue
            # "the bytes 4470", "raw bytes 01 02", "empty bytes": a bytes value, not the binary notation
            if syn == "bytes" and (re.match(r":?\s+[0-9a-f]{2}", low[b:]) or
                                   re.search(r"\b(?:raw|the|empty|of|a|some)\s+$", low[:a])):
                continue
            for i in range(a, b):
                taken[i] = True
            out.append((a, b, name))
    for a, b, name in _described_notations(low):
        if not any(taken[a:b]):
            for i in range(a, b):
                taken[i] = True
            out.append((a, b, name))
    for m in _FUZZY_PLACE.finditer(low):
        a, b = m.span("word")
        if any(taken[a:b]):
            continue
        name = _fuzzy_name(m.group("word"))
        if name is not None:
            out.append((a, b, name))
    out.sort()
    return tuple(out)


# A notation described, not named: "the people-friendly notation", "the plain-ascii text notation",
# "the alchemy-symbol notation" (a word that describes one notation only: Notation.descriptive_words),
# "the notation with the <glyph> and <glyph> symbols" (glyphs of one notation only: Notation.glyphs).
_DESCRIBED = re.compile(
    r"(?<![\w-])(?:the\s+|an?\s+)?(?P<desc>(?:(?!(?:in|to|into|as|the|an?|of|for|with|using|via|from|and|or|is|it|"
    r"this|that)\b)[a-z0-9][\w-]*\s+){1,3}?)(?:text\s+)?"
    r"(?:notation|syntax|format|form|encoding|one|version|representation|script|spelling)(?![\w-])")
_BY_GLYPHS = re.compile(
    r"(?<![\w-])(?:the\s+|an?\s+)?(?:notation|one|format|syntax|form|version)\s+(?:with|using|that uses|written with|"
    r"made of)\s+(?:the\s+)?(?P<g>\S+(?:\s*(?:,|and|or)\s*\S+)*?)\s+(?:symbols?|glyphs?|characters?|signs?)(?![\w-])")


def _described_notations(low: str) -> list[tuple[int, int, str]]:
    words = catalog.descriptive_words()
    glyphs = catalog.glyph_owners()
    out = []
    for m in _DESCRIBED.finditer(low):
        toks = m.group("desc").split()
        toks = toks + [t for tok in toks for t in tok.split("-")]
        owners = {words[t] for t in toks if t in words}
        if len(owners) == 1:
            out.append((m.start(), m.end(), owners.pop()))
    for m in _BY_GLYPHS.finditer(low):
        chars = [c for c in m.group("g") if not c.isspace() and c not in ",&" and not c.isalnum()]
        owners = {glyphs.get(c) for c in chars}
        if chars and len(owners) == 1 and None not in owners:
            out.append((m.start(), m.end(), owners.pop()))
    return out


# A misspelt notation name ("the rnic version of", "to runci", "in lc-tt form") is read only where
# a notation name is expected: after a target preposition or an arrow, before "form/version/notation
# ...", or as a label before a colon. Ordinary words near a name ("rules", "runs") are not names.
_FUZZY_PLACE = re.compile(
    r"(?:(?<=\bto )|(?<=\binto )|(?<=\bin )|(?<=\bas )|(?<=\busing )|(?<=\bthe )|(?<=-> )|(?<=\u2192 )|^)"
    r"(?P<word>[a-z][a-z-]{3,11})(?=\s+(?:form|version|notation|format|encoding|rendering|representation|"
    r"syntax|one|equivalent|glyphs|script)\b|\s*:|\s*[.!?]*\s*$|\s+please\b|\s+for\b|\s+pls\b)")
_NOT_A_NAME = frozenset(
    "rules rule runs run tunes dunes tunic punic bites bytes byte binary ascii text texts string strings list lists "
    "array arrays value values number numbers float floats plain same other right first second third last "
    "short long compact human readable".split())


def _fuzzy_name(word: str) -> str | None:
    """The one notation one edit (a letter added, dropped, changed, or two swapped) away from ``word``
    by a one-word name of 5 letters or more with the same first letter; None when none or several."""
    if word in _NOT_A_NAME:
        return None
    found = set()
    for syn, name in _syn_patterns():
        # a hyphenated name ("ab-c") is no English word: 4 letters are enough where the word has a hyphen too
        long_enough = len(syn) >= 5 or ("-" in syn and "-" in word and len(syn) >= 4)
        if long_enough and syn[0] == word[0] and re.fullmatch(r"[a-z-]+", syn) and _one_edit(word, syn):
            found.add(name)
    return found.pop() if len(found) == 1 else None


_NAME_LIKE = re.compile(r"(?<![\w-])[a-z]{1,4} ?- ?[a-z0-9]{1,4}(?![\w-])")


def unread_names(english: str) -> list[tuple[str, frozenset]]:
    """Hyphenated words one or two edits away from a hyphenated notation name or alias that the
    reader did not read as any notation, each with the notations it is near ("ab-cc" where "ab-c" is
    a name and several names are near, or the word stands where no name is expected). Such a request
    may name a notation the answer is not in: only an answer in one of those notations may be sure."""
    low = english.lower()
    if "-" not in low:
        return []
    syns, known = catalog._memo("requests.hyphenated_names", lambda: (
        [(syn, name) for syn, name in _syn_patterns() if "-" in syn and re.fullmatch(r"[a-z0-9-]+", syn)],
        frozenset(syn for syn, _ in _syn_patterns())))
    if not syns:
        return []
    read = _mentions(english)
    quoted = [m.span() for m in re.finditer(r'"[^"]*"', english)]
    out = []
    for m in _NAME_LIKE.finditer(low):
        word = m.group(0).replace(" ", "")
        if any(a <= m.start() < b for a, b, *_ in read + quoted):
            continue
        if word != m.group(0) and word not in known:
            continue  # "a - b" with spaces is arithmetic or a range, not a misspelt name
        if word in known:
            if word == m.group(0):
                continue
            # a name written with spaces round its hyphen ("lc - t") that the reader did not read: that
            # notation, and no other, may be the one asked for
            near = frozenset(name for syn, name in syns if syn == word)
        else:
            near = frozenset(name for syn, name in syns if _within_two_edits(word, syn))
        if near:
            out.append((english[m.start():m.end()], near))
    return out


def _within_two_edits(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 2:
        return False
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        prev = cur
    return prev[-1] <= 2


def _one_edit(a: str, b: str) -> bool:
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                  and a[diff[1]] == b[diff[0]])
    if len(a) > len(b):
        a, b = b, a
    return any(b[:i] + b[i + 1:] == a for i in range(len(b)))




def _start_chars() -> set[str]:
    # what a payload written in a notation starts with (Notation.start_chars), or a minus sign
    return catalog._memo("requests.start_chars", lambda: set(catalog.start_chars()) | {"-"})


def _notation_chars() -> re.Pattern:
    # brackets, braces, quotes and every notation glyph: left in the English around a payload,
    # they mean the span is only part of a value
    def build():
        from .plugins import notations

        glyphs = "".join(g for n in notations().values() for g in n.glyphs)
        return re.compile("[" + re.escape('[]{}"' + glyphs) + "]")

    return catalog._memo("requests.notation_chars", build)

_KEYWORD_START = re.compile(r"(?:null|true|false|NULL|TRUE|FALSE)\b")
_END_BOUNDARY = re.compile(
    r"\)|\s*(?:->|=>|\u2192)|\s+(?:written|expressed|rendered|shown|formatted|spelled|spelt)\s+(?:out\s+)?(?:in|as|using)\b|"
    r"\s+(?:looks?|look)(?: like| in| as)\b|\s+(?:encodes?|serializes?|serialises?|translates?|converts?|becomes?) (?:to|into|in|as)\b|,(?=\s+(?:to|into|in|as|using)\b)|\s+(?:to|into|in|as|using|via|from|for|with|please|and\s+(?:write|give|show|convert)|,\s*please)\b"
    r"|\s*[?!]+(?=\s|$)|\s*\.(?=\s*$)|\s+\((?=[^)]*\)\s*$)|\s*,\s*(?:please|thanks|thank you)\b|,\s*(?:all|everything|both|altogether)\s+(?:in|as|to|into)\b", re.I)

# Words that describe a value's structure: when they appear in the English around a payload span,
# the span is probably only part of the value ("a contract 14 whose first field is 14"), so the
# reader is not sure. Each is allowed when it names the kind of the payload found.
_STRUCTURE_WORDS = {
    "contract": "contract", "contracts": "contract", "field": "contract", "fields": "contract", "whose": None,
    "list": "array", "array": "array", "items": "array", "numbers": "array", "elements": "array",
    "map": "map", "object": "map", "dictionary": "map", "key": "map", "keys": "map",
    "handle": "handle", "reference": "handle",
    "text": "text", "string": "text", "word": "text",
    "float": "float", "bytes": "bytes", "byte": None,
    "and": None, "containing": None, "holding": None, "set": None, "empty": None, "plus": None,
    "boolean": "bool", "flag": "bool",
}
_NUMBER_WORDS = re.compile(
    r"\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|"
    r"thousand|million|billion|trillion|minus|negative)\b", re.I)


# "the ascii one", "which one", "the first one": "one" standing for a noun, not the number 1.
# Not after a value noun ("the number one", "field one") or inside a number ("twenty one").
_NOT_BEFORE_PRONOUN = (
    "of|and|or|to|from|through|thru|between|at|for|on|in|into|with|is|are|was|be|as|plus|minus|negative|than|by|"
    "times|over|under|only|just|about|like|exactly|then|numbers?|integers?|ints?|values?|digits?|numerals?|"
    "constants?|counts?|fields?|keys?|contracts?|ids?|index|items?|elements?|entries|twenty|thirty|forty|fifty|"
    "sixty|seventy|eighty|ninety|hundred|thousand|million")
_PRONOUN_ONE_BEFORE = re.compile(
    r"\b(?:the|this|that|which|other|another|each|every|any)\s+"
    rf"(?:(?!(?:{_NOT_BEFORE_PRONOUN})\b)[A-Za-z][\w-]*\s+){{0,2}}$", re.I)


def pronoun_one(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is the word "one" used as a pronoun ("put it in the binary one")."""
    if text[start:end].strip().lower() != "one":
        return False
    before = text[:start]
    if not _PRONOUN_ONE_BEFORE.search(before):
        return False
    return not re.match(r"\s*(?:-|hundred|thousand|million|point|and\s+(?:a|an)\s+half)\b", text[end:], re.I)


def _kind(value) -> str:
    from .values import kind

    return kind(value)


# The rule reader tries candidate spans of a request (every place a value may start, every place it
# may end); a long request dense with numbers or descriptions has tens of thousands of them, each
# parsed in linear time. Past this many characters parsed per request the reader gives up and has
# no reading (the answer is then only as sure as the model), so reading stays bounded: about 0.3 s
# for the 2,000-character English limit, where it took up to 26 s.
READ_BUDGET_CHARS = 150_000


# Numbers that count or name something else: "our 5 edge nodes", "like 20 folders", "ticket #4471",
# "page 12". A count of value things ("3 items", "two nulls", "4 times") is none of these.
_VALUE_NOUNS = ("items|elements|entries|values|fields|keys|lists|arrays|maps|objects|dictionaries|contracts|handles|"
                "strings|texts|words|numbers|integers|ints|floats|bytes|nulls|trues|falses|zeros|ones|times|digits|"
                "characters|chars|letters|spaces|tabs|newlines|pairs|levels|deep")
INCIDENTAL_NUMBER = re.compile(r"#\d+\b|\b(?:page|ticket|issue|step|case|version|line|room|chapter|section|table)\s+#?\d+\b|"
                         r"\b\d+\s+(?:more|others|other ones|times|left to do|to go)\b|"
                         r"\b\d+\s+(?:[a-z]+\s+)?(?!(?:" + _VALUE_NOUNS + r")\b)[a-z]{3,}s\b", re.I)


def _span_starts(text: str) -> list[int]:
    starts = []
    for i, ch in enumerate(text):
        prev = text[i - 1] if i else " "
        if not (prev.isspace() or prev in ":("):  # a value starts after a space, a colon or a paren
            continue
        if ch in _start_chars() or ch.isdigit() or _KEYWORD_START.match(text, i) or text.startswith('x"', i):
            if ch == "-" and not (i + 1 < len(text) and text[i + 1].isdigit()):
                continue
            starts.append(i)
    return starts


def _span_ends(text: str, start: int) -> list[int]:
    ends = {len(text.rstrip())}
    for m in _END_BOUNDARY.finditer(text, start):
        ends.add(m.start())
    for m in re.finditer(r"\s+", text[start:]):
        ends.add(start + m.start())
    for m in re.finditer(r"[.;,](?=\s)", text[start:]):  # 'from <notation>: "x". want <notation>': a sentence ends
        ends.add(start + m.start())
    return sorted((e for e in ends if e > start), reverse=True)


def extract_payload(text: str, source: str | None = None):
    """Find the value a request carries: (value, notation, start, end) or None.

    Tries spans that start where a value can start (a bracket, quote, glyph, digit, keyword)
    and end at the end of the request or before a preposition ("to", "in", "as", ...); the
    earliest start and longest span that the named `source` notation (or detection) reads
    unambiguously wins. Spans with stray words (``07 0E 00 01 01 08 please``) are not values.
    """
    if not text:
        return None
    budget = READ_BUDGET_CHARS
    # "our 5 edge nodes", "page 12": a number counting or naming something else is no payload ("#12" may
    # be notation text: only the leftover check in helixc.neural.answering counts it as context)
    incidental = [(m.start(), m.end()) for m in INCIDENTAL_NUMBER.finditer(text) if text[m.start()] != "#"]
    for a in _span_starts(text):
        if any(s0 <= a < e0 for s0, e0 in incidental):
            continue
        for b in _span_ends(text, a):
            span = text[a:b].strip()
            if not span:
                continue
            budget -= len(span)
            if budget < 0:
                return None  # too many candidate spans (long, value-dense English): no reading
            ok, value, used = _try_parse(span, source)
            if ok:
                return value, used, a, b
    return None


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


def _english_is_plain(english: str, payload) -> bool:
    """No structure words (other than the payload's own kind) and no number words around the payload."""
    k = _kind(payload)
    if _notation_chars().search(english):
        return False  # notation characters left over: the span is only part of a value
    if re.search(r"\x00\s*(?:\^|\*\*|point\b|to the power\b|to the \d)", english, re.I):
        return False  # "2^32", "7 point 25": the span is only part of a number
    if k != "bytes" and re.search(r"\b(?:raw bytes|the bytes|byte string|empty bytes|bytes\s+[0-9A-Fa-f]{2})\b", english, re.I):
        return False
    if k == "bytes":  # "the byte 0f as a byte string": the payload's own kind words
        english = re.sub(r"\b(?:byte strings?|bytestrings?|bytes?)\b", " ", english, flags=re.I)
    binary = catalog.binary_notation()
    for a, b, name in reversed(_mentions(english)):  # "hex bytes", "<name> text": notation names, not structure
        tail = english[b:]
        if name == binary:  # "the <binary notation> byte 0A": its bytes are notation text, not a bytes value
            tail = re.sub(r"^\s*(?:bytes?|hex|byte string)\b", " ", tail, flags=re.I)
        english = english[:a] + " " + tail
    for w in re.findall(r"[A-Za-z]+", english.lower()):
        if w in _STRUCTURE_WORDS and _STRUCTURE_WORDS[w] != k:
            if w == "and" and re.search(r"\band\s+(?:then\s+)?(?:write|give|show|convert|output|return|re-?encode|encode|"
                                        r"translate|render|put|turn|serialize|serialise|express|print)\b", english, re.I):
                continue
            return False
    # "after this one", "the binary one": the pronoun, not a number
    return not any(not pronoun_one(english, m.start(), m.end()) for m in _NUMBER_WORDS.finditer(english))


def _target_and_source(english: str) -> tuple[str | None, str | None, set]:
    """Target and source notation from the synonyms named in the English around the payload (\x00)."""
    mentions = _mentions(english)
    targets: list[tuple[int, str]] = []
    source = None
    for a, b, name in mentions:
        before, after = english[:a], english[b:]
        is_target = not _SOURCE_CUE.search(before) and _TARGET_PREP.search(before) or not _SOURCE_CUE.search(before) and (
            re.match(r"\s*(?:form|version|representation|encoding|equivalent|encoded|notation|rendering|spelling)?\s*(?:of|for)\b",
                     after, re.I)
            and not re.match(r"\s*(?:value|text)\b", after, re.I))
        if is_target:
            targets.append((a, name))
        elif _SOURCE_CUE.search(before) or re.match(r"\s*(?:value|text|input|payload|string)?\s*:", after) \
                or re.match(r"\s*:", after) or re.match(r"\s*(?:->|to|into)\s", after, re.I) \
                or re.search(r"\x00\s*(?:is|was)\s+(?:in\s+)?(?:the\s+)?$", before, re.I):  # "<payload> is <notation>; ..."
            if source is None:
                source = name
    target = None
    distinct = {n for _, n in targets}
    if len(distinct) == 1:
        a0, target = targets[0]
        end0 = next(b for a, b, _ in mentions if a == a0)
        others = {n for _, _, n in mentions} - {target}
        if re.search(r"\x00\s*(?:(?:is|was)\s+)?(?:in|as)\s+(?:the\s+)?$", english[:a0]) and len(others) == 1 and \
                all(a > a0 for a, _, n in mentions if n in others):
            # "I have <payload> in <A>; I need <B>": A is the payload's notation, B (named later) the target
            return next(iter(others)), target, {n for _, _, n in mentions}
        if re.search(r"\x00\s*(?:(?:is|was)\s+)?(?:in|as)\s+(?:the\s+)?$", english[:a0]) and len(targets) == 1 and \
                re.search(r"\b(?:in|into|to|as)\s+\S", english[end0:], re.I):
            # "I have X in <notation>. What is it in <unrecognized>?": the named one is the source, the target unknown
            return None, target, {target, "unknown"}
    elif len(distinct) > 1:
        # "I have <payload> in <notation A>. What is it in <notation B>?": the notation right after the payload is its source
        first_a, first = targets[0]
        if re.search(r"\x00\s*(?:(?:is|was)\s+)?(?:in|as)\s+(?:the\s+)?$", english[:first_a]) and len(distinct - {first}) == 1:
            source = source or first
            target = next(iter(distinct - {first}))
    if source is None and target is not None:
        # "<A> <payload> -> <B>", "<A> <payload> to <B>": another notation named right before the
        # payload (nothing between them) is the payload's
        starts = "\x00" + "".join(_start_chars())
        for a, b, name in mentions:
            first = english[b:].lstrip()[:1]
            if name != target and english[b:b + 1].isspace() and first and first in starts:
                source = name
                break
    names = {n for _, _, n in mentions}
    return target, source, names


# a question, words that ask about the notations rather than for a value written in one, or words
# that name some target form ("the ASCII-only version of"), known or not
_ASKS_SOMETHING = re.compile(r"\?|^\W*(?:what|how|why|which|when|where|who|is|are|does|do|can|could|should|would|will|"
                             r"explain|describe|tell me)\b|\b(?:difference|meaning|means?|notations?|formats?|versions?|forms?|"
                             r"renderings?|variants?|flavou?rs?|style|syntax|encodings?|dialects?|spellings?|alphabets?|"
                             r"scripts?)\b")

def asks_for_encoding(low: str) -> bool:
    """"encode"/"serialize" (typos included) and no verb of reading: the request asks for the binary
    notation's encoding ("what does X serialize to?"; corpora/README.md, rule 2). ``low``: lower-cased."""
    return bool(re.search(r"\b(?:encoded?|encodes|seriali[sz](?:e|ed|es|ing))\b", low) or _typo_of_encode(low)) \
        and not re.search(r"\b(?:parse|decode|decoded|read|interpret|deserialize|deserialise|unpack)\b", low)


def _typo_of_encode(low: str) -> bool:
    """A word that is a typo of encode/serialize ("serialze", "enocde"): the verb is meant, so the
    default target (the value notation) is not (difflib ratio >= 0.8 on words of five letters or more)."""
    import difflib

    for w in re.findall(r"[a-z]{5,}", low):
        for verb in ("encode", "encoded", "serialize", "serialise", "serialized", "serialised"):
            if w != verb and w[0] == verb[0] and difflib.SequenceMatcher(None, w, verb).ratio() >= 0.8:
                return True
    return False


_PARSE_INTENT = re.compile(
    r"\b(?:parse|decode|read|interpret|deserialize|deserialise|unpack|decipher|what value|which value|value of|"
    r"value behind|value does|value is|what does this|what is this|tells? me what|what's this|stands? for)\b", re.I)

_KB = None


def _knowledge():
    """The known question forms (train split only), as word sets: held-out wordings stay unseen."""
    global _KB
    if _KB is None:
        try:
            from .knowledge import known_questions

            known = known_questions()
        except (ImportError, FileNotFoundError, ValueError, KeyError):
            known = []
        _KB = [(kid, i, _words(q)) for kid, i, q in known]
    return _KB


def _words(t: str) -> set[str]:
    return set(re.findall(r"[a-z0-9@&_\-]+|[^\sa-z0-9]", t.lower())) - {"the", "a", "an", "is", "in", "of", "to", "?", "."}


_VALUE_CUES = re.compile(
    r"\b(?:handle|reference to)\s+(?:named\s+)?(?!(?:in|is|and|of|for|to|with|written|mean|work|be)\b)[A-Za-z0-9_]+"
    r"|\b(?:byte string|empty bytes|raw bytes|the bytes)\b"
    r"|\b(?:a list|an array|a map|an object|a dictionary|the list|the numbers|an empty|a one-item|a list with)\b"
    r"|\bcontract\s+(?:with id\s+)?\d+"
    r"|\bthe (?:text|string|word|boolean|float|integer|number|decimal number)\b"
    r"|\b(?:null value|true flag|false flag|boolean true|boolean false)\b", re.I)


_KB_INDEX = None


def _knowledge_index() -> tuple[dict, dict]:
    """(word set -> first entry id asked with exactly those words, word -> indices into
    :func:`_knowledge` of the forms that contain it): the lookups below touch only the forms that
    share a word with the request instead of scanning all ~2,000 (a scan cost ~2 ms a request)."""
    global _KB_INDEX
    if _KB_INDEX is None:
        exact: dict = {}
        by_word: dict = {}
        for n, (kid, _, qw) in enumerate(_knowledge()):
            exact.setdefault(frozenset(qw), kid)
            for w in qw:
                by_word.setdefault(w, []).append(n)
        _KB_INDEX = (exact, by_word)
    return _KB_INDEX


def known_question(text: str) -> str | None:
    """The entry of a known (training) question asked as is: the same words, case and punctuation aside."""
    return _knowledge_index()[0].get(frozenset(_words(text)))


def match_knowledge(text: str, threshold: float = 0.75, min_words: int = 0) -> str | None:
    """The knowledge-base entry whose question form covers most of the request's words, if any
    (ties: the form listed first)."""
    kb, by_word = _knowledge(), _knowledge_index()[1]
    shared: dict[int, int] = {}
    for w in _words(text):
        for n in by_word.get(w, ()):
            shared[n] = shared.get(n, 0) + 1
    best, best_n = 0.0, None
    for n in sorted(shared):
        qw = kb[n][2]
        if len(qw) < max(1, min_words):
            continue
        score = shared[n] / len(qw)
        if score > best:
            best, best_n = score, n
    return kb[best_n][0] if best_n is not None and best >= threshold else None


_TERSE = re.compile(r"\s*([^:]{2,40}?)\s*:\s*(\S.*?)\s*[.!?]?\s*", re.S)


def labelled_body(text: str) -> tuple[str, str] | None:
    """``"<notation>: <body>"`` and nothing else: the one notation named before the colon and the body."""
    m = _TERSE.fullmatch(text)
    if not m:
        return None
    ms = _mentions(text[:m.end(1)])
    if len(ms) != 1 or ms[0][:2] != (m.start(1), m.end(1)):
        return None
    return ms[0][2], m.group(2)


def _read_terse(norm: str, r: RequestReading) -> bool:
    """"<notation>: <value>" and nothing else (a notation name, a colon, a value): a command to write
    the value in that notation. The value is read by detection or as controlled English, whole."""
    labelled = labelled_body(norm)
    if labelled is None:
        return False
    name, body = labelled
    # "<notation>: {a: 1}" is also how people label a value they want translated (the seed corpora do):
    # the name is a target only when it cannot be the body's own notation, or the body is a number
    # (written alike in every text notation); a binary notation's body is its own when it looks like
    # hex text at all (malformed hex there is that notation's error, not a value in words), and may be
    # when it is bracketed (the seed corpora's binary dialect writes "[[]]" for an empty list)
    from .detection import looks_like_hex
    from .plugins import get_notation

    if not re.fullmatch(r"[-+]?(?:0[xob][0-9a-f_]+|\d+(?:\.\d+)?(?:e[-+]?\d+)?)", body, re.I):
        if (looks_like_hex(body) or body[:1] in "[{(") if get_notation(name).binary else _try_parse(body, name)[0]:
            return False
    ok, value, used = _try_parse(body, None)
    if not ok:
        ok, value = describe_value(body)
        used = "english"
    if not ok:
        return False
    r.payload, r.payload_notation, r.has_payload = value, used, True
    r.target = r.route = name
    return True


_LABEL_END = re.compile(r"^\s*(?:form|notation|format|version|please|pls|plz|thanks)?\s*[.!]*\s*$", re.I)
_NOT_A_LABEL = re.compile(r"\?|^\W*(?:how|why|what|which|when|where|does|do|is|are|can|could|should|will|may)\b", re.I)


def _label_target(english: str) -> str | None:
    """The one notation named as a label around a value described in words: at the end after a
    comma or dash ("empty string, <name>", "a half - <name>") or at the start before a colon with
    no notation text after it ("<name>: a list of two lists"). Not for questions, which name
    notations they ask about."""
    if _NOT_A_LABEL.search(english):
        return None
    mentions = _mentions(english)
    if len(mentions) != 1:
        return None
    a, b, name = mentions[0]
    if re.search(r"[,;:\u2013\u2014-]\s*(?:in\s+|as\s+)?(?:the\s+)?$", english[:a]) and _LABEL_END.match(english[b:]):
        return name
    if not english[:a].strip() and re.match(r"\s*:\s*[^\s\x00]", english[b:]):
        return name
    return None


_REQUEST_VERB = re.compile(r"\b(?:give|write|convert|translate|put|encode|seriali[sz]e|show|make|produce|render|"
                           r"turn|express|output|print|need|want|create|build|generate|emit|spell)\b", re.I)


_TARGET_FORM = re.compile(r"\b(?:in|to|into|as|using)\s+(?:the\s+)?[\w-]+(?:\s+[\w-]+)?\s+(?:notation|form|format|version|"
                          r"encoding|syntax|glyphs|script)\b", re.I)


_CLAUSE_START = re.compile(r"\s+(?:please|pls|can|could|would|will|anyway|but|so|now|just|then|i|we)\b", re.I)


def sentences(norm: str) -> list[tuple[int, int]]:
    """The sentences of a request: (start, end) spans split after . ! ? followed by a space, outside
    quotes, brackets and braces (so notation text and quoted text stay whole). After ";" only where a new
    clause starts ("; please ..."): lists of items in words use it too ("a list containing: an empty map; the text x")."""
    out, start, depth, quote, i = [], 0, 0, False, 0
    while i < len(norm):
        c = norm[i]
        if c == '"' and (i == 0 or norm[i - 1] != "\\"):
            quote = not quote
        elif not quote and c in "[{(":
            depth += 1
        elif not quote and c in "]})":
            depth = max(0, depth - 1)
        elif not quote and not depth and i + 1 < len(norm) and norm[i + 1].isspace() and (
                c in ".!?" or c == ";" and _CLAUSE_START.match(norm, i + 1)) \
                and not norm[i + 1:].lstrip().startswith("("):  # "... (page 12)": a remark on the sentence before
            out.append((start, i + 1))
            start = i + 1
        i += 1
    out.append((start, len(norm)))
    return [(a, b) for a, b in out if norm[a:b].strip()]


def read_request(text: str) -> RequestReading:
    """Read an English request with rules only; fields are None where the rules are not sure.

    A request whose value is not read, with remarks in parentheses made of words only ("the key
    "null" (the text, not the null value) set to 1"): read again without them (the answer's checks
    still read every word of the request, remarks included: "5 (as a string)" is no int).
    """
    r = _read_sentences(text)
    if r.has_payload or "(" not in text:
        return r
    bare = _WORD_REMARK.sub("", text)
    if bare == text or not bare.strip():
        return r
    again = _read_sentences(bare)
    if not again.has_payload:
        return r
    again.sentence = None  # its spans are the text without the remarks
    again.numbers = find_numbers(text)
    return again


_WORD_REMARK = re.compile(r"\s*\((?=[^)]*[A-Za-z])[A-Za-z ,;'\u2019-]{3,80}\)")


def _read_sentences(text: str) -> RequestReading:
    """read_request without the second reading (see there).

    A request of several sentences where one asks for the value ("We have 2 teams. Just encode 123
    in <notation>."): that sentence is read alone when it carries the value and a target; the others are
    context (their numbers are not the value). Otherwise the whole request is read.
    """
    norm = normalize_numbers(text.strip())
    parts = sentences(norm)
    if len(parts) > 1:
        by_verb = [(a, b) for a, b in parts if _REQUEST_VERB.search(norm[a:b])]
        by_name = [(a, b) for a, b in parts if _mentions(norm[a:b])]
        # the one sentence with a request verb, then (where that one reads as no request: "i'm writing a
        # decoder") the one naming a notation
        tried = [c for c in (by_verb, by_name) if len(c) == 1]
        for a, b in dict.fromkeys(c[0] for c in tried):
            r = _read_request(norm[a:b])
            # its target must be one it names, unless no other sentence names a notation ("Make X. <notation> please.")
            others = [norm[c:d] for c, d in parts if (c, d) != (a, b)]
            named_elsewhere = any(_mentions(o) for o in others)
            # another sentence that asks something or names some target form ("What is it in <typo> notation?")
            # may change what is asked: then the whole request is read
            asks_elsewhere = any("?" in o or _TARGET_FORM.search(o) for o in others)
            if r.has_payload and r.target not in (None, "explain") and not asks_elsewhere \
                    and (_mentions(norm[a:b]) or not named_elsewhere):
                r.numbers = find_numbers(text)
                r.sentence = (a, b)
                return r
    return _read_request(text)


def _read_request(text: str) -> RequestReading:
    """read_request on one text (see there).

    * target: a notation synonym after "to/into/in/as/using" (or "<notation> form of"); the only
      notation named, when just one is named and it is not the payload's; "explain" for questions
      that carry no payload; the value notation for parse/"what value" requests naming no target, the binary one for
      "encode"/"serialize" requests naming no notation (rules in corpora/README.md).
    * payload: the value written in the request (in the notation it names as source, or detected),
      or a single number; None when words around it describe more structure than it has.
    """
    r = RequestReading()
    norm = normalize_numbers(text.strip())
    r.numbers = find_numbers(text)
    if _read_terse(norm, r):
        return r
    # first pass on the whole text to find a named source notation
    _, src0, _ = _target_and_source(norm)
    found = extract_payload(norm, src0)  # a named source must read it: no fallback guess
    if found is None:
        # "I have <payload> in <A>. What is it in <B>?": detection is ambiguous, but the notation
        # named right after the payload says how to read it
        for _, _, name in _mentions(norm):
            f = extract_payload(norm, name)
            if f is not None:
                after = norm[f[3]:]
                m = re.match(r"\s*(?:is in|was in|in|as|is|was)\s+(?:the\s+)?", after, re.I)
                if m and any(a == f[3] + m.end() and n == name for a, _, n in _mentions(norm)):
                    found = f
                    break
                m = re.search(r"\s*:\s*$", norm[:f[2]])  # "... in <notation>: {model:80}"
                if m and any(b == m.start() and n == name for _, b, n in _mentions(norm)):
                    found = f
                    break
    if found is not None and found[1] == catalog.binary_notation() and src0 is None:
        # "bytes 00 ff 10 -> <notation>": hex right after the word "bytes" is a bytes value, unless the
        # binary notation is named right before that word ("the <binary notation> bytes 0B")
        cue = re.search(r"\b(?:bytes|byte string):?\s*$", norm[:found[2]], re.I)
        if cue and not any(n == found[1] and a0 <= cue.start() <= b0 + 2 for a0, b0, n in _mentions(norm)):
            found = None
    english = norm
    if found is not None:
        value, used, a, b = found
        english = norm[:a] + " \x00 " + norm[b:]
        if _english_is_plain(english, value):
            r.payload, r.payload_notation, r.has_payload = value, used, True
            if used and type(value) is int and src0 is None and used != catalog.binary_notation():
                r.payload_notation = "number"
    if not r.has_payload and found is None:
        # "¿qué? as an <notation> string", "Москва (the city name) as text": one token with a non-ASCII
        # character, said to be a text
        t = token_text(norm)
        if t is not None:
            found = (t[0], "english", t[1], t[2])
            r.payload, r.payload_notation, r.has_payload = t[0], "english", True
            english = norm[:t[1]] + " \x00 " + norm[t[2]:]
    if not r.has_payload:
        d = extract_description(norm)
        if d is not None:
            value, a, b = d
            rest = norm[:a] + " \x00 " + norm[b:]
            # strict: no structure words left at all, but a text's or bytes' own kind word ("..., as a single string")
            if _english_is_plain(rest, value if isinstance(value, (str, bytes)) else None):
                r.payload, r.payload_notation, r.has_payload = value, "english", True
                english, found = rest, (value, "english", a, b)
    target, source, names = _target_and_source(english)
    low = english.lower()
    if found is not None and r.has_payload and len(names) == 1 and _PARSE_INTENT.search(low):
        only = next(iter(names))
        if r.payload_notation == only or _try_parse(norm[found[2]:found[3]].strip(), only)[0]:
            # "Read 01 C5 01 as hex bytes": the one notation named is the source
            target, source = catalog.value_notation(), only
    if target is None and len(names) == 1 and source is None and found is not None:
        only = next(iter(names))
        if not re.search(r"\b(?:parse|decode|read|interpret|deserialize|unpack|stands? for|means?|represents?)\b", low):
            target = only
    if target is None and len(names) == 1 and not (found is not None and r.payload_notation not in ("english", None)):
        target = _label_target(english) or target
    if target is None and source is not None and len(names - {source}) == 1 and "unknown" not in names:
        target = next(iter(names - {source}))
    if target is None and r.has_payload and not (names - {source} - {None}):
        if not names and asks_for_encoding(low):
            target = catalog.binary_notation()  # "what does X encode to?": the verb asks for the encoding
        elif _PARSE_INTENT.search(low) or re.search(r"\b(?:what is|what's|what does)\b", low):
            target = catalog.value_notation()
        elif not names and not _ASKS_SOMETHING.search(low):
            # a value and no notation, no verb that picks one, no question ("a list containing a single
            # empty list", "just write 101"): the value notation (corpora/README.md, rule 2)
            target = catalog.value_notation()
    if found is None:
        # every word of a long known question form is there or, without value words, most of one:
        # a fair sign of an explain request. Which entry is only certain for a known question
        # asked as is; word overlap picks the wrong entry for most new wordings (measured: 6 of 10
        # right even for full-overlap matches on the held-out splits), so it names none.
        kid = known_question(norm)
        if match_knowledge(norm, threshold=1.0, min_words=4) is not None or (
                not _VALUE_CUES.search(norm) and not _NUMBER_WORDS.search(norm) and match_knowledge(norm)):
            target = "explain"
            r.knowledge_id = kid
    asks = low.rstrip().endswith("?") and low.strip().startswith(_QUESTION_STARTS) \
        and not re.search(r"\b(?:true|false|null|nothing|none|yes|no)\b", low)
    if (target is None or asks and target != "explain" and not r.has_payload) and found is None \
            and not re.search(r"\d", norm) and not _VALUE_CUES.search(norm) and not _NUMBER_WORDS.search(norm):
        if low.strip().lower().startswith(_EXPLAIN_CUES) or asks:
            # a question with no value in it: "how is a string laid out in <notation>?" (not "how is
            # true written in ...?": a keyword is a value; nor "how does X look in ...": a verb asks for one)
            if not re.search(r"\b(?:convert|translate|encode|write|written|show|give|express|expressed|render|"
                             r"rendered|serialize|look|looks|spell|spelled|spelt|become|becomes|appear|appears|"
                             r"represent|represented|come out|comes out)\b", low):
                target = "explain"
    pos = english.find("\x00")
    if target is not None and target != "explain" and pos >= 0 and \
            re.search(r"\b(?:in|to|into|as|using)\s+(?:the\s+)?[\w-]+(?:\s+[\w-]+)?\s*[?.!]*\s*$", english[pos + 1:], re.I) \
            and not any(a > pos for a, _, _ in _mentions(english)):
        target = None  # "<payload> into binry form": the words after the payload name no notation we know
    if target is None or (target in (catalog.value_notation(), catalog.binary_notation()) and not names):
        # "in ASII text form", "to Rnic format": a target is named but not one we know -> unsure
        if not names and (re.search(r"\b(?:in|to|into|as|using)\s+(?:the\s+)?[\w-]+(?:\s+[\w-]+)?\s+"
                                    r"(?:form|notation|format|glyphs|text|bytes|script|encoding|syntax)\b", low)
                          or re.search(r"\x00\s*(?:in|to|into|as|using)\s+(?!(?:an?\s+)?(?:(?:plain|simple|bare|normal|regular|single)\s+)?(?:string|text|list|array|map|object|"
                                       r"dictionary|float|integer|int|number|value|byte string|bytes)\b)\S", english)):
            target = None
    r.target = target
    r.route = target
    if r.target == "explain":
        r.payload, r.payload_notation, r.has_payload = None, None, False
    return r


# ---------------------------------------------------------------------------------------------
# Values described in words ("a handle named documents", "the numbers one, two and three",
# "a contract 902 whose first field is the text main"): a small controlled grammar. Each
# function returns (True, value) or (False, None); the whole phrase must be consumed.

_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
_TENS_W = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if w != "_"}
_ORDINALS = {w: i for i, w in enumerate("first second third fourth fifth sixth seventh eighth".split())}
_NO = (False, None)


def words_to_int(phrase: str):
    """'minus three hundred and twenty-two' -> -322; None unless the whole phrase is a number in words."""
    toks = phrase.lower().replace("-", " ").split()
    if not toks:
        return None
    sign = 1
    if toks[0] in ("minus", "negative"):
        sign, toks = -1, toks[1:]
    total = current = 0
    seen = False
    prev = None
    for t in toks:
        if t == "and":
            if prev not in ("hundred", "thousand"):
                return None
        elif t in _UNITS:
            if prev in _UNITS or prev in _TENS_W and _UNITS[t] >= 10 or prev in _TENS_W and _UNITS[t] == 0:
                return None
            current += _UNITS[t]
            seen = True
        elif t in _TENS_W:
            if prev in _UNITS or prev in _TENS_W:
                return None
            current += _TENS_W[t]
            seen = True
        elif t == "hundred":
            if not 1 <= current <= 9:
                return None
            current *= 100
        elif t == "thousand":
            if not 1 <= current <= 999:
                return None
            total += current * 1000
            current = 0
        else:
            return None
        prev = t
    if not seen or prev == "and":
        return None
    return sign * (total + current)


_DIGIT_WORD = {w: i for i, w in enumerate("zero one two three four five six seven eight nine".split())}
_SCALES = (("trillion", 10 ** 12), ("billion", 10 ** 9), ("million", 10 ** 6))
_POWER = re.compile(r"(-?\d{1,2}) ?(?:\^|\*\*|to the power of|to the) ?(\d{1,3})(?:st|nd|rd|th)?")
_DIGITS_SCALED = re.compile(r"(-?\d+(?:\.\d+)?) (thousand|million|billion|trillion)")


def words_to_number(phrase: str):
    """A number as people write it in words, or None unless the whole phrase is one: 'one million'
    -> 1000000, 'a thousand' -> 1000, '10 billion' -> 10000000000, '1.5 million' -> 1500000,
    'zero point zero one' -> 0.01, '7 point 25' -> 7.25, '2^32' / '2 to the power of 40' -> 2**N,
    'two thousand and five' -> 2005. The compiler does this arithmetic, not the model."""
    p = re.sub(r"[\s-]+", " ", phrase.lower()).strip()
    if not p:
        return None
    m = re.fullmatch(r"(?:minus|negative) ((?:\d{1,2}|[a-z]+) ?(?:\^|\*\*| to the) ?.+)", p)
    if m:  # "minus two to the sixty-third"
        v = words_to_number(m.group(1))
        return -v if type(v) is int else None
    m = re.fullmatch(r"(.+?) (minus|plus) (\d{1,3}|[a-z]+(?: [a-z]+)?)", p)
    if m and (_POWER.fullmatch(m.group(1)) or _WORD_POWER.fullmatch(m.group(1)) or _MIXED_POWER.fullmatch(m.group(1))):
        # "two to the 32nd minus one": a power and a small offset, the arithmetic done here
        head = words_to_number(m.group(1))
        off = int(m.group(3)) if m.group(3).isdigit() else words_to_int(m.group(3))
        if type(head) is int and off is not None and 0 <= off <= 1000:
            return head - off if m.group(2) == "minus" else head + off
    m = _POWER.fullmatch(p)
    if m:
        base, exp = int(m.group(1)), int(m.group(2))
        return base ** exp if 2 <= abs(base) <= 16 and exp <= 128 else None
    m = _DIGITS_SCALED.fullmatch(p)
    if m:
        from decimal import Decimal

        n = Decimal(m.group(1)) * {"thousand": 10 ** 3, **dict(_SCALES)}[m.group(2)]
        return int(n) if n == n.to_integral_value() else None
    m = re.fullmatch(r"(-?\d+) point (\d+)", p)
    if m:
        return float(f"{m.group(1)}.{m.group(2)}")
    m = _WORD_POWER.fullmatch(p)
    if m:  # "two to the fourteenth", "two to the power of ten"
        base, exp = words_to_int(m.group(1)), _exponent(m.group(2))
        return base ** exp if base is not None and exp is not None and 2 <= base <= 16 and exp <= 128 else None
    m = _LIMIT.fullmatch(p)
    if m:  # "the largest unsigned 32-bit number", "the lowest possible 64-bit signed integer"
        return _limit(m)
    m = _TYPE_LIMIT.fullmatch(p)
    if m:  # "the largest possible int" (the value model's ints are signed 64-bit), "the max uint32"
        return _type_limit(m)
    m = _MIXED_POWER.fullmatch(p)
    if m:  # "two to the 32nd", "2 to the sixteenth"
        base = int(m.group(1)) if m.group(1).lstrip("-").isdigit() else words_to_int(m.group(1))
        exp = int(m.group(2)) if m.group(2).isdigit() else _exponent(m.group(2))
        return base ** exp if base is not None and exp is not None and 2 <= abs(base) <= 16 and exp <= 128 else None
    frac = _fraction(p)
    if frac is not None:
        return frac
    frac = None
    if " point " in f" {p} ":
        p, _, tail = f" {p} ".partition(" point ")
        p, tail = p.strip(), tail.split()
        if not tail or any(t not in _DIGIT_WORD for t in tail):
            return None
        frac = "".join(str(_DIGIT_WORD[t]) for t in tail)
    sign = 1
    if p.startswith(("minus ", "negative ")):
        sign, p = -1, p.split(" ", 1)[1]
    if p.startswith("a ") and re.match(r"a (?:hundred|thousand|million|billion|trillion)\b", p):
        p = "one" + p[1:]
    total = 0
    for big, mult in _SCALES:
        if f" {big} " in f" {p} ":
            left, _, p = p.partition(big)
            n = words_to_int(left.strip()) if left.strip() else 1
            if n is None:
                return None
            total += n * mult
            p = re.sub(r"^\s*and\b", "", p).strip()
    if p:
        n = words_to_int(p)
        if n is None:
            return None
        total += n
    if frac is not None:
        return sign * float(f"{total}.{frac}")
    return sign * total


# fractions people write in words whose decimal form is exact: "a half", "three quarters", "one tenth",
# "two and three quarters", "minus one thousandth" (thirds are not: no float is one third)
_DENOMINATORS = {"half": 2, "halves": 2, "quarter": 4, "quarters": 4, "fourth": 4, "fourths": 4, "eighth": 8,
                 "eighths": 8, "tenth": 10, "tenths": 10, "hundredth": 100, "hundredths": 100,
                 "thousandth": 1000, "thousandths": 1000}
_FRACTION = re.compile(r"(?:(minus|negative) )?(?:(.+?) and )?(a|an|one|two|three|four|five|six|seven|eight|nine|\d+) "
                       r"(" + "|".join(_DENOMINATORS) + r")")


def _fraction(p: str):
    """'three quarters' -> 0.75, 'two and a half' -> 2.5, 'a half' -> 0.5, or None."""
    from decimal import Decimal

    m = _FRACTION.fullmatch(p)
    if m is None:
        return None
    num = 1 if m.group(3) in ("a", "an") else int(m.group(3)) if m.group(3).isdigit() else _UNITS[m.group(3)]
    den = _DENOMINATORS[m.group(4)]
    if (num == 1) != (m.group(4) in ("half", "quarter", "fourth", "eighth", "tenth", "hundredth", "thousandth")) \
            or num >= den:
        return None  # "two half", "one quarters", "five quarters": not how a fraction is said
    whole = 0
    if m.group(2):
        whole = int(m.group(2)) if m.group(2).isdigit() else words_to_int(m.group(2))
        if whole is None or whole < 0:
            return None
    v = float(Decimal(whole) + Decimal(num) / Decimal(den))
    return -v if m.group(1) else v


_ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3, "fifth": 5, "eighth": 8, "ninth": 9, "twelfth": 12}
_WORD_POWER = re.compile(r"([a-z]+) to the (?:power of )?([a-z ]+?)(?: power)?")


def _exponent(word: str):
    """'fourteenth' / 'fourteen' / 'sixty fourth' -> 14 / 14 / 64 (an exponent in words), or None."""
    *head, last = word.split()
    if last in _ORDINAL_WORDS:
        last = next(w for w, i in _UNITS.items() if i == _ORDINAL_WORDS[last]) if _ORDINAL_WORDS[last] < 20 else None
    elif last.endswith("ieth"):
        last = last[:-4] + "y"
    elif last.endswith("th"):
        last = last[:-2]
    return words_to_int(" ".join(head + [last])) if last else None


_LIMIT = re.compile(r"(?:the )?(largest|biggest|highest|greatest|maximum|max|smallest|lowest|minimum|min|most negative)"
                    r"(?: possible)? (?:(signed|unsigned) )?(8|16|32|64) ?bit(?: (signed|unsigned))? (?:integer|int|number|value)")


_TYPE_LIMIT = re.compile(r"(?:the )?(largest|biggest|highest|greatest|maximum|max|smallest|lowest|minimum|min|most negative)"
                         r"(?: possible)? (?:(?:(signed) )?(integer|int)(?: value)?|(u?int(?:8|16|32|64)|i64|i32|u32)(?: value)?)")
_MIXED_POWER = re.compile(r"([a-z]+|\d{1,2}) to the (?:power of )?(\d{1,3}|[a-z]+(?: [a-z]+)?)(?:st|nd|rd|th)?(?: power)?")


def _type_limit(m: re.Match):
    big = m.group(1) in ("largest", "biggest", "highest", "greatest", "maximum", "max")
    name = m.group(4) or "int64"
    name = {"i64": "int64", "i32": "int32", "u32": "uint32"}.get(name, name)
    return _int_limit(big, name.startswith("u"), int(name.lstrip("uint")), m.group(1) == "most negative")


def _limit(m: re.Match):
    big = m.group(1) in ("largest", "biggest", "highest", "greatest", "maximum", "max")
    return _int_limit(big, "unsigned" in (m.group(2), m.group(4)), int(m.group(3)), m.group(1) == "most negative")


def _int_limit(big: bool, unsigned: bool, bits: int, most_negative: bool):
    if unsigned:  # the largest unsigned 64-bit number is outside the value model: not read
        if most_negative:
            return None
        return (2 ** bits - 1 if bits < 64 else None) if big else 0
    return 2 ** (bits - 1) - 1 if big else -(2 ** (bits - 1))


_QUOTED = r'"(?:[^"\\]|\\.)*"'


def _value_text(text: str):
    from . import parse
    from .errors import HelixError

    try:
        return True, parse(text, catalog.value_notation())
    except HelixError:
        return _NO


def describe_scalar_value(p: str):
    from .values import Handle

    p = p.strip()
    low = p.lower()
    if low in ("null", "a null value", "the null value", "nothing (null)"):
        return True, None
    if low in ("true", "the boolean true", "a true flag", "boolean true", "a true"):
        return True, True
    if low in ("false", "the boolean false", "a false flag", "boolean false", "a false"):
        return True, False
    if low in ("an empty list", "an empty array", "the empty list", "a list with no items"):
        return True, []
    if low in ("an empty map", "an empty object", "an empty dictionary", "a map with no keys"):
        return True, {}
    if low in ("empty bytes", "an empty byte string"):
        return True, b""
    if low in ("an empty string", "the empty text", '""'):
        return True, ""
    if re.fullmatch(r"(?:an? |the )?(?:empty|blank) (?:string|text)(?: value)?", low):
        return True, ""
    if re.fullmatch(r"(?:an? |the )?empty (?:bytes|byte string|bytestring|binary string|byte array)(?: value)?|"
                    r"zero bytes|no bytes(?: at all)?", low):
        return True, b""
    m = re.fullmatch(r"(?:a |one |a single |the )?(zero|null) byte|(\d+|two|three|four|five|six|seven|eight|nine|ten) "
                     r"(?:zero|null) bytes", low)
    if m:  # "one zero byte", "four null bytes"
        n = 1 if m.group(1) else _count(m.group(2))
        if n:
            return True, bytes(n)
    # "bytes of length zero", "a zero-length list", "a text of length 0": empty, said by its length
    m = re.fullmatch(r"(?:an? |the )?(?:zero-length|0-length|length-0|length-zero) (bytes|byte string|list|array|"
                     r"string|text|map|object)|(?:an? |the )?(bytes|byte string|list|array|string|text|map|object) "
                     r"(?:of|with) (?:length|size) (?:zero|0)", low)
    if m:
        kind = m.group(1) or m.group(2)
        return True, (b"" if kind.startswith("byte") else [] if kind in ("list", "array") else
                      "" if kind in ("string", "text") else {})
    if re.fullmatch(r"(?:an? |the )?empty (?:list|array)", low):
        return True, []
    if re.fullmatch(r"(?:an? |the )?empty (?:map|object|dictionary|dict)", low):
        return True, {}
    m = re.fullmatch(r"(?:the (?:number|integer) |integer |number )?(-?\d+)", p, re.I)
    if m:
        return True, int(m.group(1))
    m = re.fullmatch(r"(?:the (?:number|integer|float|decimal) )?(?:minus|negative) (\d+(?:\.\d+)?)", p, re.I)
    if m:
        return True, -(float(m.group(1)) if "." in m.group(1) else int(m.group(1)))
    m = re.fullmatch(r"(?:the (?:number|integer) )?([a-z0-9 .^-]+)", p, re.I)
    if m and re.search(r"[a-z^]", m.group(1), re.I):
        n = words_to_number(m.group(1))
        if n is not None:
            return True, n
    m = re.fullmatch(r"(?:the float |the decimal number )?(-?\d+\.\d+(?:e[-+]?\d+)?|-?\d+(?:\.\d+)?e[-+]?\d+)", p, re.I)
    if m and ("." in m.group(1) or "e" in m.group(1).lower()):
        return True, float(m.group(1))
    m = re.fullmatch(r"(?:(?:the text|the string|the word) )?(" + _QUOTED + ")", p)
    if m:
        return _value_text(m.group(1))
    m = re.fullmatch(r"(?:the text|the string|the word) ([^\W\d_](?:[^\W_]|-(?=[^\W\d_])){0,23})", p)  # café, eu-west
    if m:
        return True, m.group(1)
    # "the string €100", "the japanese word 日本語": one token that is plainly no English word (it holds a
    # character outside ASCII letters), after a text noun (with at most one adjective before it)
    m = re.fullmatch(r"(?:the|a|an) (?:[A-Za-z]+ )?(?:text|string|word|name|phrase) ([^\s\"'()]{1,40})", p)
    if m and re.search(r"[^\x00-\x7f]", m.group(1)) and not re.search(r"[.,;:!?]$", m.group(1)):
        return True, m.group(1)
    # "the Windows path C:\temp", "the url https://x.org/a": one token after a noun that names a
    # text a program handles (no quote in it, and not ending in punctuation that may be the sentence's)
    m = re.fullmatch(r"(?:the|a|an|my) (?:[A-Za-z]+ )?(?:path|file ?name|url|uri|directory|folder|host ?name|"
                     r"e-?mail address) ([^\s\"'()]{1,200})", p)
    if m and not re.search(r"[.,;:!?]$", m.group(1)) and re.search(r"[/\\.:@]", m.group(1)):
        return True, m.group(1)
    # "the text São Paulo": two to four words of letters in any script
    m = re.fullmatch(r"(?:the text|the string|the phrase) ((?:[^\W\d_]+ ){1,3}[^\W\d_]+)", p)
    if m and re.search(r"[^\x00-\x7f]", m.group(1)) and not _stop_in_text().search(m.group(1)):
        return True, m.group(1)
    # "the emoji 😀", "the character é": one character that is no letter of English text
    m = re.fullmatch(r"(?:the|an?) (?:emoji|character|symbol|glyph) (\S)\ufe0f?", p)
    if m and ord(m.group(1)) > 127:
        return True, m.group(1)
    # "a grinning face emoji string 😀": a few words naming the emoji, then the one emoji
    m = re.fullmatch(r"(?:the|an?) (?:[a-z]+ ){0,3}emoji(?: string| text| character)? ([^\x00-\x7f])\ufe0f?", p)
    if m and not m.group(1).isalpha():
        return True, m.group(1)
    # "the text good morning": unquoted words after "the text/string", read only as the whole phrase
    # (extract_description tries it only up to a boundary such as " in <notation>"), two to four plain words
    m = re.fullmatch(r"(?:the text|the string|the phrase) ((?:[A-Za-z]+ ){1,3}[A-Za-z]+)", p)
    if m and not _stop_in_text().search(m.group(1)):
        return True, m.group(1)
    m = re.fullmatch(r"(?:(?:a handle named|the handle|a reference to|a handle called|a handle whose name is|"
                     r"the handle called|the handle named|handle named|handle called|(?:the|a) handle with (?:the )?name)\s+|"
                     r"handle &h_)([A-Za-z0-9_]+)", p)
    if m:
        return True, Handle(m.group(1))
    m = re.fullmatch(r"(?:an? |the )?handle (?:named |called )?\"([A-Za-z0-9_]+)\"", p)  # 'handle "orders"'
    if m:
        return True, Handle(m.group(1))
    # bare "handle user_1", "a handle x": only a name that cannot be an English noun ("a handle reference")
    m = re.fullmatch(r"(?:a )?handle ([A-Za-z0-9_]*[0-9_][A-Za-z0-9_]*|[A-Za-z]{1,2})", p)
    if m:
        return True, Handle(m.group(1))
    m = re.fullmatch(r"(?:the (?:number|float|decimal) )?(-?\d+|[a-z -]+?) point ((?:\d+)|(?:(?:zero|one|two|three|four|five|"
                     r"six|seven|eight|nine)(?: |$))+)", p + " " if not p[-1:].isdigit() else p, re.I)
    if m:
        whole = int(m.group(1)) if re.fullmatch(r"-?\d+", m.group(1)) else words_to_int(m.group(1))
        frac = m.group(2).strip()
        digits = frac if frac.isdigit() else "".join(str(_UNITS[w]) for w in frac.split())
        if whole is not None and digits:
            sign = "-" if m.group(1).strip().startswith(("-", "minus", "negative")) else ""
            return True, float(f"{sign}{abs(whole)}.{digits}")
    m = re.fullmatch(r"(?:the bytes|a byte string|bytes) ([0-9A-Fa-f]{2,})", p)
    if m and len(m.group(1)) % 2 == 0:
        return True, bytes.fromhex(m.group(1))
    # "the bytes 00 01", "bytes 00", "these bytes: ca fe"
    m = re.fullmatch(r"(?:the |a |these |the following )?bytes:? ((?:[0-9A-Fa-f]{2} )*[0-9A-Fa-f]{2})", p)
    if m:
        return True, bytes.fromhex(m.group(1).replace(" ", ""))
    # "the four bytes de ad be ef": the count must match
    m = re.fullmatch(r"(?:the |a )?(\d+|two|three|four|five|six|seven|eight|nine|ten) bytes,? ((?:[0-9A-Fa-f]{2} )*[0-9A-Fa-f]{2})", p)
    if m and _count(m.group(1)) == len(m.group(2).split()):
        return True, bytes.fromhex(m.group(2).replace(" ", ""))
    # "a single byte, ff", "the byte 0f": one hex pair that cannot be a decimal number (a letter or a 0)
    m = re.fullmatch(r"(?:the |a |one |a single |the single )?byte,? ([0-9A-Fa-f]{2})", p)
    if m and (re.search(r"[A-Fa-f]", m.group(1)) or m.group(1)[0] == "0"):
        return True, bytes.fromhex(m.group(1))
    m = re.fullmatch(r"an? (?:float|decimal|double) (-?\d+\.\d+)", p, re.I)  # "a float 1.5"
    if m:
        return True, float(m.group(1))
    # "a string hi": one plain word, not a noun that goes on ("a string value", "a text form")
    m = re.fullmatch(r"an? (?:string|text|word) (?!(?:value|values|literal|field|key|type|form|format|notation|encoding|"
                     r"representation|version|length|tag|one|that|which|with|in|of|to|for|is|are)\b)([A-Za-z]{1,12})", p, re.I)
    if m:
        return True, m.group(1)
    m = re.fullmatch(r"raw bytes ((?:[0-9A-Fa-f]{2} )*[0-9A-Fa-f]{2})", p)
    if m:
        return True, bytes.fromhex(m.group(1).replace(" ", ""))
    # "the float 2", "three as a floating point number", "a half, float": a number said to be a float
    m = re.fullmatch(r"(?:the |an? )?" + _FLOAT_WORD + r" (?!(?:number|value|type|kind)\b)(.+)", p, re.I) or \
        re.fullmatch(r"(.+?),? (?:as |in )?(?:an? )?" + _FLOAT_WORD + r"(?: value| number)?", p, re.I)
    if m:
        ok, v = describe_scalar_value(m.group(1))
        if ok and type(v) in (int, float):
            f = float(v) if abs(v) <= 2 ** 1023 else None
            if f is not None and (type(v) is float or int(f) == v):  # an int no float holds exactly: not read
                return True, f
    return _NO


_FLOAT_WORD = r"(?:float|flaot|flot|double|floating[- ]point(?: number| value)?|decimal number)"


def _stop_words_re(attr: str, before: str, after: str) -> re.Pattern:
    """``\b(?:before|<every registered notation's words>|after)\b``, case-insensitive (whole words:
    the order of the alternatives does not change what matches)."""

    def build():
        from .plugins import notations

        regs = notations()
        words: list[str] = []
        for name in catalog.notation_routes():
            words += [w for w in getattr(regs[name], attr) if w not in words]
        return re.compile(r"\b(?:" + "|".join(filter(None, [before, *map(re.escape, words), after])) + r")\b", re.I)

    return catalog._memo(("requests", attr, before, after), build)


def _stop_in_text() -> re.Pattern:
    # words that end a described text: English function words and the notations' name words
    # ("the string red is written in ...": "is" ends the text too)
    return _stop_words_re("description_stop_words", "in|to|into|as|using|and|or|please|then|with|is|are|was|looks|written|"
                          "look|looked|become|becomes|appear|appears|come|comes|mean|means|print|prints|would|will|should",
                          "notation|format|a|an|the")
_PLURAL_SCALARS = {"falses": False, "trues": True, "nulls": None, "zeros": 0, "ones": 1, "empty lists": [],
                   "empty maps": {}, "empty strings": "", "nones": None}
_COUNT_WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten".split())}
_COUNT = r"(\d+|two|three|four|five|six|seven|eight|nine|ten)"  # a count of items, read by _count


def _count(word: str) -> int | None:
    w = word.lower()
    if w.isdigit():
        return int(w) if int(w) <= 64 else None
    return _COUNT_WORDS.get(w, {"a couple of": 2, "a pair of": 2}.get(w))


def _split_items(body: str) -> list[str] | None:
    """'a, b and c' / 'a, b, and c' / 'a; b; c' -> items (quotes and parenthesised groups respected)."""
    protected = _protect_groups(re.sub(_QUOTED, lambda m: "\x01" * len(m.group()), body))
    if protected is None:
        return None
    if ";" in protected:
        cuts = [m.start() for m in re.finditer(";", protected)]
        parts, last = [], 0
        for c in cuts:
            parts.append(body[last:c])
            last = c + 1
        parts.append(body[last:])
        return [x.strip() for x in parts]
    m = None
    for m in re.finditer(r",? and ", protected):
        pass
    if m is None:  # "1, 2, 3": commas only
        cuts = [c.start() for c in re.finditer(",", protected)]
        return [x.strip() for x in (body[a + 1 if a else 0:b] for a, b in zip([0] + cuts, cuts + [len(body)]))]
    head, tail = body[: m.start()], body[m.end():]
    hp = protected[: m.start()]
    pieces, last = [], 0
    for c in [x.start() for x in re.finditer(",", hp)]:
        pieces.append(head[last:c])
        last = c + 1
    pieces.append(head[last:])
    return [x.strip() for x in pieces] + [tail.strip()]


def _protect_groups(text: str) -> str | None:
    """`text` with every character inside parentheses masked (so item splitting skips nested
    descriptions); None when the parentheses do not balance."""
    out, level = [], 0
    for c in text:
        if c == "(":
            level += 1
        elif c == ")":
            level -= 1
            if level < 0:
                return None
        out.append("\x01" if level or c == ")" else c)
    return "".join(out) if level == 0 else None


# How deep a description may nest ("a map with a set to (a list holding (contract 5 ...))"):
# the corpus describes values up to four containers deep (corpora/valuegen.describe_nested).
_DESCRIPTION_DEPTH = 5


def describe_value(phrase: str, depth: int = 0):
    """Read a value described in words (the controlled English of helixc's corpora):
    (True, value) or (False, None)."""
    from .values import Contract

    ok, v = _describe_cache()(phrase, depth)
    return (ok, copy.deepcopy(v)) if isinstance(v, (list, dict, Contract)) else (ok, v)


def _describe_cache():
    """``_describe_value`` memoised, one cache per plugin registry (the stop words come from the
    registered notations). The forms below try sub-phrases of sub-phrases: without it a nested
    description costs exponential time in its depth. Results are shared between cache entries:
    nothing here mutates a value once read (describe_value hands callers a copy)."""
    return catalog._memo("requests.describe", lambda: functools.lru_cache(maxsize=4096)(
        lambda phrase, depth: _describe_value(phrase, depth)))


def _described(phrase: str, depth: int):
    # the sub-phrases a form reads: the memoised reading itself, no copy (nothing below mutates it)
    return _describe_cache()(phrase, depth)


_CHAR_NAMES = {"tab": "\t", "tabs": "\t", "newline": "\n", "newlines": "\n", "line break": "\n", "line breaks": "\n",
               "space": " ", "spaces": " "}
_SPECIAL_PIECE = re.compile(r"(?:(a|an|one|a single|(?:\d+|two|three|four|five|six|seven|eight|nine|ten)(?: more)?) )?"
                            r"(?:literal |real |actual )?(tabs?|newlines?|line breaks?|spaces?)(?: characters?)?")
_PIECE_SEP = re.compile(r",? (?:and )?then |,? followed by |, ")


def _text_from_pieces(body: str, single: bool = False):
    """'the word tab, then one tab character, then the word here' -> 'tab\there': a text built from
    words and named characters (tab, newline, space), joined as given. None unless at least one
    character is named (without one, how words join is not said)."""
    out, special = [], False
    for n, piece in enumerate(_PIECE_SEP.split(body.strip())):
        piece = piece.strip()
        m = _SPECIAL_PIECE.fullmatch(piece)
        if m and n == 0 and not single:
            return None  # "a space, thumbs up" with no text noun before it: a remark, not a text built of pieces
        if m:
            count = 1 if m.group(1) in (None, "a", "an", "one", "a single") else _count(m.group(1).split()[0])
            plural = m.group(2).endswith("s")
            if count is None or (count == 1) == plural and m.group(1) is not None:
                return None  # "two space", "a tabs"
            out.append(_CHAR_NAMES[m.group(2)] * count)
            special = True
            continue
        m = re.fullmatch(r"(?:the (?:word|words|text|letter) )?([^\W_][^\W_]*(?: [^\W_]+){0,3})", piece)
        if not m or (_stop_in_text().search(m.group(1)) and not piece.startswith(("the word", "the letter"))
                     and len(m.group(1)) > 1):  # "a, a tab, b": a one-letter piece is that letter
            return None
        out.append(m.group(1))
    return "".join(out) if special and (len(out) > 1 or single) else None


def _contract_fields(items: list[str], depth: int) -> dict | None:
    """Contract field items ("field 0 is X", "whose first field is Y", "@1 = Z") -> {index: value}, or
    None unless every item reads, no index repeats and they ascend."""
    fields = {}
    for it in items:
        fm = re.fullmatch(r"whose (first|second|third|fourth|fifth|sixth|seventh|eighth) field is (.+)", it, re.S) or \
            re.fullmatch(r"(?:field (\d+) set to|field @(\d+) =|with field (\d+) being) (.+)", it, re.S)
        wm = None if fm else re.fullmatch(
            r"(?:(?:with |whose )?field (?:number )?(\d+|zero|one|two|three|four|five|six|seven|eight|nine|ten|@\d+)|(@\d+))\s*"
            r"(?:=|is|set to|being|equal to|equals|holding|:|(?=(?:the|an?) ))\s*(.+)", it, re.S)
        if not fm and not wm:
            return None
        if wm:
            g = (wm.group(1) or wm.group(2)).lstrip("@")
            idx, d = (int(g) if g.isdigit() else _COUNT_WORDS[g.lower()]), wm.group(3)
        elif fm.group(1) in _ORDINALS:
            idx, d = _ORDINALS[fm.group(1)], fm.group(2)
        else:
            idx, d = int(next(g for g in fm.groups()[:3] if g)), fm.group(fm.lastindex)
        if idx in fields:
            return None
        ok, v = _described(d, depth + 1)
        if not ok:
            return None
        fields[idx] = v
    return fields if list(fields) == sorted(fields) else None


def _describe_value(phrase: str, depth: int):
    from .values import Contract
    from .values import same as _same

    p = phrase.strip().rstrip(",;").rstrip()
    if p.startswith("(") and p.endswith(")") and _protect_groups(p[1:-1]) is not None:
        p = p[1:-1].strip()  # a parenthesised group is one nested description
    ok, v = describe_scalar_value(p)
    if ok:
        return ok, v
    # "bytes of length zero, i.e. no bytes at all": a value said twice; read where both readings agree,
    # or where only one of them reads (the other being a gloss no form here reads)
    m = re.fullmatch(r"(.+?),? (?:i\.e\.|ie|that is|in other words|meaning),? (.+)", p, re.S | re.I)
    if m and depth < _DESCRIPTION_DEPTH:
        (ok1, v1), (ok2, v2) = _described(m.group(1), depth + 1), _described(m.group(2), depth + 1)
        if ok1 and ok2:
            return (True, v1) if _same(v1, v2) else _NO
        if ok1 or ok2:
            return (True, v1) if ok1 else (True, v2)
    # "a list with the float 1 in it", "an array with just true in it": one item
    m = re.fullmatch(r"(?:an? |the )?(?:list|array) with (?:just |only )?(.+?) in it", p, re.S)
    if m and depth < _DESCRIPTION_DEPTH:
        ok, v = _described(m.group(1), depth + 1)
        if ok:
            return True, [v]
    # "a list whose first item is the text "a" and whose second item is the handle b": items in order
    m = re.fullmatch(r"(?:an? |the )?(?:list|array) (whose (?:first|1st) (?:item|element|entry|value) is .+)", p, re.S)
    if m and depth < _DESCRIPTION_DEPTH:
        parts = re.split(r",?\s+(?:and\s+)?(?=whose (?:second|third|fourth|fifth|2nd|3rd|4th|5th) )", m.group(1))
        items = []
        for i, part in enumerate(parts):
            im = re.fullmatch(r"whose (\w+) (?:item|element|entry|value) is (.+)", part.strip(), re.S)
            if not im or _ORDINALS.get({"1st": "first", "2nd": "second", "3rd": "third", "4th": "fourth",
                                         "5th": "fifth"}.get(im.group(1), im.group(1))) != i:
                return _NO  # items named out of order or one left out: no reading
            ok, v = _described(im.group(2), depth + 1)
            if not ok:
                return _NO
            items.append(v)
        return True, items
    # "the string: the word tab, then one tab character, then the word here", "a string of three spaces,
    # the word padded, then three more spaces", "the word tab followed by a tab"
    m = re.fullmatch(r"((?:the|a|an) (?:text value|string value|string|text)(?: that is| of| made of| consisting of|"
                     r" containing only| containing just| holding only|:)? )?(.+)", p, re.S)
    if m and re.search(r"\b(?:tabs?|newlines?|line breaks?|spaces?)\b", m.group(2)):
        t = _text_from_pieces(m.group(2), single=m.group(1) is not None)
        if t is not None:
            return True, t
    # "a three-line string: multi, line, text, separated by newlines"
    m = re.fullmatch(r"(?:an? |the )?(?:[a-z-]+ )?(?:string|text)(?: value)?: (.+?),? (?:separated|joined) by (?:a |one )?"
                     r"(newlines?|tabs?|spaces?|line breaks?)", p, re.S)
    if m:
        words = _split_items(m.group(1)) or []
        if len(words) > 1 and all(re.fullmatch(r"[^\W_]+", w) for w in words):
            return True, _CHAR_NAMES[m.group(2)].join(words)
    if depth >= _DESCRIPTION_DEPTH:
        return _NO
    if depth:  # inside a description ("field 0 is handle alpha") a bare "handle <name>" is one
        m = re.fullmatch(r"(?:an? |the )?handle ([A-Za-z_][A-Za-z0-9_]*)", p)
        if m:
            from .values import Handle

            return True, Handle(m.group(1))
    m = re.fullmatch(r"(?:a list with just|a one-item list (?:holding|containing)|an array (?:containing|with) only|"
                     r"(?:an? |the )?(?:list|array) (?:containing|holding|with|of) (?:only|just|a single|one single|only one|"
                     r"just one|one)|(?:an? |the )?(?:single|one)[- ](?:element|item) (?:list|array)(?: containing| holding| of| with)?"
                     r") (.+)", p, re.S)
    if m:
        ok, v = _described(m.group(1), depth + 1)
        if ok:
            return True, [v]
    # "four falses", "a list of two nulls", "an array of 3 empty lists"
    m = re.fullmatch(r"(?:(?:a list|an array|a list made|the list) of )?(\d+|zero|one|two|three|four|five|six|seven|eight|"
                     r"nine|ten|a couple of|a pair of) (" + "|".join(_PLURAL_SCALARS) + r")", p, re.I)
    if m and _count(m.group(1)) is not None:
        v = _PLURAL_SCALARS[m.group(2).lower()]
        return True, [v if not isinstance(v, (list, dict)) else type(v)() for _ in range(_count(m.group(1)))]
    # "the numbers from three to six" (inclusive, ascending, at most 64 items)
    m = re.fullmatch(r"(?:(?:the|a list of|an array of|a list of the) (?:numbers|integers|ints) |a list |the list |"
                     r"a range )?from (-?\d+|[a-z -]+?) (?:to|through|thru) (-?\d+|[a-z -]+?)(?: inclusive)?", p, re.I) or \
        re.fullmatch(r"(?:the|a list of|an array of|a list of the) (?:numbers|integers|ints) (-?\d+|[a-z -]+?) "
                     r"(?:through|thru) (-?\d+|[a-z -]+?)(?: inclusive)?", p, re.I)
    if m:
        lo, hi = (int(g) if re.fullmatch(r"-?\d+", g) else words_to_int(g) for g in m.groups())
        if lo is not None and hi is not None and 0 <= hi - lo < 64:
            return True, list(range(lo, hi + 1))
    # "an empty list inside a list", "a list holding an empty map"
    m = re.fullmatch(r"(.+?),? (?:together )?(?:inside|in|within|wrapped in) (?:a|an|one) (?:list|array)(?:,? in that order)?",
                     p, re.S)
    if m and not _stop_words_re("list_stop_words", "", "notation").search(m.group(1)):
        ok, v = _described(m.group(1), depth + 1)
        if ok and re.match(_COUNT + r" |a couple of |a pair of ", m.group(1).strip(), re.I) and isinstance(v, list):
            return True, v  # "two empty lists inside a list": the counted items are the list's items
        if ok and isinstance(v, list) and re.match(r"(?:the )?(?:numbers|integers|ints|values|items|elements|words|"
                                                   r"strings|texts|booleans|floats)\b", m.group(1).strip(), re.I):
            return True, v  # "the numbers one through five in a list": the items named in the plural
        if ok:
            return True, [v]
        # "true, false and null in a list": several items, each read
        items = _split_items(m.group(1)) or []
        out = []
        for it in items if len(items) > 1 else []:
            ok, v = _described(it, depth + 1)
            if not ok:
                return _NO
            out.append(v)
        return (True, out) if out else _NO
    # "a mixed list: 1, the string a, true", "list: true true false": items after a colon
    m = re.fullmatch(r"(?:an? |the )?(?:[a-z]+ )?(?:list|array): (.+)", p, re.S)
    if m:
        body = m.group(1).strip()
        items = _split_items(body) or []
        if len(items) == 1 and re.fullmatch(r"(?:(?:true|false|null|-?\d+(?:\.\d+)?) )+(?:true|false|null|-?\d+(?:\.\d+)?)",
                                            body, re.I):
            items = body.split()  # keywords and numbers apart by spaces only
        out = []
        for it in items:
            ok, v = _described(it, depth + 1)
            if not ok:
                return _NO
            out.append(v)
        return (True, out) if out else _NO
    # "k=1, b=2" / "a map with a=1 and b=true" / "map k1=true k2=false" / "name=bob, age=7 as a map":
    # every item a key=value pair; a bare word as a value is a text
    m = re.fullmatch(r"(?:(?:a |the )?(?:map|object|dictionary|dict)(?: with(?: keys)?| of| where)?:? )?"
                     r"((?:[A-Za-z_][A-Za-z0-9_]*\s*[=:]\s*[^,;]+?"
                     r"(?:\s*(?:,|;|,? and)\s*)){0,15}[A-Za-z_][A-Za-z0-9_]*\s*[=:]\s*[^,;]+?)"
                     r"(?:,? as (?:a|an) (?:map|object|dictionary|dict))?", p, re.S)
    if m and "=" in m.group(1):
        out = {}
        # pairs apart by spaces only ("k1=true k2=false"): a comma between them
        body = re.sub(r"(?<=[^\s,;])(?<! and)\s+(?=[A-Za-z_][A-Za-z0-9_]*\s*=)", ", ", m.group(1))
        for it in re.split(r"\s*(?:,|;|,? and)\s*", body):
            km = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+)", it, re.S)
            if not km or km.group(1) in out:
                break
            ok, v = _described(km.group(2), depth + 1)
            if not ok:
                ok, v = _value_text(km.group(2))
            if not ok and re.fullmatch(r"[A-Za-z][A-Za-z0-9_.-]{0,40}", km.group(2)):
                ok, v = True, km.group(2)
            if not ok:
                break
            out[km.group(1)] = v
        else:
            if out:
                return True, dict(sorted(out.items()))
    # "1.5 three times", "a list of 1.5 three times": one value repeated
    m = re.fullmatch(r"(?:(?:a list|an array|the list) of )?(.+?) " + _COUNT + " times",
                     p, re.S | re.I)
    if m and _count(m.group(2)):
        ok, v = _described(m.group(1), depth + 1)
        if ok:
            return True, [v if not isinstance(v, (list, dict)) else type(v)() for _ in range(_count(m.group(2)))]
    # "true, false, true as a list", "two nulls and a true, in that order, as a list"
    m = re.fullmatch(r"(.+?),? (?:in that order,? )?as (?:a|an) (?:list|array)(?:,? in that order)?", p, re.S | re.I)
    if m:
        items = _split_items(m.group(1))
        out = []
        for it in items or []:
            ok, v = _described(it, depth + 1)
            if not ok:
                break
            if isinstance(v, list) and len(items) > 1 and re.match(r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|"
                                                                   r"a couple of|a pair of) ", it, re.I):
                out.extend(v)  # "two nulls and a true": the counted items, then the others
            else:
                out.append(v)
        else:
            if items and len(out) == 1 and isinstance(out[0], list):
                return True, out[0]  # "the numbers one through five as a list": already a list
            if items:
                return True, out
    # "the strings yes and no", "a list of two handles, a and b": every item of one kind, one plain word each
    m = re.fullmatch(r"(?:(?:(?:a |the )?list|an array) of )?(?:the |" + _COUNT + " )?"
                     r"(strings|words|texts|handles),? (?:(?:named|called) )?"
                     r"((?:[A-Za-z_][A-Za-z0-9_]*,? )+and [A-Za-z_][A-Za-z0-9_]*)", p, re.S)
    if m:
        from .values import Handle

        names = [x for x in re.split(r",? and |, ", m.group(3)) if x]
        if all(re.fullmatch(r"[A-Za-z0-9_]+", x) for x in names) and (
                m.group(1) is None or _count(m.group(1)) == len(names)):
            return True, [Handle(x) if m.group(2) == "handles" else x for x in names]
    # "a list of two maps, {a: 1} and {b: 2}", "a list with two contracts: contract 1 empty and ...":
    # a count and a kind before the items; the count must match
    m = re.fullmatch(r"(?:a |the )?(?:list|array) (?:of|with) " + _COUNT + " "
                     r"(maps|lists|arrays|contracts|values|items|numbers|strings|handles)[,:] (.+)", p, re.S)
    if m and _count(m.group(1)):
        ok, v = _described("a list of " + m.group(3), depth)
        if ok and isinstance(v, list) and len(v) == _count(m.group(1)):
            return True, v
    # "a map {a: 1}", "the list [1, 2]": a kind word, then the value written in the value notation
    m = re.fullmatch(r"(?:a|the) (?:map|list|array|object|dictionary) ([\[{].*[\]}])", p, re.S)
    if m:
        ok, v = _value_text(m.group(1))
        if ok and isinstance(v, (list, dict)):
            return True, v
    # "the list of weekdays Mon, Tue, Wed as strings": plain words, each a text
    m = re.fullmatch(r"(?:(?:a |the )?(?:list|array) of (?:[a-z]+ )?)?((?:[A-Za-z][\w-]*,? )+(?:and )?[A-Za-z][\w-]*),? "
                     r"as (?:strings|texts|words)", p, re.S)
    if m:
        words = _split_items(m.group(1)) or []
        if len(words) > 1 and all(re.fullmatch(r"[A-Za-z][\w-]*", w) for w in words):
            return True, words
    # "a list containing an empty list": one item after an explicit containing word
    m = re.fullmatch(r"(?:a list|an array|a list that is) (?:containing|holding) (.+)", p, re.S)
    if m and (_split_items(m.group(1)) or [None]) == [m.group(1).strip()]:
        ok, v = _described(m.group(1), depth + 1)
        if ok:
            return True, [v]
    m = re.fullmatch(r"(?:a |the )?(?:list|array) (-?\d+(?:\.\d+)?(?: -?\d+(?:\.\d+)?)+)", p)  # "list 1 2 3 4"
    if m:
        return True, [_value_text(x)[1] for x in m.group(1).split()]
    # "the word null as text", "🙂 as a one-character string": the value is a text
    m = re.fullmatch(r"(.+?),? as (?:a |an )?(?:(?:one|single)-character |plain )?(?:string|text)(?: value)?", p, re.S)
    if m:
        head = m.group(1).strip()
        ok, v = _described(head, depth + 1)
        if ok and isinstance(v, str):
            return True, v
        if len(head) == 1 and ord(head) > 127:
            return True, head
    m = re.fullmatch(r"(?:a list containing:|an array of these items:|a list of the numbers|the numbers|an array of|"
                     r"a list of|an array containing|an array with|a list containing|a list holding|a list with|list with|the list of|"
                     r"the list|the array|a list|list) (.+)", p, re.S)
    if m:
        items = _split_items(m.group(1))
        if not items or (len(items) == 1 and not m.group(0).startswith(("a list containing:", "an array of these"))):
            return _NO
        out = []
        for it in items:
            ok, v = _described(it, depth + 1)
            if not ok and it[:1] in "[{":  # "a list of two maps, {a: 1} and {b: 2}": items written as values
                ok, v = _value_text(it)
            if not ok:
                return _NO
            out.append(v)
        return True, out
    # "contract 15 with three text fields in order: a, b, c", "contract 0 with fields null and true":
    # fields numbered from 0 in the order given
    m = re.fullmatch(r"(?:a )?contract (?:with id |id |number )?(\d+) with (?:" + _COUNT + r" )?(text |string )?fields"
                     r"(?: in order)?(?:,|:)? (.+)", p, re.S)
    if m:
        items = _split_items(m.group(4)) or []
        fields = {}
        for idx, it in enumerate(items):
            ok, v = _described(it, depth + 1)
            if not ok and m.group(3) and re.fullmatch(r"[^\W\d_][^\W_]{0,30}", it):
                ok, v = True, it
            if not ok:
                return _NO
            fields[idx] = v
        if all(type(v) is int for v in fields.values()):
            return _NO  # "contract 2 with fields 1 and 2": field numbers or field values? not sure
        if len(items) > 1 and (m.group(2) is None or _count(m.group(2)) == len(items)):
            return True, Contract(int(m.group(1)), fields)
        return _NO
    # "a contract with id 44 whose fields 0 and 1 are the string x and the float 2.5"
    m = re.fullmatch(r"(?:a )?contract (?:with id |id |number )?(\d+) (?:whose|with) fields ((?:\d+, )*\d+,? and \d+) "
                     r"(?:are|set to|=|being) (.+)", p, re.S)
    if m:
        idxs = [int(x) for x in re.split(r",? and |, ", m.group(2))]
        items = _split_items(m.group(3)) or []
        if len(idxs) == len(items) and idxs == sorted(set(idxs)):
            fields = {}
            for idx, it in zip(idxs, items):
                ok, v = _described(it, depth + 1)
                if not ok:
                    return _NO
                fields[idx] = v
            return True, Contract(int(m.group(1)), fields)
        return _NO
    m = re.fullmatch(r"(?:an empty contract (?:with id |with the id |number |id )?(\d+)|(?:a )?contract (?:id )?(\d+) (?:with no fields|empty)|"
                     r"a contract with id (\d+) and no fields)", p)
    if m:
        return True, Contract(int(next(g for g in m.groups() if g)), {})
    m = re.fullmatch(r"(?:a contract (\d+)[,:]? |contract (\d+|[a-z]+(?:[ -](?!with\b|whose\b|field\b)[a-z]+)?)[,:]? |a contract with id (\d+)[,:]? )"
                     r"(?:that has |which has |having )?(?=(?:with |whose |field |@))(.+)", p, re.S)
    cid = None
    if m:
        g = next(g for g in m.groups()[:3] if g)
        cid = int(g) if g.isdigit() else words_to_int(g)
    if cid is not None:
        items = _split_items(m.group(4))
        if not items:
            return _NO
        fields = _contract_fields(items, depth)
        if fields is None and len(items) > 1:
            # the whole rest as one field: "field 0 set to a map with key ids holding the list 1, 2, 3"
            # (a nested description's commas and "and"s are its own), tried only when the split reads none
            fields = _contract_fields([m.group(4).strip()], depth)
        return (True, Contract(cid, fields)) if fields is not None else _NO
    # "a map with keys a and b, both false": several keys, one value
    m = re.fullmatch(r"(?:a |the )?(?:map|object|dictionary|dict) with (?:the )?keys (.+?),? (?:both|all|each|all of them) "
                     r"(?:set to |=\s*|being |equal to )?(.+)", p, re.S)
    if m:
        keys = [_map_key(k) for k in _split_items(m.group(1)) or []]
        ok, v = _described(m.group(2), depth + 1)
        if ok and keys and None not in keys and len(set(keys)) == len(keys) and not isinstance(v, (list, dict)):
            return True, {k: v for k in keys}
    # "a dictionary from color to the string blue", "a map whose key k holds the bytes 00 01"
    m = re.fullmatch(r"(?:a |the )?(?:map|object|dictionary|dict) (?:from|mapping) (" + _KEY + r") to (.+)", p, re.S) or \
        re.fullmatch(r"(?:a |the )?(?:map|object|dictionary|dict) whose (?:only |single )?key (" + _KEY + r") "
                     r"(?:holds|is|has|maps to) (.+)", p, re.S)
    if m and _map_key(m.group(1)) is not None:
        ok, v = _described(m.group(2), depth + 1)
        if ok:
            return True, {_map_key(m.group(1)): v}
    # 'a map with string keys "1" and "2" mapping to "one" and "two"': keys, then their values in order
    m = re.fullmatch(r"(?:an? |the )?(?:map|object|dictionary|dict) with (?:the )?(?:string |text )?keys (.+?),? "
                     r"(?:mapping|mapped|going|set) to (.+?)(?:,? respectively)?", p, re.S)
    if m:
        keys = [_map_key(k) for k in _split_items(m.group(1)) or []]
        vals = [_described(x, depth + 1) for x in _split_items(m.group(2)) or []]
        if len(keys) > 1 and len(keys) == len(vals) and None not in keys and len(set(keys)) == len(keys) \
                and all(ok for ok, _ in vals):
            return True, dict(sorted(zip(keys, (v for _, v in vals))))
    # "z is 1, a is 2, m is 3 (a map)", "x is true and y is null, as a map"
    m = re.fullmatch(r"(.+?),? (?:\((?:as )?an? (?:map|dictionary|object)\)|as an? (?:map|dictionary|object))", p, re.S)
    if m:
        out = {}
        for it in _split_items(m.group(1)) or []:
            km = re.fullmatch(r"(" + _KEY + r") (?:is|=|:) (.+)", it, re.S)
            key = _map_key(km.group(1)) if km else None
            ok, v = _described(km.group(2), depth + 1) if key is not None else _NO
            if not ok or key in out:
                out = {}
                break
            out[key] = v
        if out:
            return True, dict(sorted(out.items()))
    # "map, one key a, value null", "a map with one key, C, whose value is 1": one key and its value
    # "the map whose only key is C and whose value is 2", "a map whose key is a with value null"
    m = re.fullmatch(r"(?:an? |the )?(?:map|object|dictionary|dict)[,:]?(?: with)?(?: one| a single| only one| just one| the single|"
                     r" the only| the one)? key,? "
                     r"(" + _KEY + r"),? (?:(?:and |with )?(?:the |a |whose |its )?value (?:is |of |= |set to )?|"
                     r"(?:set to|mapped to|maps to|=|holding|equal to|equals|equalling) )(.+)", p, re.S) or \
        re.fullmatch(r"(?:an? |the )?(?:map|object|dictionary|dict) whose (?:only |one |single |sole )?key is (" + _KEY +
                     r"|the empty string|an empty string),? (?:and whose value is|with (?:the )?value|and its value is|"
                     r"mapped to|holding) (.+)", p, re.S)
    key = None if not m else "" if m.group(1) in ("the empty string", "an empty string") else _map_key(m.group(1))
    if key is not None:
        ok, v = _described(m.group(2), depth + 1)
        if ok:
            return True, {key: v}
    # "map: id 3, parent null", "a map from names to ages: bob 31, ann 29": key and value pairs after a colon
    m = re.fullmatch(r"(?:an? |the )?(?:[a-z]+ )?(?:map|object|dictionary|dict|record)(?: (?:from|of) [a-z]+ to [a-z ]+)?: (.+)",
                     p, re.S)
    if m:
        out = {}
        for it in _split_items(m.group(1)) or []:
            km = re.fullmatch(r"(" + _KEY + r")(?: is|:| =)? (.+)", it, re.S)
            key = _map_key(km.group(1)) if km else None
            if key is None or key in out:
                return _NO
            ok, v = _described(km.group(2), depth + 1)
            if not ok and re.fullmatch(r"[^\W\d_][^\W_]{0,30}", km.group(2)):
                ok, v = True, km.group(2)  # "name Bo": one plain word as a value is a text
            if not ok:
                return _NO
            out[key] = v
        return (True, dict(sorted(out.items()))) if out else _NO
    m = re.fullmatch(r"((?:an? |the )?(?:map|object|dictionary|dict) (?:with|where|containing)) (.+)", p, re.S)
    if m:
        where = m.group(1).endswith("where")

        def entry(it):  # one "key K with V" item -> (key, value), or None
            km = re.fullmatch(r"(?:the |a )?key (" + _KEY + r") (?:with|holding|whose value is|mapped to|maps to|set to|equal to|equals|"
                              r"that holds|=|is) (.+)", it, re.S) or \
                re.fullmatch(r'(?:an |the )empty(?: string)? key() (?:with|holding|mapped to|set to|=) (.+)', it, re.S) or \
                re.fullmatch(r"(?:the |a )?key (" + _KEY + r") and (?:the )?value (.+)", it, re.S) or \
                re.fullmatch(r"(" + _QUOTED + r"|[A-Za-z_][A-Za-z0-9_]*) " + ("is" if where else r"(?:set to|mapped to|=)") + r" (.+)",
                             it, re.S)
            key = _map_key(km.group(1)) if km else None
            if key is None:
                return None
            ok, v = _described(km.group(2), depth + 1)
            return (key, v) if ok else None

        # the whole body as one entry first: "key k and value 1", "key k mapped to a list of 1 and 2"
        one = entry(m.group(2).strip())
        if one is not None:
            return True, {one[0]: one[1]}
        items = _split_items(m.group(2))
        if not items:
            return _NO
        out = {}
        for it in items:
            e = entry(it)
            if e is None or e[0] in out:
                return _NO
            out[e[0]] = e[1]
        return True, out
    return _NO


# a map key as English writes it: quoted ("1", 'with space') or one word (café)
_KEY = _QUOTED + r"|'[^'\n]{0,40}'|[^\W\d]\w*"


def _map_key(raw: str) -> str | None:
    raw = raw.strip()
    if raw == "":
        return ""  # "an empty key": the form itself said so
    if raw.startswith('"'):
        ok, key = _value_text(raw)
        return key if ok and isinstance(key, str) else None
    if raw.startswith("'"):
        return raw[1:-1] if len(raw) >= 2 and raw.endswith("'") else None
    return raw if re.fullmatch(r"[^\W\d]\w*", raw) else None


def token_text(norm: str):
    """'¿qué? as an <notation> string', 'Москва (the city name) as text': a request that starts with one
    token holding a non-ASCII character and says it is a text -> (the token, start, end), or None."""
    m = re.match(r"\s*(\S*[^\x00-\x7f]\S*)(?:\s+\([^)]*\))?,?\s+as\s+(?:an?\s+)?(?:[\w-]+\s+)?(?:string|text)\b", norm)
    return (m.group(1), m.start(1), m.end(1)) if m and '"' not in m.group(1) else None


def extract_description(text: str):
    """A value described in words inside a request: (value, start, end) or None (earliest, longest span)."""
    starts = [m.start() for m in re.finditer(r"(?:(?<=\s)|^)(?=[A-Za-z\"-]|\d|[^\x00-\x7f])", text)]
    named = [m.start() for a0, _, _ in _mentions(text)
             if (m := re.search(r"\s*(?:,|\u2014|--|:|\.)\s*(?:in\s+|as\s+)?(?:the\s+)?$", text[:a0]))]
    budget = READ_BUDGET_CHARS
    for a in starts:
        ends = {len(text.rstrip())}
        for m in _END_BOUNDARY.finditer(text, a):
            ends.add(m.start())
        # a clause or a sentence ends ("... beta. translate to <notation>": an instruction after a full stop)
        for m in re.finditer(r";(?=\s)|\.(?=\s+[A-Z])|\.(?=\s+(?:now\s+|then\s+|please\s+)?(?:translate|convert|"
                             r"encode|write|give|show|render|put|output|serialize|serialise|express|make)\b)", text[a:]):
            ends.add(a + m.start())
        ends.update(e for e in named if e > a)
        for b in sorted((e for e in ends if e > a), reverse=True):
            if pronoun_one(text, a, b):
                continue
            budget -= b - a
            if budget < 0:
                return None  # see READ_BUDGET_CHARS
            ok, v = describe_value(text[a:b])
            if ok:
                return v, a, b
    return None
