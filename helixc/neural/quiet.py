"""Silence one known, harmless import-time message of a dependency (and nothing else).

bitsandbytes (imported by peft/transformers whenever it is installed) tries, on CPUs with
AVX512-BF16, to fetch an optional 4-bit GEMM kernel from the Hugging Face hub through the
``kernels`` package, and when that package is absent logs at WARNING::

    Failed to load CPU gemm_4bit_forward from kernels-community: No module named 'kernels'. ...

(``bitsandbytes/backends/cpu/ops.py``, logger ``bitsandbytes.backends.cpu.ops``). helixc never
uses 4-bit inference (only ``helixc train --quantize nf4`` on a GPU), so the line only makes a user
think setup failed. The filter drops exactly that record when the cause is the missing ``kernels``
module; any other failure of that kernel (``kernels`` installed but broken, a hub error) and every
other message of that logger still goes through. ``HELIXC_QUIET_DEPS=0`` turns it off.
"""

from __future__ import annotations

import logging
import os

BNB_CPU_LOGGER = "bitsandbytes.backends.cpu.ops"
_PREFIX = "Failed to load CPU gemm_4bit_forward from kernels-community"


class _MissingKernelsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.msg if isinstance(record.msg, str) else ""
        if not msg.startswith(_PREFIX):
            return True
        causes = [a for a in (record.args if isinstance(record.args, tuple) else (record.args,))
                  if isinstance(a, BaseException)]
        missing = [c for c in causes if isinstance(c, ImportError) and getattr(c, "name", None) == "kernels"]
        return not missing  # keep it unless the cause is just "no module named 'kernels'"


_FILTER = _MissingKernelsFilter()


def install() -> None:
    """Attach the filter (idempotent; safe before or after bitsandbytes is imported)."""
    if os.environ.get("HELIXC_QUIET_DEPS", "1") == "0":
        return
    logger = logging.getLogger(BNB_CPU_LOGGER)
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
