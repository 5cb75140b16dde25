"""The sources ``marsad watch`` follows: adding (the kind sniffed from a first fetch), listing,
pausing, and how each fetch's outcome moves a source's state.

A failure adds its weight to the source's failure count (a feed that is gone weighs more than a
server that timed out once) and puts the next fetch off, twice as long after each failure in a
row, up to :data:`MAX_BACKOFF`; a success clears both. A source whose weighted count reaches
:data:`DISABLE_AT` is disabled: it is no longer fetched until ``marsad sources resume``.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from marsad.errors import InputError, NotFound
from marsad.model import FetchResult, Source

if TYPE_CHECKING:
    import httpx

    from marsad.archive import Archive
    from marsad.settings import WatchSettings

EVERY = 15 * 60  # seconds between fetches of a source, unless told
MIN_EVERY = 60
DISABLE_AT = 10.0  # weighted failures since the last success that disable a source
MAX_BACKOFF = 6 * 3600  # seconds: the longest a failing source is put off
KINDS = ("rss", "atom", "sitemap", "sitemap-index", "page")
# How much one failure of each kind weighs: what will not mend by itself weighs more.
WEIGHTS = {"timeout": 1.0, "network": 1.0, "retry-after": 0.5, "robots": 2.0, "size": 2.0,
           "redirects": 2.0, "feed": 2.0}
_GONE = {404: 3.0, 410: 3.0, 401: 2.0, 403: 2.0}
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_EVERY = re.compile(r"(\d+)([smhd])")


def stamp(when: datetime) -> str:
    """A time as the watch state keeps it: ISO, UTC, to the second ("2026-03-05T10:00:00Z")."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_every(text: str) -> int:
    """Seconds from "15m", "90s", "1h30m" or "1d"; InputError for anything else or under a minute."""
    spec = text.strip().lower()
    parts = _EVERY.findall(spec)
    if not parts or "".join(n + u for n, u in parts) != spec:
        raise InputError(f"--every {text!r}: give a duration such as 15m, 90s, 1h or 1h30m")
    seconds = sum(int(n) * _UNITS[u] for n, u in parts)
    if seconds < MIN_EVERY:
        raise InputError(f"--every {text!r}: a source is fetched at most once a minute")
    return seconds


def show_every(seconds: int) -> str:
    """The shortest spelling of a duration: 900 → "15m", 5400 → "1h30m"."""
    out = ""
    for unit, size in sorted(_UNITS.items(), key=lambda u: -u[1]):
        if seconds >= size:
            out += f"{seconds // size}{unit}"
            seconds %= size
    return out or "0s"


def find(arc: Archive, key: str) -> Source:
    """The source with this URL (as given or normalized) or name; NotFound otherwise."""
    from marsad.watch.urls import normalize

    sources = arc.backend.watch.sources()
    wanted = {key.strip(), _normalized(key, normalize)}
    for source in sources:
        if source.url in wanted or source.name == key.strip():
            return source
    raise NotFound(f"no source {key!r}: see `marsad sources list`")


def _normalized(url: str, normalize) -> str:
    try:
        return normalize(url.strip())
    except ValueError:
        return url


def add(arc: Archive, url: str, *, settings: WatchSettings, now: datetime, name: str | None = None,
        every: int = EVERY, kind: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None) -> Source:
    """Follow a new source. Without ``kind`` it is fetched once to learn what it is (a fetch or a
    body that fails is an InputError: nothing is added); it is due at once."""
    from marsad.watch.urls import normalize

    try:
        url = normalize(url.strip())
    except ValueError as e:
        raise InputError(f"{url!r} is not a web address: {e}") from None
    if not url.startswith(("http://", "https://")):
        raise InputError(f"{url!r} is not an http(s) address")
    if kind is None:
        kind = asyncio.run(sniff(url, settings, transport))
    elif kind not in KINDS:
        raise InputError(f"kind {kind!r}: one of {', '.join(KINDS)}")
    source = Source(url=url, name=name or url.split("/")[2], kind=kind, every=every, added=stamp(now),
                    next_due=stamp(now))
    if not arc.backend.watch.add_source(source):
        raise InputError(f"{url} is followed already")
    return source


async def sniff(url: str, settings: WatchSettings, transport: httpx.AsyncBaseTransport | None = None) -> str:
    """What a source is (rss, atom, sitemap or page), from one fetch of it."""
    from marsad.watch.discover import discover
    from marsad.watch.fetch import Fetcher

    async with Fetcher(settings, transport=transport) as fetcher:
        result = await fetcher.get(url)
    if result.error or result.body is None:
        raise InputError(f"cannot add the source: {result.error or 'no body'} (give --kind to add it anyway)")
    found = discover(result.body, result.content_type, result.final_url)
    if found.error:
        raise InputError(f"cannot add {url}: {found.error}")
    return found.kind


def remove(arc: Archive, key: str) -> Source:
    source = find(arc, key)
    arc.backend.watch.remove_source(source.url)
    return source


def pause(arc: Archive, key: str) -> Source:
    source = find(arc, key)
    source.paused = True
    arc.backend.watch.save_source(source)
    return source


def resume(arc: Archive, key: str, now: datetime) -> Source:
    """Fetch a paused or disabled source again, from now on, its failures forgiven."""
    source = find(arc, key)
    source.paused = False
    if source.status == "disabled":
        source.status, source.failures, source.consecutive_failures = "ok", 0.0, 0
    source.next_due = stamp(now)
    arc.backend.watch.save_source(source)
    return source


def due(sources: list[Source], now: datetime) -> list[Source]:
    """The sources to fetch now: neither paused nor disabled, and due."""
    at = stamp(now)
    return [s for s in sources if fetching(s) and (s.next_due or "") <= at]


def fetching(source: Source) -> bool:
    """Whether rounds fetch this source (and its article pages)."""
    return not source.paused and source.status != "disabled"


def succeeded(source: Source, result: FetchResult, now: datetime, md5: str | None) -> None:
    """A fetch that worked (a 304 included): validators kept verbatim, failures cleared."""
    source.last_fetched = stamp(now)
    source.next_due = stamp(now + timedelta(seconds=source.every))
    if not result.not_modified:
        source.etag, source.last_modified, source.body_md5 = result.etag, result.last_modified, md5
    source.status, source.failures, source.consecutive_failures, source.last_error = "ok", 0.0, 0, None


def failed(source: Source, now: datetime, kind: str, error: str, *, status: int | None = None,
           retry_after: float | None = None) -> None:
    """A fetch, or the body it brought, that failed: weighed, counted, and the next fetch put off."""
    weight = _GONE.get(status or 0, 2.0 if status and status < 500 else 1.0) if kind == "http" \
        else WEIGHTS.get(kind, 1.0)
    source.last_fetched = stamp(now)
    source.failures += weight
    source.consecutive_failures += 1
    source.last_error = error
    source.status = "disabled" if source.failures >= DISABLE_AT else "failing"
    wait = min(source.every * 2 ** (source.consecutive_failures - 1), max(source.every, MAX_BACKOFF))
    source.next_due = stamp(now + timedelta(seconds=max(wait, retry_after or 0)))
