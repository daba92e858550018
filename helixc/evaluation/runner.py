"""Runs routers and the MoE over an eval set and collects every metric into one dict.

The MoE is any object with the ``helixc.neural`` interface:
``route(texts) -> list[str]``, ``generate(texts, routes, constrained=True) ->
list[GenerationOutput(text, grammar_valid, tokens)]`` and ``answer(list[TranslateRequest]) ->
list[TranslateResult]``. A router is any object with ``name`` and ``route(texts)``.
"""

from __future__ import annotations

import os
import platform
import resource
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..engine import TranslateRequest
from ..errors import HelixError
from . import routes
from . import metrics as M
from .data import EvalRow, EvalSet

E_EVAL_ROUTER = "E_EVAL_ROUTER"
MAX_EXAMPLES = 12  # failing examples kept per section for the report


# ---------------------------------------------------------------- routers and the MoE

def registered_routers() -> dict[str, Any]:
    """Routers contributed through the ``register_routers`` hook, by name."""
    from ..plugins import load_plugins, pm

    load_plugins()
    found: list = []
    pm.hook.register_routers(register=found.append)
    out = {}
    for r in found:
        name = getattr(r, "name", None)
        if isinstance(name, str) and callable(getattr(r, "route", None)):
            out[name] = r
    return out


MOE_ROUTER_NAMES = ("moe", "coordinator", "default")


class CompilerRulesRouter:
    """The compiler's rule-based request reader (``helixc.requests.read_request``, the
    ``--engine compiler`` path) used as a router: its ``target``, or "none" where it is not sure
    (which counts as wrong). A reference point between the seed's keywords and the coordinator."""

    name = "compiler-rules"

    def route(self, texts):
        from ..requests import read_request

        return [read_request(t).target or "none" for t in texts]


BUILTIN_ROUTERS = {"compiler-rules": CompilerRulesRouter}


class CompilerOnly:
    """``translate --to auto --engine compiler`` without any model: what the compiler's
    rule-based reader answers (a refused request counts as wrong). Has ``answer`` only."""

    name = "compiler-only"

    def answer(self, requests):
        from ..neural.service import compiler_answer

        out = []
        for q in requests:
            try:
                out.append(compiler_answer(q))
            except HelixError as e:
                out.append(_Failed(f"{e.code}: {e.message}"))
        return out


def load_moe(models_dir: str | None = None):
    """The MoE from ``helixc.neural.service.get_moe`` (one import, cached there)."""
    try:
        from ..neural import service
    except ImportError as e:
        raise HelixError("E_MODEL", f"the neural backend is not available: {e}") from e
    return service.get_moe(models_dir)


def get_router(name: str, moe_loader: Callable[[], Any]):
    """``moe`` (the MoE's own coordinator) or a registered router's name."""
    if name in MOE_ROUTER_NAMES:
        return moe_loader()
    routers = registered_routers()
    if name in routers:
        return routers[name]
    if name in BUILTIN_ROUTERS:
        return BUILTIN_ROUTERS[name]()
    known = ", ".join(list(MOE_ROUTER_NAMES[:1]) + sorted(set(routers) | set(BUILTIN_ROUTERS)))
    raise HelixError(E_EVAL_ROUTER, f"unknown router {name!r} (known: {known})")


# ---------------------------------------------------------------- helpers

