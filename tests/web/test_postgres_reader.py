"""The reader over a PostgreSQL archive answers as it does over SQLite: the demo sample is built on both,
and every API answer and page kind is compared."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from marsad.archive import open_archive
from marsad.settings import load
from marsad.web import create_app
from marsad.web.demo import build_demo
from tests.conftest import pg_schema_url
from tests.web.conftest import MAX_INGEST, TOKEN, hostile_article

QUERIES = ["روسيا", "بوتين آسيا الوسطى", '"آسيا الوسطى"', "الاقتصاد -روسيا", "اقتص*"]


@pytest.fixture(scope="module")
def pg_client(pg_server):
    import psycopg

    schema = f"test_web_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    url = pg_schema_url(pg_server, schema)
    try:
        build_demo(url)
        with open_archive(url) as arc:
            arc.put([hostile_article()])
        with TestClient(create_app(load(url, ingest_token=TOKEN, max_ingest_bytes=MAX_INGEST))) as c:
            yield c
    finally:
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def _same(client, pg_client, path: str, **params) -> dict:
    lite, pg = client.get(path, params=params), pg_client.get(path, params=params)
    assert (lite.status_code, pg.status_code) == (200, 200), path
    assert pg.json() == lite.json(), path
    return lite.json()


@pytest.mark.parametrize("q", QUERIES)
def test_search_answers_the_same(client, pg_client, q):
    found = _same(client, pg_client, "/api/search", q=q)
    assert found["total"] or q.startswith("الاقتصاد")


def test_lists_answer_the_same(client, pg_client):
    _same(client, pg_client, "/api/home")
    _same(client, pg_client, "/api/articles", limit=50)
    _same(client, pg_client, "/api/articles", limit=10, offset=5, outlet="الشرق الأوسط")
    _same(client, pg_client, "/api/entities", limit=50)
    assert _same(client, pg_client, "/api/stories")["stories"]


def test_an_article_its_related_its_story_and_its_entities_answer_the_same(client, pg_client, aawsat_id):
    article = _same(client, pg_client, f"/api/articles/{aawsat_id}")
    _same(client, pg_client, f"/api/articles/{aawsat_id}/related")
    story = _same(client, pg_client, "/api/stories")["stories"][0]
    _same(client, pg_client, f"/api/stories/{story['id']}")
    for key in {m["key"] for m in article.get("entities", []) if m.get("key")}:
        _same(client, pg_client, f"/api/entities/{key}")


def test_pages_render_on_postgresql(pg_client, aawsat_id):
    for path in ("/", f"/articles/{aawsat_id}", "/search?q=روسيا", "/entities"):
        page = pg_client.get(path)
        assert page.status_code == 200 and 'dir="rtl"' in page.text, path
    assert pg_client.get("/articles/no-such-id").status_code == 404
