"""The search index of an archive's backend (``arc.backend.index``), through its interface only."""

from __future__ import annotations

import dataclasses

import pytest

from marsad.archive import open_archive
from marsad.archive.base import SearchIndex
from marsad.model import Article
from marsad.search.query import compile
from marsad.search.rank import Filters

DOCS = [
    Article("الحكومة تقر الموازنة", ["أقرت الحكومة موازنة العام الجديد."], id="a", outlet="BBC",
            section="economy", published="2025-01-05T09:00:00"),
    Article("مباراة الحكومة والمعارضة", ["نظم نواب الحكومة مباراة ودية مع نواب المعارضة في العاصمة."], id="b",
            outlet="CNN", section="sport", published="2025-02-07"),
    Article("أمطار غزيرة", ["هطلت أمطار غزيرة على العاصمة أمس وأغلقت طرقا عديدة."], id="c",
            outlet="BBC", section=None, published="2025-03-01"),
]
# A copy of "a" from another outlet: the relate stage groups the two.
COPY = dataclasses.replace(DOCS[0], id="a2", outlet="RT", published="2025-01-05T11:00:00")


@pytest.fixture(scope="module")
def arc(tmp_path_factory):
    db = tmp_path_factory.mktemp("index") / "a.db"
    with open_archive(db) as writer:
        writer.put([*DOCS, COPY])
    with open_archive(db, readonly=True) as reader:
        yield reader


def _expr(arc, text: str, mode: str = "all"):
    return compile(text, scheme=arc.backend.index.scheme, mode=mode)


def _ids(arc, rows) -> list[str]:
    found = arc.backend.index.hits([r[0] for r in rows], body=False)
    return [found[r[0]][1] for r in rows]


def test_matches_scores_groups_and_limits(arc):
    index, everything = arc.backend.index, _expr(arc, "الحكومة")
    rows = index.matches(everything, Filters())
    assert sorted(_ids(arc, rows)) == ["a", "a2", "b"] and all(s < 0 for _, s in rows)
    assert [s for _, s in index.matches(everything, Filters(), scored=False)] == [None] * 3
    with_groups = index.matches(everything, Filters(), groups=True)
    grouped = {i: g for i, (_, _, g) in zip(_ids(arc, with_groups), with_groups, strict=True)}
    assert grouped["a"] is not None and grouped["a"] == grouped["a2"] and grouped["b"] is None
    assert _ids(arc, index.matches(everything, Filters(), newest=2)) == ["a2", "b"]  # newest first
    best = index.matches(everything, Filters(), best=1)
    assert len(best) == 1 and best[0][1] == min(s for _, s in rows)
    assert index.count(everything, Filters()) == 3 and index.count(_expr(arc, "زلزال"), Filters()) == 0


def test_filters_narrow_every_method(arc):
    index, expr = arc.backend.index, _expr(arc, "الحكومة")
    assert sorted(_ids(arc, index.matches(expr, Filters(outlet="bbc")))) == ["a"]  # any case
    assert index.count(expr, Filters(since="2025-02")) == 1
    assert index.count(expr, Filters(until="2025-01-05")) == 2  # the whole day
    assert index.count(expr, Filters(section="sport", outlet="CNN")) == 1
    assert index.facets(expr, Filters(), 0).outlets == [("BBC", 1), ("CNN", 1), ("RT", 1)]
    # "c" has no section: it is not counted
    assert index.facets(_expr(arc, "العاصمة"), Filters(), 0).sections == [("sport", 1)]
    assert index.facets(expr, Filters(since="2025-02"), 0).outlets == [("CNN", 1)]


def test_hits_give_the_shown_columns(arc):
    index = arc.backend.index
    [(key, _)] = index.matches(_expr(arc, "أمطار"), Filters())
    row = index.hits([key])[key]
    assert row[:2] == (key, "c") and row[3] == "أمطار غزيرة" and row[4] == "BBC"
    assert row[5] == "2025-03-01" and "العاصمة" in row[6]
    assert index.hits([key], body=False)[key][6] is None
    assert index.hits([]) == {}


def test_expansions_count_index_terms_up_to_a_cap(arc):
    index = arc.backend.index
    start = index.scheme.analyzers[0].term("عاص")
    assert index.expansions(start, 100) >= 1
    assert index.expansions(start, 0) == 0
    assert index.expansions("zzzz", 100) == 0


def test_excluded_and_prefix_phrases(arc):
    index = arc.backend.index
    assert sorted(_ids(arc, index.matches(_expr(arc, "الحكومة -المعارضة"), Filters()))) == ["a", "a2"]
    assert sorted(_ids(arc, index.matches(_expr(arc, "أمطا*"), Filters()))) == ["c"]
    assert index.count(_expr(arc, '"نواب المعارضة"'), Filters()) == 1
    assert index.count(_expr(arc, '"المعارضة نواب"'), Filters()) == 0  # a phrase keeps its order


def test_ranked_scores_every_match_or_the_best_and_counts_them_in_one_statement(arc):
    index, e = arc.backend.index, _expr(arc, "الحكومة", "any")
    everything = sorted(index.matches(e, Filters(), groups=True))
    for best, broad in ((1, 10), (5, 10), (1, 2), (2, 2)):
        ran: list[str] = []
        index.conn.set_trace_callback(ran.append)
        rows, total = index.ranked(e, Filters(), groups=True, best=best, broad=broad)
        index.conn.set_trace_callback(None)
        assert total == 3
        if total <= broad:
            assert sorted(rows) == everything
        else:
            assert rows == index.matches(e, Filters(), groups=True, best=best)
        # The way every backend may take (newest, then best, then count) finds the same (every match
        # in no set order).
        base, n = SearchIndex.ranked(index, e, Filters(), groups=True, best=best, broad=broad)
        assert (sorted(rows), total) == (sorted(base), n)
        # One statement, however many match (it counts them, then scores them once).
        assert len([s for s in ran if "MATCH" in s]) == 1
    assert index.ranked(_expr(arc, "زلزال"), Filters(), groups=False, best=5, broad=10) == ([], 0)
    rows, total = index.ranked(e, Filters(outlet="cnn"), groups=False, best=5, broad=10)
    assert total == 1 and len(rows[0]) == 2  # (key, score) without groups
