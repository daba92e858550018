"""Source-notation detection for ``helixc translate`` without ``--from``.

Every registered notation tries to read the input. If exactly one does, or
all that do agree on the value, that notation wins (preferring the one whose
canonical form the input already is). If several read it as different values
(``10`` is the int 10 in a text notation but the byte 0x10 in hex text), detection
refuses and asks for ``--from``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from . import catalog
from .errors import E_AMBIGUOUS, E_INPUT, E_INPUT_TOO_LARGE, E_LC_PARSE, HelixError
from .limits import check_input
from .plugins import notations
from .values import same


@dataclass
class Detection:
    notation: str
    value: Any
    candidates: list[str]
    # canonical texts detect emitted while choosing (notation name -> text): a caller translating to
    # one of them need not emit the value again
    emitted: dict[str, str] = field(default_factory=dict)


def detect(text: str) -> Detection:
    check_input(text)  # once, not once per notation (helixc.limits)
    readings: list[tuple[str, Any]] = []
    errors: list[HelixError] = []
    all_notations = notations()
    for name, n in all_notations.items():
        try:
            readings.append((name, n.parse(text)))
        except HelixError as e:
            errors.append(e.with_traceback(None))  # kept for the report: not the failed attempt's frames (its token list)
    if not readings:
        for e in errors:
            if e.code == E_INPUT_TOO_LARGE:  # too large to read (or out of memory): no notation is closer
                raise e
        # Report the error of the notation that got furthest into the text; for hex text, the
        # binary notation's (``01 7B FF FF`` is broken binary, whatever else fails on it).
        binary_errors = [e for e in errors if e.notation in _binary_names(all_notations)]
        pool = binary_errors if binary_errors and looks_like_hex(text) else errors
        best = max(pool, key=_progress, default=None)
        if best is None:
            raise HelixError(E_LC_PARSE, "no notation is registered")
        raise HelixError(
            best.code,
            f"no notation reads this input; closest: {best.notation} says {best.message}",
            notation=best.notation, line=best.line, column=best.column, offset=best.offset, source=best.source,
        )
    first_name, first_value = readings[0]
    if all(same(v, first_value) for _, v in readings[1:]):
        names = [nm for nm, _ in readings]
        # Prefer the notation in whose canonical form the text already is: the first such (emitting a
        # large value is most of detect's cost, so no emit after the first match).
        stripped = text.strip()
        emitted: dict[str, str] = {}
        chosen = names[0]
        for nm in names:
            out = _emits(all_notations[nm], first_value)
            if out is not None:
                emitted[nm] = out
            if out == stripped:
                chosen = nm
                break
        return Detection(chosen, first_value, names, emitted)
    described = "; ".join(f"{nm} reads {_short(all_notations[nm], v)}" for nm, v in readings)
    raise HelixError(E_AMBIGUOUS, f"ambiguous input: {described}; name the source notation (--from / source=)")


_WORD = re.compile(r"[A-Za-z]{2,}")
_ANY_WORD = re.compile(r"[^\W\d_]{2,}")  # two letters of any script


def has_word(text: str) -> bool:
    """A word of two letters or more, in any script (a request has one; a few glyphs have none)."""
    return _ANY_WORD.search(text) is not None


def looks_like_english(text: str) -> bool:
    """True for input that no notation read and that reads as words, not as broken notation.

    Input that starts like notation text (a bracket, a quote, a glyph) gets the
    parse error instead of being sent to the models as an English request, and so
    does hex text (``05 FF AB 06``: letter pairs are hex digits, not words).
    """
    t = text.strip()
    # first characters that only notation text starts with: each notation's Notation.start_chars
    if not t or t.startswith(catalog.start_chars()) or looks_like_hex(t):
        return False
    return next(islice(_WORD.finditer(t), 1, None), None) is not None  # two words (no list of all)


# Possessive: the split into pairs and spaces is forced, and a plain `(...)+` keeps a backtracking
# entry per pair (560 MB for 10 MB of hex text).
_HEX_TEXT = re.compile(r"\s*+(?:[0-9A-Fa-f]{2}\s*+)++")
_DIGIT, _LOWER = re.compile(r"[0-9]"), re.compile(r"[a-f]")
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_HEX_OR_SPACE_TEXT = re.compile(r"[0-9a-fA-F \t\r\n]*")


def looks_like_hex(text: str) -> bool:
    """Hex byte text: only pairs of hex digits and whitespace, with a digit or no lower-case letter
    among them (``FF FF``, ``01 7b``, ``017BFFFF``; not the words ``dead beef``)."""
    if _HEX_TEXT.fullmatch(text) is None:
        return False
    return _DIGIT.search(text) is not None or _LOWER.search(text) is None  # hex text: [0-9a-fA-F] and spaces


def _binary_names(all_notations) -> set[str]:
    return {name for name, n in all_notations.items() if getattr(n, "binary", False)}


def raw_binary_notation(raw: bytes, text: str, source: str | None):
    """The binary notation that must read ``raw`` as bytes, or None when ``text`` is the input.

    * ``raw`` is not UTF-8 (``text`` is ""): only a binary notation can read it;
    * it is UTF-8 but holds control characters other than tab/newline/CR: raw binary bytes
      (a tag byte such as 0x00 or 0x07), not text;
    * ``source`` names a binary notation and the bytes are not hex text: ``0A`` (true) is a newline.

    Raises HelixError when no (or not exactly one) binary notation can take them.
    """
    from .plugins import get_notation

    decodes_as_text = bool(text) or not raw
    control = _CONTROL.search(raw) is not None  # bytes below 0x20 other than tab, LF, CR
    if source is not None:
        n = get_notation(source)
        if not n.binary:
            if decodes_as_text and not control:
                return None
            raise HelixError(E_INPUT, f"input is not UTF-8 text, and {n.name} is not a binary notation")
        if decodes_as_text and not control and text.strip() and _HEX_OR_SPACE_TEXT.fullmatch(text):
            return None  # hex text: parsed as text
        return n
    if decodes_as_text and not control:
        return None
    names = sorted(_binary_names(notations()))
    if len(names) != 1:
        raise HelixError(E_INPUT, "input is not UTF-8 text, and " + (
            "no binary notation is registered" if not names else
            f"several binary notations could read it ({', '.join(names)}); name the source notation"))
    return notations()[names[0]]



def _emits(notation, value) -> str | None:
    try:
        return notation.emit(value)
    except HelixError:
        return None


def _short(notation, value) -> str:
    from .plugins import get_notation

    shown = catalog.value_notation()
    text = get_notation(shown).emit(value) if shown in notations() else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


_SYNTAX = {"E_LC_PARSE", "E_TEXT_INVALID", "E_NONCANONICAL"}


def _progress(e: HelixError) -> tuple:
    """How far a notation got: a semantic error means it accepted the syntax, so it ranks
    above any syntax error; binary decode errors on valid hex text rank above text syntax errors;
    "not hex at all" ranks last. Ties go to the furthest position."""
    if e.code == "E_INPUT":
        rank = 0
    elif e.offset is not None:  # the binary notation decoded the hex text and found a structural problem
        rank = 2
    elif e.code in _SYNTAX:
        rank = 1
    else:
        rank = 3
    return (rank, e.line or 0, e.column or 0, e.offset or 0)
