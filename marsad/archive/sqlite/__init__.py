"""The SQLite backend: one file, WAL mode, one connection shared by the store, the search index
(FTS5), the relate stage's and the batch engine's tables, so one transaction covers them all."""

from __future__ import annotations

import os
from collections.abc import Hashable, Iterator
from contextlib import contextmanager

from marsad.archive.base import Backend
from marsad.archive.sqlite.alerts import SQLiteAlertState
from marsad.archive.sqlite.engine import SQLiteEngineState
from marsad.archive.sqlite.relate import SQLiteRelateState
from marsad.archive.sqlite.search import SQLiteSearchIndex
from marsad.archive.sqlite.store import CACHE_KIB, SQLiteStore
from marsad.archive.sqlite.watch import SQLiteWatchState


class SQLiteBackend(Backend):
    def __init__(self, path: str | os.PathLike, *, readonly: bool = False, timeout: float = 10.0,
                 cache_kib: int | None = None):
        self.store = SQLiteStore(path, readonly=readonly, timeout=timeout, cache_kib=cache_kib or CACHE_KIB)
        self.conn = self.store.conn
        self.readonly = readonly
        self.timeout = timeout
        self.index = SQLiteSearchIndex(self.conn)
        self.relate = SQLiteRelateState(self.conn)
        self.watch = SQLiteWatchState(self)
        self.alerts = SQLiteAlertState(self.conn, self.store.transaction)
        self.engine = SQLiteEngineState(self.conn, self.store.transaction)

    @contextmanager
    def unit_of_work(self) -> Iterator[None]:
        with self.store.transaction():
            yield

    def version(self) -> Hashable:
        # data_version moves when another connection commits, total_changes when this one writes.
        return (str(self.store.path), self.conn.execute("PRAGMA data_version").fetchone()[0],
                self.conn.total_changes)

    def describe(self) -> str:
        return str(self.store.path)

    def reopen(self) -> SQLiteBackend:
        return SQLiteBackend(self.store.path, readonly=True, timeout=self.timeout)

    def close(self) -> None:
        self.store.close()
