"""English requests -> :class:`helixc.engine.TranslateResult` (what ``helixc translate`` calls).

:func:`get_moe` loads the models once per process; :func:`translate_english` answers one request.
The answering itself (engines ``neural`` / ``compiler`` / ``auto``, verification by the compiler)
is :mod:`helixc.neural.answering`, re-exported here. Imports go one way:
``service -> moe -> answering / constrain``.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from ..translation import TranslateRequest, TranslateResult
from .answering import _target_of, answer_batch, compiler_answer, compiler_reading  # noqa: F401 (re-exported)

_MOES: dict[str, object] = {}
_LOCK = threading.Lock()


def get_moe(models_dir=None):
    """The MoE for ``models_dir`` (default: the shipped ``models/default``), loaded once per process."""
    from . import default_models_dir
    from .moe import MoE

    path = str(Path(models_dir) if models_dir else default_models_dir())
    with _LOCK:
        moe = _MOES.get(path)
        if moe is None:
            moe = MoE(path)
            _MOES[path] = moe
    return moe


def translate_english(req: TranslateRequest, models_dir=None) -> TranslateResult:
    """One English request (the CLI's path). ``req.to``: 'auto' or a notation."""
    if req.engine == "compiler":
        t0 = time.perf_counter()
        res = compiler_answer(req)
        res.latency_ms = (time.perf_counter() - t0) * 1000
        return res
    return answer_batch(get_moe(models_dir), [req])[0]
