"""LC-B: the binary notation (CODEX LC-B v2 + CORPUS-1.1 tags + helixc's map tags).

The codec is two dispatch tables, as in cbor2: Python type -> writer, and tag
byte -> reader. Every decode error carries the byte offset where it was found.
helixc shows LC-B as uppercase hex pairs joined by spaces (``07 0E 00 01 01 08``)
and reads raw bytes or hex text in any case and spacing.
"""

from __future__ import annotations

import os
import re
import struct

from helixc.errors import (
    E_CONTRACT_STRUCTURE,
    E_DEPTH,
    E_DUPLICATE_KEY,
    E_FIELD_ORDER,
    E_FLOAT_SPECIAL,
    E_HANDLE_INVALID,
    E_INPUT,
    E_INT_RANGE,
    E_KEY_ORDER,
    E_LC_BINARY_DECODE,
    E_LC_PARSE,
    E_NONCANONICAL,
    E_TEXT_INVALID,
    E_TYPE,
    HelixError,
    text_error,
)
from helixc.hookspecs import hookimpl
from helixc.notation import Notation
from helixc.textparse import grammar_text
from helixc.values import (
    CONTRACT_ID_MAX,
    FIELD_INDEX_MAX,
    HANDLE_NAME,
    INT_MAX,
    INT_MIN,
    MAX_DEPTH,
    Contract,
    Handle,
    check_float,
    check_handle,
    contract_parts,
    int_repr,
)
from helixc.limits import guarded

NULL, INT, FLOAT, TEXT, BYTES = 0x00, 0x01, 0x02, 0x03, 0x04
ARRAY_START, ARRAY_END, CONTRACT_START, CONTRACT_END, HANDLE = 0x05, 0x06, 0x07, 0x08, 0x09
TRUE, FALSE, MAP_START, MAP_END = 0x0A, 0x0B, 0x0C, 0x0D

_pack_float = struct.Struct(">d").pack
_unpack_float = struct.Struct(">d").unpack_from

# Single-byte LEB128 forms, precomputed: most ints and lengths in practice.
_ULEB1 = [bytes([i]) for i in range(128)]
_INT1 = {i: bytes([INT, i & 0x7F]) for i in range(-64, 64)}

# A field index of 8 would be the byte 08 (CONTRACT_END), a map key of 13 UTF-8 bytes would
# start with 0D (MAP_END): the stream would be ambiguous. Those two LEB128s are written in
# their two-byte form, and the decoder accepts that form only there (docs/PROFILE.md).
_FIELD_ESCAPE = b"\x88\x00"
_KEYLEN_ESCAPE = b"\x8d\x00"


