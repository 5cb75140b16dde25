"""Bringing the relate tables up to date after an ingest: only the new or changed articles.

Each article is looked at once: its copies are found through the stored copy
keys (LSH bands, opening shingles), it joins an open story or opens one, and
its term vector is kept for related-article queries. Articles already related in the same
version are skipped, so calling this twice with the same ids does nothing.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain, islice

import numpy as np

from marsad.model import Article
from marsad.relate import store
from marsad.relate.cluster import Clusterer, StoryState
from marsad.relate.dedup import choose_group, copies, copy_keys, proposed
from marsad.relate.features import Doc, copy_ids, interned, make_doc
from marsad.relate.text import VOCABULARY, Shingled, shingled

CHUNK = 2000  # articles related per round of writes
Features = tuple[Doc, list[int]]  # an article's Doc and its copy keys (see dedup.copy_keys)


def features(article: Article) -> Features:
    """An article's Doc and copy keys: everything relating needs of its text."""
    doc = make_doc(article)
    return doc, copy_keys(doc.copy_text())


def pending(conn: sqlite3.Connection, ids: list[str], prepared: Mapping[str, Features] | None = None,
            skipped: list[tuple[str, str]] | None = None) -> Iterator[tuple[int, str, bool, Features]]:
    """(rowid, content hash, seen before, features) of each id whose current version is not related
    yet, in the order of ``ids``. Features come from ``prepared`` (by id) or from the stored article;
    an article they cannot be made for goes to ``skipped`` as (id, reason), and its batch goes on."""
    prepared = prepared or {}
    for part in store.chunks(list(dict.fromkeys(ids))):
        found = {r[1]: r for r in conn.execute(
            f"SELECT a.rowid, a.id, a.content_hash, d.content_hash FROM articles a "
            f"LEFT JOIN relate_docs d ON d.article_rowid = a.rowid "
            f"WHERE a.id IN ({store.marks(part)})", part)}
        todo = [found[i] for i in part if i in found and found[i][2] != found[i][3]]
        made = _stored_features(conn, [r[0] for r in todo if r[1] not in prepared], skipped)
        for rowid, id_, chash, related_hash in todo:
            if id_ in prepared or rowid in made:
                yield rowid, chash, related_hash is not None, prepared.get(id_) or made[rowid]


def _stored_features(conn: sqlite3.Connection, rowids: list[int],
                     skipped: list[tuple[str, str]] | None = None) -> dict[int, Features]:
    out = {}
    for rowid, id_, data in conn.execute(
            f"SELECT rowid, id, data FROM articles WHERE rowid IN ({store.marks(rowids)})", rowids):
        try:  # one bad stored article must not keep the others from being related
            article = Article.from_dict(json.loads(data))
            article.id = id_
            out[rowid] = features(article)
        except Exception as e:
            if skipped is not None:
                skipped.append((id_, f"{type(e).__name__}: {e}"))
    return out


def stored_shingles(conn: sqlite3.Connection, rowid: int) -> Shingled:
    row = conn.execute("SELECT headline, deck, body FROM articles WHERE rowid = ?", (rowid,)).fetchone()
    if not row:
        return shingled(np.empty(0, np.int64))
    head = VOCABULARY.text_ids("\n".join(x for x in row[:2] if x))
    return shingled(copy_ids(head, VOCABULARY.text_ids(row[2] or "")))


def _story_ids(conn: sqlite3.Connection, rowids: list[int]) -> set[str]:
    return {r[0] for part in store.chunks(rowids) for r in conn.execute(
        f"SELECT story_id FROM story_members WHERE article_rowid IN ({store.marks(part)})", part)}


