"""Console table, markdown report, JSON and PNG chart of an evaluation; every file is written
atomically (a temp file in the same directory, then ``os.replace``), so a reader never sees a
half-written report and a crash leaves the previous one intact."""

from __future__ import annotations

import io
import json
import os
import uuid
from pathlib import Path
from typing import Any

from . import routes


def _seed_mapping(join: str, eq: str, sep: str = ", ") -> str:
    """The seed keyword router's classes and the routes collapsed onto each (its plugin's table)."""
    from helixc_plugins.seed_keyword import HELIXC_TO_SEED, SEED_ROUTES

    return sep.join(join.join(r for r, c in HELIXC_TO_SEED.items() if c == cls) + eq + cls for cls in SEED_ROUTES)


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    # a plain open() (not mkstemp, whose files are 0600): the report gets the umask's mode, like any file
    tmp = p.parent / f".{p.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return p


def atomic_write_text(path: str | Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def write_json(path: str | Path, obj: Any) -> Path:
    return atomic_write_text(path, json.dumps(obj, indent=2, ensure_ascii=False, default=str) + "\n")


# ---------------------------------------------------------------- formatting

def pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def frac(t: dict | None) -> str:
    if not t:
        return "n/a"
    return f"{pct(t['accuracy'])} ({t['correct']}/{t['total']})"


def ms(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1f} ms"


def md_table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(str(c).replace("|", "\\|").replace("\n", "⏎") for c in r) + " |")
    return "\n".join(lines)


def text_table(header: list[str], rows: list[list[Any]]) -> str:
    cells = [header] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    out = ["  ".join(c.ljust(w) for c, w in zip(header, widths)), "  ".join("-" * w for w in widths)]
    for r in cells[1:]:
        out.append("  ".join(c.ljust(w) for c, w in zip(r, widths)))
    return "\n".join(out)


