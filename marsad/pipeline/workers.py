"""Parse (and enrich) in child processes while this process stores and indexes.

On a machine with two cores this overlaps the two halves of an ingest, so its
speed is that of the slower half rather than the sum of both. With enrichment,
which costs far more than storing, each core gets a worker that takes every
n-th batch; batches are stored in input order all the same, so an ingest gives
the same archive however many workers it had. Batches travel through small
bounded queues, which cap memory; a child stops on its own when the parent dies
(even by ``kill -9``).
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import os
import queue as queues
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from marsad.errors import MarsadError
from marsad.model import Article, Failure, IngestReport
from marsad.pipeline.stages import Prepared, batches, enriched, enricher, keyed, prepare, preparers

_IN_FLIGHT = 4  # batches parsed ahead of the store
_MAX_WORKERS = 4
_POLL = 1.0  # seconds between liveness checks of the other side
_PR_SET_PDEATHSIG = 1  # prctl option (Linux): a signal this process gets when its parent dies
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


def worker_count(enrich: bool) -> int:
    """Parse workers for an ingest: one; with enrichment, which costs far more than storing, one
    per core (up to four), each taking every n-th batch."""
    return min(os.cpu_count() or 1, _MAX_WORKERS) if enrich else 1


def parallel_batches(paths: list[str], size: int, enrich: bool, relate: bool = True,
                     workers: int = 1) -> Iterator[tuple[list[Article], list[Failure], Prepared]]:
    """(articles, failures, prepared) batches, parsed, enriched and analyzed by ``workers`` child
    processes (see :func:`marsad.pipeline.stages.prepare`), in input order."""
    ctx = mp.get_context(_START_METHOD)
    channels = [ctx.Queue(maxsize=_IN_FLIGHT) for _ in range(workers)]
    children = [ctx.Process(target=_produce, name=f"marsad-parse-{k}", daemon=True,
                            args=(paths, size, enrich, relate, ch, os.getpid(), (k, workers)))
                for k, ch in enumerate(channels)]
    for child in children:
        child.start()
    try:
        for n in itertools.count():
            kind, batch, failures, prepared = _receive(channels[n % workers], children[n % workers])
            if kind == "done":  # batch n does not exist: the others have nothing left but failures
                others = [_receive(ch, c) for ch, c in zip(channels, children, strict=True)
                          if ch is not channels[n % workers]]
                yield [], [*failures, *(f for _, _, fs, _ in others for f in fs)], {}
                return
            yield batch, failures, prepared
    finally:
        for child in children:
            if child.is_alive():
                child.terminate()
            child.join()


def _receive(channel, child) -> tuple:
    """The next message of one worker; its error is raised here, where the ingest was called."""
    while True:
        try:
            message = channel.get(timeout=_POLL)
        except queues.Empty:
            if not child.is_alive():
                raise MarsadError(
                    f"the parse worker stopped unexpectedly (exit code {child.exitcode})") from None
            continue
        if message[0] == "error":
            raise message[1]
        return message


def _produce(paths: list[str], size: int, enrich: bool, relate: bool, channel, parent: int,
             shard: tuple[int, int]) -> None:
    """Parse everything, and enrich and prepare batches k, k + n, k + 2n...; worker 0 alone reports
    the inputs that failed to parse (every worker meets them)."""
    from marsad.parse import iter_pages

    _die_with(parent)
    k, n = shard
    parsing, report = IngestReport(), IngestReport()
    stages, enrich_fn = preparers(relate), enricher() if enrich else None
    try:
        for i, batch in enumerate(batches(iter_pages(paths), size, parsing, None)):
            if i % n == k:
                if enrich_fn is not None:
                    batch = [enriched(a, enrich_fn, report) for a in batch]
                keyed(batch)
                prepared = prepare(batch, stages)
                _send(channel, ("batch", batch, _failures(parsing, report, k), prepared), parent)
        _send(channel, ("done", [], _failures(parsing, report, k), {}), parent)
    except Exception as e:  # handed to the parent, which raises it where the ingest was called
        error = e if isinstance(e, MarsadError) else RuntimeError(f"{type(e).__name__}: {e}")
        _send(channel, ("error", error, _failures(parsing, report, k), {}), parent)


def _die_with(parent: int) -> None:
    """End this worker as soon as ``parent`` dies, even mid-page (a killed ingest must not leave
    workers parsing for nobody): the kernel's parent-death signal on Linux, a watching thread elsewhere."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl")
    except (OSError, AttributeError):
        threading.Thread(target=_watch, args=(parent,), daemon=True, name="marsad-parent-watch").start()
    if os.getppid() != parent:  # died before the signal was armed
        os._exit(1)


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_POLL / 4)
    os._exit(1)


def _failures(parsing: IngestReport, report: IngestReport, k: int) -> list[Failure]:
    """The failures not sent yet (parse failures from worker 0 only), and forget them."""
    out = (parsing.failed if k == 0 else []) + report.failed
    parsing.failed, report.failed = [], []
    return out


def _send(channel, item, parent: int) -> None:
    while True:
        try:
            channel.put(item, timeout=_POLL)
            return
        except queues.Full:
            if os.getppid() != parent:  # the parent is gone: nobody will read this
                os._exit(1)
