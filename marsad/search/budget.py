"""The cost budget of one search: what a reader of a public server may ask of it.

A query's cost grows with its terms and above all with its prefixes: ``ال*`` stands for thousands of
index terms, and the index merges the postings of every one of them. :func:`check` weighs the query
before any search runs (length, terms, prefix length, how many index terms its prefixes stand for);
the index's ``deadline`` stops a query within those limits that still runs too long. A query over
budget raises :class:`OverBudget`, one line that says which limit and how to ask within it.
:func:`check_text` weighs all but the expansions, which need no archive: a server refuses most costly
queries for the price of parsing them, before any thread or database is involved.

    with arc.backend.index.deadline(WEB.seconds):
        check(arc, query, WEB)
        result = search(arc, query)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from marsad.errors import InputError
from marsad.search.query import parse

if TYPE_CHECKING:
    from marsad.archive import Archive
    from marsad.archive.base import SearchIndex


@dataclass(frozen=True, slots=True)
class Budget:
    max_chars: int = 500
    max_terms: int = 32  # words of the query, phrases' words included
    max_prefixes: int = 4
    min_prefix: int = 3  # letters before the *
    max_expansions: int = 2000  # index terms that all the prefixes stand for, together
    seconds: float = 2.0  # deadline of the whole search


WEB = Budget()


class OverBudget(InputError):
    """A query that would cost the server more than its budget allows."""

    code = "E110"


def check(arc: Archive, text: str, budget: Budget = WEB) -> None:
    """Raise :class:`OverBudget` when ``text`` asks more than ``budget`` allows; cheap (no full search)."""
    prefixes = check_text(text, budget)
    if prefixes:
        _check_expansions(arc.backend.index, prefixes, budget)


def check_text(text: str, budget: Budget = WEB) -> list[str]:
    """Raise :class:`OverBudget` when ``text`` itself is over ``budget`` (length, words, prefixes and
    their length); return its prefixes otherwise, whose expansions only the index can count."""
    if len(text) > budget.max_chars:
        raise OverBudget(f"the query is {len(text)} characters long; at most {budget.max_chars} are searched")
    clauses = [c for item in parse(text) for c in item.alternatives]
    terms = sum(len(c.words) for c in clauses)
    if terms > budget.max_terms:
        raise OverBudget(f"the query has {terms} words; at most {budget.max_terms} are searched at once")
    prefixes = [c.words[-1] for c in clauses if c.prefix]
    if len(prefixes) > budget.max_prefixes:
        raise OverBudget(f"the query has {len(prefixes)} words ending in *; at most {budget.max_prefixes}")
    for word in prefixes:
        if len(word) < budget.min_prefix:
            raise OverBudget(f"{word}* is too short a prefix: give at least {budget.min_prefix} letters "
                             "before the *")
    return prefixes


def _check_expansions(index: SearchIndex, prefixes: list[str], budget: Budget) -> None:
    starts = {a.term(w) for w in prefixes for a in index.scheme.analyzers}
    left = budget.max_expansions
    for start in sorted(starts):
        left -= index.expansions(start, left + 1)
        if left < 0:
            words = " ".join(f"{w}*" for w in prefixes)
            raise OverBudget(f"{words} stand for more than {budget.max_expansions} indexed words; "
                             "give longer prefixes or whole words")
