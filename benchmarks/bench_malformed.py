"""Time and memory of the error path on malformed input (issue 16), per notation.

Each case runs in its own child process: the text is built, helixc imported and warmed on a small
input, then ``helixc.parse(text, notation)`` (or ``helixc.detect(text)``) runs once; the child
reports the wall time and how much its peak RSS (``ru_maxrss``) grew during that call.

    .venv/bin/python benchmarks/bench_malformed.py            # table + benchmarks/results/malformed.json
    .venv/bin/python benchmarks/bench_malformed.py --quick    # 100 KB inputs
    .venv/bin/python benchmarks/bench_malformed.py --before /tmp/old   # also an older tree, same rounds

``--before PATH`` runs every case in a source tree of older code too (``git archive <commit> | tar -x
-C PATH``, with ``helixc_plugins`` -> ``plugins`` and ``helixc_grammars`` -> ``grammars`` links and
its built ``.so`` files), alternating with this tree, and checks that both give the same outcome
(code and position). ``cpu_ms`` is the child's process time: on a shared machine it moves less
than the wall time (``ms``), which the targets are about.

Targets (README, "Limits on input"): malformed input up to 1 MB in any notation: error in <= 100 ms
and <= 50 MB extra RSS; a valid 10 MB string in <= 200 MB. Margin kept (issue 16 follow-up): every
malformed case in <= 60 ms of CPU time (``cpu_ms``), so that load on a shared machine does not push the
wall time past 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "malformed.json"

MB = 1_000_000

# (case, notation, python expression building the text from S = size in characters); the
# expressions are evaluated in the child so that the parent holds nothing large.
CASES = [
    ("depth '['*S", "hlxl", "'[' * S"),
    ("depth '['*S", "lc-t", "'[' * S"),
    ("depth '🜃'*S", "lc-r", "'\\U0001f703' * S"),
    ("depth '05 '*S", "lc-b", "'05 ' * (S // 3)"),
    ("nested '[1,'*S", "hlxl", "'[1,' * (S // 3)"),
    ("nested '{a: '*S", "hlxl", "'{a: ' * (S // 4)"),
    ("nested '{C:1,0='*S", "lc-t", "'{C:1,0=' * (S // 7)"),
    ("nested '◇a: '*S", "lc-r", "'\\u25c7a: ' * (S // 4)"),
    ("unterminated string", "hlxl", "'[\"' + 'a' * S"),
    ("unterminated string", "lc-t", "'[\"' + 'a' * S"),
    ("unterminated string", "lc-r", "'\\U0001f703\"' + 'a' * S"),
    ("unterminated bytes", "lc-b", "'03 FF FF 03 ' + '41 ' * (S // 3)"),
    ("many fields, truncated", "hlxl", "'{1: {' + ''.join(f'@{i}: {i}, ' for i in range(S // 12))"),
    ("many fields, truncated", "lc-t", "'{C:1' + ''.join(f',{i}={i}' for i in range(S // 10))"),
    ("many fields, truncated", "lc-r", "'\\U0001f70a1' + ''.join(f'\\U0001f701{i} {i}' for i in range(S // 10))"),
    ("many fields, repeat at end", "hlxl", "'{1: {' + ''.join(f'@{i}: 1, ' for i in range(S // 10)) + '@0: 1}}'"),
    ("many keys, repeat at end", "lc-t", "'{' + ''.join(f'k{i}:1,' for i in range(S // 10)) + 'k0:1}'"),
    ("many keys, out of order at end", "lc-r", "'\\u25c7' + ''.join(f'k{i:07d}: 1, ' for i in range(S // 14)) + 'a: 1\\u25c6'"),
    ("many ints, bad last", "hlxl", "'[' + '123456, ' * (S // 8) + '99999999999999999999]'"),
    ("many ints, bad last", "lc-b", "'05 ' + '01 05 ' * (S // 6) + 'FF 06'"),
    ("garbage", "hlxl", "'\\x01' * S"),
    ("garbage after '['", "hlxl", "'[' + '\\x01' * S"),
    ("garbage after '['", "lc-t", "'[' + '?' * S"),
    ("garbage after '🜃'", "lc-r", "'\\U0001f703' + '?' * S"),
    ("garbage", "lc-b", "'G' * S"),
    ("hex, odd digit at end", "lc-b", "'0A ' * (S // 3) + '0'"),
    ("huge digit string", "hlxl", "'{1: {@' + '1' * S + ': 1}}'"),
    ("huge digit string", "lc-t", "'{C:1,' + '1' * S + '=1}'"),
    ("huge digit string", "lc-r", "'\\U0001f70a1\\U0001f701' + '1' * S + ' 1\\U0001f702'"),
    ("truncated valid", "hlxl", "'[' + ', '.join(['{a: [1, \"x\"], b: {1: {@0: null}}}'] * (S // 36))"),
    ("truncated valid", "lc-t", "'[' + ','.join(['{a:[1,\"x\"],b:{C:1,0=NULL}}'] * (S // 26))"),
    ("non-canonical at end", "lc-r", "'\\U0001f703' + ', '.join(['1'] * (S // 3)) + ', 1.0e+16\\U0001f704'"),
    ("detect: '[1,'*S", "detect", "'[1,' * (S // 3)"),
    ("detect: garbage after '['", "detect", "'[' + '?' * S"),
    ("valid list (for comparison)", "hlxl", "'[' + '1, ' * (S // 3) + '1]'"),
    ("valid list (for comparison)", "lc-t", "'[' + ','.join(['{a:[1,\"x\"],b:{C:1,0=NULL}}'] * (S // 26)) + ']'"),
    ("valid 10 MB string", "hlxl", "'\"' + 'a' * (10 * S) + '\"'"),
    ("valid 10 MB string", "lc-r", "'\"' + 'a' * (10 * S) + '\"'"),
    ("10 MB of spaces", "hlxl", "' ' * (10 * S)"),
    ("10 MB of spaces", "detect", "' ' * (10 * S)"),
]

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
import helixc
S = {size}
text = eval({expr!r})
helixc.parse("[1]", "hlxl"); helixc.parse("00", "lc-b"); helixc.parse("\U0001f7031\U0001f704", "lc-r")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
c0 = time.process_time()
try:
    if {name!r} == "detect":
        helixc.detect(text)
    else:
        helixc.parse(text, {name!r})
    outcome = "ok"
except helixc.HelixError as e:
    outcome = f"{{e.code}} " + (f"{{e.line}}:{{e.column}}" if e.offset is None else f"@{{e.offset}}")
ms = (time.perf_counter() - t0) * 1000
cpu_ms = (time.process_time() - c0) * 1000
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"bytes": len(text.encode("utf-8", "surrogatepass")), "ms": ms, "cpu_ms": cpu_ms, "extra_rss_mb": (after - before) / 1024,
                  "outcome": outcome}}))
"""


