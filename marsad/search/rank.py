"""SQL for ranked search: pure builders, kept apart from the code that runs them.

Ranking is FTS5's bm25() with one weight per column (headline boosted, the
stemmed columns above the clitic-only ones; see ``Scheme``). Near-duplicates
are folded when the relate stage has filled ``duplicates(article_rowid, group_id)``:
the best hit of each group stands for it, with ``copies`` counting the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

from marsad.search.analyze import Scheme
from marsad.search.index import TABLE

HIT_COLUMNS = "a.id, a.url, a.headline, a.outlet, a.published, a.body, -r.score, r.copies"
# A hit's group: its duplicate group when relate has marked one, else itself.
_GROUP = "CASE WHEN group_id IS NULL THEN 'r' || rowid ELSE 'g' || group_id END"


@dataclass(frozen=True, slots=True)
class Filters:
    since: str | None = None  # ISO date or time; compared on the same number of characters
    until: str | None = None
    outlet: str | None = None
    section: str | None = None

    def sql(self) -> tuple[str, list[str]]:
        """WHERE conditions on ``articles a`` and their parameters."""
        conds, params = [], []
        if self.since:
            conds.append("substr(a.published, 1, length(?)) >= ?")
            params += [self.since, self.since]
        if self.until:
            conds.append("substr(a.published, 1, length(?)) <= ?")
            params += [self.until, self.until]
        for col in ("outlet", "section"):
            if getattr(self, col):
                conds.append(f"a.{col} = ? COLLATE NOCASE")
                params.append(getattr(self, col))
        return "".join(f" AND {c}" for c in conds), params

    def __bool__(self) -> bool:
        return any((self.since, self.until, self.outlet, self.section))


def _matches(scheme: Scheme | None, filters: Filters, collapse: bool) -> tuple[str, list[str]]:
    """The CTE ``m`` of matching rows: rowid, bm25 score (when ``scheme`` is given), group_id."""
    where, params = filters.sql()
    join = " JOIN articles a ON a.rowid = f.rowid" if filters else ""
    cols = "f.rowid AS rowid"
    if scheme is not None:
        cols += f", bm25({TABLE}, {', '.join(f'{w:g}' for w in scheme.weights)}) AS score"
    if collapse:
        join += " LEFT JOIN duplicates d ON d.article_rowid = f.rowid"
        cols += ", d.group_id AS group_id"
    return f"WITH m AS (SELECT {cols} FROM {TABLE} f{join} WHERE {TABLE} MATCH ?{where})", params


def search_sql(scheme: Scheme, filters: Filters, *, collapse: bool) -> tuple[str, list[str]]:
    """SELECT of one page of hits; parameters: MATCH expression, filters, then LIMIT and OFFSET."""
    sql, params = _matches(scheme, filters, collapse)
    if collapse:
        sql += (f", g AS (SELECT rowid, score, count(*) OVER (PARTITION BY {_GROUP}) - 1 AS copies,"
                f" row_number() OVER (PARTITION BY {_GROUP} ORDER BY score, rowid) AS rn FROM m),"
                " b AS (SELECT rowid, score, copies FROM g WHERE rn = 1)")
    else:
        sql += ", b AS (SELECT rowid, score, 0 AS copies FROM m)"
    sql += (", r AS (SELECT rowid, score, copies FROM b ORDER BY score, rowid LIMIT ? OFFSET ?)"
            f" SELECT {HIT_COLUMNS} FROM r JOIN articles a ON a.rowid = r.rowid ORDER BY r.score, a.rowid")
    return sql, params


def count_sql(filters: Filters, *, collapse: bool) -> tuple[str, list[str]]:
    """How many hits (groups, when collapsing) match; parameters: MATCH expression, filters."""
    sql, params = _matches(None, filters, collapse)
    what = f"count(DISTINCT {_GROUP})" if collapse else "count(*)"
    return f"{sql} SELECT {what} FROM m", params
