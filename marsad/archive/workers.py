"""Parse (and enrich) in a child process while this process stores and indexes.

On a machine with two cores this overlaps the two halves of an ingest, so its
speed is that of the slower half rather than the sum of both. Batches travel
through a small bounded queue, which caps memory; the child stops on its own
when the parent dies (even by ``kill -9``).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue as queues
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from marsad.errors import MarsadError
from marsad.model import Article, Failure, IngestReport

_IN_FLIGHT = 4  # batches parsed ahead of the store
_POLL = 1.0  # seconds between liveness checks of the other side
# Inputs smaller than this are parsed in-process: a child costs ~0.5 s to start.
_WORTH_BYTES = {False: 4 * 2**20, True: 256 * 2**10}  # without, with enrichment (much slower per byte)


# Fork on Linux: a spawned child re-runs the caller's main script, which breaks library use from
# scripts without a __main__ guard and from standard input. The child only parses; it never touches
# the parent's archive connection and leaves by os._exit, so nothing inherited is flushed twice.
_START_METHOD = "fork" if sys.platform.startswith("linux") else "spawn"


def worth_a_worker(paths: list[str], enrich: bool) -> bool:
    """Whether the inputs are big enough, and the machine has the cores, for a parse worker."""
    if (os.cpu_count() or 1) < 2:
        return False
    total = 0
    for p in map(Path, paths):
        files = [p] if p.is_file() else (f for f in p.rglob("*") if f.is_file()) if p.is_dir() else []
        for f in files:
            total += f.stat().st_size
            if total >= _WORTH_BYTES[enrich]:
                return True
    return False


def parallel_batches(paths: list[str], size: int, enrich: bool, relate: bool = True
                     ) -> Iterator[tuple[list[Article], list[Failure], dict[str, dict[str, Any]]]]:
    """(articles, failures, prepared) batches, parsed, enriched and analyzed by a child process
    (see :func:`marsad.archive.ingest.prepare`)."""
    ctx = mp.get_context(_START_METHOD)
    channel = ctx.Queue(maxsize=_IN_FLIGHT)
    child = ctx.Process(target=_produce, args=(paths, size, enrich, relate, channel, os.getpid()),
                        daemon=True, name="marsad-parse")
    child.start()
    try:
        while True:
            try:
                kind, payload, failures, prepared = channel.get(timeout=_POLL)
            except queues.Empty:
                if not child.is_alive():
                    raise MarsadError(
                        f"the parse worker stopped unexpectedly (exit code {child.exitcode})") from None
                continue
            if kind == "error":
                raise payload
            yield payload, failures, prepared
            if kind == "done":
                return
    finally:
        if child.is_alive():
            child.terminate()
        child.join()


def _produce(paths: list[str], size: int, enrich: bool, relate: bool, channel, parent: int) -> None:
    from marsad.archive.ingest import batches, enricher, prepare, preparers
    from marsad.parse import iter_pages

    report = IngestReport()
    stages = preparers(relate)
    try:
        for batch in batches(iter_pages(paths), size, report, enricher() if enrich else None):
            _send(channel, ("batch", batch, report.failed, prepare(batch, stages)), parent)
            report.failed = []
        _send(channel, ("done", [], report.failed, {}), parent)
    except Exception as e:  # handed to the parent, which raises it where the ingest was called
        error = e if isinstance(e, MarsadError) else RuntimeError(f"{type(e).__name__}: {e}")
        _send(channel, ("error", error, report.failed, {}), parent)


def _send(channel, item, parent: int) -> None:
    while True:
        try:
            channel.put(item, timeout=_POLL)
            return
        except queues.Full:
            if os.getppid() != parent:  # the parent is gone: nobody will read this
                os._exit(1)
