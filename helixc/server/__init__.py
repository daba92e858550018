"""``helixc serve``: the compiler and the MoE behind an HTTP API (Starlette + uvicorn).

Routes (OpenAPI 3.1 at ``/openapi.json``):

* ``POST /translate``        ``{"text", "to"="auto", "source"=null, "engine"="auto"}`` -> the JSON object
                             ``helixc translate --json`` prints (``TranslateResult.to_json()``).
* ``POST /translate/batch``  a list of such objects -> a list of answers or ``{"error": ...}`` items, in order.
* ``GET /health``, ``GET /plugins`` (``helixc plugins``), ``GET /metrics`` (Prometheus text).

Requests take the path of :func:`helixc.engine.translate` on separate lanes (see
:mod:`helixc.server.app`): small notation texts on the event loop, large ones and English with
``engine=compiler`` in bounded worker-process lanes, other English through a bounded queue to the
MoE's process. Error statuses and codes: :data:`helixc.server.openapi.ERROR_STATUS_DOC`.
"""

from __future__ import annotations

from .app import ServerConfig, create_app

__all__ = ["ServerConfig", "create_app", "serve", "uvicorn_config"]


def uvicorn_config(app, config: ServerConfig, **kwargs):
    """The uvicorn configuration ``helixc serve`` runs ``app`` with: its own h11 protocol
    (header deadline, JSON answers for malformed HTTP; :mod:`helixc.server.protocol`)."""
    import uvicorn

    from .protocol import protocol_class

    kwargs.setdefault("lifespan", "on")
    kwargs.setdefault("timeout_graceful_shutdown", None)
    return uvicorn.Config(app, http=protocol_class(config.read_timeout), **kwargs)


def serve(config: ServerConfig, host: str = "127.0.0.1", port: int = 8080, *, engine=None, engine_factory=None,
          log_level: str = "info", access_log: bool = False, sockets=None) -> None:
    """Run the server until SIGINT/SIGTERM; in-flight requests finish, then the model queue drains.

    ``sockets``: already bound listening sockets to serve on instead of host/port (create them with
    ``socket.IPPROTO_TCP`` as the protocol, or asyncio leaves Nagle on and small answers wait 40 ms).
    """
    import sys

    import uvicorn

    if config.gil_switch_interval:
        # The model worker runs Python between torch ops; a short switch interval lets the event loop
        # (notation requests) take the GIL back within ~1 ms instead of 5 ms.
        sys.setswitchinterval(config.gil_switch_interval)
    app = create_app(config, engine=engine, engine_factory=engine_factory)
    uv_config = uvicorn_config(app, config, host=host, port=port, log_level=log_level, access_log=access_log)
    uvicorn.Server(uv_config).run(sockets=sockets)
