"""How the seed corpora (``corpora/seed/``) write LC-R, for their import (corpora/seed_import.py):
the glyph shift to repair, and the seed's other LC-R dialects.
"""

from helixc.errors import HelixError

from . import ARRAY_CLOSE, ARRAY_OPEN, CONTRACT_CLOSE, CONTRACT_OPEN, FALSE, FIELD, HANDLE, MAP_CLOSE, MAP_OPEN, NULL, TRUE

# The seed's label of an LC-R answer line ("LC-R: ⊤").
LABEL = "LC-R"

# Place in the seed's own order (HLXL, LC-T, LC-R, LC-B): an unlabeled answer is tried in it.
RANK = 2

# The seed's animal emoji are the LC-R glyphs shifted down by 0x300 (NOTATIONS.md section 2): the
# import repairs every row first.
GLYPH_REPAIR = {ord(g) - 0x300: ord(g) for g in (FIELD, CONTRACT_CLOSE, ARRAY_OPEN, ARRAY_CLOSE, CONTRACT_OPEN)}

# BRAIN/PY LC-R puts this rune before a value (᛭"hi").
BRAIN_PY = "\u16ed"

# First characters of the seed's LC-R answers beyond LC-R's own ``start_chars``.
START_CHARS = BRAIN_PY

# An unlabeled answer that parses nowhere and starts so is taken for LC-R (then judged as LC-R).
GUESS_PREFIXES = (CONTRACT_OPEN, ARRAY_OPEN, HANDLE, MAP_OPEN, BRAIN_PY, NULL, TRUE, FALSE)

# The import report's words for the repair and for the dialects :func:`dialect` finds.
REPORT_REPAIRS = ("the seed's U+1F40A/01/02/03/04 are the LC-R glyphs U+1F70A/01/02/03/04 shifted by 0x300, "
                  "docs/NOTATIONS.md section 2")
REPORT_DIALECTS = "BRAIN/PY LC-R, HLXL braces in LC-R"

_MAP_BRACES = "HLXL map braces inside an LC-R answer (phase-1 hybrid)"


def dialect(text, err, expected, has_expected, show):
    """(class, reason) of a seed answer our LC-R refuses (``err``), or None: not valid in any known
    dialect. ``show`` writes a value for a reason."""
    from helixc import parse, same

    t = text
    if t.startswith(BRAIN_PY):
        return "dialect", f"BRAIN/PY LC-R ({BRAIN_PY} prefix)"
    if "{" in t and FIELD not in t.split("{", 1)[1].split("}", 1)[0]:
        braced = t.replace("{", MAP_OPEN).replace("}", MAP_CLOSE)
        try:
            bv = parse(braced, "lc-r")
        except HelixError as e2:
            bv = e2
        if not isinstance(bv, HelixError):
            if has_expected and not same(bv, expected):
                return "wrong", f"reads as {show(bv)}, but the request's value is {show(expected)}"
            return "dialect", _MAP_BRACES
        if bv.code == "E_KEY_ORDER":
            return "dialect", _MAP_BRACES
    if err.code == "E_KEY_ORDER":
        return "dialect", "LC-R map keys out of code-point order (order-insensitive dialect)"
    if "{" in t:
        try:
            hv = parse(t, "hlxl")
        except HelixError:
            hv = None
        if hv is not None and (not has_expected or same(hv, expected)):
            return "dialect", "HLXL braces inside an LC-R answer (phase-1 hybrid)"
        if FIELD in t:
            return "dialect", f"phase-1 hybrid LC-R object {{{FIELD}i v}}"
    return None
