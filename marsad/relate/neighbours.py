"""Related articles found over the whole archive at once, from postings kept in memory.

Every stored term vector (:meth:`~marsad.archive.relatestate.RelateState.docs`) becomes postings:
term → (articles, weights), and every article's canonical entities become entity → articles. The
cosine of one article with every other and the shared entities then take a few array operations
instead of reading and decoding hundreds of vectors per query. The few best are scored again from
their stored vectors by :func:`marsad.relate.similar.rank`, so scores, order and reasons are
exactly what it gives.

One index is kept per archive (as its backend describes it) and process, shared by threads. When
anything was committed to the archive (:meth:`~marsad.archive.base.Backend.version` moves), the
index is brought up to date: articles whose vector changed are masked out and scored from their
stored vectors instead, until they are many enough that rebuilding is cheaper.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Callable, Iterable
from contextlib import closing, suppress
from itertools import chain, islice
from typing import TYPE_CHECKING

import numpy as np

from marsad.arabic.normalize import normalize_for_matching
from marsad.model import RelatedHit
from marsad.relate import similar
from marsad.relate.features import Doc
from marsad.relate.text import term_of

if TYPE_CHECKING:
    from marsad.archive import Archive
    from marsad.archive.base import Backend
    from marsad.archive.relatestate import StoredDoc

BUILD_PART = 2000  # articles decoded at a time while building
MARGIN = 4  # candidates rescored exactly beyond ``limit`` (float sums may differ in the last bits)
REBUILD_SHARE = 0.05  # rebuild once this share of the articles changed since the index was built
_WORD = re.compile(r"[^\W_]+")  # a word as written, as text.surfaces reads them


class Postings:
    """Key → the documents holding it (positions) and their weights, in flat arrays; and each
    document's own keys and weights, to give its vector back without decoding JSON. Documents are
    added a part at a time (few Python objects alive at once), then ``freeze`` builds the postings."""

    def __init__(self):
        self.ids: dict[str, int] = {}
        self._parts: list[tuple[np.ndarray, np.ndarray]] = []
        self._sizes: list[int] = []

    def add(self, per_doc: list[dict[str, float]]) -> None:
        keys = list(chain.from_iterable(per_doc))
        kid = np.fromiter((self.ids.setdefault(k, len(self.ids)) for k in keys), np.int32, len(keys))
        self._parts.append((kid, np.fromiter(chain.from_iterable(d.values() for d in per_doc), np.float64,
                                             len(keys))))
        self._sizes.extend(map(len, per_doc))

    def freeze(self) -> Postings:
        self.keys = list(self.ids)
        kid = np.concatenate([k for k, _ in self._parts] or [np.zeros(0, np.int32)])
        self.own_key, self.own_weight = kid, np.concatenate([w for _, w in self._parts] or [np.zeros(0)])
        self.own_start = np.concatenate([[0], np.cumsum(self._sizes, dtype=np.int64)])
        doc = np.repeat(np.arange(len(self._sizes), dtype=np.int32), self._sizes)
        order = np.argsort(kid, kind="stable")
        self.doc, self.weight = doc[order], self.own_weight[order]
        self.start = np.searchsorted(kid[order], np.arange(len(self.ids) + 1))
        del self._parts, self._sizes
        return self

    def dot(self, query: dict[str, float], size: int) -> np.ndarray:
        """Sum over the query's keys of query weight × document weight, for every document."""
        found = [(self.ids[k], w) for k, w in query.items() if k in self.ids]
        if not found:
            return np.zeros(size)
        keys = np.fromiter((k for k, _ in found), np.int64, len(found))
        starts, lengths = self.start[keys], self.start[keys + 1] - self.start[keys]
        # Positions of every posting of the query's keys, gathered in one go.
        ends = np.cumsum(lengths)
        pos = np.arange(ends[-1]) + np.repeat(starts - (ends - lengths), lengths)
        scale = np.repeat(np.fromiter((w for _, w in found), np.float64, len(found)), lengths)
        return np.bincount(self.doc[pos], self.weight[pos] * scale, minlength=size)

    def of(self, pos: int) -> dict[str, float]:
        """Document ``pos``'s keys and weights, in their stored order."""
        span = slice(self.own_start[pos], self.own_start[pos + 1])
        return dict(zip(map(self.keys.__getitem__, self.own_key[span].tolist()),
                        self.own_weight[span].tolist(), strict=True))


