"""Silence known, harmless import-time messages of a dependency (and nothing else).

bitsandbytes (imported by peft/transformers whenever it is installed) tries, on CPUs with
AVX512-BF16, to fetch an optional 4-bit GEMM kernel from the Hugging Face hub through the
``kernels`` package, and when that fails logs at WARNING (``bitsandbytes/backends/cpu/ops.py``,
logger ``bitsandbytes.backends.cpu.ops``)::

    Failed to load CPU gemm_4bit_forward from kernels-community: <cause>. Please make sure ...

Two causes are the normal state of a helixc install, not a failure:

- ``kernels`` is not installed (``No module named 'kernels'``; transformers < 5.25);
- ``kernels`` is installed (transformers >= 5.25 requires it) but the hub is offline, which
  helixc itself sets (``HF_HUB_OFFLINE=1``: it never downloads anything) and the kernel was never
  cached. ``kernels`` then also logs ``Skipping publisher trust check for
  'kernels-community/quantization-bitsandbytes' because Hugging Face Hub is in offline mode.``
  (logger ``kernels._internals.hf_hub``).

helixc never needs that kernel (bitsandbytes falls back to its own CPU code), so these lines only
make a user think setup failed. The filters drop exactly those records; any other failure of that
kernel (``kernels`` broken, a hub error while online), the trust message for any other repository
and every other message of those loggers still go through. ``HELIXC_QUIET_DEPS=0`` turns it off.
"""

from __future__ import annotations

import logging
import os

BNB_CPU_LOGGER = "bitsandbytes.backends.cpu.ops"
KERNELS_HUB_LOGGER = "kernels._internals.hf_hub"
BNB_KERNEL_REPO = "kernels-community/quantization-bitsandbytes"
_PREFIX = "Failed to load CPU gemm_4bit_forward from kernels-community"
_TRUST_MESSAGE = f"Skipping publisher trust check for '{BNB_KERNEL_REPO}' because Hugging Face Hub is in offline mode."


def _args(record: logging.LogRecord) -> tuple:
    return record.args if isinstance(record.args, tuple) else (record.args,)


def _expected_cause(exc: BaseException) -> bool:
    """The kernel is missing for a reason that is the normal state of an offline install."""
    if isinstance(exc, ImportError) and getattr(exc, "name", None) == "kernels":
        return True
    # kernels installed, hub offline, kernel not in the local cache. The message is the only
    # stable signal (kernels raises a plain exception type for it); match both halves.
    text = str(exc)
    return "offline mode" in text and "local cache" in text


class _MissingKernelFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.msg if isinstance(record.msg, str) else ""
        if not msg.startswith(_PREFIX):
            return True
        causes = [a for a in _args(record) if isinstance(a, BaseException)]
        return not (causes and all(_expected_cause(c) for c in causes))


class _OfflineTrustFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != _TRUST_MESSAGE


_FILTERS = {BNB_CPU_LOGGER: _MissingKernelFilter(), KERNELS_HUB_LOGGER: _OfflineTrustFilter()}


def install() -> None:
    """Attach the filters (idempotent; safe before or after bitsandbytes is imported)."""
    if os.environ.get("HELIXC_QUIET_DEPS", "1") == "0":
        return
    for name, filt in _FILTERS.items():
        logger = logging.getLogger(name)
        if filt not in logger.filters:
            logger.addFilter(filt)
