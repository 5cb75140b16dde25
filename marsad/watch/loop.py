"""The rounds of ``marsad watch``: fetch the due sources, fetch the article pages they newly link
to, and store those through the archive's ingest pipeline (parse, enrich, store, copies and
stories), then let the alerts see the new articles.

Every change of state is one unit of work that ends before the next fetch is awaited: a source's
new validators with the links it brought, or an article page's articles with the URL marked
fetched and the day's counts. A signal (:meth:`Watcher.stop`) lets the article being stored
finish and drops the fetches in flight; their URLs stay pending, so the next round, in this
process or after a restart, goes on where this one stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import signal
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from marsad.errors import InputError, MarsadError
from marsad.model import Discovery, Failure, FetchResult, IngestReport, Link, RoundReport, Source, SourceDay
from marsad.watch import sources as src

if TYPE_CHECKING:
    import httpx

    from marsad.archive import Archive
    from marsad.settings import Settings
    from marsad.watch.fetch import Clock, Fetcher

TRIES = 3  # fetches of an article page that failed for a reason that may mend, before it is given up
PER_HOST = 100  # article pages fetched from one host in one round: a round stays minutes long
SITEMAPS = 3  # the newest sitemaps of a sitemap index read in a round
IDLE = 60.0  # seconds: the longest wait between rounds (sources added meanwhile are seen then)
# Failures of an article page that trying again will not mend.
_FINAL_KINDS = {"robots", "size", "redirects"}


def check(settings: Settings) -> None:
    """Refuse settings a watch cannot run with: one readable line (InputError)."""
    w = settings.watch
    wrong = [(w.host_interval < 0, "MARSAD_HOST_INTERVAL must be 0 or more seconds"),
             (w.timeout <= 0, "MARSAD_FETCH_TIMEOUT must be more than 0 seconds"),
             (w.max_bytes <= 0, "MARSAD_FETCH_MAX_BYTES must be more than 0"),
             (not 0 <= w.max_redirects <= 20, "max_redirects must be between 0 and 20"),
             (not w.contact_url.startswith(("http://", "https://", "mailto:")),
              "MARSAD_CONTACT_URL must be an http(s) or mailto: address")]
    for bad, message in wrong:
        if bad:
            raise InputError(f"bad setting: {message}")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Watcher:
    """Rounds over one archive. ``clock`` gives the time rounds record; ``pacing`` is the fetcher's
    clock (:class:`marsad.watch.fetch.Clock`), ``transport`` its HTTP transport (tests pass their own)."""

    def __init__(self, arc: Archive, settings: Settings, *, clock: Callable[[], datetime] = utcnow,
                 pacing: Clock | None = None, transport: httpx.AsyncBaseTransport | None = None,
                 log: Callable[[RoundReport], Any] = lambda report: print(line(report))):
        check(settings)
        self.arc = arc
        self.settings = settings
        self.clock = clock
        self.pacing = pacing
        self.transport = transport
        self.log = log
        self._stop: asyncio.Event | None = None
        self._fetcher: Fetcher | None = None

    def stop(self) -> None:
        """Finish the article being stored, then stop (a signal handler calls this)."""
        if self._stop is not None:
            self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop is not None and self._stop.is_set()

    async def run(self, rounds: int | None = None, signals: bool = False) -> RoundReport | None:
        """``rounds`` rounds (None: until :meth:`stop`); ``signals``: SIGINT and SIGTERM stop. What an
        earlier run stored but did not relate is related first. The last round's report."""
        from marsad.watch.fetch import Fetcher

        self._stop = asyncio.Event()
        if signals:
            for sig in (signal.SIGINT, signal.SIGTERM):
                asyncio.get_running_loop().add_signal_handler(sig, self.stop)
        self.arc.relate_all()
        report, done = None, 0
        async with Fetcher(self.settings.watch, transport=self.transport, clock=self.pacing) as self._fetcher:
            while True:
                report = await self.round()
                done += 1
                self.log(report)
                if done == rounds or self.stopping:
                    return report
                await self._idle()

    async def round(self) -> RoundReport:
        """Fetch the due sources, then the article pages waiting; store, relate, alert."""
        began = time.monotonic()
        report = RoundReport(started=src.stamp(self.clock()))
        state = self.arc.backend.watch
        polls = [self._poll(s) for s in src.due(state.sources(), self.clock())]
        await self._each(polls, lambda done: self._polled(*done, report))
        following = [s.url for s in state.sources() if src.fetching(s)]
        pages = per_host(state.pending(following, TRIES), PER_HOST)
        if not self.stopping:
            await self._each((self._page(*p) for p in pages), lambda done: self._store(*done, report))
        report.stopped = self.stopping
        self._after(report)
        report.seconds = time.monotonic() - began
        return report

    async def _each(self, jobs: Iterable[Awaitable], handle: Callable[[Any], None]) -> None:
        """Run the jobs at once (the fetcher paces each host); hand each result to ``handle`` as it
        comes, unless stopping: then what is still running is cancelled."""
        running = {asyncio.ensure_future(j) for j in jobs}
        stopper = asyncio.ensure_future(self._stop.wait())
        try:
            while running and not self.stopping:
                done, running = await asyncio.wait(running | {stopper}, return_when=asyncio.FIRST_COMPLETED)
                running.discard(stopper)
                for job in done - {stopper}:
                    if not self.stopping:
                        handle(job.result())
        finally:
            for job in (*running, stopper):
                job.cancel()
            await asyncio.gather(*running, stopper, return_exceptions=True)

    # -- sources ----------------------------------------------------------------------------

    async def _poll(self, source: Source) -> tuple[Source, FetchResult, str | None, Discovery | None]:
        """Fetch a source; read its links when its body changed (a sitemap index: those of its
        newest sitemaps)."""
        from marsad.watch.discover import discover

        result = await self._fetcher.get(source.url, etag=source.etag, last_modified=source.last_modified)
        if result.body is None or result.error:
            return source, result, None, None
        md5 = hashlib.md5(result.body).hexdigest()  # noqa: S324 - tells a changed body, nothing more
        if md5 == source.body_md5:
            return source, result, md5, None
        found = discover(result.body, result.content_type, result.final_url or source.url, expect=source.kind)
        if found.kind == "sitemap-index" and not found.error:
            found.links = await self._sitemaps(found.links)
        return source, result, md5, found

    async def _sitemaps(self, sitemaps: list[Link]) -> list[Link]:
        """The article links of the newest sitemaps a sitemap index lists."""
        from marsad.watch.discover import discover

        newest = sorted(sitemaps, key=lambda s: s.published or "", reverse=True)[:SITEMAPS]
        links = []
        for sitemap in newest:
            result = await self._fetcher.get(sitemap.url)
            if result.body is not None and not result.error:
                links += discover(result.body, result.content_type, sitemap.url, expect="sitemap").links
        return links

    def _polled(self, source: Source, result: FetchResult, md5: str | None, found: Discovery | None,
                report: RoundReport) -> None:
        """A source's state after its fetch, and the new links it brought, in one unit of work."""
        now, state = self.clock(), self.arc.backend.watch
        report.sources += 1
        with self.arc.backend.unit_of_work():
            if result.error or (result.body is None and not result.not_modified):
                src.failed(source, now, result.error_kind or "network", result.error or "no body",
                           status=result.status, retry_after=result.retry_after)
            elif found is None:  # 304, or the same body again
                report.unchanged += 1
                src.succeeded(source, result, now, md5 or source.body_md5)
            elif found.error:
                src.failed(source, now, "feed", f"{source.url}: {found.error}")
            else:
                new = state.discover(source.url, [link.url for link in found.links], src.stamp(now))
                state.count(SourceDay(source.url, now.date().isoformat(), discovered=len(new)))
                report.discovered += len(new)
                source.kind = found.kind
                src.succeeded(source, result, now, md5)
            state.save_source(source)
        if source.consecutive_failures:
            report.failing += 1
            report.problems.append(Failure(source.name, "source", source.last_error or ""))

    # -- article pages ------------------------------------------------------------------------

    async def _page(self, url: str, source: str, tries: int) -> tuple[str, str, int, FetchResult]:
        return url, source, tries, await self._fetcher.get(url)

    def _store(self, url: str, source: str, tries: int, result: FetchResult, report: RoundReport) -> None:
        """Parse, enrich and store one article page with its URL marked fetched, in one unit of work."""
        from marsad.watch.urls import normalize

        now, state = self.clock(), self.arc.backend.watch
        day = SourceDay(source, now.date().isoformat())
        stored = IngestReport()
        articles, why = self._articles(url, result, stored) if result.body is not None else ([], None)
        with self.arc.backend.unit_of_work():
            if articles:
                self.arc.pipeline.store_batch(articles, stored, relate=False)
            if stored.ids:
                final = normalize(result.final_url) if result.final_url else url
                state.fetched(url, source, stored.ids, src.stamp(now), [final] if final != url else [])
                day.fetched, day.stored = 1, len(stored.ids)
            else:
                why = why or result.error or "; ".join(f.reason for f in stored.failed) or "nothing stored"
                final = result.body is not None or result.error_kind in _FINAL_KINDS \
                    or tries + 1 >= TRIES or (result.status or 0) in (404, 410)
                state.failed(url, why, final)
                day.fetched, day.failed = int(result.body is not None), int(final)
            state.count(day)
        report.fetched += day.fetched
        report.stored += day.stored
        report.failed += day.failed
        report.new += stored.new + stored.updated
        report.new_ids.extend(stored.ids if stored.new + stored.updated else [])
        if day.failed:
            report.problems.append(Failure(url, "page", why.removeprefix(f"{url}: ")))

    def _articles(self, url: str, result: FetchResult, report: IngestReport) -> tuple[list, str | None]:
        """The enriched articles of a fetched page, or none and why."""
        from marsad.parse import parse_bytes
        from marsad.pipeline.stages import enriched, enricher

        try:
            page = parse_bytes(result.body, url, result.content_type, max_bytes=self.settings.max_page_bytes)
        except MarsadError as e:
            return [], e.message
        enrich = enricher()
        articles = []
        for article in page.articles:
            article.url = article.url or result.final_url or url
            article.outlet = article.outlet or urlsplit(article.url).netloc
            article.source = url
            articles.append(enriched(article, enrich, report))
        return articles, None

    # -- after the articles ---------------------------------------------------------------------

    def _after(self, report: RoundReport) -> None:
        """Relate what the round stored (copies, stories), merge entities, then the alerts match the
        new articles and deliver what is due."""
        from marsad.watch.alerts import after_round

        related = IngestReport()
        self.arc.pipeline.relate(related)
        report.problems.extend(related.failed)
        steps = [("entities", self.arc.consolidate_entities)] if report.new else []
        steps.append(("alerts", lambda: report.alerts.update(
            after_round(self.arc, report.new_ids, self.clock(), self.settings))))
        for stage, step in steps:
            try:
                step()
            except Exception as e:  # noqa: BLE001 - what is stored stays; the next round tries again
                report.problems.append(Failure(stage, stage, f"{type(e).__name__}: {e}"))

    async def _idle(self) -> None:
        """Wait until a source is due (at most IDLE seconds), or a stop."""
        now = self.clock()
        due = [datetime.fromisoformat(s.next_due) for s in self.arc.backend.watch.sources()
               if src.fetching(s) and s.next_due]
        wait = min([IDLE, *((d - now).total_seconds() for d in due)])
        if wait > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=wait)


def per_host(pages: list[tuple[str, str, int]], most: int) -> list[tuple[str, str, int]]:
    """The first ``most`` pages of each host, in order."""
    seen: dict[str, int] = {}
    kept = []
    for page in pages:
        h = urlsplit(page[0]).netloc
        seen[h] = seen.get(h, 0) + 1
        if seen[h] <= most:
            kept.append(page)
    return kept


def line(report: RoundReport) -> str:
    """The round's one log line."""
    alerts = report.alerts
    parts = [f"{report.started} round: {report.sources} sources fetched ({report.unchanged} unchanged, "
             f"{report.failing} failing)", f"{report.discovered} new links",
             f"{report.fetched} pages fetched", f"{report.stored} stored ({report.new} new)",
             f"{report.failed} failed"]
    if alerts:
        parts.append(f"alerts: {alerts.get('matched', 0)} matched, {alerts.get('delivered', 0)} delivered, "
                     f"{alerts.get('failed', 0)} failed")
    parts.append(f"{report.seconds:.1f} s" + (" (stopped)" if report.stopped else ""))
    return " · ".join(parts)
