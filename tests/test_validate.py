"""One validation of every article at the model boundary: files, JSONL, documents and HTTP alike."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marsad.archive import open_archive
from marsad.errors import InputError
from marsad.model import Article, DateMention, EntityMention, Image
from marsad.parse import parse_bytes
from marsad.validate import valid_iso_date, validate_article

_BODY = ["قال وزير الخارجية إن المحادثات ستستأنف الأسبوع المقبل في العاصمة.", "وأضاف أن الوفدين اتفقا."]


def _doc(*articles) -> bytes:
    return json.dumps({"articles": list(articles)}, ensure_ascii=False).encode()


def _item(i: int, **changes) -> dict:
    item = {"headline": f"محادثات السلام تستأنف في الجولة رقم {i}", "paragraphs": _BODY, "id": f"d-{i}",
            "published": f"2018-06-0{1 + i % 9}T10:00:00+00:00"}
    item.update(changes)
    return item


@pytest.mark.parametrize("value", ["2018-13-01", "2018-02-30", "أمس", "2018/06/01 99:99", "2018-06-01\x00"])
def test_an_invalid_published_becomes_empty_with_a_warning_and_its_raw_value_kept(value):
    a = Article(headline="عنوان", published=value)
    warnings = validate_article(a)
    assert a.published is None
    assert warnings and "published" in warnings[0] and a.warnings == warnings
    assert a.extra["published_raw"] == value


@pytest.mark.parametrize("value, expected", [
    ("2018-06-01", "2018-06-01"), ("2018-06", "2018-06"), ("2018", "2018"),
    ("2018-06-01T10:00:00+00:00", "2018-06-01T10:00:00+00:00"),
    ("Fri, 01 Jun 2018 10:00:00 GMT", "2018-06-01T10:00:00+00:00"), (None, None)])
def test_valid_dates_are_kept_or_written_as_iso(value, expected):
    a = Article(headline="عنوان", published=value)
    assert validate_article(a) == []
    assert a.published == expected
    assert validate_article(a) == [] and a.published == expected  # twice changes nothing


def test_types_are_coerced_or_refused_per_field():
    a = Article(headline=2018, published=2018, section=7, author={"name": "x"}, kind="رأي",
                paragraphs="سطر أول\nسطر ثان", extra=["x"], images=[{"caption": "صورة", "lead": 1}, 5],
                related=[{"headline": None}])
    validate_article(a)
    assert (a.headline, a.section, a.author, a.published, a.kind) == ("2018", "7", None, None, "news")
    assert a.paragraphs == ["سطر أول", "سطر ثان"]
    assert a.extra == {"value": ["x"], "published_raw": 2018}
    assert a.images == [Image(caption="صورة", lead=True)] and a.related == []
    assert len(a.warnings) == 9, a.warnings


def test_an_article_without_headline_text_is_refused():
    with pytest.raises(InputError):
        validate_article(Article(headline=None))
    with pytest.raises(InputError):
        validate_article(Article(headline={"ar": "عنوان"}))


def test_surrogates_and_control_characters_never_pass():
    a = Article(headline="عنوان\x00\x02 \ud800خبر", paragraphs=["فقرة\x07"], outlet="\udfff")
    validate_article(a)
    assert a.headline == "عنوان \ufffdخبر" and a.paragraphs == ["فقرة"] and a.outlet == "\ufffd"
    json.dumps(a.to_dict(), ensure_ascii=False).encode("utf-8")


def test_mentions_whose_offsets_do_not_fit_the_text_are_dropped():
    a = Article(headline="بوتين", paragraphs=["زار بوتين موسكو"],
                entities=[EntityMention("بوتين", "PERS", 4, 9, 0), EntityMention("x", "PERS", 4, 99, 0),
                          EntityMention("x", "PERS", 0, 1, 5), EntityMention("x", "BAD", 0, 1, 0),
                          EntityMention("بوتين", "PERS", 0, 5, -1)],
                dates=[DateMention("x", "2018-13", 0, 1, 0), DateMention("x", "2018-06", 0, 1, 0)])
    validate_article(a)
    assert [(e.start, e.paragraph) for e in a.entities] == [(4, 0), (0, -1)]
    assert [d.iso for d in a.dates] == ["2018-06"]
    assert any("entities: 3 invalid" in w for w in a.warnings)


@given(st.text(max_size=30) | st.integers() | st.none() | st.floats(allow_nan=True) | st.booleans())
def test_published_is_always_none_or_a_real_iso_date(value):
    a = Article(headline="عنوان", published=value)
    validate_article(a)
    assert a.published is None or valid_iso_date(a.published)
    again = list(a.warnings)
    validate_article(a)
    assert a.warnings == again


_anything = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                         lambda inner: st.lists(inner, max_size=3)
                         | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)


@given(st.dictionaries(st.sampled_from(["headline", "paragraphs", "deck", "kind", "published", "section",
                                        "images", "related", "extra", "entities", "dates", "quotes", "id"]),
                       _anything, max_size=8))
def test_any_json_article_is_refused_or_becomes_an_article_the_archive_can_store(fields):
    try:
        a = Article.from_dict({"headline": "عنوان", **fields})
    except (TypeError, AttributeError):
        return  # from_dict refuses it: a document holding it is refused with InputError
    try:
        validate_article(a)
    except InputError:
        return
    assert isinstance(a.headline, str) and all(isinstance(p, str) for p in a.paragraphs)
    assert a.published is None or valid_iso_date(a.published)
    assert isinstance(a.extra, dict) and a.kind in ("news", "opinion")
    assert Article.from_dict(json.loads(json.dumps(a.to_dict()))).to_dict() == a.to_dict()


def test_a_document_with_a_bad_date_is_stored_without_it_and_the_home_page_works(tmp_path):
    from fastapi.testclient import TestClient

    from marsad.settings import load
    from marsad.web import create_app

    (tmp_path / "doc.json").write_bytes(_doc(*[_item(i) for i in range(3)], _item(9, published="2018-13-01")))
    db = tmp_path / "a.db"
    with open_archive(db) as arc:
        report = arc.ingest([tmp_path / "doc.json"], enrich=False)
        assert report.new == 4 and not report.failed
        reasons = [w.reason for w in report.warnings]
        assert reasons == ["published '2018-13-01' is not a valid date: left empty"]
        assert report.warnings[0].source.endswith("doc.json")
        stored = arc.get("d-9")
        assert stored.published is None and stored.warnings and stored.extra["published_raw"] == "2018-13-01"
    with TestClient(create_app(load(db))) as client:
        for url in ("/", "/articles/d-9", "/api/articles/d-9", "/api/articles", "/api/home"):
            assert client.get(url).status_code == 200, url


def test_an_integer_date_does_not_stop_relating_for_its_batch(tmp_path):
    (tmp_path / "doc.json").write_bytes(_doc(_item(0, published=2018), *[_item(i) for i in range(1, 21)]))
    with open_archive(tmp_path / "a.db") as arc:
        report = arc.ingest([tmp_path / "doc.json"], enrich=False)
        assert report.new == 21 and not report.failed
        related = arc.backend.conn.execute("SELECT count(*) FROM relate_docs").fetchone()[0]
        assert related == 21
        assert not arc.relate_all().failed


def test_values_set_after_parsing_are_validated_before_storing(tmp_path):
    """The HTTP route sets metadata on parsed articles: the archive checks them again."""
    with open_archive(tmp_path / "a.db") as arc:
        report = arc.put([Article(headline="عنوان", id="h", published="2018-13-01", paragraphs=_BODY),
                          Article(headline=None, id="bad"),
                          Article(headline="آخر", id="ok", paragraphs=_BODY)])
        assert arc.get("h").published is None
        assert report.new == 2 and [f.source for f in report.failed] == ["bad"]
        assert report.warnings[0].source == "h"


def test_relating_isolates_an_article_it_cannot_relate(tmp_path, monkeypatch):
    import marsad.relate.incremental as incremental

    real = incremental.features

    def broken(article):
        if article.id == "d-3":
            raise ValueError("bad stored value")
        return real(article)

    (tmp_path / "doc.json").write_bytes(_doc(*[_item(i) for i in range(8)]))
    monkeypatch.setattr(incremental, "features", broken)
    with open_archive(tmp_path / "a.db") as arc:
        report = arc.ingest([tmp_path / "doc.json"], enrich=False, parallel=False)
        assert report.new == 8
        assert [(f.source, f.stage) for f in report.failed] == [("d-3", "relate")]
        assert arc.backend.conn.execute("SELECT count(*) FROM relate_docs").fetchone()[0] == 7
        assert [(f.source, f.stage) for f in arc.relate_all().failed] == [("d-3", "relate")]


def test_a_jsonl_record_and_a_parsed_page_are_validated():
    page = parse_bytes(_doc(_item(1, published="2018-02-30")), "doc.json")
    assert page.articles[0].published is None and page.articles[0].warnings
    with pytest.raises(InputError, match="article 2"):
        parse_bytes(_doc(_item(1), _item(2, headline=["x"])), "doc.json")


@pytest.mark.parametrize("args", [["search", "ترامب", "--since", "2018/06/01"],
                                  ["search", "ترامب", "--since", "2018-13-45"],
                                  ["search", "ترامب", "--until", "2018-02-30"],
                                  ["stories", "--since", "yesterday"]])
def test_the_cli_refuses_a_bad_date_in_one_line(tmp_path, args):
    from click.testing import CliRunner

    from marsad.cli import main

    db = tmp_path / "a.db"
    with open_archive(db) as arc:
        arc.put([Article(headline="ترامب يلتقي", paragraphs=["قال ترامب إنه سيلتقي الوفد."], id="t")])
    result = CliRunner().invoke(main, [*args, "--db", str(db)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "is not a date" in lines[0] and "Traceback" not in result.output
    ok = CliRunner().invoke(main, [args[0], *args[1:-1], "2018-06-01", "--db", str(db)])
    assert ok.exit_code == 0, ok.output
