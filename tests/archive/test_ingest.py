"""The ingest pipeline and the `marsad ingest` / `marsad entities` commands."""

from __future__ import annotations

import json
import sys

import pytest
from click.testing import CliRunner

from marsad.cli import main
from marsad.model import Failure, IngestReport, Page
from marsad.pipeline.stages import batches
from tests.archive.conftest import make_article, putin


def _jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _record(i, **changes):
    record = {"id": f"rec-{i}", "url": f"https://example.com/{i}", "title": f"عنوان الخبر رقم {i}",
              "text": f"هذا نص الخبر رقم {i} عن الاقتصاد العربي.\nوفقرة ثانية من الخبر.",
              "outlet": "Example", "category": "economy", "published": "2025-03-01T10:00:00+00:00"}
    record.update(changes)
    return record


def test_batches_group_articles_and_report_failures():
    report = IngestReport()
    pages = [Page(articles=[make_article(i, source=None)], source=f"p{i}.html") for i in range(5)]
    items = [*pages[:2], Failure("bad.html", "parse", "no news article found"), *pages[2:]]
    got = list(batches(items, 2, report, None))
    assert [len(b) for b in got] == [2, 2, 1]
    assert [a.source for b in got for a in b] == [f"p{i}.html" for i in range(5)]
    assert report.failed == [Failure("bad.html", "parse", "no news article found")]


def test_an_article_that_fails_to_enrich_is_reported_and_stored_as_parsed():
    def enrich(article):
        if article.id == "art-1":
            raise ValueError("tagger broke")
        article.entities = [putin()]
        return article

    report = IngestReport()
    pages = [Page(articles=[make_article(i)]) for i in range(3)]
    stored = [a for b in batches(pages, 10, report, enrich) for a in b]
    assert [a.entities for a in stored] == [[putin()], None, [putin()]]
    assert [(f.source, f.stage) for f in report.failed] == [("pages/1.html", "enrich")]
    assert "tagger broke" in report.failed[0].reason


def test_ingest_jsonl_then_again_then_changed(arc, tmp_path):
    src = _jsonl(tmp_path / "a.jsonl", [_record(i) for i in range(3)])
    first = arc.ingest([src], enrich=False)
    assert (first.new, first.updated, first.unchanged, first.failed) == (3, 0, 0, [])
    stored = arc.get("rec-1")
    assert (stored.outlet, stored.section, stored.source) == ("Example", "economy", f"{src}#2")
    again = arc.ingest([src], enrich=False)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 3)
    _jsonl(src, [_record(0), _record(1, title="عنوان جديد"), _record(2), _record(3)])
    changed = arc.ingest([src], enrich=False)
    assert (changed.new, changed.updated, changed.unchanged) == (1, 1, 2)
    assert arc.get("rec-1").headline == "عنوان جديد"
    assert arc.count() == 4


def test_bad_inputs_are_reported_with_path_and_reason_and_the_rest_goes_on(arc, tmp_path):
    good = _jsonl(tmp_path / "good.jsonl", [_record(1), "not an object", _record(2)])
    missing = tmp_path / "missing.html"
    report = arc.ingest([good, missing], enrich=False)
    assert report.new == 2
    reasons = {f.source: f.reason for f in report.failed}
    assert str(missing) in reasons and len(report.failed) == 2
    assert all(f.reason for f in report.failed)


def test_cli_ingest_summary_and_exit_status(tmp_path):
    db = tmp_path / "cli.db"
    src = _jsonl(tmp_path / "a.jsonl", [_record(i) for i in range(2)])
    runner = CliRunner()
    ok = runner.invoke(main, ["ingest", str(src), "--db", str(db), "--no-enrich"])
    assert ok.exit_code == 0, ok.output
    assert "new 2 · updated 0 · unchanged 0 · failed 0" in ok.output
    bad = runner.invoke(main, ["ingest", str(src), str(tmp_path / "nope.html"), "--db", str(db),
                               "--no-enrich", "--quiet"])
    assert bad.exit_code == 1
    assert f"failed: {tmp_path / 'nope.html'} (read):" in bad.output
    assert "new 0" not in bad.output


