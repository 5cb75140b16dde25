"""The SQLite store: one file, WAL mode, one transaction per batch.

Readers may search while an ingest writes (WAL). Every SQLite failure that a
user can meet (missing, corrupt, locked, read-only file) becomes an
:class:`~marsad.errors.ArchiveError` with one readable line, and a failed batch
is rolled back whole, so stored data is never lost.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from marsad.archive.base import LEAD_CHARS, BatchResult, Store, Windows
from marsad.archive.rows import COLUMNS, Row, differs, mention_rows, stored_article, unique_rows
from marsad.archive.sqlite import entities as entity_tables
from marsad.archive.sqlite import migrations
from marsad.archive.sqlite import trends as trend_counts
from marsad.errors import ArchiveError, NotFound
from marsad.model import Article, ArticleSummary, EntitySummary

# ``data`` may come as UTF-8 bytes (a huge article's, see _bytes_data), stored as the text it is.
_MARKS = {c: "CAST(? AS TEXT)" if c == "data" else "?" for c in COLUMNS}
_INSERT = (f"INSERT INTO articles(rowid, {', '.join(COLUMNS)}) "
           f"VALUES (?, {', '.join(_MARKS.values())})")
_UPDATE = (f"UPDATE articles SET {', '.join(f'{c} = {m}' for c, m in _MARKS.items())} WHERE rowid = ?")
_DATA = COLUMNS.index("data")
_BIG_DATA = 1 << 20  # characters of JSON from which an article's data is bound as UTF-8 bytes
# The fullest name seen wins: "فلاديمير بوتين" rather than "بوتين" for the same canonical id.
_ADD_ENTITY = ("INSERT INTO entities(id, name, type, articles) VALUES (?, ?, ?, 1) "
               "ON CONFLICT(id) DO UPDATE SET articles = articles + 1, name = CASE "
               "WHEN length(excluded.name) > length(name) THEN excluded.name ELSE name END")
_ADD_MENTION = ('INSERT INTO mentions(article, entity, text, type, start, "end", paragraph) '
                'VALUES (?, ?, ?, ?, ?, ?, ?)')
_SUMMARIES = ("SELECT id, headline, outlet, section, published, url, "
              f"coalesce(deck, substr(body, 1, {LEAD_CHARS})) FROM articles WHERE id IN ({{marks}})")
CACHE_KIB = 65536  # page cache of a connection
_MAX_VARS = 900  # bound parameters per IN (...) query, well under SQLite's limit


def connect(path: Path, *, readonly: bool = False, timeout: float = 10.0,
            cache_kib: int = CACHE_KIB) -> sqlite3.Connection:
    """Open the archive file with the pragmas marsad relies on; ArchiveError on any user-facing fault.
    ``cache_kib`` is the connection's private page cache (a server's many readers take less)."""
    _check_path(path, readonly)
    uri = f"file:{quote(str(path.resolve()))}" + ("?mode=ro" if readonly else "")
    if readonly and os.access(path, os.W_OK) and os.access(path.parent, os.W_OK):
        _upgrade(path, uri, timeout)
    with translate_errors(path):
        try:
            return _open(path, uri, readonly, timeout, cache_kib)
        except sqlite3.OperationalError as e:
            # A WAL archive on read-only media cannot get its shared-memory file: read it as immutable.
            if not readonly or not ("readonly" in str(e) or "unable to open" in str(e)):
                raise
            return _open(path, uri + "&immutable=1", readonly, timeout, cache_kib)


def _upgrade(path: Path, uri: str, timeout: float) -> None:
    """Apply migrations that stages added since the archive was written, so that readers find
    their tables; a reader that cannot write reads on as it is."""
    with translate_errors(path):
        conn = _open(path, uri, True, timeout)
        try:
            todo = migrations.pending(conn)
        finally:
            conn.close()
    if todo:
        _open(path, uri.removesuffix("?mode=ro"), False, timeout).close()


def _open(path: Path, uri: str, readonly: bool, timeout: float,
          cache_kib: int = CACHE_KIB) -> sqlite3.Connection:
    conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        _check_marsad(path, tables, readonly)
        if not readonly:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")  # durable at checkpoints; consistent always
        conn.execute(f"PRAGMA cache_size = -{int(cache_kib)}")
        conn.execute("PRAGMA temp_store = MEMORY")
        if not readonly:
            migrations.apply(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _check_path(path: Path, readonly: bool) -> None:
    if readonly and not path.exists():
        raise ArchiveError(f"no archive at {path}; build one with `marsad ingest PAGES --db {path}`")
    if path.is_dir():
        raise ArchiveError(f"{path} is a folder, not an archive file")
    folder = path.parent if str(path.parent) else Path(".")
    if not readonly and not folder.is_dir():
        raise ArchiveError(f"cannot create archive {path}: folder {folder} does not exist")
    if not readonly and path.exists() and not os.access(path, os.W_OK):
        raise ArchiveError(f"archive {path} is read-only; open it for reading or fix its permissions")
    if not readonly and not os.access(folder, os.W_OK):
        raise ArchiveError(f"folder {folder} is read-only; the archive needs it writable for its journal")


def _check_marsad(path: Path, tables: set[str], readonly: bool) -> None:
    """Refuse a database that is not ours, so that marsad never writes into someone else's file."""
    if tables and "migrations" not in tables:
        raise ArchiveError(f"{path} is an SQLite database but not a marsad archive")
    if readonly and "articles" not in tables:
        raise ArchiveError(f"{path} is empty, not a marsad archive; build one with `marsad ingest`")