def _batches(items: Sequence, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def peak_rss_mb() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / (1024 * 1024) if sys.platform == "darwin" else r / 1024


def current_rss_mb() -> float | None:
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except (OSError, ValueError, IndexError):
        return None


def spread_sample(rows: Sequence, n: int) -> list:
    """n rows spread evenly over ``rows`` (deterministic), all rows if n >= len(rows)."""
    if n >= len(rows):
        return list(rows)
    if n <= 0:
        return []
    step = len(rows) / n
    return [rows[int(i * step)] for i in range(n)]


def _example(row: EvalRow, **got) -> dict:
    d = {"line": f"{row.file}:{row.line}" if row.file else row.line, "request": row.request, "expected": row.output}
    d.update(got)
    return d


# ---------------------------------------------------------------- sections

def normalize(text: str) -> str:
    """What the models see: number literals in other bases rewritten to decimal
    (``helixc.requests.normalize_numbers``, as ``answer`` does before routing)."""
    try:
        from ..requests import normalize_numbers
    except ImportError:  # pragma: no cover
        return text
    return normalize_numbers(text)


def run_routing(router, rows: Sequence[EvalRow], batch_size: int = 64, prepare: Callable[[str], str] | None = None) -> dict:
    gold = [r.route for r in rows]
    t0 = time.perf_counter()
    pred: list[str] = []
    prep = prepare or (lambda t: t)
    for chunk in _batches(list(rows), batch_size):
        got = list(router.route([prep(r.request) for r in chunk]))
        if len(got) != len(chunk):
            raise HelixError(E_EVAL_ROUTER, f"router returned {len(got)} routes for {len(chunk)} requests")
        pred.extend(str(x) for x in got)
    elapsed = time.perf_counter() - t0
    out = M.routing_metrics(gold, pred, routes())
    from helixc_plugins.seed_keyword import HELIXC_TO_SEED, SEED_ROUTES

    three = M.routing_metrics(M.collapse(gold, HELIXC_TO_SEED), M.collapse(pred, HELIXC_TO_SEED), SEED_ROUTES)
    out["seed_three_class"] = {"overall": three["overall"], "per_class": three["per_class"]}
    out["seconds"] = elapsed
    out["examples_wrong"] = [
        _example(r, expected_route=g, got_route=p) for r, g, p in zip(rows, gold, pred) if g != p
    ][:MAX_EXAMPLES]
    out["predictions"] = pred
    return out


def _specialist_text(route: str, text: str | None, written: str | None) -> tuple[str | None, str | None]:
    """The specialist's answer in the route's notation, and how it got there.

    A specialist may write another notation than its route (the binary notation's specialist writes
    the value notation and the compiler encodes the bytes; docs/PROFILE.md). That encoding is part of the design, not a
    correction: the value is the model's."""
    if text is None:
        return None, None
    if written and written != route:
        try:
            from ..plugins import get_notation

            return get_notation(route).emit(get_notation(written).parse(text)), f"encoded from {written}"
        except HelixError:
            return text, None
    from .. import catalog

    binary, value = catalog.binary_notation(), catalog.value_notation()
    if binary and value and route == binary and not M.grammar_valid(text, binary) and M.grammar_valid(text, value):
        from ..plugins import get_notation

        return get_notation(binary).emit(get_notation(value).parse(text)), f"encoded from {value}"
    return text, None


def run_specialists(moe, rows: Sequence[EvalRow], batch_size: int = 16, constrained_modes=(True, False),
                    progress: Callable[[str], None] | None = None) -> dict:
    """Each specialist alone, given the right route: exact match, value match and grammar-valid
    rate, with and without the grammar constraint."""
    rows = [r for r in rows if r.target in routes()]
    out: dict[str, Any] = {"rows": len(rows), "modes": {}}
    for constrained in constrained_modes:
        mode = "constrained" if constrained else "unconstrained"
        per: dict[str, dict[str, list]] = {}
        wrong: list[dict] = []
        by_row: dict[tuple, dict] = {}
        t0 = time.perf_counter()
        for i, chunk in enumerate(_batches(rows, batch_size)):
            gens = list(moe.generate([normalize(r.request) for r in chunk], [r.target for r in chunk],
                                     constrained=constrained))
            if len(gens) != len(chunk):
                raise HelixError(E_EVAL_ROUTER, f"generate returned {len(gens)} outputs for {len(chunk)} requests")
            for r, g in zip(chunk, gens):
                raw = getattr(g, "text", None)
                final = getattr(g, "output", None)
                if isinstance(final, str) and final:
                    # The MoE's own post-processing (binary: the compiler encodes the model's value;
                    # explain: the text of the chosen knowledge entry).
                    answer, how = final, ("post-processed" if final != raw else None)
                else:
                    answer, how = _specialist_text(r.target, raw, getattr(g, "notation", None))
                exact = M.exact_match(r.output, answer)
                if r.target == "explain":
                    valid = bool(getattr(g, "grammar_valid", False))
                else:
                    valid = M.grammar_valid(answer, r.target)
                d = per.setdefault(r.target, {"exact": [], "value": [], "valid": [], "model_valid": [], "tokens": []})
                d["exact"].append(exact)
                d["value"].append(exact if r.target == "explain" else M.value_match(r.output, answer, r.target))
                d["valid"].append(valid)
                mv = getattr(g, "grammar_valid", None)
                if mv is not None:
                    d["model_valid"].append(bool(mv))
                toks = getattr(g, "tokens", None)
                if isinstance(toks, int):
                    d["tokens"].append(toks)
                elif isinstance(toks, (list, tuple)):
                    d["tokens"].append(len(toks))
                by_row[(r.file, r.line)] = {"output": raw, "exact": exact, "grammar_valid": valid}
                if not exact and len(wrong) < MAX_EXAMPLES:
                    wrong.append(_example(r, route=r.target, got=raw, compared=answer if how else None,
                                          grammar_valid=valid))
            if progress:
                progress(f"specialists ({mode}): {min((i + 1) * batch_size, len(rows))}/{len(rows)}")
        elapsed = time.perf_counter() - t0
        spec = {}
        for route in routes():
            d = per.get(route)
            if d is None:
                continue
            spec[route] = {
                "exact": M.tally(d["exact"]),
                "value": M.tally(d["value"]),
                "grammar_valid": M.tally(d["valid"]),
                "model_grammar_valid": M.tally(d["model_valid"]) if d["model_valid"] else None,
                "mean_tokens": (sum(d["tokens"]) / len(d["tokens"])) if d["tokens"] else None,
            }
        allx = [x for d in per.values() for x in d["exact"]]
        allv = [x for d in per.values() for x in d["valid"]]
        out["modes"][mode] = {
            "per_specialist": spec,
            "exact": M.tally(allx),
            "grammar_valid": M.tally(allv),
            "seconds": elapsed,
            "rows_per_s": (len(rows) / elapsed) if elapsed > 0 and rows else None,
            "examples_wrong": wrong,
            "_by_row": by_row,
        }
    return out


@dataclass
class _Failed:
    """A request the engine refused (HelixError): counted as a wrong answer."""

    error: str
    route: str = "error"
    target: str = "error"
    output: str | None = None
    engine: str = "error"
    grammar_valid: bool = False
    verified: bool | None = None


def _answer_chunk(moe, chunk: Sequence[EvalRow], engine: str) -> list:
    reqs = [TranslateRequest(text=r.request, to="auto", engine=engine) for r in chunk]
    try:
        return list(moe.answer(reqs))
    except HelixError:
        pass
    out = []
    for q in reqs:  # one by one, so one refused request does not sink the batch
        try:
            out.extend(moe.answer([q]))
        except HelixError as e:
            out.append(_Failed(f"{e.code}: {e.message}"))
    return out


def _answer_correct(row: EvalRow, res) -> bool:
    return M.exact_match(row.output, getattr(res, "output", None))


def run_end_to_end(moe, rows: Sequence[EvalRow], kb: Sequence[dict], batch_size: int = 16,
                   progress: Callable[[str], None] | None = None, engine: str = "auto") -> tuple[dict, dict | None, list]:
    """``translate --to auto`` on every row (engine auto: neural, verified by the compiler).

    Returns (end_to_end, explain) sections and the results."""
    results = []
    t0 = time.perf_counter()
    for i, chunk in enumerate(_batches(list(rows), batch_size)):
        got = _answer_chunk(moe, chunk, engine)
        if len(got) != len(chunk):
            raise HelixError(E_EVAL_ROUTER, f"answer returned {len(got)} results for {len(chunk)} requests")
        results.extend(got)
        if progress:
            progress(f"end-to-end ({engine}): {min((i + 1) * batch_size, len(rows))}/{len(rows)}")
    elapsed = time.perf_counter() - t0
    flags = [_answer_correct(r, res) for r, res in zip(rows, results)]
    by_route: dict[str, list[bool]] = {}
    for r, f in zip(rows, flags):
        by_route.setdefault(r.route or "(unlabelled)", []).append(f)
    verified = [getattr(res, "verified", None) for res in results]
    valid = [bool(getattr(res, "grammar_valid", False)) for res in results]
    engines: dict[str, int] = {}
    for res in results:
        e = str(getattr(res, "engine", "?"))
        engines[e] = engines.get(e, 0) + 1
    e2e = {
        "engine": engine,
        "overall": M.tally(flags),
        "per_route": {k: M.tally(v) for k, v in sorted(by_route.items())},
        "grammar_valid": M.tally(valid),
        "verified": {"true": sum(1 for v in verified if v is True), "false": sum(1 for v in verified if v is False),
                     "unknown": sum(1 for v in verified if v is None)},
        "engines": engines,
        "corrected_by_compiler": sum(1 for res in results if (getattr(res, "extra", None) or {}).get("corrected")),
        "seconds": elapsed,
        "rows_per_s": (len(rows) / elapsed) if elapsed > 0 and rows else None,
        "examples_wrong": [
            _example(r, expected_route=r.route, got_route=getattr(res, "route", None), got=getattr(res, "output", None))
            for r, res, f in zip(rows, results, flags) if not f
        ][:MAX_EXAMPLES],
    }
    # Explain-route answer quality: is the knowledge-base entry the answer is the expected one?
    explain = None
    ex = [(r, res) for r, res in zip(rows, results) if r.route == "explain"]
    if ex:
        chosen_ok, how_counts, no_expected = [], {"exact": 0, "nearest": 0, "none": 0}, 0
        wrong = []
        for r, res in ex:
            want = M.expected_kb_entry(r.output, r.meta, kb)
            if want is None:
                no_expected += 1
                continue
            got_id, how = M.choose_kb_entry(getattr(res, "output", None), kb)
            how_counts[how] += 1
            ok = got_id == want
            chosen_ok.append(ok)
            if not ok and len(wrong) < MAX_EXAMPLES:
                wrong.append(_example(r, expected_entry=want, got_entry=got_id, got=getattr(res, "output", None)))
        explain = {
            "entry_accuracy": M.tally(chosen_ok),
            "exact_answer": M.tally(_answer_correct(r, res) for r, res in ex),
            "matched_by": how_counts,
            "rows_without_kb_entry": no_expected,
            "kb_entries": len(kb),
            "examples_wrong": wrong,
        }
    return e2e, explain, results


def run_latency(moe, rows: Sequence[EvalRow], samples: int) -> dict:
    """Wall time of single-request ``answer`` calls (what one CLI/server request costs)."""
    sample = spread_sample(list(rows), samples)
    times = []
    if sample:
        try:
            moe.answer([TranslateRequest(text=sample[0].request, to="auto")])  # warm-up, not timed
        except HelixError:
            pass
    for r in sample:
        t0 = time.perf_counter()
        try:
            moe.answer([TranslateRequest(text=r.request, to="auto")])
        except HelixError:
            pass
        times.append((time.perf_counter() - t0) * 1000)
    out = {"samples": len(times), **M.percentiles(times)}
    out["mean"] = (sum(times) / len(times)) if times else None
    return out


# ---------------------------------------------------------------- the whole evaluation

def environment() -> dict:
    return {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(), "cpu_affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None}


def evaluate(evalset: EvalSet, *, router=None, router_name: str = "moe", moe=None, moe_error: str | None = None,
             baseline=None, kb: Sequence[dict] = (), latency_samples: int = 50, batch_size: int = 16,
             engines: Sequence[str] = ("auto",), routing_only: bool = False,
             constrained_modes=(True, False), progress: Callable[[str], None] | None = None) -> dict:
    rss_start = current_rss_mb()
    rows = evalset.rows
    labelled = [r for r in rows if r.route is not None]
    counts: dict[str, int] = {}
    for r in labelled:
        counts[r.route] = counts.get(r.route, 0) + 1
    res: dict[str, Any] = {
        "dataset": {
            "name": evalset.name, "path": evalset.path, "rows": len(rows), "labelled_rows": len(labelled),
            "per_route": counts, "malformed": len(evalset.malformed),
            "malformed_rows": [{"line": m.where if m.file else m.line, "reason": m.reason} for m in evalset.malformed],
        },
        "router": router_name,
        "environment": environment(),
    }
    notes: list[str] = []
    if evalset.malformed:
        lines = ", ".join(m.where for m in evalset.malformed[:20])
        more = "" if len(evalset.malformed) <= 20 else f" (+{len(evalset.malformed) - 20} more)"
        notes.append(f"{len(evalset.malformed)} malformed row(s) not evaluated, lines {lines}{more}")
    if not labelled:
        notes.append("no row has a route label: routing accuracy is not measured")

    if router is not None and labelled:
        if progress:
            progress(f"routing with {router_name} ({len(labelled)} rows)")
        res["routing"] = run_routing(router, labelled, prepare=normalize if router is moe and moe is not None else None)
    if baseline is not None and labelled:
        base = run_routing(baseline, labelled)
        res["baseline_routing"] = {"router": getattr(baseline, "name", "baseline"), **base}
    if "routing" in res and "baseline_routing" in res:
        res["comparison"] = _comparison(labelled, res["routing"], res["baseline_routing"])

    if routing_only:
        notes.append("routing only: specialists, end-to-end and latency were not run")
    if moe is not None and not routing_only:
        spec_rows = [r for r in rows if r.target in routes()]
        if spec_rows and callable(getattr(moe, "generate", None)):
            res["specialists"] = run_specialists(moe, spec_rows, batch_size=batch_size,
                                                 constrained_modes=constrained_modes, progress=progress)
        e2e, explain, e2e_results = run_end_to_end(moe, rows, kb, batch_size=batch_size, progress=progress,
                                                   engine=engines[0])
        res["end_to_end"] = e2e
        for other in engines[1:]:
            o, _, _ = run_end_to_end(moe, rows, kb, batch_size=batch_size, progress=progress, engine=other)
            res.setdefault("end_to_end_other_engines", {})[other] = o
        if explain is not None:
            res["explain"] = explain
        if latency_samples > 0:
            if progress:
                progress(f"latency: {min(latency_samples, len(rows))} single requests")
            res["latency_ms"] = run_latency(moe, rows, latency_samples)
            res["latency_ms"]["answered_by"] = getattr(moe, "name", None) or "moe"
    elif moe_error:
        notes.append(f"MoE not evaluated: {moe_error}")
    if len(rows) <= PER_ROW_MAX:
        res["per_row"] = _per_row(rows, res, e2e_results if moe is not None and not routing_only else None, baseline)
    res["memory"] = {"rss_start_mb": rss_start, "rss_end_mb": current_rss_mb(), "peak_rss_mb": peak_rss_mb()}
    res["notes"] = notes
    # Per-row predictions are bulky; keep them out of the report (the JSON keeps the failures).
    for key in ("routing", "baseline_routing"):
        if key in res:
            res[key].pop("predictions", None)
    for m in res.get("specialists", {}).get("modes", {}).values():
        m.pop("_by_row", None)
    return res


PER_ROW_MAX = 60  # small sets (e.g. the seed report's cases) get a row-by-row table


def _per_row(rows: Sequence[EvalRow], res: dict, e2e_results: list | None, baseline) -> list[dict]:
    labelled = [r for r in rows if r.route is not None]
    ours = dict(zip([(r.file, r.line) for r in labelled], (res.get("routing") or {}).get("predictions") or []))
    base = dict(zip([(r.file, r.line) for r in labelled], (res.get("baseline_routing") or {}).get("predictions") or []))
    seed_labels = {}
    if baseline is not None and callable(getattr(baseline, "seed_routes", None)) and labelled:
        seed_labels = dict(zip([(r.file, r.line) for r in labelled], baseline.seed_routes([r.request for r in labelled])))
    spec = ((res.get("specialists") or {}).get("modes") or {}).get("constrained", {}).get("_by_row", {})
    out = []
    for i, r in enumerate(rows):
        k = (r.file, r.line)
        d = {"line": f"{r.file}:{r.line}" if r.file else r.line, "request": r.request, "expected_route": r.route,
             "expected": r.output}
        if r.meta.get("case"):
            d["case"] = r.meta["case"]
        if k in ours:
            d["route"] = ours[k]
        if k in base:
            d["baseline_route"] = base[k]
        if k in seed_labels:
            d["baseline_seed_label"] = seed_labels[k]
        if k in spec:
            d["specialist_output"] = spec[k]["output"]
            d["specialist_exact"] = spec[k]["exact"]
        if e2e_results is not None:
            er = e2e_results[i]
            d["answer_route"] = getattr(er, "route", None)
            d["answer"] = getattr(er, "output", None)
            d["answer_correct"] = _answer_correct(r, er)
            d["verified"] = getattr(er, "verified", None)
        out.append(d)
    return out


def _comparison(rows: Sequence[EvalRow], ours: dict, base: dict) -> dict:
    """Ours vs the baseline on the same rows, in our five classes and in the seed's three."""
    from helixc_plugins.seed_keyword import HELIXC_TO_SEED, SEED_ROUTES

    gold = [r.route for r in rows]
    ours_pred = ours.get("predictions") or []
    base_pred = base.get("predictions") or []
    out: dict[str, Any] = {}
    a, b = ours["overall"]["accuracy"], base["overall"]["accuracy"]
    out["five_class"] = {"ours": a, "baseline": b, "ratio": (a / b) if a is not None and b else None}
    if ours_pred and base_pred:
        g3 = M.collapse(gold, HELIXC_TO_SEED)
        o3 = M.routing_metrics(g3, M.collapse(ours_pred, HELIXC_TO_SEED), SEED_ROUTES)
        b3 = M.routing_metrics(g3, M.collapse(base_pred, HELIXC_TO_SEED), SEED_ROUTES)
        a3, b3a = o3["overall"]["accuracy"], b3["overall"]["accuracy"]
        out["seed_three_class"] = {
            "mapping": HELIXC_TO_SEED, "ours": a3, "baseline": b3a,
            "ratio": (a3 / b3a) if a3 is not None and b3a else None,
            "ours_per_class": o3["per_class"], "baseline_per_class": b3["per_class"],
        }
    return out
