"""The search index's tables on PostgreSQL, and how articles go in and come out.

Text is analyzed in Python by the same analyzer as on SQLite (:func:`marsad.search.index.prepare`)
and cut into tokens as FTS5's ``ascii`` tokenizer cuts it, so both backends index the same terms.
Three tables hold the index:

- ``search_blocks``: each term's postings (per article, its count in each index column and the
  article's length) packed in blocks (:mod:`marsad.archive.postgres.blocks`).
- ``search_docs``: per article, its length and its analyzed columns as text, where a phrase of
  several terms is found by a regular expression (their positions, without a positions table),
  and where an article taken out finds its terms.
- ``search_stats``: rows of (articles, tokens) added and taken away; their sums are the index's
  size and average length. Each write adds a row of its own, so ingesters never wait on one row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import psycopg

from marsad.archive.postgres import blocks
from marsad.search.analyze import DEFAULT_SCHEME, Scheme

DOCS, STATS = "search_docs", "search_stats"
# FTS5's ascii tokenizer: ASCII letters, digits and '.' (declared a token character) and every
# non-ASCII character make tokens; any other ASCII character separates them. ASCII is lowercased.
_SEPARATORS = re.compile(r"[\x00-\x2d\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+")
_ODD = re.compile(r"[\x00-\x1f\x21-\x2d\x2f\x3a-\x60\x7b-\x7f]")  # a separator but space, or a capital
_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def tokens(text: str) -> list[str]:
    """The tokens FTS5's ascii tokenizer (with '.' a token character) makes of ``text``."""
    if _ODD.search(text) is None:  # the analyzer's usual output: terms between single spaces
        return [t for t in text.split(" ") if t]
    return [t for t in _SEPARATORS.split(text.translate(_LOWER)) if t]


def create_sql(scheme: Scheme = DEFAULT_SCHEME) -> str:
    """The first layout of the index (one row per posting), as archives made before blocks have it;
    ``pgscale-0001`` moves its postings into blocks."""
    counts = ", ".join(f"{c} smallint NOT NULL" for c in scheme.columns)
    return f"""
CREATE TABLE search_postings (
    term text COLLATE "C" NOT NULL, key bigint NOT NULL, dl integer NOT NULL, {counts},
    PRIMARY KEY (term, key) INCLUDE (dl, {', '.join(scheme.columns)}));
CREATE TABLE {DOCS} (key bigint PRIMARY KEY, dl integer NOT NULL, cols text[] NOT NULL);
CREATE TABLE {STATS} (id bigserial PRIMARY KEY, docs bigint NOT NULL, tokens bigint NOT NULL);
"""


# Blocks' arrays compressed with lz4 where the server has it (mostly zero counts, keys' high bytes).
_LZ4 = f"""
DO $$ BEGIN
    ALTER TABLE {blocks.BLOCKS} ALTER COLUMN keys SET COMPRESSION lz4, ALTER COLUMN dls SET COMPRESSION lz4,
        ALTER COLUMN counts SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN NULL;
END $$;
"""
MIGRATIONS: list = [
    ("search-0001-postings", create_sql()),
    ("pgscale-0001-postings-in-blocks",
     blocks.create_sql() + _LZ4 + blocks.convert_sql(DEFAULT_SCHEME.columns)),
]


@dataclass(slots=True)
class Doc:
    key: int
    cols: list[list[str]]  # tokens of each index column

    @property
    def dl(self) -> int:
        return sum(map(len, self.cols))

    def row(self) -> str:
        """Its row of the documents table as COPY text: each column's tokens between single spaces
        (no token holds a quote, a backslash, a tab or a newline, so none needs escaping)."""
        cols = ",".join('" ' + " ".join(c) + ' "' for c in self.cols)
        return f"{self.key}\t{self.dl}\t{{{cols}}}\n"


def add(cur: psycopg.Cursor, docs: list[Doc]) -> list[tuple[str, int]]:
    """Index ``docs`` (none of them indexed now); gives the blocks written (for :class:`blocks.Merger`)."""
    with cur.copy(f"COPY {DOCS} (key, dl, cols) FROM STDIN") as copy:
        copy.write("".join(d.row() for d in docs))
        # Made while the server stores the documents.
        per_term = blocks.batch([(d.key, d.dl, d.cols) for d in docs], len(docs[0].cols))
    written = blocks.write(cur, per_term)
    cur.execute(f"INSERT INTO {STATS} (docs, tokens) VALUES (%s, %s)", (len(docs), sum(d.dl for d in docs)))
    return written


def remove(cur: psycopg.Cursor, keys: list[int], ncols: int) -> None:
    """Take the articles of ``keys`` out of the index (those it holds)."""
    # Each article's terms come from its stored columns: they name the blocks to rewrite.
    cur.execute(f"DELETE FROM {DOCS} WHERE key = ANY(%s) RETURNING key, dl, cols", (keys,))
    gone = cur.fetchall()
    if not gone:
        return
    blocks.remove(cur, [(t, k) for k, _, cols in gone for t in {t for c in cols for t in c.split()}], ncols)
    cur.execute(f"INSERT INTO {STATS} (docs, tokens) VALUES (%s, %s)",
                (-len(gone), -sum(dl for _, dl, _ in gone)))
