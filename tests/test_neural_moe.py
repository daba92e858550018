"""The runtime MoE: one base + adapters, batching, verification, errors, the shipped weights."""

from __future__ import annotations

import json
import shutil

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("peft")

import helixc  # noqa: E402
from helixc.engine import TranslateRequest  # noqa: E402
from helixc.errors import HelixError  # noqa: E402
from helixc.neural import COORDINATOR, Router, builtin_specialists, default_models_dir  # noqa: E402

ADAPTERS = [COORDINATOR, "lc-r", "lc-b", "explain"]


@pytest.fixture(scope="module")
def tok(tmp_path_factory):
    from helixc.neural.data import build_examples
    from helixc.neural.devdata import make_rows
    from helixc.neural.tokenizer import train_tokenizer

    specs = [Router()] + builtin_specialists()
    ex = build_examples(specs, make_rows(150, seed=2))
    return train_tokenizer([e.prompt + e.answer for s in specs for e in ex[s.name]], vocab_size=400)


def make_models(tok, out, hidden=None, seed=0):
    """A tiny random models directory written by the training pipeline's export."""
    from peft import LoraConfig, get_peft_model
    from transformers import Qwen3ForCausalLM

    from helixc.neural.devdata import DEV_KB
    from helixc.neural.train import LORA_TARGETS, base_config, export

    torch.manual_seed(seed)
    work = out.parent / (out.name + ".work")
    (work / "base").mkdir(parents=True)
    base = Qwen3ForCausalLM(base_config(len(tok), tok, "tiny", hidden=hidden))
    base.save_pretrained(str(work / "base"))
    tok.save_pretrained(str(work / "base"))
    specs = [s for s in [Router()] + builtin_specialists() if s.name in ADAPTERS]
    dirs = {}
    for i, s in enumerate(specs):
        torch.manual_seed(seed * 100 + i)
        m = get_peft_model(Qwen3ForCausalLM.from_pretrained(str(work / "base")),
                           LoraConfig(r=4, lora_alpha=8, target_modules=LORA_TARGETS, init_lora_weights=False))
        m.save_pretrained(str(work / "adapters" / s.name))
        dirs[s.name] = work / "adapters" / s.name
    export(out, tok, work / "base", dirs, specs, DEV_KB, {s.name: 24 for s in specs}, {"command": "test"}, work)
    return out


@pytest.fixture(scope="module")
def models(tok, tmp_path_factory):
    return make_models(tok, tmp_path_factory.mktemp("m") / "models")


@pytest.fixture(scope="module")
def moe(models):
    from helixc.neural.moe import MoE

    return MoE(models)


def _logits(moe, adapter, text="lc-r|Convert [1] to LC-R\n=>"):
    moe.set_adapter(adapter)
    ids = torch.tensor([[moe.tok.bos_token_id] + moe.tok.encode(text, add_special_tokens=False)])
    with torch.inference_mode():
        return moe.model(input_ids=ids).logits[0, -1].clone()


def test_one_base_many_adapters(moe):
    assert set(moe.adapters()) == set(ADAPTERS)
    non_lora = sum(p.numel() for n, p in moe.model.named_parameters() if "lora_" not in n)
    assert non_lora == moe.base_params  # the base weights exist once, whatever the number of adapters
    outs = {a: _logits(moe, a) for a in ADAPTERS}
    for a in ADAPTERS:
        for b in ADAPTERS:
            if a < b:
                assert not torch.allclose(outs[a], outs[b]), (a, b)
    # switching back gives exactly the same logits again
    assert torch.equal(_logits(moe, "lc-r"), outs["lc-r"])


def test_fast_lora_path_matches_peft_and_leaves_the_base_untouched(models, moe, monkeypatch):
    from safetensors.torch import load_file

    from helixc.neural.moe import MoE

    assert moe.fast
    for _ in range(3):
        for a in ADAPTERS:
            moe.set_adapter(a)
    stored = load_file(str(models / "base" / "model.safetensors"))
    params = dict(moe.model.get_base_model().named_parameters())
    for k, v in stored.items():
        name = k if k in params else k.replace(".weight", ".base_layer.weight")
        assert torch.equal(params[name].to(torch.bfloat16), v), k
    monkeypatch.setenv("HELIXC_FAST_LORA", "0")
    plain = MoE(models)  # PEFT's own LoRA forward
    assert not plain.fast
    for a in ADAPTERS:
        assert torch.allclose(_logits(moe, a), _logits(plain, a), atol=1e-5)


