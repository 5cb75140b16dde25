"""Typed records passed between marsad's stages.

Every stage takes and returns these dataclasses: ``parse`` makes ``Page`` and
``Article`` records, ``enrich`` fills their enrichment lists, ``archive``
stores them and ``search``/``relate`` return hits built from them.
Text is kept as printed; letter normalization belongs to search.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

# Keys of an article in `marsad parse --json`, in the order of the gold file.
ARTICLE_KEYS = ("headline", "deck", "kind", "author", "dateline", "images", "paragraphs", "related")
# Metadata keys, printed only when known (HTML, JSONL, feeds).
META_KEYS = ("id", "url", "outlet", "publisher", "section", "published", "language", "source", "extra",
             "warnings")
ENRICH_KEYS = ("entities", "dates", "figures", "quotes")
# How much of one body search and relate analyze: about 170,000 words, far past any article (a long
# report is some 10,000). A bigger page is stored whole but searched by its start, so that memory and
# time of its analysis stay bounded however big the page (validation warns on such an article).
ANALYZED_CHARS = 1_000_000
# A field made with this is left out of JSON while it is None, so that outputs keep the gold shape.
_OPTIONAL = field(default=None, metadata={"omit_none": True})


@dataclass(slots=True)
class Image:
    caption: str
    credit: str | None = None
    agency: str | None = None  # reuters, afp, epa, ap, getty, archive, other
    lead: bool = False
    after_paragraph: int | None = None  # how many body paragraphs precede it; None for the lead


@dataclass(slots=True)
class RelatedItem:
    """One item of a "related articles" box printed on the page."""

    headline: str
    section: str | None = None
    image_caption: str | None = None
    image_credit: str | None = None
    image_agency: str | None = None
    teaser: str | None = None
    source: str | None = None
    dateline: str | None = None
    url: str | None = _OPTIONAL


@dataclass(slots=True)
class Teaser:
    """A listing-page item that belongs to no article on the page."""

    headline: str
    teaser: str | None = None
    author: str | None = None
    url: str | None = _OPTIONAL


@dataclass(slots=True)
class EntityMention:
    text: str
    type: str  # PERS, LOC, ORG, MISC
    start: int  # offsets into the paragraph
    end: int
    paragraph: int  # index into the article's paragraphs; -1 is the headline
    canonical: str | None = None
    # The entity's id, made by enrichment (marsad.enrich.canonical.entity_key). A field of its own:
    # a Field object shared by two dataclasses takes the name of the last field it was given to.
    key: str | None = field(default=None, metadata={"omit_none": True})
    # The tagger's confidence that this is a name (0-1; marsad.enrich.ner.find_scored_entities), None
    # for a mention it did not tag itself (a known name, a role).
    score: float | None = field(default=None, metadata={"omit_none": True})


@dataclass(slots=True)
class DateMention:
    text: str
    iso: str  # YYYY, YYYY-MM or YYYY-MM-DD
    start: int
    end: int
    paragraph: int
    relative: bool = False
    calendar: str = "gregorian"  # or "hijri" (iso is always Gregorian)


@dataclass(slots=True)
class Figure:
    text: str
    value: float
    kind: str  # percent, money, count
    unit: str | None  # "%", ISO currency code (DINAR: a dinar the text never places), or None
    counted: str | None  # what is counted: "شخص", "بحار", ...
    start: int
    end: int
    paragraph: int


@dataclass(slots=True)
class Quote:
    text: str
    speaker: str | None
    paragraph: int
    canonical: str | None = None  # the speaker's canonical entity
    key: str | None = field(default=None, metadata={"omit_none": True})  # the speaker entity's id


@dataclass(slots=True)
class Article:
    headline: str
    paragraphs: list[str] = field(default_factory=list)
    deck: str | None = None
    kind: str = "news"  # news or opinion
    author: str | None = None
    dateline: str | None = None
    images: list[Image] = field(default_factory=list)
    related: list[RelatedItem] = field(default_factory=list)
    # metadata
    id: str | None = None
    url: str | None = None
    outlet: str | None = None
    publisher: str | None = None
    section: str | None = None
    published: str | None = None  # ISO 8601
    language: str | None = None
    source: str | None = None  # where the page came from: a path, or path#record
    extra: dict[str, Any] = field(default_factory=dict)  # input fields kept as given
    warnings: list[str] = field(default_factory=list)  # what validation coerced or dropped (marsad.validate)
    # enrichment
    entities: list[EntityMention] | None = None
    dates: list[DateMention] | None = None
    figures: list[Figure] | None = None
    quotes: list[Quote] | None = None

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)

    def body_chars(self) -> int:
        """``len(self.body)``, without joining the paragraphs."""
        return sum(map(len, self.paragraphs)) + 2 * max(0, len(self.paragraphs) - 1)

    def analyzed_body(self) -> str:
        """The body as search and relate read it: all of it, or its first :data:`ANALYZED_CHARS`
        characters cut at a word's end when it is longer (never a full-size copy of a huge body)."""
        limit = ANALYZED_CHARS
        kept, size = [], 0
        for p in self.paragraphs:
            if size + len(p) > limit:
                room = max(0, limit - size)
                head = p[:room + 1]  # one character more tells whether the cut falls inside a word
                cut = head[:room] if head[room:].isspace() else head[:room].rpartition(" ")[0]
                if cut.strip():
                    kept.append(cut.rstrip())
                break
            kept.append(p)
            size += len(p) + 2
        return "\n\n".join(kept)

    def text_at(self, paragraph: int) -> str:
        """The text a mention's offsets index into: paragraph -1 is the headline."""
        return self.headline if paragraph == -1 else self.paragraphs[paragraph]

    def to_dict(self) -> dict[str, Any]:
        """The gold-file shape, plus metadata and enrichment where present."""
        out: dict[str, Any] = {k: _plain(getattr(self, k)) for k in ARTICLE_KEYS}
        for k in META_KEYS:
            v = getattr(self, k)
            if v:
                out[k] = _plain(v)
        for k in ENRICH_KEYS:
            v = getattr(self, k)
            if v is not None:
                out[k] = _plain(v)
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Article:
        kw = {f.name: d[f.name] for f in fields(cls) if f.name in d}
        kw["images"] = [Image(**i) for i in d.get("images") or []]
        kw["related"] = [RelatedItem(**r) for r in d.get("related") or []]
        for key, typ in (("entities", EntityMention), ("dates", DateMention),
                         ("figures", Figure), ("quotes", Quote)):
            if d.get(key) is not None:
                kw[key] = [typ(**x) for x in d[key]]
        return cls(**kw)


