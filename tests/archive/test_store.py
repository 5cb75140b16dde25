"""Storing, replacing and reading articles and entities in the SQLite archive."""

from __future__ import annotations

import dataclasses

import pytest

from marsad.archive import open_archive
from marsad.archive.base import article_id
from marsad.enrich.canonical import entity_key
from marsad.errors import NotFound
from marsad.model import Article, EntityMention, Quote
from tests.archive.conftest import make_article, moscow, putin


def test_put_then_get_gives_back_every_field(arc):
    article = make_article(1)
    expected = dataclasses.replace(article)
    report = arc.put([article])
    assert (report.new, report.updated, report.unchanged, report.failed) == (1, 0, 0, [])
    assert arc.get("art-1") == expected
    assert arc.count() == 1


def test_archive_columns_hold_metadata_and_ingest_time(arc):
    arc.put([make_article(1)])
    row = arc.backend.conn.execute(
        "SELECT url, outlet, section, published, source, body, ingested_at, content_hash "
        "FROM articles WHERE id = 'art-1'").fetchone()
    assert row[:5] == ("https://example.com/a/1", "Example", "politics", "2025-02-11T10:00:00+00:00",
                       "pages/1.html")
    assert row[5].split("\n\n")[1] == "وأضاف: «نعم»."
    assert row[6].startswith("20") and len(row[7]) == 32


def test_ids_come_from_input_then_url_then_content():
    with_id = make_article(1)
    by_url = make_article(1, id=None)
    by_content = make_article(1, id=None, url=None)
    assert article_id(with_id) == "art-1"
    assert article_id(by_url) == article_id(make_article(2, id=None, url=by_url.url))
    assert article_id(by_url).startswith("u")
    assert article_id(by_content) == article_id(make_article(1, id=None, url=None, source="elsewhere"))
    assert article_id(by_content) != article_id(make_article(2, id=None, url=None))


def test_stored_article_gets_its_id(arc):
    report = arc.put([make_article(3, id=None)])
    assert arc.get(report.ids[0]).url == "https://example.com/a/3"


def test_same_page_again_adds_nothing(arc):
    arc.put([make_article(i) for i in range(5)])
    again = arc.put([make_article(i, source="other/path.html") for i in range(5)])
    assert (again.new, again.updated, again.unchanged) == (0, 0, 5)
    assert arc.count() == 5
    assert arc.get("art-2").source == "pages/2.html"


def test_changed_version_replaces_the_old(arc):
    arc.put([make_article(1), make_article(2)])
    rowid = arc.backend.conn.execute("SELECT rowid FROM articles WHERE id = 'art-1'").fetchone()[0]
    report = arc.put([make_article(1, headline="عنوان معدل")])
    assert (report.new, report.updated, report.unchanged) == (0, 1, 0)
    assert arc.get("art-1").headline == "عنوان معدل"
    assert arc.count() == 2
    assert arc.backend.conn.execute("SELECT rowid FROM articles WHERE id = 'art-1'").fetchone()[0] == rowid


def test_repeats_inside_one_batch(arc):
    report = arc.put([make_article(1), make_article(1), make_article(1, headline="جديد")])
    assert (report.new, report.updated, report.unchanged, report.ids) == (1, 1, 1, ["art-1"])
    assert arc.get("art-1").headline == "جديد"


def test_plain_reparse_keeps_stored_enrichment_and_new_enrichment_replaces(arc):
    arc.put([make_article(1, entities=[putin()])])
    plain = arc.put([make_article(1)])
    assert plain.unchanged == 1 and arc.get("art-1").entities == [keyed(putin())]
    richer = arc.put([make_article(1, entities=[putin(), moscow()])])
    assert richer.updated == 1 and arc.get("art-1").entities == [keyed(putin()), keyed(moscow())]


def keyed(m: EntityMention) -> EntityMention:
    return dataclasses.replace(m, key=entity_key(m.canonical))


def test_mentions_that_came_without_keys_get_them_before_storing_and_are_stored_under_them(arc):
    given = dataclasses.replace(moscow(), key="given-key")
    report = arc.put([make_article(1, entities=[putin(), given],
                                   quotes=[Quote("نعم", "بوتين", 1, "فلاديمير بوتين")])])
    assert report.new == 1
    stored = arc.get("art-1")
    assert [m.key for m in stored.entities] == [entity_key("فلاديمير بوتين"), "given-key"]
    assert stored.quotes[0].key == entity_key("فلاديمير بوتين")
    assert {e.id for e in arc.entities()} == {entity_key("فلاديمير بوتين"), "given-key"}


@pytest.mark.backends("sqlite")  # reads the transaction off SQLite's connection
def test_the_index_gets_new_and_changed_articles_in_the_batch_s_unit_of_work(arc):
    calls = []
    stored = arc.backend.store

    class Recorder:
        def add(self, rows, prepared=None):
            assert stored.conn.in_transaction
            calls.append([(key, a.id) for key, a in rows])

    arc.backend.index = Recorder()
    arc.put([make_article(1), make_article(2)])
    arc.put([make_article(2, headline="تغير"), make_article(1)])
    assert calls == [[(1, "art-1"), (2, "art-2")], [(2, "art-2")]], "a changed article keeps its key"


def test_the_store_only_stores(arc):
    result = arc.store.put_batch([make_article(1)])
    assert [(key, a.id) for key, a in result.stored] == [(1, "art-1")]
    assert arc.search("المدينة").total == 0, "indexing is the pipeline's step"


