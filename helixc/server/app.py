"""The ASGI application behind ``helixc serve`` (Starlette).

Every request takes the path of :func:`helixc.engine.translate` (same answers and errors as
``helixc translate``), on one of four lanes so that no kind of work waits behind another:

* **inline**: ``translate_notation`` for texts up to ``inline_limit`` characters, on the event loop.
* **notation lane**: longer texts, in worker processes (:mod:`helixc.server.workers`: bounded,
  shortest text first, a job past its deadline has its process killed).
* **English, engine=compiler**: the rule-based reader, in a worker lane of its own.
* **model**: other English requests, through the bounded :class:`~helixc.server.batcher.Batcher`
  queue to the MoE (in its own process).

English longer than :data:`helixc.engine.MAX_ENGLISH_CHARS` is refused (413) before any queue.
An English answer the engine is not sure of (``confident=False``) is a 422 ``E_NOT_SURE`` whose
body carries the reason and the best reading. Queue full -> 503 + Retry-After; not answered within
``timeout`` -> 504.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import wraps
from typing import Any, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from ..engine import ENGINES, MAX_ENGLISH_CHARS, TranslateRequest, TranslateResult, english_at_a_glance, translate_notation
from ..errors import E_INPUT, E_MODEL, E_NOTATION_UNKNOWN, HelixError
from .batcher import Batcher, QueueFull
from .body import prerendered, render_json
from .metrics import Metrics
from .openapi import build_openapi
from .workers import JobTimeout, Lane, WorkerMemoryError

log = logging.getLogger("helixc.server")

# Codes the server adds to the compiler's (helixc.errors) for HTTP-level conditions.
E_TOO_LARGE = "E_TOO_LARGE"
E_OVERLOADED = "E_OVERLOADED"
E_TIMEOUT = "E_TIMEOUT"
E_NOT_FOUND = "E_NOT_FOUND"
E_METHOD_NOT_ALLOWED = "E_METHOD_NOT_ALLOWED"
E_UNSUPPORTED_MEDIA_TYPE = "E_UNSUPPORTED_MEDIA_TYPE"
E_HTTP = "E_HTTP"  # malformed HTTP (helixc.server.protocol)
E_NOT_SURE = "E_NOT_SURE"  # an English answer the engine is not sure of (the CLI's exit 3)
E_INTERNAL = "E_INTERNAL"

ROUTES = ("/translate", "/translate/batch", "/health", "/plugins", "/metrics", "/openapi.json")
_BOM = "\ufeff"


@dataclass
class ServerConfig:
    models_dir: str | None = None
    max_batch: int = 16
    max_queue: int = 256
    timeout: float = 30.0  # seconds, per request (queue wait + work)
    batching: bool = True  # False: one request per MoE.answer call
    max_body: int = 1024 * 1024  # bytes (413 past it)
    max_batch_items: int = 256
    batch_wait: float = 0.010  # seconds the worker waits, under load only, for a batch to fill (0: take what is waiting)
    retry_after: int = 1  # seconds, in 503 answers
    model_process: bool = True  # the default MoE runs in a child process (no GIL shared with the event loop)
    model_niceness: int = 5  # that process's nice increment: the event loop gets the CPU first
    # torch threads of the model; None: the MoE's own ($HELIXC_TORCH_THREADS, default 1). On 2 shared
    # cores, 2 threads were erratic (OpenMP threads wait for a core another process holds): keep 1 there.
    model_threads: int | None = None
    gil_switch_interval: float = 0.001  # seconds; set by serve() for the whole process (0: leave Python's 5 ms)
    read_timeout: float = 10.0  # seconds for a request's headers, and again for its body (408 past either)
    # seconds a 413 waits before it is sent: refusing is cheap, so a client looping over-long requests
    # would otherwise take the event loop from everyone (bench_serve.py --hostile); no other answer waits
    refusal_delay: float = 0.25
    inline_limit: int = 8192  # texts up to this many characters are compiled on the event loop; longer: a worker
    notation_workers: int = 2  # processes of the notation lane (texts over inline_limit)
    reserve_small: int = 16384  # one of them takes only texts up to this many characters (0: none)
    english_workers: int = 1  # processes of the English engine=compiler lane
    worker_queue: int = 64  # jobs waiting per worker lane (503 past it)
    # the notation lane's processes: 0 since the lanes run on the event loop (2026-12-08): under hostile
    # clients a ~27 K text's p99 was 25.7 / 29.1 ms at 0 against 33.9-36.7 at +5, and two clients looping
    # 820 KB texts left the inline requests' p99 the same at both (docs/serve.md)
    worker_niceness: int = 0
    # the English engine=compiler lane yields to the notation lane: a client looping long English
    # requests must not take the cores notation requests need (bench_serve.py --hostile)
    english_niceness: int = 10
    worker_memory: int = 1 << 30  # bytes of address space per worker process (RLIMIT_AS; 413 past it)
    prestart_workers: bool = True  # start the worker processes with the server (else: on first use)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, *, line=None, column=None, offset=None,
                 notation=None, headers: dict | None = None, extra: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.line = line
        self.column = column
        self.offset = offset
        self.notation = notation
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "line": self.line, "column": self.column,
                          "offset": self.offset, "notation": self.notation, **self.extra}}


def from_helix(e: HelixError) -> ApiError:
    if e.code == E_NOTATION_UNKNOWN:
        status = 400
    elif e.code == E_MODEL:
        status = 503
    else:
        status = 422
    return ApiError(status, e.code, e.message, line=e.line, column=e.column, offset=e.offset, notation=e.notation)


def not_sure(result: TranslateResult) -> ApiError:
    """422 for an answer the engine is not sure of: the reason and the best reading (full result)."""
    return ApiError(422, E_NOT_SURE, f"not sure: {result.reason}",
                    extra={"reason": result.reason, "result": result.to_json()})


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        if isinstance(content, bytes):  # a body a worker rendered already (helixc.server.body)
            return content
        return render_json(content)


def error_response(err: ApiError) -> JSONResponse:
    return JSONResponse(err.body(), status_code=err.status, headers=err.headers)


# -- request reading -----------------------------------------------------------------------
# Answers given before the whole body was read close the connection: the rest of the body (or a
# client that never sends it) must not hold it or be read as the next request.
_CLOSE = {"Connection": "close"}


def check_content_type(request: Request) -> None:
    """Only ``application/json`` (UTF-8): a browser sends ``text/plain`` (or no type) cross-origin
    without a CORS preflight, so accepting those would let any web page post to the server."""
    ctype = request.headers.get("content-type")
    media, _, params = (ctype or "").partition(";")
    charset = None
    for p in params.split(";"):
        k, _, v = p.partition("=")
        if k.strip().lower() == "charset":
            charset = v.strip().strip('"').lower()
    if media.strip().lower() != "application/json" or charset not in (None, "utf-8", "utf8"):
        got = "no Content-Type" if ctype is None else f"Content-Type {ctype!r}"
        raise ApiError(415, E_UNSUPPORTED_MEDIA_TYPE, f"the body must be JSON sent as Content-Type: application/json "
                                                      f"(UTF-8); got {got}", headers=_CLOSE)


async def read_json(request: Request, limit: int) -> Any:
    cl = request.headers.get("content-length")
    if cl is not None and cl.strip().isdigit() and int(cl) > limit:
        raise ApiError(413, E_TOO_LARGE, f"request body is {int(cl)} bytes; the limit is {limit} (--max-body)",
                       headers=_CLOSE)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, E_TOO_LARGE, f"request body is larger than the limit of {limit} bytes (--max-body)",
                           headers=_CLOSE)
        chunks.append(chunk)
    raw = b"".join(chunks)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ApiError(400, E_INPUT, f"request body is not UTF-8: {e.reason}", offset=e.start) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise ApiError(400, E_INPUT, "empty request body; expected a JSON object")
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise ApiError(400, E_INPUT, f"malformed JSON: {e.msg}", line=e.lineno, column=e.colno, offset=e.pos) from None
    except (ValueError, RecursionError) as e:  # huge int literals, absurd nesting
        raise ApiError(400, E_INPUT, f"malformed JSON: {type(e).__name__}: {str(e)[:200]}") from None


_FIELDS = {"text", "to", "source", "engine"}


def parse_translate_request(obj: Any) -> TranslateRequest:
    """JSON value -> TranslateRequest, or ApiError 400 (E_INPUT / E_NOTATION_UNKNOWN)."""
    from ..plugins import get_notation

    if not isinstance(obj, dict):
        raise ApiError(400, E_INPUT, f"expected a JSON object with a 'text' field, got {_json_type(obj)}")
    unknown = sorted(set(obj) - _FIELDS)
    if unknown:
        raise ApiError(400, E_INPUT, f"unknown field(s): {', '.join(map(repr, unknown))} (allowed: engine, source, text, to)")
    if "text" not in obj:
        raise ApiError(400, E_INPUT, "missing field 'text'")
    text = obj["text"]
    if not isinstance(text, str):
        raise ApiError(400, E_INPUT, f"field 'text' must be a string, got {_json_type(text)}")
    to = obj.get("to", "auto")
    if not isinstance(to, str):
        raise ApiError(400, E_INPUT, f"field 'to' must be a string, got {_json_type(to)}")
    source = obj.get("source")
    if source is not None and not isinstance(source, str):
        raise ApiError(400, E_INPUT, f"field 'source' must be a string or null, got {_json_type(source)}")
    engine = obj.get("engine", "auto")
    if not isinstance(engine, str) or engine not in ENGINES:
        raise ApiError(400, E_INPUT, f"field 'engine' must be one of {', '.join(ENGINES)}, got {engine!r}")
    try:
        if to.strip().lower() != "auto":
            get_notation(to)
        if source is not None:
            get_notation(source)
    except HelixError as e:
        raise from_helix(e) from None
    return TranslateRequest(text=text, to=to, source=source, engine=engine)


def english_request(req: TranslateRequest) -> TranslateRequest:
    """The English request :func:`helixc.engine.translate` hands to the neural side (BOM dropped),
    or 413 past MAX_ENGLISH_CHARS (the engine's E_INPUT, same message), before any queue."""
    text = req.text.lstrip(_BOM)
    if len(text) > MAX_ENGLISH_CHARS:
        raise ApiError(413, E_INPUT, f"this English request is {len(text):,} characters long; the limit is "
                                     f"{MAX_ENGLISH_CHARS:,} (the models read 512 tokens)")
    return TranslateRequest(text=text, to=req.to, source=None, engine=req.engine)


def _json_type(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, (int, float)):
        return "a number"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, list):
        return "a list"
    return "an object"


