"""The relate state's contract: what every backend's RelateState does, read back through its methods."""

from __future__ import annotations

import json

import pytest

from marsad.archive.relatestate import CopyRow, StoryRow
from marsad.model import Article


def _article(n: int, published: str | None, outlet: str = "a.com", body: str = "") -> Article:
    return Article(headline=f"headline {n}", deck=f"deck {n}", paragraphs=[body or f"body of {n}"],
                   id=f"a{n}", outlet=outlet, published=published)


DATES = ["2024-03-05T10:00:00", "2024-03-04T09:00:00", None, "2024-03-06T08:00:00", "2024-03-05T12:00:00"]


@pytest.fixture
def stored(relate_backend):
    """A backend holding five articles, stored a1 to a5; their keys by id."""
    articles = [_article(n, d, outlet=f"o{n % 2}.com") for n, d in enumerate(DATES, 1)]
    relate_backend.store.put_batch(articles)
    state = relate_backend.relate
    keys = {a.id: state.key(a.id) for a in articles}
    return relate_backend, state, keys


def _doc(keys, id_, day=None, vec=None, ents=()):
    return (keys[id_], f"hash-{id_}", day, vec or {"t": 1.0}, list(ents))


def test_keys_grow_in_order_stored(stored):
    _, state, keys = stored
    assert list(keys.values()) == sorted(keys.values()) and state.key("nope") is None


def test_pending_until_related_and_again_once_changed(stored):
    backend, state, keys = stored
    ids = ["a3", "nope", "a1", "a3", "a2"]
    assert [(k, i, seen) for k, i, _, seen in state.pending(ids)] == [
        (keys["a3"], "a3", False), (keys["a1"], "a1", False), (keys["a2"], "a2", False)]
    assert state.unrelated() == ["a1", "a2", "a3", "a4", "a5"]
    hashes = {i: h for _, i, h, _ in state.pending(ids)}
    with backend.unit_of_work():
        state.add_docs([(keys[i], hashes[i], None, {"t": 1.0}, []) for i in ("a1", "a3")])
    assert [i for _, i, _, _ in state.pending(ids)] == ["a2"]
    assert state.unrelated() == ["a2", "a4", "a5"]
    backend.store.put_batch([_article(3, DATES[2], body="a new version")])
    assert [(i, seen) for _, i, _, seen in state.pending(["a3"])] == [("a3", True)]
    assert state.unrelated() == ["a2", "a3", "a4", "a5"]


def test_articles_and_their_text(stored):
    _, state, keys = stored
    got = {k: (i, json.loads(data)) for k, i, data in state.articles([keys["a2"], keys["a4"]])}
    assert set(got) == {keys["a2"], keys["a4"]}
    assert got[keys["a2"]][0] == "a2" and Article.from_dict(got[keys["a2"]][1]).headline == "headline 2"
    assert state.text(keys["a1"]) == ("headline 1", "deck 1", "body of 1")
    assert state.text(max(keys.values()) + 1) is None
    assert state.summaries(["a4", "nope"]) == {"a4": ("headline 4", "o0.com", DATES[3])}


def test_docs_are_kept_replaced_and_forgotten(stored):
    backend, state, keys = stored
    with backend.unit_of_work():
        state.add_docs([_doc(keys, "a2", 19787, {"x": 0.6, "y": 0.8}, ["E"]), _doc(keys, "a1")])
        state.add_docs([_doc(keys, "a1", None, {"z": 1.0}, ["B", "A"])])
    every = list(state.docs())
    assert [d.key for d in every] == [keys["a1"], keys["a2"]]
    a1, a2 = every
    assert a1[2:] == ("a1", "headline 1", None, {"z": 1.0}, ["B", "A"])
    assert (a2.day, a2.vec) == (19787, {"x": 0.6, "y": 0.8}) and a2.version.startswith("hash-a2:")
    assert list(state.docs([keys["a2"], keys["a3"]])) == [a2]
    assert state.doc_hashes() == {keys["a1"]: a1.version, keys["a2"]: a2.version}
    backend.engine.relate_entities([("a2", ["F"])])  # a re-enrichment: new entities, the same text
    assert state.doc_hashes()[keys["a2"]] not in (a2.version, None)
    assert next(state.docs([keys["a2"]])).version == state.doc_hashes()[keys["a2"]]
    with backend.unit_of_work():
        state.forget([keys["a1"]])
    assert [d.id for d in state.docs()] == ["a2"]


def test_copy_keys_and_groups(stored):
    backend, state, keys = stored
    k1, k2, k3, k4 = (keys[f"a{n}"] for n in range(1, 5))
    with backend.unit_of_work():
        state.add_copy_keys([(7, k2), (7, k1), (9, k1), (7, k1)])
        state.add_copy_keys([(9, k1)])  # kept already: once is enough
        state.join_group(k2, [k1])
        state.join_group(k4, [k1, k2])
    assert state.copy_buckets([7, 8, 9, 7]) == {7: [k1, k2], 9: [k1]}
    assert state.group_members(k4) == [k1, k2, k4] and state.group_members(k3) is None
    row = CopyRow(k1, "a1", "headline 1", "o1.com", DATES[0], None, True)
    assert state.copy_rows(k2) == [row, row._replace(id="a2", title="headline 2", outlet="o0.com",
                                                     published=DATES[1], source=False),
                                   row._replace(id="a4", title="headline 4", outlet="o0.com",
                                                published=DATES[3], source=False)]
    assert state.copy_rows() == state.copy_rows(k1) and state.copy_rows(k3) == []
    with backend.unit_of_work():
        state.forget([k2, k4])  # a group left with one member is no group
    assert state.copy_rows() == [] and state.copy_buckets([7]) == {7: [k1]}


