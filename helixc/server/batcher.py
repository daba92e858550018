"""The model queue: bounded, drained by one worker thread that batches dynamically.

``submit`` (event loop) appends a :class:`Job` or refuses at once when the queue
holds ``max_queue`` jobs (the caller answers 503 + Retry-After); there is never an
unbounded backlog. The worker takes whatever is waiting, up to ``max_batch``
jobs, and makes one ``engine.answer(requests)`` call for them (one forward pass
per decode step for all rows). Answers are paired with the Job objects that were
handed to that call, in the list the worker built itself, and each is delivered
to its own future, so no request can see another's result. When a batch call
raises, its jobs are retried one by one so that one bad request cannot fail the
others. ``stop()`` lets the worker drain everything still queued, then joins it.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from typing import Any, Callable

from ..errors import E_MODEL, HelixError

log = logging.getLogger("helixc.server")


class QueueFull(Exception):
    """The queue is at its bound (or the server is stopping): answer 503."""


class Job:
    __slots__ = ("request", "future", "loop", "enqueued", "abandoned")

    def __init__(self, request, loop: asyncio.AbstractEventLoop):
        self.request = request
        self.loop = loop
        self.future: asyncio.Future = loop.create_future()
        self.enqueued = time.perf_counter()
        self.abandoned = False  # set by the handler on timeout: the worker skips it

    def _deliver(self, ok: bool, value: Any) -> None:
        def setter():
            if not self.future.done():
                if ok:
                    self.future.set_result(value)
                else:
                    self.future.set_exception(value)

        try:
            self.loop.call_soon_threadsafe(setter)
        except RuntimeError:  # loop already closed: nobody is waiting any more
            pass


class Batcher:
    def __init__(
        self,
        engine_factory: Callable[[], Any],
        *,
        max_batch: int = 16,
        max_queue: int = 256,
        batch_wait: float = 0.0,
        metrics=None,
        owns_engine: bool = True,
    ):
        if max_batch < 1 or max_queue < 1:
            raise ValueError("max_batch and max_queue must be >= 1")
        self._factory = engine_factory
        self.max_batch = max_batch
        self.max_queue = max_queue
        self.batch_wait = batch_wait
        self.metrics = metrics
        self._owns_engine = owns_engine  # close() the engine when the worker stops
        self._cond = threading.Condition()
        self._queue: deque[Job] = deque()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.in_flight = 0
        self._last_done = float("-inf")
        self._last_size = 0  # requests in the last batch (the clients expected back under load)
        self.waited = 0.0  # seconds the worker spent waiting for a batch to fill (metric)
        self._last_seconds = 0.0  # duration of the last engine.answer call
        self.engine = None
        self.state = "not started"  # loading | ready | unavailable: ...
        self.engine_error: HelixError | None = None
        self._ready = threading.Event()

    # -- event-loop side -------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self.state = "loading"
        self._thread = threading.Thread(target=self._run, name="helixc-model-worker", daemon=True)
        self._thread.start()

    def submit(self, request, loop: asyncio.AbstractEventLoop) -> Job:
        with self._cond:
            if self._stopping:
                raise QueueFull("the server is shutting down")
            if len(self._queue) >= self.max_queue:
                raise QueueFull(f"the model queue is full ({self.max_queue} requests waiting)")
            job = Job(request, loop)
            self._queue.append(job)
            self._cond.notify()
            return job

    @property
    def depth(self) -> int:
        return len(self._queue)

    def wait_ready(self, timeout: float | None = None) -> bool:
        return self._ready.wait(timeout)

    def stop(self, timeout: float | None = None) -> None:
        """Refuse new jobs, let the worker finish every queued one, join it (blocking)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is None:
            return
        if not self._ready.is_set():
            # Still loading the model: nothing is in flight, and a load can take long. Do not wait for
            # it (the thread is a daemon; a model process is a daemon too); fail what was queued.
            with self._cond:
                pending = list(self._queue)
                self._queue.clear()
            for job in pending:
                job._deliver(False, HelixError(E_MODEL, "the server stopped before the model was loaded"))
            return
        self._thread.join(timeout)

    # -- worker side -------------------------------------------------------------------
    def _load(self) -> None:
        try:
            self.engine = self._factory()
            self.state = "ready"
        except HelixError as e:
            self.engine_error = e
            self.state = f"unavailable: {e}"
        except Exception as e:  # noqa: BLE001 - reported through /health and E_MODEL answers
            log.exception("model failed to load")
            self.engine_error = HelixError(E_MODEL, f"the model could not be loaded: {type(e).__name__}: {e}")
            self.state = f"unavailable: {self.engine_error}"
        finally:
            self._ready.set()

    def _take(self) -> list[Job] | None:
        with self._cond:
            while not self._queue and not self._stopping:
                self._cond.wait()
            if not self._queue:
                return None  # stopping and drained
            # Continuous batching: while a batch runs, requests queue; when it ends, the worker takes
            # everything queued (up to max_batch) at once. Under load (a batch has just finished), the
            # clients it answered come back within a few ms; the worker waits for them, up to
            # `batch_wait` (or 10% of the last batch's time when longer, at most 250 ms), so that two
            # half batches do not alternate forever (16 clients -> 8 + 8). It waits only until as many
            # requests are queued as the last batch answered (the clients it can expect back), not
            # for max_batch: 4 clients never wait for 12 that do not exist. An idle server does not
            # wait: a lone request goes at once.
            wait = max(self.batch_wait, min(0.25, 0.1 * self._last_seconds)) if self.batch_wait > 0 else 0.0
            target = min(self.max_batch, max(1, self._last_size))
            under_load = time.perf_counter() - self._last_done < wait
            if wait > 0 and under_load and len(self._queue) < target and not self._stopping:
                t0 = time.perf_counter()
                deadline = t0 + wait
                while len(self._queue) < target and not self._stopping:
                    left = deadline - time.perf_counter()
                    if left <= 0:
                        break
                    self._cond.wait(left)
                self.waited += time.perf_counter() - t0
            batch = []
            while self._queue and len(batch) < self.max_batch:
                job = self._queue.popleft()
                if job.abandoned:
                    continue
                batch.append(job)
            self.in_flight = len(batch)
            return batch

    def _run(self) -> None:
        self._load()
        while True:
            batch = self._take()
            if batch is None:
                break
            if not batch:
                continue
            self._last_size = len(batch)
            try:
                self._process(batch)
            except BaseException as e:  # noqa: BLE001 - the worker must outlive any batch
                log.exception("model worker: batch failed")
                for job in batch:
                    job._deliver(False, e)
            finally:
                self.in_flight = 0
                self._last_done = time.perf_counter()
        close = getattr(self.engine, "close", None) if self._owns_engine else None
        if close is not None:
            try:
                close()
            except Exception:  # noqa: BLE001
                log.exception("closing the model engine failed")

    def _process(self, batch: list[Job]) -> None:
        if self.engine is None:
            err = self.engine_error or HelixError(E_MODEL, "no model is loaded")
            for job in batch:
                job._deliver(False, err)
            return
        t0 = time.perf_counter()
        outcomes = self._answer(batch)
        self._last_seconds = time.perf_counter() - t0
        if self.metrics is not None:
            self.metrics.record_batch(len(batch), self._last_seconds)
        for job, (ok, value) in zip(batch, outcomes):
            job._deliver(ok, value)

    def _answer(self, batch: list[Job]) -> list[tuple[bool, Any]]:
        requests = [job.request for job in batch]
        try:
            results = list(self.engine.answer(requests))
            if len(results) != len(requests):
                raise RuntimeError(f"engine.answer returned {len(results)} results for {len(requests)} requests")
            return [(True, r) for r in results]
        except Exception as e:  # noqa: BLE001
            if len(batch) == 1:
                return [(False, e)]
        # Isolate the request that broke the batch: answer each alone.
        out: list[tuple[bool, Any]] = []
        for job in batch:
            try:
                results = list(self.engine.answer([job.request]))
                if len(results) != 1:
                    raise RuntimeError(f"engine.answer returned {len(results)} results for 1 request")
                out.append((True, results[0]))
            except Exception as e:  # noqa: BLE001
                out.append((False, e))
        return out
