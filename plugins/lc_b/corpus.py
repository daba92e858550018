"""How the corpus generator phrases LC-B's route and writes LC-B payloads (corpora/generator.py).

The shipped models were trained on the corpus these make (the weights, their order, every random
draw of the writer): change them only with a retrain.
"""

# Phrasing families of the route's rows and their weights (the order is part of the draws).
FAMILY_WEIGHTS = {"conv": 34, "number": 22, "digits": 4, "words": 28, "notarget_encode": 12}

# The notations a "notarget_encode" row ("Encode {payload}") gives its value in, drawn uniformly.
FAMILY_SOURCES = {"notarget_encode": ("hlxl", "lc-t", "lc-r")}

# Place among the notations the corpus gives payloads in (the conversion rows of every route).
SOURCE_RANK = 3


def payload(self, value, rng) -> str:
    """The hex bytes as a person types them: sometimes lower-case, sometimes without spaces."""
    t = self.emit(value)
    r = rng.random()
    if r < 0.15:
        return t.lower()
    if r < 0.25:
        return t.replace(" ", "")
    return t
