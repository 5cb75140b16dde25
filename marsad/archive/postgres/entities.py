"""The archive's entities on PostgreSQL: merges, analysts' corrections and consolidation.

The rules (and their SQL) are :mod:`marsad.archive.sqlite.entities`'; its statements are written
in the SQL both databases speak (``ON CONFLICT`` upserts; this backend's tables have a ``rowid``
column where SQL needs one), so this backend runs them as they are, through :class:`SQLiteStyle`,
which only turns SQLite's ``?`` placeholders into psycopg's. The one statement that reads the
FTS5 table (how many articles print a word) is answered by this backend's search index.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import psycopg

from marsad.search.expr import Phrase

if TYPE_CHECKING:
    from marsad.archive.base import SearchIndex


class SQLiteStyle:
    """A psycopg connection that takes SQLite-style statements (``?`` placeholders)."""

    def __init__(self, conn: psycopg.Connection, index: SearchIndex | None = None):
        self.conn = conn
        self.index = index

    def execute(self, sql: str, params: Any = ()) -> Any:
        if " MATCH " in sql:
            return _Rows([(self._printed(params[0]),)])
        return self.conn.execute(_psycopg(sql), params)

    def executemany(self, sql: str, rows: Any) -> None:
        rows = list(rows)
        if rows:
            with self.conn.cursor() as cur:
                cur.executemany(_psycopg(sql), rows)

    def _printed(self, query: str) -> int:
        """How many articles match an FTS5 query ``{col col}: "term"`` (a word in some columns)."""
        from marsad.search.rank import Filters

        found = re.fullmatch(r'\{([\w ]+)\}: "(.*)"', query)
        if found is None or self.index is None:
            raise ValueError(f"no search index query for {query!r}")
        phrase = Phrase((found.group(2).replace('""', '"'),), tuple(found.group(1).split()))
        return self.index.count(phrase, Filters())


class _Rows(list):
    def fetchone(self) -> Any:
        return self[0] if self else None

    def fetchall(self) -> list:
        return list(self)


@lru_cache(maxsize=256)
def _psycopg(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")
