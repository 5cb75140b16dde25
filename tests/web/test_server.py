"""The HTTP protocol the reader runs under uvicorn: Nagle's algorithm is off on every connection."""

from __future__ import annotations

import asyncio
import socket

from uvicorn.config import Config
from uvicorn.server import ServerState

from marsad.web.server import PROTOCOL, NoDelayProtocol


class _Transport(asyncio.Transport):
    def __init__(self, sock):
        super().__init__()
        self.sock = sock

    def get_extra_info(self, name, default=None):
        return {"socket": self.sock, "peername": ("127.0.0.1", 1), "sockname": ("127.0.0.1", 2)}.get(
            name, default)

    def is_closing(self):
        return False


def test_a_connection_gets_tcp_nodelay_whatever_the_listener_said():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # proto 0, as uvicorn's workers bind it
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    client = socket.create_connection(listener.getsockname())
    accepted, _ = listener.accept()
    try:
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        loop = asyncio.new_event_loop()
        config = Config(app=lambda scope, receive, send: None, http=PROTOCOL)
        config.load()
        protocol = NoDelayProtocol(config, ServerState(), {}, _loop=loop)
        protocol.connection_made(_Transport(accepted))
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
        assert config.http_protocol_class is NoDelayProtocol
        loop.close()
    finally:
        for s in (client, accepted, listener):
            s.close()
