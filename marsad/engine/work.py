"""What a worker does with one partition: read, parse, enrich, let the search and relate stages
analyze ahead, and store in batches; then record the partition as finished.

Every batch is one unit of work of the archive (the pipeline's :meth:`~marsad.pipeline.Pipeline.store_batch`:
validate, upsert keyed by article id and content hash, index), so a worker killed mid-partition leaves
whole batches only, and the partition run again finds them unchanged: nothing is stored twice. The
partition is recorded (:class:`~marsad.archive.services.EngineState`) after its last batch committed.
Relating is not done here: it is the client's single-writer step (:mod:`marsad.engine.job`).

A worker opens the archive once per thread and keeps it for the partitions that follow.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from marsad.archive.services import Finished
from marsad.model import ENRICH_KEYS, Article, Failure, IngestReport
from marsad.pipeline import BATCH_SIZE
from marsad.pipeline.stages import batches, enriched, enricher, prepare, preparers

if TYPE_CHECKING:
    from marsad.archive import Archive
    from marsad.engine.partition import Partition

_LOCK_WAIT = 600.0  # seconds a worker waits for the archive's write lock (SQLite: other workers, relating)
_local = threading.local()


@dataclass(frozen=True, slots=True)
class Job:
    """A partitioned job: an ``ingest`` of inputs or a ``reenrich`` of stored articles."""

    kind: str
    db: str  # the archive as workers open it: an absolute file path or a server URL
    id: str  # the job's digest: finished partitions are recorded under it
    enrich: bool = True
    relate: bool = True
    since: str | None = None  # reenrich: articles published on or after
    batch: int = BATCH_SIZE
    max_bytes: int = 0


@dataclass(slots=True)
class Outcome:
    """What a partition did, handed back to the client."""

    seq: int
    ids: list[str]
    counts: tuple[int, int, int]
    failures: list[Failure]
    warnings: list[Failure] = field(default_factory=list)
    features: dict[str, Any] = field(default_factory=dict)  # relate features made ahead, by id


def run(job: Job, part: Partition) -> Outcome:
    """Do one partition of ``job`` and record it as finished."""
    arc = _archive(job.db)
    try:
        report, features = (_ingest if job.kind == "ingest" else _reenrich)(arc, job, part)
        counts = (report.new, report.updated, report.unchanged)
        failures = [(f.source, f.stage, f.reason) for f in report.failed]
        arc.backend.engine.finish(job.id, part.key, Finished(part.seq, report.ids, counts, failures))
    except BaseException:
        _forget(job.db)  # a connection that saw a fault is not trusted again
        raise
    return Outcome(part.seq, report.ids, counts, report.failed, report.warnings, features)


def _ingest(arc: Archive, job: Job, part: Partition) -> tuple[IngestReport, dict[str, Any]]:
    from marsad.engine.partition import read
    from marsad.pipeline import Pipeline

    report, features, pipeline = IngestReport(), {}, Pipeline(arc)
    stages = preparers(job.relate)
    for batch in batches(read(part, job.max_bytes), job.batch, report, enricher() if job.enrich else None):
        prepared = prepare(batch, stages)
        pipeline.store_batch(batch, report, prepared, relate=False)
        features.update(prepared.get("relate", {}))
    pipeline.forget_unrelated()
    return report, features


def _reenrich(arc: Archive, job: Job, part: Partition) -> tuple[IngestReport, dict[str, Any]]:
    """Enrich the stored articles of a key range again; their mentions are stored under analysts'
    corrections (the store routes each mention through them), and unchanged enrichment stays as it is.

    Of what relating keeps, only the canonical entities of each article come from enrichment
    (related articles are ranked by shared entities and named by them): they are rewritten here.
    Stories and copy groups are made from the text and the date alone, so they stay as related."""
    from marsad.pipeline import Pipeline
    from marsad.relate.features import entity_names

    report, pipeline, enrich = IngestReport(), Pipeline(arc), enricher()
    stored = arc.backend.engine.between(part.start, part.stop, job.since)
    stages = preparers(relate=False)
    for i in range(0, len(stored), job.batch):
        batch = [enriched(_plain(a), enrich, report) for a in stored[i:i + job.batch]]
        pipeline.store_batch(batch, report, prepare(batch, stages), relate=False)
        # after its batch: a partition cut between the two is run again, and this is too
        arc.backend.engine.relate_entities([(a.id, list(entity_names(a))) for a in batch])
    pipeline.forget_unrelated()
    return report, {}


def _plain(article: Article) -> Article:
    """The article without its stored enrichment."""
    return replace(article, **dict.fromkeys(ENRICH_KEYS))


def _archive(db: str) -> Archive:
    from marsad.archive import open_archive

    archives = _local.__dict__.setdefault("archives", {})
    if db not in archives:
        archives[db] = open_archive(db, timeout=_LOCK_WAIT)
    return archives[db]


def _forget(db: str) -> None:
    arc = _local.__dict__.get("archives", {}).pop(db, None)
    if arc is not None:
        with contextlib.suppress(Exception):  # it is being dropped for a fault already
            arc.close()


@cache
def enrichment_version() -> str:
    """A digest of what enrichment is made of (marsad's version, its models and tables): a
    re-enrichment after any of them changed is a new job."""
    from marsad import __version__

    digest = hashlib.blake2b(__version__.encode(), digest_size=12)
    root = resources.files("marsad.enrich")
    for entry in sorted(_data_files(root), key=lambda e: e[0]):
        digest.update(entry[0].encode())
        digest.update(entry[1].read_bytes())
    return digest.hexdigest()


def _data_files(folder, prefix: str = "") -> list[tuple[str, Any]]:
    out = []
    for entry in folder.iterdir():
        name = prefix + entry.name
        if entry.is_dir() and entry.name != "__pycache__":
            out.extend(_data_files(entry, name + "/"))
        elif entry.is_file() and not entry.name.endswith(".pyc"):
            out.append((name, entry))
    return out
