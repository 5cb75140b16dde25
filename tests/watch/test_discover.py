"""Link discovery from feeds, sitemaps and section pages, as the local news site serves them, and from bad
bodies, which give Discovery.error and never an exception."""

from __future__ import annotations

import gzip
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marsad.watch.discover import discover
from marsad.watch.urls import normalize

BASE = "http://news.example.org/"


def served(site, path: str):
    """What the site serves at ``path``: its body and content type."""
    status, kind, body, _ = site.page(path)
    assert status == 200
    return body.encode("utf-8"), kind


@pytest.mark.parametrize("path, kind", [("/rss.xml", "rss"), ("/atom.xml", "atom"),
                                        ("/news-sitemap.xml", "sitemap")])
def test_feeds_and_news_sitemaps_list_the_published_articles(news_site, path, kind):
    body, content_type = served(news_site, path)
    found = discover(body, content_type, news_site.url(path))
    assert found.error is None and found.kind == kind
    expected = news_site.published
    assert [link.url for link in found.links] == [news_site.article_url(a) for a in expected]
    assert [link.title for link in found.links] == [a["title"] for a in expected]
    # The same instants (feedparser gives them in UTC).
    assert [datetime.fromisoformat(x.published) for x in found.links] == [
        datetime.fromisoformat(a["published"]) for a in expected]


def test_feed_links_lose_their_tracking_parameters(news_site):
    body, content_type = served(news_site, "/rss.xml")
    assert b"utm_source=rss" in body
    links = discover(body, content_type, news_site.url("/rss.xml")).links
    assert links and all("utm_" not in link.url for link in links)


def test_a_sitemap_index_lists_its_sitemaps(news_site):
    body, content_type = served(news_site, "/sitemap.xml")
    found = discover(body, content_type, news_site.url("/sitemap.xml"))
    assert found.kind == "sitemap-index"
    assert [x.url for x in found.links] == [news_site.url("/news-sitemap.xml")]


def test_a_news_sitemap_with_images_and_videos():
    body = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"
        xmlns:video="http://www.google.com/schemas/sitemap-video/1.1">
 <url>
  <loc>https://news.example.org/2024/05/01/story-1</loc>
  <lastmod>2024-05-01T10:00:00Z</lastmod>
  <news:news><news:publication><news:name>مثال</news:name><news:language>ar</news:language></news:publication>
   <news:publication_date>2024-05-01T09:30:00+03:00</news:publication_date>
   <news:title>عنوان الخبر</news:title>
  </news:news>
  <image:image><image:loc>https://cdn.example.org/photo.jpg</image:loc><image:title>صورة</image:title></image:image>
  <video:video><video:title>فيديو</video:title></video:video>
 </url>
 <url><loc>https://news.example.org/2024/05/01/story-2</loc><lastmod>2024-05-01</lastmod></url>
</urlset>""".encode()
    found = discover(body, "application/xml", "https://news.example.org/sitemap.xml")
    assert [(x.url, x.title, x.published) for x in found.links] == [
        ("https://news.example.org/2024/05/01/story-1", "عنوان الخبر", "2024-05-01T09:30:00+03:00"),
        ("https://news.example.org/2024/05/01/story-2", None, "2024-05-01T00:00:00+00:00")]


def test_a_gzipped_sitemap(news_site):
    body, _ = served(news_site, "/news-sitemap.xml")
    found = discover(gzip.compress(body), "application/gzip", news_site.url("/sitemap.xml.gz"))
    assert found.kind == "sitemap" and len(found.links) == len(news_site.published)


def test_a_section_page_gives_its_article_links_only(make_site):
    site = make_site()
    site.publish(260)
    category = "sport"
    body, content_type = served(site, f"/section/{category}")
    found = discover(body, content_type, site.url(f"/section/{category}"))
    expected = [a for a in site.published if a["category"] == category][:20]
    assert found.kind == "page" and found.error is None
    # Each article once (its picture link and its headline link are one URL), with the headline's title;
    # no menu, footer, tag or next-page links.
    assert [x.url for x in found.links] == [site.article_url(a) for a in expected]
    assert [x.title for x in found.links] == [a["title"] for a in expected]


def test_the_home_page_gives_the_newest_articles(news_site):
    body, content_type = served(news_site, "/")
    found = discover(body, content_type, news_site.url("/"), expect="page")
    assert [x.url for x in found.links] == [news_site.article_url(a) for a in news_site.published]


SECTION = """<html><body>
<nav><a href="/2024/05/01/menu-story.html">menu</a></nav>
<main>
  <a href="/news/123456">خبر أول</a>
  <a href="/politics/2024/05/02/story">خبر ثان</a>
  <a href="/world/arabic-slug-of-many-words-here">خبر ثالث</a>
  <a href="https://www.news.example.org/news/777777?utm_source=home#top">خبر رابع</a>
  <a href="/tag/2024">وسم</a> <a href="/author/ahmad-1234">كاتب</a> <a href="/news/123456.jpg">صورة</a>
  <a href="/about">عن</a> <a href="https://other.example.com/news/999999">موقع آخر</a>
  <a href="mailto:desk@news.example.org">بريد</a> <a href="javascript:void(0)">زر</a> <a href="/">الرئيسية</a>