def run_case(case, name, expr, size, repeat, root=ROOT):
    best = None
    for _ in range(repeat):
        code = CHILD.format(root=str(root), size=size, expr=expr, name=name)
        p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                           env={**os.environ, "PYTHONHASHSEED": "0"})
        if p.returncode != 0:
            raise SystemExit(f"{case} [{name}] failed:\n{p.stderr}")
        r = json.loads(p.stdout.strip().splitlines()[-1])
        if best is None or r["ms"] < best["ms"]:
            best = {**r, "extra_rss_mb": max(r["extra_rss_mb"], best["extra_rss_mb"]) if best else r["extra_rss_mb"],
                    "cpu_ms": min(r["cpu_ms"], best["cpu_ms"]) if best else r["cpu_ms"]}
    return {"case": case, "notation": name, **best}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="100 KB inputs instead of 1 MB")
    ap.add_argument("--repeat", type=int, default=3, help="runs per case; the fastest is kept (RSS: the largest)")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--before", type=Path, help="a source tree of older code, measured in the same rounds")
    ap.add_argument("--only", help="only the cases whose name contains this")
    args = ap.parse_args(argv)
    size = MB // 10 if args.quick else MB
    rows = []
    head = f"{'before ms':>10} {'cpu':>6} {'RSS':>6} " if args.before else ""
    load_start = os.getloadavg()[0]
    print(f"{'case':34} {'notation':8} {'size':>10} {head}{'ms':>8} {'cpu ms':>8} {'extra RSS MB':>13}  outcome")
    for case, name, expr in CASES:
        if args.only and args.only not in case:
            continue
        b = run_case(case, name, expr, size, args.repeat, args.before) if args.before else None
        r = run_case(case, name, expr, size, args.repeat)
        if b is not None:
            if b["outcome"] != r["outcome"]:
                raise SystemExit(f"{case} [{name}]: outcome {r['outcome']} differs from the older tree's {b['outcome']}")
            r = {**r, "before_ms": b["ms"], "before_cpu_ms": b["cpu_ms"], "before_extra_rss_mb": b["extra_rss_mb"]}
        rows.append(r)
        before = f"{b['ms']:>10.1f} {b['cpu_ms']:>6.1f} {b['extra_rss_mb']:>6.1f} " if b else ""
        print(f"{case:34} {name:8} {r['bytes']:>10,} {before}{r['ms']:>8.1f} {r['cpu_ms']:>8.1f} {r['extra_rss_mb']:>13.1f}  {r['outcome']}",
              flush=True)
    malformed = [r for r in rows if r["outcome"] != "ok" and r["bytes"] <= 1.1 * MB and r["notation"] != "detect"]
    if not malformed:  # --only picked no malformed case of 1 MB: the table is the result
        return
    summary = {
        "malformed_le_1MB_max_ms": max(r["ms"] for r in malformed),
        "malformed_le_1MB_max_extra_rss_mb": max(r["extra_rss_mb"] for r in malformed),
        "malformed_le_1MB_within_100ms": sum(r["ms"] <= 100 for r in malformed),
        "malformed_le_1MB_cases": len(malformed),
        "malformed_le_1MB_max_cpu_ms": max(r["cpu_ms"] for r in malformed),
        "malformed_le_1MB_within_60ms_cpu": sum(r["cpu_ms"] <= 60 for r in malformed),
        # every malformed row: also detect() and the inputs of 1M characters that are more bytes
        "all_malformed_max_cpu_ms": max(r["cpu_ms"] for r in rows if r["outcome"] != "ok" and r["bytes"] <= 4.1 * MB),
    }
    if args.before:
        summary["before_malformed_le_1MB_max_ms"] = max(r["before_ms"] for r in malformed)
        summary["before_malformed_le_1MB_within_100ms"] = sum(r["before_ms"] <= 100 for r in malformed)
        summary["malformed_le_1MB_within_100ms_cpu"] = sum(r["cpu_ms"] <= 100 for r in malformed)
        summary["before_malformed_le_1MB_max_cpu_ms"] = max(r["before_cpu_ms"] for r in malformed)
        summary["before_malformed_le_1MB_within_60ms_cpu"] = sum(r["before_cpu_ms"] <= 60 for r in malformed)
    print(json.dumps(summary))
    if not args.quick and not args.only:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({
            "command": "python benchmarks/bench_malformed.py" + (" --before <tree of the older commit>" if args.before else ""),
            "load_average_1min": os.getloadavg()[0], "load_average_1min_at_start": load_start,
            "note": "shared machine (about 7 agents on 2 cores): ms is wall time under their load",
            "when": time.strftime("%Y-%m-%d %H:%M:%S"),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
            "repeat": args.repeat, "rows": rows, "summary": summary,
        }, indent=1) + "\n")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
