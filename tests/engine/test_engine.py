"""Partitioned jobs run here (the local executor), on every backend: the archive a plain ingest
makes, a killed client that reruns only what is missing, a partition cut short that is redone
with nothing stored twice, and a re-enrichment that keeps analysts' corrections."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from marsad import engine
from marsad.archive import open_archive
from marsad.cli import main
from marsad.engine.local import LocalExecutor
from marsad.pipeline import Pipeline
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
        ("relate", "346 stored articles wait to be related after the failed partitions: run the same command "
                   "again")]  # related out of turn, they would make other stories
    assert cut.new == 386 - 40
    with open_archive(db) as arc:
        assert arc.count() == 386 - 40 + 30  # the cut partition's first two batches were committed
    monkeypatch.setattr(Pipeline, "store_batch", real)
    redone = Counting()
    report = engine.ingest(db, inputs, redone, enrich=False, partition=40, batch=15)
    assert redone.ran == [0] and (report.new, report.unchanged, report.failed) == (10, 30, [])
    assert snapshot(db) == plain


def test_reenrich_after_a_model_change_keeps_analysts_corrections(inputs, new_db, monkeypatch):
    import marsad.enrich

    db = new_db("engine.db")
    with open_archive(db) as arc:
        arc.ingest([inputs[0]], enrich=True, parallel=False, relate=False)
        top = [e.id for e in arc.entities(limit=3)]
        arc.correct_entity("rename", [top[0], "اسم صححه محلل"])
        arc.correct_entity("merge", [top[1], top[2]])
        before = arc.entity(top[1])["articles"]
    real = marsad.enrich.enrich_article

    def new_model(article, *args, **kwargs):  # a "new model" that finds one entity less per article
        done = real(article, *args, **kwargs)
        done.entities = done.entities[:-1] if done.entities else done.entities
        return done

    monkeypatch.setattr(marsad.enrich, "enrich_article", new_model)
    runner = Counting()
    report = engine.reenrich(db, runner, partition=50)
    assert report.updated > 100 and not report.failed and runner.ran == [0, 1, 2]
    with open_archive(db) as arc:
        assert arc.entity(top[0])["name"] == "اسم صححه محلل"
        assert arc.entity(top[2])["id"] == top[1]  # still merged into the first
        assert 0 < arc.entity(top[1])["articles"] <= before
    assert engine.reenrich(db, Counting(), partition=50).resumed == 3  # done: nothing to run again


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
