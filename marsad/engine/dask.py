"""Running on Dask (the optional extra ``pip install 'marsad[dask]'``; nothing else imports it).

Without a scheduler address, a local cluster of worker processes (one thread each: parsing and
enriching hold the GIL) on this machine; with ``tcp://HOST:PORT``, the cluster that scheduler runs
(start workers with ``dask worker tcp://HOST:PORT --nthreads 1``; they need marsad installed and
must reach the archive: a PostgreSQL URL, or an SQLite file on a file system they share).

Partitions are submitted a few per worker ahead, not all at once, so that the client holds the
results of a bounded number of them. A worker that dies takes its running partitions with it;
the scheduler runs them again on another worker (up to Dask's ``allowed-failures``), and the batches
they had committed come back unchanged.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from marsad.errors import EngineError

P = TypeVar("P")
_AHEAD = 2  # partitions queued per worker beyond those running
_CONNECT = 15  # seconds to reach a scheduler


class DaskExecutor:
    name = "dask"

    def __init__(self, workers: int | None = None, scheduler: str | None = None):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise EngineError("the Dask engine is not installed: pip install 'marsad[dask]'") from None
        self.cluster = None
        try:
            if scheduler:
                self.client = Client(scheduler, timeout=_CONNECT)
            else:
                self.cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                            processes=True, dashboard_address=":0",
                                            silence_logs=logging.ERROR)
                self.client = Client(self.cluster)
        except OSError as e:
            self.close()
            raise EngineError(f"cannot reach the Dask scheduler at {scheduler} ({e})") from None
        self.workers = max(1, sum(self.client.nthreads().values()))
        services = self.client.scheduler_info().get("services", {})
        self.dashboard = self.client.dashboard_link if "dashboard" in services else None

    def map(self, fn: Callable[[Any, P], Any], job: Any, parts: Iterable[P]) -> Iterator[tuple[P, Any]]:
        from distributed import as_completed

        todo = iter(parts)
        running: dict[Any, P] = {}
        finished = as_completed()

        def fill() -> None:  # a few partitions per worker, as many workers as the cluster has now
            limit = (1 + _AHEAD) * max(1, sum(self.client.nthreads().values()))
            while len(running) < limit and (part := next(todo, None)) is not None:
                future = self.client.submit(fn, job, part, pure=False)
                running[future] = part
                finished.add(future)

        fill()
        for future in finished:
            part = running.pop(future)
            try:
                result = future.result()
            except Exception as e:  # noqa: BLE001 - the partition's error, handed back with it
                result = e
            future.release()
            fill()
            yield part, result

    def close(self) -> None:
        for part in (getattr(self, "client", None), self.cluster):
            if part is not None:
                part.close()
