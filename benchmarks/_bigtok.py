"""Build (or load) the locally trained 151,646-token byte-level BPE used by bench_constrain."""
from __future__ import annotations

import json
import os
import random
import string
import time
from pathlib import Path

from helixc.constrain import testing as T

TARGET = 151_646


def _pseudo_lines(rng, n):
    syll = [a + b for a in "bcdfghjklmnprstvwz" for b in "aeiou"] + ["th", "ch", "sh", "qu", "ng", "st"]
    out = []
    for _ in range(n):
        words = []
        for _ in range(rng.randint(4, 14)):
            r = rng.random()
            if r < 0.55:
                w = "".join(rng.choices(syll, k=rng.randint(1, 5)))
            elif r < 0.7:
                w = str(rng.randint(0, 10 ** rng.randint(1, 12)))
            elif r < 0.85:
                w = "".join(rng.choices(string.ascii_letters + string.digits + "_", k=rng.randint(2, 12)))
            else:
                w = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 10))).capitalize()
            words.append(w)
        out.append(" ".join(words))
    return out


def big_tokenizer(cache: Path | None = None):
    from tokenizers import Tokenizer

    cache = cache or Path(os.environ.get("HELIXC_CACHE_DIR", Path.home() / ".cache" / "helixc")) / "bench_tok151k.json"
    info_path = cache.with_suffix(".info.json")
    if cache.exists():
        info = json.loads(info_path.read_text()) if info_path.exists() else {}
        info["loaded_from"] = str(cache)
        return Tokenizer.from_file(str(cache)), info
    t0 = time.time()
    rng = random.Random(12345)
    lines = T.corpus_lines(30000, seed=101) + _pseudo_lines(rng, 120000)
    rng.shuffle(lines)
    size = sum(len(x) for x in lines)
    tok = T.bytelevel_tokenizer(lines, TARGET, max_token_length=24)
    trained = tok.get_vocab_size(with_added_tokens=True)
    final = T.pad_vocab(tok, TARGET, seed=5) if trained < TARGET else trained
    info = {"corpus_chars": size, "trained_vocab": trained, "padded_with_added_tokens": final - trained,
            "vocab": final, "train_s": round(time.time() - t0, 1)}
    cache.parent.mkdir(parents=True, exist_ok=True)
    tok.save(str(cache))
    info["how"] = ("tokenizers BpeTrainer, ByteLevel(add_prefix_space=False) pre-tokenizer/decoder, full byte alphabet, "
                   "min_frequency=2, max_token_length=24, on 30k generated notation documents + 120k lines of "
                   "pseudo-words/numbers/identifiers; padded with plain added tokens only if the trainer stops short")
    info_path.write_text(json.dumps(info))
    return tok, info


if __name__ == "__main__":
    tok, info = big_tokenizer()
    print(tok.get_vocab_size(with_added_tokens=True), info)
