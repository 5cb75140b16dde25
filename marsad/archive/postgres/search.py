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

A query (:mod:`marsad.search.expr`) is one statement. Each phrase's rows give its IDF (the
articles it matches in its columns) and, row by row, its bm25 term in each article (frequency =
the sum of the column weights of its hits, the article's length over all columns, the average
over all articles, k1 = 1.2, b = 0.75); an article's score is the sum of its terms, negated, and
a mask of the phrases it matches decides the tree's conditions. As in FTS5, a phrase adds to a
score only where its branch of the tree matches. The statement also returns the best rows and
the count, which the thread keeps while the index is unchanged: a search asks for those next.
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

from marsad.archive.base import SearchIndex
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
_KEEP, _MEMO = 400, 8  # best rows kept of a scored query, and queries kept per thread
_BITS = 63  # phrases per bigint mask of the phrases an article matches
_MAX_COUNT = 32767  # a term's count in one column of one article is kept as a smallint
_NUMBERS = [str(n) for n in range(_MAX_COUNT + 1)]  # the counts as COPY text, made once
# FTS5's ascii tokenizer: ASCII letters, digits and '.' (declared a token character) and every
# non-ASCII character make tokens; any other ASCII character separates them. ASCII is lowercased.
_SEPARATORS = re.compile(r"[\x00-\x2d\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+")
_ODD = re.compile(r"[\x00-\x1f\x21-\x2d\x2f\x3a-\x60\x7b-\x7f]")  # a separator but space, or a capital
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

    def row(self) -> str:
        """Its row of the documents table as COPY text: each column's tokens between single spaces
        (no token holds a quote, a backslash, a tab or a newline, so none needs escaping)."""
        cols = ",".join('" ' + " ".join(c) + ' "' for c in self.cols)
        return f"{self.key}\t{self.dl}\t{{{cols}}}\n"

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