# -- the service ---------------------------------------------------------------------------
def load_moe(models_dir: str | None = None, threads: int | None = None):
    """The MoE of ``models_dir`` (default: the shipped models), or HelixError E_MODEL; ``threads``:
    torch's intra-op threads in this process (None: as the MoE sets them)."""
    try:
        from ..neural.service import get_moe
    except ImportError as e:
        raise HelixError(E_MODEL, f"English requests need helixc.neural and the ML extra (pip install -e '.[ml]'): {e}") from None
    moe = get_moe(models_dir)
    if threads:
        import torch

        torch.set_num_threads(threads)
    return moe


def default_engine_factory(models_dir: str | None, model_process: bool = True, niceness: int = 5,
                           threads: int | None = None) -> Callable[[], Any]:
    def load():
        if model_process:
            from .procengine import ProcessEngine

            return ProcessEngine("helixc.server.app:load_moe", models_dir, threads, niceness=niceness)
        return load_moe(models_dir, threads)

    return load


class Service:
    def __init__(self, config: ServerConfig, engine: Any = None, engine_factory: Callable[[], Any] | None = None):
        self.config = config
        self.metrics = Metrics()
        if engine is not None:
            factory = lambda: engine  # noqa: E731
        elif engine_factory is not None:
            factory = engine_factory
        else:
            factory = default_engine_factory(config.models_dir, config.model_process, config.model_niceness,
                                             config.model_threads)
        self.batcher = Batcher(
            factory,
            max_batch=config.max_batch if config.batching else 1,
            max_queue=config.max_queue,
            batch_wait=config.batch_wait if config.batching else 0.0,
            metrics=self.metrics,
            owns_engine=engine is None,
        )
        common = dict(max_queue=config.worker_queue, memory_limit=config.worker_memory or None, metrics=self.metrics)
        self.notation_lane = Lane("notation", workers=config.notation_workers, warm="helixc.server.work:warm",
                                  reserve_small=config.reserve_small or None, niceness=config.worker_niceness, **common)
        self.english_lane = Lane("english_compiler", workers=config.english_workers,
                                 warm="helixc.server.work:warm_english", niceness=config.english_niceness, **common)
        # What the lanes run ("module:function" of one TranslateRequest; tests put stand-ins here).
        self.notation_func = "helixc.server.work:notation"
        self.english_func = "helixc.server.work:english_compiler"

    @property
    def lanes(self) -> tuple[Lane, Lane]:
        return self.notation_lane, self.english_lane

    def start(self) -> None:
        self.batcher.start()
        for lane in self.lanes:
            lane.start(prestart=self.config.prestart_workers)

    def stop(self) -> None:
        for lane in self.lanes:
            lane.stop()
        self.batcher.stop()

    async def translate(self, req: TranslateRequest, inline: bool | None = None) -> TranslateResult:
        """:func:`helixc.engine.translate` for one request, on the lanes; raises ApiError.

        ``inline``: compile on the event loop (default: when the text is at most ``inline_limit``)."""
        deadline = time.monotonic() + self.config.timeout
        if inline is None:
            inline = len(req.text) <= self.config.inline_limit
        # English at a glance is read by no notation worker: over-long, it is refused here (413); else it
        # goes straight to its lane, not behind (or ahead of) notation texts in the notation lane
        glance = not inline and english_at_a_glance(req)
        if glance and len(req.text) > MAX_ENGLISH_CHARS:
            english_request(req)
        try:
            if inline:
                result = translate_notation(req)
            elif glance:
                result = None
            else:
                result = await self._on_lane(self.notation_lane, self.notation_func, req, deadline)
        except HelixError as e:
            raise from_helix(e) from None
        if result is not None:
            self.metrics.record_translation("compiler")
            return result
        english = english_request(req)
        if req.engine == "compiler":
            try:
                result = await self._on_lane(self.english_lane, self.english_func, english, deadline)
            except HelixError as e:
                raise from_helix(e) from None
            self.metrics.record_translation("english_compiler")
            return result
        return await self._model(english, deadline)

    async def _on_lane(self, lane: Lane, func: str, req: TranslateRequest, deadline: float):
        try:
            return await lane.run(func, req, size=len(req.text), deadline=deadline)
        except QueueFull as e:
            self.metrics.record_rejected(f"{lane.name}_queue_full")
            raise ApiError(503, E_OVERLOADED, str(e), headers={"Retry-After": str(self.config.retry_after)}) from None
        except JobTimeout:
            raise ApiError(504, E_TIMEOUT, f"not answered within {self.config.timeout:g} s") from None
        except WorkerMemoryError:
            limit = self.config.worker_memory
            raise ApiError(413, E_TOO_LARGE, f"this request needs more than the {limit / (1 << 20):,.0f} MiB a worker may "
                                             "use; send a smaller text") from None

    async def _model(self, req: TranslateRequest, deadline: float) -> TranslateResult:
        loop = asyncio.get_running_loop()
        try:
            job = self.batcher.submit(req, loop)
        except QueueFull as e:
            self.metrics.record_rejected("queue_full")
            raise ApiError(503, E_OVERLOADED, str(e), headers={"Retry-After": str(self.config.retry_after)}) from None
        left = max(0.0, deadline - time.monotonic())
        try:
            result = await asyncio.wait_for(asyncio.shield(job.future), left)
        except asyncio.TimeoutError:
            job.abandoned = True
            self.metrics.record_rejected("timeout")
            raise ApiError(504, E_TIMEOUT, f"not answered within {self.config.timeout:g} s") from None
        except asyncio.CancelledError:
            job.abandoned = True  # client went away: do not spend the model on it
            raise
        except HelixError as e:
            raise from_helix(e) from None
        if not isinstance(result, TranslateResult):
            raise RuntimeError(f"engine returned {type(result).__name__}, not TranslateResult")
        self.metrics.record_translation("model")
        return result

    async def translate_json(self, obj: Any, inline: bool | None = None, rendered: bool = False) -> tuple[int, Any, dict]:
        """(status, body, headers) for one JSON request object: never raises (but CancelledError).
        ``rendered``: a 200 body may be the bytes a worker rendered (``helixc.server.body``)."""
        try:
            req = obj if isinstance(obj, TranslateRequest) else parse_translate_request(obj)
            result = await self.translate(req, inline)
            if not result.confident:
                raise not_sure(result)
            body = prerendered(result) if rendered else None
            return 200, body if body is not None else result.to_json(), {}
        except ApiError as e:
            return e.status, e.body(), e.headers
        except HelixError as e:  # from anywhere: a 4xx (or E_MODEL 503), never a 500
            err = from_helix(e)
            return err.status, err.body(), {}
        except Exception as e:  # noqa: BLE001 - an engine bug is this request's 500, never the server's crash
            if not getattr(e, "logged", False):  # a worker's error was logged there, with its own traceback
                log.exception("internal error while translating")
            err = ApiError(500, E_INTERNAL, "internal error (see the server log)")
            return 500, err.body(), {}


