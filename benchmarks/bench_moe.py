"""Benchmark of the Helix MoE on the held-out corpus splits (not a test).

    .venv/bin/python benchmarks/bench_moe.py [--models models/default] [--corpus corpora/data/generated]
                                             [--per-route 400] [--latency-n 100] [--out benchmarks/results/moe.json]

Measures, on ``test`` and ``test_novel`` (a fixed random sample of ``--per-route`` rows per
route, seed 0; ``--per-route 0`` = every row):
* specialist exact match per route, neural alone (no compiler correction), with and without the
  grammar constraint, and the grammar-valid rate of each;
* routing accuracy per class and the confusion matrix (coordinator, constrained to the labels), and
  the same for the route the answer is written in (``routing_answered``: the coordinator overruled
  where the request's own words name another notation as the target, as ``answer_batch`` does);
* end-to-end accuracy of ``translate --to auto`` (engine neural: route + specialist, no correction;
  engine auto: with the compiler's verification/correction);
* latency per English request at batch 1 (p50/p95, ``translate_english`` path, engine auto) and
  batched throughput (``MoE.answer`` on 256 requests);
* peak RSS of a process holding the whole MoE vs one holding the base model alone;
* the last training invocation's wall time (from the models' manifest; a resumed run counts only
  itself: the total is in models/default/TRAINING.md).
Prints a table and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def sample_rows(corpus, split, per_route, seed=0):
    from helixc.neural.data import load_rows

    rows = load_rows(corpus, split)
    by = defaultdict(list)
    for r in rows:
        by[r["route"]].append(r)
    out = []
    for route in sorted(by):
        # one generator per route: a route added to the corpus (a plugin notation) leaves the
        # other routes' samples as they were, so before/after figures are on the same rows
        rng = random.Random(f"bench-moe:{seed}:{route}")
        xs = by[route]
        out.extend(xs if not per_route or len(xs) <= per_route else rng.sample(xs, per_route))
    return out


def specialist_eval(moe, rows, constrained):
    from helixc.neural.data import request_text

    texts = [request_text(r) for r in rows]
    t0 = time.perf_counter()
    gens = moe.generate(texts, [r["route"] for r in rows], constrained=constrained)
    dt = time.perf_counter() - t0
    res = defaultdict(lambda: {"n": 0, "exact": 0, "valid": 0, "closed": 0})
    fails = defaultdict(list)
    for r, g, text in zip(rows, gens, texts):
        d = res[r["route"]]
        d["n"] += 1
        d["valid"] += bool(g.grammar_valid)
        d["closed"] += bool(g.closed)
        ok = g.output == r["output"]
        d["exact"] += ok
        if not ok and len(fails[r["route"]]) < 5:
            fails[r["route"]].append({"request": text, "expected": r["output"],
                                      "got": g.output, "model_text": g.text})
    out = {k: {"n": v["n"], "exact_match": v["exact"] / v["n"], "grammar_valid": v["valid"] / v["n"],
              "closed_at_budget": v["closed"]} for k, v in res.items()}
    return out, dict(fails), dt


def routing_eval(moe, rows):
    """The coordinator's routing alone (``routing``) and the route the answer is written in
    (``routing_answered``: the coordinator, overruled where the request's words name another notation
    as the target, exactly as ``answer_batch`` does)."""
    from helixc.neural.answering import overrule_route
    from helixc.neural.data import request_text

    texts = [request_text(r) for r in rows]
    pred = moe.route(texts)
    have = set(moe.routes())
    answered = [overrule_route(t, p, have) for t, p in zip(texts, pred)]
    return _routing_table(rows, pred), _routing_table(rows, answered)


def _routing_table(rows, pred):
    conf = defaultdict(Counter)
    for r, p in zip(rows, pred):
        conf[r["route"]][p] += 1
    per = {k: {"n": sum(c.values()), "accuracy": c[k] / sum(c.values())} for k, c in conf.items()}
    overall = sum(c[k] for k, c in conf.items()) / len(rows)
    return {"overall": overall, "per_class": per, "confusion": {k: dict(c) for k, c in conf.items()}}


def e2e_eval(moe, rows, engine):
    from helixc.engine import TranslateRequest

    reqs = [TranslateRequest(r["input"].removeprefix("### Instruction:\n").removesuffix("\n\n### Response:\n"),
                             to="auto", engine=engine) for r in rows]
    res = []
    for s in range(0, len(reqs), 64):
        res.extend(moe.answer(reqs[s: s + 64]))
    ok = sum(x.output == r["output"] for x, r in zip(res, rows))
    verified = Counter(str(x.verified) for x in res)
    corrected = sum(bool(x.extra.get("corrected")) for x in res)
    return {"n": len(rows), "accuracy": ok / len(rows), "verified": dict(verified), "corrected": corrected}


def latency(moe, rows, n):
    from helixc.engine import TranslateRequest
    from helixc.neural.service import answer_batch

    rng = random.Random(1)
    pick = rng.sample(rows, min(n, len(rows)))
    texts = [r["input"].removeprefix("### Instruction:\n").removesuffix("\n\n### Response:\n") for r in pick]
    answer_batch(moe, [TranslateRequest(texts[0])])  # warm-up
    ts = []
    for t in texts:
        t0 = time.perf_counter()
        answer_batch(moe, [TranslateRequest(t, to="auto", engine="auto")])
        ts.append((time.perf_counter() - t0) * 1000)
    ts.sort()
    reqs = [TranslateRequest(texts[i % len(texts)], to="auto", engine="auto") for i in range(256)]
    t0 = time.perf_counter()
    moe.answer(reqs)
    dt = time.perf_counter() - t0
    return {"n": len(ts), "p50_ms": statistics.median(ts), "p95_ms": ts[int(0.95 * (len(ts) - 1))],
            "mean_ms": statistics.mean(ts), "batched_256_s": dt, "batched_req_per_s": 256 / dt,
            "single_req_per_s": 1000 / statistics.mean(ts)}


RSS_CHILD = r"""
import json, resource, sys, torch
mode, models = sys.argv[1], sys.argv[2]
from helixc.engine import TranslateRequest
if mode == "base":
    from transformers import AutoModelForCausalLM
    from helixc.neural.tokenizer import load_tokenizer
    torch.set_num_threads(1)
    m = AutoModelForCausalLM.from_pretrained(models + "/base", dtype=torch.float32).eval()
    tok = load_tokenizer(models + "/base")
    from helixc.neural.decode import greedy_decode
    greedy_decode(m, tok, ["lc-r|Convert [1, 2] to LC-R\n=>"] * 8, max_new_tokens=16)
    import peft  # same libraries imported in both processes
