"""Model-loading errors that say what is wrong: the tensor, both shapes, the file.

transformers and PEFT report a changed shape as a message whose first line is useless on
its own ("... For details look at the above report!" after a report that logging may have
hidden; "Error(s) in loading state_dict for PeftModelForCausalLM:" with the shapes on the
following lines; "Class validation error for validator '...':" with the reason on line 2).
These helpers turn such failures into one ``HelixError(E_MODEL)`` line that names the first
tensor whose shape differs, its shape in the weights file and the shape the config builds,
and how many more tensors differ.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import E_MODEL, HelixError

_MAX = 400  # characters of a foreign message kept on the one line
_TORCH_SIZE = re.compile(
    r"size mismatch for (\S+): copying a param with shape torch\.Size\(\[([^\]]*)\]\) from checkpoint, "
    r"the shape in current model is torch\.Size\(\[([^\]]*)\]\)")


def one_line(e: BaseException) -> str:
    """``Type: message`` with every line of the message kept (joined), cut at a sane length."""
    text = " ".join(part.strip() for part in str(e).splitlines() if part.strip())
    if len(text) > _MAX:
        text = text[:_MAX - 3] + "..."
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


def _shape(s) -> str:
    return "[" + ", ".join(str(int(x)) for x in s) + "]"


def checkpoint_shapes(directory: Path, pattern: str = "*.safetensors") -> dict[str, tuple]:
    """Tensor name -> shape, read from the safetensors headers only (no weights are loaded)."""
    from safetensors import safe_open

    out: dict[str, tuple] = {}
    for f in sorted(Path(directory).glob(pattern)):
        with safe_open(str(f), framework="pt") as fh:
            for k in fh.keys():
                out[k] = (tuple(fh.get_slice(k).get_shape()), f.name)
    return out


def base_mismatches(base_dir: Path) -> tuple[list[tuple[str, tuple, str, tuple]], list[str]]:
    """([(tensor, file shape, file name, config shape)], [tensors the config needs that no file has])
    for the base model in ``base_dir``: the model its config.json builds (on the meta device, no
    memory) against the safetensors headers."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    cfg = AutoConfig.from_pretrained(str(base_dir), local_files_only=True)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(cfg)
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    found = checkpoint_shapes(base_dir)
    diff = [(k, found[k][0], found[k][1], expected[k]) for k in sorted(expected) if k in found
            and found[k][0] != expected[k]]
    tied = set()
    if getattr(cfg, "tie_word_embeddings", False):
        tied = {k for k in expected if k.startswith("lm_head.")}
    missing = [k for k in sorted(expected) if k not in found and k not in tied]
    return diff, missing


def _describe_diff(diff, what: str) -> str:
    k, fshape, fname, cshape = diff[0]
    more = f" (and {len(diff) - 1} more tensor{'s' if len(diff) > 2 else ''} differ)" if len(diff) > 1 else ""
    return f"tensor {k} has shape {_shape(fshape)} in {fname} but {_shape(cshape)} in the model {what} builds{more}"


def base_load_error(base_dir: Path, e: BaseException) -> HelixError:
    """The E_MODEL error for a failed ``from_pretrained`` of the base model in ``base_dir``."""
    where = f"cannot load the base model from {base_dir}"
    try:
        diff, _missing = base_mismatches(base_dir)
    except Exception:  # noqa: BLE001 - the config itself does not build (validation): the original says why
        return HelixError(E_MODEL, f"{where}: {one_line(e)}")
    if diff:
        return HelixError(E_MODEL, f"{where}: weights do not fit config.json: {_describe_diff(diff, 'config.json')}")
    return HelixError(E_MODEL, f"{where}: {one_line(e)}")


def missing_weights_error(base_dir: Path, missing) -> HelixError | None:
    """E_MODEL when the config needs tensors that no weights file has (transformers would fill
    them with random numbers and carry on)."""
    missing = sorted(missing)
    if not missing:
        return None
    more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
    return HelixError(E_MODEL, f"cannot load the base model from {base_dir}: config.json needs tensor {missing[0]}, "
                               f"which no weights file has{more}; the weights were saved for another config")


def adapter_load_error(name: str, path: Path, e: BaseException) -> HelixError:
    """The E_MODEL error for a failed PEFT ``load_adapter`` of adapter ``name`` from ``path``."""
    where = f"cannot load adapter {name!r} from {path}"
    found = _TORCH_SIZE.findall(str(e))
    if found:
        tensor, ckpt, model = found[0]
        tensor = tensor.replace(f".{name}.", ".")  # PEFT inserts the adapter name into the key
        more = (f" (and {len(found) - 1} more tensor{'s' if len(found) > 2 else ''} differ)" if len(found) > 1 else "")
        return HelixError(E_MODEL, f"{where}: tensor {tensor} has shape [{ckpt}] in adapter_model.safetensors but "
                                   f"[{model}] in the model that adapter_config.json and the base build{more}")
    return HelixError(E_MODEL, f"{where}: {one_line(e)}")
