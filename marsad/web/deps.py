"""What handlers need, loaded with ``Depends``: the settings and read-only archive connections.

Pages read on the event loop through one connection per thread. Searches, whose cost depends on what a
reader typed, and the story lists, rebuilt after each change of the archive, run on worker threads (at
most :data:`SEARCH_THREADS` at once) with connections lent from a free list: a slow one never holds up
the pages. Every request first looks at the archive file: one that is gone
answers 503, and one replaced by another file is reopened.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from typing import Annotated, Any, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, Request

from marsad.archive import open_archive
from marsad.errors import ArchiveError
from marsad.settings import Settings
from marsad.web import cache

READER_CACHE_KIB = 16384
SEARCH_THREADS = 4  # searches (and story lists) running at once; more wait their turn, pages never do
T = TypeVar("T")


class ArchivePool:
    """Read-only connections; WAL lets them read while the single writer ingests."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._local = threading.local()
        self._free: list = []  # (generation, archive) ready to lend
        self._opened: list = []
        self._lock = threading.Lock()
        self._ingester: ProcessPoolExecutor | None = None
        self._file: tuple[int, int] | None = None
        self._generation = 0

    def _current(self) -> int:
        """The generation of the archive file now at the path: it moves when the file is replaced."""
        try:
            st = os.stat(self.settings.db)
        except OSError:
            raise ArchiveError(f"the archive {self.settings.db.name} is gone; the server reads it again "
                               "once it is back") from None
        stale: list = []
        with self._lock:
            if self._file != (st.st_dev, st.st_ino):
                if self._file is not None:
                    self._generation += 1
                    stale, self._free = self._free, []
                    cache.clear()
                self._file = (st.st_dev, st.st_ino)
            generation = self._generation
        for arc in stale:
            self._retire(arc)
        return generation

    def _open(self):
        arc = open_archive(self.settings.db, readonly=True)
        # Readers share the OS file cache; a smaller private page cache keeps many threads light.
        arc.conn.execute(f"PRAGMA cache_size = -{READER_CACHE_KIB}")
        arc.may_lag = True  # pages use the related index as it was while it catches up with an ingest
        with self._lock:
            self._opened.append(arc)
        return arc

    def _retire(self, arc) -> None:
        with self._lock:
            if arc in self._opened:
                self._opened.remove(arc)
        with suppress(Exception):
            arc.close()

    def reader(self):
        """This thread's connection to the archive file now at the path."""
        generation = self._current()
        held = getattr(self._local, "held", None)
        if held is not None and held[0] == generation:
            return held[1]
        if held is not None:
            self._retire(held[1])
        arc = self._open()
        self._local.held = (generation, arc)
        return arc

    @contextmanager
    def lent(self) -> Iterator[Any]:
        """A connection for the length of one job on any thread, then back to the free list."""
        generation = self._current()
        with self._lock:
            arc = self._free.pop() if self._free else None
        arc = arc or self._open()
        try:
            yield arc
        finally:
            with self._lock:
                keep = generation == self._generation
                if keep:
                    self._free.append(arc)
            if not keep:
                self._retire(arc)

    def ingester(self) -> ProcessPoolExecutor:
        """The process that parses, enriches and stores pages sent over HTTP, started at the first."""
        with self._lock:
            if self._ingester is None:
                self._ingester = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
            return self._ingester

    def drop_ingester(self) -> None:
        with self._lock:
            ingester, self._ingester = self._ingester, None
        if ingester is not None:
            ingester.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        self.drop_ingester()
        with self._lock:
            for arc in self._opened:
                with suppress(Exception):  # a finished thread's connection may already be gone
                    arc.close()
            self._opened.clear()
            self._free.clear()


async def off_loop(request: Request, job: Callable[[Any], T]) -> T:
    """``job(archive)`` on a worker thread, among at most SEARCH_THREADS such jobs."""
    state = request.app.state
    if getattr(state, "search_limiter", None) is None:
        state.search_limiter = anyio.CapacityLimiter(SEARCH_THREADS)

    def run() -> T:
        with state.pool.lent() as arc:
            return job(arc)

    return await anyio.to_thread.run_sync(run, limiter=state.search_limiter)


async def get_archive(request: Request):
    return request.app.state.pool.reader()


Arc = Annotated[Any, Depends(get_archive)]
