"""uvicorn's HTTP protocol with Nagle's algorithm turned off on every connection.

With several ``--workers``, uvicorn binds the listening socket itself and leaves its protocol number
unset; asyncio then does not turn on TCP_NODELAY for the connections it accepts, and every keep-alive
response waits about 40 ms for the client's delayed acknowledgement (uvicorn issue 3149). A reader
serving many small pages cannot afford that, so each connection sets it here.
"""

from __future__ import annotations

import asyncio
import socket
from contextlib import suppress

from uvicorn.protocols.http.h11_impl import H11Protocol

PROTOCOL = "marsad.web.server:NoDelayProtocol"  # as uvicorn's ``http`` option takes it


class NoDelayProtocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with suppress(OSError):  # a socket already closed by the client
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
