"""The OpenAPI 3.1 document served at ``/openapi.json`` (hand-written; the tests
validate real answers against it)."""

from __future__ import annotations

ERROR_STATUS_DOC = """\
Errors are JSON `{"error": {"code", "message", "line", "column", "offset", "notation"}}` with the
same stable code and position `helixc translate` reports (HelixError fields; `null` when unknown).

| status | when | code |
|---|---|---|
| 400 | body is not JSON (position of the JSON error in line/column/offset), not UTF-8, a field is missing, has the wrong type, or is unknown | `E_INPUT` |
| 400 | `to` or `source` names no notation | `E_NOTATION_UNKNOWN` |
| 400 / 431 / 501 | malformed HTTP (request line, headers, chunked framing); the connection is closed | `E_HTTP` |
| 404 / 405 | no such route / method | `E_NOT_FOUND` / `E_METHOD_NOT_ALLOWED` |
| 408 | the request headers, or its body, did not arrive within the read timeout (10 s by default) | `E_TIMEOUT` |
| 413 | body larger than `--max-body` (1 MiB by default), or a batch with too many items | `E_TOO_LARGE` |
| 413 | an English request longer than 2,000 characters (refused before any queue; the CLI's error) | `E_INPUT` |
| 413 | a text that needs more memory than a worker process may use | `E_TOO_LARGE` |
| 415 | the body is not sent as `Content-Type: application/json` (UTF-8) | `E_UNSUPPORTED_MEDIA_TYPE` |
| 422 | well-formed request whose `text` the compiler rejects (invalid notation text, ambiguous input, empty text, notation text with `to=auto`, ...) | the compiler's code: `E_LC_PARSE`, `E_LC_BINARY_DECODE`, `E_FIELD_ORDER`, `E_AMBIGUOUS`, `E_INPUT`, ... |
| 422 | an English answer helixc is not sure of (`helixc translate` exits 3): `reason`, and the best reading in `result` | `E_NOT_SURE` |
| 503 | a queue is full or the server is shutting down (with `Retry-After`) | `E_OVERLOADED` |
| 503 | the model is not available (missing files, ML extra not installed) | `E_MODEL` |
| 504 | the request was not answered within the per-request timeout | `E_TIMEOUT` |
| 500 | a bug: logged once with its traceback; the answer carries no detail | `E_INTERNAL` |
"""


def _error_response(desc: str) -> dict:
    return {"description": desc, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}}


