"""The PostgreSQL store: articles and their entities, one unit of work per batch.

Articles are upserted by id and content hash, so that ingesting the same pages again changes
nothing. A batch locks the rows it writes (the stored versions of its ids, the entities it
counts), always in id order, and nothing else: several ingests write at once, and a batch that
still meets a deadlock with another is run again whole. The key of an article is its ``rowid``
column (an identity, named as on SQLite so that SQL can be shared), issued when it is first stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import errors as pgerrors

from marsad.archive.base import BatchResult, Store, Windows
from marsad.archive.postgres.entities import SQLiteStyle
from marsad.archive.postgres.trends import POSTGRES
from marsad.archive.rows import COLUMNS, Row, differs, mention_rows, stored_article, unique_rows
from marsad.archive.sqlite import entities as entity_rules
from marsad.archive.sqlite import trends as trend_counts
from marsad.archive.sqlite.store import (
    entity_list,
    entity_page,
    facet_counts,
    latest_sql,
)
from marsad.errors import ArchiveError, NotFound
from marsad.model import Article, EntitySummary

if TYPE_CHECKING:
    from marsad.archive.postgres import PostgresBackend

_INSERT = (f"INSERT INTO articles({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))}) "
           "ON CONFLICT (id) DO NOTHING RETURNING rowid, id")
_UPDATE = f"UPDATE articles SET {', '.join(c + ' = %s' for c in COLUMNS)} WHERE rowid = %s"
_KNOWN = ("SELECT id, rowid, content_hash, enrich_hash FROM articles WHERE id = ANY(%s) "
          "ORDER BY id FOR UPDATE")
# The fullest name seen wins: "فلاديمير بوتين" rather than "بوتين" for the same canonical id.
_ADD_ENTITY = ("INSERT INTO entities(id, name, type, articles) VALUES (%s, %s, %s, %s) "
               "ON CONFLICT(id) DO UPDATE SET articles = entities.articles + excluded.articles, name = CASE "
               "WHEN length(excluded.name) > length(entities.name) THEN excluded.name ELSE entities.name END")
_COPY_MENTIONS = 'COPY mentions(article, entity, text, type, start, "end", paragraph) FROM STDIN'
_RETRIES = 5  # runs of a batch that met a deadlock with another ingest


class PostgresStore(Store):
    def __init__(self, backend: PostgresBackend):
        self.backend = backend
        self.readonly = backend.readonly

    @contextmanager
    def transaction(self) -> Iterator[SQLiteStyle]:
        """One unit of work; yields its connection for the shared entity rules (SQLite-style SQL)."""
        with self.backend.unit_of_work(), self.backend.connection() as conn:
            yield SQLiteStyle(conn)

    # -- writing -------------------------------------------------------------

    def put_batch(self, articles: list[Article]) -> BatchResult:
        for attempt in range(_RETRIES):
            try:  # a savepoint inside the caller's unit of work: a deadlock undoes this batch only
                with self.backend.unit_of_work(), self.backend.connection() as conn, conn.transaction():
                    return self._put(articles)
            except (pgerrors.DeadlockDetected, ArchiveError) as e:
                deadlock = isinstance(e, pgerrors.DeadlockDetected) or \
                    isinstance(e.__cause__, pgerrors.DeadlockDetected)
                if not deadlock or attempt == _RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def _put(self, articles: list[Article]) -> BatchResult:
        result = BatchResult()
        rows = unique_rows(articles, result)
        with self.backend.cursor() as cur:
            known = _known(cur, [r.id for r in rows])
            placed = _insert(cur, sorted((r for r in rows if r.id not in known), key=lambda r: r.id))
            # Ids another ingest stored since we looked: now locked, compared like the others.
            known.update(_known(cur, [r.id for r in rows if r.id not in known and r.id not in placed]))
            changed = [(known[r.id][0], r) for r in rows
                       if r.id in known and differs(r, *known[r.id][1:])]
            if changed:
                self._drop(cur, [key for key, _ in changed])
                cur.executemany(_UPDATE, [(*r.values, key) for key, r in changed])
            fresh = [(placed[r.id], r) for r in rows if r.id in placed]
            stored = [(key, r.article) for key, r in changed + fresh]
            self._add_mentions(cur, stored)
        result.unchanged += len(rows) - len(fresh) - len(changed)
        result.written.extend(a.id for _, a in stored)
        result.stored = stored
        result.new += len(fresh)
        result.updated += len(changed)
        return result

    def compact(self) -> None:
        with self.backend.cursor() as cur:  # planner statistics after a bulk load
            cur.execute("ANALYZE articles")
            cur.execute("ANALYZE mentions")

    def _drop(self, cur: psycopg.Cursor, keys: list[int]) -> None:
        """Forget what the old versions of changed articles put in the entity tables (the search
        index replaces their rows when the new versions are indexed)."""
        counts = cur.execute("SELECT entity, count(DISTINCT article) FROM mentions WHERE article = ANY(%s) "
                             "GROUP BY entity ORDER BY entity", (keys,)).fetchall()
        cur.executemany("UPDATE entities SET articles = articles - %s WHERE id = %s",
                        [(n, entity) for entity, n in counts])
        cur.execute("DELETE FROM mentions WHERE article = ANY(%s)", (keys,))
        cur.execute("DELETE FROM entities WHERE id = ANY(%s) AND articles <= 0", ([e for e, _ in counts],))

    def rebuild_entities(self, keyed: Callable[[list[Article]], None] | None = None,
                         batch: int = 2000) -> int:
        """Build the entity tables again from every article's stored enrichment (see
        :meth:`marsad.archive.sqlite.store.SQLiteStore.rebuild_entities`)."""
        with self.backend.unit_of_work(), self.backend.cursor() as cur:
            cur.execute("LOCK TABLE entities, mentions IN EXCLUSIVE MODE")  # a rebuild runs alone
            for table in ("mentions", "entities", "entity_common"):
                cur.execute(f"DELETE FROM {table}")
            cur.execute("DELETE FROM entity_redirects WHERE source = 'auto'")
            count = 0
            every = self._rows("SELECT rowid, data, source FROM articles ORDER BY rowid")
            for chunk in _chunks(every, batch):
                stored = [(r[0], stored_article(r[1], r[2])) for r in chunk]
                if keyed is not None:
                    keyed([a for _, a in stored])
                self._add_mentions(cur, stored)
                count += len(chunk)
        return count

    def _add_mentions(self, cur: psycopg.Cursor, stored: list[tuple[int, Article]]) -> None:
        """Each mention under the key enrichment gave it, where analysts' corrections and merges
        lead it (a mention stored before mentions had keys: under its name)."""
        where = entity_rules.EntityMap(SQLiteStyle(cur.connection))  # analysts' corrections and merges
        mentions, entities = mention_rows(stored, where)
        counts: dict[str, list] = {}  # the batch's articles for each entity, written in one row
        for key, name, type_ in entities:
            entry = counts.setdefault(key, [key, name, type_, 0])
            entry[3] += 1
            if len(name) > len(entry[1]):
                entry[1] = name
        if not mentions:
            return
        cur.executemany(_ADD_ENTITY, [tuple(counts[k]) for k in sorted(counts)])  # locks in id order
        with cur.copy(_COPY_MENTIONS) as copy:
            for row in mentions:
                copy.write_row(row)
        entity_rules.apply_pins(SQLiteStyle(cur.connection), sorted(counts))

    # -- reading -------------------------------------------------------------

    def _rows(self, sql: str, params: Any = ()) -> Iterator[tuple]:
        """Rows of a query, streamed from a server-side cursor in one read transaction."""
        with self.backend.connection() as conn, conn.transaction(), \
                conn.cursor(name="marsad_rows") as cur:
            cur.itersize = 1000
            cur.execute(sql, params)
            yield from cur

    def _query(self, sql: str, params: Any = ()) -> list[tuple]:
        """Rows of a SQLite-style query (``?`` placeholders), as the shared SQL writes them."""
        with self.backend.connection() as conn:
            return SQLiteStyle(conn).execute(sql, params).fetchall()

    def get(self, id: str) -> Article:
        rows = self._query("SELECT data, source FROM articles WHERE id = ?", (id,))
        if not rows:
            raise NotFound(f"no article with id {id!r} in the archive")
        return stored_article(*rows[0])

    def latest(self, limit=20, offset=0, section=None, outlet=None) -> list[Article]:
        return [stored_article(*row) for row in self._query(*latest_sql(limit, offset, section, outlet))]

    def iter_articles(self, since: str | None = None) -> Iterator[Article]:
        where, params = ("WHERE published >= %s", (since,)) if since else ("", ())
        sql = f"SELECT data, source FROM articles {where} ORDER BY published NULLS FIRST, rowid"
        for row in self._rows(sql, params):
            yield stored_article(*row)

    def count(self) -> int:
        return self._query("SELECT count(*) FROM articles")[0][0]

    def facets(self) -> dict[str, list[tuple[str, int]]]:
        with self.backend.connection() as conn:
            return facet_counts(SQLiteStyle(conn))

    def entities(self, limit: int = 100, type: str | None = None) -> list[EntitySummary]:
        with self.backend.connection() as conn:
            return entity_list(SQLiteStyle(conn), limit, type)

    def entity(self, id: str) -> dict[str, Any]:
        with self.backend.connection() as conn:
            return entity_page(SQLiteStyle(conn), id)

    def window_totals(self, windows: Windows) -> list[int]:
        with self.backend.connection() as conn:
            return trend_counts.window_totals(SQLiteStyle(conn), windows, POSTGRES)

    def entity_windows(self, windows: Windows) -> list[tuple[str, str, str, int, int]]:
        with self.backend.connection() as conn:
            return trend_counts.entity_windows(SQLiteStyle(conn), windows, POSTGRES)

    def entity_reports(self, windows: Windows, ids: list[str]) -> list[tuple[str, str]]:
        with self.backend.connection() as conn:
            return trend_counts.entity_reports(SQLiteStyle(conn), windows, ids, POSTGRES)

    def close(self) -> None:
        self.backend.close()


def _known(cur: psycopg.Cursor, ids: list[str]) -> dict[str, tuple[int, str, str | None]]:
    """key, content hash and enrichment hash of the stored ones of ``ids``, their rows locked."""
    if not ids:
        return {}
    return {r[0]: r[1:] for r in cur.execute(_KNOWN, (sorted(ids),))}


def _insert(cur: psycopg.Cursor, rows: list[Row]) -> dict[str, int]:
    """Insert new articles; id → key of those inserted (an id another ingest stored meanwhile is not)."""
    if not rows:
        return {}
    cur.executemany(_INSERT, [r.values for r in rows], returning=True)
    placed = {}
    while True:
        for key, id in cur.fetchall():
            placed[id] = key
        if not cur.nextset():
            return placed


def _chunks(rows: Iterator[tuple], size: int) -> Iterator[list[tuple]]:
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
