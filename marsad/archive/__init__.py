"""The archive: where parsed (and enriched) articles are stored, searched and related.

``open_archive(path)`` gives an :class:`Archive` over a storage backend
(:class:`~marsad.archive.base.Backend`; SQLite by default). Articles come in through
the ingest pipeline (:mod:`marsad.pipeline`), which ``ingest``, ``put`` and ``relate_all`` run.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from marsad.archive.base import Backend
from marsad.model import (
    Article,
    CopyRef,
    EntitySummary,
    IngestReport,
    RelatedHit,
    SearchResult,
    Story,
)

if TYPE_CHECKING:
    from marsad.pipeline import Pipeline


class Archive:
    """A news archive over one :class:`~marsad.archive.base.Backend`. Use as a context manager, or
    call :meth:`close`."""

    def __init__(self, backend: Backend):
        self.backend = backend
        self.store = backend.store
        self._pipeline: Pipeline | None = None

    def version(self) -> Hashable:
        """Changes whenever anything is committed to the archive: a key for caches."""
        return self.backend.version()

    @property
    def pipeline(self) -> Pipeline:
        """The ingest pipeline writing into this archive (:mod:`marsad.pipeline`)."""
        if self._pipeline is None:
            from marsad.pipeline import Pipeline

            self._pipeline = Pipeline(self)
        return self._pipeline

    def ingest(self, paths: Iterable[str | os.PathLike], *, enrich: bool = True, progress: bool = False,
               parallel: bool | None = None, relate: bool = True) -> IngestReport:
        """Parse every input, optionally enrich, and store; bad inputs go to ``report.failed``.

        ``parallel`` parses in a child process while this one stores (default: for big inputs).
        ``relate=False`` leaves stories, copies and related articles to :meth:`relate_all`, for bulk
        loads that should finish first.
        """
        return self.pipeline.ingest(paths, enrich=enrich, progress=progress, parallel=parallel, relate=relate)

    def put(self, articles: Iterable[Article]) -> IngestReport:
        """Upsert articles in batches: same content is unchanged, changed content replaces the old."""
        return self.pipeline.put(articles)

    def forget_unrelated(self) -> None:
        """Drop the ids waiting for the relate stage: :meth:`relate_all` finds them in the archive."""
        self.pipeline.forget_unrelated()

    def relate_all(self) -> IngestReport:
        """Relate every stored article whose current version is not related yet (after an ingest
        with ``relate=False``, or one that was cut short), in the order they were stored."""
        return self.pipeline.relate_all()

    def get(self, id: str) -> Article:
        from marsad.pipeline.stages import keyed

        article = self.store.get(id)
        keyed([article])  # stored before mentions carried their entity's key
        return article

    def latest(self, limit: int = 20, offset: int = 0, section: str | None = None,
               outlet: str | None = None) -> list[Article]:
        return self.store.latest(limit, offset, section, outlet)

    def iter_articles(self, since: str | None = None) -> Iterator[Article]:
        return self.store.iter_articles(since)

    def count(self) -> int:
        return self.store.count()

    def facets(self) -> dict[str, list[tuple[str, int]]]:
        return self.store.facets()

    def entities(self, limit: int = 100, type: str | None = None) -> list[EntitySummary]:
        return self.store.entities(limit, type)

    def entity(self, id: str) -> dict[str, Any]:
        return self.store.entity(id)

    # Search and relate (marsad.search, marsad.relate) over this archive.

    def search(self, query: str, **options) -> SearchResult:
        """Articles matching ``query``, best first; options as :func:`marsad.search.search` takes them."""
        from marsad.search import search

        return search(self, query, **options)

    def search_facets(self, query: str, **filters) -> dict[str, list[tuple[str, int]]]:
        """How many results each outlet and section holds (:func:`marsad.search.search_facets`)."""
        from marsad.search import search_facets

        return search_facets(self, query, **filters)

    def search_many(self, queries: Iterable[tuple[str, str]], **options) -> Iterator[dict]:
        from marsad.search import search_many

        return search_many(self, queries, **options)

    def related(self, id: str, limit: int = 10) -> list[RelatedHit]:
        from marsad import relate

        return relate.related(self, id, limit)

    def stories(self, since: str | None = None, min_size: int = 2) -> list[Story]:
        from marsad import relate

        return relate.stories(self, since, min_size)

    def story(self, story_id: str) -> Story:
        from marsad import relate

        return relate.story(self, story_id)

    def story_of(self, id: str) -> Story | None:
        from marsad import relate

        return relate.story_of(self, id)

    def copies(self, id: str) -> list[CopyRef]:
        from marsad import relate

        return relate.copies(self, id)

    def copy_groups(self) -> list[list[CopyRef]]:
        from marsad import relate

        return relate.copy_groups(self)

    def duplicate_groups(self) -> list[list[str]]:
        from marsad import relate

        return relate.duplicate_groups(self)

    # Entities across the archive and analysts' corrections (marsad.archive.sqlite.entities, the rules
    # both backends run).

    def consolidate_entities(self) -> list[tuple[str, str]]:
        """Merge the entities that are one across the archive; (old id, new id) of each merge."""
        from marsad.archive.sqlite import entities

        with self.store.transaction() as conn:
            return entities.consolidate(conn, self.backend.index)

    def rebuild_entities(self) -> list[tuple[str, str]]:
        """Build the entity tables again from the stored enrichment, its mentions keyed anew (after the
        naming rules changed), then merge across the archive."""
        from marsad.pipeline.stages import keyed

        self.store.rebuild_entities(lambda batch: keyed(batch, fresh=True))
        return self.consolidate_entities()

    def correct_entity(self, op: str, args: list[str]) -> str:
        """Store one correction (merge, split, rename, retype; arguments as the CLI takes them);
        returns the id of the entity it leaves."""
        from marsad.archive.sqlite import entities
        from marsad.enrich.canonical import entity_key

        with self.store.transaction() as conn:
            return entities.apply(conn, op, args, entity_key)

    def export_entity_corrections(self) -> str:
        from marsad.archive.sqlite import entities

        with self.store.transaction() as conn:
            return entities.export(conn)

    def import_entity_corrections(self, text: str) -> tuple[int, list[str]]:
        """Apply an exported file of corrections: (how many applied, why each other one failed)."""
        from marsad.archive.sqlite import entities
        from marsad.enrich.canonical import entity_key

        with self.store.transaction() as conn:
            return entities.replay(conn, text, entity_key)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_archive(path: str | os.PathLike | None = None, readonly: bool = False,
                 timeout: float = 10.0, cache_kib: int | None = None) -> Archive:
    """Open (or, for writing, create) the archive at ``path`` (default: Settings().db): an SQLite
    file, or a ``postgresql://user:password@host:port/dbname`` URL (the PostgreSQL backend).

    Readers use ``readonly=True``: a missing file is an error, never a new empty archive.
    ``timeout`` is how long to wait, in seconds, for a lock another process holds.
    ``cache_kib``: a smaller private page cache, for servers that keep many readers open (SQLite).
    Raises :class:`marsad.errors.ArchiveError` for a missing, corrupt, locked or read-only archive.
    """
    from marsad.settings import is_server, load

    db = load(path).db
    if is_server(db):
        from marsad.archive.postgres import PostgresBackend

        return Archive(PostgresBackend(str(db), readonly=readonly, timeout=timeout))
    from marsad.archive.sqlite import SQLiteBackend

    return Archive(SQLiteBackend(db, readonly=readonly, timeout=timeout, cache_kib=cache_kib))
