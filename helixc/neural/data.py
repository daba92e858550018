"""Corpus rows -> training examples per adapter, and their token encoding.

A row (``helixc corpus build``, issue 4) has ``input``, ``output``, ``route``,
``target_notation``, ``value`` (canonical text in the value notation, ``helixc.catalog.value_notation``), ``category``, ``template_id``,
``split`` and ``model_input`` (the request with numbers normalised). Each adapter
sees the rows of its route; the coordinator sees every row.

Encoding: ``[bos] prompt answer [eos]``; labels are -100 on the prompt (and on
padding, added by the collator); the answer tokens and the EOS are learned.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from . import BOS, COORDINATOR, KIND_CHOICE, KIND_NOTATION, KIND_ROUTE, KIND_VALUE, SEP  # noqa: F401

IGNORE = -100


@dataclass
class Example:
    task: str  # adapter name
    prompt: str
    answer: str
    row: int = -1  # index into the split's rows
    category: str = ""


def prompt_text(task: str, request: str) -> str:
    return f"{task}|{request}{SEP}"


def strip_wrapper(text: str) -> str:
    """The seed's prompt wrapper off: ``### Instruction:\n{request}\n\n### Response:\n``."""
    if text.startswith("### Instruction:\n"):
        text = text[len("### Instruction:\n"):]
    return text.removesuffix("\n\n### Response:\n")


def request_text(row: dict) -> str:
    """What the model sees: the request with numbers normalised, without the wrapper."""
    text = row.get("model_input")
    if text is None:
        text = strip_wrapper(row.get("input", ""))
        try:
            from ..requests import normalize_numbers

            text = normalize_numbers(text)
        except ImportError:
            pass
        return text
    return strip_wrapper(text)


