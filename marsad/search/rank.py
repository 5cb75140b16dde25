"""Ranking: the BM25 that every search backend computes, and the filters a search narrows by.

The score is SQLite FTS5's ``bm25()``, with one weight per index column (headline
boosted, the stemmed columns above the clitic-only ones: ``Scheme.weights``), so that a
backend that computes it from its own statistics ranks exactly as the SQLite one does.
For a row D of an index of N rows whose columns hold avgdl terms on average (all columns
together), and the phrases q of the parsed query (:func:`marsad.search.expr.phrases`, the
excluded ones included)::

    score(D) = - Σ_q IDF(q) · f(q, D) · (k1 + 1) / (f(q, D) + k1 · (1 - b + b · |D| / avgdl))
    IDF(q)   = ln((N - n(q) + 0.5) / (n(q) + 0.5)), or 1e-6 where that is not above 0

with k1 = 1.2 and b = 0.75; |D| is the number of terms in all of D's columns, n(q) the
number of rows the phrase matches (in its columns; any term its last term starts, for a prefix
phrase), and f(q, D) the sum, over each occurrence of q in D (in the columns it may match),
of its column's weight. Scores are negative: lower is better. This holds for the trees
:func:`marsad.search.query.compile` makes (a join of phrases and OR groups, at most one
exclusion, at the top), where an excluded phrase never occurs in a matching row; FTS5 itself
counts phrases under nested exclusions or inside an AND under an OR by how it walks them.
``tests/search/test_fts5.py`` holds FTS5 to this formula on random trees of those shapes.
"""

from __future__ import annotations

from dataclasses import dataclass

_TOP = chr(0x10FFFF)  # sorts after every character


@dataclass(frozen=True, slots=True)
class Filters:
    """What a search is narrowed to, besides its words. Dates are ISO dates or times, compared on
    as many characters as given: ``until="2025-02"`` takes in all of February."""

    since: str | None = None
    until: str | None = None
    outlet: str | None = None  # compared without regard to case
    section: str | None = None

    def comparisons(self) -> list[tuple[str, str, str]]:
        """(column of ``articles``, operator, value) of each filter, for a backend's own SQL: "="
        compares without regard to case; ``until`` is already the highest time that starts with it."""
        out = [("published", ">=", self.since)] if self.since else []
        if self.until:
            out.append(("published", "<=", self.until + _TOP))
        return out + [(col, "=", getattr(self, col)) for col in ("outlet", "section") if getattr(self, col)]

    def __bool__(self) -> bool:
        return any((self.since, self.until, self.outlet, self.section))
