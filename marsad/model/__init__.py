"""Typed records passed between marsad's stages.

Every stage takes and returns these dataclasses: ``parse`` makes ``Page`` and
``Article`` records, ``enrich`` fills their enrichment lists, ``archive``
stores them and ``search``/``relate`` return hits built from them.
Text is kept as printed; letter normalization belongs to search.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

# The records of watching (sources, fetches, alerts, trends) are in their own module and found here
# with the others.
from marsad.model.watch import (
    ALERT_EVERY,
    Alert,
    Delivery,
    Discovery,
    FetchResult,
    Link,
    RoundReport,
    Source,
    SourceDay,
    SourceHealth,
    Trend,
    TrendReport,
)

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


__all__ = [  # every record of every stage, those of watching included
    "ALERT_EVERY", "Alert", "Delivery", "Discovery", "FetchResult", "Link", "RoundReport", "Source",
    "SourceDay", "SourceHealth", "Trend", "TrendReport", "ARTICLE_KEYS", "META_KEYS", "ENRICH_KEYS",
    "ANALYZED_CHARS", "Image", "RelatedItem", "Teaser", "EntityMention", "DateMention", "Figure", "Quote",
    "Article", "Page", "Failure", "IngestReport", "SearchHit", "SearchResult", "RelatedHit", "CopyRef",
    "Story", "EntitySummary", "ArticleSummary",
]