def uleb(n: int) -> bytes:
    if n < 128:
        return _ULEB1[n]
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def sleb(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if (n == 0 and not b & 0x40) or (n == -1 and b & 0x40):
            out.append(b)
            return bytes(out)
        out.append(b | 0x80)


# --------------------------------------------------------------------------- encoder


class Encoder:
    """value -> bytes; validates as it goes (range, finiteness, depth, key types)."""

    def __init__(self):
        self.writers = {
            bool: self.write_bool,
            int: self.write_int,
            float: self.write_float,
            str: self.write_text,
            bytes: self.write_bytes,
            bytearray: self.write_bytes,
            list: self.write_array,
            tuple: self.write_array,
            dict: self.write_map,
            Contract: self.write_contract,
            Handle: self.write_handle,
        }

    def encode(self, value) -> bytes:
        out = bytearray()
        self.write(out, value, 0)
        return bytes(out)

    def write(self, out, v, depth):
        if v is None:
            out.append(NULL)
            return
        w = self.writers.get(type(v))
        if w is None:
            raise HelixError(E_TYPE, f"{type(v).__name__} is not an HLX value", notation="lc-b")
        w(out, v, depth)

    def write_bool(self, out, v, depth):
        out.append(TRUE if v else FALSE)

    def write_int(self, out, v, depth):
        small = _INT1.get(v)
        if small is not None:
            out += small
            return
        if not INT_MIN <= v <= INT_MAX:
            raise HelixError(E_INT_RANGE, f"integer {int_repr(v)} is outside signed 64-bit range", notation="lc-b")
        out.append(INT)
        out += sleb(v)

    def write_float(self, out, v, depth):
        out.append(FLOAT)
        out += _pack_float(check_float(v))

    def write_text(self, out, v, depth):
        try:
            data = v.encode("utf-8")
        except UnicodeEncodeError as e:
            raise HelixError(E_TEXT_INVALID, "text contains a lone surrogate", notation="lc-b") from e
        out.append(TEXT)
        out += uleb(len(data))
        out += data

    def write_bytes(self, out, v, depth):
        out.append(BYTES)
        out += uleb(len(v))
        out += v

    def write_handle(self, out, v, depth):
        data = b"&h_" + check_handle(v).name.encode("ascii")
        out.append(HANDLE)
        out += uleb(len(data))
        out += data

    def write_array(self, out, v, depth):
        if depth >= MAX_DEPTH:
            raise HelixError(E_DEPTH, f"nesting deeper than {MAX_DEPTH} containers", notation="lc-b")
        out.append(ARRAY_START)
        write = self.write
        for x in v:
            write(out, x, depth + 1)
        out.append(ARRAY_END)

    def write_map(self, out, v, depth):
        if depth >= MAX_DEPTH:
            raise HelixError(E_DEPTH, f"nesting deeper than {MAX_DEPTH} containers", notation="lc-b")
        out.append(MAP_START)
        for k in sorted(v, key=_text_key):
            try:
                data = k.encode("utf-8")
            except UnicodeEncodeError as e:
                raise HelixError(E_TEXT_INVALID, "map key contains a lone surrogate", notation="lc-b") from e
            out += uleb(len(data)) if len(data) != MAP_END else _KEYLEN_ESCAPE
            out += data
            self.write(out, v[k], depth + 1)
        out.append(MAP_END)

    def write_contract(self, out, v, depth):
        if depth >= MAX_DEPTH:
            raise HelixError(E_DEPTH, f"nesting deeper than {MAX_DEPTH} containers", notation="lc-b")
        cid, fields = contract_parts(v)  # int id in range, dict of fields
        out.append(CONTRACT_START)
        out += uleb(cid)
        for i in sorted(fields, key=_index_key):
            if not 0 <= i <= FIELD_INDEX_MAX:
                raise HelixError(E_CONTRACT_STRUCTURE, f"field index {int_repr(i)} is outside 0..{FIELD_INDEX_MAX}", notation="lc-b")
            out += uleb(i) if i != CONTRACT_END else _FIELD_ESCAPE
            self.write(out, fields[i], depth + 1)
        out.append(CONTRACT_END)


def _text_key(k):
    if type(k) is not str:
        raise HelixError(E_TYPE, f"map keys must be text, got {type(k).__name__}", notation="lc-b")
    return k


def _index_key(i):
    if type(i) is not int:
        raise HelixError(E_TYPE, f"contract field index must be int, got {type(i).__name__}", notation="lc-b")
    return i


# --------------------------------------------------------------------------- decoder


class Decoder:
    """bytes -> value; exactly one value, canonical encodings only."""

    __slots__ = ("data", "pos", "end")

    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0
        self.end = len(data)

    def fail(self, message: str, offset: int | None = None, code: str = E_LC_BINARY_DECODE) -> HelixError:
        return HelixError(code, message, notation="lc-b", offset=self.pos if offset is None else offset, source=self.data)

    def decode(self):
        if not self.data:
            raise self.fail("empty input, expected a value", 0)
        v = self.value(0)
        if self.pos != self.end:
            raise self.fail(f"{self.end - self.pos} trailing byte(s) after the value")
        return v

    def byte(self) -> int:
        if self.pos >= self.end:
            raise self.fail("truncated: expected another byte")
        b = self.data[self.pos]
        self.pos += 1
        return b

    def take(self, n: int) -> bytes:
        if self.end - self.pos < n:
            raise self.fail(f"truncated: expected {n} byte(s), {self.end - self.pos} left")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def uleb(self, max_bytes: int, what: str, escaped: int = -1) -> int:
        """A minimal ULEB128; ``escaped`` (an end-marker value) is the one allowed in two bytes."""
        start = self.pos
        result = shift = 0
        for count in range(1, max_bytes + 1):
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                if b == 0 and count > 1 and not (count == 2 and result == escaped):
                    raise self.fail(f"overlong LEB128 for {what}", start)
                return result
        raise self.fail(f"LEB128 for {what} is longer than {max_bytes} bytes", start)

    def sleb(self) -> int:
        start = self.pos
        result = shift = 0
        prev = None
        for count in range(1, 11):
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                if prev is not None and ((b == 0x00 and not prev & 0x40) or (b == 0x7F and prev & 0x40)):
                    raise self.fail("overlong SLEB128 integer", start)
                if b & 0x40:
                    result -= 1 << shift
                if not INT_MIN <= result <= INT_MAX:
                    raise self.fail(f"integer {result} is outside signed 64-bit range", start, E_INT_RANGE)
                return result
            prev = b
        raise self.fail("SLEB128 integer longer than 10 bytes", start)

    def length(self, what: str, escaped: int = -1) -> int:
        n = self.uleb(10, what, escaped)
        if n > self.end - self.pos:
            raise self.fail(f"{what} says {n} byte(s), only {self.end - self.pos} left")
        return n

    def utf8(self, n: int, what: str) -> str:
        start = self.pos
        raw = self.take(n)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise self.fail(f"{what} is not valid UTF-8", start + e.start) from e

    def value(self, depth: int):
        tag_pos = self.pos
        tag = self.byte()
        reader = READERS.get(tag)
        if reader is None:
            if tag in (ARRAY_END, CONTRACT_END, MAP_END):
                raise self.fail(f"end marker {tag:02X} where a value should start", tag_pos)
            raise self.fail(f"unknown tag {tag:02X}", tag_pos, E_LC_PARSE)
        if tag in CONTAINER_TAGS:
            if depth >= MAX_DEPTH:
                raise self.fail(f"nesting deeper than {MAX_DEPTH} containers", tag_pos, E_DEPTH)
            return reader(self, depth + 1, tag_pos)
        return reader(self, depth, tag_pos)

    def read_int(self, depth, at):
        return self.sleb()

    def read_float(self, depth, at):
        raw = self.take(8)
        v = _unpack_float(raw)[0]
        if v != v or v in (float("inf"), float("-inf")):
            raise self.fail(f"float {v!r} is not finite", at, E_FLOAT_SPECIAL)
        if v == 0.0 and raw[0] & 0x80:
            raise self.fail("negative zero is written as 0.0 (02 00 00 00 00 00 00 00 00)", at, E_NONCANONICAL)
        return v

    def read_text(self, depth, at):
        return self.utf8(self.length("text length"), "text")

    def read_bytes(self, depth, at):
        return self.take(self.length("bytes length"))

    def read_handle(self, depth, at):
        n = self.length("handle length")
        start = self.pos
        raw = self.take(n)
        if not raw.startswith(b"&h_") or not raw.isascii() or not HANDLE_NAME.match(raw[3:].decode("ascii")):
            raise self.fail(f"handle {raw!r} is not &h_ followed by [A-Za-z0-9_]+", start, E_HANDLE_INVALID)
        return Handle(raw[3:].decode("ascii"))

    def at_end(self, marker: int) -> bool:
        if self.pos >= self.end:
            raise self.fail(f"truncated: container not closed (expected {marker:02X})")
        if self.data[self.pos] == marker:
            self.pos += 1
            return True
        return False

    def read_array(self, depth, at):
        items = []
        while not self.at_end(ARRAY_END):
            items.append(self.value(depth))
        return items

    def read_contract(self, depth, at):
        start = self.pos
        cid = self.uleb(5, "contract id")
        if cid > CONTRACT_ID_MAX:
            raise self.fail(f"contract id {cid} is outside 0..{CONTRACT_ID_MAX}", start, E_CONTRACT_STRUCTURE)
        fields = {}
        last = -1
        while not self.at_end(CONTRACT_END):
            ipos = self.pos
            index = self.uleb(3, "field index", CONTRACT_END)
            if index > FIELD_INDEX_MAX:
                raise self.fail(f"field index {index} is outside 0..{FIELD_INDEX_MAX}", ipos, E_CONTRACT_STRUCTURE)
            if index in fields:
                raise self.fail(f"contract {cid} repeats field @{index}", ipos, E_CONTRACT_STRUCTURE)
            if index < last:
                raise self.fail(f"contract {cid}: field @{index} after @{last}; fields must ascend", ipos, E_FIELD_ORDER)
            fields[index] = self.value(depth)
            last = index
        return Contract(cid, fields)

    def read_map(self, depth, at):
        out = {}
        last = None
        while not self.at_end(MAP_END):
            kpos = self.pos
            key = self.utf8(self.length("key length", MAP_END), "map key")
            if key in out:
                raise self.fail(f"map key {key!r} appears twice", kpos, E_DUPLICATE_KEY)
            if last is not None and key < last:
                raise self.fail(f"map key {key!r} after {last!r}; keys must be in code-point order", kpos, E_KEY_ORDER)
            out[key] = self.value(depth)
            last = key
        return out


READERS = {
    NULL: lambda self, depth, at: None,
    TRUE: lambda self, depth, at: True,
    FALSE: lambda self, depth, at: False,
    INT: Decoder.read_int,
    FLOAT: Decoder.read_float,
    TEXT: Decoder.read_text,
    BYTES: Decoder.read_bytes,
    HANDLE: Decoder.read_handle,
    ARRAY_START: Decoder.read_array,
    CONTRACT_START: Decoder.read_contract,
    MAP_START: Decoder.read_map,
}
CONTAINER_TAGS = frozenset({ARRAY_START, CONTRACT_START, MAP_START})

# --------------------------------------------------------------------------- fast paths
#
# `fast_decode` and `fast_encode` are what `LCB.decode/encode` run: one loop with an explicit
# stack (no call per value) and the common one-byte LEB128s inlined. The rare cases (multi-byte
# LEB128, every error) go through the `Decoder` methods above, so messages, codes and offsets
# are the reference decoder's; `LCB.parse_reference` runs that reference decoder, and the
# differential tests compare the two.

_KEY_CACHE: dict = {}  # map key -> its LC-B bytes (ULEB128 length + UTF-8); bounded below


def _sleb(data, pos, n):
    """A multi-byte SLEB128 int at ``pos``; anything unusual goes to the reference method (errors)."""
    start = pos
    result = shift = 0
    while True:
        if pos >= n or shift >= 70:
            return _slow(data, start, "sleb")
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            break
    if b & 0x40:
        result -= 1 << shift
    prev = data[pos - 2] if pos - start > 1 else None
    if (prev is not None and ((b == 0 and not prev & 0x40) or (b == 0x7F and prev & 0x40))) or not INT_MIN <= result <= INT_MAX:
        return _slow(data, start, "sleb")
    return result, pos


def _uleb(data, pos, n, max_bytes, method, args):
    """A multi-byte minimal ULEB128 at ``pos``; anything unusual goes to the reference method."""
    start = pos
    result = shift = 0
    while True:
        if pos >= n or pos - start >= max_bytes:
            return _slow(data, start, method, *args)
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            break
    if b == 0:  # overlong (or an end-marker escape): let the reference decide
        return _slow(data, start, method, *args)
    return result, pos


def _slow(data, pos, method, *args):
    d = Decoder(data)
    d.pos = pos
    return getattr(d, method)(*args), d.pos


def fast_decode(data: bytes):
    n = len(data)
    if not n:
        raise Decoder(data).fail("empty input, expected a value", 0)
    pos = 0
    stack = []  # saved parent frames
    kind = 0  # 0 top level, 1 array, 2 contract, 3 map
    cont = None  # list, dict of fields, or dict
    cid = last = key = None
    unpack = _unpack_float
    while True:
        closed = False
        if kind:
            if pos >= n:
                raise Decoder(data).fail(f"truncated: container not closed (expected {(0, ARRAY_END, CONTRACT_END, MAP_END)[kind]:02X})", pos)
            b = data[pos]
            if kind == 3:
                if b == MAP_END:
                    pos += 1
                    value = cont
                    closed = True
                else:
                    kpos = pos
                    if b < 0x80:
                        ln = b
                        pos += 1
                        if ln > n - pos:
                            raise Decoder(data).fail(f"key length says {ln} byte(s), only {n - pos} left", pos)
                    else:
                        ln, pos = _slow(data, pos, "length", "key length", MAP_END)
                    try:
                        key = data[pos : pos + ln].decode("utf-8")
                    except UnicodeDecodeError as e:
                        raise Decoder(data).fail("map key is not valid UTF-8", pos + e.start) from e
                    pos += ln
                    if last is not None and key <= last:
                        if key == last or key in cont:
                            raise Decoder(data).fail(f"map key {key!r} appears twice", kpos, E_DUPLICATE_KEY)
                        raise Decoder(data).fail(f"map key {key!r} after {last!r}; keys must be in code-point order", kpos, E_KEY_ORDER)
            elif kind == 1:
                if b == FLOAT or b == INT:  # a run of numbers: one tight loop, no per-item dispatch
                    run_start = pos
                    append = cont.append
                    while True:
                        if b == FLOAT:
                            if n - pos < 9:
                                break
                            x = unpack(data, pos + 1)[0]
                            if x - x != 0.0 or (x == 0.0 and data[pos + 1] & 0x80):
                                break
                            pos += 9
                        elif b == INT:
                            if pos + 1 < n and data[pos + 1] < 0x80:
                                x = data[pos + 1]
                                if x & 0x40:
                                    x -= 0x80
                                pos += 2
                            else:
                                x, pos = _sleb(data, pos + 1, n)
                        else:
                            break
                        append(x)
                        if pos >= n:
                            break
                        b = data[pos]
                    if pos != run_start:
                        continue  # the main loop takes the next item, the end, or the error
                if b == ARRAY_END:
                    pos += 1
                    value = cont
                    closed = True
            else:
                if b == CONTRACT_END:
                    pos += 1
                    value = Contract(cid, cont)
                    closed = True
                else:
                    ipos = pos
                    if b < 0x80:
                        key = b
                        pos += 1
                    else:
                        key, pos = _slow(data, pos, "uleb", 3, "field index", CONTRACT_END)
                        if key > FIELD_INDEX_MAX:
                            raise Decoder(data).fail(f"field index {key} is outside 0..{FIELD_INDEX_MAX}", ipos, E_CONTRACT_STRUCTURE)
                    if key <= last:
                        if key in cont:
                            raise Decoder(data).fail(f"contract {cid} repeats field @{key}", ipos, E_CONTRACT_STRUCTURE)
                        raise Decoder(data).fail(f"contract {cid}: field @{key} after @{last}; fields must ascend", ipos, E_FIELD_ORDER)
            if closed:
                kind, cont, cid, last, key = stack.pop()
        if not closed:
            if pos >= n:
                raise Decoder(data).fail("truncated: expected another byte", pos)
            tag = data[pos]
            at = pos
            pos += 1
            if tag == INT:
                if pos < n and data[pos] < 0x80:
                    b = data[pos]
                    value = b - 0x80 if b & 0x40 else b
                    pos += 1
                else:
                    value, pos = _sleb(data, pos, n)
            elif tag == TEXT:
                if pos < n and data[pos] < 0x80:
                    ln = data[pos]
                    pos += 1
                else:
                    ln, pos = _uleb(data, pos, n, 10, "length", ("text length",))
                if ln > n - pos:
                    raise Decoder(data).fail(f"text length says {ln} byte(s), only {n - pos} left", pos)
                try:
                    value = data[pos : pos + ln].decode("utf-8")
                except UnicodeDecodeError as e:
                    raise Decoder(data).fail("text is not valid UTF-8", pos + e.start) from e
                pos += ln
            elif tag == FLOAT:
                if n - pos < 8:
                    raise Decoder(data).fail(f"truncated: expected 8 byte(s), {n - pos} left", pos)
                value = unpack(data, pos)[0]
                if value - value != 0.0 or (value == 0.0 and data[pos] & 0x80):
                    value, _ = _slow(data, at + 1, "read_float", 0, at)  # raises the reference's error
                pos += 8
            elif tag == MAP_START or tag == ARRAY_START or tag == CONTRACT_START:
                if len(stack) >= MAX_DEPTH:
                    raise Decoder(data).fail(f"nesting deeper than {MAX_DEPTH} containers", at, E_DEPTH)
                stack.append((kind, cont, cid, last, key))
                if tag == MAP_START:
                    kind, cont, last = 3, {}, None
                elif tag == ARRAY_START:
                    kind, cont = 1, []
                else:
                    if pos < n and data[pos] < 0x80:
                        cid = data[pos]
                        pos += 1
                    else:
                        cpos = pos
                        cid, pos = _slow(data, pos, "uleb", 5, "contract id")
                        if cid > CONTRACT_ID_MAX:
                            raise Decoder(data).fail(f"contract id {cid} is outside 0..{CONTRACT_ID_MAX}", cpos, E_CONTRACT_STRUCTURE)
                    kind, cont, last = 2, {}, -1
                continue
            elif tag == TRUE:
                value = True
            elif tag == FALSE:
                value = False
            elif tag == NULL:
                value = None
            elif tag == BYTES or tag == HANDLE:
                reader = Decoder.read_bytes if tag == BYTES else Decoder.read_handle
                d = Decoder(data)
                d.pos = pos
                value = reader(d, 0, at)
                pos = d.pos
            elif tag in (ARRAY_END, CONTRACT_END, MAP_END):
                raise Decoder(data).fail(f"end marker {tag:02X} where a value should start", at)
            else:
                raise Decoder(data).fail(f"unknown tag {tag:02X}", at, E_LC_PARSE)
        # deliver the value to its container
        if kind == 3 or kind == 2:
            cont[key] = value
            last = key
        elif kind == 1:
            cont.append(value)
        else:
            if pos != n:
                raise Decoder(data).fail(f"{n - pos} trailing byte(s) after the value", pos)
            return value


def fast_encode(value) -> bytes:
    out = bytearray()
    _fast_write(out, value, 0)
    return bytes(out)


_TEXT_HEAD = [bytes([TEXT, n]) for n in range(128)]
_SMALL_INT = [bytes([INT, i & 0x7F]) for i in range(-64, 64)]


def _put(out, x, d):
    """One item inside a container: the common scalars inline, the rest through _fast_write."""
    tx = type(x)
    if tx is str:
        if len(x) < 128 and x.isascii():
            out += _TEXT_HEAD[len(x)]
            out += x.encode("ascii")
        else:
            _ENCODER.write_text(out, x, d)
    elif tx is int:
        if -64 <= x < 64:
            out += _SMALL_INT[x + 64]
        else:
            _ENCODER.write_int(out, x, d)
    elif tx is float and x - x == 0.0:
        out.append(FLOAT)
        out += _pack_float(x + 0.0)
    elif x is None:
        out.append(NULL)
    else:
        _fast_write(out, x, d)


def _fast_write(out, v, depth):
    t = type(v)
    if t is dict:
        if depth >= MAX_DEPTH:
            raise HelixError(E_DEPTH, f"nesting deeper than {MAX_DEPTH} containers", notation="lc-b")
        out.append(MAP_START)
        try:
            keys = sorted(v)
        except TypeError:
            keys = sorted(v, key=_text_key)
        cache = _KEY_CACHE
        d = depth + 1
        text_head, small_int, pack, write = _TEXT_HEAD, _SMALL_INT, _pack_float, _fast_write
        for k in keys:
            kb = cache.get(k)
            if kb is None or type(k) is not str:  # a str subclass equal to a cached key is still refused
                kb = _key_bytes(k)
            out += kb
            x = v[k]
            tx = type(x)
            if tx is str:
                try:
                    data = x.encode("utf-8")
                except UnicodeEncodeError:
                    _ENCODER.write_text(out, x, d)  # raises E_TEXT_INVALID
                if len(data) < 128:
                    out += text_head[len(data)]
                else:
                    out.append(TEXT)
                    out += uleb(len(data))
                out += data
            elif tx is int:
                if -64 <= x < 64:
                    out += small_int[x + 64]
                else:
                    out += _int_bytes(x)
            elif tx is float and x - x == 0.0:
                out.append(FLOAT)
                out += pack(x + 0.0)
            elif x is None:
                out.append(NULL)
            else:
                write(out, x, d)
        out.append(MAP_END)
    elif t is list or t is tuple:
        if depth >= MAX_DEPTH:
            raise HelixError(E_DEPTH, f"nesting deeper than {MAX_DEPTH} containers", notation="lc-b")
        out.append(ARRAY_START)
        d = depth + 1
        text_head, small_int, pack, write = _TEXT_HEAD, _SMALL_INT, _pack_float, _fast_write
        for x in v:
            tx = type(x)
            if tx is str:
                try:
                    data = x.encode("utf-8")
                except UnicodeEncodeError:
                    _ENCODER.write_text(out, x, d)  # raises E_TEXT_INVALID
                if len(data) < 128:
                    out += text_head[len(data)]
                else:
                    out.append(TEXT)
                    out += uleb(len(data))
                out += data
            elif tx is int:
                if -64 <= x < 64:
                    out += small_int[x + 64]
                else:
                    out += _int_bytes(x)
            elif tx is float and x - x == 0.0:
                out.append(FLOAT)
                out += pack(x + 0.0)
            elif x is None:
                out.append(NULL)
            else:
                write(out, x, d)
        out.append(ARRAY_END)
    elif t is Contract:
        if depth >= MAX_DEPTH:
            raise HelixError(E_DEPTH, f"nesting deeper than {MAX_DEPTH} containers", notation="lc-b")
        cid, fields = contract_parts(v)  # int id in range, dict of fields
        out.append(CONTRACT_START)
        out += uleb(cid)
        for i in sorted(fields, key=_index_key):
            if not 0 <= i <= FIELD_INDEX_MAX:
                raise HelixError(E_CONTRACT_STRUCTURE, f"field index {int_repr(i)} is outside 0..{FIELD_INDEX_MAX}", notation="lc-b")
            out += uleb(i) if i != CONTRACT_END else _FIELD_ESCAPE
            _put(out, fields[i], depth + 1)
        out.append(CONTRACT_END)
    elif v is None:
        out.append(NULL)
    elif t is float:
        out.append(FLOAT)
        out += _pack_float(check_float(v))
    else:  # scalars at the top level, bool, bytes, handle, and anything invalid
        _ENCODER.write(out, v, depth)


def _int_bytes(v: int) -> bytes:
    """INT tag + SLEB128, the two- and three-byte forms unrolled."""
    if -8192 <= v < 8192:
        return bytes((INT, (v & 0x7F) | 0x80, (v >> 7) & 0x7F))
    if -1048576 <= v < 1048576:
        return bytes((INT, (v & 0x7F) | 0x80, ((v >> 7) & 0x7F) | 0x80, (v >> 14) & 0x7F))
    if not INT_MIN <= v <= INT_MAX:
        raise HelixError(E_INT_RANGE, f"integer {int_repr(v)} is outside signed 64-bit range", notation="lc-b")
    out = [INT]
    while not -64 <= v < 64:  # until the rest fits one byte with its sign bit (0x40)
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v & 0x7F)
    return bytes(out)


