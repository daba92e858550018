"""``helixc train``: tokenizer, base model and LoRA adapters from the corpus.

Pipeline (``python -m helixc.neural.train --help`` lists every flag):

1. Rows: ``--corpus`` (directory of ``train/val/test/test_novel.jsonl`` or files
   with a ``split`` field). Training uses ``train``; early stopping and
   checkpoint choice use ``val``; the test splits are never read here.
2. Tokenizer: trained on the training text (or the ``--base-model``'s own).
3. Phase 1, general: every task's examples mixed. From scratch (default) the
   whole Qwen3 base is trained (``--phase1 full``); with ``--base-model`` a
   "general" LoRA adapter is trained instead (``--phase1 lora``), as in the seed.
4. Phase 2, specialist: one LoRA adapter per task (the coordinator and every
   registered specialist), on that task's rows, starting from phase 1.
5. Export: ``base/``, ``adapters/<name>/``, ``manifest.json``, ``knowledge.json``,
   ``metrics/`` (CSV, JSON, PNG per stage) under ``--out``.

Every stage: loss on answer tokens only (prompt and padding -100, EOS learned);
evaluation every ``--eval-every`` optimizer steps on the validation split:
token-level loss and greedy exact match on a fixed sample; the checkpoint kept
is the best by (exact match, then lower validation loss), never training loss;
early stopping after ``--patience`` evaluations without improvement. A stage
saves its last checkpoint at every evaluation (weights, optimizer, scheduler,
RNG, step) and ``--resume`` continues from it exactly; finished stages are
skipped. Deterministic for a ``--seed`` (same threads, same machine).

Several processes: ``accelerate launch --multi_gpu --num_processes N -m
helixc.neural.train --corpus ... --out ...`` (GPUs with NCCL; on CPUs too, gloo:
accelerate's ``--cpu`` launcher starts one process without MPI). Each process
takes its share of every global batch; the main process evaluates and decides
(broadcast to the others) and is the only one that writes files. docs/scale.md.

``helixc train`` and ``python -m helixc.neural.train`` take the same options
(:class:`TrainConfig`, one option per field); from Python: ``train(TrainConfig(...))``.

QLoRA: ``--quantize nf4`` loads the base in 4-bit NF4 (bitsandbytes) for the
LoRA stages, and needs CUDA; ``--allow-cpu-quantization`` permits it on CPU
(bitsandbytes >= 0.45 has CPU kernels; slow, for tests).
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import random
import shutil
import sys
import time
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path

from ..errors import E_INPUT, E_MODEL, HelixError
from . import (
    COORDINATOR,
    KIND_CHOICE,
    KIND_ROUTE,
    Router,
    Specialist,
)
from .data import Example, build_examples, collate, encode_all, load_knowledge, load_rows
from .tokenizer import add_slot_tokens

LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]

SIZES = {  # hidden, layers, heads, kv heads, ffn
    "tiny": (64, 2, 2, 1, 128),
    "small": (256, 6, 4, 2, 768),
    "medium": (384, 8, 6, 2, 1152),
}


@dataclass
class StageConfig:
    lr: float = 2e-4
    batch_size: int = 16
    grad_accum: int = 1
    epochs: float = 3.0
    max_steps: int = 0  # 0: from epochs
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    max_grad_norm: float = 1.0
    eval_every: int = 200
    patience: int = 5
    val_loss_rows: int = 512
    val_em_rows: int = 128
    max_minutes: float = 0.0  # 0: no time budget (a budget makes runs non-reproducible)
    seed: int = 0
    eval_at_start: bool = False  # evaluate (and keep as a candidate) the weights before any step
    # among checkpoints with the best exact match: "loss" keeps the lowest validation loss, "later"
    # the latest (validation rows the base already answers perfectly cannot tell training on new
    # wordings from none; the later checkpoint has seen more of the training split)
    tie_break: str = "loss"
    interrupt_at: int = 0  # testing: stop like a killed run right after the checkpoint of this step


class TrainingInterrupted(RuntimeError):
    pass


# --------------------------------------------------------------------------- utils


def set_seed(seed: int) -> None:
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)


def stage_seed(seed: int, name: str) -> int:
    return (seed * 1_000_003 + int(hashlib.sha256(name.encode()).hexdigest()[:8], 16)) % (2**31)


def _atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _atomic_torch_save(obj, path: Path) -> None:
    import torch

    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def base_config(vocab_size: int, tok, size: str = "small", max_positions: int = 512, **over):
    from transformers import Qwen3Config

    h, layers, heads, kv, ffn = SIZES[size]
    h, layers, heads, kv, ffn = (over.get("hidden") or h, over.get("layers") or layers, over.get("heads") or heads,
                                 over.get("kv_heads") or kv, over.get("ffn") or ffn)
    return Qwen3Config(
        vocab_size=vocab_size, hidden_size=h, num_hidden_layers=layers, num_attention_heads=heads,
        num_key_value_heads=kv, head_dim=max(16, h // heads), intermediate_size=ffn,
        max_position_embeddings=max_positions, tie_word_embeddings=True,
        rope_parameters={"rope_type": "default", "rope_theta": 10000.0},
        pad_token_id=tok.pad_token_id, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
    )


def check_quantize(quantize: str | None, allow_cpu_quantization: bool) -> None:
    import torch

    if not quantize:
        return
    if quantize != "nf4":
        raise HelixError(E_INPUT, f"--quantize {quantize!r}: only 'nf4' is supported")
    if not torch.cuda.is_available() and not allow_cpu_quantization:
        raise HelixError(
            E_INPUT,
            "--quantize nf4 (QLoRA) needs a CUDA GPU and none is available; train without --quantize, "
            "or pass --allow-cpu-quantization to run bitsandbytes' CPU kernels (slow; meant for tests)",
        )


def load_base(path, *, quantize: str | None = None, allow_cpu_quantization: bool = False, device=None, dtype=None):
    """A causal LM from a local directory (never the Hub); nf4 = QLoRA base."""
    import torch
    from transformers import AutoModelForCausalLM

    check_quantize(quantize, allow_cpu_quantization)
    path = Path(path)
    if not (path / "config.json").is_file():
        raise HelixError(E_MODEL, f"{path} is not a model directory (no config.json)")
    kw = {"local_files_only": True}
    if quantize:
        try:
            from transformers import BitsAndBytesConfig
            import bitsandbytes  # noqa: F401
        except ImportError as e:
            raise HelixError(E_INPUT, f"--quantize nf4 needs bitsandbytes: {e}") from None
        compute = torch.bfloat16
        kw["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=compute,
            bnb_4bit_use_double_quant=True)
        # each process its own GPU: accelerate has set the current device to the process's local rank
        cuda = f"cuda:{torch.cuda.current_device()}" if torch.cuda.is_available() else None
        kw["device_map"] = {"": device if device is not None else (cuda or "cpu")}
    else:
        kw["dtype"] = dtype or torch.float32
    try:
        model = AutoModelForCausalLM.from_pretrained(str(path), **kw)
    except HelixError:
        raise
    except Exception as e:  # noqa: BLE001 - any loading failure is one line, naming a changed tensor's shapes
        from .loading import base_load_error

        raise base_load_error(path, e) from None
    if quantize:
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    return model


def lora_config(args: TrainConfig, task_name: str):
    from peft import LoraConfig

    return LoraConfig(r=args.lora_r, lora_alpha=args.lora_alpha, lora_dropout=args.lora_dropout, bias="none",
                      target_modules=list(LORA_TARGETS), task_type="CAUSAL_LM")


def trainable_state(model) -> dict:
    return {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}


def load_trainable(model, state: dict) -> None:
    params = dict(model.named_parameters())
    missing = [k for k in state if k not in params]
    if missing:
        raise HelixError(E_MODEL, f"checkpoint does not match the model: {missing[0]} ...")
    import torch

    with torch.no_grad():
        for k, v in state.items():
            if params[k].shape != v.shape:
                raise HelixError(E_MODEL, f"checkpoint shape mismatch for {k}: {tuple(v.shape)} vs {tuple(params[k].shape)}")
            params[k].copy_(v)


# --------------------------------------------------------------------------- batching


def epoch_batches(lengths: list[int], batch_size: int, seed: int, epoch: int) -> list[list[int]]:
    """Deterministic micro-batches for one epoch: shuffle, sort within windows of
    50 batches by length (less padding), shuffle the batch order."""
    rng = random.Random(seed * 7919 + epoch)
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    win = batch_size * 50
    batches = []
    for s in range(0, len(idx), win):
        chunk = sorted(idx[s: s + win], key=lambda i: lengths[i])
        batches.extend(chunk[j: j + batch_size] for j in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


class BatchStream:
    """Micro-batch number k -> indices, across epochs, without state."""

    def __init__(self, lengths, batch_size, seed):
        self.lengths, self.bs, self.seed = lengths, batch_size, seed
        self.per_epoch = max(1, math.ceil(len(lengths) / batch_size))
        self._cache: dict[int, list[list[int]]] = {}

    def get(self, k: int) -> list[int]:
        e, j = divmod(k, self.per_epoch)
        if e not in self._cache:
            self._cache = {e: epoch_batches(self.lengths, self.bs, self.seed, e)}
        return self._cache[e][j]


# --------------------------------------------------------------------------- evaluation


def val_loss(model, enc, pad_id, batch_size, autocast_ctx, device) -> float:
    import torch

    tot, n = 0.0, 0
    model.eval()
    with torch.inference_mode():
        order = sorted(range(len(enc)), key=lambda i: len(enc[i][0]))
        for s in range(0, len(order), batch_size):
            b = collate([enc[i] for i in order[s: s + batch_size]], pad_id)
            b = {k: v.to(device) for k, v in b.items()}
            with autocast_ctx():
                logits = model(input_ids=b["input_ids"], attention_mask=b["attention_mask"]).logits
            lab = b["labels"][:, 1:]
            lp = torch.nn.functional.cross_entropy(
                logits[:, :-1].float().reshape(-1, logits.size(-1)), lab.reshape(-1), ignore_index=-100, reduction="sum")
            tot += float(lp)
            n += int((lab != -100).sum())
    return tot / max(1, n)


def exact_match(model, tok, examples: list[Example], constraints_for=None, batch_size: int = 64,
                autocast_ctx=None, max_new_tokens: int | None = None) -> tuple[float, list[str]]:
    from contextlib import nullcontext

    from .decode import greedy_decode

    model.eval()
    preds = []
    ctx = autocast_ctx or nullcontext
    order = sorted(range(len(examples)), key=lambda i: len(examples[i].prompt))
    out = [None] * len(examples)
    for s in range(0, len(order), batch_size):
        chunk = [examples[i] for i in order[s: s + batch_size]]
        mnt = max_new_tokens or max(len(tok.encode(e.answer, add_special_tokens=False)) for e in chunk) + 8
        cons = [constraints_for(e) for e in chunk] if constraints_for else None
        with ctx():
            dec = greedy_decode(model, tok, [e.prompt for e in chunk], max_new_tokens=mnt, constraints=cons)
        for i, d in zip(order[s: s + batch_size], dec):
            out[i] = d.text
    preds = [p or "" for p in out]
    ok = sum(p == e.answer for p, e in zip(preds, examples))
    return ok / max(1, len(examples)), preds


def stratified_sample(examples: list[Example], n: int, seed: int) -> list[Example]:
    if len(examples) <= n:
        return list(examples)
    by: dict[str, list[Example]] = {}
    for e in examples:
        by.setdefault(e.task, []).append(e)
    rng = random.Random(seed)
    per = max(1, n // len(by))
    out = []
    for k in sorted(by):
        xs = by[k]
        out.extend(rng.sample(xs, min(per, len(xs))))
    return out


# --------------------------------------------------------------------------- one stage


def run_stage(name: str, model, tok, train_ex: list[Example], val_ex: list[Example], cfg: StageConfig,
              stage_dir: Path, acc, *, max_len: int, resume: bool, log=print) -> dict:
    """Train ``model``'s trainable parameters; returns the stage summary. On return
    the model holds the best checkpoint's weights."""
    import torch
    from tqdm.auto import tqdm
    from transformers import get_cosine_schedule_with_warmup

    stage_dir.mkdir(parents=True, exist_ok=True)
    done = stage_dir / "done.json"
    best_path = stage_dir / "best.pt"
    last_path = stage_dir / "last.pt"
    if resume and done.is_file() and best_path.is_file():
        load_trainable(model, torch.load(best_path, weights_only=False)["trainable"])
        log(f"[{name}] already trained; loaded its best checkpoint")
        return json.loads(done.read_text())

    seed = stage_seed(cfg.seed, name)
    set_seed(seed)
    enc, kept, dropped = encode_all(tok, train_ex, max_len)
    venc, vkept, vdropped = encode_all(tok, val_ex, max_len)
    if not enc:
        raise HelixError(E_INPUT, f"stage {name}: no training examples")
    if dropped or vdropped:
        log(f"[{name}] dropped {dropped} train / {vdropped} val examples longer than {max_len} tokens")
    vl_sample = [venc[i] for i in sorted(random.Random(seed).sample(range(len(venc)), min(cfg.val_loss_rows, len(venc))))]
    em_sample = stratified_sample(vkept, cfg.val_em_rows, seed)

    world, rank = acc.num_processes, acc.process_index
    stream = BatchStream([len(x[0]) for x in enc], cfg.batch_size * world, seed)
    steps_per_epoch = max(1, stream.per_epoch // cfg.grad_accum)
    total = cfg.max_steps or max(1, int(math.ceil(cfg.epochs * steps_per_epoch)))
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.lr, betas=(0.9, 0.98), weight_decay=cfg.weight_decay)
    sched = get_cosine_schedule_with_warmup(opt, int(cfg.warmup_ratio * total), total)
    model, opt = acc.prepare(model, opt)
    device = acc.device
    raw = acc.unwrap_model(model)

    hist: list[dict] = []
    best = {"score": None, "step": 0}
    bad = 0
    step = 0
    if resume and last_path.is_file():
        ck = torch.load(last_path, weights_only=False)
        load_trainable(raw, ck["trainable"])
        opt.load_state_dict(ck["optimizer"])
        sched.load_state_dict(ck["scheduler"])
        torch.set_rng_state(ck["rng"])
        random.setstate(ck["py_rng"])
        step, hist, best, bad = ck["step"], ck["history"], ck["best"], ck["bad"]
        log(f"[{name}] resumed at step {step}/{total}")

    def autocast():
        return acc.autocast()

    def evaluate(step, run_loss, run_n):
        nonlocal best, bad
        # the main process evaluates and decides; the others take its numbers (every rank holds the
        # same weights, and must agree on the kept step and on early stopping)
        if acc.is_main_process:
            vloss = val_loss(raw, vl_sample, tok.pad_token_id, 64, autocast, device)
            em, _ = exact_match(raw, tok, em_sample, autocast_ctx=autocast)
        else:
            vloss = em = None
        if world > 1:
            from accelerate.utils import broadcast_object_list

            vloss, em = broadcast_object_list([vloss, em], from_process=0)
        row = {"stage": name, "step": step, "epoch": round(step / steps_per_epoch, 3),
               "train_loss": run_loss / run_n if run_n else None, "val_loss": vloss, "val_em": em,
               "lr": sched.get_last_lr()[0], "elapsed_s": round(elapsed0 + time.time() - t0, 1)}
        hist.append(row)
        score = [em, -vloss]
        if cfg.tie_break == "later":
            improved = best["score"] is None or em >= best["score"][0]
        else:
            improved = best["score"] is None or score > best["score"]
        if improved:
            best = {"score": score, "step": step, "val_em": em, "val_loss": vloss}
            bad = 0
            if acc.is_main_process:
                _atomic_torch_save({"trainable": trainable_state(raw), "step": step}, best_path)
        else:
            bad += 1
        bar.set_postfix(loss=f"{row['train_loss'] or 0:.3f}", vloss=f"{vloss:.3f}", em=f"{em:.3f}", best=best["step"])
        if acc.is_main_process:
            _atomic_torch_save({"trainable": trainable_state(raw), "optimizer": opt.state_dict(),
                                "scheduler": sched.state_dict(), "rng": torch.get_rng_state(),
                                "py_rng": random.getstate(), "step": step, "history": hist, "best": best,
                                "bad": bad}, last_path)
            write_metrics(stage_dir, name, hist)
        return row, vloss, em, improved

    t0 = time.time()
    elapsed0 = hist[-1]["elapsed_s"] if hist else 0.0
    bar = tqdm(total=total, initial=step, desc=name, dynamic_ncols=True, disable=not acc.is_main_process,
               mininterval=2.0)
    run_loss, run_n = 0.0, 0
    stopped = "max_steps"
    if step == 0 and cfg.eval_at_start:  # the starting point is a candidate too (LoRA: the base alone)
        evaluate(0, 0.0, 0)
    while step < total:
        model.train()
        for k in range(cfg.grad_accum):
            idx = stream.get(step * cfg.grad_accum + k)
            mine = idx[rank::world] or idx[:1]
            b = collate([enc[i] for i in mine], tok.pad_token_id)
            b = {kk: v.to(device) for kk, v in b.items()}
            with autocast():
                loss = model(**b).loss / cfg.grad_accum
            acc.backward(loss)
            run_loss += float(loss.detach()) * cfg.grad_accum
            run_n += 1
        if cfg.max_grad_norm:
            acc.clip_grad_norm_(params, cfg.max_grad_norm)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        step += 1
        bar.update(1)
        at_end = step == total
        over_time = cfg.max_minutes and (time.time() - t0) / 60 + elapsed0 / 60 >= cfg.max_minutes
        if step % cfg.eval_every == 0 or at_end or over_time:
            row, vloss, em, improved = evaluate(step, run_loss, run_n)
            run_loss, run_n = 0.0, 0
            log(f"[{name}] step {step}/{total} train_loss {row['train_loss'] or 0:.4f} val_loss {vloss:.4f} "
                f"val_em {em:.3f}{' *' if improved else ''}")
            if cfg.interrupt_at and step >= cfg.interrupt_at:
                bar.close()
                raise TrainingInterrupted(f"{name}: interrupted at step {step}")
            if bad >= cfg.patience:
                stopped = "early_stopping"
                break
            if over_time:
                stopped = "time_budget"
                break
    bar.close()
    acc.wait_for_everyone()
    if best_path.is_file():
        load_trainable(raw, torch.load(best_path, weights_only=False)["trainable"])
    summary = {"stage": name, "steps": step, "total_steps": total, "stopped": stopped, "best": best,
               "processes": world,
               "train_examples": len(enc), "val_examples": len(venc), "elapsed_s": hist[-1]["elapsed_s"] if hist else 0,
               "config": asdict(cfg)}
    if acc.is_main_process:
        _atomic_write_text(done, json.dumps(summary, indent=1))
    return summary


