"""``helixc export vllm OUT``: the shipped models in the layout vLLM's multi-LoRA server reads.

What OUT holds (docs/scale.md explains the serving path):

- ``base/``: the base causal LM (``config.json``, ``model.safetensors``, ``generation_config.json``)
  and its tokenizer (``tokenizer.json``, ``tokenizer_config.json``). Two changes from the models
  directory, both so that a server that knows nothing of helixc reads the same tokens as training:
  the tokenizer prepends ``<|bos|>`` itself (helixc adds it by hand: ``[bos] prompt``), and its
  class is ``PreTrainedTokenizerFast`` (transformers 4 and 5; the models directory records
  transformers 5's ``TokenizersBackend``).
- ``adapters/<name>/``: one PEFT LoRA adapter per specialist and the coordinator (the files PEFT
  wrote, ``base_model_name_or_path`` = the exported base's absolute path).
- ``grammars/<name>.lark``: what adapter ``<name>`` may write, in the Lark dialect llguidance reads
  (vLLM's ``guidance`` backend). Slotted models (manifest ``"slots": true``, the shipped ones)
  write *slot references* (``⟨0⟩`` for the request's first literal) where literals go, so the
  notation grammars are the slot grammars (:func:`helixc.neural.slots.slot_grammar`): the plain
  notation grammar would forbid the slot tokens and force the model off what it learnt. The
  coordinator's grammar is its route labels, explain's the knowledge-base ids.
- ``requests/<name>.json``: a request body for ``POST /v1/completions`` (``model`` = the LoRA name,
  the prompt as training built it, ``structured_outputs.grammar``), with the English request it
  came from; ``vllm.json``: the ``vllm serve`` command and the adapters' metadata; ``README.md``.

What stays with helixc on the client: reading the request (numbers normalised, literals replaced
by slot tokens: :func:`vllm_request`) and filling the answer's slots back in and re-emitting it
canonically (:func:`vllm_answer`); both are cheap string work, no torch.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ..errors import E_MODEL, E_OUTPUT, HelixError

BASE_FILES = ("config.json", "generation_config.json", "model.safetensors", "model.safetensors.index.json")
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")
ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")

EXPLAIN_EXAMPLE = "What is a contract?"


def _showcase() -> str | None:
    """The notation the README's examples (and the coordinator's request file) show: the first text
    notation in route order with an example request (``Notation.example_request``), or None."""
    from .. import catalog
    from ..plugins import notations

    regs = notations()
    return next((n for n in catalog.notation_routes() if not regs[n].binary and regs[n].example_request), None)


def _examples() -> dict[str, str]:
    """One English request per route, for the request examples (not from any corpus split): each
    notation's ``example_request``, the showcase notation's for the coordinator, and explain's."""
    from .. import catalog
    from ..plugins import notations

    regs = notations()
    out = {n: regs[n].example_request for n in catalog.notation_routes() if regs[n].example_request}
    show = _showcase()
    if show is not None:
        out["coordinator"] = out[show]
    out[catalog.EXPLAIN] = EXPLAIN_EXAMPLE
    return out

VLLM_DOCS = {
    "lora": "https://docs.vllm.ai/en/latest/features/lora.html",
    "structured_outputs": "https://docs.vllm.ai/en/latest/features/structured_outputs/",
}


def _manifest(models_dir: Path) -> dict:
    path = models_dir / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise HelixError(E_MODEL, f"{models_dir} is not a helixc models directory (no manifest.json)") from e
    except (OSError, json.JSONDecodeError) as e:
        raise HelixError(E_MODEL, f"cannot read {path}: {e}") from e


def _resolve(models_dir: Path, ref: str) -> Path:
    p = Path(ref)
    return p if p.is_absolute() else models_dir / p


def choice_grammar(choices: list[str]) -> str:
    """Exactly one of ``choices`` (Lark string literals, JSON escapes)."""
    alts = "\n     | ".join(json.dumps(c, ensure_ascii=False) for c in choices)
    return f"// exactly one of {len(choices)} labels\nstart: {alts}\n"


def adapter_grammar(manifest: dict, name: str) -> tuple[str, str]:
    """(Lark text, what it describes) for adapter ``name`` of ``manifest``."""
    from . import KIND_CHOICE, KIND_ROUTE

    entry = manifest["adapters"][name]
    kind = entry["kind"]
    if kind == KIND_ROUTE:
        return choice_grammar(list(entry["labels"])), "route labels"
    if kind == KIND_CHOICE:
        return choice_grammar(list(entry["choices"])), "knowledge-base ids"
    notation = entry["grammar"]
    if manifest.get("slots"):
        from .slots import slot_grammar

        return slot_grammar(notation), f"{notation} with slot references"
    from .. import get_notation

    return get_notation(notation).grammar, notation


def _prompt(manifest: dict, name: str, text: str):
    """(prompt text without BOS, the request's literal slots) as training built it."""
    from ..requests import normalize_numbers
    from .data import model_request, prompt_text, reads_raw

    entry = manifest["adapters"][name]
    text = normalize_numbers(text)
    slotted = bool(manifest.get("slots"))
    read, slots = model_request(text, slotted)
    if manifest.get("choice_reads") == "raw" and reads_raw(entry["kind"]):
        read = text
    return prompt_text(name, read), slots


