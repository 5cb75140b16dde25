"""The search postings on PostgreSQL in blocks: loads in many batches give the index of one, blocks are
merged as they accumulate, articles taken out leave their blocks, an archive of one row per posting
is converted, and the long columns are compressed with lz4."""

from __future__ import annotations

import psycopg
import pytest

import marsad.pipeline
from marsad.archive import open_archive
from marsad.archive.postgres import blocks
from marsad.search.analyze import DEFAULT_SCHEME
from tests.archive.conftest import make_article

pytestmark = pytest.mark.backends("postgres")
QUERIES = ("الرئيس", "موسكو زيارة", "رقم 7", "بوتين", '"الرئيس الروسي"', "زيار*", "الرئيس -موسكو")
NCOLS = len(DEFAULT_SCHEME.columns)


def _postings(url: str) -> dict[str, list]:
    """Each term's postings, whatever the blocks: (article id, length, counts) sorted."""
    with psycopg.connect(url, autocommit=True) as conn:
        ids = dict(conn.execute("SELECT rowid, id FROM articles").fetchall())
        rows = conn.execute("SELECT term, keys, dls, counts FROM search_blocks").fetchall()
    out: dict[str, list] = {}
    for term, *arrays in rows:
        p = blocks.Postings.of_rows([arrays], NCOLS)
        out.setdefault(term, []).extend((ids[k], d, tuple(c)) for k, d, c in
                                         zip(p.keys.tolist(), p.dls.tolist(), p.counts.tolist(), strict=True))
    return {t: sorted(v) for t, v in out.items()}


def _found(arc) -> list[list[tuple[str, float]]]:
    """Each query's matches and scores (equal scores come in the order of keys, which depend on batches)."""
    return [sorted((h.id, round(h.score, 9)) for h in arc.search(q, limit=50, mode="any").hits)
            for q in QUERIES]


def _levels(url: str) -> list[tuple[str, int, int]]:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT term, level, count(*) FROM search_blocks GROUP BY 1, 2").fetchall()


def test_many_batches_index_as_one_and_their_blocks_are_merged(new_db, monkeypatch):
    articles = [make_article(i) for i in range(40)]
    whole, batched = new_db("whole"), new_db("batched")
    with open_archive(whole) as arc:
        arc.put(articles)
        expected = _found(arc)
    monkeypatch.setattr(marsad.pipeline, "BATCH_SIZE", 1)
    with open_archive(batched) as arc:
        arc.put(articles)
        assert _found(arc) == expected
        assert arc.put(articles).unchanged == 40  # a rerun changes nothing
    assert _postings(batched) == _postings(whole)
    levels = _levels(batched)
    # Forty batches of one article: a term in each holds merged blocks, and never FANOUT of a level.
    assert max(n for _, _, n in levels) < blocks.FANOUT
    assert any(level > 0 for _, level, _ in levels)


def test_blocks_are_cut_at_cap_articles(new_db, monkeypatch):
    monkeypatch.setattr(blocks, "CAP", 8)
    monkeypatch.setattr(blocks, "FULL", 1)
    url = new_db()
    with open_archive(url) as arc:
        arc.put([make_article(i) for i in range(20)])
        found = _found(arc)
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("SELECT max(n) FROM search_blocks").fetchone()[0] == 8
        assert not conn.execute("SELECT count(*) FROM search_blocks WHERE n = 8 AND level <> 1").fetchone()[0]
    assert len(found[0]) == 20


def test_an_article_taken_out_or_changed_leaves_its_blocks(new_db, monkeypatch):
    monkeypatch.setattr(marsad.pipeline, "BATCH_SIZE", 3)
    url, fresh = new_db("url"), new_db("fresh")
    articles = [make_article(i) for i in range(12)]
    changed = make_article(4, headline="عنوان جديد تماما")
    with open_archive(url) as arc:
        arc.put(articles)
        arc.put([changed])
        arc.backend.index.remove([_key(url, "art-7")])
        found = _found(arc)
    with open_archive(fresh) as arc:
        arc.put([changed if a.id == "art-4" else a for a in articles])
        arc.backend.index.remove([_key(fresh, "art-7")])
        assert _found(arc) == found
    assert "art-7" not in {i for p in _postings(url).values() for i, *_ in p}
    assert _postings(url) == _postings(fresh)


def _key(url: str, id_: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT rowid FROM articles WHERE id = %s", (id_,)).fetchone()[0]


def test_an_archive_of_one_row_per_posting_is_converted(new_db):
    url = new_db()
    with open_archive(url) as arc:
        arc.put([make_article(i) for i in range(15)])
        expected, postings = _found(arc), _postings(url)
    # Back to the first layout: the postings one row each, the blocks' migration not applied.
    columns = DEFAULT_SCHEME.columns
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE search_postings (term text COLLATE \"C\" NOT NULL, key bigint NOT NULL,"
                     f" dl integer NOT NULL, {', '.join(f'{c} smallint NOT NULL' for c in columns)},"
                     f" PRIMARY KEY (term, key) INCLUDE (dl, {', '.join(columns)}))")
        rows = conn.execute("SELECT term, keys, dls, counts FROM search_blocks").fetchall()
        copying = f"COPY search_postings (term, key, dl, {', '.join(columns)}) FROM STDIN"
        with conn.cursor().copy(copying) as copy:
            for term, *arrays in rows:
                p = blocks.Postings.of_rows([arrays], NCOLS)
                for k, d, c in zip(p.keys.tolist(), p.dls.tolist(), p.counts.tolist(), strict=True):
                    copy.write_row((term, k, d, *c))
        conn.execute("DROP TABLE search_blocks")
        conn.execute("DELETE FROM migrations WHERE name = 'pgscale-0001-postings-in-blocks'")
    with open_archive(url) as arc:
        assert _found(arc) == expected
    assert _postings(url) == postings
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("SELECT to_regclass('search_postings')").fetchone()[0] is None


def test_long_texts_are_compressed_with_lz4_where_the_server_has_it(new_db):
    url = new_db()
    with open_archive(url):
        pass
    with psycopg.connect(url, autocommit=True) as conn:
        methods = conn.execute("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'"
                               ).fetchone()[0]
        columns = dict(conn.execute(
            "SELECT attrelid::regclass::text || '.' || attname, attcompression FROM pg_attribute"
            " WHERE attrelid IN ('articles'::regclass, 'search_docs'::regclass, 'search_blocks'::regclass)"
            " AND attname IN ('body', 'data', 'cols', 'keys', 'dls', 'counts')").fetchall())
    compressed = ("articles.body", "articles.data", "search_docs.cols", "search_blocks.keys",
                  "search_blocks.dls", "search_blocks.counts")
    assert columns == dict.fromkeys(compressed, "l" if "lz4" in methods else "")
