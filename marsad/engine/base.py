"""The executor interface: what runs the partitions of a job, here or on a cluster.

An executor takes a function of (job, partition) and the partitions, runs them wherever it runs
work, and hands back each partition with its outcome, or the error that ended it, as each finishes
(in any order). Everything it is given and gives back pickles, and the function is found by name,
so that an executor may run it in other processes or on other machines. Writing the archive is the
function's own business (workers write their batches); the executor only runs it.

:class:`~marsad.engine.local.LocalExecutor` runs the partitions here, one after another;
:class:`~marsad.engine.dask.DaskExecutor` on a Dask cluster. Another engine (Ray) is one more class.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

P = TypeVar("P")


class Executor(Protocol):
    name: str
    workers: int  # how many partitions it runs at once
    dashboard: str | None  # where to watch it work, when it has such a page

    def map(self, fn: Callable[[Any, P], Any], job: Any, parts: Iterable[P]) -> Iterator[tuple[P, Any]]:
        """``fn(job, part)`` for every part; yields (part, its result, or the exception that ended it)
        as each finishes."""
        ...

    def close(self) -> None: ...
