"""Codec throughput of the four notations beside json.dumps / json.loads, and CLI start-up.

    .venv/bin/python benchmarks/bench_codec.py            # prints a table, writes benchmarks/results/codec.json
    .venv/bin/python benchmarks/bench_codec.py --quick    # fewer repeats

The data are fixed and seeded (random.Random(SEED)), JSON-able (null, bool, int, float, text,
array, map) so json encodes exactly the same values. Every timing is the median of several
repeats of a loop over the whole data set (CPU time, GC off, as timeit), json measured in the
same rounds on the same machine: on a shared machine the ratios are steadier than the times.
"encode" is value -> canonical text (LC-B: value -> bytes); "decode" is text -> value
(LC-B: bytes -> value) with the fast parsers that `helixc translate` uses.

Issue 2 targets: LC-B encode <= 2x json.dumps and decode <= 3x json.loads; HLXL/LC-T/LC-R
decode <= 10x json.loads; `helixc translate --to lc-r` on a small input <= 150 ms, without
importing torch or transformers. The script reports; it asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import resource
import statistics
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import helixc
from helixc.values import same

SEED = 20260
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "codec.json"
NOTATIONS = ("hlxl", "lc-t", "lc-r", "lc-b")
TARGETS = {("lc-b", "encode"): 2.0, ("lc-b", "decode"): 3.0,
           ("hlxl", "decode"): 10.0, ("lc-t", "decode"): 10.0, ("lc-r", "decode"): 10.0}


# --------------------------------------------------------------------------- data


def _word(rng: random.Random, lo=3, hi=10) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(lo, hi)))


def _text(rng: random.Random) -> str:
    words = [_word(rng) for _ in range(rng.randint(1, 8))]
    if rng.random() < 0.2:
        words.append(rng.choice(["café", "naïve", "日本語", "\U0001f600", 'say "hi"', "tab\there", "line\nbreak"]))
    return " ".join(words)


def _scalar(rng: random.Random):
    r = rng.random()
    if r < 0.05:
        return None
    if r < 0.12:
        return rng.random() < 0.5
    if r < 0.45:
        return rng.choice([rng.randint(0, 100), rng.randint(-10**6, 10**6), rng.randint(-(2**63), 2**63 - 1)])
    if r < 0.6:
        return rng.choice([round(rng.uniform(-1000, 1000), 2), rng.random(), rng.uniform(-1e20, 1e20)])
    return _text(rng)


def _record(rng: random.Random, depth: int = 0):
    """A JSON-ish document node: a map of scalars, nested maps and arrays."""
    out = {}
    for _ in range(rng.randint(3, 8)):
        key = rng.choice([_word(rng, 2, 8), _word(rng, 2, 8) + "_id", "name", "id", "tags", "value"])
        r = rng.random()
        if r < 0.15 and depth < 4:
            out[key] = _record(rng, depth + 1)
        elif r < 0.3 and depth < 4:
            out[key] = [_scalar(rng) if rng.random() < 0.7 else _record(rng, depth + 1) for _ in range(rng.randint(0, 6))]
        else:
            out[key] = _scalar(rng)
    return out


def datasets() -> dict[str, list]:
    rng = random.Random(SEED)
    small = [_record(rng, 2) for _ in range(2000)]  # many small documents (a few hundred bytes each)
    large = [[_record(rng) for _ in range(2500)]]  # one large document (about 1 MB of JSON)
    numeric = [[rng.randint(-(2**40), 2**40) if i % 2 else rng.uniform(-1e6, 1e6) for i in range(50_000)]]
    return {"small docs (2000)": small, "large doc": large, "numeric array": numeric}


# --------------------------------------------------------------------------- timing


def _once(fn, items) -> float:
    t0 = time.process_time()
    for x in items:
        fn(x)
    return time.process_time() - t0


def bench_data(name: str, docs: list, repeat: int) -> list[dict]:
    """Median CPU time per (notation, op) over ``repeat`` rounds; each round runs json and every
    notation in turn, so machine noise hits all of them alike. GC is off while timing (as timeit)."""
    checked = [helixc.check(d) for d in docs]
    json_texts = [json.dumps(d, ensure_ascii=False) for d in docs]
    json_bytes = sum(len(t.encode("utf-8")) for t in json_texts)
    # json.dumps / json.loads as people call them (defaults)
    jobs = {("json", "encode"): (json.dumps, docs, json_bytes), ("json", "decode"): (json.loads, json_texts, json_bytes)}
    for n in NOTATIONS:
        notation = helixc.get_notation(n)
        enc, dec = (notation.encode, notation.decode) if n == "lc-b" else (notation.emit, notation.parse)
        encoded = [enc(d) for d in docs]
        size = sum(len(e) if isinstance(e, bytes) else len(e.encode("utf-8")) for e in encoded)
        assert all(same(dec(e), c) for e, c in zip(encoded, checked)), n  # correctness before speed
        jobs[(n, "encode")] = (enc, docs, size)
        jobs[(n, "decode")] = (dec, encoded, size)
    times: dict = {k: [] for k in jobs}
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeat):
            for k, (fn, items, _) in jobs.items():
                times[k].append(_once(fn, items))
    finally:
        gc.enable()
    rows = []
    for (n, op), (_, _, size) in jobs.items():
        t = statistics.median(times[(n, op)])
        r = {"data": name, "notation": n, "op": op, "seconds": t, "bytes": size, "MB_per_s": size / t / 1e6}
        if n != "json":
            r["ratio_to_json"] = t / statistics.median(times[("json", op)])
            target = TARGETS.get((n, op))
            if target is not None:
                r["target_ratio"] = target
                r["meets_target"] = r["ratio_to_json"] <= target
        rows.append(r)
    rows.sort(key=lambda r: (r["op"], r["notation"] != "json"))
    return rows


# --------------------------------------------------------------------------- CLI


def _run_timed(cmd, env) -> tuple[float, float]:
    """(wall seconds, CPU seconds user+sys) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, capture_output=True, env=env, check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def bench_cli(runs: int) -> dict:
    """`helixc translate --to lc-r` as a user runs it: the console script, bytecode cache on.

    This sandbox sets PYTHONDONTWRITEBYTECODE=1, which makes every start recompile helixc
    from source (~150 ms); a normal install caches bytecode. The runs here drop that variable
    and keep the cache in a temporary PYTHONPYCACHEPREFIX (one warm-up run fills it), so the
    repository gets no __pycache__. Wall time on a shared 2-core machine is noisy: CPU time
    (user+sys of the child) is reported beside it.
    """
    exe = Path(sys.executable).with_name("helixc")
    cmd = [str(exe), "translate", "--to", "lc-r", "--text", "{14: {@0: [1, 2, 3], @1: &h_docs}}"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONIOENCODING="utf-8", PYTHONPYCACHEPREFIX=tempfile.mkdtemp(prefix="helixc-pycache-"))
    out = subprocess.run(cmd, capture_output=True, text=True, env=env).stdout.strip()  # warm-up: fills the cache
    runs_ = [_run_timed(cmd, env) for _ in range(runs)]
    base = [_run_timed([sys.executable, "-c", "pass"], env) for _ in range(runs)]
    no_cache = [_run_timed(cmd, dict(env, PYTHONDONTWRITEBYTECODE="1", PYTHONPYCACHEPREFIX=tempfile.mkdtemp())) for _ in range(3)]
    probe = (
        "import sys\n"
        "from helixc.cli import cli\n"
        "try:\n"
        "    cli(['translate', '--to', 'lc-r', '--text', '[1, 2, 3]'], standalone_mode=False)\n"
        "finally:\n"
        "    heavy = sorted(m for m in ('torch', 'transformers', 'numpy', 'lark') if m in sys.modules)\n"
        "    print('HEAVY=' + ','.join(heavy))\n"
    )
    p = subprocess.run([sys.executable, "-X", "importtime", "-c", probe], capture_output=True, text=True, env=env)
    heavy = [m for m in p.stdout.rsplit("HEAVY=", 1)[-1].strip().split(",") if m]
    wall = [w for w, _ in runs_]
    cpu = [c for _, c in runs_]
    return {
        "command": " ".join(cmd[1:]),
        "output": out,
        "runs": runs,
        "median_ms": statistics.median(wall) * 1000,
        "min_ms": min(wall) * 1000,
        "cpu_median_ms": statistics.median(cpu) * 1000,
        "python_startup_median_ms": statistics.median(w for w, _ in base) * 1000,
        "python_startup_cpu_median_ms": statistics.median(c for _, c in base) * 1000,
        "no_bytecode_cache_median_ms": statistics.median(w for w, _ in no_cache) * 1000,
        "target_ms": 150,
        "meets_target": statistics.median(wall) * 1000 <= 150,
        "imported_after_translate": heavy,
        "torch_or_transformers_imported": any(m in heavy for m in ("torch", "transformers")),
    }


