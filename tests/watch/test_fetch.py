"""The polite fetcher against real news sites on loopback, with a fake clock: pacing is read from the
sites' request logs (each request stamped with the clock when it arrived), never from wall-clock time."""

from __future__ import annotations

import asyncio
import socket
import threading
from itertools import pairwise

import pytest

from marsad import __version__
from marsad.settings import WatchSettings
from marsad.watch import robots
from marsad.watch.fetch import Fetcher

SETTINGS = WatchSettings(contact_url="https://example.org/marsad-contact", host_interval=1.0, timeout=10.0,
                         max_bytes=1024 * 1024, max_redirects=5, retries=2, backoff=2.0)


def fetch(clock, *urls, settings=SETTINGS, **headers):
    """GET each URL in turn with one Fetcher."""
    async def run():
        async with Fetcher(settings, clock=clock) as fetcher:
            return [await fetcher.get(url, **headers) for url in urls]
    return asyncio.run(run())


class Session:
    """One Fetcher kept over several steps of a test (its robots.txt cache and pauses with it)."""

    def __init__(self, clock, settings=SETTINGS):
        self.loop = asyncio.new_event_loop()
        self.fetcher = Fetcher(settings, clock=clock)

    def get(self, *urls, **headers):
        return [self.loop.run_until_complete(self.fetcher.get(url, **headers)) for url in urls]

    def close(self):
        self.loop.run_until_complete(self.fetcher.aclose())
        self.loop.close()


@pytest.fixture
def session(clock):
    kept = Session(clock)
    yield kept
    kept.close()


def gaps(hits) -> list[float]:
    return [b.at - a.at for a, b in pairwise(hits)]


def test_user_agent_names_marsad_its_version_and_contact(news_site, clock):
    [result] = fetch(clock, news_site.url("/rss.xml"))
    assert result.ok and result.status == 200 and result.body.startswith(b"<?xml")
    agent = news_site.hits("/rss.xml")[0].headers["user-agent"]
    assert f"marsad/{__version__}" in agent and "https://example.org/marsad-contact" in agent


def test_conditional_get_sends_validators_verbatim_and_304_costs_nothing(news_site, clock):
    [first] = fetch(clock, news_site.url("/rss.xml"))
    assert first.etag and first.last_modified
    [again] = fetch(clock, news_site.url("/rss.xml"), etag=first.etag, last_modified=first.last_modified)
    assert again.ok and again.not_modified and again.status == 304 and again.body is None
    sent = news_site.hits("/rss.xml")[1].headers
    assert sent["if-none-match"] == first.etag and sent["if-modified-since"] == first.last_modified
    assert news_site.hits("/rss.xml")[1].sent == 0
    news_site.publish(3)  # the next round: the feed changed
    [changed] = fetch(clock, news_site.url("/rss.xml"), etag=first.etag, last_modified=first.last_modified)
    assert changed.status == 200 and not changed.not_modified and changed.etag != first.etag


def test_validators_of_a_site_whose_newest_article_is_not_in_utc(make_site, clock, ant_articles):
    articles = [dict(a) for a in ant_articles[:3]]
    articles[0]["published"] = "2030-01-01T15:00:00+04:00"
    site = make_site(articles=articles)
    site.publish(3)
    [first] = fetch(clock, site.url("/rss.xml"))
    assert first.last_modified == "Tue, 01 Jan 2030 11:00:00 GMT"
    [again] = fetch(clock, site.url("/rss.xml"), last_modified=first.last_modified)
    assert again.not_modified


def test_last_modified_alone_is_enough(news_site, clock):
    [first] = fetch(clock, news_site.url("/atom.xml"))
    [again] = fetch(clock, news_site.url("/atom.xml"), last_modified=first.last_modified)
    assert again.not_modified
    assert "if-none-match" not in news_site.hits("/atom.xml")[1].headers


def test_host_interval_from_the_end_of_one_request_to_the_next(news_site, clock):
    paths = ["/rss.xml", "/atom.xml", "/news-sitemap.xml", "/section/sport", "/rss.xml"]
    results = fetch(clock, *(news_site.url(p) for p in paths))
    assert all(r.ok for r in results)
    hits = news_site.hits()
    assert [h.path for h in hits] == ["/robots.txt", *paths]  # robots.txt first, once
    assert all(gap >= SETTINGS.host_interval for gap in gaps(hits))


def test_crawl_delay_longer_than_the_interval_wins(make_site, clock):
    site = make_site(crawl_delay=3)
    site.publish(5)
    fetch(clock, *(site.url(p) for p in ["/rss.xml", "/atom.xml", "/news-sitemap.xml"]))
    after_robots = site.hits()[1:]
    assert len(after_robots) == 3 and all(gap >= 3 for gap in gaps(after_robots))
    assert all(gap < 3 + 1e-6 for gap in gaps(after_robots))  # and no longer: the fake clock is exact


