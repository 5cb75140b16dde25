"""Named schema migrations, applied in order and recorded in the ``migrations`` table.

The archive's own migrations come first, then the search index's and the relate
stage's (``MIGRATIONS: list[tuple[name, sql]]`` in each module of this backend). A name, once
applied, is never run again; a new schema change is a new name. A step that
SQL alone cannot do (re-analyzing stored text for a new search analyzer) is a
Python function of the connection in place of the SQL, run in the same way.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

MIGRATIONS: list[tuple[str, str]] = [
    ("archive-0001-articles", """
CREATE TABLE articles (
    rowid INTEGER PRIMARY KEY,
    id TEXT UNIQUE NOT NULL,
    url TEXT, headline TEXT, deck TEXT, outlet TEXT, publisher TEXT, section TEXT,
    published TEXT, author TEXT, kind TEXT, dateline TEXT, body TEXT,
    data TEXT NOT NULL, source TEXT, content_hash TEXT NOT NULL, ingested_at TEXT NOT NULL,
    enrich_hash TEXT  -- hash of entities/dates/figures/quotes; NULL when not enriched
);
CREATE INDEX articles_published ON articles(published);
CREATE INDEX articles_url ON articles(url);
CREATE INDEX articles_outlet ON articles(outlet, published);
CREATE INDEX articles_section ON articles(section, published);
"""),
    ("archive-0002-entities", """
CREATE TABLE entities (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    articles INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX entities_by_count ON entities(articles DESC);
CREATE TABLE mentions (
    article INTEGER NOT NULL REFERENCES articles(rowid),
    entity TEXT NOT NULL REFERENCES entities(id),
    text TEXT NOT NULL, type TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, paragraph INTEGER NOT NULL
);
CREATE INDEX mentions_entity ON mentions(entity, article);
CREATE INDEX mentions_article ON mentions(article);
"""),
    # Each article's language (parse leaves Arabic unmarked; the archive stores "ar").
    ("archive-0003-language", """
ALTER TABLE articles ADD COLUMN language TEXT;
UPDATE articles SET language = coalesce(json_extract(data, '$.language'), 'ar') WHERE json_valid(data);
CREATE INDEX articles_language ON articles(language);
"""),
    # Analysts' corrections of entities, merges and redirects (marsad.archive.entities).
    ("archive-0004-entity-corrections", """
CREATE TABLE entity_corrections (seq INTEGER PRIMARY KEY, op TEXT NOT NULL, args TEXT NOT NULL,
                                 made_at TEXT NOT NULL);
CREATE TABLE entity_redirects (old TEXT PRIMARY KEY, new TEXT NOT NULL, source TEXT NOT NULL);
CREATE INDEX entity_redirects_new ON entity_redirects(new);
CREATE TABLE entity_splits (entity TEXT NOT NULL, variant TEXT NOT NULL, target TEXT NOT NULL,
                            PRIMARY KEY (entity, variant));
CREATE TABLE entity_pins (id TEXT PRIMARY KEY, name TEXT, type TEXT);
CREATE TABLE entity_apart (a TEXT NOT NULL, b TEXT NOT NULL, PRIMARY KEY (a, b));
"""),
    # Entities left out of lists: words the archive mostly prints untagged (marsad.archive.entities).
    ("archive-0005-entity-common-words", """
CREATE TABLE entity_common (id TEXT PRIMARY KEY, articles INTEGER NOT NULL, printed INTEGER NOT NULL);
"""),
]

_LEDGER = "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"


def all_migrations() -> list[tuple[str, Any]]:
    """The archive's migrations, then the search index's, the relate stage's, the watch state's, the
    alerts', the counts per window's and the batch engine's."""
    from marsad.archive.sqlite import alerts, engine, relate, search, trends, watch

    return [*MIGRATIONS, *search.MIGRATIONS, *relate.MIGRATIONS, *watch.MIGRATIONS,
            *alerts.MIGRATIONS, *trends.MIGRATIONS, *engine.MIGRATIONS]


def applied(conn: sqlite3.Connection) -> set[str]:
    has_ledger = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'").fetchone()
    if not has_ledger:
        return set()
    return {row[0] for row in conn.execute("SELECT name FROM migrations")}


def pending(conn: sqlite3.Connection, migrations: list[tuple[str, str]] | None = None) -> list[str]:
    done = applied(conn)
    return [name for name, _ in (migrations or all_migrations()) if name not in done]


def apply(conn: sqlite3.Connection, migrations: list[tuple[str, str]] | None = None) -> list[str]:
    """Run every migration not yet recorded, each in its own transaction; return the names run.

    Two processes opening a new archive at once are safe: each migration takes
    the write lock, and one that another process has just applied is skipped.
    """
    conn.execute(_LEDGER)
    migrations = migrations if migrations is not None else all_migrations()
    _check_unique(migrations)
    done = applied(conn)
    ran = []
    for name, sql in migrations:
        if name in done:
            continue
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        record = f"INSERT INTO migrations(name, applied_at) VALUES ({_quote(name)}, {_quote(stamp)})"
        try:
            if callable(sql):
                conn.execute("BEGIN IMMEDIATE")
                sql(conn)
                conn.execute(record)
                conn.execute("COMMIT")
            else:
                conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\n;\n{record};\nCOMMIT;")
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if name in applied(conn):  # another process won the race
                continue
            raise
        ran.append(name)
    return ran



def _check_unique(migrations: list[tuple[str, str]]) -> None:
    names = [name for name, _ in migrations]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"migration names must be unique: {', '.join(dupes)}")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
