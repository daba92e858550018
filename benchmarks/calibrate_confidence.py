"""Calibrate the confidence thresholds of a model directory (``confidence.json``).

Runs the MoE (engine auto, as ``helixc translate`` does) over calibration rows only:

* ``val``: the corpus validation split (``helixc corpus build`` first; ``--corpus``), N rows of each
  route the models have (so an added notation's too);
* the dev halves of the blind free-English sets (``--dev``, repeatable; default
  ``benchmarks/blind/dev.jsonl``), each scored as its own source (the file's stem: ``dev``, ``dev2``);
* ``garbage``: ``benchmarks/blind/garbage-dev.jsonl`` (every answer given there is wrong).

The sealed test halves and the garbage test file are never read here (a --dev file whose name
says sealed or test is refused). For every grid point of
(route_prob, route_prob_named, min_prob, max_forced, explain_prob), then for route_prob_explain with the others
held, it counts, per source, coverage (share answered
with confidence) and precision (exact among those answered), then picks the point with the
highest coverage on val + the dev sets whose precision is >= ``--target`` on val and on each dev set and that
answers no garbage row; with no such point, among those meeting it on val (no garbage answered) the one
with the best precision on the worst dev set (and where every point answers some garbage, the fewest). Prints a table, writes
``confidence.json`` into the model directory (``--write``) and the per-row features to
``benchmarks/results/confidence_calibration.json``.

    HELIXC_TORCH_THREADS=2 .venv/bin/python benchmarks/calibrate_confidence.py --per-route 200 --write
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _instruction(row: dict) -> str:
    text = row["input"]
    if text.startswith("### Instruction:\n"):
        text = text[len("### Instruction:\n"):]
    return text.split("\n\n### Response:")[0]


def val_rows(per_route: int, routes, base: Path = ROOT / "corpora" / "data" / "generated") -> list[dict]:
    """N validation rows of each route the models have (a notation added with --add-notation too)."""
    out = []
    for role in routes:
        path = base / role / "val.jsonl"
        if not path.is_file():
            raise SystemExit(f"{path} missing: run `helixc corpus build` first")
        rows = [json.loads(line) for line in path.open(encoding="utf-8")]
        step = max(1, len(rows) // per_route)
        for r in rows[::step][:per_route]:
            out.append({"source": "val", "request": _instruction(r), "to": "auto", "expected": r["output"],
                        "route": r["route"]})
    return out


def score(rows, th) -> dict:
    from helixc.evaluation.blind import rejudge
    from helixc.evaluation.blind import score as _score

    rejudge(rows, th)
    return _score(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default=None)
    ap.add_argument("--per-route", type=int, default=200)
    ap.add_argument("--corpus", default=str(ROOT / "corpora" / "data" / "generated"),
                    help="corpus whose val split is read (one with the added notation's rows for such models)")
    ap.add_argument("--dev", action="append", default=None,
                    help="blind dev file(s), each its own source (default benchmarks/blind/dev.jsonl); repeatable")
    ap.add_argument("--garbage", default=str(ROOT / "benchmarks" / "blind" / "garbage-dev.jsonl"))
    ap.add_argument("--target", type=float, default=0.99)
    ap.add_argument("--write", action="store_true", help="write confidence.json into the model directory")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "confidence_calibration.json"))
    a = ap.parse_args(argv)

    from helixc.neural import default_models_dir
    from helixc.neural.confidence import Thresholds

    models_dir = Path(a.models) if a.models else default_models_dir()
    from helixc.evaluation.blind import CachedMoE, load_rows, render, run_rows, wrong_answers
    from helixc.neural.service import get_moe

    moe = CachedMoE(get_moe(models_dir))
    rows = val_rows(a.per_route, moe.routes(), Path(a.corpus)) if a.per_route else []
    devs = a.dev or [str(ROOT / "benchmarks" / "blind" / "dev.jsonl")]
    dev_sources = []
    for path in devs:
        src = Path(path).stem
        if "sealed" in src or "test" in src:
            raise SystemExit(f"{path}: a sealed/test half is never calibrated on")
        dev_sources.append(src)
        rows += load_rows(Path(path), src)
    if Path(a.garbage).is_file():
        rows += load_rows(Path(a.garbage), "garbage")
    t0 = time.perf_counter()
    run_rows(rows, moe, progress=lambda m: print(m, file=sys.stderr))
    moe.save()
    print(f"ran {len(rows)} rows in {time.perf_counter() - t0:.0f} s ({moe.misses} model rows not cached)",
          file=sys.stderr)

    route_grid = [0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99]
    grid = itertools.product(route_grid, route_grid, [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
                             [0, 1, 2], [0.3, 0.5, 0.7, 0.8, 0.9, 0.95])
    best, best_key = None, None
    for rp, rpn, mp, mf, ep in grid:
        if rpn > rp:  # agreement with the rule reader never asks for more
            continue
        th = Thresholds(route_prob=rp, route_prob_named=rpn, min_prob=mp, max_forced=mf, explain_prob=ep)
        st = score(rows, th)
        garbage = st.get("garbage", {"answered_unparsed": 0})["answered_unparsed"]
        no_garbage = garbage == 0
        ok = all(st[s]["precision"] >= a.target for s in ("val", *dev_sources) if s in st) and no_garbage
        val_ok = st.get("val", {"precision": 1.0})["precision"] >= a.target and no_garbage
        cov = sum(st[s]["right"] for s in ("val", *dev_sources) if s in st)
        prec = min((st[s]["precision"] for s in dev_sources if s in st), default=1.0)
        # meeting the target everywhere: the most right answers; else, among the points that meet it
        # on val (and answer no garbage), the best precision on the worst dev set, then the most right;
        # where none answers no garbage, the fewest garbage answers first
        key = (ok, val_ok, -garbage, cov if ok else prec, cov)
        if best_key is None or key > best_key:
            best, best_key = (th, st), key
    # then the explain route's own threshold (Thresholds.route_prob_explain), the others held where they are
    # (the full grid times seven would take minutes to score)
    th0 = best[0]
    for rpe in [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98]:
        th = Thresholds(**{**th0.__dict__, "route_prob_explain": rpe})
        st = score(rows, th)
        garbage = st.get("garbage", {"answered_unparsed": 0})["answered_unparsed"]
        ok = all(st[s]["precision"] >= a.target for s in ("val", *dev_sources) if s in st) and garbage == 0
        val_ok = st.get("val", {"precision": 1.0})["precision"] >= a.target and garbage == 0
        cov = sum(st[s]["right"] for s in ("val", *dev_sources) if s in st)
        prec = min((st[s]["precision"] for s in dev_sources if s in st), default=1.0)
        key = (ok, val_ok, -garbage, cov if ok else prec, cov)
        if key > best_key:
            best, best_key = (th, st), key
    th, st = best
    st = score(rows, th)
    print(f"chosen: {th} (meets target: {best_key[0]})")
    print(render(st), end="")
    for w in wrong_answers(rows):
        print("  wrong:", w["source"], repr(w["request"]), w["to"], "->", repr(w["output"])[:70], file=sys.stderr)
    default = score(rows, Thresholds())
    print("defaults:", {s: (round(v["coverage"], 3), round(v["precision"], 3)) for s, v in default.items()})
    score(rows, th)
    report = {"thresholds": th.__dict__, "meets_target": best_key[0], "target_precision": a.target,
              "calibrated_on": {s: v["n"] for s, v in st.items()}, "scores": st,
              "command": "HELIXC_TORCH_THREADS=2 .venv/bin/python benchmarks/calibrate_confidence.py " + " ".join(argv or sys.argv[1:])}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps({**report, "rows": [{k: v for k, v in r.items()} for r in rows]}, ensure_ascii=False, indent=1, default=str) + "\n")
    if a.write:
        (models_dir / "confidence.json").write_text(json.dumps(report, indent=1) + "\n")
        print(f"wrote {models_dir / 'confidence.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
