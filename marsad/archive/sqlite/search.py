"""The search index on SQLite: an FTS5 table of analyzed terms, ranked with FTS5's bm25()."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping

from marsad.model import Article
from marsad.search import index as fts


class SQLiteSearchIndex:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def add(self, rows: Iterable[tuple[int, Article]],
            prepared: Mapping[str, list[str]] | None = None) -> None:
        fts.add(self.conn, rows, prepared=prepared)

    def remove(self, keys: Iterable[int]) -> None:
        fts.remove(self.conn, keys)

    def compact(self) -> None:
        fts.merge(self.conn)
