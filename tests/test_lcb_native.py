"""The native LC-B core (plugins/lc_b/_lcb_native.c) against the pure-Python codec, its reference.

For every input the core either does the whole job itself, with the Python path's exact result,
or defers (``decode_native``/``encode_native`` raise ``Deferred``), and then ``decode``/``encode``
give the Python path's exact HelixError (code, message, byte offset). Valid values and valid
byte strings must never be deferred: a core that deferred everything would pass the error checks
but fails these. Skipped when the core is not built (no C compiler at install time); the
fallback itself is tested either way (HELIXC_NO_NATIVE=1 in a child process).
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import helixc
from helixc import Contract, Handle, HelixError
from helixc.values import INT_MAX, INT_MIN, same
from helixc_plugins import lc_b

from strategies import mutated_bytes, shallow_values, values

ROOT = Path(__file__).resolve().parents[1]
NATIVE = lc_b.NATIVE
needs_native = pytest.mark.skipif(NATIVE is None, reason="helixc_plugins.lc_b._lcb_native is not built "
                                  "(no C compiler at install time, or HELIXC_NO_NATIVE=1): the Python codec serves")


def _outcome(fn, arg):
    try:
        return ("ok", fn(arg))
    except HelixError as e:
        return ("error", e.code, e.message, e.offset, e.notation)


def _identical(a, b) -> bool:
    """same() plus exact types all the way down (Contract/Handle objects, no subclasses)."""
    if type(a) is not type(b) or not same(a, b):
        return False
    if type(a) is list:
        return all(_identical(x, y) for x, y in zip(a, b))
    if type(a) is dict:
        return list(a) == list(b) and all(_identical(a[k], b[k]) for k in a)
    if type(a) is Contract:
        return type(a.id) is type(b.id) and list(a.fields) == list(b.fields) and all(
            _identical(a.fields[k], b.fields[k]) for k in a.fields)
    if type(a) is Handle:
        return type(a.name) is str and a.name == b.name
    if type(a) is float:
        return struct.pack(">d", a) == struct.pack(">d", b)
    return True


def check_decode(data: bytes):
    py = _outcome(lc_b.py_fast_decode, data)
    ref = _outcome(lambda d: lc_b.Decoder(d).decode(), data)
    got = _outcome(NATIVE.decode, data)  # the core, with the Python fallback
    try:
        direct = ("ok", NATIVE.decode_native(data))
    except NATIVE.Deferred:
        direct = ("deferred",)
    where = data[:80].hex(" ")
    assert py[0] == ref[0] == got[0], (where, py, got)
    if py[0] == "ok":
        assert direct[0] == "ok", f"valid bytes deferred: {where}"
        assert _identical(direct[1], py[1]) and _identical(got[1], py[1]) and _identical(ref[1], py[1]), where
    else:
        assert direct == ("deferred",), (where, direct)  # the core never accepts what Python refuses
        assert got == py, (where, got, py)
        assert py[1:4:2] == ref[1:4:2], (where, py, ref)  # code and offset: the reference decoder's


def check_encode(value):
    py = _outcome(lc_b.py_fast_encode, value)
    got = _outcome(NATIVE.encode, value)
    try:
        direct = ("ok", NATIVE.encode_native(value))
    except NATIVE.Deferred:
        direct = ("deferred",)
    assert got == py, (got, py)
    if py[0] == "ok":
        assert direct == py, f"valid value deferred: {value!r:.200}"
        assert py[1] == lc_b.Encoder().encode(value)
    else:
        assert direct == ("deferred",), value


# --------------------------------------------------------------------------- generated


@needs_native
@settings(max_examples=300)
@given(v=values)
def test_encode_matches_python(v):
    check_encode(v)
    check_decode(lc_b.py_fast_encode(v))


@needs_native
@settings(max_examples=400)
@given(data=st.one_of(st.binary(max_size=48), mutated_bytes(), values.map(lc_b.py_fast_encode)))
def test_decode_matches_python(data):
    check_decode(data)


@needs_native
@settings(max_examples=150)
@given(v=shallow_values, cut=st.integers(0, 10_000))
def test_truncations_and_trailing_bytes(v, cut):
    data = lc_b.py_fast_encode(v)
    check_decode(data[: cut % (len(data) + 1)])
    check_decode(data + data[: cut % 3 + 1])


# --------------------------------------------------------------------------- exhaustive and edges


@needs_native
def test_every_input_of_one_and_two_bytes():
    for a in range(256):
        check_decode(bytes([a]))
        for b in range(256):
            check_decode(bytes([a, b]))


@needs_native
def test_leb128_boundaries():
    cases = []
    for prefix in ([0xFF] * 8 + [0xBF], [0x80] * 8 + [0xC0], [0xFF] * 9, [0x80] * 9, [0x80] * 8 + [0x80]):
        for last in range(256):  # every 10th byte of a 10-byte SLEB128 (the int64 edges)
            cases.append(bytes([1] + prefix + [last]))
    for n in (1, 2, 3, 5, 9, 10, 11):  # continuation runs: overlong, too long, truncated
        for last in (0x00, 0x01, 0x7F, 0x40):
            run = bytes([0x80] * (n - 1) + [last])
            cases += [b"\x01" + run, b"\x03" + run, b"\x04" + run, b"\x09" + run, b"\x07" + run + b"\x08",
                      b"\x07\x01" + run + b"\x00\x08", b"\x0c" + run + b"a\x00\x0d"]
    for v in (INT_MIN, INT_MIN + 1, INT_MAX, INT_MAX - 1, 2**62, -(2**62), 2**62 - 1, -(2**62) - 1, 2**56, -(2**56)):
        data = lc_b.py_fast_encode(v)
        cases += [data, data[:-1], data + b"\x00"]
    # the two end-marker escapes, and the same two-byte form where it is not allowed
    cases += [b"\x07\x01\x88\x00\x00\x08", b"\x07\x01\x87\x00\x00\x08", b"\x07\x01\x89\x00\x00\x08",
              b"\x0c\x8d\x00" + b"k" * 13 + b"\x00\x0d", b"\x0c\x8c\x00" + b"k" * 12 + b"\x00\x0d",
              b"\x0c\x0d", b"\x03\x8d\x00" + b"k" * 13, b"\x07\xff\xff\xff\xff\x0f\x08", b"\x07\x80\x80\x80\x80\x10\x08",
              b"\x07\x01\xff\xff\x03\x00\x08", b"\x07\x01\x80\x80\x04\x00\x08"]
    for data in cases:
        check_decode(data)


@needs_native
def test_floats_texts_handles_and_keys():
    cases = [b"\x02" + struct.pack(">d", f) for f in (0.0, 1.5, -2.5, 5e-324, 1.7976931348623157e308)]
    cases += [b"\x02" + bytes.fromhex(h) for h in ("8000000000000000", "7ff0000000000000", "fff0000000000000",
                                                     "7ff8000000000000", "7ff0000000000001", "8000000000000001")]
    cases += [b"\x02" + b"\x00" * k for k in range(8)]
    for raw in (b"\xc3\xa9", b"\xed\xa0\x80", b"\xc0\x80", b"\xf4\x90\x80\x80", b"\xf0\x9f\x98\x80", b"\xe2\x82",
                b"\xff", b"a" * 70 + b"\xe9", b"\x00", "日本語".encode()):
        cases += [b"\x03" + bytes([len(raw)]) + raw, b"\x0c" + bytes([len(raw)]) + raw + b"\x00\x0d"]
    for name in (b"&h_x", b"&h_", b"&h_a-b", b"&H_x", b"&h_\xc3\xa9", b"&h_x\n", b"h_xy", b"&h_" + b"Z9_" * 50):
        cases.append(b"\x09" + lc_b.uleb(len(name)) + name)
    for keys in (["a", "b"], ["b", "a"], ["a", "a"], ["", "a"], ["a", ""], ["", ""], ["ab", "a"], ["a", "ab"],
                 ["é", "z"], ["z", "é"], ["\U0001f600", "\uffff"], ["\uffff", "\U0001f600"]):
        body = b"".join(lc_b._key_bytes(k) + b"\x00" for k in keys)
        cases.append(b"\x0c" + body + b"\x0d")
    for data in cases:
        check_decode(data)


class _Int(int):
    pass


class _Str(str):
    pass


class _Dict(dict):
    pass


def _self_list():
    a = []
    a.append(a)
    return a


def _handle_renamed(name):
    h = Handle("x")
    object.__setattr__(h, "name", name)
    return h


def _contract(cid, fields):
    c = Contract(0, {})
    object.__setattr__(c, "id", cid)
    object.__setattr__(c, "fields", fields)
    return c


def _nested(n):
    v = 1
    for _ in range(n):
        v = [v]
    return v


BAD_VALUES = [
    float("nan"), float("inf"), -float("inf"), [1.0, float("nan")], 2**63, -(2**63) - 1, 2**64, 10**400, {"k": {"k": 2**64}},
    "a\ud800", ["\udfff"], {"\udc00": 1}, {1: 2}, {"a": 1, 2: 3}, {(1,): 1}, {None: 1}, [object()], {1.5: 2},
    _Int(3), [_Str("x")], {_Str("k"): 1}, _Dict(a=1), True.__class__, Handle, memoryview(b"x"), {"a": {1, 2}},
    Contract(2**32, {}), Contract(-1, {}), Contract(1, {65536: 0}), Contract(1, {-1: 0}), Contract(1, {True: 0}),
    Contract(1, {"0": 1}), Contract(1, {2**70: 1}), _contract("1", {}), _contract(1, [1]), _contract(True, {}),
    _contract(1, None), _handle_renamed("a-b"), _handle_renamed(""), _handle_renamed(3), _handle_renamed("é"),
    _nested(65), [_nested(64)], _self_list(), {"k": _self_list()}, Contract(3, {0: _nested(64)}),
]
GOOD_VALUES = [
    _nested(64), None, True, False, 0, -1, 63, 64, -64, -65, INT_MIN, INT_MAX, 0.0, -0.0, 5e-324, "", "a" * 200,
    "é" * 70, "\U0001f600" * 40, "\x00", b"", b"\x00" * 200, bytearray(b"xy"), (), (1, (2,)), [[], {}], {"": 0},
    {"k" * 13: 1, "k" * 12: 2, "k" * 14: 3}, {"b": 1, "a": 2, "é": 3, "\U0001f600": 4, "\uffff": 5, "A": 6},
    {str(i): i for i in range(100)}, {chr(0x10FFFF - i): i for i in range(40)}, Contract(0, {}), Contract(8, {8: 8}),
    Contract(2**32 - 1, {65535: 1, 0: 2, 8: 3, 127: 4, 128: 5}), Contract(1, {i: i for i in range(60, 0, -1)}),
    Handle("x"), Handle("A_9" * 60), [Handle("h"), Contract(1, {0: Handle("q")})], [1.5] * 1000, list(range(-5000, 5000, 7)),
]


@needs_native
@pytest.mark.parametrize("v", BAD_VALUES, ids=lambda v: f"{v!r:.40}")
def test_encode_errors_are_the_pythons(v):
    check_encode(v)


@needs_native
@pytest.mark.parametrize("v", GOOD_VALUES, ids=lambda v: f"{v!r:.40}")
def test_encode_edges(v):
    check_encode(v)
    check_decode(lc_b.py_fast_encode(v))


# --------------------------------------------------------------------------- the fixed fuzz and conformance cases


def _fixed_inputs():
    from test_conformance import NEGATIVE_LCB, VECTORS
    from test_fuzz import _deep_texts

    texts = [h for _, h, _ in VECTORS.values()] + [h for h, _ in NEGATIVE_LCB.values()] + _deep_texts()["lc-b"]
    texts += ["03 FF FF FF FF FF FF FF FF FF 01", "04 FF FF FF FF 0F", "09 80 80 80 80 80 80 80 80 80 80 01"]
    return [lc_b.hex_to_bytes(t) for t in texts] + [b"\x05" * 10_000 + b"\x06" * 10_000, b"\x05" * 64 + b"\x06" * 64,
                                                   b"\x05" * 65 + b"\x06" * 65, b"\x05" * 200_000]


@needs_native
def test_fixed_fuzz_and_conformance_inputs():
    for data in _fixed_inputs():
        check_decode(data)
        for cut in (1, 2, len(data) // 2, len(data) - 1):
            check_decode(data[:cut])


@needs_native
def test_hostile_values_and_shapes():
    """tests/test_hostile.py's malformed values (every writer refuses them): the Python's errors."""
    from test_hostile import MALFORMED

    for v, _ in MALFORMED:
        check_encode(v)
        check_encode([v])


@needs_native
def test_corpus_generator_lcb_answers():
    """The corpus generator's LC-B answers, made here (300 rows of route lc-b, seed 0, ~0.3 s; the
    committed corpora/seed has no LC-B hex): every one decodes natively, and so do its truncations."""
    import itertools

    from helixc_corpora.generator import generate_rows

    sizes = {"train": 300, "val": 0, "test": 0, "test_novel": 0}
    rows = list(itertools.islice((r for r in generate_rows(0, sizes) if r["route"] == "lc-b"), 300))
    assert len(rows) == 300
    kinds = set()
    for r in rows:
        data = lc_b.hex_to_bytes(r["output"])
        kinds.add(data[0])
        check_decode(data)
        check_decode(data[:-1])
        check_decode(data[: len(data) // 2])
    assert {lc_b.INT, lc_b.TEXT, lc_b.CONTRACT_START, lc_b.ARRAY_START} <= kinds  # not one shape only


# --------------------------------------------------------------------------- wiring


@needs_native
def test_the_notation_runs_the_native_core():
    assert lc_b.fast_decode is NATIVE.decode and lc_b.fast_encode is NATIVE.encode
    n = helixc.get_notation("lc-b")
    v = {"a": [1, 2.5, "x", Contract(14, {0: Handle("docs")})]}
    assert n.encode(v) == lc_b.py_fast_encode(v)
    assert _identical(n.decode(n.encode(v)), v)
    assert n.emit(v) == lc_b.py_fast_encode(v).hex(" ").upper()
    e = pytest.raises(HelixError, helixc.decode, b"\x05\x01").value
    assert (e.code, e.offset, e.source) == ("E_LC_BINARY_DECODE", 2, b"\x05\x01")
    # a bytearray/memoryview input: the same value as bytes
    assert _identical(NATIVE.decode(bytearray(b"\x05\x01\x01\x06")), [1])
    assert _identical(NATIVE.decode(memoryview(b"\x05\x01\x01\x06")), [1])


@needs_native
def test_memory_error_passes_through_and_becomes_input_too_large(monkeypatch):
    def exhausted(data):
        raise MemoryError

    monkeypatch.setattr(lc_b, "fast_decode", exhausted)  # what tests/test_hostile.py does
    assert pytest.raises(HelixError, helixc.decode, b"\x00").value.code == "E_INPUT_TOO_LARGE"


def test_fallback_without_the_native_core():
    """HELIXC_NO_NATIVE=1: the Python codec serves, with the same bytes, values and errors."""
    probe = (
        "import json, helixc\n"
        "from helixc_plugins import lc_b\n"
        "v = {'a': [1, -2**63, 2.5, 'é', b'x', None, True], 'k' * 13: helixc.Contract(8, {8: helixc.Handle('h')})}\n"
        "data = helixc.encode(v)\n"
        "out = {'native': lc_b.NATIVE is not None, 'python_path': lc_b.fast_decode is lc_b.py_fast_decode,\n"
        "       'hex': data.hex(), 'same': helixc.values.same(helixc.decode(data), v)}\n"
        "try:\n"
        "    helixc.decode(data[:-1])\n"
        "except helixc.HelixError as e:\n"
        "    out['error'] = [e.code, e.message, e.offset]\n"
        "print(json.dumps(out))\n"
    )
    env = dict(os.environ, HELIXC_NO_NATIVE="1")
    p = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
    got = json.loads(p.stdout.strip().splitlines()[-1])
    assert got["native"] is False and got["python_path"] is True and got["same"] is True
    v = {"a": [1, -(2**63), 2.5, "é", b"x", None, True], "k" * 13: Contract(8, {8: Handle("h")})}
    assert got["hex"] == helixc.encode(v).hex()
    e = pytest.raises(HelixError, helixc.decode, helixc.encode(v)[:-1]).value
    assert got["error"] == [e.code, e.message, e.offset]


def test_the_input_guard_has_one_behaviour_for_both_signatures():
    """helixc.limits.guarded's wrapper for (self, data) methods (the fast one LC-B's decode gets)
    and its general wrapper: same limit, same error, same MemoryError mapping."""
    from helixc import limits

    class N:
        name = "x"

        def one(self, data):
            if data == b"oom":
                raise MemoryError
            return len(data)

        def general(self, data, extra=0):
            return self.one(data) + extra

    N.one, N.general = limits.guarded(N.one), limits.guarded(N.general)
    n = N()
    assert N.one.__helixc_guarded__ and N.one.__name__ == "one" and N.one.__code__.co_argcount == 2
    assert N.general.__code__.co_flags & 0x0C  # the *args/**kwargs form
    for fn in (n.one, n.general):
        assert fn(b"abcd") == 4
        with limits.max_input(3):
            e = pytest.raises(HelixError, fn, b"abcd").value
            assert (e.code, e.notation) == ("E_INPUT_TOO_LARGE", "x") and "4 bytes; the limit is 3" in e.message
            assert fn(b"abc") == 3
        with limits.max_input(None):
            assert fn(b"a" * 100) == 100
        e = pytest.raises(HelixError, fn, b"oom").value
        assert e.code == "E_INPUT_TOO_LARGE" and "memory" in e.message and e.__context__ is None
    assert n.one(data=b"ab") == 2 and n.general(b"ab", extra=1) == 3
    old = limits.MAX_INPUT_BYTES
    try:
        limits.MAX_INPUT_BYTES = 2
        assert pytest.raises(HelixError, helixc.decode, b"\x05\x06\x00\x00").value.code == "E_INPUT_TOO_LARGE"
    finally:
        limits.MAX_INPUT_BYTES = old


def test_the_python_codec_serves_when_the_core_cannot_be_imported():
    """As on a machine where the build failed: no module at all (not HELIXC_NO_NATIVE), same results,
    and `helixc notations` says which codec serves."""
    probe = (
        "import sys, json\n"
        "sys.modules['helixc_plugins.lc_b._lcb_native'] = None  # import raises ImportError, as with no .so\n"
        "import helixc\n"
        "from helixc_plugins import lc_b\n"
        "v = [1, 2**40, 'é', {'k': helixc.Contract(3, {0: helixc.Handle('h')})}]\n"
        "out = {'native': lc_b.NATIVE is not None, 'hex': helixc.encode(v).hex(),\n"
        "       'same': helixc.values.same(helixc.decode(helixc.encode(v)), v),\n"
        "       'title': helixc.get_notation('lc-b').title}\n"
        "print(json.dumps(out))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "HELIXC_NO_NATIVE"}
    p = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
    got = json.loads(p.stdout.strip().splitlines()[-1])
    v = [1, 2**40, "é", {"k": Contract(3, {0: Handle("h")})}]
    assert got == {"native": False, "hex": helixc.encode(v).hex(), "same": True, "title": got["title"]}
    assert "codec: pure Python" in got["title"]
    assert ("codec: native C core" in helixc.get_notation("lc-b").title) == (NATIVE is not None)


def _build_in_copy(tmp_path, cc=None):
    """setup.py's build of the core (in place, as `pip install -e` does) in a copy holding only
    pyproject.toml, setup.py and the C source."""
    (tmp_path / "plugins" / "lc_b").mkdir(parents=True)
    for name in ("setup.py", "pyproject.toml"):
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    (tmp_path / "plugins" / "lc_b" / "_lcb_native.c").write_bytes((ROOT / "plugins" / "lc_b" / "_lcb_native.c").read_bytes())
    env = {k: v for k, v in os.environ.items() if k not in ("HELIXC_NO_NATIVE_BUILD", "CFLAGS")}
    if cc:
        env["CC"] = cc
    p = subprocess.run([sys.executable, "setup.py", "build_ext", "--inplace", "--build-temp", str(tmp_path / "tmp")],
                       cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300)
    folder = tmp_path / "plugins" / "lc_b"
    return p, sorted(folder.glob("_lcb_native*.so")) + sorted(folder.glob("_lcb_native*.pyd"))


def test_a_failing_compiler_does_not_fail_the_build(tmp_path):
    """No usable C compiler (CC=/bin/false): setup.py's build still succeeds, without the core
    (pip install -e then gives the pure-Python codec; checked once by hand with a fresh clone)."""
    p, built = _build_in_copy(tmp_path, cc="/bin/false")
    out = p.stdout + p.stderr
    assert p.returncode == 0, out[-3000:]
    assert 'building extension "helixc_plugins.lc_b._lcb_native" failed' in out, out[-3000:]
    assert built == []


def _compiler_found() -> bool:
    import shlex
    import shutil
    import sysconfig

    cc = os.environ.get("CC") or sysconfig.get_config_var("CC") or ""
    return bool(cc) and shutil.which(shlex.split(cc)[0]) is not None


@pytest.mark.skipif(not _compiler_found(), reason="no C compiler on this machine: the fallback test above covers it")
def test_setup_builds_a_working_core(tmp_path):
    """What `pip install -e .` runs: setup.py compiles the core, and the module it builds works."""
    p, built = _build_in_copy(tmp_path)
    assert p.returncode == 0 and len(built) == 1, (p.stdout + p.stderr)[-3000:]
    probe = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('helixc_plugins.lc_b._lcb_native', {str(built[0])!r})\n"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        "print(m.decode_native(m.encode_native([1, 'x', {'a': 2.5}])))\n"
    )
    q = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert q.returncode == 0 and q.stdout.strip() == "[1, 'x', {'a': 2.5}]", q.stderr[-2000:]


def _rss_bytes() -> int | None:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return None


@needs_native
def test_no_reference_leaks_in_loops():
    """Refcount leaks: pymalloc blocks (sys.getallocatedblocks) and RSS stay flat over thousands of
    encodes/decodes, valid and failing (deferred to Python), of every kind of value."""
    import gc

    doc = {"a": [1, -(2**40), 2.5, "é" * 40, "x" * 100, b"\x00" * 10, None, True, False],
           "k" * 40: Contract(8, {0: Handle("h"), 8: {"z": [[]]}, 70000 - 5000: "v"}),
           "m": {f"key{i}": i for i in range(40)}, "big": list(range(300))}
    data = NATIVE.encode(doc)
    bad_bytes = [data[:-1], data + b"\x00", b"\x0c\x01b\x00\x01a\x00\x0d", b"\x02" + b"\x7f\xf0" + b"\x00" * 6,
                 b"\x07\x01\x02\x00\x01\x00\x08", b"\x09\x04&h_-", b"\x03\x02\xc3("]
    bad_values = [[1, 2**64], {"a": float("nan")}, {"a": 1, 2: 3}, ["\ud800"], Contract(1, {-1: 0}), [object()]]

    def one_round():
        assert same(NATIVE.decode(data), doc) and NATIVE.encode(doc) == data
        for b in bad_bytes:
            with pytest.raises(HelixError):
                NATIVE.decode(b)
            with pytest.raises(NATIVE.Deferred):
                NATIVE.decode_native(b)
        for v in bad_values:
            with pytest.raises(HelixError):
                NATIVE.encode(v)
            with pytest.raises(NATIVE.Deferred):
                NATIVE.encode_native(v)

    for _ in range(200):  # warm: key cache, interned strings, free lists
        one_round()
    gc.collect()
    blocks, rss = sys.getallocatedblocks(), _rss_bytes()
    n = 3000
    for _ in range(n):
        one_round()
    gc.collect()
    grown = sys.getallocatedblocks() - blocks
    assert grown < n // 10, f"{grown} pymalloc blocks more after {n} rounds: a leak per call"
    if rss is not None:  # large objects (big lists, the 12 KB encode buffer) live outside pymalloc
        assert _rss_bytes() - rss < 8 * 2**20, (rss, _rss_bytes())
