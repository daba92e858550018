"""Shared hypothesis strategies over the HLX value model (NOTATIONS.md section 1).

* ``values()``            any valid value: deep nesting up to the 64 limit, astral code
                          points, controls, extreme ints and floats, odd map keys, empty
                          containers, sparse contracts, handles.
* ``canonical_texts()``   (notation, value, canonical text) for the four notations
                          (LC-B as its hex text).
* ``mutated_texts()``     (notation, text) near-misses of canonical texts: truncated, one
                          char/byte flipped, a slice duplicated or swapped, whitespace inserted.
* ``mutated_bytes()``     the same for raw LC-B bytes.
* ``entry_cases()``       a map or contract written entry by entry with one entry
                          duplicated or two swapped, with the error code the spec expects.
"""

from __future__ import annotations

import math
import struct

from hypothesis import strategies as st

import helixc
from helixc.scalars import key_text
from helixc.values import (
    CONTRACT_ID_MAX,
    FIELD_INDEX_MAX,
    INT_MAX,
    INT_MIN,
    MAX_DEPTH,
    Contract,
    Handle,
)

NOTATIONS = ("hlxl", "lc-t", "lc-r", "lc-b")
TEXT_NOTATIONS = ("hlxl", "lc-t", "lc-r")

# --------------------------------------------------------------------------- scalars

EXTREME_INTS = [INT_MIN, INT_MIN + 1, -1, 0, 1, 63, 64, -64, -65, 127, 128, 2**31, 2**32 - 1, 2**53 + 1, INT_MAX - 1, INT_MAX]
ints = st.one_of(st.integers(INT_MIN, INT_MAX), st.sampled_from(EXTREME_INTS), st.integers(-300, 300))


def _norm_float(f: float) -> float:
    return f + 0.0  # the model has one zero


ODD_FLOATS = [
    0.0, 1e16, 1e15, 1e-7, 1e22, 1e23, 0.1, 3.14, 3.14159, -2.5, 5e-324, -5e-324,
    2.2250738585072014e-308, 2.225073858507201e-308, 1.7976931348623157e308, -1.7976931348623157e308,
    9007199254740993.0, 123456789012345.67, 1.0, -1.0, 100.0, 1e300, float(2**63), -float(2**63),
]
floats = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False).map(_norm_float),
    st.sampled_from(ODD_FLOATS),
    st.floats(min_value=-1e-300, max_value=1e-300, allow_nan=False, allow_subnormal=True).map(_norm_float),
    st.integers(0, 2**64 - 1).map(lambda b: struct.unpack(">d", b.to_bytes(8, "big"))[0]).filter(math.isfinite).map(_norm_float),
)

# Every code point except lone surrogates: controls, DEL, astral planes, the glyphs themselves.
chars = st.characters(exclude_categories=("Cs",))
GLYPHS = "∅⊤⊥⊠⟁\U0001f703\U0001f704\U0001f70a\U0001f701\U0001f702◇◆\U0001f40a\U0001f401"
texts = st.one_of(
    st.text(chars, max_size=12),
    st.text(st.sampled_from('"\\\n\r\t\x00\x1f\x7f \u00e9\U0001f600' + GLYPHS + "aZ_0{}[]:,@=#&"), max_size=8),
)
ODD_KEYS = ["C", "null", "true", "false", "NULL", "TRUE", "FALSE", "two words", "", "_", "a1", "1a", "é", "\U0001f703",
            "\x00", '"', "\\", "h_x", "&h_x", "key:", "a,b", "A", "Z", "a", "z"]
keys = st.one_of(st.sampled_from(ODD_KEYS), st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True), st.text(chars, max_size=6))
handle_names = st.from_regex(r"[A-Za-z0-9_]{1,12}", fullmatch=True)
handles = handle_names.map(Handle)
byte_strings = st.binary(max_size=16)

scalars = st.one_of(st.none(), st.booleans(), ints, floats, texts, byte_strings, handles)

# --------------------------------------------------------------------------- containers

field_indices = st.one_of(st.integers(0, 8), st.integers(0, FIELD_INDEX_MAX), st.sampled_from([FIELD_INDEX_MAX, 127, 128, 16383, 16384]))
contract_ids = st.one_of(st.integers(0, 20), st.integers(0, CONTRACT_ID_MAX), st.sampled_from([CONTRACT_ID_MAX, 127, 128, 1000]))


