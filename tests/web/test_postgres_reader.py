"""The reader over a PostgreSQL archive answers as it does over SQLite: the demo sample is built on both,
and every API answer and page kind is compared."""

from __future__ import annotations

import uuid
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient

from marsad.archive import open_archive
from marsad.settings import load
from marsad.web import create_app
from marsad.web.demo import build_demo
from tests.conftest import pg_schema_url
from tests.web.conftest import MAX_INGEST, TOKEN, hostile_article

QUERIES = ["روسيا", "بوتين آسيا الوسطى", '"آسيا الوسطى"', "الاقتصاد -روسيا", "اقتص*"]


def _built(db) -> None:
    build_demo(db)
    with open_archive(db) as arc:
        arc.put([hostile_article()])


@contextmanager
def _client(db):
    with TestClient(create_app(load(db, ingest_token=TOKEN, max_ingest_bytes=MAX_INGEST))) as c:
        yield c


@pytest.fixture(scope="module")
def both(pg_server, tmp_path_factory):
    """Clients of the demo archive built alike on SQLite and on PostgreSQL (not the session's shared
    archive, which other tests write into)."""
    import psycopg

    schema = f"test_web_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    url, path = pg_schema_url(pg_server, schema), tmp_path_factory.mktemp("pg-reader") / "demo.db"
    try:
        _built(path)
        _built(url)
        with _client(path) as lite, _client(url) as pg:
            yield lite, pg
    finally:
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(scope="module")
def aawsat(both) -> str:
    """The id of the example page's first article."""
    found = both[0].get("/api/search", params={"q": '"قمة روسيا آسيا الوسطى"'}).json()["hits"]
    return found[0]["id"]


def _same(both, path: str, **params) -> dict:
    lite, pg = (c.get(path, params=params) for c in both)
    assert (lite.status_code, pg.status_code) == (200, 200), path
    assert pg.json() == lite.json(), path
    return lite.json()


@pytest.mark.parametrize("q", QUERIES)
def test_search_answers_the_same(both, q):
    found = _same(both, "/api/search", q=q)
    assert found["total"] or q.startswith("الاقتصاد")


def test_lists_answer_the_same(both):
    _same(both, "/api/home")
    _same(both, "/api/articles", limit=50)
    _same(both, "/api/articles", limit=10, offset=5, outlet="الشرق الأوسط")
    _same(both, "/api/entities", limit=50)
    assert _same(both, "/api/stories")["stories"]


def test_an_article_its_related_its_story_and_its_entities_answer_the_same(both, aawsat):
    article = _same(both, f"/api/articles/{aawsat}")
    _same(both, f"/api/articles/{aawsat}/related")
    story = _same(both, "/api/stories")["stories"][0]
    _same(both, f"/api/stories/{story['id']}")
    for key in {m["key"] for m in article.get("entities", []) if m.get("key")}:
        _same(both, f"/api/entities/{key}")


def test_pages_render_on_postgresql(both, aawsat):
    for path in ("/", f"/articles/{aawsat}", "/search?q=روسيا", "/entities"):
        page = both[1].get(path)
        assert page.status_code == 200 and 'dir="rtl"' in page.text, path
    assert both[1].get("/articles/no-such-id").status_code == 404
