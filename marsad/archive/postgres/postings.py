"""The search index's tables on PostgreSQL, and how articles go in and come out.

Text is analyzed in Python by the same analyzer as on SQLite (:func:`marsad.search.index.prepare`)
and cut into tokens as FTS5's ``ascii`` tokenizer cuts it, so both backends index the same terms.
Three tables hold the index:

- ``search_postings``: one row per (term, article): the term's count in each index column and the
  article's length in tokens. Its primary key (term, key) carries the counts too, so a query reads
  a term's postings from the index alone, and a prefix is a range of it.
- ``search_docs``: per article, its length and its analyzed columns as text, where a phrase of
  several terms is found by a regular expression (their positions, without a positions table),
  and where an article taken out finds its terms.
- ``search_stats``: rows of (articles, tokens) added and taken away; their sums are the index's
  size and average length. Each write adds a row of its own, so ingesters never wait on one row.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import psycopg
from psycopg.copy import QueuedLibpqWriter

from marsad.search.analyze import DEFAULT_SCHEME, Scheme

POSTINGS, DOCS, STATS = "search_postings", "search_docs", "search_stats"
_MAX_COUNT = 32767  # a term's count in one column of one article is kept as a smallint
_PART = 25  # articles whose postings are sent at once when streamed
_NUMBERS = [str(n) for n in range(_MAX_COUNT + 1)]  # the counts as COPY text, made once
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
    counts = ", ".join(f"{c} smallint NOT NULL" for c in scheme.columns)
    return f"""
CREATE TABLE {POSTINGS} (
    term text COLLATE "C" NOT NULL, key bigint NOT NULL, dl integer NOT NULL, {counts},
    PRIMARY KEY (term, key) INCLUDE (dl, {', '.join(scheme.columns)}));
CREATE TABLE {DOCS} (key bigint PRIMARY KEY, dl integer NOT NULL, cols text[] NOT NULL);
CREATE TABLE {STATS} (id bigserial PRIMARY KEY, docs bigint NOT NULL, tokens bigint NOT NULL);
"""


MIGRATIONS: list = [("search-0001-postings", create_sql())]


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

    def postings(self) -> list[str]:
        """Its rows of the postings table, as lines of COPY text (tokens hold no tab, newline or
        backslash)."""
        num = _NUMBERS if max(map(len, self.cols)) <= _MAX_COUNT else _Capped()
        counts: dict[str, list[str]] = {}  # term: its count in each column, as COPY text
        zeros = ["0"] * len(self.cols)
        for i, toks in enumerate(self.cols):
            for term, n in Counter(toks).items():
                row = counts.get(term)
                if row is None:
                    row = counts[term] = zeros.copy()
                row[i] = num[n]
        head = f"\t{self.key}\t{self.dl}\t"
        return [term + head + "\t".join(row) + "\n" for term, row in counts.items()]


class _Capped:
    def __getitem__(self, n: int) -> str:
        return str(min(n, _MAX_COUNT))


def add(cur: psycopg.Cursor, docs: list[Doc], scheme: Scheme, ordered: bool = True) -> None:
    """Index ``docs`` (none of them indexed now); ``ordered`` sends the postings in key order (for
    a table without its key, as in a big load, any order will do)."""
    copy_postings = f"COPY {POSTINGS} (term, key, dl, {', '.join(scheme.columns)}) FROM STDIN"
    if not ordered:  # streamed: the server stores each part while the next is made
        with cur.copy(copy_postings, writer=QueuedLibpqWriter(cur)) as copy:
            for at in range(0, len(docs), _PART):
                copy.write("".join([line for d in docs[at:at + _PART] for line in d.postings()]))
    with cur.copy(f"COPY {DOCS} (key, dl, cols) FROM STDIN") as copy:
        copy.write("".join(d.row() for d in docs))
        if ordered:
            # Made while the server stores the documents. In term order: each insertion then lands
            # beside the last one in the primary key, about twice as fast as in article order.
            lines = [line for d in docs for line in d.postings()]
            lines.sort()
    if ordered:
        with cur.copy(copy_postings) as copy:
            copy.write("".join(lines))
    cur.execute(f"INSERT INTO {STATS} (docs, tokens) VALUES (%s, %s)", (len(docs), sum(d.dl for d in docs)))


def remove(cur: psycopg.Cursor, keys: list[int]) -> None:
    """Take the articles of ``keys`` out of the index (those it holds)."""
    # Each article's terms come from its stored columns, so its postings are found by the primary
    # key, without an index on key alone.
    cur.execute(f"DELETE FROM {DOCS} WHERE key = ANY(%s) RETURNING key, dl, cols", (keys,))
    gone = cur.fetchall()
    if not gone:
        return
    pairs = [(t, k) for k, _, cols in gone for t in {t for c in cols for t in c.split()}]
    cur.execute(f"DELETE FROM {POSTINGS} p USING unnest(%s::text[], %s::bigint[]) AS g(term, key)"
                " WHERE p.term = g.term AND p.key = g.key", ([t for t, _ in pairs], [k for _, k in pairs]))
    cur.execute(f"INSERT INTO {STATS} (docs, tokens) VALUES (%s, %s)",
                (-len(gone), -sum(dl for _, dl, _ in gone)))
