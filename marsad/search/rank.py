"""SQL for ranked search: pure builders, kept apart from the code that runs them.

Ranking is FTS5's bm25() with one weight per column (headline boosted, the
stemmed columns above the clitic-only ones; see ``Scheme``). Near-duplicates
are folded (in :func:`marsad.search.fold`) when the relate stage has filled
``duplicates(article_rowid, group_id)``.

A broad query (more than ``newest`` matching articles) is ranked over its
``newest`` most recently stored matches only: bm25 costs time in proportion
to the rows it scores, and that keeps every query within a bounded cost.
Scored rows go to Python, which folds and sorts a few thousand rows faster
than SQLite's window functions do.
"""

from __future__ import annotations

from dataclasses import dataclass

from marsad.search.analyze import Scheme
from marsad.search.index import TABLE

HIT_COLUMNS = "rowid, id, url, headline, outlet, published"
_TOP = chr(0x10FFFF)


@dataclass(frozen=True, slots=True)
class Filters:
    since: str | None = None  # ISO date or time; compared on the same number of characters
    until: str | None = None
    outlet: str | None = None
    section: str | None = None

    def sql(self) -> tuple[str, list[str]]:
        """WHERE conditions on ``articles a`` and their parameters."""
        conds, params = [], []
        # Plain comparisons, so that the index on published serves them: a time that starts
        # with ``until`` sorts below ``until`` followed by the highest character.
        if self.since:
            conds.append("a.published >= ?")
            params.append(self.since)
        if self.until:
            conds.append("a.published <= ?")
            params.append(self.until + _TOP)
        for col in ("outlet", "section"):
            if getattr(self, col):
                conds.append(f"a.{col} = ? COLLATE NOCASE")
                params.append(getattr(self, col))
        return "".join(f" AND {c}" for c in conds), params

    def comparisons(self) -> list[tuple[str, str, str]]:
        """(column of ``articles``, operator, value) of each filter, for a backend's own SQL: "="
        compares without regard to case; ``until`` is already the highest time that starts with it."""
        out = [("published", ">=", self.since)] if self.since else []
        if self.until:
            out.append(("published", "<=", self.until + _TOP))
        return out + [(col, "=", getattr(self, col)) for col in ("outlet", "section") if getattr(self, col)]

    def __bool__(self) -> bool:
        return any((self.since, self.until, self.outlet, self.section))


def matches_sql(scheme: Scheme | None, filters: Filters, *, collapse: bool,
                newest: int | None = None, best: int | None = None) -> tuple[str, list[str]]:
    """SELECT of matching rows: rowid, then the bm25 score (when ``scheme`` is given), then group_id
    (when ``collapse``; NULL for an article in no group). Parameters: MATCH expression, filters.

    ``newest``: only that many matching rows, the most recently stored (FTS5 walks rowids backwards);
    ``best``: only that many, the best scored.
    """
    where, params = filters.sql()
    if where:  # a set of rowids, made once, beats looking up each match's (large) article row
        where = f" AND +f.rowid IN (SELECT rowid FROM articles a WHERE 1{where})"
    join, cols = "", "f.rowid"
    if scheme is not None:
        cols += f", bm25({TABLE}, {', '.join(f'{w:g}' for w in scheme.weights)})"
    if collapse:
        join = " LEFT JOIN duplicates d ON d.article_rowid = f.rowid"
        cols += ", d.group_id"
    tail = (f" ORDER BY f.rowid DESC LIMIT {int(newest)}" if newest
            else f" ORDER BY 2, 1 LIMIT {int(best)}" if best else "")
    return f"SELECT {cols} FROM {TABLE} f{join} WHERE {TABLE} MATCH ?{where}{tail}", params


def count_sql(filters: Filters) -> tuple[str, list[str]]:
    """How many articles match; parameters: MATCH expression, filters."""
    sql, params = matches_sql(None, filters, collapse=False)
    return f"SELECT count(*) FROM ({sql})", params


def hits_sql(n: int, body: bool = True) -> str:
    """SELECT of the shown columns of ``n`` articles, then the body (for a snippet) or NULL;
    parameters: their rowids."""
    return (f"SELECT {HIT_COLUMNS}, {'body' if body else 'NULL'} FROM articles "
            f"WHERE rowid IN ({', '.join('?' * n)})")
