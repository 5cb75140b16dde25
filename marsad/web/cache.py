"""Results computed from the archive, shared by the worker threads and dropped whenever the archive changes.

An archive's :meth:`~marsad.archive.Archive.version` moves when anything is committed to it (an ingest
from the API or the CLI, in any process); the first request to see it move clears the cache. Keys carry
the archive's name (``arc.backend.describe()``), so apps over different archives in one process never
share entries.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any
from weakref import WeakKeyDictionary

SIZE = 4096  # entries; an article page's related box or one search page is one entry

_lock = threading.Lock()
_items: OrderedDict = OrderedDict()
_seen: WeakKeyDictionary = WeakKeyDictionary()  # archive -> its version at its last request
_flights: dict = {}  # key -> lock held by the thread computing its value
_generation = 0  # moves whenever the entries are dropped


def cached(arc, key: Hashable, compute: Callable[[], Any]) -> Any:
    """``compute()``, or its value from an earlier call over the same, unchanged archive. Threads asking
    for the same missing value wait for the one computing it (after an ingest's commit, ten readers
    of the home page build the story list once, not ten times)."""
    global _generation
    version = arc.version()  # a backend's token: only comparable with the same archive object's
    full = (arc.backend.describe(), key)
    with _lock:
        if _seen.get(arc, version) != version:
            _items.clear()
            _generation += 1
        _seen[arc] = version
        if full in _items:
            _items.move_to_end(full)
            return _items[full]
        flight = _flights.setdefault(full, threading.Lock())
        generation = _generation
    with flight:
        with _lock:
            if full in _items and generation == _generation:
                return _items[full]
        value = compute()
        with _lock:
            if generation == _generation:  # not computed from data older than the cache now holds
                _items[full] = value
                if len(_items) > SIZE:
                    _items.popitem(last=False)
            if _flights.get(full) is flight:
                del _flights[full]
    return value


def clear() -> None:
    """Forget every entry (the archive file was replaced: its versions start afresh)."""
    global _generation
    with _lock:
        _items.clear()
        _generation += 1