def test_one_request_at_a_time_per_host_even_when_asked_at_once(news_site, clock):
    news_site.serve("/rss.xml", delay=0.05, times=4)  # slow answers would overlap if sent together

    async def run():
        async with Fetcher(SETTINGS, clock=clock) as fetcher:
            return await asyncio.gather(*(fetcher.get(news_site.url("/rss.xml")) for _ in range(4)))
    assert all(r.ok for r in asyncio.run(run()))
    assert news_site.max_in_flight == 1
    assert all(gap >= SETTINGS.host_interval for gap in gaps(news_site.hits()))


def test_hosts_are_fetched_concurrently(make_site, clock):
    # Each site holds its answer until both requests have arrived: serial fetching could never finish.
    both = threading.Barrier(2, timeout=10)
    sites = [make_site(host=f"127.0.0.{n}") for n in (1, 2)]
    for site in sites:
        site.publish(3)
        site.serve("/rss.xml", barrier=both)

    async def run():
        async with Fetcher(SETTINGS, clock=clock) as fetcher:
            return await asyncio.gather(*(fetcher.get(site.url("/rss.xml")) for site in sites))
    results = asyncio.run(run())
    assert [r.error for r in results] == [None, None]


def test_no_more_requests_at_once_than_connections(make_site, clock):
    sites = [make_site(host=f"127.0.0.{n}") for n in (1, 2, 3)]
    for site in sites:
        site.publish(3)
        site.serve("/rss.xml", delay=0.1)  # slow enough to overlap, were they sent together
    settings = WatchSettings(host_interval=1.0, connections=1)

    async def run():
        async with Fetcher(settings, clock=clock) as fetcher:
            return await asyncio.gather(*(fetcher.get(site.url("/rss.xml")) for site in sites))
    assert all(r.ok for r in asyncio.run(run()))
    spans = sorted((h.began, h.answered) for site in sites for h in site.hits())
    assert len(spans) == 6 and all(end <= start for (_, end), (start, _) in pairwise(spans))


def test_a_disallowed_url_is_never_requested(news_site, clock):
    [result] = fetch(clock, news_site.url("/private/report.html"))
    assert result.error_kind == "robots" and "robots.txt" in result.error
    assert result.status is None and result.body is None
    assert [h.path for h in news_site.hits()] == ["/robots.txt"]


def test_robots_txt_is_cached_then_read_again_when_stale(news_site, clock, session):
    session.get(news_site.url("/rss.xml"), news_site.url("/atom.xml"))
    news_site.robots = "User-agent: *\nDisallow: /rss.xml\n"
    clock.advance(robots.FRESH_SECONDS - 10)  # (the pacing of the first GETs moved the clock by 2 s)
    [cached] = session.get(news_site.url("/rss.xml"))
    assert cached.ok and len(news_site.hits("/robots.txt")) == 1
    clock.advance(10)
    [stale] = session.get(news_site.url("/rss.xml"))
    assert stale.error_kind == "robots" and len(news_site.hits("/robots.txt")) == 2


def test_a_missing_robots_txt_allows_everything(news_site, clock):
    news_site.serve("/robots.txt", status=404, body=b"not here")
    [result] = fetch(clock, news_site.url("/private/x"))
    assert result.ok and news_site.hits("/private/x")


@pytest.mark.parametrize("status, headers, kind, wait", [
    (500, {}, "robots", robots.UNREACHABLE_SECONDS),
    (503, {}, "robots", robots.UNREACHABLE_SECONDS),
    (429, {"Retry-After": "60"}, "retry-after", 60),  # a request to slow down, as on any other page
])
def test_a_failing_robots_txt_keeps_us_away_then_is_asked_again(news_site, clock, session, status, headers,
                                                               kind, wait):
    news_site.serve("/robots.txt", status=status, headers=headers, body=b"oops", times=1)
    # The whole host waits; robots.txt is not asked again before the wait is over.
    results = session.get(news_site.url("/rss.xml"), news_site.url("/atom.xml"))
    clock.advance(wait - 10)
    results += session.get(news_site.url("/rss.xml"))
    assert all(r.error_kind == kind and "\n" not in r.error for r in results)
    assert results[0].retry_after == (wait if kind == "retry-after" else None)
    assert [h.path for h in news_site.hits()] == ["/robots.txt"]
    clock.advance(10)
    [result] = session.get(news_site.url("/rss.xml"))
    assert result.ok
    assert [h.path for h in news_site.hits()] == ["/robots.txt", "/robots.txt", "/rss.xml"]