def vllm_request(text: str, adapter: str, export_dir, *, max_tokens: int | None = None) -> tuple[dict, list]:
    """(the /v1/completions body for English ``text`` to ``adapter``, the request's literal slots)."""
    export_dir = Path(export_dir)
    meta = json.loads((export_dir / "vllm.json").read_text(encoding="utf-8"))
    manifest = meta["manifest"]
    if adapter not in manifest["adapters"]:
        raise HelixError(E_MODEL, f"no adapter {adapter!r} in {export_dir} (have: {', '.join(manifest['adapters'])})")
    prompt, slots = _prompt(manifest, adapter, text)
    grammar = (export_dir / "grammars" / f"{adapter}.lark").read_text(encoding="utf-8")
    body = {"model": adapter, "prompt": prompt, "max_tokens": max_tokens or manifest["adapters"][adapter]["max_new_tokens"],
            "temperature": 0, "structured_outputs": {"grammar": grammar}}
    return body, slots


def vllm_answer(completion: str, slots: list, adapter: str, export_dir) -> str:
    """The helixc answer from a completion of ``adapter``: slot references filled, canonical text in
    the target notation (a binary one: hex text), the label or knowledge id as is."""
    from .. import emit
    from . import KIND_NOTATION, KIND_VALUE

    manifest = json.loads((Path(export_dir) / "vllm.json").read_text(encoding="utf-8"))["manifest"]
    entry = manifest["adapters"][adapter]
    if entry["kind"] not in (KIND_NOTATION, KIND_VALUE):
        return completion.strip()
    if manifest.get("slots"):
        from .slots import fill

        value, _ = fill(completion, slots, entry["grammar"])
    else:
        from .. import parse

        value = parse(completion, entry["grammar"])
    return emit(value, entry["target"])


def _tokenizer_for_servers(src: Path, dst: Path) -> None:
    """Copy the tokenizer; it prepends BOS itself and names a class transformers 4 and 5 both have."""
    from tokenizers import Tokenizer, processors

    for f in TOKENIZER_FILES:
        if (src / f).is_file():
            shutil.copy(src / f, dst / f)
    cfg = json.loads((dst / "tokenizer_config.json").read_text(encoding="utf-8"))
    bos = cfg.get("bos_token")
    if isinstance(bos, dict):
        bos = bos.get("content")
    tk = Tokenizer.from_file(str(dst / "tokenizer.json"))
    bos_id = tk.token_to_id(bos) if bos else None
    if bos_id is None:
        raise HelixError(E_MODEL, f"the tokenizer in {src} has no BOS token the prompts start with")
    steps = [tk.post_processor] if tk.post_processor is not None else []
    steps.append(processors.TemplateProcessing(single=f"{bos} $A", pair=f"{bos} $A $B", special_tokens=[(bos, bos_id)]))
    tk.post_processor = processors.Sequence(steps)
    tk.save(str(dst / "tokenizer.json"))
    cfg["tokenizer_class"] = "PreTrainedTokenizerFast"
    cfg.pop("backend", None)
    cfg["add_bos_token"] = True
    (dst / "tokenizer_config.json").write_text(json.dumps(cfg, indent=2, ensure_ascii=False), encoding="utf-8")


def serve_command(out: Path, meta: dict) -> str:
    mods = " ".join(f"{n}={(out / 'adapters' / n).resolve()}" for n in meta["adapters"])
    return (f"vllm serve {(out / 'base').resolve()} --enable-lora --max-lora-rank {meta['max_lora_rank']} "
            f"--max-loras {len(meta['adapters'])} --lora-modules {mods} "
            "--structured-outputs-config '{\"backend\": \"guidance\"}' --dtype bfloat16")


