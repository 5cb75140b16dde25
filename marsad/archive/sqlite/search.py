"""The search index on SQLite: an FTS5 table of analyzed terms, ranked with FTS5's bm25().

Text is analyzed in Python (:mod:`marsad.search.analyze`) and stored as space-separated
terms, so FTS5's plain ``ascii`` tokenizer only splits on spaces, and queries, compiled to a
tree (:mod:`marsad.search.expr`), are rendered here as MATCH expressions of those terms.
The FTS5 rowid is the ``articles`` rowid (the store's key). Near-duplicates are folded
when the relate stage has filled ``duplicates(article_rowid, group_id)``.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

from marsad.archive.base import SearchIndex
from marsad.model import Article, EntitySummary
from marsad.search.analyze import DEFAULT_SCHEME, Scheme
from marsad.search.budget import OverBudget
from marsad.search.expr import AllOf, Exclude, Expr, Phrase
from marsad.search.facets import DIMENSIONS, Facets
from marsad.search.index import prepare
from marsad.search.rank import Filters

TABLE = "search_fts"
VOCAB = "marsad_search_vocab"  # a temporary fts5vocab table over the index, one per connection
_HIT_COLUMNS = "rowid, id, url, headline, outlet, published"
FACETS_INDEX = "articles_facets"
_MAX_VARS = 900  # rowids per IN (...) query
_STEPS = 2000  # SQLite VM steps between two looks at the clock (a few microseconds of work)
_TOP = chr(0x10FFFF)


def create_sql(scheme: Scheme = DEFAULT_SCHEME, table: str = TABLE) -> str:
    cols = ", ".join(scheme.columns)
    # '.' is a token character so that decimals such as 22.6 stay one term.
    return (f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5({cols},"
            " tokenize=\"ascii tokenchars '.'\");")


def add(conn: sqlite3.Connection, rows: Iterable[tuple[int, Article]], *,
        scheme: Scheme = DEFAULT_SCHEME, prepared: Mapping[str, list[str]] | None = None) -> None:
    """Index new or changed articles; ``rows`` are (articles rowid, article). ``prepared`` holds the
    :func:`marsad.search.index.prepare` result of some of them, by article id; the others are
    analyzed here."""
    prepared = prepared or {}
    marks = ", ".join("?" * (len(scheme.columns) + 1))
    conn.executemany(f"INSERT OR REPLACE INTO {TABLE}(rowid, {', '.join(scheme.columns)}) VALUES ({marks})",
                     ((rowid, *(prepared.get(a.id) or prepare(a, scheme))) for rowid, a in rows))


def remove(conn: sqlite3.Connection, rowids: Iterable[int]) -> None:
    """Drop articles from the index, before they are replaced or deleted."""
    conn.executemany(f"DELETE FROM {TABLE} WHERE rowid = ?", ((r,) for r in rowids))


def merge(conn: sqlite3.Connection) -> None:
    """Merge the index's segments into one (FTS5 'optimize'). A bulk load leaves several, and a
    query then reads each term's postings from every one of them."""
    conn.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')")


def reanalyze(conn: sqlite3.Connection, batch: int = 1000, scheme: Scheme = DEFAULT_SCHEME) -> None:
    """Index every stored article again with today's analyzer: the migration for an analyzer change
    (terms in the index must be those a query gets); the table is made anew, its columns named
    for the scheme's analyzers."""
    conn.execute(f"DROP TABLE IF EXISTS {TABLE}")
    conn.execute(create_sql(scheme))
    last = 0
    while rows := conn.execute("SELECT rowid, data FROM articles WHERE rowid > ? ORDER BY rowid LIMIT ?",
                               (last, batch)).fetchall():
        add(conn, [(rowid, Article.from_dict(json.loads(data))) for rowid, data in rows], scheme=scheme)
        last = rows[-1][0]


MIGRATIONS: list = [
    ("search-0001-fts", create_sql()),
    # The careful stemmer in place of the light one (names whole, suffixes only where three letters
    # remain), a preposition before hamza detached, سورية read as سوريا: stored articles indexed again.
    ("search-0002-reanalyze-names-hamza", reanalyze),
    # What facets read of each match, in a few small pages rather than its (large) article row.
    ("search-0003-facets-index", f"CREATE INDEX IF NOT EXISTS {FACETS_INDEX} "
                                 "ON articles(rowid, outlet, section, published);"),
]


