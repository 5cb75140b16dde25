"""The batch engine's table on SQLite: the finished partitions of each job (:mod:`marsad.engine`)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

from marsad.archive.rows import stored_article
from marsad.archive.services import EngineState, Finished
from marsad.model import Article

MIGRATIONS: list[tuple[str, str]] = [
    ("engine-0001-partitions", """
CREATE TABLE engine_partitions (
    job TEXT NOT NULL,          -- a digest of the job: its kind, options and plan
    part TEXT NOT NULL,         -- the partition's key in the plan
    seq INTEGER NOT NULL,       -- its place in the plan
    result TEXT NOT NULL,       -- JSON {ids, counts, failures}
    finished_at TEXT NOT NULL,
    PRIMARY KEY (job, part)
);
"""),
]

_SINCE = " AND published >= ?"
# Only articles related already: the others get their entities when they are related.
RELATE_ENTITIES = ("UPDATE relate_docs SET entities = %s "
                   "WHERE article_rowid = (SELECT rowid FROM articles WHERE id = %s)")


def finished_row(seq: int, result: str) -> Finished:
    """A :class:`Finished` from its stored JSON (both backends keep it so)."""
    data = json.loads(result)
    return Finished(seq, data["ids"], tuple(data["counts"]), [tuple(f) for f in data["failures"]])


def finish_values(job: str, part: str, done: Finished) -> tuple:
    """The row of a finished partition: job, part, seq, result JSON, finished_at."""
    result = json.dumps({"ids": done.ids, "counts": list(done.counts), "failures": done.failures},
                        ensure_ascii=False)
    return job, part, done.seq, result, datetime.now(UTC).isoformat(timespec="seconds")


def relate_entity_rows(entities: list[tuple[str, list[str]]]) -> list[tuple[str, str]]:
    """The rows of :data:`RELATE_ENTITIES`: the names as relating stores them (sorted JSON), then the id."""
    return [(json.dumps(sorted(names), ensure_ascii=False), id_) for id_, names in entities]


class SQLiteEngineState(EngineState):
    def __init__(self, conn: sqlite3.Connection, transaction):
        self.conn = conn
        self._transaction = transaction  # the store's write transaction (joins one already open)

    def finished(self, job: str) -> dict[str, Finished]:
        rows = self.conn.execute("SELECT part, seq, result FROM engine_partitions WHERE job = ?", (job,))
        return {part: finished_row(seq, result) for part, seq, result in rows}

    def finish(self, job: str, part: str, done: Finished) -> None:
        with self._transaction():
            self.conn.execute("INSERT OR REPLACE INTO engine_partitions VALUES (?, ?, ?, ?, ?)",
                              finish_values(job, part, done))

    def key_span(self, since: str | None = None) -> tuple[int, int] | None:
        where, args = ("WHERE published >= ?", (since,)) if since else ("", ())
        low, high = self.conn.execute(f"SELECT min(rowid), max(rowid) FROM articles {where}", args).fetchone()
        return None if low is None else (low, high)

    def between(self, low: int, high: int, since: str | None = None) -> list[Article]:
        sql = "SELECT data, source FROM articles WHERE rowid >= ? AND rowid < ?" + (_SINCE if since else "")
        args = (low, high, since) if since else (low, high)
        return [stored_article(*r) for r in self.conn.execute(sql + " ORDER BY rowid", args)]

    def relate_entities(self, entities: list[tuple[str, list[str]]]) -> None:
        with self._transaction():
            self.conn.executemany(RELATE_ENTITIES.replace("%s", "?"), relate_entity_rows(entities))