def _key_bytes(k) -> bytes:
    if type(k) is not str:
        _text_key(k)
    try:
        data = k.encode("utf-8")
    except UnicodeEncodeError as e:
        raise HelixError(E_TEXT_INVALID, "map key contains a lone surrogate", notation="lc-b") from e
    n = len(data)
    kb = (_ULEB1[n] if n < 128 and n != MAP_END else uleb(n) if n != MAP_END else _KEYLEN_ESCAPE) + data
    if len(_KEY_CACHE) < 8192:  # full: stop adding (clearing would thrash on documents with many distinct keys)
        _KEY_CACHE[k] = kb
    return kb


_ENCODER = Encoder()

# --------------------------------------------------------------------------- native core
#
# helixc_plugins.lc_b._lcb_native (plugins/lc_b/_lcb_native.c, compiled by `pip install` where a C compiler
# exists) is the same codec in C. It defers everything unusual (every error, ints beyond 64 bits,
# types it does not know) to the Python fast paths above, which raise the reference's error or
# give the value: codes, messages and offsets are theirs. `LCB.encode/decode` run `fast_encode` /
# `fast_decode`: the native core when it is importable, else the Python paths, which stay
# available as `py_fast_encode` / `py_fast_decode`. HELIXC_NO_NATIVE=1 ignores a built core.

