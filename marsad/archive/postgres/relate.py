"""The relate stage's tables on PostgreSQL: the same tables as on SQLite (see
:mod:`marsad.archive.sqlite.relate`), joined to articles by their key (``articles.rowid``).

Term vectors, entities and centroids are kept as JSON text, not ``jsonb``: jsonb reorders keys,
and the order of a vector's terms breaks ties in clustering and ranking, so that the same articles
relate the same way on both backends. Relating is a single-writer step: :meth:`exclusive` takes a
transaction-level advisory lock, released when the unit of work commits or rolls back.
"""

from __future__ import annotations

import json
import zlib
from collections import defaultdict
from collections.abc import Container, Iterable, Iterator
from typing import TYPE_CHECKING

from marsad.archive.base import Windows
from marsad.archive.postgres.entities import SQLiteStyle
from marsad.archive.postgres.trends import POSTGRES
from marsad.archive.relatestate import CopyRow, RelateState, StoredDoc, StoryRow, features_version
from marsad.archive.sqlite import trends as trend_counts
from marsad.archive.sqlite.relate import loads_many

if TYPE_CHECKING:
    from marsad.archive.postgres import PostgresBackend

MIGRATIONS: list[tuple[str, str]] = [
    ("relate-0001-tables", """
CREATE TABLE relate_docs (
    article_rowid BIGINT PRIMARY KEY,   -- articles.rowid
    content_hash TEXT NOT NULL,         -- of the version these features were made from
    day INTEGER,                        -- publication day (days since 1970-01-01), when known
    vec TEXT NOT NULL,                  -- JSON {term: weight}, L2-normalized, heaviest first
    entities TEXT NOT NULL              -- JSON [canonical entity names]
);
CREATE TABLE stories (
    id TEXT COLLATE "C" PRIMARY KEY,    -- the id of the story's first article
    title TEXT COLLATE "C" NOT NULL,
    first_seen TEXT COLLATE "C", last_seen TEXT COLLATE "C",  -- ISO times of the first and last dated reports
    first_day INTEGER, last_day INTEGER,
    size INTEGER NOT NULL,
    centroid TEXT NOT NULL              -- JSON {term: summed weight}
);
CREATE INDEX stories_last_day ON stories(last_day);
CREATE TABLE story_members (
    article_rowid BIGINT PRIMARY KEY,
    story_id TEXT COLLATE "C" NOT NULL
);
CREATE INDEX story_members_story ON story_members(story_id, article_rowid);
CREATE TABLE duplicates (
    article_rowid BIGINT PRIMARY KEY,
    group_id BIGINT NOT NULL            -- the smallest key in the group
);
CREATE INDEX duplicates_group ON duplicates(group_id);
CREATE TABLE relate_lsh (
    key BIGINT NOT NULL, article_rowid BIGINT NOT NULL, PRIMARY KEY (key, article_rowid)
);
CREATE INDEX relate_lsh_article ON relate_lsh(article_rowid);
CREATE TABLE relate_runs (generation BIGINT NOT NULL);
INSERT INTO relate_runs VALUES (0);
"""),
    # The stories a batch may join are found by the days they end on, up to the longest story's span.
    ("scale-0001-story-span", "CREATE INDEX stories_span ON stories ((last_day - first_day));"),
]

_LOCK = zlib.crc32(b"marsad:relate")  # the advisory lock key of relating
_PART = 2000  # features read at once
_DOCS = ("SELECT d.article_rowid, d.content_hash, a.id, a.headline, d.day, d.vec, d.entities "
         "FROM relate_docs d JOIN articles a ON a.rowid = d.article_rowid")
_COPIES = ("SELECT d.group_id, a.id, a.headline, a.outlet, a.published, a.url, d.group_id = d.article_rowid "
           "FROM duplicates d JOIN articles a ON a.rowid = d.article_rowid")


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


