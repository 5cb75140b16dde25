from __future__ import annotations

import dataclasses

from marsad.relate import related, story_of
from marsad.relate.similar import closeness, rank, reason


def test_closeness_halves_with_the_half_life():
    assert closeness(100, 100) == 1.0
    assert closeness(100, 130) == 0.5
    assert closeness(None, 100) == 0.5


def test_rank_leaves_out_excluded_and_self(docs):
    us = docs["dev-101"]  # US strikes on Iran's nuclear sites
    others = [docs[i] for i in ("dev-101", "dev-102", "dev-098", "dev-099", "dev-022")]
    ids = [m.doc.id for m in rank(us, others, exclude={"dev-102"})]
    assert "dev-101" not in ids and "dev-102" not in ids
    assert ids[0] in {"dev-098", "dev-099"}  # Iran's answer at Al Udeid, the next day, before the Queen


def test_shared_entities_make_the_reason(docs):
    a = dataclasses.replace(docs["dev-101"], entities=frozenset({"إيران", "دونالد ترامب"}))
    b = dataclasses.replace(docs["dev-099"], entities=frozenset({"إيران", "قطر"}))
    (match,) = rank(a, [b], exclude=set())
    assert match.entities == ["إيران"]
    assert reason(match, {}) == "مشترك: إيران"


def test_related_leaves_out_the_story_and_the_copies(dev_arc):
    own = set(story_of(dev_arc, "dev-098").articles)
    hits = related(dev_arc, "dev-098", limit=10)
    assert hits and not own & {h.id for h in hits}
    assert all(h.reason.startswith("مشترك: ") for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    # The other attack on Qatar (a distractor from 2026) is related coverage, not the same story.
    assert "dev-119" in {h.id for h in hits[:3]}


def test_related_of_a_copy_leaves_out_the_other_copies(dev_arc):
    ids = {h.id for h in related(dev_arc, "dev-068")}
    assert not ids & {"dev-070", "dev-071", "dev-066", "dev-067"}
