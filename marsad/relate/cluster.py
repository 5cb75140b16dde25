"""Incremental story clustering: each new article joins the closest open story or opens one.

A story is one specific event (an incident, a meeting, an announcement) as
reported by many outlets, not a topic. An article joins a story when its term
vector is close both to the story's centroid and to one report already in it
(the geometric mean of the two must reach ``JOIN``), so that a story does not
drift along a chain of loosely related reports. Time bounds a story: a dated
article joins only a story whose dated reports lie within ``WINDOW`` days of
it and that spans at most ``MAX_SPAN`` days, so the same kind of event at
another time opens a new story. Nothing already clustered is revisited.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter

from marsad.relate.features import Doc, cosine

JOIN = 0.20  # minimum affinity for an article to join a story (see bench/stories.py for the sensitivity)
WINDOW = 3  # days between an article and the nearest dated report of its story
MAX_SPAN = 7  # days from a story's first to its last dated report
CANDIDATE_TERMS = 12  # an article looks for stories through its heaviest terms only
SHORTLIST = 30  # stories sharing most heavy terms, scored against their centroid
FINALISTS = 5  # best centroid matches, scored against their reports too
RECENT = 20  # reports of a story an article is compared with (the latest ones)
CENTROID_TERMS = 120
KEY_TERMS = 30  # a story is found through this many of its heaviest centroid terms


@dataclass(slots=True)
class StoryState:
    id: str
    members: list[str] = field(default_factory=list)
    centroid: dict[str, float] = field(default_factory=dict)  # sum of member vectors, cut to the top terms
    first: int | None = None  # days of the first and last dated reports
    last: int | None = None
    vecs: list[dict[str, float]] = field(default_factory=list)  # the latest member vectors
    norm: float = 1.0  # of the centroid
    keys: tuple[str, ...] = ()  # the heaviest centroid terms, under which the story is found

    def centrality(self, doc: Doc) -> float:
        return cosine(doc.vec, self.centroid) / self.norm

    def fits(self, day: int | None, window: int = WINDOW, span: int = MAX_SPAN) -> bool:
        if day is None or self.first is None:
            return True
        return (self.first - window <= day <= self.last + window
                and max(day, self.last) - min(day, self.first) <= span)

    def refresh(self) -> None:
        """Recompute what derives from the centroid."""
        self.norm = sum(v * v for v in self.centroid.values()) ** 0.5 or 1.0
        self.keys = tuple(sorted(self.centroid, key=self.centroid.__getitem__, reverse=True)[:KEY_TERMS])

    def add(self, doc: Doc) -> None:
        self.members.append(doc.id)
        self.vecs = [*self.vecs[-(RECENT - 1):], doc.vec]
        for t, v in doc.vec.items():
            self.centroid[t] = self.centroid.get(t, 0.0) + v
        if len(self.centroid) > CENTROID_TERMS:
            heaviest = sorted(self.centroid.items(), key=itemgetter(1), reverse=True)
            self.centroid = dict(heaviest[:CENTROID_TERMS])
        self.refresh()
        if doc.day is not None:
            self.first = doc.day if self.first is None else min(self.first, doc.day)
            self.last = doc.day if self.last is None else max(self.last, doc.day)


def affinity(doc: Doc, story: StoryState, central: float | None = None) -> float:
    """Geometric mean of the centroid similarity and the best similarity to one recent report."""
    central = story.centrality(doc) if central is None else central
    best = max((cosine(doc.vec, v) for v in story.vecs), default=central)
    return max(central * best, 0.0) ** 0.5


class Clusterer:
    """Holds the open stories and assigns articles to them, one at a time."""

    def __init__(self, stories: Iterable[StoryState] = (), *, join: float = JOIN,
                 new_id: Callable[[Doc], str] | None = None):
        self.join = join
        self.stories: dict[str, StoryState] = {}
        # Term → ids of the stories whose centroid has it: open stories, and those that only an
        # undated article may still join (their dated reports are more than MAX_SPAN days old).
        self.by_term: dict[str, set[str]] = defaultdict(set)
        self.closed_by_term: dict[str, set[str]] = defaultdict(set)
        self.closed: set[str] = set()
        self.latest_day: int | None = None
        self._new_id = new_id or (lambda doc: doc.id)
        self.adopt(stories)

    def adopt(self, stories: Iterable[StoryState]) -> None:
        """Take in stories (read back from an archive) that articles may join."""
        for s in stories:
            self._index(s)

    def _index(self, s: StoryState) -> None:
        self.stories[s.id] = s
        index = self.closed_by_term if s.id in self.closed else self.by_term
        for t in s.keys:
            index[t].add(s.id)

    def _unindex(self, s: StoryState) -> None:
        index = self.closed_by_term if s.id in self.closed else self.by_term
        for t in s.keys:
            index[t].discard(s.id)

    def best(self, doc: Doc) -> tuple[StoryState | None, float]:
        heavy = sorted(doc.vec, key=doc.vec.__getitem__, reverse=True)[:CANDIDATE_TERMS]
        indexes = (self.by_term, self.closed_by_term) if self._may_join_closed(doc.day) else (self.by_term,)
        hits = Counter(chain.from_iterable(index[t] for index in indexes for t in heavy if t in index))
        fitting = [(s, n) for s, n in zip(map(self.stories.__getitem__, hits), hits.values(), strict=True)
                   if s.fits(doc.day)]
        shortlist = [s for s, _ in sorted(fitting, key=itemgetter(1), reverse=True)[:SHORTLIST]]
        central = sorted(((s.centrality(doc), s) for s in shortlist), key=lambda cs: -cs[0])[:FINALISTS]
        scored = [(affinity(doc, s, c), s) for c, s in central]
        score, story = max(scored, key=lambda ss: ss[0], default=(0.0, None))
        return story, score

    def add(self, doc: Doc) -> StoryState:
        """Put ``doc`` in the closest story, or open a new one; returns the story."""
        self._close_old(doc.day)
        story, score = self.best(doc)
        if story is None or score < self.join:
            story = StoryState(self._new_id(doc))
        self._unindex(story)
        story.add(doc)
        self._index(story)
        return story

    def set_aside_closed(self) -> None:
        """Let go of the closed stories (an archive keeps them: they are read back when an older
        article needs them), so that a clusterer kept across updates stays small."""
        for sid in self.closed:
            del self.stories[sid]
        self.closed.clear()
        self.closed_by_term.clear()

    def _may_join_closed(self, day: int | None) -> bool:
        """Undated articles, and articles older than the newest by more than a story's span, may
        still join a story set aside as closed."""
        return day is None or self.latest_day is None or day - WINDOW < self.latest_day - MAX_SPAN

    def _close_old(self, day: int | None) -> None:
        """Set aside the stories that an article in time order can no longer join, so that most
        articles (those of a crawl, which come roughly in time order) do not look at them again."""
        if day is None or (self.latest_day is not None and day <= self.latest_day):
            return
        self.latest_day = day
        for s in [s for s in self.stories.values()
                  if s.id not in self.closed and s.last is not None and s.last < day - MAX_SPAN]:
            self._unindex(s)
            self.closed.add(s.id)
            self._index(s)


def cluster(docs: Iterable[Doc], **kw) -> list[list[str]]:
    """Stories of ``docs``, taken in the order given (the order of ingest), as lists of ids."""
    c = Clusterer(**kw)
    for d in docs:
        c.add(d)
    return [s.members for s in c.stories.values()]
