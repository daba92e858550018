"""Never-silently-wrong evaluation: the blind free-English format and the garbage format.

Both are scored the way ``helixc translate`` behaves: a row is *answered* when translate exits 0
(a compiler translation, or an English answer judged confident); an abstention (exit 3, "not
sure") and an input error (exit 2) are not answers.

* blind rows ``{"id", "request", "to", "route", "value" (canonical text in the value
  notation, ``catalog.value_notation()``), "knowledge_id"}``
  (``benchmarks/blind/dev.jsonl``): coverage (share answered), precision of answered (exact among
  those), end to end (exact over all rows; abstentions count as not correct), best reading
  (exact whether or not confident), routing (rows with ``to: auto``: the route the answer took).
* garbage rows ``{"id", "text", "kind", "to", "parses"}`` (``scripts/make_garbage.py``): each is
  run with ``--to auto`` and with ``--to <to>``; an exit-0 answer to a text no notation parses is
  a failure (the target is 0), counted per kind and per mode.
* corpus rows (``input``/``output``/``route``, e.g. a val split): scored like blind rows.

Model outputs are cached per row (route probabilities and the specialists' decoded outputs) in a
pickle under ``/tmp`` keyed by the model directory's fingerprint, so re-scoring after a change
to the confidence checks re-runs only the compiler side (:class:`CachedMoE`).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
import time
from pathlib import Path
from typing import Any

from ..errors import HelixError

FORMATS = ("blind", "garbage", "corpus")


def sniff_format(path: str | Path) -> str | None:
    """'blind', 'garbage' or None (another format: the seed's input/output rows) from the first row."""
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    obj = json.loads(line)
                    break
            else:
                return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(obj, dict) or "input" in obj:
        return None
    if "text" in obj and "kind" in obj:
        return "garbage"
    if "request" in obj and "route" in obj:
        return "blind"
    return None


def _kb() -> dict:
    from .data import load_knowledge

    return {e["id"]: e["answer"] for e in load_knowledge()}


def load_rows(path: str | Path, source: str | None = None) -> list[dict]:
    """Rows of a blind or garbage file as dicts: source, id, request, to, route, expected (None:
    no answer is right), parses (garbage: notations that read the text), kind."""
    from .. import catalog, emit, parse

    p = Path(path)
    fmt = sniff_format(p)
    if fmt is None:
        raise HelixError("E_EVAL_INPUT", f"{p}: not a blind (request/route/value) or garbage (text/kind) file")
    src = source or p.stem
    kb = _kb() if fmt == "blind" else {}
    out = []
    for n, line in enumerate(p.open(encoding="utf-8"), start=1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
            if fmt == "garbage":
                for to in ("auto", r["to"]):
                    out.append({"source": src, "id": r["id"], "request": r["text"], "to": to, "route": "none",
                                "expected": None, "parses": list(r.get("parses") or []), "kind": r["kind"]})
                continue
            if r["route"] == "none":
                expected = None
            elif r["route"] == "explain":
                expected = kb[r["knowledge_id"]]
            else:
                expected = emit(parse(r["value"], catalog.value_notation()), r["route"])
        except (KeyError, TypeError, json.JSONDecodeError, HelixError) as e:
            raise HelixError("E_EVAL_INPUT", f"{p}:{n}: bad row: {e}") from e
        out.append({"source": src, "id": r.get("id", str(n)), "request": r["request"], "to": r.get("to", "auto"),
                    "route": r["route"], "expected": expected, "tags": r.get("tags", [])})
    return out


def corpus_rows(evalset, source: str) -> list[dict]:
    """Rows of a corpus/seed-format eval set (``helixc.evaluation.data.EvalSet``)."""
    return [{"source": source, "id": f"{r.file or ''}:{r.line}", "request": r.request, "to": "auto",
             "route": r.route, "expected": r.output} for r in evalset.rows]


# ---------------------------------------------------------------------------- model-output cache


def fingerprint(models_dir: Path) -> str:
    """Changes when any file of the model directory changes (path, size, mtime), or the decode switches."""
    h = hashlib.sha256(str(Path(models_dir).resolve()).encode())
    for f in sorted(Path(models_dir).rglob("*")):
        if f.is_file() and f.name != "confidence.json":
            st = f.stat()
            h.update(f"{f.relative_to(models_dir)}:{st.st_size}:{st.st_mtime_ns}".encode())
    h.update(os.environ.get("HELIXC_ORDER_GUARD", "").encode())
    return h.hexdigest()[:16]


class CachedMoE:
    """The MoE with its two model calls (``route_scored``, ``generate``) memoised per row in a
    pickle file; everything else is the MoE's. Only for evaluation: the cache trusts that the
    same text gives the same output (greedy decoding)."""

    def __init__(self, moe, path: str | Path | None = None):
        self._moe = moe
        fp = fingerprint(moe.dir)
        self._path = Path(path) if path else Path(os.environ.get("TMPDIR", "/tmp")) / f"helixc-moe-cache-{fp}.pkl"
        self._data: dict = {}
        if self._path.is_file():
            try:
                with open(self._path, "rb") as fh:
                    self._data = pickle.load(fh)
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
                self._data = {}
        self.misses = 0

    def __getattr__(self, name):
        return getattr(self._moe, name)

    def route_scored(self, texts, constrained: bool = True):
        keys = [("route", t, constrained) for t in texts]
        todo = [t for t, k in zip(texts, keys) if k not in self._data]
        if todo:
            self.misses += len(todo)
            for t, got in zip(todo, self._moe.route_scored(todo, constrained=constrained)):
                self._data[("route", t, constrained)] = got
        return [self._data[k] for k in keys]

    def generate(self, texts, routes, constrained: bool = True):
        keys = [("gen", t, r, constrained) for t, r in zip(texts, routes)]
        todo = [(t, r) for (t, r), k in zip(zip(texts, routes), keys) if k not in self._data]
        if todo:
            self.misses += len(todo)
            got = self._moe.generate([t for t, _ in todo], [r for _, r in todo], constrained=constrained)
            for (t, r), g in zip(todo, got):
                self._data[("gen", t, r, constrained)] = g
        return [self._data[k] for k in keys]

    def save(self) -> None:
        tmp = self._path.with_suffix(".tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(self._data, fh)
        os.replace(tmp, self._path)


# ---------------------------------------------------------------------------- running and scoring


def run_rows(rows: list[dict], moe, batch_size: int = 32, progress=None) -> list[dict]:
    """Every row through translate's path (compiler first, then the English answer, judged);
    fills outcome ('answer' | 'abstain' | 'error'), output, got_route, confident, reason, features,
    correct."""
    from ..engine import MAX_ENGLISH_CHARS, TranslateRequest, translate_notation
    from ..neural.service import answer_batch

    english, idx = [], []
    for i, r in enumerate(rows):
        req = TranslateRequest(text=r["request"], to=r["to"], engine="auto")
        try:
            res = translate_notation(req)
            if res is None and len(req.text.lstrip("\ufeff")) > MAX_ENGLISH_CHARS:
                raise HelixError("E_INPUT", "too long")
        except HelixError as e:
            r.update(outcome="error", error=e.code, output=None, got_route=None, features=None, reason=e.message)
            continue
        if res is not None:
            r.update(outcome="answer", output=res.output, got_route="notation", features=None, reason=None)
        else:
            english.append(TranslateRequest(text=req.text.lstrip("\ufeff"), to=r["to"], engine="auto"))
            idx.append(i)
    t0 = time.perf_counter()
    for s in range(0, len(english), batch_size):
        for i, res in zip(idx[s: s + batch_size], answer_batch(moe, english[s: s + batch_size])):
            rows[i].update(outcome="answer" if res.confident else "abstain", output=res.output, got_route=res.route,
                           features=res.features, reason=res.reason, engine=res.engine)
        if progress:
            progress(f"{min(s + batch_size, len(english))}/{len(english)} English rows, {time.perf_counter() - t0:.0f} s")
    for r in rows:
        r["correct"] = _correct(r)
    return rows


def _correct(r: dict) -> bool:
    """The expected text, written in the expected route: an English answer in another notation whose
    text happens to be the same (``[2]`` reads alike in several) is wrong."""
    if r.get("output") is None or r["expected"] is None or r["output"] != r["expected"]:
        return False
    got, want = r.get("got_route"), r.get("route")
    return got in (None, "notation") or want in (None, "none") or got == want


def rejudge(rows: list[dict], th) -> None:
    """Re-decide outcome for English rows under thresholds ``th`` (features were kept)."""
    from ..neural.confidence import judge

    for r in rows:
        if r.get("features") is not None:
            r["outcome"] = "answer" if judge(r["features"], th)[0] else "abstain"


def _bad_garbage(r: dict) -> bool:
    return r["outcome"] == "answer" and not r.get("parses")


def score(rows: list[dict]) -> dict[str, dict]:
    """Per source: n, answered, right, coverage, precision, end_to_end, best_reading, routing; garbage
    sources: answered (exit 0), answered_unparsed (exit 0 to text no notation parses: must be 0),
    per kind and per mode (to=auto / to=X)."""
    stats: dict[str, dict] = {}
    for r in rows:
        s = stats.setdefault(r["source"], {"n": 0, "answered": 0, "right": 0, "right_all": 0, "abstained": 0,
                                           "errors": 0, "routed": 0, "routed_right": 0})
        s["n"] += 1
        ans = r["outcome"] == "answer"
        s["answered"] += ans
        s["abstained"] += r["outcome"] == "abstain"
        s["errors"] += r["outcome"] == "error"
        s["right"] += ans and r["correct"]
        s["right_all"] += r["correct"]
        if r.get("kind") is not None:
            s["garbage"] = True
            s.setdefault("answered_unparsed", 0)
            s["answered_unparsed"] += _bad_garbage(r)
            k = s.setdefault("per_kind", {}).setdefault(r["kind"], {"n": 0, "answered": 0, "answered_unparsed": 0})
            k["n"] += 1
            k["answered"] += ans
            k["answered_unparsed"] += _bad_garbage(r)
            mode = "to=auto" if r["to"] == "auto" else "to=X"
            m = s.setdefault("per_mode", {}).setdefault(mode, {"n": 0, "answered": 0, "answered_unparsed": 0})
            m["n"] += 1
            m["answered"] += ans
            m["answered_unparsed"] += _bad_garbage(r)
        elif r["to"] == "auto" and r.get("route") not in (None, "none"):
            s["routed"] += 1
            got = r.get("got_route")
            s["routed_right"] += got == r["route"]
    for s in stats.values():
        n = s["n"]
        s["coverage"] = s["answered"] / n if n else 0.0
        s["precision"] = s["right"] / s["answered"] if s["answered"] else 1.0
        s["end_to_end"] = s["right"] / n if n else 0.0
        s["best_reading"] = s["right_all"] / n if n else 0.0
        s["routing"] = s["routed_right"] / s["routed"] if s["routed"] else None
    return stats


def render(stats: dict[str, dict]) -> str:
    lines = [f"{'set':14} {'rows':>5} {'coverage':>9} {'precision':>10} {'end-to-end':>11} {'best reading':>13} "
             f"{'routing':>8}"]
    for src, s in stats.items():
        if s.get("garbage"):
            continue
        rt = f"{s['routing']:8.1%}" if s["routing"] is not None else f"{'-':>8}"
        lines.append(f"{src:14} {s['n']:5d} {s['coverage']:9.1%} {s['precision']:10.1%} {s['end_to_end']:11.1%} "
                     f"{s['best_reading']:13.1%} {rt}")
    for src, s in stats.items():
        if not s.get("garbage"):
            continue
        lines.append(f"{src}: {s['n']} runs, {s['answered']} answered with exit 0, "
                     f"{s['answered_unparsed']} of them to text no notation parses (target 0); "
                     f"{s['abstained']} not sure (exit 3), {s['errors']} input errors (exit 2)")
        for mode, m in sorted(s["per_mode"].items()):
            lines.append(f"  {mode:8} {m['n']:4d} runs, {m['answered']:3d} answered, {m['answered_unparsed']:3d} unparsed")
        for kind, k in sorted(s["per_kind"].items()):
            lines.append(f"  {kind:10} {k['n']:4d} runs, {k['answered']:3d} answered, {k['answered_unparsed']:3d} unparsed")
    return "\n".join(lines) + "\n"


def wrong_answers(rows: list[dict], limit: int = 50) -> list[dict]:
    """Answered and wrong (blind) or answered unparsed (garbage): what a reader should look at."""
    out = []
    for r in rows:
        if (r["outcome"] == "answer" and r["expected"] is not None and not r["correct"]) or \
                (r.get("kind") is not None and _bad_garbage(r)):
            out.append({k: r.get(k) for k in ("source", "id", "request", "to", "route", "expected", "output",
                                              "got_route", "kind")})
    return out[:limit]


def evaluate_file(path: str, models_dir=None, batch_size: int = 32, cache: bool = True, progress=None) -> dict:
    """``helixc eval --split FILE`` for a blind or garbage file: run, score, and the wrong answers."""
    from ..neural.service import get_moe

    rows = load_rows(path)
    moe = get_moe(models_dir)
    cm = CachedMoE(moe) if cache else moe
    t0 = time.perf_counter()
    run_rows(rows, cm, batch_size=batch_size, progress=progress)
    if cache:
        cm.save()
    stats = score(rows)
    return {"file": str(path), "format": sniff_format(path), "models": str(moe.dir), "seconds": time.perf_counter() - t0,
            "model_rows_run": getattr(cm, "misses", None), "scores": stats, "wrong_answers": wrong_answers(rows),
            "rows": [{k: v for k, v in r.items() if k != "features"} for r in rows]}


def _progress(msg: str) -> None:
    print(f"[eval] {msg}", file=sys.stderr)


def to_json(res: dict[str, Any]) -> str:
    return json.dumps(res, ensure_ascii=False, indent=1, default=str) + "\n"
