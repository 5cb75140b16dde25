"""Rounds of ``marsad watch`` against a real news site on loopback (tests/watch/site.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from marsad.settings import load
from marsad.watch import sources as src
from marsad.watch.loop import Watcher

pytestmark = pytest.mark.backends("sqlite")


class Now:
    """The time rounds record; moved on by hand."""

    def __init__(self):
        self.at = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at

    def later(self, **delta) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def now() -> Now:
    return Now()



def round_of(arc, now, clock, **settings):
    """One round, as ``marsad watch --once`` runs it."""
    settings = load(arc.backend.describe(), **settings)
    watcher = Watcher(arc, settings, clock=now, pacing=clock, log=lambda _: None)
    return asyncio.run(watcher.run(rounds=1))


def counts(report, *names: str) -> tuple:
    return tuple(getattr(report, n) for n in names)


def add(arc, site, path, now, **kw):
    return src.add(arc, site.url(path), settings=load().watch, now=now(), **kw)


def article_hits(site) -> list[str]:
    return [h.path for h in site.hits() if h.path.endswith(".html")]


@pytest.mark.backends("sqlite", "postgres")
def test_a_round_stores_the_new_articles_and_the_next_costs_a_304(arc, news_site, now, clock):
    source = add(arc, news_site, "/rss.xml", now)
    assert source.kind == "rss"
    first = round_of(arc, now, clock)
    assert counts(first, "sources", "discovered", "fetched", "stored", "new", "failed") == (1, *[10] * 4, 0)
    assert arc.count() == 10 and sorted(first.new_ids) == sorted(a.id for a in arc.latest(20))
    stored = arc.latest(1)[0]
    assert stored.url.startswith(news_site.base) and "utm_" not in stored.url and stored.outlet
    kept = arc.backend.watch.sources()[0]
    assert kept.etag and kept.last_modified and kept.status == "ok"
    assert kept.next_due == "2026-03-05T10:15:00Z"
    assert arc.backend.watch.sources_of([stored.id]) == {stored.id: [source.url]}

    now.later(minutes=16)
    second = round_of(arc, now, clock)
    assert counts(second, "sources", "unchanged", "discovered", "fetched", "stored") == (1, 1, 0, 0, 0)
    asked = news_site.hits("/rss.xml")[-1].headers  # the validators sent back verbatim
    assert asked["if-none-match"] == kept.etag and asked["if-modified-since"] == kept.last_modified
    assert len(article_hits(news_site)) == 10 and arc.count() == 10

    news_site.publish(3)
    now.later(minutes=16)
    third = round_of(arc, now, clock)
    assert (third.discovered, third.stored, third.new) == (3, 3, 3)
    assert len(article_hits(news_site)) == 13 and arc.count() == 13


def test_only_due_sources_are_fetched_and_an_article_once_across_sources(arc, news_site, now, clock):
    add(arc, news_site, "/rss.xml", now)
    add(arc, news_site, "/atom.xml", now, every=3600)
    add(arc, news_site, "/news-sitemap.xml", now)
    first = round_of(arc, now, clock)
    assert (first.sources, first.discovered, first.stored) == (3, 10, 10)
    assert len(article_hits(news_site)) == 10  # the same article in three listings, fetched once

    news_site.publish(2)
    now.later(minutes=16)  # the feed and the sitemap are due, the hourly Atom feed is not
    second = round_of(arc, now, clock)
    assert (second.sources, second.discovered, second.stored) == (2, 2, 2)
    assert len(news_site.hits("/atom.xml")) == 2  # when added, and in the first round


def test_a_sitemap_index_is_read_through_its_sitemaps(arc, news_site, now, clock):
    assert add(arc, news_site, "/sitemap.xml", now).kind == "sitemap-index"
    report = round_of(arc, now, clock)
    assert (report.discovered, report.stored) == (10, 10) and len(news_site.hits("/news-sitemap.xml")) == 1


def test_a_section_page_source_finds_its_articles(arc, news_site, now, clock):
    category = news_site.published[0]["category"]
    source = add(arc, news_site, f"/section/{category}", now)
    assert source.kind == "page"
    report = round_of(arc, now, clock)
    wanted = {news_site.article_url(a) for a in news_site.published if a["category"] == category}
    assert report.stored == len(wanted) and {a.url for a in arc.latest(20)} == wanted


def test_bad_sources_get_a_clear_status_while_the_others_go_on(arc, make_site, now, clock):
    good, bad, busy = make_site(), make_site(host="127.0.0.2"), make_site(host="127.0.0.3")
    good.publish(4)
    add(arc, good, "/rss.xml", now)
    for path in ("/html.xml", "/broken.xml", "/bomb.xml", "/loop.xml", "/gone.xml"):
        add(arc, bad, path, now, kind="rss")
    add(arc, busy, "/busy.xml", now, kind="rss")  # a 429 pauses its whole host
    bad.serve("/html.xml", body=b"<html><body><p>not a feed</p></body></html>",
              headers={"Content-Type": "text/html"})
    bad.serve("/broken.xml", body=b"<?xml version='1.0'?><rss><channel><item><title>x</item>")
    bomb = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            b"<rss><channel><item><title>&b;</title></item></channel></rss>")
    bad.serve("/bomb.xml", body=bomb)
    busy.serve("/busy.xml", status=429, headers={"Retry-After": "7200"})
    bad.redirect("/loop.xml", "/loop.xml")
    report = round_of(arc, now, clock)
    assert (report.sources, report.failing, report.stored) == (7, 6, 4)
    kept = {s.url.rsplit("/", 1)[1]: s for s in arc.backend.watch.sources()}
    assert kept["rss.xml"].status == "ok"
    for name in ("html.xml", "broken.xml", "bomb.xml", "busy.xml", "loop.xml", "gone.xml"):
        assert kept[name].status == "failing" and kept[name].consecutive_failures == 1, name
        assert kept[name].last_error and "\n" not in kept[name].last_error, name
    assert kept["busy.xml"].next_due >= "2026-03-05T12:00:00Z"  # two hours later, as asked
    assert kept["gone.xml"].failures > kept["loop.xml"].failures > kept["busy.xml"].failures


def test_a_source_failing_again_and_again_is_disabled_until_resumed(arc, make_site, now, clock):
    site = make_site()
    site.publish(2)
    add(arc, site, "/gone.xml", now, kind="rss")  # 404: a feed that is gone weighs 3
    for expected in ("failing", "failing", "failing", "disabled"):
        round_of(arc, now, clock)
        assert arc.backend.watch.sources()[0].status == expected
        now.later(days=1)
    hits = len(site.hits("/gone.xml"))
    round_of(arc, now, clock)
    assert len(site.hits("/gone.xml")) == hits  # a disabled source is not fetched
    resumed = src.resume(arc, site.url("/gone.xml"), now())
    assert (resumed.status, resumed.failures, resumed.consecutive_failures) == ("ok", 0.0, 0)


def test_failing_article_pages_are_counted_and_tried_again_a_few_times(arc, news_site, now, clock):
    add(arc, news_site, "/rss.xml", now)
    broken, missing = (news_site.article_path(a) for a in news_site.published[:2])
    news_site.serve(broken, status=503)
    news_site.serve(missing, status=404)
    first = round_of(arc, now, clock)
    assert (first.fetched, first.stored, first.failed) == (8, 8, 1)  # the 503 is tried again
    news_site.clear()
    now.later(minutes=16)
    second = round_of(arc, now, clock)
    assert (second.stored, second.failed) == (1, 0) and arc.count() == 9
    health = arc.backend.watch.totals()[arc.backend.watch.sources()[0].url]
    assert (health.discovered, health.fetched, health.stored, health.failed) == (10, 9, 9, 1)


def test_a_round_hands_its_new_articles_to_the_alerts(arc, news_site, now, clock, httpserver):
    from marsad.model import Alert
    from marsad.watch import alerts

    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    word = max(news_site.published[0]["title"].split(), key=len)
    alerts.add(arc, Alert("watched", f'"{word}"', webhook=httpserver.url_for("/hook")), now())
    add(arc, news_site, "/rss.xml", now)
    first = round_of(arc, now, clock)
    assert first.alerts["matched"] >= 1 and first.alerts["delivered"] == 1 and not first.problems
    [(request, _)] = httpserver.log
    sent = request.get_json()
    assert sent["alert"] == "watched" and {a["id"] for a in sent["articles"]} <= set(first.new_ids)
    now.later(minutes=16)
    second = round_of(arc, now, clock)
    assert second.alerts == {"matched": 0, "delivered": 0, "failed": 0} and len(httpserver.log) == 1
