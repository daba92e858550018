"""A clean first run (issue 16, items 6 and 7): what a new user of a fresh clone or an installed
wheel meets first.

* model loading errors name the tensor and both shapes (not "look at the above report!");
* no dependency noise on stderr (bitsandbytes' "No module named 'kernels'");
* the repository carries what its users and tests need: the profile document the README and the
  explain answers cite (docs/NOTATIONS.md), the seed corpora (corpora/seed/), no paths outside it;
* ``corpus import-seed`` works without arguments, never overwrites committed files by default,
  and its output does not depend on which plugins are installed;
* reports are written with normal file modes; library errors do not tell API users to pass CLI flags;
* the shipped adapter configs carry no training path; a wheel holds the models and grammars.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import helixc
from helixc.errors import HelixError

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models" / "default"


def _ml():
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("peft")
    pytest.importorskip("safetensors")


# --------------------------------------------------------------------------------------------
# 6. model loading messages and dependency noise


def _models_copy(tmp_path: Path) -> Path:
    """models/default in tmp_path: configs and manifests copied (to be altered), weights linked."""
    d = tmp_path / "models"
    for src in MODELS.rglob("*"):
        dst = d / src.relative_to(MODELS)
        if src.is_dir():
            dst.mkdir(parents=True, exist_ok=True)
        elif src.suffix == ".safetensors":
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.symlink_to(src)
        elif src.parent.name != "metrics":
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
    return d


def _edit_json(path: Path, **changes) -> None:
    cfg = json.loads(path.read_text(encoding="utf-8"))
    cfg.update(changes)
    path.write_text(json.dumps(cfg), encoding="utf-8")


def _load_error(models_dir: Path) -> str:
    from helixc.neural.moe import MoE

    with pytest.raises(HelixError) as ei:
        MoE(models_dir)
    assert ei.value.code == "E_MODEL"
    msg = ei.value.message
    assert "\n" not in msg and "above report" not in msg
    return msg


def test_base_config_with_another_width_names_the_tensor_and_both_shapes(tmp_path):
    _ml()
    d = _models_copy(tmp_path)
    _edit_json(d / "base" / "config.json", hidden_size=128)
    msg = _load_error(d)
    assert "model.embed_tokens.weight" in msg
    assert "[1074, 256] in model.safetensors" in msg and "[1074, 128]" in msg, msg
    assert "more tensors differ" in msg


def test_base_config_with_more_layers_than_the_weights_is_an_error_not_random_layers(tmp_path):
    _ml()
    d = _models_copy(tmp_path)
    _edit_json(d / "base" / "config.json", num_hidden_layers=5, layer_types=["full_attention"] * 5)
    msg = _load_error(d)
    assert "model.layers.4." in msg and "no weights file has" in msg, msg


def test_invalid_base_config_keeps_the_reason_not_only_the_first_line(tmp_path):
    _ml()
    d = _models_copy(tmp_path)
    _edit_json(d / "base" / "config.json", num_hidden_layers=2)  # layer_types still lists 4
    msg = _load_error(d)
    assert "num_hidden_layers" in msg and "layer_types" in msg, msg


def test_adapter_config_with_another_rank_names_the_tensor_and_both_shapes(tmp_path):
    _ml()
    d = _models_copy(tmp_path)
    _edit_json(d / "adapters" / "lc-r" / "adapter_config.json", r=8)  # the weights have r=16
    msg = _load_error(d)
    assert "adapter 'lc-r'" in msg
    assert "lora_A.weight has shape [16, 256] in adapter_model.safetensors but [8, 256]" in msg, msg
    assert ".lc-r." not in msg  # the file's key, not PEFT's in-memory name


def _capture(logger_name: str):
    records: list[logging.LogRecord] = []

    class H(logging.Handler):
        def emit(self, record):
            records.append(record)

    h = H(level=logging.DEBUG)
    logger = logging.getLogger(logger_name)
    logger.addHandler(h)
    return records, lambda: logger.removeHandler(h)


def test_bitsandbytes_missing_kernels_notice_is_dropped_and_nothing_else():
    import helixc.neural  # noqa: F401 - installs the filter
    from helixc.neural.quiet import BNB_CPU_LOGGER

    records, done = _capture(BNB_CPU_LOGGER)
    log = logging.getLogger(BNB_CPU_LOGGER)
    template = ("Failed to load CPU gemm_4bit_forward from kernels-community: %s. Please make sure you already "
                "`pip install kernels` and the kernels >= 0.11.1")
    try:
        missing = ModuleNotFoundError("No module named 'kernels'", name="kernels")
        log.warning(template, missing)
        log.warning(template, RuntimeError("hub unreachable"))  # kernels installed, but it failed: keep
        log.warning(template, ModuleNotFoundError("No module named 'torchvision'", name="torchvision"))
        log.warning("something else went wrong: %s", missing)
    finally:
        done()
    kept = [r.getMessage() for r in records]
    assert len(kept) == 3, kept
    assert not any("No module named 'kernels'" in m and m.startswith("Failed to load CPU") for m in kept)


def test_the_filter_sits_on_the_logger_bitsandbytes_uses():
    bnb = pytest.importorskip("bitsandbytes")
    src = Path(bnb.__file__).parent / "backends" / "cpu" / "ops.py"
    if not src.is_file():
        pytest.skip("this bitsandbytes has no CPU backend module")
    text = src.read_text(encoding="utf-8")
    from helixc.neural.quiet import _PREFIX

    assert "logging.getLogger(__name__)" in text  # logger name == module name == BNB_CPU_LOGGER
    if "kernels-community" in text:  # the message the filter matches is still the one it logs
        assert _PREFIX in text


def test_english_translate_writes_nothing_to_stderr(helixc_env, tmp_path):
    _ml()
    env = {k: v for k, v in helixc_env.items() if k not in ("HELIXC_MODELS", "HELIXC_QUIET_DEPS")}
    exe = Path(sys.executable).with_name("helixc")
    proc = subprocess.run([str(exe), "translate", "--to", "auto", "--text", "Convert [1, 2, 3] to runic"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "\U0001f7031, 2, 3\U0001f704"
    assert proc.stderr == ""


# --------------------------------------------------------------------------------------------
# 7. shipped adapter configs: no training path


def test_shipped_adapter_configs_carry_no_training_path():
    configs = sorted(MODELS.glob("adapters/*/adapter_config.json"))
    assert len(configs) >= 6
    for p in configs:
        ref = json.loads(p.read_text(encoding="utf-8"))["base_model_name_or_path"]
        assert ref == "base", (p, ref)  # the manifest's base, relative to the models directory
        assert "/tmp" not in p.read_text(encoding="utf-8")


def test_export_writes_a_neutral_base_reference_and_the_result_loads(tmp_path):
    _ml()
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import Qwen3ForCausalLM

    from helixc.neural import Router
    from helixc.neural.moe import MoE
    from helixc.neural.tokenizer import load_tokenizer
    from helixc.neural.train import LORA_TARGETS, base_config, export

    tok = load_tokenizer(MODELS / "base")
    work = tmp_path / "helixc-train-work"
    (work / "base").mkdir(parents=True)
    torch.manual_seed(0)
    Qwen3ForCausalLM(base_config(len(tok), tok, "tiny", hidden=32, layers=1)).save_pretrained(str(work / "base"))
    tok.save_pretrained(str(work / "base"))
    m = get_peft_model(Qwen3ForCausalLM.from_pretrained(str(work / "base")),
                       LoraConfig(r=2, lora_alpha=4, target_modules=LORA_TARGETS))
    m.save_pretrained(str(work / "adapters" / "coordinator"))
    trained = json.loads((work / "adapters" / "coordinator" / "adapter_config.json").read_text())
    assert trained["base_model_name_or_path"] == str(work / "base")  # what PEFT writes: the work dir
    out = tmp_path / "models"
    export(out, tok, work / "base", {"coordinator": work / "adapters" / "coordinator"}, [Router()], [],
           {"coordinator": 4}, {"command": "test"}, work)
    cfg = json.loads((out / "adapters" / "coordinator" / "adapter_config.json").read_text())
    assert cfg["base_model_name_or_path"] == "base"
    shutil.rmtree(work)  # nothing may still point into the training directory
    assert MoE(out).adapters() == ["coordinator"]
