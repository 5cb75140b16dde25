"""The watch state's contract: what every backend's WatchState keeps, read back through its methods."""

from __future__ import annotations

import pytest

from marsad.archive import open_archive
from marsad.model import Article, Source, SourceDay

FEED = "http://a.test/feed.xml"
SITEMAP = "http://b.test/sitemap.xml"


def _source(url: str, **kw) -> Source:
    fields = {"name": url.split("/")[2], "kind": "rss", "every": 900, "added": "2026-03-01T10:00:00Z", **kw}
    return Source(url=url, **fields)



def test_sources_are_kept_once_updated_and_removed(arc):
    state = arc.backend.watch
    assert state.add_source(_source(FEED)) and state.add_source(_source(SITEMAP, kind="sitemap"))
    assert not state.add_source(_source(FEED, name="again"))
    first = state.sources()[0]
    first.etag, first.last_modified = 'W/"abc"', "Tue, 03 Mar 2026 10:00:00 GMT"
    first.failures, first.consecutive_failures, first.status = 2.5, 2, "failing"
    first.paused, first.last_error = True, "HTTP 503 from a.test"
    state.save_source(first)
    assert [s.url for s in state.sources()] == [FEED, SITEMAP]
    assert state.sources()[0] == first and state.sources()[1].kind == "sitemap"
    assert state.remove_source(FEED) and not state.remove_source(FEED)
    assert [s.url for s in state.sources()] == [SITEMAP]


def test_article_urls_are_remembered_once_and_survive_reopening(arc, new_db):
    state = arc.backend.watch
    state.add_source(_source(FEED))
    state.add_source(_source(SITEMAP))
    urls = [f"http://a.test/{n}" for n in range(3)]
    assert state.discover(FEED, [*urls, urls[0]], "2026-03-01T10:00:00Z") == urls
    assert state.discover(SITEMAP, [urls[1], "http://b.test/x"], "2026-03-01T10:01:00Z") == ["http://b.test/x"]
    waiting = [*((u, FEED, 0) for u in urls), ("http://b.test/x", SITEMAP, 0)]
    assert state.pending([FEED, SITEMAP], tries=3) == waiting
    assert state.pending([SITEMAP], tries=3) == [("http://b.test/x", SITEMAP, 0)]
    state.fetched(urls[0], FEED, ["a1"], "2026-03-01T10:02:00Z", also=["http://a.test/moved"])
    state.fetched(urls[1], FEED, [], "2026-03-01T10:02:00Z")  # a page with no news: not fetched again
    state.failed(urls[2], "HTTP 503", final=False)
    assert state.pending([FEED], tries=3) == [(urls[2], FEED, 1)]
    assert state.pending([FEED], tries=1) == []
    state.failed(urls[2], "HTTP 404", final=True)
    assert state.pending([FEED], tries=3) == []
    arc.close()
    with open_archive(new_db()) as again:
        known = again.backend.watch.known([*urls, "http://a.test/moved", "http://a.test/never"])
        assert known == {urls[0]: "a1", urls[1]: None, urls[2]: None, "http://a.test/moved": "a1"}
        assert again.backend.watch.discover(FEED, urls, "2026-03-02T00:00:00Z") == []


def test_provenance_counts_and_articles_in_the_archive(arc):
    state = arc.backend.watch
    state.add_source(_source(FEED))
    state.add_source(_source(SITEMAP))
    arc.put([Article(headline="h", paragraphs=["a body"], id="a1"),
             Article(headline="g", paragraphs=["b"], id="a2")])
    state.discover(FEED, ["http://a.test/1", "http://a.test/2"], "2026-03-01T10:00:00Z")
    state.fetched("http://a.test/1", FEED, ["a1"], "2026-03-01T10:00:00Z")
    state.fetched("http://a.test/2", FEED, ["a2", "gone"], "2026-03-01T10:00:00Z")
    state.discover(SITEMAP, ["http://b.test/1"], "2026-03-01T10:00:00Z")
    state.fetched("http://b.test/1", SITEMAP, ["a1"], "2026-03-01T10:00:00Z")
    assert state.sources_of(["a1", "a2", "zz"]) == {"a1": [FEED, SITEMAP], "a2": [FEED]}
    assert state.in_archive() == {FEED: 2, SITEMAP: 1}  # "gone" is not in the archive
    state.count(SourceDay(FEED, "2026-03-01", discovered=2, fetched=2, stored=2))
    state.count(SourceDay(FEED, "2026-03-01", discovered=1, failed=1))
    state.count(SourceDay(FEED, "2026-03-02", fetched=1, stored=1))
    state.count(SourceDay(SITEMAP, "2026-02-01", discovered=5))
    assert state.days("2026-03-01") == [SourceDay(FEED, "2026-03-01", 3, 2, 2, 1),
                                        SourceDay(FEED, "2026-03-02", 0, 1, 1, 0)]
    assert state.totals() == {FEED: SourceDay(FEED, "", 3, 3, 3, 1),
                              SITEMAP: SourceDay(SITEMAP, "", 5, 0, 0, 0)}
    state.remove_source(SITEMAP)
    assert state.totals().keys() == {FEED} and state.sources_of(["a1"]) == {"a1": [FEED]}


def test_a_failed_unit_of_work_keeps_nothing(arc):
    state = arc.backend.watch
    state.add_source(_source(FEED))
    with pytest.raises(RuntimeError), arc.backend.unit_of_work():
        state.discover(FEED, ["http://a.test/1"], "2026-03-01T10:00:00Z")
        state.count(SourceDay(FEED, "2026-03-01", discovered=1))
        raise RuntimeError("stopped half way")
    assert state.known(["http://a.test/1"]) == {} and state.totals() == {}