def write_metrics(stage_dir: Path, name: str, hist: list[dict]) -> None:
    if not hist:
        return
    with open(stage_dir / "metrics.csv.tmp", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(hist[0]))
        w.writeheader()
        w.writerows(hist)
    os.replace(stage_dir / "metrics.csv.tmp", stage_dir / "metrics.csv")
    _atomic_write_text(stage_dir / "metrics.json", json.dumps(hist, indent=1))
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(1, 2, figsize=(10, 3.5))
        steps = [h["step"] for h in hist]
        ax[0].plot(steps, [float("nan") if h["train_loss"] is None else h["train_loss"] for h in hist], label="train loss")
        ax[0].plot(steps, [h["val_loss"] for h in hist], label="val loss")
        ax[0].set_yscale("log")
        ax[0].set_xlabel("step")
        ax[0].legend()
        ax[1].plot(steps, [h["val_em"] for h in hist], label="val exact match", color="green")
        ax[1].set_ylim(0, 1.02)
        ax[1].set_xlabel("step")
        ax[1].legend()
        fig.suptitle(name)
        fig.tight_layout()
        fig.savefig(stage_dir / "metrics.png.tmp.png", dpi=80)
        plt.close(fig)
        os.replace(stage_dir / "metrics.png.tmp.png", stage_dir / "metrics.png")
    except ImportError:
        pass


