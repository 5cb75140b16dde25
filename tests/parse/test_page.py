"""``parse_bytes``: kind detection, JSON documents, and no crash on any input."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marsad.errors import MarsadError
from marsad.model import Page
from marsad.parse import parse_bytes
from marsad.parse.page import sniff

ARTICLE = {"id": "a1", "title": "خطة لدعم المزارعين", "category": "اقتصاد",
           "text": "أعلنت الحكومة خطة جديدة لدعم المزارعين.\nوقال الوزير إن التنفيذ يبدأ قريباً."}


def test_sniff() -> None:
    assert sniff('  {"title": "x"}') == "json"
    assert sniff("<?xml version='1.0'?><rss version='2.0'>") == "feed"
    assert sniff("<!DOCTYPE html><html>") == "html"
    assert sniff("عنوان\nنص الخبر") == "text"
    assert sniff("عنوان", "text/html; charset=utf-8") == "html"


def test_json_record_list_and_round_trip(shared: Path) -> None:
    data = json.dumps([ARTICLE, {**ARTICLE, "id": "a2"}], ensure_ascii=False).encode()
    page = parse_bytes(data, "two.json")
    assert [a.id for a in page.articles] == ["a1", "a2"]
    assert [a.source for a in page.articles] == ["two.json#1", "two.json#2"]
    gold = (shared / "fixtures/aawsat-page-2025.gold.json").read_bytes()
    assert parse_bytes(gold).to_dict() == json.loads(gold)  # parse --json output reads back as is


def test_text_opening_with_a_bracket_is_not_json() -> None:
    text = "[فيديو] خطة لدعم المزارعين\nTT\n" + "أعلنت الحكومة اليوم خطة جديدة لدعم المزارعين في الريف. " * 3
    page = parse_bytes(text.encode(), "page.txt")
    assert page.articles or page.teasers


def test_title_only_record_and_untitled_text() -> None:
    page = parse_bytes(json.dumps({"title": ARTICLE["title"]}, ensure_ascii=False).encode())
    assert page.articles[0].paragraphs == []
    page = parse_bytes(json.dumps({"text": ARTICLE["text"]}, ensure_ascii=False).encode())
    assert page.articles[0].headline == "أعلنت الحكومة خطة جديدة لدعم المزارعين."


fragments = st.sampled_from(["<html>", "<body>", "<p>", "</p>", "<div class='share'>", "</div>", "<figure>",
                             "<figcaption>", "<script>", "<h1>", "{", "}", '"text":', "<rss>", "<item>",
                             "TT", "\n", "قال الوزير إن الخطة ستبدأ", " (رويترز)", "\x00", "\ufeff", "\r\n"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=400), st.lists(fragments, max_size=40).map("".join).map(str.encode)))
def test_any_input_gives_a_page_or_a_marsad_error(data: bytes) -> None:
    try:
        page = parse_bytes(data, "fuzz")
    except MarsadError:
        return
    assert isinstance(page, Page) and (page.articles or page.teasers)


def test_text_dump_in_legacy_encodings(shared: Path) -> None:
    text = (shared / "fixtures/aawsat-page-2025.txt").read_text("utf-8")
    gold = json.loads((shared / "fixtures/aawsat-page-2025.gold.json").read_text("utf-8"))
    for encoding in ("cp1256", "utf-16"):  # undeclared windows-1256 is detected; UTF-16 has its BOM
        assert parse_bytes(text.encode(encoding)).to_dict() == gold
