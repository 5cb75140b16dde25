"""Bringing the relate tables up to date after an ingest: only the new or changed articles.

Each article is looked at once: its copies are found through the stored copy
keys (LSH bands, opening shingles), it joins an open story or opens one, and
its term vector is kept for related-article queries. Articles already related in the same
version are skipped, so calling this twice with the same ids does nothing.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Container, Iterable, Iterator, Mapping
from itertools import chain, islice
from typing import TYPE_CHECKING

import numpy as np

from marsad.model import Article
from marsad.relate.cluster import RECENT, WINDOW, Clusterer, StoryState
from marsad.relate.dedup import choose_group, copies, copy_keys, file_under
from marsad.relate.features import Doc, copy_text, interned, make_doc
from marsad.relate.text import VOCABULARY, Shingled, shingled

if TYPE_CHECKING:
    from marsad.archive.relatestate import RelateState

CHUNK = 2000  # articles related per round of writes
MARK = "#"  # the first letter of a time marker's key in a stored centroid
Features = tuple[Doc, list[int]]  # an article's Doc and its copy keys (see dedup.copy_keys)


def features(article: Article) -> Features:
    """An article's Doc and copy keys: everything relating needs of its text."""
    doc = make_doc(article)
    return doc, copy_keys(doc.copy_text())


def pending(state: RelateState, ids: list[str], prepared: Mapping[str, Features] | None = None,
            skipped: list[tuple[str, str]] | None = None) -> Iterator[tuple[int, str, bool, Features]]:
    """(key, content hash, seen before, features) of each id whose current version is not related
    yet, in the order of ``ids``. Features come from ``prepared`` (by id) or from the stored article;
    an article they cannot be made for goes to ``skipped`` as (id, reason), and its batch goes on."""
    prepared = prepared or {}
    for part in batched(dict.fromkeys(ids), CHUNK):
        todo = state.pending(part)
        made = _stored_features(state, [r[0] for r in todo if r[1] not in prepared], skipped)
        for key, id_, chash, seen in todo:
            if id_ in prepared or key in made:
                yield key, chash, seen, prepared.get(id_) or made[key]


def _stored_features(state: RelateState, keys: list[int],
                     skipped: list[tuple[str, str]] | None = None) -> dict[int, Features]:
    out = {}
    for key, id_, data in state.articles(keys):
        try:  # one bad stored article must not keep the others from being related
            article = Article.from_dict(json.loads(data))
            article.id = id_
            out[key] = features(article)
        except Exception as e:
            if skipped is not None:
                skipped.append((id_, f"{type(e).__name__}: {e}"))
    return out


def stored_shingles(state: RelateState, key: int) -> Shingled:
    row = state.text(key)
    if not row:
        return shingled(np.empty(0, np.int64))
    head = VOCABULARY.text_ids("\n".join(x for x in row[:2] if x))
    return copy_text(head, row[2] or "")[0]


class Batch:
    """The rows one update writes, kept in memory and written at the end in one go. The copy buckets
    hold the batch's articles and the stored articles that share a copy key with one of them (looked
    up once for the whole batch), so that each article finds its copies in memory."""

    def __init__(self, state: RelateState, keys: Iterable[int]):
        self.state = state
        self.shingles: dict[int, Shingled] = {}
        self.buckets: defaultdict[int, list[int]] = defaultdict(list, state.copy_buckets(keys))
        self.copy_keys: list[tuple[int, int]] = []
        self.members: list[tuple[int, str]] = []
        self.docs: list[tuple[int, str, int | None, dict[str, float], list[str]]] = []

    def copies(self, key: int, doc: Doc, keys: list[int]) -> list[int] | None:
        """The copy group ``doc`` joins (its members), or None."""
        found, filed = file_under(keys, self.buckets, key)
        self.copy_keys.extend((k, key) for k in filed)
        text = self.shingles[key] = doc.copy_text()
        found = copies(text, sorted(found), self.shingles_of)
        return choose_group(text, found, self.state.group_members, self.shingles_of)

    def shingles_of(self, key: int) -> Shingled:
        known = self.shingles.get(key)
        if known is None:  # a stored article: read once per batch, it is often a candidate again
            known = self.shingles[key] = stored_shingles(self.state, key)
        return known

    def keep(self, key: int, chash: str, doc: Doc, story: StoryState) -> None:
        self.members.append((key, story.id))
        self.docs.append((key, chash, doc.day, doc.vec, sorted(doc.entities)))

    def write(self) -> None:
        self.state.add_copy_keys(self.copy_keys)
        self.state.add_members(self.members)
        self.state.add_docs(self.docs)


