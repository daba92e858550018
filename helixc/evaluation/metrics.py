"""Pure metric functions. No I/O, no models: everything here is tested on hand-made fixtures."""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Sequence
from typing import Any

from ..errors import HelixError


def ratio(correct: int, total: int) -> float | None:
    """correct/total, or None when there is nothing to score (never a fake 0 or 1)."""
    return None if total == 0 else correct / total


def tally(flags: Iterable[bool]) -> dict:
    flags = list(flags)
    correct = sum(1 for f in flags if f)
    return {"correct": correct, "total": len(flags), "accuracy": ratio(correct, len(flags))}


def confusion_matrix(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str] = ()) -> dict:
    """{"labels": [...], "matrix": {gold: {pred: count}}}: rows are the expected class.

    ``labels`` fixes the order; labels seen in the data but not listed are appended (a router
    that answers outside the class set shows up as its own column)."""
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} expected labels but {len(pred)} predictions")
    order = list(labels)
    for x in list(gold) + list(pred):
        if x not in order:
            order.append(x)
    m = {g: {p: 0 for p in order} for g in order}
    for g, p in zip(gold, pred):
        m[g][p] += 1
    return {"labels": order, "matrix": m}


def routing_metrics(gold: Sequence[str], pred: Sequence[str], classes: Sequence[str] = ()) -> dict:
    """Overall accuracy, per-class accuracy (recall of each expected class; None for a class
    with no rows) and the confusion matrix."""
    cm = confusion_matrix(gold, pred, classes)
    per_class = {}
    for c in cm["labels"]:
        total = sum(1 for g in gold if g == c)
        if c not in classes and total == 0:
            continue  # a predicted-only label is not a class to score
        correct = cm["matrix"][c][c] if c in cm["matrix"] else 0
        per_class[c] = {"correct": correct, "total": total, "accuracy": ratio(correct, total)}
    overall = tally(g == p for g, p in zip(gold, pred))
    return {"overall": overall, "per_class": per_class, "confusion": cm}


def collapse(labels: Sequence[str], mapping: dict[str, str]) -> list[str]:
    """Relabel (e.g. our five routes onto the seed's three specialists); unknown labels stay."""
    return [mapping.get(x, x) for x in labels]


def exact_match(expected: str, produced: str | None) -> bool:
    """Exact string match after removing leading/trailing whitespace only."""
    return produced is not None and produced.strip() == expected.strip()


def grammar_valid(text: str | None, notation: str) -> bool:
    """Does ``text`` parse in ``notation`` (the compiler's own parser)?"""
    if text is None:
        return False
    from ..plugins import get_notation

    try:
        get_notation(notation).parse(text)
    except HelixError:
        return False
    except (RecursionError, ValueError, TypeError):
        return False
    return True


def value_match(expected: str, produced: str | None, notation: str) -> bool:
    """Same value (kind-strict), read in ``notation``; False if either side does not parse."""
    if produced is None:
        return False
    from ..plugins import get_notation
    from ..values import same

    n = get_notation(notation)
    try:
        return same(n.parse(expected), n.parse(produced))
    except (HelixError, RecursionError, ValueError, TypeError):
        return False


def percentiles(values: Sequence[float], ps: Sequence[float] = (50, 95, 99)) -> dict:
    """Linear-interpolated percentiles (numpy's default method); None for an empty sample."""
    xs = sorted(float(v) for v in values)
    out: dict[str, float | None] = {}
    for p in ps:
        key = f"p{p:g}"
        if not xs:
            out[key] = None
            continue
        pos = (len(xs) - 1) * p / 100.0
        lo, hi = math.floor(pos), math.ceil(pos)
        out[key] = xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)
    return out


def choose_kb_entry(answer: str | None, kb: Sequence[dict], min_similarity: float = 0.6) -> tuple[str | None, str]:
    """Which knowledge-base entry an explain answer is: (entry id or None, how).

    ``how`` is "exact" (the answer is an entry's answer), "nearest" (the most similar entry's
    answer, similarity >= ``min_similarity``), or "none"."""
    if answer is None or not kb:
        return None, "none"
    a = answer.strip()
    for e in kb:
        if e["answer"].strip() == a:
            return str(e.get("id")), "exact"
    best, best_score = None, 0.0
    for e in kb:
        score = difflib.SequenceMatcher(None, a, e["answer"].strip(), autojunk=False).ratio()
        if score > best_score:
            best, best_score = e, score
    if best is not None and best_score >= min_similarity:
        return str(best.get("id")), "nearest"
    return None, "none"


def expected_kb_entry(row_output: str, row_meta: dict[str, Any], kb: Sequence[dict]) -> str | None:
    """The entry an explain row expects: its ``kb_id``/``knowledge_id`` field, else the entry
    whose answer is the row's expected output."""
    for key in ("kb_id", "knowledge_id"):
        if row_meta.get(key) is not None:
            return str(row_meta[key]).split("#", 1)[0]  # the corpus writes "<entry id>#<question form>"
    for e in kb:
        if e["answer"].strip() == row_output.strip():
            return str(e.get("id"))
    return None
