"""What one job on a worker lane (helixc.server.workers.Lane) costs in round trip, with the event loop
idle and with it busy, next to the same call made inline.

    .venv/bin/python benchmarks/bench_lane_hop.py     # prints a table, writes benchmarks/results/lane_hop.json

While the loop thread is busy (``--busy`` tasks, each running ``--slice-ms`` of Python between
awaits, as a server handling other requests does) a job's reply waits for the loop: until
2026-12-08 a driver thread per worker needed the GIL back from the loop (the switch interval, 1 ms
in ``helixc serve``) to wake, read and hand the answer over; since then the loop's own reader
callback reads it, a loop iteration or two after it arrives. This measures that cost; it asserts
nothing. (Found 2026-12-07 with the driver threads: 0.7 ms p50 idle, ~9.5 ms with one busy task; why
``inline_limit`` became 8,192, docs/serve.md.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "lane_hop.json"


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


async def measure(busy: int, slice_ms: float, n: int, text: str) -> dict:
    from helixc.engine import translate_notation
    from helixc.server.workers import Lane
    from helixc.translation import TranslateRequest

    lane = Lane("notation", workers=1, niceness=5, warm="helixc.server.work:warm")
    lane.start(prestart=True)
    req = TranslateRequest(text=text, to="lc-r")
    await lane.run("helixc.server.work:notation", req, size=len(text), deadline=time.monotonic() + 60)  # started
    stop = False

    async def spin():
        while not stop:
            t = time.perf_counter()
            while time.perf_counter() - t < slice_ms / 1000:
                pass
            await asyncio.sleep(0)

    tasks = [asyncio.create_task(spin()) for _ in range(busy)]
    hop, inline = [], []
    try:
        for _ in range(n):
            t = time.perf_counter()
            await lane.run("helixc.server.work:notation", req, size=len(text), deadline=time.monotonic() + 60)
            hop.append(time.perf_counter() - t)
            t = time.perf_counter()
            translate_notation(req)
            inline.append(time.perf_counter() - t)
            await asyncio.sleep(0)
    finally:
        stop = True
        for task in tasks:
            await task
        lane.stop()
    ms = lambda xs, p: round(pct(xs, p) * 1000, 3)  # noqa: E731
    return {"busy_tasks": busy, "lane_p50_ms": ms(hop, 50), "lane_p99_ms": ms(hop, 99),
            "inline_p50_ms": ms(inline, 50), "inline_p99_ms": ms(inline, 99)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--busy", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--slice-ms", type=float, default=1.5)
    ap.add_argument("-n", type=int, default=200)
    ap.add_argument("--switch-interval", type=float, default=0.001, help="sys.setswitchinterval (helixc serve's)")
    ap.add_argument("--out", default=str(RESULTS))
    a = ap.parse_args(argv)
    sys.setswitchinterval(a.switch_interval)
    import helixc

    texts = {"small": "[1, 2, 3]", "6K": helixc.emit({"k": list(range(1100))}, "hlxl")}
    rows = []
    for name, text in texts.items():
        for busy in a.busy:
            r = asyncio.run(measure(busy, a.slice_ms, a.n, text))
            rows.append({"text": name, "chars": len(text), **r})
    print(f"{'text':<6} {'busy':>4} {'lane p50':>9} {'lane p99':>9} {'inline p50':>11} {'inline p99':>11}  (ms)")
    for r in rows:
        print(f"{r['text']:<6} {r['busy_tasks']:>4} {r['lane_p50_ms']:>9.2f} {r['lane_p99_ms']:>9.2f} "
              f"{r['inline_p50_ms']:>11.2f} {r['inline_p99_ms']:>11.2f}")
    report = {"benchmark": "worker-lane round trip vs inline (benchmarks/bench_lane_hop.py)",
              "command": " ".join([Path(sys.executable).name, "benchmarks/bench_lane_hop.py", *(argv or sys.argv[1:])]),
              "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
              "settings": {"slice_ms": a.slice_ms, "n": a.n, "switch_interval": a.switch_interval}, "rows": rows}
    Path(a.out).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print("wrote", a.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