</main>
<footer><a href="/news/555555">footer link</a></footer>
</body></html>"""


def test_section_page_link_rules():
    found = discover(SECTION.encode(), "text/html; charset=utf-8", BASE + "politics/")
    assert [x.url for x in found.links] == [
        "http://news.example.org/news/123456", "http://news.example.org/politics/2024/05/02/story",
        "http://news.example.org/world/arabic-slug-of-many-words-here", "https://www.news.example.org/news/777777"]
    assert found.links[0].title == "خبر أول"


def test_a_real_article_page_gives_no_article_links(shared):
    """assabah.com.tn's article page links to its sections, its print version, social sites, an advert,
    itself (a skip link) and, in its sidebar, the day's PDF issues: none of them is an article."""
    body = (shared / "data/news/html-fixtures/assabah-164913.html").read_bytes()
    found = discover(body, "text/html; charset=utf-8", "http://www.assabah.com.tn/article/164913/x")
    assert found.kind == "page" and found.error is None and found.links == []


def test_html_served_where_a_feed_was_expected(news_site):
    body, content_type = served(news_site, "/section/sport")
    found = discover(body, content_type, news_site.url("/rss.xml"), expect="rss")
    assert found.error == "expected a feed, got an HTML page" and not found.links
    assert discover(body, "application/rss+xml", news_site.url("/rss.xml"), expect="feed").error
    sitemap, _ = served(news_site, "/news-sitemap.xml")
    found = discover(sitemap, None, news_site.url("/section/x"), expect="page")
    assert found.error == "expected an HTML page, got a sitemap"


def test_an_atom_feed_where_rss_was_expected_is_still_a_feed(news_site):
    body, content_type = served(news_site, "/atom.xml")
    found = discover(body, content_type, news_site.url("/feed"), expect="rss")
    assert found.error is None and found.kind == "atom"


@pytest.mark.parametrize("body", [
    b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>x</title></channel></rss>',
    b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>AT&T</title></item></channel></rss>',
    b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>&nbsp;</title></item></channel></rss>',
    b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://a/',
])
def test_malformed_xml(body):
    found = discover(body, "application/xml", BASE)
    assert found.error.startswith("malformed XML") and "line" in found.error and not found.links


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
""" + b"".join(
    b' <!ENTITY lol%d "%s">\n' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10) for n in range(1, 10)
) + b"""]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><link>http://news.example.org/a/123456</link></item></channel></rss>"""


@pytest.mark.parametrize("body", [
    BILLION_LAUGHS,
    # A few entities, far from a bomb, are refused all the same: feedparser would expand them.
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaa">]><rss version="2.0"><channel>'
    b"<item><title>&a;</title><link>http://news.example.org/a/123456</link></item></channel></rss>",
    # An external entity that would read a local file.
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss version="2.0">'
    b"<channel><item><title>&x;</title><link>http://news.example.org/a/123456</link></item></channel></rss>",
])
def test_entity_declarations_are_refused(body):
    found = discover(body, "application/rss+xml", BASE)
    assert found.error and not found.links
    assert "root:" not in found.error


