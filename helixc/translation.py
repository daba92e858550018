"""What a translation request and its result are: the contract between the CLI, ``helixc serve``,
the Python API (:mod:`helixc.engine`, which runs it) and the neural backend (:mod:`helixc.neural`,
which answers English). Its own module so that the backend imports the contract, never the engine:
the engine calls the backend, one way.
"""

from __future__ import annotations

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
    route: str  # "notation" for notation input; else the router's class (a notation's route, or explain)
    target: str  # canonical notation name, or "explain"
    output: str
    engine: str  # "compiler" or "neural" (what produced `output`)
    grammar_valid: bool
    verified: bool | None  # True/False when the compiler could check; None when it could not
    latency_ms: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    # Whether `output` is an answer (True) or only the best reading of a request helixc is not sure
    # it understood (False; `reason` says why). The CLI exits 3 and the server answers 422 for those.
    confident: bool = True
    reason: str | None = None
    # What `confident` was judged on (helixc.neural.confidence.judge); kept for calibration, not in JSON.
    features: dict | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict:
        d = asdict(self)
        d.pop("features", None)
        extra = d.pop("extra")
        d.update(extra)
        return d


# English longer than this is refused before any model runs: the models read 512 positions, and the
# compiler's rule-based reader tries spans of the request (quadratic in its length).
MAX_ENGLISH_CHARS = 2000
