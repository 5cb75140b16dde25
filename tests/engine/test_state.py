"""The record of finished partitions and the key ranges of stored articles, on every backend."""

from __future__ import annotations

from marsad.archive import open_archive
from marsad.archive.postgres.migrations import all_migrations as pg_migrations
from marsad.archive.services import Finished
from marsad.archive.sqlite.migrations import all_migrations as sqlite_migrations
from tests.archive.conftest import make_article


def test_both_backends_create_the_table_by_the_same_migration():
    for migrations in (sqlite_migrations(), pg_migrations()):
        assert [n for n, _ in migrations if n.startswith("engine-")] == ["engine-0001-partitions"]


def test_finished_partitions_are_kept_per_job(new_db):
    with open_archive(new_db()) as arc:
        state = arc.backend.engine
        assert state.finished("job") == {}
        one = Finished(0, ["a", "b"], (1, 0, 1), [("pages/x.html", "parse", "no article")])
        state.finish("job", "bytes:x:0-10:", one)
        state.finish("job", "bytes:x:10-20:", Finished(1, [], (0, 0, 0), []))
        state.finish("other", "bytes:x:0-10:", Finished(0, ["c"], (1, 0, 0), []))
        with arc.backend.unit_of_work():  # recorded again (a partition redone): replaced, not doubled
            state.finish("job", "bytes:x:0-10:", one)
    with open_archive(new_db()) as arc:
        done = arc.backend.engine.finished("job")
        assert done == {"bytes:x:0-10:": one, "bytes:x:10-20:": Finished(1, [], (0, 0, 0), [])}


def test_key_ranges_of_stored_articles(new_db):
    with open_archive(new_db()) as arc:
        state = arc.backend.engine
        assert state.key_span() is None
        arc.put([make_article(i) for i in range(6)])  # published 2025-01-10 ... 2025-06-15
        keys = {i: arc.backend.relate.key(f"art-{i}") for i in range(6)}
        assert state.key_span() == (keys[0], keys[5])
        assert state.key_span("2025-05") == (keys[4], keys[5])
        assert state.key_span("2026") is None
        assert [a.id for a in state.between(keys[1], keys[4])] == ["art-1", "art-2", "art-3"]
        assert [a.id for a in state.between(keys[0], keys[5] + 1, "2025-04")] == ["art-3", "art-4", "art-5"]
        assert state.between(keys[1], keys[2])[0].source == "pages/1.html"


def test_relate_entities_rewrites_those_of_related_articles_only(new_db):
    with open_archive(new_db()) as arc:
        arc.put([make_article(i) for i in range(3)])  # related as put
        with arc.backend.unit_of_work():
            arc.backend.store.put_batch([make_article(9)])  # stored, not related
        state = arc.backend.engine
        keys = [arc.backend.relate.key(f"art-{i}") for i in (0, 1, 9)]
        state.relate_entities([("art-0", ["سوريا", "الأمم المتحدة"]), ("art-1", []), ("art-9", ["لبنان"])])
        docs = {d.id: d.entities for d in arc.backend.relate.docs(keys)}
    assert docs == {"art-0": ["الأمم المتحدة", "سوريا"], "art-1": []}  # art-9 gets its own when related
