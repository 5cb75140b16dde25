"""Related articles found over the whole archive at once, from postings kept in memory.

Every stored term vector (``relate_docs``) becomes postings: term → (articles, weights), and
every article's canonical entities become entity → articles. The cosine of one article with
every other and the shared entities then take a few array operations instead of reading and
decoding hundreds of vectors per query. The few best are scored again from their stored vectors
by :func:`marsad.relate.similar.rank`, so scores, order and reasons are exactly what it gives.

One index is kept per archive file and process, shared by threads. When another connection
writes (``PRAGMA data_version`` moves), the index is brought up to date: articles whose vector
changed are masked out and scored from their stored vectors instead, until they are many enough
that rebuilding is cheaper.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import weakref
from collections.abc import Iterable
from itertools import chain
from typing import TYPE_CHECKING

import numpy as np

from marsad.arabic.normalize import normalize_for_matching
from marsad.model import RelatedHit
from marsad.relate import similar
from marsad.relate.features import Doc, article_text
from marsad.relate.store import chunks, marks
from marsad.relate.text import VOCABULARY

if TYPE_CHECKING:
    from marsad.archive import Archive

SHORTLIST = 2  # times ``limit``: best candidates rescored exactly (float sums may differ in the last bits)
REBUILD_SHARE = 0.05  # rebuild once this share of the articles changed since the index was built
_WORD = re.compile(r"[^\W_]+")  # a word as written, as text.surfaces reads them
_SQL = ("SELECT d.article_rowid, d.content_hash, a.id, a.headline, d.day, d.vec, d.entities "
        "FROM relate_docs d JOIN articles a ON a.rowid = d.article_rowid")


class Postings:
    """Key → the documents holding it (positions) and their weights, in flat arrays."""

    def __init__(self, per_doc: list[dict[str, float]]):
        keys = list(chain.from_iterable(per_doc))
        self.ids: dict[str, int] = {}
        kid = np.fromiter((self.ids.setdefault(k, len(self.ids)) for k in keys), np.int64, len(keys))
        doc = np.repeat(np.arange(len(per_doc), dtype=np.int32), [len(d) for d in per_doc])
        weight = np.fromiter(chain.from_iterable(d.values() for d in per_doc), np.float64, len(keys))
        order = np.argsort(kid, kind="stable")
        self.doc, self.weight = doc[order], weight[order]
        self.start = np.searchsorted(kid[order], np.arange(len(self.ids) + 1))

    def dot(self, query: dict[str, float], size: int) -> np.ndarray:
        """Sum over the query's keys of query weight × document weight, for every document."""
        found = [(self.ids[k], w) for k, w in query.items() if k in self.ids]
        if not found:
            return np.zeros(size)
        spans = [slice(self.start[i], self.start[i + 1]) for i, _ in found]
        docs = np.concatenate([self.doc[s] for s in spans])
        weights = np.concatenate([self.weight[s] * w for s, (_, w) in zip(spans, found, strict=True)])
        return np.bincount(docs, weights, minlength=size)


class Index:
    """Every related article's vector, entities and day, for ranking candidates in bulk."""

    def __init__(self, rows: list[tuple]):
        self.rowids = [r[0] for r in rows]
        self.rowid_of = {r[2]: r[0] for r in rows}
        self.hashes = {r[0]: r[1] for r in rows}
        self.ids = [r[2] for r in rows]
        self.days = np.array([np.nan if r[4] is None else r[4] for r in rows], np.float64)
        vecs = json.loads("[" + ",".join(r[5] for r in rows) + "]")
        ents = json.loads("[" + ",".join(r[6] for r in rows) + "]")
        self.terms = Postings(vecs)
        self.entities = Postings([dict.fromkeys(e, 1.0) for e in ents])
        self.n_entities = np.array([len(e) for e in ents], np.float64)
        self.alive = np.ones(len(rows), bool)
        self.extra: list[Doc] = []  # articles changed or added since: scored one by one

    def shortlist(self, doc: Doc, exclude: set[str], limit: int) -> tuple[list[int], list[Doc]]:
        """Rowids of the best indexed candidates by score, and the articles added since."""
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
        want = SHORTLIST * limit + len(exclude) + 1
        top = np.flatnonzero(score >= similar.MIN_SCORE)
        if len(top) > want:
            top = top[np.argpartition(-score[top], want)[:want]]
        ids = (self.ids[i] for i in cand[top[np.argsort(-score[top], kind="stable")]].tolist())
        picked = [i for i in ids if i != doc.id and i not in exclude][:SHORTLIST * limit]
        return [self.rowid_of[i] for i in picked], self.extra

    def refreshed(self, current: dict[int, str], rows: Iterable[tuple]) -> Index:
        """A copy that masks articles no longer current and scores ``rows`` (their new versions)."""
        copy = object.__new__(Index)
        copy.__dict__.update(self.__dict__)
        copy.alive = np.fromiter((current.get(r) == self.hashes[r] for r in self.rowids), bool,
                                 len(self.rowids))
        copy.extra = [_doc(r) for r in rows]
        return copy


