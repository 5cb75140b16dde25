"""The relate stage's tables on SQLite, and the SQL that reads and writes them.

``relate_docs`` keeps each related article's term vector (JSON) and the hash of the version it was
made from (related articles are found from these vectors, see :mod:`marsad.relate.neighbours`);
``stories`` and ``story_members`` hold the story clustering; ``duplicates`` maps every article in
a copy group to the group (search collapses on it; a group is one source text and its copies, see
:mod:`marsad.relate.dedup`); ``relate_lsh`` holds the copy keys (MinHash LSH bands, opening
shingles) that find the copies of a new article; ``relate_runs`` counts the units of work that
related articles. Articles are joined by the articles table's rowid, the store's key.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Container, Iterable, Iterator
from itertools import islice

from marsad.archive.base import Windows
from marsad.archive.relatestate import CopyRow, RelateState, StoredDoc, StoryRow, features_version
from marsad.archive.sqlite import trends as trend_counts

_MAX_VARS = 500  # bound parameters per IN (...) query
_PART = 2000  # vectors decoded at once

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
    # Relating counts its units of work, so that a process knows when another one related meanwhile.
    ("relate-0005-runs", "CREATE TABLE relate_runs (generation INTEGER NOT NULL); "
                         "INSERT INTO relate_runs VALUES (0);"),
    # The stories a batch may join are found by the days they end on, up to the longest story's span.
    ("scale-0001-story-span", "CREATE INDEX stories_span ON stories ((last_day - first_day));"),
]


def _chunks(values: list, size: int = _MAX_VARS) -> Iterator[list]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _marks(values: list) -> str:
    return ",".join("?" * len(values))


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def loads_many(texts: list[str]) -> list:
    """Many JSON texts decoded in one call: much faster than one call each."""
    return json.loads("[" + ",".join(texts) + "]")


_DOCS = ("SELECT d.article_rowid, d.content_hash, a.id, a.headline, d.day, d.vec, d.entities "
         "FROM relate_docs d JOIN articles a ON a.rowid = d.article_rowid")
_COPIES = ("SELECT d.group_id, a.id, a.headline, a.outlet, a.published, a.url, d.group_id = d.article_rowid "
           "FROM duplicates d JOIN articles a ON a.rowid = d.article_rowid")


class SQLiteRelateState(RelateState):
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def _in(self, sql: str, values: list, extra: tuple = ()) -> Iterator[tuple]:
        """Rows of ``sql`` (with one ``IN ({})``) over ``values``, a part at a time."""
        for part in _chunks(values):
            yield from self.conn.execute(sql.format(_marks(part)), [*part, *extra])

    def exclusive(self) -> None:
        pass  # the unit of work is SQLite's one write transaction: writers wait for each other already

    def generation(self) -> int:
        return self.conn.execute("SELECT generation FROM relate_runs").fetchone()[0]

    def advance(self) -> int:
        self.conn.execute("UPDATE relate_runs SET generation = generation + 1")
        return self.generation()

    def key(self, article_id: str) -> int | None:
        row = self.conn.execute("SELECT rowid FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    def pending(self, ids: list[str]) -> list[tuple[int, str, str, bool]]:
        ids = list(dict.fromkeys(ids))
        found = {r[1]: r for r in self._in(
            "SELECT a.rowid, a.id, a.content_hash, d.content_hash FROM articles a "
            "LEFT JOIN relate_docs d ON d.article_rowid = a.rowid WHERE a.id IN ({})", ids)}
        return [(r[0], r[1], r[2], r[3] is not None) for r in map(found.get, ids) if r and r[2] != r[3]]

    def unrelated(self) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT a.id FROM articles a LEFT JOIN relate_docs d ON d.article_rowid = a.rowid "
            "WHERE d.content_hash IS NOT a.content_hash ORDER BY a.rowid")]

    def articles(self, keys: list[int]) -> Iterator[tuple[int, str, str]]:
        return self._in("SELECT rowid, id, data FROM articles WHERE rowid IN ({})", keys)

    def text(self, key: int) -> tuple[str | None, str | None, str | None] | None:
        return self.conn.execute("SELECT headline, deck, body FROM articles WHERE rowid = ?",
                                 (key,)).fetchone()

    def summaries(self, ids: list[str]) -> dict[str, tuple[str | None, str | None, str | None]]:
        return {r[0]: r[1:] for r in self._in(
            "SELECT id, headline, outlet, published FROM articles WHERE id IN ({})", ids)}

    def add_docs(self, docs: list[tuple[int, str, int | None, dict[str, float], list[str]]]) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO relate_docs (article_rowid, content_hash, day, vec, entities) "
            "VALUES (?, ?, ?, ?, ?)", [(k, h, day, _json(vec), _json(ents)) for k, h, day, vec, ents in docs])

    def docs(self, keys: list[int] | None = None) -> Iterator[StoredDoc]:
        rows = (self.conn.execute(f"{_DOCS} ORDER BY d.article_rowid") if keys is None
                else self._in(f"{_DOCS} WHERE d.article_rowid IN ({{}}) ORDER BY d.article_rowid", keys))
        while part := list(islice(rows, _PART)):
            vecs, ents = loads_many([r[5] for r in part]), loads_many([r[6] for r in part])
            for r, vec, ent in zip(part, vecs, ents, strict=True):
                yield StoredDoc(r[0], features_version(r[1], r[6]), r[2], r[3] or "", r[4], vec, ent)

    def doc_hashes(self) -> dict[int, str]:
        rows = self.conn.execute("SELECT article_rowid, content_hash, entities FROM relate_docs")
        return {k: features_version(h, e) for k, h, e in rows}

    def forget(self, keys: list[int]) -> None:
        for part in _chunks(keys):
            for table in ("relate_docs", "story_members", "relate_lsh", "duplicates"):
                self.conn.execute(f"DELETE FROM {table} WHERE article_rowid IN ({_marks(part)})", part)
        if keys:  # a copy group left with one member is no group
            self.conn.execute("DELETE FROM duplicates WHERE group_id IN "
                              "(SELECT group_id FROM duplicates GROUP BY group_id HAVING count(*) = 1)")

    def add_copy_keys(self, pairs: list[tuple[int, int]]) -> None:
        # In key order: the B-tree is filled from left to right, which is cheaper.
        self.conn.executemany("INSERT OR REPLACE INTO relate_lsh (key, article_rowid) VALUES (?, ?)",
                              sorted(pairs))

    def copy_buckets(self, copy_keys: Iterable[int]) -> dict[int, list[int]]:
        buckets: defaultdict[int, list[int]] = defaultdict(list)
        for key, rowid in self._in("SELECT key, article_rowid FROM relate_lsh WHERE key IN ({}) "
                                   "ORDER BY key, article_rowid", sorted(set(copy_keys))):
            buckets[key].append(rowid)
        return buckets

    def group_members(self, key: int) -> list[int] | None:
        rows = self.conn.execute(
            "SELECT g.article_rowid FROM duplicates d JOIN duplicates g ON g.group_id = d.group_id "
            "WHERE d.article_rowid = ? ORDER BY g.article_rowid", (key,)).fetchall()
        return [r[0] for r in rows] or None

    def join_group(self, key: int, members: list[int]) -> None:
        everyone = [*members, key]
        gid = min(everyone)
        self.conn.executemany("INSERT OR REPLACE INTO duplicates (article_rowid, group_id) VALUES (?, ?)",
                              [(m, gid) for m in everyone])

    def copy_rows(self, key: int | None = None) -> list[CopyRow]:
        if key is None:
            rows = self.conn.execute(f"{_COPIES} ORDER BY d.group_id, a.rowid")
        else:
            rows = self.conn.execute(f"{_COPIES} WHERE d.group_id = (SELECT group_id FROM duplicates "
                                     f"WHERE article_rowid = ?) ORDER BY a.rowid", (key,))
        return [CopyRow(g, i, t or "", o, p, u, bool(s)) for g, i, t, o, p, u, s in rows]

    def open_stories(self, first_day: int | None, last_day: int | None, known: Container[str],
                     recent: int) -> list[tuple[str, int | None, int | None, dict[str, float], list[str]]]:
        # With each story, the outlets of its latest reports, newest first.
        sql = ("SELECT id, first_day, last_day, centroid, (SELECT json_group_array(o) FROM ("
               "SELECT coalesce(a.outlet, '') AS o FROM story_members m "
               "JOIN articles a ON a.rowid = m.article_rowid "
               "WHERE m.story_id = stories.id ORDER BY m.article_rowid DESC LIMIT ?)) "
               "FROM stories WHERE last_day IS NULL")
        args: list = [recent]
        if first_day is not None and last_day is not None:
            sql += " OR (last_day BETWEEN ? AND ? AND first_day <= ?)"
            args += [first_day, last_day + self._longest_span(), last_day]
        return [(sid, first, last, json.loads(centroid), json.loads(outlets or "[]"))
                for sid, first, last, centroid, outlets in self.conn.execute(sql, args) if sid not in known]

    def _longest_span(self) -> int:
        """Days from the first to the last report of the longest story: a story a report of days
        a..b may join ends by b plus that, so the stories read are those of the days, not all later ones."""
        return self.conn.execute("SELECT max(last_day - first_day) FROM stories").fetchone()[0] or 0

    def recent_vectors(self, story_id: str, recent: int) -> list[dict[str, float]]:
        rows = self.conn.execute(
            "SELECT d.vec FROM story_members m JOIN relate_docs d ON d.article_rowid = m.article_rowid "
            "WHERE m.story_id = ? ORDER BY m.article_rowid DESC LIMIT ?", (story_id, recent)).fetchall()
        return [json.loads(v) for (v,) in reversed(rows)]

    def free_story_id(self, wanted: str) -> str:
        sid, n = wanted, 1
        while self.conn.execute("SELECT 1 FROM stories WHERE id = ?", (sid,)).fetchone():
            n += 1
            sid = f"{wanted}~{n}"
        return sid

    def save_stories(self, stories: list[tuple[str, int | None, int | None, dict[str, float]]]) -> None:
        self.conn.executemany(
            "INSERT INTO stories (id, title, first_day, last_day, size, centroid) VALUES (?, '', ?, ?, 0, ?) "
            "ON CONFLICT (id) DO UPDATE SET first_day = excluded.first_day, last_day = excluded.last_day, "
            "centroid = excluded.centroid", [(sid, first, last, _json(c)) for sid, first, last, c in stories])

    def add_members(self, pairs: list[tuple[int, str]]) -> None:
        self.conn.executemany("INSERT OR REPLACE INTO story_members (article_rowid, story_id) VALUES (?, ?)",
                              pairs)

    def refresh_stories(self, ids: Iterable[str]) -> None:
        for sid in ids:
            first, last, size, oldest = self.conn.execute(
                "SELECT min(a.published), max(a.published), count(*), min(a.rowid) FROM story_members m "
                "JOIN articles a ON a.rowid = m.article_rowid WHERE m.story_id = ?", (sid,)).fetchone()
            if not size:
                self.conn.execute("DELETE FROM stories WHERE id = ?", (sid,))
                continue
            title = self.conn.execute("SELECT headline FROM articles WHERE rowid = ?",
                                      (oldest,)).fetchone()[0]
            self.conn.execute("UPDATE stories SET title = ?, first_seen = ?, last_seen = ?, size = ? "
                              "WHERE id = ?", (title or "", first, last, size, sid))

    def stories_of(self, keys: list[int]) -> set[str]:
        return {r[0] for r in self._in(
            "SELECT story_id FROM story_members WHERE article_rowid IN ({})", keys)}

    def stories(self, *, min_size: int = 1, since: str | None = None,
                ids: list[str] | None = None) -> list[StoryRow]:
        where, args = "size >= ?", [min_size]
        if since:
            where += " AND last_seen >= ?"
            args.append(since)
        if ids is not None:
            where += " AND id IN (SELECT value FROM json_each(?))"
            args.append(_json(ids))
        return [StoryRow(*r) for r in self.conn.execute(
            f"SELECT id, title, first_seen, last_seen FROM stories WHERE {where} "
            f"ORDER BY last_seen IS NULL, last_seen DESC, id", args)]

    def story_members(self, story_ids: list[str]) -> dict[str, list[tuple[str, str | None]]]:
        out: dict[str, list[tuple[str, str | None]]] = {sid: [] for sid in story_ids}
        for sid, aid, outlet in self._in(
                "SELECT m.story_id, a.id, a.outlet FROM story_members m "
                "JOIN articles a ON a.rowid = m.article_rowid WHERE m.story_id IN ({}) "
                "ORDER BY m.story_id, a.published IS NULL, a.published, a.rowid",
                story_ids):
            out[sid].append((aid, outlet))
        return out

    def story_windows(self, windows: Windows) -> list[tuple[str, int, str, int]]:
        return trend_counts.story_windows(self.conn, windows)

    def story_reports(self, windows: Windows, ids: list[str]) -> list[tuple[str, str]]:
        return trend_counts.story_reports(self.conn, windows, ids)
