"""Relating articles: stories across outlets, near-duplicate copies and related coverage.

The algorithms (``dedup``, ``cluster``, ``similar``) work on plain lists of
:class:`~marsad.relate.features.Doc` made from Articles; this module wires them
to an archive. The archive calls :func:`update` after each ingest commits; the
other functions read what it stored (tables in ``store``).
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING

from marsad.errors import NotFound
from marsad.model import Article, CopyRef, RelatedHit, Story

if TYPE_CHECKING:
    from marsad.archive import Archive
    from marsad.relate.features import Doc
    from marsad.relate.incremental import Features

# Archive → (its data_version when last related here, the clusterer holding its open stories).
_CLUSTERERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def prepare(article: Article) -> Features:
    """What relating needs of one article (its :class:`~marsad.relate.features.Doc` and copy
    keys). Pure, so that an ingest's parse worker can make it while the archive writes."""
    from marsad.relate.incremental import features

    return features(article)


def update(arc: Archive, ids: list[str], prepared: Mapping[str, Features] | None = None,
           skipped: list[tuple[str, str]] | None = None) -> int:
    """Relate the new or changed articles among ``ids`` (incremental); returns how many were related.
    ``prepared`` holds :func:`prepare` results by article id; the others are read back and made here.

    The open stories stay in memory from one call to the next on the same archive (an ingest calls
    this after every few thousand articles) unless another connection has written meanwhile.
    An article that cannot be related goes to ``skipped`` as (id, reason); the others are related."""
    from marsad.relate import incremental

    version = arc.conn.execute("PRAGMA data_version").fetchone()[0]
    kept = _CLUSTERERS.pop(arc, None)
    clusterer = kept[1] if kept and kept[0] == version else incremental.new_clusterer(arc.conn)
    done = incremental.update(arc.conn, ids, clusterer, prepared, skipped)
    _CLUSTERERS[arc] = (version, clusterer)
    return done


def unrelated(arc: Archive) -> list[str]:
    """Ids of the stored articles whose current version is not related yet, in the order stored."""
    return [r[0] for r in arc.conn.execute(
        "SELECT a.id FROM articles a LEFT JOIN relate_docs d ON d.article_rowid = a.rowid "
        "WHERE d.content_hash IS NOT a.content_hash ORDER BY a.rowid")]


def _rowid(arc: Archive, article_id: str) -> int:
    row = arc.conn.execute("SELECT rowid FROM articles WHERE id = ?", (article_id,)).fetchone()
    if row is None:
        raise NotFound(f"no article with id {article_id!r} in the archive")
    return row[0]


def _docs(arc: Archive, rowids: list[int]) -> dict[int, Doc]:
    from marsad.relate.features import Doc
    from marsad.relate.store import chunks, marks

    out = {}
    for part in chunks(rowids):
        for rowid, aid, title, day, vec, ents in arc.conn.execute(
                f"SELECT d.article_rowid, a.id, a.headline, d.day, d.vec, d.entities FROM relate_docs d "
                f"JOIN articles a ON a.rowid = d.article_rowid "
                f"WHERE d.article_rowid IN ({marks(part)})", part):
            out[rowid] = Doc(aid, title or "", day, json.loads(vec), frozenset(json.loads(ents)), None)
    return out


def related(arc: Archive, id: str, limit: int = 10) -> list[RelatedHit]:
    """Articles related to ``id``, best first, without its own copies and its story's other reports."""
    from marsad.relate import neighbours, similar

    rowid = _rowid(arc, id)
    doc = _docs(arc, [rowid]).get(rowid)
    if doc is None:
        return []
    story_ = story_of(arc, id)
    exclude = set(copies_of(arc, id)) | set(story_.articles if story_ else ())
    candidates = neighbours.index_of(arc).shortlist(doc, exclude, limit)
    matches = similar.rank(doc, candidates, exclude, limit)
    return neighbours.hits(arc, id, matches)


