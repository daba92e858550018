"""Is an English answer sure enough to print as *the* answer?

A constrained answer is valid by construction, so validity says nothing about whether the
model understood the request. What does:

* **the compiler agreed** (``verified`` True): its own reading of the request gave the same value;
* otherwise **the models' own confidence**: the coordinator's probability of the route it chose
  (when it chose), and the least likely token the specialist wrote under the full softmax
  (``min_prob``), plus how often the grammar had to overrule the model's first choice (``forced``)
  and whether it ran to its token budget (``closed_at_budget``, a loop).

The thresholds are calibrated per model directory on held-out English (validation rows of the
corpus, the dev half of the blind free-English set, and generated garbage): ``calibrate`` picks,
on those rows only, the loosest thresholds whose answered rows are >= the target precision, and
writes ``confidence.json`` beside the manifest. A model directory without one gets the
conservative defaults below.

Some outputs are never an answer whatever the scores: text with the reserved slot characters
(an unfilled slot reference), output the compiler rejects, an empty output, a route with no
specialist. :func:`judge` returns ``(confident, reason)``; the reason is one short sentence.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

RESERVED = frozenset("\u27e8\u27e9\u27e6\u27e7")  # ⟨ ⟩ ⟦ ⟧: slot brackets, never in an answer


@dataclass(frozen=True)
class Thresholds:
    route_prob: float = 0.9  # coordinator's probability of its route (the least likely label token)
    min_prob: float = 0.5  # least likely token the specialist wrote
    max_forced: int = 0  # tokens the constraint overruled
    explain_prob: float = 0.5  # explain picks an entry: the least likely token of its id

    @classmethod
    def load(cls, models_dir) -> "Thresholds":
        p = Path(models_dir) / "confidence.json"
        if not p.is_file():
            return cls()
        try:
            d = json.loads(p.read_text(encoding="utf-8"))["thresholds"]
            return cls(**{k: d[k] for k in asdict(cls()) if k in d})
        except (OSError, ValueError, KeyError, TypeError) as e:
            from ..errors import E_MODEL, HelixError

            raise HelixError(E_MODEL, f"{p}: unreadable confidence thresholds: {e}") from e


_KIND_WORDS = {
    "list": "list", "lists": "list", "array": "list", "arrays": "list",
    "map": "dict", "maps": "dict", "object": "dict", "dictionary": "dict", "dict": "dict",
    "contract": "Contract", "contracts": "Contract", "handle": "Handle", "handles": "Handle",
}
_BOOL_NULL = re.compile(r"\b(true|false|null)\b", re.I)


def _kinds(v, acc: dict) -> dict:
    from ..values import Contract

    name = type(v).__name__
    acc[name] = acc.get(name, 0) + 1
    if v is None or isinstance(v, bool):
        acc["scalar_word"] = acc.get("scalar_word", 0) + 1
    items = v.values() if isinstance(v, dict) else v.fields.values() if isinstance(v, Contract) else \
        v if isinstance(v, list) else ()
    for x in items:
        _kinds(x, acc)
    return acc


def inconsistency(request: str, value) -> str | None:
    """A cheap second reading: what the request's own words say the answer must hold. A request
    that names a list, a map, a contract or a handle gets an answer with one; one that spells out
    n true/false/null words gets at least n such values. Notation names are taken out first
    (``the binary one``), and quoted text is not read. Returns the reason, or None."""
    from ..requests import _mentions

    text = re.sub(r'"(?:[^"\\]|\\.)*"', " ", request)
    for a, b, _ in sorted(_mentions(text), reverse=True):
        text = text[:a] + " " + text[b:]
    kinds = _kinds(value, {})
    for w in re.findall(r"[A-Za-z]+", text.lower()):
        k = _KIND_WORDS.get(w)
        if k is not None and k not in kinds:
            return f"the request speaks of a {w}, and the answer has none"
    words = len(_BOOL_NULL.findall(text))
    if words > kinds.get("scalar_word", 0):
        return "the request names more true/false/null values than the answer holds"
    return None


def has_reserved(text: str) -> bool:
    return any(c in RESERVED for c in text)


def judge(features: dict, th: Thresholds) -> tuple[bool, str | None]:
    """``features``: route, routed_by_model, route_prob, min_prob, forced, closed, grammar_valid,
    output, has_specialist, verified (True/False/None), correction_sure (the compiler's answer, which
    replaced a disagreeing model's, is the safer one: see ``service.answer_batch``)."""
    out = features.get("output") or ""
    if not features.get("has_specialist", True):
        return False, f"no specialist is loaded for route {features.get('route')!r}"
    if features.get("verified") is True:
        return True, None  # the compiler read the same answer out of the request
    if features.get("verified") is False and features.get("correction_sure"):
        return True, None  # the compiler's answer replaced the model's
    if not out.strip():
        return False, "the model wrote nothing"
    if has_reserved(out):
        return False, "the answer still holds a slot reference (a literal the request does not have)"
    if not features.get("grammar_valid", False):
        return False, "the model's answer does not pass the compiler's checks"
    if features.get("verified") is False:
        return False, "the model and the compiler's own reading of the request disagree"
    if features.get("closed"):
        return False, "the model ran to its token budget (a repetition loop)"
    if features.get("routed_by_model") and features.get("route_prob", 1.0) < th.route_prob:
        return False, f"the router is unsure which notation is meant (p={features['route_prob']:.2f})"
    if features.get("route") == "explain":
        if features.get("min_prob", 1.0) < th.explain_prob:
            return False, f"no knowledge entry clearly answers this (p={features['min_prob']:.2f})"
        return True, None
    if features.get("forced", 0) > th.max_forced:
        return False, "the grammar had to overrule the model's own choice"
    if features.get("min_prob", 1.0) < th.min_prob:
        return False, f"the model is unsure of part of its answer (p={features['min_prob']:.2f})"
    if features.get("inconsistent"):
        return False, features["inconsistent"]
    return True, None