def _sections(res: dict) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The report as (title, header, rows) tables, shared by the console and markdown output."""
    out = []
    ds = res["dataset"]
    out.append(("Data", ["set", "rows", "with route", "malformed"],
                [[ds["name"], ds["rows"], ds["labelled_rows"], ds["malformed"]]]))
    r, b = res.get("routing"), res.get("baseline_routing")
    if r or b:
        header = ["class", "rows"]
        if r:
            header.append(f"{res['router']}")
        if b:
            header.append(b["router"])
        rows = []
        for c in list(routes()) + [k for k in ((r or b)["per_class"]) if k not in routes()]:
            pc = (r or b)["per_class"].get(c)
            if pc is None:
                continue
            row = [c, pc["total"]]
            if r:
                row.append(frac(r["per_class"].get(c)))
            if b:
                row.append(frac(b["per_class"].get(c)))
            rows.append(row)
        total = [["overall", (r or b)["overall"]["total"]] + ([frac(r["overall"])] if r else []) + ([frac(b["overall"])] if b else [])]
        three = [["overall, seed's 3 classes*", ""] + ([frac(r["seed_three_class"]["overall"])] if r else [])
                 + ([frac(b["seed_three_class"]["overall"])] if b else [])] if (r or b).get("seed_three_class") else []
        out.append(("Routing accuracy (per expected class)", header, rows + total + three))
        cmp_ = res.get("comparison")
        if cmp_:
            rows = [["5 classes (ours)", pct(cmp_["five_class"]["ours"]), pct(cmp_["five_class"]["baseline"]),
                     _ratio(cmp_["five_class"]["ratio"])]]
            s3 = cmp_.get("seed_three_class")
            if s3:
                rows.append([f"3 classes (seed's: {_seed_mapping('/', '=')})",
                             pct(s3["ours"]), pct(s3["baseline"]), _ratio(s3["ratio"])])
            out.append(("Routing: ours vs the seed's keyword rule, same rows",
                        ["label space", res["router"], b["router"], "ratio"], rows))
    sp = res.get("specialists")
    if sp:
        modes = sp["modes"]
        rows = []
        for route in routes():
            row = [route]
            present = False
            for mode in ("constrained", "unconstrained"):
                m = modes.get(mode)
                s = m["per_specialist"].get(route) if m else None
                if s:
                    present = True
                    row += [frac(s["exact"]), pct(s["grammar_valid"]["accuracy"])]
                elif m:
                    row += ["n/a", "n/a"]
            if present:
                rows.append(row)
        header = ["specialist"]
        tot = ["all"]
        for mode in ("constrained", "unconstrained"):
            if mode in modes:
                header += [f"exact ({mode})", f"grammar-valid ({mode})"]
                tot += [frac(modes[mode]["exact"]), pct(modes[mode]["grammar_valid"]["accuracy"])]
        out.append(("Specialists alone (given the right route)", header, rows + [tot]))
    e2e = res.get("end_to_end")
    if e2e:
        others = res.get("end_to_end_other_engines") or {}
        header = ["expected route", f"engine {e2e.get('engine', 'auto')}"] + [f"engine {k}" for k in others]
        rows = [[k, frac(v)] + [frac(o["per_route"].get(k)) for o in others.values()] for k, v in e2e["per_route"].items()]
        rows.append(["overall", frac(e2e["overall"])] + [frac(o["overall"]) for o in others.values()])
        rows.append(["grammar-valid", frac(e2e["grammar_valid"])] + [frac(o["grammar_valid"]) for o in others.values()])
        vs = [e2e["verified"]] + [o["verified"] for o in others.values()]
        rows.append(["verified by compiler"] + [f"{v['true']} yes / {v['false']} no / {v['unknown']} n/a" for v in vs])
        rows.append(["answers replaced by the compiler"] + [str(o.get("corrected_by_compiler", 0))
                                                          for o in [e2e, *others.values()]])
        out.append(("End to end: translate --to auto (exact answer)", header, rows))
    ex = res.get("explain")
    if ex:
        out.append(("Explain route vs the knowledge base", ["metric", "value"], [
            ["chosen entry is the expected one", frac(ex["entry_accuracy"])],
            ["answer exactly the expected text", frac(ex["exact_answer"])],
            ["matched by", ", ".join(f"{k} {v}" for k, v in ex["matched_by"].items())],
        ]))
    lat = res.get("latency_ms")
    mem = res.get("memory", {})
    perf = []
    if lat:
        perf += [[f"latency p50 (single request, {lat.get('answered_by', 'moe')})", ms(lat["p50"])], ["latency p95", ms(lat["p95"])],
                 ["latency p99", ms(lat["p99"])], ["latency samples", lat["samples"]]]
    if e2e and e2e.get("rows_per_s"):
        perf.append(["batched throughput", f"{e2e['rows_per_s']:.1f} requests/s"])
    if mem.get("peak_rss_mb") is not None:
        perf.append(["peak RSS", f"{mem['peak_rss_mb']:.0f} MB"])
    if perf:
        out.append(("Performance", ["metric", "value"], perf))
    return out


def _per_row_table(res: dict, width: int | None = None) -> tuple[list[str], list[list[Any]]] | None:
    pr = res.get("per_row")
    if not pr:
        return None
    base_name = (res.get("baseline_routing") or {}).get("router", "baseline")
    has_route = any("route" in d for d in pr)
    has_base = any("baseline_route" in d for d in pr)
    has_answer = any("answer" in d for d in pr)
    header = ["case" if any("case" in d for d in pr) else "line", "request", "expected route"]
    if has_route:
        header.append(res["router"])
    if has_base:
        header.append(base_name)
    if has_answer:
        header += ["answer", "correct"]
    rows = []
    for d in pr:
        req = d["request"] if width is None or len(d["request"]) <= width else d["request"][: width - 3] + "..."
        row = [d.get("case", d["line"]), req, d.get("expected_route") or "-"]
        if has_route:
            row.append(d.get("route", "-"))
        if has_base:
            b = d.get("baseline_route", "-")
            if d.get("baseline_seed_label"):
                b = f"{b} ({d['baseline_seed_label']})"
            row.append(b)
        if has_answer:
            ans = d.get("answer")
            ans = "" if ans is None else str(ans)
            if width is not None and len(ans) > width:
                ans = ans[: width - 3] + "..."
            row += [ans, "yes" if d.get("answer_correct") else "NO"]
        rows.append(row)
    return header, rows


def _ratio(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}x"


def render_text(res: dict) -> str:
    parts = []
    for title, header, rows in _sections(res):
        parts.append(f"{title}\n{text_table(header, rows)}")
    t = _per_row_table(res, width=48)
    if t:
        parts.append(f"Row by row\n{text_table(*t)}")
    for n in res.get("notes", []):
        parts.append(f"note: {n}")
    return "\n\n".join(parts) + "\n"


def render_markdown(res: dict, chart: str | None = None, command: str | None = None) -> str:
    ds = res["dataset"]
    lines = [f"# helixc eval: {ds['name']}", ""]
    if command:
        lines += ["Command:", "", "```", command, "```", ""]
    env = res.get("environment", {})
    lines += [f"Data: `{ds['path']}` ({ds['rows']} rows, {ds['labelled_rows']} with a route label). "
              f"Router: `{res['router']}`. Machine: {env.get('platform', '?')}, "
              f"{env.get('cpu_affinity') or env.get('cpus')} CPU(s), Python {env.get('python', '?')}.", ""]
    for title, header, rows in _sections(res):
        lines += [f"## {title}", "", md_table(header, rows), ""]
    if chart:
        lines += [f"![per-class routing accuracy]({chart})", ""]
    t = _per_row_table(res)
    if t:
        lines += ["## Row by row", "", md_table(*t), ""]
    r = res.get("routing")
    if r:
        cm = r["confusion"]
        labels = cm["labels"]
        lines += [f"## Confusion matrix ({res['router']}; rows: expected, columns: predicted)", "",
                  md_table(["expected \\ predicted"] + labels,
                           [[g] + [cm["matrix"][g][p] for p in labels] for g in labels]), ""]
    b = res.get("baseline_routing")
    if b:
        cm = b["confusion"]
        labels = cm["labels"]
        lines += [f"## Confusion matrix ({b['router']})", "",
                  md_table(["expected \\ predicted"] + labels,
                           [[g] + [cm["matrix"][g][p] for p in labels] for g in labels]), ""]
    if ds["malformed"]:
        lines += ["## Malformed rows (not evaluated)", "",
                  md_table(["line", "reason"], [[m["line"], m["reason"]] for m in ds["malformed_rows"][:50]]), ""]
    examples = []
    for key, title in (("routing", "routing"), ("end_to_end", "end to end")):
        sec = res.get(key)
        if sec and sec.get("examples_wrong"):
            examples.append((title, sec["examples_wrong"]))
    sp = res.get("specialists")
    if sp:
        for mode, m in sp["modes"].items():
            if m.get("examples_wrong"):
                examples.append((f"specialists, {mode}", m["examples_wrong"]))
    if examples:
        lines += ["## Examples of wrong answers", ""]
        for title, exs in examples:
            lines += [f"### {title}", "", md_table(
                ["line", "request", "expected", "got"],
                [[e["line"], e["request"], e.get("expected_route") or e["expected"],
                  e.get("got_route") if "got_route" in e and e.get("got") is None else e.get("got")] for e in exs]), ""]
    if (res.get("routing") or res.get("baseline_routing") or {}).get("seed_three_class"):
        lines.append("- *seed's 3 classes: our routes collapsed onto the seed's specialists as its paper describes "
                     f"them ({_seed_mapping(', ', ' = ', '; ')}), for both gold and prediction.")
    for n in res.get("notes", []):
        lines.append(f"- note: {n}")
    return "\n".join(lines).rstrip() + "\n"


def chart_png(res: dict) -> bytes | None:
    """PNG bar chart of per-class routing accuracy (ours and the baseline side by side)."""
    series = []
    if res.get("routing"):
        series.append((res["router"], res["routing"]["per_class"]))
    if res.get("baseline_routing"):
        series.append((res["baseline_routing"]["router"], res["baseline_routing"]["per_class"]))
    if not series:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    classes = [c for c in routes() if any(c in pc for _, pc in series)]
    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=100)
    width = 0.8 / len(series)
    for i, (name, pc) in enumerate(series):
        vals = [((pc.get(c) or {}).get("accuracy") or 0.0) * 100 for c in classes]
        xs = [j + (i - (len(series) - 1) / 2) * width for j in range(len(classes))]
        bars = ax.bar(xs, vals, width, label=name)
        for x, c, v in zip(xs, classes, vals):
            acc = (pc.get(c) or {}).get("accuracy")
            ax.text(x, v + 1, "n/a" if acc is None else f"{v:.0f}", ha="center", va="bottom", fontsize=8)
        del bars
    ax.set_xticks(range(len(classes)))
    ax.set_xticklabels([f"{c}\n(n={(series[0][1].get(c) or {}).get('total', 0)})" for c in classes])
    ax.set_ylim(0, 110)
    ax.set_ylabel("routing accuracy (%)")
    ax.set_title(f"Per-class routing accuracy: {res['dataset']['name']}")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def write_reports(res: dict, *, json_path: str | None = None, md_path: str | None = None,
                  chart_path: str | None = None, command: str | None = None) -> dict[str, str]:
    written = {}
    if chart_path:
        png = chart_png(res)
        if png is not None:
            written["chart"] = str(atomic_write_bytes(chart_path, png))
    if json_path:
        written["json"] = str(write_json(json_path, res))
    if md_path:
        rel = None
        if "chart" in written:
            try:
                rel = os.path.relpath(written["chart"], Path(md_path).resolve().parent)
            except ValueError:
                rel = written["chart"]
        written["report"] = str(atomic_write_text(md_path, render_markdown(res, chart=rel, command=command)))
    return written
