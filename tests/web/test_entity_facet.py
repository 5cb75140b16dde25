"""The search page's entity facet («الأعلام») counts the query's results, with the other filters
applied, on both backends: not the archive's most mentioned entities."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from marsad.archive import open_archive
from marsad.model import Article, EntityMention
from marsad.search.facets import entity_facet
from marsad.settings import load
from marsad.web import create_app


def _article(id: str, text: str, names: list[str], outlet: str) -> Article:
    mentions = []
    for name in names:
        at = text.index(name)
        mentions.append(EntityMention(name, "PERS" if name != "سنغافورة" else "LOC", at, at + len(name), 0,
                                      canonical=name, key=f"k-{name}"))
    return Article(f"خبر {id}", [text], id=id, outlet=outlet, section="world", published="2018-06-12",
                   entities=mentions)


SUMMIT = "التقى ترامب وكيم في قمة سنغافورة التاريخية"
MATCH = "فاز فريق ميسي في مباراة ودية أمس"


def _articles() -> list[Article]:
    summit = [_article("s1", SUMMIT, ["ترامب", "كيم", "سنغافورة"], "BBC"),
              _article("s2", SUMMIT, ["ترامب", "سنغافورة"], "CNN"),
              _article("s3", "قال ترامب بعد القمة إنه متفائل", ["ترامب"], "CNN")]
    # The archive's most mentioned name, in none of the summit's results.
    football = [_article(f"f{i}", MATCH, ["ميسي"], "RT") for i in range(5)]
    return summit + football


@pytest.fixture
def db(new_db):
    url = new_db()
    with open_archive(url) as arc:
        arc.put(_articles())
    return url


def _facet(tree: HTMLParser) -> dict[str, int]:
    box = next(b for b in tree.css(".facets section.box") if b.css_first("h2").text() == "الأعلام")
    return {a.text(deep=False).strip(): int(a.css_first(".count").text()) for a in box.css("a[data-value]")}


def test_entity_facet_counts_the_results_with_filters(db):
    with open_archive(db, readonly=True) as arc:
        assert arc.entities(limit=1)[0].name == "ميسي"  # what the old facet showed for any query
        found = {e.name: e.articles for e in entity_facet(arc, "قمة")}
        assert found == {"ترامب": 3, "سنغافورة": 2, "كيم": 1}
        cnn = entity_facet(arc, "قمة", outlet="CNN")
        assert {e.name: e.articles for e in cnn} == {"ترامب": 2, "سنغافورة": 1}
        assert entity_facet(arc, "قمة", limit=1)[0].name == "ترامب"
        assert entity_facet(arc, "زلزال") == []


def test_search_page_entity_facet(db):
    with TestClient(create_app(load(db))) as client:
        page = HTMLParser(client.get("/search", params={"q": "قمة"}).text)
        assert _facet(page) == {"ترامب": 3, "سنغافورة": 2, "كيم": 1}
        bbc = HTMLParser(client.get("/search", params={"q": "قمة", "outlet": "BBC"}).text)
        assert _facet(bbc) == {"ترامب": 1, "كيم": 1, "سنغافورة": 1}
        # An entity chosen: its own facet still offers the others among the words' results.
        with open_archive(db, readonly=True) as arc:
            kim = next(e.id for e in arc.entities() if e.name == "كيم")
        chosen = HTMLParser(client.get("/search", params={"q": "قمة", "entity": kim}).text)
        assert _facet(chosen) == {"ترامب": 3, "سنغافورة": 2, "كيم": 1}
        # No words: the archive's entities, as before.
        assert "ميسي" in _facet(HTMLParser(client.get("/search").text))
