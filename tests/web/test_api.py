"""The JSON API: each page's twin, one error shape, and ingest over HTTP."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def auth(settings):
    return {"Authorization": f"Bearer {settings.ingest_token}"}


def assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "status"}
    assert body["error"]["status"] == status and body["error"]["code"] == code
    assert body["error"]["message"]


class TestSearch:
    def test_same_json_as_the_library(self, client, arc):
        got = client.get("/api/search", params={"q": "روسيا"}).json()
        expected = arc.search("روسيا", limit=10).to_dict()
        assert got == json.loads(json.dumps(expected, ensure_ascii=False))
        assert got["total"] > 0 and got["hits"]
        assert {"id", "title", "snippet", "score"} <= set(got["hits"][0])

    def test_filters_narrow(self, client):
        every = client.get("/api/search", params={"q": "الرئيس"}).json()["total"]
        bbc = client.get("/api/search", params={"q": "الرئيس", "outlet": "BBC Arabic"}).json()
        assert 0 < bbc["total"] < every
        assert all(h["outlet"] == "BBC Arabic" for h in bbc["hits"])

    def test_bad_page_is_one_error(self, client):
        assert_error(client.get("/api/search", params={"q": "x", "page": 0}), 400, "E100")


class TestArticles:
    def test_article(self, client, aawsat_id, shared):
        gold = json.loads((shared / "fixtures/aawsat-page-2025.gold.json").read_text())["articles"][0]
        got = client.get(f"/api/articles/{aawsat_id}").json()
        assert got["headline"] == gold["headline"] and got["deck"] == gold["deck"]
        assert got["paragraphs"] == gold["paragraphs"]
        assert [i["caption"] for i in got["images"]] == [i["caption"] for i in gold["images"]]

    def test_missing_article(self, client):
        assert_error(client.get("/api/articles/no-such-id"), 404, "E404")

    def test_related(self, client, aawsat_id):
        got = client.get(f"/api/articles/{aawsat_id}/related").json()
        assert set(got) == {"related", "story", "story_reports", "copies"}
        assert all(r["id"] != aawsat_id for r in got["related"])

    def test_latest(self, client):
        got = client.get("/api/articles", params={"limit": 5, "outlet": "CNN Arabic"}).json()
        assert len(got["articles"]) == 5 and {a["outlet"] for a in got["articles"]} == {"CNN Arabic"}
        dates = [a["published"] for a in got["articles"]]
        assert dates == sorted(dates, reverse=True)


class TestStoriesAndEntities:
    def test_stories(self, client):
        got = client.get("/api/stories").json()
        assert got["total"] > 0
        story = got["stories"][0]
        one = client.get(f"/api/stories/{story['id']}").json()
        assert one["story"]["id"] == story["id"]
        assert {r["id"] for r in one["reports"]} == set(story["articles"])

    def test_a_story_gives_its_thread(self, tmp_path):
        """A port blast of 1-2 March and its follow-ups of 20-21 March are two stories of one thread: the
        API gives each story the other, and the story page links it."""
        from fastapi.testclient import TestClient

        from marsad.archive import open_archive
        from marsad.settings import load
        from marsad.web import create_app
        from tests.relate.test_events import _report

        db = tmp_path / "thread.db"
        with open_archive(db) as arc:
            arc.put([_report(0, 1, "a"), _report(1, 2, "b"), _report(2, 20, "a"), _report(3, 21, "b")])
        with TestClient(create_app(load(db))) as c:
            got = c.get("/api/stories/r0").json()
            assert [t["id"] for t in got["thread"]] == ["r2"] and got["thread"][0]["articles"] == ["r2", "r3"]
            assert [t["id"] for t in c.get("/api/stories/r2").json()["thread"]] == ["r0"]
            assert 'href="/stories/r2"' in c.get("/stories/r0").text

    def test_missing_story(self, client):
        assert_error(client.get("/api/stories/no-such-story"), 404, "E404")

    def test_entities(self, client):
        got = client.get("/api/entities", params={"limit": 5}).json()["entities"]
        assert got, "no entities: is enrichment installed?"
        one = client.get(f"/api/entities/{got[0]['id']}").json()
        assert one["name"] == got[0]["name"] and one["articles"] == got[0]["articles"]
        assert one["timeline"] and one["latest"]

    def test_bad_entity_type(self, client):
        assert_error(client.get("/api/entities", params={"type": "BAD"}), 400, "E100")


class TestIngest:
    def test_needs_the_token(self, client):
        assert_error(client.post("/api/pages", json={"pages": []}), 403, "E403")
        bad = {"Authorization": "Bearer wrong"}
        assert_error(client.post("/api/pages", json={"pages": []}, headers=bad), 403, "E403")

    def test_size_limit(self, client, auth, settings):
        big = {"pages": [{"name": "big", "text": "ا" * settings.max_ingest_bytes}]}
        assert_error(client.post("/api/pages", json=big, headers=auth), 413, "E413")

    def test_batch(self, client, auth, shared):
        page = (shared / "fixtures/aawsat-page-2025.txt").read_text()
        body = {"pages": [{"name": "aawsat.txt", "text": page, "outlet": "الشرق الأوسط"},
                          {"name": "empty.txt", "text": "   "}]}
        got = client.post("/api/pages", json=body, headers=auth).json()
        assert len(got["ids"]) >= 4 and got["new"] + got["unchanged"] + got["updated"] == len(got["ids"])
        assert [f["source"] for f in got["failed"]] == ["empty.txt"]
        stored = client.get(f"/api/articles/{got['ids'][0]}").json()
        assert stored["outlet"] == "الشرق الأوسط"

    def test_raw_html_body(self, client, auth):
        headline = "وزير المالية يعلن الميزانية"
        html = (f"<html lang='ar'><head><title>خبر</title></head><body><article><h1>{headline}</h1>"
                + "".join(f"<p>أعلن وزير المالية اليوم تفاصيل الميزانية الجديدة للعام المقبل رقم {i}.</p>"
                          for i in range(6)) + "</article></body></html>")
        got = client.post("/api/pages?name=budget.html", content=html.encode(),
                          headers={**auth, "Content-Type": "text/html; charset=utf-8"}).json()
        assert len(got["ids"]) == 1, got
        assert client.get(f"/api/articles/{got['ids'][0]}").json()["headline"] == headline

    @pytest.mark.parametrize("body", [b"{not json", b'{"pages": "x"}', b'{"pages": [{"name": "a"}]}'])
    def test_bad_json(self, client, auth, body):
        r = client.post("/api/pages", content=body, headers={**auth, "Content-Type": "application/json"})
        assert_error(r, 400, "E100")


def test_openapi_and_docs(client):
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/api/search", "/api/articles/{id}", "/api/articles/{id}/related", "/api/stories",
              "/api/stories/{id}", "/api/entities", "/api/entities/{id}", "/api/pages"):
        assert p in paths
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/api/articles/{id}/related" in docs.text


def test_cached_results_follow_ingest(client, auth):
    """Search results are cached, but an ingest (another connection's commit) drops them."""
    word = "زنجبيلستان"
    assert client.get("/api/search", params={"q": word}).json()["total"] == 0
    html = (f"<html lang='ar'><body><article><h1>{word} تعلن خطة جديدة</h1>"
            + "".join(f"<p>أعلنت حكومة {word} اليوم خطة اقتصادية جديدة للعام المقبل في البند {i}.</p>"
                      for i in range(6)) + "</article></body></html>")
    got = client.post("/api/pages", json={"pages": [{"name": "new.html", "html": html}]}, headers=auth).json()
    assert got["ids"], got
    assert client.get("/api/search", params={"q": word}).json()["total"] >= 1
