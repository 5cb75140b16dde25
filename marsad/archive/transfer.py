"""Moving an archive between backends: ``copy_archive(src, dst)`` (``marsad copy SRC DST``).

Articles travel as stored (with their enrichment), in batches of one transaction each, and the
destination builds its own keys, search index and entity tables from them, as an ingest would;
analysts' entity corrections travel as their log (the file ``marsad entities export`` writes)
and are replayed. Stories and copies are found again by the destination's relate stage.
Counts are checked at the end: every article of the source must be in the destination.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from marsad.archive import Archive
from marsad.errors import ArchiveError
from marsad.model import Article, Failure, IngestReport
from marsad.pipeline import BATCH_SIZE


@dataclass(slots=True)
class CopyReport:
    read: int = 0  # articles read from the source
    stored: IngestReport = field(default_factory=IngestReport)  # what the destination did with them
    corrections: int = 0  # analysts' entity corrections replayed
    related: int = 0  # articles the destination related
    failed: list[Failure] = field(default_factory=list)  # what relating them could not do
    source_count: int = 0
    destination_count: int = 0


def copy_archive(src: Archive, dst: Archive, *, relate: bool = True, batch: int = BATCH_SIZE,
                 progress: Callable[[int], None] | None = None) -> CopyReport:
    """Copy every article of ``src`` into ``dst`` (new ones added, changed ones replaced, the
    same ones left), then the entity corrections ``dst`` lacks; relate them unless ``relate`` is
    off. Raises :class:`ArchiveError` when ``dst`` does not end up holding every source article."""
    report = CopyReport()
    before = dst.count()
    chunk: list[Article] = []
    for article in src.iter_articles():
        chunk.append(article)
        if len(chunk) >= batch:
            report.read += _store(dst, chunk, report.stored, progress, report.read)
            chunk = []
    if chunk:
        report.read += _store(dst, chunk, report.stored, progress, report.read)
    dst.forget_unrelated()
    report.source_count, report.destination_count = src.count(), dst.count()
    _check(report, before)
    report.corrections = _copy_corrections(src, dst)
    if report.corrections:
        dst.consolidate_entities()
    if relate:
        related = dst.relate_all()
        report.related, report.failed = len(related.ids), related.failed
    return report


def _store(dst: Archive, chunk: list[Article], stored: IngestReport,
           progress: Callable[[int], None] | None, done: int) -> int:
    dst.pipeline.store_batch(chunk, stored, relate=False)
    if progress:
        progress(done + len(chunk))
    return len(chunk)


def _copy_corrections(src: Archive, dst: Archive) -> int:
    """Replay the corrections of ``src`` that ``dst`` has not logged; how many were replayed."""
    have = set(dst.export_entity_corrections().splitlines())
    missing = [line for line in src.export_entity_corrections().splitlines()
               if line.strip() and not line.startswith("#") and line not in have]
    if not missing:
        return 0
    done, failed = dst.import_entity_corrections("\n".join(missing) + "\n")
    if failed:
        raise ArchiveError(f"{len(failed)} entity correction(s) could not be replayed: {failed[0]}")
    return done


def _check(report: CopyReport, before: int) -> None:
    stored = report.stored
    if stored.failed:
        first = stored.failed[0]
        raise ArchiveError(f"{len(stored.failed)} article(s) were not copied: {first.source}: {first.reason}")
    if stored.new + stored.updated + stored.unchanged != report.read or report.read != report.source_count:
        kept = stored.new + stored.updated + stored.unchanged
        raise ArchiveError(f"copy incomplete: read {report.read:,} of {report.source_count:,} "
                           f"source articles, stored {kept:,}")
    if report.destination_count != before + stored.new or report.destination_count < report.source_count:
        raise ArchiveError(f"copy incomplete: the destination holds {report.destination_count:,} articles, "
                           f"{before:,} before and {stored.new:,} new")
