"""Compiler work that must not run on the event loop: bounded lanes of child processes.

A :class:`Lane` is a bounded queue drained by ``workers`` driver threads, each owning one child
process (``spawn``, started on first use or by :meth:`Lane.start` with ``prestart``). A job is a
call of one function of :mod:`helixc.server.work` on one request; the child runs it and sends the
result (or the error) back over a pipe.

Why processes, not a thread pool: the compiler is pure Python, so a thread parsing a large text
holds the GIL that the event loop (small notation requests, answered inline) needs; and a thread
cannot be stopped. Here:

* **bounded**: ``submit`` refuses at once (:class:`~helixc.server.batcher.QueueFull`: 503) when
  ``max_queue`` jobs wait; nothing piles up.
* **timed-out work stops**: a job still running at its deadline has its process killed (the next
  job starts a fresh one), so an abandoned request never keeps a worker busy.
* **shortest first**: jobs are taken in order of text size (FIFO among equals), so an 8 KB
  notation text does not wait behind a queue of 60 KB texts; and with ``reserve_small``, one
  worker takes only texts up to that size, so it does not wait behind a 60 KB text being read
  either.
* **memory cap**: each child runs under ``RLIMIT_AS = memory_limit``; a job that hits it gets a
  ``MemoryError`` (the server answers 413) and its process is replaced.
* **niceness**: the children run at ``niceness`` above the server, under ``SCHED_BATCH``, so the
  event loop gets the CPU first when both want it.
"""

from __future__ import annotations

import asyncio
import gc
import heapq
import itertools
import logging
import multiprocessing
import os
import signal
import threading
import time
import traceback
from typing import Any

from ..errors import HelixError
from .batcher import QueueFull
from .procengine import _pack_error, _resolve, _unpack_error, _watch_parent, lower_priority, set_process_name

log = logging.getLogger("helixc.server")


class WorkerDied(RuntimeError):
    """The child process exited while running a job (a crash, the OOM killer)."""


class WorkerError(RuntimeError):
    """The job raised an unexpected exception in the worker (logged there, with its traceback)."""

    logged = True


class JobTimeout(Exception):
    """The job's deadline passed (in the queue, or while running: then its process was killed)."""


class WorkerMemoryError(Exception):
    """The job ran out of the memory a worker is allowed (``memory_limit``)."""


