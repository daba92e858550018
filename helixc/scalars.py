"""Scalar spellings shared by the text notations (NOTATIONS.md section 3).

Ints are decimal, floats are Python's shortest round-trip ``repr``, text is
double-quoted with the profile's escapes. The ASCII-only notation additionally escapes every
non-ASCII code point so that its output is pure ASCII.
"""

from __future__ import annotations

import re

from .errors import E_TEXT_INVALID, HelixError
from .values import check_float, check_int

BARE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Characters needing an escape in the Unicode text notations: quote, backslash, C0 controls, DEL.
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f]')
# The ASCII-only notation also escapes everything outside printable ASCII.
# (a negated class: `[\x7f-\U0010ffff]` takes ~20 ms to compile, at every CLI start)
_NEEDS_ESCAPE_ASCII = re.compile(r'[^ !#-\[\]-~]')


def _escape_one(m: re.Match) -> str:
    ch = m.group()
    esc = _ESCAPES.get(ch)
    if esc is not None:
        return esc
    cp = ord(ch)
    if cp > 0xFFFF:  # astral: UTF-16 surrogate pair, as JSON does
        cp -= 0x10000
        return f"\\u{0xD800 + (cp >> 10):04x}\\u{0xDC00 + (cp & 0x3FF):04x}"
    return f"\\u{cp:04x}"


def quote(text: str, ascii_only: bool = False) -> str:
    rx = _NEEDS_ESCAPE_ASCII if ascii_only else _NEEDS_ESCAPE
    return '"' + rx.sub(_escape_one, text) + '"'


_UNESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.S)
_SIMPLE = {'"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t"}


def unquote(token: str) -> str:
    """Decode a quoted string token already matched by the notation's STRING regex.

    ``\\uXXXX`` pairs that form a surrogate pair are joined; a lone surrogate is an
    error (the value model has none).
    """
    body = token[1:-1]
    if "\\" not in body:
        return body

    def one(m: re.Match) -> str:
        e = m.group(1)
        if e[0] == "u":
            return chr(int(e[1:], 16))
        return _SIMPLE[e]

    out = _UNESCAPE.sub(one, body)
    if any("\ud800" <= c <= "\udfff" for c in out):
        # join surrogate pairs; anything left over is a lone surrogate
        try:
            out = out.encode("utf-16", "surrogatepass").decode("utf-16")
        except UnicodeDecodeError as e:
            raise HelixError(E_TEXT_INVALID, "text contains a lone surrogate escape") from e
    return out


def int_text(v: int) -> str:
    return str(v)


def float_text(v: float) -> str:
    return repr(v + 0.0)


def parse_int(token: str) -> int:
    digits = token.lstrip("-")
    if len(digits) > 80:  # far outside i64 in any radix; also spares int() its digit limit
        from .errors import E_INT_RANGE

        raise HelixError(E_INT_RANGE, f"integer literal of {len(digits)} digits is outside signed 64-bit range")
    return check_int(int(token, 0) if digits[:2].lower() in ("0x", "0o", "0b") else int(token))


def parse_float(token: str) -> float:
    return check_float(float(token))


def key_text(key: str, reserved: frozenset[str], ascii_only: bool = False) -> str:
    if BARE_KEY.match(key) and key not in reserved:
        return key
    return quote(key, ascii_only)