def batched(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def update(state: RelateState, ids: list[str], clusterer: Clusterer | None = None,
           prepared: Mapping[str, Features] | None = None,
           skipped: list[tuple[str, str]] | None = None) -> int:
    """Relate the new or changed articles among ``ids``, inside the caller's unit of work (which holds
    the relate state exclusively); returns how many. Articles go in chunks of ``CHUNK``, so that
    memory stays bounded on a large ingest. A ``clusterer`` from :func:`new_clusterer` kept by the
    caller carries the open stories over from one call to the next (it must not be used again if
    this raises). ``prepared`` holds :func:`features` of some articles by id, made ahead (by an
    ingest's parse worker). Articles that cannot be related go to ``skipped`` as (id, reason)."""
    done = 0
    clusterer = clusterer or new_clusterer(state)
    for chunk in batched(pending(state, ids, prepared, skipped), CHUNK):
        _update(state, clusterer, chunk)
        done += len(chunk)
    return done


def new_clusterer(state: RelateState) -> Clusterer:
    return Clusterer(new_id=lambda doc: state.free_story_id(doc.id),
                     load_vecs=lambda story_id: list(map(interned, state.recent_vectors(story_id, RECENT))))


def packed(s: StoryState) -> dict[str, float]:
    """A story's centroid as stored, with its time markers' counts under keys no term can have (a term
    is letters and digits only), so that a story read back weighs them as it did."""
    return {**s.centroid, **{MARK + m: float(n) for m, n in s.marks.items()}} if s.marks else s.centroid


def unpacked(stored: dict[str, float]) -> tuple[dict[str, float], Counter]:
    """The centroid and the markers' counts of a stored story (see :func:`packed`)."""
    marks = Counter({k[1:]: int(v) for k, v in stored.items() if k.startswith(MARK)})
    return ({k: v for k, v in stored.items() if not k.startswith(MARK)} if marks else stored), marks


def open_stories(state: RelateState, first_day: int | None, last_day: int | None,
                 known: Container[str]) -> list[StoryState]:
    """Stories a report from ``first_day`` to ``last_day`` may join (the undated ones only when those
    are None), those in ``known`` left out: they are in memory already. Their report vectors are
    read when needed (:meth:`Clusterer._loaded`)."""
    span = (None, None) if first_day is None or last_day is None else (first_day - WINDOW, last_day + WINDOW)
    states = []
    for sid, first, last, stored, outlets in state.open_stories(*span, known, RECENT):
        centroid, marks = unpacked(stored)
        s = StoryState(sid, first=first, last=last, centroid=interned(centroid), vecs=None,
                       outlets=outlets[::-1], marks=marks)
        s.refresh()
        states.append(s)
    return states


def _update(state: RelateState, clusterer: Clusterer, work: list[tuple[int, str, bool, Features]]) -> None:
    again = [key for key, _, seen, _ in work if seen]
    stale = state.stories_of(again)
    state.forget(again)
    days = [doc.day for *_, (doc, _) in work if doc.day is not None]
    first, last = min(days, default=None), max(days, default=None)
    if first is not None and len(days) == len(work):  # an undated article may join any story kept
        clusterer.retain(first, last)
    clusterer.adopt(open_stories(state, first, last, clusterer.stories))
    touched: dict[str, StoryState] = {}
    batch = Batch(state, chain.from_iterable(keys for *_, (_, keys) in work))
    for key, chash, _, (doc, doc_keys) in work:
        doc.vec = interned(doc.vec)
        group = batch.copies(key, doc, doc_keys)
        if group:
            state.join_group(key, group)
        story = clusterer.add(doc)
        batch.keep(key, chash, doc, story)
        touched[story.id] = story
    gone = _merge(state, clusterer, touched, batch)
    batch.write()
    state.save_stories([(s.id, s.first, s.last, packed(s)) for s in touched.values()])
    state.refresh_stories(stale | set(touched) | gone)


def _merge(state: RelateState, clusterer: Clusterer, touched: dict[str, StoryState],
           batch: Batch) -> set[str]:
    """Store the merges of stories that were one event split by the order of the load (see
    Clusterer._merge): the batch's reports and the stored ones move to the story kept. Returns the
    ids merged away."""
    into = dict(clusterer.merged)
    clusterer.merged.clear()

    def final(sid: str) -> str:
        while sid in into:
            sid = into[sid]
        return sid

    for gone in into:
        touched.pop(gone, None)
    touched.update((keep, clusterer.stories[keep]) for keep in map(final, into))
    batch.members = [(key, final(sid)) for key, sid in batch.members]
    stored = state.story_members(list(into)) if into else {}
    state.add_members([(key, final(sid)) for sid, rows in stored.items() for aid, _ in rows
                       if (key := state.key(aid)) is not None])
    return set(into)