def test_batched_generation_equals_one_by_one(moe):
    texts = ["Convert [1, 2] to LC-R", "Write 7 in runes", "Convert {a: 1} to LC-R please", "runic for true"]
    batch = moe.generate(texts, ["lc-r"] * 4, constrained=False)
    single = [moe.generate([t], ["lc-r"], constrained=False)[0] for t in texts]
    assert [g.tokens for g in batch] == [g.tokens for g in single]


def test_route_and_choices_are_constrained(moe):
    labels = moe.route(["What is a handle?", "Convert [1] to LC-R", "Write 5 in LC-B"])
    assert all(lab in moe.labels for lab in labels)
    out = moe.generate(["What is a handle?"], ["explain"])[0]
    assert out.text in moe.knowledge and out.output == moe.knowledge[out.text] and out.grammar_valid


def test_answers_cut_at_the_budget_are_closed_under_the_grammar(moe, monkeypatch):
    texts = ["Convert [1, 2, [3, 4]] to LC-R", "Write {a: [1, 2]} in runes", "Convert {14: {@0: 1}} to LC-R"]
    monkeypatch.setitem(moe.max_new, "lc-r", 3)  # a random model never ends within 3 tokens
    outs = moe.generate(texts, ["lc-r"] * 3)
    assert any(g.closed for g in outs)
    for g in outs:
        assert g.grammar_valid, g.text
        assert helixc.emit(helixc.parse(g.output, "lc-r"), "lc-r") == g.output
    # the same rows without the closing steps end invalid: the closing is what makes them valid
    from helixc.neural.decode import greedy_decode
    from helixc.neural.moe import prompt_text

    moe.set_adapter("lc-r")
    cons = moe.constraint_for("lc-r")
    prompts = [prompt_text("lc-r", moe.read(t)[0]) for t in texts]
    cut = greedy_decode(moe.model, moe.tok, prompts, max_new_tokens=3, constraints=[cons] * 3, close_budget=0)
    assert not any(d.closed for d in cut)
    assert not all(d.grammar_valid for d in cut)


def test_explain_reads_raw_requests_when_the_manifest_says_so(moe, monkeypatch):
    seen = {}

    class Stop(Exception):
        pass

    def fake_decode(name, texts, constrained, batch_size=32, slots=None):
        seen[name] = texts
        raise Stop

    monkeypatch.setattr(moe, "slots", True)
    monkeypatch.setattr(moe, "_decode", fake_decode)
    for raw, expected in ((True, "What are the four HLX notations?"), (False, "What are the ⟨0⟩ HLX notations?")):
        monkeypatch.setattr(moe, "choice_raw", raw)
        with pytest.raises(Stop):
            moe.generate(["What are the four HLX notations?"], ["explain"])
        assert seen["explain"] == [expected]
    with pytest.raises(Stop):  # notation specialists always read slots
        moe.generate(["Write four in LC-R"], ["lc-r"])
    assert seen["lc-r"] == ["Write ⟨0⟩ in LC-R"]


def test_answer_engines(moe):
    reqs = [
        TranslateRequest("Convert [1, 2] to LC-R", to="auto", engine="auto"),
        TranslateRequest("Convert [1, 2] to LC-R", to="lc-r", engine="neural"),
        TranslateRequest("Convert [1, 2] to LC-R", to="auto", engine="compiler"),
    ]
    auto, neural, comp = moe.answer(reqs)
    # auto: the compiler read the payload, so the answer is right whatever the random model wrote
    assert auto.output == "🜃1, 2🜄" and auto.verified in (True, False)
    assert (auto.engine == "neural") == bool(auto.verified)
    if not auto.verified:
        assert auto.extra["corrected"] and "neural_output" in auto.extra
    assert neural.engine == "neural" and neural.route == "lc-r" and neural.extra["routed_by"] == "request"
    assert comp.engine == "compiler" and comp.output == "🜃1, 2🜄"
    for r in (auto, neural, comp):
        assert {"route", "target", "output", "engine", "grammar_valid", "verified", "latency_ms"} <= r.to_json().keys()


