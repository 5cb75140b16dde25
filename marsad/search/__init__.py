"""Full-text search over the archive: Arabic-aware analysis, BM25 ranking, snippets.

    from marsad.archive import open_archive
    from marsad.search import search
    with open_archive("marsad.db", readonly=True) as arc:
        result = search(arc, 'الاتحاد الأوروبي -بريطانيا', limit=10)

``analyze`` turns text into index terms; ``index`` prepares an article's indexed
text; ``query`` compiles what users type into a tree (``expr``) that the archive's
search index runs (``arc.backend.index``, :class:`marsad.archive.base.SearchIndex`)
and scores with the BM25 of ``rank``; ``snippet`` cuts and marks the text shown
for each hit. Here: folding copies, paging and broad queries, above any backend.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from operator import itemgetter
from typing import TYPE_CHECKING

from marsad.errors import InputError
from marsad.model import SearchHit, SearchResult
from marsad.search import query as parser
from marsad.search.facets import search_facets  # noqa: F401  (re-exported)
from marsad.search.query import DEFAULT_MODE, highlight_words, parse
from marsad.search.rank import Filters
from marsad.search.snippet import Matcher, snippet

if TYPE_CHECKING:
    from marsad.archive import Archive
    from marsad.archive.base import SearchIndex
    from marsad.search.analyze import Scheme
    from marsad.search.expr import Expr

MODES = ("auto", "all", "any")
MAX_LIMIT = 1000
BROAD = 2000  # an "all" query matching more articles is ranked over its newest BROAD matches


def search(arc: Archive, query: str, *, limit: int = 10, offset: int = 0,
           since: str | None = None, until: str | None = None, outlet: str | None = None,
           section: str | None = None, fold: bool = True, mode: str = DEFAULT_MODE,
           snippets: bool = True) -> SearchResult:
    """Articles of the archive ``arc`` matching ``query``, best first.

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
    index = arc.backend.index
    filters = Filters(since, until, outlet, section)
    result, tried = SearchResult(0), None
    matcher = snippet_matcher(query, index.scheme) if snippets else None
    for m in (["all", "any"] if mode == "auto" else [mode]):
        expr = parser.compile(query, scheme=index.scheme, mode=m)
        if expr is None or expr == tried:
            break  # nothing to search, or "any" would ask the same as "all" did
        result = _run(index, expr, filters, fold, limit, offset, matcher, m == "all")
        tried = expr
        if result.total:
            break
    return result


def _run(index: SearchIndex, expr: Expr, filters: Filters, folding: bool, limit: int, offset: int,
         matcher: Matcher | None, cut: bool) -> SearchResult:
    if cut:  # the newest BROAD + 1 matches, scored: all of them unless the query is broad
        rows = index.matches(expr, filters, groups=folding, newest=BROAD + 1)
        total = len(rows) if len(rows) <= BROAD else index.count(expr, filters)
        best, groups = fold(rows[:BROAD])
    else:
        best, groups, total = _ranked(index, expr, filters, folding, offset + limit)
    page = best[offset:offset + limit]
    found = index.hits([k for k, _ in page], matcher is not None)
    found.update(index.hits([c for k, _ in page for c, _ in groups.get(k, ())], False))
    hits = []
    for key, score in page:
        hit = _hit(found[key], score, matcher)
        hit.folded = [_hit(found[c], s, None) for c, s in groups.get(key, ())]
        hit.copies = len(hit.folded)
        hits.append(hit)
    return SearchResult(total, hits, sum(map(len, groups.values())))


def _hit(row: tuple, score: float, matcher: Matcher | None) -> SearchHit:
    """A hit from its :meth:`SearchIndex.hits` row; without a ``matcher`` (a folded copy), no snippet."""
    _, id_, url, title, outlet, published, body = row
    text = snippet(body or title or "", matcher) if matcher else ""
    return SearchHit(id=id_, url=url, title=title or "", outlet=outlet, published=published,
                     score=round(-score, 4), snippet=text)


def _ranked(index: SearchIndex, expr: Expr, filters: Filters, folding: bool, wanted: int):
    """Ranked hits of an "any" query, the copies under each, and how many articles match. Every match
    is ranked; when more than BROAD match, the index keeps the top rows only (enough to fill
    ``wanted`` after folding copies, so a hit lists the copies among those rows only). An "all"
    query is ranked over its newest BROAD matches instead.
    """
    k = wanted * (4 if folding else 1)
    rows, total = index.ranked(expr, filters, groups=folding, best=k, broad=BROAD)
    while True:
        best, groups = fold(rows)
        if total <= BROAD or len(best) >= wanted or len(rows) < k:
            return best, groups, total
        k *= 4
        rows = index.matches(expr, filters, groups=folding, best=k)


def fold(rows: list[tuple]) -> tuple[list[tuple[int, float]], dict[int, list[tuple[int, float]]]]:
    """Best first (bm25 scores: lower is better), one per duplicate group, and the copies under each.

    ``rows`` are (key, score) or (key, score, group or None); returns the kept (key, score) and
    kept key → the (key, score) of the other matching articles of its group, best first.
    """
    rows = sorted(rows, key=itemgetter(1, 0))
    if not rows or len(rows[0]) < 3:
        return [r[:2] for r in rows], {}
    best, first_of = [], {}
    groups: dict[int, list[tuple[int, float]]] = {}
    for key, score, group in rows:
        if group is None:
            best.append((key, score))
        elif group in first_of:
            groups[first_of[group]].append((key, score))
        else:
            first_of[group] = key
            groups[key] = []
            best.append((key, score))
    return best, groups


def snippet_matcher(query: str, scheme: Scheme) -> Matcher:
    """What marks the words of ``query`` in snippets."""
    prefixes = {c.words[-1] for i in parse(query) if not i.negated for c in i.alternatives if c.prefix}
    return Matcher(scheme, highlight_words(query), prefixes)


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


def search_many(arc: Archive, queries: Iterable[tuple[str, str]], **options) -> Iterator[dict]:
    """Run (id, text) queries in turn; yields {"id", "total", "hits"} for each."""
    for qid, text in queries:
        yield {"id": qid, **search(arc, text, **options).to_dict()}

