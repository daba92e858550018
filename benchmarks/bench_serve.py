"""Load benchmark of ``helixc serve`` on loopback (not a test; CPU-heavy, run it on purpose).

    nice -n 10 .venv/bin/python benchmarks/bench_serve.py                  # the shipped models
    .venv/bin/python benchmarks/bench_serve.py --fake-engine               # no models: a stand-in engine

For batching on, then off (the same run, one server process each, 127.0.0.1 only), and for each
client count (default 16 and 64), a fixed number of requests is sent by that many concurrent
clients (closed loop: each sends its next request when the previous one is answered):

* ``english``: English requests (the corpus generator's held-out ``test`` wording, seed 0), to=auto,
  answered by the MoE through the batching queue;
* ``notation_under_load``: 4 clients sending notation-to-notation requests while the English run
  above goes on (the "notation requests never wait behind the model" number);
* ``notation``: notation-to-notation requests alone, from that many clients.

Throughput (answers/s) and p50/p95/p99 latency are printed as a table and written to
benchmarks/results/serve.json with the mean batch size the server reports in /metrics.

``--hostile`` (issue 16) measures instead what hostile or careless clients cost the notation path:

    .venv/bin/python benchmarks/bench_serve.py --hostile --seconds 60

``--hostile-clients`` (16) clients send, each in a closed loop for ``--seconds``, one of five kinds
(client c: kind c % 5): 60 KB of English with to=auto, and with engine=compiler (both refused before
any queue: 413), the longest English accepted (2,000 characters) with engine=compiler, and with
to=auto (the rule-based reader's and the model's slowest accepted input), and a short
engine=compiler request. Meanwhile 2 clients time small
notation requests, 1 client ~6 K-character ("8 KB") notation texts (both answered on the event loop:
the inline limit is 8,192 characters) and 1 client ~27 K-character texts (the notation worker lane). Every 0.25 s the resident memory of the server and of each child process is sampled (the
model process is the one with libtorch mapped). The hostile clients run in a process of their own
(``--hostile-in-process``: in the probes' event loop, as before 2026-12-07, where a probe's answer also
waits behind the hostile clients' work in the load generator; ``--hostile-nice N`` lowers that process's
priority). Written to benchmarks/results/serve_hostile.json.

``--ab`` (issue 17) measures batching on against off in the same run:

    nice -n 10 .venv/bin/python benchmarks/bench_serve.py --ab --rounds 6 --english-requests 128 --probe-rate 200

Both servers are up at once; each round runs the English load (``--ab-clients`` closed-loop
clients, 16) on one, then the other (order alternating per round), with the notation probe
(4 clients, ``--probe-rate`` requests/s in all; 0: as fast as answered) alongside, and records per
run: throughput, notation latency, mean batch, the share of the wall time the model worker spent
in ``MoE.answer``, the batch window's wait, the CPU share of the server, the model process and the
load generator (this process), and the model process's RSS. The ratio is taken per round (median,
min, max). ``--before PATH`` adds two servers running the helixc package of another checkout (a
``git worktree`` of older code) in the same rounds; ``--breakdown`` (or ``--breakdown-only``)
times ``MoE.answer`` in this process and through the process hop (``ProcessEngine``) at batch 1 and
16, and the pickling of a batch. Written to benchmarks/results/serve_batching.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import random
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "serve.json"
PROBE_CLIENTS = 4


# --------------------------------------------------------------------------- server child process


class FakeEngine:
    """Stand-in when no models exist: cost of one batch = base + per_row * rows (a batched forward
    pass costs much less per row than one pass per request). Answers are the request text echoed."""

    def __init__(self, base: float, per_row: float):
        self.base, self.per_row = base, per_row

    def answer(self, requests):
        from helixc.engine import TranslateResult

        time.sleep(self.base + self.per_row * len(requests))
        return [TranslateResult(route="explain", target="explain", output=r.text, engine="neural",
                                grammar_valid=True, verified=None) for r in requests]


def child_main(args) -> None:
    from helixc.server import ServerConfig, serve

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    engine = factory = None
    if args.engine_factory:  # "module:callable" building an engine (experiments with other stand-ins)
        from helixc.server.procengine import ProcessEngine, _resolve

        spec = args.engine_factory
        factory = (lambda: _resolve(spec)()) if args.in_process_model else (lambda: ProcessEngine(spec))
    elif args.fake_engine:
        engine = FakeEngine(args.fake_base, args.fake_per_row)
    config = ServerConfig(models_dir=args.models, max_batch=args.max_batch, max_queue=args.max_queue,
                          timeout=args.server_timeout or 300.0, batching=not args.no_batching, model_process=not args.in_process_model,
                          batch_wait=args.batch_wait_ms / 1000.0, model_niceness=args.model_niceness,
                          **({"worker_niceness": args.worker_niceness} if args.worker_niceness is not None else {}),
                          **({"model_threads": args.model_threads}
                             if "model_threads" in ServerConfig.__dataclass_fields__ else {}))  # --before: older code
    serve(config, engine=engine, engine_factory=factory, log_level="warning", sockets=[sock])


class ServerProcess:
    def __init__(self, args, batching: bool, pythonpath: str | None = None):
        cmd = [sys.executable, __file__, "--child", "--max-batch", str(args.max_batch), "--max-queue", str(args.max_queue),
               "--batch-wait-ms", str(args.batch_wait_ms), "--model-niceness", str(args.model_niceness),
               *(["--worker-niceness", str(args.worker_niceness)] if args.worker_niceness is not None else []),
               "--model-threads", str(args.model_threads),
               "--fake-base", str(args.fake_base), "--fake-per-row", str(args.fake_per_row)]
        if not batching:
            cmd.append("--no-batching")
        if args.fake_engine:
            cmd.append("--fake-engine")
        if args.in_process_model:
            cmd.append("--in-process-model")
        if args.engine_factory:
            cmd += ["--engine-factory", args.engine_factory]
        if args.models:
            cmd += ["--models", args.models]
        if args.server_timeout:
            cmd += ["--server-timeout", str(args.server_timeout)]
        env = dict(os.environ)
        if getattr(args, "no_mixed", False):
            env["HELIXC_MIXED_BATCH"] = "0"
        env["HELIXC_TORCH_THREADS"] = str(args.model_threads)  # read by the MoE of this code and of --before's
        if pythonpath:  # a checkout of other helixc code (--before): its helixc package, not this one
            env["PYTHONPATH"] = pythonpath + os.pathsep + env.get("PYTHONPATH", "")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
        line = self.proc.stdout.readline()
        m = re.match(r"PORT (\d+)", line)
        if not m:
            self.proc.kill()
            raise SystemExit(f"server child did not start: {line!r}")
        self.port = int(m.group(1))

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# --------------------------------------------------------------------------- load generation


def english_requests(n: int) -> list[dict]:
    import helixc_corpora

    per_route = max(4, n // 4)
    rows = list(helixc_corpora.generate_rows(seed=0, sizes={"train": 0, "val": 0, "test": per_route, "test_novel": 0}))
    texts = [r["input"].split("### Instruction:\n", 1)[1].split("\n\n### Response:", 1)[0] for r in rows]
    random.Random(0).shuffle(texts)
    return [{"text": texts[i % len(texts)], "to": "auto"} for i in range(n)]


def notation_requests(n: int) -> list[dict]:
    import helixc
    from helixc.values import Contract

    rng = random.Random(1)
    names = ["hlxl", "lc-t", "lc-r", "lc-b"]
    out = []
    for i in range(n):
        v = {"id": i, "vals": [rng.randint(-10**6, 10**6) for _ in range(4)], "tag": f"t{i % 97}",
             "c": Contract(rng.randint(0, 200), {0: i, 2: "x"})}
        src, dst = rng.choice(names), rng.choice(names)
        out.append({"text": helixc.emit(v, src), "to": dst, "source": src})
    return out


class RawClient:
    """A minimal keep-alive HTTP/1.1 client over asyncio streams, one connection per client.

    httpx costs the load generator ~1 ms of CPU per request, which on a 2-core machine is taken from
    the server being measured; this costs a fraction of that."""

    def __init__(self, port: int):
        self.port = port
        self.reader = self.writer = None

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        for attempt in (0, 1):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            try:
                self.writer.write(b"%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                  b"Content-Length: %d\r\n\r\n%s" % (method.encode(), path.encode(), len(body), body))
                head = await self.reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                m = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
                data = await self.reader.readexactly(int(m.group(1))) if m else b""
                if re.search(rb"(?i)\r\nconnection: *close", head):
                    await self.close()
                return status, data
            except (ConnectionError, asyncio.IncompleteReadError):
                await self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None


def pct(sorted_vals: list[float], p: float) -> float:
    if not sorted_vals:
        return float("nan")
    k = max(0, min(len(sorted_vals) - 1, int(round(p / 100 * len(sorted_vals) + 0.5)) - 1))
    return sorted_vals[k]


async def closed_loop(port: int, bodies: list[dict], clients: int, stop: asyncio.Event | None = None,
                      rate: float = 0.0, keep: list | None = None) -> dict:
    """`clients` tasks send `bodies` (each once, in order taken) until done, or until `stop` is set.
    ``rate`` > 0: together at most that many requests per second (each client sends its next request
    at its next slot, or at once when the answer came later); ``keep``: latencies are appended there too."""
    lat: list[float] = []
    statuses: dict[int, int] = {}
    it = iter(bodies)
    interval = clients / rate if rate > 0 else 0.0

    async def worker(k):
        conn = RawClient(port)
        nxt = time.perf_counter() + interval * k / clients
        try:
            while stop is None or not stop.is_set():
                if interval:
                    delay = nxt - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    nxt = max(nxt + interval, time.perf_counter())
                    if stop is not None and stop.is_set():
                        return
                body = next(it, None)
                if body is None:
                    return
                data = json.dumps(body).encode()
                t0 = time.perf_counter()
                try:
                    code, _ = await conn.request("POST", "/translate", data)
                except Exception:  # noqa: BLE001 - counted, never retried
                    code = 0
                lat.append(time.perf_counter() - t0)
                statuses[code] = statuses.get(code, 0) + 1
        finally:
            await conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(clients)))
    wall = time.perf_counter() - t0
    if keep is not None:
        keep.extend(lat)
    ok = statuses.get(200, 0)
    lat.sort()
    return {"requests": len(lat), "ok": ok, "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "seconds": round(wall, 3), "throughput_rps": round(ok / wall, 2) if wall else 0.0,
            "p50_ms": round(pct(lat, 50) * 1000, 2), "p95_ms": round(pct(lat, 95) * 1000, 2),
            "p99_ms": round(pct(lat, 99) * 1000, 2)}


def batch_stats(metrics_text: str) -> tuple[float, float]:
    s = re.search(r"^helixc_model_batch_size_sum (\S+)$", metrics_text, re.M)
    c = re.search(r"^helixc_model_batch_size_count (\S+)$", metrics_text, re.M)
    return (float(s.group(1)) if s else 0.0), (float(c.group(1)) if c else 0.0)


async def bench_server(args, batching: bool, english: list[dict], notation: list[dict]) -> list[dict]:
    srv = ServerProcess(args, batching)
    rows = []
    try:
        port = srv.port
        client = RawClient(port)

        async def get(path: str) -> bytes:
            return (await client.request("GET", path))[1]

        if True:
            deadline = time.monotonic() + 600
            while True:  # wait for the model to load
                try:
                    state = json.loads(await get("/health"))["model"]
                except OSError:
                    state = "starting"
                if state != "loading" and state != "starting":
                    break
                if time.monotonic() > deadline:
                    raise SystemExit("model did not load in 10 minutes")
                await asyncio.sleep(0.2)
            if state != "ready":
                raise SystemExit(f"model not available: {state}")
            await closed_loop(port, english[:8], 4)  # warm-up
            await closed_loop(port, notation[:50], 4)
            for c in args.clients:
                s0, n0 = batch_stats((await get("/metrics")).decode())
                stop = asyncio.Event()

                async def english_run():
                    try:
                        return await closed_loop(port, english[: args.english_requests], c)
                    finally:
                        stop.set()

                eng, probe = await asyncio.gather(english_run(), closed_loop(port, notation * 100, PROBE_CLIENTS, stop))
                s1, n1 = batch_stats((await get("/metrics")).decode())
                eng["mean_batch"] = round((s1 - s0) / (n1 - n0), 2) if n1 > n0 else None
                rows.append({"batching": batching, "clients": c, "kind": "english", **eng})
                rows.append({"batching": batching, "clients": PROBE_CLIENTS, "under_english_clients": c,
                             "kind": "notation_under_load", **probe})
                alone = await closed_loop(port, notation[: args.notation_requests], c)
                rows.append({"batching": batching, "clients": c, "kind": "notation", **alone})
                for r in rows[-3:]:
                    print_row(r)
        await client.close()
    finally:
        srv.stop()
    return rows


# --------------------------------------------------------------------------- --hostile


def hostile_bodies() -> list[tuple[str, dict]]:
    sentence = ("Please translate the following list of numbers into LC-R, and note that the value of pi is about "
                "3.14 while the record should hold the name Alice and the tags one, two and three. ")
    long_english = (sentence * 600)[:60_000]
    max_english = (sentence * 20)[:2_000]
    return [
        ("english_60k_auto", {"text": long_english, "to": "auto"}),
        ("english_60k_compiler", {"text": long_english, "to": "auto", "engine": "compiler"}),
        ("english_2k_compiler", {"text": max_english, "to": "lc-r", "engine": "compiler"}),
        ("english_2k_auto", {"text": max_english, "to": "auto"}),
        ("english_short_compiler", {"text": "Encode CRC32 checksum 0xDEADBEEF in LC-B", "engine": "compiler"}),
    ]


def large_notation_requests(n: int, rows: int = 90) -> list[dict]:
    """Notation texts of ~6 K characters (rows=90: the "8 KB" probe, answered inline since the
    inline limit became 8,192) or ~27 K (rows=400: the notation lane)."""
    import helixc

    rng = random.Random(2)
    names = ["hlxl", "lc-t", "lc-r"]
    out = []
    for i in range(n):
        v = {"id": i, "rows": [[rng.randint(-10**6, 10**6) for _ in range(8)] for _ in range(rows)], "tag": f"t{i}"}
        src = names[i % 3]
        text = helixc.emit(v, src)
        out.append({"text": text, "to": names[(i + 1) % 3], "source": src})
    return out


class MemorySampler:
    """Peak RSS of the server process and of each child (the model: the child with libtorch mapped)."""

    def __init__(self, pid: int):
        import psutil

        self.root = psutil.Process(pid)
        self.peak: dict[str, int] = {}
        self.kind: dict[int, str] = {}
        self.samples = 0

    def _kind(self, proc) -> str:
        k = self.kind.get(proc.pid)
        if k is None:
            try:
                name = proc.name()  # helixc-model, helixc-notation, helixc-english (set by the server)
                torch = any("libtorch" in m.path for m in proc.memory_maps())
            except Exception:  # noqa: BLE001 - gone, or not allowed
                name, torch = "", False
            if torch:
                k = "model"
            elif name.startswith("helixc-"):
                k = name.removeprefix("helixc-")  # notation, english
            else:
                k = "other"  # multiprocessing's resource tracker
            self.kind[proc.pid] = k
        return k

    def sample(self) -> None:
        import psutil

        try:
            procs = [("server", self.root)] + [(None, c) for c in self.root.children(recursive=True)]
            worker_total = 0
            for kind, proc in procs:
                try:
                    rss = proc.memory_info().rss
                    kind = kind or self._kind(proc)
                except psutil.Error:
                    continue
                if kind not in ("server", "model", "other"):
                    worker_total += rss
                    kind = f"{kind}_worker_max"
                self.peak[kind] = max(self.peak.get(kind, 0), rss)
            self.peak["workers_total"] = max(self.peak.get("workers_total", 0), worker_total)
            self.samples += 1
        except psutil.Error:
            pass

    def report(self) -> dict:
        return {k: round(v / 2**20, 1) for k, v in sorted(self.peak.items())} | {"samples": self.samples}


async def timed_loop(port: int, bodies: list[dict], stop: asyncio.Event, kinds: list[str] | None = None,
                     interval: float = 0.0) -> dict:
    """One client sending `bodies` in turn until `stop`; latency and statuses per kind.
    ``interval`` > 0: the next request at the next slot (or at once when the answer came later)."""
    per: dict[str, dict] = {}
    conn = RawClient(port)
    i = 0
    nxt = time.perf_counter()
    try:
        while not stop.is_set():
            if interval:
                delay = nxt - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                nxt = max(nxt + interval, time.perf_counter())
                if stop.is_set():
                    break
            body = bodies[i % len(bodies)]
            kind = kinds[i % len(kinds)] if kinds else "all"
            i += 1
            data = json.dumps(body).encode()
            t0 = time.perf_counter()
            try:
                code, answer = await conn.request("POST", "/translate", data)
            except Exception:  # noqa: BLE001
                code, answer = 0, b""
            d = per.setdefault(kind, {"lat": [], "statuses": {}})
            d["lat"].append(time.perf_counter() - t0)
            if code != 200:
                m = re.search(rb'"code":"(E_\w+)"', answer)
                key = f"{code} {m.group(1).decode()}" if m else str(code)
            else:
                key = "200"
            d["statuses"][key] = d["statuses"].get(key, 0) + 1
    finally:
        await conn.close()
    return per


def merge(parts: list[dict]) -> dict:
    out: dict[str, dict] = {}
    for part in parts:
        for kind, d in part.items():
            m = out.setdefault(kind, {"lat": [], "statuses": {}})
            m["lat"] += d["lat"]
            for k, v in d["statuses"].items():
                m["statuses"][k] = m["statuses"].get(k, 0) + v
    rows = {}
    for kind, d in out.items():
        lat = sorted(d["lat"])
        rows[kind] = {"requests": len(lat), "statuses": dict(sorted(d["statuses"].items())),
                      "p50_ms": round(pct(lat, 50) * 1000, 2), "p95_ms": round(pct(lat, 95) * 1000, 2),
                      "p99_ms": round(pct(lat, 99) * 1000, 2), "max_ms": round(lat[-1] * 1000, 2) if lat else None}
    return rows


def hostile_loops(port: int, clients: int, stop: asyncio.Event) -> list:
    """The hostile clients' loops: client c sends kind c % 5 only (16 clients: 4 x 60 KB to=auto, 3 x
    each other kind), so slow kinds do not thin out the 60 KB ones."""
    hostile = hostile_bodies()
    return [timed_loop(port, [hostile[c % len(hostile)][1]], stop, [hostile[c % len(hostile)][0]])
            for c in range(clients)]


def hostile_process(port: int, clients: int, seconds: float, niceness: int, q) -> None:
    """Child process: the hostile clients for ``seconds`` (after putting "ready" on ``q``), then their
    per-kind results on ``q``."""
    if niceness:
        os.nice(niceness)

    async def go():
        stop = asyncio.Event()
        loops = hostile_loops(port, clients, stop)

        async def timer():
            await asyncio.sleep(seconds)
            stop.set()

        q.put("ready")
        return (await asyncio.gather(*loops, timer()))[:-1]

    q.put(asyncio.run(go()))


async def bench_hostile(args) -> dict:
    srv = ServerProcess(args, batching=True)
    try:
        port = srv.port
        client = RawClient(port)
        deadline = time.monotonic() + 600
        while True:
            try:
                state = json.loads((await client.request("GET", "/health"))[1])["model"]
            except OSError:
                state = "starting"
            if state not in ("loading", "starting"):
                break
            if time.monotonic() > deadline:
                raise SystemExit("model did not load in 10 minutes")
            await asyncio.sleep(0.2)
        if state != "ready":
            raise SystemExit(f"model not available: {state}")
        small = notation_requests(500)
        large = large_notation_requests(50)
        lane = large_notation_requests(20, rows=400)
        hostile = hostile_bodies()
        stop = asyncio.Event()
        # warm-up: every kind once (the worker processes, the model, the parsers)
        for _, body in hostile:
            await client.request("POST", "/translate", json.dumps(body).encode())
        for body in small[:20] + large[:6] + lane[:3]:
            await client.request("POST", "/translate", json.dumps(body).encode())
        # one 60 KB English request at a time on the idle server: the cost of refusing it
        alone = []
        for i in range(10):
            t1 = time.perf_counter()
            code, _ = await client.request("POST", "/translate", json.dumps(hostile[i % 2][1]).encode())
            alone.append(time.perf_counter() - t1)
            assert code == 413, code
        alone.sort()
        sampler = MemorySampler(srv.proc.pid)

        async def sample():
            while not stop.is_set():
                sampler.sample()
                await asyncio.sleep(0.25)

        async def timer():
            await asyncio.sleep(args.seconds)
            stop.set()

        if args.hostile_in_process:
            tasks = hostile_loops(port, args.hostile_clients, stop)
        else:
            # The hostile clients in a process of their own: in one event loop with the probes, a probe's
            # answer waits behind the hostile clients' own work in the load generator (client-side
            # queueing, not the server's latency). They still share the machine's 2 cores.
            ctx = multiprocessing.get_context("spawn")
            q = ctx.Queue()
            hproc = ctx.Process(target=hostile_process, args=(port, args.hostile_clients, args.seconds + 1.0,
                                                              args.hostile_nice, q), daemon=True)
            hproc.start()
            loop = asyncio.get_running_loop()
            if await loop.run_in_executor(None, q.get, True, 120) != "ready":
                raise SystemExit("the hostile clients' process did not start")
            tasks = []
        # --probe-rate R: each probe client sends at most R/4 requests a second (latency at a fixed
        # rate); 0: as fast as answered (then the probes are load too: a faster answer sends more)
        every = 4 / args.probe_rate if args.probe_rate > 0 else 0.0
        probes = [timed_loop(port, small[k::2], stop, ["notation_small"], every) for k in range(2)]
        probes.append(timed_loop(port, large, stop, ["notation_8kb"], every))
        # the lane probe at 5 requests/s at most: a 27 K-character text costs the worker ~4 ms, and as fast
        # as answered it would be load, not a probe
        probes.append(timed_loop(port, lane, stop, ["notation_27kb_lane"], max(every, 0.2)))
        t0 = time.perf_counter()
        results = await asyncio.gather(*tasks, *probes, sample(), timer())
        wall = time.perf_counter() - t0
        if args.hostile_in_process:
            hostile_rows = merge(results[: len(tasks)])
        else:
            hostile_rows = merge(await loop.run_in_executor(None, q.get, True, 120))
            hproc.join(10)
        probe_rows = merge(results[len(tasks): len(tasks) + len(probes)])
        metrics = (await client.request("GET", "/metrics"))[1].decode()
        await client.close()
    finally:
        srv.stop()
    rejected = dict(re.findall(r'^helixc_rejected_total\{reason="([^"]+)"\} (\S+)$', metrics, re.M))
    return {"seconds": round(wall, 1), "english_60k_alone_ms": {"p50": round(pct(alone, 50) * 1000, 1),
                                                                "max": round(alone[-1] * 1000, 1)},
            "hostile": hostile_rows, "notation": probe_rows, "memory_mib": sampler.report(),
            "rejected_total": rejected}


def hostile_main(args) -> None:
    t0 = time.time()
    res = asyncio.run(bench_hostile(args))
    print(f"{'kind':<24} {'requests':>8} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9} {'max ms':>9}  statuses")
    for group in ("notation", "hostile"):
        for kind, r in res[group].items():
            print(f"{kind:<24} {r['requests']:>8} {r['p50_ms']:>9.1f} {r['p95_ms']:>9.1f} {r['p99_ms']:>9.1f} "
                  f"{r['max_ms']:>9.1f}  {r['statuses']}")
    print("peak RSS MiB:", res["memory_mib"])
    print("60 KB English refused on the idle server (ms):", res["english_60k_alone_ms"])
    small = res["notation"].get("notation_small", {})
    large = res["notation"].get("notation_8kb", {})
    notation_not_ok = sum(n for r in res["notation"].values() for k, n in r["statuses"].items() if k != "200")
    notation_504 = sum(n for r in res["notation"].values() for k, n in r["statuses"].items() if k.startswith("504"))
    targets = {
        "notation_small_p99_ms <= 20": small.get("p99_ms", 1e9) <= 20,
        # issue 16 says "notation p99 <= 20 ms": 8 KB texts are notation requests too
        "notation_8kb_p99_ms <= 20": large.get("p99_ms", 1e9) <= 20,
        "notation_27kb_lane_p99_ms <= 20": res["notation"].get("notation_27kb_lane", {}).get("p99_ms", 1e9) <= 20,
        "no notation request got 504": notation_504 == 0,
        "model process < 1024 MiB": res["memory_mib"].get("model", 1e9) < 1024,
    }
    report = {
        "benchmark": "helixc serve under hostile load (benchmarks/bench_serve.py --hostile)",
        "command": " ".join([Path(sys.executable).name, "benchmarks/bench_serve.py", *sys.argv[1:]]),
        "engine": "fake (see FakeEngine)" if args.fake_engine else f"MoE from {args.models or 'the shipped models'}",
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "settings": {"hostile_clients": args.hostile_clients, "seconds": args.seconds,
                     "notation_probe_clients": {"small": 2, "8kb": 1, "27kb_lane": 1},
                     "probe_rate_rps": args.probe_rate or "closed loop (as fast as answered)", "model_niceness": args.model_niceness,
                     "hostile_clients_process": "the probes' (one event loop)" if args.hostile_in_process else "their own",
                     "hostile_nice": args.hostile_nice, "worker_niceness": args.worker_niceness if args.worker_niceness is not None else "serve's default"},
        "wall_seconds": round(time.time() - t0, 1),
        **res,
        "notation_not_200": notation_not_ok,
        "targets_met": targets,
    }
    print(json.dumps(targets))
    out = Path(args.out if args.out != str(RESULTS) else RESULTS.with_name("serve_hostile.json"))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(report, indent=2) + "\n")
    tmp.replace(out)
    print(f"wrote {out}")


# --------------------------------------------------------------------------- --ab: interleaved rounds


def metric(text: str, name: str) -> float:
    m = re.search(rf"^{name} (\S+)$", text, re.M)
    return float(m.group(1)) if m else 0.0


class ProcCPU:
    """CPU seconds (user + system) of a server process, of its model child, and RSS of that child."""

    def __init__(self, pid: int):
        import psutil

        self.server = psutil.Process(pid)

    def model(self):
        for c in self.server.children(recursive=True):
            try:
                if c.name() == "helixc-model":
                    return c
            except Exception:  # noqa: BLE001
                continue
        return None

    def times(self) -> dict:
        out = {}
        for name, proc in (("server", self.server), ("model", self.model())):
            if proc is not None:
                t = proc.cpu_times()
                out[name] = t.user + t.system
        return out

    def model_rss_mib(self) -> float | None:
        m = self.model()
        return round(m.memory_info().rss / 2**20, 1) if m is not None else None


async def wait_ready(port: int) -> None:
    client = RawClient(port)
    deadline = time.monotonic() + 600
    while True:
        try:
            state = json.loads((await client.request("GET", "/health"))[1])["model"]
        except OSError:
            state = "starting"
        if state not in ("loading", "starting"):
            break
        if time.monotonic() > deadline:
            raise SystemExit("model did not load in 10 minutes")
        await asyncio.sleep(0.2)
    await client.close()
    if state != "ready":
        raise SystemExit(f"model not available: {state}")


async def ab_round(port: int, cpu: ProcCPU, english: list[dict], notation: list[dict], args, probe_lat: list) -> dict:
    """One English run (args.ab_clients clients) with the notation probe alongside; CPU of every part."""
    client = RawClient(port)
    m0 = (await client.request("GET", "/metrics"))[1].decode()
    c0, g0, w0 = cpu.times(), time.process_time(), time.perf_counter()
    stop = asyncio.Event()

    async def english_run():
        try:
            return await closed_loop(port, english, args.ab_clients)
        finally:
            stop.set()

    eng, probe = await asyncio.gather(english_run(), closed_loop(port, notation * 100, PROBE_CLIENTS, stop,
                                                                 rate=args.probe_rate, keep=probe_lat))
    wall = time.perf_counter() - w0
    c1, g1 = cpu.times(), time.process_time()
    m1 = (await client.request("GET", "/metrics"))[1].decode()
    await client.close()
    n = metric(m1, "helixc_model_batch_size_count") - metric(m0, "helixc_model_batch_size_count")
    rows = metric(m1, "helixc_model_batch_size_sum") - metric(m0, "helixc_model_batch_size_sum")
    model_s = metric(m1, "helixc_model_batch_seconds_total") - metric(m0, "helixc_model_batch_seconds_total")
    wait_s = metric(m1, "helixc_model_batch_wait_seconds_total") - metric(m0, "helixc_model_batch_wait_seconds_total")
    return {"english": eng, "probe": probe, "wall_s": round(wall, 3),
            "mean_batch": round(rows / n, 2) if n else None,
            "model_busy": round(model_s / wall, 3),  # share of the wall time the worker spent in engine.answer
            "batch_wait_s": round(wait_s, 3),
            "cpu_share": {k: round((c1[k] - c0.get(k, c1[k])) / wall, 3) for k in c1} | {
                "load_generator": round((g1 - g0) / wall, 3)},
            "model_rss_mib": cpu.model_rss_mib()}


async def bench_ab(args, english: list[dict], notation: list[dict]) -> dict:
    """Batching on and off in the same run: both servers up, rounds alternating which goes first.
    ``--before PATH``: two more servers running the helixc package of that checkout, in the same rounds."""
    variants = {"on": (True, None), "off": (False, None)}
    if args.before:
        variants |= {"before_on": (True, args.before), "before_off": (False, args.before)}
    servers = {k: ServerProcess(args, batching, path) for k, (batching, path) in variants.items()}
    try:
        await asyncio.gather(*(wait_ready(srv.port) for srv in servers.values()))
        cpus = {k: ProcCPU(srv.proc.pid) for k, srv in servers.items()}
        for srv in servers.values():  # warm-up: every route, the parsers
            await closed_loop(srv.port, english[:args.ab_clients], args.ab_clients)
            await closed_loop(srv.port, notation[:50], 4)
        rounds = []
        probe_lat: dict[str, list] = {k: [] for k in servers}
        names = list(servers)
        for r in range(args.rounds):
            row = {}
            for k in (names if r % 2 == 0 else names[::-1]):
                row[k] = await ab_round(servers[k].port, cpus[k], english, notation, args, probe_lat[k])
            row["ratio"] = round(row["on"]["english"]["throughput_rps"] / row["off"]["english"]["throughput_rps"], 3)
            if args.before:
                row["ratio_before"] = round(row["before_on"]["english"]["throughput_rps"]
                                            / row["before_off"]["english"]["throughput_rps"], 3)
            rounds.append(row)
            print(f"round {r}: " + "; ".join(
                f"{k} {row[k]['english']['throughput_rps']:.1f} rps (batch {row[k]['mean_batch']}, notation p99 "
                f"{row[k]['probe']['p99_ms']:.1f} ms, CPU {row[k]['cpu_share']})" for k in names)
                + f"; ratio {row['ratio']:.2f}" + (f", before {row['ratio_before']:.2f}" if args.before else ""),
                flush=True)
    finally:
        for srv in servers.values():
            srv.stop()
    import statistics

    def med(xs):
        return round(statistics.median(xs), 3)

    ratios = [r["ratio"] for r in rounds]
    summary = {"ratio_median": med(ratios), "ratio_min": min(ratios), "ratio_max": max(ratios), "ratios": ratios}
    if args.before:
        rb = [r["ratio_before"] for r in rounds]
        summary |= {"before_ratio_median": med(rb), "before_ratio_min": min(rb), "before_ratio_max": max(rb),
                    "before_ratios": rb}
    for key in names:
        summary[f"english_rps_{key}"] = med([r[key]["english"]["throughput_rps"] for r in rounds])
        summary[f"english_p99_ms_{key}"] = med([r[key]["english"]["p99_ms"] for r in rounds])
        summary[f"mean_batch_{key}"] = med([r[key]["mean_batch"] for r in rounds])
        summary[f"batch_wait_s_{key}"] = med([r[key]["batch_wait_s"] for r in rounds])
        lat = sorted(probe_lat[key])
        summary[f"notation_under_load_{key}"] = {"requests": len(lat), "p50_ms": round(pct(lat, 50) * 1000, 2),
                                                 "p99_ms": round(pct(lat, 99) * 1000, 2),
                                                 "max_ms": round(lat[-1] * 1000, 2) if lat else None}
        for part in ("server", "model", "load_generator"):
            vals = [r[key]["cpu_share"].get(part) for r in rounds if r[key]["cpu_share"].get(part) is not None]
            if vals:
                summary.setdefault(f"cpu_share_{key}", {})[part] = med(vals)
        summary[f"model_busy_{key}"] = med([r[key]["model_busy"] for r in rounds])
        summary[f"model_rss_mib_{key}"] = max((r[key]["model_rss_mib"] or 0) for r in rounds)
    return {"rounds": rounds, "summary": summary}


def breakdown(args, english: list[dict]) -> dict:
    """Where a batch's time goes without HTTP: the model in this process, the same through the
    process hop (ProcessEngine: pickling + pipe + wake-ups), and the pickling alone; batch 1 and
    batch args.ab_clients, interleaved rounds."""
    import pickle
    import statistics

    from helixc.engine import TranslateRequest
    from helixc.server.app import load_moe
    from helixc.server.procengine import ProcessEngine

    reqs = [TranslateRequest(text=b["text"], to="auto") for b in english]
    b = args.ab_clients
    n = len(reqs) - len(reqs) % b
    reqs = reqs[:n]
    moe = load_moe(args.models, args.model_threads)
    # same priority as this process: the difference to in_process is the hop, not the scheduler
    proc = ProcessEngine("helixc.server.app:load_moe", args.models, args.model_threads, niceness=0)
    moe.answer(reqs[:b])
    proc.answer(reqs[:b])
    res: dict[str, list[float]] = {}
    for r in range(args.rounds):
        for name, eng in (("in_process", moe), ("process_hop", proc)):
            for mixed in ("1", "0"):
                os.environ["HELIXC_MIXED_BATCH"] = mixed
                if name == "process_hop" and mixed == "0":
                    continue  # the child read the environment at spawn: mixed only
                for size in (1, b):
                    t0 = time.perf_counter()
                    for i in range(0, n, size):
                        out = eng.answer(reqs[i:i + size])
                    res.setdefault(f"{name}_mixed{mixed}_b{size}", []).append(n / (time.perf_counter() - t0))
        print(f"breakdown round {r}: " + ", ".join(f"{k} {v[-1]:.1f}" for k, v in res.items()), flush=True)
    os.environ.pop("HELIXC_MIXED_BATCH", None)
    proc.close()
    t0 = time.perf_counter()
    for _ in range(20):
        blob_q = pickle.dumps(reqs[:b])
        blob_a = pickle.dumps(out)
        pickle.loads(blob_q)
        pickle.loads(blob_a)
    pickle_ms = (time.perf_counter() - t0) / 20 * 1000
    rps = {k: round(statistics.median(v), 2) for k, v in res.items()}
    return {"requests_per_s": rps, "rounds": {k: [round(x, 2) for x in v] for k, v in res.items()},
            "ratio_in_process_mixed": round(rps[f"in_process_mixed1_b{b}"] / rps["in_process_mixed1_b1"], 2),
            "ratio_in_process_per_adapter": round(rps[f"in_process_mixed0_b{b}"] / rps["in_process_mixed0_b1"], 2),
            "ratio_process_hop": round(rps[f"process_hop_mixed1_b{b}"] / rps["process_hop_mixed1_b1"], 2),
            "pickle_batch_ms": round(pickle_ms, 3), "pickle_bytes": {"requests": len(blob_q), "answers": len(blob_a)}}


def ab_main(args) -> None:
    t0 = time.time()
    load_before = os.getloadavg()
    english = english_requests(args.english_requests + 16)
    english = english[16:] + english[:16]
    english = english[:args.english_requests]
    notation = notation_requests(args.notation_requests)
    if args.breakdown_only:
        res = breakdown(args, english)
        print(json.dumps({k: v for k, v in res.items() if k != "rounds"}, indent=1))
        out = RESULTS.with_name("serve_breakdown.json")
        out.write_text(json.dumps({"benchmark": "model in process vs through the process hop (bench_serve.py --ab "
                                                "--breakdown-only)", "command": " ".join(
                                                    [Path(sys.executable).name, "benchmarks/bench_serve.py", *sys.argv[1:]]),
                                   "note": "2-core machine shared with other agents' work; rounds interleaved",
                                   "load_before": load_before, "load_after": os.getloadavg(), **res}, indent=2) + "\n")
        print(f"wrote {out}")
        return
    result = asyncio.run(bench_ab(args, english, notation))
    if args.breakdown:
        result["breakdown"] = breakdown(args, english)
    sm = result["summary"]
    print(json.dumps(sm, indent=1))
    if "breakdown" in result:
        print(json.dumps({k: v for k, v in result["breakdown"].items() if k != "rounds"}, indent=1))
    targets = {
        f"english_ratio_median_{args.ab_clients}_clients >= 3": sm["ratio_median"] >= 3,
        "notation_p99_ms_under_load (batching on) <= 20": sm["notation_under_load_on"]["p99_ms"] <= 20,
    }
    report = {
        "benchmark": "helixc serve, batching on vs off, interleaved rounds (benchmarks/bench_serve.py --ab)",
        "command": " ".join([Path(sys.executable).name, "benchmarks/bench_serve.py", *sys.argv[1:]]),
        "engine": f"MoE from {args.models or 'the shipped models'}",
        "note": "2-core machine, possibly shared with other work (machine.load_before says how busy); ratios are "
                "per round, on and off measured back to back, the order alternating each round",
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "load_before": load_before},
        "settings": {"clients": args.ab_clients, "english_requests_per_run": len(english), "rounds": args.rounds,
                     "max_batch": args.max_batch, "batch_wait_ms": args.batch_wait_ms,
                     "model_niceness": args.model_niceness, "model_threads": args.model_threads,
                     "mixed_adapters": not args.no_mixed, "probe_clients": PROBE_CLIENTS,
                     "probe_rate_rps": args.probe_rate or "closed loop (as fast as answered)"},
        "wall_seconds": round(time.time() - t0, 1),
        **result,
        "targets_met": targets,
    }
    report["machine"]["load_after"] = os.getloadavg()
    print(json.dumps(targets))
    out = Path(args.out if args.out != str(RESULTS) else RESULTS.with_name("serve_batching.json"))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(report, indent=2) + "\n")
    tmp.replace(out)
    print(f"wrote {out}")



HEADER = f"{'batching':>8} {'kind':<20} {'clients':>7} {'requests':>8} {'ok':>6} {'rps':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'batch':>6}"


def print_row(r: dict) -> None:
    kind = r["kind"] + (f"@{r['under_english_clients']}" if "under_english_clients" in r else "")
    mb = r.get("mean_batch")
    print(f"{'on' if r['batching'] else 'off':>8} {kind:<20} {r['clients']:>7} {r['requests']:>8} {r['ok']:>6} "
          f"{r['throughput_rps']:>8.1f} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} {r['p99_ms']:>8.1f} "
          f"{(f'{mb:.1f}' if mb else '-'):>6}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", default="16,64", help="comma-separated client counts")
    ap.add_argument("--english-requests", type=int, default=192)
    ap.add_argument("--notation-requests", type=int, default=1000)
    ap.add_argument("--max-batch", type=int, default=16)
    ap.add_argument("--max-queue", type=int, default=256)
    ap.add_argument("--batch-wait-ms", type=float, default=10.0, help="helixc serve --batch-wait-ms")
    ap.add_argument("--model-niceness", type=int, default=5,
                    help="nice increment of the model process (helixc serve uses 5; 0 on a machine shared with other work)")
    ap.add_argument("--model-threads", type=int, default=1, help="helixc serve's torch threads in the model process")
    ap.add_argument("--ab", action="store_true", help="batching on vs off, both servers up, interleaved rounds (see above)")
    ap.add_argument("--rounds", type=int, default=4, help="--ab: rounds (each: one run on, one off)")
    ap.add_argument("--ab-clients", type=int, default=16, help="--ab: English clients")
    ap.add_argument("--probe-rate", type=float, default=0.0,
                    help="--ab, --hostile: notation probe requests/s in all (0: closed loop, as fast as answered)")
    ap.add_argument("--before", default=None, help="--ab: a checkout of older helixc code, measured in the same rounds")
    ap.add_argument("--no-mixed", action="store_true", help="HELIXC_MIXED_BATCH=0 in the servers (per-adapter decoding)")
    ap.add_argument("--breakdown-only", action="store_true", help="--ab: only the breakdown (results/serve_breakdown.json)")
    ap.add_argument("--breakdown", action="store_true", help="--ab: also the model in process / through the process hop")
    ap.add_argument("--models", default=None, help="model directory (default: the shipped models)")
    ap.add_argument("--fake-engine", action="store_true", help="no models: a stand-in engine (see FakeEngine)")
    ap.add_argument("--fake-base", type=float, default=0.08, help="fake engine: seconds per batch")
    ap.add_argument("--fake-per-row", type=float, default=0.004, help="fake engine: seconds per row of a batch")
    ap.add_argument("--in-process-model", action="store_true",
                    help="run the MoE in the server process (default: a child process, as helixc serve does)")
    ap.add_argument("--engine-factory", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--hostile", action="store_true", help="measure notation latency under hostile clients (see above)")
    ap.add_argument("--hostile-clients", type=int, default=16)
    ap.add_argument("--hostile-in-process", action="store_true",
                    help="--hostile: run the hostile clients in the probes' event loop (before 2026-12-07: the probes' "
                         "latency then includes their wait behind the hostile clients in the load generator)")
    ap.add_argument("--worker-niceness", type=int, default=None,
                    help="nice increment of the notation lane's processes (default: helixc serve's, 5)")
    ap.add_argument("--hostile-nice", type=int, default=0,
                    help="--hostile: nice increment of the hostile clients' process (0: same priority as the server)")
    ap.add_argument("--seconds", type=float, default=60.0, help="--hostile: how long the load runs")
    ap.add_argument("--server-timeout", type=float, default=None,
                    help="helixc serve --timeout (default: 300 s; with --hostile, the server's default of 30 s)")
    ap.add_argument("--out", default=str(RESULTS))
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--no-batching", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child_main(args)
    if args.hostile:
        args.server_timeout = args.server_timeout or 30.0
        return hostile_main(args)
    if args.ab:
        return ab_main(args)
    args.clients = [int(c) for c in args.clients.split(",")]
    english = english_requests(args.english_requests + 8)
    english = english[8:] + english[:8]
    notation = notation_requests(args.notation_requests)
    print(HEADER)
    t0 = time.time()
    rows = []
    for batching in (True, False):
        rows += asyncio.run(bench_server(args, batching, english, notation))

    def find(kind, batching, clients):
        return next((r for r in rows if r["kind"] == kind and r["batching"] == batching
                     and r.get("under_english_clients", r["clients"]) == clients), None)

    summary = {}
    for c in args.clients:
        on, off = find("english", True, c), find("english", False, c)
        if on and off and off["throughput_rps"]:
            summary[f"english_speedup_batching_{c}_clients"] = round(on["throughput_rps"] / off["throughput_rps"], 2)
        probe = find("notation_under_load", True, c)
        if probe:
            summary[f"notation_p99_ms_under_{c}_english_clients"] = probe["p99_ms"]
    targets = {}
    if 16 in args.clients:
        targets = {
            "english_speedup_16_clients >= 3": summary.get("english_speedup_batching_16_clients", 0) >= 3,
            "notation_p99_ms_under_16_english_clients <= 20": summary.get("notation_p99_ms_under_16_english_clients", 1e9) <= 20,
        }
    report = {
        "benchmark": "helixc serve on loopback (benchmarks/bench_serve.py)",
        "command": " ".join([Path(sys.executable).name, "benchmarks/bench_serve.py", *sys.argv[1:]]),
        "engine": (args.engine_factory or ("fake (see FakeEngine)" if args.fake_engine
                                           else f"MoE from {args.models or 'the shipped models'}")),
        "model_process": not args.in_process_model,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "settings": {"max_batch": args.max_batch, "max_queue": args.max_queue, "batch_wait_ms": args.batch_wait_ms, "model_niceness": args.model_niceness, "english_requests": args.english_requests,
                     "notation_requests": args.notation_requests, "probe_clients": PROBE_CLIENTS},
        "wall_seconds": round(time.time() - t0, 1),
        "runs": rows,
        "summary": summary,
        "targets_met": targets,
    }
    print(json.dumps(summary), json.dumps(targets))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(report, indent=2) + "\n")
    tmp.replace(out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
