"""Issue 17: the entity page shows an entity's variants and the articles each came from."""

from __future__ import annotations

from html import unescape


def test_entity_page_lists_each_variant_with_its_articles(client, arc):
    top = arc.entities(limit=30)
    found = next(arc.entity(e.id) for e in top if len(arc.entity(e.id)["variant_articles"]) > 1)
    page = unescape(client.get(f"/entities/{found['id']}").text)
    assert "الصيغ ومصادرها" in page
    for variant, articles in found["variant_articles"].items():
        assert variant in page
        first = articles[0]
        assert f"/articles/{first['id']}" in page or first.get("more")