@contextmanager
def translate_errors(path: Path) -> Iterator[None]:
    """Turn the SQLite errors a user can meet into one-line ArchiveErrors."""
    try:
        yield
    except sqlite3.DatabaseError as e:
        raise ArchiveError(_explain(path, e)) from e


def _explain(path: Path, error: sqlite3.DatabaseError) -> str:
    text = str(error)
    if "not a database" in text or "malformed" in text:
        return f"{path} is corrupt or not a marsad archive ({text})"
    if "locked" in text or "busy" in text:
        return f"archive {path} is locked by another process; try again when it has finished"
    if "readonly" in text or "read-only" in text:
        return f"archive {path} is read-only ({text}); check the file and folder permissions"
    if "disk is full" in text:
        return f"no space left for archive {path}; nothing of the failed batch was stored"
    if "unable to open" in text:
        return f"cannot open archive {path} ({text})"
    return f"archive {path}: {text}"


def _bytes_data(row: Row) -> Row:
    """``row`` with a huge article's JSON as UTF-8 bytes: sqlite3 would otherwise keep a UTF-8 copy
    of the string beside it while SQLite makes its own, one more copy of the article at its peak."""
    data = row.values[_DATA]
    if len(data) < _BIG_DATA:
        return row
    return row._replace(values=(*row.values[:_DATA], data.encode("utf-8"), *row.values[_DATA + 1:]))


