"""A parsed query, as a tree that any search backend can run.

:func:`marsad.search.query.compile` turns what a user typed into one of these
records, and every search backend takes the same tree: the SQLite backend
renders it as an FTS5 MATCH expression, the PostgreSQL one evaluates it over
its own postings. Terms in the tree are index terms, already analyzed, so a
backend never analyzes text itself.

Ranking is BM25 as SQLite's FTS5 computes it (see :mod:`marsad.search.rank`):
every :class:`Phrase` of the tree is one BM25 "phrase", counted in the columns
it names, with its own document frequency; phrases under :class:`Exclude`'s
``negative`` side never add to a score.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Phrase:
    """Index terms in a row; one term is a plain word. ``columns``: the index columns it may
    match in (``None``: every column). ``prefix``: the last term matches any term it starts."""

    terms: tuple[str, ...]
    columns: tuple[str, ...] | None = None
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class AllOf:
    """Every part matches."""

    parts: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    """At least one part matches."""

    parts: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Exclude:
    """``positive`` matches and ``negative`` does not."""

    positive: Expr
    negative: Expr


Expr = Phrase | AllOf | AnyOf | Exclude


def phrases(expr: Expr) -> list[Phrase]:
    """Every phrase of the tree in order, left to right (as FTS5 numbers them for bm25)."""
    if isinstance(expr, Phrase):
        return [expr]
    if isinstance(expr, Exclude):
        return phrases(expr.positive) + phrases(expr.negative)
    return [p for part in expr.parts for p in phrases(part)]
