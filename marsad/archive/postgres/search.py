"""The search index on PostgreSQL: postings of marsad's own analyzed terms, ranked with FTS5's bm25.

Text is analyzed in Python by the same analyzer as on SQLite (:func:`marsad.search.index.prepare`)
and cut into tokens as FTS5's ``ascii`` tokenizer cuts it, so both backends index the same terms.
Three tables hold the index:

- ``search_postings``: one row per (term, article): the term's count in each index column and the
  article's length in tokens. Its primary key (term, key) carries the counts too, so a query reads
  a term's postings from the index alone, and a prefix is a range of it.
- ``search_docs``: per article, its length and its analyzed columns as text, where a phrase of
  several terms is found by a regular expression (their positions, without a positions table).
- ``search_stats``: rows of (articles, tokens) added and taken away; their sums are the index's
  size and average length. Each write adds a row of its own, so ingesters never wait on one row.

A query (:mod:`marsad.search.expr`) is one statement: every phrase's postings, summed per
article; the tree's conditions; and bm25 exactly as FTS5 computes it (per phrase IDF from the
articles it matches in its columns, frequency = the sum of the column weights of its hits, the
article's length over all columns, the average over all articles, k1 = 1.2, b = 0.75, negated).
A phrase adds to an article's score only where its branch of the tree matches, as in FTS5.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import psycopg

from marsad.model import Article
from marsad.search.analyze import DEFAULT_SCHEME, Scheme
from marsad.search.budget import OverBudget
from marsad.search.expr import AllOf, Exclude, Expr, Phrase
from marsad.search.index import prepare
from marsad.search.rank import Filters

if TYPE_CHECKING:
    from marsad.archive.postgres import PostgresBackend

POSTINGS, DOCS, STATS = "search_postings", "search_docs", "search_stats"
ARTICLES = "articles"  # the store's: rowid (the key), id, url, headline, outlet, section, published, body
DUPLICATES = ("duplicates", "article_rowid", "group_id")  # the relate stage's copy groups
K1, B = 1.2, 0.75
_TOP = chr(0x10FFFF)
_MAX_COUNT = 32767  # a term's count in one column of one article is kept as a smallint
_NUMBERS = [str(n) for n in range(_MAX_COUNT + 1)]  # the counts as COPY text, made once
# FTS5's ascii tokenizer: ASCII letters, digits and '.' (declared a token character) and every
# non-ASCII character make tokens; any other ASCII character separates them. ASCII is lowercased.
_SEPARATORS = re.compile(r"[\x00-\x2d\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+")
_ODD = re.compile(r"[\x00-\x1f\x21-\x2d\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]")  # any but space
_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_REGEX_SPECIAL = re.compile(r"([^0-9A-Za-z\x80-\U0010ffff])")


def tokens(text: str) -> list[str]:
    """The tokens FTS5's ascii tokenizer (with '.' a token character) makes of ``text``."""
    if _ODD.search(text) is None:  # the analyzer's usual output: terms between single spaces
        return [t for t in text.split(" ") if t]
    return [t for t in _SEPARATORS.split(text.translate(_LOWER)) if t]


def create_sql(scheme: Scheme = DEFAULT_SCHEME) -> str:
    counts = ", ".join(f"{c} smallint NOT NULL" for c in scheme.columns)
    return f"""
CREATE TABLE {POSTINGS} (
    term text COLLATE "C" NOT NULL, key bigint NOT NULL, dl integer NOT NULL, {counts},
    PRIMARY KEY (term, key) INCLUDE (dl, {', '.join(scheme.columns)}));
CREATE TABLE {DOCS} (key bigint PRIMARY KEY, dl integer NOT NULL, cols text[] NOT NULL);
CREATE TABLE {STATS} (id bigserial PRIMARY KEY, docs bigint NOT NULL, tokens bigint NOT NULL);
"""


MIGRATIONS: list = [("search-0001-postings", create_sql())]


