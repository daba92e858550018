"""The ASGI application behind ``helixc serve`` (Starlette).

Two paths:

* **compiler**: a request whose text is in a notation and whose ``to`` is a
  notation is answered right away by the compiler (``translate_notation``) (on the event loop
  for small bodies, on a thread for large ones). It never waits behind model work.
* **model**: English requests (and ``to=auto``, as in ``helixc translate``) go to
  the bounded :class:`~helixc.server.batcher.Batcher` queue; one worker thread
  batches them into ``MoE.answer`` calls. Queue full -> 503 + Retry-After;
  not answered within ``timeout`` -> 504.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..engine import ENGINES, TranslateRequest, TranslateResult
from ..errors import E_INPUT, E_MODEL, E_NOTATION_UNKNOWN, HelixError
from .batcher import Batcher, QueueFull
from .metrics import Metrics
from .openapi import build_openapi

log = logging.getLogger("helixc.server")

# Codes the server adds to the compiler's (helixc.errors) for HTTP-level conditions.
E_TOO_LARGE = "E_TOO_LARGE"
E_OVERLOADED = "E_OVERLOADED"
E_TIMEOUT = "E_TIMEOUT"
E_NOT_FOUND = "E_NOT_FOUND"
E_METHOD_NOT_ALLOWED = "E_METHOD_NOT_ALLOWED"
E_INTERNAL = "E_INTERNAL"

ROUTES = ("/translate", "/translate/batch", "/health", "/plugins", "/metrics", "/openapi.json")
INLINE_TEXT_LIMIT = 4096  # compiler requests with longer text run on a thread, not on the event loop


@dataclass
class ServerConfig:
    models_dir: str | None = None
    max_batch: int = 16
    max_queue: int = 256
    timeout: float = 30.0  # seconds, per request (queue wait + model)
    batching: bool = True  # False: one request per MoE.answer call
    max_body: int = 64 * 1024
    max_batch_items: int = 256
    batch_wait: float = 0.010  # seconds the worker waits, under load only, for a batch to fill (0: take what is waiting)
    retry_after: int = 1  # seconds, in 503 answers
    model_process: bool = True  # the default MoE runs in a child process (no GIL shared with the event loop)
    model_niceness: int = 5  # that process's nice increment: the event loop gets the CPU first
    gil_switch_interval: float = 0.001  # seconds; set by serve() for the whole process (0: leave Python's 5 ms)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, *, line=None, column=None, offset=None,
                 notation=None, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.line = line
        self.column = column
        self.offset = offset
        self.notation = notation
        self.headers = headers or {}

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "line": self.line, "column": self.column,
                          "offset": self.offset, "notation": self.notation}}


def from_helix(e: HelixError) -> ApiError:
    if e.code == E_NOTATION_UNKNOWN:
        status = 400
    elif e.code == E_MODEL:
        status = 503
    else:
        status = 422
    return ApiError(status, e.code, e.message, line=e.line, column=e.column, offset=e.offset, notation=e.notation)


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        try:
            return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates echoed from the request: escape them
            return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def error_response(err: ApiError) -> JSONResponse:
    return JSONResponse(err.body(), status_code=err.status, headers=err.headers)


# -- request reading -----------------------------------------------------------------------
async def read_json(request: Request, limit: int) -> Any:
    cl = request.headers.get("content-length")
    if cl is not None and cl.strip().isdigit() and int(cl) > limit:
        raise ApiError(413, E_TOO_LARGE, f"request body is {int(cl)} bytes; the limit is {limit}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, E_TOO_LARGE, f"request body is larger than the limit of {limit} bytes")
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


class Compiler:
    """``engine.translate_notation`` with the notation registry looked up once.

    ``helixc.plugins.get_notation`` rebuilds the registry through the pluggy hooks on every call
    (about a third of a notation request's CPU time); a server's plugins do not change while it runs,
    so it takes a snapshot at startup. Same answers and errors as ``translate_notation`` (tested).
    """

    def __init__(self):
        from ..plugins import alias_table, notations

        self.notations = notations()
        self.aliases = alias_table()

    def get(self, name: str):
        n = self.aliases.get(name.strip().lower())
        if n is None:
            from ..plugins import get_notation

            return get_notation(name)  # raises E_NOTATION_UNKNOWN with the usual message
        return self.notations[n]

    def translate(self, req: TranslateRequest) -> TranslateResult | None:
        from .. import detection

        t0 = time.perf_counter()
        if req.source is not None:
            value = self.get(req.source).parse(req.text)
        else:
            try:
                value = detection.detect(req.text).value
            except HelixError:
                if detection.looks_like_english(req.text):
                    return None
                raise
        target = self.get(req.to)
        out = target.emit(value)
        return TranslateResult(route="notation", target=target.name, output=out, engine="compiler",
                               grammar_valid=True, verified=True, latency_ms=(time.perf_counter() - t0) * 1000)


def parse_translate_request(obj: Any, compiler: Compiler | None = None) -> TranslateRequest:
    """JSON value -> TranslateRequest, or ApiError 400 (E_INPUT / E_NOTATION_UNKNOWN)."""
    if compiler is not None:
        get_notation = compiler.get
    else:
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
def load_moe(models_dir: str | None = None):
    """The MoE of ``models_dir`` (default: the shipped models), or HelixError E_MODEL."""
    try:
        from ..neural.service import get_moe
    except ImportError as e:
        raise HelixError(E_MODEL, f"English requests need helixc.neural and the ML extra (pip install -e '.[ml]'): {e}") from None
    return get_moe(models_dir)


def default_engine_factory(models_dir: str | None, model_process: bool = True, niceness: int = 5) -> Callable[[], Any]:
    def load():
        if model_process:
            from .procengine import ProcessEngine

            return ProcessEngine("helixc.server.app:load_moe", models_dir, niceness=niceness)
        return load_moe(models_dir)

    return load


class Service:
    def __init__(self, config: ServerConfig, engine: Any = None, engine_factory: Callable[[], Any] | None = None):
        self.config = config
        self.metrics = Metrics()
        self.compiler = Compiler()
        if engine is not None:
            factory = lambda: engine  # noqa: E731
        elif engine_factory is not None:
            factory = engine_factory
        else:
            factory = default_engine_factory(config.models_dir, config.model_process, config.model_niceness)
        self.batcher = Batcher(
            factory,
            max_batch=config.max_batch if config.batching else 1,
            max_queue=config.max_queue,
            batch_wait=config.batch_wait if config.batching else 0.0,
            metrics=self.metrics,
            owns_engine=engine is None,
        )

    async def translate(self, req: TranslateRequest) -> TranslateResult:
        """One request, either path; raises ApiError."""
        deadline = time.monotonic() + self.config.timeout
        if req.to.strip().lower() != "auto":
            try:
                if len(req.text) <= INLINE_TEXT_LIMIT:
                    result = self.compiler.translate(req)
                else:
                    result = await asyncio.wait_for(asyncio.to_thread(self.compiler.translate, req), self.config.timeout)
            except HelixError as e:
                raise from_helix(e) from None
            except asyncio.TimeoutError:
                raise ApiError(504, E_TIMEOUT, f"not answered within {self.config.timeout:g} s") from None
            if result is not None:
                self.metrics.record_translation("compiler")
                return result
        if req.engine == "compiler":
            return await self._compiler_english(req)
        return await self._model(req, deadline)

    async def _compiler_english(self, req: TranslateRequest) -> TranslateResult:
        """English with engine=compiler: the rule-based reader, no model, so never queued behind it."""
        try:
            from ..neural.service import translate_english
        except ImportError as e:
            raise ApiError(503, E_MODEL, f"English requests need helixc.neural: {e}") from None
        try:
            result = await asyncio.wait_for(asyncio.to_thread(translate_english, req), self.config.timeout)
        except HelixError as e:
            raise from_helix(e) from None
        except asyncio.TimeoutError:
            raise ApiError(504, E_TIMEOUT, f"not answered within {self.config.timeout:g} s") from None
        self.metrics.record_translation("compiler")
        return result

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

    async def translate_json(self, obj: Any) -> tuple[int, dict, dict]:
        """(status, body, headers) for one JSON request object: never raises ApiError."""
        try:
            req = parse_translate_request(obj, self.compiler)
            result = await self.translate(req)
            return 200, result.to_json(), {}
        except ApiError as e:
            return e.status, e.body(), e.headers
        except Exception:  # noqa: BLE001 - an engine bug is this request's 500, never the server's crash
            log.exception("internal error while translating")
            err = ApiError(500, E_INTERNAL, "internal error (see the server log)")
            return 500, err.body(), {}


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
        try:
            return await asyncio.wait_for(read_json(request, config.max_body), config.timeout)
        except asyncio.TimeoutError:
            raise ApiError(408, E_TIMEOUT, f"request body not received within {config.timeout:g} s") from None

    async def translate(request: Request) -> Response:
        try:
            obj = await read_body(request)
        except ApiError as e:
            return error_response(e)
        status, body, headers = await service.translate_json(obj)
        return JSONResponse(body, status_code=status, headers=headers)

    async def translate_batch(request: Request) -> Response:
        try:
            obj = await read_body(request)
            if not isinstance(obj, list):
                raise ApiError(400, E_INPUT, f"expected a JSON list of request objects, got {_json_type(obj)}")
            if len(obj) > config.max_batch_items:
                raise ApiError(413, E_TOO_LARGE, f"{len(obj)} requests in one batch; the limit is {config.max_batch_items}")
        except ApiError as e:
            return error_response(e)
        answers = await asyncio.gather(*(service.translate_json(item) for item in obj))
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
        })

    async def plugins(request: Request) -> Response:
        return JSONResponse(plugin_info())

    async def metrics(request: Request) -> Response:
        b = service.batcher
        text = service.metrics.render(queue_depth=b.depth, queue_capacity=b.max_queue, in_flight=b.in_flight,
                                      model_state=b.state.split(":")[0])
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
        service.batcher.start()
        try:
            yield
        finally:
            # uvicorn has finished the in-flight requests; drain whatever is still queued, then stop.
            await asyncio.to_thread(service.batcher.stop)

    app = Starlette(
        routes=[
            Route("/translate", translate, methods=["POST"]),
            Route("/translate/batch", translate_batch, methods=["POST"]),
            Route("/health", health, methods=["GET"]),
            Route("/plugins", plugins, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            Route("/openapi.json", openapi, methods=["GET"]),
        ],
        exception_handlers={HTTPException: http_error, 500: server_error},
        lifespan=lifespan,
    )
    app.state.service = service
    return MetricsMiddleware(app, service.metrics)


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
