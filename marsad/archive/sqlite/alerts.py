"""What alerts keep on SQLite (:class:`marsad.archive.services.AlertState`).

``alerts`` holds the saved searches; ``alert_matches`` each article an alert matched, once (its
primary key is what makes a delivery once-only across restarts), with ``queued`` set once a
delivery carries it; ``alert_deliveries`` the messages, with their articles as JSON
{alert: [ids]}, and ``alert_attempts`` every try at sending one. Articles are named by their id,
not the store's key, so that matches outlive a changed article's new version.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager

from marsad.archive.base import Windows
from marsad.archive.services import AlertState, LogEntry
from marsad.archive.sqlite import trends as trend_counts
from marsad.errors import InputError, NotFound
from marsad.model import Alert, Delivery

MIGRATIONS: list[tuple[str, str]] = [
    ("alerts-0001-alerts-matches-deliveries", """
CREATE TABLE alerts (
    name TEXT PRIMARY KEY, query TEXT NOT NULL, every TEXT NOT NULL, kind TEXT NOT NULL,
    webhook TEXT, secret TEXT, email TEXT, outlet TEXT, section TEXT,
    created TEXT NOT NULL, last_digest TEXT
);
CREATE TABLE alert_matches (
    alert TEXT NOT NULL, article TEXT NOT NULL, matched_at TEXT NOT NULL,
    queued INTEGER NOT NULL DEFAULT 0,  -- 1 once a delivery carries it
    PRIMARY KEY (alert, article)
);
CREATE INDEX alert_matches_time ON alert_matches(alert, matched_at);
CREATE INDEX alert_matches_at ON alert_matches(matched_at);
CREATE TABLE alert_deliveries (
    id INTEGER PRIMARY KEY, channel TEXT NOT NULL, target TEXT NOT NULL,
    articles TEXT NOT NULL,  -- JSON {alert name: [article ids]}
    created TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    next_try TEXT, last_error TEXT, sent TEXT
);
CREATE INDEX alert_deliveries_due ON alert_deliveries(status, next_try);
CREATE TABLE alert_attempts (delivery INTEGER NOT NULL, at TEXT NOT NULL, error TEXT);
CREATE INDEX alert_attempts_at ON alert_attempts(at);
"""),
]

ALERT_COLUMNS = ("name", "query", "every", "webhook", "secret", "email", "outlet", "section", "kind",
                 "created", "last_digest")  # in the order of Alert's fields
DELIVERY_COLUMNS = "id, channel, target, articles, created, status, attempts, next_try, last_error, sent"
# The attempts with their deliveries: at, error, then DELIVERY_COLUMNS.
ATTEMPTS = (f"SELECT t.at, t.error, {', '.join('d.' + c for c in DELIVERY_COLUMNS.split(', '))} "
            "FROM alert_attempts t JOIN alert_deliveries d ON d.id = t.delivery")


def delivery(row) -> Delivery:
    """A Delivery from a row of DELIVERY_COLUMNS."""
    return Delivery(row[0], row[1], row[2], json.loads(row[3]), *row[4:])


def next_status(error: str | None, next_try: str | None) -> str:
    """A delivery's status after an attempt."""
    return "sent" if error is None else "pending" if next_try else "failed"


