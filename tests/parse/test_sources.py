"""Inputs of ``iter_pages``: folders, JSONL (plain, gzip, xz), WARC, RSS and Atom feeds."""

from __future__ import annotations

import gzip
import json
import lzma
import re
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from marsad.model import Failure, Page
from marsad.parse import iter_pages

PARAS = ["أعلنت الحكومة اليوم عن خطة جديدة لدعم المزارعين في المناطق الريفية بعد موسم جفاف طويل.",
         "وقال وزير الزراعة إن الخطة تشمل قروضاً ميسرة وتوزيع البذور على أكثر من عشرة آلاف أسرة."]
HTML = ("<html><head><title>خطة لدعم المزارعين</title></head><body><div>"
        + "".join(f"<p>{p}</p>" for p in PARAS) + "</div></body></html>")


def _run(*paths, **kw) -> tuple[list[Page], list[Failure]]:
    items = list(iter_pages([str(p) for p in paths], **kw))
    return [i for i in items if isinstance(i, Page)], [i for i in items if isinstance(i, Failure)]


def _sample_records(shared: Path, n: int = 3) -> list[dict]:
    with open(shared / "data/news/ant-multisource/sample.jsonl", encoding="utf-8") as f:
        return [json.loads(next(f)) for _ in range(n)]


def test_folder_is_read_recursively(tmp_path: Path, shared: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "page.html").write_text(HTML, "utf-8")
    (tmp_path / "a" / "dump.txt").write_bytes((shared / "fixtures/aawsat-page-2025.txt").read_bytes())
    (tmp_path / ".hidden").write_text("ignored", "utf-8")
    (tmp_path / "notes.bin").write_bytes(bytes(range(256)) * 8)
    pages, failures = _run(tmp_path)
    assert sorted(Path(p.source).name for p in pages) == ["dump.txt", "page.html"]
    assert [(Path(f.source).name, f.reason) for f in failures] == [
        ("notes.bin", "binary data, not a text or HTML page")]
    assert sum(len(p.articles) for p in pages) == 5


@pytest.mark.parametrize(("suffix", "opener"), [(".jsonl", open), (".jsonl.gz", gzip.open),
                                                (".jsonl.xz", lzma.open)])
def test_jsonl_articles_keep_every_field(tmp_path: Path, shared: Path, suffix: str, opener) -> None:
    records = _sample_records(shared)
    path = tmp_path / f"articles{suffix}"
    with opener(path, "wt", encoding="utf-8") as f:
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    pages, failures = _run(path)
    assert not failures
    assert [p.source for p in pages] == [f"{path}#{n}" for n in (1, 2, 3)]
    article, record = pages[0].articles[0], records[0]
    assert article.id == record["id"]
    assert article.headline == record["title"]
    assert article.url == record["url"]
    assert article.outlet == record["outlet"]
    assert article.section == record["category"]  # no "section": the category stands in
    assert article.published == record["published"]
    assert article.paragraphs == record["text"].split("\n")
    assert article.extra["source"] == record["source"]
    assert article.extra["published_raw"] == record["published_raw"]
    assert article.extra["abstract"] == record["abstract"]
    assert article.extra["path"] == record["path"]


def test_jsonl_bad_lines_are_reported_and_the_rest_go_on(tmp_path: Path, shared: Path) -> None:
    good = _sample_records(shared, 2)
    english = {"id": "en-1", "title": "Weather", "text": "It will rain in London tomorrow, forecasters say."}
    lines = [json.dumps(good[0], ensure_ascii=False), "{not json", "[1, 2]", json.dumps(english),
             json.dumps({"id": "x"}), "", json.dumps(good[1], ensure_ascii=False)]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    pages, failures = _run(path)
    assert [p.articles[0].id for p in pages] == [good[0]["id"], "en-1", good[1]["id"]]
    assert [p.articles[0].language for p in pages] == [None, "en", None]  # kept, its language marked
    assert [f.source.rsplit("#", 1)[1] for f in failures] == ["2", "3", "5"]
    assert failures[0].reason.startswith("invalid JSON")


