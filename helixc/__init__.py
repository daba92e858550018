"""helixc: a compiler for the HLX notation family.

    >>> import helixc
    >>> names = sorted(helixc.notations())  # every registered notation (plugins/<name>/ for the built-ins)
    >>> texts = [helixc.translate("[1, 2, 3]", to=name) for name in names]
    >>> helixc.decode(helixc.encode([1, 2, 3]))  # the binary notation by default
    [1, 2, 3]

Notations are plugins (``helixc.plugins``); names and aliases are matched
case-insensitively. README.md shows each built-in notation at work.
"""

from __future__ import annotations

from typing import Any

from ._lookup import NOTATIONS as _NOTATIONS
from .errors import HelixError
from .values import Contract, Handle, check, same

__all__ = [
    "Contract",
    "Handle",
    "HelixError",
    "check",
    "decode",
    "detect",
    "emit",
    "encode",
    "get_notation",
    "notations",
    "parse",
    "same",
    "translate",
]


def get_notation(name: str):
    """The registered notation called ``name`` (or an alias), case-insensitively."""
    try:
        return _NOTATIONS[name]  # names already looked up: one dict lookup (helixc._lookup)
    except (KeyError, TypeError):
        from .plugins import get_notation as _get

        return _get(name)


def notations() -> dict:
    from .plugins import notations as _all

    return _all()


_DEFAULT_LIMIT = object()


def parse(text: str, notation: str, *, max_input=_DEFAULT_LIMIT) -> Any:
    """Read ``text`` (for a binary notation: its hex text) in ``notation`` into a value.

    ``max_input``: the largest input in bytes (UTF-8) for this call, ``None`` for no limit; by
    default ``helixc.limits.MAX_INPUT_BYTES`` (64 MiB). Over it: ``HelixError(E_INPUT_TOO_LARGE)``.
    """
    if max_input is not _DEFAULT_LIMIT:
        from .limits import max_input as _limit

        with _limit(max_input):
            return parse(text, notation)
    try:
        n = _NOTATIONS[notation]
    except (KeyError, TypeError):
        n = get_notation(notation)
    try:  # the registry wrapper's guard, inlined: one call less on the success path
        return n.wrapped.parse(text)
    except HelixError:
        raise
    except Exception as e:
        raise n.failed("parse", e) from e


def emit(value: Any, notation: str) -> str:
    """Write ``value`` in ``notation``'s canonical text form (a binary notation: spaced uppercase hex)."""
    try:
        n = _NOTATIONS[notation]
    except (KeyError, TypeError):
        n = get_notation(notation)
    try:  # the registry wrapper's guard, inlined: one call less on the success path
        return n.wrapped.emit(value)
    except HelixError:
        raise
    except Exception as e:
        raise n.failed("emit", e) from e


class _BinaryNotation:
    """Default of encode/decode's ``notation``: the one registered binary notation."""

    def __repr__(self) -> str:
        return "<the binary notation>"


BINARY = _BinaryNotation()


def _default_binary():
    """The one registered binary notation (``notation=BINARY``), cached under that key."""
    from . import catalog

    name = catalog.binary_notation()
    if name is None:
        from .errors import E_NOTATION_UNKNOWN

        raise HelixError(E_NOTATION_UNKNOWN, "no single binary notation is registered; name the notation")
    n = get_notation(name)
    _NOTATIONS[BINARY] = n  # emptied with the rest when plugins change (helixc._lookup)
    return n


def encode(value: Any, notation: str = BINARY) -> bytes:
    """Bytes of ``value`` in a notation (default: the binary notation; text notations give UTF-8)."""
    try:
        n = _NOTATIONS[notation]
    except (KeyError, TypeError):
        n = _default_binary() if notation is BINARY else get_notation(notation)
    try:  # the registry wrapper's guard, inlined: one call less on the success path
        return n.wrapped.encode(value)
    except HelixError:
        raise
    except Exception as e:
        raise n.failed("encode", e) from e


def decode(data: bytes, notation: str = BINARY, *, max_input=_DEFAULT_LIMIT) -> Any:
    """Read bytes (default: the binary notation; text notations take UTF-8) into a value;
    ``max_input`` as for :func:`parse`."""
    if max_input is not _DEFAULT_LIMIT:
        from .limits import max_input as _limit

        with _limit(max_input):
            return decode(data, notation)
    try:
        n = _NOTATIONS[notation]
    except (KeyError, TypeError):
        n = _default_binary() if notation is BINARY else get_notation(notation)
    try:  # the registry wrapper's guard, inlined: one call less on the success path
        return n.wrapped.decode(data)
    except HelixError:
        raise
    except Exception as e:
        raise n.failed("decode", e) from e


def translate(text: str, to: str, source: str | None = None, *, max_input=_DEFAULT_LIMIT) -> str:
    """Translate ``text`` into notation ``to``; ``source`` is detected when omitted."""
    from .detection import detect as _detect

    if max_input is not _DEFAULT_LIMIT:
        from .limits import max_input as _limit

        with _limit(max_input):
            return translate(text, to, source)

    if source is None:
        value = _detect(text).value
    else:
        value = parse(text, source)
    return emit(value, to)


def detect(text: str, *, max_input=_DEFAULT_LIMIT):
    """Which notation reads ``text``: a :class:`helixc.detect.Detection` (name, value)."""
    from .detection import detect as _detect

    if max_input is not _DEFAULT_LIMIT:
        from .limits import max_input as _limit

        with _limit(max_input):
            return _detect(text)

    return _detect(text)
