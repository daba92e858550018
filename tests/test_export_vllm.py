"""``helixc export vllm OUT``: what vLLM's multi-LoRA server reads, checked without vLLM (a CUDA
package): every adapter loads with plain PEFT + transformers onto the exported base (a child
process that cannot import helixc) and runs; every grammar compiles with llguidance against the
exported tokenizer; one request decoded under its grammar the way a server would gives helixc's
answer once the client fills the slots back in."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("peft")
pytest.importorskip("llguidance")

from helixc.neural import default_models_dir  # noqa: E402

MODELS = default_models_dir()
pytestmark = pytest.mark.skipif(not (MODELS / "manifest.json").is_file(), reason="no shipped models")

# Runs in a child process: no helixc import is possible (a meta-path finder refuses it).
CHILD = r'''
import json, sys
from pathlib import Path

class NoHelixc:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("helixc", "helixc_plugins", "helixc_grammars", "helixc_corpora", "helixc_models"):
            raise ImportError("helixc must not be imported here: " + name)
        return None
sys.meta_path.insert(0, NoHelixc())

import torch, llguidance, llguidance.hf, llguidance.torch as llt
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

out = Path(sys.argv[1])
meta = json.loads((out / "vllm.json").read_text())
tok = AutoTokenizer.from_pretrained(str(out / "base"))
base = AutoModelForCausalLM.from_pretrained(str(out / "base"), dtype=torch.float32)
base.eval()
lltok = llguidance.hf.from_tokenizer(tok)
res = {"tokenizer": type(tok).__name__, "adapters": {}, "grammars": {}}
model = None
for name in meta["adapters"]:
    ex = json.loads((out / "requests" / f"{name}.json").read_text())
    body = ex["body"]
    ids = tok(body["prompt"])["input_ids"]
    res.setdefault("first_ids", {})[name] = ids[:1]
    x = torch.tensor([ids])
    with torch.no_grad():
        if model is None:
            plain = base(x).logits[0, -1].clone()
            model = PeftModel.from_pretrained(base, str(out / "adapters" / name), adapter_name=name)
        else:
            model.load_adapter(str(out / "adapters" / name), adapter_name=name)
        model.set_adapter(name)
        with model.disable_adapter():
            plain = model(x).logits[0, -1].clone()
        logits = model(x).logits[0, -1]
    # the grammar, compiled against this tokenizer
    text = (out / "grammars" / f"{name}.lark").read_text()
    assert text == body["structured_outputs"]["grammar"]
    g = llguidance.LLMatcher.grammar_from_lark(text)
    err = llguidance.LLMatcher.validate_grammar(g, lltok)
    m = llguidance.LLMatcher(lltok, g, log_level=0)
    # greedy decoding under the grammar, as a server's guided decoding does
    mask = llt.allocate_token_bitmask(1, lltok.vocab_size)
    gen = []
    for _ in range(body["max_tokens"]):
        with torch.no_grad():
            lg = model(torch.tensor([ids + gen])).logits[:, -1, :lltok.vocab_size].float()
        llt.fill_next_token_bitmask(m, mask, 0)
        llt.apply_token_bitmask_inplace(lg, mask)
        t = int(lg[0].argmax())
        if t == tok.eos_token_id:
            break
        assert m.consume_token(t), m.get_error()
        gen.append(t)
    bad = llguidance.LLMatcher(lltok, g, log_level=0)
    rejects = not bad.consume_tokens(tok.encode("]]]}}", add_special_tokens=False)) or bad.is_error()
    res["adapters"][name] = {"finite": bool(torch.isfinite(logits).all()), "vocab": int(logits.shape[-1]),
                             "changes_logits": float((logits - plain).abs().max()),
                             "lora_modules": sum(1 for n, _ in model.named_modules() if n.endswith("lora_A." + name)),
                             "trained": any(bool(p.abs().sum() > 0) for n, p in model.named_parameters()
                                            if "lora_B." + name in n)}
    res["grammars"][name] = {"error": err, "completion": tok.decode(gen), "accepting": m.is_accepting(),
                             "rejects_garbage": bool(rejects)}
res["helixc_imported"] = any(k.startswith("helixc") for k in sys.modules)
print(json.dumps(res))
'''


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    from click.testing import CliRunner

    from helixc.cli import cli

    out = tmp_path_factory.mktemp("vllm") / "out"
    r = CliRunner().invoke(cli, ["export", "vllm", str(out)])
    assert r.exit_code == 0, r.output
    assert "vllm serve" in r.output
    return out


@pytest.fixture(scope="module")
def child(exported):
    p = subprocess.run([sys.executable, "-c", CHILD, str(exported)], capture_output=True, text=True, timeout=240)
    assert p.returncode == 0, p.stderr[-3000:]
    return json.loads(p.stdout.strip().splitlines()[-1])


def test_layout_and_serve_command(exported):
    meta = json.loads((exported / "vllm.json").read_text())
    man = json.loads((MODELS / "manifest.json").read_text())
    assert set(meta["adapters"]) == set(man["adapters"])
    for f in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"):
        assert (exported / "base" / f).is_file()
    for name in man["adapters"]:
        cfg = json.loads((exported / "adapters" / name / "adapter_config.json").read_text())
        assert cfg["peft_type"] == "LORA" and Path(cfg["base_model_name_or_path"]) == (exported / "base").resolve()
        # the weights are the shipped adapter's, byte for byte
        src = MODELS / man["adapters"][name]["path"] / "adapter_model.safetensors"
        assert (exported / "adapters" / name / "adapter_model.safetensors").read_bytes() == src.read_bytes()
        assert f"{name}={(exported / 'adapters' / name).resolve()}" in meta["serve"]
        body = json.loads((exported / "requests" / f"{name}.json").read_text())["body"]
        assert body["model"] == name and body["structured_outputs"]["grammar"]
    assert meta["serve"].startswith(f"vllm serve {(exported / 'base').resolve()} --enable-lora")
    readme = (exported / "README.md").read_text()
    assert meta["serve"] in readme and "structured_outputs" in readme


def test_export_refuses_to_overwrite_and_names_a_missing_models_dir(exported, tmp_path):
    from click.testing import CliRunner

    from helixc.cli import cli

    r = CliRunner().invoke(cli, ["export", "vllm", str(exported)])
    assert r.exit_code == 2 and "E_OUTPUT" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(cli, ["export", "vllm", str(tmp_path / "o"), "--models", str(tmp_path / "none")])
    assert r.exit_code == 2 and "E_MODEL" in r.output


def test_adapters_load_with_plain_peft_and_run(child):
    assert not child["helixc_imported"]
    assert child["tokenizer"] == "PreTrainedTokenizerFast" or child["tokenizer"] == "TokenizersBackend"
    for name, a in child["adapters"].items():
        assert a["finite"] and a["lora_modules"] > 0, name
        # the adapter is applied, not silently dropped; one whose stage kept its starting point (validation
        # chose step 0: B = 0, see models/default/TRAINING.md) must leave the base's logits exactly as they are
        if a["trained"]:
            assert a["changes_logits"] > 1e-3, name
        else:
            assert a["changes_logits"] == 0.0, name
    assert sum(a["trained"] for a in child["adapters"].values()) >= len(child["adapters"]) - 1
    # the exported tokenizer prepends BOS itself, as training did ([bos] prompt)
    bos = json.loads((MODELS / "base" / "config.json").read_text())["bos_token_id"]
    assert all(ids == [bos] for ids in child["first_ids"].values())


def test_every_grammar_compiles_with_llguidance_against_the_exported_tokenizer(child):
    for name, g in child["grammars"].items():
        assert not g["error"] or g["error"].startswith("WARNING"), (name, g["error"])
        assert g["accepting"], (name, g["completion"])  # the decode ended where the grammar may end
        assert g["rejects_garbage"], name


def test_served_completions_give_helixc_answers_once_filled(exported, child):
    """The client's half: the server's completion (here: the child's grammar-guided greedy decode
    through plain PEFT) + helixc's fill gives the answer helixc's own MoE gives."""
    from helixc.engine import TranslateRequest
    from helixc.neural.export import vllm_answer, vllm_request
    from helixc.neural.moe import MoE

    moe = MoE(MODELS)
    for name in ("lc-r", "lc-t", "hlxl", "lc-b"):
        ex = json.loads((exported / "requests" / f"{name}.json").read_text())
        body, slots = vllm_request(ex["request_text"], name, exported)
        assert body == ex["body"]
        ours = vllm_answer(child["grammars"][name]["completion"], slots, name, exported)
        theirs = moe.answer([TranslateRequest(ex["request_text"], to=name)])[0]
        assert ours == theirs.output, (name, child["grammars"][name]["completion"], theirs)
    ex = json.loads((exported / "requests" / "coordinator.json").read_text())
    route = child["grammars"]["coordinator"]["completion"].strip()
    assert route == moe.route([ex["request_text"]])[0]
    ex = json.loads((exported / "requests" / "explain.json").read_text())
    assert child["grammars"]["explain"]["completion"].strip() in ex["body"]["structured_outputs"]["grammar"]
