"""Random HLX values (small enough for a small model to transcribe) and their English descriptions.

Every function takes a ``random.Random`` so the corpus is deterministic for a seed.
"""

from __future__ import annotations

import random

import helixc
from helixc import catalog
from helixc.values import Contract, Handle

_NOTATION_CACHE: dict = {}


def _notation(name: str):
    n = _NOTATION_CACHE.get(name)
    if n is None:
        n = _NOTATION_CACHE[name] = helixc.get_notation(name)
    return n


def emit(value, notation: str) -> str:
    """helixc.emit with the notation lookup cached (the generator emits a lot)."""
    return _notation(notation).emit(value)


def parse(text: str, notation: str):
    return _notation(notation).parse(text)


def value_text(value) -> str:
    """The value's canonical text in the notation values are written in (helixc.catalog.value_notation)."""
    return _notation(catalog.value_notation()).emit(value)


WORDS = [
    "main", "search", "filter", "reduce", "map", "train", "model", "data", "query", "users", "active", "shader",
    "layout", "pipeline", "render", "compute", "vertex", "fragment", "docs", "documents", "index", "cache",
    "config", "logger", "session", "token", "alpha", "beta", "gamma", "delta", "input", "output", "result",
    "error", "status", "ready", "hello", "world", "Alice", "Bob", "Carol", "node", "edge", "graph", "tensor",
    "batch", "epoch", "sample", "label", "score", "value", "key", "name", "age", "id", "count", "total", "limit",
    "offset", "page", "size", "color", "red", "green", "blue", "width", "height", "depth", "x", "y", "z", "path",
    "file", "root", "tmp", "log", "debug", "info", "warn", "open", "close", "read", "write", "sum", "max", "min",
    "mean", "sort", "merge", "split", "join", "fetch", "store", "load", "save", "init", "run", "stop", "start",
    "queue", "stack", "heap", "list", "table", "row", "col", "cell", "unit", "test", "prod", "dev", "v1", "v2",
    "op", "fn", "arg", "ret", "ok", "fail", "north", "south", "east", "west", "apple", "pear", "plum", "kiwi",
]
HANDLE_NAMES = [w for w in WORDS if w.isascii()] + [
    "shader0", "shader1", "buffer_a", "buffer_b", "tex_01", "model_v2", "user_42", "db", "queue_main", "ref",
    "input_0", "output_1", "layer3", "head_7", "weights", "bias", "optimizer", "scheduler", "reducer", "initial",
    "collection", "vs", "fs", "foo_0", "bar_9",
]
ODD_KEYS = ["two words", "C", "null", "true", "1st", "a-b", "key.name", "x y", "café", "NULL"]
NON_ASCII = ["café", "naïve", "über", "São Paulo", "crème", "Zürich", "π", "日本", "€5", "Ωmega"]
CONTRACT_IDS = [1, 2, 5, 14, 15, 16, 42, 100, 900, 901, 902, 1000, 1001, 2048]

MAX_BYTES = 40  # keep outputs short: ~120 output tokens at most in any notation
MAX_TEXT_CHARS = 110


def rand_int(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.30:
        return rng.randint(0, 100)
    if r < 0.45:
        return rng.randint(101, 1000)
    if r < 0.60:
        return rng.randint(-1000, -1)
    if r < 0.75:
        return rng.randint(1000, 65535)
    if r < 0.90:
        return rng.randint(65536, 2**32 - 1)
    return rng.choice([0, 1, 255, 256, 1024, 4096, 65535, 65536, 2**31 - 1, 2**31, 2**32 - 1, -1, -128, 127, 128])


def rand_float(rng: random.Random) -> float:
    r = rng.random()
    if r < 0.5:
        return round(rng.uniform(-100, 100), rng.choice([1, 2, 3]))
    if r < 0.8:
        return rng.choice([0.5, 0.25, 0.125, 1.5, 2.5, 3.14, 3.14159, 2.71828, 0.1, 0.01, 1.0, -1.0, 100.0, 1e-05, 1e+16,
                           6.02e+23, -0.5, 9.81, 1.618])
    return rng.randint(-999, 999) / rng.choice([2, 4, 8, 10, 100])


def rand_text(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.55:
        return rng.choice(WORDS)
    if r < 0.75:
        return rng.choice(WORDS) + rng.choice(["", "_", " ", "-"]) + rng.choice(WORDS + [str(rng.randint(0, 99))])
    if r < 0.83:
        return rng.choice(NON_ASCII)
    if r < 0.88:
        return ""
    if r < 0.93:
        return rng.choice(["line\nbreak", 'say "hi"', "tab\there", "back\\slash", "a/b", "50%", "x=1"])
    return f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(WORDS)}"


def rand_bytes(rng: random.Random) -> bytes:
    return bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 4)))