# --------------------------------------------------------------------------- the pipeline


def task_specs(only: list[str] | None) -> list:
    from . import builtin_specialists, routers, specialists

    try:
        specs = specialists()
        rts = routers()
    except Exception:  # noqa: BLE001 - plugins unavailable: use the built-ins
        specs, rts = {}, []
    if not specs:
        specs = {s.route: s for s in builtin_specialists()}
    router = rts[0] if rts else Router()
    out = [router] + [specs[k] for k in sorted(specs)]
    if only:
        out = [s for s in out if s.name in only]
    return out


def stage_cfg(args: TrainConfig, ph: str) -> StageConfig:
    g = lambda k: getattr(args, f"{ph}_{k}")  # noqa: E731
    return StageConfig(lr=g("lr"), batch_size=g("batch_size"), grad_accum=g("grad_accum"), epochs=g("epochs"),
                       max_steps=g("max_steps"), warmup_ratio=args.warmup_ratio, eval_every=g("eval_every"),
                       patience=args.patience, val_loss_rows=args.val_loss_rows, val_em_rows=args.val_em_rows,
                       max_minutes=g("max_minutes"), seed=args.seed, interrupt_at=args.interrupt_at,
                       eval_at_start=ph == "p2" or bool(args.init_base or args.base_model), tie_break=args.tie_break)