py_fast_decode = fast_decode
py_fast_encode = fast_encode
NATIVE = None
if os.environ.get("HELIXC_NO_NATIVE", "") in ("", "0"):
    try:
        from helixc_plugins.lc_b import _lcb_native as NATIVE
    except ImportError:  # not built (no compiler at install time): the Python paths serve
        NATIVE = None
if NATIVE is not None:
    NATIVE.configure(Contract, Handle, py_fast_decode, py_fast_encode)
    fast_decode = NATIVE.decode
    fast_encode = NATIVE.encode
# What `helixc notations` shows in LC-B's title: which codec serves encode/decode.
CODEC = "native C core" if NATIVE is not None else "pure Python (native core not built or HELIXC_NO_NATIVE=1)"


# --------------------------------------------------------------------------- hex text view

# One whitespace character per step: `\s+` inside `(...)*` backtracks exponentially on a bad tail.
# Possessive (`*+`): the split into pairs and spaces is forced anyway, and a plain `*` keeps one
# backtracking entry per step (~90 bytes per input character).
_HEX_TEXT = re.compile(r"(?:[0-9A-Fa-f]{2}|\s)*+\Z")
_NOT_HEX = re.compile(r"[^0-9A-Fa-f\s]")


def hex_to_bytes(text: str) -> bytes:
    """Hex pairs in any case and spacing -> bytes; a clear error points at the first bad character."""
    if not _HEX_TEXT.match(text):
        bad = _NOT_HEX.search(text)
        if bad:
            i, ch = bad.start(), bad.group()
            raise text_error(E_INPUT, f"{ch!r} is not a hex digit (LC-B text is hex byte pairs)", "lc-b", text, i)
        i = len(text.rstrip())
        raise text_error(E_INPUT, "odd number of hex digits, or a byte split by whitespace", "lc-b", text, max(0, i - 1))
    if text.isascii():
        try:  # no list of pairs: fromhex skips ASCII whitespace between pairs itself
            data = bytes.fromhex(text)
        except ValueError:  # \x1c-\x1f count as whitespace for `\s`, not for fromhex
            data = None
        if data:
            return data
    digits = "".join(text.split())
    if not digits:
        raise text_error(E_INPUT, "empty input, expected LC-B hex bytes", "lc-b", text, 0)
    return bytes.fromhex(digits)


