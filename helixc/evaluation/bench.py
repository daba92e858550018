"""Runs the benchmark scripts and writes one summary table (``benchmarks/run_all``, ``helixc bench``).

Each ``benchmarks/bench_*.py`` runs in its own process (so one crash does not stop the rest)
with these environment variables:

* ``HELIXC_BENCH_JSON``: where the script may write its results as a JSON object;
* ``HELIXC_BENCH_OUT``: the results directory.

Results are taken from that JSON file if the script wrote it, else from the last stdout line
that is a JSON object, else the script's other JSON files in the results directory written
during the run. Every script's stdout+stderr goes to ``results/<name>.log``.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .report import atomic_write_text, md_table, write_json

KNOWN = ("bench_codec", "bench_constrain", "bench_moe", "bench_serve")
MAX_METRICS_IN_TABLE = 8


def discover(bench_dir: Path) -> list[tuple[str, Path | None]]:
    """The known benchmarks in their fixed order (None where absent), then any other bench_*.py."""
    out: list[tuple[str, Path | None]] = []
    for name in KNOWN:
        p = bench_dir / f"{name}.py"
        out.append((name, p if p.is_file() else None))
    for p in sorted(bench_dir.glob("bench_*.py")):
        if p.stem not in KNOWN:
            out.append((p.stem, p))
    return out


def flatten(obj: Any, prefix: str = "", depth: int = 0, max_depth: int = 3) -> dict[str, Any]:
    """Scalars of a nested dict as dotted keys (lists are summarised by their length)."""
    out: dict[str, Any] = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            key = f"{prefix}.{k}" if prefix else str(k)
            if isinstance(v, dict) and depth < max_depth:
                out.update(flatten(v, key, depth + 1, max_depth))
            elif isinstance(v, (list, tuple)):
                if all(isinstance(x, (int, float, str, bool)) or x is None for x in v) and len(v) <= 6:
                    out[key] = ", ".join(str(x) for x in v)
                else:
                    out[f"{key} (items)"] = len(v)
            elif isinstance(v, (int, float, str, bool)) or v is None:
                out[key] = v
    return out


def fmt(v: Any) -> str:
    if isinstance(v, float):
        if v == 0 or 0.01 <= abs(v) < 1e6:
            return f"{v:.3f}".rstrip("0").rstrip(".")
        return f"{v:.3g}"
    s = str(v)
    return s if len(s) <= 60 else s[:57] + "..."


def _last_json_line(text: str) -> dict | None:
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{") and line.endswith("}"):
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(obj, dict):
                return obj
    return None


def run_one(name: str, script: Path, out_dir: Path, repo_root: Path, timeout: int) -> dict:
    json_path = out_dir / f"{name}.json"
    log_path = out_dir / f"{name}.log"
    env = dict(os.environ, HELIXC_BENCH_JSON=str(json_path), HELIXC_BENCH_OUT=str(out_dir),
               PYTHONUNBUFFERED="1")
    before = {p: p.stat().st_mtime for p in out_dir.glob("*.json")}
    start_wall = time.time()
    t0 = time.perf_counter()
    status, rc, output = "ok", None, ""
    try:
        proc = subprocess.run([sys.executable, str(script)], cwd=repo_root, env=env, capture_output=True,
                              text=True, timeout=timeout)
        rc = proc.returncode
        output = (proc.stdout or "") + ("\n--- stderr ---\n" + proc.stderr if proc.stderr else "")
        stdout = proc.stdout or ""
        if rc != 0:
            status = "failed"
    except subprocess.TimeoutExpired as e:
        status = "timeout"
        stdout = e.stdout.decode("utf-8", "replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        output = stdout
    seconds = time.perf_counter() - t0
    atomic_write_text(log_path, output)
    results: dict | None = None
    source = None
    short = out_dir / f"{name.removeprefix('bench_')}.json"  # the scripts' own convention: results/codec.json
    default = script.parent / "results" / short.name  # where a script writes when it ignores HELIXC_BENCH_OUT
    for cand in (json_path, short, default):
        if results is None and cand.is_file() and cand.stat().st_mtime >= start_wall - 1:
            try:
                results = json.loads(cand.read_text(encoding="utf-8"))
                source = cand.name
            except (OSError, json.JSONDecodeError):
                results = None
    if results is None:
        results = _last_json_line(stdout)
        source = "stdout" if results is not None else None
    if results is None:
        fresh = [p for p in out_dir.glob("*.json")
                 if p.name not in ("summary.json",) and p.stat().st_mtime > before.get(p, 0) and p.stat().st_mtime >= start_wall - 1]
        merged = {}
        for p in sorted(fresh):
            try:
                merged[p.stem] = json.loads(p.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                continue
        if merged:
            results, source = merged, ", ".join(sorted(p.name for p in fresh))
    metrics = flatten(results) if isinstance(results, dict) else {}
    key = key_metrics(results) if isinstance(results, dict) else {}
    tables = {k: v for k, v in results.items() if _is_table(v)} if isinstance(results, dict) else {}
    tail = [ln for ln in stdout.strip().splitlines() if ln.strip()][-5:]
    return {"name": name, "script": str(script.relative_to(repo_root)) if script.is_relative_to(repo_root) else str(script),
            "status": status, "returncode": rc, "seconds": round(seconds, 2), "results_from": source,
            "metrics": metrics, "key_metrics": key, "tables": tables, "stdout_tail": tail, "log": str(log_path)}


def _is_table(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


KEY_HINTS = ("summary", "targets_met", "targets", "headline", "cli", "results")


def key_metrics(results: dict) -> dict[str, Any]:
    """What goes in the one-line summary: the script's own summary/targets sections when it has
    them, else its top-level scalars and small sections."""
    picked = {k: results[k] for k in KEY_HINTS if isinstance(results.get(k), dict)}
    if picked:
        return flatten(picked)
    skip = ("python", "platform", "cpu_count", "seed", "machine", "command", "benchmark")
    return {k: v for k, v in flatten({k: v for k, v in results.items() if k not in skip}).items()
            if not k.endswith("(items)")}


def render_summary(summary: dict) -> str:
    lines = ["# Benchmark summary", "",
             f"Generated {summary['generated_at']} by `{summary['command']}` on {summary['machine']}.", ""]
    rows = []
    for b in summary["benchmarks"]:
        if b["status"] == "missing":
            rows.append([b["name"], "not present", "", ""])
            continue
        items = list((b.get("key_metrics") or b["metrics"]).items())[:MAX_METRICS_IN_TABLE]
        key = "; ".join(f"{k}={fmt(v)}" for k, v in items) if items else (" / ".join(b["stdout_tail"][-2:]) or "")
        rows.append([b["name"], b["status"] + (f" (rc {b['returncode']})" if b["returncode"] not in (0, None) else ""),
                     f"{b['seconds']:.1f} s", key])
    lines += [md_table(["benchmark", "status", "time", "key results"], rows), ""]
    for b in summary["benchmarks"]:
        if b["status"] == "missing" or not b["metrics"]:
            continue
        lines += [f"## {b['name']}", "", f"`{b['script']}`, results from {b['results_from']}; log `{b['log']}`.", "",
                  md_table(["metric", "value"], [[k, fmt(v)] for k, v in b["metrics"].items()
                                                 if not k.endswith("(items)")]), ""]
        for tname, rows in (b.get("tables") or {}).items():
            cols: list[str] = []
            for r in rows:
                for k, v in r.items():
                    if k not in cols and not isinstance(v, (dict, list)):
                        cols.append(k)
            cols = cols[:12]
            lines += [f"### {b['name']}: {tname}", "",
                      md_table(cols, [[fmt(r.get(c, "")) for c in cols] for r in rows[:60]]), ""]
    return "\n".join(lines).rstrip() + "\n"


def run_all(bench_dir: Path, out_dir: Path, only: tuple[str, ...] = (), timeout: int = 1800,
            echo=print) -> dict:
    bench_dir, out_dir = bench_dir.resolve(), out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    repo_root = bench_dir.parent
    wanted = {o if o.startswith("bench_") else f"bench_{o}" for o in only}
    entries = []
    for name, script in discover(bench_dir):
        if wanted and name not in wanted:
            continue
        if script is None:
            entries.append({"name": name, "status": "missing", "metrics": {}, "stdout_tail": []})
            echo(f"[bench] {name}: not present, skipped")
            continue
        echo(f"[bench] {name}: running {script.name} ...")
        entry = run_one(name, script, out_dir, repo_root, timeout)
        echo(f"[bench] {name}: {entry['status']} in {entry['seconds']:.1f} s")
        entries.append(entry)
    import platform

    summary = {
        "generated_at": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "benchmarks/run_all" + (" " + " ".join(f"--only {o}" for o in only) if only else ""),
        "machine": f"{platform.platform()}, {len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()} CPU(s), Python {platform.python_version()}",
        "benchmarks": entries,
    }
    write_json(out_dir / "summary.json", summary)
    atomic_write_text(out_dir / "summary.md", render_summary(summary))
    return summary


def main_run(bench_dir: str | None = None, out_dir: str | None = None, only=(), timeout: int = 1800) -> int:
    bdir = Path(bench_dir) if bench_dir else Path.cwd() / "benchmarks"
    if not bdir.is_dir():
        from ..errors import HelixError

        raise HelixError("E_INPUT", f"no benchmark directory at {bdir} (run from the repository root or pass --dir)")
    odir = Path(out_dir) if out_dir else bdir / "results"
    summary = run_all(bdir, odir, tuple(only), timeout)
    print(render_summary(summary))
    print(f"wrote {odir / 'summary.md'} and {odir / 'summary.json'}")
    failed = [b for b in summary["benchmarks"] if b["status"] in ("failed", "timeout")]
    return 1 if failed else 0
