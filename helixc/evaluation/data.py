"""Eval sets: JSONL in the seed's format (``input``/``output``, optional ``route``), or a split
of the generated corpus.

Every non-blank line is either a row or a :class:`Malformed` entry with its line number and
reason: nothing is dropped silently. Blank lines are not rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import HelixError
from . import routes

E_EVAL_INPUT = "E_EVAL_INPUT"

TEMPLATE_PREFIX = "### Instruction:\n"
TEMPLATE_SUFFIX = "\n\n### Response:\n"

BUILTIN_SPLITS = ("train", "val", "test", "test_novel")


def strip_template(text: str) -> str:
    """The bare request inside the seed's prompt template (unchanged if there is no template)."""
    if text.startswith(TEMPLATE_PREFIX):
        text = text[len(TEMPLATE_PREFIX):]
        if text.endswith(TEMPLATE_SUFFIX):
            text = text[: -len(TEMPLATE_SUFFIX)]
        else:
            # Tolerate a stripped trailing newline (editors remove it).
            tail = TEMPLATE_SUFFIX.rstrip("\n")
            if text.endswith(tail):
                text = text[: -len(tail)]
    return text


def with_template(request: str) -> str:
    return TEMPLATE_PREFIX + request + TEMPLATE_SUFFIX


@dataclass
class EvalRow:
    line: int  # 1-based line number in the file
    request: str  # the bare request (template removed)
    input: str  # the ``input`` field as written
    output: str  # the expected answer
    route: str | None = None  # expected route (one of routes()), if the file says
    target: str | None = None  # expected target notation name or "explain", if known
    meta: dict[str, Any] = field(default_factory=dict)  # every other field of the row
    file: str | None = None  # which file, when a set spans several


@dataclass
class Malformed:
    line: int
    reason: str
    file: str | None = None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.file else str(self.line)


@dataclass
class EvalSet:
    name: str
    path: str | None
    rows: list[EvalRow]
    malformed: list[Malformed]

    @property
    def labelled(self) -> list[EvalRow]:
        return [r for r in self.rows if r.route is not None]

    def limited(self, n: int | None) -> "EvalSet":
        if n is None:
            return self
        return EvalSet(self.name, self.path, self.rows[:n], self.malformed)


def _canonical_route(value: Any) -> str:
    """A route label in canonical form, or ValueError. Notation aliases are accepted."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"route must be a non-empty string, got {value!r}")
    key = value.strip().lower()
    if key in routes():
        return key
    from ..plugins import get_notation

    try:
        name = get_notation(key).name
    except HelixError as e:
        raise ValueError(f"unknown route {value!r} (known: {', '.join(routes())})") from e
    if name not in routes():
        raise ValueError(f"route {value!r} names notation {name!r}, which no specialist serves")
    return name


def parse_row(line_no: int, text: str) -> EvalRow | Malformed:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        return Malformed(line_no, f"invalid JSON: {e.msg} at column {e.colno}")
    if not isinstance(obj, dict):
        return Malformed(line_no, f"a row must be a JSON object, got {type(obj).__name__}")
    for key in ("input", "output"):
        if key not in obj:
            return Malformed(line_no, f"missing field {key!r}")
        if not isinstance(obj[key], str):
            return Malformed(line_no, f"field {key!r} must be a string, got {type(obj[key]).__name__}")
    request = strip_template(obj["input"])
    if not request.strip():
        return Malformed(line_no, "empty input")
    if not obj["output"].strip():
        return Malformed(line_no, "empty output")
    route = target = None
    try:
        if obj.get("route") is not None:
            route = _canonical_route(obj["route"])
        if obj.get("target_notation") is not None:
            target = _canonical_route(obj["target_notation"])
    except ValueError as e:
        return Malformed(line_no, str(e))
    if target is None:
        target = route
    if route is not None and target is not None and route != target:
        # The corpus routes every request to the specialist of its target notation.
        return Malformed(line_no, f"route {route!r} disagrees with target_notation {target!r}")
    meta = {k: v for k, v in obj.items() if k not in ("input", "output", "route", "target_notation")}
    return EvalRow(line=line_no, request=request, input=obj["input"], output=obj["output"],
                   route=route, target=target, meta=meta)


def load_jsonl(path: str | Path, name: str | None = None) -> EvalSet:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise HelixError(E_EVAL_INPUT, f"cannot read eval file {p}: {e.strerror}") from e
    rows: list[EvalRow] = []
    bad: list[Malformed] = []
    for i, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            bad.append(Malformed(i, f"not UTF-8 (byte {e.start})"))
            continue
        got = parse_row(i, text)
        (rows if isinstance(got, EvalRow) else bad).append(got)
    if not rows and not bad:
        raise HelixError(E_EVAL_INPUT, f"eval file {p} has no rows")
    return EvalSet(name or p.name, str(p), rows, bad)


def default_corpus_dir() -> Path:
    import helixc_corpora

    return Path(helixc_corpora.__file__).parent / "data" / "generated"


def resolve_split(split: str, corpus_dir: str | Path | None = None) -> tuple[str, list[Path]]:
    """(name, files) for ``--split``: an existing JSONL file, or a built-in split of the
    generated corpus (one file per route; built deterministically, seed 0, if missing)."""
    p = Path(split)
    if split not in BUILTIN_SPLITS:
        if p.is_file():
            return p.name, [p]
        raise HelixError(E_EVAL_INPUT, f"--split {split!r} is neither a file nor one of {', '.join(BUILTIN_SPLITS)}")
    return split, _corpus_split_paths(split, corpus_dir)


def _corpus_split_paths(split: str, corpus_dir: str | Path | None) -> list[Path]:
    base = Path(corpus_dir) if corpus_dir is not None else default_corpus_dir()
    paths = [base / route / f"{split}.jsonl" for route in routes()]
    if not all(p.is_file() for p in paths):
        try:
            import helixc_corpora
        except ImportError as e:  # pragma: no cover - the package ships with helixc
            raise HelixError(E_EVAL_INPUT, f"the corpora package is not installed: {e}") from e
        import sys

        print(f"helixc: corpus split {split!r} not found under {base}; building it (seed 0)", file=sys.stderr)
        helixc_corpora.build(seed=0, out_dir=base)
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise HelixError(E_EVAL_INPUT, f"split {split!r} not found: {', '.join(missing)}")
    return paths


def load_split(split: str, corpus_dir: str | Path | None = None) -> EvalSet:
    name, paths = resolve_split(split, corpus_dir)
    if len(paths) == 1:
        return load_jsonl(paths[0], name=name)
    rows: list[EvalRow] = []
    bad: list[Malformed] = []
    for p in paths:
        part = load_jsonl(p)
        label = f"{p.parent.name}/{p.name}"
        for r in part.rows:
            r.file = label
        for m in part.malformed:
            m.file = label
        rows += part.rows
        bad += part.malformed
    return EvalSet(name, str(paths[0].parent.parent / f"*/{split}.jsonl"), rows, bad)


def load_knowledge(path: str | Path | None = None) -> list[dict]:
    """The explain-route knowledge base: ``[{"id", "question_forms", "answer"}]``."""
    if path is None:
        import helixc_corpora

        path = Path(helixc_corpora.__file__).parent / "knowledge.json"
    p = Path(path)
    if not p.is_file():
        return []
    try:
        kb = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise HelixError(E_EVAL_INPUT, f"cannot read knowledge base {p}: {e}") from e
    if isinstance(kb, dict):  # tolerate {"entries": [...]}
        kb = kb.get("entries", [])
    return [e for e in kb if isinstance(e, dict) and "answer" in e]
