"""The archive's entities on PostgreSQL: merges, analysts' corrections and consolidation.

The rules (and their SQL) are :mod:`marsad.archive.sqlite.entities`'; its statements are written
in the SQL both databases speak (``ON CONFLICT`` upserts; this backend's tables have a ``rowid``
column where SQL needs one), so this backend runs them as they are, through :class:`SQLiteStyle`,
which only turns SQLite's ``?`` placeholders into psycopg's.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import psycopg


class SQLiteStyle:
    """A psycopg connection that takes SQLite-style statements (``?`` placeholders)."""

    def __init__(self, conn: psycopg.Connection):
        self.conn = conn

    def execute(self, sql: str, params: Any = ()) -> Any:
        return self.conn.execute(_psycopg(sql), params)

    def executemany(self, sql: str, rows: Any) -> None:
        rows = list(rows)
        if rows:
            with self.conn.cursor() as cur:
                cur.executemany(_psycopg(sql), rows)


@lru_cache(maxsize=256)
def _psycopg(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")
