"""How the corpus generator phrases LC-T's route and writes LC-T payloads (corpora/generator.py).

The shipped models were trained on the corpus these make (the weights, their order, every random
draw of the writer): change them only with a retrain.
"""

from __future__ import annotations

from helixc.values import same

# Phrasing families of the route's rows and their weights (the order is part of the draws).
FAMILY_WEIGHTS = {"conv": 42, "number": 14, "digits": 4, "words": 40}

# Place among the notations the corpus gives payloads in (the conversion rows of every route).
SOURCE_RANK = 1


def payload(self, value, rng) -> str:
    """The value as a person types it: half the time with spaces between tokens (allowed on input)."""
    t = self.emit(value)
    if rng.random() < 0.5 or '"' in t:
        return t
    spaced = t.replace(",", ", ").replace(":", ": ") if "C:" not in t else t.replace(",", ", ")
    try:
        if same(self.parse(spaced), value):
            return spaced
    except Exception:
        pass
    return t
