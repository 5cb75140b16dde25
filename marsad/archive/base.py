"""The storage interfaces behind :class:`marsad.archive.Archive`.

A :class:`Backend` is one archive database. It offers three parts, each a typed
interface, and one unit of work (a transaction) across them:

- :class:`Store`: the articles and their entities;
- :class:`SearchIndex`: the full-text index, which runs a parsed query
  (:mod:`marsad.search.expr`) and scores it with BM25;
- :class:`~marsad.archive.relatestate.RelateState`: what the relate stage keeps (copies, stories,
  related-article vectors);
- the state of the services above the archive (:mod:`marsad.archive.services`): what ``marsad watch``
  keeps, the alerts, and the batch engine's finished partitions.

Every SQL string lives in a backend package (``marsad.archive.sqlite``,
``marsad.archive.postgres``); search and relate keep only their pure code.
Articles are keyed by their id; inside a backend the parts join on an opaque
integer ``key`` that the store issues for each article (stable while the
article is stored), and callers pass it back without reading anything into it.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from marsad.errors import NotFound
from marsad.model import ENRICH_KEYS, Article, ArticleSummary, EntitySummary

if TYPE_CHECKING:
    from marsad.archive.relatestate import RelateState
    from marsad.archive.services import AlertState, EngineState, WatchState
    from marsad.search.analyze import Scheme
    from marsad.search.expr import Expr
    from marsad.search.facets import Facets
    from marsad.search.rank import Filters


@dataclass(slots=True)
class BatchResult:
    """What storing one batch did."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    ids: list[str] = field(default_factory=list)  # every id of the batch, once
    written: list[str] = field(default_factory=list)  # ids whose new or changed version was stored
    stored: list[tuple[int, Article]] = field(default_factory=list)  # (key, article) of those written


LEAD_CHARS = 400  # of a summary's lead: more than any list of articles shows


class Windows(NamedTuple):
    """``count`` consecutive time windows of ``width`` seconds ending at ``end`` (Unix seconds, UTC):
    window ``i`` covers ``[start + i * width, start + (i + 1) * width)``, ``start = end - count * width``.

    ``clock`` says which time places an article (:mod:`marsad.watch.trends` explains the choice):
    "published" is its publication time, but never later than the time it was stored (a wrong time
    zone cannot put it in the future) and the time it was stored when it has no readable date;
    "ingested" is the time it was stored."""

    end: int
    width: int
    count: int
    clock: str = "published"

    @property
    def start(self) -> int:
        return self.end - self.count * self.width


class Store(ABC):
    """Operations every archive backend offers. One batch is one transaction."""

    @abstractmethod
    def put_batch(self, articles: list[Article]) -> BatchResult:
        """Upsert articles (each with an id): same content is unchanged, changed content replaces.
        Only stores (articles and their entity mentions, under the keys the mentions carry); the
        ingest pipeline (:mod:`marsad.pipeline`) indexes ``BatchResult.stored`` in the same unit of work."""

    def compact(self) -> None:  # noqa: B027 - optional: a backend may have nothing to compact
        """Reorganize after a bulk load so that reading is fast again; optional."""

    @abstractmethod
    def get(self, id: str) -> Article:
        """The stored article; :class:`marsad.errors.NotFound` if absent."""

    def summaries(self, ids: Iterable[str]) -> list[ArticleSummary]:
        """The list fields of many articles, in the order of ``ids``; ids not stored are left out.
        ``lead`` is the deck, else the first paragraph, either possibly cut after LEAD_CHARS.

        This one reads each article whole; a backend reads just those fields, in one query."""
        found = []
        for id_ in dict.fromkeys(ids):
            try:
                a = self.get(id_)
            except NotFound:
                continue
            lead = a.deck or (a.paragraphs[0] if a.paragraphs else "")
            found.append(ArticleSummary(id_, a.headline, a.outlet, a.section, a.published, a.url, lead))
        return found

    @abstractmethod
    def latest(self, limit: int = 20, offset: int = 0, section: str | None = None,
               outlet: str | None = None) -> list[Article]:
        """Newest published first."""

    @abstractmethod
    def iter_articles(self, since: str | None = None) -> Iterator[Article]:
        """All stored articles, oldest published first; ``since`` is an ISO date or time."""

    @abstractmethod
    def count(self) -> int: ...

    @abstractmethod
    def facets(self) -> dict[str, list[tuple[str, int]]]:
        """``{"outlets": [(name, n)], "sections": [(name, n)]}``, largest first."""

    @abstractmethod
    def entities(self, limit: int = 100, type: str | None = None) -> list[EntitySummary]:
        """Canonical entities by number of articles mentioning them."""

    @abstractmethod
    def entity(self, id: str) -> dict[str, Any]:
        """One canonical entity with variants, timeline, co-mentioned entities and latest articles."""

    # Counted per window (:class:`Windows`), window 0 the oldest, each in one grouped query. A report
    # is an outlet's text: its articles of one copy group (one text filed in two sections) count once.

    @abstractmethod
    def window_totals(self, windows: Windows) -> list[int]:
        """The number of reports in each window."""

    @abstractmethod
    def entity_windows(self, windows: Windows) -> list[tuple[str, str, str, int, int]]:
        """(entity id, name, type, window, reports mentioning it) of every entity mentioned in a
        window; words the archive mostly prints untagged are left out."""

    @abstractmethod
    def entity_reports(self, windows: Windows, ids: list[str]) -> list[tuple[str, str]]:
        """(entity id, article id) of the articles of the last window mentioning these entities,
        by entity, newest first."""

    @abstractmethod
    def close(self) -> None: ...


