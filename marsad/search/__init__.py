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
from marsad.search.facets import search_facets  # noqa: F401  (re-exported)
from marsad.search.query import DEFAULT_MODE, compile, highlight_words, parse
from marsad.search.rank import Filters, count_sql, hits_sql, matches_sql
from marsad.search.snippet import Matcher, snippet

MODES = ("auto", "all", "any")
MAX_LIMIT = 1000
_MAX_VARS = 900  # rowids per IN (...) query
BROAD = 2000  # an "all" query matching more articles is ranked over its newest BROAD matches


def search(conn: sqlite3.Connection, query: str, *, limit: int = 10, offset: int = 0,
           since: str | None = None, until: str | None = None, outlet: str | None = None,
           section: str | None = None, fold: bool = True, mode: str = DEFAULT_MODE,
           snippets: bool = True, scheme: Scheme = DEFAULT_SCHEME) -> SearchResult:
    """Articles matching ``query``, best first.

    ``mode``: "all" requires every word (or phrase, or OR group); "any" ranks
    every article holding at least one; "auto" is "all", relaxed to "any"
    when no article holds them all.

    ``fold``: copies of one text (the relate stage's duplicate groups) that
    match are shown as one hit, the best scored, which lists the others in
    ``folded``; no article is dropped. ``total`` counts every matching
    article, copies included, and ``folded`` how many of them sit under
    another hit (so ``total - folded`` hits can be paged through). A broad
    query matches more than :data:`BROAD` articles: ``folded`` then counts the
    copies among the ranked rows only. When every word is required it is
    ranked over its newest :data:`BROAD` matches, so that a query costs about
    the same however common its words (paging reaches those only); "any"
    queries are ranked over all their matches, to rank well.

    ``snippets=False`` leaves each hit's snippet empty (the ranking is the
    same), for callers that list ids and titles only.
    """
    if mode not in MODES:
        raise InputError(f"unknown search mode {mode!r}; choose one of {', '.join(MODES)}")
    if not 0 < limit <= MAX_LIMIT or offset < 0:
        raise InputError(f"limit must be 1..{MAX_LIMIT} and offset 0 or more")
    filters = Filters(since, until, outlet, section)
    fold = fold and _has_duplicates(conn)
    result, tried = SearchResult(0), None
    matcher = _matcher(query, scheme) if snippets else None
    for m in (["all", "any"] if mode == "auto" else [mode]):
        match = _to_match(query, scheme, m)
        if match is None or match == tried:
            break  # nothing to search, or "any" would ask the same as "all" did
        result = _run(conn, match, filters, fold, limit, offset, scheme, matcher, m == "all")
        tried = match
        if result.total:
            break
    return result


def _run(conn, match, filters, folding, limit, offset, scheme, matcher, cut) -> SearchResult:
    # The newest BROAD + 1 matches, scored: all of them unless the query is broad.
    sql, params = matches_sql(scheme, filters, collapse=folding, newest=BROAD + 1)
    rows = conn.execute(sql, [match, *params]).fetchall()
    if len(rows) <= BROAD:
        best, groups = fold(rows)
        total = len(rows)
    else:
        best, groups = fold(rows[:BROAD]) if cut else _broad(conn, match, filters, folding, scheme,
                                                             offset + limit)
        total = _count(conn, match, filters)
    page = best[offset:offset + limit]
    found = _rows(conn, [r for r, _ in page], matcher is not None)
    found.update(_rows(conn, [c for r, _ in page for c, _ in groups.get(r, ())], False))
    hits = []
    for rowid, score in page:
        hit = _hit(found[rowid], score, matcher)
        hit.folded = [_hit(found[c], s, None) for c, s in groups.get(rowid, ())]
        hit.copies = len(hit.folded)
        hits.append(hit)
    return SearchResult(total, hits, sum(map(len, groups.values())))


def _rows(conn: sqlite3.Connection, rowids: list[int], body: bool) -> dict[int, tuple]:
    out = {}
    for i in range(0, len(rowids), _MAX_VARS):
        part = rowids[i:i + _MAX_VARS]
        out.update((r[0], r) for r in conn.execute(hits_sql(len(part), body), part))
    return out


def _hit(row: tuple, score: float, matcher: Matcher | None) -> SearchHit:
    """A hit from its HIT_COLUMNS row; without a ``matcher`` (a folded copy), no snippet."""
    _, id_, url, title, outlet, published, body = row
    text = snippet(body or title or "", matcher) if matcher else ""
    return SearchHit(id=id_, url=url, title=title or "", outlet=outlet, published=published,
                     score=round(-score, 4), snippet=text)


def _broad(conn, match, filters, folding, scheme, wanted):
    """Ranked hits of an "any" query matching more than BROAD articles: the best of all, where SQLite
    keeps the top rows (enough to fill ``wanted`` after folding copies, so a hit lists the copies
    among those rows only). An "all" query is ranked over its newest BROAD matches instead.
    """
    k = wanted * (4 if folding else 1)
    while True:
        sql, params = matches_sql(scheme, filters, collapse=folding, best=k)
        rows = conn.execute(sql, [match, *params]).fetchall()
        best, groups = fold(rows)
        if len(best) >= wanted or len(rows) < k:
            return best, groups
        k *= 4


def fold(rows: list[tuple]) -> tuple[list[tuple[int, float]], dict[int, list[tuple[int, float]]]]:
    """Best first (bm25 scores: lower is better), one per duplicate group, and the copies under each.

    ``rows`` are (rowid, score) or (rowid, score, group_id); returns the kept (rowid, score) and
    kept rowid → the (rowid, score) of the other matching articles of its group, best first.
    """
    rows = sorted(rows, key=itemgetter(1, 0))
    if not rows or len(rows[0]) < 3:
        return [r[:2] for r in rows], {}
    best, first_of = [], {}
    groups: dict[int, list[tuple[int, float]]] = {}
    for rowid, score, group in rows:
        if group is None:
            best.append((rowid, score))
        elif group in first_of:
            groups[first_of[group]].append((rowid, score))
        else:
            first_of[group] = rowid
            groups[rowid] = []
            best.append((rowid, score))
    return best, groups


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


def _to_match(query: str, scheme: Scheme, mode: str) -> str | None:
    from marsad.archive.sqlite.search import fts5_match  # for now: the index moves behind the backend next

    expr = compile(query, scheme=scheme, mode=mode)
    return None if expr is None else fts5_match(expr)