def test_a_redirected_robots_txt_is_followed(make_site, clock):
    site = make_site(host="127.0.0.1")
    rules_home = make_site(host="127.0.0.2", robots="User-agent: *\nDisallow: /rss")
    site.publish(2)
    site.redirect("/robots.txt", rules_home.url("/robots.txt"))
    rss, atom = fetch(clock, site.url("/rss.xml"), site.url("/atom.xml"))
    assert rss.error_kind == "robots" and atom.ok


def test_robots_txt_is_read_per_host(make_site, clock):
    open_site = make_site(host="127.0.0.1")
    closed = make_site(host="127.0.0.2", robots="User-agent: *\nDisallow: /\n")
    open_site.publish(2)
    closed.publish(2)
    first, second = fetch(clock, open_site.url("/rss.xml"), closed.url("/rss.xml"))
    assert first.ok and second.error_kind == "robots"
    assert [h.path for h in closed.hits()] == ["/robots.txt"]


def test_redirects_are_followed_to_the_page(news_site, clock):
    news_site.redirect("/feed", "/old-feed.xml", status=301)
    news_site.redirect("/old-feed.xml", news_site.url("/rss.xml"), status=302)
    [result] = fetch(clock, news_site.url("/feed"))
    assert result.ok and result.url == news_site.url("/feed")
    assert result.final_url == news_site.url("/rss.xml")
    assert result.body.startswith(b"<?xml")
    assert all(gap >= SETTINGS.host_interval for gap in gaps(news_site.hits()))  # each hop is paced


def test_at_most_max_redirects(news_site, clock):
    for n in range(6):
        news_site.redirect(f"/r{n}", f"/r{n + 1}")
    news_site.redirect("/r6", "/rss.xml")
    [too_many] = fetch(clock, news_site.url("/r0"))
    assert too_many.error_kind == "redirects" and "more than 5 redirects" in too_many.error
    assert len(news_site.hits()) == 1 + 6  # robots.txt, then r0 … r5: r6 is never asked
    [five] = fetch(clock, news_site.url("/r2"))
    assert five.ok and five.final_url == news_site.url("/rss.xml")


def test_a_redirect_loop_stops_at_once(news_site, clock):
    news_site.redirect("/a", "/b")
    news_site.redirect("/b", "/a")
    [result] = fetch(clock, news_site.url("/a"))
    assert result.error_kind == "redirects" and "loop" in result.error
    assert [h.path for h in news_site.hits()] == ["/robots.txt", "/a", "/b"]


def test_a_redirect_to_another_host_obeys_that_hosts_robots_txt(make_site, clock):
    home = make_site(host="127.0.0.1")
    elsewhere = make_site(host="127.0.0.2", robots="User-agent: *\nDisallow: /private/\n")
    elsewhere.publish(3)
    home.redirect("/moved", elsewhere.url("/rss.xml"))
    home.redirect("/sneaky", elsewhere.url("/private/rss.xml"))
    moved, sneaky = fetch(clock, home.url("/moved"), home.url("/sneaky"))
    assert moved.ok and moved.final_url == elsewhere.url("/rss.xml")
    assert sneaky.error_kind == "robots" and sneaky.final_url == elsewhere.url("/private/rss.xml")
    assert [h.path for h in elsewhere.hits()] == ["/robots.txt", "/rss.xml"]


def test_a_redirect_to_a_non_web_address_is_refused(news_site, clock):
    news_site.redirect("/x", "file:///etc/passwd")
    [result] = fetch(clock, news_site.url("/x"))
    assert result.error_kind == "redirects" and "non-web" in result.error


def test_429_with_retry_after_pauses_the_host_and_only_that_host(make_site, clock):
    busy, calm = make_site(host="127.0.0.1"), make_site(host="127.0.0.2")
    busy.publish(3)
    calm.publish(3)
    busy.serve("/rss.xml", status=429, headers={"Retry-After": "120"}, times=1)

    async def run():
        async with Fetcher(SETTINGS, clock=clock) as fetcher:
            first = await fetcher.get(busy.url("/rss.xml"))
            during = await fetcher.get(busy.url("/atom.xml"))  # another page of the paused host
            other = await fetcher.get(calm.url("/rss.xml"))
            clock.advance(120)
            after = await fetcher.get(busy.url("/rss.xml"))
            return first, during, other, after
    first, during, other, after = asyncio.run(run())
    assert first.error_kind == "retry-after" and first.status == 429 and first.retry_after == 120
    assert during.error_kind == "retry-after" and 0 < during.retry_after <= 120
    assert other.ok and after.ok
    assert [h.path for h in busy.hits()] == ["/robots.txt", "/rss.xml", "/rss.xml"]  # /atom.xml never asked
    assert busy.hits()[2].at - busy.hits()[1].at >= 120


