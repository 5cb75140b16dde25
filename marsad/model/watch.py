"""Typed records of watching: followed sources and their rounds, what the polite fetcher returns
and what link discovery finds, saved-search alerts and their deliveries, and what is rising.
Imported by :mod:`marsad.model`, where the other stages find them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from marsad.model import Failure


# -- Watching sources (marsad.watch.sources, marsad.watch.loop, marsad.watch.health) --------------------

@dataclass(slots=True)
class Source:
    """One followed outlet feed, news sitemap or section page, and how fetching it has gone.
    Times are ISO UTC strings ("2026-03-05T10:00:00Z"), so that they sort as text."""

    url: str  # normalized (marsad.watch.urls.normalize)
    name: str
    kind: str  # "rss", "atom", "sitemap", "sitemap-index" (its sitemaps are read) or "page"
    every: int  # seconds between fetches
    added: str
    status: str = "ok"  # "ok", "failing" or "disabled" (after repeated failures)
    paused: bool = False
    etag: str | None = None  # the last response's ETag and Last-Modified, verbatim
    last_modified: str | None = None
    body_md5: str | None = None  # of the last body: the same body is not read again
    last_fetched: str | None = None
    next_due: str | None = None
    failures: float = 0.0  # weighted count of the failures since the last success
    consecutive_failures: int = 0
    last_error: str | None = None


@dataclass(slots=True)
class SourceDay:
    """One source's article counts on one UTC day ("" for totals over every day)."""

    source: str
    day: str
    discovered: int = 0  # article links seen for the first time
    fetched: int = 0  # article pages fetched
    stored: int = 0  # articles stored from them
    failed: int = 0  # article pages that failed to fetch, parse or store


@dataclass(slots=True)
class RoundReport:
    """What one round of ``marsad watch`` did."""

    started: str  # ISO UTC
    sources: int = 0  # sources fetched
    unchanged: int = 0  # of those, not modified (304) or the same body
    failing: int = 0  # of those, failed
    discovered: int = 0  # article links seen for the first time
    fetched: int = 0  # article pages fetched
    stored: int = 0  # articles stored from them
    new: int = 0  # of those, new or changed in the archive
    failed: int = 0  # article pages that failed to fetch, parse or store
    new_ids: list[str] = field(default_factory=list)  # articles new or changed in the archive
    alerts: dict[str, int] = field(default_factory=dict)  # what the alerts did (matched, delivered, failed)
    problems: list[Failure] = field(default_factory=list)  # what failed, with its reason
    seconds: float = 0.0
    stopped: bool = False  # cut short by a signal: what was left waits for the next round


@dataclass(slots=True)
class SourceHealth:
    """How a source is doing: its state, counts, and whether its volume fell far below its own norm."""

    source: Source
    today: SourceDay
    total: SourceDay
    in_archive: int  # articles of this source now in the archive
    norm: float | None  # median articles stored per day over its last 30 days (None: too little history)
    flagged: bool
    reason: str | None  # why it is flagged, one line
    days: list[SourceDay] = field(default_factory=list)  # the last days, oldest first
    flag_kind: str | None = None  # disabled, not-stored or quiet (marsad.watch.health.FLAG_LINES)
    flag_values: dict = field(default_factory=dict)  # the figures the reason names


# --- Watching: what the polite fetcher returns and what link discovery finds (marsad.watch) ---

@dataclass(slots=True)
class FetchResult:
    """One polite GET. ``error`` is one readable line when it failed, and ``error_kind`` says how:
    robots, timeout, http, size, redirects, network or retry-after."""

    url: str  # the URL asked for
    final_url: str | None = None  # where the body came from, after redirects
    status: int | None = None
    body: bytes | None = None
    content_type: str | None = None
    etag: str | None = None  # header values verbatim, to send back on the next conditional GET
    last_modified: str | None = None
    not_modified: bool = False  # a 304: the stored copy is still current
    error: str | None = None
    error_kind: str | None = None
    retry_after: float | None = None  # seconds the host asked us to wait (429, or 503 with Retry-After)

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(slots=True)
class Link:
    """An article link found in a feed, a sitemap or a section page (absolute and normalized)."""

    url: str
    title: str | None = None
    published: str | None = None  # ISO-8601 with its UTC offset, when the source gives a date


@dataclass(slots=True)
class Discovery:
    """What one feed, sitemap or section page lists; ``error`` is one readable line when it can't be read."""

    kind: str  # rss, atom, sitemap, sitemap-index (its links are sitemaps), page; unknown when none of them
    links: list[Link] = field(default_factory=list)
    error: str | None = None


# -- Alerts: saved searches and their deliveries (marsad.watch.alerts) -----------------------------

ALERT_EVERY = ("instant", "hourly", "daily")  # instant: in the round that stored the articles


@dataclass(slots=True)
class Alert:
    """A saved search: each new article it matches is delivered once, to its webhook and/or its email
    address. ``kind`` says how matches are found: "search" runs ``query`` (the search syntax) over
    each round's new articles; other kinds are named in :data:`marsad.watch.alerts.KINDS`."""

    name: str
    query: str
    every: str = "instant"  # one of ALERT_EVERY; hourly and daily alerts go out as digests
    webhook: str | None = None
    secret: str | None = None  # signs webhook bodies (HMAC-SHA256); never shown to readers
    email: str | None = None
    outlet: str | None = None  # only articles of this outlet (compared without regard to case)
    section: str | None = None
    kind: str = "search"
    created: str = ""  # ISO time, UTC
    last_digest: str | None = None  # when its last digest period was closed (hourly and daily)

    def public(self) -> dict[str, Any]:
        """What readers may see: no webhook address (often a secret itself), secret or email address."""
        return {"name": self.name, "query": self.query, "every": self.every, "kind": self.kind,
                "outlet": self.outlet, "section": self.section, "created": self.created,
                "channels": [c for c in ("webhook", "email") if getattr(self, c)]}


@dataclass(slots=True)
class Delivery:
    """One message to one target: a webhook POST, or an email (a digest may carry several alerts)."""

    id: int
    channel: str  # "webhook" or "email"
    target: str  # the webhook URL or the email address
    articles: dict[str, list[str]]  # alert name → ids of the articles it delivers, in order matched
    created: str  # ISO times, UTC
    status: str = "pending"  # "pending" (due at next_try), "sent" or "failed" (given up)
    attempts: int = 0
    next_try: str | None = None
    last_error: str | None = None
    sent: str | None = None


# -- What is rising (marsad.watch.trends) ------------------------------------------------------


@dataclass(slots=True)
class Trend:
    """An entity, story or alert in the current window, against its own baseline."""

    kind: str  # "entity", "story" or "alert"
    id: str
    name: str
    count: int  # reports in the current window (an outlet's articles of one text count once)
    share: float  # of the current window's reports
    baseline: float  # mean share over the baseline windows that had articles
    expected: float  # the baseline share at the current window's volume, in articles
    z: float
    rising: bool  # z over the threshold, with enough articles
    type: str | None = None  # an entity's type
    outlets: int = 0  # outlets reporting it in the current window
    new_outlets: int = 0  # of those, outlets that had not reported it in the baseline
    breaking: bool = False  # a story gaining outlets fast


@dataclass(slots=True)
class TrendReport:
    """What :func:`marsad.watch.trends.rising` found: the window, how it was read, the items."""

    kind: str
    window: str  # "1h" or "1d"
    now: str  # ISO time (UTC) at which the current window ends
    clock: str  # "published" or "ingested"
    articles: int  # reports in the current window
    baseline_windows: int  # windows before it that had reports
    items: list[Trend]
