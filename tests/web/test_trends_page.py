"""The "what's rising" page and its JSON twin, over the demo archive (ant-multisource's sample, 2018)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.web.test_pages import page, texts

DAY = "2018-02-19"  # the end of 18 February 2018, the sample's busiest day


def test_the_api_answers_as_the_library(client, arc):
    from datetime import UTC, datetime

    from marsad.watch.trends import rising

    got = client.get(f"/api/trends?now={DAY}")
    assert got.status_code == 200
    data = got.json()
    want = rising(arc, "entity", "1d", datetime(2018, 2, 19, tzinfo=UTC))
    assert data["items"] and [t["id"] for t in data["items"]] == [t.id for t in want.items]
    assert {"إيران", "مصر"} <= {t["name"] for t in data["items"]}
    assert data["articles"] == want.articles and data["newest"] is None


def test_the_page_lists_what_rises_with_links(client):
    tree = page(client, f"/trends?now={DAY}")
    names = texts(tree, "ol.trends li a.chip")
    assert {"إيران", "مصر"} <= set(names)
    assert all(a.attributes["href"].startswith("/entities/") for a in tree.css("ol.trends li a.chip"))
    tabs = {a.text(strip=True): a.attributes["href"] for a in tree.css("nav.type-tabs a")}
    assert parse_qs(urlsplit(tabs["القصص"]).query) == {"kind": ["story"], "window": ["1d"], "now": [DAY]}
    stories = page(client, tabs["القصص"])
    assert all(a.attributes["href"].startswith("/stories/") for a in stories.css("ol.trends li a"))


def test_an_empty_window_points_to_the_newest_news(client):
    tree = page(client, "/trends?now=2030-01-01")
    assert texts(tree, "ol.trends li.empty")
    link = tree.css_first("p.empty a").attributes["href"]
    assert parse_qs(urlsplit(link).query)["now"][0].startswith("2018-")
    assert page(client, link).css("ol.trends li")


def test_bad_parameters_are_400(client):
    for query in ("now=yesterday", "window=1w", "kind=outlet", "clock=wall"):
        r = client.get(f"/api/trends?{query}")
        assert r.status_code == 400 and r.json()["error"]["message"], query
