"""Limits on input: how large a text (or binary byte string) the parsers take.

``MAX_INPUT_BYTES`` (64 MiB by default) bounds every notation's ``parse`` / ``decode``
(and ``parse_reference``): a larger input is ``HelixError(E_INPUT_TOO_LARGE)`` before any
work is done. A text counts by its UTF-8 size, bytes by their length. Change the limit for
the whole process by assigning ``helixc.limits.MAX_INPUT_BYTES``, or for one block of code
(thread- and task-local) with::

    with helixc.limits.max_input(1 << 20):
        helixc.parse(text, notation)

(``helixc.parse(text, notation, max_input=...)`` does the same for one call; the CLI's
``--max-input`` and the server's ``--max-body`` are this limit.) ``None`` means no limit.

The parsers also turn a ``MemoryError`` met while reading an input into the same error
code, with the input's size in the message, instead of a traceback: a process under a
memory cap (``ulimit -v``) that cannot hold a large input says so.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from typing import Iterator

from .errors import E_INPUT_TOO_LARGE, HelixError

MAX_INPUT_BYTES: int | None = 64 * 1024 * 1024

_UNSET = object()
_LIMIT: contextvars.ContextVar = contextvars.ContextVar("helixc_max_input", default=_UNSET)


def current_max_input() -> int | None:
    """The limit in force here: the innermost :func:`max_input` block, else ``MAX_INPUT_BYTES``."""
    v = _LIMIT.get()
    return MAX_INPUT_BYTES if v is _UNSET else v


@contextlib.contextmanager
def max_input(limit: int | None) -> Iterator[None]:
    """Use ``limit`` bytes (``None``: no limit) as the input limit inside the ``with`` block."""
    if limit is not None and (type(limit) is not int or limit < 0):
        raise ValueError(f"max_input must be a non-negative int or None, got {limit!r}")
    token = _LIMIT.set(limit)
    try:
        yield
    finally:
        _LIMIT.reset(token)


def input_size(data) -> int:
    """Size in bytes: the length of bytes, the UTF-8 length of a text (lone surrogates count 3)."""
    if isinstance(data, str):
        if data.isascii():
            return len(data)
        return len(data.encode("utf-8", "surrogatepass"))
    return len(data)


def check_input(data, notation: str | None = None, limit=_UNSET) -> None:
    """Raise ``E_INPUT_TOO_LARGE`` when ``data`` is over the limit (the one in force by default)."""
    if limit is _UNSET:
        limit = current_max_input()
    if limit is None:
        return
    n = len(data)
    if n * 4 <= limit:  # no text of n characters is more than 4n UTF-8 bytes
        return
    size = input_size(data)
    if size > limit:
        raise HelixError(
            E_INPUT_TOO_LARGE,
            f"input is {size:,} bytes; the limit is {limit:,} (helixc.limits.MAX_INPUT_BYTES, --max-input)",
            notation=notation,
        )


def out_of_memory(data, notation: str | None) -> HelixError:
    """The error for a MemoryError met while reading ``data``."""
    try:
        size = f"{len(data):,} {'characters' if isinstance(data, str) else 'bytes'}"
    except Exception:  # noqa: BLE001 - only the message depends on it
        size = "this input"
    return HelixError(E_INPUT_TOO_LARGE, f"not enough memory to read {size}; give a smaller input "
                      "(or allow the process more memory)", notation=notation)


def guarded(method):
    """Decorate a notation's ``parse``/``decode``: check the input limit first, and turn a
    ``MemoryError`` into ``HelixError(E_INPUT_TOO_LARGE)``."""

    if _one_argument(method):

        @functools.wraps(method)
        def wrapper(self, data):  # no *args/**kwargs to pack, check_input's shortcut inlined: ~300 -> ~130 ns a call
            limit = _LIMIT.get()
            if limit is _UNSET:
                limit = MAX_INPUT_BYTES
            if limit is not None and len(data) * 4 > limit:
                check_input(data, getattr(self, "name", None), limit)
            try:
                return method(self, data)
            except MemoryError:
                pass  # raised below, outside the handler: the failed attempt's frames are freed first
            raise out_of_memory(data, getattr(self, "name", None))

        wrapper.__helixc_guarded__ = True
        return wrapper

    @functools.wraps(method)
    def wrapper(self, data, *args, **kwargs):
        check_input(data, getattr(self, "name", None))
        try:
            return method(self, data, *args, **kwargs)
        except MemoryError:
            pass  # raised below, outside the handler: the failed attempt's frames are freed first
        raise out_of_memory(data, getattr(self, "name", None))

    wrapper.__helixc_guarded__ = True
    return wrapper


def _one_argument(method) -> bool:
    """``method(self, data)`` exactly: two plain parameters, no defaults, no ``*``/``**``."""
    code = getattr(method, "__code__", None)
    return (code is not None and code.co_argcount == 2 and not code.co_kwonlyargcount
            and not code.co_flags & 0x0C and not getattr(method, "__defaults__", None))  # 0x04 *args, 0x08 **kwargs
