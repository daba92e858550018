"""helixc built-in plugin: ``helixc serve`` (HTTP API; heavy imports happen when it runs)."""

from __future__ import annotations

import click

from helixc.hookspecs import hookimpl


@hookimpl
def register_commands(cli):
    @cli.command(name="serve")
    @click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
    @click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="TCP port (0: any free port).")
    @click.option("models", "--models", type=click.Path(file_okay=False), envvar="HELIXC_MODELS",
                  help="Model directory (default: the shipped models).")
    @click.option("--max-batch", default=16, show_default=True, type=click.IntRange(1, 1024),
                  help="Most English requests per MoE.answer call.")
    @click.option("--max-queue", default=256, show_default=True, type=click.IntRange(1, 100000),
                  help="Most English requests waiting; past it, 503 with Retry-After.")
    @click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(0.001, 86400),
                  help="Per-request timeout in seconds (504 past it).")
    @click.option("--batch-wait-ms", default=10.0, show_default=True, type=click.FloatRange(0, 1000),
                  help="Under load, how long the worker waits at least for a batch to fill (or 10% of the last batch's time, "
                       "at most 250 ms; 0: never wait).")
    @click.option("--max-body", default=1 << 20, show_default=True, type=click.IntRange(1, 1 << 30),
                  help="Largest request body in bytes (413 E_TOO_LARGE past it).")
    @click.option("--read-timeout", default=10.0, show_default=True, type=click.FloatRange(0.001, 3600),
                  help="Seconds a client has to send a request's headers, and again its body (408 past either).")
    @click.option("--inline-limit", default=8192, show_default=True, type=click.IntRange(0, 1 << 30),
                  help="Texts up to this many characters are compiled on the event loop; longer ones in worker processes.")
    @click.option("--workers", "notation_workers", default=2, show_default=True, type=click.IntRange(1, 256),
                  help="Worker processes for long notation texts.")
    @click.option("--english-workers", default=1, show_default=True, type=click.IntRange(1, 256),
                  help="Worker processes for English requests with engine=compiler.")
    @click.option("--worker-queue", default=64, show_default=True, type=click.IntRange(1, 100000),
                  help="Jobs waiting per worker lane; past it, 503 with Retry-After.")
    @click.option("--refusal-delay", default=0.25, show_default=True, type=click.FloatRange(0, 60),
                  help="Seconds a 413 (an over-long English request or body) waits before it is sent: a client looping "
                       "refused requests cannot take the cores other requests need (0: answer at once).")
    @click.option("--no-batching", is_flag=True, help="One request per MoE.answer call (baseline).")
    @click.option("--in-process-model", is_flag=True,
                  help="Run the MoE in the server process instead of a child process (shares the GIL with the event loop).")
    @click.option("--log-level", default="info", show_default=True,
                  type=click.Choice(["critical", "error", "warning", "info", "debug"]))
    @click.option("--access-log", is_flag=True, help="Log every request.")
    def serve_cmd(host, port, models, max_batch, max_queue, timeout, batch_wait_ms, max_body, read_timeout,
                  inline_limit, notation_workers, english_workers, worker_queue, refusal_delay, no_batching,
                  in_process_model, log_level, access_log):
        """Serve translations over HTTP (OpenAPI at /openapi.json).

        \b
        Example:
          helixc serve --port 8080 &
          curl -s localhost:8080/translate -H 'Content-Type: application/json' -d '{"text": "[1, 2]", "to": "NAME"}'
        """
        from helixc.server import ServerConfig, serve

        config = ServerConfig(models_dir=models, max_batch=max_batch, max_queue=max_queue, timeout=timeout,
                              batching=not no_batching, max_body=max_body, batch_wait=batch_wait_ms / 1000.0,
                              model_process=not in_process_model, read_timeout=read_timeout, inline_limit=inline_limit,
                              notation_workers=notation_workers, english_workers=english_workers,
                              worker_queue=worker_queue, refusal_delay=refusal_delay)
        serve(config, host=host, port=port, log_level=log_level, access_log=access_log)
