"""The Helix MoE: one small causal LM, LoRA adapters per task, the compiler around it.

Design (decided with the lead; the numbers are in ``models/default/TRAINING.md``
and ``benchmarks/results/moe.json``):

* **Models do structure and intent; the compiler does arithmetic and bytes.**
  An English request is first passed through ``helixc.requests.normalize_numbers``
  (``0xDEADBEEF`` -> ``3735928559``; the corpus field ``model_input`` already has
  this). Then (models trained with ``--slots``, the default; ``"slots": true`` in
  the manifest) the compiler's lexer replaces every literal (strings, numbers,
  bytes, handle names, payload map keys; a hex run that decodes in the binary
  notation also gets its decoded value spelt out) by a slot token ``⟨k⟩``, the specialists write their notation
  with slot references, and the compiler fills in the literals and re-emits the
  answer canonically (:mod:`helixc.neural.slots`). The model never copies a
  literal character by character; it places literals.
* **Specialists**: one per notation (:func:`builtin_specialists`). A notation with a slot
  spelling is written directly, decoded under its grammar. The binary notation's specialist
  writes the *value* in the value notation (``Notation.writes_values``) under that grammar
  and the compiler encodes the bytes (a CFG cannot count LEB128 lengths, and a 5M model
  cannot do base conversion).
  The ``explain`` specialist picks a knowledge-base entry id
  (``corpora/knowledge.json``) under a grammar of the ids; the answer is that
  entry's text.
* **The coordinator** emits one route label (:data:`ROUTES`: the notations in route order,
  then ``explain``; :mod:`helixc.catalog`) under a grammar of those labels.
* **One base, many adapters.** A Qwen3-architecture model built from a config
  (no download), pretrained here on all corpus rows (loss on answer tokens
  only), carries one LoRA adapter per task. PEFT keeps a single copy of the
  base in memory and switches adapters per request group (``set_adapter``).
* **Plugins.** Every adapter is a :class:`Specialist` (or the :class:`Router`)
  registered through the ``register_specialists`` / ``register_routers`` hooks,
  so a notation plugin can ship its own specialist (an adapter directory
  trained on the same base, and the notation whose grammar constrains it).
* **Tokenizer.** A byte-level BPE trained here with ``tokenizers``: digits and
  hex letters are isolated, every non-ASCII character (each notation glyph) is its
  own pre-token and ends up a single token; ``<|pad|>``, ``<|bos|>``, ``<|eos|>``.
* **Prompt.** ``<|bos|>{task}|{request}\\n=>`` followed by the answer and
  ``<|eos|>``; ``task`` is the adapter name, so the shared base learns all tasks
  and each adapter specialises it.

Layout of a models directory (``models/default``)::

    manifest.json          format, base, adapters (name -> kind, route, target, grammar)
    base/                  config.json, model.safetensors, tokenizer.json, ...
    adapters/<name>/       adapter_config.json, adapter_model.safetensors
    TRAINING.md            the command that produced it, time, held-out results

Heavy imports (torch, transformers, peft) happen only inside the modules that
need them, never at ``import helixc.neural``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import os as _os

from .quiet import install as _quiet_deps

# helixc never downloads anything: say so to huggingface_hub before anything imports it (its
# constants are read once, at its import). Imported later, bitsandbytes' kernel fetch went online
# and logged "could not verify publisher trust status" on a machine without the hub.
_os.environ.setdefault("HF_HUB_OFFLINE", "1")
_os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
_quiet_deps()  # bitsandbytes' "No module named 'kernels'" import noise (helixc.neural.quiet)



def __getattr__(name: str):
    # the coordinator's labels come from the registered notations, in the trained order
    # (helixc.catalog.routes: by route rank, explain at rank 4, new notations after it)
    if name == "ROUTES":
        from .. import catalog

        return catalog.routes()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


COORDINATOR = "coordinator"
PAD, BOS, EOS = "<|pad|>", "<|bos|>", "<|eos|>"
SEP = "\n=>"

# Answer kinds of a specialist.
KIND_NOTATION = "notation"  # writes text in `grammar` (= the target notation)
KIND_VALUE = "value"  # writes the value in `grammar` (the value notation); the compiler emits `target`
KIND_CHOICE = "choice"  # picks one id of a closed set (the knowledge base)
KIND_ROUTE = "route"  # the coordinator: picks a route label


@dataclass
class Specialist:
    """One LoRA adapter that answers requests of one route.

    ``adapter`` is a directory name under ``<models>/adapters/`` or an absolute
    path (a plugin shipping its own weights). ``grammar`` is the notation whose
    Lark grammar constrains decoding (None for choice specialists).
    """

    name: str
    route: str
    target: str
    kind: str = KIND_NOTATION
    grammar: str | None = None
    adapter: str | None = None
    description: str = ""

    def adapter_dir(self, models_dir: str | Path) -> Path:
        p = Path(self.adapter or self.name)
        return p if p.is_absolute() else Path(models_dir) / "adapters" / p


@dataclass
class Router:
    """The coordinator adapter: picks one of ``labels`` for an English request."""

    name: str = COORDINATOR
    labels: tuple[str, ...] = field(default_factory=lambda: __getattr__("ROUTES"))
    adapter: str | None = None
    kind: str = KIND_ROUTE
    description: str = ""
    extra: dict = field(default_factory=dict)

    def adapter_dir(self, models_dir: str | Path) -> Path:
        p = Path(self.adapter or self.name)
        return p if p.is_absolute() else Path(models_dir) / "adapters" / p


def builtin_specialists() -> list[Specialist]:
    """One specialist per registered notation, then explain. A notation with a slot spelling
    (``Notation.slot_spelling``) is written directly under its grammar; a binary one is written
    as a value in the value notation (``Notation.writes_values``) and encoded by the compiler."""
    from .. import catalog
    from ..plugins import notations

    regs = notations()
    value = catalog.value_notation()
    direct, as_value = [], []
    for name in catalog.notation_routes():
        n = regs[name]
        label = n.title.split(",")[0] or name
        if n.slot_spelling is not None:
            direct.append(Specialist(name, name, name, KIND_NOTATION, name, description=f"writes {label} directly"))
        elif n.binary and value is not None:
            as_value.append(Specialist(name, name, name, KIND_VALUE, value, description=(
                f"writes the value in {regs[value].title.split(',')[0] or value}; the compiler encodes the {label} bytes")))
    return direct + as_value + [
        Specialist("explain", "explain", "explain", KIND_CHOICE, None,
                   description="picks a knowledge-base entry id; the answer is the entry's text"),
    ]


def specialists() -> dict[str, Specialist]:
    """Route -> specialist, from every plugin's ``register_specialists``."""
    from ..plugins import _collect

    out: dict[str, Specialist] = {}
    for s in _collect("register_specialists"):
        if not isinstance(s, Specialist):
            from ..errors import E_PLUGIN, HelixError

            raise HelixError(E_PLUGIN, f"register_specialists got {s!r}, which is not a helixc.neural.Specialist")
        out[s.route] = s
    return out


def routers() -> list[Router]:
    from ..plugins import _collect

    return [r for r in _collect("register_routers") if isinstance(r, Router)]


def default_models_dir() -> Path:
    """``$HELIXC_MODELS``; else the shipped ``models/default``: installed with the package (import
    name ``helixc_models``: a wheel, ``pip install .``, an editable install), or in the source tree
    of a checkout. A missing directory is returned as is (MoE names it in its E_MODEL error)."""
    import importlib.util
    import os

    env = os.environ.get("HELIXC_MODELS")
    if env:
        return Path(env)
    tree = Path(__file__).resolve().parent.parent.parent / "models" / "default"
    try:
        spec = importlib.util.find_spec("helixc_models")
    except (ImportError, ValueError):
        spec = None
    for loc in (spec.submodule_search_locations or []) if spec is not None else []:
        if (Path(loc) / "default" / "manifest.json").is_file():
            return Path(loc) / "default"
    return tree
