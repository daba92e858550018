"""The seed report's own test cases (``seed-system-audit.md`` section 2) as a fixed eval file,
``corpora/eval/seed_report_cases.jsonl``, with helixc's expected answers per the spec.

The cases (requests, routes, values, what the paper expected and reported, notes) are the seed
report's data, in ``corpora/seed/report_cases.json``. The expected outputs are derived here with
:func:`helixc.emit` (never typed by hand) and the knowledge base; ``tests/test_seed_keyword.py``
checks that the committed file is exactly what :func:`build_cases` produces. Regenerate with::

    python -m helixc.evaluation.seed_cases
"""

from __future__ import annotations

import json
from pathlib import Path

import helixc_corpora

from .data import with_template

# package data of helixc_corpora (corpora/eval/ in a checkout): found in an installed helixc too
CASES_PATH = Path(helixc_corpora.__file__).resolve().parent / "eval" / "seed_report_cases.jsonl"
SOURCE_PATH = CASES_PATH.parents[1] / "seed" / "report_cases.json"  # the cases as the seed report gives them


def _kb_answer(entry_id: str) -> str:
    from .data import load_knowledge

    for e in load_knowledge():
        if e.get("id") == entry_id:
            return e["answer"]
    raise KeyError(f"knowledge base has no entry {entry_id!r}")


def build_cases() -> list[dict]:
    from .. import catalog, emit

    data = json.loads(SOURCE_PATH.read_text(encoding="utf-8"))
    rows = []
    for c in data["cases"]:
        route, value, knowledge_id = c["route"], c.get("value"), c.get("knowledge_id")
        output = _kb_answer(knowledge_id) if route == catalog.EXPLAIN else emit(value, route)
        row = {"input": with_template(c["request"]), "output": output, "route": route, "target_notation": route}
        if value is not None:
            row["value"] = emit(value, catalog.value_notation())
        if knowledge_id is not None:
            row["knowledge_id"] = knowledge_id
        row.update({"case": c["case"], "wording": c["wording"], "paper_expected_route": c["paper_route"],
                    "paper_reported_route": c["paper_reported_route"], "paper_reported_output": c["paper_output"],
                    "note": c.get("note", data["notes"].get(c["case"]))})
        rows.append(row)
    return rows


def render(rows: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def main() -> None:
    from .report import atomic_write_text

    CASES_PATH.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(CASES_PATH, render(build_cases()))
    print(f"wrote {CASES_PATH}")


if __name__ == "__main__":
    main()
