"""One translation request, whatever its input: the contract between the CLI,
``helixc serve`` and the neural backend.

* Input in a notation (detected, or named by ``source``) is translated by the
  compiler alone: no model, no torch import.
* English input goes to the neural backend (``helixc.neural``), which the
  ``register_routers`` / ``register_specialists`` plugins provide.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

ENGINES = ("auto", "neural", "compiler")


@dataclass
class TranslateRequest:
    text: str
    to: str = "auto"  # a notation name/alias, or "auto" (let the router decide)
    source: str | None = None  # notation of `text`; None = detect, or English
    engine: str = "auto"  # auto | neural | compiler


@dataclass
class TranslateResult:
    route: str  # "notation" for notation input; else the router's class (lc-b, lc-r, lc-t, hlxl, explain)
    target: str  # canonical notation name, or "explain"
    output: str
    engine: str  # "compiler" or "neural" (what produced `output`)
    grammar_valid: bool
    verified: bool | None  # True/False when the compiler could check; None when it could not
    latency_ms: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict:
        d = asdict(self)
        extra = d.pop("extra")
        d.update(extra)
        return d


def translate_notation(req: TranslateRequest) -> TranslateResult | None:
    """Compiler path. Returns None when the input is not in any notation (then it is English)."""
    from . import detection as _detect
    from .errors import HelixError
    from .plugins import get_notation

    t0 = time.perf_counter()
    if req.source is not None:
        value = get_notation(req.source).parse(req.text)
    else:
        try:
            value = _detect.detect(req.text).value
        except HelixError:
            if _detect.looks_like_english(req.text):
                return None
            raise
    target = get_notation(req.to)
    out = target.emit(value)
    return TranslateResult(
        route="notation", target=target.name, output=out, engine="compiler",
        grammar_valid=True, verified=True, latency_ms=(time.perf_counter() - t0) * 1000,
    )

