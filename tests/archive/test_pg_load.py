"""A big load on PostgreSQL: the postings' key dropped while it loads and built once at its end, the
same index as a load row by row, and a killed load's key built by the next writer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import psycopg
import pytest

import marsad.pipeline
from marsad.archive import open_archive
from marsad.archive.postgres import bulk
from tests.archive.conftest import make_article

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.backends("postgres")
QUERIES = ("الرئيس", "موسكو زيارة", "رقم 7", "بوتين")


def _has_key(url: str) -> bool:
    with psycopg.connect(url, autocommit=True) as conn:
        return bulk._has_key(conn)


def _index(url: str) -> tuple:
    """What the index holds: its postings and documents, in order."""
    with psycopg.connect(url, autocommit=True) as conn:
        postings = conn.execute("SELECT p.*, a.id FROM search_postings p JOIN articles a ON a.rowid = p.key"
                                " ORDER BY term, a.id").fetchall()
        docs = conn.execute("SELECT d.dl, d.cols, a.id FROM search_docs d JOIN articles a ON a.rowid = d.key"
                            " ORDER BY a.id").fetchall()
    return [p[:1] + p[2:] for p in postings], docs


def _found(arc) -> list[list[tuple[str, float]]]:
    """Each query's matches and scores (equal scores come in the order of keys, which depend on batches)."""
    return [sorted((h.id, round(h.score, 9)) for h in arc.search(q, limit=50).hits) for q in QUERIES]


@pytest.fixture
def small_loads(monkeypatch):
    """Loads of a few articles count as big, in batches of three."""
    monkeypatch.setattr(bulk, "LOAD_AFTER", 4)
    monkeypatch.setattr(marsad.pipeline, "BATCH_SIZE", 3)


def test_a_big_load_builds_the_same_index_as_one_row_by_row(new_db, small_loads, monkeypatch):
    articles = [make_article(i) for i in range(20)]
    plain, loaded = new_db("plain"), new_db("loaded")
    with monkeypatch.context() as m:
        m.setattr(bulk, "LOAD_AFTER", 10**9)
        with open_archive(plain) as arc:
            arc.put(articles)
            expected = _found(arc)
        assert _has_key(plain)
    with open_archive(loaded) as arc:
        arc.put(articles[:10])
        assert not _has_key(loaded)  # dropped after the first few, while it loads on
        with open_archive(loaded) as other:  # another writer meanwhile: leaves the key to the load
            other.put(articles[10:])
            assert not _has_key(loaded)
            assert _found(other) == expected  # searches read the postings without the key
        assert arc.put(articles).unchanged == 20  # a rerun changes nothing
    assert _has_key(loaded)  # built again when the load's archive closed
    assert _index(loaded) == _index(plain)
    with open_archive(loaded) as arc:
        assert _found(arc) == expected


def test_compacting_after_a_load_builds_the_key(new_db, small_loads):
    url = new_db()
    with open_archive(url) as arc:
        arc.put([make_article(i) for i in range(10)])
        assert not _has_key(url)
        arc.backend.index.compact()
        assert _has_key(url)
        arc.put([make_article(i) for i in range(10, 13)])  # the load is over: row by row again
        assert _has_key(url)


def test_a_load_killed_midway_leaves_its_key_to_the_next_writer(new_db):
    url = new_db()
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sys, time
        import marsad.pipeline
        from marsad.archive import open_archive
        from marsad.archive.postgres import bulk
        from tests.archive.conftest import make_article
        bulk.LOAD_AFTER, marsad.pipeline.BATCH_SIZE = 4, 3
        arc = open_archive(sys.argv[1])
        arc.put([make_article(i) for i in range(12)])
        print("loading", flush=True)
        time.sleep(120)
    """), url], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, text=True, stdout=subprocess.PIPE)
    try:
        assert child.stdout.readline().strip() == "loading"
        assert not _has_key(url)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
    with open_archive(url, readonly=True) as reader:  # a reader builds nothing
        assert not _has_key(url)
        assert reader.count() == 12
    with open_archive(url) as arc:
        assert _has_key(url)
        found = arc.search("الرئيس", limit=50).hits
        assert sorted(h.id for h in found) == sorted(f"art-{i}" for i in range(12))


def test_long_texts_are_compressed_with_lz4_where_the_server_has_it(new_db):
    url = new_db()
    with open_archive(url):
        pass
    with psycopg.connect(url, autocommit=True) as conn:
        methods = conn.execute("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'"
                               ).fetchone()[0]
        columns = dict(conn.execute(
            "SELECT attrelid::regclass::text || '.' || attname, attcompression FROM pg_attribute"
            " WHERE attrelid IN ('articles'::regclass, 'search_docs'::regclass)"
            " AND attname IN ('body', 'data', 'cols')").fetchall())
    assert columns == dict.fromkeys(("articles.body", "articles.data", "search_docs.cols"),
                                    "l" if "lz4" in methods else "")


def test_a_role_that_may_not_alter_the_table_loads_row_by_row(new_db, small_loads):
    url = new_db()
    with open_archive(url):  # made by its owner
        pass
    schema = dict(parse_qsl(urlsplit(url).query))["options"].split("=", 1)[1]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'marsad_load_writer') "
                     "THEN CREATE ROLE marsad_load_writer LOGIN PASSWORD 'writer'; END IF; END $$")
        for grant in (f"USAGE, CREATE ON SCHEMA {schema}",
                      f"SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema}",
                      f"USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema}"):
            conn.execute(f"GRANT {grant} TO marsad_load_writer")
    parts = urlsplit(url)
    writer = urlunsplit(parts._replace(netloc=f"marsad_load_writer:writer@{parts.hostname}:{parts.port}"))
    with open_archive(writer) as arc:
        assert arc.put([make_article(i) for i in range(12)]).new == 12
        assert _has_key(url)
        assert len(arc.search("الرئيس", limit=50).hits) == 12