@dataclass(slots=True)
class Page:
    """What parsing one page gives: its articles and its stray teasers."""

    articles: list[Article] = field(default_factory=list)
    teasers: list[Teaser] = field(default_factory=list)
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"articles": [a.to_dict() for a in self.articles],
                "teasers": [_plain(t) for t in self.teasers]}


@dataclass(slots=True)
class Failure:
    """An input that could not be handled, reported while the batch goes on."""

    source: str
    stage: str  # read, parse, enrich, store
    reason: str


def _plain(v: Any) -> Any:
    if hasattr(v, "__dataclass_fields__"):
        return {f.name: _plain(getattr(v, f.name)) for f in fields(v)
                if not (f.metadata.get("omit_none") and getattr(v, f.name) is None)}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


@dataclass(slots=True)
class IngestReport:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[Failure] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)  # ids of the articles stored or found unchanged
    skipped: list[str] = field(default_factory=list)  # files in folders that are not pages (README, images)
    warnings: list[Failure] = field(default_factory=list)  # stored, with a value coerced or dropped


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


@dataclass(slots=True)
class SearchHit:
    id: str
    url: str | None
    title: str
    outlet: str | None
    published: str | None
    score: float
    snippet: str  # HTML-safe text with matches wrapped in <mark>…</mark>
    copies: int = 0  # matching copies folded into this hit (each one listed in ``folded``)
    folded: list[SearchHit] = field(default_factory=list)  # those copies, best first, without snippets


@dataclass(slots=True)
class SearchResult:
    total: int  # matching articles, copies included
    hits: list[SearchHit] = field(default_factory=list)
    folded: int = 0  # of ``total``, the articles shown under another hit as its copies

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "folded": self.folded, "hits": [_plain(h) for h in self.hits]}


@dataclass(slots=True)
class RelatedHit:
    id: str
    title: str
    outlet: str | None
    published: str | None
    score: float
    reason: str


@dataclass(slots=True)
class CopyRef:
    """An article of a group of copies (one text syndicated or republished), as readers see it."""
    id: str
    title: str
    outlet: str | None
    published: str | None
    url: str | None
    source: bool  # the group's source text (the first stored), which the others copy


@dataclass(slots=True)
class Story:
    id: str
    title: str
    articles: list[str]
    outlets: list[str]
    first_seen: str | None
    last_seen: str | None


@dataclass(slots=True)
class EntitySummary:
    id: str  # stable key of the canonical entity
    name: str  # canonical name
    type: str
    articles: int  # number of articles mentioning it


@dataclass(slots=True)
class ArticleSummary:
    """The few fields a list of articles shows, read without decoding whole articles."""

    id: str
    headline: str
    outlet: str | None
    section: str | None
    published: str | None
    url: str | None
    lead: str  # the deck, else the start of the first paragraph ("" when there is neither)


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