class Index:
    """Every related article's vector, entities and day, for ranking candidates in bulk."""

    def __init__(self, rows: Iterable[StoredDoc]):
        self.keys: list[int] = []
        self.hashes: dict[int, str] = {}
        self.ids: list[str] = []
        self.titles: list[str] = []
        days: list[float] = []
        self.terms, self.entities = Postings(), Postings()
        n_entities: list[int] = []
        for part in batched(rows, BUILD_PART):
            self.keys += [r.key for r in part]
            self.hashes.update((r.key, r.version) for r in part)
            self.ids += [r.id for r in part]
            self.titles += [r.title for r in part]
            days += [np.nan if r.day is None else r.day for r in part]
            self.terms.add([r.vec for r in part])
            ents = [r.entities for r in part]
            self.entities.add([dict.fromkeys(e, 1.0) for e in ents])
            n_entities += map(len, ents)
        self.terms.freeze()
        self.entities.freeze()
        self.days = np.array(days, np.float64)
        self.n_entities = np.array(n_entities, np.float64)
        self.alive = np.ones(len(self.ids), bool)
        self.extra: list[Doc] = []  # articles changed or added since: scored one by one

    def shortlist(self, doc: Doc, exclude: set[str], limit: int) -> list[Doc]:
        """The best indexed candidates by score, and the articles added since, to rank exactly."""
        n = len(self.ids)
        text = self.terms.dot(doc.vec, n)
        cand = np.flatnonzero((text > 0) & self.alive)  # sharing no term: no reason to show
        text = text[cand]
        shared = self.entities.dot(dict.fromkeys(doc.entities, 1.0), n)[cand]
        union = self.n_entities[cand] + len(doc.entities) - shared
        ents = np.divide(shared, union, out=np.zeros(len(cand)), where=union > 0)
        days = self.days[cand]
        close = np.full(len(cand), 0.5) if doc.day is None else np.where(
            np.isnan(days), 0.5, np.power(0.5, np.abs(days - doc.day) / similar.HALF_LIFE))
        score = similar.combine(text, ents, close)
        want = limit + MARGIN + len(exclude) + 1
        top = np.flatnonzero(score >= similar.MIN_SCORE)
        if len(top) > want:
            top = top[np.argpartition(-score[top], want)[:want]]
        ranked = cand[top[np.argsort(-score[top], kind="stable")]].tolist()
        picked = [i for i in ranked if self.ids[i] != doc.id and self.ids[i] not in exclude]
        return [*map(self.doc, picked[:limit + MARGIN]), *self.extra]

    def doc(self, pos: int) -> Doc:
        day = self.days[pos]
        return Doc(self.ids[pos], self.titles[pos], None if np.isnan(day) else int(day), self.terms.of(pos),
                   frozenset(self.entities.of(pos)), None)

    def refreshed(self, current: dict[int, str], rows: Iterable[StoredDoc]) -> Index:
        """A copy that masks articles no longer current and scores ``rows`` (their new versions)."""
        copy = object.__new__(Index)
        copy.__dict__.update(self.__dict__)
        copy.alive = np.fromiter((current.get(k) == self.hashes[k] for k in self.keys), bool, len(self.keys))
        copy.extra = [doc_of(r) for r in rows]
        return copy


def batched(items: Iterable, size: int) -> Iterable[list]:
    it = iter(items)
    while part := list(islice(it, size)):
        yield part


def doc_of(stored: StoredDoc) -> Doc:
    return Doc(stored.id, stored.title, stored.day, stored.vec, frozenset(stored.entities), None)


_lock = threading.Lock()
_indexes: dict[str, Index] = {}  # archive → its index, the most recently built last
KEPT = 4  # archives whose index a process keeps (a server has one; tests open many)
_seen: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # archive → its version synced


