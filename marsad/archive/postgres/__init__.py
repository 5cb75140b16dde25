"""The PostgreSQL backend: an archive in a PostgreSQL (15 or later) database, for teams that run
several ingests at once, readers on other machines and a DBA's backups and replicas.

``PostgresBackend(url)`` takes a ``postgresql://user:password@host:port/dbname`` URL (any libpq
parameter may follow as ``?key=value``). Opening it connects once to check the server and apply
the migrations (:mod:`marsad.archive.postgres.migrations`), then keeps a pool of connections
(psycopg_pool) that every part of the backend shares.

How the parts reach the database (the store, ``search.py``'s index and ``relate.py``'s state
all work this way):

- ``backend.unit_of_work()``: one transaction on one connection, for the calling thread. A unit of
  work opened inside another (by the same thread) joins it; all of it commits, or none of it.
- ``backend.cursor()``: a context manager giving a psycopg cursor. Inside a unit of work it is on
  the unit's connection, so writes join its transaction; outside, on a pooled connection in
  autocommit mode (each statement its own transaction), given back to the pool when the block ends.
  Parameters are psycopg's (``%s``); rows are tuples.
- ``backend.connection()``: the same, for the connection itself (server-side cursors, ``COPY``,
  several statements in one read transaction with ``conn.transaction()``).

Tables are created in the connection's current schema (``?options=-csearch_path%3Dname`` in the
URL puts an archive in a schema of its own). An article's key is the ``rowid`` column of
``articles`` (named as on SQLite). Pooled connections are checked when taken, so an archive left
open outlives a dropped connection or a server restart: a connection idle in the pool has nothing to
read unless the server wrote to it or closed it (a restart, a terminated backend), which a poll of
its socket sees at no cost; only then is the server asked (a round trip), and a dead one replaced.

Writers lock rows only, never a table or the database, so several ``marsad ingest`` may write at
once; a batch that meets a deadlock with another is run again. Relating is the one step that runs
alone: it holds a transaction-level advisory lock (``relate.py``).

``version()`` reads a sequence that every committed unit of work moves on, so caches see commits
of every process. Text columns compare with the "C" collation, so that orders match SQLite's.
"""

from __future__ import annotations

import select
import threading
from collections.abc import Hashable, Iterator
from contextlib import contextmanager

import psycopg
from psycopg_pool import ConnectionPool

from marsad.archive.base import Backend
from marsad.archive.postgres import migrations
from marsad.archive.postgres.alerts import PostgresAlertState
from marsad.archive.postgres.engine import PostgresEngineState
from marsad.archive.postgres.errors import redact, translate_errors
from marsad.archive.postgres.relate import PostgresRelateState
from marsad.archive.postgres.search import PostgresSearchIndex
from marsad.archive.postgres.store import PostgresStore
from marsad.archive.postgres.watch import PostgresWatchState


class PostgresBackend(Backend):
    def __init__(self, url: str, *, readonly: bool = False, timeout: float = 10.0, connections: int = 8):
        self.url = url
        self.name = redact(url)
        self.readonly = readonly
        self.timeout = timeout
        self._local = threading.local()
        with translate_errors(self.name):
            migrations.prepare(url, readonly=readonly, timeout=timeout, name=self.name)
            self.pool = ConnectionPool(url, min_size=1, max_size=connections, timeout=timeout,
                                       kwargs={"autocommit": True, "application_name": "marsad"},
                                       configure=self._configure, check=_check,
                                       name="marsad", open=True)
        self.index = PostgresSearchIndex(self)
        self.relate = PostgresRelateState(self)
        self.alerts = PostgresAlertState(self)
        self.engine = PostgresEngineState(self)
        self.store = PostgresStore(self)
        self.watch = PostgresWatchState(self)

    def _configure(self, conn: psycopg.Connection) -> None:
        # Settings, not connection options: the URL's own ``options`` (a search_path) stay.
        conn.execute("SELECT set_config('lock_timeout', %s, false)", (f"{int(self.timeout * 1000)}ms",))
        if self.readonly:
            conn.execute("SET default_transaction_read_only = on")

    # -- how the parts reach the database ------------------------------------------------------

    def in_unit_of_work(self) -> bool:
        return getattr(self._local, "conn", None) is not None

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        """The calling thread's unit-of-work connection, else a pooled one (autocommit)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            yield conn
            return
        with translate_errors(self.name), self.pool.connection() as conn:
            yield conn

    @contextmanager
    def cursor(self) -> Iterator[psycopg.Cursor]:
        with self.connection() as conn, conn.cursor() as cur:
            yield cur

    @contextmanager
    def unit_of_work(self) -> Iterator[None]:
        if self.in_unit_of_work():  # a unit of work inside another joins it
            yield
            return
        with translate_errors(self.name), self.pool.connection() as conn:
            self._local.conn = conn
            try:
                with conn.transaction():
                    yield
            finally:
                self._local.conn = None
            # After the commit, never before: a reader that saw the new version sees the new data.
            if not self.readonly:
                conn.execute("SELECT nextval('marsad_version')")

    # -- Backend --------------------------------------------------------------------------------

    def version(self) -> Hashable:
        with self.cursor() as cur:
            seq = cur.execute("SELECT last_value, is_called FROM marsad_version").fetchone()
        return (self.name, seq[0] if seq[1] else 0)

    def describe(self) -> str:
        return self.name

    def reopen(self) -> PostgresBackend:
        return PostgresBackend(self.url, readonly=True, timeout=self.timeout, connections=2)

    def close(self) -> None:
        self.pool.close()


def _check(conn: psycopg.Connection) -> None:
    """Raise when a pooled connection is dead; a round trip only when its socket has something to read."""
    if not conn.closed:
        poll = select.poll()
        poll.register(conn.fileno(), select.POLLIN)
        if not poll.poll(0):
            return
    ConnectionPool.check_connection(conn)


__all__ = ["PostgresBackend"]
