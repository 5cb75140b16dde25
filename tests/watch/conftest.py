"""Fixtures of the watch tests: a fake clock, and real news sites on loopback (``tests/watch/site.py``)."""

from __future__ import annotations

import pytest

from marsad.archive import open_archive
from tests.watch.site import FakeClock, NewsSite, load_articles


@pytest.fixture(scope="session")
def ant_articles(shared) -> list[dict]:
    return load_articles(shared)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_site(ant_articles, clock):
    """Start news sites: ``make_site(host="127.0.0.2", crawl_delay=2)``; all stop after the test."""
    sites: list[NewsSite] = []

    def make(**options) -> NewsSite:
        options.setdefault("clock", clock)
        site = NewsSite(options.pop("articles", ant_articles), **options).start()
        sites.append(site)
        return site

    yield make
    for site in sites:
        site.stop()


@pytest.fixture
def news_site(make_site) -> NewsSite:
    """A news site on 127.0.0.1 with ten articles published."""
    site = make_site()
    site.publish(10)
    return site


@pytest.fixture
def arc(new_db):
    """A new archive on each backend the test runs on."""
    with open_archive(new_db()) as arc:
        yield arc
