"""Fair turns for searches: a client that keeps sending queries over the budget, or costly ones, is
made to wait.

A refused query is cheap (:func:`marsad.search.budget.check_text` refuses it on the event loop, before
any thread or database), but a client that sends them in a tight loop still takes the server's time
from everyone else's searches; so does one that keeps sending queries within the budget that each take
more than :data:`COSTLY` seconds of a search thread's CPU (a word in every article, a facet count over
all of them). Each such search is a strike. After :data:`STRIKES` strikes within :data:`WINDOW`
seconds, a client's searches answer 429 with ``Retry-After`` for the next :data:`WINDOW` seconds, from this
middleware, before routing, parsing or any page work; each such answer comes :data:`DELAY` seconds
late, so that a client that ignores Retry-After and asks again at once is slowed to one search a
second per connection, at no cost of the server's time (the wait is a timer, not work). A client is
its connection's address (the server reads no forwarding header, so behind a reverse proxy every
reader shares the proxy's address: let the proxy limit rates there). Pages other than search are
never held back.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from marsad.errors import MarsadError

STRIKES = 10  # refused or costly searches a client may send within WINDOW seconds
COSTLY = 0.25  # seconds of a search thread's CPU that make a search a strike
WINDOW = 10.0  # seconds; also how long a client then waits
DELAY = 1.0  # seconds before a held-back client's 429 is sent
MAX_CLIENTS = 10_000  # addresses remembered at once; the oldest are forgotten first
SEARCH_PATHS = frozenset({"/search", "/api/search"})


class TooMany(MarsadError):
    code = "E429"
    status = 429


class Strikes:
    """Strikes (refused or costly searches) by client address, and the clients told to wait."""

    def __init__(self, most: int = STRIKES, window: float = WINDOW,
                 clock: Callable[[], float] = time.monotonic):
        self.most, self.window, self.clock = most, window, clock
        self._seen: dict[str, list[float]] = {}  # client -> times of its strikes within the window
        self._held: dict[str, float] = {}  # client -> when it may search again

    def wait(self, client: str) -> float:
        """Seconds ``client`` must still wait before searching (0: none)."""
        until = self._held.get(client)
        if until is None:
            return 0.0
        left = until - self.clock()
        if left <= 0:
            del self._held[client]
            return 0.0
        return left

    def strike(self, client: str) -> None:
        """Count one strike of ``client``; the STRIKES-th within WINDOW holds it back."""
        now = self.clock()
        times = [t for t in self._seen.pop(client, ()) if now - t < self.window]
        times.append(now)
        if len(times) >= self.most:
            self._held[client] = now + self.window
            if len(self._held) > MAX_CLIENTS:
                del self._held[next(iter(self._held))]
            return
        self._seen[client] = times  # re-inserted: the dict stays ordered by last refusal
        if len(self._seen) > MAX_CLIENTS:
            del self._seen[next(iter(self._seen))]


def client_of(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else ""


class SearchTurns:
    """Pure ASGI middleware: a held-back client's searches answer 429 before anything else runs."""

    def __init__(self, app: ASGIApp, strikes: Strikes):
        self.app = app
        self.strikes = strikes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in SEARCH_PATHS:
            left = self.strikes.wait(client_of(scope))
            if left:
                from marsad.web.errors import render

                seconds = math.ceil(left)
                error = TooMany(f"too many searches over the budget, or costly ones, from this address; "
                                f"search again in {seconds} s, with fewer words or longer prefixes")
                await asyncio.sleep(min(left, DELAY))
                response = render(Request(scope), error, {"Retry-After": str(seconds)})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
