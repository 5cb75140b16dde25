"""The client's side of a partitioned job: skip what finished before, run the rest on an executor,
and relate as one single writer.

Relating depends on order: an article joins the stories and copy groups of the articles related
before it, and nothing related is revisited (:mod:`marsad.relate`). Workers finish partitions in
any order, so the client hands articles to the relate stage in the plan's order, which is the
input's: partition k is related once partitions 0 to k-1 are (each with its records in input
order), by this one process, while the workers go on writing. The stories are then those a plain
ingest of the same input makes. One thing differs: a copy group names as its source the member
stored first, and with several writers that is the first committed, not always the first in the input.

A partition of an earlier run of the same job (its client killed) is not run again: its ids come
from the record of finished partitions, and those not related yet are related in their turn.

A partition that fails does not hold back the others: relating passes over it, so that one bad
input in a backfill of years does not leave the rest unrelated. Its committed batches wait,
stored and unrelated, until a rerun of the job completes the partition and relates them, after the
partitions that came later in the input. That is the one case where the stories can differ from a
plain ingest's: those articles join the stories found without them instead of being there first
(they still join by date, text and outlet; see :mod:`marsad.relate.cluster`). The report says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from marsad.model import Failure, IngestReport

if TYPE_CHECKING:
    from marsad.archive import Archive
    from marsad.engine.base import Executor
    from marsad.engine.partition import Partition
    from marsad.engine.work import Job, Outcome


@dataclass(slots=True)
class JobReport(IngestReport):
    partitions: int = 0
    resumed: int = 0  # partitions an earlier run of the same job finished


class _InOrder:
    """Hands the ids of finished partitions to the relate stage in plan order."""

    def __init__(self, arc: Archive, report: IngestReport, relate: bool):
        self.pipeline, self.report, self.relate = arc.pipeline, report, relate
        self.waiting: dict[int, tuple[list[str], dict[str, Any]]] = {}
        self.next = 0
        self.failed: set[int] = set()  # partitions that failed in this run: relating passes over them

    def ready(self, seq: int, ids: list[str], features: dict[str, Any]) -> None:
        if not self.relate:
            return
        self.waiting[seq] = (ids, features)
        self._advance()

    def failed_at(self, seq: int) -> None:
        self.failed.add(seq)
        self._advance()

    def _advance(self) -> None:
        while self.next in self.waiting or self.next in self.failed:
            if self.next in self.waiting:
                self.pipeline.queue(*self.waiting.pop(self.next), self.report)
            self.next += 1


def run(arc: Archive, job: Job, parts: list[Partition], executor: Executor,
        report: JobReport, progress: bool = False) -> JobReport:
    """Run ``job``'s partitions that have not finished before, then relate and finish as the
    pipeline does; every failure goes to the report, and the rest goes on."""
    from marsad.engine import work
    from marsad.engine.partition import with_lines

    done = arc.backend.engine.finished(job.id)
    in_order = _InOrder(arc, report, job.relate)
    todo = []
    for part in parts:
        if part.key in done:
            report.resumed += 1
            report.ids.extend(done[part.key].ids)
            report.failed.extend(Failure(*f) for f in done[part.key].failures)
            in_order.ready(part.seq, done[part.key].ids, {})
        else:
            todo.append(part)
    report.partitions = len(parts)
    with progress_bar(progress, len(parts), report.resumed) as advance:
        for part, outcome in executor.map(work.run, job, with_lines(todo, job.max_bytes)):
            if isinstance(outcome, BaseException):
                reason = f"{type(outcome).__name__}: {outcome}".rstrip(": ")
                report.failed.append(Failure(part.label, "engine", reason))
                in_order.failed_at(part.seq)
                advance(0)
                continue
            _add(report, outcome)
            in_order.ready(part.seq, outcome.ids, outcome.features)
            advance(len(outcome.ids))
    if job.relate and in_order.failed:
        report.failed.append(Failure("relate", "relate", f"{len(in_order.failed):,} failed partition(s) "
                                     "passed over: the others are related; run the same command again "
                                     "to complete them (their articles then join the stories found "
                                     "without them)"))
    arc.pipeline.finish(report, enrich=job.enrich, relate=job.relate)
    return report


def _add(report: JobReport, outcome: Outcome) -> None:
    new, updated, unchanged = outcome.counts
    report.new += new
    report.updated += updated
    report.unchanged += unchanged
    report.ids.extend(outcome.ids)
    report.failed.extend(outcome.failures)
    report.warnings.extend(outcome.warnings)


@contextmanager
def progress_bar(show: bool, total: int, done: int) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr: partitions done of all, articles, articles/s, time left."""
    if not show:
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("partitions"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[articles]:,} articles"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task("job", total=total, completed=done, articles=0)
        count = 0

        def advance(articles: int) -> None:
            nonlocal count
            count += articles
            bar.update(task, advance=1, articles=count)

        yield advance
