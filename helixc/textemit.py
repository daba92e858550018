"""Canonical writers for the text notations: a dispatch table from kind to writer.

The three text notations differ only in spellings (glyphs, separators, the
contract form), so one writer takes a :class:`Spelling` and validates while
it writes: range, finiteness, depth, key types, lone surrogates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .errors import E_DEPTH, E_TEXT_INVALID, E_TYPE, HelixError
from .scalars import float_text, key_text, quote
from .values import (INT_MAX, INT_MIN, MAX_DEPTH, Contract, Handle, check_field_index, check_float, check_handle, check_int,
                     contract_parts)

_ONLY_INT = {int}


@dataclass(frozen=True)
class Spelling:
    null: str
    true: str
    false: str
    bytes_prefix: str
    bytes_suffix: str
    handle_prefix: str
    array_open: str
    array_close: str
    item_sep: str
    map_open: str
    map_close: str
    key_sep: str
    reserved_keys: frozenset[str]
    ascii_only: bool
    # contract(cid, [(index_text, value_text)]) -> text
    contract: Callable[[int, list[tuple[int, str]]], str]


def _has_surrogate(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class TextWriter:
    def __init__(self, spelling: Spelling, notation: str):
        self.sp = spelling
        self.notation = notation
        sp = spelling
        self._const = {None: sp.null, True: sp.true, False: sp.false}
        self._writers: dict[type, Callable[[Any, int], str]] = {
            bool: lambda v, d: sp.true if v else sp.false,
            int: lambda v, d: str(check_int(v)),
            float: lambda v, d: float_text(check_float(v)),
            str: self._text,
            bytes: lambda v, d: sp.bytes_prefix + v.hex() + sp.bytes_suffix,
            bytearray: lambda v, d: sp.bytes_prefix + bytes(v).hex() + sp.bytes_suffix,
            Handle: lambda v, d: sp.handle_prefix + check_handle(v).name,
            list: self._array,
            tuple: self._array,
            dict: self._map,
            Contract: self._contract,
        }

    def emit(self, value: Any) -> str:
        return self._write(value, 0)

    def _write(self, v: Any, depth: int) -> str:
        if v is None:
            return self.sp.null
        w = self._writers.get(type(v))
        if w is None:
            raise HelixError(E_TYPE, f"{type(v).__name__} is not an HLX value", notation=self.notation)
        return w(v, depth)

    def _text(self, v: str, depth: int) -> str:
        if not v.isascii() and _has_surrogate(v):
            raise HelixError(E_TEXT_INVALID, "text contains a lone surrogate", notation=self.notation)
        return quote(v, self.sp.ascii_only)

    def _enter(self, depth: int) -> int:
        if depth >= MAX_DEPTH:
            raise HelixError(E_DEPTH, f"nesting deeper than {MAX_DEPTH} containers", notation=self.notation)
        return depth + 1

    def _array(self, v, depth):
        d = self._enter(depth)
        if v and set(map(type, v)) == _ONLY_INT and INT_MIN <= min(v) and max(v) <= INT_MAX:
            # an array of ints only (rows of numbers): one pass in C instead of a call per item;
            # out of range falls through to the item-by-item path, which names the first bad one
            return self.sp.array_open + self.sp.item_sep.join(map(str, v)) + self.sp.array_close
        w = self._write
        return self.sp.array_open + self.sp.item_sep.join([w(x, d) for x in v]) + self.sp.array_close

    def _map(self, v: dict, depth):
        d = self._enter(depth)
        sp = self.sp
        parts = []
        for k in sorted(v, key=_text_key):
            if not k.isascii() and _has_surrogate(k):
                raise HelixError(E_TEXT_INVALID, "map key contains a lone surrogate", notation=self.notation)
            parts.append(key_text(k, sp.reserved_keys, sp.ascii_only) + sp.key_sep + self._write(v[k], d))
        return sp.map_open + sp.item_sep.join(parts) + sp.map_close

    def _contract(self, v: Contract, depth):
        d = self._enter(depth)
        cid, value_fields = contract_parts(v)
        fields = []
        for i in sorted(value_fields, key=_index_key):
            fields.append((check_field_index(i), self._write(value_fields[i], d)))
        return self.sp.contract(cid, fields)


def _text_key(k):
    if type(k) is not str:
        raise HelixError(E_TYPE, f"map keys must be text, got {type(k).__name__}")
    return k


def _index_key(i):
    if type(i) is not int:
        raise HelixError(E_TYPE, f"contract field index must be int, got {type(i).__name__}")
    return i
