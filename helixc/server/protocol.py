"""The HTTP/1.1 protocol ``helixc serve`` runs under uvicorn: uvicorn's h11 protocol with two changes.

* **Header deadline.** uvicorn starts its keep-alive timer only after a response, so a client that
  connects and sends half a request line or half its headers holds the connection (and a file
  descriptor) for as long as it likes. Here a timer runs from the connection (and, on keep-alive
  connections, from the first byte of each new request) until the request's headers are complete;
  past ``header_timeout`` seconds the server answers ``408 E_TIMEOUT`` (JSON) and closes. The body
  has its own deadline in the application (``read_timeout``, also 408).
* **JSON 400 for malformed HTTP.** Where h11 refuses the bytes (bad request line, bad header, bad
  chunked framing, headers over ``h11_max_incomplete_event_size``), uvicorn answers a plain-text
  ``400 Invalid HTTP request received.``; here the answer is the server's JSON error, with h11's
  reason and its status (400; 431 for headers that are too large, 501 for a transfer coding
  other than chunked), then the connection closes.

Always h11, even where httptools is installed (``uvicorn[standard]``): these hooks are h11's.
"""

from __future__ import annotations

import json

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


class _Connection(h11.Connection):
    """h11's connection, remembering the last protocol error (for the JSON 400 answer)."""

    last_error: h11.RemoteProtocolError | None = None

    def next_event(self):
        try:
            return super().next_event()
        except h11.RemoteProtocolError as e:
            self.last_error = e
            raise


def _error_bytes(status: int, reason: bytes, code: str, message: str) -> bytes:
    body = json.dumps({"error": {"code": code, "message": message, "line": None, "column": None, "offset": None,
                                 "notation": None}}, separators=(",", ":")).encode()
    return (b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\nconnection: close\r\n\r\n%s"
            % (status, reason, len(body), body))


class GuardedH11Protocol(H11Protocol):
    header_timeout: float = 10.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = self.conn._max_incomplete_event_size  # noqa: SLF001 - keep uvicorn's configured limit
        self.conn = _Connection(h11.SERVER, max_incomplete_event_size=limit)
        self._header_timer = None
        self._received_any = False

    # -- header deadline ---------------------------------------------------------------------
    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._arm_header_timer()

    def _arm_header_timer(self) -> None:
        if self._header_timer is None and self.header_timeout:
            self._header_timer = self.loop.call_later(self.header_timeout, self._header_timed_out)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def data_received(self, data: bytes) -> None:
        self._received_any = True
        super().data_received(data)
        # Still waiting for (the rest of) a request's headers: the deadline runs; else it does not.
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            if self.cycle is None or self.cycle.response_complete:
                self._arm_header_timer()
        else:
            self._disarm_header_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # Back to idle on a keep-alive connection: uvicorn's keep-alive timer covers silence; the
        # header deadline starts again with the next request's first byte (data_received), or now
        # if part of a pipelined request is already buffered.
        if (self.conn.their_state is h11.IDLE and self.conn.trailing_data[0]
                and not self.transport.is_closing()):
            self._arm_header_timer()

    def connection_lost(self, exc) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)

    def _header_timed_out(self) -> None:
        self._header_timer = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a response is being written: its own timers apply
        if self._received_any and self.conn.our_state is h11.IDLE:
            # No request event exists for h11 to answer; write the answer directly, then close.
            self.transport.write(_error_bytes(408, b"Request Timeout", "E_TIMEOUT",
                                              f"request headers not received within {self.header_timeout:g} s"))
        self.transport.close()

    # -- malformed HTTP --------------------------------------------------------------------------
    def send_400_response(self, msg: str) -> None:
        self._disarm_header_timer()
        err = getattr(self.conn, "last_error", None)
        status = getattr(err, "error_status_hint", 400) or 400
        reasons = {400: b"Bad Request", 431: b"Request Header Fields Too Large", 501: b"Not Implemented"}
        if status not in reasons:
            status = 400
        detail = str(err) if err is not None and str(err) else msg
        reason = reasons[status]
        if self.cycle is None or not self.cycle.response_started:
            self.transport.write(_error_bytes(status, reason, "E_HTTP", f"malformed HTTP request: {detail}"))
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.disconnected = True  # the application's receive() now says http.disconnect
            self.cycle.message_event.set()
        self.transport.close()


def protocol_class(header_timeout: float) -> type:
    """GuardedH11Protocol with this header deadline (uvicorn builds protocol objects itself)."""
    return type("HelixH11Protocol", (GuardedH11Protocol,), {"header_timeout": float(header_timeout)})