class Batch:
    """The rows one update writes, kept in memory and written at the end in one go. The LSH buckets
    hold the batch's articles and the stored articles that share a copy key with one of them (looked
    up once for the whole batch), so that each article finds its copies in memory."""

    def __init__(self, conn: sqlite3.Connection, keys: Iterable[int]):
        self.conn = conn
        self.shingles: dict[int, Shingled] = {}
        self.buckets: dict[int, list[int]] = store.lsh_buckets(conn, keys)
        self.rows: dict[str, list[tuple]] = defaultdict(list)

    def copies(self, rowid: int, doc: Doc, keys: list[int]) -> list[int] | None:
        """The copy group ``doc`` joins (its members), or None."""
        found = proposed(keys, self.buckets.__getitem__) - {rowid}
        for k in keys:
            self.buckets[k].append(rowid)
        text = self.shingles[rowid] = doc.copy_text()
        self.rows["relate_lsh (key, article_rowid)"].extend((k, rowid) for k in keys)
        found = copies(text, sorted(found), self.shingles_of)
        group_of = lambda r: store.group_members(self.conn, r)  # noqa: E731
        return choose_group(text, found, group_of, self.shingles_of)

    def shingles_of(self, rowid: int) -> Shingled:
        known = self.shingles.get(rowid)
        if known is None:  # a stored article: read once per batch, it is often a candidate again
            known = self.shingles[rowid] = stored_shingles(self.conn, rowid)
        return known

    def keep(self, rowid: int, chash: str, doc: Doc, story: StoryState) -> None:
        self.rows["story_members (article_rowid, story_id)"].append((rowid, story.id))
        self.rows["relate_docs (article_rowid, content_hash, day, vec, entities)"].append(
            (rowid, chash, doc.day, json.dumps(doc.vec, ensure_ascii=False),
             json.dumps(sorted(doc.entities), ensure_ascii=False)))

    def write(self) -> None:
        for table, rows in self.rows.items():
            cols = table[table.index("(") + 1:-1].split(", ")
            self.conn.executemany(f"INSERT OR REPLACE INTO {table} VALUES ({store.marks(cols)})",
                                  sorted(rows) if table.startswith("relate_lsh") else rows)


def batched(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def update(conn: sqlite3.Connection, ids: list[str], clusterer: Clusterer | None = None,
           prepared: Mapping[str, Features] | None = None,
           skipped: list[tuple[str, str]] | None = None) -> int:
    """Relate the new or changed articles among ``ids``, in one transaction; returns how many.
    Articles go in chunks of ``CHUNK``, so that memory stays bounded on a large ingest. A
    ``clusterer`` from :func:`new_clusterer` kept by the caller carries the open stories over
    from one call to the next (it must not be used again if this raises). ``prepared`` holds
    :func:`features` of some articles by id, made ahead (by an ingest's parse worker). Articles that
    cannot be related go to ``skipped`` as (id, reason)."""
    done = 0
    clusterer = clusterer or new_clusterer(conn)
    conn.execute("BEGIN IMMEDIATE")
    try:
        for chunk in batched(pending(conn, ids, prepared, skipped), CHUNK):
            _update(conn, clusterer, chunk)
            done += len(chunk)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    clusterer.set_aside_closed()
    return done


def new_clusterer(conn: sqlite3.Connection) -> Clusterer:
    return Clusterer(new_id=lambda doc: store.free_story_id(conn, doc.id),
                     load_vecs=lambda story_id: store.recent_vectors(conn, story_id))


def _update(conn: sqlite3.Connection, clusterer: Clusterer,
            work: list[tuple[int, str, bool, Features]]) -> None:
    again = [rowid for rowid, _, seen, _ in work if seen]
    stale = _story_ids(conn, again)
    store.forget(conn, again)
    days = [doc.day for *_, (doc, _) in work if doc.day is not None]
    first, last = min(days, default=None), max(days, default=None)
    if first is not None and len(days) == len(work):  # an undated article may join any story kept
        clusterer.retain(first, last)
    clusterer.adopt(store.open_stories(conn, first, last, clusterer.stories))
    touched: dict[str, StoryState] = {}
    batch = Batch(conn, chain.from_iterable(keys for *_, (_, keys) in work))
    for rowid, chash, _, (doc, doc_keys) in work:
        doc.vec = interned(doc.vec)
        group = batch.copies(rowid, doc, doc_keys)
        if group:
            store.join_group(conn, rowid, group)
        story = clusterer.add(doc)
        batch.keep(rowid, chash, doc, story)
        touched[story.id] = story
    batch.write()
    store.save_stories(conn, touched.values())
    store.refresh_stories(conn, stale | set(touched))
