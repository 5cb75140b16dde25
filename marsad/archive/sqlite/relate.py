"""The relate stage's tables on SQLite."""

from __future__ import annotations

import sqlite3


class SQLiteRelateState:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
