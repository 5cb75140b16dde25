"""Facets of a search: how many of the query's results each outlet and section holds, and the
entities that the most results mention.

Each facet counts the articles that match the query with every filter
applied but its own, so that the counts beside the other outlets say what
choosing one of them would give, and the count beside the chosen one is the
number of results. The query is matched as :func:`marsad.search.search`
matches it (every word, relaxed to any word when no article holds them all).
The entity facet counts, for each entity, the results whose enrichment names it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from marsad.search import query as parser
from marsad.search.query import DEFAULT_MODE
from marsad.search.rank import Filters

if TYPE_CHECKING:
    from marsad.archive import Archive
    from marsad.archive.base import SearchIndex
    from marsad.model import EntitySummary
    from marsad.search.expr import Expr

DIMENSIONS = ("outlet", "section")


def search_facets(arc: Archive, query: str, *, since: str | None = None, until: str | None = None,
                  outlet: str | None = None, section: str | None = None,
                  mode: str = DEFAULT_MODE) -> dict[str, list[tuple[str, int]]]:
    """{"outlets": [(outlet, n), ...], "sections": [...]}, most results first; empty lists when
    nothing matches."""
    index = arc.backend.index
    filters = Filters(since, until, outlet, section)
    expr = _searched(index, query, filters, mode)
    if expr is None:
        return {f"{d}s": [] for d in DIMENSIONS}
    return {f"{d}s": index.facet(expr, replace(filters, **{d: None}), d) for d in DIMENSIONS}


def entity_facet(arc: Archive, query: str, *, since: str | None = None, until: str | None = None,
                 outlet: str | None = None, section: str | None = None, mode: str = DEFAULT_MODE,
                 limit: int = 12) -> list[EntitySummary]:
    """The ``limit`` entities mentioned by the most results of ``query`` with the filters applied,
    ``articles`` counting those results; empty when nothing matches. A chosen entity is part of the
    query the caller passes (search has no entity filter): pass the query without it, so that the
    facet offers the other entities too."""
    index = arc.backend.index
    filters = Filters(since, until, outlet, section)
    expr = _searched(index, query, filters, mode)
    return [] if expr is None else index.entity_facet(expr, filters, limit)


def _searched(index: SearchIndex, query: str, filters: Filters, mode: str) -> Expr | None:
    """The query the search ran ("auto": the first mode that finds anything)."""
    found = None
    for m in (["all", "any"] if mode == "auto" else [mode]):
        expr = parser.compile(query, scheme=index.scheme, mode=m)
        if expr is None:
            return found
        if index.count(expr, filters):
            return expr
        found = found or expr
    return found
