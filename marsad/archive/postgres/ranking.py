"""The SQL of a parsed query (:mod:`marsad.search.expr`) on PostgreSQL's search index: its matches
and FTS5's bm25 of each, in one statement.

Each phrase's postings give its IDF (the articles it matches in its columns, counted once) and,
posting by posting, its bm25 term in each article (frequency = the sum of the column weights of its
hits, the article's length over all columns, the average over all articles, k1 = 1.2, b = 0.75); an
article's score is the sum of its terms, negated, and a mask of the phrases it matches decides the
tree's conditions (a query of ORs only needs none). As in FTS5, a phrase adds to a score only where
its branch of the tree matches.
"""

from __future__ import annotations

import re
from collections import Counter

from marsad.archive.postgres.postings import DOCS, POSTINGS, STATS, tokens
from marsad.search.analyze import Scheme
from marsad.search.expr import AllOf, AnyOf, Exclude, Expr, Phrase

K1, B = 1.2, 0.75
TOP = chr(0x10FFFF)  # above every character: a prefix's terms are those from it to it + TOP
_BITS = 63  # phrases per bigint mask of the phrases an article matches
_REGEX_SPECIAL = re.compile(r"([^0-9A-Za-z\x80-\U0010ffff])")


def _f(x: float) -> str:
    return f"{x!r}::float8"