def _containers(children):
    return st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(keys, children, max_size=4),
        st.builds(Contract, contract_ids, st.dictionaries(field_indices, children, max_size=4)),
    )


shallow_values = st.recursive(scalars, _containers, max_leaves=12)


def depth(v) -> int:
    """Number of nested containers around the deepest leaf."""
    if isinstance(v, list):
        return 1 + max((depth(x) for x in v), default=0)
    if isinstance(v, dict):
        return 1 + max((depth(x) for x in v.values()), default=0)
    if isinstance(v, Contract):
        return 1 + max((depth(x) for x in v.fields.values()), default=0)
    return 0


def wrap(v, layers: list):
    """Put ``v`` inside the given layers (innermost last): 'a' array, 'm' map, 'c' contract."""
    for kind in reversed(layers):
        if kind == "a":
            v = [v]
        elif kind == "m":
            v = {"k": v}
        else:
            v = Contract(7, {0: v})
    return v


@st.composite
def deep_values(draw, max_depth: int = MAX_DEPTH):
    """A small value wrapped in enough containers to reach up to ``max_depth`` (the limit by default)."""
    inner = draw(shallow_values)
    room = max_depth - depth(inner)
    target = draw(st.one_of(st.integers(0, room), st.just(room)))
    layers = draw(st.lists(st.sampled_from("amc"), min_size=target, max_size=target))
    return wrap(inner, layers)


values = st.one_of(shallow_values, deep_values(), scalars)

# --------------------------------------------------------------------------- canonical texts


@st.composite
def canonical_texts(draw, notations=NOTATIONS, value_strategy=None):
    """(notation, value, canonical text); LC-B gives its hex text."""
    name = draw(st.sampled_from(notations))
    v = draw(value_strategy if value_strategy is not None else values)
    return name, v, helixc.emit(v, name)


# --------------------------------------------------------------------------- mutations

NOISE = ' \t\n,:[]{}"\\@=#&01-.e+' + "C" + GLYPHS + "x\u00e9\U0001f600"


@st.composite
def mutate_text(draw, text: str) -> str:
    op = draw(st.sampled_from(["truncate", "flip", "duplicate", "swap", "whitespace", "delete", "insert"]))
    n = len(text)
    i = draw(st.integers(0, n))
    j = draw(st.integers(0, n))
    i, j = min(i, j), max(i, j)
    if op == "truncate":
        return text[:i]
    if op == "flip" and n:
        k = min(i, n - 1)
        return text[:k] + draw(st.sampled_from(NOISE)) + text[k + 1 :]
    if op == "duplicate":
        return text[:j] + text[i:j] + text[j:]
    if op == "swap":
        k = draw(st.integers(j, n))
        return text[:i] + text[j:k] + text[i:j] + text[k:]
    if op == "whitespace":
        return text[:i] + draw(st.sampled_from([" ", "  ", "\n", "\t", "\r\n"])) + text[i:]
    if op == "delete":
        return text[:i] + text[j:]
    return text[:i] + draw(st.text(st.sampled_from(NOISE), min_size=1, max_size=3)) + text[i:]


@st.composite
def mutate_bytes(draw, data: bytes) -> bytes:
    op = draw(st.sampled_from(["truncate", "flip", "duplicate", "swap", "delete", "insert", "bitflip"]))
    n = len(data)
    i = draw(st.integers(0, n))
    j = draw(st.integers(0, n))
    i, j = min(i, j), max(i, j)
    if op == "truncate":
        return data[:i]
    if op == "flip" and n:
        k = min(i, n - 1)
        return data[:k] + bytes([draw(st.integers(0, 255))]) + data[k + 1 :]
    if op == "bitflip" and n:
        k = min(i, n - 1)
        return data[:k] + bytes([data[k] ^ (1 << draw(st.integers(0, 7)))]) + data[k + 1 :]
    if op == "duplicate":
        return data[:j] + data[i:j] + data[j:]
    if op == "swap":
        k = draw(st.integers(j, n))
        return data[:i] + data[j:k] + data[i:j] + data[k:]
    if op == "delete":
        return data[:i] + data[j:]
    return data[:i] + draw(st.binary(min_size=1, max_size=3)) + data[i:]


