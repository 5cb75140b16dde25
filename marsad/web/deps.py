"""The archive connections handlers read through, and the worker threads they read on.

No handler reads the archive on the event loop: a read blocks (on the disk, on the database server),
and one slow read there would hold up every request. Pages run their reads with :func:`read`, on the
worker threads; searches, whose cost depends on what a reader typed, and the story lists, rebuilt after
each change of the archive, run with :func:`off_loop`, at most :data:`SEARCH_THREADS` at once, so that
a slow one never holds up the pages. Each job borrows a read-only archive of its own for its length.
Every job first looks at an archive file: one that is gone answers 503, and one replaced by another
file is reopened (a server database has no file to look at).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from typing import TypeVar

import anyio
import anyio.to_thread
from fastapi import Request

from marsad.archive import Archive, open_archive
from marsad.errors import ArchiveError, MarsadError
from marsad.settings import Settings, is_server, public_name
from marsad.web import cache

READER_CACHE_KIB = 16384  # readers share the OS file cache; a smaller private cache keeps many light
SEARCH_THREADS = 4  # searches (and story lists) running at once; more wait their turn, pages never do
T = TypeVar("T")


class ArchivePool:
    """Read-only archives, each lent to one job at a time; they read while an ingest writes (SQLite's
    WAL, a server database's transactions)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._free: list[Archive] = []  # ready to lend, over the archive file now at the path
        self._opened: list[Archive] = []
        self._lock = threading.Lock()
        self._ingester: ProcessPoolExecutor | None = None
        self._file: tuple[int, int] | None = None
        self._generation = 0

    def _current(self) -> int:
        """The generation of the archive file now at the path: it moves when the file is replaced."""
        if is_server(self.settings.db):
            return self._generation
        try:
            st = os.stat(self.settings.db)
        except OSError:
            raise ArchiveError(f"the archive {public_name(self.settings.db)} is gone; the server reads it "
                               "again once it is back") from None
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

    def _open(self) -> Archive:
        arc = open_archive(self.settings.db, readonly=True, cache_kib=READER_CACHE_KIB)
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

    @contextmanager
    def lent(self) -> Iterator[Archive]:
        """An archive for the length of one job on any thread, then back to the free list; one whose
        job failed for a reason other than the request's (a lost database server, a damaged file) is
        closed instead, and the next job opens a fresh one."""
        generation = self._current()
        with self._lock:
            arc = self._free.pop() if self._free else None
        arc = arc or self._open()
        sound = False
        try:
            yield arc
            sound = True
        except MarsadError as e:
            sound = e.status < 500
            raise
        finally:
            with self._lock:
                keep = sound and generation == self._generation
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
                with suppress(Exception):  # closing only frees its connection; errors change nothing
                    arc.close()
            self._opened.clear()
            self._free.clear()


async def read(request: Request, job: Callable[[Archive], T]) -> T:
    """``job(archive)`` on a worker thread, among the threads of pages (at most the app's WORKER_THREADS)."""
    return await _run(request, job, None)


async def off_loop(request: Request, job: Callable[[Archive], T]) -> T:
    """``job(archive)`` on a worker thread, among at most SEARCH_THREADS such jobs."""
    state = request.app.state
    if getattr(state, "search_limiter", None) is None:
        state.search_limiter = anyio.CapacityLimiter(SEARCH_THREADS)
    return await _run(request, job, state.search_limiter)


async def _run(request: Request, job: Callable[[Archive], T], limiter: anyio.CapacityLimiter | None) -> T:
    pool: ArchivePool = request.app.state.pool

    def run() -> T:
        with pool.lent() as arc:
            return job(arc)

    return await anyio.to_thread.run_sync(run, limiter=limiter)
