"""Generate the garbage benchmark: inputs that are no request (``benchmarks/blind/garbage-*.jsonl``).

Deterministic (``--seed``, default 14): the same command writes the same files. Kinds:

* ``words``: random dictionary-like English words (a fixed list below, no notation names);
* ``mash``: keyboard mash (runs along the keyboard rows, repeated letters, random letters);
* ``lorem``: lorem ipsum fragments;
* ``truncated``: a random value emitted by the compiler in HLXL / LC-T / LC-R / LC-B hex, cut;
* ``hex``: malformed LC-B hex (odd digit count, unknown tag byte, truncated LEB128, trailing bytes,
  a length past the end);
* ``space``: whitespace and control characters only;
* ``junk``: notation-looking junk (brackets, glyphs, punctuation, stray keywords);
* ``novalue``: instructions with no value in them (``convert to lc-r``, typos included);
* ``typo``: typo'd notation names and verbs alone (``lcr``, ``trnaslate``).

Each row: ``{"id", "text", "kind", "to", "parses"}``. ``to`` is the notation the row is also run
with (``--to X``; every row is run with ``--to auto`` too); ``parses`` lists the notations whose
parser reads ``text`` (LC-B: as hex text). The right behaviour on a row no notation parses is no
answer with exit 0; on one a notation parses, the compiler's translation is a right answer.

Split by ``sha256("helixc-garbage-split-1:" + id) % 2``: 0 -> ``garbage-dev.jsonl`` (calibration),
1 -> ``garbage-test.jsonl`` (reported only).

    .venv/bin/python scripts/make_garbage.py            # writes benchmarks/blind/garbage-{dev,test}.jsonl
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NOTATIONS = ("hlxl", "lc-t", "lc-r", "lc-b")

WORDS = """apple river stone window garden pencil cloud engine yellow butter candle silver forest ladder
mirror pocket rabbit saddle thunder velvet wagon zipper anchor basket carpet desert feather goblet harbor
island jacket kettle lemon marble needle orange parrot quartz ribbon shadow tunnel umbrella violin walnut
meadow lantern pepper cotton bridge castle dragon falcon glacier hammer igloo jungle kitten lizard monkey
nickel oyster pillow quiver rocket sugar turtle valley whistle yogurt zebra blue quickly softly under over
between often never always maybe happy sad tall short green purple running jumping singing sleeping
table chair door floor ceiling lamp clock phone paper music letter garden friday monday summer winter
morning evening coffee tea bread cheese honey salt ocean mountain planet comet galaxy moon sun star
""".split()

LOREM = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore "
         "et dolore magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco laboris nisi ut "
         "aliquip ex ea commodo consequat duis aute irure dolor in reprehenderit in voluptate velit esse").split()

ROWS_KB = ["qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890"]

VERBS = ["convert", "translate", "encode", "write", "show", "give me", "turn", "render", "put", "make"]
VERB_TYPOS = ["trnaslate", "convret", "encdoe", "wirte", "shwo", "gvie me", "trun", "rendr", "pleese", "cnvert"]
NOTATION_WORDS = ["lc-r", "lcr", "lc-t", "lct", "lc-b", "lcb", "hlxl", "runic", "the binary one", "LC-R", "HLXL",
                  "the ascii one", "lc r", "runes"]
NOTATION_TYPOS = ["lc-rr", "lcrt", "hlxk", "hllx", "lc_q", "l-cr", "lcc", "hxlx", "lc-z", "rnuic"]

JUNK_PIECES = ["[", "]", "{", "}", ",", ":", "\"", "#", "@", "&", "=", "🜃", "🜄", "◇", "◆", "⟁", "⊤", "⊥", "⊠",
               "∅", "🜁", "🜂", "x\"", "C:", "NULL", "TRUE", "0B", "0x", "-", ".", ";", "<", ">", "|", "\\", "~"]


def _rand_value(rng: random.Random, depth: int = 0):
    from helixc.values import Contract, Handle

    k = rng.randrange(10 if depth < 2 else 7)
    if k == 0:
        return None
    if k == 1:
        return rng.random() < 0.5
    if k == 2:
        return rng.randrange(-10 ** rng.randrange(1, 12), 10 ** rng.randrange(1, 12))
    if k == 3:
        return round(rng.uniform(-1000, 1000), rng.randrange(1, 4))
    if k == 4:
        return rng.choice(WORDS) + (" " + rng.choice(WORDS) if rng.random() < 0.3 else "")
    if k == 5:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 5)))
    if k == 6:
        return Handle(rng.choice(WORDS) + str(rng.randrange(10)))
    if k == 7:
        return [_rand_value(rng, depth + 1) for _ in range(rng.randrange(1, 5))]
    if k == 8:
        return {rng.choice(WORDS): _rand_value(rng, depth + 1) for _ in range(rng.randrange(1, 4))}
    return Contract(rng.randrange(1000), {i: _rand_value(rng, depth + 1) for i in sorted(rng.sample(range(6), rng.randrange(1, 4)))})


def _hex(bs: bytes, rng: random.Random) -> str:
    h = bs.hex().upper() if rng.random() < 0.7 else bs.hex()
    if rng.random() < 0.6:
        return " ".join(h[i:i + 2] for i in range(0, len(h), 2))
    return h


def gen_words(rng):
    return " ".join(rng.choice(WORDS) for _ in range(rng.randrange(1, 7)))


def gen_mash(rng):
    how = rng.randrange(3)
    if how == 0:
        parts = []
        for _ in range(rng.randrange(1, 5)):
            row = rng.choice(ROWS_KB[:3])
            a = rng.randrange(len(row) - 2)
            parts.append(row[a:a + rng.randrange(3, len(row) - a + 1)])
        return " ".join(parts)
    if how == 1:
        return "".join(rng.choice("asdfjkl;") for _ in range(rng.randrange(4, 20)))
    letters = "abcdefghijklmnopqrstuvwxyz"
    return " ".join("".join(rng.choice(letters) for _ in range(rng.randrange(2, 8))) for _ in range(rng.randrange(1, 5)))


def gen_lorem(rng):
    a = rng.randrange(len(LOREM) - 3)
    s = " ".join(LOREM[a:a + rng.randrange(2, 12)])
    return s.capitalize() + ("." if rng.random() < 0.5 else "")


def gen_truncated(rng):
    from helixc import emit

    for _ in range(50):
        n = rng.choice(NOTATIONS)
        v = _rand_value(rng)
        text = _hex(bytes.fromhex(emit(v, "lc-b").replace(" ", "")), rng) if n == "lc-b" else emit(v, n)
        if len(text) < 3:
            continue
        cut = rng.randrange(1, len(text) - 1)
        return text[:cut]
    return "[1, 2"


def gen_hex(rng):
    from helixc import emit

    how = rng.randrange(5)
    good = bytes.fromhex(emit(_rand_value(rng), "lc-b").replace(" ", ""))
    if how == 0:  # odd number of hex digits
        h = good.hex().upper() + rng.choice("0123456789ABCDEF")
        return h if rng.random() < 0.5 else " ".join(h[i:i + 2] for i in range(0, len(h), 2))
    if how == 1:  # a tag byte no LC-B value starts with
        bad = bytes([rng.choice([t for t in range(256) if t not in (0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                                                     0x08, 0x09, 0x0A, 0x0B)])])
        return _hex(bad + good[1:], rng)
    if how == 2:  # an integer whose LEB128 never ends
        return _hex(b"\x01" + bytes(0x80 | rng.randrange(128) for _ in range(rng.randrange(1, 10))), rng)
    if how == 3:  # trailing bytes after a whole value
        return _hex(good + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4))), rng)
    return _hex(bytes([rng.choice([0x03, 0x04])]) + bytes([rng.randrange(10, 120)]) + b"ab", rng)  # length past the end


def gen_space(rng):
    chars = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x00", "\x1b", "\x07", "\u00a0", "\u200b", "\u2028"]
    return "".join(rng.choice(chars) for _ in range(rng.randrange(1, 12)))


def gen_junk(rng):
    return "".join(rng.choice(JUNK_PIECES) + (" " if rng.random() < 0.3 else "") for _ in range(rng.randrange(2, 10)))


def gen_novalue(rng):
    verb = rng.choice(VERBS + VERB_TYPOS)
    tail = rng.choice(["", " it", " this", " that", " something", " the thing", " stuff", " my data", " the value"])
    target = rng.choice(NOTATION_WORDS + NOTATION_TYPOS)
    prep = rng.choice([" to ", " into ", " in ", " as ", " -> "])
    s = f"{verb}{tail}{prep}{target}"
    return s + rng.choice(["", "", "?", "!", " please", "."])


def gen_typo(rng):
    return rng.choice(NOTATION_TYPOS + NOTATION_WORDS + VERB_TYPOS + ["pls", "help", "??", "ok", "hmm", "idk", "..."])


KINDS = {"words": (gen_words, 70), "mash": (gen_mash, 70), "lorem": (gen_lorem, 40), "truncated": (gen_truncated, 90),
         "hex": (gen_hex, 90), "space": (gen_space, 30), "junk": (gen_junk, 60), "novalue": (gen_novalue, 60),
         "typo": (gen_typo, 30)}


def parsers_of(text: str) -> list[str]:
    """The notations whose parser reads ``text`` (LC-B as hex text)."""
    from helixc import parse
    from helixc.errors import HelixError

    out = []
    for n in NOTATIONS:
        try:
            parse(text, n)
        except HelixError:
            continue
        out.append(n)
    return out


def generate(seed: int) -> list[dict]:
    rng = random.Random(seed)
    rows, seen = [], set()
    for kind, (fn, count) in KINDS.items():
        made = tries = 0
        while made < count and tries < count * 20:
            tries += 1
            text = fn(rng)
            if text in seen:
                continue
            seen.add(text)
            made += 1
            rows.append({"id": f"g-{kind}-{made:03d}", "text": text, "kind": kind, "to": rng.choice(NOTATIONS),
                         "parses": parsers_of(text)})
    return rows


def split_of(row_id: str) -> int:
    return int(hashlib.sha256(("helixc-garbage-split-1:" + row_id).encode()).hexdigest(), 16) % 2


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--out-dir", default=str(ROOT / "benchmarks" / "blind"))
    a = ap.parse_args(argv)
    rows = generate(a.seed)
    out = Path(a.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for part, name in ((0, "garbage-dev.jsonl"), (1, "garbage-test.jsonl")):
        sel = [r for r in rows if split_of(r["id"]) == part]
        with open(out / name, "w", encoding="utf-8") as fh:
            for r in sel:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(f"{name}: {len(sel)} rows, {sum(1 for r in sel if r['parses'])} parsed by some notation")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
