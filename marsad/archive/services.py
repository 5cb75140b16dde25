"""The storage interfaces of the services above the archive, beside those of
:mod:`marsad.archive.base`, and reached through the same :class:`~marsad.archive.base.Backend`:

- :class:`WatchState` (``backend.watch``): what ``marsad watch`` keeps (sources, article URLs
  fetched, daily counts);
- :class:`AlertState` (``backend.alerts``): saved searches, their matches and their deliveries;
- :class:`EngineState` (``backend.engine``): the partitions of batch jobs that finished
  (:mod:`marsad.engine`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import NamedTuple

from marsad.archive.base import Windows
from marsad.model import Alert, Article, Delivery, Source, SourceDay


class WatchState(ABC):
    """What ``marsad watch`` keeps (:mod:`marsad.watch`): the sources, each article URL they led to
    (normalized; fetched once, across restarts), the source of each stored article, and per source
    per day counts. Each write is one transaction, or joins the unit of work it runs in."""

    # -- sources ------------------------------------------------------------------------

    @abstractmethod
    def add_source(self, source: Source) -> bool:
        """Keep a new source; False (and nothing changed) when one with its URL is kept already."""

    @abstractmethod
    def save_source(self, source: Source) -> None:
        """Write every field of a kept source (found by its URL)."""

    @abstractmethod
    def remove_source(self, url: str) -> bool:
        """Forget a source, its counts and its articles' provenance; False when it was not kept."""

    @abstractmethod
    def sources(self) -> list[Source]:
        """Every source, in the order added."""

    # -- article URLs ------------------------------------------------------------------

    @abstractmethod
    def discover(self, source: str, urls: list[str], at: str) -> list[str]:
        """Remember article URLs a source links to; those never seen before (from any source), in order."""

    @abstractmethod
    def pending(self, sources: list[str], tries: int) -> list[tuple[str, str, int]]:
        """(url, source, failures so far) of the article URLs of ``sources`` not fetched yet, or
        failed fewer than ``tries`` times, in the order discovered."""

    @abstractmethod
    def fetched(self, url: str, source: str, ids: list[str], at: str, also: Iterable[str] = ()) -> None:
        """An article URL fetched: the articles stored from it (none when the page held no news), and
        their source. ``also``: other URLs of the same page (where it redirected), known from now on."""

    @abstractmethod
    def failed(self, url: str, error: str, final: bool) -> None:
        """An article URL that failed; ``final``: never to be tried again."""

    @abstractmethod
    def known(self, urls: list[str]) -> dict[str, str | None]:
        """URL → the article stored from it (None while not fetched, or holding none), for the known ones."""

    @abstractmethod
    def sources_of(self, ids: list[str]) -> dict[str, list[str]]:
        """Article id → the URLs of the sources it came from, for articles that came from one."""

    # -- counts ------------------------------------------------------------------------

    @abstractmethod
    def count(self, day: SourceDay) -> None:
        """Add a source's counts of one day to those kept."""

    @abstractmethod
    def days(self, since: str) -> list[SourceDay]:
        """The kept counts of every day from ``since`` (an ISO date), by source then day."""

    @abstractmethod
    def totals(self) -> dict[str, SourceDay]:
        """Source URL → its counts summed over every day (``day`` "")."""

    @abstractmethod
    def in_archive(self) -> dict[str, int]:
        """Source URL → how many of its articles are now in the archive."""


class LogEntry(NamedTuple):
    """One attempt at a delivery: ``error`` is None when it went out."""

    at: str
    delivery: Delivery
    error: str | None


