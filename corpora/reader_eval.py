"""How well the compiler's rule-based reader (``helixc.requests.read_request``) does on corpus rows.

This is the ``--engine compiler`` baseline: it may abstain (None), but when it answers it should be
right. Measured on held-out splits only (the reader has no training, but the numbers are reported
on the same splits as the models').
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from helixc import catalog
from helixc.requests import read_request

PREFIX, SUFFIX = "### Instruction:\n", "\n\n### Response:\n"


def instruction(row: dict) -> str:
    t = row["input"]
    return t[len(PREFIX):-len(SUFFIX)] if t.startswith(PREFIX) and t.endswith(SUFFIX) else t


def evaluate_reader(rows) -> dict:
    """Routing and answer precision/recall of read_request over rows (with their true route and output)."""
    st: Counter = Counter()
    per_route: dict[str, Counter] = {}
    for row in rows:
        r = read_request(instruction(row))
        pr = per_route.setdefault(row["route"], Counter())
        st["rows"] += 1
        pr["rows"] += 1
        if r.route is not None:
            st["routed"] += 1
            pr["routed"] += 1
            st["route_correct"] += r.route == row["route"]
            pr["route_correct"] += r.route == row["route"]
        if row["route"] != "explain":
            st["notation_rows"] += 1
            ans = r.answer() if r.has_payload and r.target not in (None, "explain") else None
            if ans is not None:
                st["answered"] += 1
                pr["answered"] += 1
                st["answer_correct"] += ans == row["output"]
                pr["answer_correct"] += ans == row["output"]
        elif r.route == "explain" and r.knowledge_id is not None and row.get("knowledge_id") is not None:
            st["explain_matched"] += 1
            st["explain_id_correct"] += r.knowledge_id == row["knowledge_id"]

    def ratio(a, b):
        return round(a / b, 4) if b else None

    return {
        "rows": st["rows"],
        "route_coverage": ratio(st["routed"], st["rows"]),
        "route_precision": ratio(st["route_correct"], st["routed"]),
        "route_accuracy": ratio(st["route_correct"], st["rows"]),
        "answer_coverage": ratio(st["answered"], st["notation_rows"]),
        "answer_precision": ratio(st["answer_correct"], st["answered"]),
        "answer_accuracy": ratio(st["answer_correct"], st["notation_rows"]),
        "explain_id_precision": ratio(st["explain_id_correct"], st["explain_matched"]),
        "per_route": {k: {"rows": v["rows"], "route_accuracy": ratio(v["route_correct"], v["rows"]),
                          "answer_accuracy": ratio(v["answer_correct"], v["rows"]) if k != "explain" else None}
                      for k, v in sorted(per_route.items())},
    }


def load_split(corpus_dir: str | Path, split: str) -> list[dict]:
    p = Path(corpus_dir) / "coordinator" / f"{split}.jsonl"
    rows = [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    answers = {}
    for route in catalog.routes():  # every route folder the corpus writes, in route order
        rp = Path(corpus_dir) / route / f"{split}.jsonl"
        if rp.exists():
            for line in rp.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    d = json.loads(line)
                    answers[d["input"]] = d["output"]
    for r in rows:  # coordinator rows carry the route as output; put the answer back
        r["output"] = answers.get(r["input"], r["output"])
    return rows
