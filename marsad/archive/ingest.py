"""The ingest pipeline: parse → (enrich) → store in batches, with progress and a report.

Every batch is committed on its own, so an interrupted ingest keeps what it
stored and running it again completes the job: stored articles come back as
unchanged. A page that fails to parse, or an article that fails to enrich, is
reported with its source and reason while the rest goes on.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from marsad.archive.base import article_id
from marsad.model import Article, Failure, IngestReport, Page

COMPACT_AFTER = 5000  # articles written by one ingest that make it a bulk load, worth compacting after


def ingest(arc, paths: Iterable[str | os.PathLike], *, enrich: bool = True, progress: bool = False,
           batch_size: int | None = None, parallel: bool | None = None, relate: bool = True) -> IngestReport:
    """Ingest every input ``parse`` accepts into ``arc``; see :meth:`marsad.archive.Archive.ingest`.

    With ``enrich`` and :mod:`marsad.enrich` installed, entities, dates, figures
    and quotes are found before storing; without the module, articles are stored as parsed.
    ``parallel`` parses in a child process while this one stores (default: for big inputs
    on a machine with two cores or more). ``relate=False`` stores without relating: the articles
    wait for :meth:`marsad.archive.Archive.relate_all`.
    """
    from marsad.archive import BATCH_SIZE
    from marsad.archive.workers import parallel_batches, worker_count, worth_a_worker
    from marsad.parse import iter_pages
    from marsad.parse.folders import skipped_files

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
    with _progress(progress) as advance:
        for batch, failures, prepared in stream:
            report.failed.extend(failures)
            if batch:
                arc.store_batch(batch, report, prepared, relate)
                advance(len(batch))
    if enrich and report.new + report.updated:
        consolidate(arc, report)
    if report.new + report.updated >= COMPACT_AFTER:
        compact(arc, report)
    if relate:
        arc.relate(report)
    else:
        arc.forget_unrelated()
    return report


def consolidate(arc, report: IngestReport) -> None:
    """Merge entities that are one across the archive; stored articles stay stored if this fails."""
    try:
        arc.consolidate_entities()
    except Exception as e:  # noqa: BLE001 - reported; the next ingest tries again
        report.failed.append(Failure(source="entities", stage="entities", reason=f"{type(e).__name__}: {e}"))


def compact(arc, report: IngestReport) -> None:
    """Compact the store after a bulk load; what was stored stays stored if this fails."""
    try:
        arc.store.compact()
    except Exception as e:
        report.failed.append(Failure(source="compact", stage="store", reason=f"{type(e).__name__}: {e}"))


def batches(items: Iterable[Page | Failure], size: int, report: IngestReport,
            enricher: Callable[[Article], Article] | None) -> Iterator[list[Article]]:
    """Group the articles of parsed pages into batches; failures go to ``report.failed``."""
    batch: list[Article] = []
    for item in items:
        if isinstance(item, Failure):
            report.failed.append(item)
            continue
        for article in item.articles:
            if article.source is None:
                article.source = item.source
            batch.append(enriched(article, enricher, report) if enricher else article)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def enriched(article: Article, enricher: Callable[[Article], Article], report: IngestReport) -> Article:
    """The enriched article, or the article as parsed (reported) when enrichment fails on it."""
    try:
        return enricher(article)
    except Exception as e:  # one bad article must not stop the batch
        report.failed.append(Failure(source=article.source or article.id or article.headline[:60],
                                     stage="enrich", reason=f"{type(e).__name__}: {e}"))
        return article


def preparers(relate: bool = True) -> dict[str, Callable[[Article], Any]]:
    """The ``prepare`` function of each installed stage that can analyze an article ahead of storing
    it (search analysis, relate features unless ``relate`` is off), by module name."""
    from marsad import relate as relate_stage
    from marsad.search import index

    stages = {"marsad.search.index": index.prepare}
    if relate:
        stages["marsad.relate"] = relate_stage.prepare
    return stages


def prepare(batch: list[Article], stages: dict[str, Callable[[Article], Any]]) -> dict[str, dict[str, Any]]:
    """What each stage computes ahead for ``batch``, by article id (ids are given here as the store
    would give them). A stage that fails on an article is left to compute it again when storing,
    where the fault is reported the usual way."""
    out: dict[str, dict[str, Any]] = {name: {} for name in stages}
    for article in batch:
        article.id = article_id(article)
        for name, fn in stages.items():
            with suppress(Exception):
                out[name][article.id] = fn(article)
    return out


def enricher() -> Callable[[Article], Article]:
    from marsad.enrich import enrich_article

    return enrich_article


@contextmanager
def _progress(show: bool) -> Iterator[Callable[[int], None]]:
    """A rich progress line on stderr (count, articles/s, elapsed), or nothing."""
    if not show:
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import Progress, ProgressColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.0f} articles/s" if speed else "", style="progress.data.speed")

    columns = (SpinnerColumn(), TextColumn("ingesting {task.completed:,} articles"), Rate(),
               TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task("ingest", total=None)
        yield lambda n: bar.advance(task, n)
