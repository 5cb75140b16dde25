"""Named migrations, and the round trip of arbitrary Arabic text through the archive."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.archive import open_archive
from marsad.archive.sqlite import migrations
from marsad.model import Article, Image, RelatedItem


def _conn(tmp_path):
    return sqlite3.connect(tmp_path / "m.db", isolation_level=None)


def test_new_archive_records_every_migration(tmp_path):
    with open_archive(tmp_path / "a.db") as arc:
        names = [r[0] for r in arc.backend.conn.execute("SELECT name FROM migrations ORDER BY rowid")]
    assert names == [name for name, _ in migrations.all_migrations()]
    assert names[:2] == ["archive-0001-articles", "archive-0002-entities"]


def test_reopening_runs_nothing_again(tmp_path):
    open_archive(tmp_path / "a.db").close()
    with open_archive(tmp_path / "a.db") as arc:
        assert migrations.apply(arc.backend.conn) == []
        assert migrations.pending(arc.backend.conn) == []


def test_a_new_named_migration_runs_once(tmp_path):
    conn = _conn(tmp_path)
    extra = [("stage-0001-notes", "CREATE TABLE notes (x TEXT);")]
    assert migrations.apply(conn, migrations.MIGRATIONS) == [n for n, _ in migrations.MIGRATIONS]
    assert migrations.pending(conn, migrations.MIGRATIONS + extra) == ["stage-0001-notes"]
    assert migrations.apply(conn, migrations.MIGRATIONS + extra) == ["stage-0001-notes"]
    assert migrations.apply(conn, migrations.MIGRATIONS + extra) == []


def test_a_failing_migration_is_rolled_back_and_not_recorded(tmp_path):
    conn = _conn(tmp_path)
    broken = [("bad-0001", "CREATE TABLE half (x TEXT); INSERT INTO nowhere VALUES (1);")]
    with pytest.raises(sqlite3.OperationalError):
        migrations.apply(conn, broken)
    assert migrations.applied(conn) == set()
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'half'").fetchone() is None


def test_migration_names_must_be_unique(tmp_path):
    with pytest.raises(ValueError, match="unique"):
        migrations.apply(_conn(tmp_path), [("a", "SELECT 1;"), ("a", "SELECT 2;")])


def test_stage_migrations_come_after_the_archives_own():
    names = [name for name, _ in migrations.all_migrations()]
    assert names[:len(migrations.MIGRATIONS)] == [name for name, _ in migrations.MIGRATIONS]
    assert len(set(names)) == len(names)


_arabic = st.text(alphabet=st.characters(min_codepoint=0x0600, max_codepoint=0x06FF) | st.sampled_from(
    " \n«»،؛؟0123456789abc\u200f'\"\\%_"), max_size=80)
_meta = st.none() | _arabic.filter(bool)  # the model keeps empty metadata as unknown (None)
_articles = st.builds(
    Article,
    headline=_arabic,
    paragraphs=st.lists(_arabic, max_size=4),
    deck=st.none() | _arabic,
    author=st.none() | _arabic,
    images=st.lists(st.builds(Image, caption=_arabic, credit=st.none() | _arabic), max_size=2),
    related=st.lists(st.builds(RelatedItem, headline=_arabic, url=_meta), max_size=2),
    id=_meta,
    url=_meta,
    section=_meta,
    published=st.none() | st.dates().map(str),
    extra=st.dictionaries(_arabic, _arabic, min_size=1, max_size=2) | st.just({}),
)


@pytest.fixture(scope="module")
def shared_archive(tmp_path_factory):
    with open_archive(tmp_path_factory.mktemp("rt") / "rt.db") as arc:
        yield arc


@settings(max_examples=80, deadline=None)
@given(article=_articles)
def test_arabic_articles_round_trip(shared_archive, article):
    expected = dataclasses.replace(article)
    report = shared_archive.put([article])
    expected.id = report.ids[0]
    assert shared_archive.get(expected.id) == expected
    assert shared_archive.put([dataclasses.replace(expected)]).unchanged == 1


def test_a_reader_brings_an_older_archive_up_to_date(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    open_archive(path).close()
    extra = [("later-0001-notes", "CREATE TABLE notes (x TEXT);")]
    monkeypatch.setattr(migrations, "all_migrations", lambda: migrations.MIGRATIONS + extra)
    with open_archive(path, readonly=True) as arc:
        assert "later-0001-notes" in migrations.applied(arc.backend.conn)
        assert arc.backend.conn.execute("SELECT count(*) FROM notes").fetchone() == (0,)
