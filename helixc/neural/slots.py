"""Literal slots: the compiler copies literals, the model places them.

A 3M-parameter model copies a 10-digit number or a 20-character string wrongly
often enough to sink exact match, and copying is not what we want a model for.
So before a request reaches the model, the compiler's lexer (literal syntax, plus
a few fixed cue words; no other English understanding) replaces each literal by a
slot token:

* quoted strings ``"..."`` and the keys of maps written in a notation (``{warn: 1}``), both
  shown to the model as ``"⟨k⟩"``; handle names and bytes literals in any notation's spelling
  (``slot_spelling`` in each notation folder), behind their sigil; hex after the word "bytes",
* decimal numbers (after :func:`helixc.requests.normalize_numbers`, so hex,
  binary and octal are already decimal), small ones too, but never field indices
  (a notation's field marker before the digits, "field 2": structure the model writes); numbers in
  words ("minus two hundred and four", "a million", "zero point zero one") and scaled or
  raised digits ("10 billion", "2^32", "2 to the power of 40"), all read by
  :func:`helixc.requests.words_to_number`, so the model neither copies digits nor does arithmetic,
* one-word names behind the cue words the corpus English uses for them (the compiler's rule
  reader reads the same cues): ``the text|string|word X`` (a string), ``a handle named X``,
  ``the handle X``, ``a reference to X`` (a handle), and a map key in ``with X set to``,
  ``, X = ``, ``where X is``, ``key X with``: free English names outside these cues are still
  copied by the model,
* hex words with a digit and a letter (``7AF9``) or a leading zero (``040140``: not a decimal
  number), and runs of hex byte pairs
  (``07 84 07 00``). Two or more bytes that decode in the binary notation are also spelt out:
  the compiler decodes the bytes and inserts the value in the value notation, itself
  delexicalised, as ``⟦...⟧`` after the slot; the model chooses from the wording whether the
  run is raw bytes or a binary payload.

``Encode the bytes 7AF9 and "hi" as X`` -> ``Encode the bytes ⟨0⟩ and "⟨1⟩" as X``.

The slot characters ``⟨ ⟩ ⟦ ⟧`` are reserved: where a request has them outside a
literal they are shown to the model as ``< > [[ ]]``, so they cannot pose as slots.

The specialist then writes its notation with slot references where literals
go: ``⟨k⟩`` for the literal's value, the notation's bytes sigil around ``⟨k⟩`` for its hex
digits read as bytes (``the bytes 1234``), ``"⟨k⟩"`` for its text as a string
or map key. Decoding runs under the notation's grammar with those forms added
(:func:`slot_grammar`). :func:`fill` substitutes the literals, parses the text
with the notation's parser and re-emits it canonically (map keys in code-point
order: a model that sees ``⟨3⟩`` cannot sort it).

Training targets come from :func:`template`: the expected value with every leaf
that equals a slot replaced by that slot, checked by ``fill(template) == answer``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import E_GRAMMAR, E_INPUT, E_KEY_ORDER, E_NONCANONICAL, HelixError

# What the lexer turns into slots is part of what a slotted model learned: models record the
# version they were trained with (manifest "slot_lexer") and refuse to load under another one.
# 1: literals; 2: + every number value and numbers in words; 3: + names behind cue words.
# Since version 3 "one" used as a pronoun ("the binary one", helixc.requests.pronoun_one) is not a
# number slot; the shipped corpus has no such phrase, so the models' training data is unchanged.
SLOT_LEXER_VERSION = 4
MAX_SLOTS = 48
SLOT_TOKENS = tuple(f"\u27e8{i}\u27e9" for i in range(MAX_SLOTS))
_SLOT = r"\u27e8(?:0|[1-9][0-9]?)\u27e9"  # ⟨k⟩
DECODED_OPEN, DECODED_CLOSE = "\u27e6", "\u27e7"  # ⟦ ⟧ around a binary hex run's decoded value

# How each notation spells slots (bytes from a slot's hex digits, handles, the grammar terminals
# that also take a slot, the ones replaced outright) is in its folder: Notation.slot_spelling
# (plugins/<name>/slots.py). SLOT_NOTATIONS: the registered notations that have one.


def _spelling_of(notation: str) -> dict:
    from ..plugins import get_notation

    sp = get_notation(notation).slot_spelling
    if sp is None:
        raise HelixError(E_GRAMMAR, f"{notation} has no slot spelling (Notation.slot_spelling)")
    return sp


def _slot_notations() -> tuple[str, ...]:
    from .. import catalog
    from ..plugins import notations

    regs = notations()
    return tuple(n for n in catalog.notation_routes() if regs[n].slot_spelling is not None)


def __getattr__(name: str):
    if name == "SLOT_NOTATIONS":
        return _slot_notations()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _value_notation() -> str:
    from .. import catalog

    return catalog.value_notation()

# Numbers in words ("minus two hundred and four"): the compiler reads them (helixc.requests.words_to_int),
# the model would have to do the arithmetic.
_NUMBER_WORDS = sorted(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million "
    "billion trillion".split(),
    key=len, reverse=True)
_DIGIT_WORDS = "zero one two three four five six seven eight nine".split()

_LEX_TEMPLATE = (
    r"""
     (?P<string>"(?:[^"\\\n]|\\.)*")
    |(?P<bytes>BYTES)
    |(?P<handle>HANDLES)
    |(?P<key>(?:(?<=[KEYAFTER,])|(?<=,\ ))KEYNOT[A-Za-z_][A-Za-z0-9_]*(?=:))
    |(?P<hexrun>(?<![\w.])[0-9A-Fa-f]{2}(?:\ [0-9A-Fa-f]{2})+(?![\w]|\.[0-9]))
    |(?P<bword>(?:(?<=[Bb][Yy][Tt][Ee][Ss]\ )|(?<=[Bb][Yy][Tt][Ee]\ )|(?<=[Bb][Yy][Tt][Ee]\ [Ss][Tt][Rr][Ii][Nn][Gg]\ ))
        (?:[0-9A-Fa-f]{2})+(?![\w]|\.[0-9]))
    |(?P<scaled>(?<![\w.NUMNOTAFTER\u27e8-])(?<!field\ )(?:-?[0-9]+(?:\.[0-9]+)?\ (?i:SCALE)|-?[0-9]{1,2}\ ?\^\ ?[0-9]{1,3}
        |-?[0-9]{1,2}\ (?i:to\ the\ power\ of)\ [0-9]{1,3}|-?[0-9]+\ (?i:point)\ [0-9]+)(?![\w\u27e9-]|\.[0-9]))
    |(?P<number>(?<![\w.NUMNOTAFTER\u27e8-])(?<!field\ )-?(?:0(?![0-9])|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?
        (?![\w\u27e9]|\.[0-9]|\s*=))
    |(?P<hexword>(?<![\w.])(?:(?=[0-9A-Fa-f]*[A-Fa-f])(?=[0-9A-Fa-f]*[0-9])(?:[0-9A-Fa-f]{2})+|0[0-9](?:[0-9]{2})+)
        (?![\w]|\.[0-9]))
    |(?P<textword>(?i:(?<=\bthe\ text\ )|(?<=\bthe\ string\ )|(?<=\bthe\ word\ ))(?!(?i:true|false|null|TEXTNOT)\b)
        [A-Za-z_][A-Za-z0-9_]*(?![\w"&.-]))
    |(?P<handleword>(?i:(?<=\bhandle\ named\ )|(?<=\bthe\ handle\ )|(?<=\breference\ to\ )|(?<=\bhandle\ called\ )
        |(?<=\bhandle\ whose\ name\ is\ )|(?<=\bhandle\ with\ the\ name\ )|(?<=\bhandle\ with\ name\ )
        |(?<=\bresource\ called\ )|(?<=\bresource\ named\ )|(?<=\bhandle\ (?=[A-Za-z]*[_0-9])))(?!(?i:TEXTNOT)\b)
        [A-Za-z_][A-Za-z0-9_]*(?![\w"&.-]))
    |(?P<keyword>(?:(?i:(?<=\bwith\ )|(?<=\bwhere\ )|(?<=,\ )|(?<=\band\ )|(?<=;\ ))(?!(?i:key|field)\b)
        [A-Za-z_][A-Za-z0-9_]*(?=\ set\ to\ |\ =\ |\ is\ (?!written\b))
        |(?i:(?<=\bkey\ ))[A-Za-z_][A-Za-z0-9_]*(?=\ with\ )))
    |(?P<words>(?i:(?<![\w-])(?:(?:minus|negative)\ +)?(?:a\ +(?=(?:SCALE|hundred)\b))?NUMWORD
        (?:(?:\ +|-)NUMWORD|(?:(?<=hundred)|(?<=thousand)|(?<=million)|(?<=billion)|(?<=trillion))\ +and\ +NUMWORD)*
        (?:\ +point(?:\ +DIGITWORD)+)?(?![\w-])))
    """.replace("NUMWORD", "(?:" + "|".join(_NUMBER_WORDS) + ")")
    .replace("DIGITWORD", "(?:" + "|".join(_DIGIT_WORDS) + ")")
    .replace("SCALE", "thousand|million|billion|trillion")
    # function words after a cue are the sentence going on, not a name ("the string containing a space")
    .replace("TEXTNOT", "containing|contains|with|of|that|which|made|holding|whose|called|named|consisting|for|in|"
             "is|as|to|and|or|from|here|there|value|itself")
)


def _uniq(items) -> list[str]:
    out: list[str] = []
    for x in items:
        if x and x not in out:
            out.append(x)
    return out


def _lexer() -> re.Pattern:
    """The slot lexer: the pattern above with every registered notation's literal spellings
    (``slot_spelling["lex_*"]``, notations in name order) put in. With the built-ins this is,
    character for character, the lexer of SLOT_LEXER_VERSION 4 (tests/test_slots.py checks)."""
    from .. import catalog

    def build():
        from ..plugins import notations

        regs = notations()
        sps = [regs[n].slot_spelling for n in sorted(regs) if regs[n].slot_spelling is not None]
        pattern = (_LEX_TEMPLATE
                   .replace("BYTES", "|".join(_uniq(sp.get("lex_bytes") for sp in sps)))
                   .replace("HANDLES", "|".join(_uniq(sp.get("lex_handle") for sp in sps)))
                   .replace("KEYAFTER", "".join(_uniq(sp.get("lex_key_after") for sp in sps)))
                   .replace("KEYNOT", "".join(f"(?!{x})" for x in _uniq(sp.get("lex_key_not") for sp in sps)))
                   .replace("NUMNOTAFTER", "".join(_uniq(sp.get("lex_number_not_after") for sp in sps))))
        return re.compile(pattern, re.X)

    return catalog._memo("slots.lexer", build)


@dataclass
class Slot:
    kind: str  # string | bytes | handle | key | hexrun | hexword | bword | scaled | number | words | textword | handleword | keyword
    raw: str  # the literal as the request spells it
    value: object
    hex: str | None = None  # hex digits when the literal can be read as bytes
    index: int = 0  # k of ⟨k⟩

    @property
    def token(self) -> str:
        return SLOT_TOKENS[self.index]


def _literal(kind: str, raw: str):
    """(value, hex digits or None) of a lexed literal; None when it is not one after all."""
    from .. import parse
    from ..values import Handle

    try:
        if kind == "string":
            return parse(raw, _value_notation()), None
        if kind == "bytes":
            lo, hi = _marks(raw, "bytes")
            digits = raw[len(lo):len(raw) - len(hi)]
            return (bytes.fromhex(digits), digits.lower()) if digits else None
        if kind == "handle":
            return Handle(raw[len(_marks(raw, "handle")[0]):]), None
        if kind in ("key", "textword", "keyword"):
            return raw, None
        if kind == "handleword":
            return Handle(raw), None
        if kind in ("hexrun", "hexword", "bword"):
            digits = raw.replace(" ", "").lower()
            return bytes.fromhex(digits), digits
        if kind in ("words", "scaled"):
            from ..requests import words_to_number

            n = words_to_number(raw)
            return (n, None) if n is not None else None
        if kind == "number":
            v = parse(raw, _value_notation())
            plain = raw.isdigit() and len(raw) % 2 == 0
            return v, raw if plain else None
    except (HelixError, ValueError):
        return None
    return None


def _spelling(kind: str, raw: str, token: str) -> str:
    """How the slot appears in the model's input: strings and bytes keep their quotes and
    sigils, so the model still sees what kind of literal stands there."""
    if kind in ("string", "key"):
        return f'"{token}"'
    if kind in ("handle", "bytes"):
        lo, hi = _marks(raw, kind)
        return lo + token + hi
    return token


def _marks(raw: str, kind: str) -> tuple[str, str]:
    """(opening, closing) markup of a lexed bytes or handle literal: the longest notation
    spelling (``slot_spelling["bytes"]`` / ``["handle"]``) that ``raw`` starts with."""
    from .. import catalog

    def build():
        from ..plugins import notations

        regs = notations()
        sps = [regs[n].slot_spelling for n in sorted(regs) if regs[n].slot_spelling is not None]
        # a notation without bytes or handles (a plugin's JSON) has no such spelling
        table = {"bytes": _uniq(tuple(sp["bytes"]) for sp in sps if sp.get("bytes")),
                 "handle": _uniq((sp["handle"], "") for sp in sps if sp.get("handle"))}
        return {k: sorted(v, key=lambda m: -len(m[0])) for k, v in table.items()}

    for lo, hi in catalog._memo("slots.marks", build)[kind]:
        if raw.startswith(lo) and raw.endswith(hi) and len(raw) >= len(lo) + len(hi):
            return lo, hi
    return raw[:1], ""


def _decoded_value(digits: str):
    from .. import catalog, get_notation

    try:
        return get_notation(catalog.binary_notation()).decode(bytes.fromhex(digits))
    except (HelixError, ValueError):
        return None


def _decoded_prefix(run: str):
    """(run, None), or (shorter run, decoded value) when the run only decodes without its trailing
    letter-only pairs: those are words ("HOW WOULD 05 01 0B 06 BE WRITTEN")."""
    pairs = run.split(" ")
    while len(pairs) > 2 and pairs[-1].isalpha():
        pairs.pop()
        value = _decoded_value("".join(pairs))
        if value is not None:
            return " ".join(pairs), value
    return run, None


_RESERVED = str.maketrans({"\u27e8": "<", "\u27e9": ">", DECODED_OPEN: "[[", DECODED_CLOSE: "]]"})


def delexicalize(text: str, slots: list[Slot] | None = None) -> tuple[str, list[Slot]]:
    """``text`` with its literals replaced by slot tokens, and the slots in order."""
    from .. import emit
    from ..requests import pronoun_one

    slots = [] if slots is None else slots
    out: list[str] = []
    pos = 0
    for m in _lexer().finditer(text):
        if len(slots) >= MAX_SLOTS:
            break
        kind = m.lastgroup
        if kind == "words" and pronoun_one(text, m.start(), m.end()):
            continue  # "the binary one": not the number 1
        lit = _literal(kind, m.group())
        if lit is None:
            continue
        raw, value = m.group(), None
        if kind in ("hexrun", "hexword") and len(lit[1]) >= 4:
            value = _decoded_value(lit[1])
            if value is None and kind == "hexrun":
                raw, value = _decoded_prefix(raw)
                if value is not None:
                    lit = _literal(kind, raw)
        out.append(text[pos:m.start()].translate(_RESERVED))
        pos = m.start() + len(raw)
        slot = Slot(kind, raw, lit[0], lit[1], len(slots))
        slots.append(slot)
        out.append(_spelling(kind, raw, slot.token))
        if value is not None:
            inner, _ = delexicalize(emit(value, _value_notation()), slots)
            out.append(f" {DECODED_OPEN}{inner}{DECODED_CLOSE}")
    out.append(text[pos:].translate(_RESERVED))
    return "".join(out), slots


# ---------------------------------------------------------------------------- model text -> answer

def _refs() -> tuple[re.Pattern, int]:
    """(pattern of slot references, number of bytes forms): every registered notation's bytes
    form (one group each), a quoted slot, a handle prefix + slot, a bare slot."""
    from .. import catalog

    def build():
        from ..plugins import notations

        regs = notations()
        sps = [regs[n].slot_spelling for n in sorted(regs) if regs[n].slot_spelling is not None]
        forms = _uniq(tuple(sp["bytes"]) for sp in sps if sp.get("bytes"))
        handles = _uniq(sp.get("handle") for sp in sps)
        alts = [re.escape(lo) + "(" + _SLOT + ")" + re.escape(hi) for lo, hi in forms]
        alts.append('"(' + _SLOT + ')"')
        # (?!) when no notation has handles: the group never matches, and a bare slot is a value
        alts.append("(?:" + ("|".join(re.escape(h) for h in handles) or "(?!)") + ")(" + _SLOT + ")")
        alts.append("(" + _SLOT + ")")
        return re.compile("|".join(alts)), len(forms)

    return catalog._memo("slots.refs", build)


# Hex runs and words may be a binary payload (then its decoded ⟦...⟧ slots are used instead) or
# digits that are not a literal at all; every other slot is a literal the answer must contain.
_OPTIONAL_KINDS = frozenset({"hexrun", "hexword", "bword"})


def required(slots: list[Slot]) -> list[Slot]:
    """The slots an answer must place: every literal of the request but hex runs and words.

    Measured on 12,000 training rows (3,000 per notation route): every such slot (24,800) is used
    by its row's answer (:func:`template`), while 1,326 of 1,507 hex runs/words are not (a binary
    payload is answered by its decoded value).
    """
    return [s for s in slots if s.kind not in _OPTIONAL_KINDS]


def _index(tok: str) -> int:
    return int(tok[1:-1])


def substitute(text: str, slots: list[Slot], notation: str) -> str:
    """The model's text with every slot reference replaced by its literal in ``notation``."""
    from .. import emit
    from ..values import Handle

    def lookup(tok: str) -> Slot:
        k = _index(tok)
        if k >= len(slots):
            raise HelixError(E_INPUT, f"the answer refers to slot {tok}, but the request has {len(slots)} literals")
        return slots[k]

    ref, nb = _refs()

    def repl(m: re.Match) -> str:
        as_bytes = next((g for g in m.groups()[:nb] if g), None)
        if as_bytes:
            s = lookup(as_bytes)
            if s.hex is None:
                raise HelixError(E_INPUT, f"slot {as_bytes} ({s.raw}) cannot be read as bytes")
            return emit(bytes.fromhex(s.hex), notation)
        if m.group(nb + 1):
            s = lookup(m.group(nb + 1))
            return emit(s.value if isinstance(s.value, str) else s.raw, notation)
        if m.group(nb + 2):
            s = lookup(m.group(nb + 2))
            name = s.value.name if isinstance(s.value, Handle) else s.value
            if not isinstance(name, str):
                raise HelixError(E_INPUT, f"slot {m.group(nb + 2)} ({s.raw}) cannot be a handle name")
            return emit(Handle(name), notation)
        return emit(lookup(m.group(nb + 3)).value, notation)

    return ref.sub(repl, text)


def fill(text: str, slots: list[Slot], notation: str):
    """(value, canonical text in ``notation``) of a model's slotted answer."""
    from .. import emit, parse

    plain = substitute(text, slots, notation)
    try:
        value = parse(plain, notation)
    except HelixError as e:
        if e.code not in (E_KEY_ORDER, E_NONCANONICAL):
            raise
        value = _parse_any_key_order(plain, notation)
    return value, emit(value, notation)


def _parse_any_key_order(text: str, notation: str):
    """Parse with map keys in any order and quoted where a bare key would do (a model that
    sees ``⟨3⟩`` cannot sort that key, nor tell whether it needs quotes); the caller
    re-emits the value canonically."""
    import importlib

    from .. import get_notation
    from ..textparse import reference_parse

    n = get_notation(notation)
    mod = importlib.import_module(type(getattr(n, "wrapped", n)).__module__)  # the plugin's own class
    lenient = type("AnyKeyOrder", (mod.Builder,), {"canonical_key_order": False})
    return reference_parse(n.grammar, lenient, notation, text)


def slot_grammar(notation: str) -> str:
    """``notation``'s Lark grammar with slot references added to its literal terminals
    (and bytes written only from slots)."""
    from .. import get_notation

    text = get_notation(notation).grammar
    # a string is a slot or a string without slot brackets: "⟨0⟩, " would be a valid string
    # to the plain grammar, and fill would then splice a literal into it
    no_slot = (lambda orig: orig.replace('[^"', '[^"\u27e8\u27e9', 1))
    sp = _spelling_of(notation)
    edits = [(t, lambda orig, x=extra.replace("{slot}", _SLOT): f"(?:{x})|(?:{no_slot(orig) if t == 'STRING' else orig})")
             for t, extra in sp["terminals"].items()]
    edits += [(t, lambda orig, x=only.replace("{slot}", _SLOT): x) for t, only in sp.get("slot_only", {}).items()]
    for term, regex in edits:
        pat = re.compile(rf"^({term}):\s*/(.*)/\s*$", re.M)
        if not pat.search(text):
            raise HelixError(E_GRAMMAR, f"{notation} grammar has no terminal {term} to extend with slots")
        # the slot form first: Python's re (Lark's lexer) takes the first alternative that matches
        text = pat.sub(lambda m, r=regex: f"{m.group(1)}: /{r(m.group(2))}/", text, count=1)
    return text


# ---------------------------------------------------------------------------- answer -> training target

_VAL_MARK = ("\ue000", "\ue001")  # a leaf taken from slot k
_BYTES_MARK = ("\ue002", "\ue003")  # a bytes leaf spelt by slot k's hex digits
_STR_MARK = ("\ue004", "\ue005")  # a string or map key taken from slot k
_HANDLE_MARK = ("\ue006", "\ue007")  # a handle named by slot k
_CID_BASE = 4_294_967_200  # contract ids are u32 ints: slot k -> _CID_BASE + k (k < 48 < 96)


def template(value, slots: list[Slot], notation: str) -> str | None:
    """The text a slot-aware specialist should write for ``value`` (None: slots cannot express it)."""
    from .. import emit, same
    from ..values import Contract, Handle

    by_value: list[tuple[Slot, object]] = [(s, s.value) for s in slots]

    used: set[int] = set()

    def first(matches) -> Slot | None:
        # an unused slot first: a literal written twice in the request is two slots, used once each
        matches = list(matches)
        pick = next((m for m in matches if m.index not in used), matches[0] if matches else None)
        if pick is not None:
            used.add(pick.index)
        return pick

    def find(leaf) -> Slot | None:
        return first(s for s, v in by_value if type(v) is type(leaf) and same(v, leaf))

    def find_hex(b: bytes) -> Slot | None:
        return first(s for s in slots if s.hex is not None and s.hex == b.hex())

    cids: set[int] = set()

    def mark(pair, k):
        return f"{pair[0]}{k:03d}{pair[1]}"

    def walk(v):
        if isinstance(v, Contract):
            s = find(v.id)
            if s is not None:
                cids.add(s.index)
            cid = _CID_BASE + s.index if s is not None else v.id
            return Contract(cid, {i: walk(f) for i, f in v.fields.items()})
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, dict):
            out = {}
            for k, x in v.items():
                s = find(k)
                out[mark(_STR_MARK, s.index) if s is not None else k] = walk(x)
            return out
        if isinstance(v, bool) or v is None:
            return v
        if isinstance(v, bytes):
            s = find_hex(v) if v else None
            return mark(_BYTES_MARK, s.index) if s is not None else v
        if isinstance(v, Handle):
            s = find(v)
            return mark(_HANDLE_MARK, s.index) if s is not None else v
        if isinstance(v, (int, float, str)):
            s = find(v)
            if s is None:
                return v
            return mark(_STR_MARK if isinstance(v, str) else _VAL_MARK, s.index)
        return v

    try:
        text = emit(walk(value), notation)
    except HelixError:
        return None
    sp = _spelling_of(notation)
    esc = sp.get("string_escape")
    lo, hi = sp.get("bytes") or ("", "")

    def unmark(pair, wrap):
        a, b = pair
        if esc:
            pat = '"' + esc + f"{ord(a):04x}" + r"(\d{3})" + esc + f"{ord(b):04x}" + '"'
        else:
            pat = '"' + a + r"(\d{3})" + b + '"'
        return re.compile(pat), wrap

    for pat, wrap in (unmark(_BYTES_MARK, lambda k: f"{lo}{SLOT_TOKENS[k]}{hi}"),
                      unmark(_STR_MARK, lambda k: f'"{SLOT_TOKENS[k]}"'),
                      unmark(_HANDLE_MARK, lambda k: f"{sp.get('handle', '')}{SLOT_TOKENS[k]}"),
                      unmark(_VAL_MARK, lambda k: SLOT_TOKENS[k])):
        text = pat.sub(lambda m, w=wrap: w(int(m.group(1))), text)
    for k in cids:  # a real id equal to a sentinel is caught by the fill check below
        text = re.sub(rf"(?<![0-9]){_CID_BASE + k}(?![0-9])", SLOT_TOKENS[k], text)
    try:
        _, again = fill(text, slots, notation)
    except HelixError:
        return None
    return text if again == emit(value, notation) else None