def fts5_match(expr: Expr) -> str:
    """The FTS5 MATCH expression of a parsed query. Every term is a quoted string, so the result is
    always valid FTS5; each :class:`Phrase` is one FTS5 phrase (one bm25 phrase).

    The shape is that of :func:`marsad.search.query.compile`'s trees: the top join and each side of
    an exclusion bare, every nested group in parentheses."""
    if isinstance(expr, Exclude):
        return f"({_render(expr.positive, False)}) NOT ({_render(expr.negative, False)})"
    return _render(expr, False)


def _render(expr: Expr, nested: bool = True) -> str:
    if isinstance(expr, Phrase):
        quoted = '"' + " ".join(expr.terms).replace('"', '""') + '"' + ("*" if expr.prefix else "")
        return f"{{{' '.join(expr.columns)}}} : {quoted}" if expr.columns else quoted
    if isinstance(expr, Exclude):
        return f"({fts5_match(expr)})"
    text = (" AND " if isinstance(expr, AllOf) else " OR ").join(_render(p) for p in expr.parts)
    return f"({text})" if nested else text


def filters_sql(filters: Filters) -> tuple[str, list[str]]:
    """WHERE conditions on ``articles a`` and their parameters."""
    conds, params = [], []
    # Plain comparisons, so that the index on published serves them: a time that starts
    # with ``until`` sorts below ``until`` followed by the highest character.
    if filters.since:
        conds.append("a.published >= ?")
        params.append(filters.since)
    if filters.until:
        conds.append("a.published <= ?")
        params.append(filters.until + _TOP)
    for col in ("outlet", "section"):
        if getattr(filters, col):
            conds.append(f"a.{col} = ? COLLATE NOCASE")
            params.append(getattr(filters, col))
    return "".join(f" AND {c}" for c in conds), params


def entity_facet_sql(keys: str, limit: int) -> str:
    """The entities most mentioned among the articles whose keys ``keys`` (a SELECT) gives, as
    (id, name, type, n); the same SQL on PostgreSQL. Common words the archive leaves out of its
    entity lists are left out here too."""
    return ("SELECT e.id, e.name, e.type, c.n FROM (SELECT entity, count(DISTINCT article) AS n FROM mentions"
            f" WHERE article IN ({keys}) AND entity NOT IN (SELECT id FROM entity_common) GROUP BY entity) c"
            f" JOIN entities e ON e.id = c.entity ORDER BY c.n DESC, e.id LIMIT {int(limit)}")


def facets_sql(matched: str, entities: int) -> str:
    """What follows ``WITH`` (or a comma after other named queries) in the statement that counts a
    query's facets; the same SQL on PostgreSQL. ``matched`` is a SELECT of (k, o, s, oin, sin): each
    article the query and the date filters match, its outlet and section, and whether it passes the
    outlet and the section filter. It is run once; each facet counts from its rows with every filter
    but its own (:func:`read_facets` reads the rows)."""
    counts = ["SELECT 0, NULL, count(*), NULL, NULL FROM fm WHERE oin AND sin",
              "SELECT 1, o, count(*), NULL, NULL FROM fm WHERE sin AND o IS NOT NULL GROUP BY o",
              "SELECT 2, s, count(*), NULL, NULL FROM fm WHERE oin AND s IS NOT NULL GROUP BY s"]
    if entities > 0:
        top = entity_facet_sql("SELECT k FROM fm WHERE oin AND sin", entities)
        counts.append(f"SELECT 3, id, n, name, type FROM ({top}) t")
    return f"fm AS MATERIALIZED ({matched}) {' UNION ALL '.join(counts)}"


def read_facets(rows: Iterable[tuple]) -> Facets:
    """The :class:`Facets` of the rows of :func:`facets_sql`'s statement."""
    total, outlets, sections, entities = 0, [], [], []
    for kind, value, n, name, type_ in rows:
        if kind == 0:
            total = n
        elif kind == 3:
            entities.append(EntitySummary(value, name, type_, n))
        else:
            (outlets if kind == 1 else sections).append((value, n))
    return Facets(total, sorted(outlets, key=_most_first), sorted(sections, key=_most_first),
                  sorted(entities, key=lambda e: (-e.articles, e.id)))


def _most_first(row: tuple[str, int]) -> tuple[int, str]:
    return -row[1], row[0]