def build_openapi(version: str) -> dict:
    from .. import catalog

    binary = catalog.binary_notation()
    as_hex = f" ({catalog.display_name(binary)} as hex text)" if binary else ""
    nullable_int = {"type": ["integer", "null"]}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "helixc serve",
            "version": version,
            "description": "Translate between the HLX notations (compiler, never queued behind the model) and "
            "from English requests (the MoE, batched across clients).\n\n" + ERROR_STATUS_DOC,
        },
        "paths": {
            "/translate": {
                "post": {
                    "operationId": "translate",
                    "summary": "Translate one request (same JSON answer as `helixc translate --json`).",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TranslateRequest"}}},
                    },
                    "responses": {
                        "200": {
                            "description": "The translation.",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TranslateResult"}}},
                        },
                        "400": _error_response("Malformed request."),
                        "408": _error_response("Headers or body not received in time."),
                        "413": _error_response("Body too large, English request too long, or too large to process."),
                        "415": _error_response("Not sent as application/json."),
                        "422": _error_response("The compiler rejects the text, or helixc is not sure of an English "
                                               "answer (E_NOT_SURE: reason and best reading)."),
                        "500": _error_response("A bug (no details)."),
                        "503": _error_response("Queue full, shutting down, or no model."),
                        "504": _error_response("Timed out."),
                    },
                }
            },
            "/translate/batch": {
                "post": {
                    "operationId": "translateBatch",
                    "summary": "Translate a list of requests; answers in the same order, each a result or an error.",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"type": "array", "items": {"$ref": "#/components/schemas/TranslateRequest"}}
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "One item per request, in order.",
                            "content": {
                                "application/json": {
                                    "schema": {"type": "array", "items": {"$ref": "#/components/schemas/BatchItem"}}
                                }
                            },
                        },
                        "400": _error_response("The body is not a JSON list."),
                        "408": _error_response("Headers or body not received in time."),
                        "413": _error_response("Body too large or too many items."),
                        "415": _error_response("Not sent as application/json."),
                        "500": _error_response("A bug (no details)."),
                    },
                }
            },
            "/health": {
                "get": {
                    "operationId": "health",
                    "summary": "Liveness and model state.",
                    "responses": {
                        "200": {
                            "description": "Server state.",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}},
                        }
                    },
                }
            },
            "/plugins": {
                "get": {
                    "operationId": "plugins",
                    "summary": "Loaded plugins (same as `helixc plugins`).",
                    "responses": {
                        "200": {
                            "description": "One object per plugin.",
                            "content": {
                                "application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Plugin"}}}
                            },
                        }
                    },
                }
            },
            "/metrics": {
                "get": {
                    "operationId": "metrics",
                    "summary": "Prometheus text format: request counts by route/status, latency histogram, queue depth, batch sizes.",
                    "responses": {"200": {"description": "Metrics.", "content": {"text/plain": {"schema": {"type": "string"}}}}},
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document.",
                    "responses": {"200": {"description": "OpenAPI 3.1.", "content": {"application/json": {"schema": {"type": "object"}}}}},
                }
            },
        },
        "components": {
            "schemas": {
                "TranslateRequest": {
                    "type": "object",
                    "required": ["text"],
                    "additionalProperties": False,
                    "properties": {
                        "text": {"type": "string", "description": f"Notation text{as_hex} or an English request."},
                        "to": {
                            "type": "string",
                            "default": "auto",
                            "description": "Target notation name or alias, or `auto` (English request: the router decides).",
                        },
                        "source": {
                            "type": ["string", "null"],
                            "default": None,
                            "description": "Notation of `text`; detected when null.",
                        },
                        "engine": {"type": "string", "enum": ["auto", "neural", "compiler"], "default": "auto"},
                    },
                },
                "TranslateResult": {
                    "type": "object",
                    "required": ["route", "target", "output", "engine", "grammar_valid", "verified", "latency_ms", "confident"],
                    "additionalProperties": True,
                    "properties": {
                        "route": {"type": "string",
                                  "description": f"`notation`, or the router's class ({', '.join(catalog.routes())})."},
                        "target": {"type": "string"},
                        "output": {"type": "string"},
                        "engine": {"type": "string", "enum": ["compiler", "neural"]},
                        "grammar_valid": {"type": "boolean"},
                        "verified": {"type": ["boolean", "null"]},
                        "latency_ms": {"type": "number"},
                        "confident": {"type": "boolean", "description": "true in every 200 answer; false only in the `result` of an E_NOT_SURE error."},
                        "reason": {"type": ["string", "null"]},
                    },
                },
                "Error": {
                    "type": "object",
                    "required": ["code", "message", "line", "column", "offset"],
                    "additionalProperties": False,
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "line": nullable_int,
                        "column": nullable_int,
                        "offset": nullable_int,
                        "notation": {"type": ["string", "null"]},
                        "status": {"type": "integer", "description": "HTTP status this error would have alone (batch items only)."},
                        "reason": {"type": ["string", "null"], "description": "E_NOT_SURE: why helixc is not sure."},
                        "result": {"$ref": "#/components/schemas/TranslateResult",
                                   "description": "E_NOT_SURE: the best reading (`confident: false`)."},
                    },
                },
                "ErrorResponse": {
                    "type": "object",
                    "required": ["error"],
                    "additionalProperties": False,
                    "properties": {"error": {"$ref": "#/components/schemas/Error"}},
                },
                "BatchItem": {
                    "oneOf": [{"$ref": "#/components/schemas/TranslateResult"}, {"$ref": "#/components/schemas/ErrorResponse"}],
                },
                "Health": {
                    "type": "object",
                    "required": ["status", "model", "queue_depth", "max_queue", "max_batch", "batching", "version"],
                    "properties": {
                        "status": {"type": "string", "enum": ["ok"]},
                        "model": {"type": "string", "description": "loading | ready | unavailable: reason"},
                        "queue_depth": {"type": "integer"},
                        "max_queue": {"type": "integer"},
                        "max_batch": {"type": "integer"},
                        "batching": {"type": "boolean"},
                        "version": {"type": "string"},
                        "workers": {"type": "object", "description": "Worker lanes: workers, queue_depth, max_queue, in_flight."},
                    },
                },
                "Plugin": {
                    "type": "object",
                    "required": ["name", "hooks"],
                    "properties": {
                        "name": {"type": "string"},
                        "hooks": {"type": "array", "items": {"type": "string"}},
                        "version": {"type": "string"},
                        "distribution": {"type": "string"},
                        "notations": {"type": "array", "items": {"type": "string"}},
                    },
                },
            }
        },
    }