def _stories(arc: Archive, where: str, args: list) -> list[Story]:
    rows = arc.conn.execute(
        f"SELECT id, title, first_seen, last_seen FROM stories WHERE {where} "
        f"ORDER BY last_seen IS NULL, last_seen DESC, id", args).fetchall()
    out = []
    for sid, title, first, last in rows:
        members = arc.conn.execute(
            "SELECT a.id, a.outlet FROM story_members m JOIN articles a ON a.rowid = m.article_rowid "
            "WHERE m.story_id = ? ORDER BY a.published IS NULL, a.published, a.rowid", (sid,)).fetchall()
        outlets = list(dict.fromkeys(o for _, o in members if o))
        out.append(Story(sid, title, [i for i, _ in members], outlets, first, last))
    return out


def stories(arc: Archive, since: str | None = None, min_size: int = 2) -> list[Story]:
    """Stories of at least ``min_size`` reports (seen last on or after ``since``), latest first."""
    where, args = "size >= ?", [min_size]
    if since:
        where += " AND last_seen >= ?"
        args.append(since)
    return _stories(arc, where, args)


def story(arc: Archive, story_id: str) -> Story:
    found = _stories(arc, "id = ?", [story_id])
    if not found:
        raise NotFound(f"no story with id {story_id!r}")
    return found[0]


def story_of(arc: Archive, article_id: str) -> Story | None:
    """The story of an article (perhaps of that one report only); None while it is not related yet."""
    row = arc.conn.execute("SELECT story_id FROM story_members WHERE article_rowid = ?",
                           (_rowid(arc, article_id),)).fetchone()
    return story(arc, row[0]) if row else None


def duplicate_groups(arc: Archive) -> list[list[str]]:
    """Groups of near-duplicate articles (ids), largest first."""
    groups: dict[int, list[str]] = {}
    for gid, aid in arc.conn.execute(
            "SELECT d.group_id, a.id FROM duplicates d JOIN articles a ON a.rowid = d.article_rowid "
            "ORDER BY d.group_id, a.rowid"):
        groups.setdefault(gid, []).append(aid)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


_COPY_SQL = ("SELECT a.id, a.headline, a.outlet, a.published, a.url, d.group_id = d.article_rowid, "
             "d.group_id FROM duplicates d JOIN articles a ON a.rowid = d.article_rowid ")


def _copy_refs(rows: list[tuple]) -> dict[int, list[CopyRef]]:
    groups: dict[int, list[CopyRef]] = {}
    for aid, title, outlet, published, url, source, gid in rows:
        groups.setdefault(gid, []).append(CopyRef(aid, title or "", outlet, published, url, bool(source)))
    return groups


def copy_groups(arc: Archive) -> list[list[CopyRef]]:
    """Groups of copies with their titles and outlets, largest first; the source first in each."""
    rows = arc.conn.execute(_COPY_SQL + "ORDER BY d.group_id, a.rowid").fetchall()
    return sorted(_copy_refs(rows).values(), key=lambda g: (-len(g), g[0].id))


def copies(arc: Archive, article_id: str) -> list[CopyRef]:
    """The other articles of the copy group of ``article_id``, with their titles and outlets."""
    rowid = _rowid(arc, article_id)
    rows = arc.conn.execute(
        _COPY_SQL + "WHERE d.group_id = (SELECT group_id FROM duplicates WHERE article_rowid = ?) "
        "AND d.article_rowid != ? ORDER BY a.rowid", (rowid, rowid)).fetchall()
    return [c for g in _copy_refs(rows).values() for c in g]


def copies_of(arc: Archive, article_id: str) -> list[str]:
    """The other articles in the near-duplicate group of ``article_id``."""
    rowid = _rowid(arc, article_id)
    return [r[0] for r in arc.conn.execute(
        "SELECT a.id FROM duplicates d JOIN duplicates g ON g.group_id = d.group_id "
        "JOIN articles a ON a.rowid = g.article_rowid WHERE d.article_rowid = ? AND g.article_rowid != ? "
        "ORDER BY a.rowid", (rowid, rowid))]
