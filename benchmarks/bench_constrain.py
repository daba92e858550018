"""Benchmark: per-token mask latency and build time of the grammar constraint (issue 3).

    nice -n 10 .venv/bin/python benchmarks/bench_constrain.py [--docs 150] [--skip-big]

For each notation grammar, at a small byte-level BPE (1,500 tokens) and at a 151,646-token
byte-level BPE (Qwen3's vocabulary size), both trained here on generated text, this backend
("lark") and llguidance side by side:

* build: first (nothing cached: Lark + automata + token table; lazily computed vocabulary
  tables come later) and cached (a new process-equivalent: in-memory cache dropped, tables
  read from disk). For llguidance, "first" = LLTokenizer + matcher, "cached" = matcher only.
* mask latency (``state.mask()``, a numpy bool array over the vocabulary, for both backends;
  llguidance's raw bitmask fill is reported too), at every step of the tokenization of
  random documents (plus the final EOS step), in two passes over *different* documents:
  "cold" (first documents this process sees; includes the lazy table building) and "warm"
  (after the cold pass), then "reload": a third document set on a constraint rebuilt from the
  disk cache (what the next process sees: lazily built tables on disk, in-memory mask caches
  empty). Every true token is checked to be allowed.

Writes benchmarks/results/constrain.json and prints a table.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import helixc  # noqa: E402
from helixc.constrain import GrammarConstraint  # noqa: E402
from helixc.constrain import core  # noqa: E402
from helixc.constrain import llg as llg_mod  # noqa: E402
from helixc.constrain import testing as T  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "constrain.json"


def pct(xs):
    a = np.asarray(xs, dtype=float) / 1000.0  # ns -> us
    if not len(a):
        return {}
    return {"n": int(len(a)), "p50": round(float(np.percentile(a, 50)), 1), "p90": round(float(np.percentile(a, 90)), 1),
            "p99": round(float(np.percentile(a, 99)), 1), "max": round(float(a.max()), 1), "mean": round(float(a.mean()), 1)}


def docs_for(name, seed, n):
    rng = random.Random(seed)
    return [helixc.emit(T.random_value(rng), name) for _ in range(n)]


def measure(c, tok_ids, docs, raw=False):
    eos = c.eos_token_ids[0]
    mask_ns, adv_ns, raw_ns = [], [], []
    gc.disable()
    try:
        for text in docs:
            s = c.start()
            for t in tok_ids(text) + [eos]:
                if raw:
                    t0 = time.perf_counter_ns()
                    s.bitmask()
                    raw_ns.append(time.perf_counter_ns() - t0)
                t0 = time.perf_counter_ns()
                m = s.mask()
                t1 = time.perf_counter_ns()
                if not m[t]:
                    raise AssertionError(f"{c.backend}: true token {t} masked after {s.text()!r}")
                s.advance(t)
                adv_ns.append(time.perf_counter_ns() - t1)
                mask_ns.append(t1 - t0)
    finally:
        gc.enable()
    out = {"mask_us": pct(mask_ns), "advance_us": pct(adv_ns)}
    if raw:
        out["raw_bitmask_us"] = pct(raw_ns)
    return out


def bench_vocab(label, tok, n_docs, rows, notations):
    hf_like = hasattr(tok, "eos_token_id")

    def ids(text):
        return tok.encode(text, add_special_tokens=False) if hf_like else tok.encode(text).ids

    V = tok.get_vocab_size(with_added_tokens=True) if not hf_like else len(tok)
    # llguidance tokenizer: once per tokenizer
    t0 = time.perf_counter()
    llg_first = None
    try:
        llg_mod._TOK_CACHE.clear()
        GrammarConstraint(helixc.get_notation("lc-b").grammar, tok, backend="llguidance", eos_token_id=0)
        llg_tok_s = time.perf_counter() - t0
    except Exception as e:  # pragma: no cover
        llg_tok_s = None
        llg_first = str(e)
    for name in notations:
        grammar = helixc.get_notation(name).grammar
        cold_docs = docs_for(name, 424242, n_docs)
        warm_docs = docs_for(name, 737373, n_docs)
        # ---- ours
        core._MEM.clear()
        t0 = time.perf_counter()
        c = GrammarConstraint(grammar, tok, eos_token_id=0)
        first = time.perf_counter() - t0
        cold = measure(c, ids, cold_docs)
        warm = measure(c, ids, warm_docs)
        c.save_cache()
        core._MEM.clear()
        t0 = time.perf_counter()
        c2 = GrammarConstraint(grammar, tok, eos_token_id=0)
        cached = time.perf_counter() - t0
        assert c2.built_from == "disk", c2.built_from
        t0 = time.perf_counter()
        c2.start().mask()
        first_mask_after_cached = time.perf_counter() - t0
        reload = measure(c2, ids, docs_for(name, 919191, n_docs))
        rows.append({"vocab": label, "V": V, "notation": name, "backend": "lark", "build_first_s": round(first, 3),
                     "build_cached_s": round(cached, 4), "first_mask_after_cached_build_s": round(first_mask_after_cached, 4),
                     "cold": cold, "warm": warm, "reload": reload})
        print_row(rows[-1])
        # ---- llguidance
        if llg_tok_s is None:
            rows.append({"vocab": label, "V": V, "notation": name, "backend": "llguidance", "error": llg_first})
            continue
        try:
            t0 = time.perf_counter()
            lc = GrammarConstraint(grammar, tok, backend="llguidance", eos_token_id=0)
            lc.start()
            compile_s = time.perf_counter() - t0
            lcold = measure(lc, ids, cold_docs, raw=True)
            lwarm = measure(lc, ids, warm_docs, raw=True)
            lreload = measure(lc, ids, docs_for(name, 919191, n_docs), raw=True)
            rows.append({"vocab": label, "V": V, "notation": name, "backend": "llguidance",
                         "build_first_s": round(llg_tok_s + compile_s, 3), "build_cached_s": round(compile_s, 4),
                         "tokenizer_setup_s": round(llg_tok_s, 3), "cold": lcold, "warm": lwarm,
                         "reload": lreload})
        except Exception as e:
            rows.append({"vocab": label, "V": V, "notation": name, "backend": "llguidance", "error": str(e)[:200]})
        print_row(rows[-1])


HDR = (f"{'vocab':>8} {'notation':>8} {'backend':>10} | {'build1 s':>8} {'cached ms':>9} | "
       f"{'cold p50':>8} {'p99':>8} {'max':>8} | {'warm p50':>8} {'p90':>7} {'p99':>7} {'max':>8} {'mean':>6} | "
       f"{'reload p50':>10} {'p99':>7} | {'steps':>5}")


def print_row(r):
    if "error" in r:
        print(f"{r['V']:>8} {r['notation']:>8} {r['backend']:>10} | error: {r['error'][:80]}", flush=True)
        return
    c, w = r["cold"]["mask_us"], r["warm"]["mask_us"]
    print(f"{r['V']:>8} {r['notation']:>8} {r['backend']:>10} | {r['build_first_s']:>8.3f} {r['build_cached_s'] * 1000:>9.1f} | "
          f"{c['p50']:>8.1f} {c['p99']:>8.1f} {c['max']:>8.0f} | {w['p50']:>8.1f} {w['p90']:>7.1f} {w['p99']:>7.1f} "
          f"{w['max']:>8.0f} {w['mean']:>6.1f} | {r['reload']['mask_us']['p50']:>10.1f} {r['reload']['mask_us']['p99']:>7.1f} | "
          f"{w['n']:>5}", flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=150)
    ap.add_argument("--skip-big", action="store_true")
    ap.add_argument("--notations", default=",".join(T.NOTATIONS))
    args = ap.parse_args(argv)
    notations = args.notations.split(",")
    tmp = Path(tempfile.mkdtemp(prefix="hxc-bench-"))
    os.environ["HELIXC_CACHE_DIR"] = str(tmp)  # fresh constraint cache: "first" builds are real
    rows: list = []
    meta = {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
            "docs_per_pass": args.docs, "note": "shared 2-core VM; run under nice -n 10 next to other jobs"}
    try:
        import llguidance

        meta["llguidance"] = llguidance.__version__
    except Exception:
        pass
    print(HDR)
    small = T.bytelevel_tokenizer(T.corpus_lines(3000, seed=0), 1500)
    bench_vocab("small", small, args.docs, rows, notations)
    if not args.skip_big:
        from _bigtok import big_tokenizer

        big_cache = Path.home() / ".cache" / "helixc" / "bench_tok151k.json"
        t0 = time.perf_counter()
        big, info = big_tokenizer(big_cache)
        info["load_or_train_s"] = round(time.perf_counter() - t0, 1)
        meta["big_tokenizer"] = info
        bench_vocab("151k", big, args.docs, rows, notations)
    shutil.rmtree(tmp, ignore_errors=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