@st.composite
def mutated_texts(draw, notations=NOTATIONS):
    """(notation, text): a canonical text with one or two random edits (may still be valid)."""
    name, _, text = draw(canonical_texts(notations, shallow_values))
    for _ in range(draw(st.integers(1, 2))):
        text = draw(mutate_text(text))
    return name, text


@st.composite
def mutated_bytes(draw):
    """Raw LC-B bytes with one or two random edits (may still be valid)."""
    data = helixc.encode(draw(shallow_values))
    for _ in range(draw(st.integers(1, 2))):
        data = draw(mutate_bytes(data))
    return data


# --------------------------------------------------------------------------- entries duplicated / swapped

_RESERVED = {
    "hlxl": frozenset({"null", "true", "false"}),
    "lc-t": frozenset({"null", "true", "false", "C", "NULL", "TRUE", "FALSE"}),
    "lc-r": frozenset({"null", "true", "false"}),
}


def _uleb(n: int) -> bytes:
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def write_entries(name: str, kind: str, head: int, entries: list) -> str:
    """Write a map (kind 'm') or contract ('c', id ``head``) with the given entries, in the given order."""
    if name == "lc-b":
        e = helixc.get_notation("lc-b").encode
        if kind == "m":
            # a 13-byte key's length and field index 8 take their two-byte form (they are end markers)
            body = b"".join((_uleb(len(k.encode())) if len(k.encode()) != 13 else b"\x8d\x00") + k.encode() + e(v) for k, v in entries)
            data = b"\x0c" + body + b"\x0d"
        else:
            body = b"".join((_uleb(i) if i != 8 else b"\x88\x00") + e(v) for i, v in entries)
            data = b"\x07" + _uleb(head) + body + b"\x08"
        return data.hex(" ").upper()
    em = helixc.get_notation(name).emit
    if kind == "m":
        ascii_only = name == "lc-t"
        sep, ks = (",", ":") if name == "lc-t" else (", ", ": ")
        items = sep.join(key_text(k, _RESERVED[name], ascii_only) + ks + em(v) for k, v in entries)
        return {"hlxl": "{%s}", "lc-t": "{%s}", "lc-r": "◇%s◆"}[name] % items
    if name == "hlxl":
        return f"{{{head}: {{" + ", ".join(f"@{i}: {em(v)}" for i, v in entries) + "}}"
    if name == "lc-t":
        return f"{{C:{head}" + "".join(f",{i}={em(v)}" for i, v in entries) + "}"
    return f"\U0001f70a{head}" + "".join(f"\U0001f701{i} {em(v)}" for i, v in entries) + "\U0001f702"


@st.composite
def entry_cases(draw):
    """(notation, text, expected): expected is an error code, or ('ok', value) where the notation
    accepts keys in any order (HLXL and LC-T maps)."""
    name = draw(st.sampled_from(NOTATIONS))
    kind = draw(st.sampled_from("mc"))
    small = st.one_of(scalars, st.lists(scalars, max_size=2))
    if kind == "m":
        ks = draw(st.lists(keys, min_size=2, max_size=5, unique=True))
        ks.sort()
    else:
        ks = draw(st.lists(field_indices, min_size=2, max_size=5, unique=True))
        ks.sort()
    entries = [(k, draw(small)) for k in ks]
    head = draw(contract_ids)
    op = draw(st.sampled_from(["duplicate", "swap"]))
    a = draw(st.integers(0, len(entries) - 2))
    if op == "duplicate":
        entries.insert(a + 1, entries[a])
        expected = "E_DUPLICATE_KEY" if kind == "m" else "E_CONTRACT_STRUCTURE"
    else:
        b = draw(st.integers(a + 1, len(entries) - 1))
        entries[a], entries[b] = entries[b], entries[a]
        if kind == "c":
            expected = "E_FIELD_ORDER"
        elif name in ("lc-r", "lc-b"):
            expected = "E_KEY_ORDER"
        else:
            expected = ("ok", dict(sorted(entries)))
    return name, write_entries(name, kind, head, entries), expected