def native_bf16() -> bool:
    import torch

    if torch.cuda.is_available():
        return torch.cuda.is_bf16_supported()
    try:
        flags = open("/proc/cpuinfo").read()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def make_accelerator(bf16: bool | None):
    """The run's Accelerator. Several processes on a machine without CUDA (``accelerate launch
    --multi_gpu --num_processes N``, or torchrun, on CPUs) join one gloo group: accelerate picks
    MULTI_CPU only when told the run is on CPU, so it is told here. ``accelerate launch --cpu
    --num_processes N`` starts *one* process unless an MPI launcher starts the others
    (``--mpirun_hostfile``); that case is reported (docs/scale.md)."""
    import torch
    from accelerate import Accelerator

    if bf16 is None:
        bf16 = native_bf16()
    world = int(os.environ.get("WORLD_SIZE", "1") or 1)
    cpu = world > 1 and not torch.cuda.is_available()
    acc = Accelerator(mixed_precision="bf16" if bf16 else "no", cpu=cpu)
    if (acc.num_processes == 1 and os.environ.get("ACCELERATE_USE_CPU", "").lower() in ("1", "true")
            and os.environ.get("MASTER_ADDR") and "WORLD_SIZE" not in os.environ):
        print("helixc train: accelerate started one CPU process (its --cpu launcher starts several only through "
              "mpirun); for N processes on CPUs use `accelerate launch --multi_gpu --num_processes N` "
              "(docs/scale.md)", file=sys.stderr)
    return acc


def train(config: TrainConfig) -> dict:
    """Run the pipeline for ``config``; returns ``{"out", "stages", "elapsed_s", "processes"}``. Under
    ``accelerate launch`` every process runs this; only the main process writes files."""
    import torch

    t_start = time.time()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    if config.threads:
        torch.set_num_threads(config.threads)
    if config.add_notation:
        return add_notation(config)
    out = Path(config.out)
    work = Path(config.work) if config.work else out.parent / f".train-{out.name}"
    acc = make_accelerator(config.bf16)
    log = (lambda *a: None) if config.quiet else (lambda *a: acc.print(*a))
    # with --quantize, phase 1 (from scratch) trains the full base in full precision; the LoRA stages load it in nf4
    check_quantize(config.quantize, config.allow_cpu_quantization)  # the clear error before any work
    work.mkdir(parents=True, exist_ok=True)

    rows = load_rows(config.corpus)
    train_rows = [r for r in rows if r.get("split") == "train"]
    val_rows = [r for r in rows if r.get("split") == "val"]
    if not train_rows or not val_rows:
        raise HelixError(E_INPUT, f"the corpus needs 'train' and 'val' rows (got {len(train_rows)} / {len(val_rows)})")
    if config.max_train_rows:
        train_rows = random.Random(config.seed).sample(train_rows, min(config.max_train_rows, len(train_rows)))
    kb_path = config.knowledge
    if kb_path is None:
        for c in [Path(p) / "knowledge.json" for p in config.corpus if Path(p).is_dir()]:
            if c.is_file():
                kb_path = c
                break
    kb = load_knowledge(kb_path)
    specs = task_specs(config.adapters)
    tr = build_examples(specs, train_rows, kb, slots=config.slots, raw_choice=True)
    va = build_examples(specs, val_rows, kb, slots=config.slots, raw_choice=True)
    for s in specs:
        log(f"task {s.name}: {len(tr[s.name])} train / {len(va[s.name])} val examples")
    specs = [s for s in specs if tr[s.name] and va[s.name]]

    # ---- tokenizer + base
    base_dir = work / "base"
    phase1 = config.phase1 or ("lora" if config.base_model else "full")
    if config.base_model:
        from .tokenizer import load_tokenizer

        tok = load_tokenizer(config.base_model)
        if tok.pad_token_id is None:
            tok.pad_token = tok.eos_token
        if tok.bos_token_id is None:
            tok.bos_token = tok.eos_token
        base_src = Path(config.base_model)
    else:
        from .tokenizer import load_tokenizer, train_tokenizer

        # the main process makes the tokenizer and writes it; the others read that file (one tokenizer
        # for every rank, and no two processes writing the same file)
        if not acc.is_main_process:
            acc.wait_for_everyone()
            tok = load_tokenizer(base_dir)
        elif config.init_base:
            tok = load_tokenizer(config.init_base)
            if config.slots:
                add_slot_tokens(tok)
            base_dir.mkdir(parents=True, exist_ok=True)
            tok.save_pretrained(str(base_dir))
        elif (base_dir / "tokenizer.json").is_file() and config.resume:
            tok = load_tokenizer(base_dir)
        else:
            texts = [e.prompt + e.answer for s in specs for e in tr[s.name]]
            tok = train_tokenizer(texts, vocab_size=config.vocab_size)
            if config.slots:
                add_slot_tokens(tok)
            base_dir.mkdir(parents=True, exist_ok=True)
            tok.save_pretrained(str(base_dir))
        if acc.is_main_process:
            acc.wait_for_everyone()
        base_src = base_dir
    summaries = []

    # phase 1 sees every row through its specialist; the coordinator's copy of each row
    # (prompt ~30 tokens for a 2-token label) only at --p1-coordinator-fraction.
    frac_rng = random.Random(config.seed)
    def p1(exs, name):
        if name != COORDINATOR or config.p1_coordinator_fraction >= 1:
            return exs
        return [e for e in exs if frac_rng.random() < config.p1_coordinator_fraction]
    all_train = [e for s in specs for e in p1(tr[s.name], s.name)]
    all_val = [e for s in specs for e in p1(va[s.name], s.name)]
    general_lora = None
    if phase1 == "full":
        if config.base_model:
            raise HelixError(E_INPUT, "--phase1 full with --base-model is not supported (full fine-tuning of a large model); use lora")
        from transformers import Qwen3ForCausalLM

        set_seed(stage_seed(config.seed, "init"))
        if config.init_base:  # continued pretraining of an earlier base (its tokenizer, plus slot tokens)
            model = load_base(config.init_base)
            if model.get_input_embeddings().weight.shape[0] < len(tok):
                model.resize_token_embeddings(len(tok), mean_resizing=True)
        else:
            cfg = base_config(len(tok), tok, config.size, hidden=config.hidden, layers=config.layers, heads=config.heads,
                              kv_heads=config.kv_heads, ffn=config.ffn, max_positions=max(512, config.max_len))
            model = Qwen3ForCausalLM(cfg)
        log(f"base: {sum(p.numel() for p in model.parameters()) / 1e6:.2f}M parameters, vocab {len(tok)}")
        summaries.append(run_stage("phase1-general", model, tok, all_train, all_val, stage_cfg(config, "p1"),
                                   work / "phase1-general", acc, max_len=config.max_len, resume=config.resume, log=log))
        model = acc.unwrap_model(model)
        with torch.no_grad():  # ship bf16: round now so the adapters are trained on exactly the shipped base
            for p in model.parameters():
                p.copy_(p.to(torch.bfloat16).to(torch.float32))
        if acc.is_main_process:
            model.save_pretrained(str(base_dir), safe_serialization=True)
            tok.save_pretrained(str(base_dir))
        acc.wait_for_everyone()
        del model
    elif phase1 == "lora":
        from peft import get_peft_model

        model = load_base(base_src, quantize=config.quantize, allow_cpu_quantization=config.allow_cpu_quantization)
        model = get_peft_model(model, lora_config(config, "general"), adapter_name="general")
        summaries.append(run_stage("phase1-general", model, tok, all_train, all_val, stage_cfg(config, "p1"),
                                   work / "phase1-general", acc, max_len=config.max_len, resume=config.resume, log=log))
        from peft import get_peft_model_state_dict

        general_lora = {k: v.detach().clone() for k, v in get_peft_model_state_dict(acc.unwrap_model(model), adapter_name="general").items()}
        del model

    # ---- phase 2: one adapter per task
    adapter_dirs = {}
    max_new = {}
    for s in specs:
        summary, adapter_dirs[s.name], max_new[s.name] = train_adapter(
            s, base_src, tok, tr[s.name], va[s.name], config, work, acc, log, general_lora)
        summaries.append(summary)

    # ---- export
    if acc.is_main_process:
        export(out, tok, base_src if config.base_model else base_dir, adapter_dirs, specs, kb, max_new,
               {"command": "helixc train " + " ".join(config.argv()), "seed": config.seed, "slots": config.slots,
                "phase1": phase1, "quantize": config.quantize, "stages": summaries,
                "train_rows": len(train_rows), "val_rows": len(val_rows), "processes": acc.num_processes,
                "elapsed_s": round(time.time() - t_start, 1)}, work, copy_base=not config.base_model)
    return {"out": str(out), "stages": summaries, "elapsed_s": round(time.time() - t_start, 1),
            "processes": acc.num_processes, "main_process": acc.is_main_process}


