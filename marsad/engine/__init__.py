"""Batch jobs on an engine: a backfill (``marsad ingest --engine dask``) and a re-enrichment
(``marsad reenrich``), split into partitions that workers run on their own.

- :mod:`~marsad.engine.partition`: the plan, by file and by record or byte range (or key range of
  stored articles); no worker reads another's records.
- :mod:`~marsad.engine.work`: a worker's part: parse, enrich, analyze ahead for search and relating,
  store in batches (idempotent upserts keyed by article id and content hash), record the partition.
- :mod:`~marsad.engine.job`: the client's part: skip the partitions finished before, run the others,
  relate in input order as the one writer of the relate state, merge entities.
- :mod:`~marsad.engine.base`: the executor interface; :mod:`~marsad.engine.local` runs here,
  :mod:`~marsad.engine.dask` on Dask (an optional extra, imported only when asked for).

Running the same command again after the client was killed runs only the partitions not recorded as
finished; a partition whose worker was killed is run again, and its committed batches come back
unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from marsad.errors import EngineError
from marsad.pipeline import BATCH_SIZE

if TYPE_CHECKING:
    from marsad.engine.base import Executor
    from marsad.engine.job import JobReport
    from marsad.engine.partition import Partition
    from marsad.engine.work import Job
    from marsad.model import Failure

ENGINES = ("local", "dask")
PARTITION = 2000  # records, files or keys per partition: a few batches, so a redone partition costs little


def executor(engine: str, workers: int | None = None, scheduler: str | None = None) -> Executor:
    """The executor of ``engine`` ("local" or "dask"): Dask on ``workers`` local processes, or on the
    cluster of the scheduler at ``scheduler``."""
    if engine == "dask":
        from marsad.engine.dask import DaskExecutor

        return DaskExecutor(workers, scheduler)
    if workers or scheduler:
        raise EngineError("--workers and --scheduler go with --engine dask")
    from marsad.engine.local import LocalExecutor

    return LocalExecutor()


def ingest(db: str | os.PathLike | None, paths: Iterable[str | os.PathLike], runner: Executor, *,
           enrich: bool = True, relate: bool = True, progress: bool = False,
           partition: int = PARTITION, batch: int = BATCH_SIZE) -> JobReport:
    """Ingest ``paths`` into the archive ``db`` on ``runner``'s workers (see the module's notes);
    ``partition`` records per partition, ``batch`` articles per unit of work."""
    from marsad.engine import job as jobs
    from marsad.parse.folders import skipped_files

    paths = [os.fspath(p) for p in paths]
    job, parts, failures = ingest_plan(db, paths, enrich=enrich, relate=relate, partition=partition,
                                       batch=batch)
    report = jobs.JobReport(failed=failures, skipped=[str(p) for p in skipped_files(paths)])
    return _run(job.db, job, parts, runner, report, progress)


def ingest_plan(db: str | os.PathLike | None, paths: Iterable[str | os.PathLike], *, enrich: bool = True,
                relate: bool = True, partition: int = PARTITION,
                batch: int = BATCH_SIZE) -> tuple[Job, list[Partition], list[Failure]]:
    """The job an ingest of ``paths`` is (its id names its record of finished partitions: the same
    command has the same id), its partitions, and the inputs that cannot be read."""
    from marsad.engine.partition import plan
    from marsad.engine.work import Job, enrichment_version
    from marsad.settings import load

    settings = load(db)
    parts, failures = plan([os.fspath(p) for p in paths], partition)
    limit = settings.max_page_bytes
    what = ["ingest", enrich and enrichment_version(), relate, limit, [p.key for p in parts]]
    job = Job("ingest", _worker_db(settings.db), _digest(what), enrich, relate, batch=batch, max_bytes=limit)
    return job, parts, failures


def reenrich(db: str | os.PathLike | None, runner: Executor, *, since: str | None = None,
             progress: bool = False, partition: int = PARTITION) -> JobReport:
    """Enrich the stored articles (published on or after ``since``) again, after a change of model or
    tables; analysts' entity corrections hold for what it finds, and the entities relating keeps are
    rewritten (stories and copies, made from text and dates, stay as related).

    The job is the enrichment's version, ``since`` and ``partition``: run again, it does the key ranges
    not finished, and the ranges of articles stored since its first run (stored after a finished
    range's last article, an article was enriched by its own ingest, with the same version)."""
    from marsad.archive import open_archive
    from marsad.engine import job as jobs
    from marsad.engine.partition import key_ranges
    from marsad.engine.work import Job, enrichment_version
    from marsad.settings import load

    settings = load(db)
    with open_archive(settings.db) as arc:
        span = arc.backend.engine.key_span(since)
    parts = key_ranges(span, partition)
    what = ["reenrich", enrichment_version(), since, partition]
    job = Job("reenrich", _worker_db(settings.db), _digest(what), relate=False, since=since)
    return _run(settings.db, job, parts, runner, jobs.JobReport(), progress)


def _run(db, job, parts, runner, report, progress) -> JobReport:
    from marsad.archive import open_archive
    from marsad.engine import job as jobs

    with open_archive(db) as arc:
        return jobs.run(arc, job, parts, runner, report, progress)


def _worker_db(db) -> str:
    """The archive as workers name it: a server URL, or the file's absolute path."""
    from marsad.settings import is_server

    return str(db) if is_server(db) else str(Path(db).resolve())


def _digest(what: list) -> str:
    return hashlib.blake2b(json.dumps(what, default=str).encode(), digest_size=16).hexdigest()