def _child(conn, parent_pid: int, niceness: int, memory_limit: int | None, warm: str | None,
           name: str = "helixc-worker") -> None:  # pragma: no cover
    """Child process main loop: (function, argument) in, (ok, value) out."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    set_process_name(name)
    lower_priority(niceness)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    if warm:
        try:
            _resolve(warm)()
        except Exception:  # noqa: BLE001 - warming is an optimisation
            pass
    if memory_limit:
        import resource

        try:
            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
        except (ValueError, OSError):
            pass
    funcs: dict[str, Any] = {}
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        name, arg = msg
        try:
            fn = funcs.get(name)
            if fn is None:
                fn = funcs[name] = _resolve(name)
            reply = (True, fn(arg))
        except MemoryError:
            reply = (False, ("memory",))
        except HelixError as e:
            reply = (False, _pack_error(e))
        except BaseException as e:  # noqa: BLE001 - reported (with its traceback) to the parent
            reply = (False, ("exc", type(e).__name__, str(e)[:500], traceback.format_exc()[-4000:]))
        try:
            conn.send(reply)
        except MemoryError:
            try:
                conn.send((False, ("memory",)))
            except Exception:  # noqa: BLE001
                return
        except OSError:
            return
        if not reply[0] and reply[1][0] == "memory":
            return  # a process that ran out of memory may be in a bad state: the next job gets a fresh one
        del msg, arg, reply
        if _rss() > GC_RSS:
            # Failed parses leave their token lists in reference cycles (exception -> traceback ->
            # frame), freed only by the cyclic collector; 60 KB of English is ~8 MB of them. Collect
            # once this process holds more than GC_RSS instead of letting it grow to the gc's pace.
            gc.collect()


GC_RSS = 192 << 20  # bytes of resident memory past which a worker runs the cyclic collector after a job


def _rss() -> int:
    """Resident memory of this process in bytes (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class _Job:
    __slots__ = ("func", "arg", "size", "deadline", "future", "loop", "abandoned")

    def __init__(self, func: str, arg: Any, size: int, deadline: float, loop: asyncio.AbstractEventLoop):
        self.func, self.arg, self.size, self.deadline, self.loop = func, arg, size, deadline, loop
        self.future: asyncio.Future = loop.create_future()
        self.abandoned = False

    def deliver(self, ok: bool, value: Any) -> None:
        def setter():
            if not self.future.done():
                if ok:
                    self.future.set_result(value)
                else:
                    self.future.set_exception(value)

        try:
            self.loop.call_soon_threadsafe(setter)
        except RuntimeError:  # loop closed: nobody waits any more
            pass


class _Worker:
    """One child process, driven by one thread of the lane."""

    def __init__(self, lane: "Lane", index: int):
        self.lane = lane
        self.index = index
        self.proc = None
        self.conn = None
        self.starts = 0

    def ensure(self) -> None:
        if self.proc is not None and self.proc.is_alive():
            return
        self.kill()
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_child, name=f"helixc-{self.lane.name}-{self.index}", daemon=True,
                           args=(child, os.getpid(), self.lane.niceness, self.lane.memory_limit, self.lane.warm,
                                 self.lane.process_name))
        proc.start()
        child.close()
        self.proc, self.conn = proc, parent
        self.starts += 1

    def kill(self) -> None:
        if self.proc is not None:
            if self.proc.is_alive():
                self.proc.kill()
            self.proc.join(5)
        if self.conn is not None:
            self.conn.close()
        self.proc = self.conn = None

    def close(self) -> None:
        if self.proc is not None and self.proc.is_alive():
            try:
                self.conn.send(None)
            except OSError:
                pass
            self.proc.join(2)
        self.kill()

    def run(self, job: _Job) -> tuple[bool, Any]:
        """Run one job; the process is killed if it is still running at the job's deadline."""
        self.ensure()
        try:
            self.conn.send((job.func, job.arg))
            # Poll in short steps: a job abandoned by its client (gone, or answered 504) stops too.
            while True:
                left = job.deadline - time.monotonic()
                if left <= 0 or job.abandoned:
                    self.kill()
                    return False, JobTimeout()
                if self.conn.poll(min(left, 0.05)):
                    break
            ok, payload = self.conn.recv()
        except (EOFError, OSError):
            code = self.proc.exitcode if self.proc is not None else None
            self.kill()
            return False, WorkerDied(f"the {self.lane.name} worker process died (exit code {code})")
        if ok:
            return True, payload
        if payload[0] == "memory":
            self.kill()
            return False, WorkerMemoryError()
        if payload[0] == "exc" and len(payload) > 3:
            log.error("%s worker: %s: %s\n%s", self.lane.name, payload[1], payload[2], payload[3])
            return False, WorkerError(f"{self.lane.name} worker: {payload[1]}: {payload[2]}")
        return False, _unpack_error(payload)