def matches_sql(weights: tuple[float, ...] | None, filters: Filters, *, collapse: bool,
                newest: int | None = None, best: int | None = None,
                counted: int | None = None) -> tuple[str, list[str]]:
    """SELECT of matching rows: rowid, then the bm25 score (when ``weights`` are given), then group_id
    (when ``collapse``; NULL for an article in no group), then (when ``counted``, with ``weights``)
    how many rows match in all. Parameters: MATCH expression, filters; with ``counted``, these
    twice (the count's, then the scored rows').

    ``newest``: only that many matching rows, the most recently stored (FTS5 walks rowids backwards);
    ``best``: only that many, the best scored.
    """
    where, params = filters_sql(filters)
    if where:  # a set of rowids, made once, beats looking up each match's (large) article row
        where = f" AND +f.rowid IN (SELECT rowid FROM articles a WHERE 1{where})"
    join, cols = "", "f.rowid"
    if weights is not None:
        cols += f", bm25({TABLE}, {', '.join(f'{w:g}' for w in weights)})"
    if collapse:
        join = " LEFT JOIN duplicates d ON d.article_rowid = f.rowid"
        cols += ", d.group_id"
    sql = f"SELECT {cols} FROM {TABLE} f{join} WHERE {TABLE} MATCH ?{where}"
    if counted:  # one statement: the count first (no scoring), then every match scored and the
        # best kept in a bounded sort, or all of them when at most ``counted`` match
        count = f"SELECT count(*) FROM {TABLE} f WHERE {TABLE} MATCH ?{where}"
        keep = f"CASE WHEN n <= {int(counted)} THEN -1 ELSE {int(best or -1)} END"
        return (f"WITH c(n) AS ({count}) SELECT *, (SELECT n FROM c) FROM ({sql})"
                f" ORDER BY 2, 1 LIMIT (SELECT {keep} FROM c)"), params
    tail = (f" ORDER BY f.rowid DESC LIMIT {int(newest)}" if newest
            else f" ORDER BY 2, 1 LIMIT {int(best)}" if best else "")
    return sql + tail, params