class SearchIndex(ABC):
    """The full-text index of one backend. Writes happen inside the backend's unit of work.

    Scores are FTS5's bm25 values: negative, lower is better, the same on every backend for the
    same data and query (see :mod:`marsad.search.expr`)."""

    scheme: Scheme  # how its columns are analyzed; queries are compiled with it

    @abstractmethod
    def add(self, rows: Iterable[tuple[int, Article]],
            prepared: Mapping[str, list[str]] | None = None) -> None:
        """Index new or changed articles, (key, article); an article indexed before is replaced.
        ``prepared`` holds :func:`marsad.search.index.prepare` results of some of them, by article id."""

    @abstractmethod
    def remove(self, keys: Iterable[int]) -> None:
        """Drop articles from the index."""

    def compact(self) -> None:  # noqa: B027 - optional: a backend may have nothing to merge
        """Reorganize after a bulk load so that queries are fast again."""

    @abstractmethod
    def matches(self, expr: Expr, filters: Filters, *, scored: bool = True, groups: bool = False,
                newest: int | None = None, best: int | None = None) -> list[tuple]:
        """Matching articles as (key, score) rows, or (key, score, copy group or None) with
        ``groups``; score None unless ``scored``. ``newest``: only that many, the most recently
        stored, newest first; ``best``: only that many, the best scored. Otherwise in no set order."""

    def ranked(self, expr: Expr, filters: Filters, *, groups: bool, best: int,
               broad: int) -> tuple[list[tuple], int]:
        """What ranking a query needs: (every match, scored, when at most ``broad`` match, else the
        ``best`` best scored; how many match). Rows as :meth:`matches` gives them. A backend may
        answer it with fewer passes over the matches than these calls make."""
        rows = self.matches(expr, filters, groups=groups, newest=broad + 1)
        if len(rows) <= broad:
            return rows, len(rows)
        return self.matches(expr, filters, groups=groups, best=best), self.count(expr, filters)

    @abstractmethod
    def count(self, expr: Expr, filters: Filters) -> int:
        """How many articles match."""

    @abstractmethod
    def among(self, expr: Expr, filters: Filters, ids: list[str]) -> list[str]:
        """Those of the stored articles ``ids`` that match, in the order of ``ids``, once each: a
        saved search run on a round's new articles, reading only their postings."""

    @abstractmethod
    def hits(self, keys: list[int], body: bool = True) -> dict[int, tuple]:
        """key → (key, id, url, headline, outlet, published, body or None) of the given articles."""

    @abstractmethod
    def facets(self, expr: Expr, filters: Filters, entities: int) -> Facets:
        """The matching articles counted (``total``), by outlet and by section, each with every filter
        but its own, values most first, then by value; and the ``entities`` entities the most matching
        articles mention (none when 0), ``articles`` counting those, most first, then id, entities the
        archive lists only (no common words). One pass over the articles the query and the date
        filters match (:mod:`marsad.search.facets`)."""

    @abstractmethod
    def expansions(self, start: str, most: int) -> int:
        """How many index terms start with ``start``, counted up to ``most``."""

    @abstractmethod
    def deadline(self, seconds: float) -> AbstractContextManager[None]:
        """Within it, a query still running ``seconds`` after it started is stopped with
        :class:`marsad.search.budget.OverBudget`."""


class Backend(ABC):
    """One archive database: its parts, one unit of work across them, and a version for caches."""

    store: Store
    index: SearchIndex
    relate: RelateState
    watch: WatchState
    alerts: AlertState
    engine: EngineState
    readonly: bool

    @abstractmethod
    def unit_of_work(self) -> AbstractContextManager[None]:
        """One write transaction across the store, the index and the relate state: all of it is
        stored, or none of it. A unit of work inside another joins it."""

    @abstractmethod
    def version(self) -> Hashable:
        """A token that changes whenever anything is committed to the archive, by any process;
        caches keep results while it stays the same."""

    @abstractmethod
    def describe(self) -> str:
        """The archive's name for messages and cache keys: a file path, or a URL without password."""

    @abstractmethod
    def reopen(self) -> Backend:
        """A new read-only backend over the same archive, with connections of its own (for a
        background thread); the caller closes it."""

    @abstractmethod
    def close(self) -> None: ...


def article_id(article: Article) -> str:
    """The input's id, else a stable id from the url, else from the content."""
    if article.id:
        return article.id
    if article.url:
        return "u" + _digest(article.url.strip())[:20]
    return "c" + _digest(article.headline, *(article.paragraphs or [""]))[:20]  # as headline + "\n\n" + body


def encode(article: Article) -> tuple[str, str, str | None]:
    """The article's stored JSON (without its source path), the hash of its content fields,
    and the hash of its enrichment (None when it was not enriched).

    The two hashes are apart so that ingesting a page again without enrichment
    leaves its stored entities alone, while a newly enriched version replaces it.
    """
    data = article.to_dict()
    data.pop("source", None)
    extra = {k: data.pop(k) for k in ENRICH_KEYS if k in data}
    content = _dumps(data)
    if not extra:
        return content, _digest(content), None
    enrichment = _dumps(extra)
    return content[:-1] + "," + enrichment[1:], _digest(content), _digest(enrichment)


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _digest(*parts: str, step: int = 2**20) -> str:
    """The hash of ``parts`` joined by blank lines, read a megabyte at a time: a huge article's text is
    never copied whole to be hashed."""
    h = hashlib.blake2b(digest_size=16)
    for k, text in enumerate(parts):
        if k:
            h.update(b"\n\n")
        for i in range(0, len(text), step):
            h.update(text[i:i + step].encode("utf-8"))
    return h.hexdigest()
