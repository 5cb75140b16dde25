"""What handlers need, loaded with ``Depends``: the settings and a read-only archive per worker thread."""

from __future__ import annotations

import threading
from contextlib import suppress
from typing import Annotated, Any

from fastapi import Depends, Request

from marsad.archive import open_archive
from marsad.settings import Settings

READER_CACHE_KIB = 16384


class ArchivePool:
    """One read-only connection per worker thread (SQLite connections stay on their thread); WAL lets
    these reads run while the single writer ingests."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._local = threading.local()
        self._opened: list = []
        self._lock = threading.Lock()
        self.write_lock = threading.Lock()

    def reader(self):
        arc = getattr(self._local, "arc", None)
        if arc is None:
            arc = open_archive(self.settings.db, readonly=True)
            # Readers share the OS file cache; a smaller private page cache keeps many threads light.
            arc.conn.execute(f"PRAGMA cache_size = -{READER_CACHE_KIB}")
            self._local.arc = arc
            with self._lock:
                self._opened.append(arc)
        return arc

    def close(self) -> None:
        with self._lock:
            for arc in self._opened:
                with suppress(Exception):  # a finished thread's connection may already be gone
                    arc.close()
            self._opened.clear()


async def get_archive(request: Request):
    return request.app.state.pool.reader()


Arc = Annotated[Any, Depends(get_archive)]
