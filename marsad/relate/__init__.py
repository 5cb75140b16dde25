"""Relating articles: stories across outlets, near-duplicate copies and related coverage.

The algorithms (``dedup``, ``cluster``, ``similar``) work on plain lists of
:class:`~marsad.relate.features.Doc` made from Articles; this module wires them
to an archive, whose backend keeps what they find (its
:class:`~marsad.archive.relatestate.RelateState`). The archive calls :func:`update`
after each ingest commits; the other functions read what it stored.

Relating is a single-writer step, because its results depend on the order in which articles are
related: an article joins the stories and copy groups of the articles related before it (nothing
already related is revisited). Each :func:`update` is one unit of work of the backend that holds
the relate state exclusively (:meth:`~marsad.archive.relatestate.RelateState.exclusive`: on SQLite the
write transaction, on PostgreSQL an advisory lock), so that each batch sees all that was related
before it. Ingests running at once relate their batches one after the other, in the order they
get the lock: what they find is what one ingest of the batches in that order finds. A process
keeps its open stories in memory between its batches while the relate state's generation says
that no other process related meanwhile.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING

from marsad.errors import NotFound
from marsad.model import Article, CopyRef, RelatedHit, Story

if TYPE_CHECKING:
    from marsad.archive import Archive
    from marsad.archive.relatestate import CopyRow, StoryRow
    from marsad.relate.incremental import Features

# Archive → (the relate state's generation when last related here, the clusterer holding its open stories).
_CLUSTERERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def prepare(article: Article) -> Features:
    """What relating needs of one article (its :class:`~marsad.relate.features.Doc` and copy
    keys). Pure, so that an ingest's parse worker can make it while the archive writes."""
    from marsad.relate.incremental import features

    return features(article)


def update(arc: Archive, ids: list[str], prepared: Mapping[str, Features] | None = None,
           skipped: list[tuple[str, str]] | None = None) -> int:
    """Relate the new or changed articles among ``ids`` (incremental), in one unit of work that holds
    the relate state exclusively; returns how many were related. ``prepared`` holds :func:`prepare`
    results by article id; the others are read back and made here.

    The open stories stay in memory from one call to the next on the same archive (an ingest calls
    this after every few thousand articles) unless another process has related articles meanwhile.
    An article that cannot be related goes to ``skipped`` as (id, reason); the others are related."""
    from marsad.relate import incremental

    state = arc.backend.relate
    kept = _CLUSTERERS.pop(arc, None)  # a clusterer that saw a failed update is not used again
    with arc.backend.unit_of_work():
        state.exclusive()
        generation = state.generation()
        clusterer = kept[1] if kept and kept[0] == generation else incremental.new_clusterer(state)
        done = incremental.update(state, ids, clusterer, prepared, skipped)
        if done:
            generation = state.advance()
    clusterer.set_aside_closed()
    _CLUSTERERS[arc] = (generation, clusterer)
    return done


def unrelated(arc: Archive) -> list[str]:
    """Ids of the stored articles whose current version is not related yet, in the order stored."""
    return arc.backend.relate.unrelated()


def _key(arc: Archive, article_id: str) -> int:
    key = arc.backend.relate.key(article_id)
    if key is None:
        raise NotFound(f"no article with id {article_id!r} in the archive")
    return key


def related(arc: Archive, id: str, limit: int = 10) -> list[RelatedHit]:
    """Articles related to ``id``, best first, without its own copies and its story's other reports."""
    from marsad.relate import neighbours, similar

    key = _key(arc, id)
    stored = next(arc.backend.relate.docs([key]), None)
    if stored is None:
        return []
    doc = neighbours.doc_of(stored)
    story_ = story_of(arc, id)
    exclude = set(copies_of(arc, id)) | set(story_.articles if story_ else ())
    candidates = neighbours.index_of(arc).shortlist(doc, exclude, limit)
    matches = similar.rank(doc, candidates, exclude, limit)
    return neighbours.hits(arc, key, matches)


def _stories(arc: Archive, rows: list[StoryRow]) -> list[Story]:
    members = arc.backend.relate.story_members([r.id for r in rows])
    out = []
    for sid, title, first, last in rows:
        outlets = list(dict.fromkeys(o for _, o in members[sid] if o))
        out.append(Story(sid, title, [i for i, _ in members[sid]], outlets, first, last))
    return out


def stories(arc: Archive, since: str | None = None, min_size: int = 2) -> list[Story]:
    """Stories of at least ``min_size`` reports (seen last on or after ``since``), latest first."""
    return _stories(arc, arc.backend.relate.stories(min_size=min_size, since=since))


def story(arc: Archive, story_id: str) -> Story:
    found = _stories(arc, arc.backend.relate.stories(ids=[story_id]))
    if not found:
        raise NotFound(f"no story with id {story_id!r}")
    return found[0]


def thread(arc: Archive, story_id: str) -> list[Story]:
    """The other stories of the storyline of ``story_id`` (follow-ups, related events within weeks), of
    two reports or more, oldest first: linked above stories, never merged with them (see ``threads``)."""
    from marsad.relate.features import day_number
    from marsad.relate.threads import linked

    s = story(arc, story_id)
    ids = linked(arc.backend.relate, story_id, day_number(s.first_seen), day_number(s.last_seen))
    found = [t for t in _stories(arc, arc.backend.relate.stories(ids=ids)) if len(t.articles) > 1]
    return sorted(found, key=lambda t: (t.first_seen is None, t.first_seen or "", t.id))


def story_of(arc: Archive, article_id: str) -> Story | None:
    """The story of an article (perhaps of that one report only); None while it is not related yet."""
    found = arc.backend.relate.stories_of([_key(arc, article_id)])
    return story(arc, next(iter(found))) if found else None


def duplicate_groups(arc: Archive) -> list[list[str]]:
    """Groups of near-duplicate articles (ids), largest first."""
    groups: dict[int, list[str]] = {}
    for row in arc.backend.relate.copy_rows():
        groups.setdefault(row.group, []).append(row.id)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def _copy_refs(rows: list[CopyRow]) -> dict[int, list[CopyRef]]:
    groups: dict[int, list[CopyRef]] = {}
    for r in rows:
        groups.setdefault(r.group, []).append(CopyRef(r.id, r.title, r.outlet, r.published, r.url, r.source))
    return groups


def copy_groups(arc: Archive) -> list[list[CopyRef]]:
    """Groups of copies with their titles and outlets, largest first; the source first in each."""
    return sorted(_copy_refs(arc.backend.relate.copy_rows()).values(), key=lambda g: (-len(g), g[0].id))


def copies(arc: Archive, article_id: str) -> list[CopyRef]:
    """The other articles of the copy group of ``article_id``, with their titles and outlets."""
    rows = [r for r in arc.backend.relate.copy_rows(_key(arc, article_id)) if r.id != article_id]
    return [c for g in _copy_refs(rows).values() for c in g]


def copies_of(arc: Archive, article_id: str) -> list[str]:
    """The other articles in the near-duplicate group of ``article_id``."""
    return [r.id for r in arc.backend.relate.copy_rows(_key(arc, article_id)) if r.id != article_id]