class SQLiteStore(Store):
    def __init__(self, path: str | os.PathLike, *, readonly: bool = False, timeout: float = 10.0,
                 cache_kib: int = CACHE_KIB):
        self.path = Path(path)
        self.readonly = readonly
        self.conn = connect(self.path, readonly=readonly, timeout=timeout, cache_kib=cache_kib)

    # -- writing -------------------------------------------------------------

    def put_batch(self, articles: list[Article]) -> BatchResult:
        result = BatchResult()
        rows = [_bytes_data(r) for r in unique_rows(articles, result)]
        with self.transaction():
            known = self._known([r.id for r in rows])
            fresh = [r for r in rows if r.id not in known]
            changed = [(known[r.id][0], r) for r in rows if r.id in known and differs(r, *known[r.id][1:])]
            result.unchanged += len(rows) - len(fresh) - len(changed)
            if changed:
                self._drop([rowid for rowid, _ in changed])
                self.conn.executemany(_UPDATE, [(*r.values, rowid) for rowid, r in changed])
            start = self._next_rowid()
            placed = [(start + i, r) for i, r in enumerate(fresh)]
            self.conn.executemany(_INSERT, [(rowid, *r.values) for rowid, r in placed])
            stored = [(rowid, r.article) for rowid, r in changed + placed]
            self._add_mentions(stored)
        result.written.extend(a.id for _, a in stored)
        result.stored = stored
        result.new += len(fresh)
        result.updated += len(changed)
        return result

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it is stored, or none of it."""
        if self.conn.in_transaction:  # a unit of work inside another joins it
            yield self.conn
            return
        with translate_errors(self.path):
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def _known(self, ids: list[str]) -> dict[str, tuple[int, str, str | None]]:
        out = {}
        for i in range(0, len(ids), _MAX_VARS):
            chunk = ids[i:i + _MAX_VARS]
            sql = (f"SELECT id, rowid, content_hash, enrich_hash FROM articles "
                   f"WHERE id IN ({','.join('?' * len(chunk))})")
            out.update((r[0], r[1:]) for r in self.conn.execute(sql, chunk))
        return out

    def _next_rowid(self) -> int:
        return (self.conn.execute("SELECT max(rowid) FROM articles").fetchone()[0] or 0) + 1

    def _drop(self, rowids: list[int]) -> None:
        """Forget what the old versions of changed articles put in the entity tables (the search
        index replaces their rows when the new versions are indexed)."""
        for i in range(0, len(rowids), _MAX_VARS):
            chunk = rowids[i:i + _MAX_VARS]
            marks = ",".join("?" * len(chunk))
            pairs = self.conn.execute(
                f"SELECT DISTINCT entity, article FROM mentions WHERE article IN ({marks})", chunk).fetchall()
            self.conn.executemany("UPDATE entities SET articles = articles - 1 WHERE id = ?",
                                  [(entity,) for entity, _ in pairs])
            self.conn.execute(f"DELETE FROM mentions WHERE article IN ({marks})", chunk)
        self.conn.execute("DELETE FROM entities WHERE articles <= 0")

    def rebuild_entities(self, keyed: Callable[[list[Article]], None] | None = None,
                         batch: int = 2000) -> int:
        """Build the entity tables again from every article's stored enrichment, as ingest would
        now (after the canonical names or the merging rules changed; ``keyed`` gives the mentions
        their keys anew); analysts' corrections hold, merges made automatically are made again.
        Returns the number of articles read."""
        with self.transaction():
            for table in ("mentions", "entities", "entity_common"):
                self.conn.execute(f"DELETE FROM {table}")
            self.conn.execute("DELETE FROM entity_redirects WHERE source = 'auto'")
            rows = self.conn.execute("SELECT rowid, data, source FROM articles ORDER BY rowid").fetchall()
            for i in range(0, len(rows), batch):
                stored = [(r[0], stored_article(r[1], r[2])) for r in rows[i:i + batch]]
                if keyed is not None:
                    keyed([a for _, a in stored])
                self._add_mentions(stored)
        return len(rows)

    def _add_mentions(self, stored: list[tuple[int, Article]]) -> None:
        mentions, entities = mention_rows(stored, entity_tables.EntityMap(self.conn))
        if mentions:
            self.conn.executemany(_ADD_ENTITY, entities)
            self.conn.executemany(_ADD_MENTION, mentions)
            entity_tables.apply_pins(self.conn, {e[0] for e in entities})

    # -- reading -------------------------------------------------------------

    def get(self, id: str) -> Article:
        row = self.conn.execute("SELECT data, source FROM articles WHERE id = ?", (id,)).fetchone()
        if row is None:
            raise NotFound(f"no article with id {id!r} in the archive")
        return stored_article(*row)

    def summaries(self, ids: Iterable[str]) -> list[ArticleSummary]:
        ids = list(dict.fromkeys(ids))
        found: dict[str, ArticleSummary] = {}
        for start in range(0, len(ids), _MAX_VARS):
            chunk = ids[start:start + _MAX_VARS]
            rows = self.conn.execute(_SUMMARIES.format(marks=",".join("?" * len(chunk))), chunk)
            for id_, headline, outlet, section, published, url, lead in rows:
                lead = (lead or "").split("\n\n", 1)[0]  # the body's first paragraph
                found[id_] = ArticleSummary(id_, headline, outlet, section, published, url, lead)
        return [found[i] for i in ids if i in found]

    def latest(self, limit=20, offset=0, section=None, outlet=None) -> list[Article]:
        sql, params = latest_sql(limit, offset, section, outlet)
        return [stored_article(*row) for row in self.conn.execute(sql, params)]

    def iter_articles(self, since: str | None = None) -> Iterator[Article]:
        where, params = ("WHERE published >= ?", (since,)) if since else ("", ())
        sql = f"SELECT data, source FROM articles {where} ORDER BY published, rowid"
        for row in self.conn.execute(sql, params):
            yield stored_article(*row)

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]

    def facets(self) -> dict[str, list[tuple[str, int]]]:
        return facet_counts(self.conn)

    def entities(self, limit: int = 100, type: str | None = None) -> list[EntitySummary]:
        return entity_list(self.conn, limit, type)

    def entity(self, id: str) -> dict[str, Any]:
        return entity_page(self.conn, id)

    def window_totals(self, windows: Windows) -> list[int]:
        return trend_counts.window_totals(self.conn, windows)

    def entity_windows(self, windows: Windows) -> list[tuple[str, str, str, int, int]]:
        return trend_counts.entity_windows(self.conn, windows)

    def entity_reports(self, windows: Windows, ids: list[str]) -> list[tuple[str, str]]:
        return trend_counts.entity_reports(self.conn, windows, ids)

    def close(self) -> None:
        if not self.readonly:
            with contextlib.suppress(sqlite3.Error):  # planner statistics; never a reason to fail
                self.conn.execute("PRAGMA optimize")
        self.conn.close()


def facet_counts(conn: Any) -> dict[str, list[tuple[str, int]]]:
    """Articles per outlet and per section, most first (the same SQL on PostgreSQL)."""
    return {f"{col}s": [tuple(r) for r in conn.execute(
        f"SELECT {col}, count(*) AS n FROM articles WHERE {col} IS NOT NULL "
        f"GROUP BY {col} ORDER BY n DESC, {col}")] for col in ("outlet", "section")}


def entity_list(conn: Any, limit: int, type: str | None) -> list[EntitySummary]:
    """Canonical entities by number of articles (the same SQL on PostgreSQL)."""
    where, params = ("AND type = ?", [type]) if type else ("", [])
    # Words the archive mostly prints untagged are no entities (marsad.archive.sqlite.entities).
    where += " AND id NOT IN (SELECT id FROM entity_common)"
    sql = (f"SELECT id, name, type, articles FROM entities WHERE articles > 0 {where} "
           "ORDER BY articles DESC, id LIMIT ?")
    return [EntitySummary(*row) for row in conn.execute(sql, [*params, limit])]


def entity_page(conn: Any, id: str) -> dict[str, Any]:
    """One entity with its variants, timeline, co-mentioned entities and latest articles.
    The SQL is the same on PostgreSQL, whose backend runs it through a connection that takes ``?``."""
    q = conn.execute
    id = entity_tables.resolve_id(conn, id)  # an id merged into another leads to it
    row = q("SELECT id, name, type, articles FROM entities WHERE id = ?", (id,)).fetchone()
    if row is None:
        raise NotFound(f"no entity with id {id!r} in the archive")
    return {
        "id": row[0], "name": row[1], "type": row[2], "articles": row[3],
        "variants": [r[0] for r in q(
            "SELECT text, count(*) AS n FROM mentions WHERE entity = ? GROUP BY text "
            "ORDER BY n DESC, text", (id,))],
        "timeline": [tuple(r) for r in q(
            "SELECT substr(a.published, 1, 7) AS month, count(DISTINCT a.rowid) FROM mentions m "
            "JOIN articles a ON a.rowid = m.article WHERE m.entity = ? AND a.published IS NOT NULL "
            "GROUP BY month ORDER BY month", (id,))],
        # For a co-mentioned entity, `articles` counts the articles shared with this one.
        "co_mentioned": [EntitySummary(*r) for r in q(
            "SELECT e.id, e.name, e.type, count(DISTINCT o.article) AS n FROM mentions m "
            "JOIN mentions o ON o.article = m.article AND o.entity != m.entity "
            "JOIN entities e ON e.id = o.entity WHERE m.entity = ? "
            "GROUP BY e.id ORDER BY n DESC, e.id LIMIT 10", (id,))],
        "latest": [stored_article(*r) for r in q(
            "SELECT data, source FROM articles WHERE rowid IN "
            "(SELECT article FROM mentions WHERE entity = ?) "
            "ORDER BY published DESC NULLS LAST, rowid DESC LIMIT 10", (id,))],
        "variant_articles": _variant_articles(conn, id),
    }


def _variant_articles(conn: Any, id: str, each: int = 5) -> dict[str, list[dict[str, Any]]]:
    """For each printed variant of an entity, the newest articles it came from (id, headline,
    published) and how many there are in all."""
    out: dict[str, list[dict[str, Any]]] = {}
    for text, aid, headline, published in conn.execute(
            "SELECT m.text, a.id, a.headline, a.published FROM mentions m JOIN articles a "
            "ON a.rowid = m.article WHERE m.entity = ? GROUP BY m.text, a.rowid "
            "ORDER BY m.text, a.published DESC NULLS LAST, a.rowid DESC", (id,)):
        out.setdefault(text, []).append({"id": aid, "headline": headline, "published": published})
    return {text: found[:each] + ([{"more": len(found) - each}] if len(found) > each else [])
            for text, found in out.items()}


def latest_sql(limit: int, offset: int, section: str | None, outlet: str | None) -> tuple[str, list]:
    """SQL and parameters for the newest articles, optionally of one section and/or outlet."""
    conds, params = [], []
    for col, value in (("section", section), ("outlet", outlet)):
        if value:
            conds.append(f"{col} = ?")
            params.append(value)
    where = f"WHERE {' AND '.join(conds)}" if conds else ""
    # Undated last on both backends (PostgreSQL would put NULL first in a descending order).
    sql = (f"SELECT data, source FROM articles {where} ORDER BY published DESC NULLS LAST, rowid DESC "
           "LIMIT ? OFFSET ?")
    return sql, [*params, limit, offset]
