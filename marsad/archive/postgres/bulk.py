"""Writing much at once on PostgreSQL: how the long text columns are compressed, and the search
postings' primary key during a big load (below).

Articles' bodies and stored records, and the search index's analyzed columns, are compressed by
PostgreSQL when stored (TOAST). Its default method, pglz, took about a fifth of the server's work of
an ingest; with lz4 the same rows were stored in about half the time, for a somewhat bigger
archive. A server built without lz4 keeps pglz (the migration then changes nothing). Rows stored
before keep their method: both read back the same.
"""

from __future__ import annotations

import contextlib

import psycopg

MIGRATIONS: list[tuple[str, str]] = [
    ("pgload-0001-lz4-text", """
DO $$ BEGIN
    ALTER TABLE articles ALTER COLUMN body SET COMPRESSION lz4, ALTER COLUMN data SET COMPRESSION lz4;
    ALTER TABLE search_docs ALTER COLUMN cols SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN NULL;
END $$;
"""),
]


# -- the postings' primary key during a big load --------------------------------------------------
# Kept row by row, the primary key of the postings (about 200 rows an article, and as big as the table:
# it includes every column) is a large share of the server's work of an ingest, and slows down as it
# outgrows memory. Built once from sorted rows it costs no more at 30k articles and far less at scale,
# as pg_restore loads a table and then builds its indexes. So an ingest that has
# indexed at least as many articles as the index held when it began (and LOAD_AFTER at least) drops
# the key, loads on, and builds it again when it ends (compact or close). The drop is only ever made
# holding the session advisory lock LOAD_LOCK, on a connection of its own: a load killed midway
# leaves the key missing and the lock free, and the next writer to open the archive builds the key
# (`restore_key`). Other ingests meanwhile write on (their rows go in the same key when it is built);
# searches and reruns read the postings without it, slower. Building it locks the table (seconds
# for a 30k-article archive, minutes for millions).
LOAD_AFTER = 5_000  # articles an ingest indexes before it may drop the key (a small one never does)
LOAD_LOCK = 0x6D61_726C  # the advisory lock key of a load without the postings key ("marl")
_LOCK_ARGS = "%s, hashtext(current_schema())"  # one lock per archive (schema) of a database
_KEY = "search_postings_pkey"
# What stops a drop or a build without anything being wrong: readers holding the table past the wait, or
# a role that may write rows but not alter the table.
_CANNOT = (psycopg.errors.LockNotAvailable, psycopg.errors.InsufficientPrivilege)
_BUILD_MEMORY = "512MB"  # sort memory for building the key (PostgreSQL's default is 64 MB)


class PostingsLoad:
    """Counts what one backend indexed, and drops and builds the postings key for a big load."""

    def __init__(self, url: str, columns: tuple[str, ...]):
        self.url, self.columns = url, columns
        self.indexed = 0
        self.before: int | None = None  # articles in the index when this backend first added some
        self.holder: psycopg.Connection | None = None  # holds LOAD_LOCK while the key is dropped

    @property
    def active(self) -> bool:
        return self.holder is not None

    def adding(self, cur: psycopg.Cursor, count: int) -> None:
        """Before ``count`` articles are indexed: drop the key if the load is big enough. Called before
        the batch touches the postings, so that its own transaction does not hold the table."""
        if self.before is None:
            self.before = _indexed(cur)
        if self.holder is None and self.indexed >= max(LOAD_AFTER, self.before):
            self._drop()
        self.indexed += count

    def _drop(self) -> None:
        holder = psycopg.connect(self.url, autocommit=True, application_name="marsad")
        try:
            if holder.execute(f"SELECT pg_try_advisory_lock({_LOCK_ARGS})", (LOAD_LOCK,)).fetchone()[0]:
                with holder.transaction():  # waits (lock_timeout) for readers of the table
                    holder.execute("SET LOCAL lock_timeout = '2s'")
                    if _has_key(holder):
                        holder.execute(f"ALTER TABLE search_postings DROP CONSTRAINT {_KEY}")
                        self.holder, holder = holder, None
        except _CANNOT:  # busy readers, or a role that may not alter the table: row by row after all
            pass
        finally:
            if holder is not None:
                holder.close()
        if self.holder is None:
            self.before = float("inf")  # asked once an ingest

    def finish(self) -> None:
        """Build the key again (when this backend dropped it) and let go of the lock; the load is over
        (what this backend writes next goes in row by row)."""
        holder, self.holder = self.holder, None
        if holder is None:
            return
        self.before = float("inf")
        with holder, contextlib.suppress(_CANNOT):  # else the next writer to open the archive builds it
            build_key(holder, self.columns)


def build_key(conn: psycopg.Connection, columns: tuple[str, ...]) -> None:
    """Build the postings' primary key from the rows (sorted once), as the table was created."""
    with conn.transaction():
        conn.execute(f"SET LOCAL maintenance_work_mem = '{_BUILD_MEMORY}'")
        # Readers still at work are waited for; past that the key stays missing, and the next
        # writer to open the archive builds it.
        conn.execute("SET LOCAL lock_timeout = '60s'")
        if not _has_key(conn):
            conn.execute(f"ALTER TABLE search_postings ADD CONSTRAINT {_KEY} PRIMARY KEY (term, key)"
                         f" INCLUDE (dl, {', '.join(columns)})")


def restore_key(conn: psycopg.Connection, columns: tuple[str, ...]) -> None:
    """At a writer's opening: build the key a killed load left dropped (none is under way)."""
    if conn.execute("SELECT to_regclass('search_postings') IS NULL").fetchone()[0] or _has_key(conn):
        return
    if conn.execute(f"SELECT pg_try_advisory_lock({_LOCK_ARGS})", (LOAD_LOCK,)).fetchone()[0]:
        try:
            build_key(conn, columns)
        except _CANNOT:  # left to a writer that may (the table's owner), or to a quieter moment
            pass
        finally:
            conn.execute(f"SELECT pg_advisory_unlock({_LOCK_ARGS})", (LOAD_LOCK,))


def _has_key(conn: psycopg.Connection) -> bool:
    return conn.execute("SELECT count(*) FROM pg_constraint WHERE conname = %s AND conrelid ="
                        " 'search_postings'::regclass", (_KEY,)).fetchone()[0] > 0


def _indexed(cur: psycopg.Cursor) -> int:
    return cur.execute("SELECT coalesce(sum(docs), 0) FROM search_stats").fetchone()[0]
