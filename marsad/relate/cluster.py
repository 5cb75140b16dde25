"""Incremental story clustering: each new article joins the closest open story or opens one.

A story is one specific event (an incident, a meeting, an announcement) as
reported by many outlets, not a topic. An article joins a story when its term
vector is close both to the story's centroid and to its recent reports on
average (the geometric mean of the two must reach ``JOIN``): a report like one
member but unlike the others (a follow-up, a neighbouring event that shares a
place or a name) does not join, so that a story does not drift along a chain
of loosely related reports. Time bounds a story: a dated
article joins only a story with a dated report within ``WINDOW`` days of it, so
the same kind of event at another time opens a new story. A story stays open
while it keeps receiving reports, with no fixed end date (an event that runs for
weeks is not cut in two at a date boundary), but a report that would take it past
``MAX_SPAN`` days must match it strongly (``EXTEND``): a follow-up that merely
shares the topic then opens a story of its own. Only a story that several outlets
are still reporting runs on so (two or more outlets with two of its latest reports
each): one outlet's daily series (a market report, a front-line log) matches itself
strongly every day, and is no single event. Where a date is missing (an undated page, or a story
of such pages), the time the text states stands in: a report whose lead gives another weekday than
the story's, or that calls another year its current one, is the same kind of event at another time
(an election's first round and its runoff, one year's pilgrimage and the next), and joins only by a
far stronger match (``CLASH``; see :mod:`marsad.relate.markers`).

An article is never moved once clustered, but two stories of one event may form when reports come out
of time order (a bulk load, outlet by outlet: each outlet's reports of the first days open a story
before another outlet's reports of later days open a second). Stories whose days touch and whose
centroids agree closely (``MERGE``) are merged as they grow (:meth:`Clusterer._merge`), so that the
order of a load does not cut an event at a date boundary.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from heapq import nsmallest
from operator import itemgetter

from marsad.relate.features import Doc, cosine, norm
from marsad.relate.markers import clashes

JOIN = 0.225  # minimum affinity for an article to join a story (see bench/stories.py for the sensitivity)
WINDOW = 3  # days between an article and the nearest dated report of its story
MAX_SPAN = 7  # days a story spans before a report must match it strongly (EXTEND) to join
EXTEND = 0.3  # minimum affinity for a report that takes a story past MAX_SPAN days
CLASH = 0.5  # what each kind of contradicting time marker adds to the affinity a report needs
MERGE = 0.8  # centroid cosine of two stories of touching days that are one event split by the load order
MERGE_CANDIDATES = 5  # stories sharing most key terms with a story, looked at for a merge
CANDIDATE_TERMS = 12  # an article looks for stories through its heaviest terms only
SHORTLIST = 30  # stories sharing most heavy terms, scored against their centroid
FINALISTS = 5  # best centroid matches, scored against their reports too
RECENT = 20  # reports of a story an article is compared with (the latest ones)
CENTROID_TERMS = 120
KEY_TERMS = 30  # a story is found through this many of its heaviest centroid terms


@dataclass(slots=True)
class StoryState:
    id: str
    members: list[str] = field(default_factory=list)  # ids added here (a story read back starts empty)
    centroid: dict[str, float] = field(default_factory=dict)  # sum of member vectors, cut to the top terms
    first: int | None = None  # days of the first and last dated reports
    last: int | None = None
    # The latest member vectors; None for a story read back from an archive until it needs them.
    vecs: list[dict[str, float]] | None = field(default_factory=list)
    norm: float = 1.0  # of the centroid
    keys: tuple[str, ...] = ()  # the heaviest centroid terms, under which the story is found
    outlets: list[str] = field(default_factory=list)  # of its latest RECENT reports, oldest first
    marks: Counter = field(default_factory=Counter)  # time markers stated by its reports: how many state each

    def centrality(self, doc: Doc) -> float:
        return cosine(doc.vec, self.centroid) / self.norm

    def fits(self, day: int | None, window: int = WINDOW) -> bool:
        if day is None or self.first is None:
            return True
        return self.first - window <= day <= self.last + window

    def extends(self, day: int | None) -> bool:
        """Whether a report of ``day`` would take the story past ``MAX_SPAN`` days."""
        if day is None or self.first is None:
            return False
        return max(day, self.last) - min(day, self.first) > MAX_SPAN

    def margin(self, doc: Doc, join: float) -> float:
        """What ``doc``'s affinity must exceed ``join`` by to join: more when the time it states contradicts
        the story's, more past the story's first ``MAX_SPAN`` days, and never (infinitely) when one
        outlet alone carried it so far."""
        clash = CLASH * clashes(doc.marks, self.marks, doc.day, self.first, self.last)
        if not self.extends(doc.day):
            return clash
        reporting = sum(n > 1 for n in Counter(self.outlets).values())
        return clash + EXTEND - join if reporting > 1 else float("inf")

    def joinable(self) -> tuple[int, int] | None:
        """The first and last day on which a dated report may join; None when the story is undated."""
        if self.first is None or self.last is None:
            return None
        return self.first - WINDOW, self.last + WINDOW

    def refresh(self) -> None:
        """Recompute what derives from the centroid."""
        self.norm = norm(self.centroid)
        self.keys = tuple(sorted(self.centroid, key=self.centroid.__getitem__, reverse=True)[:KEY_TERMS])

    def absorb(self, other: StoryState) -> None:
        """Take in the reports of ``other``: one event that the order of a load split in two."""
        self.members.extend(other.members)
        self.vecs = [*(other.vecs or []), *(self.vecs or [])][-RECENT:]
        self.outlets = [*other.outlets, *self.outlets][-RECENT:]
        centroid = dict(self.centroid)
        for t, v in other.centroid.items():
            centroid[t] = centroid.get(t, 0.0) + v
        self.centroid = dict(sorted(centroid.items(), key=itemgetter(1), reverse=True)[:CENTROID_TERMS])
        self.refresh()
        self.marks.update(other.marks)
        days = [d for d in (self.first, self.last, other.first, other.last) if d is not None]
        self.first, self.last = min(days, default=None), max(days, default=None)

    def add(self, doc: Doc) -> None:
        self.members.append(doc.id)
        self.outlets = [*self.outlets[-(RECENT - 1):], doc.outlet or ""]
        self.marks.update(doc.marks)
        self.vecs = [*self.vecs[-(RECENT - 1):], doc.vec]
        if len(self.members) == 1 and not self.centroid:
            # Most stories keep one report: the centroid is its vector, shared until a second comes.
            self.centroid = doc.vec
        else:
            if any(self.centroid is v for v in self.vecs):
                self.centroid = dict(self.centroid)
            for t, v in doc.vec.items():
                self.centroid[t] = self.centroid.get(t, 0.0) + v
        if len(self.centroid) > CENTROID_TERMS:
            heaviest = sorted(self.centroid.items(), key=itemgetter(1), reverse=True)
            self.centroid = dict(heaviest[:CENTROID_TERMS])
        self.refresh()
        if doc.day is not None:
            self.first = doc.day if self.first is None else min(self.first, doc.day)
            self.last = doc.day if self.last is None else max(self.last, doc.day)


def _weeks(s: StoryState) -> tuple[int | None, ...]:
    """The weeks (day // 7) of the days on which a report may still join ``s``; (None,) if undated."""
    days = s.joinable()
    return (None,) if days is None else tuple(range(days[0] // 7, days[1] // 7 + 1))


def _touch(a: StoryState, b: StoryState) -> bool:
    """Whether the days on which reports may join ``a`` and ``b`` meet (undated stories meet all)."""
    x, y = a.joinable(), b.joinable()
    return x is None or y is None or (x[0] <= y[1] and y[0] <= x[1])


def affinity(doc: Doc, story: StoryState, central: float | None = None) -> float:
    """Geometric mean of the centroid similarity and the mean similarity to the recent reports."""
    central = story.centrality(doc) if central is None else central
    sims = [cosine(doc.vec, v) for v in story.vecs]
    mean = sum(sims) / len(sims) if sims else central
    return max(central * mean, 0.0) ** 0.5


class Clusterer:
    """Holds the open stories and assigns articles to them, one at a time."""

    def __init__(self, stories: Iterable[StoryState] = (), *, join: float = JOIN,
                 new_id: Callable[[Doc], str] | None = None,
                 load_vecs: Callable[[str], list[dict[str, float]]] | None = None):
        self.join = join
        self._load_vecs = load_vecs or (lambda story_id: [])  # recent vectors of a story read back
        self.stories: dict[str, StoryState] = {}
        # Term → week → ids of the stories found under that term which a report of that week may
        # join (week None: undated stories). A dated article looks at its own week only, so the
        # stories of other months, which it could not join, cost it nothing.
        self.by_term: dict[str, dict[int | None, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._indexed: dict[str, tuple[tuple[str, ...], tuple[int | None, ...]]] = {}
        self.closed: set[str] = set()  # stories articles in time order can no longer join
        self.latest_day: int | None = None
        self.merged: list[tuple[str, str]] = []  # (merged away, merged into) story ids, for the caller
        self._new_id = new_id or (lambda doc: doc.id)
        self.adopt(stories)

    def adopt(self, stories: Iterable[StoryState]) -> None:
        """Take in stories (read back from an archive) that articles may join."""
        for s in stories:
            self.stories[s.id] = s
            self._reindex(s)

    def _reindex(self, s: StoryState) -> None:
        """File ``s`` under its current key terms and weeks, and out of those it no longer has."""
        weeks = _weeks(s)
        if self._indexed.get(s.id) == (s.keys, weeks):
            return
        self._unindex(s)
        for t in s.keys:
            for w in weeks:
                self.by_term[t][w].add(s.id)
        self._indexed[s.id] = (s.keys, weeks)

    def _unindex(self, s: StoryState) -> None:
        """Take ``s`` out of the index; emptied entries go too, so a long ingest's index stays small."""
        keys, weeks = self._indexed.pop(s.id, ((), ()))
        for t in keys:
            by_week = self.by_term[t]
            for w in weeks:
                by_week[w].discard(s.id)
                if not by_week[w]:
                    del by_week[w]
            if not by_week:
                del self.by_term[t]

    def candidates(self, doc: Doc, terms: list[str]) -> Iterator[str]:
        """Ids of the stories filed under ``terms`` that ``doc`` may join by its day (with repeats)."""
        for t in terms:
            weeks = self.by_term.get(t)
            if not weeks:
                continue
            if doc.day is None:  # may join a story of any week; count each story once per term
                yield from set().union(*weeks.values())
            else:
                yield from weeks.get(doc.day // 7, ())
                yield from weeks.get(None, ())

    def best(self, doc: Doc) -> tuple[StoryState | None, float]:
        heavy = sorted(doc.vec, key=doc.vec.__getitem__, reverse=True)[:CANDIDATE_TERMS]
        hits = Counter(self.candidates(doc, heavy))
        fitting = [(s, n) for s, n in zip(map(self.stories.__getitem__, hits), hits.values(), strict=True)
                   if s.fits(doc.day)]
        # Ties go to the smaller story id, so that the same reports make the same stories in every process
        # (story ids sit in sets, whose order changes with the hash seed).
        shortlist = [s for s, _ in nsmallest(SHORTLIST, fitting, key=lambda sn: (-sn[1], sn[0].id))]
        central = sorted(((s.centrality(doc), s) for s in shortlist),
                         key=lambda cs: (-cs[0], cs[1].id))[:FINALISTS]
        scored = [(affinity(doc, self._loaded(s), c), s) for c, s in central]
        # Beyond its first MAX_SPAN days, or against the time it states, a story takes strong matches
        # only: scored below the join threshold by the margin, they win over a story that matches as well.
        scored = [(a - s.margin(doc, self.join), s) for a, s in scored]
        score, story = max(scored, key=lambda ss: ss[0], default=(0.0, None))
        return story, score

    def add(self, doc: Doc) -> StoryState:
        """Put ``doc`` in the closest story, or open a new one; returns the story."""
        self._close_old(doc.day)
        story, score = self.best(doc)
        joined = story is not None and score >= self.join
        if not joined:
            story = StoryState(self._new_id(doc))
            self.stories[story.id] = story
        self._loaded(story).add(doc)
        self._reindex(story)
        # A story that grows may now be the twin of one the order of the load split from it.
        return self._merge(story, doc) if joined else story

    def _merge(self, s: StoryState, doc: Doc) -> StoryState:
        """Merge ``s``, which ``doc`` just joined, with each story that ``doc`` could have joined by its
        day too (the two meet at it), whose centroid agrees closely with its own (at least ``MERGE``)
        and whose stated time does not clash: the earlier story takes the later one's reports, and the
        pair goes to ``merged`` as (merged away, merged into). Returns the story kept."""
        while (other := self._twin(s, doc)) is not None:
            keep, gone = sorted((s, other), key=lambda x: (x.first is None, x.first or 0, x.id))
            self._loaded(keep).absorb(self._loaded(gone))
            self._unindex(self.stories.pop(gone.id))
            self.closed.discard(gone.id)
            self._reindex(keep)
            self.merged.append((gone.id, keep.id))
            s = keep
        return s

    def _twin(self, s: StoryState, doc: Doc) -> StoryState | None:
        """The story that ``s`` is one event with, if any (see :meth:`_merge`)."""
        hits = Counter(self.candidates(doc, list(s.keys)))
        hits.pop(s.id, None)
        # Ties go to the smaller id, whatever the hash seed (see best).
        for sid, _ in nsmallest(MERGE_CANDIDATES, hits.items(), key=lambda kv: (-kv[1], kv[0])):
            o = self.stories[sid]
            agree = cosine(s.centroid, o.centroid) / (s.norm * o.norm)
            if agree >= MERGE and _touch(s, o) and self._may_span(s, o) and not clashes(
                    frozenset(s.marks), o.marks, s.first, o.first, o.last):
                return o
        return None

    @staticmethod
    def _may_span(a: StoryState, b: StoryState) -> bool:
        """Whether ``a`` and ``b`` together may run as long as they would: past ``MAX_SPAN`` days only
        when the days of one lie within those on which reports may join the other (one event that the
        load order split between outlets; stories that follow one another are a storyline, linked as a
        thread, see :mod:`threads`, so that merges never chain) and several outlets are reporting it
        (see :meth:`StoryState.margin`)."""
        days = [d for d in (a.first, a.last, b.first, b.last) if d is not None]
        if not days or max(days) - min(days) <= MAX_SPAN:
            return True
        if None not in (a.first, a.last, b.first, b.last):
            outer, inner = sorted((a, b), key=lambda s: s.first - s.last)  # the longer first
            if inner.first < outer.first - WINDOW or inner.last > outer.last + WINDOW:
                return False
        return sum(n > 1 for n in Counter(a.outlets + b.outlets).values()) > 1

    def _loaded(self, s: StoryState) -> StoryState:
        if s.vecs is None:
            s.vecs = self._load_vecs(s.id)
        return s

    def retain(self, first: int, last: int) -> None:
        """Let go of the dated stories that no report from day ``first`` to ``last`` may join (an
        archive keeps them, and reads them back for the articles that need them), so that memory
        holds the stories of the days being ingested, not of the whole archive."""
        for s in list(self.stories.values()):
            days = s.joinable()
            if days is not None and (days[1] < first or days[0] > last):
                self._unindex(self.stories.pop(s.id))
                self.closed.discard(s.id)

    def set_aside_closed(self) -> None:
        """Let go of the closed stories (an archive keeps them: they are read back when an older
        article needs them), so that a clusterer kept across updates stays small."""
        for sid in self.closed:
            self._unindex(self.stories.pop(sid))
        self.closed.clear()

    def _close_old(self, day: int | None) -> None:
        """Mark the stories that an article in time order can no longer join, so that they can be
        let go of between updates (the articles of a crawl come roughly in time order)."""
        if day is None or (self.latest_day is not None and day <= self.latest_day):
            return
        self.latest_day = day
        self.closed.update(s.id for s in self.stories.values()
                           if s.last is not None and s.last < day - WINDOW)


def cluster(docs: Iterable[Doc], **kw) -> list[list[str]]:
    """Stories of ``docs``, taken in the order given (the order of ingest), as lists of ids."""
    c = Clusterer(**kw)
    for d in docs:
        c.add(d)
    return [s.members for s in c.stories.values()]
