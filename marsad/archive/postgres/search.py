"""The search index on PostgreSQL: postings of marsad's own analyzed terms, ranked with FTS5's bm25.

The tables and how articles go in and out are :mod:`marsad.archive.postgres.postings`; a query is
one statement (:mod:`marsad.archive.postgres.ranking`). The statement also returns the best rows
and the count, which the thread keeps while the index is unchanged: a search asks for those next.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

import psycopg

from marsad.archive.base import SearchIndex
from marsad.archive.postgres import postings
from marsad.archive.postgres.postings import DOCS, POSTINGS, STATS, Doc, tokens
from marsad.archive.postgres.ranking import TOP, Query
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
    from marsad.archive.postgres.bulk import PostingsLoad

MIGRATIONS = postings.MIGRATIONS
ARTICLES = "articles"  # the store's: rowid (the key), id, url, headline, outlet, section, published, body
# The copy group of ``m.key`` (the relate stage's duplicates table), looked up with each row returned.
_GROUP = "(SELECT d.group_id FROM duplicates d WHERE d.article_rowid = m.key)"
_KEEP, _MEMO = 400, 8  # best rows kept of a scored query, and queries kept per thread


class PostgresSearchIndex(SearchIndex):
    """:class:`marsad.archive.base.SearchIndex` of a PostgreSQL backend. ``backend.connection()``
    gives the calling thread's unit-of-work connection (so writes join its transaction), else a
    pooled one in autocommit mode."""

    def __init__(self, backend: PostgresBackend, scheme: Scheme = DEFAULT_SCHEME):
        self.backend = backend
        self.scheme = scheme
        self._local = threading.local()  # each thread's deadline and kept results
        # Drops the postings key for a big load (an index over a bare connection loads row by row).
        self.load: PostingsLoad | None = getattr(backend, "load", None)

    # -- writing --------------------------------------------------------------------------------

    def add(self, rows: Iterable[tuple[int, Article]],
            prepared: Mapping[str, list[str]] | None = None) -> None:
        prepared = prepared or {}
        docs = [Doc(key, [tokens(c) for c in (prepared.get(a.id) or prepare(a, self.scheme))])
                for key, a in rows]
        if not docs:
            return
        with self.backend.connection() as conn, conn.cursor() as cur:
            if self.load is not None:
                self.load.adding(cur, len(docs))
            postings.remove(cur, [d.key for d in docs])
            postings.add(cur, docs, self.scheme, ordered=self.load is None or not self.load.active)

    def remove(self, keys: Iterable[int]) -> None:
        with self.backend.connection() as conn, conn.cursor() as cur:
            postings.remove(cur, list(keys))

    def compact(self) -> None:
        """Fold the statistics rows into one; outside a transaction, also refresh the planner's
        figures and the visibility map (so that postings are read from the index alone). After a big
        load, the postings key is built first."""
        if self.load is not None:
            self.load.finish()
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
            for table in (POSTINGS, DOCS, STATS):
                conn.execute(f"VACUUM (ANALYZE) {table}")
        finally:
            conn.autocommit = autocommit

    # -- reading --------------------------------------------------------------------------------

    def matches(self, expr: Expr, filters: Filters, *, scored: bool = True, groups: bool = False,
                newest: int | None = None, best: int | None = None) -> list[tuple]:
        if not scored:
            q = Query(expr, self.scheme)
            where, params = _filters(filters)
            tail = f" ORDER BY m.key DESC LIMIT {int(newest)}" if newest else ""
            text = (f"{q.with_(False)} SELECT m.key, NULL::float8, {_GROUP} FROM m"
                    f" WHERE {q.match()}{where}{tail}")
            rows = self._fetch(text, [*q.params, *params])
        else:
            rows = self._scored(expr, filters, newest, best)
        return [tuple(r) if groups else tuple(r[:2]) for r in rows]

    def _scored(self, expr: Expr, filters: Filters, newest: int | None, best: int | None) -> list[tuple]:
        """Scored matches (key, score, copy group). A search asks for the newest matches, then for a
        broad query the best and the count: one statement answers all three, and the best rows and the
        count are kept (for the calling thread, while the index is unchanged) for the calls that follow."""
        memo = self._memo()
        kept = memo.get((expr, filters))
        if best and not newest and kept and (best <= len(kept[1]) or kept[2] == len(kept[1])) \
                and kept[0] == self._version():
            return kept[1][:best]
        q = Query(expr, self.scheme)
        where, params = _filters(filters)
        text = f"{q.with_(True)}, r AS (SELECT m.key, {q.score()} AS score FROM m WHERE {q.match()}{where})"
        if newest or best:
            first = "SELECT 0, NULL::bigint, NULL::float8, NULL::bigint, NULL::text WHERE FALSE"
            if newest:
                first = (f"SELECT 0, m.key, score, {_GROUP}, NULL FROM (SELECT key, score FROM r"
                         f" ORDER BY key DESC LIMIT {int(newest)}) m")
            text += (f" {first} UNION ALL SELECT 1, m.key, score, {_GROUP}, NULL FROM (SELECT key, score"
                     f" FROM r ORDER BY score, key LIMIT {max(int(best or 0), _KEEP)}) m"
                     f" UNION ALL SELECT 2, count(*), NULL, NULL, ({_VERSION}) FROM r")
            found = self._fetch(text, [*q.params, *params])
            ranked = [row[1:4] for row in found if row[0] == 1]
            total, version = next((row[1], row[4]) for row in found if row[0] == 2)
            rows = [row[1:4] for row in found if row[0] == 0] if newest else ranked[:best]
        else:
            version = self._version()
            rows = self._fetch(f"{text} SELECT m.key, score, {_GROUP} FROM r m", [*q.params, *params])
            ranked, total = sorted(rows, key=lambda r: (r[1], r[0]))[:_KEEP], len(rows)
        memo[(expr, filters)] = (version, ranked, total)
        while len(memo) > _MEMO:
            memo.pop(next(iter(memo)))
        return rows

    def _memo(self) -> dict:
        if getattr(self._local, "memo", None) is None:
            self._local.memo = {}
        return self._local.memo

    def _version(self) -> str:
        return self._fetch(_VERSION, [])[0][0]

    def count(self, expr: Expr, filters: Filters) -> int:
        kept = self._memo().get((expr, filters))
        if kept and kept[0] == self._version():
            return kept[2]
        q = Query(expr, self.scheme)
        where, params = _filters(filters)
        return self._fetch(f"{q.with_(False)} SELECT count(*) FROM m WHERE {q.match()}{where}",
                           [*q.params, *params])[0][0]

    def among(self, expr: Expr, filters: Filters, ids: list[str]) -> list[str]:
        ids = list(dict.fromkeys(ids))
        keyed = dict(self._fetch(f"SELECT rowid, id FROM {ARTICLES} WHERE id = ANY(%s)", [ids]))
        if not keyed:
            return []
        q = Query(expr, self.scheme, keys=(min(keyed), max(keyed)))
        where, params = _filters(filters)
        text = f"{q.with_(False)} SELECT m.key FROM m WHERE {q.match()}{where}"
        found = {keyed[r[0]] for r in self._fetch(text, [*q.params, *params]) if r[0] in keyed}
        return [i for i in ids if i in found]

    def hits(self, keys: list[int], body: bool = True) -> dict[int, tuple]:
        if not keys:
            return {}
        rows = self._fetch(f"SELECT rowid, id, url, headline, outlet, published, {'body' if body else 'NULL'}"
                           f" FROM {ARTICLES} WHERE rowid = ANY(%s)", [list(keys)])
        return {r[0]: tuple(r) for r in rows}

    def facets(self, expr: Expr, filters: Filters, entities: int) -> Facets:
        q = Query(expr, self.scheme)
        conds, values = [q.match()], []
        for col, op, value in Filters(filters.since, filters.until).comparisons():
            conds.append(f'a.{col} COLLATE "C" {op} %s')
            values.append(value)
        passes, chosen = [], []
        for col in DIMENSIONS:
            passes.append(f"lower(a.{col}) = lower(%s)" if getattr(filters, col) else "TRUE")
            chosen += [getattr(filters, col)] if getattr(filters, col) else []
        # The query's matching set, once; each match's row gives its outlet and section.
        matched = (f"SELECT a.rowid AS k, a.outlet AS o, a.section AS s, coalesce({passes[0]}, FALSE) AS oin,"
                   f" coalesce({passes[1]}, FALSE) AS sin FROM m JOIN {ARTICLES} a ON a.rowid = m.key"
                   f" WHERE {' AND '.join(conds)}")
        text = f"{q.with_(False)}, {facets_sql(matched, entities)}"
        return read_facets(self._fetch(text, [*q.params, *chosen, *values]))

    def expansions(self, start: str, most: int) -> int:
        if most <= 0:
            return 0
        # A skip scan over the primary key: one probe per distinct term, however long its postings.
        text = (f"WITH RECURSIVE t(term, n) AS ("
                f" SELECT min(term), 1 FROM {POSTINGS} WHERE term >= %s AND term < %s"
                f" UNION ALL SELECT (SELECT min(p.term) FROM {POSTINGS} p WHERE p.term > t.term"
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
        deadline = getattr(self._local, "deadline", None)
        with self.backend.connection() as conn:
            if deadline is None:
                return conn.execute(text, params, binary=True).fetchall()
            return self._fetch_within(conn, text, params, *deadline)

    @staticmethod
    def _fetch_within(conn: psycopg.Connection, text: str, params: list, end: float, seconds: float) -> list:
        left = end - time.monotonic()
        try:
            if left <= 0:
                raise psycopg.errors.QueryCanceled()
            # Inside a savepoint (or a transaction of its own), so that a stopped query leaves an
            # outer transaction usable and the timeout does not outlive the query.
            with conn.transaction():
                previous = conn.execute("SELECT set_config('statement_timeout', %s, true)",
                                        (f"{max(1, int(left * 1000))}ms",)).fetchone()
                rows = conn.execute(text, params, binary=True).fetchall()
                conn.execute("SELECT set_config('statement_timeout', %s, true)", previous)
                return rows
        except psycopg.errors.QueryCanceled:
            raise OverBudget(f"the query took more than {seconds:g} s and was stopped; ask for "
                             "fewer words or longer prefixes") from None


# Changes whenever the index does, by any process: every write adds or replaces a statistics row.
_VERSION = f"SELECT count(*) || ':' || coalesce(sum(id), 0) FROM {STATS}"


def _filters(filters: Filters) -> tuple[str, list]:
    """A condition on ``m.key`` for the filters (an empty one without), and its parameters."""
    comparisons = filters.comparisons()
    if not comparisons:
        return "", []
    conds = [f"lower(a.{col}) = lower(%s)" if op == "=" else f'a.{col} COLLATE "C" {op} %s'
             for col, op, _ in comparisons]
    return (f" AND m.key IN (SELECT a.rowid FROM {ARTICLES} a WHERE {' AND '.join(conds)})",
            [value for _, _, value in comparisons])
