"""Memory bounded by design: parsing and analyzing a page for the archive take a few times its size,
however it is laid out (bench/memory.py measures whole ingests against page size)."""

from __future__ import annotations

import gzip
import json
import tracemalloc
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marsad import model
from marsad.archive import open_archive
from marsad.model import Article
from marsad.parse import parse_bytes
from marsad.pipeline.stages import preparers

MB = 2**20


def _page(size: int, sep: str) -> bytes:
    sample = resources.files("marsad.data.sample").joinpath("ant-multisource-sample.jsonl.gz")
    with gzip.open(sample.open("rb"), "rt", encoding="utf-8") as f:
        paras = [p for line in f for p in json.loads(line)["text"].split("\n") if len(p) > 40]
    out, n, i = ["خطة حكومية جديدة لدعم المزارعين في المناطق الريفية\n\n"], 0, 0
    while n < size:
        out.append(paras[i % len(paras)] + sep)
        n += len(out[-1].encode())
        i += 1
    return "".join(out).encode()


def _peak(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("sep", ["\n\n", " "], ids=["paragraphs", "one-line"])
def test_parsing_and_analyzing_a_big_page_take_a_few_times_its_size(sep):
    stages = preparers(relate=True)
    data = _page(MB, sep)
    page = parse_bytes(data, "big.txt")
    for prepare in stages.values():  # fills the caches of words seen (bounded, whatever the page size)
        prepare(page.articles[0])
    assert _peak(lambda: parse_bytes(data, "big.txt")) < 8 * len(data)  # was 40 times for one line
    for name, prepare in stages.items():
        assert _peak(lambda p=prepare: p(page.articles[0])) < 10 * len(data), name  # relate: was 40 times


@pytest.fixture
def small_cap(monkeypatch):
    """Search and relate read the first 2,000 characters of a body (1,000,000 in use)."""
    monkeypatch.setattr(model, "ANALYZED_CHARS", 2000)
    return 2000


def test_analyzing_a_body_past_the_cap_costs_the_cap_not_the_page(monkeypatch):
    monkeypatch.setattr(model, "ANALYZED_CHARS", 10_000)
    small, big = (parse_bytes(_page(n * MB, " "), "big.txt").articles[0] for n in (1, 3))
    assert small.body_chars() > 50 * model.ANALYZED_CHARS
    for name, prepare in preparers(relate=True).items():
        prepare(big)  # the caches of words seen
        peaks = [_peak(lambda p=prepare, a=a: p(a)) for a in (small, big)]
        assert peaks[1] < 1.2 * peaks[0] + 100_000, name  # three times the page, the same memory


@given(st.lists(st.text(alphabet="اب ت\n", max_size=30), max_size=8), st.integers(0, 120))
def test_the_analyzed_body_is_the_start_of_the_body_cut_between_words(paragraphs, limit):
    article = Article("h", paragraphs)
    model.ANALYZED_CHARS, kept = limit, model.ANALYZED_CHARS
    try:
        analyzed = article.analyzed_body()
    finally:
        model.ANALYZED_CHARS = kept
    body = article.body
    assert article.body_chars() == len(body)
    if len(body) <= limit:
        assert analyzed == body
    else:
        assert len(analyzed) <= limit and body.startswith(analyzed)
        rest = body[len(analyzed):]
        assert not analyzed or not rest or rest[0].isspace() or analyzed[-1].isspace()


def test_a_huge_article_is_stored_whole_and_searched_by_its_start(new_db, small_cap):
    paragraphs = [f"فقرة رقم {i} عن السياسة والاقتصاد في المنطقة العربية" for i in range(200)]
    paragraphs[0] += " زنجبيل"
    paragraphs[-1] += " قرنفل"  # past the cap
    with open_archive(new_db()) as arc:
        report = arc.put([Article("خبر طويل جدا", paragraphs, id="long", url="https://x.example/long")])
        stored = arc.get("long")
        assert stored.paragraphs == paragraphs  # nothing of the text is lost
        assert any("search and related articles read its first 2,000" in w for w in stored.warnings)
        assert [h.id for h in arc.search("زنجبيل").hits] == ["long"]
        assert arc.search("قرنفل").total == 0
        assert report.new == 1 and not report.failed


def test_a_huge_articles_json_is_bound_as_bytes_and_stored_as_text(tmp_path, monkeypatch):
    import sqlite3

    from marsad.archive.sqlite import store

    monkeypatch.setattr(store, "_BIG_DATA", 0)  # every article's, here
    db = tmp_path / "a.db"
    with open_archive(db) as arc:
        arc.put([Article("عنوان", ["فقرة أولى", "فقرة ثانية"], id="x")])
        report = arc.put([Article("عنوان", ["فقرة أولى", "فقرة ثالثة"], id="x")])  # the update path
        assert report.updated == 1 and arc.get("x").paragraphs == ["فقرة أولى", "فقرة ثالثة"]
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT typeof(data), json_extract(data, '$.headline') FROM articles").fetchall()
        assert rows == [("text", "عنوان")]
    finally:
        conn.close()
