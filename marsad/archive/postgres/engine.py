"""The batch engine's table on PostgreSQL: the same as on SQLite (:mod:`marsad.archive.sqlite.engine`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from marsad.archive.rows import stored_article
from marsad.archive.services import EngineState, Finished
from marsad.archive.sqlite.engine import RELATE_ENTITIES, finish_values, finished_row, relate_entity_rows
from marsad.model import Article

if TYPE_CHECKING:
    from marsad.archive.postgres import PostgresBackend

MIGRATIONS: list[tuple[str, str]] = [
    ("engine-0001-partitions", """
CREATE TABLE engine_partitions (
    job TEXT COLLATE "C" NOT NULL,
    part TEXT COLLATE "C" NOT NULL,
    seq INTEGER NOT NULL,
    result TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    PRIMARY KEY (job, part)
);
"""),
]


class PostgresEngineState(EngineState):
    def __init__(self, backend: PostgresBackend):
        self.backend = backend

    def finished(self, job: str) -> dict[str, Finished]:
        with self.backend.cursor() as cur:
            rows = cur.execute("SELECT part, seq, result FROM engine_partitions WHERE job = %s", (job,))
            return {part: finished_row(seq, result) for part, seq, result in rows.fetchall()}

    def finish(self, job: str, part: str, done: Finished) -> None:
        with self.backend.unit_of_work(), self.backend.cursor() as cur:
            cur.execute("INSERT INTO engine_partitions VALUES (%s, %s, %s, %s, %s) ON CONFLICT (job, part) "
                        "DO UPDATE SET seq = excluded.seq, result = excluded.result, "
                        "finished_at = excluded.finished_at", finish_values(job, part, done))

    def key_span(self, since: str | None = None) -> tuple[int, int] | None:
        where, args = ("WHERE published >= %s", (since,)) if since else ("", ())
        with self.backend.cursor() as cur:
            low, high = cur.execute(f"SELECT min(rowid), max(rowid) FROM articles {where}", args).fetchone()
        return None if low is None else (low, high)

    def between(self, low: int, high: int, since: str | None = None) -> list[Article]:
        sql = "SELECT data, source FROM articles WHERE rowid >= %s AND rowid < %s"
        args = (low, high, since) if since else (low, high)
        with self.backend.cursor() as cur:
            rows = cur.execute(sql + (" AND published >= %s" if since else "") + " ORDER BY rowid", args)
            return [stored_article(*r) for r in rows.fetchall()]

    def relate_entities(self, entities: list[tuple[str, list[str]]]) -> None:
        if entities:
            with self.backend.unit_of_work(), self.backend.cursor() as cur:
                cur.executemany(RELATE_ENTITIES, relate_entity_rows(entities))
