"""Small notation requests while clients loop near-megabyte notation texts through the notation lane,
for several notation-worker niceness values in alternating runs.

    .venv/bin/python benchmarks/bench_big_notation_load.py     # prints a table, writes results/big_notation_load.json

Why: the notation workers ran at nice +5 so that the event loop (which answers small texts inline)
gets the CPU first when both want it. This measures what the inline requests see when the workers
are busy with large texts (``--big-clients`` closed loops of an ~820 KB HLXL text to LC-R, under the
1 MiB body limit) at each niceness; one client times small texts, paced by ``--gap-ms``. The server is
``bench_serve.py --child --fake-engine`` (no model: only the compiler's work). It asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "big_notation_load.json"


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def one_run(nice: int, seconds: float, big_clients: int, gap: float, big: bytes, small: list[bytes]) -> dict:
    proc = subprocess.Popen([sys.executable, str(HERE / "bench_serve.py"), "--child", "--fake-engine",
                             "--worker-niceness", str(nice)], stdout=subprocess.PIPE, text=True)
    try:
        port = int(proc.stdout.readline().split()[1])
        time.sleep(4)  # the worker processes start
        stop = time.monotonic() + seconds
        big_done, big_status, lat = [0], {}, []

        def post(conn, body):
            conn.request("POST", "/translate", body=body, headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            return r.status

        def big_loop():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            while time.monotonic() < stop:
                s = post(conn, big)
                big_status[s] = big_status.get(s, 0) + 1
                big_done[0] += 1

        def small_loop():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            i = 0
            while time.monotonic() < stop:
                t = time.perf_counter()
                post(conn, small[i % len(small)])
                lat.append(time.perf_counter() - t)
                i += 1
                time.sleep(gap)

        threads = [threading.Thread(target=big_loop) for _ in range(big_clients)] + [threading.Thread(target=small_loop)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        proc.terminate()
        proc.wait(30)
    ms = lambda p: round(pct(lat, p) * 1000, 2)  # noqa: E731
    return {"worker_niceness": nice, "big_answered": big_done[0], "big_statuses": big_status, "small_requests": len(lat),
            "small_p50_ms": ms(50), "small_p99_ms": ms(99), "small_max_ms": round(max(lat) * 1000, 1)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--niceness", type=int, nargs="+", default=[5, 0], help="worker niceness values, alternated")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=25.0)
    ap.add_argument("--big-clients", type=int, default=2)
    ap.add_argument("--gap-ms", type=float, default=5.0)
    ap.add_argument("--out", default=str(RESULTS))
    a = ap.parse_args(argv)
    sys.path.insert(0, str(HERE))
    import helixc
    from bench_serve import notation_requests

    rng = random.Random(3)
    value = {"rows": [[rng.random() for _ in range(8)] for _ in range(5000)]}
    big = json.dumps({"text": helixc.emit(value, "hlxl"), "to": "lc-r"}).encode()
    small = [json.dumps(b).encode() for b in notation_requests(50)]
    rows = []
    for r in range(a.rounds):
        for nice in a.niceness:
            row = {"round": r, **one_run(nice, a.seconds, a.big_clients, a.gap_ms / 1000, big, small)}
            rows.append(row)
            print(f"round {r} nice {nice:>2}: big ({len(big) // 1000} KB) answered {row['big_answered']} "
                  f"{row['big_statuses']}; small p50 {row['small_p50_ms']:.2f} p99 {row['small_p99_ms']:.2f} "
                  f"max {row['small_max_ms']:.1f} ms (n={row['small_requests']})", flush=True)
    report = {"benchmark": "small notation latency under near-megabyte notation texts (benchmarks/bench_big_notation_load.py)",
              "command": " ".join([Path(sys.executable).name, "benchmarks/bench_big_notation_load.py", *(argv or sys.argv[1:])]),
              "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
              "big_text_bytes": len(big), "rows": rows}
    Path(a.out).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print("wrote", a.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
