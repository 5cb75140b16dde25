"""The search page and API on an archive with copies: folded copies stay reachable and counted,
and facets count the query's results, not the archive."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from marsad.archive import open_archive
from marsad.model import Article
from marsad.settings import load
from marsad.web import create_app
from marsad.web import load as web_load

WIRE = "أعلنت وزارة الخارجية في مسقط أن سلطنة عمان تستضيف جولة جديدة من المحادثات الأسبوع المقبل."


def _articles() -> list[Article]:
    copies = [Article(f"عمان تستضيف المحادثات ({o})", [WIRE], id=f"copy-{o}", outlet=o, section="world",
                      published=f"2018-06-0{i}T10:00:00") for i, o in enumerate(("BBC", "CNN", "RT"), 1)]
    others = [Article("مباراة في عمان", ["فاز المنتخب في عمان مساء الخميس."], id="sport", outlet="BBC",
                      section="sport", published="2018-06-05"),
              Article("الاقتصاد", ["نما الاقتصاد بنسبة ضئيلة هذا العام."], id="eco", outlet="CNN",
                      section="economy", published="2018-06-06")]
    return copies + others


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    db = tmp_path_factory.mktemp("fold") / "fold.db"
    with open_archive(db) as arc:
        arc.put(_articles())
        conn = arc.backend.conn
        # The copies group as the relate stage stores it: every member → the group's smallest rowid.
        rowids = [r for (r,) in conn.execute("SELECT rowid FROM articles WHERE id LIKE 'copy-%'")]
        conn.execute("DELETE FROM duplicates")
        conn.executemany("INSERT INTO duplicates(article_rowid, group_id) VALUES (?, ?)",
                         [(r, min(rowids)) for r in rowids])
    with TestClient(create_app(load(db))) as c:
        yield c


def test_api_folds_copies_and_counts_every_article(client):
    folded = client.get("/api/search", params={"q": "عمان"}).json()
    assert folded["total"] == 4 and folded["folded"] == 2 and len(folded["hits"]) == 2
    rep = next(h for h in folded["hits"] if h["copies"])
    assert rep["copies"] == 2 and len(rep["folded"]) == 2
    assert all(c["title"] and c["outlet"] for c in rep["folded"])  # titles and outlets, not bare ids
    unfolded = client.get("/api/search", params={"q": "عمان", "fold": "false"}).json()
    assert unfolded["total"] == 4 and unfolded["folded"] == 0 and len(unfolded["hits"]) == 4
    reached = {h["id"] for h in folded["hits"]} | {c["id"] for h in folded["hits"] for c in h["folded"]}
    assert reached == {h["id"] for h in unfolded["hits"]}


def test_page_lists_folded_copies_with_links(client):
    tree = HTMLParser(client.get("/search", params={"q": "عمان"}).text)
    box = tree.css_first("li.hit details.copies")
    assert box is not None and "2" in box.css_first("summary").text()
    links = [a.attributes["href"] for a in box.css("ul.folded a")]
    assert len(links) == 2
    for href in links:
        assert client.get(href).status_code == 200  # every folded copy is reachable
    flat = HTMLParser(client.get("/search", params={"q": "عمان", "fold": "false"}).text)
    assert len(flat.css("li.hit")) == 4 and not flat.css("details.copies")


def _facet(tree: HTMLParser, title: str) -> dict[str, int]:
    box = next(b for b in tree.css(".facets section.box") if b.css_first("h2").text() == title)
    return {a.attributes["data-value"]: int(a.css_first(".count").text()) for a in box.css("a[data-value]")}


def test_facets_count_the_results_not_the_archive(client):
    tree = HTMLParser(client.get("/search", params={"q": "عمان"}).text)
    assert _facet(tree, "المنفذ") == {"BBC": 2, "CNN": 1, "RT": 1}  # eco (CNN) does not match
    assert _facet(tree, "القسم") == {"world": 3, "sport": 1}
    # With a filter, the other facet counts only the filtered results; its own still offers the rest.
    bbc = HTMLParser(client.get("/search", params={"q": "عمان", "outlet": "BBC"}).text)
    assert _facet(bbc, "القسم") == {"world": 1, "sport": 1}
    assert _facet(bbc, "المنفذ") == {"BBC": 2, "CNN": 1, "RT": 1}
    sport = HTMLParser(client.get("/search", params={"q": "عمان", "section": "sport"}).text)
    assert _facet(sport, "المنفذ") == {"BBC": 1}


def test_search_page_matches_the_query_twice(tmp_path):
    """The page's hits are ranked and counted in one pass over the matches, its count and every facet
    in one more (it matched the query once per facet, and again to count them)."""
    db = tmp_path / "a.db"
    with open_archive(db) as arc:
        arc.put(_articles())
    with open_archive(db, readonly=True) as arc:
        ran: list[str] = []
        arc.backend.conn.set_trace_callback(ran.append)
        page = web_load.search(arc, "عمان", outlet="BBC")
        arc.backend.conn.set_trace_callback(None)
    assert page["result"].total == 2
    assert page["facets"] == {"outlets": [("BBC", 2), ("CNN", 1), ("RT", 1)],
                              "sections": [("sport", 1), ("world", 1)]}
    assert len([s for s in ran if "MATCH" in s]) == 2