@dataclass(slots=True)
class _Doc:
    key: int
    cols: list[list[str]]  # tokens of each index column

    @property
    def dl(self) -> int:
        return sum(map(len, self.cols))

    def postings(self) -> list[str]:
        """Its rows of the postings table, as lines of COPY text (tokens hold no tab, newline or
        backslash)."""
        counters = [Counter(toks) for toks in self.cols]
        gets = [c.get for c in counters]
        num = _NUMBERS if max(map(len, self.cols)) <= _MAX_COUNT else _Capped()
        head = f"\t{self.key}\t{self.dl}\t"
        return [t + head + "\t".join([num[g(t, 0)] for g in gets]) + "\n" for t in set().union(*counters)]


class _Capped:
    def __getitem__(self, n: int) -> str:
        return str(min(n, _MAX_COUNT))


class PostgresSearchIndex:
    """:class:`marsad.archive.base.SearchIndex` of a PostgreSQL backend. ``backend.connection()``
    gives the calling thread's unit-of-work connection (so writes join its transaction), else a
    pooled one in autocommit mode."""

    def __init__(self, backend: PostgresBackend, scheme: Scheme = DEFAULT_SCHEME):
        self.backend = backend
        self.scheme = scheme
        self._local = threading.local()  # each thread's deadline: (end, on the monotonic clock; seconds)

    # -- writing --------------------------------------------------------------------------------

    def add(self, rows: Iterable[tuple[int, Article]],
            prepared: Mapping[str, list[str]] | None = None) -> None:
        prepared = prepared or {}
        docs = [_Doc(key, [tokens(c) for c in (prepared.get(a.id) or prepare(a, self.scheme))])
                for key, a in rows]
        if not docs:
            return
        self.remove([d.key for d in docs])
        cols = ", ".join(self.scheme.columns)
        with self.backend.connection() as conn, conn.cursor() as cur:
            with cur.copy(f"COPY {DOCS} (key, dl, cols) FROM STDIN") as copy:
                for d in docs:
                    copy.write_row((d.key, d.dl, [" " + " ".join(c) + " " for c in d.cols]))
            # In term order: each insertion then lands beside the last one in the primary key, which
            # makes loading about twice as fast as in article order.
            lines = [line for d in docs for line in d.postings()]
            lines.sort()
            with cur.copy(f"COPY {POSTINGS} (term, key, dl, {cols}) FROM STDIN") as copy:
                copy.write("".join(lines))
            cur.execute(f"INSERT INTO {STATS} (docs, tokens) VALUES (%s, %s)",
                        (len(docs), sum(d.dl for d in docs)))

    def remove(self, keys: Iterable[int]) -> None:
        keys = list(keys)
        with self.backend.connection() as conn, conn.cursor() as cur:
            # Each article's terms come from its stored columns, so its postings are found by
            # the primary key, without an index on key alone.
            cur.execute(f"DELETE FROM {DOCS} WHERE key = ANY(%s) RETURNING key, dl, cols", (keys,))
            gone = cur.fetchall()
            if not gone:
                return
            pairs = [(t, k) for k, _, cols in gone for t in {t for c in cols for t in c.split()}]
            cur.execute(f"DELETE FROM {POSTINGS} p USING unnest(%s::text[], %s::bigint[]) AS g(term, key)"
                        " WHERE p.term = g.term AND p.key = g.key",
                        ([t for t, _ in pairs], [k for _, k in pairs]))
            cur.execute(f"INSERT INTO {STATS} (docs, tokens) VALUES (%s, %s)",
                        (-len(gone), -sum(dl for _, dl, _ in gone)))

    def compact(self) -> None:
        """Fold the statistics rows into one; outside a transaction, also refresh the planner's
        figures and the visibility map (so that postings are read from the index alone)."""
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
        q = _Query(expr, self.scheme)
        cols, join = "m.key", ""
        if scored:
            cols += f", {q.score()}"
        else:
            cols += ", NULL::float8"
        if groups:
            table, key, group = DUPLICATES
            join = f" LEFT JOIN {table} d ON d.{key} = m.key"
            cols += f", d.{group}"
        where, params = _filters(filters)
        tail = (f" ORDER BY m.key DESC LIMIT {int(newest)}" if newest
                else f" ORDER BY 2, 1 LIMIT {int(best)}" if best and scored else "")
        stats = f" CROSS JOIN ({q.idf()}) st" if scored else ""
        text = f"{q.with_()} SELECT {cols} FROM m{stats}{join} WHERE {q.match()}{where}{tail}"
        return self._fetch(text, [*q.params, *params])

    def count(self, expr: Expr, filters: Filters) -> int:
        q = _Query(expr, self.scheme)
        where, params = _filters(filters)
        return self._fetch(f"{q.with_()} SELECT count(*) FROM m WHERE {q.match()}{where}",
                           [*q.params, *params])[0][0]

    def hits(self, keys: list[int], body: bool = True) -> dict[int, tuple]:
        rows = self._fetch(f"SELECT rowid, id, url, headline, outlet, published, {'body' if body else 'NULL'}"
                           f" FROM {ARTICLES} WHERE rowid = ANY(%s)", [list(keys)])
        return {r[0]: tuple(r) for r in rows}

    def facet(self, expr: Expr, filters: Filters, column: str) -> list[tuple[str, int]]:
        if column not in ("outlet", "section"):
            raise ValueError(f"no facet on {column!r}")
        q = _Query(expr, self.scheme)
        where, params = _filters(filters)
        rows = self._fetch(f"{q.with_()} SELECT a.{column}, count(*) AS n FROM {ARTICLES} a"
                           f" WHERE a.rowid IN (SELECT m.key FROM m WHERE {q.match()}{where})"
                           f" AND a.{column} IS NOT NULL GROUP BY 1 ORDER BY n DESC, 1",
                           [*q.params, *params])
        return [tuple(r) for r in rows]

    def expansions(self, start: str, most: int) -> int:
        if most <= 0:
            return 0
        # A skip scan over the primary key: one probe per distinct term, however long its postings.
        text = (f"WITH RECURSIVE t(term, n) AS ("
                f" SELECT min(term), 1 FROM {POSTINGS} WHERE term >= %s AND term < %s"
                f" UNION ALL SELECT (SELECT min(p.term) FROM {POSTINGS} p WHERE p.term > t.term"
                f" AND p.term < %s), t.n + 1 FROM t WHERE t.term IS NOT NULL AND t.n < %s)"
                f" SELECT count(term) FROM t")
        end = start + _TOP
        return self._fetch(text, [start, end, end, most])[0][0]

    @contextmanager
    def deadline(self, seconds: float) -> Iterator[None]:
        self._local.deadline = (time.monotonic() + seconds, seconds)
        try:
            yield
        finally:
            self._local.deadline = None

    def _fetch(self, text: str, params: list) -> list[tuple]:
        deadline = getattr(self._local, "deadline", None)
        with self.backend.connection() as conn:
            if deadline is None:
                return conn.execute(text, params).fetchall()
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
                rows = conn.execute(text, params).fetchall()
                conn.execute("SELECT set_config('statement_timeout', %s, true)", previous)
                return rows
        except psycopg.errors.QueryCanceled:
            raise OverBudget(f"the query took more than {seconds:g} s and was stopped; ask for "
                             "fewer words or longer prefixes") from None


