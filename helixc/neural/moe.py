"""The runtime MoE: one base model in memory, one LoRA adapter per task.

``MoE(models_dir)`` loads ``manifest.json``, the tokenizer, the base and every
adapter into a single ``PeftModel`` (``load_adapter``; one copy of the base
weights). ``route`` runs the coordinator, ``generate`` runs specialists (rows
grouped per adapter, ``set_adapter`` once per group, one forward per decode
step for the whole group, each row with its own grammar state), ``answer``
does both for a list of :class:`helixc.engine.TranslateRequest`.

Every loading problem (missing file, bad manifest, wrong tensor shapes) is a
one-line ``HelixError(E_MODEL)``.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import E_INPUT, E_MODEL, HelixError
from . import COORDINATOR, KIND_CHOICE, KIND_NOTATION, KIND_ROUTE, KIND_VALUE, Specialist
from .data import prompt_text, reads_raw


@dataclass
class GenerationOutput:
    text: str  # what the model wrote (before the compiler post-processes it)
    grammar_valid: bool
    tokens: list[int] = field(default_factory=list)
    value: object = None  # the parsed value (notation / value specialists)
    output: str = ""  # the answer: notation text, a binary notation's hex, or the knowledge entry's text
    adapter: str = ""
    closed: bool = False  # the decoder hit the token budget and closed the answer off (decode module doc)
    min_prob: float = 1.0  # the least likely token the model wrote (full softmax, before the mask)
    forced: int = 0  # tokens where the grammar or the order guard overruled the model's first choice


def _model_error(msg: str) -> HelixError:
    return HelixError(E_MODEL, msg.splitlines()[0] if msg else "model error")


def read_manifest(models_dir: Path) -> dict:
    mpath = models_dir / "manifest.json"
    if not models_dir.is_dir():
        raise _model_error(f"models directory {models_dir} does not exist")
    if not mpath.is_file():
        raise _model_error(f"{models_dir} has no manifest.json (not a helixc models directory)")
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise _model_error(f"{mpath}: unreadable manifest: {e}") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("adapters"), dict) or "base" not in manifest:
        raise _model_error(f"{mpath}: manifest needs 'base' and an 'adapters' object")
    router = manifest.get("router", COORDINATOR)
    if router not in manifest["adapters"]:
        raise _model_error(f"{mpath}: router adapter {router!r} is not listed in 'adapters'")
    for name, a in manifest["adapters"].items():
        if not isinstance(a, dict) or "kind" not in a:
            raise _model_error(f"{mpath}: adapter {name!r} has no 'kind'")
    return manifest


_F = None  # torch.nn.functional, imported on first use (no import statement per LoRA layer call)


def _fast_lora_forward(self, x, *args, **kwargs):
    global _F
    F = _F
    if F is None:
        import torch.nn.functional as F

        _F = F
    base = self.base_layer
    out = F.linear(x, base.weight, base.bias)
    lora = self._helixc_active
    if lora is not None:
        a, b, scale = lora
        if scale is None:  # rows with different adapters (MoE._set_row_adapters): a (rows, in, r), b (rows, r, out)
            out = out + (x @ a) @ b
        else:
            out = out + F.linear(F.linear(x, a), b) * scale
    return out


def _install_fast_lora(model) -> None:
    import types

    import torch
    from peft.tuners.lora import Linear as LoraLinear

    for m in model.modules():
        if isinstance(m, LoraLinear):
            m._helixc_lora = {name: (m.lora_A[name].weight, m.lora_B[name].weight, float(m.scaling[name]))
                              for name in m.lora_A
                              if isinstance(m.lora_A[name], torch.nn.Linear)}
            m._helixc_active = None
            m.forward = types.MethodType(_fast_lora_forward, m)


class MoE:
    def __init__(self, models_dir: str | Path, *, threads: int | None = None, dtype: str = "float32"):
        """Load a models directory, in steps: the manifest (and its slot-lexer check, before any
        weights), the tokenizer, the base, the knowledge base, the adapters, then decoding state."""
        t0 = time.perf_counter()
        try:
            import torch
            from peft import PeftModel  # noqa: F401 - the ML extra is there, or one clear error now
            from transformers import AutoModelForCausalLM  # noqa: F401
        except ImportError as e:
            raise HelixError(E_MODEL, f"the neural backend needs the ML extra (pip install -e '.[ml]'): {e}") from None

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:  # no "Loading weights" bars on a CLI's stderr
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            hf_logging.set_verbosity_error()
        except Exception:  # noqa: BLE001
            pass
        torch.set_num_threads(threads or int(os.environ.get("HELIXC_TORCH_THREADS", "1")))
        self.dir = Path(models_dir)
        base_dir, tok_dir = self._read_manifest()
        self.tok = self._load_tokenizer(tok_dir)
        base_model = self._load_base(base_dir, dtype)
        self.specs: dict[str, Specialist] = {}  # adapter name -> spec (kind, route, ...)
        self.router_name = self.manifest.get("router", COORDINATOR)
        self.labels: list[str] = list(self.manifest["adapters"][self.router_name].get("labels") or [])
        self.max_new: dict[str, int] = {}
        self.choices: dict[str, list[str]] = {}
        self.knowledge = self._load_knowledge()
        self.model = self._load_adapters(base_model).eval()
        self._setup_decoding()
        self.load_s = time.perf_counter() - t0

    def _read_manifest(self) -> tuple[Path, Path]:
        """The manifest, checked before any weights load (a slot-lexer mismatch is a one-line error,
        not a slow one); returns (base directory, tokenizer directory)."""
        self.manifest = read_manifest(self.dir)
        self.slots = bool(self.manifest.get("slots"))
        # models trained since run 9 show choice adapters (explain) the request without slots
        self.choice_raw = self.manifest.get("choice_reads") == "raw"
        if self.slots:
            from .slots import SLOT_LEXER_VERSION

            trained = self.manifest.get("slot_lexer", 1)
            if trained != SLOT_LEXER_VERSION:
                raise HelixError(E_MODEL, f"{self.dir}: these models were trained with slot lexer {trained}, this "
                                          f"helixc has {SLOT_LEXER_VERSION}; retrain them (helixc train) or use the "
                                          f"helixc they came with")
        base = self.manifest["base"]
        base_dir = Path(base) if Path(base).is_absolute() else self.dir / base
        tok_dir = self.dir / self.manifest.get("tokenizer", base)
        if not (base_dir / "config.json").is_file():
            raise _model_error(f"base model missing: {base_dir}/config.json")
        if not (tok_dir / "tokenizer.json").is_file():
            raise _model_error(f"tokenizer missing: {tok_dir}/tokenizer.json")
        return base_dir, tok_dir

    def _load_tokenizer(self, tok_dir: Path):
        from .loading import one_line
        from .tokenizer import load_tokenizer

        try:
            return load_tokenizer(tok_dir)
        except HelixError:
            raise
        except Exception as e:  # noqa: BLE001
            raise HelixError(E_MODEL, f"cannot load the tokenizer from {tok_dir}: {one_line(e)}") from None

    def _load_base(self, base_dir: Path, dtype: str):
        import torch
        from transformers import AutoModelForCausalLM

        from .loading import base_load_error, missing_weights_error

        try:
            base_model, info = AutoModelForCausalLM.from_pretrained(
                str(base_dir), dtype=getattr(torch, dtype), local_files_only=True, output_loading_info=True)
        except HelixError:
            raise
        except Exception as e:  # noqa: BLE001 - the tensor and both shapes (helixc.neural.loading)
            raise base_load_error(base_dir, e) from None
        err = missing_weights_error(base_dir, info.get("missing_keys") or ())
        if err is not None:
            raise err
        if base_model.get_input_embeddings().weight.shape[0] < len(self.tok):
            raise _model_error(f"tokenizer ({len(self.tok)} tokens) does not fit the base model's embeddings "
                               f"({base_model.get_input_embeddings().weight.shape[0]})")
        self.base_params = sum(p.numel() for p in base_model.parameters())
        return base_model

    def _load_knowledge(self) -> dict[str, str]:
        if not self.manifest.get("knowledge"):
            return {}
        kpath = self.dir / self.manifest["knowledge"]
        try:
            return {e["id"]: e["answer"] for e in json.loads(kpath.read_text(encoding="utf-8"))}
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise _model_error(f"{kpath}: unreadable knowledge base: {e}") from None

    def _load_adapters(self, base_model):
        """Every adapter of the manifest (and of plugin specialists) onto the one base (PEFT)."""
        import warnings

        from peft import PeftModel

        from .loading import adapter_load_error

        adapters = self._adapter_entries()
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*")
        model = None
        for name, (path, entry) in adapters.items():
            if not (path / "adapter_config.json").is_file():
                raise _model_error(f"adapter {name!r} missing: {path}/adapter_config.json")
            try:
                if model is None:
                    model = PeftModel.from_pretrained(base_model, str(path), adapter_name=name, is_trainable=False)
                else:
                    model.load_adapter(str(path), adapter_name=name, is_trainable=False)
            except Exception as e:  # noqa: BLE001 - shapes (tensor and both named), missing tensors, bad config
                raise adapter_load_error(name, path, e) from None
            self.max_new[name] = int(entry.get("max_new_tokens", 128))
            if entry["kind"] == KIND_CHOICE:
                self.choices[name] = list(entry.get("choices") or self.knowledge)
        if model is None:
            raise _model_error(f"{self.dir}: no adapters")
        return model

    def _setup_decoding(self) -> None:
        self.active: str | None = None
        # PEFT's LoRA forward costs ~5x a plain forward at this size, and merging/unmerging an
        # adapter costs ~45 ms per switch. So each LoRA layer gets a lean forward,
        # base(x) + s * B(A(x)), reading the active adapter's tensors: switching is a pointer swap
        # and the base weights are never modified (HELIXC_FAST_LORA=0 keeps PEFT's own path).
        self.fast = os.environ.get("HELIXC_FAST_LORA", "1") != "0"
        # canonical field order / unique keys while decoding (helixc.neural.order); HELIXC_ORDER_GUARD=0 turns it off
        self.order_guard = os.environ.get("HELIXC_ORDER_GUARD", "1") != "0"
        if self.fast:
            _install_fast_lora(self.model)
        self.vocab_size = self.model.config.vocab_size if hasattr(self.model, "config") else len(self.tok)
        # slots (helixc.neural.slots): the compiler delexicalises literals before the models read
        # a request, and fills the specialists' slot references afterwards
        self._slot_ids = None  # slot token ids, when each slot is one token (our own tokenizer)
        if self.slots:
            from .slots import SLOT_TOKENS

            ids = [self.tok.encode(t, add_special_tokens=False) for t in SLOT_TOKENS]
            if all(len(i) == 1 for i in ids):
                self._slot_ids = [i[0] for i in ids]
        self._constraints: dict = {}

    # ------------------------------------------------------------------ setup

    def _adapter_entries(self) -> dict:
        """Adapter name -> (directory, manifest entry); plugin specialists not in the
        manifest are added when their adapter directory exists."""
        out = {}
        for name, a in self.manifest["adapters"].items():
            path = Path(a.get("path", f"adapters/{name}"))
            path = path if path.is_absolute() else self.dir / path
            out[name] = (path, a)
            if a["kind"] != KIND_ROUTE:
                self.specs[name] = Specialist(name=name, route=a.get("route", name), target=a.get("target", name),
                                              kind=a["kind"], grammar=a.get("grammar"), adapter=str(path))
        try:
            from . import specialists

            plugin_specs = specialists()
        except Exception:  # noqa: BLE001 - a broken plugin must not take the MoE down
            plugin_specs = {}
        for route, s in plugin_specs.items():
            if s.name in out:
                continue
            path = s.adapter_dir(self.dir)
            if (path / "adapter_config.json").is_file():
                out[s.name] = (path, {"kind": s.kind, "route": s.route, "target": s.target, "grammar": s.grammar})
                self.specs[s.name] = s
                if s.route not in self.labels:
                    self.labels.append(s.route)
        return out

    def specialist_for(self, route: str) -> Specialist:
        for s in self.specs.values():
            if s.route == route:
                return s
        raise HelixError(E_INPUT, f"no specialist for route {route!r} (have: {', '.join(sorted(self.routes()))})")

    def routes(self) -> list[str]:
        return sorted({s.route for s in self.specs.values()})

    def adapters(self) -> list[str]:
        return list(self.model.peft_config)

    def set_adapter(self, name: str) -> None:
        if self.active == name:
            return
        if self.fast:
            for m in self._lora_layers():
                m._helixc_active = m._helixc_lora.get(name)
        else:
            self.model.set_adapter(name)
        self.active = name

    def _lora_layers(self):
        if not hasattr(self, "_layers"):
            from peft.tuners.lora import LoraLayer

            self._layers = [m for m in self.model.modules() if isinstance(m, LoraLayer) and hasattr(m, "_helixc_lora")]
        return self._layers

    def constraint_for(self, name: str):
        """The decoding constraint of adapter ``name`` (None: unconstrained)."""
        if name in self._constraints:
            return self._constraints[name]
        from .decode import ChoiceConstraint, grammar_constraint

        if name == self.router_name:
            c = ChoiceConstraint(self.labels, self.tok)
        else:
            s = self.specs[name]
            if s.kind == KIND_CHOICE:
                c = ChoiceConstraint(self.choices.get(name) or list(self.knowledge), self.tok)
            elif s.grammar:
                c = grammar_constraint(s.grammar, self.tok, self.vocab_size, slots=self._slotted(s))
            else:
                c = None
        self._constraints[name] = c
        return c

    def _slotted(self, spec: Specialist) -> bool:
        from .slots import SLOT_NOTATIONS

        return self.slots and spec.kind in (KIND_NOTATION, KIND_VALUE) and spec.grammar in SLOT_NOTATIONS

    def read(self, text: str):
        """(what the models read, the literal slots) for a number-normalised request."""
        from .data import model_request

        return model_request(text, self.slots)

    # ------------------------------------------------------------------ inference

    def _decode(self, adapter: str, texts: list[str], constrained: bool, batch_size: int = 32,
                slots: list[list] | None = None):
        """Greedy decoding of ``adapter`` for ``texts``; ``slots`` (slotted specialists: each
        row's literal slots): a row may only refer to the slots its request has, each once, and
        must place every literal (:func:`helixc.neural.slots.required`) before it ends."""
        from .decode import greedy_decode

        self.set_adapter(adapter)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        res = [None] * len(texts)
        for s in range(0, len(order), batch_size):
            idx = order[s: s + batch_size]
            prompts = [prompt_text(adapter, texts[i]) for i in idx]
            row_cons = [self._row_constraint(adapter, constrained, slots[i] if slots is not None else None)
                        for i in idx]
            dec = greedy_decode(self.model, self.tok, prompts, max_new_tokens=self.max_new.get(adapter, 128),
                                constraints=row_cons if any(c is not None for c in row_cons) else None)
            for i, d in zip(idx, dec):
                res[i] = d
        return res

    def _row_constraint(self, adapter: str, constrained: bool, row_slots: list | None):
        """One row's decoding constraint: the adapter's grammar, the row's slots, the order guard."""
        from .decode import WithoutTokens, whitespace_ids
        from .order import ORDER_NOTATIONS, OrderGuard
        from .slots import required

        c = self.constraint_for(adapter) if constrained else None
        if c is None:
            return None
        if row_slots is not None and self._slot_ids is not None:
            ids, ws = self._slot_ids, whitespace_ids(self.tok)
            c = WithoutTokens(c, ids[len(row_slots):], ids[:len(row_slots)],
                              [ids[s.index] for s in required(row_slots)], self.tok.eos_token_id, ws)
        spec = self.specs.get(adapter)
        if self.order_guard and spec is not None and spec.grammar in ORDER_NOTATIONS:
            c = OrderGuard(c, spec.grammar, self.tok, row_slots)
        return c

    def mixable(self) -> bool:
        """Whether rows of different adapters can share one forward pass (fast LoRA, and every LoRA
        layer holds every adapter at one rank): then :meth:`generate` decodes all specialists at once."""
        if not hasattr(self, "_mixable"):
            names = set(self.adapters())
            layers = self._lora_layers() if self.fast else []
            self._mixable = bool(layers) and all(
                set(m._helixc_lora) == names and len({a.shape[0] for a, _, _ in m._helixc_lora.values()}) == 1
                for m in layers)
            self._mix_names = sorted(names)
        return self._mixable and os.environ.get("HELIXC_MIXED_BATCH", "1") != "0"

    def _set_row_adapters(self, names: list[str]) -> None:
        """Each row of the next forward passes uses its own adapter: every LoRA layer adds
        ``(x @ A_rows) @ B_rows``, a batched product with row i's adapter's matrices (scale folded
        into B), so each row costs what one adapter costs. The matrices of all layers of one shape
        are stacked (``_row_stacks``): picking the rows is one ``index_select`` per shape, not two per
        layer, and each layer reads its slice (a view)."""
        import torch

        if not hasattr(self, "_lora_stacks"):
            groups: dict = {}
            for m in self._lora_layers():
                loras = [m._helixc_lora[n] for n in self._mix_names]
                a = torch.stack([a.t() for a, _, _ in loras])  # (adapters, in, r)
                b = torch.stack([(b * s).t() for _, b, s in loras])  # (adapters, r, out)
                groups.setdefault((tuple(a.shape), tuple(b.shape)), []).append((m, a, b))
            self._lora_stacks = [([m for m, _, _ in g], torch.stack([a for _, a, _ in g], 1).contiguous(),
                                  torch.stack([b for _, _, b in g], 1).contiguous())  # (adapters, layers, ...)
                                 for g in groups.values()]
        order = {n: k for k, n in enumerate(self._mix_names)}
        idx = torch.tensor([order[n] for n in names])
        self._row_stacks = [(layers, a.index_select(0, idx), b.index_select(0, idx))
                            for layers, a, b in self._lora_stacks]
        self._row_count = len(names)
        self._activate_rows(self._row_stacks)
        self.active = None  # the next set_adapter sets every layer again

    @staticmethod
    def _activate_rows(stacks) -> None:
        for layers, a, b in stacks:
            for k, m in enumerate(layers):
                m._helixc_active = (a[:, k], b[:, k], None)

    def _select_rows(self, sel) -> None:
        """The next forward passes compute only the rows ``sel`` of the batch (greedy_decode): their
        per-row matrices. All rows in order (after a grouped prefill) take the matrices as they are."""
        n = int(sel.numel())
        if n == getattr(self, "_row_count", -1) and (n == 0 or int(sel[-1]) == n - 1 and bool((sel.diff() == 1).all())):
            self._activate_rows(self._row_stacks)
            return
        self._activate_rows([(layers, a.index_select(0, sel), b.index_select(0, sel))
                             for layers, a, b in self._row_stacks])

    def _decode_mixed(self, names: list[str], texts: list[str], constrained: bool, batch_size: int = 32,
                      slots: list | None = None):
        """:meth:`_decode` for rows of different adapters in one batch (``names[i]``: row i's
        adapter, ``slots[i]``: its slots or None), each row with its own prompt, constraint and
        token budget; the same answers as decoding each adapter's rows apart (up to float rounding)."""
        from .decode import greedy_decode

        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        res = [None] * len(texts)
        try:
            for s in range(0, len(order), batch_size):
                idx = order[s: s + batch_size]
                prompts = [prompt_text(names[i], texts[i]) for i in idx]
                row_cons = [self._row_constraint(names[i], constrained, slots[i] if slots is not None else None)
                            for i in idx]
                self._set_row_adapters([names[i] for i in idx])
                dec = greedy_decode(self.model, self.tok, prompts,
                                    max_new_tokens=[self.max_new.get(names[i], 128) for i in idx],
                                    constraints=row_cons if any(c is not None for c in row_cons) else None,
                                    select_rows=self._select_rows)
                for i, d in zip(idx, dec):
                    res[i] = d
        finally:
            self.set_adapter(self._mix_names[0])  # drops the per-row matrices
        return res

    def route(self, texts: list[str], constrained: bool = True) -> list[str]:
        """Route labels for English requests (``texts`` already number-normalised)."""
        return [label for label, _ in self.route_scored(texts, constrained)]

    def route_scored(self, texts: list[str], constrained: bool = True) -> list[tuple[str, float]]:
        """(route label, the coordinator's probability of it: the least likely of its tokens)."""
        dec = self._decode(self.router_name, [self.read(t)[0] for t in texts], constrained)
        return [(d.text.strip(), d.min_prob) for d in dec]

    def generate(self, texts: list[str], routes: list[str], constrained: bool = True) -> list[GenerationOutput]:
        """Specialist outputs; rows are grouped per adapter (one batch per adapter)."""
        groups: dict[str, list[int]] = {}
        for i, r in enumerate(routes):
            groups.setdefault(self.specialist_for(r).name, []).append(i)
        out: list[GenerationOutput | None] = [None] * len(texts)
        reads = [self.read(t) for t in texts]
        if len(groups) > 1 and self.mixable():  # all specialists in one batch: one forward per step
            names = [self.specialist_for(r).name for r in routes]
            specs = [self.specs[n] for n in names]
            rows = [texts[i] if self.choice_raw and reads_raw(sp.kind) else reads[i][0] for i, sp in enumerate(specs)]
            row_slots = [reads[i][1] if self._slotted(sp) else None for i, sp in enumerate(specs)]
            dec = self._decode_mixed(names, rows, constrained, slots=row_slots)
            return [self.postprocess(sp, d, reads[i][1]) for i, (sp, d) in enumerate(zip(specs, dec))]
        for name, idx in groups.items():
            spec = self.specs[name]
            row_slots = [reads[i][1] for i in idx] if self._slotted(spec) else None
            raw = self.choice_raw and reads_raw(spec.kind)
            dec = self._decode(name, [texts[i] if raw else reads[i][0] for i in idx], constrained, slots=row_slots)
            for i, d in zip(idx, dec):
                out[i] = self.postprocess(spec, d, reads[i][1])
        return out  # type: ignore[return-value]

    def postprocess(self, spec: Specialist, d, slots=()) -> GenerationOutput:
        """The answer from the model's text: parsed under the specialist's grammar, slot
        references filled with the request's literals (slotted models), encoded for the target."""
        from .. import emit, parse

        g = GenerationOutput(text=d.text, grammar_valid=False, tokens=list(d.tokens), adapter=spec.name,
                             closed=bool(getattr(d, "closed", False)), min_prob=getattr(d, "min_prob", 1.0),
                             forced=getattr(d, "forced", 0))
        if spec.kind == KIND_CHOICE:
            g.grammar_valid = d.text in self.knowledge
            g.output = self.knowledge.get(d.text, "")
            g.value = d.text
            return g
        text = d.text
        try:
            if self._slotted(spec):
                from .slots import fill

                g.value, text = fill(d.text, list(slots), spec.grammar)
            else:
                g.value = parse(d.text, spec.grammar)
            g.grammar_valid = d.finished and d.grammar_valid is not False
        except HelixError:
            g.grammar_valid = False
            g.output = d.text
            return g
        g.output = emit(g.value, spec.target) if spec.kind == KIND_VALUE else text
        return g

    def answer(self, requests, constrained: bool = True) -> list:
        """Answer English requests: route (``to='auto'``), generate, verify/correct
        per ``engine`` (see :mod:`helixc.neural.service`)."""
        from .answering import answer_batch

        return answer_batch(self, requests, constrained=constrained)
