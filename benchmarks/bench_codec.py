"""Codec throughput of the four notations beside json.dumps / json.loads, and CLI start-up.

    .venv/bin/python benchmarks/bench_codec.py            # prints a table, writes benchmarks/results/codec.json
    .venv/bin/python benchmarks/bench_codec.py --quick    # fewer repeats

The data are fixed and seeded (random.Random(SEED)), JSON-able (null, bool, int, float, text,
array, map) so json encodes exactly the same values. Every timing is the median of several
repeats of a loop over the whole data set, json measured in the same run on the same machine.
"encode" is value -> canonical text (LC-B: value -> bytes); "decode" is text -> value
(LC-B: bytes -> value) with the fast parsers that `helixc translate` uses.

Issue 2 targets: LC-B encode <= 2x json.dumps and decode <= 3x json.loads; HLXL/LC-T/LC-R
decode <= 10x json.loads; `helixc translate --to lc-r` on a small input <= 150 ms, without
importing torch or transformers. The script reports; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import string
import subprocess
import sys
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


def _median_time(fn, docs, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for d in docs:
            fn(d)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_data(name: str, docs: list, repeat: int) -> list[dict]:
    checked = [helixc.check(d) for d in docs]
    json_texts = [json.dumps(d, ensure_ascii=False) for d in docs]
    json_bytes = sum(len(t.encode("utf-8")) for t in json_texts)
    # json.dumps / json.loads with their defaults (ensure_ascii=True), as people call them
    t_dumps = _median_time(json.dumps, docs, repeat)
    t_loads = _median_time(json.loads, json_texts, repeat)
    rows = [{"data": name, "notation": "json", "op": "encode", "seconds": t_dumps, "bytes": json_bytes},
            {"data": name, "notation": "json", "op": "decode", "seconds": t_loads, "bytes": json_bytes}]
    for n in NOTATIONS:
        notation = helixc.get_notation(n)
        if n == "lc-b":
            enc, dec = notation.encode, notation.decode
        else:
            enc, dec = notation.emit, notation.parse
        encoded = [enc(d) for d in docs]
        size = sum(len(e) if isinstance(e, bytes) else len(e.encode("utf-8")) for e in encoded)
        assert all(same(dec(e), c) for e, c in zip(encoded, checked)), n  # correctness before speed
        t_enc = _median_time(enc, docs, repeat)
        t_dec = _median_time(dec, encoded, repeat)
        rows.append({"data": name, "notation": n, "op": "encode", "seconds": t_enc, "bytes": size, "ratio_to_json": t_enc / t_dumps})
        rows.append({"data": name, "notation": n, "op": "decode", "seconds": t_dec, "bytes": size, "ratio_to_json": t_dec / t_loads})
    for r in rows:
        r["MB_per_s"] = r["bytes"] / r["seconds"] / 1e6
        target = TARGETS.get((r["notation"], r["op"]))
        if target is not None:
            r["target_ratio"] = target
            r["meets_target"] = r["ratio_to_json"] <= target
    return rows


# --------------------------------------------------------------------------- CLI


def bench_cli(runs: int) -> dict:
    exe = Path(sys.executable).with_name("helixc")
    cmd = [str(exe), "translate", "--to", "lc-r", "--text", "{14: {@0: [1, 2, 3], @1: &h_docs}}"]
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    out = subprocess.run(cmd, capture_output=True, text=True, env=env).stdout.strip()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, env=env, check=True)
        times.append(time.perf_counter() - t0)
    base = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], capture_output=True, check=True)
        base.append(time.perf_counter() - t0)
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
    cumulative = {}
    for line in p.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[2].strip() in ("helixc", "helixc.cli", "click", "pluggy", "lark", "helixc_plugins.lc_b"):
            cumulative[parts[2].strip()] = int(parts[1]) / 1000
    return {
        "command": " ".join(cmd[1:]),
        "output": out,
        "median_ms": statistics.median(times) * 1000,
        "min_ms": min(times) * 1000,
        "python_startup_median_ms": statistics.median(base) * 1000,
        "runs": runs,
        "target_ms": 150,
        "meets_target": statistics.median(times) * 1000 <= 150,
        "imported_after_translate": heavy,
        "torch_or_transformers_imported": any(m in heavy for m in ("torch", "transformers")),
        "import_cumulative_ms": cumulative,
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
        print(f"\n`helixc {cli['command']}`: median {cli['median_ms']:.0f} ms over {cli['runs']} runs "
              f"(min {cli['min_ms']:.0f} ms; bare `python -c pass` {cli['python_startup_median_ms']:.0f} ms); "
              f"target <= 150 ms: {'ok' if cli['meets_target'] else 'MISS'}")
        print(f"modules loaded by a translate: {cli['imported_after_translate'] or 'none of torch/transformers/numpy/lark'}; "
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
