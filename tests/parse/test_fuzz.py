"""Hostile and damaged inputs: ``parse_bytes`` gives a valid page or one of marsad's own errors.

Seeds are real pages of every kind (the bundled sample: a crawler text dump and JSONL articles, turned
into HTML, a feed, a JSON document and other encodings); hypothesis mutates their bytes.
"""

from __future__ import annotations

import codecs
import gzip
import json
from functools import cache
from importlib import resources

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marsad.errors import MarsadError
from marsad.model import Page
from marsad.parse import parse_bytes
from marsad.validate import valid_iso_date, validate_article

PARAS = ["أعلنت الحكومة اليوم عن خطة جديدة لدعم المزارعين في المناطق الريفية بعد موسم جفاف طويل.",
         "وقال وزير الزراعة إن الخطة تشمل قروضاً ميسرة وتوزيع البذور على أكثر من عشرة آلاف أسرة."]


@cache
def seeds() -> list[bytes]:
    sample = resources.files("marsad.data.sample")
    dump = json.loads(sample.joinpath("aawsat-page-2025.jsonl").read_text("utf-8").splitlines()[0])["text"]
    with gzip.open(sample.joinpath("ant-multisource-sample.jsonl.gz").open("rb"), "rt", encoding="utf-8") \
            as f:
        records = [json.loads(next(f)) for _ in range(3)]
    r = records[0]
    html = (f"<html><head><meta charset='utf-8'><title>{r['title']}</title>"
            f"<meta property='article:published_time' content='{r.get('published', '')}'></head><body>"
            f"<article><h1>{r['title']}</h1>" + "".join(f"<p>{p}</p>" for p in r["text"].split("\n"))
            + "<figure><img src='a.jpg'><figcaption>صورة من الحدث (رويترز)</figcaption></figure>"
            "</article></body></html>")
    feed = ("<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>المثال</title>"
            + "".join(f"<item><title>{x['title']}</title><link>https://example.com/{i}</link>"
                      f"<description>{x['text'][:300]}</description><pubDate>Mon, 04 Jun 2018 10:00:00 GMT"
                      "</pubDate></item>" for i, x in enumerate(records)) + "</channel></rss>")
    articles = [{"headline": x["title"], "paragraphs": x["text"].split("\n"), "published": x.get("published")}
                for x in records]
    document = json.dumps({"articles": articles}, ensure_ascii=False)
    return [dump[:6000].encode(), html.encode(), html.encode("cp1256", "replace"),
            codecs.BOM_UTF16_LE + html.encode("utf-16-le"), html.encode("utf-16-be"), feed.encode(),
            json.dumps(records, ensure_ascii=False).encode(), document.encode()]


@st.composite
def mutated(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(seeds())))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["flip", "insert", "delete", "repeat", "truncate"]))
        if op == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(max_size=12) | st.sampled_from(
                [b"<div>" * 40, b"</p>", b"\x00", b"\xff\xfe", b"\xd8", b"\\ud800", b"{", b"]", b"\r\n\r\n",
                 b"<script>", b"2018-13-45", b"<!--", b"\xe2\x80\xae"]))
        elif op == "delete":
            del data[at:at + draw(st.integers(1, 64))]
        elif op == "repeat":
            data[at:at] = data[at:at + draw(st.integers(1, 200))] * draw(st.integers(2, 20))
        else:
            del data[at:]
    return bytes(data)


def _check(page: Page) -> None:
    """What every parsed page holds: articles or teasers, each article already valid and storable."""
    assert isinstance(page, Page) and (page.articles or page.teasers)
    for a in page.articles:
        assert isinstance(a.headline, str) and all(isinstance(p, str) for p in a.paragraphs)
        assert a.published is None or valid_iso_date(a.published)
        before = a.to_dict()
        assert validate_article(a) == [] and a.to_dict() == before  # nothing left for the archive to fix
        json.dumps(a.to_dict(), ensure_ascii=False).encode("utf-8")


def _parse(data: bytes, **kw) -> None:
    try:
        page = parse_bytes(data, "fuzz", **kw)
    except MarsadError:
        return
    _check(page)


@pytest.mark.parametrize("i", range(8))
def test_every_seed_parses(i):
    _check(parse_bytes(seeds()[i], f"seed-{i}"))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated())
def test_mutated_real_pages_give_a_valid_page_or_a_marsad_error(data):
    _parse(data)


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000), st.sampled_from([None, "text/html", "application/json", "text/plain",
                                                  "text/html; charset=utf-16", "application/rss+xml"]))
def test_random_bytes_with_any_content_type_give_a_page_or_a_marsad_error(data, content_type):
    _parse(data, content_type=content_type)


@pytest.mark.parametrize("depth", [300, 2100, 50_000])
def test_an_article_nested_deeper_than_the_parser_limit_is_found(depth):
    html = ("<html><head><title>خطة لدعم المزارعين</title></head><body>" + "<div class='x'>" * depth
            + "<h1>خطة لدعم المزارعين</h1>" + "".join(f"<p>{p}</p>" for p in PARAS) + "</div>" * depth
            + "</body></html>")
    page = parse_bytes(html.encode(), "deep.html")
    assert page.articles[0].paragraphs == PARAS