class LCB(Notation):
    name = "lc-b"
    aliases = ("lcb", "lc_b", "binary", "lc-binary", "hex")
    title = f"LC-B, the binary notation (shown as hex): 07 0E 00 01 01 08 [codec: {CODEC}]"
    binary = True
    grammar = grammar_text(__name__)
    # what the core asks instead of naming this notation (helixc.catalog, docs/PLUGINS.md)
    from .english import ENGLISH_NAMES as english_names, MORE_ENGLISH_NAMES as more_english_names, READER_NAMES as reader_names, DESCRIPTIVE_WORDS as descriptive_words, ROUTE_RANK as route_rank, START_CHARS as start_chars
    from .english import DESCRIPTION_STOP_WORDS as description_stop_words, LIST_STOP_WORDS as list_stop_words
    from .english import TOPIC_STOP_WORDS as topic_stop_words, EXAMPLE_REQUEST as example_request
    from .corpus import FAMILY_WEIGHTS as corpus_families, FAMILY_SOURCES as corpus_family_sources, SOURCE_RANK as corpus_source_rank
    from .corpus import payload as corpus_payload
    from . import seed_dialect  # how the seed corpora write LC-B (corpora/seed_import.py)

    def __init__(self):
        self.encoder = Encoder()

    def encode(self, value) -> bytes:
        return fast_encode(value)

    @guarded  # helixc.limits: input size limit, MemoryError -> E_INPUT_TOO_LARGE
    def decode(self, data: bytes):
        return fast_decode(data if type(data) is bytes else bytes(data))

    @guarded
    def decode_reference(self, data: bytes):
        """The plain recursive decoder (one method per tag): the reference for `decode`."""
        return Decoder(bytes(data)).decode()

    def encode_reference(self, value) -> bytes:
        return self.encoder.encode(value)

    def emit(self, value) -> str:
        return fast_encode(value).hex(" ").upper()

    @guarded
    def parse(self, text: str):
        return self.decode(hex_to_bytes(text))

    @guarded
    def parse_reference(self, text: str):
        """The grammar fixes the lexical form (canonical hex text); the decoder the structure."""
        from helixc.textparse import reference_parse_raw

        reference_parse_raw(self.grammar, self.name, text)
        return self.decode_reference(hex_to_bytes(text))


NOTATION = LCB()


@hookimpl
def register_notations(register):
    register(NOTATION)