def rand_handle(rng: random.Random) -> Handle:
    return Handle(rng.choice(HANDLE_NAMES))


def rand_scalar(rng: random.Random, weights=None):
    kinds = ["int", "text", "handle", "float", "bool", "null", "bytes"]
    w = weights or [30, 25, 15, 10, 8, 6, 6]
    k = rng.choices(kinds, w)[0]
    if k == "int":
        return rand_int(rng)
    if k == "text":
        return rand_text(rng)
    if k == "handle":
        return rand_handle(rng)
    if k == "float":
        return rand_float(rng)
    if k == "bool":
        return rng.random() < 0.5
    if k == "null":
        return None
    return rand_bytes(rng)


def rand_key(rng: random.Random) -> str:
    if rng.random() < 0.1:
        return rng.choice(ODD_KEYS)
    return rng.choice(WORDS)


def rand_contract_id(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.6:
        return rng.choice(CONTRACT_IDS)
    if r < 0.9:
        return rng.randint(0, 5000)
    return rng.randint(5000, 2**32 - 1)


def rand_fields(rng: random.Random, n: int, depth: int) -> dict:
    if rng.random() < 0.85:
        idx = list(range(n))
    else:
        idx = sorted(rng.sample(range(0, 8), n))
    return {i: rand_value(rng, depth + 1) for i in idx}


def rand_value(rng: random.Random, depth: int = 0, kind: str | None = None):
    """A random value; containers up to depth 2, a few items each."""
    if kind is None:
        if depth >= 2:
            return rand_scalar(rng)
        kind = rng.choices(["scalar", "list", "map", "contract"], [40, 22, 16, 22] if depth == 0 else [70, 12, 8, 10])[0]
    if kind == "scalar":
        return rand_scalar(rng)
    if kind == "list":
        n = rng.choice([0, 1, 2, 2, 3, 3, 3, 4, 5]) if depth == 0 else rng.choice([0, 1, 2, 2, 3])
        if rng.random() < 0.45:  # homogeneous ints: the common case
            return [rand_int(rng) if rng.random() < 0.5 else rng.randint(0, 20) for _ in range(n)]
        return [rand_value(rng, depth + 1) for _ in range(n)]
    if kind == "map":
        n = rng.choice([0, 1, 2, 2, 3])
        keys = []
        while len(keys) < n:
            k = rand_key(rng)
            if k not in keys:
                keys.append(k)
        return {k: rand_value(rng, depth + 1) for k in keys}
    if kind == "contract":
        n = rng.choice([0, 1, 1, 2, 2, 3]) if depth == 0 else rng.choice([0, 1, 2])
        return Contract(rand_contract_id(rng), rand_fields(rng, n, depth))
    raise ValueError(kind)


def op_contract(rng: random.Random):
    """The seed corpora's favourite shapes: operation contracts 900/901/902/1000."""
    cid = rng.choice([900, 901, 902, 1000])
    if cid == 1000:
        f = {0: rng.choice(WORDS)}
        for i in range(1, rng.randint(1, 3)):
            f[i] = rand_handle(rng) if rng.random() < 0.7 else rand_int(rng)
    elif cid == 900:
        f = {0: rand_handle(rng), 1: rng.choice(["main", "entry", "run"]), 2: rng.choice(["compute", "vertex", "fragment"])}
        f = dict(list(f.items())[: rng.randint(1, 3)])
    elif cid == 901:
        f = {0: rand_handle(rng), 1: rand_handle(rng)}
    else:
        f = {0: rand_handle(rng) if rng.random() < 0.5 else rng.choice(WORDS), 1: rng.choice([32, 64, 128, 256]),
             2: rng.choice([32, 64, 128, 256]), 3: rng.randint(1, 4)}
        f = dict(list(f.items())[: rng.randint(1, 4)])
    return Contract(cid, f)


def fits(value) -> bool:
    """Small enough in every payload notation (helixc.catalog.corpus_sources): at most MAX_BYTES bytes
    in a binary one, at most MAX_TEXT_CHARS characters in a text one."""
    try:
        return all(len(n.encode(value)) <= MAX_BYTES if n.binary else len(n.emit(value)) <= MAX_TEXT_CHARS
                   for n in map(_notation, catalog.corpus_sources()))
    except Exception:  # a value some notation cannot write
        return False


def small_value(rng: random.Random, kind: str | None = None):
    for _ in range(50):
        v = op_contract(rng) if kind == "op" else rand_value(rng, 0, kind)
        if fits(v):
            return v
    return rng.randint(0, 100)


# ---------------------------------------------------------------------------------------------
# Noisy but valid payload text (what a person types), verified to parse back to the value.

def payload_text(value, notation: str, rng: random.Random) -> str:
    """The payload as a person would write it in `notation` (always parses back to `value`): the
    notation's own writer (``Notation.corpus_payload``), else its canonical text."""
    n = _notation(notation)
    write = n.corpus_payload
    return emit(value, notation) if write is None else write(value, rng)


# ---------------------------------------------------------------------------------------------
# English descriptions of values

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORD = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth"]


def number_words(n: int) -> str:
    if n < 0:
        return "minus " + number_words(-n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else "-" + _ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return _ONES[n // 100] + " hundred" + ("" if rest == 0 else " and " + number_words(rest))
    if n < 1_000_000:
        rest = n % 1000
        head = number_words(n // 1000) + " thousand"
        if rest == 0:
            return head
        return head + (" and " if rest < 100 else " ") + number_words(rest)
    raise ValueError(n)


def describe_int(n: int, rng: random.Random, depth: int = 0) -> str:
    """Number words for small ints; inside containers only below 100, so an item never contains
    "and" ("nine hundred and seventy-nine" in a list would read as two items)."""
    r = rng.random()
    if abs(n) < (1000 if depth == 0 else 100) and r < 0.45:
        w = number_words(n)
        return rng.choice([w, f"the number {w}", f"the integer {w}"])
    return rng.choice([str(n), f"the number {n}", f"the integer {n}", f"{n}"])


def _is_simple_word(s: str) -> bool:
    return s.isascii() and s.isalpha() and 0 < len(s) <= 12 and s.lower() not in ("and", "null", "true", "false", "a", "an", "the")


def describe_scalar(v, rng: random.Random, depth: int = 0) -> str | None:
    if v is None:
        return rng.choice(["null", "a null value", "the null value", "nothing (null)"])
    if v is True:
        return rng.choice(["true", "the boolean true", "a true flag", "boolean true"])
    if v is False:
        return rng.choice(["false", "the boolean false", "a false flag", "boolean false"])
    if type(v) is int:
        return describe_int(v, rng, depth)
    if type(v) is float:
        return rng.choice([f"the float {v!r}", f"the decimal number {v!r}", f"{v!r}"])
    if type(v) is str:
        q = value_text(v)
        if _is_simple_word(v) and rng.random() < 0.4:
            return rng.choice([f"the text {v}", f"the string {v}", f"the word {v}"])
        return rng.choice([f"the text {q}", f"the string {q}", q]) if v else rng.choice(["an empty string", "the empty text", '""'])
    if type(v) is bytes:
        if not v:
            return rng.choice(["empty bytes", "an empty byte string"])
        hx = v.hex().upper()
        return rng.choice([f"the bytes {hx}", f"a byte string {hx}", f"raw bytes {' '.join(hx[i:i+2] for i in range(0, len(hx), 2))}"])
    if type(v) is Handle:
        return rng.choice([f"a handle named {v.name}", f"the handle {v.name}", f"a reference to {v.name}", f"handle &h_{v.name}"])
    return None


def _join(items: list[str], rng: random.Random, semi: bool) -> str:
    if semi:
        return "; ".join(items)
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + rng.choice([" and ", ", and "]) + items[-1]


def _multi_entry(x) -> bool:
    return (type(x) is dict and len(x) > 1) or (type(x) is Contract and len(x.fields) > 1)


def describe(v, rng: random.Random, depth: int = 0) -> str | None:
    """An unambiguous English description of `v`, or None when it would be too clumsy."""
    s = describe_scalar(v, rng, depth)
    if s is not None:
        return s
    if depth >= 2:
        return None
    if type(v) is list:
        if not v:
            return rng.choice(["an empty list", "an empty array", "the empty list", "a list with no items"])
        parts = [describe(x, rng, depth + 1) for x in v]
        if any(p is None for p in parts):
            return None
        nested = any(type(x) in (list, dict, Contract) for x in v) or any(" and " in p for p in parts)
        if nested and depth > 0:
            return None
        if len(v) == 1:  # one item: a head that says so, whatever the item is
            return rng.choice(["a list with just ", "a one-item list holding ", "an array containing only "]) + parts[0]
        if all(type(x) is int for x in v) and not nested and rng.random() < 0.5:
            return rng.choice(["the numbers ", "a list of the numbers ", "an array of "]) + _join(parts, rng, False)
        head = rng.choice(["a list of ", "an array containing ", "a list with ", "the list of "])
        if nested:
            head = rng.choice(["a list containing: ", "an array of these items: "])
        return head + _join(parts, rng, nested)
    if type(v) is dict:
        if not v:
            return rng.choice(["an empty map", "an empty object", "an empty dictionary", "a map with no keys"])
        parts = []
        for k, x in v.items():
            d = describe(x, rng, depth + 1)
            if d is None:
                return None
            key = k if _is_simple_word(k) and rng.random() < 0.6 else value_text(k)
            parts.append(rng.choice([f"{key} set to {d}", f"key {key} with {d}", f"{key} = {d}"]))
        nested = any(type(x) in (list, dict, Contract) for x in v.values()) or any(" and " in p for p in parts)
        if nested and depth > 0:
            return None
        if len(v) == 1 and _multi_entry(next(iter(v.values()))):
            return None  # "a map with a set to a map with b set to 1 and c set to 2": whose c?
        head = rng.choice(["a map with ", "an object with ", "a dictionary with ", "a map where "])
        if head == "a map where ":
            parts = [p.replace(" set to ", " is ").replace(" = ", " is ") if not p.startswith("key ") else p for p in parts]
        return head + _join(parts, rng, nested)
    if type(v) is Contract:
        if not v.fields:
            return rng.choice([f"an empty contract {v.id}", f"contract {v.id} with no fields", f"a contract with id {v.id} and no fields"])
        parts = []
        contiguous = list(v.fields) == list(range(len(v.fields)))
        for i, x in v.fields.items():
            d = describe(x, rng, depth + 1)
            if d is None:
                return None
            if contiguous and i < len(_ORD) and rng.random() < 0.6:
                parts.append(f"whose {_ORD[i]} field is {d}")
            else:
                parts.append(rng.choice([f"field {i} set to {d}", f"field @{i} = {d}", f"with field {i} being {d}"]))
        nested = any(type(x) in (list, dict, Contract) for x in v.fields.values()) or any(" and " in p for p in parts)
        if nested and depth > 0:
            return None
        if len(v.fields) == 1 and _multi_entry(next(iter(v.fields.values()))):
            return None  # the inner fields would read as the outer's
        head = rng.choice([f"a contract {v.id} ", f"contract {v.id} ", f"a contract with id {v.id}, "])
        return head + _join(parts, rng, nested)
    return None


# ---------------------------------------------------------------------------------------------
# Nested values and their descriptions (train split only: corpora/generator.py)
#
# ``describe`` gives up on a container inside a container inside a container, so the models never
# saw one described in words ("a map with config set to (a map with retries set to 5 and timeout
# set to 2.5)", "contract 3 whose field 0 is contract 4 whose field 1 is 5"). These add them to the
# training split; val, test and test_novel keep ``describe``'s forms, so the held-out rows stay as
# they were and measure how far the models carry the new forms. Grouping keeps every description
# unambiguous: a non-empty container inside another is put in parentheses, except in a pure chain
# (every container on the way has exactly one entry), where nothing can attach to the wrong level.


def _chain_tail(rng: random.Random):
    r = rng.random()
    if r < 0.55:
        return rand_scalar(rng)
    if r < 0.75:
        return rng.choice([[], {}, Contract(rand_contract_id(rng), {})])
    return [rng.randint(0, 20) for _ in range(rng.randint(2, 3))]


def nested_value(rng: random.Random):
    """A value with containers two to four deep: single-entry chains, or up to three entries per level."""
    if rng.random() < 0.4:
        v = _chain_tail(rng)
        for _ in range(rng.randint(2, 4)):
            kind = rng.choice(["list", "map", "contract"])
            if kind == "list":
                v = [v]
            elif kind == "map":
                v = {rand_key(rng): v}
            else:
                v = Contract(rand_contract_id(rng), {rng.choice([0, 0, 0, 1, 2]): v})
        return v
    return _nested(rng, 0)


def _nested(rng: random.Random, depth: int):
    if depth >= 3 or (depth > 0 and rng.random() < 0.45):
        return rand_scalar(rng) if rng.random() < 0.85 else rng.choice([[], {}])
    kind = rng.choice(["list", "map", "contract"])
    n = rng.choice([1, 2, 2, 3]) if depth < 2 else rng.choice([1, 2])
    if kind == "list":
        return [_nested(rng, depth + 1) for _ in range(n)]
    if kind == "map":
        keys: list[str] = []
        while len(keys) < n:
            k = rand_key(rng)
            if k not in keys:
                keys.append(k)
        return {k: _nested(rng, depth + 1) for k in keys}
    return Contract(rand_contract_id(rng), {i: _nested(rng, depth + 1) for i in range(n)})


def _entries(v) -> int:
    if type(v) is list:
        return len(v)
    if type(v) is dict:
        return len(v)
    if type(v) is Contract:
        return len(v.fields)
    return 0


def _chain(v) -> bool:
    """Every container on the way down has at most one entry."""
    while _entries(v) == 1:
        v = v[0] if type(v) is list else next(iter(v.values())) if type(v) is dict else next(iter(v.fields.values()))
    return _entries(v) == 0


def describe_nested(v, rng: random.Random, depth: int = 0) -> str | None:
    """An unambiguous English description of a value of any depth (None where a scalar has none)."""
    s = describe_scalar(v, rng, depth)
    if s is not None:
        return s
    if not _entries(v):
        return describe(v, rng, depth)
    chain = _chain(v)
    items = v if type(v) is list else list(v.values()) if type(v) is dict else list(v.fields.values())
    parts = []
    for x in items:
        d = describe_nested(x, rng, depth + 1)
        if d is None:
            return None
        if _entries(x) and not chain:
            d = f"({d})"
        parts.append(d)
    if type(v) is list:
        if len(parts) == 1:
            head = rng.choice(["a list with just ", "a list holding ", "a one-item list containing ", "an array with only "])
            return head + parts[0]
        head = rng.choice(["a list of ", "a list holding ", "an array with ", "a list containing "])
        return head + _join(parts, rng, False)
    if type(v) is dict:
        head = rng.choice(["a map with ", "an object with ", "a dictionary with ", "a map where "])
        out = []
        for k, d in zip(v, parts):
            key = k if _is_simple_word(k) and rng.random() < 0.6 else value_text(k)
            if head == "a map where ":
                forms = [f"{key} is {d}", f"key {key} is {d}"]
            else:
                forms = [f"{key} set to {d}", f"key {key} holding {d}", f"{key} = {d}", f"{key} mapped to {d}"]
                if d.startswith(("a ", "an ", "(")):
                    forms.append(f"key {key} whose value is {d}")
            out.append(rng.choice(forms))
        return head + _join(out, rng, False)
    out = []
    contiguous = list(v.fields) == list(range(len(v.fields)))
    for (i, _), d in zip(v.fields.items(), parts):
        if contiguous and i < len(_ORD) and rng.random() < 0.4:
            out.append(f"whose {_ORD[i]} field is {d}")
        else:
            out.append(rng.choice([f"whose field {i} is {d}", f"field {i} set to {d}", f"with field @{i} = {d}",
                                   f"field {i} holding {d}"]))
    # no comma after the id inside another description: it would read as the outer list's separator
    head = rng.choice([f"contract {v.id} ", f"a contract {v.id} ", f"a contract with id {v.id}{',' if depth == 0 else ''} "])
    return head + _join(out, rng, False)
