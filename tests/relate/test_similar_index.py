"""Related articles through the in-memory postings: the same as scoring every article, and current."""

from __future__ import annotations

import shutil
import time

import pytest

from marsad.archive import open_archive
from marsad.relate import copies_of, neighbours, related, similar, story_of
from marsad.relate.features import article_text
from marsad.relate.text import surfaces


def _every_doc(arc):
    return [neighbours.doc_of(d) for d in arc.backend.relate.docs()]


@pytest.mark.parametrize("id_", ["dev-098", "dev-101", "dev-068", "dev-022"])
def test_ranks_as_scoring_every_article(dev_arc, id_):
    everyone = _every_doc(dev_arc)
    doc = next(d for d in everyone if d.id == id_)
    story = story_of(dev_arc, id_)
    exclude = set(copies_of(dev_arc, id_)) | set(story.articles if story else ())
    want = similar.rank(doc, everyone, exclude, limit=6)
    got = related(dev_arc, id_, limit=6)
    assert [(h.id, h.score) for h in got] == [(m.doc.id, round(m.score, 4)) for m in want]


def test_surface_forms_as_surfaces_finds_them(dev_arc, docs):
    text = article_text(dev_arc.get("dev-101"))
    wanted = set(list(docs["dev-101"].vec)[:8]) | {"no-such-term"}
    every = surfaces(text)
    assert neighbours.surface_forms(text, wanted) == {t: every[t] for t in wanted if t in every}
    assert len(neighbours.surface_forms(text, wanted)) >= 7


@pytest.fixture
def copied(dev_db, tmp_path):
    path = tmp_path / "dev.db"
    shutil.copy(dev_db, path)
    return path


@pytest.fixture
def dev_anew(dev, dev_db, tmp_path, new_db, archive_backend):
    """An archive of stories-dev of its own, on each backend in turn."""
    if archive_backend == "sqlite":
        shutil.copy(dev_db, tmp_path / "dev.db")
        return tmp_path / "dev.db"
    with open_archive(new_db("dev")) as arc:
        arc.ingest([dev / "stories.jsonl"], enrich=False)
    return new_db("dev")


def test_follows_changes_made_by_another_connection(dev_anew):
    with open_archive(dev_anew, readonly=True) as arc:
        before = related(arc, "dev-098", limit=10)
        best, last = before[0].id, before[-1].id
        # An unrelated article takes the best one's vector; the last one disappears.
        far = next(i for i in ("dev-001", "dev-002", "dev-003") if i not in {h.id for h in before})
        with open_archive(dev_anew) as writer, writer.backend.unit_of_work():
            state = writer.backend.relate
            key = {i: state.key(i) for i in (best, far, last)}
            vec = next(state.docs([key[best]])).vec
            old = next(state.docs([key[far]]))
            state.add_docs([(key[far], "changed", old.day, vec, old.entities)])
            state.forget([key[last]])
        after = {h.id for h in related(arc, "dev-098", limit=10)}
    assert far in after and last not in after


def test_a_reader_is_never_kept_waiting_for_the_index(dev_anew):
    """A web reader gets the index as it was while another process's changes are synced in the
    background, on connections of its own; the next request sees them."""
    with open_archive(dev_anew, readonly=True) as arc:
        arc.may_lag = True
        before = related(arc, "dev-098", limit=10)
        with open_archive(dev_anew) as writer, writer.backend.unit_of_work():
            writer.backend.relate.forget([writer.backend.relate.key(before[0].id)])
        assert related(arc, "dev-098", limit=10) == before  # as it was: the sync runs meanwhile
        for _ in range(200):
            if arc.backend.describe() not in neighbours._syncing:
                break
            time.sleep(0.05)
        assert before[0].id not in {h.id for h in related(arc, "dev-098", limit=10)}


def test_an_index_built_in_parts_is_the_one_built_at_once(dev_arc, monkeypatch):
    whole = neighbours.Index(dev_arc.backend.relate.docs())
    monkeypatch.setattr(neighbours, "BUILD_PART", 7)
    parts = neighbours.Index(dev_arc.backend.relate.docs())
    assert parts.ids == whole.ids and parts.terms.keys == whole.terms.keys
    for pos in (0, 6, 7, len(whole.ids) - 1):
        assert parts.doc(pos) == whole.doc(pos)
    doc = whole.doc(3)
    assert [d.id for d in parts.shortlist(doc, set(), 6)] == [d.id for d in whole.shortlist(doc, set(), 6)]


def test_a_process_keeps_the_indexes_of_a_few_archives(dev_arc, copied, monkeypatch):
    monkeypatch.setattr(neighbours, "KEPT", 1)
    monkeypatch.setattr(neighbours, "_indexes", {})
    with open_archive(copied, readonly=True) as other:
        assert related(other, "dev-098", limit=3)
        assert related(dev_arc, "dev-098", limit=3) == related(other, "dev-098", limit=3)
    assert len(neighbours._indexes) == 1
