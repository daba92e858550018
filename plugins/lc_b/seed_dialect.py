"""How the seed corpora (``corpora/seed/``) write LC-B, for their import (corpora/seed_import.py):
the seed's bracket LC-B and LC-B hex with ULEB128 ints.
"""

import re
import struct

# The seed's label of an LC-B answer line ("LC-B: 01 54").
LABEL = "LC-B"

# Place in the seed's own order (HLXL, LC-T, LC-R, LC-B): an unlabeled answer is tried in it.
RANK = 3

# The import report's words for the dialects :func:`dialect` finds, and its grouping of reasons.
REPORT_DIALECTS = "bracket LC-B `[c:900:...]`, LC-B hex with ULEB ints"
REASON_KEYS = ((r"bracket LC-B .* encodes .*", "bracket LC-B encodes a different value than the request's"),)

_ULEB = "LC-B with ULEB128 ints (codex T0 style)"
_HEX = re.compile(r"(?:[0-9A-Fa-f]{2}\s*)+")


def _uleb_int_decode(hextext: str):
    """LC-B hex whose ints are ULEB128 (unsigned) instead of SLEB128: scalars, arrays, contracts."""
    data = bytes.fromhex(re.sub(r"\s+", "", hextext))
    pos = 0

    def uleb():
        nonlocal pos
        n = shift = 0
        while True:
            b = data[pos]
            pos += 1
            n |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return n

    def value():
        nonlocal pos
        tag = data[pos]
        pos += 1
        if tag == 0x01:
            return uleb()
        if tag == 0x00:
            return None
        if tag in (0x0A, 0x0B):
            return tag == 0x0A
        if tag == 0x03:
            n = uleb()
            s = data[pos:pos + n].decode("utf-8")
            pos += n
            return s
        if tag == 0x05:
            out = []
            while data[pos] != 0x06:
                out.append(value())
            pos += 1
            return out
        raise ValueError(tag)

    v = value()
    if pos != len(data):
        raise ValueError("trailing bytes")
    return v


def _uleb_value(text: str):
    """The ULEB128 reading of ``text``, or None when it has none."""
    try:
        return _uleb_int_decode(text)
    except Exception:
        return None


def _bracket_value(t: str):
    """The few seed bracket-LC-B forms with a definite value; None when the form has none."""
    m = re.fullmatch(r"\[(_|T|F)\]", t)
    if m:
        return {"_": None, "T": True, "F": False}[m.group(1)], True
    m = re.fullmatch(r"\[(?:int(\d+):)?0x([0-9A-Fa-f]+)\]", t)
    if m:
        n = int(m.group(2), 16)
        width = int(m.group(1)) if m.group(1) else 4 * len(m.group(2))
        signed = n - (1 << width) if n >> (width - 1) & 1 else n
        return (n, signed), True
    m = re.fullmatch(r"\[float64:0x([0-9A-Fa-f]{16})\]", t)
    if m:
        return struct.unpack(">d", bytes.fromhex(m.group(1)))[0], True
    m = re.fullmatch(r"\[str:([0-9A-Fa-f]*)\]", t)
    if m and len(m.group(1)) % 2 == 0:
        try:
            return bytes.fromhex(m.group(1)).decode("utf-8"), True
        except UnicodeDecodeError:
            return None, False
    return None, False


def _matches(found, expected) -> bool:
    from helixc import same

    if type(found) is tuple:  # (unsigned, signed) readings of a bracket hex int
        return any(same(f, expected) for f in found)
    return same(found, expected)


def misread(text, expected):
    """The dialect reason of an answer our LC-B reads as another value than ``expected`` but the
    seed's ULEB128 dialect reads as ``expected``; else None."""
    from helixc import same

    uv = _uleb_value(text)
    return _ULEB if uv is not None and same(uv, expected) else None


def dialect(text, err, expected, has_expected, show):
    """(class, reason) of a seed answer our LC-B refuses, or None: not valid in any known dialect.
    ``show`` writes a value for a reason."""
    from helixc import same

    t = text
    if t.startswith("[") and t.endswith("]"):
        bv, definite = _bracket_value(t)
        if definite and has_expected and not _matches(bv, expected):
            shown = bv[0] if type(bv) is tuple else bv
            return "wrong", f"bracket LC-B {t} encodes {shown!r}, not {show(expected)}"
        return "dialect", "seed bracket LC-B ([c:...], [arr:...], [0x..])"
    if _HEX.fullmatch(t):
        uv = _uleb_value(t)
        if (uv is not None or not has_expected) and (not has_expected or same(uv, expected)):
            return "dialect", _ULEB
    return None
