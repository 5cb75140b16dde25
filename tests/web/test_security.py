"""Escaping, SQL parameters, static files, ingest limits and security headers."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser


def tree_of(client, url: str, status: int = 200) -> HTMLParser:
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code)
    return HTMLParser(r.text)


def no_active_content(tree: HTMLParser) -> None:
    assert not tree.css("script"), "a <script> element reached the page"
    assert not tree.css("img") and not tree.css("b") and not tree.css("i") and not tree.css("u")
    for node in tree.css("*"):
        assert not any(k.lower().startswith("on") for k in node.attributes), node.html[:80]


class TestEscaping:
    def test_article_page(self, client):
        tree = tree_of(client, "/articles/xss-1")
        no_active_content(tree)
        assert "<script>alert('x')</script>" in tree.css_first("h1.headline").text()
        assert '<img src=x onerror="alert(1)">' in tree.css_first("figure.lead-photo figcaption").text()
        assert "<svg onload=alert(3)>" in tree.css_first(".body figure figcaption").text()
        assert not tree.css(".body svg")
        assert not [a for a in tree.css("a[href]") if "javascript" in a.attributes["href"].lower()]

    @pytest.mark.parametrize("url", ["/", "/?section=economy", "/search?q=خبيث"])
    def test_lists(self, client, url):
        r = client.get(url)
        assert r.status_code == 200
        assert "<script>alert" not in r.text and "<img src=x" not in r.text
        no_active_content(HTMLParser(r.text))

    def test_json_is_never_html(self, client):
        r = client.get("/api/articles/xss-1")
        assert r.headers["content-type"] == "application/json"
        assert r.json()["headline"].startswith("<script>")  # kept as data; pages escape it

    def test_query_is_escaped(self, client):
        tree = tree_of(client, '/search?q="><script>alert(1)</script>')
        no_active_content(tree)
        assert tree.css_first("input#q").attributes["value"] == '"><script>alert(1)</script>'

    def test_templates_autoescape(self, client):
        assert client.app.state.templates.env.autoescape is True


class TestSql:
    @pytest.mark.parametrize("url", [
        "/api/search?q=' OR 1=1 --", "/api/search?q=\"; DROP TABLE articles; --",
        "/api/articles?section=x' OR '1'='1", "/api/articles/'; DROP TABLE articles; --",
        "/?outlet=' UNION SELECT data FROM articles --", "/search?q=%25&outlet=%27"])
    def test_input_is_only_a_parameter(self, client, arc, url):
        before = arc.count()
        r = client.get(url)
        assert r.status_code in (200, 404)
        if url.startswith("/api/articles?"):
            assert r.json()["articles"] == []
        assert arc.count() == before


class TestStaticFiles:
    @pytest.mark.parametrize("url", ["/static/../__init__.py", "/static/%2e%2e/__init__.py",
                                     "/static/..%2f..%2fsettings.py", "/static/fonts/../../views.py",
                                     "/static//etc/passwd", "/static/%2e%2e%2f%2e%2e%2f%2e%2e%2fsettings.py"])
    def test_no_traversal(self, client, url):
        r = client.get(url)
        assert r.status_code == 404
        assert "import" not in r.text

    def test_fonts_and_css_are_served(self, client):
        css = client.get("/static/marsad.css")
        assert css.status_code == 200 and "Noto Naskh Arabic" in css.text
        font = client.get("/static/fonts/noto-naskh-arabic-arabic-400-normal.woff2")
        assert font.status_code == 200 and font.content[:4] == b"wOF2"
        assert "http" not in css.text.split("*/", 1)[1], "the stylesheet loads something from elsewhere"


class TestHeaders:
    @pytest.mark.parametrize("url", ["/", "/api/stories", "/articles/missing", "/api/articles/missing",
                                     "/static/marsad.css", "/docs"])
    def test_headers(self, client, url):
        h = client.get(url).headers
        csp = h["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "script-src 'self'" in csp
        assert h["x-content-type-options"] == "nosniff"
        assert h["x-frame-options"] == "DENY"
        assert h["referrer-policy"] == "same-origin"

    def test_pages_have_no_inline_script_or_style(self, client, aawsat_id):
        for url in ("/", f"/articles/{aawsat_id}", "/search?q=روسيا", "/docs"):
            tree = tree_of(client, url)
            assert not tree.css("script") and not tree.css("style") and not tree.css("[style]")


class TestIngestLimits:
    def test_off_without_a_configured_token(self, settings):
        from dataclasses import replace

        from fastapi.testclient import TestClient

        from marsad.web import create_app

        with TestClient(create_app(replace(settings, ingest_token=""))) as c:
            r = c.post("/api/pages", json={"pages": [{"text": "نص"}]}, headers={"Authorization": "Bearer "})
            assert r.status_code == 403

    def test_declared_length_is_checked_first(self, client, settings):
        r = client.post("/api/pages", content=b"x" * (settings.max_ingest_bytes + 1),
                        headers={"Authorization": f"Bearer {settings.ingest_token}",
                                 "Content-Type": "text/plain"})
        assert r.status_code == 413 and r.json()["error"]["code"] == "E413"