class Lane:
    """A bounded, shortest-first queue of jobs for ``workers`` child processes."""

    def __init__(self, name: str, *, workers: int = 1, max_queue: int = 64, niceness: int = 5,
                 memory_limit: int | None = None, warm: str | None = None, metrics=None,
                 reserve_small: int | None = None):
        if workers < 1 or max_queue < 1:
            raise ValueError("workers and max_queue must be >= 1")
        self.name = name
        self.process_name = {"notation": "helixc-notation", "english_compiler": "helixc-english"}.get(name, f"helixc-{name}")[:15]
        self.max_queue = max_queue
        self.niceness = niceness
        self.memory_limit = memory_limit
        self.warm = warm
        self.metrics = metrics
        self._cond = threading.Condition()
        self._heap: list[tuple[int, int, _Job]] = []
        self._seq = itertools.count()
        self._stopping = False
        self._workers = [_Worker(self, i) for i in range(workers)]
        # Worker 0 takes only jobs of at most this size (when there are others to take the rest).
        self.reserve_small = reserve_small if workers > 1 else None
        self._threads: list[threading.Thread] = []
        self.in_flight = 0

    @property
    def workers(self) -> int:
        return len(self._workers)

    @property
    def depth(self) -> int:
        return len(self._heap)

    @property
    def pids(self) -> list[int]:
        return [w.proc.pid for w in self._workers if w.proc is not None and w.proc.is_alive()]

    @property
    def starts(self) -> int:
        return sum(w.starts for w in self._workers)

    def start(self, prestart: bool = False) -> None:
        if self._threads:
            return
        for w in self._workers:
            t = threading.Thread(target=self._drive, args=(w, prestart), name=f"helixc-{self.name}-{w.index}", daemon=True)
            t.start()
            self._threads.append(t)

    def submit(self, func: str, arg: Any, *, size: int, deadline: float, loop: asyncio.AbstractEventLoop) -> _Job:
        with self._cond:
            if self._stopping:
                raise QueueFull("the server is shutting down")
            if len(self._heap) >= self.max_queue:
                raise QueueFull(f"the {self.name} queue is full ({self.max_queue} requests waiting)")
            job = _Job(func, arg, size, deadline, loop)
            heapq.heappush(self._heap, (size, next(self._seq), job))
            self._cond.notify_all()  # the reserved worker may not take it; wake the ones that can
            return job

    async def run(self, func: str, arg: Any, *, size: int, deadline: float) -> Any:
        """Run ``func(arg)`` in a worker; raises QueueFull, JobTimeout, WorkerDied, WorkerMemoryError,
        or the function's own HelixError / RuntimeError."""
        job = self.submit(func, arg, size=size, deadline=deadline, loop=asyncio.get_running_loop())
        try:
            return await asyncio.wait_for(asyncio.shield(job.future), max(0.0, deadline - time.monotonic()))
        except asyncio.TimeoutError:
            job.abandoned = True
            raise JobTimeout() from None
        except asyncio.CancelledError:
            job.abandoned = True  # the client went away: stop the work
            raise

    def stop(self, timeout: float = 10) -> None:
        """Refuse new jobs, let the threads finish what is queued (each job within its deadline), stop."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        for t in self._threads:
            t.join(timeout)
        for w in self._workers:
            w.close()

    def _take(self, worker: _Worker) -> _Job | None:
        limit = self.reserve_small if worker.index == 0 else None
        with self._cond:
            while True:
                # the heap's first job is the smallest: a reserved worker waits while it is too large
                while not self._stopping and (not self._heap or (limit is not None and self._heap[0][0] > limit)):
                    self._cond.wait()
                if not self._heap:
                    return None
                if limit is not None and self._heap[0][0] > limit:
                    return None  # stopping: the other workers drain the large ones
                job = heapq.heappop(self._heap)[2]
                if job.abandoned:
                    continue
                if job.deadline <= time.monotonic():
                    job.deliver(False, JobTimeout())
                    continue
                self.in_flight += 1
                return job

    def _drive(self, worker: _Worker, prestart: bool) -> None:
        if prestart:
            try:
                worker.ensure()
            except Exception:  # noqa: BLE001 - retried on the first job
                log.exception("%s worker failed to start", self.name)
        while True:
            job = self._take(worker)
            if job is None:
                return
            try:
                ok, value = worker.run(job)
            except BaseException as e:  # noqa: BLE001 - a driver thread must outlive any job
                log.exception("%s lane: job failed", self.name)
                ok, value = False, e
            finally:
                with self._cond:
                    self.in_flight -= 1
            if not ok and isinstance(value, JobTimeout) and self.metrics is not None:
                self.metrics.record_rejected(f"{self.name}_timeout")
            job.deliver(ok, value)
