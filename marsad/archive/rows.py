"""What both archive backends make of a batch before they write it, with no SQL: one row of column
values per article id, whether a stored version differs, the mention and entity rows of what was
stored, and an article read back from its stored JSON."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import NamedTuple

from marsad.archive.base import BatchResult, article_id, encode
from marsad.model import Article

COLUMNS = ("id", "url", "headline", "deck", "outlet", "publisher", "section", "published", "author",
           "kind", "dateline", "body", "data", "source", "content_hash", "ingested_at", "enrich_hash",
           "language")
# ``body`` holds what search and relate read (Article.analyzed_body: of a huge article, its start);
# ``data`` holds the article whole, so the full text is stored once.


class Row(NamedTuple):
    id: str
    hash: str
    enrich_hash: str | None
    values: tuple  # in COLUMNS order
    article: Article


def unique_rows(articles: list[Article], result: BatchResult) -> list[Row]:
    """One row per id: a repeat with the same content counts as unchanged, a changed repeat wins."""
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    rows: dict[str, Row] = {}
    for a in articles:
        a.id = article_id(a)
        data, digest, enrich_digest = encode(a)
        row = Row(a.id, digest, enrich_digest, (
            a.id, a.url, a.headline, a.deck, a.outlet, a.publisher, a.section, a.published, a.author,
            a.kind, a.dateline, a.analyzed_body(), data, a.source, digest, stamp, enrich_digest,
            a.language or "ar"), a)  # parse leaves Arabic unmarked; the column says it
        if a.id not in rows:
            result.ids.append(a.id)
        elif not differs(row, rows[a.id].hash, rows[a.id].enrich_hash):
            result.unchanged += 1
            continue
        else:
            result.updated += 1
        rows[a.id] = row
    return list(rows.values())


def differs(row: Row, stored_hash: str, stored_enrich_hash: str | None) -> bool:
    """Changed content replaces; so does new enrichment, but a plain re-parse keeps stored enrichment."""
    if row.hash != stored_hash:
        return True
    return row.enrich_hash is not None and row.enrich_hash != stored_enrich_hash


def stored_article(data: str, source: str | None) -> Article:
    article = Article.from_dict(json.loads(data))
    article.source = source
    return article


def mention_rows(stored: Iterable[tuple[int, Article]], where: Callable[[str, str], str]
                 ) -> tuple[list[tuple], list[tuple[str, str, str]]]:
    """The mention rows (article key, entity, text, type, start, end, paragraph) of stored articles, and
    (entity, name, type) once for each entity an article mentions. Each mention goes under the key
    enrichment gave it, as ``where`` (analysts' corrections and merges) leads it; a mention stored before
    mentions had keys, under its name."""
    mentions, entities = [], []
    for key_of_article, article in stored:
        seen = set()
        for m in article.entities or ():
            name = " ".join((m.canonical or m.text).split())
            key = where(m.key or name, m.text)
            mentions.append((key_of_article, key, m.text, m.type, m.start, m.end, m.paragraph))
            if key not in seen:
                seen.add(key)
                entities.append((key, name, m.type))
    return mentions, entities