def test_blank_lines_before_the_xml_declaration_are_forgiven(news_site):
    body, content_type = served(news_site, "/rss.xml")
    found = discover(b"\n\n  " + body, content_type, news_site.url("/rss.xml"))
    assert found.error is None and len(found.links) == len(news_site.published)


def test_a_feed_in_windows_1256():
    body = ('<?xml version="1.0" encoding="windows-1256"?><rss version="2.0"><channel><title>أخبار</title>'
            "<item><title>وزير الخارجية يزور القاهرة</title><link>http://news.example.org/a/123456</link>"
            "</item></channel></rss>").encode("cp1256")
    found = discover(body, "application/rss+xml", BASE)
    assert [x.title for x in found.links] == ["وزير الخارجية يزور القاهرة"]


def test_a_public_dtd_alone_is_fine():
    body = (b'<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
            b'"http://my.netscape.com/publish/formats/rss-0.91.dtd">'
            b'<rss version="0.91"><channel><title>t</title>'
            b"<item><title>x</title><link>http://news.example.org/a/123456</link></item></channel></rss>")
    found = discover(body, "application/rss+xml", BASE)
    assert found.error is None and [x.url for x in found.links] == ["http://news.example.org/a/123456"]


def test_a_50_mb_feed_is_refused_before_parsing():
    item = b"<item><title>x</title><link>http://news.example.org/a/123456</link></item>"
    body = b'<?xml version="1.0"?><rss version="2.0"><channel>' + item * (50 * 1024 * 1024 // len(item))
    found = discover(body + b"</channel></rss>", "application/rss+xml", BASE)
    assert found.kind == "rss" and "above the 10,485,760-byte limit" in found.error


def test_a_gzip_bomb_is_refused():
    body = gzip.compress(b'<?xml version="1.0"?><urlset>' + b" " * (20 * 1024 * 1024))
    assert len(body) < 100 * 1024
    found = discover(body, "application/gzip", BASE, max_bytes=1024 * 1024)
    assert "unpacks to more than" in found.error


@pytest.mark.parametrize("body, content_type", [
    (b"", None), (b"just some words", "text/plain"), (bytes(range(256)) * 10, "application/octet-stream"),
    (b"\x1f\x8bnot gzip at all", None), (b'{"items": []}', "application/json"),
])
def test_neither_feed_sitemap_nor_page(body, content_type):
    found = discover(body, content_type, BASE)
    assert found.error and found.kind == "unknown"


def test_entries_without_links_are_skipped_and_relative_links_resolved():
    body = ('<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            "<item><title>بلا رابط</title></item>"
            "<item><title>نسبي</title><link>/news/2024/12/1.html#x</link></item>"
            "<item><title>ملف</title><link>ftp://news.example.org/x</link></item></channel></rss>").encode()
    found = discover(body, "application/rss+xml", BASE + "feeds/rss.xml")
    expected = [("http://news.example.org/news/2024/12/1.html", "نسبي")]
    assert [(x.url, x.title) for x in found.links] == expected


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0, max_value=6000), noise=st.binary(max_size=40),
       path=st.sampled_from(["/rss.xml", "/atom.xml", "/news-sitemap.xml", "/section/sport"]))
def test_cut_or_spoilt_bodies_never_raise(news_site, cut, noise, path):
    body, content_type = served(news_site, path)
    spoilt = body[:cut] + noise + body[cut + len(noise):]
    found = discover(spoilt, content_type, news_site.url(path))
    assert found.error is not None or all(x.url == normalize(x.url) for x in found.links)


@settings(max_examples=300)
@given(body=st.binary(max_size=2000), expect=st.sampled_from([None, "feed", "sitemap", "page"]),
       content_type=st.sampled_from([None, "text/html", "application/rss+xml"]))
def test_any_bytes_give_a_discovery(body, content_type, expect):
    found = discover(body, content_type, BASE, expect=expect)
    assert found.kind in ("rss", "atom", "sitemap", "sitemap-index", "page", "unknown")
    assert found.kind != "unknown" or found.error
    assert found.error is None or "\n" not in found.error
