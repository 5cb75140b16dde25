"""The relate stage's tables in the archive, and the SQL that reads and writes them.

``relate_docs`` keeps each related article's term vector (JSON) and the hash of
the version it was made from (related articles are found from these vectors,
see :mod:`marsad.relate.neighbours`); ``stories`` and ``story_members`` hold
the story clustering; ``duplicates`` maps every article in a near-duplicate
group to the group (search collapses on it; a group is one source text and its copies, see
:mod:`marsad.relate.dedup`); ``relate_lsh`` holds the MinHash
keys (LSH bands, opening shingles) that find copies of a new article.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Container, Iterable, Iterator

from marsad.relate.cluster import RECENT, WINDOW, StoryState
from marsad.relate.features import interned

_MAX_VARS = 500


def chunks(values: list, size: int = _MAX_VARS) -> Iterator[list]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


def marks(values: list) -> str:
    return ",".join("?" * len(values))


def forget(conn: sqlite3.Connection, rowids: list[int]) -> None:
    """Drop what an earlier version of these articles left in every relate table but ``stories``."""
    for part in chunks(rowids):
        for table in ("relate_docs", "story_members", "relate_lsh", "duplicates"):
            conn.execute(f"DELETE FROM {table} WHERE article_rowid IN ({marks(part)})", part)
    if rowids:  # a copy group left with one member is no group
        conn.execute("DELETE FROM duplicates WHERE group_id IN "
                     "(SELECT group_id FROM duplicates GROUP BY group_id HAVING count(*) = 1)")


def open_stories(conn: sqlite3.Connection, first_day: int | None, last_day: int | None,
                 known: Container[str] = ()) -> list[StoryState]:
    """Stories a report from ``first_day`` to ``last_day`` may join (all of them when those are
    None), those in ``known`` left out: they are in memory already. Their report vectors are read
    when needed (:func:`recent_vectors`)."""
    # With each story, the outlets of its latest reports, newest first.
    sql = ("SELECT id, first_day, last_day, centroid, (SELECT json_group_array(o) FROM ("
           "SELECT coalesce(a.outlet, '') AS o FROM story_members m "
           "JOIN articles a ON a.rowid = m.article_rowid "
           f"WHERE m.story_id = stories.id ORDER BY m.article_rowid DESC LIMIT {RECENT})) "
           "FROM stories WHERE last_day IS NULL")
    args: list = []
    if first_day is not None and last_day is not None:
        sql += " OR (last_day >= ? AND first_day <= ?)"
        args += [first_day - WINDOW, last_day + WINDOW]
    states = []
    for sid, first, last, centroid, outlets in conn.execute(sql, args):
        if sid not in known:
            s = StoryState(sid, first=first, last=last, centroid=interned(json.loads(centroid)), vecs=None,
                           outlets=json.loads(outlets or "[]")[::-1])
            s.refresh()
            states.append(s)
    return states


def recent_vectors(conn: sqlite3.Connection, story_id: str) -> list[dict[str, float]]:
    """The vectors of the latest ``RECENT`` reports of a story, oldest first."""
    rows = conn.execute(
        "SELECT d.vec FROM story_members m JOIN relate_docs d ON d.article_rowid = m.article_rowid "
        "WHERE m.story_id = ? ORDER BY m.article_rowid DESC LIMIT ?", (story_id, RECENT)).fetchall()
    return [interned(json.loads(v)) for (v,) in reversed(rows)]


def free_story_id(conn: sqlite3.Connection, wanted: str) -> str:
    """``wanted`` (the first article's id), or ``wanted~2``, ``~3``... when a story already has it."""
    sid, n = wanted, 1
    while conn.execute("SELECT 1 FROM stories WHERE id = ?", (sid,)).fetchone():
        n += 1
        sid = f"{wanted}~{n}"
    return sid


def save_stories(conn: sqlite3.Connection, stories: Iterable[StoryState]) -> None:
    """Write the clustering state of the given stories (``refresh_stories`` fills the rest)."""
    conn.executemany(
        "INSERT INTO stories (id, title, first_day, last_day, size, centroid) VALUES (?, '', ?, ?, 0, ?) "
        "ON CONFLICT (id) DO UPDATE SET first_day = excluded.first_day, last_day = excluded.last_day, "
        "centroid = excluded.centroid",
        [(s.id, s.first, s.last, json.dumps(s.centroid, ensure_ascii=False)) for s in stories])


def refresh_stories(conn: sqlite3.Connection, ids: Iterable[str]) -> None:
    """Recount size, title (the first report's headline) and times from the members; drop empty stories."""
    for sid in ids:
        row = conn.execute(
            "SELECT min(a.published), max(a.published), count(*), min(a.rowid) FROM story_members m "
            "JOIN articles a ON a.rowid = m.article_rowid WHERE m.story_id = ?", (sid,)).fetchone()
        if not row[2]:
            conn.execute("DELETE FROM stories WHERE id = ?", (sid,))
            continue
        title = conn.execute("SELECT headline FROM articles WHERE rowid = ?", (row[3],)).fetchone()[0]
        conn.execute("UPDATE stories SET title = ?, first_seen = ?, last_seen = ?, size = ? WHERE id = ?",
                     (title or "", row[0], row[1], row[2], sid))


def lsh_buckets(conn: sqlite3.Connection, keys: Iterable[int]) -> defaultdict[int, list[int]]:
    """Copy key → stored articles (rowids) with that key, for each of ``keys`` (any others: [])."""
    buckets: defaultdict[int, list[int]] = defaultdict(list)
    for part in chunks(sorted(set(keys))):
        for key, rowid in conn.execute(
                f"SELECT key, article_rowid FROM relate_lsh WHERE key IN ({marks(part)})", part):
            buckets[key].append(rowid)
    return buckets


def group_members(conn: sqlite3.Connection, rowid: int) -> list[int] | None:
    """The members of the copy group of ``rowid`` in order stored (the source first), or None."""
    rows = conn.execute(
        "SELECT g.article_rowid FROM duplicates d JOIN duplicates g ON g.group_id = d.group_id "
        "WHERE d.article_rowid = ? ORDER BY g.article_rowid", (rowid,)).fetchall()
    return [r[0] for r in rows] or None


def join_group(conn: sqlite3.Connection, rowid: int, members: list[int]) -> None:
    """Put ``rowid`` in the copy group of ``members`` (the group's id: its smallest rowid)."""
    everyone = [*members, rowid]
    gid = min(everyone)
    conn.executemany("INSERT OR REPLACE INTO duplicates (article_rowid, group_id) VALUES (?, ?)",
                     [(m, gid) for m in everyone])
