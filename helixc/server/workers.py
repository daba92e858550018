"""Compiler work that must not run on the event loop: bounded lanes of child processes.

A :class:`Lane` is a bounded queue of jobs for ``workers`` child processes (``spawn``, started on
first use or by :meth:`Lane.start` with ``prestart``), driven from the event loop: a job is a call
of one function of :mod:`helixc.server.work` on one request; the loop sends it to a child over a
non-blocking socket and awaits the result (or the error) there.

Why processes, not a thread pool: the compiler is pure Python, so a thread parsing a large text
holds the GIL that the event loop (small notation requests, answered inline) needs; and a thread
cannot be stopped. Here:

* **bounded**: ``submit`` refuses at once (:class:`~helixc.server.batcher.QueueFull`: 503) when
  ``max_queue`` jobs wait; nothing piles up.
* **timed-out work stops**: a job still running at its deadline has its process killed (the next
  job starts a fresh one), so an abandoned request never keeps a worker busy.
* **no thread in the hand-off**: a thread waiting on a pipe needs the GIL back from a busy event
  loop to read the reply and hand it over, ~9 ms a job under load (``benchmarks/bench_lane_hop.py``);
  the loop's reader callback reads the reply itself (see :class:`Lane`).
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
import pickle
import signal
import socket
import struct
import threading
import time
import traceback
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
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
    __slots__ = ("func", "arg", "size", "deadline", "future", "abandoned", "worker", "timer")

    def __init__(self, func: str, arg: Any, size: int, deadline: float, loop: asyncio.AbstractEventLoop):
        self.func, self.arg, self.size, self.deadline = func, arg, size, deadline
        self.future: asyncio.Future = loop.create_future()
        self.abandoned = False
        self.worker: _Worker | None = None  # while it runs
        self.timer: asyncio.TimerHandle | None = None  # its deadline

    def deliver(self, ok: bool, value: Any) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if not self.future.done():
            if ok:
                self.future.set_result(value)
            else:
                self.future.set_exception(value)
                self.future.exception()  # nobody may wait any more: no "exception was never retrieved"


def _frame(payload: bytes) -> bytes:
    """``payload`` framed as :class:`multiprocessing.connection.Connection` frames it (the child reads
    it with ``conn.recv``)."""
    n = len(payload)
    if n > 0x7FFFFFFF:
        return struct.pack("!iQ", -1, n) + payload
    return struct.pack("!i", n) + payload


def _unframe(buf: bytearray) -> Any:
    """The object in ``buf`` if a whole ``conn.send`` frame has arrived, else ``_PARTIAL``."""
    if len(buf) < 4:
        return _PARTIAL
    (n,) = struct.unpack_from("!i", buf)
    head = 4
    if n == -1:
        if len(buf) < 12:
            return _PARTIAL
        (n,) = struct.unpack_from("!Q", buf, 4)
        head = 12
    if len(buf) < head + n:
        return _PARTIAL
    return pickle.loads(memoryview(buf)[head:head + n])


_PARTIAL = object()


class _Worker:
    """One child process of a lane, talked to from the event loop over a non-blocking socket."""

    def __init__(self, lane: "Lane", index: int):
        self.lane = lane
        self.index = index
        self.proc = None
        self.sock: socket.socket | None = None
        self.starts = 0
        self.job: _Job | None = None  # the job it runs (or starts its process for)
        self.starting = False  # its process is being started in a thread
        self.rbuf = bytearray()
        self.wbuf: memoryview | None = None
        self.watched = False  # the loop has a reader (and maybe a writer) on the socket
        self._lock = threading.Lock()  # prestart (a thread) and the loop may both start the process

    def alive(self) -> bool:
        return self.proc is not None and self.sock is not None and self.proc.is_alive()

    def ensure(self) -> None:
        """Start the process if it is not running (blocking: run it off the event loop)."""
        with self._lock:
            if self.alive():
                return
            self.kill()
            ctx = multiprocessing.get_context("spawn")
            ours, theirs = socket.socketpair()
            child = Connection(theirs.detach())
            proc = ctx.Process(target=_child, name=f"helixc-{self.lane.name}-{self.index}", daemon=True,
                               args=(child, os.getpid(), self.lane.niceness, self.lane.memory_limit, self.lane.warm,
                                     self.lane.process_name))
            try:
                proc.start()
            finally:
                child.close()
            ours.setblocking(False)
            self.proc, self.sock = proc, ours
            self.starts += 1

    def unwatch(self, loop: asyncio.AbstractEventLoop) -> None:
        if self.watched and self.sock is not None:
            loop.remove_reader(self.sock.fileno())
            loop.remove_writer(self.sock.fileno())
        self.watched = False

    def kill(self) -> None:
        """Kill the process now; a thread reaps it (the event loop never waits for it). Unwatch first."""
        proc, sock = self.proc, self.sock
        self.proc = self.sock = None
        self.rbuf, self.wbuf = bytearray(), None
        if sock is not None:
            sock.close()
        if proc is not None:
            if proc.is_alive():
                proc.kill()
            threading.Thread(target=proc.join, args=(5,), daemon=True).start()


class Lane:
    """A bounded, shortest-first queue of jobs for ``workers`` child processes.

    Driven by callbacks on the event loop it is used on (bound at the first ``submit``): a job is
    written to a free worker's non-blocking socket when it is queued or when a worker frees, and the
    reply is read by the loop's own reader callback, in the iteration the socket becomes readable.
    No thread waits on a pipe and needs the GIL back from a busy loop to hand an answer over (that
    cost ~9 ms a job with the loop busy), and no task hops (each costs a loop iteration:
    ``benchmarks/bench_lane_hop.py``). Starting a process (``spawn``) and reaping a killed one run in
    threads, never on the loop."""

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
        self._heap: list[tuple[int, int, _Job]] = []
        self._seq = itertools.count()
        self._stopping = False
        self._workers = [_Worker(self, i) for i in range(workers)]
        # Worker 0 takes only jobs of at most this size (when there are others to take the rest).
        self.reserve_small = reserve_small if workers > 1 else None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._started = False
        self.in_flight = 0

    @property
    def workers(self) -> int:
        return len(self._workers)

    @property
    def depth(self) -> int:
        return len(self._heap)

    @property
    def pids(self) -> list[int]:
        return [w.proc.pid for w in self._workers if w.alive()]

    @property
    def starts(self) -> int:
        return sum(w.starts for w in self._workers)

    def start(self, prestart: bool = False) -> None:
        """Start the worker processes now, in a thread (``prestart``), or on first use."""
        if self._started:
            return
        self._started = True
        if prestart:
            threading.Thread(target=self._prestart, name=f"helixc-{self.name}-start", daemon=True).start()

    def _prestart(self) -> None:
        for w in self._workers:
            try:
                w.ensure()
            except Exception:  # noqa: BLE001 - retried on the first job
                log.exception("%s worker failed to start", self.name)

    def submit(self, func: str, arg: Any, *, size: int, deadline: float, loop: asyncio.AbstractEventLoop) -> _Job:
        """Queue a job; call it on the running event loop ``loop``. The job's future gets the result."""
        if self._stopping:
            raise QueueFull("the server is shutting down")
        if len(self._heap) >= self.max_queue:
            raise QueueFull(f"the {self.name} queue is full ({self.max_queue} requests waiting)")
        if self._loop is not loop:
            self._rebind(loop)
        job = _Job(func, arg, size, deadline, loop)
        job.timer = loop.call_later(max(0.0, deadline - time.monotonic()), self._expire, job)
        heapq.heappush(self._heap, (size, next(self._seq), job))
        self._dispatch()
        return job

    def _rebind(self, loop: asyncio.AbstractEventLoop) -> None:
        """A later event loop takes over (the first one ended). What the old one left running or
        queued is dropped: its futures belong to a closed loop, and a process still working on a job
        would send its reply to the next one, so it is killed."""
        for w in self._workers:
            if w.job is not None or w.watched or w.starting:
                w.kill()
            w.job, w.starting, w.watched = None, False, False
        self._heap.clear()
        self.in_flight = 0
        self._loop = loop

    async def run(self, func: str, arg: Any, *, size: int, deadline: float) -> Any:
        """Run ``func(arg)`` in a worker; raises QueueFull, JobTimeout, WorkerDied, WorkerMemoryError,
        or the function's own HelixError / RuntimeError."""
        job = self.submit(func, arg, size=size, deadline=deadline, loop=asyncio.get_running_loop())
        try:
            return await job.future
        except asyncio.CancelledError:
            self._abandon(job)  # the client went away: stop the work
            raise

    def stop(self, timeout: float = 10) -> None:
        """Refuse new jobs, let the workers finish what is queued (each job within its deadline), stop.

        Call it from any thread but the event loop's while that loop runs (``asyncio.to_thread``), or
        after the loop has ended (then nothing queued can run any more)."""
        self._stopping = True
        loop = self._loop
        if loop is not None and loop.is_running() and not _on_loop(loop):
            done = asyncio.run_coroutine_threadsafe(self._drain(timeout), loop)
            try:
                done.result(timeout + 5)
            except Exception:  # noqa: BLE001 - the processes are killed below anyway
                log.warning("%s lane: stopping did not finish cleanly", self.name, exc_info=True)
            return
        for w in self._workers:
            if loop is not None and loop.is_running():
                w.unwatch(loop)
            w.kill()

    async def _drain(self, timeout: float) -> None:
        end = time.monotonic() + timeout
        while (self._heap or self.in_flight) and time.monotonic() < end:
            await asyncio.sleep(0.01)
        for w in self._workers:
            w.unwatch(self._loop)
            w.kill()

    # ---- on the event loop from here on

    def _take(self, worker: _Worker) -> _Job | None:
        limit = self.reserve_small if worker.index == 0 else None
        while self._heap:
            # the heap's first job is the smallest: a reserved worker waits while it is too large
            if limit is not None and self._heap[0][0] > limit:
                return None
            job = heapq.heappop(self._heap)[2]
            if job.abandoned or job.future.done():
                continue
            return job
        return None

    def _dispatch(self) -> None:
        for w in self._workers:
            if not self._heap:
                return
            if w.job is None and not w.starting:  # a start still under way ends in _process_started
                job = self._take(w)
                if job is not None:
                    self._begin(w, job)

    def _begin(self, w: _Worker, job: _Job) -> None:
        w.job, job.worker = job, w
        self.in_flight += 1
        if w.alive():
            self._send(w)
            return
        w.starting = True
        self._loop.run_in_executor(None, w.ensure).add_done_callback(lambda f: self._process_started(w, job, f))

    def _process_started(self, w: _Worker, job: _Job, f: asyncio.Future) -> None:
        w.starting = False
        if w.job is not job:  # it timed out or was abandoned meanwhile
            self._dispatch()
            return
        if f.cancelled() or f.exception() is not None:
            err = f.exception() if not f.cancelled() else None
            log.error("%s worker failed to start: %r", self.name, err)
            self._finish(w, False, WorkerDied(f"the {self.name} worker process could not start ({err!r})"))
            return
        self._send(w)

    def _send(self, w: _Worker) -> None:
        data = _frame(ForkingPickler.dumps((w.job.func, w.job.arg)))
        try:
            n = w.sock.send(data)
        except BlockingIOError:
            n = 0
        except OSError:
            self._died(w)
            return
        fd = w.sock.fileno()
        w.rbuf = bytearray()
        w.watched = True
        self._loop.add_reader(fd, self._on_readable, w)
        if n < len(data):  # a text larger than the socket's buffer: the rest as the child reads
            w.wbuf = memoryview(data)[n:]
            self._loop.add_writer(fd, self._on_writable, w)

    def _on_writable(self, w: _Worker) -> None:
        try:
            n = w.sock.send(w.wbuf)
        except BlockingIOError:
            return
        except OSError:
            self._died(w)
            return
        w.wbuf = w.wbuf[n:]
        if not len(w.wbuf):
            w.wbuf = None
            self._loop.remove_writer(w.sock.fileno())

    def _on_readable(self, w: _Worker) -> None:
        try:
            chunk = w.sock.recv(1 << 20)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._died(w)
            return
        w.rbuf += chunk
        reply = _unframe(w.rbuf)
        if reply is _PARTIAL:
            return
        w.unwatch(self._loop)
        w.rbuf = bytearray()
        ok, payload = reply
        if ok:
            self._finish(w, True, payload)
        elif payload[0] == "memory":
            w.kill()
            self._finish(w, False, WorkerMemoryError())
        elif payload[0] == "exc" and len(payload) > 3:
            log.error("%s worker: %s: %s\n%s", self.name, payload[1], payload[2], payload[3])
            self._finish(w, False, WorkerError(f"{self.name} worker: {payload[1]}: {payload[2]}"))
        else:
            self._finish(w, False, _unpack_error(payload))

    def _died(self, w: _Worker) -> None:
        code = None
        if w.proc is not None:
            # the socket closed because the process ended: reap it (at once, as a rule) for its code
            w.proc.join(0.1)
            code = w.proc.exitcode
        w.unwatch(self._loop)
        w.kill()
        self._finish(w, False, WorkerDied(f"the {self.name} worker process died (exit code {code})"))

    def _finish(self, w: _Worker, ok: bool, value: Any) -> None:
        job, w.job = w.job, None
        job.worker = None
        self.in_flight -= 1
        job.deliver(ok, value)
        self._dispatch()

    def _stop_running(self, job: _Job, value: Any) -> None:
        """Kill the process running ``job`` (its work is of no use now) and end the job with ``value``."""
        w = job.worker
        w.unwatch(self._loop)
        w.kill()
        self._finish(w, False, value)

    def _expire(self, job: _Job) -> None:
        job.timer = None
        if job.worker is not None:  # running at its deadline: the process is killed
            if self.metrics is not None:
                self.metrics.record_rejected(f"{self.name}_timeout")
            self._stop_running(job, JobTimeout())
        else:
            self._unqueue(job)
            job.deliver(False, JobTimeout())

    def _abandon(self, job: _Job) -> None:
        job.abandoned = True
        if job.worker is not None:
            self._stop_running(job, JobTimeout())
        else:
            self._unqueue(job)
            job.deliver(False, JobTimeout())

    def _unqueue(self, job: _Job) -> None:
        """Take a queued job out (it would hold a place in the bounded queue until a worker skipped it)."""
        kept = [e for e in self._heap if e[2] is not job]
        if len(kept) != len(self._heap):
            self._heap[:] = kept
            heapq.heapify(self._heap)


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