def add_notation(config: TrainConfig) -> dict:
    """``--add-notation NAME``: OUT is a copy of the models directory ``--models`` with one more
    specialist, NAME's (a registered notation plugin), trained on the corpus's NAME rows, and the
    coordinator trained again on every route it had plus NAME (its old labels keep their order, NAME
    comes last). The base and every other adapter are copied byte for byte: the other specialists
    answer exactly as before. The corpus must hold NAME rows (``helixc corpus build`` with the
    plugin installed)."""
    from ..plugins import get_notation
    from . import Router, builtin_specialists, default_models_dir
    from .moe import read_manifest
    from .slots import SLOT_LEXER_VERSION
    from .tokenizer import load_tokenizer

    t_start = time.time()
    src = Path(config.models) if config.models else default_models_dir()
    out = Path(config.out)
    man = read_manifest(src)
    name = get_notation(config.add_notation).name  # E_NOTATION_UNKNOWN for a name no plugin registers
    spec = next((s for s in builtin_specialists() if s.route == name), None)
    if spec is None:
        raise HelixError(E_INPUT, f"--add-notation {name}: no specialist can write {name} (a text notation needs "
                                  f"Notation.slot_spelling: how a model writes a literal slot in it)")
    router_name = man.get("router", COORDINATOR)
    old_labels = list(man["adapters"][router_name].get("labels") or [])
    if name in old_labels or any(a.get("route") == name for a in man["adapters"].values()):
        raise HelixError(E_INPUT, f"--add-notation {name}: {src} already has a {name} route")
    if out.resolve() == src.resolve():
        raise HelixError(E_INPUT, "--add-notation writes a new models directory: give an --out other than --models")
    if out.exists() and any(out.iterdir()):
        raise HelixError(E_INPUT, f"--out {out} exists and is not empty")
    slots = bool(man.get("slots"))
    if slots and man.get("slot_lexer", 1) != SLOT_LEXER_VERSION:
        raise HelixError(E_MODEL, f"{src}: trained with slot lexer {man.get('slot_lexer', 1)}, this helixc has "
                                  f"{SLOT_LEXER_VERSION}; retrain it before adding a notation")
    labels = tuple(old_labels) + (name,)
    router = Router(name=router_name, labels=labels)
    base = Path(man["base"]) if Path(man["base"]).is_absolute() else src / man["base"]
    tok = load_tokenizer(src / man.get("tokenizer", man["base"]))

    rows = [r for r in load_rows(config.corpus) if r.get("route") in labels]
    train_rows = [r for r in rows if r.get("split") == "train"]
    val_rows = [r for r in rows if r.get("split") == "val"]
    if not all(any(r.get("route") == name for r in part) for part in (train_rows, val_rows)):
        raise HelixError(E_INPUT, f"the corpus has no {name} train/val rows: build it with the plugin installed "
                                  f"(helixc corpus build)")
    if config.max_train_rows:
        train_rows = random.Random(config.seed).sample(train_rows, min(config.max_train_rows, len(train_rows)))
    specs = [router, spec]
    tr = build_examples(specs, train_rows, None, slots=slots, raw_choice=True)
    va = build_examples(specs, val_rows, None, slots=slots, raw_choice=True)
    work = Path(config.work) if config.work else out.parent / f".train-{out.name}"
    work.mkdir(parents=True, exist_ok=True)
    acc = make_accelerator(config.bf16)
    log = (lambda *a: None) if config.quiet else (lambda *a: acc.print(*a))
    for s in specs:
        log(f"task {s.name}: {len(tr[s.name])} train / {len(va[s.name])} val examples")
    summaries, dirs, max_new = [], {}, {}
    for s in specs:
        # LoRA's A matrices are drawn when the adapter is made, before the stage seeds itself: seed
        # here, or the first adapter starts from whatever state the process's RNG is in (an import
        # seeds torch from the OS: two runs of the same command wrote different coordinators)
        set_seed(stage_seed(config.seed, f"add-{s.name}"))
        summary, dirs[s.name], max_new[s.name] = train_adapter(s, base, tok, tr[s.name], va[s.name], config, work,
                                                               acc, log)
        summaries.append(summary)
    if acc.is_main_process:
        shutil.copytree(src, out, dirs_exist_ok=True)
        new = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        for s in specs:
            dst = out / "adapters" / s.name
            if dst.exists():
                shutil.rmtree(dst)
            shutil.copytree(dirs[s.name], dst, ignore=shutil.ignore_patterns("README.md"))
            neutral_adapter_config(dst / "adapter_config.json", man["base"])
            new["adapters"][s.name] = adapter_entry(s, max_new[s.name], None)
        new.setdefault("added", []).append({
            "notation": name, "command": "helixc train " + " ".join(config.argv()), "from": str(src),
            "adapters": [s.name for s in specs], "stages": summaries, "train_rows": len(train_rows),
            "val_rows": len(val_rows), "elapsed_s": round(time.time() - t_start, 1)})
        mdir = out / "metrics"
        mdir.mkdir(exist_ok=True)
        for s in specs:  # beside the source's curves, not over them
            st = work / f"phase2-{s.name}"
            for f in ("metrics.csv", "metrics.json", "metrics.png", "done.json"):
                if (st / f).is_file():
                    shutil.copy(st / f, mdir / f"add-{name}.phase2-{s.name}.{f}")
        _atomic_write_text(out / "manifest.json", json.dumps(new, indent=1, ensure_ascii=False))
    return {"out": str(out), "stages": summaries, "elapsed_s": round(time.time() - t_start, 1),
            "processes": acc.num_processes, "main_process": acc.is_main_process}


