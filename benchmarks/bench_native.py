"""LC-B (native core) side by side with json, cbor2 and msgpack, per data set and operation.

    .venv/bin/python benchmarks/bench_native.py            # prints the table, writes benchmarks/results/native.json
    .venv/bin/python benchmarks/bench_native.py --quick    # fewer rounds (a smoke run)

Issue 17 item 1's targets: LC-B decode <= 1.0x json.loads, encode <= 1.0x json.dumps on every
data set, and within 1.5x of msgpack. ``lc-b`` is the notation object as callers get it
(``helixc.get_notation("lc-b").encode/.decode``: the registry's wrapper, the input-size guard,
then the core), as bench_codec.py times it; ``helixc api`` is ``helixc.encode/decode`` (the public
functions: a name lookup, the guard, the core); ``lc-b core`` is the compiled function alone and
``lc-b python`` the pure-Python fast path (what runs without a compiler, HELIXC_NO_NATIVE=1).
json is json.dumps/json.loads with defaults (text), cbor2.dumps/loads and msgpack.packb/unpackb
with defaults (bytes).

Data (seeded): "small record" (bench_api.py's 200 service records, one call per record), "small
docs" and "large doc" and "numeric array" (bench_codec.py's), "1000 ints" (50 lists of 1,000
ints), "200 contracts" (20 lists of 200 contracts of 5 fields). json, cbor2 and msgpack have no
contract: they get each one as ``[id, {"0": field0, "1": field1, ...}]`` (str keys, as json
needs), the same information. Every timing is the median over interleaved rounds of the CPU
time of a loop over the data set (GC off, as timeit); every codec's round trip is checked first.
The script reports; it asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import string
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import helixc  # noqa: E402
from helixc import Contract  # noqa: E402
from helixc.values import same  # noqa: E402
from helixc_plugins import lc_b  # noqa: E402

import bench_api  # noqa: E402
import bench_codec  # noqa: E402

OUT = HERE / "results" / "native.json"
SEED = 17
TARGET_JSON = 1.0
TARGET_MSGPACK = 1.5
MIN_ROUND_S = 0.02  # each measurement loops over its data set until it takes about this long


def _word(rng, lo=3, hi=9):
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(lo, hi)))


def _contracts(rng, n):
    out = []
    for _ in range(n):
        fields = {0: _word(rng), 1: rng.randint(-10**6, 10**6), 2: round(rng.uniform(-1000, 1000), 3),
                  3: [rng.randint(0, 1000) for _ in range(rng.randint(0, 4))], 4: rng.random() < 0.5}
        out.append(Contract(rng.randint(1, 5000), fields))
    return out


def _peer_form(v):
    """The value for json/cbor2/msgpack: contracts as [id, {"index": value}]."""
    if type(v) is Contract:
        return [v.id, {str(i): _peer_form(x) for i, x in v.fields.items()}]
    if type(v) is list:
        return [_peer_form(x) for x in v]
    if type(v) is dict:
        return {k: _peer_form(x) for k, x in v.items()}
    return v


def datasets() -> dict[str, list]:
    rng = random.Random(SEED)
    codec = bench_codec.datasets()
    return {
        "small record": bench_api.small_values(200),
        "small docs (2000)": codec["small docs (2000)"],
        "1000 ints": [[rng.randint(-(10**9), 10**9) for _ in range(1000)] for _ in range(50)],
        "numeric array (50k)": codec["numeric array"],
        "200 contracts": [_contracts(rng, 200) for _ in range(20)],
        "large doc": codec["large doc"],
    }


def codecs() -> dict[str, tuple]:
    n = helixc.get_notation("lc-b")
    out = {"json": (json.dumps, json.loads)}
    try:
        import cbor2

        out["cbor2"] = (cbor2.dumps, cbor2.loads)
    except ImportError:
        pass
    try:
        import msgpack

        out["msgpack"] = (msgpack.packb, msgpack.unpackb)
    except ImportError:
        pass
    out["lc-b"] = (n.encode, n.decode)
    out["helixc api"] = (helixc.encode, helixc.decode)
    if lc_b.NATIVE is not None:
        out["lc-b core"] = (lc_b.NATIVE.encode, lc_b.NATIVE.decode)
    out["lc-b python"] = (lc_b.py_fast_encode, lc_b.py_fast_decode)
    return out


def _loop(fn, items, inner) -> float:
    t0 = time.process_time()
    for _ in range(inner):
        for x in items:
            fn(x)
    return time.process_time() - t0


def bench(name: str, docs: list, rounds: int) -> list[dict]:
    peer_docs = [_peer_form(d) for d in docs]
    jobs = {}
    for cname, (enc, dec) in codecs().items():
        ours = cname.startswith("lc-b") or cname == "helixc api"
        values = docs if ours else peer_docs
        encoded = [enc(v) for v in values]
        back = [dec(e) for e in encoded]
        if ours:
            assert all(same(b, helixc.check(v)) for b, v in zip(back, values)), cname
        else:
            assert back == values, cname  # json/cbor2/msgpack give lists for tuples: there are none here
        size = sum(len(e.encode("utf-8")) if isinstance(e, str) else len(e) for e in encoded)
        jobs[(cname, "encode")] = (enc, values, size)
        jobs[(cname, "decode")] = (dec, encoded, size)
    inner = {}
    for k, (fn, items, _) in jobs.items():  # calibrate: loops of about MIN_ROUND_S
        t = max(_loop(fn, items, 1), 1e-6)
        inner[k] = max(1, int(MIN_ROUND_S / t))
    times = {k: [] for k in jobs}
    gc.collect()
    gc.disable()
    try:
        for _ in range(rounds):
            for k, (fn, items, _) in jobs.items():
                times[k].append(_loop(fn, items, inner[k]) / inner[k])
    finally:
        gc.enable()
    rows = []
    for (cname, op), (_, items, size) in jobs.items():
        t = statistics.median(times[(cname, op)])
        r = {"data": name, "codec": cname, "op": op, "seconds": t, "us_per_item": t / len(items) * 1e6,
             "items": len(items), "bytes": size, "MB_per_s": size / t / 1e6}
        for peer in ("json", "msgpack", "cbor2"):
            if (peer, op) in times:
                r[f"x_{peer}"] = t / statistics.median(times[(peer, op)])
        if cname in ("lc-b", "helixc api"):
            r["meets_json_target"] = r["x_json"] <= TARGET_JSON
            if "x_msgpack" in r:
                r["meets_msgpack_target"] = r["x_msgpack"] <= TARGET_MSGPACK
        rows.append(r)
    return rows


CODEC_ORDER = ("json", "cbor2", "msgpack", "lc-b", "helixc api", "lc-b core", "lc-b python")


def table(rows: list[dict]) -> str:
    """One line per (data, op): each codec's time as a ratio to json (and LC-B's to msgpack)."""
    names = [c for c in CODEC_ORDER if any(r["codec"] == c for r in rows)]
    head = ("| data | op | json µs | " + " | ".join(f"{c} x json" for c in names[1:])
            + " | lc-b x msgpack | api x msgpack | target |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    keys = []
    for r in rows:
        if (r["data"], r["op"]) not in keys:
            keys.append((r["data"], r["op"]))
    for data, op in keys:
        by = {r["codec"]: r for r in rows if r["data"] == data and r["op"] == op}
        ours = [by[c] for c in ("lc-b", "helixc api") if c in by]
        ok = all(r["meets_json_target"] and r.get("meets_msgpack_target", True) for r in ours)
        cells = [f"{by[c]['x_json']:.2f}" for c in names[1:]]
        xm = [f"{r['x_msgpack']:.2f}" if "x_msgpack" in r else "-" for r in ours]
        lines.append(f"| {data} | {op} | {by['json']['us_per_item']:.1f} | " + " | ".join(cells + xm)
                     + f" | {'ok' if ok else 'MISS'} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--only", action="append", default=[], help="only this data set (repeatable)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    rounds = args.rounds or (3 if args.quick else 9)
    rows = []
    for name, docs in datasets().items():
        if args.only and name not in args.only:
            continue
        rows.extend(bench(name, docs, rounds))
    print(table(rows))
    for cname, what in (("lc-b", "notation object"), ("helixc api", "helixc.encode/decode")):
        ours = [r for r in rows if r["codec"] == cname]
        met = sum(r["meets_json_target"] and r.get("meets_msgpack_target", True) for r in ours)
        print(f"\n{cname} ({what}, native core: {lc_b.NATIVE is not None}) meets both targets on {met} of {len(ours)} "
              f"(data set, op) pairs: <= {TARGET_JSON}x json, <= {TARGET_MSGPACK}x msgpack", end="")
    print()
    versions = {}
    for mod in ("cbor2", "msgpack"):
        try:
            from importlib.metadata import version

            versions[mod] = version(mod)
        except Exception:  # noqa: BLE001 - a missing peer is reported as absent
            versions[mod] = None
    result = {
        "seed": SEED, "rounds": rounds, "python": sys.version.split()[0], "platform": platform.platform(),
        "cpu_count": os.cpu_count(), "loadavg_after": os.getloadavg(),
        "note": "a shared machine (2 cores, other jobs running): ratios from interleaved rounds in one run",
        "native": lc_b.NATIVE is not None, "peers": versions,
        "targets": {"x_json": TARGET_JSON, "x_msgpack": TARGET_MSGPACK}, "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