def test_cli_ingest_uses_marsad_db_from_the_environment(tmp_path, monkeypatch):
    src = _jsonl(tmp_path / "a.jsonl", [_record(1)])
    monkeypatch.setenv("MARSAD_DB", str(tmp_path / "env.db"))
    result = CliRunner().invoke(main, ["ingest", str(src), "--no-enrich", "--quiet"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "env.db").exists()


def test_ingest_help_documents_the_exit_status():
    result = CliRunner().invoke(main, ["ingest", "--help"])
    assert "1 when some inputs failed" in " ".join(result.output.split())


def test_cli_entities_lists_canonical_entities_with_counts(arc, tmp_path):
    arc.put([make_article(1, entities=[putin()]), make_article(2, entities=[putin(0, "بوتين")])])
    db = arc.backend.describe()
    result = CliRunner().invoke(main, ["entities", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["entities"]
    assert [(r["name"], r["type"], r["articles"]) for r in rows] == [("فلاديمير بوتين", "PERS", 2)]
    assert set(rows[0]) == {"id", "name", "type", "articles"}
    text = CliRunner().invoke(main, ["entities", "--db", str(db), "--type", "LOC"])
    assert text.exit_code == 0 and text.output == ""


def test_parallel_ingest_stores_the_same_and_reports_failures(tmp_path):
    from marsad.archive import open_archive

    src = _jsonl(tmp_path / "a.jsonl", [_record(i) for i in range(5)] + ["not an object"])
    results = {}
    for parallel in (False, True):
        with open_archive(tmp_path / f"{parallel}.db") as arc:
            report = arc.ingest([src], enrich=False, parallel=parallel)
            results[parallel] = (report.new, [(f.source, f.stage) for f in report.failed],
                                 [a.to_dict() for a in arc.iter_articles()], _derived(arc))
    assert results[True] == results[False]
    assert results[True][0] == 5 and len(results[True][1]) == 1


@pytest.mark.parametrize("enrich", [False, True])
def test_several_workers_store_in_input_order_and_report_each_failure_once(tmp_path, monkeypatch, enrich):
    import marsad.pipeline
    import marsad.pipeline.workers
    from marsad.archive import open_archive

    monkeypatch.setattr(marsad.pipeline, "BATCH_SIZE", 2)
    monkeypatch.setattr(marsad.pipeline.workers, "worker_count", lambda enrich: 3)
    src = _jsonl(tmp_path / "a.jsonl", [_record(i) for i in range(4)] + ["not an object"]
                 + [_record(i) for i in range(4, 9)])
    results = {}
    for parallel in (False, True):
        with open_archive(tmp_path / f"{parallel}.db") as arc:
            report = arc.ingest([src], enrich=enrich, parallel=parallel)
            rows = arc.backend.conn.execute("SELECT id, data FROM articles ORDER BY rowid").fetchall()
            failed = [(f.source, f.stage) for f in report.failed]
            results[parallel] = (report.new, failed, rows, _derived(arc))
    assert results[True] == results[False]
    assert results[True][0] == 9 and len(results[True][1]) == 1


def _derived(arc) -> list:
    """What the search and relate stages stored, in a comparable form."""
    tables = ("search_fts", "relate_docs", "relate_lsh", "story_members", "duplicates")
    return [arc.backend.conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in tables]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the worker inherits the patch by fork")
def test_the_parse_worker_analyzes_ahead_and_the_store_uses_it(tmp_path, monkeypatch):
    import marsad.pipeline.workers
    from marsad.archive import open_archive
    from marsad.search.analyze import DEFAULT_SCHEME

    marked = {"search": lambda a: [f"ahead{a.id[-1]}"] * len(DEFAULT_SCHEME.columns)}
    monkeypatch.setattr(marsad.pipeline.workers, "preparers", lambda relate=True: marked)
    src = _jsonl(tmp_path / "a.jsonl", [_record(i) for i in range(3)])
    with open_archive(tmp_path / "p.db") as arc:
        assert arc.ingest([src], enrich=False, parallel=True).new == 3
        rows = arc.backend.conn.execute("SELECT headline_careful FROM search_fts ORDER BY rowid").fetchall()
        related = arc.backend.conn.execute("SELECT count(*) FROM relate_docs").fetchone()[0]
    assert rows == [("ahead0",), ("ahead1",), ("ahead2",)]
    assert related == 3, "a stage that prepared nothing ahead computes its part when storing"


def test_ingest_with_enrichment_stores_dates_figures_and_entities(arc, tmp_path):
    enrich = pytest.importorskip("marsad.enrich")
    text = ("قال الرئيس الروسي فلاديمير بوتين في موسكو يوم 23 يوليو 2025 إن النمو بلغ 22.6 في المائة.\n"
            "وأضاف بوتين أن روسيا ستنفق 1.5 مليار دولار.")
    src = _jsonl(tmp_path / "e.jsonl", [_record(1, text=text)])
    report = arc.ingest([src], enrich=True)
    assert report.new == 1 and report.failed == []
    stored = arc.get("rec-1")
    assert stored.dates and stored.figures
    assert arc.ingest([src], enrich=True).unchanged == 1
    if enrich.ner_available():
        assert stored.entities
        assert arc.entities(), "mentions of the stored article are counted"


def test_parallel_ingest_works_from_a_script_on_standard_input(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    src = _jsonl(tmp_path / "a.jsonl", [_record(i) for i in range(3)])
    script = ("from marsad.archive import open_archive\n"
              f"with open_archive({str(tmp_path / 'x.db')!r}) as arc:\n"
              f"    print(arc.ingest([{str(src)!r}], enrich=False, parallel=True).new)\n")
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True,
                          cwd=root, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "3"


def test_ingest_without_relating_then_relate_gives_what_relating_as_it_goes_gives(tmp_path, monkeypatch):
    import marsad.pipeline

    monkeypatch.setattr(marsad.pipeline, "BATCH_SIZE", 2)
    monkeypatch.setattr(marsad.pipeline, "RELATE_EVERY", 2)
    src = _jsonl(tmp_path / "a.jsonl", [_record(i) for i in range(6)])
    runner = CliRunner()
    as_it_goes, later = tmp_path / "a.db", tmp_path / "b.db"
    assert runner.invoke(main, ["ingest", str(src), "--db", str(as_it_goes), "--quiet"]).exit_code == 0
    result = runner.invoke(main, ["ingest", str(src), "--db", str(later), "--quiet", "--no-relate"])
    assert result.exit_code == 0, result.output
    from marsad.archive import open_archive

    with open_archive(later) as arc:
        assert arc.backend.conn.execute("SELECT count(*) FROM relate_docs").fetchone() == (0,)
    first = runner.invoke(main, ["relate", "--db", str(later)])
    assert (first.exit_code, first.output.strip()) == (0, "related 6 articles")
    again = runner.invoke(main, ["relate", "--db", str(later)])
    assert again.output.strip() == "related 0 articles"
    with open_archive(as_it_goes) as a, open_archive(later) as b:
        assert _derived(a) == _derived(b)


def _segments(arc) -> int:
    return arc.backend.conn.execute("SELECT count(DISTINCT segid) FROM search_fts_idx").fetchone()[0]


@pytest.mark.backends("sqlite")  # FTS5's segments
@pytest.mark.parametrize("bulk", [False, True])
def test_a_bulk_load_leaves_the_search_index_in_one_segment(arc, tmp_path, monkeypatch, bulk):
    import marsad.pipeline

    monkeypatch.setattr(marsad.pipeline, "BATCH_SIZE", 2)
    monkeypatch.setattr(marsad.pipeline, "COMPACT_AFTER", 6 if bulk else 7)
    src = _jsonl(tmp_path / "a.jsonl", [_record(i) for i in range(6)])
    arc.ingest([src], enrich=False, parallel=False)
    assert (_segments(arc) == 1) is bulk  # one segment per batch otherwise
    from marsad.search import search

    assert search(arc, "الاقتصاد", limit=20).total == 6


@pytest.mark.parametrize("parallel", [False, True])
def test_articles_that_come_enriched_without_entity_keys_get_them_from_enrichment(tmp_path, parallel):
    from marsad.archive import open_archive
    from marsad.enrich.canonical import entity_key

    putin = "فلاديمير بوتين"
    mention = {"text": "بوتين", "type": "PERS", "start": 4, "end": 9, "paragraph": 0, "canonical": putin}
    given = {**mention, "key": "given"}
    quote = {"text": "نعم", "speaker": "بوتين", "paragraph": 0, "canonical": putin}
    doc = {"articles": [{"headline": "لقاء في موسكو", "paragraphs": ["قال بوتين «نعم» للخطة."],
                         "id": f"k-{i}", "entities": [mention, given], "quotes": [quote]} for i in range(2)]}
    src = tmp_path / "doc.json"
    src.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with open_archive(tmp_path / "k.db") as arc:
        assert arc.ingest([src], enrich=False, parallel=parallel).new == 2
        stored = arc.get("k-1")
        keys = arc.backend.conn.execute("SELECT DISTINCT entity FROM mentions ORDER BY entity").fetchall()
    assert [m.key for m in stored.entities] == [entity_key(putin), "given"]
    assert stored.quotes[0].key == entity_key(putin)
    assert keys == sorted([(entity_key(putin),), ("given",)])