def train_adapter(s, base_src: Path, tok, train_ex, val_ex, config: TrainConfig, work: Path, acc, log,
                  general_lora=None) -> tuple[dict, Path, int]:
    """Phase 2 for one adapter on the base at ``base_src``: (stage summary, the adapter's directory
    under ``work/adapters``, its token budget). It starts as the no-op adapter (LoRA B = 0), or
    from phase 1's general adapter."""
    from peft import get_peft_model, set_peft_model_state_dict

    model = load_base(base_src, quantize=config.quantize, allow_cpu_quantization=config.allow_cpu_quantization)
    model = get_peft_model(model, lora_config(config, s.name), adapter_name=s.name)
    if general_lora is not None:
        set_peft_model_state_dict(model, general_lora, adapter_name=s.name)
    summary = run_stage(f"phase2-{s.name}", model, tok, train_ex, val_ex, stage_cfg(config, "p2"),
                        work / f"phase2-{s.name}", acc, max_len=config.max_len, resume=config.resume, log=log)
    model = acc.unwrap_model(model)
    d = work / "adapters" / s.name
    if acc.is_main_process:
        model.save_pretrained(str(d), selected_adapters=[s.name])
        sub = d / s.name  # PEFT writes non-default adapters into a sub-folder
        if sub.is_dir():
            for f in sub.iterdir():
                shutil.move(str(f), d / f.name)
            sub.rmdir()
    lens = [len(tok.encode(e.answer, add_special_tokens=False)) for e in train_ex]
    return summary, d, int(max(lens) * 1.25) + 8


def neutral_adapter_config(path: Path, base_ref: str) -> None:
    """PEFT records the base it trained on (``base_model_name_or_path``: a temporary work directory
    here); the shipped config says where the base is in the models directory instead (the manifest's
    ``base``; MoE passes the loaded base to PEFT, which never reads this field to load)."""
    cfg = json.loads(path.read_text(encoding="utf-8"))
    if cfg.get("base_model_name_or_path") != base_ref:
        cfg["base_model_name_or_path"] = base_ref
        _atomic_write_text(path, json.dumps(cfg, indent=2, sort_keys=True))


def adapter_entry(s, max_new_tokens: int, kb) -> dict:
    """The manifest's entry for adapter ``s`` (a Specialist or the Router)."""
    entry = {"path": f"adapters/{s.name}", "kind": s.kind, "max_new_tokens": max_new_tokens}
    if s.kind == KIND_ROUTE:
        entry["labels"] = list(s.labels)
    else:
        entry.update({"route": s.route, "target": s.target, "grammar": s.grammar})
    if s.kind == KIND_CHOICE:
        entry["choices"] = [e["id"] for e in kb]
    return entry


def export(out: Path, tok, base_dir: Path, adapter_dirs: dict, specs, kb, max_new, training: dict, work: Path,
           copy_base: bool = True) -> None:
    out.mkdir(parents=True, exist_ok=True)
    if copy_base:
        import torch
        from transformers import AutoModelForCausalLM

        (out / "base").mkdir(exist_ok=True)
        m = AutoModelForCausalLM.from_pretrained(str(base_dir), dtype=torch.bfloat16, local_files_only=True)
        m.save_pretrained(str(out / "base"), safe_serialization=True)
        tok.save_pretrained(str(out / "base"))
        base_ref = "base"
    else:
        base_ref = str(Path(base_dir).resolve())
        (out / "tokenizer").mkdir(exist_ok=True)
        tok.save_pretrained(str(out / "tokenizer"))
    manifest = {"format": "helixc-moe/1", "base": base_ref, "tokenizer": "base" if copy_base else "tokenizer",
                "prompt": {"template": "{task}|{request}", "sep": "\\n=>"}, "router": COORDINATOR,
                "knowledge": "knowledge.json" if kb else None, "adapters": {}, "training": training,
                "slots": bool(training.get("slots"))}
    if manifest["slots"]:
        from .slots import SLOT_LEXER_VERSION

        manifest["slot_lexer"] = SLOT_LEXER_VERSION
        manifest["choice_reads"] = "raw"  # explain reads the request without slots (data.reads_raw)
    for s in specs:
        dst = out / "adapters" / s.name
        if dst.exists():
            shutil.rmtree(dst)
        shutil.copytree(adapter_dirs[s.name], dst, ignore=shutil.ignore_patterns("README.md"))
        neutral_adapter_config(dst / "adapter_config.json", "base" if copy_base else base_ref)
        manifest["adapters"][s.name] = adapter_entry(s, max_new[s.name], kb)
    if kb:
        _atomic_write_text(out / "knowledge.json", json.dumps(kb, indent=1, ensure_ascii=False))
    mdir = out / "metrics"
    mdir.mkdir(exist_ok=True)
    for st in work.iterdir():
        if st.is_dir() and st.name.startswith("phase"):
            for f in ("metrics.csv", "metrics.json", "metrics.png", "done.json"):
                if (st / f).is_file():
                    shutil.copy(st / f, mdir / f"{st.name}.{f}")
    _atomic_write_text(out / "manifest.json", json.dumps(manifest, indent=1, ensure_ascii=False))