def test_retry_after_as_a_date_and_503(news_site, clock):
    news_site.serve("/rss.xml", status=503, times=1, headers={
        "Date": "Mon, 07 Dec 2026 10:00:00 GMT", "Retry-After": "Mon, 07 Dec 2026 10:05:00 GMT"})
    [result] = fetch(clock, news_site.url("/rss.xml"))
    assert result.error_kind == "retry-after" and result.retry_after == 300
    assert len(news_site.hits("/rss.xml")) == 1  # a 503 that names a time is not retried sooner


def test_5xx_is_retried_with_backoff(news_site, clock):
    news_site.serve("/rss.xml", status=502, body=b"bad gateway", times=2)
    [result] = fetch(clock, news_site.url("/rss.xml"))
    assert result.ok and result.status == 200
    hits = news_site.hits("/rss.xml")
    assert len(hits) == 3
    assert gaps(hits)[0] >= SETTINGS.backoff and gaps(hits)[1] >= 2 * SETTINGS.backoff


def test_a_lasting_5xx_gives_one_readable_line(news_site, clock):
    news_site.serve("/rss.xml", status=500, body=b"<html>trace...</html>")
    [result] = fetch(clock, news_site.url("/rss.xml"))
    assert result.error_kind == "http" and result.status == 500 and result.body is None
    assert result.error == f"{news_site.url('/rss.xml')}: HTTP 500 Internal Server Error"
    assert len(news_site.hits("/rss.xml")) == SETTINGS.retries + 1


def test_4xx_is_not_retried(news_site, clock):
    [result] = fetch(clock, news_site.url("/no-such-page.html"))
    assert result.error_kind == "http" and result.status == 404 and "\n" not in result.error
    assert len(news_site.hits("/no-such-page.html")) == 1


def test_timeouts_are_retried_then_reported(news_site, clock):
    # The server holds its answer for 2 s; the fetcher gives up after 0.2 s, twice.
    settings = WatchSettings(host_interval=1.0, timeout=0.2, retries=1, backoff=2.0)
    news_site.serve("/rss.xml", delay=2.0)
    [result] = fetch(clock, news_site.url("/rss.xml"), settings=settings)
    assert result.error_kind == "timeout" and "0.2 s" in result.error and "2 tries" in result.error
    assert len(news_site.hits("/rss.xml")) == 2


def test_a_server_that_trickles_is_timed_out_as_a_whole(news_site, clock):
    # Each piece comes well within the timeout; the whole body would take seconds.
    settings = WatchSettings(host_interval=1.0, timeout=0.3, retries=0)
    news_site.serve("/rss.xml", stream=1024 * 1024, drip=0.02)
    [result] = fetch(clock, news_site.url("/rss.xml"), settings=settings)
    assert result.error_kind == "timeout" and result.body is None
    assert 0 < news_site.hits("/rss.xml")[0].sent < 1024 * 1024


def test_a_body_above_the_cap_is_refused_from_its_length(news_site, clock):
    news_site.serve("/big.xml", body=b"x" * (SETTINGS.max_bytes + 1))
    [result] = fetch(clock, news_site.url("/big.xml"))
    assert result.error_kind == "size" and result.body is None and "cap" in result.error


def test_a_50_mb_stream_without_a_length_is_cut_off(news_site, clock):
    news_site.serve("/huge.xml", stream=50 * 1024 * 1024)
    [result] = fetch(clock, news_site.url("/huge.xml"))
    assert result.error_kind == "size" and "stopped reading" in result.error
    # The fetcher hung up: the server could not write the 50 MB (kernel buffers hold a few MB at most).
    assert news_site.hits("/huge.xml")[0].sent < 20 * 1024 * 1024


def test_a_dropped_connection_is_retried_then_a_network_error(news_site, clock):
    news_site.serve("/rss.xml", drop=True, times=1)
    news_site.serve("/atom.xml", drop=True)
    recovered, dropped = fetch(clock, news_site.url("/rss.xml"), news_site.url("/atom.xml"))
    assert recovered.ok and len(news_site.hits("/rss.xml")) == 2
    assert dropped.error_kind == "network" and "3 tries" in dropped.error and "\n" not in dropped.error
    assert len(news_site.hits("/atom.xml")) == SETTINGS.retries + 1


def test_an_unreachable_host_is_not_fetched(clock):
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    [result] = fetch(clock, f"http://127.0.0.1:{port}/rss.xml")
    # robots.txt could not be read: the host is unreachable, so nothing is fetched.
    assert result.error_kind == "robots" and "ConnectError" in result.error


def test_not_a_web_url(clock):
    [result] = fetch(clock, "ftp://example.org/feed.xml")
    assert result.error_kind == "url" and "ftp://example.org/feed.xml" in result.error
