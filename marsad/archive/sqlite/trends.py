"""Articles counted per time window, for what is rising (:mod:`marsad.watch.trends`).

The statements are written in the SQL both databases speak (``?`` placeholders); only the
expression that turns a stored time (ISO 8601 text with any UTC offset, or none) into Unix seconds
differs, so the PostgreSQL backend runs these with its own (:mod:`marsad.archive.postgres.trends`).

Each query first narrows the articles by comparing the stored text with the window range widened by
a day on each side (an index range whatever the text's UTC offset), then places each exactly.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NamedTuple

from marsad.archive.base import Windows

MIGRATIONS: list[tuple[str, str]] = [
    # The watch's clock: articles by the time they were stored.
    ("trends-0001-ingested-index", "CREATE INDEX articles_ingested ON articles(ingested_at);"),
]

_MARGIN = 86400  # more than any UTC offset, in seconds
# The articles of the windows first, then their mentions or memberships by article (the planner
# would otherwise read every mention and place its article, one time computation each).
_WITH = "WITH x AS MATERIALIZED ({})"


class Dialect(NamedTuple):
    epoch: str  # Unix seconds of the ISO text in {0}, NULL when it is not a readable time
    least: str  # the smaller of two values


# A text that does not start with a date is no time (SQLite would read a bare number as a Julian day).
SQLITE = Dialect("(CASE WHEN {0} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' "
                 "THEN CAST(strftime('%s', {0}) AS INTEGER) END)", "min")


def placed(windows: Windows, dialect: Dialect) -> tuple[str, list]:
    """A subquery of (rowid, id, time, window, outlet or "", text) of the articles in the windows,
    and its parameters; ``text`` is the article's copy group, else its own key: an outlet's articles of one
    ``text`` (the same text filed in two sections) are one report."""
    epoch = dialect.epoch
    stored = epoch.format("a.ingested_at")
    if windows.clock == "ingested":
        when, near = stored, "a.ingested_at >= ? AND a.ingested_at < ?"
        bounds = list(_bounds(windows))
    elif windows.clock == "published":
        when = f"{dialect.least}(coalesce({epoch.format('a.published')}, {stored}), {stored})"
        near = "(a.published >= ? AND a.published < ?) OR (a.ingested_at >= ? AND a.ingested_at < ?)"
        bounds = list(_bounds(windows)) * 2
    else:
        raise ValueError(f"unknown clock {windows.clock!r}: published or ingested")
    sql = ("SELECT rowid, id, t, (t - ?) / ? AS w, outlet, text FROM (SELECT a.rowid AS rowid, a.id AS id, "
           "coalesce(a.outlet, '') AS outlet, coalesce(d.group_id, a.rowid) AS text, "
           f"{when} AS t FROM articles a LEFT JOIN duplicates d ON d.article_rowid = a.rowid "
           f"WHERE {near}) p WHERE t >= ? AND t < ?")
    return sql, [windows.start, windows.width, *bounds, windows.start, windows.end]


def _bounds(windows: Windows) -> tuple[str, str]:
    """The window range as ISO texts, widened by a day on each side."""
    def iso(seconds: int) -> str:
        return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d")

    return iso(windows.start - _MARGIN), iso(windows.end + _MARGIN)


def window_totals(conn: Any, windows: Windows, dialect: Dialect = SQLITE) -> list[int]:
    sql, params = placed(windows, dialect)
    totals = [0] * windows.count
    for w, n in conn.execute(f"{_WITH.format(sql)} SELECT w, count(*) FROM (SELECT DISTINCT w, outlet, text "
                             "FROM x) r GROUP BY w", params):
        totals[w] = n
    return totals


def entity_windows(conn: Any, windows: Windows,
                   dialect: Dialect = SQLITE) -> list[tuple[str, str, str, int, int]]:
    sql, params = placed(windows, dialect)
    return [tuple(r) for r in conn.execute(
        f"{_WITH.format(sql)} SELECT e.id, e.name, e.type, c.w, c.n FROM (SELECT entity, w, count(*) AS n "
        "FROM (SELECT DISTINCT m.entity AS entity, x.w AS w, x.outlet AS outlet, x.text AS text FROM x "
        "JOIN mentions m ON m.article = x.rowid) r GROUP BY entity, w) c JOIN entities e ON e.id = c.entity "
        "WHERE e.id NOT IN (SELECT id FROM entity_common) ORDER BY e.id, c.w", params)]


def story_windows(conn: Any, windows: Windows, dialect: Dialect = SQLITE) -> list[tuple[str, int, str, int]]:
    sql, params = placed(windows, dialect)
    return [tuple(r) for r in conn.execute(
        f"{_WITH.format(sql)} SELECT s.story_id, x.w, x.outlet, count(DISTINCT x.text) FROM x "
        "JOIN story_members s ON s.article_rowid = x.rowid "
        "GROUP BY s.story_id, x.w, x.outlet ORDER BY s.story_id, x.w, x.outlet", params)]


def alert_windows(conn: Any, windows: Windows, dialect: Dialect = SQLITE) -> list[tuple[str, int, int]]:
    sql, params = placed(windows, dialect)
    return [tuple(r) for r in conn.execute(
        f"{_WITH.format(sql)} SELECT alert, w, count(*) FROM (SELECT DISTINCT m.alert AS alert, x.w AS w, "
        "x.outlet AS outlet, x.text AS text FROM x JOIN alert_matches m ON m.article = x.id) r "
        "GROUP BY alert, w ORDER BY alert, w", params)]


def entity_reports(conn: Any, windows: Windows, ids: list[str],
                   dialect: Dialect = SQLITE) -> list[tuple[str, str]]:
    return _reports(conn, windows, ids, dialect, "mentions m ON m.article = x.rowid", "m.entity")


def story_reports(conn: Any, windows: Windows, ids: list[str],
                  dialect: Dialect = SQLITE) -> list[tuple[str, str]]:
    return _reports(conn, windows, ids, dialect, "story_members m ON m.article_rowid = x.rowid", "m.story_id")


def _reports(conn: Any, windows: Windows, ids: list[str], dialect: Dialect, join: str,
             item: str) -> list[tuple[str, str]]:
    """(item, article id) of the current window's articles of these items, by item, newest first."""
    if not ids:
        return []
    sql, params = placed(Windows(windows.end, windows.width, 1, windows.clock), dialect)
    return [(r[0], r[1]) for r in conn.execute(
        f"{_WITH.format(sql)} SELECT DISTINCT {item}, x.id, x.t, x.rowid FROM x JOIN {join} "
        f"WHERE {item} IN ({', '.join('?' * len(ids))}) ORDER BY {item}, x.t DESC, x.rowid DESC",
        [*params, *ids])]