def test_a_broken_escape_in_an_unknown_field_is_kept_storable(tmp_path: Path, shared: Path) -> None:
    from marsad.validate import validate_article

    record = {**_sample_records(shared, 1)[0], "tags": ["@1", {"@2k": "x@1"}]}
    line = json.dumps(record, ensure_ascii=False).replace("@1", "\\ud800").replace("@2", "\\udc00")
    path = tmp_path / "broken.jsonl"
    path.write_text(line + "\n", "utf-8")
    pages, failures = _run(path)
    article = pages[0].articles[0]
    assert not failures and article.extra["tags"] == ["\ufffd", {"\ufffdk": "x\ufffd"}]
    assert validate_article(article) == []


def test_jsonl_raw_page_records(tmp_path: Path, shared: Path) -> None:
    text = (shared / "fixtures/aawsat-page-2025.txt").read_text("utf-8")
    records = [{"html": HTML, "url": "https://example.com/n/1", "id": "n1", "outlet": "المثال", "crawl": 7},
               {"text": text, "url": "https://aawsat.com/x"}]
    path = tmp_path / "raw.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    (html_page, text_page), failures = _run(path)
    assert not failures
    article = html_page.articles[0]
    assert (article.id, article.url, article.outlet, article.extra) == ("n1", "https://example.com/n/1",
                                                                        "المثال", {"crawl": 7})
    assert article.paragraphs == PARAS
    assert len(text_page.articles) == 4
    assert all(a.url == "https://aawsat.com/x" and a.id is None for a in text_page.articles)


def _warc(path: Path) -> None:
    legacy = HTML.replace("<head>", '<head><meta charset="windows-1256">').encode("cp1256")
    records = [
        ("https://example.com/news/1", "200 OK", "text/html; charset=windows-1256", legacy),
        ("https://example.com/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n" + bytes(100)),
        ("https://example.com/old", "301 Moved Permanently", "text/html", b""),
        ("https://example.com/", "200 OK", "text/html", b"<html><body><nav>menu</nav></body></html>"),
    ]
    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=path.suffix == ".gz")
        for uri, status, ctype, payload in records:
            http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(uri, "response", payload=BytesIO(payload),
                                                          http_headers=http))


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_warc_responses(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    _warc(path)
    pages, failures = _run(path)
    assert [p.source for p in pages] == [f"{path}#https://example.com/news/1"]
    article = pages[0].articles[0]
    assert article.paragraphs == PARAS  # windows-1256 from the HTTP header
    assert article.url == "https://example.com/news/1"
    assert [(f.source, f.reason) for f in failures] == [
        (f"{path}#https://example.com/", "no news article found in the page")]


def _five_records(path: Path, longer_by: int) -> None:
    """Five news responses; the third says its content is ``longer_by`` bytes longer than it is."""
    buffer = BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    for i in range(5):
        page = HTML.replace("<title>خطة", f"<title>خطة رقم {i}").encode()
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(f"https://example.com/n/{i}", "response",
                                                      payload=BytesIO(page), http_headers=http))
    data = buffer.getvalue()
    starts = [m.start() for m in re.finditer(rb"WARC/1\.[01]\r\n", data)]
    third = data[starts[2]:starts[3]]
    length = re.search(rb"Content-Length: (\d+)", third)
    third = third.replace(length.group(), b"Content-Length: %d" % (int(length.group(1)) + longer_by))
    path.write_bytes(data[:starts[2]] + third + data[starts[3]:])


@pytest.mark.parametrize("longer_by", [300, 100_000])  # into the next record; past the end of the file
def test_warc_records_after_an_overlong_content_length_are_kept_and_reported(tmp_path, longer_by) -> None:
    path = tmp_path / "crawl.warc"
    _five_records(path, longer_by)
    pages, failures = _run(path)
    assert [p.source.rsplit("/", 1)[1] for p in pages] == ["0", "1", "2", "3", "4"]
    assert [p.articles[0].headline for p in pages] == [f"خطة رقم {i} لدعم المزارعين" for i in range(5)]
    assert pages[2].articles[0].paragraphs == PARAS  # cut where the next record starts
    assert pages[2].articles[0].warnings == [
        "the record's Content-Length runs into the next record: cut there"]
    assert any("overlong Content-Length" in f.reason for f in failures)