# --------------------------------------------------------------------------- report


def table(rows: list[dict]) -> str:
    head = f"| {'data':18} | {'notation':8} | {'op':6} | {'ms':>9} | {'MB/s':>7} | {'x json':>6} | target |"
    lines = [head, "|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|"]
    for r in rows:
        ratio = f"{r['ratio_to_json']:.2f}" if "ratio_to_json" in r else "1.00"
        target = ("ok" if r["meets_target"] else "MISS") + f" <={r['target_ratio']:g}x" if "target_ratio" in r else ""
        lines.append(f"| {r['data']:18} | {r['notation']:8} | {r['op']:6} | {r['seconds'] * 1000:9.2f} | {r['MB_per_s']:7.2f} | {ratio:>6} | {target:6} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--no-cli", action="store_true")
    args = ap.parse_args(argv)
    repeat = 3 if args.quick else 7
    rows = []
    for name, docs in datasets().items():
        rows.extend(bench_data(name, docs, repeat))
    print(table(rows))
    cli = None if args.no_cli else bench_cli(5 if args.quick else 11)
    if cli:
        print(f"\n`helixc {cli['command']}` ({cli['runs']} runs, bytecode cache on): median {cli['median_ms']:.0f} ms wall "
              f"(min {cli['min_ms']:.0f}), {cli['cpu_median_ms']:.0f} ms CPU; bare `python -c pass`: "
              f"{cli['python_startup_median_ms']:.0f} ms wall, {cli['python_startup_cpu_median_ms']:.0f} ms CPU; "
              f"without a bytecode cache: {cli['no_bytecode_cache_median_ms']:.0f} ms. Target <= 150 ms: "
              f"{'ok' if cli['meets_target'] else 'MISS'}")
        print(f"imported by a translate: {', '.join(cli['imported_after_translate']) or 'none of torch/transformers/numpy/lark'}; "
              f"torch/transformers imported: {cli['torch_or_transformers_imported']}")
    result = {
        "seed": SEED, "repeat": repeat, "python": sys.version.split()[0], "platform": platform.platform(),
        "cpu_count": os.cpu_count(), "rows": rows, "cli": cli,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