def test_latest_is_newest_first_and_filters(arc):
    arc.put([make_article(i, outlet="A" if i % 2 else "B", section="s" if i < 4 else "t") for i in range(8)])
    dates = [a.published for a in arc.latest(limit=8)]
    assert dates == sorted(dates, reverse=True)
    assert {a.outlet for a in arc.latest(outlet="A")} == {"A"}
    assert [a.id for a in arc.latest(section="s", outlet="B")] == ["art-2", "art-0"]
    assert len(arc.latest(limit=3, offset=6)) == 2


def test_iter_articles_oldest_first_since(arc):
    arc.put([make_article(i) for i in range(9)])
    all_dates = [a.published for a in arc.iter_articles()]
    assert all_dates == sorted(all_dates) and len(all_dates) == 9
    assert [a.published[:7] for a in arc.iter_articles(since="2025-08")] == ["2025-08", "2025-09"]


def test_facets_count_outlets_and_sections(arc):
    arc.put([make_article(i, outlet="A" if i < 3 else "B") for i in range(5)])
    assert arc.facets() == {"outlets": [("A", 3), ("B", 2)], "sections": [("politics", 5)]}


def test_get_missing_is_not_found(arc):
    with pytest.raises(NotFound):
        arc.get("nope")
    with pytest.raises(NotFound):
        arc.entity("nope")


def test_entities_count_articles_not_mentions(arc):
    arc.put([make_article(1, entities=[putin(), putin(1, "بوتين"), moscow()]),
              make_article(2, entities=[putin(0, "الرئيس الروسي")]),
              make_article(3)])
    summary = {e.name: (e.type, e.articles) for e in arc.entities()}
    assert summary == {"فلاديمير بوتين": ("PERS", 2), "موسكو": ("LOC", 1)}
    assert [e.name for e in arc.entities(type="LOC")] == ["موسكو"]
    assert len(arc.entities(limit=1)) == 1


def test_an_entity_is_named_by_the_fullest_canonical_name_seen(arc):
    short = dataclasses.replace(putin(0, "بوتين"), canonical="بوتين", key="putin")
    full = dataclasses.replace(putin(), key="putin")
    arc.put([make_article(1, entities=[short]), make_article(2, entities=[full])])
    assert [(e.id, e.name, e.articles) for e in arc.entities()] == [("putin", "فلاديمير بوتين", 2)]


def test_an_entity_takes_the_type_most_mentions_give_it(arc):
    mistagged = dataclasses.replace(moscow(), type="PERS")
    arc.put([make_article(1, entities=[mistagged]), make_article(2, entities=[moscow()]),
             make_article(3, entities=[moscow()])])
    assert [(e.name, e.type) for e in arc.entities()] == [("موسكو", "LOC")]


def test_entity_detail(arc):
    arc.put([make_article(1, entities=[putin(), putin(1, "بوتين"), moscow()]),
              make_article(2, entities=[putin(0, "بوتين")])])
    key = arc.entities(type="PERS")[0].id
    detail = arc.entity(key)
    assert detail["name"] == "فلاديمير بوتين" and detail["articles"] == 2
    assert detail["variants"] == ["بوتين", "فلاديمير بوتين"]
    assert detail["timeline"] == [("2025-02", 1), ("2025-03", 1)]
    assert [(e.name, e.articles) for e in detail["co_mentioned"]] == [("موسكو", 1)]
    assert [a.id for a in detail["latest"]] == ["art-2", "art-1"]


def test_replacing_an_article_updates_its_entities(arc):
    arc.put([make_article(1, entities=[putin(), moscow()]), make_article(2, entities=[putin()])])
    arc.put([make_article(1, headline="آخر", entities=[putin()])])
    assert {e.name: e.articles for e in arc.entities()} == {"فلاديمير بوتين": 2}
    mentions = arc.backend.conn.execute("SELECT count(*) FROM mentions").fetchone()[0]
    assert mentions == 2


def test_reader_sees_committed_data_while_a_writer_holds_a_transaction(tmp_path):
    path = tmp_path / "wal.db"
    with open_archive(path) as writer:
        writer.put([make_article(1)])
        with writer.store.transaction():
            writer.backend.conn.execute("UPDATE articles SET headline = 'x'")
            with open_archive(path, readonly=True, timeout=0.1) as reader:
                assert reader.count() == 1
                assert reader.get("art-1").headline == make_article(1).headline
        assert writer.backend.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_articles_without_optional_fields(arc):
    bare = Article(headline="عنوان فقط")
    arc.put([bare])
    assert arc.get(bare.id) == bare


class _Relate:
    def __init__(self, fail=False):
        self.calls, self.fail = [], fail

    def update(self, arc, ids, prepared=None, skipped=None):
        if self.fail:
            raise RuntimeError("relate broke")
        self.calls.append(list(ids))


def _with_relate(monkeypatch, fake):
    import marsad.relate

    monkeypatch.setattr(marsad.relate, "update", fake.update)


def test_relate_gets_committed_ids_in_chunks_and_at_the_end(arc, monkeypatch):
    import marsad.pipeline

    fake = _Relate()
    _with_relate(monkeypatch, fake)
    monkeypatch.setattr(marsad.pipeline, "BATCH_SIZE", 2)
    monkeypatch.setattr(marsad.pipeline, "RELATE_EVERY", 4)
    arc.put([make_article(i) for i in range(5)])
    assert fake.calls == [[f"art-{i}" for i in range(4)], ["art-4"]]


def test_a_failing_relate_stage_is_reported_and_keeps_the_articles(arc, monkeypatch):
    _with_relate(monkeypatch, _Relate(fail=True))
    report = arc.put([make_article(1)])
    assert [(f.source, f.stage) for f in report.failed] == [("relate", "relate")]
    assert arc.count() == 1
