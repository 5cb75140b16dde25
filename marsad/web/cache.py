"""Results computed from the archive, shared by the worker threads and dropped whenever the archive changes.

A reader connection's ``PRAGMA data_version`` moves when any other connection commits (an ingest
from the API or the CLI); the first request to see it move clears the cache. Keys carry the
database file, so apps over different archives in one process never share entries.
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
_seen: WeakKeyDictionary = WeakKeyDictionary()  # archive -> data_version at its last request


def cached(arc, key: Hashable, compute: Callable[[], Any]) -> Any:
    """``compute()``, or its value from an earlier call over the same, unchanged archive."""
    version = arc.conn.execute("PRAGMA data_version").fetchone()[0]
    path = arc.conn.execute("PRAGMA database_list").fetchone()[2]
    full = (path, key)
    with _lock:
        if _seen.get(arc, version) != version:
            _items.clear()
        _seen[arc] = version
        if full in _items:
            _items.move_to_end(full)
            return _items[full]
    value = compute()
    with _lock:
        _items[full] = value
        if len(_items) > SIZE:
            _items.popitem(last=False)
    return value


def clear() -> None:
    """Forget every entry (the archive file was replaced: its data versions start afresh)."""
    with _lock:
        _items.clear()
