"""Source-notation detection for ``helixc translate`` without ``--from``.

Every registered notation tries to read the input. If exactly one does, or
all that do agree on the value, that notation wins (preferring the one whose
canonical form the input already is). If several read it as different values
(``10`` is the int 10 in HLXL but the byte 0x10 in LC-B hex), detection
refuses and asks for ``--from``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import E_AMBIGUOUS, E_LC_PARSE, HelixError
from .plugins import notations
from .values import same


@dataclass
class Detection:
    notation: str
    value: Any
    candidates: list[str]


def detect(text: str) -> Detection:
    readings: list[tuple[str, Any]] = []
    errors: list[HelixError] = []
    all_notations = notations()
    for name, n in all_notations.items():
        try:
            readings.append((name, n.parse(text)))
        except HelixError as e:
            errors.append(e)
    if not readings:
        # Report the error of the notation that got furthest into the text.
        best = max(errors, key=_progress, default=None)
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
        # Prefer the notation in whose canonical form the text already is.
        canonical = [nm for nm in names if _emits(all_notations[nm], first_value) == text.strip()]
        chosen = canonical[0] if canonical else names[0]
        return Detection(chosen, first_value, names)
    described = "; ".join(f"{nm} reads {_short(all_notations[nm], v)}" for nm, v in readings)
    raise HelixError(E_AMBIGUOUS, f"ambiguous input: {described}. Say which with --from")


_WORD = re.compile(r"[A-Za-z]{2,}")
# First characters that only notation text starts with (brackets, quotes, glyphs).
_NOTATION_START = tuple('[{"#@&' + "\u2205\u22a4\u22a5\u22a0\u27c1\U0001f703\U0001f70a\u25c7")


def looks_like_english(text: str) -> bool:
    """True for input that no notation read and that reads as words, not as broken notation.

    Input that starts like notation text (a bracket, a quote, a glyph) gets the
    parse error instead of being sent to the models as an English request.
    """
    t = text.strip()
    if not t or t.startswith(_NOTATION_START):
        return False
    return len(_WORD.findall(t)) >= 2


def _emits(notation, value) -> str | None:
    try:
        return notation.emit(value)
    except HelixError:
        return None


def _short(notation, value) -> str:
    from .plugins import get_notation

    text = get_notation("hlxl").emit(value) if "hlxl" in notations() else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


_SYNTAX = {"E_LC_PARSE", "E_TEXT_INVALID", "E_NONCANONICAL"}


def _progress(e: HelixError) -> tuple:
    """How far a notation got: a semantic error means it accepted the syntax, so it ranks
    above any syntax error; LC-B decode errors on valid hex text rank above text syntax errors;
    "not hex at all" ranks last. Ties go to the furthest position."""
    if e.code == "E_INPUT":
        rank = 0
    elif e.offset is not None:  # LC-B decoded the hex text and found a structural problem
        rank = 2
    elif e.code in _SYNTAX:
        rank = 1
    else:
        rank = 3
    return (rank, e.line or 0, e.column or 0, e.offset or 0)
