"""The seed report's own test cases (``seed-system-audit.md`` section 2) as a fixed eval file,
``corpora/eval/seed_report_cases.jsonl``, with helixc's expected answers per the spec.

The expected outputs are derived here with :func:`helixc.emit` (never typed by hand) and the
knowledge base; ``tests/test_eval_seed_cases.py`` checks that the committed file is exactly
what :func:`build_cases` produces. Regenerate with::

    python -m helixc.evaluation.seed_cases
"""

from __future__ import annotations

import json
from pathlib import Path

import helixc_corpora

from .data import with_template

# package data of helixc_corpora (corpora/eval/ in a checkout): found in an installed helixc too
CASES_PATH = Path(helixc_corpora.__file__).resolve().parent / "eval" / "seed_report_cases.jsonl"


def _kb_answer(entry_id: str) -> str:
    from .data import load_knowledge

    for e in load_knowledge():
        if e.get("id") == entry_id:
            return e["answer"]
    raise KeyError(f"knowledge base has no entry {entry_id!r}")


def build_cases() -> list[dict]:
    from .. import catalog, emit

    rows = []

    def add(case, wording, request, route, value=None, knowledge_id=None, *, paper_route, paper_reported_route,
            paper_output, note):
        output = _kb_answer(knowledge_id) if route == "explain" else emit(value, route)
        row = {"input": with_template(request), "output": output, "route": route, "target_notation": route}
        if value is not None:
            row["value"] = emit(value, catalog.value_notation())
        if knowledge_id is not None:
            row["knowledge_id"] = knowledge_id
        row.update({"case": case, "wording": wording, "paper_expected_route": paper_route,
                    "paper_reported_route": paper_reported_route, "paper_reported_output": paper_output,
                    "note": note})
        rows.append(row)

    n1 = ("LC-B of the int 0x7FFF0000 (= 2147418112): tag 01 + SLEB128. The paper scored "
          "[68:0000:...] 3/3 patterns; it is not the value in any LC-B dialect.")
    add("1-memory-address", "paper section 3.5", "Convert memory address 0x7FFF0000 to HLX binary notation",
        "lc-b", 0x7FFF0000, paper_route="ascii", paper_reported_route="ascii",
        paper_output="[68:0000:0000:0000:0000:0000:0000:0000]", note=n1)
    add("1-memory-address", "paper section 2.5", "Convert 0x7FFF0000 to HLX binary notation",
        "lc-b", 0x7FFF0000, paper_route="ascii", paper_reported_route="ascii",
        paper_output="[68:0000:0000:0000:0000:0000:0000:0000]", note=n1)
    n2 = ("LC-B of the int 0xDEADBEEF (= 3735928559). The paper's [c:0xDEADBEEF] is a contract in its "
          "own phase-1 dialect, not an int.")
    add("2-crc32", "paper section 3.5", "Encode CRC32 checksum 0xDEADBEEF in LC-B", "lc-b", 0xDEADBEEF,
        paper_route="ascii", paper_reported_route="ascii", paper_output="[c:0xDEADBEEF]", note=n2)
    add("2-crc32", "paper section 2.5", "Encode CRC32 0xDEADBEEF in LC-B", "lc-b", 0xDEADBEEF,
        paper_route="ascii", paper_reported_route="ascii", paper_output="[c:0xDEADBEEF]", note=n2)
    add("3-bit-pattern", "paper", "Convert 11110000 to LC-B compact", "lc-b", 11110000,
        paper_route="ascii", paper_reported_route="ascii", paper_output="11110000",
        note="A bare digit string is decimal (corpora/README.md, helixc.requests), so this is the int "
             "11110000. The paper expected the pattern 0xF0, i.e. it read the digits as binary without "
             "saying so; see the next row for the explicit wording.")
    add("3-bit-pattern", "helixc variant: explicit base word", "Convert bit pattern 11110000 to LC-B compact",
        "lc-b", 0b11110000, paper_route="ascii", paper_reported_route=None, paper_output=None,
        note="Not in the paper: the same request with the base said in words ('bit pattern'), which makes "
             "the digits binary, 240 = 0xF0.")
    n4 = "The int 256 in LC-R is just 256 (numbers are plain ASCII in LC-R); the paper's contract output is wrong."
    add("4-runic-256", "paper section 2.6", "Show runic representation of 256", "lc-r", 256,
        paper_route="runic", paper_reported_route="runic",
        paper_output='\U0001f40a256\U0001f4010\U0001f4011 "convert"\U0001f4012 30\U0001f4013 30...', note=n4)
    add("4-runic-256", "paper section 3.5", "Show runic representation of decimal 256", "lc-r", 256,
        paper_route="runic", paper_reported_route="runic",
        paper_output='\U0001f40a256\U0001f4010\U0001f4011 "convert"\U0001f4012 30\U0001f4013 30...', note=n4)
    add("5-at-question", "paper", "What is the purpose of @ symbol in HLX?", "explain", knowledge_id="at-symbol",
        paper_route="coordinator", paper_reported_route="runic", paper_output="Minimal/incorrect",
        note="Answered from the knowledge base entry 'at-symbol' (corpora/knowledge.json).")
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