class PostgresSearchIndex(SearchIndex):
    """:class:`marsad.archive.base.SearchIndex` of a PostgreSQL backend. ``backend.connection()``
    gives the calling thread's unit-of-work connection (so writes join its transaction), else a
    pooled one in autocommit mode."""

    def __init__(self, backend: PostgresBackend, scheme: Scheme = DEFAULT_SCHEME):
        self.backend = backend
        self.scheme = scheme
        self._local = threading.local()  # each thread's deadline and kept results

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
                copy.write("".join(d.row() for d in docs))
                # Made while the server stores the documents. In term order: each insertion then
                # lands beside the last one in the primary key, about twice as fast as in article order.
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
        if not scored:
            q = _Query(expr, self.scheme)
            where, params = _filters(filters)
            tail = f" ORDER BY m.key DESC LIMIT {int(newest)}" if newest else ""
            text = f"{q.with_(False)} SELECT m.key, NULL::float8 FROM m WHERE {q.match()}{where}{tail}"
            rows = self._fetch(text, [*q.params, *params])
        else:
            rows = self._scored(expr, filters, newest, best)
        return self._groups(rows) if groups else [tuple(r) for r in rows]

    def _scored(self, expr: Expr, filters: Filters, newest: int | None, best: int | None) -> list[tuple]:
        """Scored matches. A search asks for the newest matches, then for a broad query the best and
        the count: one statement answers all three, and the best rows and the count are kept (for
        the calling thread, while the index is unchanged) for the calls that follow."""
        memo = self._memo()
        kept = memo.get((expr, filters))
        if best and not newest and kept and (best <= len(kept[1]) or kept[2] == len(kept[1])) \
                and kept[0] == self._version():
            return kept[1][:best]
        q = _Query(expr, self.scheme)
        where, params = _filters(filters)
        text = f"{q.with_(True)}, r AS (SELECT m.key, {q.score()} AS score FROM m WHERE {q.match()}{where})"
        if newest or best:
            first = "SELECT 0, NULL::bigint, NULL::float8, NULL::text WHERE FALSE"
            if newest:
                first = ("SELECT 0, key, score, NULL FROM (SELECT key, score FROM r ORDER BY key DESC"
                         f" LIMIT {int(newest)}) a")
            text += (f" {first} UNION ALL SELECT 1, key, score, NULL FROM (SELECT key, score FROM r"
                     f" ORDER BY score, key LIMIT {max(int(best or 0), _KEEP)}) b"
                     f" UNION ALL SELECT 2, count(*), NULL, ({_VERSION}) FROM r")
            found = self._fetch(text, [*q.params, *params])
            ranked = [(k, sc) for part, k, sc, _ in found if part == 1]
            total, version = next((k, v) for part, k, _, v in found if part == 2)
            rows = [(k, sc) for part, k, sc, _ in found if part == 0] if newest else ranked[:best]
        else:
            version = self._version()
            rows = [tuple(r) for r in self._fetch(f"{text} SELECT key, score FROM r", [*q.params, *params])]
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

    def _groups(self, rows: list) -> list[tuple]:
        table, key, group = DUPLICATES
        found = dict(self._fetch(f"SELECT {key}, {group} FROM {table} WHERE {key} = ANY(%s)",
                                 [[r[0] for r in rows]])) if rows else {}
        return [(k, sc, found.get(k)) for k, sc in rows]

    def count(self, expr: Expr, filters: Filters) -> int:
        kept = self._memo().get((expr, filters))
        if kept and kept[0] == self._version():
            return kept[2]
        q = _Query(expr, self.scheme)
        where, params = _filters(filters)
        return self._fetch(f"{q.with_(False)} SELECT count(*) FROM m WHERE {q.match()}{where}",
                           [*q.params, *params])[0][0]

    def among(self, expr: Expr, filters: Filters, ids: list[str]) -> list[str]:
        ids = list(dict.fromkeys(ids))
        keyed = dict(self._fetch(f"SELECT rowid, id FROM {ARTICLES} WHERE id = ANY(%s)", [ids]))
        if not keyed:
            return []
        q = _Query(expr, self.scheme, keys=(min(keyed), max(keyed)))
        where, params = _filters(filters)
        text = f"{q.with_(False)} SELECT m.key FROM m WHERE {q.match()}{where}"
        found = {keyed[r[0]] for r in self._fetch(text, [*q.params, *params]) if r[0] in keyed}
        return [i for i in ids if i in found]

    def hits(self, keys: list[int], body: bool = True) -> dict[int, tuple]:
        rows = self._fetch(f"SELECT rowid, id, url, headline, outlet, published, {'body' if body else 'NULL'}"
                           f" FROM {ARTICLES} WHERE rowid = ANY(%s)", [list(keys)])
        return {r[0]: tuple(r) for r in rows}

    def facet(self, expr: Expr, filters: Filters, column: str) -> list[tuple[str, int]]:
        if column not in ("outlet", "section"):
            raise ValueError(f"no facet on {column!r}")
        q = _Query(expr, self.scheme)
        where, params = _filters(filters)
        rows = self._fetch(f"{q.with_(False)} SELECT a.{column}, count(*) AS n FROM {ARTICLES} a"
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


def _f(x: float) -> str:
    return f"{x!r}::float8"


class _Query:
    """The SQL of one query tree: ``with_()`` defines ``m``, one row per article holding a phrase
    of the query, with the masks of the phrases it matches and its bm25 sums; ``match()`` is the
    tree's condition on it and ``score()`` its bm25. ``params`` are the parameters of ``with_()``.

    A phrase's bm25 term needs only its own hits in an article, the article's length and the
    phrase's IDF, so it is computed on the phrase's postings, and an article's score is a sum."""

    def __init__(self, expr: Expr, scheme: Scheme, keys: tuple[int, int] | None = None):
        self.scheme = scheme
        self.keys = keys  # only the postings of the articles with keys in this range are read
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
            return "FALSE" if j is None else f"(m.k{j // _BITS} & {1 << j % _BITS}::bigint) <> 0"
        if isinstance(expr, Exclude):
            return f"({self._cond(expr.positive)} AND NOT {self._cond(expr.negative)})"
        parts = [self._cond(p) for p in expr.parts]
        if not parts:
            return "TRUE" if isinstance(expr, AllOf) else "FALSE"
        return "(" + (" AND " if isinstance(expr, AllOf) else " OR ").join(parts) + ")"

    def _walk(self, expr: Expr, ancestors: list[str], implied: bool = False) -> None:
        """Where each phrase counts towards the score: in FTS5, a phrase's hits count in a row where
        every AND (and NOT) above it matches; under an OR they count whenever the phrase matches.
        Phrases on the negative side of a NOT never occur in a returned row. ``implied``: the node
        matches wherever its parent does (the positive side of a NOT)."""
        if isinstance(expr, Phrase):
            j = self._phrase(expr)
            if j is not None:
                self.occurrences.append((j, " AND ".join(ancestors) or "TRUE"))
        elif isinstance(expr, Exclude):
            self._walk(expr.positive, [*ancestors, self._cond(expr)], implied=True)
        else:
            inner = [*ancestors, self._cond(expr)] if isinstance(expr, AllOf) and not implied else ancestors
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
        if prefix:  # one row per article: its hits of every term the prefix stands for
            return (f"SELECT key, max(dl) AS dl, {j} AS i, sum({weighted}) AS f FROM {POSTINGS}"
                    f" WHERE {where} GROUP BY key")
        return f"SELECT key, dl, {j} AS i, {weighted} AS f FROM {POSTINGS} WHERE {where}"

    def _term(self, term: str, prefix: bool, alias: str) -> str:
        self.params += [term, term + _TOP] if prefix else [term]
        cond = f"{alias}term >= %s AND {alias}term < %s" if prefix else f"{alias}term = %s"
        if self.keys is not None:
            self.params += self.keys
            cond += f" AND {alias}key BETWEEN %s AND %s"
        return cond

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

    def with_(self, scored: bool) -> str:
        """``u``: (key, dl, i, f) for each phrase i an article matches, f its weighted hits there;
        ``m``: per article its length, the masks of the phrases it matches (k0, ...) and, when
        ``scored``, its bm25 sums (s0, ...: one per set of phrases that count under the same
        condition, see :meth:`score`)."""
        masks = ", ".join(f"bit_or(CASE WHEN u.i / {_BITS} = {n} THEN 1::bigint << (u.i - {n * _BITS})"
                          f" ELSE 0 END) AS k{n}" for n in range(max(1, -(-len(self.branches) // _BITS))))
        if not self.branches:
            return "WITH m(key, k0, s0) AS (SELECT NULL::bigint, 0::bigint, 0::float8 WHERE FALSE)"
        union = " UNION ALL ".join(self.branches)
        if not scored:
            return f"WITH u AS ({union}), m AS (SELECT u.key, {masks} FROM u GROUP BY u.key)"
        # FTS5's bm25 term of each phrase in each article (bm25 sums them, negated). Each article is
        # in a phrase's rows once, so their number is the articles the phrase matches: its IDF.
        ratio = "(s.n - b.df + 0.5::float8) / (b.df + 0.5::float8)"
        term = (f"CASE WHEN {ratio} <= 1 THEN 1e-6::float8 ELSE ln({ratio}) END * ((b.f * {_f(K1 + 1.0)})"
                f" / (b.f + {_f(K1)} * ({_f(1 - B)} + {_f(B)} * b.dl / s.avgdl)))")
        scored = " UNION ALL ".join(f"SELECT b.key, b.i, {term} AS c FROM (SELECT *, count(*) OVER () AS df"
                                    f" FROM ({branch}) b0) b CROSS JOIN s" for branch in self.branches)
        sums = "".join(f", sum(u.c{_times(counts, len(self.branches))}) AS s{n}"
                       for n, counts in enumerate(self.classes.values()))
        return (f"WITH s AS (SELECT sum(docs)::float8 AS n, sum(tokens)::float8 / nullif(sum(docs), 0)"
                f" AS avgdl FROM {STATS}), u AS ({scored}),"
                f" m AS (SELECT u.key, {masks}{sums} FROM u GROUP BY u.key)")

    @property
    def classes(self) -> dict[str, Counter]:
        """The phrases that count under each condition: condition → phrase → times it is in the tree."""
        out: dict[str, Counter] = {}
        for j, where in self.occurrences:
            out.setdefault(where, Counter())[j] += 1
        return out

    def match(self) -> str:
        return self.condition

    def score(self) -> str:
        """bm25 of ``m``'s row: every phrase's term where the tree lets the phrase count (in a row the
        query returns, a condition that is the whole tree's, or none, always holds)."""
        parts = [f"m.s{n}" if where in ("TRUE", self.condition) else
                 f"CASE WHEN {where} THEN m.s{n} ELSE 0 END" for n, where in enumerate(self.classes)]
        return f"-({' + '.join(parts)})" if parts else "0::float8"


def _times(counts: Counter, phrases: int) -> str:
    """The factor that keeps a phrase's terms in one sum of :meth:`_Query.with_`: how many times the
    phrase is in that sum's set (none when every phrase is there once)."""
    if len(counts) == phrases and set(counts.values()) == {1}:
        return ""
    return " * CASE u.i " + " ".join(f"WHEN {j} THEN {n}" for j, n in sorted(counts.items())) + " ELSE 0 END"
