"""A small synthetic corpus in the corpus row format, for tests and smoke runs.

It is *not* the training corpus (``helixc corpus build`` is): a few templates,
values drawn at random and written by the compiler, so the pipeline can be
exercised end to end without the corpora package.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

# The fixture's own wording, data in devdata.json beside this module: NAMES (target notation -> names its
# requests use; the targets' draw order) and DEV_KB (the knowledge base of its explain rows). Requests give
# their value in the corpus's text payload notations among NAMES (helixc.catalog).
_DATA = json.loads((Path(__file__).with_name("devdata.json")).read_text(encoding="utf-8"))
NAMES: dict[str, list[str]] = _DATA["names"]
DEV_KB: list[dict] = _DATA["knowledge"]
TEMPLATES = [
    "Convert {payload} to {name}",
    "Write {payload} in {name}",
    "Translate this to {name}: {payload}",
    "Please express {payload} as {name}.",
    "{name} form of {payload}?",
    "Encode {payload} in {name}",
]
NOVEL = ["I need {payload} rendered as {name}", "Show me {name} for {payload}"]
WORDS = ["main", "docs", "search", "alpha", "beta", "render", "x", "node"]


def random_value(rng: random.Random, depth: int = 0):
    from ..values import Contract, Handle

    k = rng.randrange(9 if depth < 2 else 5)
    if k == 0:
        return rng.randrange(-50, 100000)
    if k == 1:
        return rng.choice(WORDS)
    if k == 2:
        return rng.choice([True, False, None])
    if k == 3:
        return Handle(rng.choice(WORDS))
    if k == 4:
        return rng.randrange(0, 300)
    if k in (5, 6):
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(0, 4))]
    if k == 7:
        return Contract(rng.randrange(1, 1200), {i: random_value(rng, depth + 1) for i in range(rng.randrange(0, 3))})
    return {rng.choice(WORDS): random_value(rng, depth + 1) for _ in range(rng.randrange(0, 3))}


def make_rows(n: int = 2000, seed: int = 0, n_explain: int | None = None) -> list[dict]:
    from .. import catalog, emit

    rng = random.Random(seed)
    rows, seen = [], set()
    targets = tuple(NAMES)
    sources = tuple(s for s in catalog.corpus_sources() if s in NAMES and s != catalog.binary_notation())
    value_notation = catalog.value_notation()
    while len(rows) < n:
        v = random_value(rng)
        key = emit(v, value_notation)
        if key in seen:
            continue
        seen.add(key)
        target = rng.choice(targets)
        src = rng.choice(sources)
        u = rng.random()
        novel = u < 0.1
        tpl_list = NOVEL if novel else TEMPLATES
        ti = rng.randrange(len(tpl_list))
        req = tpl_list[ti].format(payload=emit(v, src), name=rng.choice(NAMES[target]))
        split = "test_novel" if novel else ("train" if u < 0.75 else "val" if u < 0.85 else "test")
        rows.append(_row(req, emit(v, target), target, target, key, f"{'novel' if novel else 'tpl'}{ti}", split))
    for i in range(n_explain if n_explain is not None else max(6, n // 20)):
        e = DEV_KB[i % len(DEV_KB)]
        q = e["question_forms"][(i // len(DEV_KB)) % len(e["question_forms"])]
        q = q if i % 2 else q.lower()
        split = ("train", "train", "val", "test")[i % 4]
        rows.append(_row(q, e["answer"], "explain", "explain", None, "explain", split, kb_id=e["id"]))
    return rows


def _row(req, out, route, target, value, tpl, split, **extra):
    return {"input": f"### Instruction:\n{req}\n\n### Response:\n", "output": out, "route": route,
            "target_notation": target, "value": value, "category": "convert" if route != "explain" else "explain",
            "template_id": tpl, "split": split, "model_input": req, **extra}


def write_corpus(out_dir, n: int = 2000, seed: int = 0) -> Path:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = make_rows(n, seed)
    for split in ("train", "val", "test", "test_novel"):
        with open(out / f"{split}.jsonl", "w", encoding="utf-8") as fh:
            for r in rows:
                if r["split"] == split:
                    fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(out / "knowledge.json", "w", encoding="utf-8") as fh:
        json.dump(DEV_KB, fh, indent=1)
    return out
