"""The storage interfaces behind :class:`marsad.archive.Archive`.

A :class:`Backend` is one archive database. It offers three parts, each a typed
interface, and one unit of work (a transaction) across them:

- :class:`Store`: the articles and their entities;
- :class:`SearchIndex`: the full-text index, which runs a parsed query
  (:mod:`marsad.search.expr`) and scores it with BM25;
- :class:`RelateState`: what the relate stage keeps (copies, stories, related-article vectors).

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
from typing import TYPE_CHECKING, Any

from marsad.model import ENRICH_KEYS, Article, EntitySummary

if TYPE_CHECKING:
    from marsad.search.analyze import Scheme
    from marsad.search.expr import Expr
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


class Store(ABC):
    """Operations every archive backend offers. One batch is one transaction."""

    @abstractmethod
    def put_batch(self, articles: list[Article], index_rows: Mapping[str, Any] | None = None) -> BatchResult:
        """Upsert articles (each with an id): same content is unchanged, changed content replaces.

        ``index_rows`` holds what the search index prepared ahead for some articles, by id
        (see :func:`marsad.search.index.prepare`); the store indexes the others itself."""

    def compact(self) -> None:  # noqa: B027 - optional: a backend may have nothing to compact
        """Reorganize after a bulk load so that reading is fast again; optional."""

    @abstractmethod
    def get(self, id: str) -> Article:
        """The stored article; :class:`marsad.errors.NotFound` if absent."""

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

    @abstractmethod
    def count(self, expr: Expr, filters: Filters) -> int:
        """How many articles match."""

    @abstractmethod
    def hits(self, keys: list[int], body: bool = True) -> dict[int, tuple]:
        """key → (key, id, url, headline, outlet, published, body or None) of the given articles."""

    @abstractmethod
    def facet(self, expr: Expr, filters: Filters, column: str) -> list[tuple[str, int]]:
        """(value, matching articles) of ``column`` ("outlet" or "section"), most first, then value."""

    @abstractmethod
    def expansions(self, start: str, most: int) -> int:
        """How many index terms start with ``start``, counted up to ``most``."""

    @abstractmethod
    def deadline(self, seconds: float) -> AbstractContextManager[None]:
        """Within it, a query still running ``seconds`` after it started is stopped with
        :class:`marsad.search.budget.OverBudget`."""


class RelateState(ABC):  # noqa: B024 - its abstract methods come with the relate re-lay
    """What the relate stage stores. Its methods are what :mod:`marsad.relate` needs; the
    SQLite backend is the reference implementation."""


class Backend(ABC):
    """One archive database: its parts, one unit of work across them, and a version for caches."""

    store: Store
    index: SearchIndex
    relate: RelateState
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
    def close(self) -> None: ...


def article_id(article: Article) -> str:
    """The input's id, else a stable id from the url, else from the content."""
    if article.id:
        return article.id
    if article.url:
        return "u" + _digest(article.url.strip())[:20]
    return "c" + _digest(article.headline + "\n\n" + article.body)[:20]


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


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()
