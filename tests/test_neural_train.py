"""The training pipeline on tiny models built here (no network, seconds each)."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("peft")

from helixc.errors import HelixError  # noqa: E402
from helixc.neural import COORDINATOR, Router, builtin_specialists  # noqa: E402
from helixc.neural.data import IGNORE, Example, collate, encode_example  # noqa: E402
from helixc.neural.devdata import write_corpus  # noqa: E402

TINY = ["--size", "tiny", "--vocab-size", "400", "--threads", "1", "--val-em-rows", "6", "--val-loss-rows", "16",
        "--p1-lr", "3e-3", "--p2-lr", "3e-3", "--max-len", "160", "--quiet"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_corpus(tmp_path_factory.mktemp("corpus"), n=160, seed=1)


@pytest.fixture(scope="module")
def tok(corpus):
    from helixc.neural.data import build_examples, load_rows
    from helixc.neural.tokenizer import train_tokenizer

    rows = load_rows(corpus, "train")
    specs = [Router()] + builtin_specialists()
    ex = build_examples(specs, rows)
    return train_tokenizer([e.prompt + e.answer for s in specs for e in ex[s.name]], vocab_size=400)


def run(corpus, out, *extra):
    from helixc.neural.train import main

    rc = main(["--corpus", str(corpus), "--out", str(out), "--work", str(out) + ".work", *TINY, *extra])
    assert rc == 0
    return json.loads((out / "manifest.json").read_text())


def adapter_tensors(out, name):
    from safetensors.torch import load_file

    return load_file(str(out / "adapters" / name / "adapter_model.safetensors"))


def test_loss_mask_prompt_and_padding_ignored_eos_learned(tok):
    ex = Example("lc-r", "lc-r|Convert [1] to LC-R\n=>", "🜃1🜄")
    ids, labels = encode_example(tok, ex, 200)
    n_prompt = 1 + len(tok.encode(ex.prompt, add_special_tokens=False))
    assert ids[0] == tok.bos_token_id
    assert labels[:n_prompt] == [IGNORE] * n_prompt
    assert labels[n_prompt:] == ids[n_prompt:]
    assert ids[-1] == tok.eos_token_id and labels[-1] == tok.eos_token_id
    short = encode_example(tok, Example("lc-r", "lc-r|1\n=>", "1"), 200)
    b = collate([(ids, labels), short], tok.pad_token_id)
    pad_pos = b["attention_mask"][1] == 0
    assert pad_pos.any()
    assert (b["labels"][1][pad_pos] == IGNORE).all()
    assert (b["input_ids"][1][pad_pos] == tok.pad_token_id).all()
    # every label that is not -100 is an answer token or EOS
    assert int((b["labels"][0] != IGNORE).sum()) == len(tok.encode(ex.answer, add_special_tokens=False)) + 1


def test_glyphs_are_single_tokens(tok):
    from helixc.neural.tokenizer import GLYPHS

    for g in GLYPHS:
        assert len(tok.encode(g, add_special_tokens=False)) == 1
    # digits are isolated: a number is spelt digit by digit
    assert len(tok.encode("90210", add_special_tokens=False)) == 5


def test_deterministic_and_resume_continues_identically(corpus, tmp_path):
    args = ["--p1-max-steps", "4", "--p1-eval-every", "2", "--p2-max-steps", "4", "--p2-eval-every", "2",
            "--adapters", COORDINATOR, "lc-r"]
    a = run(corpus, tmp_path / "a", *args)
    b = run(corpus, tmp_path / "b", *args)
    assert a["adapters"].keys() == {COORDINATOR, "lc-r"}
    for name in a["adapters"]:
        ta, tb = adapter_tensors(tmp_path / "a", name), adapter_tensors(tmp_path / "b", name)
        assert ta.keys() == tb.keys()
        assert all(torch.equal(ta[k], tb[k]) for k in ta)
    # interrupted after the step-2 checkpoint of the first stage, then resumed
    from helixc.neural.train import TrainingInterrupted, main

    with pytest.raises(TrainingInterrupted):
        main(["--corpus", str(corpus), "--out", str(tmp_path / "c"), "--work", str(tmp_path / "c") + ".work", *TINY,
              *args, "--interrupt-at", "2"])
    run(corpus, tmp_path / "c", *args, "--resume")
    for name in a["adapters"]:
        ta, tc = adapter_tensors(tmp_path / "a", name), adapter_tensors(tmp_path / "c", name)
        assert all(torch.equal(ta[k], tc[k]) for k in ta)
    from safetensors.torch import load_file

    ba = load_file(str(tmp_path / "a" / "base" / "model.safetensors"))
    bc = load_file(str(tmp_path / "c" / "base" / "model.safetensors"))
    assert all(torch.equal(ba[k], bc[k]) for k in ba)
    # a different seed gives different weights
    d = run(corpus, tmp_path / "d", *args, "--seed", "1")
    td, ta = adapter_tensors(tmp_path / "d", "lc-r"), adapter_tensors(tmp_path / "a", "lc-r")
    assert d and not all(torch.equal(ta[k], td[k]) for k in ta)
    # metrics: CSV, JSON, PNG per stage
    m = tmp_path / "a" / "metrics"
    assert (m / "phase1-general.metrics.csv").is_file() and (m / "phase2-lc-r.metrics.png").is_file()
    hist = json.loads((m / "phase2-lc-r.metrics.json").read_text())
    assert {"val_loss", "val_em", "train_loss", "step"} <= hist[0].keys()


def test_early_stopping_keeps_the_best_validation_checkpoint(corpus, tok, tmp_path):
    from accelerate import Accelerator
    from transformers import Qwen3ForCausalLM

    from helixc.neural.data import build_examples, load_rows
    from helixc.neural.train import StageConfig, base_config, run_stage

    spec = [s for s in builtin_specialists() if s.name == "lc-t"]
    tr = build_examples(spec, load_rows(corpus, "train"))["lc-t"]
    va = build_examples(spec, load_rows(corpus, "val"))["lc-t"]
    torch.manual_seed(0)
    model = Qwen3ForCausalLM(base_config(len(tok), tok, "tiny"))
    # a learning rate this high makes validation loss worse after the first steps
    cfg = StageConfig(lr=0.5, batch_size=8, max_steps=40, eval_every=1, patience=2, warmup_ratio=0.0,
                      val_em_rows=4, val_loss_rows=16, seed=3)
    s = run_stage("es", model, tok, tr, va, cfg, tmp_path / "es", Accelerator(), max_len=160, resume=False,
                  log=lambda *a: None)
    hist = json.loads((tmp_path / "es" / "metrics.json").read_text())
    assert s["stopped"] == "early_stopping" and s["steps"] < 40
    best = max(hist, key=lambda h: (h["val_em"], -h["val_loss"]))
    assert s["best"]["step"] == best["step"]
    assert best["step"] != hist[-1]["step"]  # the last checkpoint is not the one kept
    saved = torch.load(tmp_path / "es" / "best.pt", weights_only=False)
    assert saved["step"] == best["step"]
    params = dict(model.named_parameters())
    assert all(torch.equal(params[k], v) for k, v in saved["trainable"].items())


def test_tie_break_later_keeps_the_latest_checkpoint_of_the_best_exact_match(corpus, tok, tmp_path):
    from accelerate import Accelerator
    from transformers import Qwen3ForCausalLM

    from helixc.neural.data import build_examples, load_rows
    from helixc.neural.train import StageConfig, base_config, run_stage

    spec = [s for s in builtin_specialists() if s.name == "lc-t"]
    tr = build_examples(spec, load_rows(corpus, "train"))["lc-t"]
    va = build_examples(spec, load_rows(corpus, "val"))["lc-t"]
    kept = {}
    for tie in ("loss", "later"):
        torch.manual_seed(0)
        model = Qwen3ForCausalLM(base_config(len(tok), tok, "tiny"))
        cfg = StageConfig(lr=0.5, batch_size=8, max_steps=6, eval_every=2, patience=10, warmup_ratio=0.0,
                          val_em_rows=4, val_loss_rows=16, seed=3, tie_break=tie)
        s = run_stage(tie, model, tok, tr, va, cfg, tmp_path / tie, Accelerator(), max_len=160, resume=False,
                      log=lambda *a: None)
        hist = json.loads((tmp_path / tie / "metrics.json").read_text())
        top = max(h["val_em"] for h in hist)
        tied = [h for h in hist if h["val_em"] == top]
        kept[tie] = s["best"]["step"]
        if tie == "later":
            assert kept[tie] == tied[-1]["step"]
        else:
            assert kept[tie] == min(tied, key=lambda h: h["val_loss"])["step"]
    assert kept["later"] >= kept["loss"]
    from accelerate.state import AcceleratorState

    AcceleratorState._reset_state(True)  # the next test's Accelerator may choose another precision


def _tiny_local_model(tok, path):
    from transformers import Qwen3ForCausalLM

    from helixc.neural.train import base_config

    torch.manual_seed(0)
    m = Qwen3ForCausalLM(base_config(len(tok), tok, "tiny"))
    m.save_pretrained(str(path))
    tok.save_pretrained(str(path))
    return path


def test_base_model_from_a_local_directory(corpus, tok, tmp_path):
    base = _tiny_local_model(tok, tmp_path / "local-base")
    out = tmp_path / "m"
    man = run(corpus, out, "--base-model", str(base), "--p1-max-steps", "2", "--p1-eval-every", "2",
              "--p2-max-steps", "2", "--p2-eval-every", "2", "--adapters", COORDINATOR, "lc-r")
    assert man["base"] == str(base.resolve()) and man["training"]["phase1"] == "lora"
    from helixc.neural.moe import MoE

    moe = MoE(out)
    assert set(moe.adapters()) == {COORDINATOR, "lc-r"}
    assert moe.route(["Convert [1] to LC-R"])[0] in moe.labels  # constrained to a label


def test_quantize_nf4_without_cuda_is_a_clear_error(corpus, tok, tmp_path):
    if torch.cuda.is_available():
        pytest.skip("CUDA present")
    from helixc.neural.train import load_base, main

    base = _tiny_local_model(tok, tmp_path / "b")
    with pytest.raises(HelixError) as ei:
        load_base(base, quantize="nf4")
    assert ei.value.code == "E_INPUT" and "CUDA" in str(ei.value) and "--allow-cpu-quantization" in str(ei.value)
    rc = main(["--corpus", str(corpus), "--out", str(tmp_path / "q"), "--base-model", str(base), "--quantize", "nf4",
               "--quiet"])
    assert rc == 2


def test_qlora_nf4_forward_backward_on_cpu(corpus, tok, tmp_path):
    pytest.importorskip("bitsandbytes")
    from peft import get_peft_model

    from helixc.neural.train import LORA_TARGETS, TrainConfig, load_base, lora_config

    base = _tiny_local_model(tok, tmp_path / "b")
    model = load_base(base, quantize="nf4", allow_cpu_quantization=True)
    quantized = [m for m in model.modules() if type(m).__name__ == "Linear4bit"]
    assert len(quantized) == 2 * len(LORA_TARGETS)  # every projection of the 2 layers is 4-bit
    args = TrainConfig(corpus=["x"], out="y")
    model = get_peft_model(model, lora_config(args, "t"), adapter_name="t")
    ids, labels = encode_example(tok, Example("lc-r", "lc-r|Convert [1] to LC-R\n=>", "🜃1🜄"), 200)
    b = collate([(ids, labels)], tok.pad_token_id)
    b = {k: v.to(model.device) for k, v in b.items()}  # the GPU where there is one (load_base puts it there)
    loss = model(**b).loss
    assert torch.isfinite(loss)
    loss.backward()
    grads = [p.grad for n, p in model.named_parameters() if "lora_B" in n]
    assert grads and all(g is not None for g in grads) and any(float(g.abs().sum()) > 0 for g in grads)
    # the whole pipeline runs QLoRA stages with the flag
    out = tmp_path / "q"
    man = run(corpus, out, "--base-model", str(base), "--quantize", "nf4", "--allow-cpu-quantization",
              "--phase1", "none", "--p2-max-steps", "1", "--p2-eval-every", "1", "--adapters", "lc-r")
    assert man["training"]["quantize"] == "nf4" and "lc-r" in man["adapters"]


def test_bad_corpus_is_a_helix_error(tmp_path):
    from helixc.neural.train import main

    assert main(["--corpus", str(tmp_path / "nope"), "--out", str(tmp_path / "o"), "--quiet"]) == 2


def test_options_parse_into_the_config_and_back():
    from helixc.neural.train import TrainConfig, parse_config

    cfg = parse_config(["--corpus", "a", "b", "--out", "o", "--adapters", COORDINATOR, "lc-r", "--p1-lr", "1e-3",
                        "--no-slots", "--bf16", "--resume", "--size", "tiny", "--kv-heads", "1"])
    assert cfg == TrainConfig(corpus=["a", "b"], out="o", adapters=[COORDINATOR, "lc-r"], p1_lr=1e-3, slots=False,
                              bf16=True, resume=True, size="tiny", kv_heads=1)
    # repeated options are the same as one option followed by several values
    assert parse_config(["--corpus", "a", "--corpus", "b", "--out", "o"]).corpus == ["a", "b"]
    assert parse_config(["--corpus", "a", "--out", "o", "--adapters"]).adapters is None  # every adapter
    d = parse_config(["--corpus", "a", "--out", "o"])
    assert d.bf16 is None and d.slots is True and d.adapters is None and d.p2_max_steps == 0
    assert parse_config(cfg.argv()) == cfg and parse_config(d.argv()) == d  # the manifest's command line
    import click

    with pytest.raises(click.UsageError):
        parse_config(["--corpus", "a", "--out", "o", "--size", "huge"])


def test_helixc_train_help_documents_every_option():
    from click.testing import CliRunner

    from helixc.cli import cli
    from helixc.neural.train import TrainConfig

    cmd = cli.get_command(None, "train")
    r = CliRunner().invoke(cli, ["train", "--help"])
    assert r.exit_code == 0, r.output
    import dataclasses

    visible = [f for f in dataclasses.fields(TrainConfig) if not f.metadata.get("hidden")]
    for f in visible:
        assert "--" + f.name.replace("_", "-") in r.output
    params = [p for p in cmd.params if not getattr(p, "hidden", False) and p.name != "help"]
    assert len(params) == len(visible) and all(p.help and p.help.strip() for p in params)
    # the same command: a bad option is a usage error (exit 2), a bad corpus one error line (exit 2)
    assert CliRunner().invoke(cli, ["train", "--out", "x"]).exit_code == 2
    r = CliRunner().invoke(cli, ["train", "--corpus", "/nonexistent/c", "--out", "x", "--quiet"])
    assert r.exit_code == 2 and "E_INPUT" in r.output and "Traceback" not in r.output
