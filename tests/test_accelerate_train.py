"""``accelerate launch --cpu --num_processes 2 -m helixc.neural.train``: two real processes (gloo),
one checkpoint choice (docs/scale.md). A tiny model and corpus: ~30-60 s on two shared cores.

Marked ``multiprocess`` (``pytest -m "not multiprocess"`` leaves it out of a quick run)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("accelerate")
pytest.importorskip("peft")

pytestmark = pytest.mark.multiprocess

ARGS = ["--size", "tiny", "--vocab-size", "400", "--threads", "1", "--val-em-rows", "6", "--val-loss-rows", "16",
        "--p1-lr", "3e-3", "--p2-lr", "3e-3", "--max-len", "160", "--p1-batch-size", "8", "--p2-batch-size", "8",
        "--p1-max-steps", "4", "--p1-eval-every", "1", "--p2-max-steps", "3", "--p2-eval-every", "1",
        "--adapters", "coordinator", "lc-r", "--no-bf16"]


def launch(corpus, out, work, nproc=2):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCELERATE_", "LOCAL_RANK", "RANK", "WORLD_SIZE",
                                                                    "MASTER_"))}
    env.update(OMP_NUM_THREADS="1", PYTHONIOENCODING="utf-8", HF_HUB_OFFLINE="1")
    # accelerate's --cpu launcher starts one process without MPI; --multi_gpu starts N through torchrun, and
    # train.make_accelerator joins them in one gloo group when there is no CUDA (docs/scale.md)
    cmd = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", str(nproc),
           "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", "0",
           "-m", "helixc.neural.train", "--corpus", str(corpus), "--out", str(out), "--work", str(work), *ARGS]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)


def test_two_processes_through_accelerate_agree_on_the_checkpoint(tmp_path):
    from safetensors.torch import load_file

    from helixc.neural.devdata import write_corpus

    corpus = write_corpus(tmp_path / "corpus", n=120, seed=1)
    out, work = tmp_path / "m", tmp_path / "w"
    p = launch(corpus, out, work)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-4000:]
    summary = json.loads(p.stdout[p.stdout.index("{"):])  # printed once: by the main process only
    assert p.stdout.count('"stages"') == 1 and summary["processes"] == 2
    man = json.loads((out / "manifest.json").read_text())
    assert man["training"]["processes"] == 2 and set(man["adapters"]) == {"coordinator", "lc-r"}
    for stage in ("phase1-general", "phase2-coordinator", "phase2-lc-r"):
        done = json.loads((work / stage / "done.json").read_text())
        hist = json.loads((work / stage / "metrics.json").read_text())
        assert done["processes"] == 2
        # the kept step is the best validation (exact match, then lower loss) of the main process's evaluations
        best = max(hist, key=lambda h: (h["val_em"], -h["val_loss"]))
        assert done["best"]["step"] == best["step"]
        kept = torch.load(work / stage / "best.pt", weights_only=False)
        assert kept["step"] == best["step"]
    # the exported lc-r adapter holds the kept checkpoint's weights
    kept = torch.load(work / "phase2-lc-r" / "best.pt", weights_only=False)["trainable"]
    shipped = load_file(str(out / "adapters" / "lc-r" / "adapter_model.safetensors"))
    assert len(shipped) == len(kept) > 0
    for k, v in kept.items():
        assert torch.equal(shipped[k.replace(".lc-r.", ".")].float(), v.float()), k
