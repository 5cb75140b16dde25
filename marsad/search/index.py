"""The full-text index: one FTS5 table over analyzed article text.

The archive calls :func:`add` and :func:`remove` inside its write
transaction. Text is analyzed in Python (normalize, tokenize, stem) and
stored as space-separated terms, so FTS5's plain ``ascii`` tokenizer only
splits on spaces, and queries go through the very same analyzer.
The FTS5 rowid is the ``articles`` rowid.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping

from marsad.model import Article
from marsad.search.analyze import DEFAULT_SCHEME, Scheme

TABLE = "search_fts"


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
        add(conn, [(rowid, Article.from_dict(json.loads(data))) for rowid, data in rows])
        last = rows[-1][0]


MIGRATIONS: list = [
    ("search-0001-fts", create_sql()),
    # The careful stemmer in place of the light one (names whole, suffixes only where three letters
    # remain), a preposition before hamza detached, سورية read as سوريا: stored articles indexed again.
    ("search-0002-reanalyze-names-hamza", reanalyze),
]


def fields(article: Article) -> tuple[str, str, str, str]:
    """The texts of an article in :data:`marsad.search.analyze.FIELDS` order."""
    captions = "\n".join(i.caption for i in article.images if i.caption)
    return article.headline or "", article.deck or "", article.body, captions


def prepare(article: Article, scheme: Scheme = DEFAULT_SCHEME) -> list[str]:
    """The index columns of one article. Pure, so that an ingest's parse worker can analyze
    ahead while the archive writes, and hand the result to :func:`add`."""
    return scheme.row(fields(article))


def add(conn: sqlite3.Connection, rows: Iterable[tuple[int, Article]], *,
        scheme: Scheme = DEFAULT_SCHEME, prepared: Mapping[str, list[str]] | None = None) -> None:
    """Index new or changed articles; ``rows`` are (articles rowid, article). ``prepared`` holds the
    :func:`prepare` result of some of them, by article id; the others are analyzed here."""
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
