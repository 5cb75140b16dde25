"""A parsed query (:mod:`marsad.search.expr`) over PostgreSQL's search index: its matches and FTS5's
bm25 of each, computed in numpy over the postings its phrases read.

Each phrase's postings (a term's blocks, a prefix's terms' blocks, or for a phrase of several
terms the articles holding them all, its hits counted by a regular expression over the stored
columns) give its IDF (the articles it matches in its columns, counted once) and, article by
article, its bm25 term (frequency = the sum of the column weights of its hits, the article's length
over all columns, the average over all articles, k1 = 1.2, b = 0.75); an article's score is the sum
of its terms, negated. The tree's conditions are boolean arrays over the articles that hold any
phrase; as in FTS5, a phrase adds to a score only where every AND (and NOT) above it matches.
Reading is a few rows a term, and the work that grows with the archive is vectorised.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import psycopg

from marsad.archive.postgres import blocks
from marsad.archive.postgres.postings import DOCS, STATS, tokens
from marsad.archive.postgres.wire import Keys
from marsad.search.analyze import Scheme
from marsad.search.expr import AllOf, Exclude, Expr, Phrase

K1, B = 1.2, 0.75
TOP = blocks.TOP
_EMPTY = np.zeros(0, np.int64)
# The index's version (it changes whenever the index does, by any process: every write adds or replaces
# a statistics row), its articles and their average length.
STATS_SQL = (f"SELECT count(*) || ':' || coalesce(sum(id), 0), sum(docs)::float8,"
             f" sum(tokens)::float8 / nullif(sum(docs), 0) FROM {STATS}")
_REGEX_SPECIAL = re.compile(r"([^0-9A-Za-z\x80-\U0010ffff])")


@dataclass(slots=True)
class Found:
    """The articles a phrase matches (keys sorted), their lengths and weighted hits."""

    keys: np.ndarray
    dls: np.ndarray
    f: np.ndarray


@dataclass(slots=True)
class Matches:
    """The articles a query matches, keys ascending, and their bm25 scores (lower is better) when
    scored."""

    keys: np.ndarray
    scores: np.ndarray | None


class Query:
    """One query tree: :meth:`run` reads its phrases' postings and gives its :class:`Matches`.
    ``keys``: only the articles with keys in this (inclusive) range are read."""

    def __init__(self, expr: Expr, scheme: Scheme, keys: tuple[int, int] | None = None):
        self.expr, self.scheme, self.keys = expr, scheme, keys
        self.weights = np.array(scheme.weights, np.float64)
        self.distinct: dict[tuple, int] = {}  # (tokens, column indexes, prefix) -> j
        self.occurrences: list[tuple[int, list[Expr]]] = []  # each phrase in tree order, where it counts
        self._walk(expr, [])

    def _phrase(self, p: Phrase) -> int | None:
        toks = tuple(t for term in p.terms for t in tokens(term))
        if not toks:
            return None
        cols = tuple(range(len(self.scheme.columns))) if p.columns is None else \
            tuple(sorted({self._column(c) for c in p.columns}))
        return self.distinct.setdefault((toks, cols, p.prefix), len(self.distinct))

    def _column(self, name: str) -> int:
        try:
            return self.scheme.columns.index(name)
        except ValueError:
            raise ValueError(f"no such index column: {name}") from None

    def _walk(self, expr: Expr, ancestors: list[Expr], implied: bool = False) -> None:
        """Where each phrase counts towards the score: in FTS5, a phrase's hits count in a row where
        every AND (and NOT) above it matches; under an OR they count whenever the phrase matches.
        Phrases on the negative side of a NOT never occur in a returned row. ``implied``: the node
        matches wherever its parent does (the positive side of a NOT)."""
        if isinstance(expr, Phrase):
            j = self._phrase(expr)
            if j is not None:
                self.occurrences.append((j, ancestors))
        elif isinstance(expr, Exclude):
            self._walk(expr.positive, [*ancestors, expr], implied=True)
            self._phrase_all(expr.negative)
        else:
            inner = [*ancestors, expr] if isinstance(expr, AllOf) and not implied else ancestors
            for part in expr.parts:
                self._walk(part, inner)

    def _phrase_all(self, expr: Expr) -> None:
        """Number the phrases of a negative side (they match, but never score)."""
        if isinstance(expr, Phrase):
            self._phrase(expr)
        else:
            for part in (expr.positive, expr.negative) if isinstance(expr, Exclude) else expr.parts:
                self._phrase_all(part)

    # -- reading ----------------------------------------------------------------------------------

    def statement(self, skip: Collection[str] = ()) -> tuple[str, list]:
        """The one statement that reads the postings of every term and prefix of the query (but the
        plain terms of ``skip``)."""
        plain, prefixes = self._wanted()
        return blocks.read_sql([t for t in plain if t not in skip], prefixes, self.keys)

    def plain(self) -> list[str]:
        """The query's terms read whole (not as a prefix)."""
        return self._wanted()[0]

    def run(self, cur: psycopg.Cursor, scored: bool, stats: tuple[float, float] | None = None,
            rows: list[tuple] | None = None) -> Matches:
        """The matches; ``stats``: the index's articles and average length, and ``rows``: the rows of
        :meth:`statement`, when read already."""
        if rows is None:
            rows = cur.execute(*self.statement(), binary=True).fetchall()
        self._postings = blocks.gather(rows, *self._wanted(), len(self.scheme.columns), self.keys)
        found = [self._read(cur, *key) for key in self.distinct]
        every, where = _union([f.keys for f in found])
        present = []
        for at in where:
            mask = np.zeros(len(every), bool)
            mask[at] = True
            present.append(mask)
        conds: dict[int, np.ndarray] = {}
        match = self._cond(self.expr, present, conds, len(every))
        if not scored:
            return Matches(every[match], None)
        n, avgdl = stats or cur.execute(STATS_SQL).fetchone()[1:]
        total = np.zeros(len(every))
        terms = [self._bm25(f, n or 0.0, avgdl or 1.0) for f in found]
        for j, ancestors in self.occurrences:
            if not ancestors:  # counts wherever it matches: added in place (its keys are distinct)
                total[where[j]] += terms[j]
                continue
            term = np.zeros(len(every))
            term[where[j]] = terms[j]
            for a in ancestors:
                term *= self._cond(a, present, conds, len(every))
            total += term
        if match.all():
            return Matches(every, -total)
        return Matches(every[match], -total[match])

    @staticmethod
    def _bm25(f: Found, n: float, avgdl: float) -> np.ndarray:
        df = len(f.keys)
        ratio = (n - df + 0.5) / (df + 0.5)
        idf = 1e-6 if ratio <= 1 else np.log(ratio)
        return idf * ((f.f * (K1 + 1.0)) / (f.f + K1 * ((1 - B) + B * f.dls / avgdl)))

    def _cond(self, expr: Expr, present: list[np.ndarray], conds: dict, size: int) -> np.ndarray:
        """The node's condition over the articles holding any phrase (kept in ``conds``)."""
        if id(expr) in conds:
            return conds[id(expr)]
        if isinstance(expr, Phrase):
            j = self._phrase(expr)
            out = np.zeros(size, bool) if j is None else present[j]
        elif isinstance(expr, Exclude):
            out = self._cond(expr.positive, present, conds, size) & \
                ~self._cond(expr.negative, present, conds, size)
        else:
            every = isinstance(expr, AllOf)
            out = np.full(size, every)
            for part in expr.parts:
                c = self._cond(part, present, conds, size)
                if every:
                    out &= c
                else:
                    out |= c
        conds[id(expr)] = out
        return out

    def _wanted(self) -> tuple[list[str], list[str]]:
        """The query's plain terms and prefixes, sorted."""
        wanted = {(t, prefix and n == len(toks) - 1) for toks, _, prefix in self.distinct
                  for n, t in enumerate(toks)}
        return sorted(t for t, pre in wanted if not pre), sorted(t for t, pre in wanted if pre)

    def _read(self, cur: psycopg.Cursor, toks: tuple[str, ...], cols: tuple[int, ...], prefix: bool) -> Found:
        if len(toks) == 1:
            return self._term(toks[0], cols, prefix)
        # A phrase of several tokens: the articles holding all of them (in its columns), then its
        # hits in each column counted by a regular expression over the column's text.
        last = len(toks) - 1
        held = None
        for t, pre in sorted({(t, prefix and n == last) for n, t in enumerate(toks)}):
            keys = self._term(t, cols, pre).keys
            held = keys if held is None else np.intersect1d(held, keys, assume_unique=True)
        if not len(held):
            return Found(_EMPTY, _EMPTY, np.zeros(0))
        body = " ".join(_REGEX_SPECIAL.sub(r"\\\1", t) for t in toks)
        # ' ' then a look-ahead: every start is counted, overlapping ones too, as FTS5 counts them.
        pattern = " (?=" + body + ("" if prefix else " ") + ")"
        counts = ", ".join(f"regexp_count(d.cols[{c + 1}], %(p)s) AS n{c}" for c in cols)
        weighted = " + ".join(f"{self.scheme.weights[c]!r}::float8 * x.n{c}" for c in cols)
        hits = " + ".join(f"x.n{c}" for c in cols)
        rows = cur.execute(f"SELECT d.key, d.dl, {weighted} FROM {DOCS} d"
                           f" CROSS JOIN LATERAL (SELECT {counts}) x WHERE d.key = ANY(%(k)s) AND {hits} > 0"
                           f" ORDER BY d.key", {"p": pattern, "k": Keys(held)}, binary=True).fetchall()
        if not rows:
            return Found(_EMPTY, _EMPTY, np.zeros(0))
        key, dl, f = zip(*rows, strict=True)
        return Found(np.array(key, np.int64), np.array(dl, np.int64), np.array(f, np.float64))

    def _term(self, term: str, cols: tuple[int, ...], prefix: bool) -> Found:
        """A term's (or a prefix's terms') postings with hits in ``cols``, one per article."""
        p = self._postings[term, prefix]
        f = _weighted(p.counts, cols, self.weights)
        keys, dls = p.keys, p.dls
        if not f.all():  # a posting has hits in some column, not always in these
            hit = f > 0
            keys, dls, f = keys[hit], dls[hit], f[hit]
        if prefix and len(keys):  # one row per article: its hits of every term the prefix stands for
            keys, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
            return Found(keys, dls[first], np.bincount(inverse, weights=f, minlength=len(keys)))
        return Found(keys, dls, f)


