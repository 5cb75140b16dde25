"""What ``marsad watch`` keeps, on SQLite: its tables and the SQL that reads and writes them.

``watch_sources`` holds the followed sources (ETag and Last-Modified verbatim, the body's MD5,
the weighted failure count); ``watch_urls`` every article URL a source led to, normalized, with
what came of fetching it (``new``, ``done``, ``failed`` to be tried again, ``dropped``);
``watch_articles`` the source of each stored article; ``watch_days`` per source per UTC day counts.

The statements are plain SQL that PostgreSQL runs as well: its state
(:mod:`marsad.archive.postgres.watch`) is this class over a cursor, with its own migration.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import astuple, fields
from typing import TYPE_CHECKING

from marsad.archive.services import WatchState
from marsad.model import Source, SourceDay

if TYPE_CHECKING:
    from marsad.archive.sqlite import SQLiteBackend

MIGRATIONS: list[tuple[str, str]] = [
    ("watch-0001-sources-urls-days", """
CREATE TABLE watch_sources (
    seq INTEGER PRIMARY KEY,             -- the order added
    url TEXT UNIQUE NOT NULL,            -- normalized
    name TEXT NOT NULL, kind TEXT NOT NULL,
    every INTEGER NOT NULL,              -- seconds between fetches
    added TEXT NOT NULL,
    status TEXT NOT NULL,                -- ok, failing, disabled
    paused INTEGER NOT NULL,
    etag TEXT, last_modified TEXT,       -- the last response's headers, verbatim
    body_md5 TEXT, last_fetched TEXT, next_due TEXT,
    failures REAL NOT NULL,              -- weighted, since the last success
    consecutive_failures INTEGER NOT NULL,
    last_error TEXT
);
CREATE TABLE watch_urls (
    seq INTEGER PRIMARY KEY,             -- the order discovered
    url TEXT UNIQUE NOT NULL,            -- normalized
    source TEXT NOT NULL,                -- the source that led to it first
    state TEXT NOT NULL,                 -- new, done, failed (tried again), dropped
    article_id TEXT,                     -- the (first) article stored from it
    tries INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    discovered_at TEXT NOT NULL, fetched_at TEXT
);
CREATE INDEX watch_urls_state ON watch_urls(state, seq);
CREATE TABLE watch_articles (
    article_id TEXT NOT NULL, source TEXT NOT NULL, PRIMARY KEY (article_id, source)
);
CREATE INDEX watch_articles_source ON watch_articles(source);
CREATE TABLE watch_days (
    source TEXT NOT NULL, day TEXT NOT NULL,
    discovered INTEGER NOT NULL, fetched INTEGER NOT NULL, stored INTEGER NOT NULL, failed INTEGER NOT NULL,
    PRIMARY KEY (source, day)
);
"""),
]

_PART = 500  # parameters per IN (...) list
_FIELDS = [f.name for f in fields(Source)]
_COUNTS = ("discovered", "fetched", "stored", "failed")
_ADD_DAY = (f"INSERT INTO watch_days (source, day, {', '.join(_COUNTS)}) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (source, day) DO UPDATE SET "
            + ", ".join(f"{c} = watch_days.{c} + excluded.{c}" for c in _COUNTS))
# Another URL of a page fetched (where it redirected): known from now on.
_KNOWN_TOO = ("INSERT INTO watch_urls (url, source, state, article_id, discovered_at, fetched_at) "
              "VALUES (?, ?, 'done', ?, ?, ?) ON CONFLICT (url) DO UPDATE SET state = 'done', "
              "article_id = excluded.article_id, fetched_at = excluded.fetched_at")


def _source(row: tuple) -> Source:
    source = Source(*row)
    source.paused = bool(source.paused)
    return source


def _parts(items: list[str]) -> Iterable[list[str]]:
    for i in range(0, len(items), _PART):
        yield items[i:i + _PART]


def _marks(n: int) -> str:
    return ", ".join("?" * n)


class SQLiteWatchState(WatchState):
    def __init__(self, backend: SQLiteBackend):
        self.backend = backend

    # -- how statements run: overridden by the PostgreSQL state --------------------------

    def _rows(self, sql: str, args: Iterable = ()) -> list[tuple]:
        return self.backend.conn.execute(sql, list(args)).fetchall()

    def _run(self, sql: str, args: Iterable = ()) -> int:
        """Run a write; how many rows it changed."""
        return self.backend.conn.execute(sql, list(args)).rowcount

    # -- sources ------------------------------------------------------------------------

    def add_source(self, source: Source) -> bool:
        with self.backend.unit_of_work():
            if self._rows("SELECT 1 FROM watch_sources WHERE url = ?", [source.url]):
                return False
            self._run(f"INSERT INTO watch_sources ({', '.join(_FIELDS)}) VALUES ({_marks(len(_FIELDS))})",
                      self._values(source))
        return True

    def save_source(self, source: Source) -> None:
        sets = ", ".join(f"{name} = ?" for name in _FIELDS[1:])
        with self.backend.unit_of_work():
            self._run(f"UPDATE watch_sources SET {sets} WHERE url = ?",
                      [*self._values(source)[1:], source.url])

    @staticmethod
    def _values(source: Source) -> list:
        values = list(astuple(source))
        values[_FIELDS.index("paused")] = int(source.paused)
        return values

    def remove_source(self, url: str) -> bool:
        with self.backend.unit_of_work():
            if not self._run("DELETE FROM watch_sources WHERE url = ?", [url]):
                return False
            self._run("DELETE FROM watch_days WHERE source = ?", [url])
            self._run("DELETE FROM watch_articles WHERE source = ?", [url])
            # Its pages fetched stay known (never fetched twice); those waiting are not fetched.
            self._run("DELETE FROM watch_urls WHERE source = ? AND state IN ('new', 'failed')", [url])
        return True

    def sources(self) -> list[Source]:
        rows = self._rows(f"SELECT {', '.join(_FIELDS)} FROM watch_sources ORDER BY seq")
        return [_source(r) for r in rows]

    # -- article URLs ------------------------------------------------------------------

    def discover(self, source: str, urls: list[str], at: str) -> list[str]:
        urls = list(dict.fromkeys(urls))
        with self.backend.unit_of_work():
            seen = self.known(urls)
            new = [u for u in urls if u not in seen]
            for url in new:
                self._run("INSERT INTO watch_urls (url, source, state, discovered_at) "
                          "VALUES (?, ?, 'new', ?)", [url, source, at])
        return new

    def pending(self, sources: list[str], tries: int) -> list[tuple[str, str, int]]:
        wanted = set(sources)
        rows = self._rows("SELECT url, source, tries FROM watch_urls WHERE state IN ('new', 'failed') "
                          "AND tries < ? ORDER BY seq", [tries])
        return [row for row in rows if row[1] in wanted]

    def fetched(self, url: str, source: str, ids: list[str], at: str, also: Iterable[str] = ()) -> None:
        first = ids[0] if ids else None
        with self.backend.unit_of_work():
            self._run("UPDATE watch_urls SET state = 'done', article_id = ?, fetched_at = ?, error = NULL "
                      "WHERE url = ?", [first, at, url])
            for other in also:
                self._run(_KNOWN_TOO, [other, source, first, at, at])
            for id_ in dict.fromkeys(ids):
                self._run("INSERT INTO watch_articles (article_id, source) VALUES (?, ?) "
                          "ON CONFLICT (article_id, source) DO NOTHING", [id_, source])

    def failed(self, url: str, error: str, final: bool) -> None:
        with self.backend.unit_of_work():
            self._run("UPDATE watch_urls SET tries = tries + 1, error = ?, state = ? WHERE url = ?",
                      [error, "dropped" if final else "failed", url])

    def known(self, urls: list[str]) -> dict[str, str | None]:
        found: dict[str, str | None] = {}
        for part in _parts(urls):
            sql = f"SELECT url, article_id FROM watch_urls WHERE url IN ({_marks(len(part))})"
            found.update(self._rows(sql, part))
        return found

    def sources_of(self, ids: list[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for part in _parts(list(dict.fromkeys(ids))):
            for id_, source in self._rows("SELECT article_id, source FROM watch_articles WHERE article_id IN "
                                          f"({_marks(len(part))}) ORDER BY article_id, source", part):
                found.setdefault(id_, []).append(source)
        return found

    # -- counts ------------------------------------------------------------------------

    def count(self, day: SourceDay) -> None:
        with self.backend.unit_of_work():
            self._run(_ADD_DAY, astuple(day))

    def days(self, since: str) -> list[SourceDay]:
        return [SourceDay(*r) for r in self._rows(
            f"SELECT source, day, {', '.join(_COUNTS)} FROM watch_days WHERE day >= ? ORDER BY source, day",
            [since])]

    def totals(self) -> dict[str, SourceDay]:
        sums = ", ".join(f"sum({c})" for c in _COUNTS)
        rows = self._rows(f"SELECT source, {sums} FROM watch_days GROUP BY source")
        return {r[0]: SourceDay(r[0], "", *(int(x) for x in r[1:])) for r in rows}

    def in_archive(self) -> dict[str, int]:
        return dict(self._rows("SELECT w.source, count(*) FROM watch_articles w "
                               "JOIN articles a ON a.id = w.article_id GROUP BY w.source"))