def test_not_a_warc(tmp_path: Path) -> None:
    path = tmp_path / "broken.warc.gz"
    path.write_bytes(b"this is not gzip at all")
    pages, failures = _run(path)
    assert not pages and len(failures) == 1 and failures[0].source == str(path)


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>صحيفة المثال</title><link>https://example.com</link>
<item><title>خطة لدعم المزارعين</title><link>https://example.com/n/1</link><guid>n-1</guid>
<pubDate>Tue, 05 Mar 2024 10:30:00 +0300</pubDate><category>اقتصاد</category><author>سارة أحمد</author>
<description>الحكومة تعلن خطة جديدة للمزارعين</description>
<content:encoded><![CDATA[<p>{p0}</p><p>{p1}</p><script>x()</script>]]></content:encoded></item>
<item><title>الأمطار تعود إلى المنطقة</title><link>https://example.com/n/2</link>
<description><![CDATA[<p>{p0}</p>]]></description></item>
</channel></rss>""".format(p0=PARAS[0], p1=PARAS[1])

ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>المثال</title><id>urn:x</id>
<updated>2024-03-05T07:00:00Z</updated>
<entry><title>خطة لدعم المزارعين</title><id>urn:n:1</id><link href="https://example.com/n/1"/>
<updated>2024-03-05T07:00:00Z</updated><author><name>منى خالد</name></author>
<content type="html">&lt;p&gt;{PARAS[0]}&lt;/p&gt;&lt;p&gt;{PARAS[1]}&lt;/p&gt;</content></entry>
</feed>"""


def test_rss_feed(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text(RSS, "utf-8")
    (page,), failures = _run(path)
    assert not failures
    first, second = page.articles
    assert (first.id, first.url, first.headline) == ("n-1", "https://example.com/n/1", "خطة لدعم المزارعين")
    assert first.paragraphs == PARAS
    assert first.deck == "الحكومة تعلن خطة جديدة للمزارعين"  # a description that is not the lede
    assert (first.published, first.section, first.author, first.outlet) == (
        "2024-03-05T10:30:00+03:00", "اقتصاد", "سارة أحمد", "صحيفة المثال")
    assert second.paragraphs == PARAS[:1] and second.deck is None


def test_atom_feed(tmp_path: Path) -> None:
    path = tmp_path / "feed.atom"
    path.write_text(ATOM, "utf-8")
    (page,), failures = _run(path)
    article = page.articles[0]
    assert (article.id, article.url, article.author) == ("urn:n:1", "https://example.com/n/1", "منى خالد")
    assert article.published == "2024-03-05T07:00:00+00:00"
    assert article.paragraphs == PARAS


def test_compressed_single_page_and_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress(HTML.encode()))
    (page,), _ = _run(path)
    assert page.articles[0].paragraphs == PARAS
    pages, failures = _run(path, max_bytes=100)
    assert not pages and failures[0].stage == "read" and "limit" in failures[0].reason


def test_missing_path_is_a_failure(tmp_path: Path) -> None:
    pages, failures = _run(tmp_path / "nope.html", tmp_path)
    assert not pages
    assert [f.reason for f in failures] == ["no such file or folder", "folder holds no files"]


@pytest.mark.parametrize(("suffix", "opener"), [(".jsonl.gz", gzip.open), (".jsonl.xz", lzma.open),
                                                (".jsonl", open)])
def test_an_overlong_compressed_line_is_never_held_whole_and_the_good_records_are_kept(
        tmp_path: Path, suffix: str, opener) -> None:
    import tracemalloc

    good = {"title": "خطة لدعم المزارعين", "text": "\n".join(PARAS)}
    path = tmp_path / f"records{suffix}"
    with opener(path, "wb") as f:
        for i in range(50):
            f.write(json.dumps({**good, "id": f"a{i}"}, ensure_ascii=False).encode() + b"\n")
        f.write(b'{"id": "huge", "text": "')
        for _ in range(40):  # a line of 40 MB, against a limit of 1 MB
            f.write(b"a" * 2**20)
        f.write(b'"}\n')
        for i in range(50, 100):
            f.write(json.dumps({**good, "id": f"a{i}"}, ensure_ascii=False).encode() + b"\n")
    tracemalloc.start()
    try:
        pages, failures = _run(path, max_bytes=2**20)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [p.articles[0].id for p in pages] == [f"a{i}" for i in range(100)]
    assert [(f.source, f.reason) for f in failures] == [
        (f"{path}#51", "record is over the 1,048,576-byte limit")]
    assert peak < 16 * 2**20, peak  # a few blocks of the limit's size, never the 40 MB line
