"""Store.summaries: the list fields of many articles at once, as every list page shows them."""

from __future__ import annotations

from marsad.archive.base import LEAD_CHARS, Store
from marsad.model import ArticleSummary
from tests.archive.conftest import make_article


def test_in_the_order_asked_each_once_and_only_stored_ones(arc):
    arc.put([make_article(i) for i in range(1, 4)])
    got = arc.store.summaries(["art-3", "missing", "art-1", "art-3"])
    assert [s.id for s in got] == ["art-3", "art-1"]
    a = make_article(3)
    assert got[0] == ArticleSummary("art-3", a.headline, a.outlet, a.section, a.published, a.url, a.deck)
    assert arc.store.summaries([]) == []


def test_the_lead_is_the_deck_else_the_first_paragraph(arc):
    long = "كلمة " * 200
    arc.put([make_article(1, deck=None), make_article(2, deck=None, paragraphs=[long, "الثانية"]),
             make_article(3, deck=None, paragraphs=[])])
    first, cut, empty = arc.store.summaries(["art-1", "art-2", "art-3"])
    assert first.lead == make_article(1).paragraphs[0]
    assert long.startswith(cut.lead) and len(cut.lead) >= min(len(long), LEAD_CHARS)
    assert empty.lead == ""


def test_the_same_as_reading_each_article_whole(arc):
    """The SQLite store's one query gives what the interface's article-by-article reading gives."""
    arc.put([make_article(i, deck=None if i % 2 else "موجز") for i in range(1, 40)])
    ids = [f"art-{i}" for i in range(45, 0, -3)]
    assert arc.store.summaries(ids) == Store.summaries(arc.store, ids)


def test_more_ids_than_one_query_binds(arc):
    arc.put([make_article(i) for i in range(1, 6)])
    ids = [f"none-{i}" for i in range(2000)] + ["art-5", "art-2"]
    assert [s.id for s in arc.store.summaries(ids)] == ["art-5", "art-2"]