class SQLiteAlertState(AlertState):
    def __init__(self, conn: sqlite3.Connection,
                 transaction: Callable[[], AbstractContextManager[sqlite3.Connection]]):
        self.conn = conn
        self._tx = transaction  # the store's: joins a unit of work, else one of its own

    def add(self, alert: Alert) -> None:
        values = [getattr(alert, c) for c in ALERT_COLUMNS]
        with self._tx():
            added = self.conn.execute(f"INSERT INTO alerts ({', '.join(ALERT_COLUMNS)}) "
                                      f"VALUES ({', '.join('?' * len(values))}) ON CONFLICT DO NOTHING",
                                      values).rowcount
        if not added:
            raise InputError(f"an alert named {alert.name!r} exists; remove it first")

    def get(self, name: str) -> Alert:
        row = self.conn.execute(f"SELECT {', '.join(ALERT_COLUMNS)} FROM alerts WHERE name = ?",
                                (name,)).fetchone()
        if row is None:
            raise NotFound(f"no alert named {name!r}")
        return Alert(*row)

    def alerts(self) -> list[Alert]:
        return [Alert(*r) for r in self.conn.execute(
            f"SELECT {', '.join(ALERT_COLUMNS)} FROM alerts ORDER BY name")]

    def remove(self, name: str) -> None:
        with self._tx():
            found = self.conn.execute("DELETE FROM alerts WHERE name = ?", (name,)).rowcount
            self.conn.execute("DELETE FROM alert_matches WHERE alert = ?", (name,))
        if not found:
            raise NotFound(f"no alert named {name!r}")

    def set_digested(self, names: list[str], when: str) -> None:
        with self._tx():
            self.conn.executemany("UPDATE alerts SET last_digest = ? WHERE name = ?",
                                  [(when, n) for n in names])

    def record(self, name: str, ids: list[str], when: str) -> list[str]:
        new = []
        with self._tx():
            for id_ in dict.fromkeys(ids):
                if self.conn.execute("INSERT OR IGNORE INTO alert_matches (alert, article, matched_at) "
                                     "VALUES (?, ?, ?)", (name, id_, when)).rowcount:
                    new.append(id_)
        return new

    def matches(self, name: str, since: str | None = None, until: str | None = None,
                limit: int | None = None) -> list[tuple[str, str]]:
        return [tuple(r) for r in self.conn.execute(
            "SELECT article, matched_at FROM alert_matches WHERE alert = ? AND matched_at >= ? "
            "AND (? IS NULL OR matched_at < ?) ORDER BY matched_at DESC, rowid DESC LIMIT ?",
            (name, since or "", until, until, -1 if limit is None else limit))]

    def match_counts(self, since: str | None = None, until: str | None = None) -> dict[str, int]:
        counts = dict(self.conn.execute(
            "SELECT alert, count(*) FROM alert_matches WHERE matched_at >= ? "
            "AND (? IS NULL OR matched_at < ?) GROUP BY alert", (since or "", until, until)))
        return {a.name: counts.get(a.name, 0) for a in self.alerts()}

    def match_days(self, name: str) -> list[tuple[str, int]]:
        return [tuple(r) for r in self.conn.execute(
            "SELECT substr(matched_at, 1, 10) AS day, count(*) FROM alert_matches WHERE alert = ? "
            "GROUP BY day ORDER BY day", (name,))]

    def unqueued(self, name: str) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT article FROM alert_matches WHERE alert = ? AND NOT queued ORDER BY matched_at, rowid",
            (name,))]

    def enqueue(self, channel: str, target: str, articles: dict[str, list[str]], when: str) -> int:
        with self._tx():
            cur = self.conn.execute(
                "INSERT INTO alert_deliveries (channel, target, articles, created, status, next_try) "
                "VALUES (?, ?, ?, ?, 'pending', ?)",
                (channel, target, json.dumps(articles, ensure_ascii=False), when, when))
            self.conn.executemany("UPDATE alert_matches SET queued = 1 WHERE alert = ? AND article = ?",
                                  [(name, id_) for name, ids in articles.items() for id_ in ids])
        return cur.lastrowid

    def due(self, when: str) -> list[Delivery]:
        return [delivery(r) for r in self.conn.execute(
            f"SELECT {DELIVERY_COLUMNS} FROM alert_deliveries WHERE status = 'pending' AND next_try <= ? "
            "ORDER BY next_try, id", (when,))]

    def attempted(self, id: int, when: str, error: str | None, next_try: str | None) -> None:
        with self._tx():
            self.conn.execute(
                "UPDATE alert_deliveries SET attempts = attempts + 1, status = ?, next_try = ?, "
                "last_error = ?, sent = ? WHERE id = ?",
                (next_status(error, next_try), next_try, error, None if error else when, id))
            self.conn.execute("INSERT INTO alert_attempts (delivery, at, error) VALUES (?, ?, ?)",
                              (id, when, error))

    def log(self, limit: int = 50, alert: str | None = None) -> list[LogEntry]:
        rows = self.conn.execute(
            f"{ATTEMPTS} WHERE ? IS NULL OR EXISTS (SELECT 1 FROM json_each(d.articles) WHERE key = ?) "
            "ORDER BY t.at DESC, t.rowid DESC LIMIT ?", (alert, alert, limit))
        return [LogEntry(r[0], delivery(r[2:]), r[1]) for r in rows]

    def alert_windows(self, windows: Windows) -> list[tuple[str, int, int]]:
        return trend_counts.alert_windows(self.conn, windows)
