"""HTML pages, checked by their structure."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from marsad.web.svg import fill_months, timeline_svg
from marsad.web.text import arabic_date, counted, isolate_latin, query_with, with_param, without_param


def page(client, url: str, status: int = 200) -> HTMLParser:
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("text/html")
    tree = HTMLParser(r.text)
    html = tree.css_first("html")
    assert html.attributes["lang"] == "ar" and html.attributes["dir"] == "rtl"
    return tree


def texts(tree: HTMLParser, selector: str) -> list[str]:
    return [n.text(strip=True) for n in tree.css(selector)]


class TestHome:
    def test_stories_newest_first(self, client):
        tree = page(client, "/")
        items = tree.css("ol.stories > li")
        assert items, "no stories on the home page"
        for item in items:
            assert int(item.css_first(".outlets-badge").attributes["data-outlets"]) >= 1
        dates = [i.css_first("time").attributes["datetime"] for i in items if i.css_first("time")]
        assert dates
        assert tree.css_first("form[role=search] input[name=q]") is not None

    def test_filters(self, client):
        tree = page(client, "/?outlet=BBC+Arabic")
        outlets = texts(tree, ".cards .meta .outlet")
        assert outlets and set(outlets) == {"BBC Arabic"}
        assert [a.attributes["data-value"] for a in tree.css("ul.filters a.on[data-value]")] == ["BBC Arabic"]
        tree = page(client, "/?section=sport")
        assert set(texts(tree, ".cards .meta .section-tag")) == {"رياضة"}


class TestArticle:
    def test_reads_like_the_page(self, client, aawsat_id, shared):
        gold = json.loads((shared / "fixtures/aawsat-page-2025.gold.json").read_text())["articles"][0]
        tree = page(client, f"/articles/{aawsat_id}")
        assert tree.css_first("h1.headline").text(strip=True) == gold["headline"]
        assert tree.css_first(".deck").text(strip=True) == gold["deck"]
        lead = tree.css_first("figure.lead-photo figcaption")
        assert gold["images"][0]["caption"] in lead.text() and "رويترز" in lead.css_first(".credit").text()
        assert tree.css_first(".byline .outlet").text(strip=True) == "الشرق الأوسط"
        body = tree.css_first(".body")
        order = [n.tag for n in body.iter()]
        assert order.count("p") == len(gold["paragraphs"])
        inline = [i for i in gold["images"] if not i["lead"]]
        assert order.count("figure") == len(inline)
        # each inline photo stands after exactly `after_paragraph` paragraphs
        seen_p, positions = 0, []
        for tag in order:
            seen_p += tag == "p"
            if tag == "figure":
                positions.append(seen_p)
        assert positions == [i["after_paragraph"] for i in inline]

    def test_margin(self, client, arc):
        named = next((a for a in arc.iter_articles() if a.entities), None)
        assert named is not None, "no article with entities in the demo archive"
        tree = page(client, f"/articles/{named.id}")
        assert tree.css_first("aside .related h2") is not None
        links = [a.attributes["href"] for a in tree.css("aside .entities a")]
        assert links and all(h.startswith("/entities/") for h in links)
        assert page(client, links[0]).css_first("h1.headline").text(strip=True)

    def test_related_box_says_why(self, client, arc):
        for article in arc.iter_articles():
            items = page(client, f"/articles/{article.id}").css("aside .related li")
            if items:
                break
        assert items, "no article with related articles in the demo archive"
        for li in items:
            assert li.css_first("a").attributes["href"].startswith("/articles/")
            assert li.css_first(".why").text(strip=True).startswith("مشترك: ")

    def test_quotes_with_speakers(self, client, arc):
        quoted = next((a for a in arc.iter_articles() if any(q.speaker for q in a.quotes or [])), None)
        assert quoted is not None, "no quote with a speaker in the demo archive"
        tree = page(client, f"/articles/{quoted.id}")
        assert tree.css(".quotes blockquote footer")

    def test_missing(self, client):
        tree = page(client, "/articles/no-such-id", status=404)
        assert "E404" in tree.css_first(".error-message").text()


class TestSearch:
    def test_results_and_pagination(self, client):
        tree = page(client, "/search?q=الرئيس")
        hits = tree.css("ol.results > li.hit")
        assert len(hits) == 10
        assert tree.css(".snippet mark"), "matches are not highlighted"
        nxt = tree.css_first(".pager a[rel=next]")
        assert nxt is not None and "page=2" in nxt.attributes["href"]
        tree2 = page(client, "/search" + nxt.attributes["href"])
        first = {h.css_first("h3 a").attributes["href"] for h in hits}
        second = {h.css_first("h3 a").attributes["href"] for h in tree2.css("li.hit")}
        assert first.isdisjoint(second)

    def test_facets(self, client):
        tree = page(client, "/search?q=الرئيس")
        facet_links = [a.attributes["href"] for a in tree.css(".facets ul.filters a")]
        assert any("outlet=" in h for h in facet_links) and any("section=" in h for h in facet_links)
        entity_link = next(h for h in facet_links if "entity=" in h)
        assert page(client, "/search" + entity_link).css("li.hit"), "the entity facet finds nothing"
        narrowed = page(client, "/search?q=الرئيس&outlet=CNN+Arabic")
        assert set(texts(narrowed, "li.hit .meta .outlet")) == {"CNN Arabic"}
        dated = page(client, "/search?q=الرئيس&since=2018-06-01&until=2018-06-30")
        assert all(t.attributes["datetime"].startswith("2018-06") for t in dated.css("li.hit time"))

    def test_empty_query(self, client):
        assert not page(client, "/search").css("li.hit")


class TestEntityAndStory:
    def test_entity(self, client, arc):
        top = arc.entities(limit=1)[0]
        tree = page(client, f"/entities/{top.id}")
        assert tree.css_first("h1.headline").text(strip=True) == top.name
        svg = tree.css_first(".chart-box svg")
        assert svg is not None and svg.css("rect.bar")
        assert tree.css(".cards .card")

    def test_story_timeline(self, client):
        story = client.get("/api/stories").json()["stories"][0]
        tree = page(client, f"/stories/{story['id']}")
        times = [t.attributes["datetime"] for t in tree.css(".timeline-item time")]
        assert len(times) == len(story["articles"]) and times == sorted(times)

    def test_entities_index(self, client):
        assert page(client, "/entities").css("ul.chips a")


def test_svg_timeline_fills_gaps_and_escapes():
    assert fill_months([("2018-11", 2), ("2019-02", 1)]) == [
        ("2018-11", 2), ("2018-12", 0), ("2019-01", 0), ("2019-02", 1)]
    svg = timeline_svg([("2018-11", 2), ("2019-02", 1)], title="<x>")
    tree = HTMLParser(svg)
    assert len(tree.css("rect.bar")) == 4 and "<x>" not in svg
    assert "لا بيانات" in timeline_svg([])


def test_arabic_date():
    assert arabic_date("2025-10-09T14:05:00+00:00") == "9 أكتوبر 2025"
    assert arabic_date("2018-03") == "مارس 2018"
    assert arabic_date("garbage") == "garbage"


@given(st.text())
def test_isolate_latin_keeps_text_and_escapes(text):
    out = isolate_latin(text)
    assert isinstance(out, Markup)
    plain = str(out).replace("<bdi>", "").replace("</bdi>", "")
    assert Markup(plain).unescape() == text
    assert "<" not in plain and ">" not in plain


def test_isolate_latin_wraps_latin_runs():
    assert str(isolate_latin("قال Vladimir Putin إن")) == "قال <bdi>Vladimir Putin</bdi> إن"



def test_a_str_is_escaped_even_after_the_same_text_as_markup():
    assert str(isolate_latin(Markup("<ب>"))) == "<ب>"
    assert str(isolate_latin("<ب>")) == "&lt;ب&gt;"


_PARAM = st.one_of(st.none(), st.text(max_size=8), st.sampled_from(["BBC Arabic", "a/b&c=d+e", "الشرق"]))


@given(st.fixed_dictionaries({"q": _PARAM, "outlet": _PARAM, "page": st.none() | st.integers(1, 9)}),
       st.sampled_from(["outlet", "section", "page"]), _PARAM)
def test_facet_links_encode_like_a_dict(params, key, value):
    from jinja2.filters import do_urlencode

    assert query_with(do_urlencode(without_param(params, key)), key, value) == \
        do_urlencode(with_param(params, key, value))

def test_counted_nouns_agree():
    assert [counted(n, "report") for n in (1, 2, 3, 10, 11, 103)] == [
        "تقرير واحد", "تقريران", "3 تقارير", "10 تقارير", "11 تقريراً", "103 تقارير"]


def test_head_answers_every_page_as_get_does(client, aawsat_id):
    story = client.get("/api/stories").json()["stories"][0]["id"]
    for url in ("/", "/search?q=روسيا", f"/articles/{aawsat_id}", f"/stories/{story}", "/entities",
                "/docs", "/api/stories", "/static/marsad.css"):
        got, head = client.get(url), client.head(url)
        assert head.status_code == got.status_code == 200, url
        assert head.content == b"" and head.headers["content-type"] == got.headers["content-type"], url
        assert head.headers["content-security-policy"] == got.headers["content-security-policy"], url
    assert client.head("/articles/no-such-id").status_code == 404
    assert client.head("/api/pages").status_code == 405  # POST only
