"""The model in its own process, behind the same ``answer(list[TranslateRequest])`` interface.

Why: the MoE's decode loop runs Python between torch ops. In the server's process it would hold
the GIL for much of each step, and every notation request (answered on the event loop) would wait
for it. In a child process the two only share CPU cores, not the GIL. A crash of the model process
(a segfault, the OOM killer) costs the batch it was working on (``E_MODEL``), never the server: the
next call starts a fresh process.

The child is started with ``spawn`` (no fork of a process that has threads), builds the engine by
calling ``factory`` (``"module:function"``) with ``args``, then answers batches sent over a pipe.
The server starts it with ``niceness=5`` (and SCHED_BATCH where the OS has it): when both are
runnable, the OS gives the CPU to the event loop (notation requests, milliseconds) before the model
(batches, seconds).
It ignores SIGINT (a Ctrl-C in a terminal reaches the whole process group): the server decides when
to stop it, after the queue has drained; and it exits by itself within 0.25 s when the server process
is gone, however that happened.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import signal
import threading
import time
from typing import Any

from ..errors import E_MODEL, HelixError


def _resolve(factory: str):
    module, _, attr = factory.partition(":")
    obj = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def _pack_error(e: BaseException) -> tuple:
    if isinstance(e, HelixError):
        return ("helix", {"code": e.code, "message": e.message, "notation": e.notation, "line": e.line,
                          "column": e.column, "offset": e.offset})
    return ("exc", type(e).__name__, str(e))


def _unpack_error(packed: tuple) -> BaseException:
    if packed[0] == "helix":
        d = dict(packed[1])
        return HelixError(d.pop("code"), d.pop("message"), **d)
    return RuntimeError(f"model process: {packed[1]}: {packed[2]}")


def _watch_parent(parent_pid: int) -> None:  # pragma: no cover - runs in the child process
    """Exit as soon as the server process is gone (even killed with SIGKILL, or while loading)."""
    while True:
        time.sleep(0.25)
        if os.getppid() != parent_pid:
            os._exit(0)


def lower_priority(niceness: int) -> None:
    """``niceness`` above the parent, and SCHED_BATCH where the OS has it (the scheduler treats the
    process as CPU-bound: it does not preempt others when it wakes up); 0 changes nothing."""
    if not niceness:
        return  # the parent's own priority: an equal peer, scheduled like it
    try:
        os.nice(niceness)
    except OSError:
        pass
    if hasattr(os, "sched_setscheduler") and hasattr(os, "SCHED_BATCH"):
        try:
            os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
        except OSError:
            pass


def set_process_name(name: str) -> None:
    """The name ``ps``/``top`` show for this process (Linux: 15 bytes), e.g. ``helixc-model``."""
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        libc.prctl(15, name.encode()[:15], 0, 0, 0)  # PR_SET_NAME
    except (OSError, AttributeError):
        pass


def _child(conn, factory: str, args: tuple, parent_pid: int, niceness: int = 0) -> None:  # pragma: no cover
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    set_process_name("helixc-model")
    lower_priority(niceness)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    try:
        engine = _resolve(factory)(*args)
    except BaseException as e:  # noqa: BLE001 - reported to the parent
        try:
            conn.send((False, _pack_error(e)))
        except OSError:
            pass
        return
    try:
        conn.send((True, None))
    except OSError:
        return
    while True:
        try:
            requests = conn.recv()
        except (EOFError, OSError):
            return
        if requests is None:
            return
        try:
            reply = (True, list(engine.answer(requests)))
        except BaseException as e:  # noqa: BLE001
            reply = (False, _pack_error(e))
        try:
            conn.send(reply)
        except OSError:
            return


class ProcessEngine:
    """``answer`` runs in a child process; ``close`` stops it. Calls are serialized (one worker)."""

    def __init__(self, factory: str, *args: Any, start_timeout: float | None = None, niceness: int = 0):
        self.factory = factory
        self.niceness = niceness
        self.args = args
        self.start_timeout = start_timeout
        self._lock = threading.Lock()
        self._ctx = multiprocessing.get_context("spawn")
        self._proc = None
        self._conn = None
        self.restarts = 0
        self._start()

    def _start(self) -> None:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_child, args=(child, self.factory, self.args, os.getpid(), self.niceness), name="helixc-model",
                                 daemon=True)
        proc.start()
        child.close()
        try:
            if self.start_timeout is not None and not parent.poll(self.start_timeout):
                raise HelixError(E_MODEL, f"the model process did not start within {self.start_timeout:g} s")
            ok, payload = parent.recv()
        except (EOFError, OSError):
            proc.join(5)
            raise HelixError(E_MODEL, f"the model process exited while loading (exit code {proc.exitcode})") from None
        except HelixError:
            proc.kill()
            proc.join(5)
            raise
        if not ok:
            proc.join(5)
            raise _unpack_error(payload)
        self._proc, self._conn = proc, parent

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def answer(self, requests: list) -> list:
        with self._lock:
            if self._proc is None or not self._proc.is_alive():
                self.restarts += 1
                self._start()
            try:
                self._conn.send(list(requests))
                ok, payload = self._conn.recv()
            except (EOFError, OSError, BrokenPipeError):
                self._proc.join(5)
                code = self._proc.exitcode
                self._proc = None  # the next call starts a fresh one
                raise HelixError(E_MODEL, f"the model process died while answering (exit code {code}); "
                                          "it is restarted for the next request") from None
            if not ok:
                raise _unpack_error(payload)
            return payload

    def close(self, timeout: float = 10) -> None:
        with self._lock:
            if self._proc is None:
                return
            try:
                self._conn.send(None)
            except (OSError, BrokenPipeError):
                pass
            self._proc.join(timeout)
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join(5)
            self._conn.close()
            self._proc = None
