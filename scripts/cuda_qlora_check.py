"""The QLoRA path on a real CUDA GPU: what CI (no GPU) cannot run.

Run on a machine with CUDA, torch, transformers, peft, accelerate and bitsandbytes, from the
repository root (``PYTHONPATH=.`` is enough; helixc need not be installed)::

    python3 scripts/cuda_qlora_check.py --out /tmp/qlora-check

It checks, and writes ``<out>/cuda_qlora_check.json``:

1. ``load``: the shipped base through ``load_base(quantize="nf4")``: every projection is a
   bitsandbytes ``Linear4bit`` on the GPU with NF4 weights and bf16 compute;
2. ``train``: ``helixc.neural.train`` with ``--base-model <shipped base> --quantize nf4 --phase1 none``
   trains the lc-r adapter on a small generated corpus (no ``--allow-cpu-quantization``); the
   adapter's val exact match before and after, wall time, peak GPU memory;
3. ``scale``: a randomly initialised base of Qwen3-0.6B's shape (28 layers, hidden 1024) with this
   project's tokenizer, loaded bf16 and nf4: GPU memory of each and QLoRA training steps/s at
   batch 8 x 256 tokens (random weights: a memory and speed reading only, no quality).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _gib(n: int) -> float:
    return round(n / 2**30, 3)


def check_load(base: Path) -> dict:
    import torch

    from helixc.neural.train import LORA_TARGETS, load_base

    torch.cuda.reset_peak_memory_stats()
    model = load_base(base, quantize="nf4")
    q = [m for m in model.modules() if type(m).__name__ == "Linear4bit"]
    n_layers = model.config.num_hidden_layers
    w = q[0].weight
    out = {
        "linear4bit": len(q), "expected": n_layers * len(LORA_TARGETS),
        "devices": sorted({str(m.weight.device) for m in q}),
        "quant_type": getattr(w.quant_state, "quant_type", None),
        "compute_dtype": str(q[0].compute_dtype),
        "peak_gib": _gib(torch.cuda.max_memory_allocated()),
    }
    out["ok"] = (out["linear4bit"] == out["expected"] and out["devices"] == [f"cuda:{torch.cuda.current_device()}"]
                 and out["quant_type"] == "nf4")
    del model
    torch.cuda.empty_cache()
    return out


def check_train(base: Path, work: Path, steps: int) -> dict:
    corpus = work / "corpus"
    subprocess.run([sys.executable, "-c", "from helixc.cli import cli; cli()", "corpus", "build", "--seed", "0",
                    "--out", str(corpus), "--train-size", "3000", "--val-size", "300", "--test-size", "20",
                    "--novel-size", "20", "--no-verify"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    out = work / "models"
    cmd = [sys.executable, "-m", "helixc.neural.train", "--corpus", str(corpus), "--out", str(out),
           "--work", str(work / "train"), "--base-model", str(base), "--quantize", "nf4", "--phase1", "none",
           "--adapters", "lc-r", "--p2-max-steps", str(steps), "--p2-eval-every", str(max(1, steps // 2)),
           "--p2-batch-size", "32", "--val-em-rows", "100", "--seed", "0"]
    t0 = time.time()
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.time() - t0
    res = {"command": " ".join(cmd[1:]), "rc": p.returncode, "wall_s": round(wall, 1),
           "log_tail": (p.stdout + p.stderr)[-3000:]}
    man_path = out / "manifest.json"
    if man_path.is_file():
        man = json.loads(man_path.read_text())
        res["quantize"] = man["training"].get("quantize")
        stages = man["training"].get("stages")
        res["stages"] = stages
    curves = sorted((work / "train").rglob("*.metrics.json"))
    if curves:
        res["curve"] = json.loads(curves[-1].read_text())
    res["ok"] = p.returncode == 0 and res.get("quantize") == "nf4"
    return res


def check_scale(tok_dir: Path, work: Path, steps: int) -> dict:
    import torch
    from peft import get_peft_model
    from tokenizers import Tokenizer  # noqa: F401 - the project's tokenizer loads through transformers
    from transformers import AutoTokenizer, Qwen3Config, Qwen3ForCausalLM

    from helixc.neural.train import TrainConfig, load_base, lora_config

    tok = AutoTokenizer.from_pretrained(str(tok_dir), local_files_only=True)
    cfg = Qwen3Config(vocab_size=len(tok), hidden_size=1024, intermediate_size=3072, num_hidden_layers=28,
                      num_attention_heads=16, num_key_value_heads=8, head_dim=128, max_position_embeddings=512,
                      tie_word_embeddings=True, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                      pad_token_id=tok.pad_token_id)
    path = work / "qwen3-0.6b-shape"
    torch.manual_seed(0)
    Qwen3ForCausalLM(cfg).to(torch.bfloat16).save_pretrained(str(path))
    tok.save_pretrained(str(path))
    res = {"params_m": None}
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    m16 = load_base(path, dtype=torch.bfloat16).cuda()
    res["params_m"] = round(sum(p.numel() for p in m16.parameters()) / 1e6, 1)
    res["bf16_weights_gib"] = _gib(torch.cuda.memory_allocated())
    del m16
    torch.cuda.empty_cache()
    base_mem = torch.cuda.memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    model = load_base(path, quantize="nf4")
    res["nf4_weights_gib"] = _gib(torch.cuda.memory_allocated() - base_mem)
    model = get_peft_model(model, lora_config(TrainConfig(corpus=["x"], out="y"), "t"), adapter_name="t")
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
    ids = torch.randint(3, len(tok), (8, 256), device="cuda")
    times = []
    losses = []
    for i in range(steps):
        torch.cuda.synchronize()
        t = time.perf_counter()
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        torch.cuda.synchronize()
        times.append(time.perf_counter() - t)
        losses.append(round(float(loss), 4))
    warm = sorted(times[2:]) or times
    res.update({"steps": steps, "batch": "8x256", "step_ms_median": round(1000 * warm[len(warm) // 2], 1),
                "tokens_per_s": round(8 * 256 / warm[len(warm) // 2]), "loss_first_last": [losses[0], losses[-1]],
                "peak_train_gib": _gib(torch.cuda.max_memory_allocated() - base_mem),
                "trainable_m": round(sum(p.numel() for p in model.parameters() if p.requires_grad) / 1e6, 2)})
    res["ok"] = res["nf4_weights_gib"] < res["bf16_weights_gib"] and losses[-1] < losses[0]
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--base", type=Path, default=ROOT / "models" / "default" / "base")
    ap.add_argument("--train-steps", type=int, default=200)
    ap.add_argument("--scale-steps", type=int, default=12)
    args = ap.parse_args()
    import torch

    if not torch.cuda.is_available():
        print("cuda_qlora_check: no CUDA GPU here", file=sys.stderr)
        return 2
    import bitsandbytes
    import peft
    import transformers

    work = Path("/tmp/helixc-qlora-work")
    work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    report = {"gpu": torch.cuda.get_device_name(), "torch": torch.__version__,
              "transformers": transformers.__version__, "peft": peft.__version__,
              "bitsandbytes": bitsandbytes.__version__}
    for name, fn in (("load", lambda: check_load(args.base)),
                     ("train", lambda: check_train(args.base, work, args.train_steps)),
                     ("scale", lambda: check_scale(args.base, work, args.scale_steps))):
        t = time.time()
        try:
            report[name] = fn()
        except Exception as e:  # noqa: BLE001 - a failed check is a reading too; the others still run
            import traceback

            report[name] = {"ok": False, "error": repr(e), "traceback": traceback.format_exc()[-3000:]}
        report[name]["seconds"] = round(time.time() - t, 1)
        print(name, json.dumps({k: v for k, v in report[name].items() if k not in ("log_tail", "curve")}), flush=True)
        (args.out / "cuda_qlora_check.json").write_text(json.dumps(report, indent=1))
    return 0 if all(report[k].get("ok") for k in ("load", "train", "scale")) else 1


if __name__ == "__main__":
    raise SystemExit(main())
