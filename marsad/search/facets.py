"""Facets of a search: how many results the query has, how many of them each outlet and section
holds, and the entities that the most results mention, from one pass over the matching articles.

Each outlet or section facet counts the articles that match the query with
every filter applied but its own, so that the counts beside the other outlets
say what choosing one of them would give, and the count beside the chosen one
is the number of results. The query is matched as :func:`marsad.search.search`
matches it (every word, relaxed to any word when no article holds them all).
The entity facet counts, for each entity, the results whose enrichment names it.

The index finds the articles that match the query and the date filters once
(:meth:`marsad.archive.base.SearchIndex.facets`) and counts every facet from
that set: a broad query costs one walk of its postings, not one per facet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from marsad.search import query as parser
from marsad.search.query import DEFAULT_MODE
from marsad.search.rank import Filters

if TYPE_CHECKING:
    from marsad.archive import Archive
    from marsad.model import EntitySummary

DIMENSIONS = ("outlet", "section")


@dataclass(frozen=True, slots=True)
class Facets:
    """What one pass over a query's matching articles counts."""

    total: int = 0  # results: the matching articles with every filter applied
    outlets: list[tuple[str, int]] = field(default_factory=list)  # (outlet, n), most first, then name
    sections: list[tuple[str, int]] = field(default_factory=list)
    entities: list[EntitySummary] = field(default_factory=list)  # most mentioned among the results

    def counts(self) -> dict[str, list[tuple[str, int]]]:
        return {"outlets": self.outlets, "sections": self.sections}


def facets(arc: Archive, query: str, *, since: str | None = None, until: str | None = None,
           outlet: str | None = None, section: str | None = None, mode: str = DEFAULT_MODE,
           entities: int = 0) -> Facets:
    """The results of ``query`` counted, by outlet and by section, with the ``entities`` entities
    the most results mention (none when 0). Empty when the query has no searchable word."""
    index = arc.backend.index
    filters = Filters(since, until, outlet, section)
    first = None
    for m in (["all", "any"] if mode == "auto" else [mode]):
        expr = parser.compile(query, scheme=index.scheme, mode=m)
        if expr is None:
            break
        found = index.facets(expr, filters, entities)
        if found.total:
            return found
        first = first or found  # nothing found either way: the facets of the first mode tried
    return first or Facets()


def search_facets(arc: Archive, query: str, **options) -> dict[str, list[tuple[str, int]]]:
    """{"outlets": [(outlet, n), ...], "sections": [...]}, most results first; empty lists when
    nothing matches. ``options``: those of :func:`facets`."""
    return facets(arc, query, **options).counts()


def entity_facet(arc: Archive, query: str, *, limit: int = 12, **options) -> list[EntitySummary]:
    """The ``limit`` entities mentioned by the most results of ``query`` with the filters applied,
    ``articles`` counting those results; empty when nothing matches. A chosen entity is part of the
    query the caller passes (search has no entity filter): pass the query without it, so that the
    facet offers the other entities too. ``options``: those of :func:`facets`."""
    return facets(arc, query, entities=limit, **options).entities
