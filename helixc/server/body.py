"""The bytes of a JSON answer body, rendered one way wherever they are rendered: on the event loop
(:class:`helixc.server.app.JSONResponse`) and, for long answers, in the notation worker that
computed them. The loop then sends those bytes as they are: rendering ~1 MB of an answer costs the
loop ~4 ms (``json.dumps`` of non-ASCII text, then UTF-8), time every small request would wait
behind (``benchmarks/bench_big_notation_load.py``).
"""

from __future__ import annotations

import json
from typing import Any

# answers from this many characters of output are rendered by the worker (below it the copy over the
# socket costs more than rendering on the loop)
RENDER_IN_WORKER = 8192
_ATTR = "_http_body"  # set on the TranslateResult; pickled with it (instance __dict__), not a field


def render_json(content: Any) -> bytes:
    try:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates echoed from the request: escape them
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def prerender(result):
    """``result`` with its 200 body attached when it is a long, confident answer (in a worker)."""
    if result is not None and result.confident and len(result.output) >= RENDER_IN_WORKER:
        setattr(result, _ATTR, render_json(result.to_json()))
    return result


def prerendered(result) -> bytes | None:
    """The 200 body a worker rendered for ``result``, if it did."""
    return getattr(result, _ATTR, None)
