"""The HLX value model (NOTATIONS.md section 1), as plain Python objects.

=========  ===============================================
kind       Python
=========  ===============================================
null       ``None``
bool       ``bool``
int        ``int`` in -2**63 .. 2**63-1
float      ``float``, finite; -0.0 is stored as 0.0
text       ``str`` without lone surrogates
bytes      ``bytes``
array      ``list``
map        ``dict`` with ``str`` keys
contract   :class:`Contract` (id + fields by index)
handle     :class:`Handle` (name after ``&h_``)
=========  ===============================================

Python's ``==`` says ``1 == 1.0 == True``; the value model does not. Use
:func:`same` to compare values and :func:`check` to validate one.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Union

from .errors import (
    E_CONTRACT_STRUCTURE,
    E_DEPTH,
    E_FLOAT_SPECIAL,
    E_HANDLE_INVALID,
    E_INT_RANGE,
    E_TEXT_INVALID,
    E_TYPE,
    HelixError,
)

INT_MIN = -(2**63)
INT_MAX = 2**63 - 1
CONTRACT_ID_MAX = 2**32 - 1
FIELD_INDEX_MAX = 2**16 - 1
MAX_DEPTH = 64  # containers; 64 nested arrays around a scalar pass, 65 fail

HANDLE_NAME = re.compile(r"[A-Za-z0-9_]+\Z")
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Handle:
    """A symbolic reference to a named resource (each notation spells it its own way)."""

    name: str

    def __post_init__(self):
        if not isinstance(self.name, str) or not HANDLE_NAME.match(self.name):
            raise HelixError(E_HANDLE_INVALID, f"handle name must match [A-Za-z0-9_]+, got {self.name!r}")

    def __str__(self) -> str:
        return f"&h_{self.name}"


@dataclass
class Contract:
    """A contract: an id and fields addressed by zero-based index (``@0``, ``@1`` ...)."""

    id: int
    fields: dict[int, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Contract({self.id}, {self.fields!r})"


Value = Union[None, bool, int, float, str, bytes, list, dict, Contract, Handle]


def int_repr(v: int) -> str:
    """``str(v)`` for messages, safe for any int: Python refuses to write ints of more than
    4,300 digits (``sys.int_info.default_max_str_digits``), so huge ones are described."""
    bits = v.bit_length()
    if bits <= 1024:
        return str(v)
    digits = int(bits * 0.30102999566398120) + 1  # log10(2): the digit count, or one more
    return f"{'-' if v < 0 else ''}<an integer of about {digits:,} digits>"


def check_int(v: int) -> int:
    if not INT_MIN <= v <= INT_MAX:
        raise HelixError(E_INT_RANGE, f"integer {int_repr(v)} is outside signed 64-bit range")
    return v


def check_float(v: float) -> float:
    if not math.isfinite(v):
        raise HelixError(E_FLOAT_SPECIAL, f"float {v!r} is not finite (NaN and Inf are not HLX values)")
    return v + 0.0  # -0.0 + 0.0 == 0.0: the model stores one zero


def check_text(v: str) -> str:
    m = _SURROGATE.search(v)
    if m:
        raise HelixError(E_TEXT_INVALID, f"text contains a lone surrogate U+{ord(m.group()):04X} at index {m.start()}")
    return v


def check_contract_id(cid: int) -> int:
    if not 0 <= cid <= CONTRACT_ID_MAX:
        raise HelixError(E_CONTRACT_STRUCTURE, f"contract id {int_repr(cid)} is outside 0..{CONTRACT_ID_MAX}")
    return cid


def check_field_index(i: int) -> int:
    if not 0 <= i <= FIELD_INDEX_MAX:
        raise HelixError(E_CONTRACT_STRUCTURE, f"field index {int_repr(i)} is outside 0..{FIELD_INDEX_MAX}")
    return i


def check(value: Any, _depth: int = 0) -> Any:
    """Validate ``value`` against the value model and return its normalized copy.

    Normalization is limited to what the spec mandates: -0.0 becomes 0.0, map and
    contract entries come back in canonical order. Anything else that is not a
    value raises :class:`HelixError` (never RecursionError).
    """
    t = type(value)
    if value is None or t is bool:
        return value
    if t is int:
        return check_int(value)
    if t is float:
        return check_float(value)
    if t is str:
        return check_text(value)
    if t is bytes or t is bytearray:
        return bytes(value)
    if t is Handle:
        return check_handle(value)
    if _depth >= MAX_DEPTH:
        raise HelixError(E_DEPTH, f"nesting deeper than {MAX_DEPTH} containers")
    if t is list or t is tuple:
        return [check(x, _depth + 1) for x in value]
    if t is dict:
        out = {}
        for k in sorted(value, key=_key_order_guard):
            out[check_text(k)] = check(value[k], _depth + 1)
        return out
    if t is Contract:
        cid, value_fields = contract_parts(value)
        fields = {}
        for i in sorted(value_fields, key=_index_guard):
            fields[check_field_index(i)] = check(value_fields[i], _depth + 1)
        return Contract(cid, fields)
    raise HelixError(E_TYPE, f"{t.__name__} is not an HLX value")


def check_handle(h: Handle) -> Handle:
    """A Handle whose name was replaced after construction (``object.__setattr__``) is refused too."""
    name = getattr(h, "name", None)
    if type(name) is not str or not HANDLE_NAME.match(name):
        raise HelixError(E_HANDLE_INVALID, f"handle name must match [A-Za-z0-9_]+, got {name!r:.60}")
    return h


def contract_parts(c: Contract) -> tuple[int, dict]:
    """(id, fields) of a Contract, checked: an int id in range and a dict of fields (a list there
    would be read by position, ``Contract(1, [1])``, so it is refused)."""
    cid = getattr(c, "id", None)
    fields = getattr(c, "fields", None)
    if type(cid) is not int:
        raise HelixError(E_TYPE, f"contract id must be int, got {type(cid).__name__}")
    check_contract_id(cid)
    if type(fields) is not dict:
        raise HelixError(E_TYPE, f"contract fields must be a dict {{index: value}}, got {type(fields).__name__}")
    return cid, fields


def _key_order_guard(k):
    if type(k) is not str:
        raise HelixError(E_TYPE, f"map keys must be text, got {type(k).__name__}")
    return k


def _index_guard(i):
    if type(i) is not int:
        raise HelixError(E_TYPE, f"contract field index must be int, got {type(i).__name__}")
    return i


def same(a: Any, b: Any) -> bool:
    """Equality in the value model: kinds must match (1, 1.0 and True differ)."""
    ta, tb = type(a), type(b)
    if ta is bytearray:
        ta = bytes
    if tb is bytearray:
        tb = bytes
    if ta is tuple:
        ta = list
    if tb is tuple:
        tb = list
    if ta is not tb:
        return False
    if ta is list:
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if ta is dict:
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if ta is Contract:
        return a.id == b.id and a.fields.keys() == b.fields.keys() and all(same(a.fields[k], b.fields[k]) for k in a.fields)
    if ta is float:
        return a == b  # -0.0 is normalized away before values get here
    return a == b


def kind(value: Any) -> str:
    """The value-model kind name of a (checked) value."""
    return _KINDS.get(type(value), "unknown") if value is not None else "null"


_KINDS = {
    bool: "bool",
    int: "int",
    float: "float",
    str: "text",
    bytes: "bytes",
    list: "array",
    dict: "map",
    Contract: "contract",
    Handle: "handle",
}