def _stories(backend, state, keys):
    with backend.unit_of_work():
        state.add_docs([_doc(keys, f"a{n}", vec={"v": float(n)}) for n in range(1, 6)])
        state.save_stories([("s1", 19786, 19787, {"c": 1.0}), ("s2", None, None, {"d": 2.0}),
                            ("s3", 19700, 19700, {"e": 1.0})])
        state.add_members([(keys["a1"], "s1"), (keys["a2"], "s1"), (keys["a4"], "s1"), (keys["a3"], "s2"),
                           (keys["a5"], "s3")])
        state.refresh_stories(["s1", "s2", "s3"])


def test_stories_are_counted_from_their_members(stored):
    backend, state, keys = stored
    _stories(backend, state, keys)
    s1 = StoryRow("s1", "headline 1", DATES[1], DATES[3])
    assert state.stories() == [s1, StoryRow("s3", "headline 5", DATES[4], DATES[4]),
                               StoryRow("s2", "headline 3", None, None)]
    assert state.stories(min_size=2) == [s1] and state.stories(ids=["s2", "nope"])[0].id == "s2"
    assert [s.id for s in state.stories(since="2024-03-05T12:00:00")] == ["s1", "s3"]
    assert state.story_members(["s1", "s2"]) == {
        "s1": [("a2", "o0.com"), ("a1", "o1.com"), ("a4", "o0.com")], "s2": [("a3", "o1.com")]}
    assert state.stories_of([keys["a1"], keys["a3"]]) == {"s1", "s2"} and state.stories_of([]) == set()
    with backend.unit_of_work():
        state.add_members([(keys["a5"], "s2")])  # a report moves: its old story goes once empty
        state.refresh_stories(["s2", "s3"])
    assert [s.id for s in state.stories()] == ["s1", "s2"] and state.stories(ids=["s3"]) == []
    assert state.story_members(["s2"])["s2"] == [("a5", "o1.com"), ("a3", "o1.com")]


def test_open_stories_and_their_latest_reports(stored):
    backend, state, keys = stored
    _stories(backend, state, keys)
    got = {s[0]: s[1:] for s in state.open_stories(19780, 19786, (), recent=2)}
    assert got == {"s1": (19786, 19787, {"c": 1.0}, ["o0.com", "o0.com"]), "s2": (None, None, {"d": 2.0},
                                                                                   ["o1.com"])}
    assert {s[0] for s in state.open_stories(None, None, (), recent=2)} == {"s2"}
    assert {s[0] for s in state.open_stories(19700, 19800, {"s2"}, recent=2)} == {"s1", "s3"}
    assert {s[0] for s in state.open_stories(19788, 19790, (), recent=2)} == {"s2"}
    assert state.recent_vectors("s1", 2) == [{"v": 2.0}, {"v": 4.0}]
    assert state.recent_vectors("s1", 5) == [{"v": 1.0}, {"v": 2.0}, {"v": 4.0}]
    assert state.free_story_id("s9") == "s9" and state.free_story_id("s1") == "s1~2"
    with backend.unit_of_work():
        state.save_stories([("s1~2", None, None, {})])
        state.save_stories([("s1", 19786, 19790, {"c": 3.0})])
    assert state.free_story_id("s1") == "s1~3"
    got = {s[0]: s[1:4] for s in state.open_stories(19789, 19793, (), recent=1)}
    assert got == {"s1": (19786, 19790, {"c": 3.0}), "s1~2": (None, None, {}), "s2": (None, None, {"d": 2.0})}


def test_open_stories_are_found_by_overlap_however_long_the_story(stored):
    """Stories are read by the days they end on, up to the longest story's span: a story that began
    long before the days asked for and ends long after them overlaps them all the same."""
    backend, state, _ = stored
    spans = {"long": (19000, 19900), "before": (19400, 19496), "after": (19510, 19512),
             "inside": (19501, 19502), "ends-on": (19490, 19497), "starts-on": (19508, 19600)}
    with backend.unit_of_work():
        state.save_stories([(sid, first, last, {"t": 1.0}) for sid, (first, last) in spans.items()])
    assert {s[0] for s in state.open_stories(19497, 19508, (), recent=1)} == {
        "long", "inside", "ends-on", "starts-on"}
    assert {s[0] for s in state.open_stories(19950, 19960, (), recent=1)} == set()


def test_generation_counts_units_of_work_that_related(stored):
    backend, state, _ = stored
    before = state.generation()
    with backend.unit_of_work():
        state.exclusive()
        assert state.advance() == before + 1
    assert state.generation() == before + 1
    with pytest.raises(RuntimeError), backend.unit_of_work():
        state.advance()
        raise RuntimeError("rolled back")
    assert state.generation() == before + 1