def _filters(filters: Filters) -> tuple[str, list]:
    """A condition on ``m.key`` for the filters (an empty one without), and its parameters."""
    conds, params = [], []
    if filters.since:
        conds.append('a.published COLLATE "C" >= %s')
        params.append(filters.since)
    if filters.until:  # a time that starts with ``until`` sorts below it followed by the top character
        conds.append('a.published COLLATE "C" <= %s')
        params.append(filters.until + _TOP)
    for col in ("outlet", "section"):
        if getattr(filters, col):
            conds.append(f"lower(a.{col}) = lower(%s)")
            params.append(getattr(filters, col))
    if not conds:
        return "", []
    return f" AND m.key IN (SELECT a.rowid FROM {ARTICLES} a WHERE {' AND '.join(conds)})", params


def _f(x: float) -> str:
    return f"{x!r}::float8"


class _Query:
    """The SQL of one query tree: ``with_()`` defines ``m`` (key, dl, f0, f1, ...: each distinct
    phrase's weighted frequency in each article holding a term of the query, NULL where the
    phrase does not match), ``match()`` the tree's condition on it, ``idf()`` and ``score()``
    FTS5's bm25. ``params`` are the parameters of ``with_()``."""

    def __init__(self, expr: Expr, scheme: Scheme):
        self.scheme = scheme
        self.params: list = []
        self.distinct: dict[tuple, int] = {}  # (tokens, column indexes, prefix) -> j
        self.branches: list[str] = []
        self.occurrences: list[tuple[int, str]] = []  # each phrase in tree order: (j, where it counts)
        self.condition = self._cond(expr)
        self._walk(expr, [])

    def _cond(self, expr: Expr) -> str:
        """The node's condition on ``m``; makes the branches of phrases met the first time."""
        if isinstance(expr, Phrase):
            j = self._phrase(expr)
            return "FALSE" if j is None else f"m.f{j} IS NOT NULL"
        if isinstance(expr, Exclude):
            return f"({self._cond(expr.positive)} AND NOT {self._cond(expr.negative)})"
        parts = [self._cond(p) for p in expr.parts]
        if not parts:
            return "TRUE" if isinstance(expr, AllOf) else "FALSE"
        return "(" + (" AND " if isinstance(expr, AllOf) else " OR ").join(parts) + ")"

    def _walk(self, expr: Expr, ancestors: list[str]) -> None:
        """Where each phrase counts towards the score: in FTS5, a phrase's hits count in a row where
        every AND (and NOT) above it matches; under an OR they count whenever the phrase matches.
        Phrases on the negative side of a NOT never occur in a returned row."""
        if isinstance(expr, Phrase):
            j = self._phrase(expr)
            if j is not None:
                self.occurrences.append((j, " AND ".join(ancestors) or "TRUE"))
        elif isinstance(expr, Exclude):
            self._walk(expr.positive, [*ancestors, self._cond(expr)])
        else:
            inner = [*ancestors, self._cond(expr)] if isinstance(expr, AllOf) else ancestors
            for part in expr.parts:
                self._walk(part, inner)

    def _phrase(self, p: Phrase) -> int | None:
        toks = tuple(t for term in p.terms for t in tokens(term))
        if not toks:
            return None
        cols = tuple(range(len(self.scheme.columns))) if p.columns is None else \
            tuple(sorted({self._column(c) for c in p.columns}))
        key = (toks, cols, p.prefix)
        if key not in self.distinct:
            self.distinct[key] = j = len(self.distinct)
            self.branches.append(self._single(j, toks[0], cols, p.prefix) if len(toks) == 1
                                 else self._many(j, toks, cols, p.prefix))
        return self.distinct[key]

    def _column(self, name: str) -> int:
        try:
            return self.scheme.columns.index(name)
        except ValueError:
            raise ValueError(f"no such index column: {name}") from None

    def _single(self, j: int, term: str, cols: tuple[int, ...], prefix: bool) -> str:
        names = [self.scheme.columns[c] for c in cols]
        weighted = " + ".join(f"{_f(self.scheme.weights[c])} * {n}" for c, n in zip(cols, names, strict=True))
        where = self._term(term, prefix, "")
        if len(cols) < len(self.scheme.columns):
            where += " AND (" + " OR ".join(f"{n} > 0" for n in names) + ")"
        return f"SELECT key, dl, {j} AS i, {weighted} AS f FROM {POSTINGS} WHERE {where}"

    def _term(self, term: str, prefix: bool, alias: str) -> str:
        if prefix:
            self.params += [term, term + _TOP]
            return f"{alias}term >= %s AND {alias}term < %s"
        self.params.append(term)
        return f"{alias}term = %s"

    def _many(self, j: int, toks: tuple[str, ...], cols: tuple[int, ...], prefix: bool) -> str:
        """A phrase of several tokens: the articles holding all of them (in its columns), then its
        hits in each column counted by a regular expression over the column's text."""
        names = [self.scheme.columns[c] for c in cols]
        anycol = "" if len(cols) == len(self.scheme.columns) else \
            " AND (" + " OR ".join(f"{n} > 0" for n in names) + ")"
        last = len(toks) - 1
        # ' ' then a look-ahead: every start is counted, overlapping ones too, as FTS5 counts them.
        body = " ".join(_REGEX_SPECIAL.sub(r"\\\1", t) for t in toks)
        pattern = " (?=" + body + ("" if prefix else " ") + ")"
        counts = ", ".join(f"regexp_count(d.cols[{c + 1}], %s) AS n{c}" for c in cols)
        self.params += [pattern] * len(cols)
        wanted = {(t, prefix and n == last) for n, t in enumerate(toks)}
        holding = " INTERSECT ".join(f"SELECT key FROM {POSTINGS} WHERE {self._term(t, pre, '')}{anycol}"
                                     for t, pre in sorted(wanted))
        weighted = " + ".join(f"{_f(self.scheme.weights[c])} * x.n{c}" for c in cols)
        return (f"SELECT d.key, d.dl, {j} AS i, {weighted} AS f FROM {DOCS} d CROSS JOIN LATERAL"
                f" (SELECT {counts}) x WHERE d.key IN ({holding})"
                f" AND {' + '.join(f'x.n{c}' for c in cols)} > 0")

    def with_(self) -> str:
        if not self.branches:
            return "WITH m(key, dl) AS (SELECT NULL::bigint, NULL::integer WHERE FALSE)"
        union = " UNION ALL ".join(self.branches)
        fs = "".join(f", sum(f) FILTER (WHERE i = {j}) AS f{j}" for j in range(len(self.branches)))
        return f"WITH u AS ({union}), m AS (SELECT key, max(dl) AS dl{fs} FROM u GROUP BY key)"

    def match(self) -> str:
        return self.condition

    def idf(self) -> str:
        """One row: the average length and the IDF of each distinct phrase (idf0, ...)."""
        counts = "".join(f", count(m.f{j}) AS n{j}" for j in range(len(self.branches)))
        ratio = "(c.n - c.n{j} + 0.5::float8) / (c.n{j} + 0.5::float8)"
        idfs = "".join(f", CASE WHEN {ratio} <= 1 THEN 1e-6::float8 ELSE ln({ratio}) END AS idf{j}"
                       .format(ratio=ratio.format(j=j), j=j) for j in range(len(self.branches)))
        return (f"SELECT c.avgdl{idfs} FROM (SELECT s.n, s.avgdl{counts} FROM (SELECT sum(docs)::float8 AS n,"
                f" sum(tokens)::float8 / nullif(sum(docs), 0) AS avgdl FROM {STATS}) s CROSS JOIN m"
                f" GROUP BY s.n, s.avgdl) c")

    def score(self) -> str:
        terms = []
        for j, where in self.occurrences:
            f = f"coalesce(m.f{j}, 0::float8)"
            terms.append(f"CASE WHEN {where} THEN st.idf{j} * (({f} * {_f(K1 + 1.0)}) / ({f} + {_f(K1)}"
                         f" * ({_f(1 - B)} + {_f(B)} * m.dl / st.avgdl))) ELSE 0::float8 END")
        return "-(0::float8 + " + " + ".join(terms) + ")" if terms else "0::float8"