def test_compiler_engine_cannot_read_is_a_clear_error():
    from helixc.neural.service import translate_english

    with pytest.raises(HelixError) as ei:
        translate_english(TranslateRequest("do the thing with the stuff", engine="compiler"))
    assert ei.value.code == "E_INPUT"


@pytest.mark.parametrize("breakage", ["missing_dir", "no_manifest", "bad_json", "no_adapter", "wrong_shape",
                                      "no_base", "router_missing", "old_slot_lexer"])
def test_bad_model_dirs_are_e_model(tok, models, tmp_path, breakage):
    from helixc.neural.moe import MoE

    d = tmp_path / "m"
    if breakage != "missing_dir":
        shutil.copytree(models, d)
    if breakage == "no_manifest":
        (d / "manifest.json").unlink()
    elif breakage == "bad_json":
        (d / "manifest.json").write_text("{not json")
    elif breakage == "no_adapter":
        shutil.rmtree(d / "adapters" / "lc-r")
    elif breakage == "no_base":
        (d / "base" / "config.json").unlink()
    elif breakage == "router_missing":
        man = json.loads((d / "manifest.json").read_text())
        del man["adapters"][COORDINATOR]
        (d / "manifest.json").write_text(json.dumps(man))
    elif breakage == "old_slot_lexer":  # slotted models trained under another lexer read requests differently
        man = json.loads((d / "manifest.json").read_text())
        man.update({"slots": True, "slot_lexer": 1})
        (d / "manifest.json").write_text(json.dumps(man))
    elif breakage == "wrong_shape":
        other = make_models(tok, tmp_path / "other" / "models", hidden=32)
        shutil.rmtree(d / "adapters" / "lc-r")
        shutil.copytree(other / "adapters" / "lc-r", d / "adapters" / "lc-r")
    with pytest.raises(HelixError) as ei:
        MoE(d)
    assert ei.value.code == "E_MODEL"
    assert "\n" not in str(ei.value)


def test_cli_translate_auto_json(models):
    from click.testing import CliRunner

    from helixc.cli import cli

    r = CliRunner().invoke(cli, ["translate", "--to", "auto", "--json", "--models", str(models),
                                 "--text", "Convert [3] to LC-T"])
    d = json.loads(r.stdout)
    assert {"route", "target", "output", "engine", "grammar_valid", "verified", "latency_ms", "confident",
            "reason"} <= d.keys()
    # an untrained model: whatever it answers, the exit status says whether helixc is sure of it
    assert r.exit_code == (0 if d["confident"] else 3), r.output
    assert d["confident"] or (d["reason"] and "helixc: not sure: " in r.stderr)
    r = CliRunner().invoke(cli, ["translate", "--to", "auto", "--models", str(models / "nope"), "--text", "Convert [3] to LC-T"])
    assert r.exit_code == 2 and "E_MODEL" in r.output


# ---------------------------------------------------------------- the shipped weights

SHIPPED = default_models_dir()
needs_shipped = pytest.mark.skipif(not (SHIPPED / "manifest.json").is_file(), reason="no shipped models yet")

# One English request per route (worded like the held-out test split), answered by the models
# alone (engine neural: no compiler correction) and checked against the compiler.
CASES = [
    ("Convert [1, 2, 3] to LC-R", "lc-r", helixc.emit([1, 2, 3], "lc-r")),
    ("Convert [1, 2, 3] to LC-T", "lc-t", helixc.emit([1, 2, 3], "lc-t")),
    ("Convert {C:14,0=1} to HLXL", "hlxl", "{14: {@0: 1}}"),
    ("Encode CRC32 checksum 0xDEADBEEF in LC-B", "lc-b", helixc.emit(0xDEADBEEF, "lc-b")),
]


@needs_shipped
def test_shipped_models_answer_each_route():
    from helixc.neural.service import get_moe, translate_english

    moe = get_moe()
    for text, route, expected in CASES:
        res = translate_english(TranslateRequest(text, to="auto", engine="neural"))
        assert (res.route, res.output) == (route, expected), text
        assert res.grammar_valid and res.verified is True
    res = translate_english(TranslateRequest("What glyphs does LC-R use?", to="auto", engine="neural"))
    assert res.route == "explain" and res.output in moe.knowledge.values()