def index_of(arc: Archive) -> Index:
    """The archive's index, up to date with what this archive connection sees.

    An archive with ``may_lag`` set (the web reader's connections) is never kept waiting for an update:
    it gets the index as it was while a background thread brings it up to date, since rebuilding after
    an ingest's batch takes seconds and every page would wait for it."""
    name, version = arc.backend.describe(), arc.version()
    with _lock:
        index = _indexes.get(name)
        if index is None:
            while len(_indexes) >= KEPT:
                del _indexes[next(iter(_indexes))]
            index = _indexes[name] = Index(arc.backend.relate.docs())
        elif _seen.get(arc) != version and getattr(arc, "may_lag", False):
            if name not in _syncing:  # one started now sees at least what this connection sees
                _syncing.add(name)
                threading.Thread(target=_sync_in_background, args=(name, arc.backend.reopen),
                                 daemon=True).start()
                _seen[arc] = version
            return index
        elif _seen.get(arc) != version:
            index = _indexes[name] = _sync(arc.backend, index)
        _seen[arc] = version
        return index


_syncing: set[str] = set()  # archives whose index a background thread is updating


def _sync_in_background(name: str, reopen: Callable[[], Backend]) -> None:
    try:
        with _lock:
            index = _indexes.get(name)
        # Connections of its own; a failure leaves the old index, and the next change tries again.
        with suppress(Exception), closing(reopen()) as backend:
            index = _sync(backend, index) if index is not None else None  # outside the lock: pages go on
            with _lock:
                if index is not None and name in _indexes:
                    _indexes[name] = index
    finally:
        with _lock:
            _syncing.discard(name)


def _sync(backend: Backend, index: Index) -> Index:
    current = backend.relate.doc_hashes()
    changed = [k for k, h in current.items() if index.hashes.get(k) != h]
    if len(changed) > REBUILD_SHARE * len(current):
        return Index(backend.relate.docs())
    return index.refreshed(current, backend.relate.docs(changed))


def hits(arc: Archive, key: int, matches: list[similar.Match]) -> list[RelatedHit]:
    """The matches as the reader lists them (the article of ``key`` being the one they relate to),
    each with its reason, from one query."""
    by_id = arc.backend.relate.summaries([m.doc.id for m in matches])
    wanted = {t for m in matches if not m.entities for t in m.terms}
    words_ = surface_forms(_text(arc, key), wanted) if wanted else {}
    return [RelatedHit(id=m.doc.id, title=by_id[m.doc.id][0], outlet=by_id[m.doc.id][1],
                       published=by_id[m.doc.id][2], score=round(m.score, 4),
                       reason=similar.reason(m, words_)) for m in matches]


def _text(arc: Archive, key: int) -> str:
    """Headline, deck and body: the words of ``article_text`` in their order, without decoding the article."""
    return "\n".join(x for x in arc.backend.relate.text(key) or () if x)


def surface_forms(text: str, wanted: set[str], step: int = 100) -> dict[str, str]:
    """Each wanted term → the first word of ``text`` as written that gives it (as
    :func:`marsad.relate.text.surfaces` finds it). Words are looked up ``step`` distinct words at a
    time, until all wanted terms are found: the heaviest shared terms are mostly in the first lines."""
    written = list(dict.fromkeys(_WORD.findall(text)))
    out: dict[str, str] = {}
    for start in range(0, len(written), step):
        for w, term in _terms_of(written[start:start + step]):
            if term in wanted:
                out.setdefault(term, w)
        if len(out) == len(wanted):
            break
    return out


def _terms_of(written: list[str]) -> list[tuple[str, str]]:
    """(word, its term) for the words that are one token; normalizing works letter by letter and
    never joins lines, so one call normalizes them all."""
    split = [_WORD.findall(x) for x in normalize_for_matching("\n".join(written)).split("\n")]
    return [(w, _term(tokens[0])) for w, tokens in zip(written, split, strict=True) if len(tokens) == 1]


# Normalized word → its term ("" for none), remembered here rather than in the shared vocabulary,
# which an ingest on another thread may be growing meanwhile.
_TERMS: dict[str, str] = {}
_TERMS_KEPT = 200_000


def _term(word: str) -> str:
    term = _TERMS.get(word)
    if term is None:
        if len(_TERMS) >= _TERMS_KEPT:
            _TERMS.clear()
        term = _TERMS[word] = term_of(word)
    return term