class AlertState(ABC):
    """What alerts keep (:mod:`marsad.watch.alerts`): the alerts, the articles each one matched (each
    once, whenever it matched), and the deliveries that carry the matches out with every attempt.
    Times are ISO strings in UTC as :func:`marsad.watch.alerts.stamp` writes them, compared as text.
    Writes join the backend's unit of work."""

    # -- alerts -----------------------------------------------------------------------

    @abstractmethod
    def add(self, alert: Alert) -> None:
        """Keep a new alert; :class:`marsad.errors.InputError` when one has its name."""

    @abstractmethod
    def get(self, name: str) -> Alert:
        """The alert; :class:`marsad.errors.NotFound` if there is none of that name."""

    @abstractmethod
    def alerts(self) -> list[Alert]:
        """Every alert, by name."""

    @abstractmethod
    def remove(self, name: str) -> None:
        """Drop an alert and its matches (NotFound if absent); deliveries made stay in the log."""

    @abstractmethod
    def set_digested(self, names: list[str], when: str) -> None:
        """Close the digest period of these alerts at ``when`` (their ``last_digest``)."""

    # -- matches ----------------------------------------------------------------------

    @abstractmethod
    def record(self, name: str, ids: list[str], when: str) -> list[str]:
        """Keep that the alert matched these articles at ``when``; the ids it had not matched
        before, in the order given, once each. What is returned is delivered; the rest never again."""

    @abstractmethod
    def matches(self, name: str, since: str | None = None, until: str | None = None,
                limit: int | None = None) -> list[tuple[str, str]]:
        """(article id, matched at) of the alert's matches, newest first; ``since``/``until`` bound
        the time matched (``until`` excluded)."""

    @abstractmethod
    def match_counts(self, since: str | None = None, until: str | None = None) -> dict[str, int]:
        """Alert name → its matches in the time given (``until`` excluded), for every alert."""

    @abstractmethod
    def match_days(self, name: str) -> list[tuple[str, int]]:
        """(day YYYY-MM-DD, matches) of the alert, oldest first: its matches over time."""

    @abstractmethod
    def unqueued(self, name: str) -> list[str]:
        """Ids of the alert's matches not yet put in a delivery, in the order matched."""

    # -- deliveries -------------------------------------------------------------------

    @abstractmethod
    def enqueue(self, channel: str, target: str, articles: dict[str, list[str]], when: str) -> int:
        """A new pending delivery (alert name → article ids), due at ``when``; those matches are
        queued. Its id."""

    @abstractmethod
    def due(self, when: str) -> list[Delivery]:
        """Pending deliveries whose next try is at or before ``when``, oldest first."""

    @abstractmethod
    def attempted(self, id: int, when: str, error: str | None, next_try: str | None) -> None:
        """Log an attempt at delivery ``id``: sent (no ``error``), failed to be tried again at
        ``next_try``, or failed and given up (an ``error`` and no ``next_try``)."""

    @abstractmethod
    def log(self, limit: int = 50, alert: str | None = None) -> list[LogEntry]:
        """The latest attempts, of the deliveries of ``alert`` when given, newest first."""

    @abstractmethod
    def alert_windows(self, windows: Windows) -> list[tuple[str, int, int]]:
        """(alert name, window, reports it matched) of every alert matching in a window, counted as
        :meth:`Store.window_totals` counts (for what is rising, :mod:`marsad.watch.trends`)."""



class Finished(NamedTuple):
    """What one finished partition of a job did (:mod:`marsad.engine`)."""

    seq: int  # its place in the job's plan
    ids: list[str]  # every article id it stored or found unchanged, in input order
    counts: tuple[int, int, int]  # new, updated, unchanged
    failures: list[tuple[str, str, str]]  # (source, stage, reason)


class EngineState(ABC):
    """What the batch engine keeps: which partitions of a job have finished, so that a job run again
    after its client was killed runs only the others. A partition is recorded after its last batch
    committed; one cut short is run again, and its stored batches come back unchanged."""

    @abstractmethod
    def finished(self, job: str) -> dict[str, Finished]:
        """The finished partitions of ``job``, by partition key."""

    @abstractmethod
    def finish(self, job: str, part: str, done: Finished) -> None:
        """Record a finished partition (its own transaction, or the caller's unit of work)."""

    @abstractmethod
    def key_span(self, since: str | None = None) -> tuple[int, int] | None:
        """The smallest and largest key of the articles published on or after ``since`` (all
        articles when None), or None when there are none."""

    @abstractmethod
    def between(self, low: int, high: int, since: str | None = None) -> list[Article]:
        """The stored articles with keys from ``low`` to ``high`` - 1 (published on or after ``since``),
        by key."""

    @abstractmethod
    def relate_entities(self, entities: list[tuple[str, list[str]]]) -> None:
        """After a re-enrichment: the canonical entity names relating keeps of each article already
        related (related articles are ranked by them and name them as the reason), by article id."""
