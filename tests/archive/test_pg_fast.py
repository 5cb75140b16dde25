"""What makes a PostgreSQL search cheap and keeps it right: keys sent as one binary array, pooled
connections checked without a round trip unless the server spoke, ranking and counting from one reading
of the matches (the same rows as the interface's separate calls give), and blocks written by binary COPY
read back as they were built."""

from __future__ import annotations

import numpy as np
import psycopg
import pytest
from psycopg_pool import ConnectionPool

from marsad.archive import open_archive
from marsad.archive.base import SearchIndex
from marsad.archive.postgres import _check, blocks
from marsad.archive.postgres.wire import Keys
from marsad.search import query as parser
from marsad.search.rank import Filters
from tests.archive.conftest import make_article

pytestmark = pytest.mark.backends("postgres")
QUERIES = ("الرئيس", "موسكو زيارة", "بوتين", '"الرئيس الروسي"', "زيار*", "الرئيس -موسكو")


@pytest.mark.parametrize("keys", [[], [7], [1, -2, 2**62, 0, 5], list(range(5000))])
def test_keys_arrive_as_the_int8_array_they_were(new_db, keys):
    with open_archive(new_db("a")) as arc, arc.backend.cursor() as cur:
        assert cur.execute("SELECT %s::int8[]", [Keys(np.array(keys, np.int64))]).fetchone()[0] == keys
        assert cur.execute("SELECT 3 = ANY(%s)", [Keys([1, 3])]).fetchone()[0]


def test_a_pooled_connection_is_checked_only_when_the_server_spoke(new_db, pg_server, monkeypatch):
    asked = []
    ask = ConnectionPool.check_connection
    monkeypatch.setattr(ConnectionPool, "check_connection", lambda conn: asked.append(conn) or ask(conn))
    with open_archive(new_db("a")) as arc:
        with arc.backend.connection() as conn:
            _check(conn)  # alive and quiet: nothing to read, no round trip
            assert not asked
            pid = conn.info.backend_pid
        with psycopg.connect(pg_server, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            admin.execute("SELECT pg_sleep(0.2)")  # the backend's farewell reaches the socket
        with pytest.raises(psycopg.OperationalError):
            _check(conn)
        assert asked == [conn]
        with arc.backend.connection() as fresh:  # the pool replaced it
            assert fresh.info.backend_pid != pid
        arc.put([make_article(1)])
        assert arc.count() == 1


def test_ranked_gives_what_the_separate_calls_give(new_db):
    with open_archive(new_db("a")) as arc:
        arc.put([make_article(i) for i in range(30)])
        index = arc.backend.index
        for text in QUERIES:
            for mode in ("all", "any"):
                expr = parser.compile(text, scheme=index.scheme, mode=mode)
                for broad in (0, 3, 2000):  # ranked over all matches, or the best and a count
                    for groups in (False, True):
                        args = (expr, Filters())
                        options = {"groups": groups, "best": 4, "broad": broad}
                        assert index.ranked(*args, **options) == SearchIndex.ranked(index, *args, **options)


def test_blocks_written_by_binary_copy_read_back_as_built(new_db):
    docs = [(key, 9, [["a", "b"], ["b"], [], ["c", "a", "a"]]) for key in (3, 8, 20)]
    terms = blocks.batch(docs, 4)
    with open_archive(new_db("a")) as arc, arc.backend.connection() as conn, conn.transaction(), \
            conn.cursor() as cur:
        cur.execute(f"DELETE FROM {blocks.BLOCKS}")
        written = blocks.write(cur, terms)
        rows = cur.execute(*blocks.read_sql(["a", "b", "c"], []), binary=True).fetchall()
        found = blocks.gather(rows, ["a", "b", "c"], [], 4)
    assert sorted(written) == [("a", 0), ("b", 0), ("c", 0)]
    assert found["a", False].keys.tolist() == [3, 8, 20]
    assert found["a", False].counts.tolist() == [[1, 0, 0, 2]] * 3
    assert found["b", False].counts.tolist() == [[1, 1, 0, 0]] * 3
    assert found["c", False].dls.tolist() == [9, 9, 9]


def test_kept_blocks_give_the_same_results_and_are_dropped_when_the_index_changes(new_db):
    with open_archive(new_db("a")) as arc:
        arc.put([make_article(i) for i in range(12)])
        cache = arc.backend.index.cache
        cache.least = 1  # keep every term, however rare

        def found():
            arc.backend.index._local.memo = None  # each search reads (or takes) its blocks anew
            return [[(h.id, h.score) for h in arc.search(q, limit=20, mode="any").hits] for q in QUERIES]

        cold = found()
        assert cache.version is not None and cache._rows  # kept as read
        assert found() == cold  # from the kept blocks, prefixes over kept terms included
        before = arc.search("الرئيس").total
        arc.put([make_article(40)])
        assert arc.search("الرئيس").total == before + 1  # the kept blocks were of the index before
        kept = found()
        arc.backend.index.cache = type(cache)(least=10**9)  # nothing kept: all read from the server
        assert found() == kept
