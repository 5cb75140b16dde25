"""The relate stage's storage interface (:class:`RelateState`) and the rows it gives: what relating
keeps of each article (features, copy keys and groups, stories and their members). A backend
implements it beside its store and search index (:mod:`marsad.archive.base`)."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Container, Iterable, Iterator
from typing import NamedTuple

from marsad.archive.base import Windows


class StoredDoc(NamedTuple):
    """What relating kept of one article: the features related articles are found from."""

    key: int
    version: str  # of the features: the article's content hash and its entities (see features_version)
    id: str
    title: str
    day: int | None  # publication day (days since 1970-01-01), when known
    vec: dict[str, float]  # term → weight, L2-normalized
    entities: list[str]  # canonical entity names


def features_version(content_hash: str, entities_json: str) -> str:
    """What a related article's features were made from: its text (the content hash) and its entities
    as stored (JSON), which a re-enrichment rewrites without changing the text. Readers holding the
    features (the related-articles index of a running server) compare it to see what changed."""
    return f"{content_hash}:{hashlib.blake2b(entities_json.encode(), digest_size=8).hexdigest()}"


class CopyRow(NamedTuple):
    """One member of a copy group, as readers see it."""

    group: int  # the group: the key of its source (its first stored member)
    id: str
    title: str
    outlet: str | None
    published: str | None
    url: str | None
    source: bool  # the group's first stored member: the text the others copy


class StoryRow(NamedTuple):
    id: str
    title: str
    first_seen: str | None  # ISO publication times of its first and last dated reports
    last_seen: str | None


class RelateState(ABC):
    """What the relate stage stores: each related article's features, its copy keys and copy
    group, and the stories with their members. Its methods are what :mod:`marsad.relate` needs and
    take and give plain values; articles are given by the store's keys (a larger key was stored
    later) or by their ids. Writes happen inside the backend's unit of work, in which relating
    first calls :meth:`exclusive`: relating is a single-writer step."""

    # -- relating: one writer at a time -----------------------------------------------

    @abstractmethod
    def exclusive(self) -> None:
        """Inside a unit of work: wait until no other process is relating this archive, and keep
        the others waiting until the unit of work ends."""

    @abstractmethod
    def generation(self) -> int:
        """How many units of work have related articles in this archive, by any process: what is
        kept in memory between them (the open stories) is current while it stays the same."""

    @abstractmethod
    def advance(self) -> int:
        """Count one more unit of work that related articles (inside it); the new generation."""

    # -- the stored articles, as relating reads them ------------------------------------

    @abstractmethod
    def key(self, article_id: str) -> int | None:
        """The key of a stored article, or None."""

    @abstractmethod
    def pending(self, ids: list[str]) -> list[tuple[int, str, str, bool]]:
        """(key, id, content hash, related before) of each of ``ids`` whose stored version is
        not related yet, in the order of ``ids``, once each; absent ids are left out."""

    @abstractmethod
    def unrelated(self) -> list[str]:
        """Ids of the stored articles whose current version is not related yet, in the order stored."""

    @abstractmethod
    def articles(self, keys: list[int]) -> Iterator[tuple[int, str, str]]:
        """(key, id, the article as the store keeps it: JSON of :meth:`Article.to_dict`)."""

    @abstractmethod
    def text(self, key: int) -> tuple[str | None, str | None, str | None] | None:
        """Headline, deck and body of a stored article; None when it is absent."""

    @abstractmethod
    def summaries(self, ids: list[str]) -> dict[str, tuple[str | None, str | None, str | None]]:
        """Id → (headline, outlet, published) of the stored ones among ``ids``."""

    # -- features of related articles ---------------------------------------------------

    @abstractmethod
    def add_docs(self, docs: list[tuple[int, str, int | None, dict[str, float], list[str]]]) -> None:
        """Keep (key, content hash, day, term vector, entities) of newly related articles,
        replacing what an article had."""

    @abstractmethod
    def docs(self, keys: list[int] | None = None) -> Iterator[StoredDoc]:
        """The kept features of the given articles (those that have some), or of every related
        article, by key."""

    @abstractmethod
    def doc_hashes(self) -> dict[int, str]:
        """Key → :func:`features_version` of every related article: what changed since its features
        were read (a new text, or new entities from a re-enrichment)."""

    @abstractmethod
    def forget(self, keys: list[int]) -> None:
        """Drop what earlier versions of these articles left (features, copy keys and group, story
        membership); a copy group left with one member goes. Stories are recounted by the caller."""

    # -- copies -----------------------------------------------------------------------

    @abstractmethod
    def add_copy_keys(self, pairs: list[tuple[int, int]]) -> None:
        """Keep (copy key, article key) pairs: what finds the copies of later articles."""

    @abstractmethod
    def copy_buckets(self, copy_keys: Iterable[int]) -> dict[int, list[int]]:
        """Copy key → keys of the stored articles holding it, for those of ``copy_keys`` held."""

    @abstractmethod
    def group_members(self, key: int) -> list[int] | None:
        """Keys of the copy group of ``key`` in order stored (the source first), or None."""

    @abstractmethod
    def join_group(self, key: int, members: list[int]) -> None:
        """Put ``key`` in the copy group of ``members``; the group is known by its smallest key."""

    @abstractmethod
    def copy_rows(self, key: int | None = None) -> list[CopyRow]:
        """The members of every copy group, or of the group of ``key`` only (itself included),
        by group then in order stored."""

    # -- stories ----------------------------------------------------------------------

    @abstractmethod
    def open_stories(self, first_day: int | None, last_day: int | None, known: Container[str],
                     recent: int) -> list[tuple[str, int | None, int | None, dict[str, float], list[str]]]:
        """(id, first day, last day, centroid, outlets of its ``recent`` latest reports, newest first)
        of the stories without a dated report and, when ``first_day`` and ``last_day`` are given, of
        those whose dated reports span days that overlap them; those in ``known`` left out."""

    @abstractmethod
    def recent_vectors(self, story_id: str, recent: int) -> list[dict[str, float]]:
        """The term vectors of the ``recent`` latest reports of a story, oldest first."""

    @abstractmethod
    def free_story_id(self, wanted: str) -> str:
        """``wanted``, or ``wanted~2``, ``~3``... when a story already has it."""

    @abstractmethod
    def save_stories(self, stories: list[tuple[str, int | None, int | None, dict[str, float]]]) -> None:
        """Keep (id, first day, last day, centroid) of new or grown stories;
        :meth:`refresh_stories` fills in the rest."""

    @abstractmethod
    def add_members(self, pairs: list[tuple[int, str]]) -> None:
        """Put articles in stories: (article key, story id), replacing any story they were in."""

    @abstractmethod
    def refresh_stories(self, ids: Iterable[str]) -> None:
        """Recount size, title (the first report's headline) and first and last seen times of
        stories from their members; a story left without members goes."""

    @abstractmethod
    def stories_of(self, keys: list[int]) -> set[str]:
        """Ids of the stories these articles are in."""

    @abstractmethod
    def stories(self, *, min_size: int = 1, since: str | None = None,
                ids: list[str] | None = None) -> list[StoryRow]:
        """Stories of at least ``min_size`` reports, seen last on or after ``since``, among ``ids``
        when given; seen last latest first (never dated last), then by id."""

    @abstractmethod
    def story_members(self, story_ids: list[str]) -> dict[str, list[tuple[str, str | None]]]:
        """Story id → (article id, outlet) of its reports, oldest published first (undated last)."""

    @abstractmethod
    def story_windows(self, windows: Windows) -> list[tuple[str, int, str, int]]:
        """(story id, window, outlet or "", its reports from that outlet in that window) of every
        story reported in a window, counted as :meth:`Store.window_totals` counts."""

    @abstractmethod
    def story_reports(self, windows: Windows, ids: list[str]) -> list[tuple[str, str]]:
        """(story id, article id) of the reports of the last window of these stories, by story,
        newest first."""
