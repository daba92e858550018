"""The one translate path, whatever the input, for the Python API, the CLI and ``helixc serve``
(the request/result contract is :mod:`helixc.translation`).

* Input in a notation (detected, or named by ``source``) is translated by the
  compiler alone: no model, no torch import.
* English input goes to the neural backend (``helixc.neural``), which the
  ``register_routers`` / ``register_specialists`` plugins provide.
"""

from __future__ import annotations

import re
import time

# the request/result contract lives in helixc.translation (the neural backend imports it from there)
from .translation import ENGINES, MAX_ENGLISH_CHARS, TranslateRequest, TranslateResult  # noqa: F401 (re-exported)

_BOM = "\ufeff"


def translate(req: TranslateRequest, *, raw: bytes | None = None, models_dir=None) -> TranslateResult:
    """The one translate path (Python API, CLI and server): notation input is compiled, English goes
    to the neural backend. ``raw``: the input's bytes when it came from a file or stdin (a binary notation's
    input may be raw bytes; ``req.text`` is then its UTF-8 reading, or ``""`` when it is not UTF-8).

    Bad input raises HelixError. An English answer helixc is not sure of comes back with
    ``confident=False`` and a ``reason``; the caller decides (CLI exit 3, server 422).
    """
    result = translate_notation(req, raw=raw)
    if result is not None:
        return result
    from .errors import E_INPUT, E_MODEL, HelixError

    text = req.text.lstrip(_BOM)
    if len(text) > MAX_ENGLISH_CHARS:
        raise HelixError(E_INPUT, f"this English request is {len(text):,} characters long; the limit is "
                                  f"{MAX_ENGLISH_CHARS:,} (the models read 512 tokens)")
    try:
        from .neural.service import translate_english
    except ImportError as e:  # the [ml] extra is not installed
        raise HelixError(
            E_MODEL,
            "this input is not in any notation, so it is treated as an English request, which needs the ML extra "
            f"(pip install 'helixc[ml]'): {e}",
        ) from e
    if req.engine != "compiler":
        _check_specialist(req.to, models_dir)
    t0 = time.perf_counter()
    res = translate_english(TranslateRequest(text=text, to=req.to, source=None, engine=req.engine), models_dir=models_dir)
    res.latency_ms = res.latency_ms or (time.perf_counter() - t0) * 1000
    return res


def _check_specialist(to: str, models_dir) -> None:
    """English to a named notation that no loaded specialist writes is an error, not a guess: a
    notation plugin can bring the compiler half without a specialist (examples/helixc-json)."""
    from .errors import E_NO_SPECIALIST, HelixError
    from .neural.service import _target_of, get_moe

    route = _target_of(to)
    if route is None:
        return
    routes = get_moe(models_dir).routes()
    if route not in routes:
        raise HelixError(E_NO_SPECIALIST, f"no specialist writes {route} from English (the models have: "
                                          f"{', '.join(sorted(routes))}); give the input in a notation, or "
                                          f"use engine=compiler for the compiler's own reading")


def english_at_a_glance(req: TranslateRequest) -> bool:
    """True where :func:`translate_notation` would certainly find English (return None) without a
    parser having to read the text: no source named, the text starts with a letter that starts no
    notation text and with a word no notation reads (not a keyword such as a notation's true), is not
    hex (whole bytes or broken), is no ``<notation>: <body>`` label, and reads as words (to=auto: a word; a named target: two).
    The server uses it to refuse an over-long English text at once, not after a worker read it."""
    from . import catalog
    from . import detection as _detect
    from .errors import HelixError
    from .requests import labelled_body

    t = req.text.lstrip(_BOM).lstrip()
    if req.source is not None or not t[:1].isalpha() or t.startswith(catalog.start_chars()):
        return False
    word = re.match(r"[^\W\d_]+", t)
    try:
        _detect.detect(word.group(0) if word else t[:1])
        return False  # a keyword on its own: the text may be that value and spaces
    except HelixError:
        pass
    if _detect.looks_like_hex(t) or _broken_hex(t) or labelled_body(t) is not None:
        return False  # hex digits (whole bytes or not) are the binary notation's to read or refuse
    return _detect.has_word(t) if req.to.strip().lower() == "auto" else _detect.looks_like_english(t)


