"""What ``marsad watch`` keeps, on PostgreSQL: the same tables as on SQLite (see
:mod:`marsad.archive.sqlite.watch`), whose plain SQL runs here with psycopg's parameters."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from marsad.archive.sqlite.watch import SQLiteWatchState

if TYPE_CHECKING:
    from marsad.archive.postgres import PostgresBackend

MIGRATIONS: list[tuple[str, str]] = [
    ("watch-0001-sources-urls-days", """
CREATE TABLE watch_sources (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- the order added
    url TEXT COLLATE "C" UNIQUE NOT NULL,                 -- normalized
    name TEXT COLLATE "C" NOT NULL, kind TEXT NOT NULL,
    every INTEGER NOT NULL,                               -- seconds between fetches
    added TEXT NOT NULL,
    status TEXT NOT NULL,                                 -- ok, failing, disabled
    paused INTEGER NOT NULL,
    etag TEXT, last_modified TEXT,                        -- the last response's headers, verbatim
    body_md5 TEXT, last_fetched TEXT, next_due TEXT,
    failures DOUBLE PRECISION NOT NULL,                   -- weighted, since the last success
    consecutive_failures INTEGER NOT NULL,
    last_error TEXT
);
CREATE TABLE watch_urls (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- the order discovered
    url TEXT COLLATE "C" UNIQUE NOT NULL,                 -- normalized
    source TEXT COLLATE "C" NOT NULL,                     -- the source that led to it first
    state TEXT NOT NULL,                                  -- new, done, failed (tried again), dropped
    article_id TEXT COLLATE "C",                          -- the (first) article stored from it
    tries INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    discovered_at TEXT NOT NULL, fetched_at TEXT
);
CREATE INDEX watch_urls_state ON watch_urls(state, seq);
CREATE TABLE watch_articles (
    article_id TEXT COLLATE "C" NOT NULL, source TEXT COLLATE "C" NOT NULL, PRIMARY KEY (article_id, source)
);
CREATE INDEX watch_articles_source ON watch_articles(source);
CREATE TABLE watch_days (
    source TEXT COLLATE "C" NOT NULL, day TEXT COLLATE "C" NOT NULL,
    discovered INTEGER NOT NULL, fetched INTEGER NOT NULL, stored INTEGER NOT NULL, failed INTEGER NOT NULL,
    PRIMARY KEY (source, day)
);
"""),
]


class PostgresWatchState(SQLiteWatchState):
    backend: PostgresBackend  # type: ignore[assignment]

    def _rows(self, sql: str, args: Iterable = ()) -> list[tuple]:
        with self.backend.cursor() as cur:
            return cur.execute(sql.replace("?", "%s"), list(args)).fetchall()

    def _run(self, sql: str, args: Iterable = ()) -> int:
        with self.backend.cursor() as cur:
            return cur.execute(sql.replace("?", "%s"), list(args)).rowcount
