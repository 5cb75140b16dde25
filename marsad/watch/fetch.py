"""The polite fetcher: every GET that ``marsad watch`` makes to an outlet goes through one ``Fetcher``.

Politeness per host (scheme, host and port): robots.txt read first and cached, a disallowed URL never
requested; one request at a time; at least ``host_interval`` seconds, or the host's Crawl-delay if longer,
from the end of one request to the start of the next; a 429 (or a 503 with Retry-After) pauses the host
for as long as it asks. Different hosts are fetched concurrently, ``connections`` requests at most at once
(a request waiting for its turn is not timed out).

Each GET: conditional headers sent back verbatim, a timeout on the whole exchange, a size cap that stops
reading, redirects followed by hand (each hop checked against its own host's robots.txt and pacing),
retries with backoff on 5xx answers, timeouts and dropped connections. Failures come back as a
``FetchResult`` with one readable ``error`` line and an ``error_kind``; ``get`` does not raise.

Time comes from an injectable clock, so tests check pacing without waiting for it.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Protocol
from urllib.parse import urljoin

import httpx

from marsad import __version__
from marsad.model import FetchResult
from marsad.settings import WatchSettings
from marsad.watch import robots
from marsad.watch.urls import origin

AGENT = "marsad"  # the product token robots.txt groups are matched against
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PAUSE_WITHOUT_RETRY_AFTER = 60.0  # seconds a 429 without Retry-After pauses its host
_LONGEST_PAUSE = 24 * 3600.0  # a Retry-After beyond this is read as this


class Clock(Protocol):
    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class RealClock:
    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def user_agent(settings: WatchSettings) -> str:
    return f"{AGENT}/{__version__} (+{settings.contact_url})"


class _Failure(Exception):
    """Why one GET failed: its ``error_kind`` and readable line (the exception's message)."""

    def __init__(self, kind: str, message: str, *, status: int | None = None,
                 retry_after: float | None = None):
        super().__init__(message)
        self.kind, self.status, self.retry_after = kind, status, retry_after


@dataclass(slots=True)
class _Answer:
    status: int
    headers: httpx.Headers
    body: bytes


@dataclass(slots=True)
class _Host:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    ready_at: float = -math.inf  # earliest start of the next request
    paused_until: float = -math.inf  # Retry-After
    rules: robots.Rules | None = None
    rules_until: float = -math.inf


class Fetcher:
    """One HTTP client for all of a watch's fetches. Use as ``async with Fetcher(settings) as f``."""

    def __init__(self, settings: WatchSettings, *, transport: httpx.AsyncBaseTransport | None = None,
                 clock: Clock | None = None):
        self.settings = settings
        self._clock = clock or RealClock()
        # The client's pool never makes a request wait: the slots do, before its timeout starts.
        slots = settings.connections
        limits = httpx.Limits(max_connections=slots, max_keepalive_connections=slots)
        self._client = httpx.AsyncClient(
            transport=transport, timeout=settings.timeout, follow_redirects=False, trust_env=False,
            limits=limits, max_redirects=settings.max_redirects, headers={"User-Agent": user_agent(settings)})
        self._slots = asyncio.Semaphore(slots)
        self._hosts: dict[str, _Host] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get(self, url: str, *, etag: str | None = None,
                  last_modified: str | None = None) -> FetchResult:
        """GET ``url`` politely; a 304 to the conditional headers gives ``not_modified``."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current, seen = url, {url}
        try:
            for _ in range(self.settings.max_redirects + 1):
                answer = await self._exchange(current, headers)
                target = _redirect_target(current, answer)
                if target is None:
                    return _result(url, current, answer)
                if target in seen:
                    raise _Failure("redirects", f"redirect loop: {current} leads back to {target}")
                seen.add(target)
                current = target
            limit = self.settings.max_redirects
            raise _Failure("redirects", f"more than {limit} redirects (the last to {current})")
        except _Failure as failure:
            line = " ".join(f"{url}: {failure}".split())  # one line, whatever the exception said
            return FetchResult(url=url, final_url=current, status=failure.status, error=line,
                               error_kind=failure.kind, retry_after=failure.retry_after)

    async def _exchange(self, url: str, headers: dict[str, str]) -> _Answer:
        """One hop: robots.txt, then the GET with its retries, under the host's lock."""
        try:
            site = origin(url)
        except ValueError as e:
            raise _Failure("url", str(e)) from None
        host = self._hosts.setdefault(site, _Host())
        async with host.lock:
            rules = await self._rules(host, site)
            if not rules.allows(url):
                if rules.deny_all:
                    raise _Failure("robots", f"robots.txt of {site} {rules.reason}; nothing is fetched there "
                                             "until it answers")
                raise _Failure("robots", f"disallowed by robots.txt of {site}; not fetched")
            return await self._with_retries(host, url, headers)

    async def _with_retries(self, host: _Host, url: str, headers: dict[str, str]) -> _Answer:
        tries, attempt = self.settings.retries + 1, 1
        while True:
            last = attempt == tries
            try:
                answer = await self._paced(host, url, headers, self.settings.max_bytes)
            except _Failure as failure:
                if failure.kind not in ("timeout", "network"):
                    raise
                if last:
                    raise _Failure(failure.kind, f"{failure} ({tries} tries)") from None
            else:
                self._pause_if_asked(host, answer)
                if answer.status < 500 or last:
                    return answer
            await self._clock.sleep(self.settings.backoff * 2 ** (attempt - 1))
            attempt += 1

    def _pause_if_asked(self, host: _Host, answer: _Answer) -> None:
        """A 429, or a 503 with Retry-After: nothing more goes to the host until the time it gave."""
        asked = _retry_after(answer.headers)
        if answer.status == 429 or (answer.status == 503 and asked is not None):
            wait = asked if asked is not None else _PAUSE_WITHOUT_RETRY_AFTER
            host.paused_until = self._clock.monotonic() + wait
            raise _Failure("retry-after", f"HTTP {answer.status}: the host asks us to wait {wait:.0f} s",
                           status=answer.status, retry_after=wait)

    async def _paced(self, host: _Host, url: str, headers: dict[str, str], limit: int,
                     robots_txt: bool = False) -> _Answer:
        """One request, no sooner than the host allows; the host's interval counts from its end."""
        now = self._clock.monotonic()
        if host.paused_until > now:
            left = host.paused_until - now
            raise _Failure("retry-after", f"the host asked us to wait; {left:.0f} s left", retry_after=left)
        if host.ready_at > now:
            await self._clock.sleep(host.ready_at - now)
        try:
            return await self._send(url, headers, limit, robots_txt)
        finally:
            delay = host.rules.crawl_delay if host.rules and host.rules.crawl_delay else 0.0
            host.ready_at = self._clock.monotonic() + max(self.settings.host_interval, delay)

    async def _send(self, url: str, headers: dict[str, str], limit: int, robots_txt: bool) -> _Answer:
        """One GET. A robots.txt follows its redirects and is cut at ``limit`` rather than refused."""
        timeout = self.settings.timeout
        try:
            async with self._slots, asyncio.timeout(timeout), self._client.stream(
                    "GET", url, headers=headers, follow_redirects=robots_txt) as response:
                body = await _read(response, limit, truncate=robots_txt)
                return _Answer(response.status_code, response.headers, body)
        except (TimeoutError, httpx.TimeoutException):
            raise _Failure("timeout", f"no complete answer within {timeout:g} s") from None
        except httpx.HTTPError as e:
            raise _Failure("network", f"{type(e).__name__}: {e}" if str(e) else type(e).__name__) from None

    async def _rules(self, host: _Host, site: str) -> robots.Rules:
        """The host's robots.txt rules, read again when stale (robots.txt redirects are followed)."""
        if host.rules is not None and host.rules_until > self._clock.monotonic():
            return host.rules
        try:
            answer = await self._paced(host, site + "/robots.txt", {}, robots.MAX_BYTES, robots_txt=True)
            self._pause_if_asked(host, answer)  # a 429 on robots.txt is a request to slow down too
            rules, keep = robots.from_response(answer.status, answer.body, AGENT)
        except _Failure as failure:
            if failure.kind == "retry-after":
                raise
            rules, keep = robots.from_response(None, b"", AGENT, problem=str(failure))
        host.rules, host.rules_until = rules, self._clock.monotonic() + keep
        return rules


async def _read(response: httpx.Response, limit: int, truncate: bool) -> bytes:
    """The body, decoded from its transfer encoding, reading no more than ``limit`` bytes of it."""
    declared = response.headers.get("content-length", "")
    if not truncate and declared.isdigit() and int(declared) > limit:
        raise _Failure("size", f"body of {int(declared):,} bytes is above the {limit:,}-byte cap",
                       status=response.status_code)
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            if truncate:
                break
            raise _Failure("size", f"body is above the {limit:,}-byte cap; stopped reading",
                           status=response.status_code)
    return b"".join(chunks)[:limit]


def _redirect_target(url: str, answer: _Answer) -> str | None:
    location = answer.headers.get("location")
    if answer.status not in _REDIRECTS or not location:
        return None
    target = urljoin(url, location.strip())
    if not target.lower().startswith(("http://", "https://")):
        raise _Failure("redirects", f"redirect to a non-web address: {target}", status=answer.status)
    return target


def _result(url: str, final_url: str, answer: _Answer) -> FetchResult:
    headers = answer.headers
    result = FetchResult(url=url, final_url=final_url, status=answer.status,
                         content_type=headers.get("content-type"), etag=headers.get("etag"),
                         last_modified=headers.get("last-modified"))
    if answer.status == 304:
        result.not_modified = True
    elif 200 <= answer.status < 300:
        result.body = answer.body
    else:
        reason = httpx.codes.get_reason_phrase(answer.status)
        result.error = f"{url}: HTTP {answer.status}{' ' + reason if reason else ''}"
        result.error_kind = "http"
    return result


def _retry_after(headers: httpx.Headers) -> float | None:
    """Retry-After in seconds: a number of seconds, or an HTTP date measured against the answer's Date."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return min(float(value), _LONGEST_PAUSE)
    try:
        when = parsedate_to_datetime(value)
        sent = parsedate_to_datetime(headers["date"]) if "date" in headers else None
    except (TypeError, ValueError, IndexError):
        return None
    now = sent.timestamp() if sent is not None else time.time()
    return min(max(when.timestamp() - now, 0.0), _LONGEST_PAUSE)
