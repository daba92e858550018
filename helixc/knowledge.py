"""The explain route's knowledge base and its split of question forms.

``corpora/knowledge.json`` (package data of ``helixc_corpora``) holds the entries; which question
forms are training forms is decided here, by a keyed hash, so that both the corpus generator
(``helixc_corpora.generator``) and the compiler's rule reader (:mod:`helixc.requests`) use the
same split without the core importing the corpus package's code (imports go one way:
``helixc_corpora`` -> ``helixc``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path


def hash01(*parts) -> float:
    """A number in [0, 1) from ``parts`` (keyed split decisions: same parts, same number)."""
    h = hashlib.blake2b("\x1f".join(map(str, parts)).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(h, "big") / 2**64


def knowledge_path() -> Path:
    """``knowledge.json`` of the installed ``helixc_corpora`` (found without importing its code)."""
    import importlib.util

    spec = importlib.util.find_spec("helixc_corpora")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("helixc_corpora is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "knowledge.json"


def load_knowledge() -> list[dict]:
    return json.loads(knowledge_path().read_text(encoding="utf-8"))


def entry_forms(entry: dict) -> list[str]:
    """Every question form of a knowledge entry: ``question_forms`` then ``train_forms`` (train/val only)."""
    return list(entry["question_forms"]) + list(entry.get("train_forms", ()))


def explain_split(kid: str, form: int, seed: int, entry: dict | None = None) -> str:
    """Split of an explain question form; test_novel reuses the test forms (with novel templates).

    With ``entry``, a form index past its ``question_forms`` is one of its ``train_forms``: train or val.
    """
    if entry is not None and form >= len(entry["question_forms"]):
        return "val" if hash01("explain-extra", seed, kid, form) < 0.125 else "train"
    if form < 2:
        return "train"
    u = hash01("explain", seed, kid, form)
    return "train" if u < 0.45 else ("val" if u < 0.6 else "test")


def known_questions(seed: int = 0, knowledge: list[dict] | None = None) -> list[tuple[str, int, str]]:
    """(id, form index, text) of every question form in the train split: what a product may look up.

    The compiler's rule reader matches questions against these only, so its explain answers on the
    held-out splits are measured on wordings it never saw, like the models'.
    """
    kb = load_knowledge() if knowledge is None else knowledge
    return [(e["id"], i, q) for e in kb for i, q in enumerate(entry_forms(e))
            if explain_split(e["id"], i, seed, e) == "train"]