# --------------------------------------------------------------------------- configuration and command line


def _opt(help: str, **click_kw) -> dict:
    """Field metadata: the option's help (every option is documented) and extra click settings."""
    return {"help": help, **click_kw}


@dataclass
class TrainConfig:
    """Everything ``train`` reads. ``helixc train`` and ``python -m helixc.neural.train`` build one
    from the same options (one option per field, ``--field-name``; see :func:`train_command`)."""

    corpus: list[str] = field(default_factory=list, metadata=_opt(
        "corpus directory (train/val/... .jsonl) or JSONL files with a 'split' field; several may follow "
        "one --corpus", required=True, variadic=True))
    out: str = field(default="", metadata=_opt("models directory to write (e.g. models/default)", required=True))
    work: str | None = field(default=None, metadata=_opt("checkpoints and logs  [default: OUT/../.train-<name>]"))
    knowledge: str | None = field(default=None, metadata=_opt(
        "knowledge.json for the explain route  [default: the corpus directory's, else helixc_corpora's]"))
    base_model: str | None = field(default=None, metadata=_opt(
        "local Hugging Face causal LM directory to start from (never downloaded)"))
    quantize: str | None = field(default=None, metadata=_opt(
        "QLoRA: load the base in 4-bit NF4 (bitsandbytes) for the LoRA stages; needs CUDA", choices=["nf4"]))
    allow_cpu_quantization: bool = field(default=False, metadata=_opt("allow --quantize nf4 without CUDA (slow)"))
    phase1: str | None = field(default=None, metadata=_opt(
        "general phase: full (train the whole base; the default from scratch), lora (a 'general' adapter; "
        "the default with --base-model), none", choices=["full", "lora", "none"]))
    adapters: list[str] | None = field(default=None, metadata=_opt(
        "train only these adapters (names follow one --adapters)  [default: the coordinator and every "
        "registered specialist]", variadic=True))
    slots: bool = field(default=True, metadata=_opt(
        "delexicalise literals: the compiler copies them, the model places slot tokens (helixc.neural.slots)"))
    init_base: str | None = field(default=None, metadata=_opt(
        "phase 1 continues training this base directory (a models dir's base/, with its tokenizer) instead of "
        "a fresh initialisation"))
    size: str = field(default="small", metadata=_opt("base size preset when training from scratch",
                                                     choices=sorted(SIZES)))
    hidden: int | None = field(default=None, metadata=_opt("override the size preset's hidden size"))
    layers: int | None = field(default=None, metadata=_opt("override the size preset's number of layers"))
    heads: int | None = field(default=None, metadata=_opt("override the size preset's attention heads"))
    kv_heads: int | None = field(default=None, metadata=_opt("override the size preset's key/value heads"))
    ffn: int | None = field(default=None, metadata=_opt("override the size preset's feed-forward size"))
    vocab_size: int = field(default=1024, metadata=_opt("tokenizer vocabulary when training one (from scratch)"))
    max_len: int = field(default=256, metadata=_opt("max tokens per example (longer ones are dropped and counted)"))
    max_train_rows: int = field(default=0, metadata=_opt("use at most this many training rows (0: all)"))
    p1_lr: float = field(default=2e-4, metadata=_opt(
        "phase 1 (general): peak learning rate (AdamW, cosine schedule with warmup)"))
    p1_epochs: float = field(default=3.0, metadata=_opt(
        "phase 1 (general): epochs over the stage's training rows (ignored when --p1-max-steps is set)"))
    p1_max_steps: int = field(default=0, metadata=_opt(
        "phase 1 (general): optimizer steps for the stage (0: from --p1-epochs)"))
    p1_batch_size: int = field(default=16, metadata=_opt(
        "phase 1 (general): examples per process per micro-batch (the global batch is this x processes)"))
    p1_grad_accum: int = field(default=1, metadata=_opt(
        "phase 1 (general): micro-batches per optimizer step: effective batch = batch size x grad accum x processes"))
    p1_eval_every: int = field(default=200, metadata=_opt(
        "phase 1 (general): evaluate on the validation split (loss + exact match) every N optimizer steps"))
    p1_max_minutes: float = field(default=0.0, metadata=_opt(
        "phase 1 (general): stop the stage after this many minutes (0: no budget; a budget makes runs non-reproducible)"))
    p2_lr: float = field(default=2e-4, metadata=_opt(
        "phase 2 (adapters): peak learning rate (AdamW, cosine schedule with warmup)"))
    p2_epochs: float = field(default=3.0, metadata=_opt(
        "phase 2 (adapters): epochs over the stage's training rows (ignored when --p2-max-steps is set)"))
    p2_max_steps: int = field(default=0, metadata=_opt(
        "phase 2 (adapters): optimizer steps for the stage (0: from --p2-epochs)"))
    p2_batch_size: int = field(default=16, metadata=_opt(
        "phase 2 (adapters): examples per process per micro-batch (the global batch is this x processes)"))
    p2_grad_accum: int = field(default=1, metadata=_opt(
        "phase 2 (adapters): micro-batches per optimizer step: effective batch = batch size x grad accum x processes"))
    p2_eval_every: int = field(default=200, metadata=_opt(
        "phase 2 (adapters): evaluate on the validation split (loss + exact match) every N optimizer steps"))
    p2_max_minutes: float = field(default=0.0, metadata=_opt(
        "phase 2 (adapters): stop the stage after this many minutes (0: no budget; a budget makes runs non-reproducible)"))
    p1_coordinator_fraction: float = field(default=1.0, metadata=_opt(
        "share of the coordinator's examples used in phase 1 (the specialists see every row)"))
    warmup_ratio: float = field(default=0.1, metadata=_opt("share of each stage's steps spent warming up"))
    patience: int = field(default=5, metadata=_opt("early stopping: evaluations without improvement"))
    val_em_rows: int = field(default=128, metadata=_opt(
        "validation rows for greedy exact match (stratified by task; decides the checkpoint)"))
    val_loss_rows: int = field(default=512, metadata=_opt("validation rows for the token-level loss (tie-break)"))
    tie_break: str = field(default="loss", metadata=_opt(
        "among checkpoints with the best validation exact match keep the one with the lowest validation loss "
        "('loss') or the latest ('later')", choices=["loss", "later"]))
    lora_r: int = field(default=16, metadata=_opt("LoRA rank"))
    lora_alpha: int = field(default=32, metadata=_opt("LoRA alpha (scale = alpha / r)"))
    lora_dropout: float = field(default=0.05, metadata=_opt("LoRA dropout"))
    bf16: bool | None = field(default=None, metadata=_opt(
        "bf16 autocast  [default: on with CUDA or a CPU with native bf16, else off: emulated bf16 is ~10x "
        "slower]"))
    threads: int = field(default=0, metadata=_opt("torch threads per process (0: leave torch's default)"))
    seed: int = field(default=0, metadata=_opt("seed of every random choice (data order, init, sampling)"))
    add_notation: str | None = field(default=None, metadata=_opt(
        "write OUT as a copy of --models plus a specialist for this notation plugin, with the coordinator "
        "retrained for the new route; the base and every other adapter are copied unchanged"))
    models: str | None = field(default=None, metadata=_opt(
        "the models directory --add-notation extends  [default: the shipped models]"))
    resume: bool = field(default=False, metadata=_opt("continue from the last checkpoints in --work"))
    quiet: bool = field(default=False, metadata=_opt("print only the final JSON summary"))
    interrupt_at: int = field(default=0, metadata=_opt("testing: stop like a killed run after this step's "
                                                        "checkpoint", hidden=True))

    def argv(self) -> list[str]:
        """The options that give this config (non-default fields only): recorded in the manifest."""
        out: list[str] = []
        for f in fields(self):
            v = getattr(self, f.name)
            default = f.default_factory() if f.default_factory is not MISSING else f.default
            if v == default and not f.metadata.get("required"):
                continue
            name = "--" + f.name.replace("_", "-")
            if isinstance(v, bool):
                out.append(name if v else "--no-" + f.name.replace("_", "-"))
            elif isinstance(v, list):
                out += [name, *map(str, v)]
            else:
                out += [name, str(v)]
        return out


