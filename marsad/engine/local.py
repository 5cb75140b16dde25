"""Running here. ``marsad ingest`` without ``--engine dask`` is the ingest pipeline
(:mod:`marsad.pipeline`: batches in input order, parse workers in child processes for big inputs);
:class:`LocalExecutor` runs a partitioned job (``marsad reenrich``) in this process, one partition
after another, with the same partitions and record of finished ones as on a cluster."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

P = TypeVar("P")


class LocalExecutor:
    name = "local"
    workers = 1
    dashboard = None

    def map(self, fn: Callable[[Any, P], Any], job: Any, parts: Iterable[P]) -> Iterator[tuple[P, Any]]:
        for part in parts:
            try:
                result = fn(job, part)
            except Exception as e:  # noqa: BLE001 - handed back with its partition, as a cluster does
                result = e
            yield part, result

    def close(self) -> None:
        pass
