"""Facets of a search: how many of the query's results each outlet and section holds.

Each facet counts the articles that match the query with every filter
applied but its own, so that the counts beside the other outlets say what
choosing one of them would give, and the count beside the chosen one is the
number of results. The query is matched as :func:`marsad.search.search`
matches it (every word, relaxed to any word when no article holds them all).
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from marsad.search.analyze import DEFAULT_SCHEME, Scheme
from marsad.search.query import DEFAULT_MODE, compile
from marsad.search.rank import Filters, count_sql, matches_sql

DIMENSIONS = ("outlet", "section")


def search_facets(conn: sqlite3.Connection, query: str, *, since: str | None = None,
                  until: str | None = None, outlet: str | None = None, section: str | None = None,
                  mode: str = DEFAULT_MODE,
                  scheme: Scheme = DEFAULT_SCHEME) -> dict[str, list[tuple[str, int]]]:
    """{"outlets": [(outlet, n), ...], "sections": [...]}, most results first; empty lists when
    nothing matches."""
    filters = Filters(since, until, outlet, section)
    match = _match(conn, query, filters, mode, scheme)
    if match is None:
        return {f"{d}s": [] for d in DIMENSIONS}
    return {f"{d}s": _counts(conn, match, replace(filters, **{d: None}), d) for d in DIMENSIONS}


def _match(conn, query: str, filters: Filters, mode: str, scheme: Scheme) -> str | None:
    """The MATCH expression the search ran ("auto": the first mode that finds anything)."""
    found = None
    for m in (["all", "any"] if mode == "auto" else [mode]):
        match = _to_match(query, scheme, m)
        if match is None:
            return found
        sql, params = count_sql(filters)
        if conn.execute(sql, [match, *params]).fetchone()[0]:
            return match
        found = found or match
    return found


def _counts(conn, match: str, filters: Filters, column: str) -> list[tuple[str, int]]:
    sql, params = matches_sql(None, filters, collapse=False)
    rows = conn.execute(
        f"SELECT {column}, count(*) AS n FROM articles WHERE rowid IN ({sql}) AND {column} IS NOT NULL "
        f"GROUP BY {column} ORDER BY n DESC, {column}", [match, *params])
    return [tuple(r) for r in rows]


def _to_match(query: str, scheme: Scheme, mode: str) -> str | None:
    from marsad.archive.sqlite.search import fts5_match  # for now: the index moves behind the backend next

    expr = compile(query, scheme=scheme, mode=mode)
    return None if expr is None else fts5_match(expr)