def _guarded(handler):
    """No exception leaves a handler: an unexpected one is logged once (with its traceback) and
    answered 500 E_INTERNAL, without details."""

    @wraps(handler)
    async def run(request: Request) -> Response:
        try:
            return await handler(request)
        except ApiError as e:
            return error_response(e)
        except ClientDisconnect:
            return Response(status_code=400)  # nobody to answer (the body never came whole)
        except HelixError as e:
            return error_response(from_helix(e))
        except Exception:  # noqa: BLE001
            log.exception("internal error in %s %s", request.method, request.url.path)
            return error_response(ApiError(500, E_INTERNAL, "internal error (see the server log)"))

    return run


def create_app(config: ServerConfig | None = None, *, engine: Any = None,
               engine_factory: Callable[[], Any] | None = None) -> Starlette:
    """The Starlette app. ``engine``: an object with ``answer(list[TranslateRequest]) ->
    list[TranslateResult]`` (tests inject one); default: ``helixc.neural.service.get_moe(models_dir)``,
    loaded by the worker thread at startup."""
    from importlib.metadata import PackageNotFoundError, version

    from ..plugins import load_plugins, plugin_info

    config = config or ServerConfig()
    service = Service(config, engine=engine, engine_factory=engine_factory)
    load_plugins()
    try:
        helixc_version = version("helixc")
    except PackageNotFoundError:  # pragma: no cover
        helixc_version = "0"
    openapi_doc = build_openapi(helixc_version)

    async def read_body(request: Request) -> Any:
        check_content_type(request)
        try:
            return await asyncio.wait_for(read_json(request, config.max_body), config.read_timeout)
        except asyncio.TimeoutError:
            raise ApiError(408, E_TIMEOUT, f"request body not received within {config.read_timeout:g} s",
                           headers=_CLOSE) from None

    @_guarded
    async def translate(request: Request) -> Response:
        obj = await read_body(request)
        status, body, headers = await service.translate_json(obj, rendered=True)
        if status == 413 and config.refusal_delay:
            await asyncio.sleep(config.refusal_delay)
        return JSONResponse(body, status_code=status, headers=headers)

    @_guarded
    async def translate_batch(request: Request) -> Response:
        obj = await read_body(request)
        if not isinstance(obj, list):
            raise ApiError(400, E_INPUT, f"expected a JSON list of request objects, got {_json_type(obj)}")
        if len(obj) > config.max_batch_items:
            raise ApiError(413, E_TOO_LARGE, f"{len(obj)} requests in one batch; the limit is {config.max_batch_items}")
        # Items are compiled on the event loop only while their texts add up to inline_limit: a batch
        # of many small texts must not hold the loop longer than one request may.
        # The others go to the notation lane at most `notation_workers` at a time: one batch never
        # fills the lane's queue (and gets 503s for its own items).
        calls = []
        budget = config.inline_limit
        lane_slots = asyncio.Semaphore(service.notation_lane.workers)
        for item in obj:
            try:
                req = parse_translate_request(item)
            except ApiError as e:
                calls.append(_done(e.status, e.body()))
                continue
            inline = len(req.text) <= budget
            if inline:
                budget -= len(req.text)
                calls.append(service.translate_json(req, True))
            else:
                calls.append(_limited(lane_slots, service.translate_json(req, False)))
        answers = await asyncio.gather(*calls)
        items = []
        for status, body, _headers in answers:
            if status != 200:
                body["error"]["status"] = status
            items.append(body)
        return JSONResponse(items)

    async def health(request: Request) -> Response:
        b = service.batcher
        return JSONResponse({
            "status": "ok", "model": b.state, "queue_depth": b.depth, "max_queue": b.max_queue,
            "max_batch": b.max_batch, "batching": config.batching, "version": helixc_version,
            "workers": {lane.name: {"workers": lane.workers, "queue_depth": lane.depth, "max_queue": lane.max_queue,
                                    "in_flight": lane.in_flight} for lane in service.lanes},
        })

    async def plugins(request: Request) -> Response:
        return JSONResponse(plugin_info())

    async def metrics(request: Request) -> Response:
        b = service.batcher
        text = service.metrics.render(queue_depth=b.depth, queue_capacity=b.max_queue, in_flight=b.in_flight,
                                      model_state=b.state.split(":")[0],
                                      lanes={lane.name: (lane.depth, lane.max_queue, lane.in_flight, lane.starts)
                                             for lane in service.lanes}, batch_wait_seconds=b.waited)
        return Response(text, media_type="text/plain; version=0.0.4; charset=utf-8")

    async def openapi(request: Request) -> Response:
        return JSONResponse(openapi_doc)

    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404:
            err = ApiError(404, E_NOT_FOUND, f"no route {request.url.path}; see /openapi.json")
        elif exc.status_code == 405:
            err = ApiError(405, E_METHOD_NOT_ALLOWED, f"{request.method} is not allowed on {request.url.path}",
                           headers=dict(exc.headers or {}))
        else:
            err = ApiError(exc.status_code, E_INPUT if exc.status_code < 500 else E_INTERNAL, str(exc.detail))
        return error_response(err)

    async def server_error(request: Request, exc: Exception) -> Response:
        return error_response(ApiError(500, E_INTERNAL, "internal error (see the server log)"))

    @asynccontextmanager
    async def lifespan(app):
        service.start()
        try:
            yield
        finally:
            # uvicorn has finished the in-flight requests; drain whatever is still queued, then stop.
            await asyncio.to_thread(service.stop)

    app = Starlette(
        routes=[
            Route("/translate", translate, methods=["POST"]),
            Route("/translate/batch", translate_batch, methods=["POST"]),
            Route("/health", _guarded(health), methods=["GET"]),
            Route("/plugins", _guarded(plugins), methods=["GET"]),
            Route("/metrics", _guarded(metrics), methods=["GET"]),
            Route("/openapi.json", _guarded(openapi), methods=["GET"]),
        ],
        exception_handlers={HTTPException: http_error, 500: server_error},
        lifespan=lifespan,
    )
    app.state.service = service
    return MetricsMiddleware(app, service.metrics)


async def _done(status: int, body: dict) -> tuple[int, dict, dict]:
    return status, body, {}


async def _limited(sem: asyncio.Semaphore, call):
    async with sem:
        return await call


class MetricsMiddleware:
    """Counts every HTTP answer by route/method/status and times it (pure ASGI)."""

    def __init__(self, app, metrics: Metrics):
        self.app = app
        self.metrics = metrics

    @property
    def state(self):
        return self.app.state

    @property
    def service(self) -> Service:
        return self.app.state.service

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        t0 = time.perf_counter()
        status = {"code": 500}

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            path = scope.get("path", "")
            route = path if path in ROUTES else "other"
            self.metrics.record_request(route, scope.get("method", "?"), status["code"], time.perf_counter() - t0)
