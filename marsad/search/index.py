"""The full-text index: one FTS5 table over analyzed article text.

The archive calls :func:`add` and :func:`remove` inside its write
transaction. Text is analyzed in Python (normalize, tokenize, stem) and
stored as space-separated terms, so FTS5's plain ``ascii`` tokenizer only
splits on spaces, and queries go through the very same analyzer.
The FTS5 rowid is the ``articles`` rowid.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping

from marsad.model import Article
from marsad.search.analyze import DEFAULT_SCHEME, Scheme

TABLE = "search_fts"


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
