"""A real archive built from the bundled demo sample, plus hostile articles, served by the app."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from marsad.archive import open_archive
from marsad.model import Article, Image
from marsad.settings import load
from marsad.web import create_app
from marsad.web.demo import build_demo

TOKEN = "test-ingest-token"
MAX_INGEST = 200_000
XSS_ID = "xss-1"
XSS_HEADLINE = "<script>alert('x')</script> عنوان خبيث"
XSS_CAPTION = '<img src=x onerror="alert(1)"> صورة'


def hostile_article() -> Article:
    return Article(id=XSS_ID, headline=XSS_HEADLINE, deck="<b>deck</b>", outlet="<i>منفذ</i>",
                   url="javascript:alert(4)",
                   section="economy", published="2018-03-01T10:00:00+00:00",
                   paragraphs=["فقرة أولى </p><script>alert(2)</script>", "فقرة ثانية"],
                   images=[Image(caption=XSS_CAPTION, credit="<u>AFP</u>", lead=True),
                           Image(caption="<svg onload=alert(3)>", credit="رويترز", after_paragraph=1)])


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("web") / "demo.db"
    report = build_demo(db)
    assert report.new > 250, report
    with open_archive(db) as arc:
        arc.put([hostile_article()])
    return db


@pytest.fixture(scope="session")
def settings(demo_db):
    return load(demo_db, ingest_token=TOKEN, max_ingest_bytes=MAX_INGEST)


@pytest.fixture(scope="session")
def client(settings):
    app = create_app(settings)
    app.state.strikes.most = 10**9  # tests refused searches one by one; test_throttle holds clients back
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="session")
def arc(demo_db):
    with open_archive(demo_db, readonly=True) as a:
        yield a


@pytest.fixture(scope="session")
def aawsat_id(arc):
    """The id of the example page's first article (the Russia–Central Asia summit)."""
    for a in arc.iter_articles():
        if a.headline.startswith("قمة «روسيا"):
            return a.id
    raise AssertionError("the example page's first article is not in the demo archive")


def copy_archive(src, dst) -> None:
    """A copy through SQLite's backup: copying the file itself would also drop this process's locks on
    it (POSIX locks go with any closed descriptor), under the feet of an ingest process writing there."""
    import sqlite3

    with sqlite3.connect(src) as source, sqlite3.connect(dst) as target:
        source.backup(target)
    source.close()
    target.close()