class SQLiteSearchIndex(SearchIndex):
    """The FTS5 index on the archive's connection; ``scheme`` is how its columns were analyzed."""

    def __init__(self, conn: sqlite3.Connection, scheme: Scheme = DEFAULT_SCHEME):
        self.conn = conn
        self.scheme = scheme
        self._known: set[tuple[str, str]] = set()  # tables and indexes known to exist

    def add(self, rows: Iterable[tuple[int, Article]],
            prepared: Mapping[str, list[str]] | None = None) -> None:
        add(self.conn, rows, scheme=self.scheme, prepared=prepared)

    def remove(self, keys: Iterable[int]) -> None:
        remove(self.conn, keys)

    def compact(self) -> None:
        merge(self.conn)

    def rebuild(self, scheme: Scheme) -> None:
        """Index every stored article again under another scheme (for comparing schemes)."""
        reanalyze(self.conn, scheme=scheme)
        self.scheme = scheme

    def matches(self, expr: Expr, filters: Filters, *, scored: bool = True, groups: bool = False,
                newest: int | None = None, best: int | None = None) -> list[tuple]:
        collapse = groups and self._has_duplicates()
        sql, params = matches_sql(self.scheme.weights if scored else None, filters, collapse=collapse,
                                  newest=newest, best=best)
        rows = self.conn.execute(sql, [fts5_match(expr), *params]).fetchall()
        if not scored:
            rows = [(r[0], None, *r[1:]) for r in rows]
        return [(*r, None) for r in rows] if groups and not collapse else rows

    def ranked(self, expr: Expr, filters: Filters, *, groups: bool, best: int,
               broad: int) -> tuple[list[tuple], int]:
        # One statement: the count first, which reads the postings but scores nothing; then one
        # pass scores every match and keeps the best in a bounded sort, or all of them when at most
        # ``broad`` match (a count in the scored pass, a window over every match, sorted them all).
        # Copy groups are looked up for the rows kept only, not joined to every match.
        sql, params = matches_sql(self.scheme.weights, filters, collapse=False, best=best, counted=broad)
        args = [fts5_match(expr), *params]
        rows = self.conn.execute(sql, args * 2).fetchall()
        total = rows[0][-1] if rows else 0
        rows = [r[:2] for r in rows]
        return (self._with_groups(rows) if groups else rows), total

    def _with_groups(self, rows: list[tuple]) -> list[tuple]:
        """(key, score, copy group or None) of (key, score) rows."""
        found: dict[int, int] = {}
        if self._has_duplicates():
            keys = [r[0] for r in rows]
            for i in range(0, len(keys), _MAX_VARS):
                part = keys[i:i + _MAX_VARS]
                marks = ", ".join("?" * len(part))
                found.update(self.conn.execute(
                    f"SELECT article_rowid, group_id FROM duplicates WHERE article_rowid IN ({marks})", part))
        return [(key, score, found.get(key)) for key, score in rows]

    def count(self, expr: Expr, filters: Filters) -> int:
        sql, params = matches_sql(None, filters, collapse=False)
        return self.conn.execute(f"SELECT count(*) FROM ({sql})", [fts5_match(expr), *params]).fetchone()[0]

    def among(self, expr: Expr, filters: Filters, ids: list[str]) -> list[str]:
        ids = list(dict.fromkeys(ids))
        keyed: dict[int, str] = {}
        for i in range(0, len(ids), _MAX_VARS):
            part = ids[i:i + _MAX_VARS]
            keyed.update(self.conn.execute(
                f"SELECT rowid, id FROM articles WHERE id IN ({', '.join('?' * len(part))})", part))
        if not keyed:
            return []
        # One walk of the query's postings between the smallest and largest key, which FTS5 seeks to:
        # a round's new articles hold the newest keys, side by side.
        sql, params = matches_sql(None, filters, collapse=False)
        rows = self.conn.execute(f"{sql} AND f.rowid BETWEEN ? AND ?",
                                 [fts5_match(expr), *params, min(keyed), max(keyed)])
        found = {keyed[r[0]] for r in rows if r[0] in keyed}
        return [i for i in ids if i in found]

    def hits(self, keys: list[int], body: bool = True) -> dict[int, tuple]:
        out = {}
        for i in range(0, len(keys), _MAX_VARS):
            part = keys[i:i + _MAX_VARS]
            sql = (f"SELECT {_HIT_COLUMNS}, {'body' if body else 'NULL'} FROM articles "
                   f"WHERE rowid IN ({', '.join('?' * len(part))})")
            out.update((r[0], r) for r in self.conn.execute(sql, part))
        return out

    def facets(self, expr: Expr, filters: Filters, entities: int) -> Facets:
        where, params = filters_sql(Filters(filters.since, filters.until))
        passes, values = [], []
        for col in DIMENSIONS:
            passes.append(f"a.{col} = ? COLLATE NOCASE" if getattr(filters, col) else "TRUE")
            values += [getattr(filters, col)] if getattr(filters, col) else []
        # FTS5 walks the postings; the facets index gives each match's outlet, section and date.
        keyed = f" INDEXED BY {FACETS_INDEX}" if self._has("index", FACETS_INDEX) else ""
        matched = (f"SELECT a.rowid AS k, a.outlet AS o, a.section AS s, {passes[0]} AS oin,"
                   f" {passes[1]} AS sin FROM {TABLE} f CROSS JOIN articles a{keyed} ON a.rowid = f.rowid"
                   f" WHERE {TABLE} MATCH ?{where}")
        text = f"WITH {facets_sql(matched, entities)}"
        return read_facets(self.conn.execute(text, [*values, fts5_match(expr), *params]))

    def expansions(self, start: str, most: int) -> int:
        if most <= 0:
            return 0
        sql = f"SELECT count(*) FROM (SELECT 1 FROM temp.{VOCAB} WHERE term >= ? AND term < ? LIMIT ?)"
        try:
            return self.conn.execute(sql, (start, start + _TOP, most)).fetchone()[0]
        except sqlite3.OperationalError as e:
            if "no such table" not in str(e):
                raise
        # The vocabulary table lives in the connection's temporary schema: a read-only archive allows it.
        self.conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{VOCAB} "
                          f"USING fts5vocab(main, {TABLE}, 'row')")
        return self.conn.execute(sql, (start, start + _TOP, most)).fetchone()[0]

    @contextmanager
    def deadline(self, seconds: float) -> Iterator[None]:
        end = time.monotonic() + seconds
        self.conn.set_progress_handler(lambda: time.monotonic() > end, _STEPS)
        try:
            yield
        except sqlite3.OperationalError as e:
            if "interrupted" not in str(e):
                raise
            raise OverBudget(f"the query took more than {seconds:g} s and was stopped; ask for fewer words "
                             "or longer prefixes") from None
        finally:
            self.conn.set_progress_handler(None, 0)

    def _has_duplicates(self) -> bool:
        # The relate stage's migration creates the table; an archive without it has nothing to fold.
        return self._has("table", "duplicates")

    def _has(self, kind: str, name: str) -> bool:
        """Whether the archive has the table or index ``name`` (an archive that a reader could not
        migrate may lack it); known once it is there."""
        if (kind, name) not in self._known:
            found = self.conn.execute("SELECT 1 FROM sqlite_master WHERE type = ? AND name = ?",
                                      (kind, name)).fetchone()
            if found is None:
                return False
            self._known.add((kind, name))
        return True
