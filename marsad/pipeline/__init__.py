"""The ingest pipeline, above storage: parse → enrich → prepare → store → index → relate.

Pages are parsed (and enriched, and analyzed ahead by the search and relate stages) in batches,
in parse workers for big inputs (:mod:`marsad.pipeline.workers`). Each batch is validated and
then stored and indexed in one unit of work of the archive's backend, so an interrupted ingest
keeps what it stored and running it again completes the job: stored articles come back as
unchanged. Every RELATE_EVERY committed articles the relate stage gets their ids. A page that
fails to parse, or an article that fails to enrich, validate or relate, is reported with its
source and reason while the rest goes on.

:class:`marsad.archive.Archive` offers this as ``ingest``, ``put`` and ``relate_all``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from marsad.model import Article, Failure, IngestReport
from marsad.pipeline.stages import Prepared, batches, enricher, keyed, progress_bar

if TYPE_CHECKING:
    from marsad.archive import Archive

BATCH_SIZE = 500  # articles per transaction: big enough to be fast, small enough to lose little on a crash
# Articles handed to the relate stage at once: it works in memory, and per call it reloads its open stories.
RELATE_EVERY = 2000
COMPACT_AFTER = 5000  # articles written by one ingest that make it a bulk load, worth compacting after


class Pipeline:
    """Stores batches into one archive and hands what was committed to the relate stage."""

    def __init__(self, arc: Archive):
        self.arc = arc
        self._unrelated: list[str] = []  # committed ids not yet handed to the relate stage
        self._features: dict[str, Any] = {}  # what the relate stage prepared ahead for those, by id

    def ingest(self, paths: Iterable[str | os.PathLike], *, enrich: bool = True, progress: bool = False,
               batch_size: int | None = None, parallel: bool | None = None,
               relate: bool = True) -> IngestReport:
        """Ingest every input ``parse`` accepts; see :meth:`marsad.archive.Archive.ingest`."""
        from marsad.parse import iter_pages
        from marsad.parse.folders import skipped_files
        from marsad.pipeline.workers import parallel_batches, worker_count, worth_a_worker

        paths = [os.fspath(p) for p in paths]
        report = IngestReport(skipped=[str(p) for p in skipped_files(paths)])
        size = batch_size or BATCH_SIZE
        if parallel is None:
            parallel = worth_a_worker(paths, enrich)
        if parallel:
            stream = parallel_batches(paths, size, enrich, relate, worker_count(enrich))
        else:
            parsed = batches(iter_pages(paths), size, report, enricher() if enrich else None)
            stream = ((b, [], None) for b in parsed)
        with progress_bar(progress) as advance:
            for batch, failures, prepared in stream:
                report.failed.extend(failures)
                if batch:
                    self.store_batch(batch, report, prepared, relate)
                    advance(len(batch))
        self.finish(report, enrich=enrich, relate=relate)
        return report

    def finish(self, report: IngestReport, *, enrich: bool, relate: bool) -> None:
        """After the batches: merge entities across the archive (when enriched), compact after a
        bulk load, and relate what is still waiting (or forget it, when ``relate`` is off)."""
        if enrich and report.new + report.updated:
            self._after(report, "entities", "entities", self.arc.consolidate_entities)
        if report.new + report.updated >= COMPACT_AFTER:
            self._after(report, "compact", "store", self._compact)
        if relate:
            self.relate(report)
        else:
            self.forget_unrelated()

    def put(self, articles: Iterable[Article]) -> IngestReport:
        """Upsert articles in batches, then relate them."""
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

    def store_batch(self, batch: list[Article], report: IngestReport, prepared: Prepared | None = None,
                    relate: bool = True) -> None:
        """Validate, store and index one batch in one unit of work and add its counts to ``report``.

        ``prepared`` is what stages computed ahead for the batch (see
        :func:`marsad.pipeline.stages.prepare`); stages compute what is missing themselves.
        Every RELATE_EVERY articles the relate stage gets the committed ids (unless ``relate`` is off):
        its memory stays bounded, and a crashed ingest loses only that much of its work
        (a rerun, or :meth:`relate_all`, relates it).
        """
        from marsad.validate import validate_batch

        prepared = prepared or {}
        batch = validate_batch(batch, report.failed, report.warnings)  # nothing invalid is stored
        keyed(batch)  # articles enriched elsewhere come without entity keys
        backend = self.arc.backend
        with backend.unit_of_work():
            result = backend.store.put_batch(batch)
            if result.stored:
                backend.index.add(result.stored, prepared.get("search"))
        features = prepared.get("relate", {})
        report.new += result.new
        report.updated += result.updated
        report.unchanged += result.unchanged
        report.ids.extend(result.ids)
        self.queue(result.ids, {i: features[i] for i in result.written if i in features}, report, relate)

    def queue(self, ids: list[str], features: dict[str, Any], report: IngestReport,
              relate: bool = True) -> None:
        """Hand committed ids, in the order they are to be related, and the relate features made
        ahead for some of them; every RELATE_EVERY ids they are related (unless ``relate`` is off)."""
        self._unrelated.extend(ids)
        self._features.update(features)
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
            relate.update(self.arc, ids, features, skipped)
            report.failed.extend(Failure(source=i, stage="relate", reason=r) for i, r in skipped)
        except Exception as e:  # stored articles stay stored; the next ingest retries relating them
            report.failed.append(Failure(source="relate", stage="relate", reason=f"{type(e).__name__}: {e}"))

    def forget_unrelated(self) -> None:
        """Drop the ids waiting for the relate stage: :meth:`relate_all` finds them in the archive."""
        self._unrelated, self._features = [], {}

    def relate_all(self) -> IngestReport:
        """Relate every stored article whose current version is not related yet, in the order stored."""
        from marsad import relate

        report = IngestReport()
        for id_ in relate.unrelated(self.arc):
            report.ids.append(id_)
            self._unrelated.append(id_)
            if len(self._unrelated) >= RELATE_EVERY:
                self.relate(report)
        self.relate(report)
        return report

    def _compact(self) -> None:
        """After a bulk load: the store and the index reorganized, so that reading is fast again."""
        backend = self.arc.backend
        with backend.unit_of_work():
            backend.store.compact()
            backend.index.compact()

    @staticmethod
    def _after(report: IngestReport, source: str, stage: str, step) -> None:
        """A step after the batches are stored (merging entities, compacting); what was stored stays
        stored if it fails, and the next ingest tries again."""
        try:
            step()
        except Exception as e:  # noqa: BLE001 - reported
            report.failed.append(Failure(source=source, stage=stage, reason=f"{type(e).__name__}: {e}"))
