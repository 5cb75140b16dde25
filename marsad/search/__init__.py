"""Full-text search over the archive: Arabic-aware analysis, BM25 ranking, snippets.

    from marsad.search import search
    result = search(conn, 'الاتحاد الأوروبي -بريطانيا', limit=10)

``index`` keeps the FTS5 table in step with the ``articles`` table (the
archive calls its hooks); ``query`` parses what users type; ``rank`` builds
the SQL; ``snippet`` cuts and marks the text shown for each hit.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from operator import itemgetter

from marsad.errors import InputError
from marsad.model import SearchHit, SearchResult
from marsad.search.analyze import DEFAULT_SCHEME, Scheme
from marsad.search.query import highlight_words, parse, to_match
from marsad.search.rank import Filters, count_sql, hits_sql, matches_sql
from marsad.search.snippet import Matcher, snippet

MODES = ("auto", "all", "any")
MAX_LIMIT = 1000
BROAD = 2000  # an "all" query matching more articles is ranked over its newest BROAD matches


def search(conn: sqlite3.Connection, query: str, *, limit: int = 10, offset: int = 0,
           since: str | None = None, until: str | None = None, outlet: str | None = None,
           section: str | None = None, collapse: bool = True, mode: str = "auto",
           scheme: Scheme = DEFAULT_SCHEME) -> SearchResult:
    """Articles matching ``query``, best first.

    ``mode``: "all" requires every word (or phrase, or OR group); "any" ranks
    every article holding at least one; "auto" is "all", relaxed to "any"
    when no article holds them all.

    ``total`` is the number of hits (duplicate groups when collapsing). A
    broad query matches more than :data:`BROAD` articles: its ``total`` counts
    all matching articles, copies included. When every word is required it
    is ranked over its newest :data:`BROAD` matches, so that a query costs
    about the same however common its words (paging reaches those only);
    "any" queries are ranked over all their matches, to rank well.
    """
    if mode not in MODES:
        raise InputError(f"unknown search mode {mode!r}; choose one of {', '.join(MODES)}")
    if not 0 < limit <= MAX_LIMIT or offset < 0:
        raise InputError(f"limit must be 1..{MAX_LIMIT} and offset 0 or more")
    filters = Filters(since, until, outlet, section)
    collapse = collapse and _has_duplicates(conn)
    result, tried = SearchResult(0), None
    for m in (["all", "any"] if mode == "auto" else [mode]):
        match = to_match(query, scheme=scheme, mode=m)
        if match is None or match == tried:
            break  # nothing to search, or "any" would ask the same as "all" did
        result = _run(conn, match, filters, collapse, limit, offset, scheme, query, m == "all")
        tried = match
        if result.total:
            break
    return result


def _run(conn, match, filters, collapse, limit, offset, scheme, query, cut) -> SearchResult:
    # The newest BROAD + 1 matches, scored: all of them unless the query is broad.
    sql, params = matches_sql(scheme, filters, collapse=collapse, newest=BROAD + 1)
    rows = conn.execute(sql, [match, *params]).fetchall()
    if len(rows) <= BROAD:
        best, copies = fold(rows)
        total = len(best)
    else:
        best, copies = fold(rows[:BROAD]) if cut else _broad(conn, match, filters, collapse, scheme,
                                                               offset + limit)
        total = _count(conn, match, filters)
    page = best[offset:offset + limit]
    found = {r[0]: r for r in conn.execute(hits_sql(len(page)), [rowid for rowid, _ in page])}
    matcher = _matcher(query, scheme)
    hits = []
    for rowid, score in page:
        _, id_, url, title, outlet, published, body = found[rowid]
        hits.append(SearchHit(id=id_, url=url, title=title or "", outlet=outlet, published=published,
                              score=round(-score, 4), snippet=snippet(body or title or "", matcher),
                              copies=copies.get(rowid, 0)))
    return SearchResult(total, hits)


def _broad(conn, match, filters, collapse, scheme, wanted):
    """Ranked hits of an "any" query matching more than BROAD articles: the best of all, where SQLite
    keeps the top rows (enough to fill ``wanted`` after folding duplicates, so ``copies`` counts the
    copies among those rows only). An "all" query is ranked over its newest BROAD matches instead.
    """
    k = wanted * (4 if collapse else 1)
    while True:
        sql, params = matches_sql(scheme, filters, collapse=collapse, best=k)
        rows = conn.execute(sql, [match, *params]).fetchall()
        best, copies = fold(rows)
        if len(best) >= wanted or len(rows) < k:
            return best, copies
        k *= 4


def fold(rows: list[tuple]) -> tuple[list[tuple[int, float]], dict[int, int]]:
    """Best first (bm25 scores: lower is better), one per duplicate group, and their copies.

    ``rows`` are (rowid, score) or (rowid, score, group_id); returns the kept (rowid, score) and
    rowid → number of other matching articles in its group.
    """
    rows = sorted(rows, key=itemgetter(1, 0))
    if not rows or len(rows[0]) < 3:
        return [r[:2] for r in rows], {}
    best, first_of = [], {}
    copies: dict[int, int] = {}
    for rowid, score, group in rows:
        if group is None:
            best.append((rowid, score))
        elif group in first_of:
            copies[first_of[group]] += 1
        else:
            first_of[group] = rowid
            copies[rowid] = 0
            best.append((rowid, score))
    return best, copies


def _count(conn: sqlite3.Connection, match: str, filters: Filters) -> int:
    """How many articles ``match``."""
    sql, params = count_sql(filters)
    return conn.execute(sql, [match, *params]).fetchone()[0]


def _matcher(query: str, scheme: Scheme) -> Matcher:
    prefixes = {c.words[-1] for i in parse(query) if not i.negated for c in i.alternatives if c.prefix}
    return Matcher(scheme, highlight_words(query), prefixes)


def _has_duplicates(conn: sqlite3.Connection) -> bool:
    # The relate stage creates this table; until then there is nothing to fold.
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'duplicates'").fetchone()
    return row is not None


def read_queries(lines: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(id, text) from lines holding a query each, or JSON objects {"id", "text"}; blank lines skipped."""
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if not line:
            continue
        if line.startswith("{"):
            try:
                obj = json.loads(line)
                yield str(obj.get("id", n)), str(obj.get("text", ""))
                continue
            except (ValueError, AttributeError):
                pass  # not JSON after all: a query that starts with a brace
        yield str(n), line


def search_many(conn: sqlite3.Connection, queries: Iterable[tuple[str, str]], **options) -> Iterator[dict]:
    """Run (id, text) queries in turn; yields {"id", "total", "hits"} for each."""
    for qid, text in queries:
        yield {"id": qid, **search(conn, text, **options).to_dict()}
