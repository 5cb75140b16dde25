"""The small storage interface behind :class:`marsad.archive.Archive`.

Parse and analysis code only ever sees :class:`Store`; the SQLite file is one
implementation (:mod:`marsad.archive.sqlite`), and a server database such as
PostgreSQL can be another without touching the stages around it.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from marsad.model import ENRICH_KEYS, Article, EntitySummary


@dataclass(slots=True)
class BatchResult:
    """What storing one batch did."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    ids: list[str] = field(default_factory=list)  # every id of the batch, once
    written: list[str] = field(default_factory=list)  # ids whose new or changed version was stored


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