else:
    from helixc.neural.moe import MoE
    moe = MoE(models)
    moe.answer([TranslateRequest("Convert [1, 2] to LC-R")] * 8 + [TranslateRequest("What is LC-B?")])
print(json.dumps({"maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def rss(models):
    out = {}
    for mode in ("base", "moe"):
        p = subprocess.run([sys.executable, "-c", RSS_CHILD, mode, str(models)], capture_output=True, text=True,
                           cwd=str(ROOT), timeout=600)
        if p.returncode != 0:
            out[mode] = {"error": p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "failed"}
            continue
        out[mode] = json.loads(p.stdout.strip().splitlines()[-1])
    if "maxrss_mb" in out.get("base", {}) and "maxrss_mb" in out.get("moe", {}):
        out["ratio"] = out["moe"]["maxrss_mb"] / out["base"]["maxrss_mb"]
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default=str(ROOT / "models" / "default"))
    ap.add_argument("--corpus", default=str(ROOT / "corpora" / "data" / "generated"))
    ap.add_argument("--per-route", type=int, default=400)
    ap.add_argument("--latency-n", type=int, default=100)
    ap.add_argument("--splits", nargs="+", default=["test", "test_novel"])
    ap.add_argument("--no-unconstrained", action="store_true")
    ap.add_argument("--no-rss", action="store_true")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "moe.json"))
    a = ap.parse_args(argv)

    from helixc.neural.moe import MoE

    t0 = time.perf_counter()
    moe = MoE(a.models)
    result = {"command": "benchmarks/bench_moe.py " + " ".join(argv if argv is not None else sys.argv[1:]),
              "models": a.models, "load_s": time.perf_counter() - t0, "threads": int(os.environ.get("HELIXC_TORCH_THREADS", "1")),
              "base_params": moe.base_params, "splits": {}}
    man = moe.manifest.get("training", {})
    result["training"] = {"command": man.get("command"), "elapsed_s": man.get("elapsed_s"),
                          "stages": [{k: s.get(k) for k in ("stage", "steps", "stopped", "elapsed_s", "best")}
                                     for s in man.get("stages", [])]}
    for split in a.splits:
        rows = sample_rows(a.corpus, split, a.per_route)
        d = {"rows": len(rows)}
        d["specialists_constrained"], d["failures"], d["gen_s_constrained"] = specialist_eval(moe, rows, True)
        if not a.no_unconstrained:
            d["specialists_unconstrained"], _, d["gen_s_unconstrained"] = specialist_eval(moe, rows, False)
        d["routing"], d["routing_answered"] = routing_eval(moe, rows)
        d["e2e_neural"] = e2e_eval(moe, rows, "neural")
        d["e2e_auto"] = e2e_eval(moe, rows, "auto")
        result["splits"][split] = d
        print(f"[{split}] done", file=sys.stderr)
    result["latency"] = latency(moe, sample_rows(a.corpus, "test", 50), a.latency_n)
    if not a.no_rss:
        result["rss"] = rss(a.models)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(a.out).with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    os.replace(tmp, a.out)
    print_table(result)
    return 0