_CLI_TYPES = {"int": int, "float": float, "str": str}


def _click_options() -> list:
    import click

    opts = []
    for f in fields(TrainConfig):
        m = dict(f.metadata)
        flag = "--" + f.name.replace("_", "-")
        ann = str(f.type)
        base = ann.replace(" | None", "").strip()
        kw = {"help": m.pop("help"), "required": m.pop("required", False), "hidden": m.pop("hidden", False)}
        choices = m.pop("choices", None)
        variadic = m.pop("variadic", False)
        if base == "bool":
            decl = [flag] if f.default is False else [f"{flag}/--no-{f.name.replace('_', '-')}"]
            kw.update(default=f.default, show_default=f.default is not None)
            if f.default is False:
                kw["is_flag"] = True
        else:
            decl = [flag]
            if variadic:
                kw.update(multiple=True, type=str)
            else:
                kw["type"] = click.Choice(choices) if choices else _CLI_TYPES[base]
                kw.update(default=f.default, show_default=f.default is not None and not kw["required"])
        opts.append(click.Option(decl, **kw))
    return opts


_VARIADIC = {"--" + f.name.replace("_", "-") for f in fields(TrainConfig) if f.metadata.get("variadic")}


def _spread_variadic(args: list[str]) -> list[str]:
    """``--corpus a b --out x`` -> ``--corpus a --corpus b --out x`` (argparse's nargs='+', which
    click lacks); ``--adapters`` with no names is dropped (every adapter)."""
    out, cur = [], None
    for a in args:
        if a == "--":
            cur = None
            out.append(a)
        elif a.startswith("-") and len(a) > 1 and not _is_number(a):
            cur = a if a in _VARIADIC else None
            if cur is None:
                out.append(a)
        elif cur is not None:
            out += [cur, a]
        else:
            out.append(a)
    return out


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def config_from_options(values: dict) -> TrainConfig:
    kw = {}
    for f in fields(TrainConfig):
        v = values.get(f.name)
        if f.metadata.get("variadic"):
            v = list(v) if v else (None if f.default is None else [])
        kw[f.name] = v
    return TrainConfig(**kw)


def train_command(name: str = "train", base=None):
    """The ``helixc train`` click command (one option per :class:`TrainConfig` field); ``base``: the
    command class to derive from (the CLI group's, which turns HelixError into one line, exit 2)."""
    import click

    class TrainCommand(base or click.Command):
        def parse_args(self, ctx, args):
            return super().parse_args(ctx, _spread_variadic(list(args)))

    def callback(**values):
        cfg = config_from_options(values)
        res = train(cfg)
        if res.get("main_process", True):  # one summary, from the main process
            click.echo(json.dumps(summary_json(res), indent=1))

    return TrainCommand(name, callback=callback, params=_click_options(),
                        help="Train the tokenizer, base model and LoRA adapters from a corpus.\n\n" + _CLI_EPILOG,
                        context_settings={"max_content_width": 110})


_CLI_EPILOG = ("Training uses the 'train' split; early stopping and the kept checkpoint (best validation exact "
               "match, then lower validation loss) use 'val'; the test splits are never read. Several "
               "processes: accelerate launch [--cpu] --num_processes N -m helixc.neural.train OPTIONS "
               "(docs/scale.md).")


def summary_json(res: dict) -> dict:
    return {"out": res["out"], "elapsed_s": res["elapsed_s"], "processes": res.get("processes", 1),
            "stages": [{k: s[k] for k in ("stage", "steps", "stopped", "best", "elapsed_s")} for s in res["stages"]]}


def parse_config(argv: list[str]) -> TrainConfig:
    """The options of ``helixc train`` -> TrainConfig (click errors as ``click.UsageError``)."""
    cmd = train_command()
    with cmd.make_context("helixc train", list(argv)) as ctx:
        return config_from_options(ctx.params)


def main(argv: list[str] | None = None) -> int:
    """``python -m helixc.neural.train`` (what ``accelerate launch -m`` runs): the same options and
    config as ``helixc train``. Returns the exit status (2: bad options or a HelixError)."""
    import click

    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        cfg = parse_config(argv)
    except click.exceptions.Exit as e:  # --help
        return e.exit_code
    except click.ClickException as e:
        e.show()
        return 2
    try:
        res = train(cfg)
    except HelixError as e:
        print(f"helixc: error: {e}", file=sys.stderr)
        return 2
    if res.get("main_process", True):  # one summary, from the main process
        print(json.dumps(summary_json(res), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
