"""Partitioned jobs run here (the local executor), on every backend: the archive a plain ingest
makes, a killed client that reruns only what is missing, a partition cut short that is redone
with nothing stored twice, and a re-enrichment that keeps analysts' corrections."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from marsad import engine, relate
from marsad.archive import open_archive
from marsad.cli import main
from marsad.engine.local import LocalExecutor
from marsad.pipeline import Pipeline
from marsad.relate.neighbours import index_of
from tests.engine.conftest import snapshot


class Counting(LocalExecutor):
    """Runs partitions here and remembers which; ``stop_after`` partitions, the client is "killed"."""

    def __init__(self, stop_after: int | None = None):
        self.ran: list[int] = []
        self.stop_after = stop_after

    def map(self, fn, job, parts):
        for part, outcome in super().map(fn, job, parts):
            self.ran.append(part.seq)
            yield part, outcome
            if len(self.ran) == self.stop_after:
                raise KeyboardInterrupt


def test_a_partitioned_ingest_makes_the_archive_a_plain_ingest_makes(inputs, new_db, plain):
    db = new_db("engine.db")
    report = engine.ingest(db, inputs, LocalExecutor(), enrich=False, partition=40)
    assert (report.new, report.partitions, report.failed) == (386, 11, [])
    assert snapshot(db) == plain


def test_a_killed_client_reruns_only_the_missing_partitions(inputs, new_db, plain):
    db = new_db("engine.db")
    first = Counting(stop_after=4)
    with pytest.raises(KeyboardInterrupt):
        engine.ingest(db, inputs, first, enrich=False, partition=40)
    again = Counting()
    report = engine.ingest(db, inputs, again, enrich=False, partition=40)
    assert first.ran == [0, 1, 2, 3] and again.ran == list(range(4, 11))
    assert (report.resumed, report.new, report.unchanged) == (4, 386 - 126, 0)  # the first four: stories-dev
    assert len(report.ids) == 386 and snapshot(db) == plain
    assert engine.ingest(db, inputs, Counting(), enrich=False, partition=40).resumed == 11


def test_a_partition_cut_short_is_redone_and_nothing_is_stored_twice(inputs, new_db, plain, monkeypatch):
    db = new_db("engine.db")
    real, calls = Pipeline.store_batch, []

    def dies_on_the_third_batch(self, batch, *args, **kwargs):
        calls.append(len(batch))
        if len(calls) == 3:
            raise RuntimeError("the worker was killed")
        return real(self, batch, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "store_batch", dies_on_the_third_batch)
    cut = engine.ingest(db, inputs, LocalExecutor(), enrich=False, partition=40, batch=15)
    assert [(f.stage, f.reason) for f in cut.failed] == [
        ("engine", "RuntimeError: the worker was killed"),
        ("relate", "1 failed partition(s) passed over: the others are related; run the same command again "
                   "to complete them (their articles then join the stories found without them)")]
    assert cut.new == 386 - 40
    with open_archive(db) as arc:
        assert arc.count() == 386 - 40 + 30  # the cut partition's first two batches were committed
        # the failed partition held nothing back: only its own committed articles wait
        assert len(relate.unrelated(arc)) == 30
    monkeypatch.setattr(Pipeline, "store_batch", real)
    redone = Counting()
    report = engine.ingest(db, inputs, redone, enrich=False, partition=40, batch=15)
    assert redone.ran == [0] and (report.new, report.unchanged, report.failed) == (10, 30, [])
    hashes, stories = snapshot(db)
    assert hashes == plain[0]  # the same articles, nothing twice
    members = [a for _, story in stories for a in story]
    assert sorted(members) == sorted(hashes)  # every article related, in one story each


def test_reenrich_after_a_model_change_keeps_analysts_corrections(inputs, new_db, monkeypatch):
    db = new_db("engine.db")
    with open_archive(db) as arc:
        arc.ingest([inputs[0]], enrich=True, parallel=False, relate=False)
        top = [e.id for e in arc.entities(limit=3)]
        arc.correct_entity("rename", [top[0], "اسم صححه محلل"])
        arc.correct_entity("merge", [top[1], top[2]])
        before = arc.entity(top[1])["articles"]
    one_entity_less(monkeypatch)
    runner = Counting()
    report = engine.reenrich(db, runner, partition=50)
    assert report.updated > 100 and not report.failed and runner.ran == [0, 1, 2]
    with open_archive(db) as arc:
        assert arc.entity(top[0])["name"] == "اسم صححه محلل"
        assert arc.entity(top[2])["id"] == top[1]  # still merged into the first
        assert 0 < arc.entity(top[1])["articles"] <= before
    assert engine.reenrich(db, Counting(), partition=50).resumed == 3  # done: nothing to run again


def one_entity_less(monkeypatch) -> None:
    """A "new model": it finds one entity less per article than the packaged one."""
    import marsad.enrich

    real = marsad.enrich.enrich_article

    def new_model(article, *args, **kwargs):
        done = real(article, *args, **kwargs)
        done.entities = done.entities[:-1] if done.entities else done.entities
        return done

    monkeypatch.setattr(marsad.enrich, "enrich_article", new_model)


def related_entities(db: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The canonical entities relating keeps of each article, and those of its stored enrichment."""
    from marsad.relate.features import entity_names

    with open_archive(db) as arc:
        kept = {d.id: d.entities for d in arc.backend.relate.docs()}
        stored = {a.id: sorted(entity_names(a)) for a in arc.iter_articles()}
    return kept, stored