def export_vllm(out, models_dir=None, *, force: bool = False) -> dict:
    """Write the vLLM layout of ``models_dir`` (default: the shipped models) under ``out``;
    returns the metadata written to ``out/vllm.json``."""
    from . import default_models_dir

    models_dir = Path(models_dir) if models_dir else default_models_dir()
    out = Path(out)
    manifest = _manifest(models_dir)
    if out.exists() and any(out.iterdir()) and not force:
        raise HelixError(E_OUTPUT, f"{out} exists and is not empty (--force replaces it)")
    base_src = _resolve(models_dir, manifest["base"])
    tok_src = _resolve(models_dir, manifest.get("tokenizer") or manifest["base"])
    if not (base_src / "config.json").is_file():
        raise HelixError(E_MODEL, f"no base model at {base_src} (manifest 'base')")
    try:
        if out.exists():
            shutil.rmtree(out)
        (out / "base").mkdir(parents=True)
        for f in BASE_FILES:
            if (base_src / f).is_file():
                shutil.copy(base_src / f, out / "base" / f)
        _tokenizer_for_servers(tok_src, out / "base")
        ranks = []
        adapters = {}
        (out / "grammars").mkdir()
        (out / "requests").mkdir()
        for name, entry in manifest["adapters"].items():
            src = _resolve(models_dir, entry["path"])
            dst = out / "adapters" / name
            dst.mkdir(parents=True)
            for f in ADAPTER_FILES:
                if not (src / f).is_file():
                    raise HelixError(E_MODEL, f"adapter {name}: {src / f} is missing")
                shutil.copy(src / f, dst / f)
            acfg = json.loads((dst / "adapter_config.json").read_text(encoding="utf-8"))
            acfg["base_model_name_or_path"] = str((out / "base").resolve())
            (dst / "adapter_config.json").write_text(json.dumps(acfg, indent=2, sort_keys=True), encoding="utf-8")
            ranks.append(int(acfg.get("r", 16)))
            grammar, describes = adapter_grammar(manifest, name)
            (out / "grammars" / f"{name}.lark").write_text(grammar, encoding="utf-8")
            adapters[name] = {"kind": entry["kind"], "grammar": f"grammars/{name}.lark", "grammar_of": describes,
                              "target": entry.get("target"), "max_new_tokens": entry["max_new_tokens"]}
        meta = {"format": "helixc-vllm/1", "source": str(models_dir.resolve()), "adapters": adapters,
                "max_lora_rank": max(ranks), "slots": bool(manifest.get("slots")),
                "manifest": {k: v for k, v in manifest.items() if k != "training"}, "docs": VLLM_DOCS}
        meta["serve"] = serve_command(out, meta)
        (out / "vllm.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False), encoding="utf-8")
        examples = _examples()
        for name in adapters:
            text = examples.get(name) or f"Convert [7, 8] to {adapters[name]['target'] or name}"
            body, slots = vllm_request(text, name, out)
            example = {"request_text": text, "slots": [s.raw for s in slots], "body": body}
            (out / "requests" / f"{name}.json").write_text(json.dumps(example, indent=1, ensure_ascii=False),
                                                           encoding="utf-8")
        (out / "README.md").write_text(_readme(out, meta), encoding="utf-8")
    except OSError as e:
        raise HelixError(E_OUTPUT, f"cannot write {out}: {e.strerror or e}") from e
    return meta


def _readme(out: Path, meta: dict) -> str:
    from .. import catalog

    show = _showcase()
    ex = json.loads((out / "requests" / f"{show}.json").read_text(encoding="utf-8")) if show in meta["adapters"] else None
    rows = "\n".join(f"| `{n}` | {a['kind']} | `{a['grammar']}` ({a['grammar_of']}) |" for n, a in meta["adapters"].items())
    body = ""
    if ex:
        short = dict(ex["body"], structured_outputs={"grammar": f"<contents of grammars/{show}.lark>"})
        body = f"""
## A request

English `{ex['request_text']}` to the `{show}` adapter (full body with the grammar: `requests/{show}.json`):

```json
{json.dumps(short, indent=1, ensure_ascii=False)}
```

```bash
curl -s http://localhost:8000/v1/completions -H 'Content-Type: application/json' -d @<(jq .body requests/{show}.json)
```
"""
    name, text = (show, _examples()[show]) if show is not None else ("<adapter>", "<English request>")
    call = f'body, slots = vllm_request({json.dumps(text, ensure_ascii=False)}, "{name}", "{out}")'
    client = (f"{call}   # POST body to /v1/completions\n"
              + f'answer = vllm_answer(completion_text, slots, "{name}", "{out}")'.ljust(len(call) + 2)
              + f"   # canonical {catalog.display_name(name)}")
    return f"""# helixc models for vLLM multi-LoRA serving

Written by `helixc export vllm` from `{meta['source']}`. One base model, {len(meta['adapters'])} LoRA adapters
(route with `coordinator`, then send the request to the adapter named by the route), one grammar each.

```bash
{meta['serve']}
```

(vLLM releases from before `structured_outputs` — the `guided_*` request fields were removed in
v0.12.0 — take `--guided-decoding-backend guidance` and the request field `guided_grammar` instead;
see {VLLM_DOCS['lora']} and {VLLM_DOCS['structured_outputs']}. Checked against those pages, not
against a running vLLM.) The grammars are Lark in llguidance's dialect: use the `guidance`
backend (xgrammar reads GBNF/EBNF, not these files).

| adapter | kind | grammar |
|---|---|---|
{rows}
{body}
## What the client does (helixc, no torch)

{"The models are slotted: they read the request with its literals replaced by slot tokens and write slot references (`⟨0⟩`) where the literals go; the grammars allow exactly that." if meta['slots'] else "The models read and write plain text."}

```python
from helixc.neural.export import vllm_request, vllm_answer
{client}
```

Not applied by vLLM (helixc's own decoder applies them): the order guard (field indices ascending,
map keys unique) and the rule that every literal of the request is placed. vLLM's output is
grammar-valid; `vllm_answer` re-parses it and raises a HelixError when it is not a value.
"""