class PostgresRelateState(RelateState):
    def __init__(self, backend: PostgresBackend):
        self.backend = backend

    def _rows(self, sql: str, args: Iterable = ()) -> list[tuple]:
        with self.backend.cursor() as cur:
            return cur.execute(sql, list(args)).fetchall()

    def _one(self, sql: str, args: Iterable = ()) -> tuple | None:
        with self.backend.cursor() as cur:
            return cur.execute(sql, list(args)).fetchone()

    def _many(self, sql: str, rows: list[tuple]) -> None:
        if rows:
            with self.backend.cursor() as cur:
                cur.executemany(sql, rows)

    def exclusive(self) -> None:
        if not self.backend.in_unit_of_work():
            raise RuntimeError("relating holds the relate state exclusively inside a unit of work only")
        self._one("SELECT pg_advisory_xact_lock(%s)", [_LOCK])

    def generation(self) -> int:
        return self._one("SELECT generation FROM relate_runs")[0]

    def advance(self) -> int:
        return self._one("UPDATE relate_runs SET generation = generation + 1 RETURNING generation")[0]

    def key(self, article_id: str) -> int | None:
        row = self._one("SELECT rowid FROM articles WHERE id = %s", [article_id])
        return row[0] if row else None

    def pending(self, ids: list[str]) -> list[tuple[int, str, str, bool]]:
        ids = list(dict.fromkeys(ids))
        found = {r[1]: r for r in self._rows(
            "SELECT a.rowid, a.id, a.content_hash, d.content_hash FROM articles a "
            "LEFT JOIN relate_docs d ON d.article_rowid = a.rowid WHERE a.id = ANY(%s)", [ids])}
        return [(r[0], r[1], r[2], r[3] is not None) for r in map(found.get, ids) if r and r[2] != r[3]]

    def unrelated(self) -> list[str]:
        return [r[0] for r in self._rows(
            "SELECT a.id FROM articles a LEFT JOIN relate_docs d ON d.article_rowid = a.rowid "
            "WHERE d.content_hash IS DISTINCT FROM a.content_hash ORDER BY a.rowid")]

    def articles(self, keys: list[int]) -> Iterator[tuple[int, str, str]]:
        return iter(self._rows("SELECT rowid, id, data FROM articles WHERE rowid = ANY(%s)", [keys]))

    def text(self, key: int) -> tuple[str | None, str | None, str | None] | None:
        return self._one("SELECT headline, deck, body FROM articles WHERE rowid = %s", [key])

    def summaries(self, ids: list[str]) -> dict[str, tuple[str | None, str | None, str | None]]:
        return {r[0]: r[1:] for r in self._rows(
            "SELECT id, headline, outlet, published FROM articles WHERE id = ANY(%s)", [ids])}

    def add_docs(self, docs: list[tuple[int, str, int | None, dict[str, float], list[str]]]) -> None:
        self._many("INSERT INTO relate_docs (article_rowid, content_hash, day, vec, entities) "
                   "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (article_rowid) DO UPDATE SET "
                   "content_hash = excluded.content_hash, day = excluded.day, vec = excluded.vec, "
                   "entities = excluded.entities",
                   [(k, h, day, _json(vec), _json(ents)) for k, h, day, vec, ents in docs])

    def docs(self, keys: list[int] | None = None) -> Iterator[StoredDoc]:
        # A page at a time by key: no connection is held between pages.
        after, where = -1, "" if keys is None else " AND d.article_rowid = ANY(%s)"
        while part := self._rows(f"{_DOCS} WHERE d.article_rowid > %s{where} "
                                 f"ORDER BY d.article_rowid LIMIT {_PART}",
                                 [after] if keys is None else [after, keys]):
            vecs, ents = loads_many([r[5] for r in part]), loads_many([r[6] for r in part])
            for r, vec, ent in zip(part, vecs, ents, strict=True):
                yield StoredDoc(r[0], features_version(r[1], r[6]), r[2], r[3] or "", r[4], vec, ent)
            after = part[-1][0]

    def doc_hashes(self) -> dict[int, str]:
        rows = self._rows("SELECT article_rowid, content_hash, entities FROM relate_docs")
        return {k: features_version(h, e) for k, h, e in rows}

    def forget(self, keys: list[int]) -> None:
        if not keys:
            return
        with self.backend.cursor() as cur:
            for table in ("relate_docs", "story_members", "relate_lsh", "duplicates"):
                cur.execute(f"DELETE FROM {table} WHERE article_rowid = ANY(%s)", [keys])
            # A copy group left with one member is no group.
            cur.execute("DELETE FROM duplicates WHERE group_id IN "
                        "(SELECT group_id FROM duplicates GROUP BY group_id HAVING count(*) = 1)")

    def add_copy_keys(self, pairs: list[tuple[int, int]]) -> None:
        # About a hundred keys an article: copied in, then added to the table in one statement.
        if not pairs:
            return
        # One transaction (a savepoint inside a unit of work): the copied rows live until it commits.
        with self.backend.connection() as conn, conn.transaction(), conn.cursor() as cur:
            cur.execute("CREATE TEMP TABLE IF NOT EXISTS relate_lsh_new (key BIGINT, article_rowid BIGINT) "
                        "ON COMMIT DELETE ROWS")
            with cur.copy("COPY relate_lsh_new (key, article_rowid) FROM STDIN") as copy:
                for row in pairs:
                    copy.write_row(row)
            cur.execute("INSERT INTO relate_lsh SELECT DISTINCT key, article_rowid FROM relate_lsh_new "
                        "ORDER BY key, article_rowid ON CONFLICT DO NOTHING")
            cur.execute("TRUNCATE relate_lsh_new")

    def copy_buckets(self, copy_keys: Iterable[int]) -> dict[int, list[int]]:
        buckets: defaultdict[int, list[int]] = defaultdict(list)
        for key, rowid in self._rows("SELECT key, article_rowid FROM relate_lsh WHERE key = ANY(%s) "
                                     "ORDER BY key, article_rowid", [sorted(set(copy_keys))]):
            buckets[key].append(rowid)
        return buckets

    def group_members(self, key: int) -> list[int] | None:
        rows = self._rows(
            "SELECT g.article_rowid FROM duplicates d JOIN duplicates g ON g.group_id = d.group_id "
            "WHERE d.article_rowid = %s ORDER BY g.article_rowid", [key])
        return [r[0] for r in rows] or None

    def join_group(self, key: int, members: list[int]) -> None:
        everyone = sorted({*members, key})  # rows locked in key order: no deadlock with another writer
        self._many("INSERT INTO duplicates (article_rowid, group_id) VALUES (%s, %s) "
                   "ON CONFLICT (article_rowid) DO UPDATE SET group_id = excluded.group_id",
                   [(m, everyone[0]) for m in everyone])

    def copy_rows(self, key: int | None = None) -> list[CopyRow]:
        if key is None:
            rows = self._rows(f"{_COPIES} ORDER BY d.group_id, a.rowid")
        else:
            rows = self._rows(f"{_COPIES} WHERE d.group_id = (SELECT group_id FROM duplicates "
                              f"WHERE article_rowid = %s) ORDER BY a.rowid", [key])
        return [CopyRow(g, i, t or "", o, p, u, bool(s)) for g, i, t, o, p, u, s in rows]

    def open_stories(self, first_day: int | None, last_day: int | None, known: Container[str],
                     recent: int) -> list[tuple[str, int | None, int | None, dict[str, float], list[str]]]:
        # With each story, the outlets of its latest reports, newest first.
        sql = ("SELECT id, first_day, last_day, centroid, ARRAY(SELECT coalesce(a.outlet, '') "
               "FROM story_members m JOIN articles a ON a.rowid = m.article_rowid "
               "WHERE m.story_id = stories.id ORDER BY m.article_rowid DESC LIMIT %s) "
               "FROM stories WHERE last_day IS NULL")
        args: list = [recent]
        if first_day is not None and last_day is not None:
            sql += " OR (last_day BETWEEN %s AND %s AND first_day <= %s)"
            args += [first_day, last_day + self._longest_span(), last_day]
        return [(sid, first, last, json.loads(centroid), outlets)
                for sid, first, last, centroid, outlets in self._rows(sql, args) if sid not in known]

    def _longest_span(self) -> int:
        """Days from the first to the last report of the longest story: a story a report of days
        a..b may join ends by b plus that, so the stories read are those of the days, not all later ones."""
        return self._one("SELECT max(last_day - first_day) FROM stories")[0] or 0

    def recent_vectors(self, story_id: str, recent: int) -> list[dict[str, float]]:
        rows = self._rows(
            "SELECT d.vec FROM story_members m JOIN relate_docs d ON d.article_rowid = m.article_rowid "
            "WHERE m.story_id = %s ORDER BY m.article_rowid DESC LIMIT %s", [story_id, recent])
        return [json.loads(v) for (v,) in reversed(rows)]

    def free_story_id(self, wanted: str) -> str:
        sid, n = wanted, 1
        while self._one("SELECT 1 FROM stories WHERE id = %s", [sid]):
            n += 1
            sid = f"{wanted}~{n}"
        return sid

    def save_stories(self, stories: list[tuple[str, int | None, int | None, dict[str, float]]]) -> None:
        self._many(
            "INSERT INTO stories (id, title, first_day, last_day, size, centroid) "
            "VALUES (%s, '', %s, %s, 0, %s) "
            "ON CONFLICT (id) DO UPDATE SET first_day = excluded.first_day, last_day = excluded.last_day, "
            "centroid = excluded.centroid", [(sid, first, last, _json(c)) for sid, first, last, c in stories])

    def add_members(self, pairs: list[tuple[int, str]]) -> None:
        self._many("INSERT INTO story_members (article_rowid, story_id) VALUES (%s, %s) "
                   "ON CONFLICT (article_rowid) DO UPDATE SET story_id = excluded.story_id", pairs)

    def refresh_stories(self, ids: Iterable[str]) -> None:
        ids = sorted(set(ids))
        if not ids:
            return
        with self.backend.cursor() as cur:
            # Size, times and the first stored report's headline of each story, in one pass.
            cur.execute(
                "WITH counted AS (SELECT m.story_id, min(a.published) AS first_seen, "
                "max(a.published) AS last_seen, count(*) AS size, min(a.rowid) AS oldest "
                "FROM story_members m JOIN articles a ON a.rowid = m.article_rowid "
                "WHERE m.story_id = ANY(%s) GROUP BY m.story_id) "
                "UPDATE stories s SET title = coalesce(a.headline, ''), first_seen = c.first_seen, "
                "last_seen = c.last_seen, size = c.size FROM counted c JOIN articles a ON a.rowid = c.oldest "
                "WHERE s.id = c.story_id", [ids])
            cur.execute("DELETE FROM stories s WHERE s.id = ANY(%s) AND NOT EXISTS "
                        "(SELECT 1 FROM story_members m WHERE m.story_id = s.id)", [ids])

    def stories_of(self, keys: list[int]) -> set[str]:
        if not keys:
            return set()
        return {r[0] for r in self._rows(
            "SELECT DISTINCT story_id FROM story_members WHERE article_rowid = ANY(%s)", [keys])}

    def stories(self, *, min_size: int = 1, since: str | None = None,
                ids: list[str] | None = None) -> list[StoryRow]:
        where, args = "size >= %s", [min_size]
        if since:
            where += " AND last_seen >= %s"
            args.append(since)
        if ids is not None:
            where += " AND id = ANY(%s)"
            args.append(ids)
        return [StoryRow(*r) for r in self._rows(
            f"SELECT id, title, first_seen, last_seen FROM stories WHERE {where} "
            f"ORDER BY last_seen IS NULL, last_seen DESC, id", args)]

    def story_members(self, story_ids: list[str]) -> dict[str, list[tuple[str, str | None]]]:
        out: dict[str, list[tuple[str, str | None]]] = {sid: [] for sid in story_ids}
        for sid, aid, outlet in self._rows(
                "SELECT m.story_id, a.id, a.outlet FROM story_members m "
                "JOIN articles a ON a.rowid = m.article_rowid WHERE m.story_id = ANY(%s) "
                "ORDER BY m.story_id, a.published IS NULL, a.published, a.rowid", [story_ids]):
            out[sid].append((aid, outlet))
        return out

    def story_windows(self, windows: Windows) -> list[tuple[str, int, str, int]]:
        with self.backend.connection() as conn:
            return trend_counts.story_windows(SQLiteStyle(conn), windows, POSTGRES)

    def story_reports(self, windows: Windows, ids: list[str]) -> list[tuple[str, str]]:
        with self.backend.connection() as conn:
            return trend_counts.story_reports(SQLiteStyle(conn), windows, ids, POSTGRES)