def load_rows(paths, split: str | None = None) -> list[dict]:
    """Rows from JSONL files or directories of them, optionally of one split."""
    from ..errors import E_INPUT, HelixError

    files: list[Path] = []
    for p in [paths] if isinstance(paths, (str, Path)) else paths:
        p = Path(p)
        if p.is_dir():
            files.extend(sorted(p.glob("*.jsonl")))
            # `helixc corpus build` layout: <role>/<split>.jsonl; the coordinator files repeat
            # every route's rows with the label as output, so the route files are enough.
            for sub in sorted(q for q in p.iterdir() if q.is_dir() and q.name != "coordinator"):
                files.extend(sorted(sub.glob("*.jsonl")))
        elif p.exists():
            files.append(p)
        else:
            raise HelixError(E_INPUT, f"corpus path {p} does not exist")
    rows = []
    for f in files:
        with open(f, encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if line:
                    r = json.loads(line)
                    if split is None or r.get("split", _split_from_name(f)) == split:
                        r.setdefault("split", _split_from_name(f))
                        rows.append(r)
    return rows


def _split_from_name(f: Path) -> str | None:
    stem = f.stem
    for s in ("test_novel", "train", "val", "test"):
        if stem == s or stem.endswith("_" + s) or stem.endswith("-" + s) or stem.startswith(s + "."):
            return s
    return None


def load_knowledge(path=None) -> list[dict]:
    """The explain route's knowledge base: ``[{"id", "question_forms", "answer"}]``."""
    if path is None:
        try:
            import importlib.resources

            path = importlib.resources.files("helixc_corpora") / "knowledge.json"
            if not path.is_file():
                return []
        except (ModuleNotFoundError, FileNotFoundError):
            return []
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def explain_id(row: dict, kb_by_answer: dict[str, str]) -> str | None:
    for key in ("kb_id", "knowledge_id", "explain_id", "answer_id"):
        if row.get(key):
            return str(row[key])
    return kb_by_answer.get(row.get("output", "").strip())


def model_request(text: str, slots: bool):
    """(what the model reads, the request's literal slots): see :mod:`helixc.neural.slots`."""
    if not slots:
        return text, []
    from .slots import delexicalize

    return delexicalize(text)


def target_for(spec, row: dict, kb_by_answer: dict[str, str], slots=None) -> str | None:
    """What adapter ``spec`` must write for ``row`` (None: not its row / unusable).

    With ``slots`` (the request's literal slots), notation and value specialists write
    the slotted template where their notation supports slots (falling back to the plain
    answer where the template cannot express it)."""
    if spec.kind == KIND_ROUTE:
        return row.get("route")
    if row.get("route") != spec.route:
        return None
    if slots is not None and spec.kind in (KIND_NOTATION, KIND_VALUE) and row.get("value") is not None:
        from .slots import SLOT_NOTATIONS, template

        if spec.grammar in SLOT_NOTATIONS:
            from .. import catalog, parse

            t = template(parse(row["value"], catalog.value_notation()), slots, spec.grammar)
            if t is not None:
                return t
    if spec.kind == KIND_NOTATION:
        return row.get("output")
    if spec.kind == KIND_VALUE:
        value = row.get("value")
        if value is None:
            return None
        from .. import catalog, emit, parse

        if spec.grammar in (None, catalog.value_notation()):
            return value
        return emit(parse(value, catalog.value_notation()), spec.grammar)
    if spec.kind == KIND_CHOICE:
        return explain_id(row, kb_by_answer)
    return None


def build_examples(task_specs, rows: list[dict], kb: list[dict] | None = None,
                   slots: bool = False, raw_choice: bool = False) -> dict[str, list[Example]]:
    """Adapter name -> examples, in row order (``slots``: literals delexicalised; ``raw_choice``:
    choice adapters such as explain read the request as written, see :func:`reads_raw`)."""
    kb_by_answer = {e["answer"].strip(): e["id"] for e in (kb or [])}
    out: dict[str, list[Example]] = {s.name: [] for s in task_specs}
    for i, row in enumerate(rows):
        text = request_text(row)
        req, row_slots = model_request(text, slots)
        for s in task_specs:
            ans = target_for(s, row, kb_by_answer, row_slots if slots else None)
            if ans is not None:
                seen = text if raw_choice and reads_raw(s.kind) else req
                out[s.name].append(Example(s.name, prompt_text(s.name, seen), ans, i, row.get("category", "")))
    return out


def reads_raw(kind: str) -> bool:
    """Whether an adapter of this kind reads the request without slots. A choice adapter (explain)
    copies no literal, and slots only hide words it needs: "What are the four HLX notations?"
    read as "What are the ⟨0⟩ HLX notations?" looked like a question about numbers."""
    return kind == KIND_CHOICE


def encode_example(tok, ex: Example, max_len: int) -> tuple[list[int], list[int]] | None:
    p = [tok.bos_token_id] + tok.encode(ex.prompt, add_special_tokens=False)
    a = tok.encode(ex.answer, add_special_tokens=False) + [tok.eos_token_id]
    if len(p) + len(a) > max_len:
        return None
    return p + a, [IGNORE] * len(p) + a


def encode_all(tok, examples: list[Example], max_len: int):
    enc, kept, dropped = [], [], 0
    for ex in examples:
        e = encode_example(tok, ex, max_len)
        if e is None:
            dropped += 1
            continue
        enc.append(e)
        kept.append(ex)
    return enc, kept, dropped


def collate(batch: list[tuple[list[int], list[int]]], pad_id: int):
    """Right-padded tensors: input_ids, attention_mask, labels (pad = -100)."""
    import torch

    n = max(len(ids) for ids, _ in batch)
    ids = torch.full((len(batch), n), pad_id, dtype=torch.long)
    lab = torch.full((len(batch), n), IGNORE, dtype=torch.long)
    att = torch.zeros((len(batch), n), dtype=torch.long)
    for i, (x, y) in enumerate(batch):
        ids[i, : len(x)] = torch.tensor(x)
        lab[i, : len(y)] = torch.tensor(y)
        att[i, : len(x)] = 1
    return {"input_ids": ids, "attention_mask": att, "labels": lab}