class Query:
    """The SQL of one query tree: ``with_()`` defines ``m``, one row per article holding a phrase
    of the query, with the masks of the phrases it matches and its bm25 sums; ``match()`` is the
    tree's condition on it and ``score()`` its bm25. ``params`` are the parameters of ``with_()``.

    A phrase's bm25 term needs only its own hits in an article, the article's length and the
    phrase's IDF, so it is computed on the phrase's postings, and an article's score is a sum."""

    def __init__(self, expr: Expr, scheme: Scheme, keys: tuple[int, int] | None = None):
        self.scheme = scheme
        self.keys = keys  # only the postings of the articles with keys in this range are read
        self.params: list = []  # of the text with_() made last
        self.distinct: dict[tuple, int] = {}  # (tokens, column indexes, prefix) -> j
        self.branches: list[tuple[str, list, bool]] = []  # SQL, its parameters, its IDF counted apart
        self.occurrences: list[tuple[int, str]] = []  # each phrase in tree order: (j, where it counts)
        self.condition = self._cond(expr)
        self._walk(expr, [])
        # Phrases under ORs only: every article holding one matches, and no mask is needed.
        self.masked = not _ors_of_phrases(expr)

    def _cond(self, expr: Expr) -> str:
        """The node's condition on ``m``; makes the branches of phrases met the first time."""
        if isinstance(expr, Phrase):
            j = self._phrase(expr)
            return "FALSE" if j is None else f"(m.k{j // _BITS} & {1 << j % _BITS}::bigint) <> 0"
        if isinstance(expr, Exclude):
            return f"({self._cond(expr.positive)} AND NOT {self._cond(expr.negative)})"
        parts = [self._cond(p) for p in expr.parts]
        if not parts:
            return "TRUE" if isinstance(expr, AllOf) else "FALSE"
        return "(" + (" AND " if isinstance(expr, AllOf) else " OR ").join(parts) + ")"

    def _walk(self, expr: Expr, ancestors: list[str], implied: bool = False) -> None:
        """Where each phrase counts towards the score: in FTS5, a phrase's hits count in a row where
        every AND (and NOT) above it matches; under an OR they count whenever the phrase matches.
        Phrases on the negative side of a NOT never occur in a returned row. ``implied``: the node
        matches wherever its parent does (the positive side of a NOT)."""
        if isinstance(expr, Phrase):
            j = self._phrase(expr)
            if j is not None:
                self.occurrences.append((j, " AND ".join(ancestors) or "TRUE"))
        elif isinstance(expr, Exclude):
            self._walk(expr.positive, [*ancestors, self._cond(expr)], implied=True)
        else:
            inner = [*ancestors, self._cond(expr)] if isinstance(expr, AllOf) and not implied else ancestors
            for part in expr.parts:
                self._walk(part, inner)

    def _phrase(self, p: Phrase) -> int | None:
        toks = tuple(t for term in p.terms for t in tokens(term))
        if not toks:
            return None
        cols = tuple(range(len(self.scheme.columns))) if p.columns is None else \
            tuple(sorted({self._column(c) for c in p.columns}))
        key = (toks, cols, p.prefix)
        if key not in self.distinct:
            self.distinct[key] = j = len(self.distinct)
            self.branches.append((*self._single(j, toks[0], cols, p.prefix), True) if len(toks) == 1
                                 else (*self._many(j, toks, cols, p.prefix), False))
        return self.distinct[key]

    def _column(self, name: str) -> int:
        try:
            return self.scheme.columns.index(name)
        except ValueError:
            raise ValueError(f"no such index column: {name}") from None

    def _single(self, j: int, term: str, cols: tuple[int, ...], prefix: bool) -> tuple[str, list]:
        weighted = " + ".join(f"{_f(self.scheme.weights[c])} * po.{self.scheme.columns[c]}" for c in cols)
        where, params = self._term(term, prefix)
        where += self._in(cols)
        if prefix:  # one row per article: its hits of every term the prefix stands for
            return (f"SELECT po.key, max(po.dl) AS dl, {j} AS i, sum({weighted}) AS f"
                    f" FROM {POSTINGS} po WHERE {where} GROUP BY po.key"), params
        return (f"SELECT po.key, po.dl, {j} AS i, {weighted} AS f FROM {POSTINGS} po"
                f" WHERE {where}"), params

    def _term(self, term: str, prefix: bool) -> tuple[str, list]:
        where, params = (("po.term >= %s AND po.term < %s", [term, term + TOP]) if prefix
                         else ("po.term = %s", [term]))
        if self.keys is not None:
            where, params = where + " AND po.key BETWEEN %s AND %s", [*params, *self.keys]
        return where, params

    def _in(self, cols: tuple[int, ...]) -> str:
        """The condition that a posting has hits in the columns (none when they are all columns)."""
        if len(cols) == len(self.scheme.columns):
            return ""
        return " AND (" + " OR ".join(f"po.{self.scheme.columns[c]} > 0" for c in cols) + ")"

    def _many(self, j: int, toks: tuple[str, ...], cols: tuple[int, ...], prefix: bool) -> str:
        """A phrase of several tokens: the articles holding all of them (in its columns), then its
        hits in each column counted by a regular expression over the column's text."""
        last = len(toks) - 1
        # ' ' then a look-ahead: every start is counted, overlapping ones too, as FTS5 counts them.
        body = " ".join(_REGEX_SPECIAL.sub(r"\\\1", t) for t in toks)
        pattern = " (?=" + body + ("" if prefix else " ") + ")"
        counts = ", ".join(f"regexp_count(d.cols[{c + 1}], %s) AS n{c}" for c in cols)
        params = [pattern] * len(cols)
        holding = []
        for t, pre in sorted({(t, prefix and n == last) for n, t in enumerate(toks)}):
            where, more = self._term(t, pre)
            holding.append(f"SELECT po.key FROM {POSTINGS} po WHERE {where}{self._in(cols)}")
            params += more
        weighted = " + ".join(f"{_f(self.scheme.weights[c])} * x.n{c}" for c in cols)
        return (f"SELECT d.key, d.dl, {j} AS i, {weighted} AS f FROM {DOCS} d CROSS JOIN LATERAL"
                f" (SELECT {counts}) x WHERE d.key IN ({' INTERSECT '.join(holding)})"
                f" AND {' + '.join(f'x.n{c}' for c in cols)} > 0"), params

    def with_(self, scored: bool) -> str:
        """``u``: (key, dl, i, f) for each phrase i an article matches, f its weighted hits there;
        ``m``: per article its length, the masks of the phrases it matches (k0, ...) and, when
        ``scored``, its bm25 sums (s0, ...: one per set of phrases that count under the same
        condition, see :meth:`score`). Sets :attr:`params` to the text's parameters."""
        self.params = []
        if not self.branches:
            return "WITH m(key, k0, s0) AS (SELECT NULL::bigint, 0::bigint, 0::float8 WHERE FALSE)"
        masks = "".join(f", bit_or(CASE WHEN u.i / {_BITS} = {n} THEN 1::bigint << (u.i - {n * _BITS})"
                        f" ELSE 0 END) AS k{n}" for n in range(-(-len(self.branches) // _BITS) * self.masked))
        if not scored:
            self.params = [v for _, params, _ in self.branches for v in params]
            union = " UNION ALL ".join(sql for sql, _, _ in self.branches)
            return f"WITH u AS ({union}), m AS (SELECT u.key{masks} FROM u GROUP BY u.key)"
        scored_rows = " UNION ALL ".join(self._scored(*branch) for branch in self.branches)
        sums = "".join(f", sum(u.c{_times(counts, len(self.branches))}) AS s{n}"
                       for n, counts in enumerate(self.classes.values()))
        return (f"WITH s AS (SELECT sum(docs)::float8 AS n, sum(tokens)::float8 / nullif(sum(docs), 0)"
                f" AS avgdl FROM {STATS}), u AS ({scored_rows}),"
                f" m AS (SELECT u.key{masks}{sums} FROM u GROUP BY u.key)")

    def _scored(self, sql: str, params: list, counted: bool) -> str:
        """A phrase's rows with FTS5's bm25 term in each article (bm25 sums them, negated). Each article
        is in a phrase's rows once, so their number is the articles the phrase matches: its IDF, counted
        once by a query of its own (``counted``), else beside each row."""
        ratio = "(s.n - b.df + 0.5::float8) / (b.df + 0.5::float8)"
        idf = f"CASE WHEN {ratio} <= 1 THEN 1e-6::float8 ELSE ln({ratio}) END"
        tf = f"((b.f * {_f(K1 + 1.0)}) / (b.f + {_f(K1)} * ({_f(1 - B)} + {_f(B)} * b.dl / s.avgdl)))"
        if counted:
            self.params += params * 2
            return (f"SELECT b.key, b.i, (SELECT {idf} FROM (SELECT count(*) AS df FROM ({sql}) c) b"
                    f" CROSS JOIN s) * {tf} AS c FROM ({sql}) b CROSS JOIN s")
        self.params += params
        return (f"SELECT b.key, b.i, {idf} * {tf} AS c FROM (SELECT *, count(*) OVER () AS df"
                f" FROM ({sql}) b0) b CROSS JOIN s")

    @property
    def classes(self) -> dict[str, Counter]:
        """The phrases that count under each condition: condition → phrase → times it is in the tree."""
        out: dict[str, Counter] = {}
        for j, where in self.occurrences:
            out.setdefault(where, Counter())[j] += 1
        return out

    def match(self) -> str:
        return self.condition if self.masked or not self.branches else "TRUE"

    def score(self) -> str:
        """bm25 of ``m``'s row: every phrase's term where the tree lets the phrase count (in a row the
        query returns, a condition that is the whole tree's, or none, always holds)."""
        parts = [f"m.s{n}" if where in ("TRUE", self.condition) or not self.masked else
                 f"CASE WHEN {where} THEN m.s{n} ELSE 0 END" for n, where in enumerate(self.classes)]
        return f"-({' + '.join(parts)})" if parts else "0::float8"


def _times(counts: Counter, phrases: int) -> str:
    """The factor that keeps a phrase's terms in one sum of :meth:`_Query.with_`: how many times the
    phrase is in that sum's set (none when every phrase is there once)."""
    if len(counts) == phrases and set(counts.values()) == {1}:
        return ""
    return " * CASE u.i " + " ".join(f"WHEN {j} THEN {n}" for j, n in sorted(counts.items())) + " ELSE 0 END"


def _ors_of_phrases(expr: Expr) -> bool:
    return isinstance(expr, Phrase) or \
        isinstance(expr, AnyOf) and all(_ors_of_phrases(p) for p in expr.parts)
