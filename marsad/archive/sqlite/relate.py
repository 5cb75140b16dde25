"""The relate stage's tables on SQLite."""

from __future__ import annotations

import sqlite3

MIGRATIONS: list[tuple[str, str]] = [
    ("relate-0001-stories-duplicates", """
CREATE TABLE relate_docs (
    article_rowid INTEGER PRIMARY KEY,  -- articles.rowid
    content_hash TEXT NOT NULL,         -- of the version these features were made from
    day INTEGER,                        -- publication day (days since 1970-01-01), when known
    vec TEXT NOT NULL,                  -- JSON {term: weight}, L2-normalized
    entities TEXT NOT NULL              -- JSON [canonical entity names]
);
CREATE TABLE relate_terms (term TEXT NOT NULL, article_rowid INTEGER NOT NULL);
CREATE INDEX relate_terms_term ON relate_terms(term);
CREATE INDEX relate_terms_article ON relate_terms(article_rowid);
CREATE TABLE stories (
    id TEXT PRIMARY KEY,                -- the id of the story's first article
    title TEXT NOT NULL,
    first_seen TEXT, last_seen TEXT,    -- ISO publication times of the first and last dated reports
    first_day INTEGER, last_day INTEGER,
    size INTEGER NOT NULL,
    centroid TEXT NOT NULL              -- JSON {term: summed weight}
);
CREATE INDEX stories_last_day ON stories(last_day);
CREATE TABLE story_members (
    article_rowid INTEGER PRIMARY KEY,
    story_id TEXT NOT NULL REFERENCES stories(id)
);
CREATE INDEX story_members_story ON story_members(story_id);
CREATE TABLE duplicates (
    article_rowid INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL           -- the smallest rowid in the group
);
CREATE INDEX duplicates_group ON duplicates(group_id);
-- One B-tree, looked up by key; forgetting a changed article scans it (rare).
CREATE TABLE relate_lsh (
    key INTEGER NOT NULL, article_rowid INTEGER NOT NULL, PRIMARY KEY (key, article_rowid)
) WITHOUT ROWID;
"""),
    # One B-tree looked up by term instead of a table and two indexes: cheaper to fill.
    ("relate-0002-terms-without-rowid", """
CREATE TABLE relate_terms_by_term (
    term TEXT NOT NULL, article_rowid INTEGER NOT NULL, PRIMARY KEY (term, article_rowid)
) WITHOUT ROWID;
INSERT OR IGNORE INTO relate_terms_by_term SELECT term, article_rowid FROM relate_terms;
DROP TABLE relate_terms;
ALTER TABLE relate_terms_by_term RENAME TO relate_terms;
CREATE INDEX relate_terms_article ON relate_terms(article_rowid);
"""),
    # Related articles are found from the vectors in relate_docs now; the term lists cost ingest time.
    ("relate-0003-no-term-lists", "DROP TABLE relate_terms;"),
    # Copy groups are no longer closed into chains, copy keys hold each text's opening, and stories follow
    # new joining rules: what an earlier version related is forgotten, and `marsad relate` relates it again.
    ("relate-0004-copies-of-one-text", """
DELETE FROM duplicates;
DELETE FROM relate_lsh;
DELETE FROM story_members;
DELETE FROM stories;
DELETE FROM relate_docs;
"""),
]


class SQLiteRelateState:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
