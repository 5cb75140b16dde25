"""The blocks of common terms, kept by a reading process while the search index is unchanged.

A query's cost follows the postings it reads, and most of them are those of a few common words that
many queries share ("الرئيس", "الحكومة"). A process that answers many queries (a web server, a batch
of searches) keeps the blocks of those terms as the server sent them (compressed on the server, raw
here: 28 bytes a posting), the most recently used first, within a budget of bytes, under the index's
version: once the index changes (any process writes a batch), the kept blocks are dropped at the
next query. Terms of few postings are not kept: they cost little to read.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

BUDGET = 96 << 20  # bytes of blocks kept per process
LEAST = 1024  # postings of a term worth keeping (a quarter of a full block)


class TermCache:
    def __init__(self, budget: int = BUDGET, least: int = LEAST):
        self.budget, self.least = budget, least
        self.version: str | None = None
        self._rows: OrderedDict[str, list[tuple]] = OrderedDict()  # term -> its blocks' rows
        self._size = 0
        self._lock = threading.Lock()

    def held(self, terms: list[str]) -> tuple[str | None, dict[str, list[tuple]]]:
        """The version the rows are kept under, and the rows kept of ``terms``."""
        with self._lock:
            found = {t: self._rows[t] for t in terms if t in self._rows}
            for t in found:
                self._rows.move_to_end(t)
            return self.version, found

    def keep(self, version: str, rows: list[tuple], terms: set[str]) -> None:
        """Keep the blocks of ``terms`` among ``rows`` (term, keys, dls, counts) read under
        ``version``; forget everything kept under another version."""
        per_term: dict[str, list[tuple]] = {}
        for row in rows:
            if row[0] in terms:
                per_term.setdefault(row[0], []).append(row)
        with self._lock:
            if version != self.version:
                self._rows.clear()
                self._size, self.version = 0, version
            for term, found in per_term.items():
                size, postings = _bytes(found), sum(len(r[1]) for r in found) // 8
                if term in self._rows or postings < self.least or size > self.budget:
                    continue
                self._rows[term] = found
                self._size += size
            while self._size > self.budget:
                _, gone = self._rows.popitem(last=False)
                self._size -= _bytes(gone)


def _bytes(rows: list[tuple]) -> int:
    return sum(len(r[1]) + len(r[2]) + len(r[3]) for r in rows)
