"""The archive: where parsed (and enriched) articles are stored, searched and related.

``open_archive(path)`` gives an :class:`Archive` over a storage backend
(:class:`~marsad.archive.base.Store`; SQLite by default). Writes go in batches,
one transaction each; once they are committed, the relate stage is told
which articles it should look at again.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Iterable, Iterator
from typing import Any

from marsad.archive.base import Backend
from marsad.model import (
    Article,
    CopyRef,
    EntitySummary,
    Failure,
    IngestReport,
    RelatedHit,
    SearchResult,
    Story,
)

BATCH_SIZE = 500  # articles per transaction: big enough to be fast, small enough to lose little on a crash
# Articles handed to the relate stage at once: it works in memory, and per call it reloads its open stories.
RELATE_EVERY = 2000


class Archive:
    """A news archive over one :class:`~marsad.archive.base.Backend`. Use as a context manager, or
    call :meth:`close`."""

    def __init__(self, backend: Backend):
        self.backend = backend
        self.store = backend.store
        self._unrelated: list[str] = []  # committed ids not yet handed to the relate stage
        self._features: dict[str, Any] = {}  # what the relate stage prepared ahead for those, by id

    @property
    def conn(self):
        """The SQLite connection (SQLite backend only), while stages move their SQL into the backend."""
        return self.backend.conn

    def version(self) -> Hashable:
        """Changes whenever anything is committed to the archive: a key for caches."""
        return self.backend.version()

    def ingest(self, paths: Iterable[str | os.PathLike], *, enrich: bool = True, progress: bool = False,
               parallel: bool | None = None, relate: bool = True) -> IngestReport:
        """Parse every input, optionally enrich, and store; bad inputs go to ``report.failed``.

        ``parallel`` parses in a child process while this one stores (default: for big inputs).
        ``relate=False`` leaves stories, copies and related articles to :meth:`relate_all`, for bulk
        loads that should finish first.
        """
        from marsad.archive.ingest import ingest

        return ingest(self, paths, enrich=enrich, progress=progress, parallel=parallel, relate=relate)

    def put(self, articles: Iterable[Article]) -> IngestReport:
        """Upsert articles in batches: same content is unchanged, changed content replaces the old."""
        report = IngestReport()
        batch: list[Article] = []
        for article in articles:
            batch.append(article)
            if len(batch) >= BATCH_SIZE:
                self.store_batch(batch, report)
                batch = []
        if batch:
            self.store_batch(batch, report)
        self.relate(report)
        return report

    def store_batch(self, batch: list[Article], report: IngestReport,
                    prepared: dict[str, dict[str, Any]] | None = None, relate: bool = True) -> None:
        """Store one batch in one transaction and add its counts to ``report``.

        ``prepared`` is what stages computed ahead for the batch (``{stage: {article id: value}}``,
        see :func:`marsad.archive.ingest.prepare`); stages compute what is missing themselves.
        Every RELATE_EVERY articles the relate stage gets the committed ids (unless ``relate`` is off):
        its memory stays bounded, and a crashed ingest loses only that much of its work
        (a rerun, or :meth:`relate_all`, relates it).
        """
        from marsad.validate import validate_batch

        prepared = prepared or {}
        batch = validate_batch(batch, report.failed, report.warnings)  # nothing invalid is stored
        result = self.store.put_batch(batch, prepared.get("marsad.search.index"))
        features = prepared.get("marsad.relate", {})
        self._features.update((i, features[i]) for i in result.written if i in features)
        report.new += result.new
        report.updated += result.updated
        report.unchanged += result.unchanged
        report.ids.extend(result.ids)
        self._unrelated.extend(result.ids)
        if relate and len(self._unrelated) >= RELATE_EVERY:
            self.relate(report)

    def relate(self, report: IngestReport) -> None:
        """Hand the committed ids not yet related to the relate stage (stories, copies)."""
        from marsad import relate

        ids, self._unrelated = self._unrelated, []
        features, self._features = self._features, {}
        if not ids:
            return
        skipped: list[tuple[str, str]] = []
        try:
            relate.update(self, ids, features, skipped)
            report.failed.extend(Failure(source=i, stage="relate", reason=r) for i, r in skipped)
        except Exception as e:  # stored articles stay stored; the next ingest retries relating them
            report.failed.append(Failure(source="relate", stage="relate", reason=f"{type(e).__name__}: {e}"))

    def forget_unrelated(self) -> None:
        """Drop the ids waiting for the relate stage: :meth:`relate_all` finds them in the archive."""
        self._unrelated, self._features = [], {}

    def relate_all(self) -> IngestReport:
        """Relate every stored article whose current version is not related yet (after an ingest
        with ``relate=False``, or one that was cut short), in the order they were stored."""
        from marsad import relate

        report = IngestReport()
        for id_ in relate.unrelated(self):
            report.ids.append(id_)
            self._unrelated.append(id_)
            if len(self._unrelated) >= RELATE_EVERY:
                self.relate(report)
        self.relate(report)
        return report

    def get(self, id: str) -> Article:
        return self.store.get(id)

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

    # Entities across the archive and analysts' corrections (marsad.archive.entities; SQLite store).

    def consolidate_entities(self) -> list[tuple[str, str]]:
        """Merge the entities that are one across the archive; (old id, new id) of each merge."""
        from marsad.archive.sqlite import entities

        with self.store.transaction() as conn:
            return entities.consolidate(conn)

    def rebuild_entities(self) -> list[tuple[str, str]]:
        """Build the entity tables again from the stored enrichment, then merge across the archive."""
        self.store.rebuild_entities()
        return self.consolidate_entities()

    def correct_entity(self, op: str, args: list[str]) -> str:
        """Store one correction (merge, split, rename, retype; arguments as the CLI takes them);
        returns the id of the entity it leaves."""
        from marsad.archive.sqlite import entities

        with self.store.transaction() as conn:
            return entities.apply(conn, op, args, self.store.entity_key)

    def export_entity_corrections(self) -> str:
        from marsad.archive.sqlite import entities

        return entities.export(self.conn)

    def import_entity_corrections(self, text: str) -> tuple[int, list[str]]:
        """Apply an exported file of corrections: (how many applied, why each other one failed)."""
        from marsad.archive.sqlite import entities

        with self.store.transaction() as conn:
            return entities.replay(conn, text, self.store.entity_key)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_archive(path: str | os.PathLike | None = None, readonly: bool = False,
                 timeout: float = 10.0) -> Archive:
    """Open (or, for writing, create) the archive at ``path`` (default: Settings().db).

    Readers use ``readonly=True``: a missing file is an error, never a new empty archive.
    ``timeout`` is how long to wait, in seconds, for a lock another process holds.
    Raises :class:`marsad.errors.ArchiveError` for a missing, corrupt, locked or read-only archive.
    """
    from marsad.archive.sqlite import SQLiteBackend
    from marsad.settings import load

    return Archive(SQLiteBackend(load(path).db, readonly=readonly, timeout=timeout))
