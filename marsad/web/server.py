"""uvicorn's HTTP protocol with Nagle's algorithm turned off and a deadline for request headers.

With several ``--workers``, uvicorn binds the listening socket itself and leaves its protocol number
unset; asyncio then does not turn on TCP_NODELAY for the connections it accepts, and every keep-alive
response waits about 40 ms for the client's delayed acknowledgement (uvicorn issue 3149). A reader
serving many small pages cannot afford that, so each connection sets it here.

uvicorn times out an idle keep-alive connection only after a first response, and any byte received
restarts its clock: a client that connects and sends nothing, or sends headers a byte at a time, held
its connection (and a file descriptor) for as long as it liked. Here each request's headers must
arrive whole within :data:`HEADER_SECONDS` of the connection or of the previous response.
"""

from __future__ import annotations

import asyncio
import socket
from contextlib import suppress

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

PROTOCOL = "marsad.web.server:NoDelayProtocol"  # as uvicorn's ``http`` option takes it
HEADER_SECONDS = 10.0


class NoDelayProtocol(H11Protocol):
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with suppress(OSError):  # a socket already closed by the client
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
        self._await_headers()

    def _await_headers(self) -> None:
        self._stop_header_timer()
        self._header_timer = self.loop.call_later(HEADER_SECONDS, self._headers_too_slow)

    def _stop_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state is not h11.IDLE:  # the headers arrived whole
            self._stop_header_timer()

    def on_response_complete(self) -> None:
        self._await_headers()  # before a pipelined next request is read, which stops it again
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_timer()
        super().connection_lost(exc)
