"""The search index on SQLite: an FTS5 table of analyzed terms, ranked with FTS5's bm25()."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping

from marsad.model import Article
from marsad.search import index as fts
from marsad.search.analyze import DEFAULT_SCHEME, Scheme
from marsad.search.expr import AllOf, Exclude, Expr, Phrase
from marsad.search.index import TABLE


def create_sql(scheme: Scheme = DEFAULT_SCHEME, table: str = TABLE) -> str:
    cols = ", ".join(scheme.columns)
    # '.' is a token character so that decimals such as 22.6 stay one term.
    return (f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5({cols},"
            " tokenize=\"ascii tokenchars '.'\");")


def reanalyze(conn: sqlite3.Connection, batch: int = 1000) -> None:
    """Index every stored article again with today's analyzer: the migration for an analyzer change
    (terms in the index must be those a query gets); the table is made anew, its columns named
    for today's analyzers."""
    conn.execute(f"DROP TABLE IF EXISTS {TABLE}")
    conn.execute(create_sql())
    last = 0
    while rows := conn.execute("SELECT rowid, data FROM articles WHERE rowid > ? ORDER BY rowid LIMIT ?",
                               (last, batch)).fetchall():
        fts.add(conn, [(rowid, Article.from_dict(json.loads(data))) for rowid, data in rows])
        last = rows[-1][0]


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


MIGRATIONS: list = [
    ("search-0001-fts", create_sql()),
    # The careful stemmer in place of the light one (names whole, suffixes only where three letters
    # remain), a preposition before hamza detached, سورية read as سوريا: stored articles indexed again.
    ("search-0002-reanalyze-names-hamza", reanalyze),
]


class SQLiteSearchIndex:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def add(self, rows: Iterable[tuple[int, Article]],
            prepared: Mapping[str, list[str]] | None = None) -> None:
        fts.add(self.conn, rows, prepared=prepared)

    def remove(self, keys: Iterable[int]) -> None:
        fts.remove(self.conn, keys)

    def compact(self) -> None:
        fts.merge(self.conn)
