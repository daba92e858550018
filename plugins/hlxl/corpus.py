"""How the corpus generator phrases HLXL's route and writes HLXL payloads (corpora/generator.py).

The shipped models were trained on the corpus these make: the weights, their order and every random
draw of the writers are part of it (``helixc corpus build --seed 0`` stays byte for byte the same):
change them only with a retrain.
"""

from __future__ import annotations

from helixc.values import Contract, same

# Phrasing families of the route's rows and their weights (the order is part of the draws).
FAMILY_WEIGHTS = {"conv": 30, "parse": 18, "number": 10, "digits": 3, "words": 22, "notarget_hlxl": 8, "format": 9}

# The notations a "parse" row gives its value in, drawn uniformly: the glyph and byte forms twice as often.
FAMILY_SOURCES = {"parse": ("lc-t", "lc-r", "lc-r", "lc-b", "lc-b", "hlxl")}

# Place among the notations the corpus gives payloads in (the conversion rows of every route).
SOURCE_RANK = 0


def _num_text(rng, n: int, hexy: float) -> str:
    r = rng.random()
    if n >= 0 and r < hexy:
        return rng.choice(["0x%X", "0x%x", "0x%04X", "0x%08X"]) % n
    if n >= 0 and r < hexy * 1.3:
        return "0b" + format(n, "b")
    return str(n)


def noisy(notation, value, rng, hexy: float = 0.0, spacing: str = "canonical", shuffle_maps: bool = False) -> str:
    """HLXL text for `value`, with optional hex/binary int literals, odd spacing and reordered map keys
    (the canonical text when the noisy one would not read back as `value`)."""

    def sep(canon: str) -> str:
        if spacing == "tight":
            return canon.strip()
        if spacing == "loose":
            return canon.strip() + " " if canon.strip() else " "
        return canon

    def w(v) -> str:
        if type(v) is int:
            return _num_text(rng, v, hexy)
        if type(v) is list:
            inner = sep(", ").join(w(x) for x in v)
            return "[" + (" " if spacing == "loose" and v else "") + inner + (" " if spacing == "loose" and v else "") + "]"
        if type(v) is dict:
            keys = list(v)
            if shuffle_maps:
                rng.shuffle(keys)
            items = [notation.emit({k: None})[1:-len(": null}")] + sep(": ") + w(v[k]) for k in keys]
            return "{" + sep(", ").join(items) + "}"
        if type(v) is Contract:
            fields = sep(", ").join(f"@{i}" + sep(": ") + w(x) for i, x in v.fields.items())
            return "{" + str(v.id) + sep(": ") + "{" + fields + "}}"
        return notation.emit(v)

    text = w(value)
    try:
        if same(notation.parse(text), value):
            return text
    except Exception:
        pass
    return notation.emit(value)


def payload(self, value, rng) -> str:
    """The value as a person types it: canonical most of the time, else noisy."""
    if rng.random() < 0.6:
        return self.emit(value)
    return noisy(self, value, rng, hexy=0.1, spacing=rng.choice(["canonical", "tight", "loose"]),
                 shuffle_maps=rng.random() < 0.5)


def format_payload(self, value, rng) -> str:
    """Text for a "format" row (rewrite it canonically): always noisy, maps reordered."""
    return noisy(self, value, rng, hexy=0.25, spacing=rng.choice(["tight", "loose", "canonical"]), shuffle_maps=True)
