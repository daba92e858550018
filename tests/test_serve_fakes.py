"""The fake engine of the ``helixc serve`` tests (no tests here).

A module of its own, importing nothing heavy, because ``ProcessEngine`` tests import it in a
spawned model process.
"""

from __future__ import annotations

import os
import re
import threading
import time

import helixc
from helixc.engine import TranslateRequest, TranslateResult
from helixc.errors import HelixError
from helixc.plugins import get_notation


class FakeEngine:
    """Deterministic stand-in for the MoE: ``answer`` sleeps ``delay`` once per batch.

    "... number N ..." -> N written in ``to`` (lc-r for auto) by the compiler; anything else ->
    an explain answer that echoes the text. "POISON" raises (the whole batch call fails),
    "REJECT" raises a HelixError, "UNSURE" answers with ``confident=False``. Every result carries
    the request text in ``extra["echo"]`` so a test can see that each client got its own answer.
    """

    def __init__(self, delay: float = 0.0, gate: threading.Event | None = None, fail_load: bool = False):
        if fail_load:
            raise HelixError("E_MODEL", "the fake model refuses to load")
        self.delay = delay
        self.gate = gate
        self.batches: list[int] = []
        self.lock = threading.Lock()
        self.started = threading.Event()

    def answer(self, requests: list[TranslateRequest]) -> list[TranslateResult]:
        self.started.set()
        if self.gate is not None:
            self.gate.wait(10)
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            self.batches.append(len(requests))
        if any("CRASH" in r.text for r in requests):
            os._exit(3)  # the model process dies (only ever run inside a ProcessEngine child)
        if any("POISON" in r.text for r in requests):
            raise RuntimeError("poisoned batch")
        out = []
        for r in requests:
            if "REJECT" in r.text:
                raise HelixError("E_LC_PARSE", "rejected by the fake engine", notation="lc-r", line=1, column=3)
            if "UNSURE" in r.text:
                out.append(TranslateResult(route="lc-t", target="lc-t", output="0", engine="neural", grammar_valid=True,
                                           verified=None, confident=False, reason="the fake engine is unsure",
                                           extra={"echo": r.text}))
                continue
            m = re.search(r"number (-?\d+)", r.text)
            if m:
                target = "lc-r" if r.to == "auto" else get_notation(r.to).name
                out.append(TranslateResult(route=target, target=target, output=helixc.emit(int(m.group(1)), target),
                                           engine="neural", grammar_valid=True, verified=None,
                                           extra={"echo": r.text}))
            else:
                out.append(TranslateResult(route="explain", target="explain", output="echo: " + r.text,
                                           engine="neural", grammar_valid=True, verified=None,
                                           extra={"echo": r.text}))
        return out


# --------------------------------------------------------------------------- worker-lane stand-ins
# Functions a test puts in place of helixc.server.work's (Service.notation_func / english_func);
# they run in the server's worker processes.


def slow_english_compiler(req):
    """The English compiler lane's function, one second slower."""
    from helixc.server.work import english_compiler

    time.sleep(1.0)
    return english_compiler(req)


def wait_for_file(path, limit: float = 30.0):
    """Wait (in a worker process) until ``path`` exists: a gate the test opens by creating it."""
    deadline = time.monotonic() + limit
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise TimeoutError(f"gate {path} never opened")
        time.sleep(0.005)
    return path


def gated_english_compiler(req):
    """The English compiler lane's function, once the file named by $HELIXC_TEST_GATE exists."""
    from helixc.server.work import english_compiler

    wait_for_file(os.environ["HELIXC_TEST_GATE"])
    return english_compiler(req)


def stuck(req):
    """Work that never ends (the process must be killed at the deadline)."""
    time.sleep(3600)


def hog(req):
    """Work that needs far more memory than a worker may use."""
    blocks = [bytearray(64 << 20) for _ in range(64)]  # 4 GiB
    return len(blocks)


def boom(req):
    """A bug in the worker: an exception that is not a HelixError."""
    raise ValueError("worker bug with secret detail")


def doubled(text):
    """A reply twice the size of its (large) argument: both cross the socket in many pieces."""
    return text + text


def die(_):
    """A worker that exits in the middle of a job (a crash, the OOM killer)."""
    os._exit(7)
