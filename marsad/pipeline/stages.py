"""The steps of the ingest pipeline before storing: group parsed pages into batches, enrich,
give entity mentions their keys, and let the search and relate stages analyze ahead.

All of it is pure (no archive), so that the parse workers (:mod:`marsad.pipeline.workers`)
run it while the storing process writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from marsad.archive.base import article_id
from marsad.model import Article, Failure, IngestReport, Page

# What stages computed ahead for a batch: {stage: {article id: value}}, stage "search" or "relate".
Prepared = dict[str, dict[str, Any]]


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


def enricher() -> Callable[[Article], Article]:
    from marsad.enrich import enrich_article

    return enrich_article


def keyed(batch: Iterable[Article], fresh: bool = False) -> None:
    """Give every entity mention and quote of the batch its entity key where it has none (articles
    that came enriched from elsewhere; ``fresh``: all of them, after the naming rules changed)."""
    from marsad.enrich.canonical import with_keys

    for article in batch:
        if article.entities:
            article.entities = with_keys(article.entities, fresh)
        if article.quotes:
            article.quotes = with_keys(article.quotes, fresh)


def preparers(relate: bool = True) -> dict[str, Callable[[Article], Any]]:
    """The ``prepare`` function of each stage that can analyze an article ahead of storing it
    (search analysis, relate features unless ``relate`` is off), by stage."""
    from marsad import relate as relate_stage
    from marsad.search import index

    stages = {"search": index.prepare}
    if relate:
        stages["relate"] = relate_stage.prepare
    return stages


def prepare(batch: list[Article], stages: dict[str, Callable[[Article], Any]]) -> Prepared:
    """What each stage computes ahead for ``batch``, by article id (ids are given here as the store
    would give them). A stage that fails on an article is left to compute it again when storing,
    where the fault is reported the usual way."""
    out: Prepared = {name: {} for name in stages}
    for article in batch:
        article.id = article_id(article)
        for name, fn in stages.items():
            with suppress(Exception):
                out[name][article.id] = fn(article)
    return out


@contextmanager
def progress_bar(show: bool) -> Iterator[Callable[[int], None]]:
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
