"""The cost budget of one search: what a reader of a public server may ask of it.

A query's cost grows with its terms and above all with its prefixes: ``ال*`` stands for thousands of
index terms, and FTS5 merges the postings of every one of them. :func:`check` weighs the query before
any search runs (length, terms, prefix length, how many index terms its prefixes stand for);
:func:`deadline` interrupts SQLite when a query within those limits still runs too long. A query over
budget raises :class:`OverBudget`, one line that says which limit and how to ask within it.

    with deadline(conn, WEB.seconds):
        check(conn, query, WEB)
        result = search(conn, query)
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from marsad.errors import InputError
from marsad.search.analyze import DEFAULT_SCHEME, Scheme
from marsad.search.index import TABLE
from marsad.search.query import parse

VOCAB = "marsad_search_vocab"  # a temporary fts5vocab table over the index, one per connection
_STEPS = 2000  # SQLite VM steps between two looks at the clock (a few microseconds of work)
_TOP = chr(0x10FFFF)


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


def check(conn: sqlite3.Connection, text: str, budget: Budget = WEB, scheme: Scheme = DEFAULT_SCHEME) -> None:
    """Raise :class:`OverBudget` when ``text`` asks more than ``budget`` allows; cheap (no full search)."""
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
    if prefixes:
        _check_expansions(conn, prefixes, budget, scheme)


def _check_expansions(conn: sqlite3.Connection, prefixes: list[str], budget: Budget, scheme: Scheme) -> None:
    starts = {a.term(w) for w in prefixes for a in scheme.analyzers}
    left = budget.max_expansions
    for start in sorted(starts):
        left -= expansions(conn, start, left + 1)
        if left < 0:
            words = " ".join(f"{w}*" for w in prefixes)
            raise OverBudget(f"{words} stand for more than {budget.max_expansions} indexed words; "
                             "give longer prefixes or whole words")


def expansions(conn: sqlite3.Connection, start: str, most: int) -> int:
    """How many index terms begin with ``start``, counting no further than ``most``."""
    if most <= 0:
        return 0
    sql = f"SELECT count(*) FROM (SELECT 1 FROM temp.{VOCAB} WHERE term >= ? AND term < ? LIMIT ?)"
    try:
        return conn.execute(sql, (start, start + _TOP, most)).fetchone()[0]
    except sqlite3.OperationalError as e:
        if "no such table" not in str(e):
            raise
    # The vocabulary table lives in the connection's temporary schema: a read-only archive allows it.
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{VOCAB} USING fts5vocab(main, {TABLE}, 'row')")
    return conn.execute(sql, (start, start + _TOP, most)).fetchone()[0]


@contextmanager
def deadline(conn: sqlite3.Connection, seconds: float) -> Iterator[None]:
    """Interrupt any statement on ``conn`` that is still running ``seconds`` from now."""
    end = time.monotonic() + seconds
    conn.set_progress_handler(lambda: time.monotonic() > end, _STEPS)
    try:
        yield
    except sqlite3.OperationalError as e:
        if "interrupted" not in str(e):
            raise
        raise OverBudget(f"the query took more than {seconds:g} s and was stopped; ask for fewer words "
                         "or longer prefixes") from None
    finally:
        conn.set_progress_handler(None, 0)