def translate_notation(req: TranslateRequest, raw: bytes | None = None) -> TranslateResult | None:
    """Compiler path. Returns None when the input is not in any notation (then it is English).

    Raises HelixError for empty input, for input that starts like notation text and fails to
    parse, and for hex text that only a binary notation could mean and that does not decode.
    """
    from . import catalog
    from . import detection as _detect
    from .errors import E_INPUT, HelixError
    from .plugins import get_notation

    t0 = time.perf_counter()
    to_auto = req.to.strip().lower() == "auto"
    text = req.text
    if raw is not None and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a UTF-8 byte-order mark is an encoding marker, not content
    if text.startswith(_BOM):
        text = text[1:]
    source_name = None
    value = None
    found = False
    emitted = None
    if raw is not None:
        binary = _detect.raw_binary_notation(raw, text, req.source)
        if binary is not None:
            value, source_name, found = binary.decode(raw), binary.name, True
    if not found:
        if req.source is None and not text.strip():
            raise HelixError(E_INPUT, "empty input: nothing to translate")
        if req.source is not None:
            n = get_notation(req.source)
            value, source_name = n.parse(text), n.name
        else:
            try:
                d = _detect.detect(text)
            except HelixError:
                from .requests import labelled_body

                labelled = labelled_body(text)  # "<notation>: <body>", or None
                read = None if to_auto else _labelled_source(labelled)
                if read is not None:  # "<A>: <text in A>" to <B>: a value labelled with its notation
                    return _result(req, *read, t0)
                # Hex text no binary notation decodes is that notation's error, never English.
                # With to=auto the input is a request (it may well start with a bracket);
                # with a named target, text that starts like notation gets the parse error.
                binary = catalog.binary_notation()
                if binary is not None and _broken_hex(text):  # "01 7B F": hex digits, not whole bytes:
                    value = get_notation(binary).parse(text)  # the binary notation's error and position
                # With to=auto a request needs at least one word (in any script): symbols and digits
                # alone that no notation reads (a few glyphs, "17 ]") are broken notation, not English.
                if not _detect.looks_like_hex(text) and (to_auto and _detect.has_word(text) or
                                                         _detect.looks_like_english(text) or _described_whole(text)
                                                         or _value_then_words(text)):
                    _labelled_binary_decodes(labelled)
                    return None
                raise
            value, source_name = d.value, d.notation
            emitted = d.emitted
    if to_auto:
        raise HelixError(E_INPUT, f"the input is {source_name} text; name the target notation (to=auto is for "
                                  "English requests)")
    return _result(req, value, source_name, t0, emitted)


def _result(req: TranslateRequest, value, source_name: str, t0: float,
            emitted: dict[str, str] | None = None) -> TranslateResult:
    from .plugins import get_notation

    target = get_notation(req.to)
    out = emitted.get(target.name) if emitted else None
    if out is None:
        out = target.emit(value)
    return TranslateResult(
        route="notation", target=target.name, output=out, engine="compiler",
        grammar_valid=True, verified=True, latency_ms=(time.perf_counter() - t0) * 1000,
        extra={"source": source_name},
    )


def _described_whole(text: str) -> bool:
    """One word or so that the rule reader reads, whole, as a value described in English ("bytes 01 02",
    "minus 0.001"): a request, though too short to look like English. Not text that starts like notation."""
    from . import catalog
    from . import detection as _detect
    from .requests import describe_value

    t = text.strip()
    return bool(t) and len(t) <= 200 and not t.startswith(catalog.start_chars()) and _detect.has_word(t) \
        and describe_value(t)[0]


def _value_then_words(text: str) -> bool:
    """A whole value in a notation, then words about it and no more notation characters
    (``"multi\\nline" - the <A> string with an escaped newline``, ``@io (that's <A>)``): a request
    that starts with its payload, not broken notation (``[1, 2] ]]`` and ``x"ab"5"`` stay parse errors).
    Only for English-sized input: the span search is the rule reader's."""
    from . import detection as _detect
    from .requests import _notation_chars, extract_payload

    t = text.strip()
    if len(t) > MAX_ENGLISH_CHARS:
        return False
    found = extract_payload(t)
    if found is None or found[2] != 0:
        return False
    rest = t[found[3]:]
    return not _notation_chars().search(rest) and _detect.looks_like_english(rest.strip(" \t\u2014\u2013-,;:()"))


def _labelled_source(labelled: tuple[str, str] | None):
    """``"<notation>: <text in that notation>"`` (how the seed corpora and people label a value;
    ``labelled``: ``requests.labelled_body``): ``(value, notation)``, or None when the body is not that
    notation's text."""
    from .errors import HelixError
    from .plugins import get_notation

    if labelled is None:
        return None
    notation = get_notation(labelled[0])
    try:
        return notation.parse(labelled[1]), notation.name
    except HelixError:
        return None


def _labelled_binary_decodes(labelled: tuple[str, str] | None) -> None:
    """``"<notation>: <hex text>"`` labels hex text: named the binary notation, the text is that
    notation's (``<binary>: FF FF``); named a text notation, hex with letters in it can only be the
    binary notation's text (``<text notation>: 0A FF``). Where it does not decode, that is the binary
    notation's error (as for the bare hex), not English with a value to guess at. A lone number
    (``<binary>: 12``) is a number."""
    from . import catalog
    from . import detection as _detect
    from .plugins import get_notation

    if labelled is None or not _detect.looks_like_hex(labelled[1]) or len(labelled[1].split()) < 2:
        return
    binary = catalog.binary_notation()
    if binary is None:
        return
    if get_notation(labelled[0]).binary or re.search(r"[A-Fa-f]", labelled[1]):
        get_notation(binary).parse(labelled[1])


def _broken_hex(text: str) -> bool:
    """Hex digits only (3 or more, a digit among them), in runs that are not whole bytes: text that
    only the binary notation could mean, never English (``01 7B F``, ``090A2668F``; not ``add`` or ``5 7``)."""
    toks = text.split()
    if not toks or sum(map(len, toks)) < 3 or not any(c.isdigit() for c in text):
        return False
    if not all(all(c in "0123456789abcdefABCDEF" for c in t) for t in toks):
        return False
    return not any(t.isalpha() and t.islower() and len(t) >= 3 for t in toks)
