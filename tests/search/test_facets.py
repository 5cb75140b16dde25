"""Facets of a search on both backends: the count, the outlet and section facets (each with every
filter but its own) and the entity facet, all from one pass over the query's matching articles."""

from __future__ import annotations

import pytest

from marsad.archive import open_archive
from marsad.model import Article, EntityMention
from marsad.search.facets import Facets, facets, search_facets
from marsad.search.query import compile
from marsad.search.rank import Filters

TEXT = "اجتمع وزراء الخارجية في قمة بغداد لبحث أزمة المياه"


def _article(id: str, outlet: str, section: str | None, published: str, names: list[str],
             text: str = TEXT) -> Article:
    mentions = [EntityMention(n, "LOC", text.index(n), text.index(n) + len(n), 0, canonical=n, key=f"k-{n}")
                for n in names]
    return Article(f"خبر {id}", [text], id=id, outlet=outlet, section=section, published=published,
                   entities=mentions)


ARTICLES = [
    _article("a", "BBC", "world", "2025-01-03", ["بغداد"]),
    _article("b", "bbc", "economy", "2025-01-09", ["بغداد", "المياه"]),
    _article("c", "CNN", "world", "2025-02-01", ["المياه"]),
    _article("d", "RT", None, "2025-03-01", ["بغداد"]),
    _article("e", "RT", "world", "2025-03-02", ["بغداد"], text="فاز فريق بغداد في مباراة ودية"),
]


@pytest.fixture
def db(new_db):
    url = new_db()
    with open_archive(url) as arc:
        arc.put(ARTICLES)
    return url


def _names(found: Facets) -> dict[str, int]:
    return {e.name: e.articles for e in found.entities}


def test_facets_count_the_results_each_with_every_filter_but_its_own(db):
    with open_archive(db, readonly=True) as arc:
        everything = facets(arc, "قمة المياه", entities=5)
        assert everything.total == 4
        # Each stored spelling of an outlet is a value of its own; an article without a section is not
        # counted in that facet.
        assert everything.outlets == [("BBC", 1), ("CNN", 1), ("RT", 1), ("bbc", 1)]
        assert everything.sections == [("world", 2), ("economy", 1)]
        assert _names(everything) == {"بغداد": 3, "المياه": 2}
        cnn = facets(arc, "قمة المياه", outlet="cnn", entities=5)
        assert cnn.total == 1 and cnn.sections == [("world", 1)]
        assert cnn.outlets == everything.outlets  # its own filter aside: every outlet still offered
        assert _names(cnn) == {"المياه": 1}
        world = facets(arc, "قمة المياه", section="world", since="2025-01-05", entities=5)
        assert world.total == 1 and world.outlets == [("CNN", 1)]
        assert world.sections == [("economy", 1), ("world", 1)]  # the dates still apply to its own facet
        assert facets(arc, "زلزال", entities=5) == Facets(0, [], [], [])
        assert facets(arc, "", entities=5) == Facets()
        assert search_facets(arc, "قمة المياه", until="2025-01") == {
            "outlets": [("BBC", 1), ("bbc", 1)], "sections": [("economy", 1), ("world", 1)]}


def test_auto_mode_relaxes_to_any_word_as_search_does(db):
    with open_archive(db, readonly=True) as arc:
        # No article holds both words: "auto" counts those holding either, as the search shows them.
        assert facets(arc, "مباراة أزمة", mode="all").total == 0
        assert facets(arc, "مباراة أزمة", mode="auto").total == 5
        assert arc.search("مباراة أزمة", mode="auto").total == 5


def test_one_pass_over_the_matching_articles(tmp_path):
    """The count and every facet come from one statement that matches the query once (the search
    page ran the match once per facet, and once more to count)."""
    db = tmp_path / "a.db"
    with open_archive(db) as arc:
        arc.put(ARTICLES)
    with open_archive(db, readonly=True) as arc:
        index, ran = arc.backend.index, []
        index.conn.set_trace_callback(ran.append)
        found = index.facets(compile("قمة", scheme=index.scheme, mode="any"), Filters(outlet="RT"), 5)
        index.conn.set_trace_callback(None)
    assert found.total == 1 and _names(found) == {"بغداد": 1}
    assert len([s for s in ran if "MATCH" in s]) == 1
    # Each match's outlet, section and date come from the small facets index, not its article row.
    assert any("INDEXED BY articles_facets" in s for s in ran)
