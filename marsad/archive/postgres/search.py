"""The search index on PostgreSQL: postings of marsad's own analyzed terms, ranked with FTS5's bm25.

The tables and how articles go in and out are :mod:`marsad.archive.postgres.postings` (the postings
themselves in blocks, :mod:`marsad.archive.postgres.blocks`); a query reads its phrases' blocks and
is scored in numpy (:mod:`marsad.archive.postgres.ranking`). The matching set and its scores are
kept by the thread while the index is unchanged: a search asks for the newest matches, then the best
and the count, and the facets for the same set (:meth:`PostgresSearchIndex.matching`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np
import psycopg

from marsad.archive.base import SearchIndex
from marsad.archive.postgres import blocks, postings
from marsad.archive.postgres.blocks import BLOCKS
from marsad.archive.postgres.cache import TermCache
from marsad.archive.postgres.postings import DOCS, STATS, Doc, tokens
from marsad.archive.postgres.ranking import STATS_SQL, TOP, Matches, Query
from marsad.archive.postgres.wire import Keys
from marsad.archive.sqlite.search import facets_sql, read_facets
from marsad.model import Article
from marsad.search.analyze import DEFAULT_SCHEME, Scheme
from marsad.search.budget import OverBudget
from marsad.search.expr import Expr
from marsad.search.facets import DIMENSIONS, Facets
from marsad.search.index import prepare
from marsad.search.rank import Filters

if TYPE_CHECKING:
    from marsad.archive.postgres import PostgresBackend

MIGRATIONS = postings.MIGRATIONS
ARTICLES = "articles"  # the store's: rowid (the key), id, url, headline, outlet, section, published, body
_MEMO = 8  # queries whose matches are kept per thread


class PostgresSearchIndex(SearchIndex):
    """:class:`marsad.archive.base.SearchIndex` of a PostgreSQL backend. ``backend.connection()``
    gives the calling thread's unit-of-work connection (so writes join its transaction), else a
    pooled one in autocommit mode."""

    def __init__(self, backend: PostgresBackend, scheme: Scheme = DEFAULT_SCHEME):
        self.backend = backend
        self.scheme = scheme
        self._local = threading.local()  # each thread's deadline and kept results
        self.merger = blocks.Merger()
        self.cache = TermCache()

    # -- writing --------------------------------------------------------------------------------

    def add(self, rows: Iterable[tuple[int, Article]],
            prepared: Mapping[str, list[str]] | None = None) -> None:
        prepared = prepared or {}
        docs = [Doc(key, [tokens(c) for c in (prepared.get(a.id) or prepare(a, self.scheme))])
                for key, a in rows]
        if not docs:
            return
        ncols = len(self.scheme.columns)
        with self.backend.connection() as conn, conn.transaction(), conn.cursor() as cur:
            postings.remove(cur, [d.key for d in docs], ncols)
            self.merger.merge(cur, postings.add(cur, docs), ncols)

    def remove(self, keys: Iterable[int]) -> None:
        with self.backend.connection() as conn, conn.transaction(), conn.cursor() as cur:
            postings.remove(cur, list(keys), len(self.scheme.columns))

    def compact(self) -> None:
        """Fold the statistics rows into one; outside a transaction, also refresh the planner's
        figures and the visibility map."""
        with self.backend.connection() as conn:
            self._compact(conn)

    @staticmethod
    def _compact(conn: psycopg.Connection) -> None:
        idle = conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        with conn.transaction():
            conn.execute(f"WITH gone AS (DELETE FROM {STATS} RETURNING docs, tokens) INSERT INTO {STATS}"
                              " (docs, tokens) SELECT coalesce(sum(docs), 0), coalesce(sum(tokens), 0)"
                              " FROM gone")
        if not idle:
            return
        autocommit = conn.autocommit
        conn.autocommit = True  # VACUUM runs outside a transaction only
        try:
            for table in (BLOCKS, DOCS, STATS):
                conn.execute(f"VACUUM (ANALYZE) {table}")
        finally:
            conn.autocommit = autocommit

    # -- reading --------------------------------------------------------------------------------

    def matching(self, expr: Expr, filters: Filters) -> Matches:
        """Every article that ``expr`` matches with ``filters``: keys ascending (an int64 array) and
        their bm25 scores. Kept for the calling thread while the index is unchanged, so a search's
        calls and its facets' share one reading of the postings."""
        memo = self._memo()
        with self._cursor() as cur:
            kept, query = memo.get(expr), Query(expr, self.scheme)
            if kept is None:
                version, stats, rows = self._read(cur, query)
                kept = memo[expr] = (version, query.run(cur, True, stats, rows))
            else:
                version, *stats = cur.execute(STATS_SQL).fetchone()
                if kept[0] != version:
                    kept = memo[expr] = (version, query.run(cur, True, tuple(stats)))
            while len(memo) > _MEMO:
                memo.pop(next(iter(memo)))
        return self._filtered(kept[1], filters)

    def _read(self, cur: psycopg.Cursor, query: Query) -> tuple[str, tuple, list[tuple]]:
        """The index's version and statistics, and the rows of the query's blocks, in one round trip;
        the blocks of common terms kept by this process (:mod:`marsad.archive.postgres.cache`) are
        not read again while the index is unchanged."""
        plain = query.plain()
        held_under, held = self.cache.held(plain)
        with cur.connection.pipeline(), cur.connection.cursor() as stats_cur:
            stats_cur.execute(STATS_SQL)
            cur.execute(*query.statement(skip=held), binary=True)
            version, *stats = stats_cur.fetchone()
        rows = [r for r in cur.fetchall() if r[0] not in held]  # a prefix may read a kept term again
        if held and held_under != version:  # kept under an index since changed: read them now
            rows += cur.execute(*blocks.read_sql(sorted(held), []), binary=True).fetchall()
        else:
            rows += [r for found in held.values() for r in found]
        self.cache.keep(version, rows, set(plain))
        return version, tuple(stats), rows

    def _filtered(self, m: Matches, filters: Filters) -> Matches:
        comparisons = filters.comparisons()
        if not comparisons or not len(m.keys):
            return m
        conds = [f"lower(a.{col}) = lower(%s)" if op == "=" else f'a.{col} COLLATE "C" {op} %s'
                 for col, op, _ in comparisons]
        rows = self._fetch(f"SELECT a.rowid FROM {ARTICLES} a WHERE a.rowid = ANY(%s)"
                           f" AND {' AND '.join(conds)}", [Keys(m.keys), *(v for _, _, v in comparisons)])
        keep = np.isin(m.keys, np.array([r[0] for r in rows], np.int64))
        return Matches(m.keys[keep], None if m.scores is None else m.scores[keep])

    def matches(self, expr: Expr, filters: Filters, *, scored: bool = True, groups: bool = False,
                newest: int | None = None, best: int | None = None) -> list[tuple]:
        with self._cursor():
            m = self.matching(expr, filters)
            if newest:
                order = np.arange(len(m.keys) - 1, max(len(m.keys) - int(newest), 0) - 1, -1)
            elif best and scored:
                order = _best(m, int(best))
            else:
                order = np.arange(len(m.keys)) if not scored else _best(m, len(m.keys))
            return self._rows(m, order, scored, groups)

    def ranked(self, expr: Expr, filters: Filters, *, groups: bool, best: int,
               broad: int) -> tuple[list[tuple], int]:
        # What the interface's calls give, from one reading of the matches.
        with self._cursor():
            m = self.matching(expr, filters)
            total = len(m.keys)
            return self._rows(m, np.arange(total - 1, -1, -1) if total <= broad else _best(m, best),
                              True, groups), total

    def _rows(self, m: Matches, order: np.ndarray, scored: bool, groups: bool) -> list[tuple]:
        """(key, score) or (key, score, group or None) of the matches at ``order``."""
        keys = m.keys[order]
        scores = m.scores[order].tolist() if scored else [None] * len(keys)
        if not groups:
            return list(zip(keys.tolist(), scores, strict=True))
        found = self._groups(keys)
        return [(k, s, found.get(k)) for k, s in zip(keys.tolist(), scores, strict=True)]

    def _groups(self, keys: np.ndarray) -> dict[int, int]:
        """The copy group (the relate stage's duplicates table) of each of ``keys`` in one."""
        if not len(keys):
            return {}
        return dict(self._fetch("SELECT article_rowid, group_id FROM duplicates"
                                " WHERE article_rowid = ANY(%s)", [Keys(keys)]))

    def _memo(self) -> dict:
        if getattr(self._local, "memo", None) is None:
            self._local.memo = {}
        return self._local.memo

    def count(self, expr: Expr, filters: Filters) -> int:
        return len(self.matching(expr, filters).keys)

    def among(self, expr: Expr, filters: Filters, ids: list[str]) -> list[str]:
        ids = list(dict.fromkeys(ids))
        with self._cursor() as cur:
            keyed = dict(cur.execute(f"SELECT rowid, id FROM {ARTICLES} WHERE id = ANY(%s)", [ids]))
            if not keyed:
                return []
            m = Query(expr, self.scheme, keys=(min(keyed), max(keyed))).run(cur, scored=False)
        found = {keyed[k] for k in self._filtered(m, filters).keys.tolist() if k in keyed}
        return [i for i in ids if i in found]

    def hits(self, keys: list[int], body: bool = True) -> dict[int, tuple]:
        if not keys:
            return {}
        rows = self._fetch(f"SELECT rowid, id, url, headline, outlet, published, {'body' if body else 'NULL'}"
                           f" FROM {ARTICLES} WHERE rowid = ANY(%s)", [Keys(keys)])
        return {r[0]: tuple(r) for r in rows}

    def facets(self, expr: Expr, filters: Filters, entities: int) -> Facets:
        # The query's matching set as the search read it (kept per thread), sent once: the date filters
        # and the outlet and section passes are applied by the one statement that counts the facets.
        keys = self.matching(expr, Filters()).keys
        if not len(keys):
            return read_facets([])
        passes, chosen = [], []
        for col in DIMENSIONS:
            value = getattr(filters, col)
            passes.append(f"coalesce(lower(a.{col}) = lower(%s), FALSE)" if value else "TRUE")
            chosen += [value] if value else []
        dates = Filters(filters.since, filters.until).comparisons()
        where = "".join(f' AND a.{col} COLLATE "C" {op} %s' for col, op, _ in dates)
        matched = (f"SELECT a.rowid AS k, a.outlet AS o, a.section AS s, {passes[0]} AS oin,"
                   f" {passes[1]} AS sin FROM {ARTICLES} a WHERE a.rowid = ANY(%s){where}")
        params = [*chosen, Keys(keys), *(v for _, _, v in dates)]
        return read_facets(self._fetch(f"WITH {facets_sql(matched, entities)}", params))

    def expansions(self, start: str, most: int) -> int:
        if most <= 0:
            return 0
        # A skip scan over the blocks' index: one probe per distinct term, however many its blocks.
        text = (f"WITH RECURSIVE t(term, n) AS ("
                f" SELECT min(term), 1 FROM {BLOCKS} WHERE term >= %s AND term < %s"
                f" UNION ALL SELECT (SELECT min(p.term) FROM {BLOCKS} p WHERE p.term > t.term"
                f" AND p.term < %s), t.n + 1 FROM t WHERE t.term IS NOT NULL AND t.n < %s)"
                f" SELECT count(term) FROM t")
        end = start + TOP
        return self._fetch(text, [start, end, end, most])[0][0]

    @contextmanager
    def deadline(self, seconds: float) -> Iterator[None]:
        self._local.deadline = (time.monotonic() + seconds, seconds)
        try:
            yield
        finally:
            self._local.deadline = None

    def _fetch(self, text: str, params: list) -> list[tuple]:
        """The rows of a query, in binary: thousands of keys and scores come faster than as text."""
        with self._cursor() as cur:
            return cur.execute(text, params, binary=True).fetchall()

    @contextmanager
    def _cursor(self) -> Iterator[psycopg.Cursor]:
        """A cursor of the calling thread's connection; within a deadline, its statements are stopped
        when the deadline passes (in a savepoint, or a transaction of its own, so that a stopped query
        leaves an outer transaction usable and the timeout does not outlive the reading)."""
        held = getattr(self._local, "cur", None)
        if held is not None:  # within another reading of this thread: the same connection
            yield held
            return
        deadline = getattr(self._local, "deadline", None)
        with self.backend.connection() as conn, conn.cursor() as cur:
            self._local.cur = cur
            try:
                if deadline is None:
                    yield cur
                else:
                    yield from self._within(conn, cur, *deadline)
            finally:
                self._local.cur = None

    @staticmethod
    def _within(conn: psycopg.Connection, cur: psycopg.Cursor, end: float, seconds: float) -> Iterator:
        try:
            left = end - time.monotonic()
            if left <= 0:
                raise psycopg.errors.QueryCanceled()
            with conn.transaction():
                previous = cur.execute("SELECT set_config('statement_timeout', %s, true)",
                                       (f"{max(1, int(left * 1000))}ms",)).fetchone()
                yield cur
                cur.execute("SELECT set_config('statement_timeout', %s, true)", previous)
        except psycopg.errors.QueryCanceled:
            raise OverBudget(f"the query took more than {seconds:g} s and was stopped; ask for "
                             "fewer words or longer prefixes") from None


def _best(m: Matches, k: int) -> np.ndarray:
    """Positions of the ``k`` best of ``m`` (lowest score, then lowest key), best first."""
    scores = m.scores
    if k < len(scores):  # all that tie with the k-th too, so that ties are broken by key
        at = np.flatnonzero(scores <= np.partition(scores, k - 1)[k - 1])
    else:
        at = np.arange(len(scores))
    return at[np.lexsort((m.keys[at], scores[at]))][:k]