def print_table(r):
    print(f"models {r['models']}  base params {r['base_params'] / 1e6:.2f}M  load {r['load_s']:.1f}s  threads {r['threads']}")
    for split, d in r["splits"].items():
        print(f"\n== {split} ({d['rows']} rows) ==")
        print(f"{'route':8} {'n':>5} {'EM constr':>10} {'valid':>7} {'EM free':>8} {'valid':>7} {'routing':>8}")
        for route in sorted(d["specialists_constrained"]):
            c = d["specialists_constrained"][route]
            u = d.get("specialists_unconstrained", {}).get(route, {})
            rt = d["routing"]["per_class"].get(route, {}).get("accuracy", float("nan"))
            print(f"{route:8} {c['n']:5d} {c['exact_match']:10.3f} {c['grammar_valid']:7.3f} "
                  f"{u.get('exact_match', float('nan')):8.3f} {u.get('grammar_valid', float('nan')):7.3f} {rt:8.3f}")
        print(f"routing overall {d['routing']['overall']:.3f} (coordinator; as answered, after the request words "
              f"{d['routing_answered']['overall']:.3f})   e2e --to auto: neural {d['e2e_neural']['accuracy']:.3f}, "
              f"auto (compiler-verified) {d['e2e_auto']['accuracy']:.3f} (corrected {d['e2e_auto']['corrected']})")
    lat = r["latency"]
    print(f"\nlatency per English request (batch 1, n={lat['n']}): p50 {lat['p50_ms']:.1f} ms, p95 {lat['p95_ms']:.1f} ms; "
          f"batched 256: {lat['batched_req_per_s']:.1f} req/s vs {lat['single_req_per_s']:.1f} one by one")
    if "rss" in r:
        rs = r["rss"]
        print(f"peak RSS: base {rs.get('base', {}).get('maxrss_mb', float('nan')):.0f} MB, "
              f"MoE {rs.get('moe', {}).get('maxrss_mb', float('nan')):.0f} MB, ratio {rs.get('ratio', float('nan')):.3f}")
    t = r.get("training", {})
    if t.get("elapsed_s"):
        print(f"last training invocation: {t['elapsed_s'] / 60:.1f} min  ({t['command']})")


if __name__ == "__main__":
    sys.exit(main())