def _weighted(counts: np.ndarray, cols: tuple[int, ...], weights: np.ndarray) -> np.ndarray:
    """Each posting's counts in ``cols`` times their weights, summed. By einsum: numpy's product of a
    tall matrix by a vector runs BLAS, whose threads crawl on a busy machine (tens of ms where einsum
    takes one); over a view of the columns when they are in a row (a column filter may pick others)."""
    lo, hi = cols[0], cols[-1] + 1
    which = slice(lo, hi) if hi - lo == len(cols) else list(cols)
    return np.einsum("ij,j->i", counts[:, which], weights[which])


def _union(keys: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """The keys of any of the arrays (sorted, each once), and where each array's keys are in it. Keys
    are the store's row numbers, dense: where they are not many more than the postings, a map over
    them beats sorting (the cost of a query with common words then follows its postings)."""
    total = sum(len(k) for k in keys)
    if not total:
        return _EMPTY, [_EMPTY for _ in keys]
    top = max(int(k.max()) for k in keys if len(k))
    if top > 8 * total:
        every = np.unique(np.concatenate(keys))
        return every, [np.searchsorted(every, k) for k in keys]
    seen = np.zeros(top + 1, bool)
    for k in keys:
        seen[k] = True
    rank = np.cumsum(seen, dtype=np.int64) - 1
    return np.flatnonzero(seen), [rank[k] for k in keys]
