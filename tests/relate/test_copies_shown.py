"""Copies are shown to readers by title and outlet, not as bare ids: in the API and on the article page."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from marsad.settings import load
from marsad.web import create_app


@pytest.fixture(scope="module")
def client(dev_db):
    with TestClient(create_app(load(dev_db))) as c:
        yield c


def test_api_lists_copies_with_title_and_outlet(client, records):
    got = client.get("/api/articles/dev-070/related").json()["copies"]
    assert [(c["id"], c["outlet"], c["source"]) for c in got] == [
        ("dev-068", "nidaalwatan.com", True), ("dev-071", "zahratalkhaleej.ae", False)]
    assert got[0]["title"] == records["dev-068"]["text"].strip().split("\n")[0].strip()


def test_article_page_names_each_copy(client, records):
    page = client.get("/articles/dev-070").text
    box = page[page.index('id="copies-h"'):]
    box = box[:box.index("</section>")]
    assert "nidaalwatan.com" in box and "zahratalkhaleej.ae" in box
    assert records["dev-071"]["text"].strip().split("\n")[0].strip()[:20] in box
    assert ">dev-068<" not in box  # a title, not the bare id


def test_no_copies_box_without_copies(client):
    assert 'id="copies-h"' not in client.get("/articles/dev-001").text


def test_an_archive_related_before_copies_of_one_text_is_related_again(tmp_path, dev):
    from marsad.archive import open_archive
    from marsad.relate import duplicate_groups, unrelated

    path = tmp_path / "old.db"
    with open_archive(path) as arc:
        arc.ingest([dev / "stories.jsonl"], enrich=False)
        conn = arc.backend.conn  # the SQLite backend's migrations
        rowids = [r[0] for r in conn.execute("SELECT rowid FROM articles")]
        # As an earlier version left it: one chain of every article, and this migration not applied.
        chain = [(r, rowids[0]) for r in rowids]
        conn.executemany("INSERT OR REPLACE INTO duplicates VALUES (?, ?)", chain)
        conn.execute("DELETE FROM migrations WHERE name = 'relate-0004-copies-of-one-text'")
        conn.commit()
    with open_archive(path) as arc:
        assert duplicate_groups(arc) == [] and len(unrelated(arc)) == len(rowids)
        arc.relate_all()
        groups = duplicate_groups(arc)
    assert ["dev-068", "dev-070", "dev-071"] in groups and max(map(len, groups)) < 5
