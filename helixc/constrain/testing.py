"""Local corpora and tokenizers for the constraint tests and benchmark (nothing downloaded).

* ``corpus_lines(n, seed)``: canonical texts of random values in the payload notations of the
  corpus (``NOTATIONS``: ``helixc.catalog.corpus_sources``, read when asked).
* ``char_tokenizer(lines)``: BPE over characters (no byte-level mapping), so every glyph is
  one token (or part of a merged multi-character token); vocab ~1k.
* ``bytelevel_tokenizer(lines, vocab_size)``: GPT-2/Qwen-style ByteLevel BPE; glyphs are
  split into bytes unless merges join them. ``<|endoftext|>`` is id 0 (EOS).
* ``pad_vocab(tok, target, rng)``: add plain (non-special) tokens until the vocabulary has
  ``target`` entries (the trainer stops short of 151,646 on a small corpus).
"""

from __future__ import annotations

import random
import string

import helixc
from helixc import catalog
from helixc.plugins import notations as _registered
from helixc.values import Contract, Handle

EOS = "<|endoftext|>"
_WORDS = ["alpha", "beta", "gamma", "delta", "name", "id", "value", "x", "y", "count", "items", "C", "null", "true"]


def __getattr__(name):
    if name == "NOTATIONS":  # the registry of the moment, not of import time
        return catalog.corpus_sources()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _glyph_chars() -> dict[str, str]:
    """Structural characters of the first notation (route order) with glyphs, spelled by the notation
    itself: null, array and map openers, contract field mark, handle sigil ("" each when none has glyphs)."""

    def build():
        for name in catalog.notation_routes():
            n = _registered()[name]
            if n.glyphs:
                return {"null": n.emit(None), "array": n.emit([])[0], "map": n.emit({})[0],
                        "field": (n.order_rules or {}).get("field_mark", ""), "handle": n.emit(Handle("x"))[0]}
        return dict.fromkeys(("null", "array", "map", "field", "handle"), "")

    return catalog._memo("constrain.testing.glyph_chars", build)


def _all_glyphs() -> str:
    """Every registered notation's glyphs (``Notation.glyphs``), route order."""
    return catalog._memo("constrain.testing.glyphs",
                         lambda: "".join(g for name in catalog.notation_routes() for g in _registered()[name].glyphs))


def random_value(rng: random.Random, depth: int = 0):
    k = rng.random()
    if depth < 4 and k < 0.3:
        kind = rng.choice("amc")
        n = rng.randint(0, 4)
        if kind == "a":
            return [random_value(rng, depth + 1) for _ in range(n)]
        if kind == "m":
            keys = set()
            for _ in range(n):
                keys.add(rng.choice(_WORDS) if rng.random() < 0.7 else "".join(rng.choices(string.printable[:94] + "é" + _glyph_chars()["array"], k=rng.randint(0, 5))))
            # sorted: a set's order follows the string hash, which changes per process (PYTHONHASHSEED),
            # and the values are drawn in key order: the corpus must be the same in every run
            return {key: random_value(rng, depth + 1) for key in sorted(keys)}
        idx = sorted(rng.sample(range(0, 12), rng.randint(0, 3)))
        return Contract(rng.randint(0, 200), {i: random_value(rng, depth + 1) for i in idx})
    k = rng.randrange(9)
    if k == 0:
        return None
    if k == 1:
        return rng.random() < 0.5
    if k == 2:
        return rng.choice([rng.randint(-300, 300), rng.randint(-(2**63), 2**63 - 1)])
    if k == 3:
        return rng.choice([round(rng.uniform(-1e3, 1e3), rng.randint(0, 6)), rng.uniform(-1e300, 1e300), 1e-7, 0.0, 1e16])
    if k in (4, 5):
        g = _glyph_chars()
        alphabet = string.ascii_letters + string.digits + " _-.,:\"\\\n\té" + g["null"] + g["array"] + g["map"]
        return "".join(rng.choices(alphabet, k=rng.randint(0, 10)))
    if k == 6:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 6)))
    if k == 7:
        return Handle("".join(rng.choices(string.ascii_letters + string.digits + "_", k=rng.randint(1, 8))))
    return rng.choice(_WORDS)


def corpus_lines(n: int = 3000, seed: int = 0, notations=None) -> list[str]:
    notations = notations or catalog.corpus_sources()
    rng = random.Random(seed)
    out = []
    for i in range(n):
        v = random_value(rng)
        out.append(helixc.emit(v, notations[i % len(notations)]))
    return out


def _finish(tok, hf: bool):
    if not hf:
        return tok
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast(tokenizer_object=tok, eos_token=EOS, pad_token=EOS)


def char_tokenizer(lines, vocab_size: int = 1000, hf: bool = False):
    from tokenizers import Tokenizer, models, trainers

    alphabet = sorted(set("".join(lines)) | set(string.printable) | set(_all_glyphs() + "é"))
    tok = Tokenizer(models.BPE())
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[EOS], initial_alphabet=alphabet,
                                  min_frequency=2, show_progress=False, max_token_length=8)
    tok.train_from_iterator(lines, trainer=trainer)
    return _finish(tok, hf)


def bytelevel_tokenizer(lines, vocab_size: int = 1500, hf: bool = False, max_token_length: int | None = 16):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[EOS],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), min_frequency=2,
                                  show_progress=False, max_token_length=max_token_length)
    tok.train_from_iterator(lines, trainer=trainer)
    return _finish(tok, hf)


def pad_vocab(tok, target: int, seed: int = 0) -> int:
    """Add random plain tokens (pseudo-words, notation fragments, numbers) up to ``target``."""
    from tokenizers import AddedToken

    rng = random.Random(seed)
    have = set(tok.get_vocab(with_added_tokens=True))
    need = target - tok.get_vocab_size(with_added_tokens=True)
    g = _glyph_chars()
    pieces = ["", " ", '"', ", ", ": ", g["array"], g["map"], g["field"], "{", "[", "@", "#", g["handle"], "_"]
    new = []
    while len(new) < need:
        r = rng.random()
        if r < 0.5:
            w = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9)))
        elif r < 0.7:
            w = str(rng.randint(0, 10**rng.randint(2, 9)))
        elif r < 0.85:
            w = "".join(rng.choices(string.ascii_letters + string.digits + "_", k=rng.randint(2, 8)))
        else:
            w = rng.choice(pieces) + "".join(rng.choices(string.ascii_lowercase + "0123456789", k=rng.randint(1, 6)))
        w = rng.choice(["", " ", "", "_"]) + w
        if w and w not in have:
            have.add(w)
            new.append(w)
    tok.add_tokens([AddedToken(w, normalized=False, special=False) for w in new[:need]])
    return tok.get_vocab_size(with_added_tokens=True)