def _doc(row: tuple) -> Doc:
    _, _, aid, title, day, vec, ents = row
    return Doc(aid, title or "", day, json.loads(vec), frozenset(json.loads(ents)), None)


_lock = threading.Lock()
_vocabulary_lock = threading.Lock()
_indexes: dict[str, Index] = {}  # archive file → its index
_seen: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # archive → data_version synced


def index_of(arc: Archive) -> Index:
    """The archive's index, up to date with what this archive connection sees."""
    path = arc.conn.execute("PRAGMA database_list").fetchone()[2]
    version = arc.conn.execute("PRAGMA data_version").fetchone()[0]
    with _lock:
        index = _indexes.get(path)
        if index is None:
            index = _indexes[path] = Index(arc.conn.execute(_SQL).fetchall())
        elif _seen.get(arc) != version:
            index = _indexes[path] = _sync(arc.conn, index)
        _seen[arc] = version
        return index


def _sync(conn: sqlite3.Connection, index: Index) -> Index:
    current = dict(conn.execute("SELECT article_rowid, content_hash FROM relate_docs"))
    changed = [r for r, h in current.items() if index.hashes.get(r) != h]
    if len(changed) > REBUILD_SHARE * len(current):
        return Index(conn.execute(_SQL).fetchall())
    rows = [row for part in chunks(changed) for row in conn.execute(
        f"{_SQL} WHERE d.article_rowid IN ({marks(part)})", part)]
    return index.refreshed(current, rows)


def hits(arc: Archive, id: str, matches: list[similar.Match]) -> list[RelatedHit]:
    """The matches as the reader lists them, each with its reason, from one query."""
    by_id = {r[0]: r for r in arc.conn.execute(
        f"SELECT id, headline, outlet, published FROM articles WHERE id IN ({marks(matches)})",
        [m.doc.id for m in matches])}
    wanted = {t for m in matches if not m.entities for t in m.terms}
    words_ = surface_forms(article_text(arc.get(id)), wanted) if wanted else {}
    return [RelatedHit(id=m.doc.id, title=by_id[m.doc.id][1], outlet=by_id[m.doc.id][2],
                       published=by_id[m.doc.id][3], score=round(m.score, 4),
                       reason=similar.reason(m, words_)) for m in matches]


def surface_forms(text: str, wanted: set[str]) -> dict[str, str]:
    """Each wanted term → the first word of ``text`` as written that gives it (as
    :func:`marsad.relate.text.surfaces` finds it), all words of the text looked up at once."""
    written = list(dict.fromkeys(_WORD.findall(text)))
    # Normalizing works letter by letter and never joins lines: one call for all the words.
    split = [_WORD.findall(x) for x in normalize_for_matching("\n".join(written)).split("\n")]
    single = [(w, tokens[0]) for w, tokens in zip(written, split, strict=True) if len(tokens) == 1]
    with _vocabulary_lock:  # the vocabulary learns new words: one thread at a time
        ids = VOCABULARY.lookup([t for _, t in single])  # may grow the arrays: look up first
        tids = VOCABULARY.term_ids[ids].tolist()
        names = [VOCABULARY.terms[t] if t >= 0 else "" for t in tids]
    out: dict[str, str] = {}
    for (w, _), term in zip(single, names, strict=True):
        if term in wanted:
            out.setdefault(term, w)
    return out