def test_reenrich_rewrites_the_entities_relating_keeps_and_leaves_the_stories(inputs, new_db, monkeypatch):
    db = new_db("engine.db")
    with open_archive(db) as arc:
        arc.ingest([inputs[0]], enrich=True, parallel=False)
    kept, stored = related_entities(db)
    assert kept == stored and sum(map(len, kept.values())) > 300
    stories = snapshot(db)[1]
    with open_archive(db) as served:  # a running reader's related-articles index, built before
        index_of(served)
        one_entity_less(monkeypatch)
        engine.reenrich(db, LocalExecutor(), partition=50)
        index = index_of(served)
        in_index = {d.id: sorted(d.entities) for d in map(index.doc, index.alive.nonzero()[0])}
        in_index.update((d.id, sorted(d.entities)) for d in index.extra)
    new_kept, new_stored = related_entities(db)
    assert new_kept == new_stored and new_stored != stored  # relating ranks by the new entities
    assert in_index == {i: sorted(e) for i, e in new_kept.items()}  # the reader's index too
    assert sum(map(len, new_kept.values())) < sum(map(len, kept.values()))
    assert snapshot(db)[1] == stories  # made from text and dates: nothing to redo


def test_a_reenrich_run_again_after_new_articles_arrive_is_the_same_job(inputs, new_db):
    db = new_db("engine.db")
    with open_archive(db) as arc:
        arc.ingest([inputs[0]], enrich=False, parallel=False, relate=False)
    first = Counting(stop_after=2)
    with pytest.raises(KeyboardInterrupt):
        engine.reenrich(db, first, partition=50)
    with open_archive(db) as arc:  # meanwhile a watch stores 260 more, enriched by their own ingest
        arc.ingest([inputs[1]], enrich=True, parallel=False, relate=False)
    again = Counting()
    report = engine.reenrich(db, again, partition=50)
    assert first.ran == [0, 1] and report.resumed == 2  # not the whole archive again
    assert again.ran == list(range(2, report.partitions)) and report.partitions == 8  # keys 1 ... 386
    assert report.updated == 126 - 2 * 50 + 1  # the rest of the first articles (key 0 is never used)


def test_a_plain_install_never_imports_dask():
    code = "import sys, marsad.cli, marsad.engine, marsad.engine.job; print('dask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(("args", "message"), [
    (["ingest", "x.jsonl", "--workers", "2"], "--workers and --scheduler go with --engine dask"),
    (["reenrich", "--scheduler", "tcp://127.0.0.1:1"], "--workers and --scheduler go with --engine dask"),
    (["reenrich", "--since", "2018-13"], "--since '2018-13' is not a date"),
])
def test_engine_options_are_checked_in_one_line(tmp_path, args, message):
    result = CliRunner().invoke(main, [*args, "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) <= 3
